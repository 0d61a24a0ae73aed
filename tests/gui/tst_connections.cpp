// SPDX-License-Identifier: MIT
// The Connections list as a user drives it, offscreen: every connection is kept and recorded,
// Reconnect starts a new entry, a row click shows that connection's frames, a case's trace and
// an opened capture get entries of their own, rows are renamed and closed, and a running
// connection is never ended without asking.
#include "capture/capturefile.h"
#include "echo/echoserver.h"
#include "gui/connectionlist.h"
#include "gui/frametablemodel.h"
#include "gui/mainwindow.h"
#include "gui/sessioncontroller.h"
#include "gui/tracestore.h"
#include "testutils.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace wsi;
using namespace wsi::gui;
using namespace Qt::StringLiterals;

namespace {

using test::textMessage;

// The payloads of the text frames the views show now.
QList<QByteArray> shownTexts(const MainWindow &window)
{
    QList<QByteArray> out;
    const Trace &trace = window.store()->trace();
    for (const FrameRecord &f : trace.frames()) {
        if (f.opcode == 1)
            out << trace.framePayload(f); // RX payloads are read from the kept octets
    }
    return out;
}

// Clicks a row of the Connections list as a user would.
void clickRow(MainWindow &window, int row)
{
    QTableView *view = window.connectionsView();
    const QRect rect = view->visualRect(window.connections()->index(row, 0));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
}

// Answers the next message box with `button` once it is up.
void answerNextMessageBox(QMessageBox::StandardButton button, bool *seen)
{
    QTimer::singleShot(0, qApp, [button, seen] {
        QTRY_VERIFY(qobject_cast<QMessageBox *>(QApplication::activeModalWidget()));
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        *seen = true;
        box->button(button)->click();
    });
}

} // namespace

