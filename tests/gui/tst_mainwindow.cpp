// SPDX-License-Identifier: MIT
// The window as a user drives it, offscreen: compose a fragmented text message with a ping in
// the middle, chopped and synced, through the composer's widgets; run it from the sequence
// against the embedded echo server; and check that the frame table, the wire log, the statistics
// and the closing panel show what the core's trace says.
#include "closing.h"
#include "closingpanel.h"
#include "composerwidget.h"
#include "connectionbar.h"
#include "echoserver.h"
#include "frametablemodel.h"
#include "mainwindow.h"
#include "messagemodel.h"
#include "sequencewidget.h"
#include "sessioncontroller.h"
#include "statisticspanel.h"
#include "tracestore.h"
#include "wirelog.h"
#include "wirelogmodel.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QtTest>

using namespace wsi;
using namespace wsi::gui;
using namespace Qt::StringLiterals;

namespace {

template <typename T>
T *child(QObject *parent, const char *name)
{
    T *w = parent->findChild<T *>(QLatin1String(name));
    if (!w)
        qWarning("no child %s", name);
    return w;
}

// Sets one frame up through the composer's own widgets and adds it to the sequence.
void composeFrame(ComposerWidget *composer, int opcode, bool fin, const QString &text)
{
    auto *opcodeCombo = child<QComboBox>(composer, "opcodeCombo");
    auto *finCheck = child<QCheckBox>(composer, "finCheck");
    auto *payload = child<QPlainTextEdit>(composer, "payloadTextEdit");
    auto *chop = child<QSpinBox>(composer, "chopSpin");
    auto *sync = child<QCheckBox>(composer, "syncCheck");
    auto *add = child<QPushButton>(composer, "addToSequenceButton");
    QVERIFY(opcodeCombo && finCheck && payload && chop && sync && add);
    opcodeCombo->setCurrentIndex(opcode);
    finCheck->setChecked(fin);
    payload->selectAll();
    QTest::keyClicks(payload, text);
    chop->setValue(1);
    sync->setChecked(true);
    QVERIFY2(add->isEnabled(), qPrintable(composer->inputErrors().join(u"; "_s)));
    QTest::mouseClick(add, Qt::LeftButton);
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(u"WebSocketInspector-Tests"_s);
        QSettings().clear();
    }

