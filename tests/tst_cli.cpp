// SPDX-License-Identifier: MIT
// wsinspector-cli as a user runs it: a real process against the embedded echo server and a
// scripted raw peer; exit statuses, the text report and the Autobahn-keyed JSON.
#include "echo/echoserver.h"
#include "scriptedpeer.h"
#include "suite/cases.h"
#include "suite/scenario.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace wsi;
using namespace wsi::test;
using namespace Qt::StringLiterals;

namespace {

struct CliResult
{
    int exitCode = -1;
    QString out;
    QString err;
    QByteArray rawOut; // the octets as written, for checks a decoding could hide
    QByteArray rawErr;
};

// Runs the CLI while this thread's event loop keeps serving the in-process peers.
CliResult runCli(const QStringList &args, int timeoutMs = 30000)
{
    QProcess p;
    p.start(QStringLiteral(WSI_CLI_PATH), args);
    CliResult r;
    if (!p.waitForStarted(5000))
        return r;
    QElapsedTimer clock;
    clock.start();
    while (p.state() != QProcess::NotRunning && clock.elapsed() < timeoutMs) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        p.waitForFinished(10);
    }
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.rawOut = p.readAllStandardOutput();
    r.rawErr = p.readAllStandardError();
    r.out = QString::fromUtf8(r.rawOut);
    r.err = QString::fromUtf8(r.rawErr);
    return r;
}

// The rows of one statistics table of the text report: chop size (or opcode) → count.
QMap<int, int> reportTable(const QString &report, const QString &title)
{
    QMap<int, int> rows;
    const qsizetype at = report.indexOf(title);
    if (at < 0)
        return rows;
    const QStringList lines = report.mid(at).split(u'\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines[i].trimmed().isEmpty() || lines[i].contains(u"Count"_s))
            continue;
        const QStringList cells = lines[i].simplified().split(u' ');
        if (cells.size() < 2 || cells[0] == u"Total"_s)
            break;
        bool key = false;
        bool count = false;
        const int k = cells[0].toInt(&key);
        const int n = cells[1].toInt(&count);
        if (key && count) // skips the column header line
            rows.insert(k, n);
    }
    return rows;
}

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    return error.error == QJsonParseError::NoError ? doc.object() : QJsonObject();
}

QString readText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// The first octet of `text` a terminal would act on: C0 controls other than the line feed, DEL,
// and C1 controls (U+0080–U+009F, in UTF-8 C2 80 … C2 9F); -1 when there is none.
qsizetype firstTerminalControl(const QByteArray &text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const auto c = uchar(text[i]);
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            return i;
        if (c == 0xc2 && i + 1 < text.size() && uchar(text[i + 1]) >= 0x80 &&
            uchar(text[i + 1]) <= 0x9f)
            return i;
    }
    return -1;
}

// A scenario file with `connection` and `steps` as given (JSON text).
bool writeScenario(const QString &path, const QByteArray &connection, const QByteArray &steps)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) &&
           file.write(R"({"format": "wsinspector-scenario", "version": 1, "connection": )" +
                      connection + R"(, "steps": )" + steps + "}") > 0;
}

