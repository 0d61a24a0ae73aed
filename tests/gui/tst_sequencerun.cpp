// SPDX-License-Identifier: MIT
// Running a sequence from the sequence editor against a real server (an in-process
// QWebSocketServer that records what it receives and echoes it): the running step is marked, Stop
// stops what is left, Connect and Run connects first, every run ends exactly once; replacing the
// steps with a scenario can be undone and forgets the old file name.
#include "gui/sequencewidget.h"
#include "gui/sessioncontroller.h"
#include "gui/steplistmodel.h"
#include "gui/tracestore.h"
#include "suite/scenario.h"
#include "testutils.h"

#include <QFont>
#include <QFrame>
#include <QImage>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace Qt::StringLiterals;
using namespace wsi;
using namespace wsi::gui;
using namespace wsi::test;

namespace {

// The server side: every text message it receives, in order, echoed back.
class RecordingEcho final : public QObject
{
public:
    RecordingEcho() : m_server(u"tst_sequencerun"_s, QWebSocketServer::NonSecureMode)
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                m_sockets << socket;
                connect(socket, &QWebSocket::textMessageReceived, this,
                        [this, socket](const QString &message) {
                            received << message;
                            socket->sendTextMessage(message);
                        });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    [[nodiscard]] QUrl url() const
    {
        return QUrl(u"ws://127.0.0.1:%1/"_s.arg(m_server.serverPort()));
    }
    void closeClients()
    {
        for (QWebSocket *socket : std::as_const(m_sockets))
            socket->close(QWebSocketProtocol::CloseCodeGoingAway);
    }

    QStringList received;

private:
    QWebSocketServer m_server;
    QList<QWebSocket *> m_sockets;
};

Step message(const char *text)
{
    Step s = Step::makeKind(Step::Kind::Message);
    s.payload = text;
    return s;
}

Step delay(double seconds)
{
    return timerStep(Step::Kind::Delay, seconds);
}

// The sequence editor, a controller and a server, wired as the window wires them: Run runs the
// sequence on the connection, Connect and Run connects first.
struct Rig
{
    RecordingEcho echo;
    TraceStore store;
    SessionController controller{&store};
    SequenceWidget sequence;
    QSignalSpy started{&controller, &SessionController::sequenceStarted};
    QSignalSpy stepStarted{&controller, &SessionController::sequenceStepStarted};
    QSignalSpy finished{&controller, &SessionController::sequenceFinished};

    Rig()
    {
        if (!echo.listen())
            qFatal("the test server cannot listen");
        connectSequenceToController(&sequence, &controller);
        QObject::connect(&sequence, &SequenceWidget::runRequested, &controller,
                         [this](const StepList &steps) { controller.runSequence(steps); });
        QObject::connect(&sequence, &SequenceWidget::connectAndRunRequested, &controller,
                         [this](const StepList &steps) {
                             controller.connectTo(settingsFor(echo.url()));
                             controller.runSequence(steps);
                         });
        sequence.resize(600, 420);
        sequence.show();
    }
    bool connectNow()
    {
        controller.connectTo(settingsFor(echo.url()));
        return QTest::qWaitFor([this] { return controller.state() == SessionState::Open; });
    }
    template <typename T>
    T *get(const char *name) const
    {
        T *widget = sequence.findChild<T *>(QString::fromLatin1(name));
        if (!widget)
            qFatal("no child %s", name);
        return widget;
    }
    QPushButton *runButton() const { return get<QPushButton>("runButton"); }
    QPushButton *stopButton() const { return get<QPushButton>("stopButton"); }
    QPushButton *connectAndRunButton() const { return get<QPushButton>("connectAndRunButton"); }
    [[nodiscard]] QList<int> startedIndexes() const
    {
        QList<int> out;
        for (const QList<QVariant> &args : stepStarted)
            out << args.at(0).toInt();
        return out;
    }
    // The rows marked as running, as the view shows them (the marker role and the bold font).
    [[nodiscard]] QList<int> markedRows() const
    {
        QList<int> rows;
        const StepListModel *model = sequence.model();
        for (int row = 0; row < model->rowCount(); ++row) {
            const QModelIndex index = model->index(row, 0);
            const bool marked = index.data(StepListModel::RunningRole).toBool();
            const bool bold = index.data(Qt::FontRole).value<QFont>().bold();
            if (marked != bold)
                qWarning("row %d: marked %d but bold %d", row, marked, bold);
            if (marked)
                rows << row;
        }
        return rows;
    }
    // Steps sent after the sequence: they arrive once everything before them is through, so
    // they are the point after which nothing more of the sequence can come.
    bool barrier(const StepList &steps, const char *last)
    {
        controller.run(steps);
        return QTest::qWaitFor(
            [this, last] { return echo.received.contains(QString::fromLatin1(last)); }, 10000);
    }
};

// Pixels of a widget as painted: the colour at `at`.
QColor pixelAt(QWidget *widget, QPoint at)
{
    return widget->grab().toImage().pixelColor(at * widget->devicePixelRatioF());
}

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    p.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
    p.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    p.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xe8));
    p.setColor(QPalette::Highlight, QColor(0x2a, 0x82, 0xda));
    p.setColor(QPalette::HighlightedText, Qt::white);
    return p;
}

} // namespace

