// SPDX-License-Identifier: MIT
// wsinspector-cli: the headless front end. Same engine, same trace, same reports as the window.
#include "capture/capturefile.h"
#include "capture/har.h"
#include "cli/casecaptures.h"
#include "cliparser.h"
#include "echo/echoserver.h"
#include "protocol/textescape.h"
#include "session/session.h"
#include "session/tlsclient.h"
#include "suite/caseannotation.h"
#include "suite/casereport.h"
#include "suite/caserunner.h"
#include "suite/cases.h"
#include "suite/scenario.h"
#include "trace/closing.h"
#include "trace/report.h"
#include "trace/trace.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace wsi;

namespace {

// Error lines can quote a peer (a TLS error, an address) or a file (a scenario's case id): their
// control characters are escaped, so each stays one harmless line.
void printErr(const QString &line)
{
    QTextStream(stderr) << escapeControls(line) << Qt::endl;
}

// Writes a report to `fileName`, or to standard output when it is empty; an error line and
// false when that fails.
bool writeReport(const QString &fileName, const std::function<bool(QIODevice &)> &write)
{
    QFile file(fileName);
    const bool opened = fileName.isEmpty() ? file.open(stdout, QIODevice::WriteOnly)
                                           : file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    const QString name = fileName.isEmpty() ? u"standard output"_s : fileName;
    if (!opened) {
        printErr(u"error: cannot write "_s + name + u": "_s + file.errorString());
        return false;
    }
    if (!write(file) || !file.flush()) {
        printErr(u"error: cannot write "_s + name + u": "_s + file.errorString());
        return false;
    }
    return true;
}

// Ctrl+C / SIGTERM end the event loop cleanly (the echo server runs until then).
int g_signalFd[2] = {-1, -1};
void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFd[0], &c, 1);
}

// `onInterrupt` runs in the event loop, once per signal.
void installSignalHandlers(QCoreApplication &app, const std::function<void()> &onInterrupt)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalFd[1], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [onInterrupt] {
        char c = 0;
        [[maybe_unused]] const auto n = ::read(g_signalFd[1], &c, 1);
        onInterrupt();
    });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
}

// Where `report` and `send` put the reports: the text (to `reportFile`, or standard output),
// the per-case JSON and the HTML page when asked for. False after an error line.
struct ReportFiles
{
    QString text;
    QString json;
    QString html;
};

bool writeReports(const ReportInput &input, const ReportFiles &files)
{
    // The text and the JSON are written as they are produced: their memory does not grow with
    // the trace.
    if (!writeReport(files.text, [&input](QIODevice &out) { return writeTextReport(input, out); }))
        return false;
    if (!files.json.isEmpty() &&
        !writeReport(files.json, [&input](QIODevice &out) { return writeJsonReport(input, out); }))
        return false;
    if (!files.html.isEmpty() && !writeReport(files.html, [&input](QIODevice &out) {
            const QByteArray page = htmlReport(input).toUtf8();
            return out.write(page) == page.size();
        }))
        return false;
    // The report has it too; said here as well, since a report may go to a file unread.
    if (input.trace && input.trace->limitReached())
        printErr(u"wsinspector-cli: trace storage stopped "_s + storageStopText(*input.trace));
    return true;
}

// The reports of a session's trace: what `send` prints live and `report` prints from a capture.
bool writeSessionReports(const Trace &trace, const ExpectedCloseOverride &expectation,
                         const QString &agent, const ReportFiles &files)
{
    ReportInput input;
    input.trace = &trace;
    input.closing = analyzeClosing(trace);
    input.closingVerdict = sessionClosingVerdict(trace, input.closing, expectation);
    input.agent = agent.isEmpty() ? serverHeaderOf(trace) : agent;
    if (input.agent.isEmpty())
        input.agent = QUrl(trace.url()).host();
    input.durationMs = input.closing.durationMs();
    return writeReports(input, files);
}