// A loopback port nobody listens on.
quint16 refusedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void usageErrorIsOneLine()
    {
        const CliResult r = runCli({u"send"_s, u"ws://127.0.0.1:1/"_s, u"--frame"_s, u"rsv=9"_s});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.trimmed().count(u'\n'), 0);
        QVERIFY2(r.err.contains(u"rsv=9"_s), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());

        const CliResult url = runCli({u"send"_s, u"http://example/"_s});
        QCOMPARE(url.exitCode, 2);
        QVERIFY(url.err.contains(u"http://example/"_s));
    }

    void helpListsEverything()
    {
        const CliResult r = runCli({u"--help"_s});
        QCOMPARE(r.exitCode, 0);
        const QStringList words =
            u"--frame --message --ping --pong --delay --close --fail --drop --half-close "
            u"--close-after --fail-after --no-auto-pong --no-auto-close-reply --timeout --header "
            u"--subprotocol --insecure --json echo-server --cases --exclude --outdir --jobs "
            u"--agent"_s.split(u' ') +
            QStringList{u"run URL"_s, u"cases [PATTERN...]"_s};
        for (const QString &word : words)
            QVERIFY2(r.out.contains(word), qPrintable(word));
    }

    // The manual page (docs/man/wsinspector-cli.1) describes every option and command the help
    // lists, and --version says project()'s version.
    void manPageCoversTheHelp()
    {
        const CliResult help = runCli({u"--help"_s});
        QCOMPARE(help.exitCode, 0);
        QFile file(QStringLiteral(WSI_TESTS_DIR "/../docs/man/wsinspector-cli.1"));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        // troff writes a hyphen in an option as "\-".
        const QString man = QString::fromUtf8(file.readAll()).replace(u"\\-"_s, u"-"_s);
        static const QRegularExpression option(u"--[a-z][a-z-]*"_s);
        QStringList missing;
        int options = 0;
        for (auto it = option.globalMatch(help.out); it.hasNext();) {
            const QString name = it.next().captured();
            ++options;
            if (!man.contains(name))
                missing << name;
        }
        for (const char *command : {"send", "run", "cases", "report", "echo-server", "demo"})
            if (!man.contains(u".B wsinspector-cli "_s + QLatin1String(command)))
                missing << QString::fromLatin1(command);
        missing.removeDuplicates();
        QVERIFY2(options > 30, qPrintable(QString::number(options)));
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u", "_s)));

        const CliResult version = runCli({u"--version"_s});
        QCOMPARE(version.exitCode, 0);
        QCOMPARE(version.out.trimmed(), u"wsinspector-cli "_s + QStringLiteral(WSI_VERSION));
    }

    // send --capture writes the connection as it runs; report reads it back and prints the same
    // text report and the same JSON as the live run.
    void captureAndReport()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        QTemporaryDir dir;
        const QString capture = dir.filePath(u"run.pcapng"_s);
        const QString liveJson = dir.filePath(u"live.json"_s);
        const CliResult live =
            runCli({u"send"_s, echo.url().toString(), u"--message"_s, u"text:Hello, capture!:4"_s,
                    u"--frame"_s, u"opcode=text,text=chopped,chop=2,sync"_s, u"--ping"_s, u"hi"_s,
                    u"--close"_s, u"1000:bye"_s, u"--expect-code"_s, u"1000,1001"_s, u"--agent"_s,
                    u"Echo"_s, u"--capture"_s, capture, u"--json"_s, liveJson});
        QCOMPARE(live.exitCode, 0);
        QVERIFY2(live.err.isEmpty(), qPrintable(live.err));
        const QString againJson = dir.filePath(u"again.json"_s);
        const QString har = dir.filePath(u"run.har"_s);
        const CliResult again =
            runCli({u"report"_s, capture, u"--json"_s, againJson, u"--har"_s, har});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QCOMPARE(again.out, live.out);
        QVERIFY(again.out.contains(u"Hello, capture!"_s));
        QVERIFY(again.out.contains(u"Echo"_s)); // the agent the live run was given
        QFile a(liveJson);
        QFile b(againJson);
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QJsonObject liveReport = QJsonDocument::fromJson(a.readAll()).object();
        QJsonObject againReport = QJsonDocument::fromJson(b.readAll()).object();
        QVERIFY(!liveReport.isEmpty());
        QCOMPARE(againReport, liveReport);
        // The HAR the browsers import: the message as sent and its echo.
        QFile harFile(har);
        QVERIFY(harFile.open(QIODevice::ReadOnly));
        const QJsonObject entry = QJsonDocument::fromJson(harFile.readAll())
                                      .object()[u"log"_s][u"entries"_s][0]
                                      .toObject();
        QCOMPARE(entry[u"_resourceType"_s].toString(), u"websocket"_s);
        QStringList messages;
        for (const QJsonValue &m : entry[u"_webSocketMessages"_s].toArray())
            messages << m[u"type"_s].toString() + u' ' + m[u"data"_s].toString();
        QVERIFY2(messages.contains(u"send Hello, capture!"_s) &&
                     messages.contains(u"receive Hello, capture!"_s),
                 qPrintable(messages.join(u" | "_s)));

        // Damage: a cut file reads up to the cut and names where; not a capture at all, and a
        // missing file, are refused with one line each.
        QFile whole(capture);
        QVERIFY(whole.open(QIODevice::ReadOnly));
        const QByteArray octets = whole.readAll();
        const QString cut = dir.filePath(u"cut.pcapng"_s);
        {
            QFile out(cut);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(octets.left(octets.size() - 10));
        }
        const CliResult damaged = runCli({u"report"_s, cut});
        QCOMPARE(damaged.exitCode, 2);
        QVERIFY2(damaged.err.contains(u"is damaged, read up to block "_s) &&
                     damaged.err.contains(u"(at octet "_s) && damaged.err.contains(u"truncated"_s),
                 qPrintable(damaged.err));
        QVERIFY(damaged.out.contains(u"Hello, capture!"_s));
        const CliResult notCapture = runCli({u"report"_s, liveJson});
        QCOMPARE(notCapture.exitCode, 2);
        QVERIFY2(
            notCapture.err.contains(u"not a capture: neither pcapng nor pcap (first octets "_s),
            qPrintable(notCapture.err));
        QCOMPARE(notCapture.err.count(u'\n'), 1);
        const CliResult missing = runCli({u"report"_s, dir.filePath(u"none.pcapng"_s)});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains(u"cannot read"_s), qPrintable(missing.err));
        const CliResult usage = runCli({u"report"_s});
        QCOMPARE(usage.exitCode, 2);
        QVERIFY2(usage.err.contains(u"which capture?"_s), qPrintable(usage.err));

        // A capture that cannot be created stops before connecting, with the reason.
        const CliResult unwritable =
            runCli({u"send"_s, echo.url().toString(), u"--close"_s, u"--capture"_s,
                    dir.filePath(u"no/such/dir/x.pcapng"_s)});
        QCOMPARE(unwritable.exitCode, 2);
        QVERIFY2(unwritable.err.contains(u"cannot write the capture"_s),
                 qPrintable(unwritable.err));
    }

    void connectionRefusedExitsThree()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        const CliResult r = runCli({u"send"_s, u"ws://127.0.0.1:%1/"_s.arg(port), u"--close"_s});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(u"refused"_s, Qt::CaseInsensitive), qPrintable(r.err));
        QCOMPARE(r.err.trimmed().count(u'\n'), 0);
    }

    void unknownHostExitsThree()
    {
        const CliResult r = runCli({u"send"_s, u"ws://no-such-host.invalid/"_s, u"--close"_s});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(u"no-such-host.invalid"_s), qPrintable(r.err));
    }

    // Case 5.20's frames, synced and chopped at one octet, against the echo server: the text
    // report's statistics show one TX chop per octet and the echo came back.
    void case520ChoppedReport()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        QTemporaryDir dir;
        const QString json = dir.filePath(u"520.json"_s);
        const QString frame = u",sync,chop=1"_s;
        const CliResult r =
            runCli({u"send"_s,    echo.url().toString(),
                    u"--frame"_s, u"opcode=text,fin=0,text=fragment1"_s + frame,
                    u"--frame"_s, u"opcode=continuation,fin=0,text=fragment2"_s + frame,
                    u"--frame"_s, u"opcode=ping,text=pongme 1!"_s + frame,
                    u"--delay"_s, u"0.3"_s,
                    u"--frame"_s, u"opcode=continuation,fin=0,text=fragment3"_s + frame,
                    u"--frame"_s, u"opcode=continuation,fin=0,text=fragment4"_s + frame,
                    u"--frame"_s, u"opcode=ping,text=pongme 2!"_s + frame,
                    u"--frame"_s, u"opcode=continuation,fin=1,text=fragment5"_s + frame,
                    u"--delay"_s, u"0.3"_s,
                    u"--close"_s, u"1000"_s,
                    u"--json"_s,  json});
        QCOMPARE(r.exitCode, 0);
        const QMap<int, int> tx = reportTable(r.out, u"Octets Transmitted by Chop Size"_s);
        QCOMPARE(tx.value(1), 7 * 15);
        QCOMPARE(tx.value(8), 1); // the close, unchopped
        QCOMPARE(reportTable(r.out, u"Frames Transmitted by Opcode"_s),
                 (QMap<int, int>{{0, 4}, {1, 1}, {8, 1}, {9, 2}}));
        QCOMPARE(reportTable(r.out, u"Frames Received by Opcode"_s),
                 (QMap<int, int>{{1, 1}, {8, 1}, {10, 2}}));
        QVERIFY(r.out.contains(u"fragment1fragment2fragment3fragment4fragment5"_s));
        QVERIFY(r.out.contains(u"Connection was properly closed (OK)"_s));
        QVERIFY(r.out.contains(u"CHOPSIZE=1, SYNC=True"_s));

        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
        for (const char *key : {"wasClean",
                                "closedByMe",
                                "failedByMe",
                                "droppedByMe",
                                "wasNotCleanReason",
                                "wasServerConnectionDropTimeout",
                                "wasOpenHandshakeTimeout",
                                "wasCloseHandshakeTimeout",
                                "localCloseCode",
                                "localCloseReason",
                                "remoteCloseCode",
                                "remoteCloseReason",
                                "behaviorClose",
                                "resultClose",
                                "rxOctetStats",
                                "txOctetStats",
                                "rxFrameStats",
                                "txFrameStats",
                                "wirelog",
                                "httpRequest",
                                "httpResponse"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o.value(u"wasClean"_s).toBool(), true);
        QCOMPARE(o.value(u"behaviorClose"_s).toString(), u"OK"_s);
        QCOMPARE(o.value(u"localCloseCode"_s).toInt(), 1000);
        QCOMPARE(o.value(u"txOctetStats"_s).toObject().value(u"1"_s).toInt(), 7 * 15);
        QCOMPARE(o.value(u"wasNotCleanReason"_s).isNull(), true);
        const QJsonArray log = o.value(u"wirelog"_s).toArray();
        QCOMPARE(log.first().toArray().first().toString(), u"TO"_s);
        QVERIFY(o.value(u"httpRequest"_s).toString().startsWith(u"GET / HTTP/1.1"_s));
    }

    // Frames that broke a rule, ours and the server's, are listed in both reports with the rule.
    void reportsListViolations()
    {
        ScriptedPeer peer;
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 3) {
                p.send(QByteArray::fromHex("c100")); // an empty text frame with RSV1
            } else if (f.opcode == 8) {
                p.send(QByteArray::fromHex("880203ea"));
                p.closeGracefully();
            }
        };
        QTemporaryDir dir;
        const QString json = dir.filePath(u"session.json"_s);
        const CliResult r = runCli({u"send"_s, peer.url().toString(), u"--frame"_s,
                                    u"opcode=3,text=x"_s, u"--json"_s, json});
        QCOMPARE(r.exitCode, 0);
        const QStringList lines = r.out.split(u'\n');
        const qsizetype at = lines.indexOf(u"Protocol Violations"_s);
        QVERIFY2(at >= 0, qPrintable(r.out.left(3000)));
        // Offsets count from the start of the stream, the opening handshake included.
        static const QRegularExpression ours(
            u"^TX frame 1 \\(opcode 3, at octet \\d+\\): Reserved opcode \\(RFC 6455 §5\\.2: "_s);
        QVERIFY2(ours.match(lines.value(at + 2)).hasMatch(), qPrintable(lines.value(at + 2)));
        QVERIFY2(lines.value(at + 3).startsWith(u"RX frame 2 (opcode 1, at octet "_s),
                 qPrintable(lines.value(at + 3)));
        QVERIFY(lines.value(at + 3).contains(u"RSV without extension (RFC 6455 §5.2: "_s));

        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonObject v = o.value(u"violations"_s).toObject();
        QCOMPARE(v.value(u"count"_s).toInt(), 2);
        const QJsonArray frames = v.value(u"frames"_s).toArray();
        QCOMPARE(frames.size(), 2);
        QCOMPARE(frames[0].toObject().value(u"direction"_s).toString(), u"TX"_s);
        QCOMPARE(frames[0].toObject().value(u"violations"_s).toArray(),
                 QJsonArray({u"Reserved opcode"_s}));
        QCOMPARE(frames[1].toObject().value(u"direction"_s).toString(), u"RX"_s);
        QVERIFY(o.value(u"tcpEnd"_s).toString().startsWith(u"the server"_s));

        // A clean session says so.
        EchoServer echo;
        QVERIFY(echo.listen());
        const CliResult clean =
            runCli({u"send"_s, echo.url().toString(), u"--message"_s, u"text:hi"_s});
        QVERIFY(clean.out.contains(u"Protocol Violations\n\nNo frame broke a rule of RFC 6455."_s));
    }

    // The seed microsoft-httpapi-case-2.2 situation through the CLI: the peer never drops TCP.
    void serverNeverDropsIsReported()
    {
        ScriptedPeer peer;
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 8)
                p.send(QByteArray::fromHex("8800"));
        };
        const CliResult r = runCli({u"send"_s, peer.url().toString(), u"--close"_s, u"1000"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(u"server did not drop TCP connection (in time)"_s));
        // A free session: the reason is named (docs/closing.md), not the case library's wording.
        QVERIFY(r.out.contains(u"The close handshake did not complete cleanly (server did not drop "
                               u"TCP connection (in time)) (UNCLEAN)"_s));
        QVERIFY(r.out.contains(u"TCP DROPPED BY ME"_s));
        QVERIFY(r.out.contains(u"ScriptedPeer/1.0"_s)); // the agent from the Server: header
    }

    // A server that answers nothing after the handshake: the run still ends within --timeout.
    void silentServerEndsWithinTimeouts()
    {
        ScriptedPeer peer;
        const CliResult r = runCli(
            {u"send"_s, peer.url().toString(), u"--ping"_s, u"x"_s, u"--timeout"_s, u"0.5"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(u"peer did not respond (in time) in closing handshake"_s),
                 qPrintable(r.out.left(2000)));
    }

    // --- input and output safety ----------------------------------------------------------------

    // A seconds value that is not a finite number from 0 to 86400 is a usage error before any
    // connection is made. NaN used to pass the range check and `--delay nan` hung for good.
    void nonFiniteSecondsExitTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("option");
        const auto send = [](const QString &option, const QString &value) {
            return QStringList{u"send"_s, u"URL"_s, u"--ping"_s, u"x"_s,
                               option,    value,    u"--close"_s};
        };
        QTest::newRow("--delay nan") << send(u"--delay"_s, u"nan"_s) << u"--delay"_s;
        QTest::newRow("--delay inf") << send(u"--delay"_s, u"inf"_s) << u"--delay"_s;
        QTest::newRow("--timeout nan") << send(u"--timeout"_s, u"nan"_s) << u"--timeout"_s;
        QTest::newRow("--open-timeout nan")
            << send(u"--open-timeout"_s, u"nan"_s) << u"--open-timeout"_s;
        QTest::newRow("--close-timeout nan")
            << send(u"--close-timeout"_s, u"NaN"_s) << u"--close-timeout"_s;
        QTest::newRow("--drop-timeout infinity")
            << send(u"--drop-timeout"_s, u"infinity"_s) << u"--drop-timeout"_s;
        QTest::newRow("--close-after -inf")
            << send(u"--close-after"_s, u"-inf"_s) << u"--close-after"_s;
        QTest::newRow("--fail-after 1e308")
            << send(u"--fail-after"_s, u"1e308"_s) << u"--fail-after"_s;
        QTest::newRow("run --open-timeout nan")
            << QStringList{u"run"_s, u"URL"_s, u"--cases"_s, u"1.1.1"_s, u"--open-timeout"_s,
                           u"nan"_s}
            << u"--open-timeout"_s;
    }
    void nonFiniteSecondsExitTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, option);
        ScriptedPeer peer; // would see the request if a connection were made
        args.replace(1, peer.url().toString());
        QTemporaryDir tmp;
        if (args.first() == u"run"_s)
            args << u"--outdir"_s << tmp.path();
        const CliResult r = runCli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.trimmed().count(u'\n'), 0);
        QVERIFY2(r.err.contains(option + u": seconds must be a number from 0 to 86400"_s),
                 qPrintable(r.err));
        QCoreApplication::processEvents();
        QVERIFY(peer.requestHead().isEmpty());
    }

    // A server whose status line, headers, text payload and close reason carry ESC ] 0;title
    // BEL (sets a terminal's title), CSI sequences (8-bit C1 CSI too), NUL, BEL and DEL: none
    // of it reaches standard output raw, in either report; the text report shows it escaped.
    void peerControlCharactersAreEscaped()
    {
        const QByteArray evil = "\x1b]0;owned\x07 \x1b[2J\x1b[31m red \x00 nul \x07 bel "
                                "\x7f del \xc2\x9b"
                                "31m c1"_ba;
        ScriptedPeer peer;
        peer.onHandshake = [evil](ScriptedPeer &p, const QByteArray &head) {
            QByteArray response = ScriptedPeer::switchingProtocols(
                head, "X-Evil: " + evil + "\r\nServer: Evil\x1b]0;title\x07Server\r\n");
            response.replace("Switching Protocols", "Switching Protocols\x1b]0;status\x07\x9b");
            response.replace("Server: ScriptedPeer/1.0\r\n", "");
            p.send(response);
            // A text message and a close with the same text as its reason.
            p.send(QByteArray("\x81") + char(evil.size()) + evil);
            const QByteArray close = QByteArray("\x03\xe8", 2) + evil;
            p.send(QByteArray("\x88") + char(close.size()) + close);
        };
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 8)
                p.drop();
        };
        QTemporaryDir tmp;
        const QString json = tmp.filePath(u"r.json"_s);
        const CliResult r =
            runCli({u"send"_s, peer.url().toString(), u"--timeout"_s, u"5"_s, u"--json"_s, json});
        QCOMPARE(r.exitCode, 0);
        const qsizetype bad = firstTerminalControl(r.rawOut);
        QVERIFY2(bad < 0,
                 r.rawOut.mid(std::max<qsizetype>(0, bad - 40), 80).toHex(' ').constData());
        QCOMPARE(firstTerminalControl(r.rawErr), -1);
        // The escaped forms: status line, Server header (also the title line's agent), a header.
        QVERIFY2(r.out.contains(u"101 Switching Protocols\\x1b]0;status\\x07\\x9b"_s),
                 qPrintable(r.out.left(3000)));
        QVERIFY(r.out.contains(u"Server: Evil\\x1b]0;title\\x07Server"_s));
        QVERIFY(
            r.out.startsWith(u"WebSocket Inspector Report\n\nEvil\\x1b]0;title\\x07Server - "_s));
        // The head is read as Latin-1: C2 9B is "Â" and C1 CSI there.
        const QString head = u"\\x1b]0;owned\\x07 \\x1b[2J\\x1b[31m red \\x00 nul \\x07 bel "
                             u"\\x7f del \u00c2\\x9b31m c1"_s;
        QVERIFY2(r.out.contains(u"X-Evil: "_s + head), qPrintable(r.out.left(3000)));
        // The payload on the RX FRAME's text line and the close reason in the closing table.
        const QString escaped = u"\\x1b]0;owned\\x07 \\x1b[2J\\x1b[31m red \\x00 nul \\x07 bel "
                                u"\\x7f del \\x9b31m c1"_s;
        QVERIFY2(r.out.contains(u"\n               "_s + escaped + u'\n'),
                 qPrintable(r.out.left(4000)));
        QVERIFY(r.out.contains(QRegularExpression(u"\n *remoteCloseReason +"_s +
                                                  QRegularExpression::escape(escaped))));

        // The JSON report keeps the exact text (its format escapes it).
        QFile file(json);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray jsonText = file.readAll();
        QCOMPARE(firstTerminalControl(jsonText), -1);
        const QJsonObject o = QJsonDocument::fromJson(jsonText).object();
        QCOMPARE(o.value(u"remoteCloseReason"_s).toString(), QString::fromUtf8(evil));
        QVERIFY(o.value(u"httpResponse"_s).toString().contains(QString::fromLatin1(evil)));
    }

    // A scenario file over the size cap (16 MiB) is refused at once, with one line naming the
    // file and the cap: a sparse 20 GiB file (its size says so) and /dev/zero (it says 0 and
    // never ends: at most cap + 1 octets are read), for send and for run.
    void oversizedScenarioIsRefused()
    {
        QTemporaryDir tmp;
        const QString sparse = tmp.filePath(u"huge.json"_s);
        {
            QFile file(sparse);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QVERIFY(file.resize(20ll * 1024 * 1024 * 1024));
        }
        const QString justOver = tmp.filePath(u"just-over.json"_s);
        {
            QFile file(justOver);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QVERIFY(file.resize(kMaxScenarioFileSize + 1));
        }
        const QString cap = u"larger than 16 MiB (16777216 octets), the size limit of a "
                            "scenario file"_s;
        for (const QString &file : {sparse, justOver, u"/dev/zero"_s}) {
            const CliResult send =
                runCli({u"send"_s, u"ws://127.0.0.1:1/"_s, u"--scenario"_s, file});
            QCOMPARE(send.exitCode, 2);
            QCOMPARE(send.err, u"wsinspector-cli: --scenario: "_s + file + u": "_s + cap + u'\n');
            const CliResult run = runCli({u"run"_s, u"ws://127.0.0.1:1/"_s, u"--scenario"_s, file});
            QCOMPARE(run.exitCode, 2);
            QCOMPARE(run.err, u"wsinspector-cli: --scenario "_s + file + u": "_s + cap + u'\n');
        }
    }

    // A saved scenario whose connection part has a url and no key: the request carries a fresh
    // key of 16 random octets (the url once ended up as "Sec-WebSocket-Key: ws://…").
    void scenarioUrlIsNotTheKey()
    {
        ScriptedPeer peer;
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 8) {
                p.send(QByteArray::fromHex("880203e8"));
                p.drop();
            }
        };
        QTemporaryDir tmp;
        const QString file = tmp.filePath(u"s.json"_s);
        QVERIFY(writeScenario(file, R"({"url": ")" + peer.url().toEncoded() + R"("})",
                              R"([{"close": {"code": 1000}}])"));
        const CliResult r = runCli({u"send"_s, u"--scenario"_s, file});
        QCOMPARE(r.exitCode, 0);
        const QByteArray key = ScriptedPeer::keyOf(peer.requestHead());
        QCOMPARE(key.size(), 24);
        const auto decoded =
            QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
        QVERIFY2(decoded, key.constData());
        QCOMPARE(decoded.decoded.size(), 16);

        // A strict server (QtWebSockets answers 400 to a bad key) opens the session.
        EchoServer echo;
        QVERIFY(echo.listen());
        QVERIFY(writeScenario(file, R"({"url": ")" + echo.url().toEncoded() + R"("})",
                              R"([{"message": {"text": "hello"}}, {"delay": 0.2}, )"
                              R"({"close": {"code": 1000}}])"));
        const CliResult strict = runCli({u"send"_s, u"--scenario"_s, file});
        QCOMPARE(strict.exitCode, 0);
        QVERIFY2(strict.out.contains(u"HTTP/1.1 101 Switching Protocols"_s),
                 qPrintable(strict.out.left(2000)));
        QVERIFY(!strict.out.contains(u"Sec-WebSocket-Key: ws:"_s));
        QVERIFY(strict.out.contains(u"RX FRAME : OPCODE=1"_s)); // the echo came back
    }

    // --- cases and run -------------------------------------------------------------------------

    void casesListsTheLibrary()
    {
        const CliResult all = runCli({u"cases"_s});
        QCOMPARE(all.exitCode, 0);
        const QStringList lines = all.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), caseLibrary().size());
        for (qsizetype i = 0; i < lines.size(); ++i)
            QVERIFY2(lines[i].startsWith(caseLibrary()[i].id + u' '), qPrintable(lines[i]));
        QCOMPARE(lines.first().simplified(), u"1.1.1 Send text message with payload 0."_s);
        QVERIFY(!all.out.contains(u"<br>"_s)); // the descriptions' line breaks become spaces

        const CliResult group = runCli({u"cases"_s, u"1.1.*"_s});
        QCOMPARE(group.exitCode, 0);
        QStringList ids;
        for (const QString &line : group.out.split(u'\n', Qt::SkipEmptyParts))
            ids << line.section(u' ', 0, 0);
        QCOMPARE(ids, (QStringList{u"1.1.1"_s, u"1.1.2"_s, u"1.1.3"_s, u"1.1.4"_s, u"1.1.5"_s,
                                   u"1.1.6"_s, u"1.1.7"_s, u"1.1.8"_s}));
    }

    void unknownCasePatternExitsTwo()
    {
        const CliResult r = runCli({u"cases"_s, u"1.1.99"_s});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.trimmed().count(u'\n'), 0);
        QVERIFY2(r.err.contains(u"\"1.1.99\""_s), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"close matches: 1.1.1"_s), qPrintable(r.err));

        QTemporaryDir tmp;
        const CliResult run = runCli({u"run"_s, u"ws://127.0.0.1:%1/"_s.arg(refusedPort()),
                                      u"--cases"_s, u"1.1.1,42.*"_s, u"--outdir"_s, tmp.path()});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.err.trimmed().count(u'\n'), 0);
        QVERIFY2(run.err.contains(u"\"42.*\""_s), qPrintable(run.err));
        QVERIFY(QDir(tmp.path()).isEmpty()); // nothing ran, nothing written
    }

    // Four cases against the embedded echo server, two at a time: the report directory as
    // Autobahn writes it, and an exit status that follows the verdicts.
    void runAgainstEchoServer()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(u"reports"_s);
        const QStringList ids = {u"1.1.1"_s, u"2.2"_s, u"3.6"_s, u"7.1.2"_s};
        const CliResult r = runCli({u"run"_s, echo.url().toString(), u"--cases"_s, ids.join(u','),
                                    u"--jobs"_s, u"2"_s, u"--outdir"_s, dir},
                                   60000);
        QVERIFY2(r.exitCode == 0 || r.exitCode == 1, qPrintable(r.err));

        // index.json: agent (the echo server's Server: header) → case → summary.
        const QJsonObject index = readJson(dir + u"/index.json"_s);
        const QString agent = u"WebSocketInspector-Echo"_s;
        QCOMPARE(index.keys(), QStringList{agent});
        const QJsonObject cases = index.value(agent).toObject();
        QCOMPARE(cases.keys(), ids);
        bool allPassed = true;
        for (const QString &id : ids) {
            const QJsonObject entry = cases.value(id).toObject();
            QCOMPARE(entry.keys(), (QStringList{u"behavior"_s, u"behaviorClose"_s, u"duration"_s,
                                                u"remoteCloseCode"_s, u"reportfile"_s}));
            // The file's word read back by the core; the exit status follows its one pass rule.
            const std::optional<Verdict> behavior =
                verdictFromText(entry.value(u"behavior"_s).toString());
            QVERIFY2(behavior, qPrintable(id));
            allPassed = allPassed && isPassing(*behavior);
            const QString file =
                u"websocketinspector_echo_case_"_s + QString(id).replace(u'.', u'_');
            QCOMPARE(entry.value(u"reportfile"_s).toString(), file + u".json"_s);

            // The per-case JSON: every Autobahn key, the same verdicts as the index.
            const QJsonObject o = readJson(dir + u'/' + file + u".json"_s);
            for (const char *key : {"agent",
                                    "id",
                                    "case",
                                    "description",
                                    "expectation",
                                    "started",
                                    "duration",
                                    "reportTime",
                                    "behavior",
                                    "behaviorClose",
                                    "result",
                                    "resultClose",
                                    "expected",
                                    "expectedClose",
                                    "received",
                                    "wirelog",
                                    "createWirelog",
                                    "createStats",
                                    "rxOctetStats",
                                    "txOctetStats",
                                    "rxFrameStats",
                                    "txFrameStats",
                                    "httpRequest",
                                    "httpResponse",
                                    "isServer",
                                    "closedByMe",
                                    "failedByMe",
                                    "droppedByMe",
                                    "wasClean",
                                    "wasNotCleanReason",
                                    "wasServerConnectionDropTimeout",
                                    "wasOpenHandshakeTimeout",
                                    "wasCloseHandshakeTimeout",
                                    "localCloseCode",
                                    "localCloseReason",
                                    "remoteCloseCode",
                                    "remoteCloseReason"})
                QVERIFY2(o.contains(QLatin1String(key)),
                         qPrintable(id + u' ' + QLatin1String(key)));
            QCOMPARE(o.value(u"id"_s).toString(), id);
            QCOMPARE(o.value(u"agent"_s).toString(), agent);
            QCOMPARE(o.value(u"case"_s).toInt(), caseIndex(id));
            QCOMPARE(o.value(u"behavior"_s), entry.value(u"behavior"_s));
            QCOMPARE(o.value(u"behaviorClose"_s), entry.value(u"behaviorClose"_s));
            QCOMPARE(o.value(u"remoteCloseCode"_s), entry.value(u"remoteCloseCode"_s));
            QVERIFY(QFile::exists(dir + u'/' + file + u".html"_s));
        }
        // A reference server passes these; the exit status says what the verdicts say.
        QCOMPARE(cases.value(u"1.1.1"_s).toObject().value(u"behavior"_s).toString(), u"OK"_s);
        QCOMPARE(cases.value(u"2.2"_s).toObject().value(u"behavior"_s).toString(), u"OK"_s);
        QCOMPARE(r.exitCode, allPassed ? 0 : 1);

        // Progress: one line per finished case; a summary on standard output.
        static const QRegularExpression line(
            uR"(^\[([1-4])/4\] (1\.1\.1|2\.2|3\.6|7\.1\.2)  [A-Z-]+/[A-Z ]+)"_s);
        QStringList seen;
        for (const QString &l : r.err.split(u'\n', Qt::SkipEmptyParts)) {
            const QRegularExpressionMatch m = line.match(l);
            QVERIFY2(m.hasMatch(), qPrintable(l));
            seen << m.captured(2);
        }
        seen.sort();
        QCOMPARE(seen, ids);
        QVERIFY2(r.out.startsWith(u"4 cases: "_s), qPrintable(r.out));

        // index.html: the master table with a cell per case linking to its page.
        const QString indexHtml = readText(dir + u"/index.html"_s);
        QVERIFY(indexHtml.contains(u"<td class=\"agent close_flex\" colspan=\"2\">"_s + agent));
        QVERIFY(indexHtml.contains(u"<td class=\"case_category\">1 Framing</td>"_s));
        QVERIFY(indexHtml.contains(u"1.1 Text Messages"_s));
        QVERIFY(indexHtml.contains(
            u"<td class=\"case_ok\"><a href=\"websocketinspector_echo_case_2_2.html\">Pass</a>"_s));
        for (const QString &id : ids) {
            QVERIFY(indexHtml.contains(u"<a href=\"#case_desc_%1\">Case %2</a>"_s.arg(
                QString(id).replace(u'.', u'_'), id)));
        }

        // The 2.2 page, in the seeds' layout.
        const QString page = readText(dir + u"/websocketinspector_echo_case_2_2.html"_s);
        const QJsonObject o22 = readJson(dir + u"/websocketinspector_echo_case_2_2.json"_s);
        QVERIFY(page.contains(u"<p class=\"case case_ok\">"_s + agent));
        QVERIFY(page.contains(u"<b>Case 2.2</b></span> : Pass - "_s));
        QVERIFY(page.contains(u"Send ping with small text payload."_s));
        QVERIFY(page.contains(u"<span class=\"case_pickle\">{'OK': [('pong', u'Hello, world!')]}"
                              u"</span>"_s));
        QVERIFY(page.contains(o22.value(u"resultClose"_s).toString() + u" ("_s +
                              o22.value(u"behaviorClose"_s).toString() + u')'));
        QVERIFY(page.contains(u"<pre class=\"http_dump\">GET / HTTP/1.1"_s));
        QVERIFY(page.contains(u"<tr class=\"stats_row\"><td>remoteCloseCode</td>"_s));
        QVERIFY(page.contains(u"<h3>Frames Transmitted by Opcode</h3>"_s));
        QVERIFY(page.contains(u"<pre class=\"wirelog_tx_frame\">002 TX FRAME : OPCODE=9"_s));
        QVERIFY(
            page.contains(u"<pre class=\"wirelog_rx_frame\">               Hello, world!</pre>"_s));
    }

    // No server: every case is marked, one line says why, and the run does not wait for the
    // cases' timeouts.
    // A scenario with a case part runs as a case of its own (`run --scenario`), alone when no
    // --cases are given. Its id may hold anything: the report files stay inside the directory.
    void runScenarioAsCase()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        QTemporaryDir tmp;
        const auto write = [&tmp](const QString &name, const QByteArray &json) {
            QFile f(tmp.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(json);
        };
        const QByteArray head = R"({"format": "wsinspector-scenario", "version": 1, )";
        write(u"own.json"_s, head + R"("description": "Echo.",
            "case": {"id": "my/../echo.1", "expected": [{"verdict": "OK",
                     "events": [{"message": {"text": "Hello"}}]}]},
            "steps": [{"message": {"text": "Hello"}}]})");
        write(u"wrong.json"_s, head + R"("case": {"id": "mine.2", "expected": [{"verdict": "OK",
                     "events": [{"message": {"text": "Bye"}}]}]},
            "steps": [{"message": {"text": "Hello"}}]})");
        write(u"library.json"_s, head + R"("case": {"id": "1.1.1", "expected": []},
            "steps": []})");
        write(u"plain.json"_s, head + R"("steps": [{"ping": {"text": "x"}}]})");
        const QString dir = tmp.filePath(u"reports"_s);
        const QString url = echo.url().toString();

        const CliResult r =
            runCli({u"run"_s, url, u"--scenario"_s, tmp.filePath(u"own.json"_s), u"--scenario"_s,
                    tmp.filePath(u"wrong.json"_s), u"--outdir"_s, dir},
                   60000);
        QCOMPARE(r.exitCode, 1); // mine.2 failed
        QVERIFY2(r.err.contains(u"my/../echo.1  OK"_s), qPrintable(r.err));
        const QJsonObject cases =
            readJson(dir + u"/index.json"_s).value(u"WebSocketInspector-Echo"_s).toObject();
        QCOMPARE(cases.keys(), (QStringList{u"mine.2"_s, u"my/../echo.1"_s})); // no library case
        QCOMPARE(cases.value(u"my/../echo.1"_s).toObject().value(u"behavior"_s).toString(),
                 u"OK"_s);
        QCOMPARE(cases.value(u"mine.2"_s).toObject().value(u"behavior"_s).toString(), u"FAILED"_s);
        const QString own = u"websocketinspector_echo_case_my____echo_1"_s;
        QCOMPARE(cases.value(u"my/../echo.1"_s).toObject().value(u"reportfile"_s).toString(),
                 own + u".json"_s);
        QVERIFY(QFileInfo::exists(dir + u'/' + own + u".json"_s));
        QVERIFY(QFileInfo::exists(dir + u'/' + own + u".html"_s));
        QCOMPARE(readJson(dir + u'/' + own + u".json"_s).value(u"description"_s).toString(),
                 u"Echo."_s);
        QCOMPARE(QDir(tmp.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot),
                 QStringList{u"reports"_s}); // nothing written outside it

        const CliResult plain = runCli(
            {u"run"_s, url, u"--scenario"_s, tmp.filePath(u"plain.json"_s), u"--outdir"_s, dir});
        QCOMPARE(plain.exitCode, 2);
        QVERIFY2(plain.err.contains(u"no case part"_s), qPrintable(plain.err));
        QCOMPARE(plain.err.count(u'\n'), 1);

        const CliResult twice = runCli({u"run"_s, url, u"--cases"_s, u"1.1.*"_s, u"--scenario"_s,
                                        tmp.filePath(u"library.json"_s), u"--outdir"_s, dir});
        QCOMPARE(twice.exitCode, 2);
        QVERIFY2(twice.err.contains(u"case 1.1.1 is also selected from the library"_s),
                 qPrintable(twice.err));

        const CliResult missing = runCli(
            {u"run"_s, url, u"--scenario"_s, tmp.filePath(u"none.json"_s), u"--outdir"_s, dir});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY2(missing.err.contains(u"none.json"_s), qPrintable(missing.err));
    }

    void runWithoutServerIsOneLine()
    {
        const QString url = u"ws://127.0.0.1:%1/"_s.arg(refusedPort());
        QString error;
        const qsizetype count = selectCases({u"1.*"_s, u"2.*"_s}, {}, &error).size();
        QVERIFY(count > 2);
        QTemporaryDir tmp;
        const CliResult r = runCli({u"run"_s, url, u"--cases"_s, u"1.*,2.*"_s, u"--jobs"_s, u"2"_s,
                                    u"--outdir"_s, tmp.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.isEmpty());
        QCOMPARE(r.err.trimmed().count(u'\n'), 0);
        QVERIFY2(r.err.startsWith(u"error: no connection to "_s + url + u": "_s),
                 qPrintable(r.err));
        QVERIFY2(r.err.contains(u"refused"_s, Qt::CaseInsensitive), qPrintable(r.err));
        QVERIFY2(r.err.trimmed().endsWith(u" — %1 cases not run"_s.arg(count)), qPrintable(r.err));

        // Every case is in the index, failed, with why where it was not even tried.
        const QJsonObject index = readJson(tmp.filePath(u"index.json"_s));
        QCOMPARE(index.size(), 1);
        const QJsonObject cases = index.begin().value().toObject();
        QCOMPARE(cases.size(), count);
        int skipped = 0;
        for (const QJsonValue &entry : cases) {
            QCOMPARE(entry.toObject().value(u"behavior"_s).toString(), u"FAILED"_s);
            if (entry.toObject().contains(u"skipped"_s)) {
                ++skipped;
                QVERIFY(entry.toObject().value(u"reportfile"_s).isNull());
            }
        }
        QVERIFY(skipped >= count - 2); // at most the two first cases were tried
        QVERIFY(readText(tmp.filePath(u"index.html"_s)).contains(u"case_missing"_s));
    }

    void runIntoAFileExitsTwo()
    {
        QTemporaryDir tmp;
        const QString file = tmp.filePath(u"not-a-dir"_s);
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        const CliResult r = runCli({u"run"_s, u"ws://127.0.0.1:%1/"_s.arg(refusedPort()),
                                    u"--cases"_s, u"1.1.1"_s, u"--outdir"_s, file});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(r.err.trimmed().count(u'\n'), 0);
        QVERIFY2(r.err.contains(file) && r.err.contains(u"not a directory"_s), qPrintable(r.err));
    }

    void echoServerPrintsItsUrl()
    {
        QProcess p;
        p.start(QStringLiteral(WSI_CLI_PATH), {u"echo-server"_s, u"--port"_s, u"0"_s});
        QVERIFY(p.waitForReadyRead(10000));
        const QString url = QString::fromUtf8(p.readLine()).trimmed();
        QVERIFY2(url.startsWith(u"ws://127.0.0.1:"_s), qPrintable(url));
        const CliResult r = runCli({u"send"_s, url, u"--message"_s, u"text:hello echo"_s,
                                    u"--delay"_s, u"0.2"_s, u"--close"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(u"hello echo"_s));
        p.terminate();
        QVERIFY(p.waitForFinished(5000));
        QCOMPARE(p.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
