// SPDX-License-Identifier: MIT
// TlsClient against real TLS peers on loopback: the embedded QtWebSockets echo server,
// `openssl s_server`, a Python ssl server (tests/tlspeer.py) and raw TCP servers that misbehave.

#include "childpeer.h"
#include "echo/echoserver.h"
#include "session/tlsclient.h"
#include "testutils.h"
#include "trace/closing.h"
#include "trace/report.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace wsi;
using namespace Qt::StringLiterals;

namespace {

const QString kCertFile = QStringLiteral(WSI_TESTS_DIR "/../resources/tls/localhost.crt");
const QString kKeyFile = QStringLiteral(WSI_TESTS_DIR "/../resources/tls/localhost.key");
const QString kSelfSigned = u"The certificate is self-signed, and untrusted"_s;
const QString kNameMismatch =
    u"The host name did not match any of the valid hosts for this certificate"_s;

QByteArray bundledCa()
{
    QFile file(kCertFile);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

TlsClient::Options trusting()
{
    TlsClient::Options o;
    o.extraCaPem = {bundledCa()};
    return o;
}

// One TCP connection with a TlsClient on it; every signal is logged by name, in order, and the
// plaintext is read as it arrives (unless `autoRead` is off).
struct Client
{
    QTcpSocket tcp;
    TlsClient tls;
    QStringList log;
    QByteArray received;
    QStringList certificateErrors;
    QString failure; // handshakeFailed or error text
    bool autoRead = true;

    Client()
    {
        QObject::connect(&tls, &TlsClient::certificateErrors, &tls, [this](const QStringList &e) {
            log << u"certificateErrors"_s;
            certificateErrors = e;
        });
        QObject::connect(&tls, &TlsClient::encrypted, &tls, [this] { log << u"encrypted"_s; });
        QObject::connect(&tls, &TlsClient::handshakeFailed, &tls, [this](const QString &why) {
            log << u"handshakeFailed"_s;
            failure = why;
        });
        QObject::connect(&tls, &TlsClient::error, &tls, [this](const QString &why) {
            log << u"error"_s;
            failure = why;
        });
        QObject::connect(&tls, &TlsClient::readyRead, &tls, [this] {
            if (!log.endsWith(u"readyRead"_s))
                log << u"readyRead"_s;
            if (autoRead)
                received += tls.readAll();
        });
        QObject::connect(&tls, &TlsClient::closeNotifyReceived, &tls,
                         [this] { log << u"closeNotifyReceived"_s; });
        QObject::connect(&tls, &TlsClient::closeNotifySent, &tls,
                         [this] { log << u"closeNotifySent"_s; });
        QObject::connect(&tls, &TlsClient::disconnected, &tls,
                         [this] { log << u"disconnected"_s; });
    }

    void start(quint16 port, const QString &host, const TlsClient::Options &options)
    {
        QObject::connect(&tcp, &QTcpSocket::connected, &tls,
                         [this, host, options] { tls.startClient(&tcp, host, options); });
        tcp.connectToHost(QHostAddress::LocalHost, port);
    }
};

// The SHA-256 fingerprint of the bundled certificate, computed here from its PEM file (base64
// of the DER between the armour lines), not by the code under test.
QString bundledFingerprint()
{
    QByteArray base64;
    bool inside = false;
    for (const QByteArray &line : bundledCa().split('\n')) {
        if (line.startsWith("-----BEGIN CERTIFICATE-----"))
            inside = true;
        else if (line.startsWith("-----END CERTIFICATE-----"))
            break;
        else if (inside)
            base64 += line.trimmed();
    }
    const QByteArray der = QByteArray::fromBase64(base64);
    const QByteArray hash = QCryptographicHash::hash(der, QCryptographicHash::Sha256);
    QStringList pairs;
    for (const char octet : hash)
        pairs << u"%1"_s.arg(uint(quint8(octet)), 2, 16, QChar(u'0')).toUpper();
    return pairs.join(u':');
}

QString python3()
{
    return QStandardPaths::findExecutable(u"python3"_s);
}

QStringList pythonPeer(const QString &mode, qint64 extraOctets = 0)
{
    QStringList args{QStringLiteral(WSI_TESTS_DIR "/tlspeer.py"), kCertFile, kKeyFile, mode};
    if (extraOctets > 0)
        args << QString::number(extraOctets);
    return args;
}

} // namespace

class tst_TlsClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The embedded QtWebSockets server over TLS, with its bundled self-signed certificate.
    void echoServerCertificate_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("trust");
        QTest::addColumn<bool>("ignore");
        QTest::addColumn<QStringList>("errors");
        QTest::addColumn<bool>("completes");
        QTest::newRow("not trusted")
            << u"127.0.0.1"_s << false << false << QStringList{kSelfSigned} << false;
        QTest::newRow("CA given, ignoring nothing to ignore")
            << u"127.0.0.1"_s << true << true << QStringList{} << true;
        QTest::newRow("not trusted, ignored, errors still told")
            << u"127.0.0.1"_s << false << true << QStringList{kSelfSigned} << true;
        QTest::newRow("CA given, address")
            << u"127.0.0.1"_s << true << false << QStringList{} << true;
        QTest::newRow("CA given, name") << u"localhost"_s << true << false << QStringList{} << true;
        QTest::newRow("CA given, other name")
            << u"example.org"_s << true << false << QStringList{kNameMismatch} << false;
        QTest::newRow("CA given, other address")
            << u"127.0.0.2"_s << true << false << QStringList{kNameMismatch} << false;
    }
    void echoServerCertificate()
    {
        QFETCH(QString, host);
        QFETCH(bool, trust);
        QFETCH(bool, ignore);
        QFETCH(QStringList, errors);
        QFETCH(bool, completes);

        EchoServer echo;
        EchoServer::Options eo;
        eo.tls = true;
        QVERIFY(echo.listen(eo));
        TlsClient::Options o = trust ? trusting() : TlsClient::Options{};
        o.ignoreCertificateErrors = ignore;
        Client c;
        c.start(echo.port(), host, o);
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.state() == TlsClient::State::Encrypted ||
                                     c.tls.state() == TlsClient::State::Failed,
                                 20000);
        QCOMPARE(c.certificateErrors, errors);
        QCOMPARE(c.tls.certificateErrorList(), errors);
        const QStringList head =
            errors.isEmpty() ? QStringList{} : QStringList{u"certificateErrors"_s};
        if (!completes) {
            // (The echo server may close TCP at once after our alert: "disconnected" may follow.)
            QCOMPARE(c.log.mid(0, head.size() + 1), head + QStringList{u"handshakeFailed"_s});
            QCOMPARE(c.failure, u"TLS handshake failed: certificate verify failed ("_s +
                                    errors.join(u"; "_s) + u')');
            QCOMPARE(c.tls.errorString(), c.failure);
            QCOMPARE(c.tls.write("GET /"), qint64(-1));
            return;
        }
        QCOMPARE(c.log, head + QStringList{u"encrypted"_s});
        QVERIFY(c.tls.protocolName().startsWith(u"TLSv1."_s));
        QVERIFY(!c.tls.cipherName().isEmpty());
        QCOMPARE(c.tls.peerCertificate(), QSslCertificate(bundledCa(), QSsl::Pem));
        QCOMPARE(c.tls.peerCertificateSubject(), u"CN=localhost"_s);

        // The opening handshake by hand, through the TLS client (RFC 6455 §1.3's sample key).
        const QByteArray request = "GET / HTTP/1.1\r\nHost: " + host.toLatin1() +
                                   "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                   "Sec-WebSocket-Version: 13\r\n\r\n";
        QCOMPARE(c.tls.write(request), qint64(request.size()));
        QTRY_VERIFY_WITH_TIMEOUT(c.received.contains("\r\n\r\n"), 20000);
        QVERIFY2(c.received.startsWith("HTTP/1.1 101"), c.received.constData());
        QVERIFY(c.received.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    }

    // What the handshake established, as the Handshake tab shows it: openssl s_server as peer.
    void sessionInfoFromSServer()
    {
        test::ChildPeer server;
        QVERIFY(server.start(u"openssl"_s,
                             {u"s_server"_s, u"-accept"_s, u"127.0.0.1:0"_s, u"-cert"_s, kCertFile,
                              u"-key"_s, kKeyFile, u"-tls1_2"_s, u"-naccept"_s, u"1"_s},
                             u"ACCEPT 127\\.0\\.0\\.1:(\\d+)"_s));
        Client c;
        TlsClient::Options o; // not trusted, ignored: the errors are in the facts
        o.ignoreCertificateErrors = true;
        c.start(server.port, u"localhost"_s, o);
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.isEncrypted(), 20000);
        const TlsInfo info = c.tls.sessionInfo();
        QCOMPARE(info.protocol, u"TLSv1.2"_s); // the server allows no other
        QCOMPARE(tlsProtocolDisplayName(info.protocol), u"TLS 1.2"_s);
        QVERIFY2(info.cipher.contains(u"AES"_s) || info.cipher.contains(u"CHACHA"_s),
                 qPrintable(info.cipher));
        QCOMPARE(info.cipher, c.tls.cipherName());
        QCOMPARE(info.chain.size(), 1); // the self-signed certificate alone
        const TlsCertificateInfo &leaf = info.chain.first();
        QCOMPARE(leaf.subject, u"CN=localhost"_s);
        QCOMPARE(leaf.issuer, u"CN=localhost"_s);
        QCOMPARE(leaf.sha256, bundledFingerprint());
        QCOMPARE(leaf.sha256.size(), 32 * 3 - 1);
        // The validity as the certificate states it (openssl x509 -dates).
        QCOMPARE(leaf.notBefore, QDateTime(QDate(2026, 11, 23), QTime(4, 25, 53), Qt::UTC));
        QCOMPARE(leaf.notAfter, QDateTime(QDate(2126, 10, 30), QTime(4, 25, 53), Qt::UTC));
        QCOMPARE(info.certificateErrors, QStringList{kSelfSigned});
        QVERIFY(info.errorsIgnored);
    }

    // A wss:// session records the facts in its trace (the Connected event), trusted this time.
    void sessionTraceHasTlsFacts()
    {
        EchoServer echo;
        EchoServer::Options eo;
        eo.tls = true;
        QVERIFY(echo.listen(eo));
        SessionSettings settings = test::settingsFor(echo.url());
        QCOMPARE(settings.url.scheme(), u"wss"_s);
        settings.caFile = kCertFile;
        settings.handshake.subprotocols = {u"chat"_s}; // QWebSocketServer selects none
        test::SessionRun run;
        test::runSession(run, settings, {test::closeStep(1000)});
        QVERIFY(run.finished);
        const TlsInfo *info = tlsInfo(run.trace);
        QVERIFY(info);
        QVERIFY2(info->protocol.startsWith(u"TLSv1."_s), qPrintable(info->protocol));
        QVERIFY(!info->cipher.isEmpty());
        QCOMPARE(info->chain.size(), 1);
        QCOMPARE(info->chain.first().subject, u"CN=localhost"_s);
        QCOMPARE(info->chain.first().sha256, bundledFingerprint());
        QVERIFY(info->certificateErrors.isEmpty());
        QVERIFY(!info->errorsIgnored);

        // A free session's reports say it, and what the server ignored.
        ReportInput input;
        input.trace = &run.trace;
        input.closing = analyzeClosing(run.trace);
        input.closingVerdict = closingVerdict(input.closing, ExpectedClose{});
        input.agent = u"echo"_s;
        const QStringList lines = textReport(input).split(u'\n');
        const QString tlsLine = u"TLS: "_s + tlsProtocolDisplayName(info->protocol) + u", "_s +
                                info->cipher + u"; certificate CN=localhost (SHA-256 "_s +
                                bundledFingerprint() + u')';
        QVERIFY2(lines.contains(tlsLine), qPrintable(lines.mid(0, 12).join(u'\n')));
        QVERIFY(lines.contains(u"Warning: the server selected none of the requested subprotocols "
                               u"(chat): the response has no Sec-WebSocket-Protocol"_s));
        const QJsonObject json = jsonReport(input);
        const QJsonObject tls = json.value(u"tls"_s).toObject();
        QCOMPARE(tls.value(u"protocol"_s).toString(), info->protocol);
        QCOMPARE(tls.value(u"chain"_s).toArray().at(0).toObject().value(u"sha256"_s).toString(),
                 bundledFingerprint());
        QCOMPARE(json.value(u"handshakeWarnings"_s).toArray().size(), 1);

        // ws://: no TLS facts.
        EchoServer plain;
        QVERIFY(plain.listen());
        test::SessionRun plainRun;
        test::runSession(plainRun, test::settingsFor(plain.url()), {test::closeStep(1000)});
        QVERIFY(plainRun.finished);
        QVERIFY(test::hasEvent(plainRun.trace, TraceEvent::Kind::Connected));
        QVERIFY(!tlsInfo(plainRun.trace));
        ReportInput plainInput;
        plainInput.trace = &plainRun.trace;
        plainInput.closing = analyzeClosing(plainRun.trace);
        QVERIFY(!textReport(plainInput).contains(u"\nTLS: "_s));
        QVERIFY(jsonReport(plainInput).value(u"tls"_s).isNull());
        QVERIFY(jsonReport(plainInput).value(u"handshakeWarnings"_s).toArray().isEmpty());
    }

    // openssl s_server -rev: data both ways, then our close_notify, which s_server answers with
    // its own before closing TCP.
    void sServerOurCloseIsAnswered()
    {
        test::ChildPeer server;
        QVERIFY(server.start(u"openssl"_s,
                             {u"s_server"_s, u"-accept"_s, u"127.0.0.1:0"_s, u"-cert"_s, kCertFile,
                              u"-key"_s, kKeyFile, u"-rev"_s, u"-naccept"_s, u"1"_s},
                             u"ACCEPT 127\\.0\\.0\\.1:(\\d+)"_s));
        Client c;
        c.start(server.port, u"localhost"_s, trusting());
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.isEncrypted(), 20000);
        QCOMPARE(c.tls.write("inspector\n"), qint64(10));
        QTRY_VERIFY_WITH_TIMEOUT(c.received.contains("rotcepsni"), 20000);

        c.tls.sendCloseNotify();
        QVERIFY(c.tls.hasSentCloseNotify());
        QCOMPARE(c.tls.write("late\n"), qint64(-1)); // nothing after our close_notify
        QTRY_VERIFY_WITH_TIMEOUT(c.log.endsWith(u"disconnected"_s), 20000);
        QVERIFY(c.tls.hasReceivedCloseNotify());
        QVERIFY(!c.tls.isTruncated());
        QCOMPARE(c.tls.disconnectReason(), u"TCP closed after close_notify"_s);
        QCOMPARE(c.log, (QStringList{u"encrypted"_s, u"readyRead"_s, u"closeNotifySent"_s,
                                     u"closeNotifyReceived"_s, u"disconnected"_s}));
    }

    // openssl s_server told to end the connection ("Q" on its input) closes its socket without
    // close_notify: a truncation, told as such, although all data came through.
    void sServerQuitIsTruncation()
    {
        test::ChildPeer server;
        QVERIFY(server.start(u"openssl"_s,
                             {u"s_server"_s, u"-accept"_s, u"127.0.0.1:0"_s, u"-cert"_s, kCertFile,
                              u"-key"_s, kKeyFile, u"-naccept"_s, u"1"_s},
                             u"ACCEPT 127\\.0\\.0\\.1:(\\d+)"_s));
        Client c;
        c.start(server.port, u"localhost"_s, trusting());
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.isEncrypted(), 20000);
        QCOMPARE(c.tls.write("to the server\n"), qint64(14));
        QTRY_VERIFY_WITH_TIMEOUT(server.output.contains("to the server"), 20000);
        server.process.write("from the server\n");
        QTRY_VERIFY_WITH_TIMEOUT(c.received.contains("from the server"), 20000);
        server.process.write("Q\n");
        QTRY_VERIFY_WITH_TIMEOUT(c.log.endsWith(u"disconnected"_s), 20000);
        QCOMPARE(c.log, (QStringList{u"encrypted"_s, u"readyRead"_s, u"disconnected"_s}));
        QCOMPARE(c.received, QByteArray("from the server\n"));
        QVERIFY(c.tls.isTruncated());
        QVERIFY(!c.tls.hasReceivedCloseNotify());
        QCOMPARE(c.tls.disconnectReason(), u"TCP closed without close_notify"_s);
    }

    // A record the server never sent, injected by a proxy between us and s_server: a TLS error,
    // told once; our alert reaches the server, and nothing more is decrypted or accepted.
    void forgedRecordIsATlsError()
    {
        test::ChildPeer server;
        QVERIFY(server.start(u"openssl"_s,
                             {u"s_server"_s, u"-accept"_s, u"127.0.0.1:0"_s, u"-cert"_s, kCertFile,
                              u"-key"_s, kKeyFile, u"-rev"_s, u"-naccept"_s, u"1"_s},
                             u"ACCEPT 127\\.0\\.0\\.1:(\\d+)"_s));
        QTcpServer proxy;
        QVERIFY(proxy.listen(QHostAddress::LocalHost, 0));
        std::unique_ptr<QTcpSocket> toClient;
        QTcpSocket toServer;
        connect(&proxy, &QTcpServer::newConnection, this, [&] {
            toClient.reset(proxy.nextPendingConnection());
            connect(toClient.get(), &QTcpSocket::readyRead, this,
                    [&] { toServer.write(toClient->readAll()); });
            toServer.connectToHost(QHostAddress::LocalHost, server.port);
        });
        connect(&toServer, &QTcpSocket::readyRead, this, [&] {
            if (toClient)
                toClient->write(toServer.readAll());
        });
        Client c;
        c.start(proxy.serverPort(), u"localhost"_s, trusting());
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.isEncrypted(), 20000);
        QCOMPARE(c.tls.write("inspector\n"), qint64(10));
        QTRY_VERIFY_WITH_TIMEOUT(c.received.contains("rotcepsni\n"), 20000);

        // s_server is quiet now, so the forged record starts where a record boundary is.
        toClient->write(QByteArray("\x17\x03\x03\x00\x20", 5) + QByteArray(32, '\x5a'));
        QTRY_VERIFY_WITH_TIMEOUT(c.log.contains(u"error"_s), 20000);
        QCOMPARE(c.failure, u"TLS error: decryption failed or bad record mac"_s);
        QCOMPARE(c.tls.state(), TlsClient::State::Failed);
        QCOMPARE(c.tls.write("more\n"), qint64(-1));
        // s_server ends the connection on our alert (it says no more than that).
        QTRY_VERIFY_WITH_TIMEOUT(server.output.contains("CONNECTION CLOSED"), 20000);
        QCOMPARE(c.log.count(u"error"_s), 1);
        QVERIFY(!c.log.contains(u"closeNotifyReceived"_s));
    }

    // A Python ssl server that sends close_notify and waits for ours before it closes TCP.
    void pythonWaitsForCloseNotify()
    {
        const QString python = python3();
        QVERIFY2(!python.isEmpty(), "python3 is needed (Debian package python3)");
        test::ChildPeer server;
        QVERIFY(server.start(python, pythonPeer(u"wait"_s), u"port (\\d+)"_s));
        Client c;
        c.start(server.port, u"localhost"_s, trusting());
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.isEncrypted(), 20000);
        QCOMPARE(c.tls.write("hello\n"), qint64(6));
        QTRY_VERIFY_WITH_TIMEOUT(c.log.endsWith(u"disconnected"_s), 20000);
        QCOMPARE(c.received, QByteArray("echo: hello\n"));
        QCOMPARE(c.log, (QStringList{u"encrypted"_s, u"readyRead"_s, u"closeNotifyReceived"_s,
                                     u"closeNotifySent"_s, u"disconnected"_s}));
        QVERIFY(!c.tls.isTruncated());
        QCOMPARE(c.tls.disconnectReason(), u"TCP closed after close_notify"_s);
        QTRY_VERIFY_WITH_TIMEOUT(server.process.state() == QProcess::NotRunning, 20000);
        QVERIFY2(server.output.contains("got close_notify\n"), server.output.constData());
    }

    // The same server with the automatic answer off: the server keeps TCP open until the owner
    // sends close_notify itself (a TLS 1.3 half-close, RFC 8446 §6.1).
    void pythonHalfCloseEndedByOwner()
    {
        const QString python = python3();
        QVERIFY2(!python.isEmpty(), "python3 is needed (Debian package python3)");
        test::ChildPeer server;
        QVERIFY(server.start(python, pythonPeer(u"wait"_s), u"port (\\d+)"_s));
        TlsClient::Options o = trusting();
        o.answerCloseNotify = false;
        Client c;
        c.start(server.port, u"localhost"_s, o);
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.isEncrypted(), 20000);
        QCOMPARE(c.tls.write("hello\n"), qint64(6));
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.hasReceivedCloseNotify(), 20000);
        QVERIFY(!c.tls.hasSentCloseNotify());
        QCOMPARE(c.log, (QStringList{u"encrypted"_s, u"readyRead"_s, u"closeNotifyReceived"_s}));
        c.tls.sendCloseNotify();
        QTRY_VERIFY_WITH_TIMEOUT(c.log.endsWith(u"disconnected"_s), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(server.process.state() == QProcess::NotRunning, 20000);
        QVERIFY2(server.output.contains("got close_notify\n"), server.output.constData());
        QVERIFY(!c.tls.isTruncated());
    }

    // A Python ssl server that sends close_notify and closes TCP at once.
    void pythonClosesWithoutWaiting()
    {
        const QString python = python3();
        QVERIFY2(!python.isEmpty(), "python3 is needed (Debian package python3)");
        test::ChildPeer server;
        QVERIFY(server.start(python, pythonPeer(u"nowait"_s), u"port (\\d+)"_s));
        Client c;
        c.start(server.port, u"localhost"_s, trusting());
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.isEncrypted(), 20000);
        QCOMPARE(c.tls.write("hello\n"), qint64(6));
        QTRY_VERIFY_WITH_TIMEOUT(c.log.endsWith(u"disconnected"_s), 20000);
        QCOMPARE(c.received, QByteArray("echo: hello\n"));
        QCOMPARE(c.log, (QStringList{u"encrypted"_s, u"readyRead"_s, u"closeNotifyReceived"_s,
                                     u"closeNotifySent"_s, u"disconnected"_s}));
        QVERIFY(c.failure.isEmpty());
        QVERIFY(!c.tls.isTruncated());
        QCOMPARE(c.tls.disconnectReason(), u"TCP closed after close_notify"_s);
    }

    // A Python server that closes TCP without close_notify: a truncation, not a TLS close.
    void pythonDropsWithoutCloseNotify()
    {
        const QString python = python3();
        QVERIFY2(!python.isEmpty(), "python3 is needed (Debian package python3)");
        test::ChildPeer server;
        QVERIFY(server.start(python, pythonPeer(u"drop"_s), u"port (\\d+)"_s));
        Client c;
        c.start(server.port, u"localhost"_s, trusting());
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.isEncrypted(), 20000);
        QCOMPARE(c.tls.write("hello\n"), qint64(6));
        QTRY_VERIFY_WITH_TIMEOUT(c.log.endsWith(u"disconnected"_s), 20000);
        QCOMPARE(c.received, QByteArray("echo: hello\n"));
        QCOMPARE(c.log, (QStringList{u"encrypted"_s, u"readyRead"_s, u"disconnected"_s}));
        QVERIFY(c.tls.isTruncated());
        QVERIFY(!c.tls.hasReceivedCloseNotify());
        QVERIFY(!c.tls.hasSentCloseNotify());
        QCOMPARE(c.tls.disconnectReason(), u"TCP closed without close_notify"_s);
    }

    // A server sending far more than the owner reads: what is held stays bounded (the rest waits
    // in TCP), and once the owner reads, every octet arrives, then the close.
    void unreadDataStaysBounded()
    {
        const QString python = python3();
        QVERIFY2(!python.isEmpty(), "python3 is needed (Debian package python3)");
        constexpr qint64 extra = 16 * 1024 * 1024;
        test::ChildPeer server;
        QVERIFY(server.start(python, pythonPeer(u"wait"_s, extra), u"port (\\d+)"_s));
        Client c;
        c.autoRead = false;
        c.start(server.port, u"localhost"_s, trusting());
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.isEncrypted(), 20000);
        QCOMPARE(c.tls.write("hello\n"), qint64(6));
        QTRY_VERIFY_WITH_TIMEOUT(c.tls.bytesAvailable() >= TlsClient::kMaxBufferedPlaintext, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(c.tcp.bytesAvailable() >= TlsClient::kTcpReadBufferSize / 2,
                                 20000);
        QVERIFY(c.tls.bytesAvailable() <= TlsClient::kMaxBufferedPlaintext + 16384);
        QVERIFY(c.tcp.bytesAvailable() <= TlsClient::kTcpReadBufferSize);
        QVERIFY(!c.tls.hasReceivedCloseNotify());

        c.autoRead = true;
        c.received = c.tls.readAll();
        QTRY_VERIFY_WITH_TIMEOUT(c.log.endsWith(u"disconnected"_s), 60000);
        QCOMPARE(c.received.size(), qsizetype(12 + extra));
        QVERIFY(c.received.endsWith(QByteArray(1000, 'x')));
        QVERIFY(c.tls.hasReceivedCloseNotify());
        QVERIFY(!c.tls.isTruncated());
        QTRY_VERIFY_WITH_TIMEOUT(server.process.state() == QProcess::NotRunning, 20000);
        QVERIFY2(server.output.contains("got close_notify\n"), server.output.constData());
    }

    // Servers that are not TLS servers, or stop half way: a clear reason, once, nothing kept.
    void hostileServers_data()
    {
        QTest::addColumn<QByteArray>("reply");
        QTest::addColumn<bool>("closeAfterReply");
        QTest::addColumn<QString>("reason");
        QTest::newRow("HTTP instead of a ServerHello")
            << QByteArray("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n") << false
            << u"TLS handshake failed: wrong version number"_s;
        QTest::newRow("record longer than TLS allows")
            << (QByteArray("\x16\x03\x03\xff\xff", 5) + QByteArray(4 * 1024 * 1024, 'A')) << false
            << u"TLS handshake failed: packet length too long"_s;
        QTest::newRow("fatal alert")
            << QByteArray("\x15\x03\x03\x00\x02\x02\x28", 7) << false
            << u"TLS handshake failed: the server sent alert 40 (handshake_failure)"_s;
        QTest::newRow("TCP closed after the ClientHello")
            << QByteArray() << true
            << u"TLS handshake failed: the server closed TCP during the handshake"_s;
        QTest::newRow("half a ServerHello, then TCP closed")
            << QByteArray("\x16\x03\x03\x00\x40\x02\x00\x00", 8) << true
            << u"TLS handshake failed: the server closed TCP during the handshake"_s;
    }
    void hostileServers()
    {
        QFETCH(QByteArray, reply);
        QFETCH(bool, closeAfterReply);
        QFETCH(QString, reason);

        QTcpServer listener;
        QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
        std::unique_ptr<QTcpSocket> peer;
        connect(&listener, &QTcpServer::newConnection, this, [&] {
            peer.reset(listener.nextPendingConnection());
            connect(peer.get(), &QTcpSocket::readyRead, peer.get(), [&] {
                peer->readAll(); // the ClientHello
                peer->write(reply);
                if (closeAfterReply)
                    peer->disconnectFromHost();
            });
        });
        Client c;
        c.start(listener.serverPort(), u"localhost"_s, trusting());
        QTRY_VERIFY_WITH_TIMEOUT(c.log.contains(u"handshakeFailed"_s), 20000);
        QCOMPARE(c.failure, reason);
        QCOMPARE(c.log.first(), u"handshakeFailed"_s);
        QCOMPARE(c.tls.bytesAvailable(), qint64(0));
        QVERIFY(c.tcp.bytesAvailable() <= TlsClient::kTcpReadBufferSize);
        if (closeAfterReply) {
            QTRY_VERIFY_WITH_TIMEOUT(c.log.endsWith(u"disconnected"_s), 20000);
            QCOMPARE(c.log, (QStringList{u"handshakeFailed"_s, u"disconnected"_s}));
            QCOMPARE(c.tls.disconnectReason(), u"TCP closed during the TLS handshake"_s);
        } else {
            c.tcp.abort(); // the owner's part after a failure
            QCOMPARE(c.log.count(u"handshakeFailed"_s), 1);
        }
    }
};

QTEST_GUILESS_MAIN(tst_TlsClient)
#include "tst_tlsclient.moc"
