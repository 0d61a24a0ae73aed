// SPDX-License-Identifier: MIT
// `make screenshots`: drives the real window against the embedded echo server and saves PNGs of
// it in use into the folder given as the first argument (docs/screenshots/).
// `wsi-screenshots DIR light|dark de FILE.qm`: the same in German, with the translation compiled
// from translations/wsinspector_de.ts (the executable's resource is not linked in here).
// WSI_SCREENSHOT_SIZE=1280x800 takes them at another window size (the default is 1600x1000);
// the file names then carry the size ("main-window-1280x800-de-dark.png"). `make screenshots`
// takes every combination of 1600x1000 and 1280x800, English and German, light and dark.
#include "echo/echoserver.h"
#include "gui/casebrowser.h"
#include "gui/casemodels.h"
#include "gui/closingpanel.h"
#include "gui/comparewindow.h"
#include "gui/composerwidget.h"
#include "gui/connectionbar.h"
#include "gui/connectionlist.h"
#include "gui/framedetailpane.h"
#include "gui/mainwindow.h"
#include "gui/sessioncontroller.h"
#include "gui/tableactions.h"
#include "gui/tracestore.h"
#include "protocol/permessagedeflate.h"
#include "suite/cases.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QLibraryInfo>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QProcess>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTimer>
#include <QTranslator>

#include <numeric>

using namespace Qt::StringLiterals;
using namespace wsi;