// Runs one session to its end and reports it. Returns the exit status.
int runSend(const cli::SendOptions &options)
{
    Trace::Limits limits;
    limits.maxStoredOctets = options.settings.maxTraceOctets;
    Trace trace(limits);
    trace.setStartedAt(QDateTime::currentDateTimeUtc());
    trace.setUrl(options.settings.url.toString());

    // --capture: the file is written as the connection runs, each batch before the trace takes
    // it, and flushed, so that a crash loses nothing already written.
    std::unique_ptr<capture::CaptureRecorder> capture;
    if (!options.captureFile.isEmpty()) {
        Scenario scenario;
        scenario.settings = options.settings;
        scenario.steps = options.steps;
        const capture::ConnectionRecord connection =
            capture::connectionRecordOf(trace, scenarioToJson(scenario));
        capture = std::make_unique<capture::CaptureRecorder>(options.captureFile);
        if (!capture->begin(connection) || !capture->annotate(capture::sendFactsAnnotation(
                                               {cli::closeOverrideFor(options), options.agent}))) {
            printErr(u"error: cannot write the capture "_s + options.captureFile + u": "_s +
                     capture->errorString());
            return 2;
        }
    }

    SessionHost host;
    QEventLoop loop;
    bool captureFailed = false;
    QObject::connect(&host, &SessionHost::traceBatch, &loop, [&](const TraceBatchPtr &batch) {
        if (capture && !captureFailed && !capture->append(*batch)) {
            // The connection keeps running; the user is told once that recording stopped.
            captureFailed = true;
            printErr(u"wsinspector-cli: recording stopped, cannot write the capture "_s +
                     options.captureFile + u": "_s + capture->errorString());
        }
        trace.append(std::move(*batch));
    });
    QObject::connect(&host, &SessionHost::finished, &loop, &QEventLoop::quit);

    // After the last step: give the server --timeout seconds, then close (if still OPEN) and, if
    // that does not end it either, drop TCP. Every path ends within the configured timeouts.
    QTimer runTimer;
    runTimer.setSingleShot(true);
    QObject::connect(&host, &SessionHost::stepsFinished, &runTimer,
                     [&] { runTimer.start(int(options.timeoutSeconds * 1000)); });
    QObject::connect(&runTimer, &QTimer::timeout, &host, [&host, &options] {
        host.invoke([](ClientSession &s) {
            if (s.state() == SessionState::Open) {
                s.close(1000, {});
            } else if (s.state() == SessionState::Closing) {
                s.dropTcp();
            }
        });
        // The close handshake and the server's drop get their own timeouts, then we drop.
        const int grace =
            options.settings.closeHandshakeTimeoutMs + options.settings.serverDropTimeoutMs + 500;
        QTimer::singleShot(grace, &host,
                           [&host] { host.invoke([](ClientSession &s) { s.dropTcp(); }); });
    });
    // Steps that never finish (a failed connection) still end: the session reports finished.
    if (options.steps.isEmpty())
        QObject::connect(&host, &SessionHost::stateChanged, &runTimer, [&](SessionState st) {
            if (st == SessionState::Open)
                runTimer.start(int(options.timeoutSeconds * 1000));
        });

    host.start(options.settings, options.steps);
    loop.exec();

    if (capture && !captureFailed && !capture->finish()) {
        printErr(u"error: cannot write the capture "_s + options.captureFile + u": "_s +
                 capture->errorString());
        return 2;
    }
    if (!writeSessionReports(trace, cli::closeOverrideFor(options), options.agent,
                             {options.reportFile, options.jsonFile, {}}))
        return 2;
    if (!everConnected(trace)) {
        printErr(u"error: no connection to "_s + options.settings.url.toString() + u": "_s +
                 connectErrorOf(trace));
        return 3;
    }
    return 0;
}

