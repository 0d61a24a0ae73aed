// SPDX-License-Identifier: MIT
// TLS as deployments use it (docs/tls.md §4): a client certificate for a server that demands one,
// the server name sent, ALPN, the TLS version, and the key log that lets Wireshark decrypt a
// capture. The peers are real: tests/mtls_ws_echo.py (Python websockets over ssl, checking client
// certificates) and `openssl s_server`, with a CA and certificates made by openssl at the start.

#include "capture/capturefile.h"
#include "capture/capturerecords.h"
#include "childpeer.h"
#include "session/tlsclient.h"
#include "testutils.h"
#include "trace/closing.h"
#include "trace/report.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace wsi;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(std::optional<QString>)
Q_DECLARE_METATYPE(std::optional<QStringList>)
Q_DECLARE_METATYPE(wsi::TlsOptions::Version)

namespace {

const QString kClientSubject = u"CN=wsi test client,O=WSI Tests"_s;
const QString kNoCertificate = u": the server requires a client certificate and none was given"_s;

// Runs openssl with `args` in `dir`; the reason when it failed.
QString openssl(const QString &dir, const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(u"openssl"_s, args);
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return u"openssl "_s + args.join(u' ') + u": "_s + QString::fromLocal8Bit(p.readAll());
    return {};
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The key log's secret lines (comments left out), as a set: the order two writers log in is theirs.
QSet<QString> secretLines(const QString &path)
{
    QSet<QString> lines;
    for (const QString &line : QString::fromLatin1(readFile(path)).split(u'\n')) {
        if (!line.isEmpty() && !line.startsWith(u'#'))
            lines.insert(line);
    }
    return lines;
}

QSet<QString> labelsOf(const QSet<QString> &lines)
{
    QSet<QString> labels;
    for (const QString &line : lines)
        labels.insert(line.section(u' ', 0, 0));
    return labels;
}

QString eventText(const Trace &trace, TraceEvent::Kind kind)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == kind)
            return e.text;
    }
    return {};
}

QList<QByteArray> receivedTexts(const Trace &trace)
{
    QList<QByteArray> texts;
    for (const FrameRecord &f : trace.frames()) {
        if (f.direction == Direction::Rx && f.opcode == 1)
            texts << trace.framePayload(f);
    }
    return texts;
}

QStringList reportLines(const Trace &trace)
{
    ReportInput input;
    input.trace = &trace;
    input.closing = analyzeClosing(trace);
    input.closingVerdict = closingVerdict(input.closing, ExpectedClose{});
    input.agent = u"mtls"_s;
    return textReport(input).split(u'\n');
}

} // namespace