class TestSequenceRun : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runMarksEachStepInOrder();
    void stopDuringADelaySendsNothingMore();
    void connectAndRunSendsOnceOpen();
    void trailingDelayEndsOnce();
    void closedConnectionEndsTheRun();
    void scenarioReplacesWithUndo();
    void bannerFollowsADarkPalette();
};

void TestSequenceRun::runMarksEachStepInOrder()
{
    Rig rig;
    QVERIFY(rig.connectNow());
    rig.sequence.setSteps({message("one"), delay(0.5), message("two")});
    QVERIFY(rig.runButton()->isEnabled());
    QVERIFY(!rig.stopButton()->isEnabled());
    QVERIFY(!rig.connectAndRunButton()->isEnabled()); // there is a connection already

    QTest::mouseClick(rig.runButton(), Qt::LeftButton);
    QCOMPARE(rig.started.size(), 1);
    QVERIFY(!rig.runButton()->isEnabled());
    QVERIFY(rig.stopButton()->isEnabled());

    // During the delay: the delay is the marked row, the first message has arrived.
    QTRY_COMPARE(rig.startedIndexes(), (QList<int>{0, 1}));
    QCOMPARE(rig.markedRows(), QList<int>{1});
    QTRY_COMPARE(rig.echo.received, QStringList{u"one"_s});
    QVERIFY(rig.controller.isSequenceRunning());

    QTRY_COMPARE(rig.finished.size(), 1);
    QCOMPARE(rig.startedIndexes(), (QList<int>{0, 1, 2}));
    QTRY_COMPARE(rig.echo.received, (QStringList{u"one"_s, u"two"_s}));
    QCOMPARE(rig.markedRows(), QList<int>{});
    QVERIFY(rig.runButton()->isEnabled());
    QVERIFY(!rig.stopButton()->isEnabled());
    QVERIFY(!rig.controller.isSequenceRunning());

    // A composer action afterwards ends its own steps: the sequence does not end again.
    QVERIFY(rig.barrier({message("after")}, "after"));
    QCOMPARE(rig.finished.size(), 1);
    QCOMPARE(rig.stepStarted.size(), 3);
}

