// SPDX-License-Identifier: MIT
// Connecting through proxies (docs/proxies.md): the proxy URL, the proxy leg as a pure state
// machine fed hand-made replies split at every offset, and live connections through Debian's
// tinyproxy (HTTP CONNECT) and microsocks (SOCKS5), started by the test, to the embedded echo
// server (ws:// and wss://).
#include "capture/capturefile.h"
#include "echo/echoserver.h"
#include "session/proxy.h"
#include "session/session.h"
#include "testutils.h"
#include "trace/closing.h"
#include "trace/report.h"
#include "trace/wirelog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace wsi;
using namespace wsi::test;
using namespace Qt::StringLiterals;

namespace {

using Status = ProxyHandshake::Status;

// A port nothing listens on (bound, then released): tinyproxy and microsocks want a number.
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// A proxy program run by the test, listening on 127.0.0.1:port once ready().
class ProxyProcess
{
public:
    ProxyProcess() = default;
    ProxyProcess(const ProxyProcess &) = delete;
    ProxyProcess &operator=(const ProxyProcess &) = delete;
    ~ProxyProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(3000)) {
                m_process.kill();
                m_process.waitForFinished(3000);
            }
        }
    }

    // tinyproxy in the foreground, allowing CONNECT to `connectPorts`; BasicAuth when `user`.
    bool startTinyproxy(const QList<quint16> &connectPorts, const QString &user = {},
                        const QString &password = {})
    {
        // The free port may be taken again before the proxy binds it: a few tries.
        for (int attempt = 0; attempt < 3; ++attempt) {
            if (tryTinyproxy(connectPorts, user, password))
                return true;
        }
        return false;
    }

    bool startMicrosocks(const QString &user = {}, const QString &password = {})
    {
        for (int attempt = 0; attempt < 3; ++attempt) {
            if (tryMicrosocks(user, password))
                return true;
        }
        return false;
    }

    [[nodiscard]] quint16 port() const { return m_port; }

private:
    bool tryTinyproxy(const QList<quint16> &connectPorts, const QString &user,
                      const QString &password)
    {
        m_port = freePort();
        QString config = u"Port %1\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 30\n"
                         u"LogLevel Info\nMaxClients 20\n"_s.arg(m_port);
        for (const quint16 port : connectPorts)
            config += u"ConnectPort %1\n"_s.arg(port);
        if (!user.isEmpty())
            config += u"BasicAuth %1 %2\n"_s.arg(user, password);
        QFile file(m_dir.filePath(u"tinyproxy.conf"_s));
        if (!file.open(QIODevice::WriteOnly) || file.write(config.toUtf8()) < 0)
            return false;
        file.close();
        return start(u"/usr/bin/tinyproxy"_s, {u"-d"_s, u"-c"_s, file.fileName()});
    }

    bool tryMicrosocks(const QString &user, const QString &password)
    {
        m_port = freePort();
        QStringList args{u"-i"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(m_port)};
        if (!user.isEmpty())
            args << u"-u"_s << user << u"-P"_s << password;
        return start(u"/usr/bin/microsocks"_s, args);
    }

    bool start(const QString &program, const QStringList &args)
    {
        if (m_process.state() != QProcess::NotRunning) { // a try that did not get ready
            m_process.kill();
            m_process.waitForFinished(3000);
        }
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(program, args);
        if (!m_process.waitForStarted(5000))
            return false;
        // Ready once it accepts a connection (or failed: it exited).
        const auto accepts = [this] {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            return probe.waitForConnected(100);
        };
        return QTest::qWaitFor(
                   [&] { return m_process.state() == QProcess::NotRunning || accepts(); }, 5000) &&
               m_process.state() == QProcess::Running;
    }

    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

ProxySettings proxyOf(const QString &url)
{
    QString error;
    const std::optional<ProxySettings> proxy = ProxySettings::fromUrl(url, &error);
    if (!proxy)
        qWarning("bad proxy URL %s: %s", qPrintable(url), qPrintable(error));
    return proxy.value_or(ProxySettings{});
}

QStringList eventTexts(const Trace &trace, TraceEvent::Kind kind)
{
    QStringList texts;
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == kind)
            texts << e.text;
    }
    return texts;
}

// The first stored octets of one direction's stream.
QByteArray streamStart(const Trace &trace, Direction d, qint64 size)
{
    return trace.streamOctets(d, 0, size);
}

// The text payloads of the received text frames.
QStringList receivedTexts(const Trace &trace)
{
    QStringList texts;
    for (const FrameRecord &f : trace.frames()) {
        if (f.direction == Direction::Rx && f.opcode == 1)
            texts << QString::fromUtf8(trace.framePayload(f));
    }
    return texts;
}

// What the proxy leg of one handshake did, fed `script` in two parts split at `split`.
struct LegOutcome
{
    Status status = Status::NeedMore;
    QList<QByteArray> writes; // after the first request
    QStringList replies;
    QString failure;
    QByteArray tunnel;
};

LegOutcome runLeg(ProxyHandshake &handshake, const QByteArray &script, qsizetype split)
{
    LegOutcome out;
    const auto take = [&out](const ProxyHandshake::Result &r) {
        if (!r.replyText.isEmpty())
            out.replies << r.replyText;
        out.status = r.status;
        if (r.status == Status::Write)
            out.writes << r.octets;
        if (r.status == Status::Failed)
            out.failure = r.failure;
        if (r.status == Status::Done)
            out.tunnel += r.octets;
    };
    for (const QByteArray &part : {script.left(split), script.mid(split)}) {
        if (out.status == Status::Failed)
            break;
        if (out.status == Status::Done) {
            take(handshake.feed(part));
            continue;
        }
        ProxyHandshake::Result r = handshake.feed(part);
        take(r);
        // After a Write, what was already received may hold the next reply.
        while (r.status == Status::Write) {
            r = handshake.feed({});
            take(r);
        }
    }
    return out;
}

} // namespace

class TestProxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- the proxy URL ---------------------------------------------------------------------

    void fromUrl_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("error");
        using K = ProxySettings::Kind;
        QTest::newRow("none") << u"none"_s << true << int(K::None) << QString() << 0 << QString()
                              << QString() << QString();
        QTest::newRow("empty") << QString() << true << int(K::None) << QString() << 0 << QString()
                               << QString() << QString();
        QTest::newRow("system") << u"System"_s << true << int(K::System) << QString() << 0
                                << QString() << QString() << QString();
        QTest::newRow("http") << u"http://proxy.example:3128"_s << true << int(K::Http)
                              << u"proxy.example"_s << 3128 << QString() << QString() << QString();
        QTest::newRow("http with credentials, escaped")
            << u"http://al%40ice:p%3Ass@10.0.0.1:8080/"_s << true << int(K::Http) << u"10.0.0.1"_s
            << 8080 << u"al@ice"_s << u"p:ss"_s << QString();
        QTest::newRow("socks5, default port")
            << u"socks5://127.0.0.1"_s << true << int(K::Socks5) << u"127.0.0.1"_s << 1080
            << QString() << QString() << QString();
        QTest::newRow("socks5h with credentials")
            << u"socks5h://u:p@[::1]:9050"_s << true << int(K::Socks5) << u"::1"_s << 9050 << u"u"_s
            << u"p"_s << QString();
        QTest::newRow("http without port")
            << u"http://proxy.example"_s << false << 0 << QString() << 0 << QString() << QString()
            << u"an HTTP proxy URL needs a port"_s;
        QTest::newRow("port 0") << u"http://proxy.example:0"_s << false << 0 << QString() << 0
                                << QString() << QString() << u"proxy port must be 1–65535"_s;
        QTest::newRow("https proxy")
            << u"https://proxy.example:443"_s << false << 0 << QString() << 0 << QString()
            << QString() << u"(https://) is not supported"_s;
        QTest::newRow("socks4") << u"socks4://proxy.example:1080"_s << false << 0 << QString() << 0
                                << QString() << QString() << u"only SOCKS5 is supported"_s;
        QTest::newRow("ftp") << u"ftp://proxy.example:21"_s << false << 0 << QString() << 0
                             << QString() << QString() << u"unknown proxy scheme 'ftp'"_s;
        QTest::newRow("no scheme") << u"proxy.example:3128"_s << false << 0 << QString() << 0
                                   << QString() << QString() << u"unknown proxy scheme"_s;
        QTest::newRow("a path") << u"http://proxy.example:3128/x"_s << false << 0 << QString() << 0
                                << QString() << QString() << u"has no path"_s;
        QTest::newRow("password without user")
            << u"http://:pw@proxy.example:3128"_s << false << 0 << QString() << 0 << QString()
            << QString() << u"a password but no user name"_s;
        QTest::newRow("SOCKS5 user too long")
            << (u"socks5://"_s + QString(256, u'u') + u":p@h:1080"_s) << false << 0 << QString()
            << 0 << QString() << QString() << u"at most 255 octets"_s;
    }
    void fromUrl()
    {
        QFETCH(QString, url);
        QFETCH(bool, ok);
        QFETCH(int, kind);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QString, user);
        QFETCH(QString, password);
        QFETCH(QString, error);
        QString why;
        const std::optional<ProxySettings> proxy = ProxySettings::fromUrl(url, &why);
        QCOMPARE(proxy.has_value(), ok);
        if (!ok) {
            QVERIFY2(why.contains(error), qPrintable(why));
            return;
        }
        QCOMPARE(int(proxy->kind), kind);
        QCOMPARE(proxy->host, host);
        QCOMPARE(int(proxy->port), port);
        QCOMPARE(proxy->user, user);
        QCOMPARE(proxy->password, password);
        // toUrl(true) reads back as the same settings; without the password, no password.
        QCOMPARE(ProxySettings::fromUrl(proxy->toUrl(true), nullptr), proxy);
        if (!password.isEmpty()) {
            QVERIFY(
                !proxy->toUrl().contains(QString::fromLatin1(QUrl::toPercentEncoding(password))));
            QCOMPARE(ProxySettings::fromUrl(proxy->toUrl(), nullptr)->password, QString());
        }
    }

    // ---- HTTP CONNECT, pure -----------------------------------------------------------------

    void httpRequest()
    {
        ProxyHandshake plain(proxyOf(u"http://127.0.0.1:3128"_s));
        const ProxyHandshake::Result r = plain.start(u"echo.example"_s, 9001);
        QCOMPARE(r.status, Status::Write);
        QCOMPARE(r.octets, "CONNECT echo.example:9001 HTTP/1.1\r\nHost: echo.example:9001\r\n\r\n");
        QCOMPARE(r.requestText, QString::fromLatin1(r.octets));

        ProxyHandshake v6(proxyOf(u"http://127.0.0.1:3128"_s));
        QCOMPARE(v6.start(u"::1"_s, 443).octets,
                 "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n");

        // RFC 7617 Basic; the trace's text names the user, never the password.
        ProxyHandshake auth(proxyOf(u"http://alice:s3cret@127.0.0.1:3128"_s));
        const ProxyHandshake::Result a = auth.start(u"h"_s, 80);
        QVERIFY(a.octets.contains("\r\nProxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n"));
        QVERIFY(a.octets.endsWith("\r\n\r\n"));
        QVERIFY(a.requestText.contains(u"user \"alice\""_s));
        QVERIFY(!a.requestText.contains(u"s3cret"_s));
        QVERIFY(!a.requestText.contains(u"YWxpY2U6czNjcmV0"_s));
    }

    void httpReply_data()
    {
        QTest::addColumn<QString>("proxy");
        QTest::addColumn<QByteArray>("reply");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("failure");
        QTest::addColumn<QByteArray>("tunnel");
        const QString plain = u"http://127.0.0.1:3128"_s;
        const QString auth = u"http://alice:wrong@127.0.0.1:3128"_s;
        QTest::newRow("200, then the server's octets")
            << plain
            << QByteArray(
                   "HTTP/1.1 200 Connection established\r\nProxy-agent: x\r\n\r\nHTTP/1.1 101")
            << int(Status::Done) << QString() << QByteArray("HTTP/1.1 101");
        QTest::newRow("200 with bare LF") << plain << QByteArray("HTTP/1.0 200 OK\n\n")
                                          << int(Status::Done) << QString() << QByteArray();
        QTest::newRow("interim 100, then 200")
            << plain << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nX")
            << int(Status::Done) << QString() << QByteArray("X");
        QTest::newRow("407 without credentials")
            << plain
            << QByteArray("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: "
                          "Basic realm=\"p\"\r\nContent-Length: 0\r\n\r\n")
            << int(Status::Failed)
            << u"proxy requires authentication (407 Proxy Authentication Required)"_s
            << QByteArray();
        QTest::newRow("407 with credentials")
            << auth << QByteArray("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
            << int(Status::Failed)
            << u"proxy rejected the credentials of user \"alice\" (407 Proxy Authentication "
               u"Required)"_s
            << QByteArray();
        QTest::newRow("401 with credentials")
            << auth << QByteArray("HTTP/1.0 401 Unauthorized\r\n\r\n") << int(Status::Failed)
            << u"proxy rejected the credentials of user \"alice\" (401 Unauthorized)"_s
            << QByteArray();
        QTest::newRow("407 asking for NTLM")
            << plain
            << QByteArray("HTTP/1.1 407 Proxy Authentication Required\r\n"
                          "Proxy-Authenticate: NTLM\r\n\r\n")
            << int(Status::Failed)
            << u"proxy requires authentication (407 Proxy Authentication Required; it asks for "
               u"NTLM, we speak Basic only)"_s
            << QByteArray();
        QTest::newRow("403") << plain << QByteArray("HTTP/1.1 403 Access violation\r\n\r\n")
                             << int(Status::Failed)
                             << u"the proxy refused the tunnel to h:9 (403 Access violation)"_s
                             << QByteArray();
        QTest::newRow("502") << plain << QByteArray("HTTP/1.0 502 Bad Gateway\r\n\r\n")
                             << int(Status::Failed)
                             << u"the proxy could not connect to h:9 (502 Bad Gateway)"_s
                             << QByteArray();
        QTest::newRow("not HTTP") << plain << QByteArray("SSH-2.0-OpenSSH\r\n\r\n")
                                  << int(Status::Failed)
                                  << u"the proxy's reply is not HTTP: SSH-2.0-OpenSSH"_s
                                  << QByteArray();
        QTest::newRow("head too large")
            << plain
            << (QByteArray("HTTP/1.1 200 OK\r\nX: ") +
                QByteArray(ProxyHandshake::kMaxHttpHead, 'x') + "\r\n\r\n")
            << int(Status::Failed) << u"the proxy's reply head is larger than 16 KiB"_s
            << QByteArray();
    }
    void httpReply()
    {
        QFETCH(QString, proxy);
        QFETCH(QByteArray, reply);
        QFETCH(int, status);
        QFETCH(QString, failure);
        QFETCH(QByteArray, tunnel);
        // The same outcome whichever way the reply is split (a large one: every 97th offset).
        const qsizetype step = reply.size() > 1000 ? 97 : 1;
        for (qsizetype split = 0; split <= reply.size(); split += step) {
            ProxyHandshake handshake(proxyOf(proxy));
            QCOMPARE(handshake.start(u"h"_s, 9).status, Status::Write);
            const LegOutcome out = runLeg(handshake, reply, split);
            QCOMPARE(int(out.status), status);
            QCOMPARE(out.failure, failure);
            QCOMPARE(out.tunnel, tunnel);
            QVERIFY(out.writes.isEmpty());
            if (status == int(Status::Done) || reply.size() < ProxyHandshake::kMaxHttpHead)
                QVERIFY(!out.replies.isEmpty() &&
                        out.replies.first().startsWith(u"HTTP/"_s) == reply.startsWith("HTTP/"));
        }
    }

    // ---- SOCKS5, pure -----------------------------------------------------------------------

    void socksRequests()
    {
        // RFC 1928 §3 greeting, then (method 00) the CONNECT: a name as ATYP 03.
        ProxyHandshake named(proxyOf(u"socks5h://127.0.0.1:1080"_s));
        const ProxyHandshake::Result greeting = named.start(u"echo.example"_s, 9001);
        QCOMPARE(greeting.octets, hex("05 01 00"));
        QVERIFY(greeting.requestText.startsWith(u"05 01 00  (SOCKS5 greeting"_s));
        const ProxyHandshake::Result connect = named.feed(hex("05 00"));
        QCOMPARE(connect.status, Status::Write);
        QCOMPARE(connect.octets, hex("05 01 00 03 0c") + "echo.example" + hex("23 29"));
        QVERIFY(connect.requestText.contains(u"SOCKS5 CONNECT echo.example:9001, domain name"_s));
        QVERIFY(connect.replyText.contains(u"00 no authentication"_s));

        ProxyHandshake v4(proxyOf(u"socks5://127.0.0.1"_s));
        (void)v4.start(u"127.0.0.1"_s, 80);
        QCOMPARE(v4.feed(hex("05 00")).octets, hex("05 01 00 01 7f 00 00 01 00 50"));
        ProxyHandshake v6(proxyOf(u"socks5://127.0.0.1"_s));
        (void)v6.start(u"::1"_s, 443);
        QCOMPARE(v6.feed(hex("05 00")).octets,
                 hex("05 01 00 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 bb"));

        // With a user: both methods offered; RFC 1929 request; the text hides the password.
        ProxyHandshake auth(proxyOf(u"socks5://bob:pw123@127.0.0.1"_s));
        QCOMPARE(auth.start(u"h"_s, 1).octets, hex("05 02 00 02"));
        const ProxyHandshake::Result up = auth.feed(hex("05 02"));
        QCOMPARE(up.status, Status::Write);
        QCOMPARE(up.octets, hex("01 03") + "bob" + hex("05") + "pw123");
        QVERIFY(up.requestText.contains(u"user \"bob\""_s));
        QVERIFY(!up.requestText.contains(u"pw123"_s));
        QVERIFY(!up.requestText.contains(u"70 77 31 32 33"_s));

        ProxyHandshake tooLong(proxyOf(u"socks5://127.0.0.1"_s));
        const ProxyHandshake::Result r = tooLong.start(QString(256, u'a'), 80);
        QCOMPARE(r.status, Status::Failed);
        QVERIFY(r.failure.contains(u"255 octets"_s));
    }

    void socksReply_data()
    {
        QTest::addColumn<QString>("proxy");
        QTest::addColumn<QByteArray>("script"); // everything the proxy sends, in order
        QTest::addColumn<int>("writes");        // requests after the greeting
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("failure");
        QTest::addColumn<QByteArray>("tunnel");
        QTest::addColumn<QString>("lastReply");
        const QString plain = u"socks5://127.0.0.1:1080"_s;
        const QString auth = u"socks5://bob:pw@127.0.0.1:1080"_s;
        QTest::newRow("no auth, IPv4 bound address, then the server's octets")
            << plain << (hex("05 00  05 00 00 01 7f 00 00 01 c3 50") + "HTTP") << 1
            << int(Status::Done) << QString() << QByteArray("HTTP")
            << u"05 00 00 01 7f 00 00 01 c3 50  (SOCKS5 reply 00: succeeded, bound address "
               u"127.0.0.1:50000)"_s;
        QTest::newRow("username/password, domain bound address")
            << auth << (hex("05 02  01 00  05 00 00 03 04") + "host" + hex("00 50")) << 2
            << int(Status::Done) << QString() << QByteArray()
            << u"05 00 00 03 04 68 6f 73 74 00 50  (SOCKS5 reply 00: succeeded, bound address "
               u"host:80)"_s;
        QTest::newRow("IPv6 bound address")
            << plain
            << hex("05 00  05 00 00 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 "
                   "00 16")
            << 1 << int(Status::Done) << QString() << QByteArray()
            << u"05 00 00 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 16  (SOCKS5 "
               u"reply 00: succeeded, bound address [::1]:22)"_s;
        QTest::newRow("no acceptable method")
            << plain << hex("05 ff") << 0 << int(Status::Failed)
            << u"no acceptable authentication method (SOCKS5 method reply FF): the proxy may "
               u"want a user name and password"_s
            << QByteArray() << u"05 ff  (SOCKS5 method selection: ff no acceptable methods)"_s;
        QTest::newRow("username/password not offered")
            << plain << hex("05 02") << 0 << int(Status::Failed)
            << u"the proxy chose username/password (SOCKS5 method 02), which we did not offer"_s
            << QByteArray() << u"05 02  (SOCKS5 method selection: 02 username/password)"_s;
        QTest::newRow("credentials rejected")
            << auth << hex("05 02  01 01") << 1 << int(Status::Failed)
            << u"the SOCKS5 proxy rejected the user name and password of user \"bob\" (status "
               u"01)"_s
            << QByteArray() << u"01 01  (SOCKS5 username/password status 01: failure)"_s;
        const char *const names[] = {"general SOCKS server failure",
                                     "connection not allowed by the proxy's ruleset",
                                     "network unreachable",
                                     "host unreachable",
                                     "connection refused by destination host",
                                     "TTL expired",
                                     "command not supported",
                                     "address type not supported"};
        for (int rep = 1; rep <= 8; ++rep) {
            const QByteArray reply = hex("05 00 05") + char(rep) + hex("00 01 00 00 00 00 00 00");
            QTest::addRow("reply %02d", rep)
                << plain << reply << 1 << int(Status::Failed)
                << (QString::fromLatin1(names[rep - 1]) + u" (SOCKS5 reply 0"_s +
                    QString::number(rep) + u')')
                << QByteArray() << QString();
        }
        QTest::newRow("unknown address type")
            << plain << hex("05 00  05 00 00 07 00") << 1 << int(Status::Failed)
            << u"the SOCKS5 reply has an unknown address type 07 (succeeded, reply 00)"_s
            << QByteArray() << u"05 00 00 07 00"_s;
        QTest::newRow("not SOCKS5")
            << plain << QByteArray("HTTP/1.1 400 Bad") << 0 << int(Status::Failed)
            << u"the proxy's reply is not SOCKS5 (version 48 in the "
               u"method selection)"_s
            << QByteArray() << u"48 54"_s;
    }
    void socksReply()
    {
        QFETCH(QString, proxy);
        QFETCH(QByteArray, script);
        QFETCH(int, writes);
        QFETCH(int, status);
        QFETCH(QString, failure);
        QFETCH(QByteArray, tunnel);
        QFETCH(QString, lastReply);
        for (qsizetype split = 0; split <= script.size(); ++split) {
            ProxyHandshake handshake(proxyOf(proxy));
            QCOMPARE(handshake.start(u"127.0.0.1"_s, 9001).status, Status::Write);
            const LegOutcome out = runLeg(handshake, script, split);
            QCOMPARE(int(out.status), status);
            QCOMPARE(out.failure, failure);
            QCOMPARE(out.tunnel, tunnel);
            QCOMPARE(out.writes.size(), writes);
            QVERIFY(!out.replies.isEmpty());
            if (!lastReply.isEmpty())
                QCOMPARE(out.replies.last(), lastReply);
            QVERIFY(handshake.isFinished());
        }
    }

    // Whatever a proxy sends, the leg ends within its bounds: an HTTP head by 16 KiB, the SOCKS5
    // replies by their longest (2 + 2 + 262 octets). Random octets, fed in random pieces.
    void anyOctetsEndTheLegWithinBounds()
    {
        QRandomGenerator random(20261206);
        for (int round = 0; round < 400; ++round) {
            const bool http = round % 2 == 0;
            const qsizetype bound = http ? ProxyHandshake::kMaxHttpHead : 2 + 2 + 262;
            QByteArray octets(bound + 1, Qt::Uninitialized);
            for (char &c : octets)
                c = char(random.bounded(256));
            if (!http && round % 4 == 1)
                octets[0] = 0x05; // past the version check, now and then
            ProxyHandshake handshake(
                proxyOf(http ? u"http://u:p@127.0.0.1:3128"_s : u"socks5://u:p@127.0.0.1:1080"_s));
            (void)handshake.start(u"h"_s, 1);
            qsizetype fed = 0;
            while (fed < octets.size() && !handshake.isFinished()) {
                const qsizetype piece =
                    std::min<qsizetype>(1 + random.bounded(300), octets.size() - fed);
                ProxyHandshake::Result r =
                    handshake.feed(QByteArrayView(octets).sliced(fed, piece));
                fed += piece;
                while (r.status == Status::Write)
                    r = handshake.feed({});
            }
            QVERIFY2(handshake.isFinished(), qPrintable(u"round %1"_s.arg(round)));
        }
    }

    // ---- live, through tinyproxy ------------------------------------------------------------

    void throughTinyproxy_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::addColumn<bool>("auth");
        QTest::newRow("ws://") << false << false;
        QTest::newRow("wss://") << true << false;
        QTest::newRow("ws://, Basic credentials") << false << true;
    }
    void throughTinyproxy()
    {
        QFETCH(bool, tls);
        QFETCH(bool, auth);
        EchoServer echo;
        EchoServer::Options options;
        options.tls = tls;
        QVERIFY(echo.listen(options));
        ProxyProcess proxy;
        QVERIFY(proxy.startTinyproxy({echo.port()}, auth ? u"alice"_s : QString(),
                                     auth ? u"s3cret"_s : QString()));
        SessionSettings settings = settingsFor(echo.url());
        settings.ignoreCertificateErrors = true;
        settings.proxy = proxyOf(u"http://"_s + (auth ? u"alice:s3cret@"_s : QString()) +
                                 u"127.0.0.1:"_s + QString::number(proxy.port()));
        checkEcho(settings, u"CONNECT 127.0.0.1:%1 HTTP/1.1\r\n"_s.arg(echo.port()),
                  u"the HTTP proxy 127.0.0.1:%1"_s.arg(proxy.port()));
    }

    void tinyproxyFailures_data()
    {
        QTest::addColumn<QString>("credentials");
        QTest::addColumn<bool>("targetOpen");
        QTest::addColumn<QString>("failure");
        QTest::newRow("407, no credentials")
            << QString() << true
            << u"proxy requires authentication (407 Proxy Authentication Required)"_s;
        // tinyproxy answers wrong credentials with 401.
        QTest::newRow("401, wrong password")
            << u"alice:wrong@"_s << true
            << u"proxy rejected the credentials of user \"alice\" (401 Unauthorized)"_s;
        QTest::newRow("target refused")
            << u"alice:s3cret@"_s << false << u"the proxy could not connect to 127.0.0.1:"_s;
    }
    void tinyproxyFailures()
    {
        QFETCH(QString, credentials);
        QFETCH(bool, targetOpen);
        QFETCH(QString, failure);
        EchoServer echo;
        QVERIFY(echo.listen());
        const quint16 target = targetOpen ? echo.port() : freePort();
        ProxyProcess proxy;
        QVERIFY(proxy.startTinyproxy({target}, u"alice"_s, u"s3cret"_s));
        SessionSettings settings = settingsFor(QUrl(u"ws://127.0.0.1:%1/"_s.arg(target)));
        settings.proxy =
            proxyOf(u"http://"_s + credentials + u"127.0.0.1:"_s + QString::number(proxy.port()));
        checkFailure(settings, failure);
    }

    void proxyPortRefused()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        const quint16 port = freePort();
        SessionSettings settings = settingsFor(echo.url());
        settings.proxy = proxyOf(u"http://127.0.0.1:%1"_s.arg(port));
        checkFailure(
            settings,
            u"cannot connect to the HTTP proxy 127.0.0.1:%1: Connection refused"_s.arg(port));
        settings.proxy = proxyOf(u"socks5://127.0.0.1:%1"_s.arg(port));
        checkFailure(
            settings,
            u"cannot connect to the SOCKS5 proxy 127.0.0.1:%1: Connection refused"_s.arg(port));
    }

    // ---- live, through microsocks -----------------------------------------------------------

    void throughMicrosocks_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::addColumn<bool>("auth");
        QTest::newRow("ws://") << false << false;
        QTest::newRow("wss://") << true << false;
        QTest::newRow("ws://, username/password") << false << true;
        QTest::newRow("wss://, username/password") << true << true;
    }
    void throughMicrosocks()
    {
        QFETCH(bool, tls);
        QFETCH(bool, auth);
        EchoServer echo;
        EchoServer::Options options;
        options.tls = tls;
        QVERIFY(echo.listen(options));
        ProxyProcess proxy;
        QVERIFY(auth ? proxy.startMicrosocks(u"bob"_s, u"pw123"_s) : proxy.startMicrosocks());
        SessionSettings settings = settingsFor(echo.url());
        settings.ignoreCertificateErrors = true;
        settings.proxy = proxyOf(u"socks5://"_s + (auth ? u"bob:pw123@"_s : QString()) +
                                 u"127.0.0.1:"_s + QString::number(proxy.port()));
        checkEcho(settings,
                  auth ? u"05 02 00 02  (SOCKS5 greeting"_s : u"05 01 00  (SOCKS5 greeting"_s,
                  u"the SOCKS5 proxy 127.0.0.1:%1"_s.arg(proxy.port()));
    }

    void microsocksFailures_data()
    {
        QTest::addColumn<QString>("credentials");
        QTest::addColumn<bool>("targetOpen");
        QTest::addColumn<QString>("failure");
        QTest::newRow("no credentials offered")
            << QString() << true
            << u"no acceptable authentication method (SOCKS5 method reply FF): the proxy may "
               u"want a user name and password"_s;
        QTest::newRow("wrong password")
            << u"bob:wrong@"_s << true
            << u"the SOCKS5 proxy rejected the user name and password of user \"bob\" (status "_s;
        QTest::newRow("target refused")
            << u"bob:pw123@"_s << false
            << u"connection refused by destination host (SOCKS5 reply 05)"_s;
    }
    void microsocksFailures()
    {
        QFETCH(QString, credentials);
        QFETCH(bool, targetOpen);
        QFETCH(QString, failure);
        EchoServer echo;
        QVERIFY(echo.listen());
        const quint16 target = targetOpen ? echo.port() : freePort();
        ProxyProcess proxy;
        QVERIFY(proxy.startMicrosocks(u"bob"_s, u"pw123"_s));
        SessionSettings settings = settingsFor(QUrl(u"ws://127.0.0.1:%1/"_s.arg(target)));
        settings.proxy =
            proxyOf(u"socks5://"_s + credentials + u"127.0.0.1:"_s + QString::number(proxy.port()));
        checkFailure(settings, failure);
    }

    // A proxy that accepts and never answers: the opening-handshake timeout ends the leg, named.
    void silentProxy()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        SessionSettings settings = settingsFor(QUrl(u"ws://127.0.0.1:9/"_s));
        settings.openHandshakeTimeoutMs = 300;
        settings.proxy = proxyOf(u"http://127.0.0.1:"_s + QString::number(silent.serverPort()));
        SessionRun run;
        runSession(run, settings, {});
        QVERIFY(run.finished);
        QCOMPARE(eventTexts(run.trace, TraceEvent::Kind::ProxyFailed),
                 QStringList{
                     u"no complete reply from the proxy within the opening handshake timeout"_s});
        QVERIFY(hasEvent(run.trace, TraceEvent::Kind::OpenHandshakeTimeout));
        const ClosingBehavior closing = analyzeClosing(run.trace);
        QVERIFY(closing.wasOpenHandshakeTimeout);
        QCOMPARE(closing.tcpEnd, TcpEnd::NoConnection);
        QCOMPARE(sessionClosingVerdict(run.trace, closing).verdict, CloseVerdict::Failed);
    }

    // A SOCKS5 proxy that sends half its method selection and closes.
    void proxyClosesMidReply()
    {
        QTcpServer peer;
        QVERIFY(peer.listen(QHostAddress::LocalHost));
        connect(&peer, &QTcpServer::newConnection, &peer, [&peer] {
            QTcpSocket *socket = peer.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->write("\x05", 1);
                socket->disconnectFromHost();
            });
        });
        SessionSettings settings = settingsFor(QUrl(u"ws://127.0.0.1:9/"_s));
        settings.proxy = proxyOf(u"socks5://127.0.0.1:"_s + QString::number(peer.serverPort()));
        checkFailure(settings, u"the proxy closed the connection before its reply was complete"_s);
    }

    // ---- the CLI and the capture ------------------------------------------------------------

    // send --proxy: the report has the proxy leg; the capture keeps it as events, and its
    // packets carry the WebSocket octets only.
    void cliSendAndCapture()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        ProxyProcess proxy;
        QVERIFY(proxy.startMicrosocks());
        QTemporaryDir dir;
        const QString capture = dir.filePath(u"proxied.pcapng"_s);
        const QString json = dir.filePath(u"proxied.json"_s);
        QProcess cli;
        cli.start(QStringLiteral(WSI_CLI_PATH),
                  {u"send"_s, echo.url().toString(), u"--proxy"_s,
                   u"socks5://127.0.0.1:%1"_s.arg(proxy.port()), u"--message"_s,
                   u"text:through the proxy"_s, u"--close"_s, u"1000"_s, u"--capture"_s, capture,
                   u"--json"_s, json});
        QVERIFY(cli.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 30000);
        const QString out = QString::fromUtf8(cli.readAllStandardOutput());
        QCOMPARE(cli.exitCode(), 0);
        QVERIFY2(out.contains(u"\nProxy\n\n> 05 01 00  (SOCKS5 greeting"_s), qPrintable(out));
        QVERIFY(out.contains(u"< 05 00 00 01 "_s));
        QVERIFY(out.contains(u"PROXY REQUEST: 05 01 00 03 "_s) ||
                out.contains(u"PROXY REQUEST: 05 01 00 01 "_s));

        QFile jsonFile(json);
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const QJsonObject proxyJson =
            QJsonDocument::fromJson(jsonFile.readAll()).object()[u"proxy"_s].toObject();
        const QJsonArray leg = proxyJson[u"leg"_s].toArray();
        QCOMPARE(leg.size(), 4); // greeting, method selection, CONNECT, reply
        QCOMPARE(leg[0].toObject()[u"direction"_s].toString(), u"TX"_s);
        QVERIFY(leg[0].toObject()[u"text"_s].toString().startsWith(u"05 01 00  (SOCKS5"_s));
        QCOMPARE(leg[3].toObject()[u"direction"_s].toString(), u"RX"_s);
        QVERIFY(proxyJson[u"failure"_s].isNull());

        const capture::LoadedCapture loaded = capture::loadCapture(capture);
        QVERIFY2(loaded.trace, qPrintable(loaded.error));
        QCOMPARE(eventTexts(*loaded.trace, TraceEvent::Kind::ProxyRequest).size(), 2);
        QCOMPARE(eventTexts(*loaded.trace, TraceEvent::Kind::ProxyReply).size(), 2);
        QVERIFY(streamStart(*loaded.trace, Direction::Tx, 4) == "GET ");
        QVERIFY(receivedTexts(*loaded.trace).contains(u"through the proxy"_s));
        // The HAR export's server address is TCP's peer, the proxy (as browsers record it).
        const QString har = dir.filePath(u"proxied.har"_s);
        QProcess report;
        report.start(QStringLiteral(WSI_CLI_PATH), {u"report"_s, capture, u"--har"_s, har});
        QVERIFY(report.waitForFinished(30000));
        QCOMPARE(report.exitCode(), 0);
        QFile harFile(har);
        QVERIFY(harFile.open(QIODevice::ReadOnly));
        const QJsonObject entry = QJsonDocument::fromJson(harFile.readAll())
                                      .object()[u"log"_s][u"entries"_s][0]
                                      .toObject();
        QCOMPARE(entry[u"serverIPAddress"_s].toString(), u"127.0.0.1"_s);
        QCOMPARE(entry[u"connection"_s].toString(), QString::number(proxy.port()));
        // The packets: no SOCKS octets before the GET (the greeting 05 01 00 is not there).
        QFile file(capture);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(hex("05 01 00 01 7f 00 00 01")));

        // A proxy failure: exit 3 and the named failure.
        QProcess failing;
        failing.start(QStringLiteral(WSI_CLI_PATH),
                      {u"send"_s, u"ws://127.0.0.1:%1/"_s.arg(freePort()), u"--proxy"_s,
                       u"socks5://127.0.0.1:%1"_s.arg(proxy.port())});
        QVERIFY(failing.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(failing.state() == QProcess::NotRunning, 30000);
        const QString err = QString::fromUtf8(failing.readAllStandardError());
        QCOMPARE(failing.exitCode(), 3);
        QVERIFY2(err.contains(u"proxy failed: connection refused by destination host (SOCKS5 "
                              u"reply 05)"_s),
                 qPrintable(err));

        QProcess bad;
        bad.start(QStringLiteral(WSI_CLI_PATH),
                  {u"send"_s, echo.url().toString(), u"--proxy"_s, u"ftp://x:1"_s});
        QVERIFY(bad.waitForFinished(10000));
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY(QString::fromUtf8(bad.readAllStandardError())
                    .contains(u"--proxy: unknown proxy scheme 'ftp'"_s));
    }

    // run --proxy: every case goes through the proxy (two at a time through tinyproxy); a proxy
    // that cannot be reached is the run's "no connection" error.
    void cliRunThroughProxy()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        ProxyProcess proxy;
        QVERIFY(proxy.startTinyproxy({echo.port()}));
        QTemporaryDir dir;
        QProcess cli;
        cli.start(QStringLiteral(WSI_CLI_PATH),
                  {u"run"_s, echo.url().toString(), u"--cases"_s, u"1.1.1,1.1.2,2.2"_s, u"--jobs"_s,
                   u"2"_s, u"--outdir"_s, dir.path(), u"--proxy"_s,
                   u"http://127.0.0.1:"_s + QString::number(proxy.port())});
        QVERIFY(cli.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 60000);
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        QFile index(dir.filePath(u"index.json"_s));
        QVERIFY(index.open(QIODevice::ReadOnly));
        const QJsonObject cases = QJsonDocument::fromJson(index.readAll())
                                      .object()[u"WebSocketInspector-Echo"_s]
                                      .toObject();
        QCOMPARE(cases.keys(), (QStringList{u"1.1.1"_s, u"1.1.2"_s, u"2.2"_s}));
        for (const QJsonValue &c : cases)
            QCOMPARE(c.toObject()[u"behavior"_s].toString(), u"OK"_s);

        const quint16 nothing = freePort();
        QProcess refused;
        refused.start(QStringLiteral(WSI_CLI_PATH),
                      {u"run"_s, echo.url().toString(), u"--cases"_s, u"1.1.1"_s, u"--outdir"_s,
                       dir.filePath(u"refused"_s), u"--proxy"_s,
                       u"socks5://127.0.0.1:"_s + QString::number(nothing)});
        QVERIFY(refused.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(refused.state() == QProcess::NotRunning, 30000);
        QCOMPARE(refused.exitCode(), 1);
        const QString err = QString::fromUtf8(refused.readAllStandardError());
        QVERIFY2(err.contains(u"proxy failed: cannot connect to the SOCKS5 proxy 127.0.0.1:"_s +
                              QString::number(nothing) + u": Connection refused"_s),
                 qPrintable(err));
    }

    // "system": Qt's system proxy for the URL (here the environment's http_proxy, as libproxy
    // reads it); none set, a direct connection.
    void systemProxy()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        ProxyProcess proxy;
        QVERIFY(proxy.startTinyproxy({echo.port()}));
        // The environment is the test's for a while: given back however the test ends.
        const QList<QByteArray> names{"http_proxy", "https_proxy", "all_proxy", "no_proxy",
                                      "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"};
        QList<std::optional<QByteArray>> saved;
        for (const QByteArray &name : names) {
            saved << (qEnvironmentVariableIsSet(name.constData())
                          ? std::optional<QByteArray>(qgetenv(name.constData()))
                          : std::nullopt);
            qunsetenv(name.constData());
        }
        const auto restore = qScopeGuard([&] {
            for (qsizetype i = 0; i < names.size(); ++i) {
                if (saved[i])
                    qputenv(names[i].constData(), *saved[i]);
                else
                    qunsetenv(names[i].constData());
            }
        });
        SessionSettings settings = settingsFor(echo.url());
        settings.proxy = proxyOf(u"system"_s);

        // No proxy configured: a direct connection, and the note says so.
        QCOMPARE(resolveSystemProxy(echo.url()).kind, ProxySettings::Kind::None);
        {
            SessionRun run;
            runSession(run, settings, {textMessage("direct"), closeStep(1000)});
            QVERIFY(run.finished);
            QVERIFY(noteTexts(run.trace).contains(u"system proxy: none (a direct connection)"_s));
            QVERIFY(!hasEvent(run.trace, TraceEvent::Kind::ProxyRequest));
            QCOMPARE(receivedTexts(run.trace), QStringList{u"direct"_s});
        }

        // http_proxy names tinyproxy: the connection goes through it.
        const QString url = u"http://127.0.0.1:"_s + QString::number(proxy.port());
        qputenv("http_proxy", url.toLatin1());
        const ProxySettings resolved = resolveSystemProxy(echo.url());
        QCOMPARE(resolved.kind, ProxySettings::Kind::Http);
        QCOMPARE(resolved.port, proxy.port());
        checkEcho(settings, u"CONNECT 127.0.0.1:%1 HTTP/1.1\r\n"_s.arg(echo.port()),
                  u"the HTTP proxy 127.0.0.1:%1"_s.arg(proxy.port()));
    }