// The reports of a saved capture, as the live run printed them.
int runReport(const cli::ReportOptions &options)
{
    Trace::Limits limits;
    limits.maxStoredOctets = options.maxTraceOctets;
    capture::LoadedCapture loaded = capture::loadCapture(options.captureFile, limits);
    if (!loaded.trace) {
        printErr(u"error: cannot read "_s + options.captureFile + u": "_s + loaded.error);
        return 2;
    }
    if (!loaded.error.isEmpty())
        printErr(u"wsinspector-cli: "_s + options.captureFile + u" is damaged, read up to "_s +
                 loaded.error);
    for (const QString &warning : loaded.warnings)
        printErr(u"wsinspector-cli: "_s + options.captureFile + u": "_s + warning);
    if (!options.harFile.isEmpty()) {
        QString error;
        QStringList warnings;
        capture::HarInfo info;
        info.creatorVersion = QStringLiteral(WSI_VERSION);
        if (!capture::saveHar(options.harFile, *loaded.trace, info, &error, &warnings)) {
            printErr(u"error: cannot write "_s + options.harFile + u": "_s + error);
            return 2;
        }
        for (const QString &w : std::as_const(warnings))
            printErr(u"wsinspector-cli: HAR: "_s + w);
    }
    const ReportFiles files{options.reportFile, options.jsonFile, options.htmlFile};
    // A case's capture (run --capture-dir, or a case saved by the window): the case's reports,
    // from its annotation (docs/captures.md §3.4) and the trace.
    const auto caseNote = std::find_if(
        loaded.annotations.cbegin(), loaded.annotations.cend(),
        [](const capture::AnnotationRecord &a) { return a.kind == kCaseAnnotationKind; });
    if (caseNote != loaded.annotations.cend()) {
        QString error;
        std::optional<CaseResult> result = caseResultFromAnnotation(
            caseNote->data, std::shared_ptr<const Trace>(std::move(loaded.trace)), &error);
        if (!result) {
            printErr(u"error: cannot read "_s + options.captureFile + u": "_s + error);
            return 2;
        }
        if (!options.agent.isEmpty())
            result->agent = options.agent;
        if (!writeReports(reportInputFor(*result), files))
            return 2;
        return loaded.error.isEmpty() ? 0 : 2;
    }
    const capture::SendFacts facts = capture::sendFactsOf(loaded.annotations);
    const QString agent = options.agent.isEmpty() ? facts.agent : options.agent;
    if (!writeSessionReports(*loaded.trace, facts.expectation, agent, files))
        return 2;
    return loaded.error.isEmpty() ? 0 : 2;
}

QList<const CaseDefinition *> selectOrReport(const QStringList &patterns,
                                             const QStringList &excludes, bool *ok)
{
    QString error;
    const QList<const CaseDefinition *> selection =
        selectCases(patterns.isEmpty() ? QStringList{u"*"_s} : patterns, excludes, &error);
    *ok = error.isEmpty();
    if (!*ok)
        printErr(u"wsinspector-cli: "_s + error);
    return selection;
}

// One line per case: its id (padded to the longest) and its description (whose <br> line breaks
// become spaces).
int runCases(const cli::CasesOptions &options)
{
    bool ok = false;
    const QList<const CaseDefinition *> selection =
        selectOrReport(options.patterns, options.excludes, &ok);
    if (!ok)
        return 2;
    qsizetype width = 0;
    for (const CaseDefinition *def : selection)
        width = std::max(width, def->id.size());
    QTextStream out(stdout);
    for (const CaseDefinition *def : selection)
        out << escapeControls(def->id.leftJustified(width) + u"  "_s +
                              plainCaseText(def->description).replace(u'\n', u' ').simplified())
            << u'\n';
    return 0;
}