    void composeSendAndInspect()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAbstractItemModelTester frameTester(window.frameModel(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester wireTester(window.wireLogModel(),
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester messageTester(
            window.messageModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(window.connectionBar()->url(), echo.url().toString()); // preselected

        auto *connectButton = child<QPushButton>(window.connectionBar(), "connectButton");
        QVERIFY(connectButton);
        QTest::mouseClick(connectButton, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);

        composeFrame(window.composer(), 1, false, u"frag-one "_s);
        composeFrame(window.composer(), 9, true, u"mid-ping"_s);
        composeFrame(window.composer(), 0, true, u"frag-two"_s);
        QCOMPARE(window.sequence()->steps().size(), 3);
        QCOMPARE(window.sequence()->steps()[1].frame.opcode, 9);
        QCOMPARE(window.sequence()->steps()[0].frame.chopSize, 1);
        QCOMPARE(window.sequence()->steps()[0].frame.sync, true);

        auto *run = child<QPushButton>(window.sequence(), "runButton");
        QVERIFY(run && run->isEnabled());
        QTest::mouseClick(run, Qt::LeftButton);

        // The echo server answers the ping and echoes the reassembled message.
        const auto rxCount = [&window] {
            return window.store()->trace().frameCount(Direction::Rx);
        };
        QTRY_COMPARE_WITH_TIMEOUT(rxCount(), 2, 5000);

        // Close 1000 from the composer's quick action.
        auto *closeButton = child<QPushButton>(window.composer(), "closeButton");
        QVERIFY(closeButton);
        QTest::mouseClick(closeButton, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Closed, 5000);
        const Trace &trace = window.store()->trace();
        // The models follow the trace in batches: wait until they hold all of it.
        QTRY_COMPARE_WITH_TIMEOUT(window.frameModel()->rowCount(), int(trace.frames().size()), 5000);

        // Frame table: one row per frame of the trace, the same opcodes and directions.
        QCOMPARE(window.frameModel()->rowCount(), int(trace.frames().size()));
        QStringList rows;
        for (int r = 0; r < window.frameModel()->rowCount(); ++r) {
            const FrameRecord &f = trace.frames()[size_t(r)];
            const QString dir = window.frameModel()
                                    ->index(r, FrameTableModel::DirectionColumn)
                                    .data()
                                    .toString();
            QCOMPARE(dir, f.direction == Direction::Tx ? u"TX"_s : u"RX"_s);
            QCOMPARE(window.frameModel()->index(r, FrameTableModel::OpcodeColumn).data(
                         FrameTableModel::OpcodeRole).toInt(),
                     int(f.opcode));
            rows << dir + u' ' + QString::number(f.opcode);
        }
        QCOMPARE(rows, QStringList({u"TX 1"_s, u"TX 9"_s, u"TX 0"_s, u"RX 10"_s, u"RX 1"_s,
                                    u"TX 8"_s, u"RX 8"_s}));
        // The echoed text is the whole message.
        bool echoed = false;
        for (int r = 0; r < window.frameModel()->rowCount(); ++r)
            echoed |= window.frameModel()->index(r, FrameTableModel::PayloadColumn).data()
                          .toString().contains(u"frag-one frag-two"_s);
        QVERIFY(echoed);

        // Wire log: the same lines as the core's wire log, in the same order.
        const std::vector<WireLogLine> lines = wireLog(trace);
        QCOMPARE(window.wireLogModel()->rowCount(), int(lines.size()));
        for (size_t i = 0; i < lines.size(); ++i)
            QCOMPARE(window.wireLogModel()->index(int(i), 0).data(WireLogModel::KindRole).toInt(),
                     int(lines[i].kind));
        QCOMPARE(lines.back().kind, WireLogKind::TcpDroppedByPeer);

        // Statistics: one TX chop per octet of the three composed frames, as the trace counts.
        qint64 composedOctets = 0;
        for (size_t i = 0; i < 3; ++i)
            composedOctets += trace.frames()[i].tx->encodedSize;
        QCOMPARE(trace.statistics().txOctets.at(1), composedOctets);
        QAbstractItemModel *tx = window.statisticsPanel()->model(StatisticsPanel::OctetsTransmitted);
        QVERIFY(tx);
        bool foundChopOne = false;
        for (int r = 0; r < tx->rowCount(); ++r) {
            if (tx->index(r, 0).data().toString() == u"1"_s) {
                QCOMPARE(tx->index(r, 1).data().toLongLong(), composedOctets);
                foundChopOne = true;
            }
        }
        QVERIFY(foundChopOne);

        // Closing panel: the verdict and the 13 fields, as the analysis of the trace says.
        const ClosingBehavior b = analyzeClosing(trace);
        QVERIFY(b.wasClean && b.closedByMe && !b.droppedByMe);
        // The panel follows on its refresh timer.
        QTRY_VERIFY2_WITH_TIMEOUT(window.closingPanel()->verdictText().contains(u"(OK)"_s),
                                  qPrintable(window.closingPanel()->verdictText()), 5000);
        auto *fields = child<QTableWidget>(window.closingPanel(), "fieldsTable");
        QVERIFY(fields);
        QCOMPARE(fields->rowCount(), 13);
        const QList<ClosingField> keys = closingFields();
        for (int r = 0; r < 13; ++r) {
            QCOMPARE(fields->item(r, 0)->text(), QString::fromLatin1(keys[r].key));
            QCOMPARE(fields->item(r, 1)->text(), closingFieldValue(b, keys[r].key));
        }

        // Filtering in the frame tab: RX only shows the received frames; clearing shows all.
        auto *direction = child<QComboBox>(&window, "frameDirectionFilter");
        QVERIFY(direction);
        direction->setCurrentIndex(2);
        QCOMPARE(window.frameView()->model()->rowCount(), 3);
        window.frameView()->selectRow(0);
        QCOMPARE(window.frameView()->currentIndex().data(FrameTableModel::DirectionRole).toInt(),
                 int(Direction::Rx));
        direction->setCurrentIndex(0);
        QCOMPARE(window.frameView()->model(), window.frameModel());
        QCOMPARE(window.frameView()->model()->rowCount(), 7);
        auto *text = child<QLineEdit>(&window, "frameTextFilter");
        QTest::keyClicks(text, u"frag-two"_s);
        QCOMPARE(window.frameView()->model()->rowCount(), 2); // what we sent and its echo

        // The status bar counts what the trace counts.
        QVERIFY(window.statusText().contains(
            QLocale().toString(trace.frameCount(Direction::Rx)) + u" frames"_s));
    }

    void badUrlIsRefusedInline()
    {
        MainWindow window;
        window.show();
        window.setUrl(u"http://example.org/"_s);
        auto *connectButton = child<QPushButton>(window.connectionBar(), "connectButton");
        QVERIFY(!connectButton->isEnabled());
        QVERIFY(window.connectionBar()->urlError().contains(u"ws://"_s));
        window.setUrl(u"ws://127.0.0.1:1/"_s);
        QVERIFY(connectButton->isEnabled());
    }

    // At the window's default size the composer needs no horizontal scroll bar, its preview of a
    // frame with the longest header lines (64-bit length, masked) included, and the sequence
    // editor gets its minimum width. The wire views' columns start as wide as their contents;
    // the payload previews take the width that is left.
    void defaultSizeFitsThePanes()
    {
        MainWindow window;
        FrameSpec spec;
        spec.opcode = 2;
        spec.maskMode = MaskMode::Random;
        spec.payload = QByteArray(70000, 'x');
        spec.chopSize = 7;
        window.composer()->setFrameSpec(spec);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.size(), QSize(1400, 900));
        const auto *area = window.composer()->findChild<QScrollArea *>(u"scrollArea"_s);
        QVERIFY(area);
        QTRY_COMPARE(area->horizontalScrollBar()->maximum(), 0);
        QVERIFY2(window.sequence()->width() >= window.sequence()->minimumSizeHint().width(),
                 qPrintable(u"%1 < %2"_s.arg(window.sequence()->width())
                                .arg(window.sequence()->minimumSizeHint().width())));

        const QFontMetrics fm(window.frameView()->font());
        const QHeaderView *frames = window.frameView()->horizontalHeader();
        QCOMPARE(frames->sectionResizeMode(FrameTableModel::PayloadColumn), QHeaderView::Stretch);
        QVERIFY(frames->sectionSize(FrameTableModel::OpcodeColumn) >
                fm.horizontalAdvance(u"Continuation"_s));
        QVERIFY(frames->sectionSize(FrameTableModel::TimeColumn) >
                fm.horizontalAdvance(u"999999.999"_s));
        const QHeaderView *messages = window.messageView()->horizontalHeader();
        QCOMPARE(messages->sectionResizeMode(MessageModel::PreviewColumn), QHeaderView::Stretch);
        QVERIFY(messages->sectionSize(MessageModel::TypeColumn) >
                fm.horizontalAdvance(u"Binary (interrupted)"_s));
        const QHeaderView *log = window.wireLogView()->horizontalHeader();
        QVERIFY(log->stretchLastSection());
        QVERIFY(log->sectionSize(WireLogModel::KindColumn) >
                fm.horizontalAdvance(u"FAIL CONNECTION AFTER"_s));
    }

    void selectingAFrameHighlightsItsWireLogLines()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        window.show();
        window.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
        FrameSpec f;
        f.opcode = 2;
        f.payload = QByteArray(40, 'x');
        f.chopSize = 10;
        window.controller()->run({Step::makeFrame(f)});
        QTRY_COMPARE_WITH_TIMEOUT(window.store()->trace().frameCount(Direction::Rx), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(window.frameModel()->rowCount(), 2, 5000);
        window.frameView()->selectRow(0); // our chopped frame: 46 octets in 5 writes
        const QModelIndexList selected = window.wireLogView()->selectionModel()->selectedRows();
        int octetLines = 0;
        for (const QModelIndex &i : selected)
            octetLines += i.data(WireLogModel::KindRole).toInt() == int(WireLogKind::TxOctets);
        QCOMPARE(octetLines, 5);
    }
};

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