class tst_TlsDeploy : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_ca, m_serverCert, m_serverKey, m_clientCert, m_clientKey, m_clientBoth, m_otherKey,
        m_encryptedKey, m_strangerCert, m_strangerKey;

    [[nodiscard]] QString path(const QString &name) const { return m_dir.filePath(name); }

    // The Python server: "require" demands a client certificate, "optional" asks for one.
    bool startPython(test::ChildPeer &peer, const QString &mode, const QString &keyLog = {})
    {
        const QString log = keyLog.isEmpty() ? path(u"server-%1.keylog"_s.arg(++m_serial)) : keyLog;
        return peer.start(u"/usr/bin/python3"_s,
                          {QStringLiteral(WSI_TESTS_DIR "/mtls_ws_echo.py"), m_ca, m_serverCert,
                           m_serverKey, log, mode},
                          u"port (\\d+)"_s);
    }
    // openssl s_server demanding a client certificate (-Verify): it sends the alerts a failed
    // client authentication calls for, which asyncio's TLS servers leave unsent.
    bool startSServer(test::ChildPeer &peer, const QString &version)
    {
        return peer.start(u"openssl"_s,
                          {u"s_server"_s, u"-accept"_s, u"127.0.0.1:0"_s, u"-cert"_s, m_serverCert,
                           u"-key"_s, m_serverKey, u"-CAfile"_s, m_ca, u"-Verify"_s, u"1"_s,
                           u"-verify_return_error"_s,
                           version == u"1.3"_s ? u"-tls1_3"_s : u"-tls1_2"_s},
                          u"ACCEPT 127\\.0\\.0\\.1:(\\d+)"_s);
    }
    [[nodiscard]] SessionSettings settingsFor(const QString &host, quint16 port) const
    {
        SessionSettings s = test::settingsFor(QUrl(u"wss://%1:%2/"_s.arg(host).arg(port)));
        s.caFile = m_ca;
        return s;
    }
    SessionSettings withClientCertificate(SessionSettings s) const
    {
        s.tls.clientCertFile = m_clientCert;
        s.tls.clientKeyFile = m_clientKey;
        return s;
    }
    int m_serial = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString dir = m_dir.path();
        const QStringList ec{u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                             u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s};
        // A CA, a server certificate for localhost, alt.example and 127.0.0.1 signed by it, and a
        // client certificate signed by it; a self-signed stranger no server trusts.
        QCOMPARE(
            openssl(dir, QStringList{u"req"_s, u"-x509"_s} + ec +
                             QStringList{u"-keyout"_s, u"ca.key"_s, u"-out"_s, u"ca.crt"_s,
                                         u"-subj"_s, u"/CN=WSI Test CA"_s, u"-days"_s, u"2"_s}),
            QString());
        QVERIFY(writeFile(path(u"server.ext"_s),
                          "subjectAltName=DNS:localhost,DNS:alt.example,IP:127.0.0.1\n"));
        QVERIFY(writeFile(path(u"client.ext"_s), "extendedKeyUsage=clientAuth\n"));
        for (const auto &[name, subject] :
             {std::pair{u"server"_s, u"/CN=localhost"_s},
              std::pair{u"client"_s, u"/O=WSI Tests/CN=wsi test client"_s}}) {
            QCOMPARE(openssl(dir, QStringList{u"req"_s} + ec +
                                      QStringList{u"-keyout"_s, name + u".key"_s, u"-out"_s,
                                                  name + u".csr"_s, u"-subj"_s, subject}),
                     QString());
            QCOMPARE(openssl(dir, {u"x509"_s, u"-req"_s, u"-in"_s, name + u".csr"_s, u"-CA"_s,
                                   u"ca.crt"_s, u"-CAkey"_s, u"ca.key"_s, u"-CAcreateserial"_s,
                                   u"-out"_s, name + u".crt"_s, u"-days"_s, u"2"_s, u"-extfile"_s,
                                   name + u".ext"_s}),
                     QString());
        }
        QCOMPARE(openssl(dir, QStringList{u"req"_s, u"-x509"_s} + ec +
                                  QStringList{u"-keyout"_s, u"stranger.key"_s, u"-out"_s,
                                              u"stranger.crt"_s, u"-subj"_s, u"/CN=stranger"_s,
                                              u"-days"_s, u"2"_s}),
                 QString());
        QCOMPARE(openssl(dir, {u"genpkey"_s, u"-algorithm"_s, u"ec"_s, u"-pkeyopt"_s,
                               u"ec_paramgen_curve:prime256v1"_s, u"-out"_s, u"other.key"_s}),
                 QString());
        QCOMPARE(openssl(dir, {u"pkey"_s, u"-in"_s, u"client.key"_s, u"-aes256"_s, u"-passout"_s,
                               u"pass:secret"_s, u"-out"_s, u"encrypted.key"_s}),
                 QString());
        m_ca = path(u"ca.crt"_s);
        m_serverCert = path(u"server.crt"_s);
        m_serverKey = path(u"server.key"_s);
        m_clientCert = path(u"client.crt"_s);
        m_clientKey = path(u"client.key"_s);
        m_otherKey = path(u"other.key"_s);
        m_encryptedKey = path(u"encrypted.key"_s);
        m_strangerCert = path(u"stranger.crt"_s);
        m_strangerKey = path(u"stranger.key"_s);
        m_clientBoth = path(u"client-both.pem"_s);
        QVERIFY(writeFile(m_clientBoth, readFile(m_clientCert) + readFile(m_clientKey)));
    }

    // With our certificate the mTLS server lets the WebSocket through, and saw who we are.
    void clientCertificateEcho_data()
    {
        QTest::addColumn<bool>("oneFile");
        QTest::newRow("certificate and key files") << false;
        QTest::newRow("certificate and key in one file") << true;
    }
    void clientCertificateEcho()
    {
        QFETCH(bool, oneFile);
        test::ChildPeer server;
        QVERIFY(startPython(server, u"require"_s));
        SessionSettings s = settingsFor(u"localhost"_s, server.port);
        s.tls.clientCertFile = oneFile ? m_clientBoth : m_clientCert;
        s.tls.clientKeyFile = oneFile ? QString() : m_clientKey;
        QCOMPARE(TlsClient::checkOptions(s.tls), QString());
        test::SessionRun run;
        test::runSession(run, s, {test::textMessage("hello over mTLS")});
        QVERIFY(run.finished);
        QCOMPARE(receivedTexts(run.trace), QList<QByteArray>{"hello over mTLS"});
        QTRY_COMPARE(
            server.linesStarting(u"connection "_s),
            QStringList{u"connection version=TLSv1.3 alpn=http/1.1 client="_s + kClientSubject});
        const TlsInfo *tls = tlsInfo(run.trace);
        QVERIFY(tls);
        QCOMPARE(tls->clientCertificate, kClientSubject);
        QCOMPARE(tls->chain.first().subject, u"CN=localhost"_s);
        QCOMPARE(tls->chain.first().issuer, u"CN=WSI Test CA"_s);
        QVERIFY(tls->certificateErrors.isEmpty());
        const QStringList lines = reportLines(run.trace);
        QVERIFY2(lines.contains(u"TLS handshake: server name localhost; ALPN http/1.1 (offered "
                                u"http/1.1); client certificate "_s +
                                kClientSubject + u"; version asked: any"_s),
                 qPrintable(lines.mid(0, 12).join(u'\n')));
    }

    // A server that asks without demanding gets no certificate when we have none: none shown.
    void noCertificateWhenNotDemanded()
    {
        test::ChildPeer server;
        QVERIFY(startPython(server, u"optional"_s));
        test::SessionRun run;
        test::runSession(run, settingsFor(u"localhost"_s, server.port), {test::textMessage("hi")});
        QVERIFY(run.finished);
        QCOMPARE(receivedTexts(run.trace), QList<QByteArray>{"hi"});
        QTRY_COMPARE(server.linesStarting(u"connection "_s),
                     QStringList{u"connection version=TLSv1.3 alpn=http/1.1 client=-"_s});
        QVERIFY(tlsInfo(run.trace));
        QCOMPARE(tlsInfo(run.trace)->clientCertificate, QString());
    }

    // A server that demands a certificate we do not have, or do not have from its CA: the alert
    // it sends, named. TLS 1.3 ends our handshake before the server has judged our certificate,
    // so its verdict comes after the Connected event, as a TLS error (RFC 8446 §4.4.2.4).
    void refusedClientCertificate_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<bool>("stranger");
        QTest::addColumn<bool>("afterHandshake");
        QTest::addColumn<QString>("failure");
        QTest::newRow("none, TLS 1.3")
            << u"1.3"_s << false << true
            << u"TLS error: the server sent alert 116 (certificate_required)"_s + kNoCertificate;
        QTest::newRow("none, TLS 1.2")
            << u"1.2"_s << false << false
            << u"the server sent alert 40 (handshake_failure)"_s + kNoCertificate;
        QTest::newRow("not from its CA, TLS 1.3")
            << u"1.3"_s << true << true
            << u"TLS error: the server sent alert 48 (unknown_ca): the server refused our client "
               u"certificate (CN=stranger)"_s;
        QTest::newRow("not from its CA, TLS 1.2")
            << u"1.2"_s << true << false
            << u"the server sent alert 48 (unknown_ca): the server refused our client "
               u"certificate (CN=stranger)"_s;
    }
    void refusedClientCertificate()
    {
        QFETCH(QString, version);
        QFETCH(bool, stranger);
        QFETCH(bool, afterHandshake);
        QFETCH(QString, failure);
        test::ChildPeer server;
        QVERIFY(startSServer(server, version));
        SessionSettings s = settingsFor(u"localhost"_s, server.port);
        s.tls.version =
            version == u"1.3"_s ? TlsOptions::Version::Tls13 : TlsOptions::Version::Tls12;
        if (stranger) {
            s.tls.clientCertFile = m_strangerCert;
            s.tls.clientKeyFile = m_strangerKey;
        }
        test::SessionRun run;
        test::runSession(run, s, {test::textMessage("hi")});
        QVERIFY(run.finished);
        QVERIFY(receivedTexts(run.trace).isEmpty());
        if (afterHandshake) {
            QVERIFY(tlsInfo(run.trace)); // our side of the handshake completed
            QCOMPARE(eventText(run.trace, TraceEvent::Kind::Error), failure);
            QCOMPARE(eventText(run.trace, TraceEvent::Kind::TlsHandshakeFailed), QString());
        } else {
            QVERIFY(!tlsInfo(run.trace));
            QCOMPARE(eventText(run.trace, TraceEvent::Kind::TlsHandshakeFailed), failure);
            QCOMPARE(connectErrorOf(run.trace), u"TLS handshake failed: "_s + failure);
        }
        QVERIFY(analyzeClosing(run.trace).wasNotCleanReason.value_or(QString()).contains(failure));
    }

    // A certificate or key that cannot be used is named before anything goes to the server.
    void credentialErrors_data()
    {
        QTest::addColumn<QString>("cert");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("error");
        const QString missing = m_dir.filePath(u"missing.crt"_s);
        QTest::newRow("certificate file missing")
            << missing << m_clientKey << u"client certificate file not found: "_s + missing;
        QTest::newRow("key file missing")
            << m_clientCert << missing << u"client key file not found: "_s + missing;
        QTest::newRow("key of another certificate")
            << m_clientCert << m_otherKey
            << u"the client key "_s + m_otherKey + u" does not belong to the certificate in "_s +
                   m_clientCert + u" ("_s + kClientSubject + u')';
        QTest::newRow("encrypted key")
            << m_clientCert << m_encryptedKey
            << u"the client key "_s + m_encryptedKey +
                   u" is encrypted: not supported (write it unencrypted with openssl pkey)"_s;
        QTest::newRow("no key anywhere")
            << m_clientCert << QString()
            << u"the client certificate file "_s + m_clientCert +
                   u" has no PEM private key, and no key file was given"_s;
        QTest::newRow("a key for the certificate")
            << m_clientKey << QString()
            << u"the client certificate file "_s + m_clientKey + u" has no PEM certificate"_s;
        QTest::newRow("key without certificate")
            << QString() << m_clientKey << u"a client key was given without a client certificate"_s;
    }
    void credentialErrors()
    {
        QFETCH(QString, cert);
        QFETCH(QString, key);
        QFETCH(QString, error);
        TlsOptions options;
        options.clientCertFile = cert;
        options.clientKeyFile = key;
        QCOMPARE(TlsClient::checkOptions(options), error);

        // A session is told too: its handshake fails before the ClientHello.
        test::ChildPeer server;
        QVERIFY(startPython(server, u"optional"_s));
        SessionSettings s = settingsFor(u"localhost"_s, server.port);
        s.tls = options;
        test::SessionRun run;
        test::runSession(run, s, {});
        QVERIFY(run.finished);
        QCOMPARE(eventText(run.trace, TraceEvent::Kind::TlsHandshakeFailed), error);

        // The command line tells it without connecting at all: no ClientHello, no report.
        QProcess cli;
        QStringList args{u"send"_s, u"wss://localhost:%1/"_s.arg(server.port), u"--ca-file"_s,
                         m_ca};
        if (!cert.isEmpty())
            args << u"--client-cert"_s << cert;
        if (!key.isEmpty())
            args << u"--client-key"_s << key;
        cli.start(QStringLiteral(WSI_CLI_PATH), args);
        QVERIFY(cli.waitForFinished(30000));
        QCOMPARE(cli.exitCode(), 2);
        QCOMPARE(QString::fromUtf8(cli.readAllStandardError()),
                 u"wsinspector-cli: "_s + error + u'\n');
        QCOMPARE(cli.readAllStandardOutput(), QByteArray());
        // The server saw no handshake from either (it prints the name of every ClientHello).
        QVERIFY(server.linesStarting(u"sni "_s).isEmpty());
    }

    // The server name sent: the URL's host, none for an address (RFC 6066 §3), the one given, or
    // none when told so. The server records what it received.
    void serverName_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<std::optional<QString>>("sni");
        QTest::addColumn<QString>("received");
        QTest::newRow("the URL's name")
            << u"localhost"_s << std::optional<QString>() << u"localhost"_s;
        QTest::newRow("an address: none")
            << u"127.0.0.1"_s << std::optional<QString>() << QString();
        QTest::newRow("given") << u"localhost"_s << std::optional<QString>(u"alt.example"_s)
                               << u"alt.example"_s;
        QTest::newRow("given, to an address")
            << u"127.0.0.1"_s << std::optional<QString>(u"alt.example"_s) << u"alt.example"_s;
        QTest::newRow("empty: none")
            << u"localhost"_s << std::optional<QString>(QString()) << QString();
    }
    void serverName()
    {
        QFETCH(QString, host);
        QFETCH(std::optional<QString>, sni);
        QFETCH(QString, received);
        test::ChildPeer server;
        QVERIFY(startPython(server, u"optional"_s));
        SessionSettings s = settingsFor(host, server.port);
        s.tls.sni = sni;
        test::SessionRun run;
        test::runSession(run, s, {test::textMessage("hi")});
        QVERIFY(run.finished);
        QCOMPARE(receivedTexts(run.trace), QList<QByteArray>{"hi"}); // and the certificate fit
        QTRY_COMPARE(server.linesStarting(u"sni "_s),
                     QStringList{u"sni "_s + (received.isEmpty() ? u"-"_s : received)});
        const TlsInfo *tls = tlsInfo(run.trace);
        QVERIFY(tls);
        QCOMPARE(tls->sni, received);
        QVERIFY(tls->certificateErrors.isEmpty());
        QVERIFY(reportLines(run.trace).join(u'\n').contains(
            u"TLS handshake: server name "_s + (received.isEmpty() ? u"none"_s : received) +
            u"; "_s));
    }

    // ALPN: http/1.1 offered by default, as browsers do; what the server selected is kept.
    void alpn_data()
    {
        QTest::addColumn<std::optional<QStringList>>("offered");
        QTest::addColumn<QString>("selected");
        QTest::newRow("default") << std::optional<QStringList>() << u"http/1.1"_s;
        QTest::newRow("h2 first") << std::optional<QStringList>(QStringList{u"h2"_s, u"http/1.1"_s})
                                  << u"http/1.1"_s;
        QTest::newRow("none offered") << std::optional<QStringList>(QStringList{}) << QString();
        QTest::newRow("nothing the server speaks")
            << std::optional<QStringList>(QStringList{u"x-test"_s}) << QString();
    }
    void alpn()
    {
        QFETCH(std::optional<QStringList>, offered);
        QFETCH(QString, selected);
        test::ChildPeer server;
        QVERIFY(startPython(server, u"optional"_s));
        SessionSettings s = settingsFor(u"localhost"_s, server.port);
        if (offered)
            s.tls.alpn = *offered;
        test::SessionRun run;
        test::runSession(run, s, {test::textMessage("hi")});
        QVERIFY(run.finished);
        QCOMPARE(receivedTexts(run.trace), QList<QByteArray>{"hi"});
        QTRY_COMPARE(server.linesStarting(u"connection "_s),
                     QStringList{u"connection version=TLSv1.3 alpn="_s +
                                 (selected.isEmpty() ? u"-"_s : selected) + u" client=-"_s});
        const TlsInfo *tls = tlsInfo(run.trace);
        QVERIFY(tls);
        QCOMPARE(tls->alpn, selected);
        QCOMPARE(tls->alpnOffered, offered.value_or(QStringList{u"http/1.1"_s}));
        const QJsonObject json = [&] {
            ReportInput input;
            input.trace = &run.trace;
            input.closing = analyzeClosing(run.trace);
            return jsonReport(input).value(u"tls"_s).toObject();
        }();
        QCOMPARE(json.value(u"alpn"_s).toString(), selected);
        QCOMPARE(json.value(u"alpnOffered"_s).toArray().toVariantList().size(),
                 tls->alpnOffered.size());
    }

    // The version asked for is the one negotiated (min = max), and both are shown.
    void version_data()
    {
        QTest::addColumn<TlsOptions::Version>("asked");
        QTest::addColumn<QString>("negotiated");
        QTest::addColumn<QString>("askedText");
        QTest::newRow("1.2") << TlsOptions::Version::Tls12 << u"TLSv1.2"_s << u"TLS 1.2"_s;
        QTest::newRow("1.3") << TlsOptions::Version::Tls13 << u"TLSv1.3"_s << u"TLS 1.3"_s;
        QTest::newRow("any") << TlsOptions::Version::Any << u"TLSv1.3"_s << u"any"_s;
    }
    void version()
    {
        QFETCH(TlsOptions::Version, asked);
        QFETCH(QString, negotiated);
        QFETCH(QString, askedText);
        test::ChildPeer server;
        QVERIFY(startPython(server, u"require"_s));
        SessionSettings s = withClientCertificate(settingsFor(u"localhost"_s, server.port));
        s.tls.version = asked;
        test::SessionRun run;
        test::runSession(run, s, {test::textMessage("hi")});
        QVERIFY(run.finished);
        QCOMPARE(receivedTexts(run.trace), QList<QByteArray>{"hi"});
        QTRY_COMPARE(server.linesStarting(u"connection "_s),
                     QStringList{u"connection version="_s + negotiated +
                                 u" alpn=http/1.1 client="_s + kClientSubject});
        const TlsInfo *tls = tlsInfo(run.trace);
        QVERIFY(tls);
        QCOMPARE(tls->protocol, negotiated);
        QCOMPARE(tls->versionAsked, asked == TlsOptions::Version::Any ? QString() : negotiated);
        QVERIFY(reportLines(run.trace).join(u'\n').contains(u"; version asked: "_s + askedText +
                                                            u'\n'));
        // Asking for 1.2 of a server that speaks 1.3 only: the alert it sends, named.
        if (asked != TlsOptions::Version::Tls12)
            return;
        test::ChildPeer only13;
        QVERIFY(startSServer(only13, u"1.3"_s));
        SessionSettings refusedSettings = settingsFor(u"localhost"_s, only13.port);
        refusedSettings.tls.version = asked;
        test::SessionRun refused;
        test::runSession(refused, refusedSettings, {});
        QVERIFY(refused.finished);
        QCOMPARE(eventText(refused.trace, TraceEvent::Kind::TlsHandshakeFailed),
                 u"the server sent alert 70 (protocol_version)"_s);
    }

    // The key log holds the secrets the server's own key log has for the connection: with it
    // Wireshark decrypts a capture of it. Appended to, one line at a time, created 0600.
    void keyLog_data()
    {
        QTest::addColumn<TlsOptions::Version>("version");
        QTest::addColumn<QSet<QString>>("labels");
        QTest::newRow("TLS 1.2") << TlsOptions::Version::Tls12 << QSet<QString>{u"CLIENT_RANDOM"_s};
        QTest::newRow("TLS 1.3") << TlsOptions::Version::Tls13
                                 << QSet<QString>{u"CLIENT_HANDSHAKE_TRAFFIC_SECRET"_s,
                                                  u"SERVER_HANDSHAKE_TRAFFIC_SECRET"_s,
                                                  u"CLIENT_TRAFFIC_SECRET_0"_s,
                                                  u"SERVER_TRAFFIC_SECRET_0"_s,
                                                  u"EXPORTER_SECRET"_s};
    }
    void keyLog()
    {
        QFETCH(TlsOptions::Version, version);
        QFETCH(QSet<QString>, labels);
        const QString serverLog = path(
            u"server-%1.keylog"_s.arg(QString::fromLatin1(QTest::currentDataTag()).remove(u' ')));
        const QString ourLog = path(
            u"client-%1.keylog"_s.arg(QString::fromLatin1(QTest::currentDataTag()).remove(u' ')));
        test::ChildPeer server;
        QVERIFY(startPython(server, u"require"_s, serverLog));
        SessionSettings s = withClientCertificate(settingsFor(u"localhost"_s, server.port));
        s.tls.version = version;
        s.tls.keyLogFile = ourLog;
        test::SessionRun run;
        test::runSession(run, s, {test::textMessage("secret")});
        QVERIFY(run.finished);
        QCOMPARE(receivedTexts(run.trace), QList<QByteArray>{"secret"});
        QCOMPARE(QFile::permissions(ourLog), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                 QFileDevice::ReadUser | QFileDevice::WriteUser);
        const QSet<QString> first = secretLines(ourLog);
        QCOMPARE(labelsOf(first), labels);
        // One connection: every line has its client random.
        QSet<QString> randoms;
        for (const QString &line : first)
            randoms.insert(line.section(u' ', 1, 1));
        QCOMPARE(randoms.size(), 1);
        QTRY_COMPARE(secretLines(serverLog), first);

        // A second connection adds its lines after the first one's.
        const QByteArray before = readFile(ourLog);
        test::SessionRun again;
        test::runSession(again, s, {test::textMessage("secret")});
        QVERIFY(again.finished);
        QVERIFY(readFile(ourLog).startsWith(before));
        QCOMPARE(secretLines(ourLog).size(), 2 * first.size());
        QTRY_COMPARE(secretLines(serverLog), secretLines(ourLog));
    }

    // `run` takes the same options: a case's connection presents our certificate and logs its
    // secrets.
    void runPresentsTheCertificate()
    {
        const QString serverLog = path(u"server-run.keylog"_s);
        const QString ourLog = path(u"client-run.keylog"_s);
        test::ChildPeer server;
        QVERIFY(startPython(server, u"require"_s, serverLog));
        QProcess cli;
        cli.start(QStringLiteral(WSI_CLI_PATH),
                  {u"run"_s, u"wss://localhost:%1/"_s.arg(server.port), u"--cases"_s, u"1.1.1"_s,
                   u"--outdir"_s, path(u"run-reports"_s), u"--ca-file"_s, m_ca, u"--client-cert"_s,
                   m_clientCert, u"--client-key"_s, m_clientKey, u"--tls-version"_s, u"1.2"_s,
                   u"--keylog"_s, ourLog});
        QVERIFY(cli.waitForFinished(60000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        QTRY_COMPARE(
            server.linesStarting(u"connection "_s),
            QStringList{u"connection version=TLSv1.2 alpn=http/1.1 client="_s + kClientSubject});
        QCOMPARE(labelsOf(secretLines(ourLog)), QSet<QString>{u"CLIENT_RANDOM"_s});
        QTRY_COMPARE(secretLines(serverLog), secretLines(ourLog));
    }

    // The TLS facts go through a saved capture and come back (docs/captures.md §3.3).
    void captureRoundTrip()
    {
        test::ChildPeer server;
        QVERIFY(startPython(server, u"require"_s));
        SessionSettings s = withClientCertificate(settingsFor(u"127.0.0.1"_s, server.port));
        s.tls.sni = u"alt.example"_s;
        s.tls.alpn = {u"h2"_s, u"http/1.1"_s};
        s.tls.version = TlsOptions::Version::Tls12;
        test::SessionRun run;
        test::runSession(run, s, {test::textMessage("kept")});
        QVERIFY(run.finished);
        const TlsInfo *live = tlsInfo(run.trace);
        QVERIFY(live);
        QCOMPARE(live->sni, u"alt.example"_s);
        QCOMPARE(live->alpn, u"http/1.1"_s);
        QCOMPARE(live->clientCertificate, kClientSubject);
        QCOMPARE(live->versionAsked, u"TLSv1.2"_s);

        const QString file = path(u"mtls.pcapng"_s);
        QString error;
        QVERIFY2(capture::saveCapture(file, capture::connectionRecordOf(run.trace), run.trace, {},
                                      &error),
                 qPrintable(error));
        const capture::LoadedCapture loaded = capture::loadCapture(file);
        QVERIFY2(loaded.trace, qPrintable(loaded.error));
        const TlsInfo *back = tlsInfo(*loaded.trace);
        QVERIFY(back);
        QCOMPARE(back->protocol, live->protocol);
        QCOMPARE(back->cipher, live->cipher);
        QCOMPARE(back->chain, live->chain);
        QCOMPARE(back->sni, live->sni);
        QCOMPARE(back->alpnOffered, live->alpnOffered);
        QCOMPARE(back->alpn, live->alpn);
        QCOMPARE(back->clientCertificate, live->clientCertificate);
        QCOMPARE(back->versionAsked, live->versionAsked);
        QCOMPARE(reportLines(*loaded.trace).filter(u"TLS"_s),
                 reportLines(run.trace).filter(u"TLS"_s));
    }
};

QTEST_GUILESS_MAIN(tst_TlsDeploy)
#include "tst_tlsdeploy.moc"