// The progress of a run on standard error: one line per finished case with its verdicts. On a
// terminal the running cases and the time left are a status line rewritten in place; otherwise
// they end each line. Cases that could not connect are summed up at the end instead.
class RunProgress
{
public:
    explicit RunProgress(const CaseRunner &runner)
        : m_runner(runner), m_terminal(::isatty(STDERR_FILENO) == 1)
    {
    }

    void started(int position)
    {
        m_running << position;
        if (m_terminal)
            showStatus();
    }

    void finished(int position)
    {
        m_running.removeAll(position);
        const CaseResult &result = m_runner.results()[position];
        if (!result.ran() || !result.connectError.isEmpty())
            return;
        QString line = u"[%1/%2] "_s.arg(m_runner.done()).arg(m_runner.total()) +
                       result.definition->id + u"  "_s + verdictText(result.verdict.behavior) +
                       u'/' + verdictText(result.verdict.closing.verdict);
        if (!m_terminal && !status().isEmpty())
            line += u"  "_s + status();
        QTextStream err(stderr);
        if (m_terminal)
            err << "\r\x1b[K";
        err << escapeControls(line) << u'\n';
        err.flush();
        if (m_terminal)
            showStatus();
    }

    // Clears the status line.
    void end()
    {
        if (m_terminal)
            QTextStream(stderr) << "\r\x1b[K" << Qt::flush;
    }

private:
    // "running: 3.6, 7.1.2  remaining ~4s"
    QString status() const
    {
        constexpr qsizetype kShownIds = 4;
        QStringList ids;
        for (int position : m_running) {
            if (ids.size() == kShownIds) {
                ids << u"…"_s;
                break;
            }
            ids << m_runner.results()[position].definition->id;
        }
        QString text;
        if (!ids.isEmpty())
            text = u"running: "_s + ids.join(u", "_s);
        const qint64 remainingMs = m_runner.remainingMs();
        if (remainingMs > 0 && !m_running.isEmpty()) {
            if (!text.isEmpty())
                text += u"  "_s;
            const qint64 seconds = (remainingMs + 500) / 1000;
            text += seconds == 0 ? u"remaining <1s"_s
                                 : u"remaining ~"_s + QString::number(seconds) + u's';
        }
        return text;
    }

    void showStatus()
    {
        QTextStream(stderr) << "\r\x1b[K" << escapeControls(status()) << Qt::flush;
    }

    const CaseRunner &m_runner;
    QList<int> m_running; // positions, in start order
    bool m_terminal;
};

// The cases of `--scenario` files, appended to `selection` (kept alive in `own`). An error line
// (and false) for a file that cannot be read, has no case part, or repeats a case id.
bool addScenarioCases(const QStringList &files, std::deque<CaseDefinition> &own,
                      QList<const CaseDefinition *> &selection)
{
    // Case id as it appears in report file names → where it came from.
    QHash<QString, QString> origin;
    for (const CaseDefinition *def : std::as_const(selection))
        origin.insert(safeCaseId(def->id), u"the library"_s);
    for (const QString &file : files) {
        const ScenarioParseResult loaded = loadScenario(file);
        if (!loaded.ok()) {
            printErr(u"wsinspector-cli: --scenario "_s + loaded.error);
            return false;
        }
        std::optional<CaseDefinition> def = caseFromScenario(loaded.scenario);
        if (!def) {
            printErr(u"wsinspector-cli: --scenario "_s + file +
                     u": no case part, so nothing to judge the server by (a scenario runs as a "
                     u"case once it has a \"case\" object with an \"id\"; see docs/scenario.md)"_s);
            return false;
        }
        if (const auto seen = origin.constFind(safeCaseId(def->id)); seen != origin.cend()) {
            printErr(u"wsinspector-cli: --scenario "_s + file + u": case "_s + def->id +
                     u" is also selected from "_s + *seen +
                     u"; give the scenario a case id of its own or leave the other out"_s);
            return false;
        }
        origin.insert(safeCaseId(def->id), file);
        own.push_back(std::move(*def));
        selection << &own.back();
    }
    return true;
}

