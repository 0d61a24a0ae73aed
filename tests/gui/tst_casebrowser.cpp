// SPDX-License-Identifier: MIT
// The case browser as a user drives it, offscreen: select cases in the tree, run them against the
// embedded echo server, read the coloured results, open one in the window's views, export the
// reports; cancel a long run; open a case as a scenario; the models under
// QAbstractItemModelTester.
#include "echo/echoserver.h"
#include "gui/casebrowser.h"
#include "gui/casemodels.h"
#include "gui/closingpanel.h"
#include "gui/connectionlist.h"
#include "gui/frametablemodel.h"
#include "gui/mainwindow.h"
#include "gui/sequencewidget.h"
#include "gui/sessioncontroller.h"
#include "gui/tracestore.h"
#include "suite/scenario.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

using namespace wsi;
using namespace wsi::gui;
using namespace Qt::StringLiterals;

class tst_CaseBrowser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // The window records the cases it runs: into the test's folders, never the user's.
        QStandardPaths::setTestModeEnabled(true);
    }

    void treeModelHoldsTheLibrary()
    {
        CaseTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.casesUnder(QModelIndex()).size(), caseLibrary().size());
        // Group 1 holds 1.1 and 1.2 with eight cases each; the 2.x cases sit in group 2.
        const QModelIndex g1 = model.index(0, 0);
        QCOMPARE(g1.data().toString(), u"1"_s);
        QCOMPARE(model.rowCount(g1), 2);
        QCOMPARE(model.casesUnder(g1).size(), 16);
        const QModelIndex c22 = model.indexOf(u"2.2"_s);
        QVERIFY(c22.isValid());
        QCOMPARE(model.caseAt(c22)->id, u"2.2"_s);
        QCOMPARE(model.parent(c22).data().toString(), u"2"_s);
        const QString tip = model.data(c22, Qt::ToolTipRole).toString();
        QVERIFY(tip.contains(findCase(u"2.2"_s)->description));
        QVERIFY(tip.contains(findCase(u"2.2"_s)->expectation));
        // 6.2.1's description holds the reference's <br> breaks: one line in the tree.
        const QString d621 =
            model
                .index(model.indexOf(u"6.2.1"_s).row(), CaseTreeModel::DescriptionColumn,
                       model.parent(model.indexOf(u"6.2.1"_s)))
                .data()
                .toString();
        QVERIFY(!d621.contains(u"<br>"_s));
        QVERIFY(d621.startsWith(u"Send a valid UTF-8 text message in one fragment."_s));
    }

    void filterByPatternAndWords()
    {
        MainWindow window;
        CaseBrowser *browser = window.caseBrowser();
        auto *filter = browser->findChild<QLineEdit *>(u"filterEdit"_s);
        auto *tree = browser->findChild<QTreeView *>(u"caseTree"_s);
        QVERIFY(filter && tree);
        const auto visibleCases = [tree] {
            int n = 0;
            std::function<void(const QModelIndex &)> walk = [&](const QModelIndex &parent) {
                for (int r = 0; r < tree->model()->rowCount(parent); ++r) {
                    const QModelIndex i = tree->model()->index(r, 0, parent);
                    if (!i.data(CaseTreeModel::CaseIdRole).toString().isEmpty())
                        ++n;
                    walk(i);
                }
            };
            walk(QModelIndex());
            return n;
        };
        QTest::keyClicks(filter, u"6.4.*"_s);
        QCOMPARE(visibleCases(), 4);
        filter->clear();
        QTest::keyClicks(filter, u"two close frames"_s);
        QCOMPARE(visibleCases(), 1);
        filter->clear();
        QCOMPARE(visibleCases(), int(caseLibrary().size()));
    }

    void runSelectionShowsColouredResultsAndOpensATrace()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        window.resize(1400, 900);
        window.show();
        CaseBrowser *browser = window.caseBrowser();
        QVERIFY(browser);
        QAbstractItemModelTester tester(browser->resultModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(browser->selectCases(u"2.*"_s), 11);
        auto *runSelected = browser->findChild<QPushButton *>(u"runSelectedButton"_s);
        QVERIFY(runSelected && runSelected->isEnabled());
        QTest::mouseClick(runSelected, Qt::LeftButton);
        QVERIFY(browser->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!browser->isRunning(), 60000);
        CaseResultModel *results = browser->resultModel();
        QCOMPARE(results->rowCount(), 11);
        for (int row = 0; row < results->rowCount(); ++row) {
            const QModelIndex cell = results->index(row, CaseResultModel::ResultColumn);
            QCOMPARE(cell.data().toString(), CaseResultModel::tr("Pass"));
            QCOMPARE(cell.data(CaseResultModel::BehaviorRole).toInt(), int(Verdict::Ok));
            QCOMPARE(cell.data(Qt::BackgroundRole).value<QColor>(),
                     CaseResultModel::verdictBackground(VerdictTone::Pass));
        }
        // 2.5 (a 126-octet ping): the server fails the connection with 1002.
        QCOMPARE(results->index(4, CaseResultModel::CaseColumn).data().toString(), u"2.5"_s);
        QCOMPARE(results->index(4, CaseResultModel::CloseColumn).data().toString(), u"1002"_s);
        auto *progress = browser->findChild<QProgressBar *>(u"progressBar"_s);
        QCOMPARE(progress->value(), 11);
        QVERIFY(browser->progressText().contains(u"11 of 11"_s));

        // Opening 2.2's result shows its trace: ping out, pong in, the case's closing verdict.
        auto *view = browser->findChild<QTableView *>(u"resultView"_s);
        const QModelIndex r22 = results->index(1, CaseResultModel::CaseColumn);
        QCOMPARE(r22.data().toString(), u"2.2"_s);
        view->setCurrentIndex(r22);
        QTest::mouseClick(browser->findChild<QPushButton *>(u"openResultButton"_s), Qt::LeftButton);
        const CaseResult *r = results->resultAt(1);
        QVERIFY(r && r->trace);
        QCOMPARE(window.store()->trace().frames().size(), r->trace->frames().size());
        QCOMPARE(window.frameModel()->rowCount(), int(r->trace->frames().size()));
        QCOMPARE(window.frameModel()->index(0, FrameTableModel::OpcodeColumn).data().toString(),
                 FrameTableModel::opcodeText(9));
        QCOMPARE(window.closingPanel()->verdictText(), u"Connection was properly closed (OK)"_s);

        // Export: index.json and index.html plus a JSON and HTML page per case.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QCOMPARE(browser->exportReports(dir.path()), QString());
        QFile index(dir.filePath(u"index.json"_s));
        QVERIFY(index.open(QIODevice::ReadOnly));
        const QJsonObject agents = QJsonDocument::fromJson(index.readAll()).object();
        QCOMPARE(agents.size(), 1);
        const QJsonObject cases = agents.begin().value().toObject();
        QCOMPARE(cases.size(), 11);
        QCOMPARE(cases.value(u"2.2"_s).toObject().value(u"behavior"_s).toString(), u"OK"_s);
        QVERIFY(QFile::exists(dir.filePath(u"index.html"_s)));
        QCOMPARE(QDir(dir.path()).entryList({u"*.html"_s}).size(), 12);
        QCOMPARE(QDir(dir.path()).entryList({u"*.json"_s}).size(), 12);
    }

    // Show Trace of a case, Save Capture As, reopen: the entry is that case again, with the
    // verdicts it had (from the case annotation, docs/captures.md §3.4), not a plain connection's.
    void savedCaseCaptureReopensWithItsVerdict()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        QTemporaryDir recordings;
        MainWindow window(echo.url());
        SessionController::Recording recording;
        recording.folder = recordings.path();
        window.controller()->setRecording(recording);
        window.resize(1400, 900);
        window.show();
        CaseBrowser *browser = window.caseBrowser();
        QCOMPARE(browser->selectCases(u"7.5.1"_s), 1);
        QTest::mouseClick(browser->findChild<QPushButton *>(u"runSelectedButton"_s),
                          Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!browser->isRunning(), 30000);
        auto *view = browser->findChild<QTableView *>(u"resultView"_s);
        view->setCurrentIndex(browser->resultModel()->index(0, CaseResultModel::CaseColumn));
        QTest::mouseClick(browser->findChild<QPushButton *>(u"openResultButton"_s), Qt::LeftButton);
        const CaseResult *live = browser->resultModel()->resultAt(0);
        QVERIFY(live && live->trace);
        ConnectionListModel *list = window.connections();
        const int caseRow = list->current();
        const QString verdictCell =
            list->index(caseRow, ConnectionListModel::VerdictColumn).data().toString();
        QCOMPARE(verdictCell, verdictText(live->verdict.behavior) + u" / "_s +
                                  verdictText(live->verdict.closing.verdict));
        const QString closingText = window.closingPanel()->verdictText();

        // The run was recorded as it ran, one capture per case named like its reports, in a
        // folder of the run's own; the entry says where.
        const QStringList runs =
            QDir(recordings.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QCOMPARE(runs.size(), 1);
        QVERIFY2(runs[0].endsWith(u" cases"_s), qPrintable(runs[0]));
        const QString recorded =
            QDir(recordings.path())
                .filePath(runs[0] + u"/websocketinspector_echo_case_7_5_1.pcapng"_s);
        QCOMPARE(QDir(recordings.path()).entryList({u"*"_s}, QDir::Files).size(), 0);
        QCOMPARE(QDir(QFileInfo(recorded).path()).entryList(QDir::Files),
                 QStringList{QFileInfo(recorded).fileName()});
        QCOMPARE(list->at(caseRow).capturePath, recorded);

        QTemporaryDir dir;
        const QString saved = dir.filePath(u"case.pcapng"_s);
        QVERIFY(window.saveCaptureFile(saved));
        QVERIFY(window.openCaptureFile(saved));
        const int reopened = list->current();
        QVERIFY(reopened != caseRow);
        // The file is read in the background: the entry is there at once, the case when read.
        QVERIFY(list->at(reopened).readOnly);
        QTRY_VERIFY(list->at(reopened).caseResult);
        const KeptConnection &entry = list->at(reopened);
        QCOMPARE(entry.caseResult->definition->id, u"7.5.1"_s);
        QCOMPARE(entry.caseResult->verdict.result, live->verdict.result);
        QCOMPARE(list->index(reopened, ConnectionListModel::VerdictColumn).data().toString(),
                 verdictCell);
        QCOMPARE(window.closingPanel()->verdictText(), closingText);
        QCOMPARE(window.store()->trace().frames().size(), live->trace->frames().size());
        QVERIFY2(window.windowTitle().contains(u"Case 7.5.1"_s), qPrintable(window.windowTitle()));

        // Going to the other entry and back shows the case's verdicts again.
        QVERIFY(list->rowCount() >= 2);
        window.connectionsView()->selectionModel()->setCurrentIndex(
            list->index(caseRow, 0),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        window.connectionsView()->selectionModel()->setCurrentIndex(
            list->index(reopened, 0),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(list->current(), reopened);
        QCOMPARE(window.closingPanel()->verdictText(), closingText);

        // The recorded capture reopens as the case too.
        QVERIFY(window.openCaptureFile(recorded));
        QTRY_VERIFY(list->at(list->current()).caseResult);
        const KeptConnection &fromRecording = list->at(list->current());
        QCOMPARE(fromRecording.caseResult->verdict.result, live->verdict.result);
        QCOMPARE(list->index(list->current(), ConnectionListModel::VerdictColumn).data().toString(),
                 verdictCell);
        QCOMPARE(window.closingPanel()->verdictText(), closingText);
    }

    void cancelStopsALongRun()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        MainWindow window(echo.url());
        CaseBrowser *browser = window.caseBrowser();
        QCOMPARE(browser->selectCases(u"6.4.*"_s), 4); // each waits two seconds and more
        browser->runSelected();
        QTRY_COMPARE(browser->resultModel()->index(0, CaseResultModel::ResultColumn).data(),
                     QVariant(CaseResultModel::tr("Running…")));
        QTest::mouseClick(browser->findChild<QPushButton *>(u"cancelButton"_s), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!browser->isRunning(), 5000);
        QCOMPARE(browser->resultModel()->index(3, CaseResultModel::ResultColumn).data().toString(),
                 CaseResultModel::tr("Skipped"));
    }

    void openAsScenarioFillsTheSequence()
    {
        MainWindow window;
        CaseBrowser *browser = window.caseBrowser();
        QCOMPARE(browser->selectCases(u"5.19"_s), 1);
        auto *open = browser->findChild<QPushButton *>(u"openAsScenarioButton"_s);
        QVERIFY(open->isEnabled());
        QTest::mouseClick(open, Qt::LeftButton);
        const Scenario s = window.sequence()->scenario();
        QCOMPARE(s.steps.size(), findCase(u"5.19"_s)->steps.size());
        const auto asCase = caseFromScenario(s);
        QVERIFY(asCase.has_value());
        QCOMPARE(asCase->id, u"5.19"_s);
    }

    void urlThatIsNotWebSocketIsRefusedInline()
    {
        MainWindow window(QUrl(u"http://127.0.0.1:1/"_s));
        CaseBrowser *browser = window.caseBrowser();
        QCOMPARE(browser->selectCases(u"1.1.1"_s), 1);
        browser->runSelected();
        QVERIFY(!browser->isRunning());
        QCOMPARE(browser->resultModel()->rowCount(), 0);
    }
};

QTEST_MAIN(tst_CaseBrowser)
#include "tst_casebrowser.moc"