void TestSequenceRun::stopDuringADelaySendsNothingMore()
{
    Rig rig;
    QVERIFY(rig.connectNow());
    rig.sequence.setSteps({message("one"), delay(0.5), message("two"), message("three")});
    QTest::mouseClick(rig.runButton(), Qt::LeftButton);
    QTRY_COMPARE(rig.markedRows(), QList<int>{1});
    QTRY_COMPARE(rig.echo.received, QStringList{u"one"_s});

    QTest::mouseClick(rig.stopButton(), Qt::LeftButton);
    QCOMPARE(rig.finished.size(), 1);
    QCOMPARE(rig.markedRows(), QList<int>{});
    QVERIFY(!rig.stopButton()->isEnabled());
    QVERIFY(rig.runButton()->isEnabled());

    // Past the moment the stopped delay would have ended (this delay is longer, and starts
    // later): only the barrier's message arrived.
    QVERIFY(rig.barrier({delay(0.8), message("after")}, "after"));
    QCOMPARE(rig.echo.received, (QStringList{u"one"_s, u"after"_s}));
    QCOMPARE(rig.finished.size(), 1);
    QCOMPARE(rig.startedIndexes(), (QList<int>{0, 1}));
    // The wire log says why the rest did not run, and has no timeout of the stopped delay.
    int timeouts = 0;
    bool noted = false;
    const auto readTrace = [&] {
        rig.store.drain();
        timeouts = 0;
        noted = false;
        for (const TraceEvent &e : rig.store.trace().events()) {
            timeouts += e.kind == TraceEvent::Kind::DelayTimeout;
            noted = noted || (e.kind == TraceEvent::Kind::Note && e.text.contains(u"stopped"_s) &&
                              e.text.contains(u"2 step(s) not run"_s));
        }
        return timeouts > 0;
    };
    QTRY_VERIFY(readTrace()); // the barrier's delay is recorded
    QCOMPARE(timeouts, 1);    // and only it
    QVERIFY(noted);

    // The sequence can run again.
    QTest::mouseClick(rig.runButton(), Qt::LeftButton);
    QTRY_COMPARE(rig.finished.size(), 2);
    QTRY_COMPARE(rig.echo.received.size(), 5);
    QCOMPARE(rig.echo.received.mid(2), (QStringList{u"one"_s, u"two"_s, u"three"_s}));
}

void TestSequenceRun::connectAndRunSendsOnceOpen()
{
    Rig rig;
    rig.sequence.setSteps({message("one"), message("two")});
    QCOMPARE(rig.controller.state(), SessionState::Idle);
    QVERIFY(rig.connectAndRunButton()->isEnabled());
    QList<SessionState> statesAtSteps;
    QObject::connect(&rig.controller, &SessionController::sequenceStepStarted, &rig.controller,
                     [&] { statesAtSteps << rig.controller.state(); });

    QTest::mouseClick(rig.connectAndRunButton(), Qt::LeftButton);
    QCOMPARE(rig.controller.state(), SessionState::Connecting);
    QVERIFY(!rig.connectAndRunButton()->isEnabled());
    QVERIFY(rig.stopButton()->isEnabled());
    QTRY_COMPARE(rig.finished.size(), 1);
    QTRY_COMPARE(rig.echo.received, (QStringList{u"one"_s, u"two"_s}));
    QCOMPARE(statesAtSteps, (QList<SessionState>{SessionState::Open, SessionState::Open}));
    QCOMPARE(rig.startedIndexes(), (QList<int>{0, 1}));
    QCOMPARE(rig.controller.state(), SessionState::Open);
    QVERIFY(!rig.connectAndRunButton()->isEnabled()); // connected now: Run is the one
    QVERIFY(rig.runButton()->isEnabled());

    // Once the connection is gone it is offered again.
    rig.controller.disconnectFromServer();
    QTRY_COMPARE(rig.controller.state(), SessionState::Closed);
    QVERIFY(rig.connectAndRunButton()->isEnabled());
    QCOMPARE(rig.finished.size(), 1);
}

void TestSequenceRun::trailingDelayEndsOnce()
{
    Rig rig;
    QVERIFY(rig.connectNow());
    rig.sequence.setSteps({message("one"), delay(0.6)});
    QTest::mouseClick(rig.runButton(), Qt::LeftButton);
    QTRY_COMPARE(rig.markedRows(), QList<int>{1});
    QCOMPARE(rig.finished.size(), 0); // still waiting
    QTRY_COMPARE(rig.finished.size(), 1);
    QCOMPARE(rig.markedRows(), QList<int>{});
    QVERIFY(rig.runButton()->isEnabled());
    QVERIFY(rig.barrier({message("after")}, "after"));
    QCOMPARE(rig.finished.size(), 1);
}

