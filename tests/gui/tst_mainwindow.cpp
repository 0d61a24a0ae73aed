// SPDX-License-Identifier: MIT
// The window as a user drives it, offscreen: compose a fragmented text message with a ping in
// the middle, chopped and synced, through the composer's widgets; run it from the sequence
// against the embedded echo server; and check that the frame table, the wire log, the statistics
// and the closing panel show what the core's trace says.
#include "echo/echoserver.h"
#include "gui/closingpanel.h"
#include "gui/columnchooser.h"
#include "gui/composerwidget.h"
#include "gui/connectionbar.h"
#include "gui/findbar.h"
#include "gui/framedetailpane.h"
#include "gui/frametablemodel.h"
#include "gui/hexview.h"
#include "gui/mainwindow.h"
#include "gui/messagemodel.h"
#include "gui/modelroles.h"
#include "gui/sequencewidget.h"
#include "gui/sessioncontroller.h"
#include "gui/statisticspanel.h"
#include "gui/tableactions.h"
#include "gui/tracestore.h"
#include "gui/wirelogmodel.h"
#include "guitestutils.h"
#include "scriptedpeer.h"
#include "trace/closing.h"
#include "trace/wirelog.h"

#include <QAbstractItemModelTester>
#include <QAbstractSpinBox>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QtTest>

#include <unistd.h>

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