private:
    // One message through the proxy: it echoes; the proxy leg is in the trace as events, and
    // the WebSocket streams start at offset 0 with the GET and its answer.
    void checkEcho(const SessionSettings &settings, const QString &requestStart,
                   const QString &proxyName)
    {
        SessionRun run;
        runSession(run, settings, {textMessage("through the proxy"), closeStep(1000)});
        QVERIFY(run.finished);
        const Trace &trace = run.trace;
        const QStringList requests = eventTexts(trace, TraceEvent::Kind::ProxyRequest);
        const QStringList replies = eventTexts(trace, TraceEvent::Kind::ProxyReply);
        QVERIFY2(!requests.isEmpty() && requests.first().startsWith(requestStart),
                 qPrintable(requests.join(u'\n')));
        QVERIFY(!replies.isEmpty());
        QVERIFY(eventTexts(trace, TraceEvent::Kind::ProxyFailed).isEmpty());
        QCOMPARE(receivedTexts(trace), QStringList{u"through the proxy"_s});
        QCOMPARE(streamStart(trace, Direction::Tx, 4), QByteArray("GET "));
        QCOMPARE(streamStart(trace, Direction::Rx, 12), QByteArray("HTTP/1.1 101"));
        QCOMPARE(trace.chunks()[0].streamOffset, 0);
        const QStringList connected = eventTexts(trace, TraceEvent::Kind::Connected);
        QCOMPARE(connected.size(), 1);
        // TCP's peer first (the proxy's address: "the HTTP proxy 127.0.0.1:3128" ends with it).
        const QString proxyAddress = proxyName.section(u' ', -1);
        QCOMPARE(connected.first(), proxyAddress + u" through "_s + proxyName + u" to "_s +
                                        settings.url.host() + u':' +
                                        QString::number(settings.url.port()));
        // The proxy leg comes before the WebSocket handshake, and the wire log shows it.
        const auto lines = wireLog(trace, true);
        QVERIFY(!lines.empty());
        QCOMPARE(lines.front().kind, WireLogKind::ProxyRequest);
        QVERIFY(wireLogText(trace, lines.front()).startsWith(u"PROXY REQUEST: "_s));
        // …but not Autobahn's (a case's) wire log.
        for (const WireLogLine &line : wireLog(trace))
            QVERIFY(line.kind != WireLogKind::ProxyRequest && line.kind != WireLogKind::ProxyReply);
        const ClosingBehavior closing = analyzeClosing(trace);
        QVERIFY(closing.wasClean);
    }

    // The connection fails in the proxy leg: the failure named, no connection to the server.
    void checkFailure(const SessionSettings &settings, const QString &failure)
    {
        SessionRun run;
        runSession(run, settings, {textMessage("never sent")});
        QVERIFY(run.finished);
        const Trace &trace = run.trace;
        const QStringList failures = eventTexts(trace, TraceEvent::Kind::ProxyFailed);
        QCOMPARE(failures.size(), 1);
        QVERIFY2(failures.first().startsWith(failure), qPrintable(failures.first()));
        QCOMPARE(trace.state(), SessionState::Closed);
        QVERIFY(!everConnected(trace));
        QCOMPARE(connectErrorOf(trace), u"proxy failed: "_s + failures.first());
        QCOMPARE(trace.octetCount(Direction::Tx), 0);
        QCOMPARE(trace.octetCount(Direction::Rx), 0);
        const ClosingBehavior closing = analyzeClosing(trace);
        QCOMPARE(closing.tcpEnd, TcpEnd::NoConnection);
        const ClosingVerdict verdict = sessionClosingVerdict(trace, closing);
        QCOMPARE(verdict.verdict, CloseVerdict::Failed);
        QCOMPARE(verdict.text, u"No connection: proxy failed: "_s + failures.first());
        // The wire log's last line names it.
        const auto lines = wireLog(trace, true);
        QVERIFY(!lines.empty());
        QCOMPARE(lines.back().kind, WireLogKind::ProxyFailed);
        QCOMPARE(wireLogText(trace, lines.back()), u"PROXY FAILED: "_s + failures.first());
    }
};

QTEST_GUILESS_MAIN(TestProxy)
#include "tst_proxy.moc"