// Runs the selected cases against one server and writes the report directory.
int runRun(QCoreApplication &app, const cli::RunOptions &options)
{
    bool ok = false;
    // With --scenario and without --cases only the scenarios' cases run.
    QList<const CaseDefinition *> selection;
    if (!options.patterns.isEmpty() || options.scenarios.isEmpty()) {
        selection = selectOrReport(options.patterns, options.excludes, &ok);
        if (!ok)
            return 2;
    }
    std::deque<CaseDefinition> own; // stable addresses while the runner holds them
    if (!addScenarioCases(options.scenarios, own, selection))
        return 2;
    if (selection.isEmpty()) {
        printErr(u"wsinspector-cli: no cases selected"_s);
        return 2;
    }
    if (const QString error = prepareReportDirectory(options.outdir); !error.isEmpty()) {
        printErr(u"error: "_s + error);
        return 2;
    }

    CaseRunner runner;
    CaseRunner::Options runOptions;
    runOptions.settings = options.settings;
    runOptions.jobs = options.jobs;
    runOptions.agent = options.agent;
    runOptions.keepTraces = false; // each case's files are written when it finishes
    std::unique_ptr<cli::CaseCaptures> captures;
    if (!options.captureDir.isEmpty()) {
        // The run goes on when recording stops; the user is told once.
        captures = std::make_unique<cli::CaseCaptures>(
            options.captureDir, options.settings, options.agent, [](const QString &why) {
                printErr(u"wsinspector-cli: recording stopped, "_s + why +
                         u"; the run goes on without captures"_s);
            });
        runOptions.observer = captures.get();
    }

    RunProgress progress(runner);
    QString writeError;
    QEventLoop loop;
    QObject::connect(&runner, &CaseRunner::caseStarted, &loop,
                     [&progress](int position, const QString &) { progress.started(position); });
    QObject::connect(&runner, &CaseRunner::caseFinished, &loop, [&](int position) {
        const QString error = writeCaseReport(options.outdir, runner.results()[position]);
        if (writeError.isEmpty())
            writeError = error;
        progress.finished(position);
    });
    QObject::connect(&runner, &CaseRunner::finished, &loop, &QEventLoop::quit);
    installSignalHandlers(app, [&runner] { runner.cancel(); });
    runner.start(selection, runOptions);
    if (runner.isRunning())
        loop.exec();
    progress.end();

    const QString indexError = writeReportIndex(options.outdir, runner.results());
    if (writeError.isEmpty())
        writeError = indexError;

    // The summary: verdict counts in a fixed order, then what did not run.
    const Verdict order[] = {Verdict::Ok, Verdict::NonStrict, Verdict::Informational,
                             Verdict::Unimplemented, Verdict::Failed};
    std::map<Verdict, int> counts;
    int notRun = 0;
    QString connectError;
    QString skipReason;
    bool allPassed = true;
    for (const CaseResult &r : runner.results()) {
        if (!r.ran() || !r.connectError.isEmpty()) {
            ++notRun;
            allPassed = false;
            if (connectError.isEmpty())
                connectError = r.connectError;
            if (skipReason.isEmpty())
                skipReason = r.skipped;
            continue;
        }
        ++counts[r.verdict.behavior];
        allPassed = allPassed && isPassing(r.verdict.behavior);
    }
    const QString notRunText = u" — "_s + QString::number(notRun) +
                               (notRun == 1 ? u" case not run"_s : u" cases not run"_s);
    if (!connectError.isEmpty()) {
        printErr(u"error: no connection to "_s + options.settings.url.toString() + u": "_s +
                 connectError + notRunText);
    } else if (notRun > 0) {
        printErr(u"error: "_s + skipReason + notRunText);
    }
    if (notRun < runner.total()) {
        QStringList parts;
        for (const Verdict behavior : order) {
            if (const auto it = counts.find(behavior); it != counts.end())
                parts << verdictText(behavior) + u' ' + QString::number(it->second);
        }
        QTextStream(stdout) << runner.total() << u" cases: "_s << parts.join(u", "_s)
                            << (notRun > 0 ? u", not run "_s + QString::number(notRun) : QString())
                            << u" — "_s
                            << QDir::toNativeSeparators(
                                   QDir(options.outdir).filePath(u"index.html"_s))
                            << Qt::endl;
    }
    if (!writeError.isEmpty()) {
        printErr(u"error: "_s + writeError);
        return 2;
    }
    // Its line was printed when recording stopped.
    if (captures && captures->failed())
        return 2;
    return allPassed ? 0 : 1;
}