void TestSequenceRun::closedConnectionEndsTheRun()
{
    Rig rig;
    QVERIFY(rig.connectNow());
    rig.sequence.setSteps({message("one"), delay(30), message("two")});
    QTest::mouseClick(rig.runButton(), Qt::LeftButton);
    QTRY_COMPARE(rig.markedRows(), QList<int>{1});
    rig.echo.closeClients();
    QTRY_COMPARE(rig.controller.state(), SessionState::Closed);
    QCOMPARE(rig.finished.size(), 1);
    QCOMPARE(rig.markedRows(), QList<int>{});
    QVERIFY(!rig.stopButton()->isEnabled());
    QCOMPARE(rig.echo.received, QStringList{u"one"_s});
}

void TestSequenceRun::scenarioReplacesWithUndo()
{
    SequenceWidget sequence;
    sequence.show();
    QSignalSpy pathChanged(&sequence, &SequenceWidget::filePathChanged);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"mine.json"_s);
    const StepList mine = {message("mine"), delay(1)};
    sequence.setSteps(mine);
    QVERIFY(sequence.saveTo(path));
    QCOMPARE(sequence.filePath(), path);
    QCOMPARE(pathChanged.size(), 1);

    Scenario opened;
    opened.name = u"Case 5.19"_s;
    opened.steps = {message("case"), message("steps"), message("here")};
    sequence.setScenario(opened);
    QCOMPARE(sequence.model()->count(), 3);
    QCOMPARE(sequence.filePath(), QString());
    QCOMPARE(pathChanged.size(), 2);
    QCOMPARE(pathChanged.last().at(0).toString(), QString());
    QVERIFY(sequence.scenario().name == u"Case 5.19"_s);
    QVERIFY2(sequence.message().contains(u"Case 5.19"_s), qPrintable(sequence.message()));
    QVERIFY2(!sequence.message().contains(u"mine.json"_s), qPrintable(sequence.message()));
    auto *undo = sequence.findChild<QPushButton *>(u"undoButton"_s);
    QVERIFY(undo && undo->isVisible());

    QTest::mouseClick(undo, Qt::LeftButton);
    QCOMPARE(sequence.model()->count(), 2);
    QCOMPARE(sequence.steps().at(0).payload, QByteArray("mine"));
    QCOMPARE(sequence.steps().at(1).kind, Step::Kind::Delay);
    // The steps are the file's again, under its name; the case's name is gone.
    QCOMPARE(sequence.filePath(), path);
    QCOMPARE(pathChanged.last().at(0).toString(), path);
    QCOMPARE(sequence.scenario().name, u"mine"_s);
    QVERIFY(!undo->isVisible());

    // Into an empty editor there is nothing to undo, and still no old file name.
    SequenceWidget empty;
    empty.show();
    empty.setScenario(opened);
    QCOMPARE(empty.model()->count(), 3);
    QVERIFY(!empty.findChild<QPushButton *>(u"undoButton"_s)->isVisible());
    QCOMPARE(empty.filePath(), QString());
}

// The banner (and its Undo button) follows the palette, also when it changes while shown.
void TestSequenceRun::bannerFollowsADarkPalette()
{
    SequenceWidget sequence;
    sequence.resize(600, 420);
    sequence.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sequence));
    sequence.setSteps({message("a")});
    Scenario other;
    other.steps = {message("b")};
    sequence.setScenario(other);
    auto *frame = sequence.findChild<QFrame *>(u"messageFrame"_s);
    auto *undo = sequence.findChild<QPushButton *>(u"undoButton"_s);
    QVERIFY(frame && frame->isVisible() && undo->isVisible());
    const QPoint inside(frame->width() / 2, 2); // above the text, inside the border
    QVERIFY2(pixelAt(frame, inside).lightness() > 160, "a light palette's banner is light");

    sequence.setPalette(darkPalette());
    QTRY_VERIFY2(pixelAt(frame, inside).lightness() < 100, "the banner stayed light");
    const QColor button = pixelAt(undo, QPoint(6, undo->height() / 2)); // beside its text
    QVERIFY2(button.lightness() < 110, qPrintable(button.name()));
    // Its text is the palette's light text, not a fixed dark colour.
    auto *label = sequence.findChild<QLabel *>(u"messageLabel"_s);
    QVERIFY(label->palette().color(label->foregroundRole()).lightness() > 160);
}

QTEST_MAIN(TestSequenceRun)
#include "tst_sequencerun.moc"
