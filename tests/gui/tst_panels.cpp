// SPDX-License-Identifier: MIT
#include "echo/echoserver.h"
#include "gui/barchart.h"
#include "gui/closingpanel.h"
#include "gui/connectionbar.h"
#include "gui/framedetailpane.h"
#include "gui/handshakepanel.h"
#include "gui/hexview.h"
#include "gui/monospacefont.h"
#include "gui/statisticspanel.h"
#include "gui/theme.h"
#include "protocol/frame.h"
#include "protocol/textescape.h"
#include "testutils.h"
#include "trace/closing.h"
#include "trace/trace.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QGroupBox>
#include <QHelpEvent>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QTableView>
#include <QTableWidget>
#include <QTabWidget>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QToolTip>
#include <QTreeWidget>

using namespace wsi;
using namespace wsi::gui;
using namespace Qt::StringLiterals;

namespace {

using Kind = TraceEvent::Kind;

// Appends records the way a session does: increasing times, stream offsets per direction.
class Recorder
{
public:
    Trace trace;

    qint64 offset(Direction d) const { return m_offset[int(d)]; }

    void chunk(Direction d, const QByteArray &octets)
    {
        OctetChunk c;
        c.timeNs = tick();
        c.direction = d;
        c.streamOffset = m_offset[int(d)];
        c.size = octets.size();
        c.data = octets;
        m_offset[int(d)] += octets.size();
        trace.append(std::move(c));
    }

    // A frame we send: recorded before its octets, then its octets as one write.
    void txFrame(const FrameSpec &spec)
    {
        const QByteArray octets = encodeFrame(spec);
        FrameRecord f = txFrameRecord(spec, octets.size(), tick(), m_offset[int(Direction::Tx)]);
        trace.append(std::move(f));
        chunk(Direction::Tx, octets);
    }

    // A frame we received: its octets, then the decoded record.
    void rxFrame(quint8 opcode, const QByteArray &payload, Violations violations = {},
                 qint64 utf8ErrorOffset = -1, quint8 rsv = 0)
    {
        FrameSpec spec;
        spec.opcode = opcode;
        spec.rsv = rsv;
        spec.maskMode = MaskMode::None;
        spec.payload = payload;
        const QByteArray octets = encodeFrame(spec);
        chunk(Direction::Rx, octets);
        FrameRecord f;
        f.timeNs = tick();
        f.direction = Direction::Rx;
        f.streamOffset = m_offset[int(Direction::Rx)] - octets.size();
        f.opcode = opcode;
        f.rsv = rsv;
        f.payload = payload;
        f.payloadLength = quint64(payload.size());
        const quint8 len7 = quint8(octets[1]) & 0x7F;
        f.extendedLengthSize = len7 == 126 ? 2 : (len7 == 127 ? 8 : 0);
        f.violations = violations;
        f.utf8ErrorOffset = utf8ErrorOffset;
        trace.append(std::move(f));
    }

    void event(Kind kind, const QString &text = {})
    {
        TraceEvent e;
        e.timeNs = tick();
        e.kind = kind;
        e.text = text;
        trace.append(std::move(e));
    }

    void state(SessionState s)
    {
        TraceEvent e;
        e.timeNs = tick();
        e.kind = Kind::StateChanged;
        e.state = s;
        trace.append(std::move(e));
    }

private:
    qint64 tick() { return m_time += 1'000'000; }

    qint64 m_time = 0;
    qint64 m_offset[2] = {0, 0};
};

QStringList seedLines(const QString &name)
{
    QFile file(QString::fromUtf8(WSI_SEEDS_DIR) + u'/' + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(u'\n');
}

// The lines of a block: after `heading` and one blank line, up to the next blank line.
QStringList block(const QStringList &lines, const QString &heading)
{
    const qsizetype at = lines.indexOf(heading);
    if (at < 0)
        return {u"<no heading "_s + heading + u'>'};
    QStringList out;
    for (qsizetype i = at + 2; i < lines.size() && !lines[i].isEmpty(); ++i)
        out << lines[i];
    return out;
}

// A table model's rows with the cells joined, as the seed prints them ("1971197").
QStringList joinedRows(const QAbstractItemModel *model)
{
    QStringList out;
    for (int row = 0; row < model->rowCount(); ++row) {
        QString line;
        for (int column = 0; column < model->columnCount(); ++column)
            line += model->index(row, column).data().toString();
        out << line;
    }
    return out;
}

QStringList headers(const QAbstractItemModel *model)
{
    QStringList out;
    for (int column = 0; column < model->columnCount(); ++column)
        out << model->headerData(column, Qt::Horizontal).toString();
    return out;
}

// The seed MS 2.2's statistics (microsoft-httpapi-case-2.2.txt, "Wire Statistics").
WireStatistics ms22Statistics()
{
    WireStatistics s;
    s.rxOctets = {{2, 1}, {15, 1}, {197, 1}};
    s.txOctets = {{8, 1}, {19, 1}, {240, 1}};
    s.rxFrames = {{8, 1}, {10, 1}};
    s.txFrames = {{8, 1}, {9, 1}};
    return s;
}

// The seed MS 2.2's closing behaviour: we closed, the server replied with an empty close and
// never dropped TCP, we dropped it after the 1 s server-drop timeout.
ClosingBehavior ms22Closing()
{
    ClosingBehavior b;
    b.isServer = false;
    b.closedByMe = true;
    b.failedByMe = false;
    b.droppedByMe = true;
    b.wasClean = false;
    b.wasNotCleanReason = u"server did not drop TCP connection (in time)"_s;
    b.wasServerConnectionDropTimeout = true;
    b.wasOpenHandshakeTimeout = false;
    b.wasCloseHandshakeTimeout = false;
    b.localCloseCode = 1000;
    b.wasOpen = true;
    b.tcpClosed = true;
    b.openedNs = 2'500'000;        // 2.5 ms
    b.closeSentNs = 1'004'000'000; // 1004 ms
    b.closeReceivedNs = 1'005'250'000;
    b.tcpClosedNs = 2'006'000'000;
    return b;
}

// The window's own dark palette (View ▸ Theme ▸ Dark).
QPalette darkPalette()
{
    return theme::darkPalette(QPalette());
}

QByteArray pattern(qsizetype size)
{
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = char(i * 7 + 3);
    return out;
}

} // namespace

class TestPanels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void hexViewToolTip();
    void hexViewMouseSelection();
    void hexViewCopy();
    void hexViewPaintsOnlyVisibleLines();
    void hexViewSelectedRangeScrolledIntoView();

    void frameDetailMaskedTx16();
    void frameDetailSelectionSignal();
    void frameDetailClose_data();
    void frameDetailClose();
    void frameDetailInvalidUtf8();
    void frameDetailJson();
    void frameDetailLargePayload();
    void frameDetailBitNamesFitNarrowPanes();

    void statisticsTables();
    void statisticsCheapUpdates();
    void statisticsChartsFitNarrowPanels();
    void barChartManyRows();

    void closingPanelSeedMs22();
    void closingPanelVerdictColours_data();
    void closingPanelVerdictColours();

    void handshakePanel();
    void handshakeTlsDetails();
    void handshakeTlsClientFacts();
    void handshakeWithoutTls();
    void handshakeErrorBody();
    void handshakeIgnoredSubprotocol();
    void rawRequestPrefilled();
    void stateBadgePlainText();

    void renderPngs_data();
    void renderPngs();

private:
    QPalette m_lightPalette;
};

void TestPanels::initTestCase()
{
    QLocale::setDefault(QLocale::c());
    QApplication::setStyle(QStyleFactory::create(u"Fusion"_s));
    m_lightPalette = QApplication::style()->standardPalette();
    QApplication::setPalette(m_lightPalette);
    QDir().mkpath(u"/tmp/panels"_s);
}

void TestPanels::hexViewToolTip()
{
    HexView view;
    view.setData(pattern(40));
    view.setRanges({{0, 2, Qt::blue, u"Header"_s},
                    {2, 2, Qt::yellow, u"Extended length"_s},
                    {4, 4, Qt::magenta, u"Masking key"_s},
                    {8, 32, Qt::green, u"Payload"_s}});
    view.resize(700, 200);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    QCOMPARE(view.rangeAt(5), 2);
    QCOMPARE(view.rangeAt(40), -1);
    QVERIFY(view.toolTipAt(5).startsWith(u"Masking key: octet 2 of 4\nOffset 0x5 (5)\n"_s));
    QVERIFY(view.toolTipAt(39).startsWith(u"Payload: octet 32 of 32\n"_s));

    // The real tooltip event, over the octet's cell in the hex column.
    const QRect cell = view.octetRect(20);
    QVERIFY(cell.isValid());
    QCOMPARE(view.offsetAt(cell.center()), 20);
    QHelpEvent help(QEvent::ToolTip, cell.center(), view.viewport()->mapToGlobal(cell.center()));
    QApplication::sendEvent(view.viewport(), &help);
    QTRY_VERIFY(QToolTip::isVisible());
    QCOMPARE(QToolTip::text(), view.toolTipAt(20));
    QVERIFY(QToolTip::text().contains(u"Payload: octet 13 of 32"_s));
    QVERIFY(QToolTip::text().contains(u"Offset 0x14 (20)"_s));
    QToolTip::hideText();

    // With a base offset, the shown offset is the base plus the octet's.
    view.setBaseOffset(0x1000);
    QVERIFY(view.toolTipAt(20).contains(u"Offset 0x1014 (4116), octet 20 of this view"_s));
}

