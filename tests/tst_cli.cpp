// SPDX-License-Identifier: MIT
// wsinspector-cli as a user runs it: a real process against the embedded echo server and a
// scripted raw peer; exit statuses, the text report and the Autobahn-keyed JSON.
#include "echoserver.h"
#include "scriptedpeer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
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
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
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
        for (const char *word : {"--frame", "--message", "--ping", "--pong", "--delay", "--close",
                                 "--fail", "--drop", "--half-close", "--close-after", "--fail-after",
                                 "--no-auto-pong", "--no-auto-close-reply", "--timeout", "--header",
                                 "--subprotocol", "--insecure", "--json", "echo-server"})
            QVERIFY2(r.out.contains(QString::fromLatin1(word)), word);
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
        const CliResult r = runCli(
            {u"send"_s, echo.url().toString(),
             u"--frame"_s, u"opcode=text,fin=0,text=fragment1"_s + frame,
             u"--frame"_s, u"opcode=continuation,fin=0,text=fragment2"_s + frame,
             u"--frame"_s, u"opcode=ping,text=pongme 1!"_s + frame,
             u"--delay"_s, u"0.3"_s,
             u"--frame"_s, u"opcode=continuation,fin=0,text=fragment3"_s + frame,
             u"--frame"_s, u"opcode=continuation,fin=0,text=fragment4"_s + frame,
             u"--frame"_s, u"opcode=ping,text=pongme 2!"_s + frame,
             u"--frame"_s, u"opcode=continuation,fin=1,text=fragment5"_s + frame,
             u"--delay"_s, u"0.3"_s, u"--close"_s, u"1000"_s, u"--json"_s, json});
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
        for (const char *key :
             {"wasClean", "closedByMe", "failedByMe", "droppedByMe", "wasNotCleanReason",
              "wasServerConnectionDropTimeout", "wasOpenHandshakeTimeout",
              "wasCloseHandshakeTimeout", "localCloseCode", "localCloseReason", "remoteCloseCode",
              "remoteCloseReason", "behaviorClose", "resultClose", "rxOctetStats", "txOctetStats",
              "rxFrameStats", "txFrameStats", "wirelog", "httpRequest", "httpResponse"})
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
        QVERIFY(r.out.contains(u"The spec requires the connection to be failed cleanly here (UNCLEAN)"_s));
        QVERIFY(r.out.contains(u"TCP DROPPED BY ME"_s));
        QVERIFY(r.out.contains(u"ScriptedPeer/1.0"_s)); // the agent from the Server: header
    }

    // A server that answers nothing after the handshake: the run still ends within --timeout.
    void silentServerEndsWithinTimeouts()
    {
        ScriptedPeer peer;
        QElapsedTimer clock;
        clock.start();
        const CliResult r = runCli({u"send"_s, peer.url().toString(), u"--ping"_s, u"x"_s,
                                    u"--timeout"_s, u"0.5"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(clock.elapsed() < 6000);
        QVERIFY2(r.out.contains(u"peer did not respond (in time) in closing handshake"_s),
                 qPrintable(r.out.left(2000)));
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