// The window at 1600x1000, shown, connected to `echo` and OPEN.
void showConnected(MainWindow &window, const EchoServer &echo)
{
    window.setUrl(echo.url().toString());
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
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

// One place a key sequence is live: the whole window, or a widget (and its children).
struct ShortcutUse
{
    QString name;
    const QWidget *scope = nullptr; // nullptr: the whole window
};

// Every key sequence of every QAction and QShortcut of the window, where each is live.
QMultiHash<QKeySequence, ShortcutUse> shortcutUses(QWidget *window)
{
    QMultiHash<QKeySequence, ShortcutUse> uses;
    for (QAction *action : window->findChildren<QAction *>()) {
        const bool local = action->shortcutContext() == Qt::WidgetShortcut ||
                           action->shortcutContext() == Qt::WidgetWithChildrenShortcut;
        QList<const QWidget *> scopes;
        if (local) {
            for (QObject *o : action->associatedObjects())
                if (auto *w = qobject_cast<QWidget *>(o))
                    scopes << w;
        } else {
            scopes << nullptr;
        }
        const QString name = action->text().isEmpty() ? action->objectName() : action->text();
        for (const QKeySequence &key : action->shortcuts())
            for (const QWidget *scope : scopes)
                uses.insert(key, {name, scope});
    }
    for (QShortcut *shortcut : window->findChildren<QShortcut *>()) {
        if (!shortcut->isEnabled())
            continue; // switched off for good (the window's action has its key)
        const bool local = shortcut->context() == Qt::WidgetShortcut ||
                           shortcut->context() == Qt::WidgetWithChildrenShortcut;
        const QWidget *scope = local ? qobject_cast<QWidget *>(shortcut->parent()) : nullptr;
        for (const QKeySequence &key : shortcut->keys())
            uses.insert(key, {shortcut->objectName(), scope});
    }
    return uses;
}

bool overlaps(const ShortcutUse &a, const ShortcutUse &b)
{
    if (!a.scope || !b.scope)
        return true;
    return a.scope == b.scope || a.scope->isAncestorOf(b.scope) || b.scope->isAncestorOf(a.scope);
}

// The clashes: two uses of one key sequence that can be live at once.
QStringList shortcutClashes(QWidget *window)
{
    const auto uses = shortcutUses(window);
    QStringList clashes;
    for (const QKeySequence &key : uses.uniqueKeys()) {
        const QList<ShortcutUse> same = uses.values(key);
        for (qsizetype i = 0; i < same.size(); ++i)
            for (qsizetype j = i + 1; j < same.size(); ++j)
                if (overlaps(same[i], same[j]))
                    clashes << u"%1: %2 / %3"_s.arg(key.toString(), same[i].name, same[j].name);
    }
    return clashes;
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_recordings; // the window records every connection: not into the user's folder

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(u"WebSocketInspector-Tests"_s);
        QSettings().clear();
        QVERIFY(m_recordings.isValid());
        QSettings().setValue(u"recording/folder"_s, m_recordings.path());
    }

    void composeSendAndInspect()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAbstractItemModelTester frameTester(
            window.frameModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
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
        QTRY_COMPARE_WITH_TIMEOUT(window.frameModel()->rowCount(), int(trace.frames().size()),
                                  5000);

        // Frame table: one row per frame of the trace, the same opcodes and directions.
        QCOMPARE(window.frameModel()->rowCount(), int(trace.frames().size()));
        QStringList rows;
        for (int r = 0; r < window.frameModel()->rowCount(); ++r) {
            const FrameRecord &f = trace.frames()[size_t(r)];
            const QString dir =
                window.frameModel()->index(r, FrameTableModel::DirectionColumn).data().toString();
            QCOMPARE(dir, f.direction == Direction::Tx ? u"TX"_s : u"RX"_s);
            QCOMPARE(window.frameModel()
                         ->index(r, FrameTableModel::OpcodeColumn)
                         .data(FrameTableModel::OpcodeRole)
                         .toInt(),
                     int(f.opcode));
            rows << dir + u' ' + QString::number(f.opcode);
        }
        QCOMPARE(rows, QStringList({u"TX 1"_s, u"TX 9"_s, u"TX 0"_s, u"RX 10"_s, u"RX 1"_s,
                                    u"TX 8"_s, u"RX 8"_s}));
        // The echoed text is the whole message.
        bool echoed = false;
        for (int r = 0; r < window.frameModel()->rowCount(); ++r)
            echoed |= window.frameModel()
                          ->index(r, FrameTableModel::PayloadColumn)
                          .data()
                          .toString()
                          .contains(u"frag-one frag-two"_s);
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
        QAbstractItemModel *tx =
            window.statisticsPanel()->model(StatisticsPanel::OctetsTransmitted);
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
        QVERIFY(window.statusText().contains(QLocale().toString(trace.frameCount(Direction::Rx)) +
                                             u" frames"_s));
    }

    // No two actions or shortcuts share a key sequence where both can be live, in every state of
    // a connection (idle, open, half-closed, closed) and with every dock and view shown; Ctrl+K
    // connects, and Ctrl+W (a window's or tab's close everywhere else) is not ours.
    void shortcutsAreUnique()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        window.setUrl(echo.url().toString()); // not the last test's server
        window.resize(1600, 1000);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto check = [&window](const char *state) {
            const QStringList clashes = shortcutClashes(&window);
            QVERIFY2(clashes.isEmpty(),
                     qPrintable(u"%1: %2"_s.arg(QLatin1String(state), clashes.join(u"; "_s))));
            QVERIFY2(!shortcutUses(&window).contains(QKeySequence(QKeySequence::Close)), state);
        };
        check("idle");
        QVERIFY(shortcutUses(&window).contains(QKeySequence(u"Ctrl+K"_s)));
        QTest::keyClick(&window, Qt::Key_K, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
        check("open");
        // Ctrl+Return sends from where one types: the payload editor and the opcode box.
        auto *payload = child<QPlainTextEdit>(window.composer(), "payloadTextEdit");
        auto *opcode = child<QComboBox>(window.composer(), "opcodeCombo");
        QVERIFY(payload && opcode);
        int sent = window.store()->trace().frameCount(Direction::Tx);
        for (QWidget *input : {static_cast<QWidget *>(payload), static_cast<QWidget *>(opcode)}) {
            input->setFocus();
            QTRY_VERIFY(input->hasFocus());
            QTest::keyClick(input, Qt::Key_Return, Qt::ControlModifier);
            QTRY_COMPARE_WITH_TIMEOUT(window.store()->trace().frameCount(Direction::Tx), sent + 1,
                                      5000);
            ++sent;
        }
        auto *cases = window.findChild<QDockWidget *>(u"casesDock"_s);
        QVERIFY(cases);
        QTest::keyClick(&window, Qt::Key_L, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY(cases->isVisible());
        check("open, cases shown");
        window.controller()->run({Step::makeKind(Step::Kind::HalfClose)});
        QTRY_VERIFY_WITH_TIMEOUT(window.store()->closing().halfClosed, 5000);
        check("half-closed");
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Closed, 10000);
        check("closed");
    }

    // Follow New Entries: a view left at the bottom shows the newest row as rows arrive; a view
    // the user scrolled up stays where the user left it.
    void followKeepsTheNewestRowInView()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        window.setUrl(echo.url().toString());
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
        const auto sendBurst = [&window](int count) {
            StepList steps;
            FrameSpec f;
            f.opcode = 1;
            f.payload = "follow me";
            for (int i = 0; i < count; ++i)
                steps << Step::makeFrame(f);
            window.controller()->run(steps);
        };
        sendBurst(150);
        QTRY_COMPARE_WITH_TIMEOUT(window.frameModel()->rowCount(), 300, 10000);
        const auto lastRowShown = [](QTableView *view) {
            const int last = view->model()->rowCount() - 1;
            const int bottom = view->rowAt(view->viewport()->height() - 2);
            return last > 0 && (bottom == last || bottom == -1) &&
                   view->rowAt(0) > 0 && // scrolled at all
                   view->verticalScrollBar()->value() == view->verticalScrollBar()->maximum();
        };
        QTRY_VERIFY_WITH_TIMEOUT(lastRowShown(window.frameView()), 5000);
        window.viewTabs()->setCurrentIndex(2);
        QTRY_VERIFY_WITH_TIMEOUT(lastRowShown(window.wireLogView()), 5000);
        window.viewTabs()->setCurrentIndex(0);

        // The user scrolls the frame table up with the wheel: it stays there as rows arrive.
        QWidget *viewport = window.frameView()->viewport();
        const QPoint at = viewport->rect().center();
        for (int i = 0; i < 30; ++i) {
            QWheelEvent wheel(at, viewport->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton,
                              Qt::NoModifier, Qt::NoScrollPhase, false);
            QCoreApplication::sendEvent(viewport, &wheel);
        }
        const int readingAt = window.frameView()->verticalScrollBar()->value();
        QVERIFY(readingAt < window.frameView()->verticalScrollBar()->maximum());
        sendBurst(50);
        QTRY_COMPARE_WITH_TIMEOUT(window.frameModel()->rowCount(), 400, 10000);
        QTest::qWait(300); // three follow ticks: none of them may move the view
        QCOMPARE(window.frameView()->verticalScrollBar()->value(), readingAt);
        // Back at the bottom, it follows again.
        window.frameView()->scrollToBottom();
        sendBurst(50);
        QTRY_COMPARE_WITH_TIMEOUT(window.frameModel()->rowCount(), 500, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(lastRowShown(window.frameView()), 5000);
    }

    // After our half-close (TCP FIN) the window says so: a TX FIN line in the wire log, the
    // send actions disabled, until the server closes.
    void halfCloseIsShown()
    {
        // Answers the handshake, then neither reads nor sends nor closes: its socket is handed
        // to a plain descriptor (QTcpSocket would close on our FIN).
        QTcpServer deaf;
        QVERIFY(deaf.listen(QHostAddress::LocalHost));
        QList<QTcpSocket *> peers;
        QList<int> held;
        const auto release = qScopeGuard([&held] {
            for (int fd : held)
                ::close(fd);
        });
        connect(&deaf, &QTcpServer::newConnection, &deaf, [&] {
            QTcpSocket *peer = deaf.nextPendingConnection();
            peers << peer;
            connect(peer, &QTcpSocket::readyRead, peer, [peer, &held] {
                const QByteArray request = peer->readAll();
                const int at = request.indexOf("Sec-WebSocket-Key: ");
                if (at < 0)
                    return;
                const QByteArray key = request.mid(at + 19, 24);
                const QByteArray accept =
                    QCryptographicHash::hash(
                        QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
                        QCryptographicHash::Sha1)
                        .toBase64();
                peer->write(QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                       "Connection: Upgrade\r\nSec-WebSocket-Accept: ") +
                            accept + "\r\n\r\n");
                peer->flush();
                held << ::dup(int(peer->socketDescriptor()));
                peer->abort(); // closes Qt's descriptor only: the connection lives on in ours
            });
        });
        MainWindow window;
        window.setUrl(u"ws://127.0.0.1:%1/"_s.arg(deaf.serverPort()));
        SessionSettings settings = window.connectionBar()->settings();
        settings.serverDropTimeoutMs = 600'000; // the state stays "half-closed" while we look
        window.connectionBar()->setSettings(settings);
        window.show();
        window.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
        auto *send = window.findChild<QAction *>(u"actionSendFrame"_s);
        auto *halfClose = window.findChild<QAction *>(u"actionHalfClose"_s);
        QVERIFY(send && halfClose);
        QTRY_VERIFY(send->isEnabled());
        halfClose->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!send->isEnabled(), 5000);
        QVERIFY(!halfClose->isEnabled());
        QCOMPARE(window.controller()->state(), SessionState::Open); // the server has not closed
        const auto finLine = [&window] {
            for (int r = 0; r < window.wireLogModel()->rowCount(); ++r)
                if (window.wireLogModel()->index(r, 0).data(WireLogModel::KindRole).toInt() ==
                    int(WireLogKind::HalfClosed))
                    return true;
            return false;
        };
        QTRY_VERIFY(finLine());
        auto *sendButton = child<QPushButton>(window.composer(), "sendButton");
        QVERIFY(sendButton && !sendButton->isEnabled());
        qDeleteAll(peers);
    }

    // While connected, View ▸ Clear empties the tables and Show All brings them back; Pause
    // stops new rows until Resume; the recording keeps everything throughout.
    void clearAndPauseWhileConnected()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        window.setUrl(echo.url().toString());
        window.show();
        window.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
        FrameSpec f;
        f.opcode = 1;
        f.payload = "before";
        window.controller()->run({Step::makeFrame(f)});
        QTRY_COMPARE_WITH_TIMEOUT(window.frameModel()->rowCount(), 2, 5000);
        auto *clear = window.findChild<QAction *>(u"actionClear"_s);
        auto *pause = window.findChild<QAction *>(u"actionPauseViews"_s);
        auto *banner = window.findChild<QWidget *>(u"viewBanner"_s);
        auto *bannerButton = window.findChild<QPushButton *>(u"viewBannerButton"_s);
        QVERIFY(clear && pause && banner && bannerButton);
        QVERIFY(clear->isEnabled());
        clear->trigger();
        QCOMPARE(window.frameModel()->rowCount(), 0);
        QVERIFY(banner->isVisibleTo(&window));
        QCOMPARE(window.store()->trace().frames().size(), size_t(2)); // still recorded
        window.controller()->run({Step::makeFrame(f)});
        QTRY_COMPARE_WITH_TIMEOUT(window.frameModel()->rowCount(), 2, 5000); // only the new
        QTest::mouseClick(bannerButton, Qt::LeftButton);                     // Show All
        QCOMPARE(window.frameModel()->rowCount(), 4);
        QVERIFY(!banner->isVisibleTo(&window));

        pause->setChecked(true);
        window.controller()->run({Step::makeFrame(f)});
        QTRY_COMPARE_WITH_TIMEOUT(window.store()->trace().frames().size(), size_t(6), 5000);
        QTRY_VERIFY(window.findChild<QLabel *>(u"viewBannerText"_s)->text().contains(u"2"_s));
        QCOMPARE(window.frameModel()->rowCount(), 4);
        QTest::mouseClick(bannerButton, Qt::LeftButton); // Resume
        QVERIFY(!pause->isChecked());
        QTRY_COMPARE(window.frameModel()->rowCount(), 6);
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
        QVERIFY(frames->sectionSize(FrameTableModel::OpcodeColumn) >
                fm.horizontalAdvance(u"Continuation"_s));
        QVERIFY(frames->sectionSize(FrameTableModel::TimeColumn) >
                fm.horizontalAdvance(u"999999.999"_s));
        const QHeaderView *messages = window.messageView()->horizontalHeader();
        QVERIFY(messages->sectionSize(MessageModel::TypeColumn) >
                fm.horizontalAdvance(u"Binary (interrupted)"_s));
        const QHeaderView *log = window.wireLogView()->horizontalHeader();
        QVERIFY(log->sectionSize(WireLogModel::KindColumn) >
                fm.horizontalAdvance(u"FAIL CONNECTION AFTER"_s));

        // The previews are the right-most columns and take the width the others leave, never
        // less than 24 characters, at the default size and narrower.
        const auto previewFits = [](QTableView *view, int column) {
            const QHeaderView *header = view->horizontalHeader();
            int others = 0;
            for (int i = 0; i < header->count(); ++i)
                if (i != column && !header->isSectionHidden(i))
                    others += header->sectionSize(i);
            const int least = view->fontMetrics().averageCharWidth() * 24;
            return header->visualIndex(column) == header->count() - 1 &&
                   header->sectionSize(column) ==
                       std::max(least, view->viewport()->width() - others);
        };
        // At 1280x800 the frame table still shows a screenful of rows (the detail pane scrolls
        // instead of taking the height).
        window.resize(1280, 800);
        QTRY_VERIFY2(
            window.frameView()->viewport()->height() >=
                15 * window.frameView()->verticalHeader()->defaultSectionSize(),
            qPrintable(u"%1 px for rows of %2 px"_s.arg(window.frameView()->viewport()->height())
                           .arg(window.frameView()->verticalHeader()->defaultSectionSize())));
        for (const QSize size : {QSize(1400, 900), QSize(1280, 800), QSize(1000, 700)}) {
            window.resize(size);
            QTRY_VERIFY(previewFits(window.frameView(), FrameTableModel::PayloadColumn));
            QTRY_VERIFY(previewFits(window.messageView(), MessageModel::PreviewColumn));
            QTRY_VERIFY(previewFits(window.wireLogView(), WireLogModel::DetailsColumn));
        }
        window.resize(1400, 900);
        QTRY_VERIFY(frames->sectionSize(FrameTableModel::PayloadColumn) >=
                    fm.averageCharWidth() * 24);
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

    // The tables' actions in the window: Copy and Copy as command on the keyboard, Resend sends
    // the frame again on the connection, Add to Sequence appends it, Edit in Composer loads it
    // (without editing a sequence row); the Edit menu lists the shown table's actions.
    void tableActionsInTheWindow()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        showConnected(window, echo);
        if (QTest::currentTestFailed())
            return;
        FrameSpec f;
        f.opcode = 1;
        f.payload = "resend me";
        window.controller()->run({Step::makeFrame(f)});
        QTRY_COMPARE_WITH_TIMEOUT(window.frameModel()->rowCount(), 2, 5000);
        const Trace &trace = window.store()->trace();

        QTableView *frames = window.frameView();
        frames->setFocus();
        frames->selectRow(1); // the echo
        QCOMPARE(frames->currentIndex().data(DirectionRole).toInt(), int(Direction::Rx));
        QApplication::clipboard()->clear();
        QTest::keyClick(frames, Qt::Key_C, Qt::ControlModifier);
        QTRY_VERIFY(QApplication::clipboard()->text().contains(u"resend me"_s));
        QTest::keyClick(frames, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY(QApplication::clipboard()->text().startsWith(u"wsinspector-cli send "_s));
        QVERIFY(QApplication::clipboard()->text().contains(echo.url().toString()));

        TableActions *actions = window.tableActions(frames);
        QVERIFY(actions);
        QVERIFY(actions->resendAction()->isEnabled());
        actions->resendAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(trace.frameCount(Direction::Tx), 2, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(trace.frameCount(Direction::Rx), 2, 5000);
        int resent = -1;
        for (size_t i = 0; i < trace.frames().size(); ++i)
            if (trace.frames()[i].direction == Direction::Tx)
                resent = int(i);
        QCOMPARE(fullPayload(trace, trace.frames()[size_t(resent)]).value_or(QByteArray()),
                 QByteArray("resend me"));
        QVERIFY(trace.frames()[size_t(resent)].masked); // a client's frame, masked

        const qsizetype steps = window.sequence()->steps().size();
        actions->addToSequenceAction()->trigger();
        QCOMPARE(window.sequence()->steps().size(), steps + 1);
        QCOMPARE(window.sequence()->steps().last().frame.payload, QByteArray("resend me"));

        actions->editAction()->trigger();
        QCOMPARE(window.composer()->frameStep().frame.payload, QByteArray("resend me"));
        QCOMPARE(window.composer()->frameStep().frame.opcode, 1);
        QCOMPARE(window.composer()->editingRow(), -1);

        // Edit menu: Find, then the actions of the table shown; emptied again once closed, so
        // each table keeps its own Ctrl+C.
        auto *edit = window.menuBar()->findChild<QMenu *>(u"menuEdit"_s);
        QVERIFY(edit);
        edit->popup(window.mapToGlobal(QPoint(20, 20)));
        QTRY_VERIFY(edit->isVisible());
        QVERIFY(edit->actions().contains(window.findBar()->findAction()));
        QVERIFY(edit->actions().contains(actions->resendAction()));
        QVERIFY(edit->actions().contains(actions->copyCommandAction()));
        QVERIFY(!edit->actions().contains(window.tableActions(window.messageView())->copyAction()));
        edit->hide();
        QTRY_VERIFY(edit->actions().isEmpty());
        QVERIFY2(shortcutClashes(&window).isEmpty(),
                 qPrintable(shortcutClashes(&window).join(u"; "_s)));
        window.viewTabs()->setCurrentIndex(1); // Messages
        edit->popup(window.mapToGlobal(QPoint(20, 20)));
        QTRY_VERIFY(edit->isVisible());
        QVERIFY(edit->actions().contains(window.tableActions(window.messageView())->copyAction()));
        QVERIFY(!edit->actions().contains(actions->copyAction()));
        edit->hide();
        QTRY_VERIFY(edit->actions().isEmpty());

        // Closed: Resend says why it sends nothing.
        window.controller()->run({Step::makeKind(Step::Kind::Close)});
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Closed, 5000);
        window.viewTabs()->setCurrentIndex(0);
        frames->selectRow(0);
        actions->resendAction()->trigger();
        QVERIFY(window.statusBar()->currentMessage().contains(u"connect first"_s));
        QCOMPARE(trace.frameCount(Direction::Tx), 3); // the two frames and the close
    }

    // Ctrl+F finds text in the payloads: the frame is selected, the detail pane shows it with
    // the match highlighted; F3 and Shift+F3 go on and back; Esc hides the bar.
    void findInPayloadsSelectsTheFrame()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        showConnected(window, echo);
        if (QTest::currentTestFailed())
            return;
        StepList steps;
        for (const char *text : {"alpha", "the needle here", "gamma"}) {
            FrameSpec f;
            f.opcode = 1;
            f.payload = text;
            steps << Step::makeFrame(f);
        }
        window.controller()->run(steps);
        QTRY_COMPARE_WITH_TIMEOUT(window.frameModel()->rowCount(), 6, 5000);
        const Trace &trace = window.store()->trace();
        QList<int> matches;
        for (size_t i = 0; i < trace.frames().size(); ++i)
            if (fullPayload(trace, trace.frames()[i]).value_or(QByteArray()).contains("needle"))
                matches << int(i);
        QCOMPARE(matches.size(), 2); // ours and the echo

        QVERIFY(!window.findBar()->isVisible());
        window.frameView()->setFocus();
        QTest::keyClick(window.frameView(), Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(window.findBar()->isVisible());
        auto *field = window.findBar()->findChild<QLineEdit *>();
        QVERIFY(field);
        QTRY_VERIFY(field->hasFocus());
        QTest::keyClicks(field, u"needle"_s);
        QTest::keyClick(field, Qt::Key_Return);
        const auto selectedFrame = [&window] {
            return window.frameView()->currentIndex().data(FrameIndexRole).toInt();
        };
        QTRY_COMPARE_WITH_TIMEOUT(selectedFrame(), matches[0], 5000);
        QCOMPARE(window.detailPane()->frameIndex(), matches[0]);
        QCOMPARE(window.detailPane()->payloadHexView()->highlightStart(), 4);
        QCOMPARE(window.detailPane()->payloadHexView()->highlightLength(), 6);
        QTest::keyClick(field, Qt::Key_F3);
        QTRY_COMPARE_WITH_TIMEOUT(selectedFrame(), matches[1], 5000);
        QTest::keyClick(field, Qt::Key_F3, Qt::ShiftModifier);
        QTRY_COMPARE_WITH_TIMEOUT(selectedFrame(), matches[0], 5000);
        // From the table too: F3 goes on from the selected frame.
        window.frameView()->setFocus();
        QTest::keyClick(window.frameView(), Qt::Key_F3);
        QTRY_COMPARE_WITH_TIMEOUT(selectedFrame(), matches[1], 5000);
        field->setFocus();
        QTest::keyClick(field, Qt::Key_Escape);
        QTRY_VERIFY(!window.findBar()->isVisible());
    }

    // The frame table starts with Wireshark-like columns (no mask key, no delta time); what the
    // user shows or hides (a right click on a header) stays so next time.
    void hiddenColumnsAreRemembered()
    {
        const int key = FrameTableModel::KeyColumn;
        const int length = FrameTableModel::LengthColumn;
        {
            MainWindow window;
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            ColumnChooser *chooser = window.columnChooser(window.frameView());
            QVERIFY(chooser);
            std::unique_ptr<QMenu> menu(chooser->createMenu(&window));
            QCOMPARE(menu->actions().size(), FrameTableModel::NUM_COLUMNS);
            const QHeaderView *header = window.frameView()->horizontalHeader();
            QVERIFY(header->isSectionHidden(key));
            QVERIFY(header->isSectionHidden(FrameTableModel::DeltaTimeColumn));
            QVERIFY(!header->isSectionHidden(length));
            // The payload preview is in view at the default size, not scrolled off to the right.
            QVERIFY(header->sectionViewportPosition(FrameTableModel::PayloadColumn) <
                    window.frameView()->viewport()->width());
            QVERIFY(chooser->setColumnVisible(key, true));
            QVERIFY(chooser->setColumnVisible(length, false));
            window.close();
        }
        {
            MainWindow window;
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            const QHeaderView *header = window.frameView()->horizontalHeader();
            QVERIFY(!header->isSectionHidden(key));
            QVERIFY(header->isSectionHidden(length));
            QVERIFY(!header->isSectionHidden(FrameTableModel::PayloadColumn));
            QVERIFY(window.columnChooser(window.frameView())->setColumnVisible(key, false));
            QVERIFY(window.columnChooser(window.frameView())->setColumnVisible(length, true));
            window.close();
        }
        MainWindow window;
        QVERIFY(window.frameView()->horizontalHeader()->isSectionHidden(key));
        QVERIFY(!window.frameView()->horizontalHeader()->isSectionHidden(length));
    }

    // A connection the window stops showing (a case's trace replaces it) is ended at once and no
    // longer recorded: a server that goes on sending writes nothing into the trace shown next.
    void abandonedConnectionWritesNothingMore()
    {
        test::ScriptedPeer peer;
        // After the handshake, a flood that lasts until the client is gone (it answers no close).
        QTimer flood;
        QByteArray burst;
        FrameSpec f;
        f.opcode = 1;
        f.payload = "flood";
        f.maskMode = MaskMode::None;
        for (int i = 0; i < 200; ++i)
            burst += encodeFrame(f);
        peer.onHandshake = [&flood](test::ScriptedPeer &p, const QByteArray &head) {
            p.send(test::ScriptedPeer::switchingProtocols(head));
            flood.start(0);
        };
        connect(&flood, &QTimer::timeout, &peer, [&peer, &burst] {
            if (!peer.clientGone())
                peer.send(burst);
        });
        TraceStore store;
        SessionController controller(&store);
        SessionSettings settings;
        settings.url = peer.url();
        controller.connectTo(settings);
        QTRY_VERIFY_WITH_TIMEOUT(store.trace().frames().size() > 1000, 10000);
        controller.abandon();
        QCOMPARE(controller.state(), SessionState::Closed);
        Trace shown;
        shown.setUrl(u"case"_s);
        store.reset(std::move(shown));
        // The server floods on until it sees the TCP connection gone.
        QTRY_VERIFY_WITH_TIMEOUT(peer.clientGone(), 5000);
        flood.stop();
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        store.drain();
        QCOMPARE(store.trace().frames().size(), size_t(0));
        QCOMPARE(store.trace().entries().size(), size_t(0));
        QCOMPARE(store.trace().url(), u"case"_s);
        QCOMPARE(controller.state(), SessionState::Closed);
    }

    // No spin box or combo box of the window inside a scroll area takes the mouse wheel without
    // the keyboard focus: the wheel scrolls the pane, the value stays.
    void wheelChangesNoValueWithoutFocus()
    {
        MainWindow window;
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.frameView()->setFocus(); // the keyboard focus is elsewhere
        QTRY_VERIFY(window.frameView()->hasFocus());
        int checked = 0;
        QList<QWidget *> boxes;
        for (QAbstractSpinBox *spin : window.findChildren<QAbstractSpinBox *>())
            boxes << spin;
        for (QComboBox *combo : window.findChildren<QComboBox *>())
            boxes << combo;
        for (QWidget *box : std::as_const(boxes)) {
            bool scrolled = false;
            for (QWidget *p = box->parentWidget(); p; p = p->parentWidget())
                scrolled = scrolled || qobject_cast<QScrollArea *>(p);
            if (!scrolled || !box->isVisible() || !box->isEnabled())
                continue;
            auto *area = [box] {
                for (QWidget *p = box->parentWidget(); p; p = p->parentWidget())
                    if (auto *a = qobject_cast<QScrollArea *>(p))
                        return a;
                return static_cast<QScrollArea *>(nullptr);
            }();
            area->ensureWidgetVisible(box);
            // Over the box in the window (not hidden behind the scroll area's edge).
            const QPoint centre = box->mapTo(area->viewport(), box->rect().center());
            if (!area->viewport()->rect().contains(centre))
                continue;
            const auto value = [box] {
                if (auto *combo = qobject_cast<QComboBox *>(box))
                    return QVariant(combo->currentIndex());
                return QVariant(static_cast<QAbstractSpinBox *>(box)->text());
            };
            const QVariant before = value();
            test::turnWheel(box, -1);
            test::turnWheel(box, 1);
            test::turnWheel(box, -1);
            QVERIFY2(value() == before, qPrintable(box->objectName()));
            QVERIFY2(!box->hasFocus(), qPrintable(box->objectName()));
            ++checked;
        }
        QVERIFY2(checked >= 5, qPrintable(QString::number(checked))); // the composer's, at least
    }

    // After a wss:// connection, a case's trace of a ws:// connection shown in the views: the
    // state badge describes the case's connection (no TLS), and the title names the case.
    void caseTraceBadgeDescribesTheCase()
    {
        QTemporaryFile ca;
        QVERIFY(ca.open());
        ca.write(EchoServer::certificatePem());
        ca.flush();
        EchoServer secure;
        EchoServer::Options options;
        options.tls = true;
        QVERIFY(secure.listen(options));
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        SessionSettings settings = window.connectionBar()->settings();
        settings.url = secure.url();
        settings.caFile = ca.fileName();
        window.connectionBar()->setSettings(settings);
        window.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
        QTRY_VERIFY(window.connectionBar()->badgeText().contains(u"TLS 1."_s));
        window.controller()->run({Step::makeKind(Step::Kind::Drop)});
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Closed, 5000);
        QVERIFY(window.connectionBar()->badgeText().contains(u"TLS"_s));

        auto trace = std::make_shared<Trace>();
        trace->setUrl(u"ws://127.0.0.1:9/"_s);
        CaseResult result;
        result.agent = u"some server"_s;
        result.trace = trace;
        window.showCaseResult(result);
        QVERIFY2(!window.connectionBar()->badgeText().contains(u"TLS"_s),
                 qPrintable(window.connectionBar()->badgeText()));
        QVERIFY(window.windowTitle().contains(u"some server"_s));
    }
};

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