void TestPanels::hexViewMouseSelection()
{
    HexView view;
    view.setData(pattern(100));
    view.resize(700, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy spy(&view, &HexView::selectionChanged);

    QWidget *vp = view.viewport();
    QTest::mousePress(vp, Qt::LeftButton, {}, view.octetRect(3).center());
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).toLongLong(), 3);
    QCOMPARE(spy.last().at(1).toLongLong(), 1);

    QTest::mouseMove(vp, view.octetRect(20).center());
    QCOMPARE(spy.last().at(0).toLongLong(), 3);
    QCOMPARE(spy.last().at(1).toLongLong(), 18);
    // Dragging backwards past the anchor selects from there to the anchor.
    QTest::mouseMove(vp, view.octetRect(1).center());
    QCOMPARE(spy.last().at(0).toLongLong(), 1);
    QCOMPARE(spy.last().at(1).toLongLong(), 3);
    QTest::mouseMove(vp, view.octetRect(20).center());
    QTest::mouseRelease(vp, Qt::LeftButton, {}, view.octetRect(20).center());
    QCOMPARE(view.selectionStart(), 3);
    QCOMPARE(view.selectionLength(), 18);
    QCOMPARE(view.selectedOctets(), pattern(100).mid(3, 18));

    // In the ASCII column too.
    QCOMPARE(view.offsetAt(view.asciiRect(37).center()), 37);
    QVERIFY(view.asciiRect(37).left() > view.octetRect(47).right());

    // Shift+click extends from the anchor.
    QTest::mouseClick(vp, Qt::LeftButton, Qt::ShiftModifier, view.octetRect(40).center());
    QCOMPARE(view.selectionStart(), 3);
    QCOMPARE(view.selectionLength(), 38);

    // A click outside every octet clears the selection.
    QTest::mouseClick(vp, Qt::LeftButton, {}, QPoint(vp->width() - 2, vp->height() - 2));
    QCOMPARE(view.selectionLength(), 0);
    QCOMPARE(spy.last().at(1).toLongLong(), 0);

    // setSelectedRange() is the program's, not the user's: no signal.
    const qsizetype before = spy.count();
    view.setSelectedRange(10, 5);
    QCOMPARE(spy.count(), before);
    QCOMPARE(view.selectionStart(), 10);
}

void TestPanels::hexViewCopy()
{
    HexView view;
    const QByteArray data = pattern(64);
    view.setData(data);
    view.resize(700, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QApplication::clipboard()->clear();

    QWidget *vp = view.viewport();
    QTest::mousePress(vp, Qt::LeftButton, {}, view.octetRect(5).center());
    QTest::mouseMove(vp, view.octetRect(9).center());
    QTest::mouseRelease(vp, Qt::LeftButton, {}, view.octetRect(9).center());
    view.setFocus();
    QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), QString::fromLatin1(data.mid(5, 5).toHex()));
    QCOMPARE(QApplication::clipboard()->mimeData()->data(u"application/octet-stream"_s),
             data.mid(5, 5));

    QTest::keyClick(&view, Qt::Key_A, Qt::ControlModifier);
    QCOMPARE(view.selectionLength(), 64);
    QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), QString::fromLatin1(data.toHex()));
}

void TestPanels::hexViewPaintsOnlyVisibleLines()
{
    HexView view;
    const QByteArray data = pattern(16 * 1024 * 1024);
    view.setData(data);
    view.setRanges({{0, 2, Qt::blue, u"Header"_s}, {2, data.size() - 2, Qt::green, u"Payload"_s}});
    view.resize(720, 480);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    QImage image(view.size(), QImage::Format_ARGB32_Premultiplied);
    view.render(&image);
    const int visible = view.viewport()->height() / QFontMetrics(view.font()).height() + 2;
    QVERIFY2(view.lastPaintedLineCount() > 0, "nothing painted");
    QVERIFY2(view.lastPaintedLineCount() <= visible,
             qPrintable(
                 u"%1 lines painted, %2 visible"_s.arg(view.lastPaintedLineCount()).arg(visible)));

    // At the end of the data, with a selection across lines, it is just as cheap.
    view.setSelectedRange(data.size() - 100, 90);
    QCOMPARE(view.verticalScrollBar()->value(), view.verticalScrollBar()->maximum());
    view.render(&image);
    // Only what is visible is painted, whatever the size (bench/ measures the time).
    QVERIFY(view.lastPaintedLineCount() > 0);
    QVERIFY(view.lastPaintedLineCount() <= visible);
    QCOMPARE(view.verticalScrollBar()->maximum(),
             int(data.size() / HexView::BytesPerLine) -
                 view.viewport()->height() / (view.octetRect(data.size() - 1).height()));
}