class tst_Connections : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_recordings;

    void prepare(MainWindow &window)
    {
        SessionController::Recording r;
        r.folder = m_recordings.path();
        window.controller()->setRecording(r);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
    }

    void runConnection(MainWindow &window, const QByteArray &text)
    {
        window.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
        window.controller()->run({textMessage(text), test::closeStep(1000)});
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Closed, 5000);
        window.store()->drain();
        QTRY_COMPARE(shownTexts(window).size(), 2); // ours and its echo
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_recordings.isValid());
    }

    void everyConnectionKept()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        QAbstractItemModelTester tester(window.connections(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        prepare(window);
        QCOMPARE(window.connections()->rowCount(), 0);

        runConnection(window, "first");
        QCOMPARE(window.connections()->rowCount(), 1);
        QCOMPARE(window.connections()->current(), 0);
        runConnection(window, "second"); // Reconnect: a new entry, the first one kept
        QCOMPARE(window.connections()->rowCount(), 2);
        QCOMPARE(window.connections()->current(), 1);
        QCOMPARE(shownTexts(window), (QList<QByteArray>{"second", "second"}));

        // The list says what each connection was (the shown one refreshes with the panels).
        const QAbstractItemModel *m = window.connections();
        for (int row = 0; row < 2; ++row) {
            QCOMPARE(m->index(row, ConnectionListModel::NameColumn).data().toString(),
                     echo.url().toString());
            QTRY_COMPARE(m->index(row, ConnectionListModel::StateColumn).data().toString(),
                         u"closed"_s);
            QTRY_COMPARE(m->index(row, ConnectionListModel::VerdictColumn).data().toString(),
                         u"OK"_s);
            // Our message and its echo, and the close handshake.
            QTRY_COMPARE(m->index(row, ConnectionListModel::FramesColumn).data().toString(),
                         u"2 / 2"_s);
        }
        QCOMPARE(m->index(1, 0).data(Qt::FontRole).value<QFont>().bold(), true);
        QCOMPARE(m->index(0, 0).data(Qt::FontRole).value<QFont>().bold(), false);

        // A click on the first row shows the first connection's frames, and back.
        clickRow(window, 0);
        QCOMPARE(window.connections()->current(), 0);
        QCOMPARE(shownTexts(window), (QList<QByteArray>{"first", "first"}));
        QVERIFY(window.frameModel()->rowCount() >= 4);
        clickRow(window, 1);
        QCOMPARE(shownTexts(window), (QList<QByteArray>{"second", "second"}));

        // Each live connection was recorded as it ran, and the recording reads back the same.
        for (int row = 0; row < 2; ++row) {
            const QString path = window.connections()->at(row).capturePath;
            QVERIFY2(path.startsWith(m_recordings.path()), qPrintable(path));
            const capture::LoadedCapture loaded = capture::loadCapture(path);
            QVERIFY2(loaded.error.isEmpty(), qPrintable(loaded.error));
            QCOMPARE(loaded.trace->frames().size(), size_t(4));
            QList<QByteArray> texts; // ours, and the echo read from the recorded octets
            for (const FrameRecord &f : loaded.trace->frames()) {
                if (f.opcode == 1)
                    texts << loaded.trace->framePayload(f);
            }
            const QByteArray text = row == 0 ? "first" : "second";
            QCOMPARE(texts, (QList<QByteArray>{text, text}));
        }

        // Rename (F2 in the list) and close.
        QVERIFY(window.connections()->setData(
            window.connections()->index(0, ConnectionListModel::NameColumn), u"before the fix"_s,
            Qt::EditRole));
        QCOMPARE(window.connections()->at(0).name, u"before the fix"_s);
        QVERIFY(!window.connections()->setData(
            window.connections()->index(0, ConnectionListModel::NameColumn), u"   "_s,
            Qt::EditRole));
        window.connectionsView()->setFocus();
        window.connectionsView()->selectionModel()->setCurrentIndex(
            window.connections()->index(1, 0),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QTest::keyClick(window.connectionsView(), Qt::Key_Delete);
        QCOMPARE(window.connections()->rowCount(), 1);
        // The views now show the one left.
        QCOMPARE(window.connections()->current(), 0);
        QCOMPARE(shownTexts(window), (QList<QByteArray>{"first", "first"}));
    }

    void casesAndCapturesGetEntries()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        prepare(window);
        runConnection(window, "live");

        // A case's trace: an entry of its own with the case's verdicts.
        auto trace = std::make_shared<Trace>();
        trace->setUrl(u"ws://127.0.0.1:9/"_s);
        TraceEvent closed;
        closed.kind = TraceEvent::Kind::StateChanged;
        closed.state = SessionState::Closed;
        trace->append(closed);
        CaseResult result;
        result.agent = u"some server"_s;
        result.trace = trace;
        result.verdict.behavior = Verdict::Failed;
        result.verdict.closing.verdict = CloseVerdict::Ok;
        window.showCaseResult(result);
        QCOMPARE(window.connections()->rowCount(), 2);
        QCOMPARE(window.connections()->current(), 1);
        QCOMPARE(
            window.connections()->index(1, ConnectionListModel::VerdictColumn).data().toString(),
            u"FAILED / OK"_s);
        QVERIFY(window.windowTitle().contains(u"some server"_s));

        // Save the live one as a capture, open it: a read-only entry with the same frames.
        clickRow(window, 0);
        QCOMPARE(shownTexts(window), (QList<QByteArray>{"live", "live"}));
        QTemporaryDir dir;
        const QString saved = dir.filePath(u"saved.pcapng"_s);
        QVERIFY(window.saveCaptureFile(saved));
        QVERIFY(window.openCaptureFile(saved));
        QCOMPARE(window.connections()->rowCount(), 3);
        QCOMPARE(window.connections()->current(), 2);
        QVERIFY(window.connections()->at(2).readOnly);
        // It is read in the background (tst_captureopen): the frames arrive as it is.
        QTRY_VERIFY(window.connections()->at(2).loader == nullptr);
        QTRY_COMPARE(shownTexts(window), (QList<QByteArray>{"live", "live"}));
        QVERIFY2(window.windowTitle().contains(u"saved.pcapng (from a file)"_s),
                 qPrintable(window.windowTitle()));
        QVERIFY(window.connections()
                    ->index(2, ConnectionListModel::StateColumn)
                    .data()
                    .toString()
                    .contains(u"from a file"_s));

        // Export HAR, open it: the messages, as a browser would have them.
        const QString har = dir.filePath(u"saved.har"_s);
        QVERIFY(window.exportHarFile(har));
        QVERIFY(window.openCaptureFile(har));
        QCOMPARE(window.connections()->rowCount(), 4);
        QCOMPARE(window.connections()->current(), 3);
        QCOMPARE(shownTexts(window), (QList<QByteArray>{"live", "live"}));
        QVERIFY(window.connections()->at(3).readOnly);
        clickRow(window, 2);
        QCOMPARE(window.connections()->current(), 2);

        // A file that is not a capture: refused with a message, the list unchanged.
        const QString junk = dir.filePath(u"junk.pcapng"_s);
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a capture at all");
        f.close();
        bool seen = false;
        answerNextMessageBox(QMessageBox::Ok, &seen);
        QVERIFY(!window.openCaptureFile(junk));
        QVERIFY(seen);
        QCOMPARE(window.connections()->rowCount(), 4);
        QCOMPARE(window.connections()->current(), 2);
    }

    void runningConnectionEndsOnlyWhenAgreed()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        prepare(window);
        runConnection(window, "earlier");
        window.connectToServer();
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
        QCOMPARE(window.connections()->rowCount(), 2);

        // Cancel: the connection goes on and stays shown.
        bool seen = false;
        answerNextMessageBox(QMessageBox::Cancel, &seen);
        clickRow(window, 0);
        QVERIFY(seen);
        QCOMPARE(window.controller()->state(), SessionState::Open);
        QCOMPARE(window.connections()->current(), 1);
        QCOMPARE(window.connectionsView()->currentIndex().row(), 1);

        // OK: it ends, what it recorded is kept, the other one is shown.
        seen = false;
        answerNextMessageBox(QMessageBox::Ok, &seen);
        clickRow(window, 0);
        QVERIFY(seen);
        QCOMPARE(window.connections()->current(), 0);
        QCOMPARE(shownTexts(window), (QList<QByteArray>{"earlier", "earlier"}));
        QVERIFY(window.controller()->state() == SessionState::Closed ||
                window.controller()->state() == SessionState::Idle);
        // The ended one says so, in the list and in its trace.
        QCOMPARE(window.connections()->index(1, ConnectionListModel::StateColumn).data().toString(),
                 u"ended while open"_s);
        clickRow(window, 1);
        QVERIFY(!test::noteTexts(window.store()->trace())
                     .filter(u"what followed is not recorded"_s)
                     .isEmpty());
    }

    void recordingThatCannotStartIsSaid()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        prepare(window);
        // A file where the folder should be: the connection runs, the user is told.
        QTemporaryDir dir;
        const QString notAFolder = dir.filePath(u"file"_s);
        QFile f(notAFolder);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        SessionController::Recording r;
        r.folder = notAFolder;
        window.controller()->setRecording(r);
        window.connectToServer();
        QTRY_VERIFY(window.statusBar()->currentMessage().contains(u"Recording is off"_s));
        QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
        QCOMPARE(window.connections()->at(0).capturePath, QString());
    }
};

QTEST_MAIN(tst_Connections)
#include "tst_connections.moc"