int runEchoServer(QCoreApplication &app, const cli::EchoServerOptions &options)
{
    EchoServer server;
    EchoServer::Options o;
    o.port = options.port;
    o.tls = options.tls;
    if (!server.listen(o)) {
        printErr(u"error: cannot listen on 127.0.0.1:"_s + QString::number(options.port) + u": "_s +
                 server.errorString());
        return 3;
    }
    QTextStream(stdout) << server.url().toString() << Qt::endl;
    installSignalHandlers(app, [&app] { app.quit(); });
    return app.exec();
}

// `make run` before the window exists: the embedded echo server and a sample exchange with it.
int runDemo()
{
    EchoServer server;
    if (!server.listen()) {
        printErr(u"error: cannot start the echo server: "_s + server.errorString());
        return 3;
    }
    QStringList args = {u"send"_s,      server.url().toString(),
                        u"--message"_s, u"text:Hello, inspector!:6"_s,
                        u"--ping"_s,    u"are you there?"_s,
                        u"--frame"_s,   u"opcode=binary,hex=00fffefd,chop=1,sync"_s,
                        u"--delay"_s,   u"0.2"_s,
                        u"--close"_s,   u"1000:bye"_s};
    const cli::ParseResult parsed = cli::parseCommandLine(args);
    return runSend(parsed.command.send);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"wsinspector-cli"_s);
    QCoreApplication::setApplicationVersion(QString::fromLatin1(WSI_VERSION)); // project()'s
    QStringList args = app.arguments();
    args.removeFirst();
    const cli::ParseResult parsed = cli::parseCommandLine(args);
    if (!parsed.ok()) {
        printErr(u"wsinspector-cli: "_s + parsed.error);
        return 2;
    }
    // A missing certificate or key, one that does not fit, is told before connecting.
    const auto usableTls = [](const SessionSettings &settings) {
        if (settings.url.scheme() != u"wss"_s)
            return true;
        const QString error = TlsClient::checkOptions(settings.tls);
        if (!error.isEmpty())
            printErr(u"wsinspector-cli: "_s + error);
        return error.isEmpty();
    };
    if ((parsed.command.kind == cli::Command::Kind::Send &&
         !usableTls(parsed.command.send.settings)) ||
        (parsed.command.kind == cli::Command::Kind::Run && !usableTls(parsed.command.run.settings)))
        return 2;
    switch (parsed.command.kind) {
    case cli::Command::Kind::Help:
        QTextStream(stdout) << cli::usageText();
        return 0;
    case cli::Command::Kind::Version:
        QTextStream(stdout) << u"wsinspector-cli "_s << QCoreApplication::applicationVersion()
                            << Qt::endl;
        return 0;
    case cli::Command::Kind::EchoServer:
        return runEchoServer(app, parsed.command.echo);
    case cli::Command::Kind::Demo:
        return runDemo();
    case cli::Command::Kind::Send:
        return runSend(parsed.command.send);
    case cli::Command::Kind::Cases:
        return runCases(parsed.command.cases);
    case cli::Command::Kind::Run:
        return runRun(app, parsed.command.run);
    case cli::Command::Kind::Report:
        return runReport(parsed.command.report);
    }
    return 2;
}
