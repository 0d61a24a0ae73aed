// SPDX-License-Identifier: MIT
// wsinspector-cli: the headless front end. Same engine, same trace, same reports as the window.
#include "cliparser.h"
#include "closing.h"
#include "echoserver.h"
#include "report.h"
#include "session.h"
#include "trace.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QSocketNotifier>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace wsi;

namespace {

void printErr(const QString &line)
{
    QTextStream(stderr) << line << Qt::endl;
}

// Ctrl+C / SIGTERM end the event loop cleanly (the echo server runs until then).
int g_signalFd[2] = {-1, -1};
void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFd[0], &c, 1);
}

void installSignalHandlers(QCoreApplication &app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalFd[1], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [&app] { app.quit(); });
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
}

QString serverHeader(const Trace &trace)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind != TraceEvent::Kind::HandshakeResponse)
            continue;
        for (const QString &line : e.text.split(u"\r\n"_s)) {
            if (line.startsWith(u"server:"_s, Qt::CaseInsensitive))
                return line.mid(7).trimmed();
        }
    }
    return {};
}

bool everConnected(const Trace &trace)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == TraceEvent::Kind::Connected)
            return true;
    }
    return false;
}

QString firstError(const Trace &trace)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == TraceEvent::Kind::Error || e.kind == TraceEvent::Kind::OpenHandshakeTimeout)
            return e.kind == TraceEvent::Kind::Error ? e.text : u"connection timed out"_s;
    }
    return u"unknown error"_s;
}

// Runs one session to its end and reports it. Returns the exit status.
int runSend(const cli::SendOptions &options)
{
    Trace::Limits limits;
    limits.maxStoredOctets = options.maxTraceOctets;
    Trace trace(limits);
    trace.setStartedAt(QDateTime::currentDateTimeUtc());
    trace.setUrl(options.settings.url.toString());

    SessionHost host;
    QEventLoop loop;
    QObject::connect(&host, &SessionHost::traceBatch, &loop,
                     [&trace](const TraceBatchPtr &batch) { trace.append(std::move(*batch)); });
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
        const int grace = options.settings.closeHandshakeTimeoutMs
                          + options.settings.serverDropTimeoutMs + 500;
        QTimer::singleShot(grace, &host, [&host] {
            host.invoke([](ClientSession &s) { s.dropTcp(); });
        });
    });
    // Steps that never finish (a failed connection) still end: the session reports finished.
    if (options.steps.isEmpty())
        QObject::connect(&host, &SessionHost::stateChanged, &runTimer, [&](SessionState st) {
            if (st == SessionState::Open)
                runTimer.start(int(options.timeoutSeconds * 1000));
        });

    host.start(options.settings, options.steps);
    loop.exec();

    const bool connected = everConnected(trace);
    ReportInput input;
    input.trace = &trace;
    input.closing = analyzeClosing(trace);
    input.closingVerdict = closingVerdict(input.closing, cli::expectedCloseFor(options));
    input.agent = options.agent.isEmpty() ? serverHeader(trace) : options.agent;
    if (input.agent.isEmpty())
        input.agent = options.settings.url.host();
    input.durationMs = input.closing.durationMs();

    const QString report = textReport(input);
    if (options.reportFile.isEmpty()) {
        QTextStream(stdout) << report;
    } else {
        QFile file(options.reportFile);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            printErr(u"error: cannot write "_s + options.reportFile + u": "_s + file.errorString());
            return 2;
        }
        file.write(report.toUtf8());
    }
    if (!options.jsonFile.isEmpty()) {
        QFile file(options.jsonFile);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            printErr(u"error: cannot write "_s + options.jsonFile + u": "_s + file.errorString());
            return 2;
        }
        file.write(QJsonDocument(jsonReport(input)).toJson(QJsonDocument::Indented));
    }
    if (!connected) {
        printErr(u"error: no connection to "_s + options.settings.url.toString() + u": "_s
                 + firstError(trace));
        return 3;
    }
    return 0;
}

int runEchoServer(QCoreApplication &app, const cli::EchoServerOptions &options)
{
    EchoServer server;
    EchoServer::Options o;
    o.port = options.port;
    o.tls = options.tls;
    if (!server.listen(o)) {
        printErr(u"error: cannot listen on 127.0.0.1:"_s + QString::number(options.port) + u": "_s
                 + server.errorString());
        return 3;
    }
    QTextStream(stdout) << server.url().toString() << Qt::endl;
    installSignalHandlers(app);
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
    QStringList args = {u"send"_s,      server.url().toString(), u"--message"_s,
                        u"text:Hello, inspector!:6"_s, u"--ping"_s, u"are you there?"_s,
                        u"--frame"_s,  u"opcode=binary,hex=00fffefd,chop=1,sync"_s,
                        u"--delay"_s,  u"0.2"_s,        u"--close"_s, u"1000:bye"_s};
    const cli::ParseResult parsed = cli::parseCommandLine(args);
    return runSend(parsed.command.send);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"wsinspector-cli"_s);
    QCoreApplication::setApplicationVersion(u"0.1.0"_s);
    QStringList args = app.arguments();
    args.removeFirst();
    const cli::ParseResult parsed = cli::parseCommandLine(args);
    if (!parsed.ok()) {
        printErr(u"wsinspector-cli: "_s + parsed.error);
        return 2;
    }
    switch (parsed.command.kind) {
    case cli::Command::Kind::Help:
        QTextStream(stdout) << cli::usageText();
        return 0;
    case cli::Command::Kind::Version:
        QTextStream(stdout) << u"wsinspector-cli 0.1.0"_s << Qt::endl;
        return 0;
    case cli::Command::Kind::EchoServer:
        return runEchoServer(app, parsed.command.echo);
    case cli::Command::Kind::Demo:
        return runDemo();
    case cli::Command::Kind::Send:
        return runSend(parsed.command.send);
    }
    return 2;
}