namespace {

void waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

void pause(int ms)
{
    waitFor([] { return false; }, ms);
}

FrameSpec frame(int opcode, const QByteArray &payload, bool fin, int chop, bool sync)
{
    FrameSpec f;
    f.opcode = opcode;
    f.payload = payload;
    f.fin = fin;
    f.chopSize = chop;
    f.sync = sync;
    return f;
}

// The window with a popup (a context menu) drawn where it is shown: popups are windows of their
// own, which QWidget::grab() of the main window leaves out.
QImage grabWithPopup(QWidget *window, QWidget *popup)
{
    QImage image = window->grab().toImage();
    QPainter painter(&image);
    // Logical coordinates: the painter follows the image's device pixel ratio.
    painter.drawPixmap(window->mapFromGlobal(popup->mapToGlobal(QPoint(0, 0))), popup->grab());
    return image;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"WebSocketInspector-Screenshots"_s);
    const QString outDir = argc > 1 ? QString::fromLocal8Bit(argv[1]) : u"docs/screenshots"_s;
    QDir().mkpath(outDir);
    const bool dark = argc > 2 && QByteArray(argv[2]) == "dark";
    QTranslator translator;
    QTranslator qtTranslator;
    if (argc > 3 && QByteArray(argv[3]) == "de") {
        const QString qm = argc > 4 ? QString::fromLocal8Bit(argv[4]) : QString();
        if (!translator.load(qm)) {
            qWarning("cannot load the German translation \"%s\"", qPrintable(qm));
            return 1;
        }
        QApplication::installTranslator(&translator);
        // Numbers as a German system shows them ("1,5 s").
        QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
        // Qt's own strings (dialog buttons, context menus), as the window loads them.
        if (qtTranslator.load(QLocale(QLocale::German), u"qtbase"_s, u"_"_s,
                              QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            QApplication::installTranslator(&qtTranslator);
    }

    // Every run starts from the defaults (a previous run's columns and splits are not kept).
    QSettings().clear();
    // The window records every connection, as by default, into a folder that goes with the run.
    QTemporaryDir recordings;
    QSettings().setValue(u"recording/folder"_s, recordings.path());
    EchoServer echo;
    echo.listen();
    gui::MainWindow window(echo.url());
    window.applyTheme(dark ? gui::MainWindow::Theme::Dark : gui::MainWindow::Theme::Light);
    QSize size(1600, 1000);
    const QList<QByteArray> wanted = qgetenv("WSI_SCREENSHOT_SIZE").split('x');
    if (wanted.size() == 2 && wanted[0].toInt() > 0 && wanted[1].toInt() > 0)
        size = QSize(wanted[0].toInt(), wanted[1].toInt());
    window.resize(size);
    QString suffix;
    if (size != QSize(1600, 1000))
        suffix += u"-%1x%2"_s.arg(size.width()).arg(size.height());
    if (argc > 3 && QByteArray(argv[3]) == "de")
        suffix += u"-de"_s;
    if (dark)
        suffix += u"-dark"_s;
    window.show();
    pause(300);

    window.connectToServer();
    waitFor([&] { return window.controller()->state() == SessionState::Open; }, 5000);

    // A fragmented text message with a ping in the middle, every frame chopped and synced, then
    // a frame that breaks the rules (RSV bits) which the echo server answers with close 1002.
    FrameSpec composed = frame(1, "Hello, ", false, 1, true);
    composed.rsv = 0;
    window.composer()->setFrameSpec(composed);
    StepList steps = {Step::makeFrame(frame(1, "fragment one, ", false, 3, true)),
                      Step::makeFrame(frame(9, "ping in the middle", true, 0, true)),
                      Step::makeFrame(frame(0, "fragment two, ", false, 3, true)),
                      Step::makeFrame(frame(0, "and the end.", true, 3, true))};
    Step binary = Step::makeKind(Step::Kind::Message);
    binary.binary = true;
    binary.payload = QByteArray::fromHex("00fffefdfcfb7f80");
    steps << binary;
    Step json = Step::makeKind(Step::Kind::Message);
    json.payload = R"({"type":"greeting","text":"grüß dich","n":3})";
    steps << json;
    // A flood: 5,000 small frames, echoed (the views follow; the statistics count them).
    for (int i = 0; i < 5000; ++i)
        steps << Step::makeFrame(frame(1, "flood frame " + QByteArray::number(i), true, 0, false));
    Step wait = Step::makeKind(Step::Kind::Delay);
    wait.seconds = 0.3;
    steps << wait;
    FrameSpec broken = frame(1, "RSV=6 on purpose", true, 0, false);
    broken.rsv = 6;
    steps << Step::makeFrame(broken);
    window.controller()->run(steps);
    waitFor([&] { return window.controller()->state() == SessionState::Closed; }, 20000);
    pause(400);

    // Frames tab with the JSON echo selected.
    window.viewTabs()->setCurrentIndex(0);
    QTableView *frames = window.frameView();
    for (int row = 0; row < frames->model()->rowCount(); ++row) {
        if (frames->model()->index(row, 9).data().toString().contains(u"greeting"_s) &&
            frames->model()->index(row, 2).data().toString() == u"RX"_s) {
            frames->selectRow(row);
            break;
        }
    }
    window.panelTabs()->setCurrentIndex(0);
    pause(300);
    window.grab().save(outDir + u"/main-window"_s + suffix + u".png"_s);

    // The wire log with the statistics panel.
    window.viewTabs()->setCurrentIndex(2);
    window.panelTabs()->setCurrentIndex(1);
    pause(300);
    window.grab().save(outDir + u"/wire-log-statistics"_s + suffix + u".png"_s);

    // The violating frame selected, the handshake panel.
    window.viewTabs()->setCurrentIndex(0);
    for (int row = 0; row < frames->model()->rowCount(); ++row) {
        if (frames->model()->index(row, 5).data().toString().startsWith(u"6"_s)) {
            frames->selectRow(row);
            frames->scrollTo(frames->model()->index(row, 0), QAbstractItemView::PositionAtCenter);
            break;
        }
    }
    window.panelTabs()->setCurrentIndex(2);
    pause(300);
    window.grab().save(outDir + u"/violation-handshake"_s + suffix + u".png"_s);

    // The frame table's context menu on the violating frame.
    {
        std::unique_ptr<QMenu> menu(window.tableActions(frames)->createContextMenu(&window));
        const QRect row = frames->visualRect(frames->currentIndex());
        menu->popup(frames->viewport()->mapToGlobal(row.center()));
        pause(300);
        grabWithPopup(&window, menu.get()).save(outDir + u"/context-menu"_s + suffix + u".png"_s);
        menu->hide();
    }

    // wss:// to the echo server with its certificate trusted: the TLS details.
    {
        QTemporaryFile ca;
        ca.open();
        ca.write(EchoServer::certificatePem());
        ca.flush();
        EchoServer secure;
        EchoServer::Options options;
        options.tls = true;
        secure.listen(options);
        const SessionSettings plain = window.connectionBar()->settings();
        SessionSettings settings = plain;
        settings.url = secure.url();
        settings.caFile = ca.fileName();
        window.connectionBar()->setSettings(settings);
        window.connectToServer();
        waitFor([&] { return window.controller()->state() == SessionState::Open; }, 5000);
        Step hello = Step::makeKind(Step::Kind::Message);
        hello.payload = "over TLS";
        Step bye = Step::makeKind(Step::Kind::Close);
        bye.closeCode = 1000;
        window.controller()->run({hello, bye});
        waitFor([&] { return window.controller()->state() == SessionState::Closed; }, 5000);
        window.viewTabs()->setCurrentIndex(0);
        window.panelTabs()->setCurrentIndex(2);
        pause(400);
        window.grab().save(outDir + u"/tls-handshake"_s + suffix + u".png"_s);
        window.connectionBar()->setSettings(plain); // the cases run against the plain echo
    }

    // The case browser: groups 2–5 run against the echo server, 3.6's trace opened.
    window.findChild<QDockWidget *>(u"casesDock"_s)->show();
    gui::CaseBrowser *browser = window.caseBrowser();
    browser->findChild<QSpinBox *>(u"jobsSpin"_s)->setValue(4);
    QString error;
    browser->run(selectCases({u"2.*"_s, u"3.*"_s, u"4.*"_s, u"5.*"_s}, {}, &error));
    waitFor([browser] { return !browser->isRunning(); }, 60000);
    browser->selectCases(u"3.*"_s);
    auto *results = browser->findChild<QTableView *>(u"resultView"_s);
    for (int row = 0; row < results->model()->rowCount(); ++row) {
        if (results->model()->index(row, 0).data().toString() == u"3.6"_s) {
            results->selectRow(row);
            results->scrollTo(results->model()->index(row, 0));
            window.showCaseResult(*browser->resultModel()->resultAt(row));
            break;
        }
    }
    window.viewTabs()->setCurrentIndex(2);
    window.panelTabs()->setCurrentIndex(0);
    pause(300);
    window.grab().save(outDir + u"/cases"_s + suffix + u".png"_s);

    // The same with the case's frame that breaks the rules selected: the bit table beside the
    // open Cases dock.
    window.viewTabs()->setCurrentIndex(0);
    for (int row = 0; row < frames->model()->rowCount(); ++row) {
        if (frames->model()->index(row, 5).data().toString() != u"0"_s) {
            frames->selectRow(row);
            break;
        }
    }
    pause(300);
    window.grab().save(outDir + u"/cases-frame"_s + suffix + u".png"_s);
    window.findChild<QDockWidget *>(u"casesDock"_s)->hide();

    // Two short runs against the echo server, the second one changed: the Connections list
    // with every connection of the session, then the two compared.
    const auto runOnce = [&window](const QList<QByteArray> &messages) {
        window.connectToServer();
        waitFor([&] { return window.controller()->state() == SessionState::Open; }, 5000);
        StepList steps;
        for (const QByteArray &m : messages) {
            Step step = Step::makeKind(Step::Kind::Message);
            step.payload = m;
            steps << step;
        }
        Step bye = Step::makeKind(Step::Kind::Close);
        bye.closeCode = 1000;
        steps << bye;
        window.controller()->run(steps);
        waitFor([&] { return window.controller()->state() == SessionState::Closed; }, 5000);
    };
    runOnce({"status?", R"({"op":"subscribe","topic":"prices"})"});
    runOnce({"status?", R"({"op":"subscribe","topic":"Prices"})", "unsubscribe"});
    window.viewTabs()->setCurrentIndex(0);
    window.panelTabs()->setCurrentIndex(0);
    pause(300);
    QTableView *list = window.connectionsView();
    const int last = window.connections()->rowCount() - 1;
    {
        // The list's own model in a view wide enough for every column (in the window it shares
        // the right pane with the panels).
        QTableView wide;
        wide.setModel(window.connections());
        wide.setSelectionBehavior(QAbstractItemView::SelectRows);
        wide.verticalHeader()->hide();
        wide.resize(1300, 60 + 26 * window.connections()->rowCount());
        wide.resizeColumnsToContents();
        wide.resize(wide.horizontalHeader()->length() + 2 * wide.frameWidth(), wide.height());
        wide.selectRow(last);
        wide.show();
        pause(300);
        wide.grab().save(outDir + u"/connections"_s + suffix + u".png"_s);
    }
    list->selectionModel()->select(window.connections()->index(last - 1, 0),
                                   QItemSelectionModel::Select | QItemSelectionModel::Rows);
    window.findChild<QAction *>(u"actionCompareConnections"_s)->trigger();
    pause(300);
    if (auto *compare = window.findChild<gui::CompareWindow *>()) {
        compare->resize(1500, 420);
        compare->goToDifference(true);
        pause(300);
        compare->grab().save(outDir + u"/compare"_s + suffix + u".png"_s);
        compare->close();
    }

    // permessage-deflate against Python websockets (which compresses what it echoes): the
    // compressed echo beside its inflated text, the Messages table with the ratios, the
    // Statistics and Handshake tabs.
    {
        QProcess python;
        python.start(QStringLiteral(WSI_PYTHON3),
                     {u"-u"_s, QStringLiteral(WSI_TESTS_DIR "/interop/websockets_echo.py")});
        waitFor([&python] { return python.canReadLine() || python.waitForReadyRead(100); }, 10000);
        const QUrl url(QString::fromUtf8(python.readLine()).trimmed());
        if (!url.isValid()) {
            qWarning("python3-websockets did not start: %s",
                     python.readAllStandardError().constData());
            return 1;
        }
        const SessionSettings plain = window.connectionBar()->settings();
        SessionSettings settings = plain;
        settings.url = url;
        DeflateParams offer;
        offer.clientMaxWindowBits = true;
        settings.handshake.extensions = {offer.toHeaderValue()};
        window.connectionBar()->setSettings(settings);
        window.connectToServer();
        waitFor([&] { return window.controller()->state() == SessionState::Open; }, 5000);
        QByteArray text;
        for (int i = 0; i < 24; ++i)
            text += "The quick brown fox jumps over the lazy dog, line " +
                    QByteArray::number(i % 3) + ".\n";
        StepList steps;
        for (const QByteArray &m : {text,
                                    QByteArray(R"({"op":"subscribe","topic":"prices",)"
                                               R"("depth":10,"snapshot":true})"),
                                    QByteArray("hi")}) {
            Step step = Step::makeKind(Step::Kind::Message);
            step.payload = m;
            steps << step;
        }
        Step wait = Step::makeKind(Step::Kind::Delay);
        wait.seconds = 0.3;
        Step bye = Step::makeKind(Step::Kind::Close);
        bye.closeCode = 1000;
        steps << wait << bye;
        window.controller()->run(steps);
        waitFor([&] { return window.controller()->state() == SessionState::Closed; }, 5000);
        window.viewTabs()->setCurrentIndex(0);
        window.panelTabs()->setCurrentIndex(0);
        for (int row = 0; row < frames->model()->rowCount(); ++row) {
            // The first compressed echo (RSV1: "4 (RSV1)").
            if (frames->model()->index(row, 2).data().toString() == u"RX"_s &&
                frames->model()->index(row, 5).data().toString().startsWith(u"4"_s)) {
                frames->selectRow(row);
                break;
            }
        }
        // The detail pane gets the room of the frame table for this one: the compressed
        // octets and the inflated text side by side.
        auto *pane = window.findChild<gui::FrameDetailPane *>();
        QSplitter *split = nullptr;
        QList<int> sizes;
        for (QWidget *w = pane; w && !split; w = w->parentWidget()) {
            split = qobject_cast<QSplitter *>(w->parentWidget());
            if (split) {
                sizes = split->sizes();
                const int total = std::accumulate(sizes.begin(), sizes.end(), 0);
                const int others = int(std::max<qsizetype>(1, sizes.size() - 1));
                QList<int> more(sizes.size(), total / 4 / others);
                more[split->indexOf(w)] = total * 3 / 4;
                split->setSizes(more);
            }
        }
        pause(400);
        window.grab().save(outDir + u"/deflate-detail"_s + suffix + u".png"_s);
        if (split)
            split->setSizes(sizes);
        window.viewTabs()->setCurrentIndex(1);
        window.panelTabs()->setCurrentIndex(1);
        pause(300);
        window.grab().save(outDir + u"/deflate-messages-statistics"_s + suffix + u".png"_s);
        window.panelTabs()->setCurrentIndex(2);
        pause(300);
        window.grab().save(outDir + u"/deflate-handshake"_s + suffix + u".png"_s);
        window.connectionBar()->setSettings(plain);
        python.closeWriteChannel();
        python.waitForFinished(5000);
    }
    return 0;
}