void TestPanels::hexViewSelectedRangeScrolledIntoView()
{
    HexView view;
    view.setData(pattern(100'000));
    view.resize(700, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.octetRect(50'000).isValid());
    view.setSelectedRange(50'000, 10);
    QVERIFY(view.octetRect(50'000).isValid());
    QVERIFY(view.viewport()->rect().contains(view.octetRect(50'000)));
    view.setSelectedRange(0, 1);
    QCOMPARE(view.verticalScrollBar()->value(), 0);
}

void TestPanels::frameDetailMaskedTx16()
{
    Recorder r;
    r.chunk(Direction::Tx, QByteArray(50, 'G')); // the handshake request, say
    FrameSpec spec;
    spec.opcode = 2;
    spec.maskMode = MaskMode::Fixed;
    spec.maskKey = 0x11223344;
    spec.payload = pattern(300);
    r.txFrame(spec);

    FrameDetailPane pane;
    pane.resize(700, 800);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    pane.setFrame(r.trace, 0);
    QCOMPARE(pane.frameIndex(), 0);

    const QByteArray octets = encodeFrame(spec);
    QCOMPARE(octets.size(), 2 + 2 + 4 + 300);
    QCOMPARE(pane.frameHexView()->data(), octets);
    const QList<HexView::Range> ranges = pane.frameHexView()->ranges();
    QCOMPARE(ranges.size(), 4);
    const auto check = [&ranges](int i, qint64 start, qint64 length, const QString &label) {
        QCOMPARE(ranges[i].start, start);
        QCOMPARE(ranges[i].length, length);
        QCOMPARE(ranges[i].label, label);
    };
    check(0, 0, 2, u"Header"_s);
    check(1, 2, 2, u"Extended length"_s);
    check(2, 4, 4, u"Masking key"_s);
    check(3, 8, 300, u"Payload"_s);
    // Distinct colours.
    QCOMPARE(QSet<QRgb>({ranges[0].color.rgb(), ranges[1].color.rgb(), ranges[2].color.rgb(),
                         ranges[3].color.rgb()})
                 .size(),
             4);
    QVERIFY(pane.frameHexView()->toolTipAt(3).startsWith(u"Extended length: octet 2 of 2"_s));

    // Unmasked and masked payloads.
    QCOMPARE(pane.payloadHexView()->data(), spec.payload);
    QCOMPARE(pane.maskedHexView()->data(), octets.mid(8));
    QVERIFY(pane.maskedHexView()->data() != spec.payload);

    auto *tabs = pane.findChild<QTabWidget *>(u"payloadTabs"_s);
    QVERIFY(tabs);
    QStringList visibleTabs;
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->isTabVisible(i))
            visibleTabs << tabs->tabText(i);
    }
    QCOMPARE(visibleTabs,
             (QStringList{u"Unmasked"_s, u"Masked (as on the wire)"_s, u"Text"_s, u"JSON"_s}));

    const QString summary = pane.summaryText();
    QVERIFY2(summary.contains(u"TX (sent) · Binary (opcode 2) · payload length 300"_s),
             qPrintable(summary));
    QVERIFY2(summary.contains(u"FIN=1 · RSV=0 (RSV1=0 RSV2=0 RSV3=0) · MASK=1 · key 11223344 · "
                              u"16-bit length, minimal"_s),
             qPrintable(summary));
    QVERIFY(summary.contains(u"stream offset 50 · frame size 308"_s));

    // The header bits: 0x82 = FIN, opcode 2; 0xFE = MASK, len7 126.
    auto *bits = pane.findChild<QTableWidget *>(u"bitsTable"_s);
    QVERIFY(bits);
    QString row0;
    QString row2;
    for (int c = 0; c < 8; ++c) {
        row0 += bits->item(0, c)->text();
        row2 += bits->item(2, c)->text();
    }
    QCOMPARE(row0, u"10000010"_s);
    QCOMPARE(row2, u"11111110"_s);
    QCOMPARE(bits->item(1, 4)->text(), u"opcode = 2 (Binary)"_s);
    QCOMPARE(bits->item(3, 1)->text(), u"payload len = 126: a 16-bit length follows"_s);
    QCOMPARE(bits->verticalHeaderItem(0)->text(), u"Octet 0 (0x82)"_s);

    auto *violations = pane.findChild<QLabel *>(u"violationsLabel"_s);
    QVERIFY(!violations->isVisible());

    pane.clear();
    QCOMPARE(pane.frameIndex(), -1);
    QVERIFY(pane.frameHexView()->data().isEmpty());
    // No frame: the payload views do not claim an empty payload.
    QVERIFY(pane.payloadHexView()->placeholderText().isEmpty());
    pane.showNothing(u"A handshake line is selected."_s);
    QCOMPARE(pane.summaryText(), u"A handshake line is selected."_s);
    QVERIFY(pane.payloadHexView()->placeholderText().isEmpty());
}

void TestPanels::frameDetailSelectionSignal()
{
    Recorder r;
    r.chunk(Direction::Tx, QByteArray(50, 'G'));
    FrameSpec spec;
    spec.opcode = 1;
    spec.maskMode = MaskMode::Fixed;
    spec.maskKey = 0xaaeb0471;
    spec.payload = "Hello, world!";
    r.txFrame(spec);

    FrameDetailPane pane;
    pane.resize(700, 800);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    pane.setFrame(r.trace, 0);
    QSignalSpy spy(&pane, &FrameDetailPane::octetRangeSelected);

    HexView *hex = pane.frameHexView();
    QTest::mousePress(hex->viewport(), Qt::LeftButton, {}, hex->octetRect(2).center());
    QTest::mouseMove(hex->viewport(), hex->octetRect(5).center());
    QTest::mouseRelease(hex->viewport(), Qt::LeftButton, {}, hex->octetRect(5).center());
    QVERIFY(spy.count() >= 1);
    QCOMPARE(spy.last().at(0).value<Direction>(), Direction::Tx);
    QCOMPARE(spy.last().at(1).toLongLong(), 50 + 2);
    QCOMPARE(spy.last().at(2).toLongLong(), 4);

    // A selection in the payload view is mapped to the frame's octets.
    auto *tabs = pane.findChild<QTabWidget *>(u"payloadTabs"_s);
    tabs->setCurrentIndex(0);
    HexView *payload = pane.payloadHexView();
    QTest::mouseClick(payload->viewport(), Qt::LeftButton, {}, payload->octetRect(7).center());
    QCOMPARE(spy.last().at(1).toLongLong(), 50 + 6 + 7);
    QCOMPARE(spy.last().at(2).toLongLong(), 1);
    QCOMPARE(hex->selectionStart(), 6 + 7);

    // The window highlights a wire-log chunk: the frame view selects the overlap.
    pane.selectStreamRange(Direction::Tx, 40, 14);
    QCOMPARE(hex->selectionStart(), 0);
    QCOMPARE(hex->selectionLength(), 4);
    pane.selectStreamRange(Direction::Rx, 50, 4);
    QCOMPARE(hex->selectionStart(), 0); // other direction: unchanged
}

void TestPanels::frameDetailClose_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("reason");

    QTest::newRow("1002 with reason") << closePayload(1002, "bad frame") << u"1002"_s
                                      << u"Protocol Error"_s << u"\"bad frame\""_s;
    QTest::newRow("1000 without reason")
        << closePayload(1000, {}) << u"1000"_s << u"Normal Closure"_s << u"none"_s;
    QTest::newRow("empty body") << QByteArray() << u"none"_s
                                << u"No status code: the close body is empty (reported as 1005, "
                                   u"No Status Received)"_s
                                << u"none"_s;
    QTest::newRow("invalid UTF-8 reason")
        << closePayload(1000, "a\xff") << u"1000"_s << u"Normal Closure"_s << u"61 ff"_s;
    QTest::newRow("reserved code")
        << closePayload(1004, "x") << u"1004"_s << u"Reserved"_s << u"\"x\""_s;
}

void TestPanels::frameDetailClose()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, code);
    QFETCH(QString, name);
    QFETCH(QString, reason);

    Recorder r;
    r.rxFrame(8, payload);
    FrameDetailPane pane;
    pane.setFrame(r.trace, 0);
    auto *tabs = pane.findChild<QTabWidget *>(u"payloadTabs"_s);
    auto *closeTab = pane.findChild<QWidget *>(u"closeTab"_s);
    QVERIFY(tabs->isTabVisible(tabs->indexOf(closeTab)));
    QVERIFY(!tabs->isTabVisible(tabs->indexOf(pane.findChild<QWidget *>(u"maskedTab"_s))));
    QCOMPARE(pane.findChild<QLabel *>(u"closeCodeLabel"_s)->text(), code);
    QCOMPARE(pane.findChild<QLabel *>(u"closeNameLabel"_s)->text(), name);
    QCOMPARE(pane.findChild<QLabel *>(u"closeReasonLabel"_s)->text(), reason);
    QVERIFY(pane.summaryText().contains(u"RX (received) · Close (opcode 8)"_s));
    if (payload.size() >= 2)
        QCOMPARE(pane.payloadHexView()->ranges().first().label, u"Status code"_s);
    // The Text tab shows the reason.
    auto *text = pane.findChild<QPlainTextEdit *>(u"textEdit"_s);
    if (payload.size() > 2)
        QCOMPARE(text->toPlainText(), QString::fromUtf8(payload.mid(2)));
    else
        QVERIFY(text->toPlainText().isEmpty());
}

void TestPanels::frameDetailInvalidUtf8()
{
    Recorder r;
    // RX: the parser's finding (a message-wide offset) is shown.
    const QByteArray bad = QByteArray("caf\xc3\xa9 ok ") + QByteArray("\xed\xa0\x80", 3) + "rest";
    r.rxFrame(1, bad, Violation::InvalidUtf8Text | Violation::RsvWithoutExtension, 10, 4);
    // TX: no parser ran; the pane checks the payload itself.
    FrameSpec spec;
    spec.opcode = 1;
    spec.maskMode = MaskMode::Fixed;
    spec.maskKey = 0x01020304;
    spec.payload = QByteArray("abc\xc0xyz");
    r.txFrame(spec);

    FrameDetailPane pane;
    pane.resize(700, 800);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    pane.setFrame(r.trace, 0);
    auto *note = pane.findChild<QLabel *>(u"textNote"_s);
    auto *edit = pane.findChild<QPlainTextEdit *>(u"textEdit"_s);
    // Octets 0–8 are "café ok " (8 QChars); ED at 9 starts a sequence that A0 at 10 breaks
    // (ED A0 would be a surrogate). The mark sits on the replacement character for ED A0 ….
    QCOMPARE(note->text(),
             u"Invalid UTF-8: the first impossible octet is payload octet 10 (0xa0)."_s);
    QCOMPARE(edit->extraSelections().size(), 1);
    QCOMPARE(edit->extraSelections().first().cursor.selectionStart(), 8);
    QCOMPARE(edit->extraSelections().first().cursor.selectedText(), QString(QChar(0xFFFD)));
    const QList<HexView::Range> ranges = pane.payloadHexView()->ranges();
    QCOMPARE(ranges.size(), 1);
    QCOMPARE(ranges.first().start, 10);
    QCOMPARE(ranges.first().label, u"First invalid UTF-8 octet"_s);

    auto *violations = pane.findChild<QLabel *>(u"violationsLabel"_s);
    QVERIFY(violations->isVisible());
    QVERIFY(violations->text().contains(violationRule(Violation::InvalidUtf8Text).toHtmlEscaped()));
    QVERIFY(
        violations->text().contains(violationRule(Violation::RsvWithoutExtension).toHtmlEscaped()));
    QVERIFY(violations->text().contains(u"Protocol violations:"_s));
    QVERIFY(pane.summaryText().contains(u"RSV=4 (RSV1=1 RSV2=0 RSV3=0)"_s));

    pane.setFrame(r.trace, 1);
    QCOMPARE(note->text(),
             u"Not valid UTF-8: the first invalid octet is payload octet 3 (0xc0)."_s);
    QCOMPARE(edit->extraSelections().size(), 1);
    QCOMPARE(edit->extraSelections().first().cursor.selectionStart(), 3);
    QVERIFY(!violations->isVisible());
}

void TestPanels::frameDetailJson()
{
    Recorder r;
    r.rxFrame(1, R"({"op":"subscribe","ids":[1,2,3]})");
    r.rxFrame(1, "Hello, world!");
    FrameDetailPane pane;
    pane.setFrame(r.trace, 0);
    auto *json = pane.findChild<QPlainTextEdit *>(u"jsonEdit"_s);
    auto *note = pane.findChild<QLabel *>(u"jsonNote"_s);
    QCOMPARE(note->text(), u"Valid JSON (an object)."_s);
    QVERIFY(json->toPlainText().contains(u"    \"ids\": [\n        1,"_s));
    pane.setFrame(r.trace, 1);
    QVERIFY(note->text().startsWith(u"Not JSON: "_s));
    QVERIFY(json->toPlainText().isEmpty());
    QCOMPARE(pane.findChild<QPlainTextEdit *>(u"textEdit"_s)->toPlainText(), u"Hello, world!"_s);
    QCOMPARE(pane.findChild<QLabel *>(u"textNote"_s)->text(), u"Valid UTF-8."_s);
}

// A narrow pane (the Cases dock open at 1280x800): the bit names are never elided ("R…"); they
// take their short forms (R1, M) when "RSV1" does not fit, whether the frame was shown before or
// after the pane became narrow.
void TestPanels::frameDetailBitNamesFitNarrowPanes()
{
    Recorder r;
    r.rxFrame(1, "hello");
    for (const bool narrowFirst : {true, false}) {
        FrameDetailPane pane;
        pane.resize(narrowFirst ? 300 : 900, 700);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        pane.setFrame(r.trace, 0);
        if (!narrowFirst)
            pane.resize(300, 700);
        auto *bits = pane.findChild<QTableWidget *>(u"bitsTable"_s);
        QVERIFY(bits);
        const QFontMetrics fm(bits->font());
        for (const auto &[row, column] : {std::pair{1, 1}, {1, 2}, {1, 3}, {3, 0}}) {
            QTRY_VERIFY2(fm.horizontalAdvance(bits->item(row, column)->text()) <=
                             bits->columnWidth(column) - 4,
                         qPrintable(u"%1 in %2 px"_s.arg(bits->item(row, column)->text())
                                        .arg(bits->columnWidth(column))));
        }
        QCOMPARE(bits->item(1, 1)->text(), u"R1"_s); // 300 px is too narrow for RSV1
        pane.resize(900, 700);
        QTRY_COMPARE(bits->item(1, 1)->text(), u"RSV1"_s);
    }
}

void TestPanels::frameDetailLargePayload()
{
    Recorder r;
    const QByteArray big(3 * 1024 * 1024, 'x');
    r.rxFrame(1, big);
    FrameDetailPane pane;
    pane.setFrame(r.trace, 0);
    QCOMPARE(pane.payloadHexView()->data().size(), big.size());
    QCOMPARE(pane.findChild<QPlainTextEdit *>(u"textEdit"_s)->toPlainText().size(),
             FrameDetailPane::TextLimit);
    QVERIFY(pane.findChild<QLabel *>(u"textNote"_s)
                ->text()
                .contains(u"Showing the first 1048576 of 3145728 octets"_s));
    QVERIFY(pane.findChild<QLabel *>(u"jsonNote"_s)->text().startsWith(u"Not formatted"_s));
    QVERIFY(pane.summaryText().contains(u"64-bit length, minimal"_s));
}

void TestPanels::statisticsTables()
{
    StatisticsPanel panel;
    for (int t = 0; t < StatisticsPanel::TableCount; ++t)
        new QAbstractItemModelTester(panel.model(StatisticsPanel::Table(t)),
                                     QAbstractItemModelTester::FailureReportingMode::QtTest,
                                     &panel);
    panel.setStatistics(ms22Statistics());

    // Titles and rows as in the seed report: cells joined, the total row last.
    const QStringList seed = seedLines(u"microsoft-httpapi-case-2.2.txt"_s);
    QVERIFY(!seed.isEmpty());
    for (int t = 0; t < StatisticsPanel::TableCount; ++t) {
        const auto table = StatisticsPanel::Table(t);
        const QString title = StatisticsPanel::tableTitle(table);
        const QStringList expected = block(seed, title).mid(1); // without the header line
        QCOMPARE(joinedRows(panel.model(table)), expected);
        QCOMPARE(panel.findChildren<QGroupBox *>().at(t)->title(), title);
        QCOMPARE(panel.chart(table)->bars().size(), panel.model(table)->rowCount() - 1);
    }
    QCOMPARE(headers(panel.model(StatisticsPanel::OctetsReceived)),
             (QStringList{u"Chop Size"_s, u"Count"_s, u"Octets"_s}));
    QCOMPARE(headers(panel.model(StatisticsPanel::FramesTransmitted)),
             (QStringList{u"Opcode"_s, u"Count"_s}));
    const QAbstractItemModel *rx = panel.model(StatisticsPanel::OctetsReceived);
    QCOMPARE(rx->index(3, 2).data().toLongLong(), 214);
    QCOMPARE(rx->index(2, 0).data().toLongLong(), 197);
    QCOMPARE(panel.chart(StatisticsPanel::FramesReceived)->bars().at(1).label, u"10 Pong"_s);
    QCOMPARE(panel.findChild<QLabel *>(u"summaryLabel"_s)->text(),
             u"Received: octets 214, reads 3, frames 2 · Sent: octets 267, writes 3, frames 2"_s);

    panel.copyAsText();
    QVERIFY(QApplication::clipboard()->text().contains(u"Octets Received by Chop Size"_s));

    panel.clear();
    QCOMPARE(joinedRows(rx), QStringList{u"Total00"_s});
}

// A narrow panel (the window at 1280x800) shows every chart whole: below its table when the two
// do not fit side by side; labels and values never cut.
void TestPanels::statisticsChartsFitNarrowPanels()
{
    StatisticsPanel panel;
    WireStatistics stats = ms22Statistics();
    stats.txFrames[0] = 2; // "0 Continuation", the longest opcode label
    panel.setStatistics(stats);
    for (const int width : {900, 320}) {
        panel.resize(width, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        for (int t = 0; t < StatisticsPanel::TableCount; ++t) {
            BarChart *chart = panel.chart(StatisticsPanel::Table(t));
            const QFontMetrics fm(chart->font());
            int labels = 0;
            for (const BarChart::Bar &bar : chart->shownBars())
                labels = std::max(labels, fm.horizontalAdvance(bar.label));
            QVERIFY(chart->minimumSizeHint().width() > labels);
            QTRY_VERIFY2(chart->width() >= chart->minimumSizeHint().width(),
                         qPrintable(u"width %1: chart %2 of %3"_s.arg(width)
                                        .arg(chart->width())
                                        .arg(chart->minimumSizeHint().width())));
            // Inside the visible width of the panel: nothing cut at the right edge.
            const QPoint right = chart->mapTo(&panel, QPoint(chart->width(), 0));
            QVERIFY2(right.x() <= panel.width(), qPrintable(u"width %1"_s.arg(width)));
        }
    }
    // Wide: beside the table; narrow: below it.
    panel.resize(900, 900);
    QTRY_VERIFY(panel.chart(StatisticsPanel::FramesTransmitted)->x() >
                panel.view(StatisticsPanel::FramesTransmitted)->x());
    panel.resize(320, 900);
    QTRY_VERIFY(panel.chart(StatisticsPanel::FramesTransmitted)->y() >
                panel.view(StatisticsPanel::FramesTransmitted)->y());
}

void TestPanels::statisticsCheapUpdates()
{
    StatisticsPanel panel;
    WireStatistics stats = ms22Statistics();
    panel.setStatistics(stats);
    QAbstractItemModel *model = panel.model(StatisticsPanel::OctetsReceived);
    new QAbstractItemModelTester(model, QAbstractItemModelTester::FailureReportingMode::QtTest,
                                 &panel);
    QSignalSpy resets(model, &QAbstractItemModel::modelReset);
    QSignalSpy changes(model, &QAbstractItemModel::dataChanged);

    // Nothing changed: nothing happens.
    for (int i = 0; i < 1000; ++i)
        panel.setStatistics(stats);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(changes.count(), 0);

    // A count changes: in place.
    ++stats.rxOctets[15];
    panel.setStatistics(stats);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(changes.count(), 1);
    QCOMPARE(joinedRows(model).last(), u"Total4229"_s);

    // A new chop size: a new row.
    stats.rxOctets[1000] = 2;
    panel.setStatistics(stats);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model->rowCount(), 5);
    QCOMPARE(joinedRows(model).at(3), u"100022000"_s);
}

void TestPanels::barChartManyRows()
{
    BarChart chart;
    QList<BarChart::Bar> bars;
    qint64 sum = 0;
    for (int i = 1; i <= 200; ++i) {
        bars << BarChart::Bar{QString::number(i), i % 17 + 1, {}, {}};
        sum += i % 17 + 1;
    }
    chart.setBars(bars);
    QCOMPARE(chart.shownBars().size(), chart.maximumBars());
    qint64 shownSum = 0;
    for (const BarChart::Bar &bar : chart.shownBars())
        shownSum += bar.value;
    QCOMPARE(shownSum, sum);
    QCOMPARE(chart.shownBars().last().label, u"177 others"_s);
    // The kept bars are the largest (eleven 17s, eleven 16s and the first 15), in their order.
    int previous = 0;
    for (qsizetype i = 0; i + 1 < chart.shownBars().size(); ++i) {
        const BarChart::Bar &bar = chart.shownBars()[i];
        QVERIFY(bar.value >= 15);
        QVERIFY(bar.label.toInt() > previous);
        previous = bar.label.toInt();
    }
    QCOMPARE(chart.shownBars().first().label, u"14"_s);
    chart.resize(400, 300);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    QVERIFY(chart.barAt(QPoint(10, 10)) == 0);

    chart.setBars({BarChart::Bar{u"only"_s, 5, {}, {}}});
    QCOMPARE(chart.shownBars().size(), 1);
    QImage image(chart.size(), QImage::Format_ARGB32_Premultiplied);
    chart.render(&image);
}

void TestPanels::closingPanelSeedMs22()
{
    const ClosingBehavior behavior = ms22Closing();
    const ClosingVerdict verdict = closingVerdict(behavior, ExpectedClose());
    ClosingPanel panel;
    panel.setClosing(behavior, verdict);

    const QStringList seed = seedLines(u"microsoft-httpapi-case-2.2.txt"_s);
    const QStringList caseClosing = block(seed, u"Case Closing Behavior"_s);
    QCOMPARE(panel.verdictText(), caseClosing.value(0));

    auto *table = panel.findChild<QTableWidget *>(u"fieldsTable"_s);
    QVERIFY(table);
    QCOMPARE(table->horizontalHeaderItem(0)->text(), u"Key"_s);
    const QStringList rows = block(seed, u"Closing Behavior"_s).mid(1);
    QCOMPARE(table->rowCount(), 13);
    QCOMPARE(rows.size(), 13);
    const QList<ClosingField> fields = closingFields();
    for (int row = 0; row < 13; ++row) {
        const QString key = table->item(row, 0)->text();
        const QString value = table->item(row, 1)->text();
        // The seed cells are joined; its descriptions are those of its Autobahn version.
        QVERIFY2(rows[row].startsWith(key + value), qPrintable(rows[row] + u" / "_s + key + value));
        QCOMPARE(table->item(row, 2)->text(), QString::fromUtf8(fields[row].description));
    }

    // The headline says it in the window's language, coloured by the verdict.
    auto *verdictLabel = panel.findChild<QLabel *>(u"headlineLabel"_s);
    QVERIFY(verdictLabel);
    QCOMPARE(panel.headline(), u"Not closed cleanly"_s);
    QVERIFY(verdictLabel->isVisibleTo(&panel));
    QCOMPARE(verdictLabel->palette().color(QPalette::WindowText),
             ClosingPanel::verdictColor(CloseVerdict::Unclean, panel.palette()));

    const auto label = [&panel](const char *name) {
        return panel.findChild<QLabel *>(QString::fromLatin1(name))->text();
    };
    QCOMPARE(label("openedLabel"), u"2.500 ms"_s);
    QCOMPARE(label("closeSentLabel"), u"1004.000 ms"_s);
    QCOMPARE(label("closeReceivedLabel"), u"1005.250 ms"_s);
    QCOMPARE(label("tcpClosedLabel"), u"2006.000 ms"_s);
    QCOMPARE(label("handshakeLabel"), u"took 1.250 ms (our close until the server's reply)"_s);
    QCOMPARE(label("dropLabel"), u"we dropped TCP 1000.750 ms after the last close frame"_s);
    // When the trace knows how we ended TCP, the panel says which.
    ClosingBehavior ended = behavior;
    ended.tcpEnd = TcpEnd::OurAbort;
    panel.setClosing(ended, verdict);
    QCOMPARE(label("dropLabel"), u"we aborted TCP 1000.750 ms after the last close frame"_s);
    ended.tcpEnd = TcpEnd::OurClose;
    panel.setClosing(ended, verdict);
    QCOMPARE(label("dropLabel"), u"we closed TCP 1000.750 ms after the last close frame"_s);
    panel.setClosing(behavior, verdict);

    // Live: the same panel follows a new state.
    ClosingBehavior open;
    open.wasOpen = true;
    open.openedNs = 1'000'000;
    panel.setClosing(open, std::nullopt);
    QCOMPARE(panel.verdictText(), u"No verdict yet: the connection is not closed."_s);
    QVERIFY(!verdictLabel->isVisibleTo(&panel)); // no headline without a verdict
    QCOMPARE(table->item(1, 1)->text(), u"False"_s);
    QCOMPARE(label("closeSentLabel"), u"—"_s);

    // A server that drops TCP itself.
    ClosingBehavior clean = ms22Closing();
    clean.droppedByMe = false;
    clean.wasClean = true;
    clean.wasNotCleanReason.reset();
    clean.wasServerConnectionDropTimeout = false;
    clean.tcpClosedNs = clean.closeReceivedNs + 3'000'000;
    panel.setClosing(clean, closingVerdict(clean, ExpectedClose()));
    QCOMPARE(panel.verdictText(), u"Connection was properly closed (OK)"_s);
    QCOMPARE(label("dropLabel"), u"the server dropped TCP 3.000 ms after the last close frame"_s);
    clean.tcpEnd = TcpEnd::PeerFin;
    panel.setClosing(clean, closingVerdict(clean, ExpectedClose()));
    QCOMPARE(label("dropLabel"),
             u"the server closed TCP (FIN) 3.000 ms after the last close frame"_s);
    clean.tcpEnd = TcpEnd::PeerReset;
    panel.setClosing(clean, closingVerdict(clean, ExpectedClose()));
    QCOMPARE(label("dropLabel"),
             u"the server reset the connection (RST) 3.000 ms after the last close frame"_s);
    QCOMPARE(panel.headline(), u"Closed as required"_s);
    QVERIFY(verdictLabel->isVisibleTo(&panel));
    QCOMPARE(verdictLabel->palette().color(QPalette::WindowText),
             ClosingPanel::verdictColor(CloseVerdict::Ok, panel.palette()));
}

void TestPanels::closingPanelVerdictColours_data()
{
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<QString>("family");
    QTest::newRow("OK") << u"OK"_s << u"green"_s;
    QTest::newRow("UNCLEAN") << u"UNCLEAN"_s << u"red"_s;
    QTest::newRow("WRONG CODE") << u"WRONG CODE"_s << u"amber"_s;
    QTest::newRow("FAILED BY CLIENT") << u"FAILED BY CLIENT"_s << u"green"_s;
    QTest::newRow("FAILED") << u"FAILED"_s << u"red"_s;
}

void TestPanels::closingPanelVerdictColours()
{
    QFETCH(QString, verdict);
    QFETCH(QString, family);
    for (const QPalette &palette : {m_lightPalette, darkPalette()}) {
        const std::optional<CloseVerdict> v = closeVerdictFromText(verdict);
        QVERIFY(v);
        const QColor c = ClosingPanel::verdictColor(*v, palette);
        const int hue = c.hslHue();
        if (family == u"green"_s)
            QVERIFY2(hue > 90 && hue < 160, qPrintable(c.name()));
        else if (family == u"amber"_s)
            QVERIFY2(hue > 30 && hue < 55, qPrintable(c.name()));
        else
            QVERIFY2(hue < 15 || hue > 345, qPrintable(c.name()));
        // Contrast against the window: a clear lightness difference.
        const qreal window = palette.color(QPalette::Window).lightnessF();
        QVERIFY2(std::abs(c.lightnessF() - window) > 0.3, qPrintable(c.name()));
    }
}

void TestPanels::handshakePanel()
{
    Recorder r;
    r.state(SessionState::Connecting);
    r.event(Kind::CertificateError, u"The certificate is self-signed, and untrusted"_s);
    r.event(Kind::CertificateError, u"The host name did not match any of the valid hosts"_s);
    r.event(Kind::HandshakeRequest,
            u"GET / HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUpgrade: WebSocket\r\n\r\n"_s);
    r.event(Kind::HandshakeResponse, u"HTTP/1.1 200 OK\r\nServer: test\r\n\r\n"_s);
    r.event(Kind::HandshakeFailed, u"HTTP Upgrade header missing"_s);
    r.state(SessionState::Closed);

    HandshakePanel panel;
    panel.resize(900, 400);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setTrace(r.trace);
    QCOMPARE(panel.requestText(), u"GET / HTTP/1.1\nHost: 127.0.0.1:9001\nUpgrade: WebSocket"_s);
    QCOMPARE(panel.responseText(), u"HTTP/1.1 200 OK\nServer: test"_s);
    QCOMPARE(panel.failureText(), u"HTTP Upgrade header missing"_s);
    auto *failure = panel.findChild<QLabel *>(u"failureLabel"_s);
    QVERIFY(failure->isVisible());
    QVERIFY(failure->text().contains(u"HTTP Upgrade header missing"_s));
    auto *certificates = panel.findChild<QListWidget *>(u"certificateList"_s);
    QCOMPARE(certificates->count(), 2);
    QVERIFY(certificates->isVisible());
    // TLS never got up: the errors are shown, and that the handshake did not complete.
    QVERIFY(panel.findChild<QGroupBox *>(u"tlsBox"_s)->isVisible());
    auto *noTls = panel.findChild<QLabel *>(u"noTlsLabel"_s);
    QVERIFY(noTls->isVisible());
    QCOMPARE(noTls->text(), u"The TLS handshake did not complete."_s);
    QVERIFY(!panel.findChild<QTreeWidget *>(u"chainTree"_s)->isVisible());
    // A failure that is not about the status: nothing after the head, no body box.
    QVERIFY(!panel.findChild<QWidget *>(u"bodyBox"_s)->isVisible());

    const auto edits = panel.findChildren<QPlainTextEdit *>();
    for (QPlainTextEdit *edit : edits) {
        QVERIFY(edit->isReadOnly());
        // What the panel asks for, not what the machine's fontconfig answers with.
        QVERIFY(edit->font().fixedPitch());
        QCOMPARE(edit->font().styleHint(), QFont::Monospace);
        QCOMPARE(edit->font().family(), monospaceFont().family());
    }

    // A successful handshake: no failure, no certificate errors.
    panel.setHandshake(u"GET / HTTP/1.1\r\n\r\n"_s, u"HTTP/1.1 101 Switching Protocols\r\n\r\n"_s);
    QVERIFY(!failure->isVisible());
    QVERIFY(!certificates->isVisible());
    QVERIFY(!panel.findChild<QGroupBox *>(u"tlsBox"_s)->isVisible());
    QVERIFY(!panel.findChild<QLabel *>(u"warningLabel"_s)->isVisible());
    QCOMPARE(panel.responseText(), u"HTTP/1.1 101 Switching Protocols"_s);
}

namespace {

// The SHA-256 fingerprint of the bundled test certificate, from its PEM file, computed here.
QString bundledFingerprint()
{
    QFile file(QStringLiteral(WSI_TESTS_DIR "/../resources/tls/localhost.crt"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray base64;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (!line.startsWith("-----"))
            base64 += line.trimmed();
    }
    const QByteArray hash =
        QCryptographicHash::hash(QByteArray::fromBase64(base64), QCryptographicHash::Sha256);
    QStringList pairs;
    for (const char octet : hash)
        pairs << u"%1"_s.arg(uint(quint8(octet)), 2, 16, QChar(u'0')).toUpper();
    return pairs.join(u':');
}

// Whether a text has only characters every font has: printable Latin-1 (no symbol a font may
// lack, drawn as a box), each in `font`.
bool plainText(const QString &text, const QFont &font)
{
    const QFontMetrics metrics(font);
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() > 0xff || !metrics.inFont(c))
            return false;
    }
    return true;
}

} // namespace

// A real wss:// session against the embedded echo server (its self-signed certificate, errors
// ignored): the Handshake tab shows protocol, cipher and the chain with its SHA-256 fingerprint,
// and the certificate errors compactly.
void TestPanels::handshakeTlsDetails()
{
    EchoServer echo;
    EchoServer::Options options;
    options.tls = true;
    QVERIFY(echo.listen(options));
    SessionSettings settings = test::settingsFor(echo.url());
    settings.ignoreCertificateErrors = true;
    test::SessionRun run;
    test::runSession(run, settings, {test::closeStep(1000)});
    QVERIFY(run.finished);

    HandshakePanel panel;
    panel.resize(1000, 560);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setTrace(run.trace);
    QApplication::processEvents();
    QVERIFY(panel.failureText().isEmpty());
    QVERIFY(panel.findChild<QGroupBox *>(u"tlsBox"_s)->isVisible());
    QVERIFY(!panel.findChild<QLabel *>(u"noTlsLabel"_s)->isVisible());
    const QString protocol = panel.findChild<QLabel *>(u"tlsProtocolValue"_s)->text();
    QVERIFY2(protocol == u"TLS 1.3"_s || protocol == u"TLS 1.2"_s, qPrintable(protocol));
    QVERIFY(!panel.findChild<QLabel *>(u"tlsCipherValue"_s)->text().isEmpty());
    // What we asked: no server name for an address (RFC 6066 §3), http/1.1 offered, which the
    // embedded server does not select, no certificate, either version.
    QCOMPARE(panel.findChild<QLabel *>(u"tlsSniValue"_s)->text(), u"none sent"_s);
    QCOMPARE(panel.findChild<QLabel *>(u"tlsAlpnValue"_s)->text(),
             u"none selected (offered: http/1.1)"_s);
    QCOMPARE(panel.findChild<QLabel *>(u"tlsClientCertValue"_s)->text(), u"none presented"_s);
    QCOMPARE(panel.findChild<QLabel *>(u"tlsVersionAskedValue"_s)->text(),
             u"any (TLS 1.2 or 1.3)"_s);

    auto *chain = panel.findChild<QTreeWidget *>(u"chainTree"_s);
    QVERIFY(chain->isVisible());
    QCOMPARE(chain->topLevelItemCount(), 1); // the self-signed certificate alone
    const QTreeWidgetItem *leaf = chain->topLevelItem(0);
    QCOMPARE(leaf->text(0), u"1. CN=localhost"_s);
    QVERIFY(leaf->isExpanded());
    QStringList fields;
    for (int i = 0; i < leaf->childCount(); ++i)
        fields << leaf->child(i)->text(0) + u": "_s + leaf->child(i)->text(1);
    QCOMPARE(fields, (QStringList{u"Subject: CN=localhost"_s, u"Issuer: CN=localhost"_s,
                                  u"Valid from: 2026-11-23 04:25:53 UTC"_s,
                                  u"Valid to: 2126-10-30 04:25:53 UTC"_s,
                                  u"SHA-256: "_s + bundledFingerprint()}));
    // The fingerprint is shown whole, not elided.
    const QTreeWidgetItem *sha = leaf->child(4);
    const QRect shaRect = chain->visualItemRect(sha);
    QVERIFY(!shaRect.isEmpty());
    QVERIFY2(QFontMetrics(sha->font(1)).horizontalAdvance(sha->text(1)) <=
                 chain->columnWidth(1) - 8,
             qPrintable(QString::number(chain->columnWidth(1))));
    QVERIFY(chain->viewport()->rect().contains(shaRect));

    auto *errors = panel.findChild<QListWidget *>(u"certificateList"_s);
    QVERIFY(errors->isVisible());
    QCOMPARE(errors->count(), 1);
    QVERIFY(errors->item(0)->text().contains(u"self-signed"_s));
    QCOMPARE(panel.findChild<QLabel *>(u"certificateLabel"_s)->text(),
             u"Certificate errors (ignored):"_s);
    // Compact: the heads keep most of the tab, the error list a few lines.
    auto *requestEdit = panel.findChild<QPlainTextEdit *>(u"requestEdit"_s);
    QVERIFY2(errors->height() <= panel.height() / 6, qPrintable(QString::number(errors->height())));
    QVERIFY(requestEdit->height() > 2 * errors->height());
    QVERIFY(panel.grab().save(u"/tmp/panels/handshake-tls.png"_s));
    QVERIFY(panel.findChild<QGroupBox *>(u"tlsBox"_s)->height() < panel.height() / 2);

    // A short tab (the window at 1280×800): the heads stay readable (they scroll).
    panel.resize(1000, 380);
    QApplication::processEvents();
    QVERIFY(panel.grab().save(u"/tmp/panels/handshake-tls-short.png"_s));
    QVERIFY2(requestEdit->height() >= 4 * requestEdit->fontMetrics().lineSpacing(),
             qPrintable(QString::number(requestEdit->height())));
    QVERIFY(chain->isVisible());
}

// The server name sent, ALPN, the client certificate presented and the version asked, as a
// deployment's connection (docs/tls.md §4) has them.
void TestPanels::handshakeTlsClientFacts()
{
    TlsInfo info;
    info.protocol = u"TLSv1.3"_s;
    info.cipher = u"TLS_AES_128_GCM_SHA256"_s;
    info.sni = u"api.example"_s;
    info.alpnOffered = {u"h2"_s, u"http/1.1"_s};
    info.alpn = u"http/1.1"_s;
    info.clientCertificate = u"CN=wsi test client,O=WSI Tests"_s;
    info.versionAsked = u"TLSv1.3"_s;
    HandshakePanel panel;
    panel.resize(1000, 560);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setTls(&info, true);
    QApplication::processEvents();
    const auto value = [&panel](const QString &name) {
        auto *label = panel.findChild<QLabel *>(name);
        return label && label->isVisible() ? label->text() : QString();
    };
    QCOMPARE(value(u"tlsSniValue"_s), u"api.example"_s);
    QCOMPARE(value(u"tlsAlpnValue"_s), u"http/1.1 (offered: h2, http/1.1)"_s);
    QCOMPARE(value(u"tlsClientCertValue"_s), u"CN=wsi test client,O=WSI Tests"_s);
    QCOMPARE(value(u"tlsVersionAskedValue"_s), u"TLS 1.3"_s);
    QVERIFY(panel.grab().save(u"/tmp/panels/handshake-tls-client.png"_s));

    // Nothing offered: said so, not left blank.
    info.alpnOffered.clear();
    info.alpn.clear();
    info.sni.clear();
    panel.setTls(&info, true);
    QCOMPARE(value(u"tlsAlpnValue"_s), u"none offered"_s);
    QCOMPARE(value(u"tlsSniValue"_s), u"none sent"_s);
}

void TestPanels::handshakeWithoutTls()
{
    EchoServer echo;
    QVERIFY(echo.listen());
    test::SessionRun run;
    test::runSession(run, test::settingsFor(echo.url()), {test::closeStep(1000)});
    QVERIFY(run.finished);
    HandshakePanel panel;
    panel.resize(900, 400);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setTrace(run.trace);
    QVERIFY(panel.findChild<QGroupBox *>(u"tlsBox"_s)->isVisible());
    auto *noTls = panel.findChild<QLabel *>(u"noTlsLabel"_s);
    QVERIFY(noTls->isVisible());
    QCOMPARE(noTls->text(), u"No TLS: a ws:// connection is not encrypted."_s);
    QVERIFY(!panel.findChild<QTreeWidget *>(u"chainTree"_s)->isVisible());
    QVERIFY(!panel.findChild<QLabel *>(u"tlsProtocolValue"_s)->isVisible());
    QVERIFY(!panel.findChild<QLabel *>(u"warningLabel"_s)->isVisible());
    QVERIFY(panel.responseBodyText().isEmpty());
}

// A plain TCP server that answers 400 with a text body (control characters in it): the
// Handshake tab shows the body after the head, escaped.
void TestPanels::handshakeErrorBody()
{
    const QByteArray body = "missing ?token=\r\n\x1b[31mred\x1b[0m and\ta tab"_ba;
    const QByteArray answer = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                              "Content-Length: "_ba +
                              QByteArray::number(body.size()) + "\r\n\r\n" + body;
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    connect(&server, &QTcpServer::newConnection, &server, [&server, answer] {
        QTcpSocket *socket = server.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket, [socket, answer] {
            if (socket->peek(1 << 16).contains("\r\n\r\n")) {
                socket->readAll();
                socket->write(answer); // head and body in one write
            }
        });
    });
    test::SessionRun run;
    test::runSession(run, test::settingsFor(QUrl(u"ws://127.0.0.1:%1/"_s.arg(server.serverPort()))),
                     {});
    QVERIFY(run.finished);

    HandshakePanel panel;
    panel.resize(900, 480);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setTrace(run.trace);
    QVERIFY(panel.failureText().contains(u"400"_s));
    QVERIFY(panel.responseText().startsWith(u"HTTP/1.1 400 Bad Request\nContent-Type"_s));
    auto *bodyEdit = panel.findChild<QPlainTextEdit *>(u"bodyEdit"_s);
    QVERIFY(bodyEdit->isVisible());
    QCOMPARE(bodyEdit->toPlainText(), u"missing ?token=\n\\x1b[31mred\\x1b[0m and\\ta tab"_s);
    QCOMPARE(panel.responseBodyText(), bodyEdit->toPlainText());
    for (const QChar c : bodyEdit->toPlainText())
        QVERIFY(c == u'\n' || !isControlCharacter(c.unicode()));
    QVERIFY(bodyEdit->font().fixedPitch());
    // ws://, no TLS; no warnings for a failed handshake.
    QVERIFY(panel.findChild<QLabel *>(u"noTlsLabel"_s)->isVisible());
    QVERIFY(!panel.findChild<QLabel *>(u"warningLabel"_s)->isVisible());
    QApplication::processEvents();
    QVERIFY(panel.grab().save(u"/tmp/panels/handshake-400.png"_s));

    // A later successful handshake hides the body again.
    panel.setHandshake(u"GET / HTTP/1.1\r\n\r\n"_s, u"HTTP/1.1 101 Switching Protocols\r\n\r\n"_s);
    panel.setResponseBody({});
    QVERIFY(!bodyEdit->isVisible());
}

// QWebSocketServer (the embedded echo server) selects no subprotocol: the handshake succeeds
// with a warning that says which were ignored.
void TestPanels::handshakeIgnoredSubprotocol()
{
    EchoServer echo;
    QVERIFY(echo.listen());
    SessionSettings settings = test::settingsFor(echo.url());
    settings.handshake.subprotocols = {u"chat"_s, u"superchat"_s};
    test::SessionRun run;
    test::runSession(run, settings, {test::closeStep(1000)});
    QVERIFY(run.finished);
    HandshakePanel panel;
    panel.resize(900, 400);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setTrace(run.trace);
    QVERIFY(panel.failureText().isEmpty());
    QVERIFY(panel.responseText().startsWith(u"HTTP/1.1 101"_s));
    QVERIFY(!panel.responseText().contains(u"Sec-WebSocket-Protocol"_s, Qt::CaseInsensitive));
    auto *warning = panel.findChild<QLabel *>(u"warningLabel"_s);
    QVERIFY(warning->isVisible());
    QCOMPARE(warning->text(),
             u"Warning: the server selected none of the requested subprotocols (chat, superchat); "
             u"its response has no Sec-WebSocket-Protocol header."_s);
    QCOMPARE(panel.warnings().size(), 1);
    QCOMPARE(panel.warnings().first().warning, HandshakeWarning::SubprotocolIgnored);
    QApplication::processEvents();
    // The heads keep the room: the TLS section ("no TLS") is one line.
    auto *tlsBox = panel.findChild<QGroupBox *>(u"tlsBox"_s);
    QVERIFY(tlsBox->isVisible());
    QVERIFY2(tlsBox->height() < panel.height() / 5, qPrintable(QString::number(tlsBox->height())));
    QVERIFY(panel.findChild<QWidget *>(u"splitter"_s)->height() > panel.height() / 2);
    QVERIFY(panel.grab().save(u"/tmp/panels/handshake-warning.png"_s));
}

// The Raw request box starts with the request it would replace (the core's builder), follows the
// fields until the user edits it, and keeps the user's edit.
void TestPanels::rawRequestPrefilled()
{
    const QUrl url(u"ws://example.com:9001/chat?room=1"_s);
    SessionSettings settings;
    settings.handshake.origin = u"http://example.com"_s;
    ConnectionSettingsDialog dialog;
    dialog.setUrl(url);
    dialog.setSettings(settings);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *raw = dialog.findChild<QPlainTextEdit *>(u"rawRequestEdit"_s);
    const auto built = [&url](const HandshakeOptions &options) {
        return QString::fromLatin1(buildHandshakeRequest(url, options, "the sample nonce").bytes)
            .replace(u"\r\n"_s, u"\n"_s);
    };
    QCOMPARE(raw->toPlainText(), built(settings.handshake));
    QVERIFY(raw->toPlainText().startsWith(u"GET /chat?room=1 HTTP/1.1\n"_s));
    QVERIFY(raw->toPlainText().contains(u"\nHost: example.com:9001\n"_s));
    QVERIFY(raw->toPlainText().contains(u"\nOrigin: http://example.com\n"_s));
    QVERIFY(raw->toPlainText().contains(u"\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n"_s));
    QVERIFY(!raw->isEnabled()); // until "Raw request" is checked

    // Changing a field refreshes it.
    auto *subprotocols = dialog.findChild<QLineEdit *>(u"subprotocolsEdit"_s);
    subprotocols->clear();
    QTest::keyClicks(subprotocols, u"chat"_s);
    settings.handshake.subprotocols = {u"chat"_s};
    QCOMPARE(raw->toPlainText(), built(settings.handshake));
    QVERIFY(raw->toPlainText().contains(u"\nSec-WebSocket-Protocol: chat\n"_s));
    QVERIFY(!dialog.isRawRequestEdited());

    // The user's edit is kept when the fields change afterwards.
    dialog.findChild<QCheckBox *>(u"rawRequestCheck"_s)->setChecked(true);
    QVERIFY(raw->isEnabled());
    raw->setFocus();
    raw->moveCursor(QTextCursor::Start);
    QTest::keyClicks(raw, u"X"_s);
    QVERIFY(dialog.isRawRequestEdited());
    const QString edited = raw->toPlainText();
    QVERIFY(edited.startsWith(u"XGET /chat"_s));
    QTest::keyClicks(subprotocols, u", superchat"_s);
    QCOMPARE(raw->toPlainText(), edited);
    SessionSettings applied;
    dialog.applyTo(applied);
    QCOMPARE(applied.handshake.rawRequest, edited.toUtf8().replace("\n", "\r\n"));

    // Opened again with that raw request: it is the user's, not refreshed.
    ConnectionSettingsDialog again;
    again.setUrl(url);
    again.setSettings(applied);
    auto *raw2 = again.findChild<QPlainTextEdit *>(u"rawRequestEdit"_s);
    QCOMPARE(raw2->toPlainText(), edited);
    again.findChild<QLineEdit *>(u"originEdit"_s)->setText(u"http://other"_s);
    QCOMPARE(raw2->toPlainText(), edited);
}

// The state badge says TLS in words (a padlock was a missing-glyph box), with the version once
// known, and the half-close; the window title's state is translated text.
void TestPanels::stateBadgePlainText()
{
    ConnectionBar bar;
    bar.resize(1280, 40);
    bar.show();
    QVERIFY(QTest::qWaitForWindowExposed(&bar));
    auto *badge = bar.findChild<QLabel *>(u"stateBadge"_s);
    bar.setUrl(u"wss://127.0.0.1:9001/"_s);
    bar.setState(SessionState::Connecting, true);
    QCOMPARE(bar.badgeText(), u"connecting · TLS"_s);
    QCOMPARE(badge->text(), bar.badgeText());
    QCOMPARE(bar.stateText(), u"CONNECTING"_s);

    TlsInfo info;
    info.protocol = u"TLSv1.3"_s;
    info.cipher = u"TLS_AES_256_GCM_SHA384"_s;
    bar.setTlsInfo(&info);
    bar.setState(SessionState::Open, true);
    QCOMPARE(bar.badgeText(), u"open · TLS 1.3"_s);
    QVERIFY(badge->toolTip().contains(u"TLS_AES_256_GCM_SHA384"_s));
    QCOMPARE(bar.stateText(), u"OPEN"_s);
    info.errorsIgnored = true;
    info.certificateErrors = {u"The certificate is self-signed, and untrusted"_s};
    bar.setTlsInfo(&info);
    QCOMPARE(bar.badgeText(), u"open · TLS 1.3 (errors ignored)"_s);
    bar.setHalfClosed(true);
    QVERIFY(bar.isHalfClosed());
    QCOMPARE(bar.badgeText(), u"open · half-closed · TLS 1.3 (errors ignored)"_s);
    QVERIFY(badge->toolTip().contains(u"FIN"_s));
    QVERIFY(plainText(badge->text(), badge->font()));
    // The badge shows all of its text.
    QApplication::processEvents();
    QVERIFY(badge->width() >= QFontMetrics(badge->font()).horizontalAdvance(badge->text()));

    bar.setState(SessionState::Closed, true);
    QVERIFY(!bar.isHalfClosed());
    QCOMPARE(bar.badgeText(), u"closed · TLS 1.3 (errors ignored)"_s);
    QCOMPARE(bar.stateText(), u"CLOSED"_s);
    bar.setState(SessionState::Connecting, false); // a new ws:// connection: no TLS left over
    QCOMPARE(bar.badgeText(), u"connecting"_s);
    bar.setState(SessionState::Idle, false);
    QCOMPARE(bar.stateText(), u"IDLE"_s);
    for (const SessionState state :
         {SessionState::Idle, SessionState::Connecting, SessionState::Open, SessionState::Closing,
          SessionState::Closed}) {
        for (const bool tls : {false, true}) {
            bar.setState(state, tls);
            bar.setTlsInfo(tls ? &info : nullptr);
            QVERIFY2(plainText(bar.badgeText(), badge->font()), qPrintable(bar.badgeText()));
            QVERIFY(plainText(bar.stateText(), badge->font()));
        }
    }
}

void TestPanels::renderPngs_data()
{
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("dark") << true;
}

// Renders each panel with realistic content, for a person to look at (/tmp/panels/*.png).
void TestPanels::renderPngs()
{
    QFETCH(bool, dark);
    const QPalette palette = dark ? darkPalette() : m_lightPalette;
    QApplication::setPalette(palette);
    const QString suffix = dark ? u"-dark.png"_s : u"-light.png"_s;
    const auto save = [&suffix](QWidget &w, const QString &name) {
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QApplication::processEvents(); // pending layout requests, e.g. after hiding a label
        QVERIFY(w.grab().save(u"/tmp/panels/"_s + name + suffix));
    };

    Recorder r;
    r.chunk(Direction::Tx, QByteArray(203, 'G'));
    FrameSpec spec;
    spec.opcode = 1;
    spec.maskMode = MaskMode::Fixed;
    spec.maskKey = 0xaaeb0471;
    spec.payload = QByteArray(R"({"op":"subscribe","channel":"ticker","ids":[1,2,3],"note":")") +
                   QByteArray(100, 'x') + "\"}";
    r.txFrame(spec);
    r.rxFrame(1, QByteArray("caf\xc3\xa9 ok ") + QByteArray("\xed\xa0\x80", 3) + "rest",
              Violation::InvalidUtf8Text | Violation::RsvWithoutExtension, 10, 4);
    r.rxFrame(8, closePayload(1002, "protocol error: RSV set"));

    {
        FrameDetailPane pane;
        pane.resize(720, 860);
        pane.setFrame(r.trace, 0);
        pane.frameHexView()->setSelectedRange(4, 4);
        save(pane, u"framedetail-tx"_s);
        pane.setFrame(r.trace, 1);
        pane.findChild<QTabWidget *>(u"payloadTabs"_s)->setCurrentIndex(2);
        save(pane, u"framedetail-rx-invalid"_s);
        pane.setFrame(r.trace, 2);
        pane.findChild<QTabWidget *>(u"payloadTabs"_s)
            ->setCurrentWidget(pane.findChild<QWidget *>(u"closeTab"_s));
        save(pane, u"framedetail-close"_s);
    }
    {
        StatisticsPanel panel;
        panel.resize(1100, 620);
        WireStatistics stats = ms22Statistics();
        for (int i = 1; i <= 60; ++i)
            stats.txOctets[i] = (i * 37) % 23 + 1;
        panel.setStatistics(stats);
        save(panel, u"statistics"_s);
    }
    {
        ClosingPanel panel;
        panel.resize(980, 640);
        const ClosingBehavior behavior = ms22Closing();
        panel.setClosing(behavior, closingVerdict(behavior, ExpectedClose()));
        save(panel, u"closing"_s);
    }
    {
        HandshakePanel panel;
        panel.resize(1000, 380);
        const QStringList seed = seedLines(u"microsoft-httpapi-case-2.2.txt"_s);
        const QStringList request = seed.mid(seed.indexOf(u"GET / HTTP/1.1"_s), 9);
        const QStringList response =
            seed.mid(seed.indexOf(u"HTTP/1.1 101 Switching Protocols"_s), 6);
        panel.setHandshake(request.join(u"\r\n"_s) + u"\r\n\r\n"_s,
                           response.join(u"\r\n"_s) + u"\r\n\r\n"_s,
                           u"HTTP Sec-WebSocket-Accept "
                           u"bogus value : expected x / "
                           u"got y"_s,
                           {u"The certificate is self-signed, and untrusted"_s});
        save(panel, u"handshake"_s);
    }
    {
        HexView view;
        view.resize(640, 260);
        view.setData(pattern(4096));
        view.setBaseOffset(0x2000);
        view.setRanges(
            {{0, 2, FrameDetailPane::partColor(FrameDetailPane::Part::Header), u"Header"_s},
             {2, 8, FrameDetailPane::partColor(FrameDetailPane::Part::ExtendedLength),
              u"Extended length"_s},
             {10, 4, FrameDetailPane::partColor(FrameDetailPane::Part::MaskingKey),
              u"Masking key"_s},
             {14, 4082, FrameDetailPane::partColor(FrameDetailPane::Part::Payload), u"Payload"_s}});
        view.setSelectedRange(20, 30);
        save(view, u"hexview"_s);
    }
    QApplication::setPalette(m_lightPalette);
}

QTEST_MAIN(TestPanels)
#include "tst_panels.moc"
