// SPDX-License-Identifier: MIT
#include "protocol/handshake.h"
#include "testutils.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using wsi::buildHandshakeRequest;
using wsi::checkHandshakeResponse;
using wsi::HandshakeOptions;
using wsi::HandshakeRequest;
using wsi::HandshakeResponse;
using wsi::HandshakeResponseReader;
using Status = wsi::HandshakeResponseReader::Status;

Q_DECLARE_METATYPE(wsi::HandshakeOptions)
Q_DECLARE_METATYPE(wsi::HandshakeRequest)
Q_DECLARE_METATYPE(wsi::HandshakeResponseReader::Status)

namespace {

// RFC 6455 §1.3's worked example.
constexpr char kRfcKey[] = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr char kRfcAccept[] = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
// base64("0123456789abcdef"), the key built from kRandomKey.
constexpr char kRandomKeyBase64[] = "MDEyMzQ1Njc4OWFiY2RlZg==";

QByteArray randomKey()
{
    return QByteArrayLiteral("0123456789abcdef");
}

// Lines each followed by CRLF, then the empty line that ends an HTTP head.
QByteArray httpHead(std::initializer_list<const char *> lines)
{
    QByteArray head;
    for (const char *line : lines)
        head += QByteArray(line) + "\r\n";
    return head + "\r\n";
}

// A request as buildHandshakeRequest makes it for ws://example.com/ with the RFC's key.
HandshakeRequest rfcRequest(const HandshakeOptions &extra = {})
{
    HandshakeOptions options = extra;
    options.key = kRfcKey;
    return buildHandshakeRequest(QUrl(u"ws://example.com/"_s), options, randomKey());
}

// The Opening Handshake section and the wire log of a seed report.
struct Seed
{
    QByteArray request;       // as printed, re-joined with CRLF
    QByteArray response;      // as printed, re-joined with CRLF
    QList<QByteArray> tx;     // TX OCTETS entries in order
    QList<QByteArray> rx;     // RX OCTETS entries in order
    bool wireComplete = true; // false when the report cut the octets ("...")
};

Seed readSeed(const QString &fileName)
{
    Seed seed;
    QFile file(QStringLiteral(WSI_SEEDS_DIR) + u'/' + fileName);
    if (!file.open(QIODevice::ReadOnly))
        return seed;
    const QList<QByteArray> lines = file.readAll().split('\n');

    qsizetype i = lines.indexOf(QByteArrayLiteral("Opening Handshake"));
    if (i >= 0) {
        for (++i; i < lines.size() && lines.at(i).isEmpty(); ++i) {
        }
        for (; i < lines.size() && !lines.at(i).startsWith("HTTP/"); ++i)
            seed.request += lines.at(i) + "\r\n";
        seed.request += "\r\n";
        for (; i < lines.size() && !lines.at(i).isEmpty(); ++i)
            seed.response += lines.at(i) + "\r\n";
        seed.response += "\r\n";
    }

    QList<QByteArray> *entries = nullptr; // the OCTETS entry being continued
    for (const QByteArray &line : lines) {
        QByteArray hex;
        if (line.size() > 15 && line.mid(4, 11) == "TX OCTETS: ") {
            seed.tx.append(QByteArray());
            entries = &seed.tx;
            hex = line.mid(15);
        } else if (line.size() > 15 && line.mid(4, 11) == "RX OCTETS: ") {
            seed.rx.append(QByteArray());
            entries = &seed.rx;
            hex = line.mid(15);
        } else if (entries && line.startsWith("               ")) {
            hex = line.trimmed();
        } else {
            entries = nullptr;
            continue;
        }
        if (hex.contains("..."))
            seed.wireComplete = false;
        entries->last() += QByteArray::fromHex(hex.replace("...", ""));
    }
    return seed;
}

QStringList allSeeds()
{
    return {u"autobahnserver-case-5.20.txt"_s, u"autobahnserver-case-7.1.2.txt"_s,
            u"microsoft-httpapi-case-2.2.txt"_s, u"websock-secure-server-case-5.20.txt"_s,
            u"wslay-case-3.6.txt"_s};
}

// Feeds `pieces` one after another and returns the status of the last feed.
Status feedAll(HandshakeResponseReader &reader, const QList<QByteArray> &pieces)
{
    Status status = Status::NeedMore;
    for (const QByteArray &piece : pieces)
        status = reader.feed(piece);
    return status;
}

} // namespace

class tst_Handshake : public QObject
{
    Q_OBJECT

private slots:
    void buildRequest_data();
    void buildRequest();
    void rawRequest_data();
    void rawRequest();
    void buildMatchesSeedWire_data();
    void buildMatchesSeedWire();

    void computeAccept_data();
    void computeAccept();

    void seedHandshakes_data();
    void seedHandshakes();
    void seedWireThroughReader_data();
    void seedWireThroughReader();

    void check_data();
    void check();
    void checkFillsFields();
    void checkKeepsFieldsOnFailure();
    void deflate_data();
    void deflate();
    void headerLookup();

    void readerSplitAtEveryOffset_data();
    void readerSplitAtEveryOffset();
    void readerThreePieces();
    void readerOctetsAfterComplete();
    void readerTooLarge_data();
    void readerTooLarge();
    void readerTooLargeIsFinal();
    void readerHugeFeedIsBounded();
    void readerByteByByteIsLinear();

    void garbage_data();
    void garbage();
    void randomGarbage();

    void warnings_data();
    void warnings();
    void warningsOnlyFor101();
};

void tst_Handshake::buildRequest_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<HandshakeOptions>("options");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("key");

    const HandshakeOptions defaults;
    const char *ua = "User-Agent: WebSocketInspector/0.1";
    const char *up = "Upgrade: websocket";
    const char *conn = "Connection: Upgrade";
    const char *key = "Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==";
    const char *ver = "Sec-WebSocket-Version: 13";

    QTest::newRow("ws, no port") << QUrl(u"ws://example.com/"_s) << defaults
                                 << httpHead({"GET / HTTP/1.1", ua, "Host: example.com", up, conn,
                                              key, ver})
                                 << QByteArray(kRandomKeyBase64);
    QTest::newRow("ws, explicit port 80 omitted")
        << QUrl(u"ws://example.com:80/chat"_s) << defaults
        << httpHead({"GET /chat HTTP/1.1", ua, "Host: example.com", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("ws, port 9001 kept")
        << QUrl(u"ws://127.0.0.1:9001"_s) << defaults
        << httpHead({"GET / HTTP/1.1", ua, "Host: 127.0.0.1:9001", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("ws, port 443 kept")
        << QUrl(u"ws://example.com:443/"_s) << defaults
        << httpHead({"GET / HTTP/1.1", ua, "Host: example.com:443", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("wss, explicit port 443 omitted")
        << QUrl(u"wss://example.com:443/"_s) << defaults
        << httpHead({"GET / HTTP/1.1", ua, "Host: example.com", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("wss, port 80 kept")
        << QUrl(u"wss://example.com:80/"_s) << defaults
        << httpHead({"GET / HTTP/1.1", ua, "Host: example.com:80", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("wss, port 8443 kept")
        << QUrl(u"wss://example.com:8443/wss"_s) << defaults
        << httpHead({"GET /wss HTTP/1.1", ua, "Host: example.com:8443", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("empty path becomes /")
        << QUrl(u"ws://example.com"_s) << defaults
        << httpHead({"GET / HTTP/1.1", ua, "Host: example.com", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("path and query")
        << QUrl(u"ws://localhost:9001/runCase?case=12&agent=wsi"_s) << defaults
        << httpHead({"GET /runCase?case=12&agent=wsi HTTP/1.1", ua, "Host: localhost:9001", up,
                     conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("query without path")
        << QUrl(u"ws://example.com?x=1"_s) << defaults
        << httpHead({"GET /?x=1 HTTP/1.1", ua, "Host: example.com", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("path percent-encoded")
        << QUrl(u"ws://example.com/a b/\u00e9"_s) << defaults
        << httpHead({"GET /a%20b/%C3%A9 HTTP/1.1", ua, "Host: example.com", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("fragment not sent")
        << QUrl(u"ws://example.com/p?q#frag"_s) << defaults
        << httpHead({"GET /p?q HTTP/1.1", ua, "Host: example.com", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("IPv6 with port")
        << QUrl(u"ws://[::1]:9001/"_s) << defaults
        << httpHead({"GET / HTTP/1.1", ua, "Host: [::1]:9001", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("IPv6, wss default port")
        << QUrl(u"wss://[2001:db8::1]:443/x"_s) << defaults
        << httpHead({"GET /x HTTP/1.1", ua, "Host: [2001:db8::1]", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    QTest::newRow("internationalised host in ACE form")
        << QUrl(u"ws://b\u00fccher.example/"_s) << defaults
        << httpHead({"GET / HTTP/1.1", ua, "Host: xn--bcher-kva.example", up, conn, key, ver})
        << QByteArray(kRandomKeyBase64);
    {
        HandshakeOptions o;
        o.userAgent.clear();
        QTest::newRow("no user agent")
            << QUrl(u"ws://example.com/"_s) << o
            << httpHead({"GET / HTTP/1.1", "Host: example.com", up, conn, key, ver})
            << QByteArray(kRandomKeyBase64);
    }
    {
        HandshakeOptions o;
        o.origin = u"http://example.com"_s;
        o.subprotocols = QStringList{u"chat"_s, u"superchat"_s};
        o.extensions = QStringList{u"permessage-deflate; client_max_window_bits"_s, u"x-foo"_s};
        const char *extensions =
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-foo";
        QTest::newRow("origin, subprotocols, extensions")
            << QUrl(u"ws://example.com/"_s) << o
            << httpHead({"GET / HTTP/1.1", ua, "Host: example.com", up, conn,
                         "Origin: http://example.com", key, ver,
                         "Sec-WebSocket-Protocol: chat, superchat", extensions})
            << QByteArray(kRandomKeyBase64);
    }
    {
        HandshakeOptions o;
        o.version = "8";
        o.key = kRfcKey;
        QTest::newRow("version and key overridden")
            << QUrl(u"ws://example.com/"_s) << o
            << httpHead({"GET / HTTP/1.1", ua, "Host: example.com", up, conn,
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 8"})
            << QByteArray(kRfcKey);
    }
    {
        HandshakeOptions o;
        o.key = "not base64 at all";
        QTest::newRow("invalid key sent as given")
            << QUrl(u"ws://example.com/"_s) << o
            << httpHead({"GET / HTTP/1.1", ua, "Host: example.com", up, conn,
                         "Sec-WebSocket-Key: not base64 at all", ver})
            << QByteArrayLiteral("not base64 at all");
    }
    {
        HandshakeOptions o;
        o.extraHeaders = {{"Pragma", "no-cache"}, {"Cache-Control", "no-cache"}};
        QTest::newRow("extra headers appended in order")
            << QUrl(u"ws://example.com/"_s) << o
            << httpHead({"GET / HTTP/1.1", ua, "Host: example.com", up, conn, key, ver,
                         "Pragma: no-cache", "Cache-Control: no-cache"})
            << QByteArray(kRandomKeyBase64);
    }
    {
        HandshakeOptions o;
        o.extraHeaders = {{"X-Trace", "1"}, {"host", "evil.example"}, {"UPGRADE", "WebSocket"}};
        QTest::newRow("extra Host and Upgrade replace in place, spelling kept")
            << QUrl(u"ws://example.com/"_s) << o
            << httpHead({"GET / HTTP/1.1", ua, "host: evil.example", "UPGRADE: WebSocket", conn,
                         key, ver, "X-Trace: 1"})
            << QByteArray(kRandomKeyBase64);
    }
    {
        HandshakeOptions o;
        o.subprotocols = QStringList{u"chat"_s};
        o.extraHeaders = {{"Sec-WebSocket-Version", "99"},
                          {"Sec-WebSocket-Protocol", "mqtt"},
                          {"User-Agent", "curl/8"}};
        QTest::newRow("extra Version, Protocol, User-Agent replace in place")
            << QUrl(u"ws://example.com/"_s) << o
            << httpHead({"GET / HTTP/1.1", "User-Agent: curl/8", "Host: example.com", up, conn, key,
                         "Sec-WebSocket-Version: 99", "Sec-WebSocket-Protocol: mqtt"})
            << QByteArray(kRandomKeyBase64);
    }
    {
        HandshakeOptions o;
        o.key = kRfcKey;
        o.extraHeaders = {{"sec-websocket-key", " AAAAAAAAAAAAAAAAAAAAAA== "}};
        QTest::newRow("extra key replaces the key, trimmed key kept")
            << QUrl(u"ws://example.com/"_s) << o
            << httpHead({"GET / HTTP/1.1", ua, "Host: example.com", up, conn,
                         "sec-websocket-key:  AAAAAAAAAAAAAAAAAAAAAA== ", ver})
            << QByteArrayLiteral("AAAAAAAAAAAAAAAAAAAAAA==");
    }
    {
        HandshakeOptions o;
        o.extraHeaders = {{"Upgrade", "h2c"}, {"Upgrade", "websocket"}};
        QTest::newRow("second extra of the same name is appended")
            << QUrl(u"ws://example.com/"_s) << o
            << httpHead({"GET / HTTP/1.1", ua, "Host: example.com", "Upgrade: h2c", conn, key, ver,
                         "Upgrade: websocket"})
            << QByteArray(kRandomKeyBase64);
    }
    {
        HandshakeOptions o;
        o.extraHeaders = {{"Origin", "null"}, {"Sec-WebSocket-Extensions", "x-foo"}};
        QTest::newRow("extra naming a standard header not sent is appended")
            << QUrl(u"ws://example.com/"_s) << o
            << httpHead({"GET / HTTP/1.1", ua, "Host: example.com", up, conn, key, ver,
                         "Origin: null", "Sec-WebSocket-Extensions: x-foo"})
            << QByteArray(kRandomKeyBase64);
    }
}

void tst_Handshake::buildRequest()
{
    QFETCH(QUrl, url);
    QFETCH(HandshakeOptions, options);
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, key);

    const HandshakeRequest request = buildHandshakeRequest(url, options, randomKey());
    QCOMPARE(request.bytes, bytes);
    QCOMPARE(request.key, key);
}

void tst_Handshake::rawRequest_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("key");

    QTest::newRow("complete raw request")
        << httpHead({"GET /chat HTTP/1.1", "Host: x", "Sec-WebSocket-Key: abc=="}) << "abc=="_ba;
    QTest::newRow("no final CRLF CRLF: nothing added")
        << "GET / HTTP/1.1\r\nSec-WebSocket-Key: abc==\r\n"_ba
        << "abc=="_ba;
    QTest::newRow("no CRLF at all") << "GET / HTTP/1.1"_ba << QByteArray();
    QTest::newRow("key name case-insensitive, value trimmed")
        << httpHead({"GET / HTTP/1.1", "sec-WEBSOCKET-key: \t abc== "}) << "abc=="_ba;
    QTest::newRow("bare LF line endings")
        << "GET / HTTP/1.1\nHost: x\nSec-WebSocket-Key: lf==\n\n"_ba
        << "lf=="_ba;
    QTest::newRow("no key header") << httpHead({"GET / HTTP/1.1", "Host: x"}) << QByteArray();
    QTest::newRow("key text in the request line is not a header")
        << httpHead({"GET /Sec-WebSocket-Key: no HTTP/1.1", "Host: x"}) << QByteArray();
    QTest::newRow("key after the head is not a header")
        << "GET / HTTP/1.1\r\n\r\nSec-WebSocket-Key: body==\r\n\r\n"_ba << QByteArray();
    QTest::newRow("first of two keys")
        << httpHead({"GET / HTTP/1.1", "Sec-WebSocket-Key: one==", "Sec-WebSocket-Key: two=="})
        << "one=="_ba;
    QTest::newRow("binary") << "\x00\xff\r\n:\r\n\x01"_ba << QByteArray();
}

void tst_Handshake::rawRequest()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, key);

    HandshakeOptions options;
    options.rawRequest = raw;
    options.key = "ignored";
    options.extraHeaders = {{"X-Ignored", "1"}};
    const HandshakeRequest request =
        buildHandshakeRequest(QUrl(u"ws://example.com:9001/other"_s), options, randomKey());
    QCOMPARE(request.bytes, raw);
    QCOMPARE(request.key, key);
}

void tst_Handshake::buildMatchesSeedWire_data()
{
    QTest::addColumn<QString>("seed");
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QByteArray>("key");

    // The 0.4.10 reference client sends exactly our default order.
    QTest::newRow("AutobahnServer 5.20")
        << u"autobahnserver-case-5.20.txt"_s << QUrl(u"ws://localhost:9000"_s)
        << "4g7iQRMsPmytaE8vj/pMpw=="_ba;
    QTest::newRow("AutobahnServer 7.1.2")
        << u"autobahnserver-case-7.1.2.txt"_s << QUrl(u"ws://localhost:9000/"_s)
        << "60UrWA3ohL1kZZmw7+ODTA=="_ba;
    QTest::newRow("wslay 3.6") << u"wslay-case-3.6.txt"_s << QUrl(u"ws://localhost:9090"_s)
                               << "Ux65Vz1LXp0eU3yFfs+M+w=="_ba;
}

void tst_Handshake::buildMatchesSeedWire()
{
    QFETCH(QString, seed);
    QFETCH(QUrl, url);
    QFETCH(QByteArray, key);

    const Seed s = readSeed(seed);
    QVERIFY(s.wireComplete);
    QVERIFY(!s.tx.isEmpty());
    HandshakeOptions options;
    options.userAgent = "AutobahnWebSocketsTestSuite/0.4.10";
    options.key = key;
    const HandshakeRequest request = buildHandshakeRequest(url, options, randomKey());
    QCOMPARE(request.bytes, s.tx.first());
    QCOMPARE(request.bytes, s.request); // the printed section says the same
}

void tst_Handshake::computeAccept_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("accept");

    QTest::newRow("RFC 6455 §1.3 example") << QByteArray(kRfcKey) << QByteArray(kRfcAccept);
    QTest::newRow("seed AutobahnServer 5.20") << "4g7iQRMsPmytaE8vj/pMpw=="_ba
                                              << "4OOgfyWTDLpqC68k4Ke138yUIgo="_ba;
    QTest::newRow("seed AutobahnServer 7.1.2") << "60UrWA3ohL1kZZmw7+ODTA=="_ba
                                               << "USfbmm/W9XSQ7WPKSpTqguc8Wj0="_ba;
    QTest::newRow("seed Microsoft-HTTPAPI 2.2") << "Urfuxa3wS2fwnHs96yo2dg=="_ba
                                                << "NgQvKOTZiG3Sf0DLTGUKedCRIAc="_ba;
    QTest::newRow("seed websock secure server 5.20") << "3jYmgt+O4alYyyTL5WpvoQ=="_ba
                                                     << "x+UBH366tW0TbWrWpGkhMvIq5bs="_ba;
    QTest::newRow("seed wslay 3.6") << "Ux65Vz1LXp0eU3yFfs+M+w=="_ba
                                    << "n8GGz1XG3+cPNWfCcOIrZ/DMkuo="_ba;
    QTest::newRow("empty key (raw request without one)")
        << QByteArray() << "Kfh9QIsMVZcl6xEPYxPHzW8SZ8w="_ba;
}

void tst_Handshake::computeAccept()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, accept);
    QCOMPARE(wsi::computeAccept(key), accept);
}

void tst_Handshake::seedHandshakes_data()
{
    QTest::addColumn<QString>("seed");
    for (const QString &seed : allSeeds())
        QTest::newRow(qPrintable(seed)) << seed;
}

void tst_Handshake::seedHandshakes()
{
    QFETCH(QString, seed);

    const Seed s = readSeed(seed);
    QVERIFY(s.request.startsWith("GET /"));
    QVERIFY(s.response.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
    HandshakeOptions options;
    options.rawRequest = s.request;
    const HandshakeRequest request = buildHandshakeRequest(QUrl(), options, {});
    QCOMPARE(request.key.size(), 24);

    const HandshakeResponse response = checkHandshakeResponse(s.response, request, options);
    QCOMPARE(response.failure, QString());
    QVERIFY(response.ok());
    QCOMPARE(response.statusCode, 101);
    QCOMPARE(response.header("sec-websocket-accept"),
             std::optional<QByteArray>(wsi::computeAccept(request.key)));
}

void tst_Handshake::seedWireThroughReader_data()
{
    QTest::addColumn<QString>("seed");
    for (const QString &seed : allSeeds()) {
        if (readSeed(seed).wireComplete)
            QTest::newRow(qPrintable(seed)) << seed;
    }
}

// The octets the servers really sent, the head and the frames after it, chopped every way.
void tst_Handshake::seedWireThroughReader()
{
    QFETCH(QString, seed);

    const Seed s = readSeed(seed);
    QVERIFY(s.rx.size() >= 2);
    QCOMPARE(s.rx.first(), s.response);
    QByteArray frames;
    for (qsizetype i = 1; i < s.rx.size(); ++i)
        frames += s.rx.at(i);
    const QByteArray stream = s.rx.first() + frames;

    for (qsizetype chop = 1; chop <= stream.size(); ++chop) {
        HandshakeResponseReader reader;
        QList<QByteArray> pieces;
        for (qsizetype pos = 0; pos < stream.size(); pos += chop)
            pieces.append(stream.mid(pos, chop));
        QCOMPARE(feedAll(reader, pieces), Status::Complete);
        QCOMPARE(reader.head(), s.response);
        QCOMPARE(reader.takeRemainder(), frames);
    }

    HandshakeOptions options;
    options.rawRequest = s.tx.first();
    const HandshakeRequest request = buildHandshakeRequest(QUrl(), options, {});
    QVERIFY(checkHandshakeResponse(s.rx.first(), request, options).ok());
}

void tst_Handshake::check_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<HandshakeRequest>("request");
    QTest::addColumn<HandshakeOptions>("options");
    QTest::addColumn<QString>("failure");

    const HandshakeOptions none;
    const HandshakeRequest plain = rfcRequest();
    const char *s101 = "HTTP/1.1 101 Switching Protocols";
    const char *up = "Upgrade: websocket";
    const char *conn = "Connection: Upgrade";
    const char *acc = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    // Successes first: what must not be reported.
    QTest::newRow("ok: minimal 101")
        << httpHead({s101, up, conn, acc}) << plain << none << QString();
    QTest::newRow("ok: names and Upgrade value case-insensitive")
        << httpHead({s101, "UPGRADE: WebSocket", "connection: upgrade",
                     "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="})
        << plain << none << QString();
    QTest::newRow("ok: upgrade among Connection tokens")
        << httpHead({s101, up, "Connection: keep-alive, Upgrade", acc}) << plain << none
        << QString();
    QTest::newRow("ok: Connection split over two headers")
        << httpHead({s101, up, "Connection: keep-alive", "Connection: Upgrade", acc}) << plain
        << none << QString();
    QTest::newRow("ok: values with surrounding whitespace")
        << httpHead({s101, "Upgrade: \t websocket  ", "Connection:Upgrade ",
                     "Sec-WebSocket-Accept:   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\t"})
        << plain << none << QString();
    QTest::newRow("ok: 101 without reason phrase")
        << httpHead({"HTTP/1.1 101", up, conn, acc}) << plain << none << QString();
    QTest::newRow("ok: bare LF inside the head")
        << "HTTP/1.1 101 OK\nUpgrade: websocket\nConnection: Upgrade\n"
           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"_ba
        << plain << none << QString();
    QTest::newRow("ok: blank line inside the head is skipped")
        << "HTTP/1.1 101 OK\r\nUpgrade: websocket\n\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"_ba
        << plain << none << QString();
    QTest::newRow("ok: octets after the head are ignored")
        << httpHead({s101, up, conn, acc}) + "\x81\x05Hello\r\nUpgrade: h2c\r\n\r\n"_ba << plain
        << none << QString();
    QTest::newRow("ok: empty Sec-WebSocket-Protocol selects none")
        << httpHead({s101, up, conn, acc, "Sec-WebSocket-Protocol: "}) << plain << none
        << QString();
    {
        HandshakeOptions o;
        o.subprotocols = QStringList{u"chat"_s, u"superchat"_s};
        o.extensions = QStringList{u"permessage-deflate; client_max_window_bits"_s};
        QTest::newRow("ok: requested subprotocol and extension")
            << httpHead({s101, up, conn, acc, "Sec-WebSocket-Protocol: superchat",
                         "Sec-WebSocket-Extensions: Permessage-Deflate; client_max_window_bits=15"})
            << rfcRequest(o) << o << QString();
    }
    {
        HandshakeOptions o;
        o.rawRequest = httpHead({"GET / HTTP/1.1", "Host: x", "Sec-WebSocket-Protocol: a, b",
                                 "Sec-WebSocket-Extensions: x-foo; p=1"});
        const HandshakeRequest raw = buildHandshakeRequest(QUrl(), o, {});
        QTest::newRow("ok: raw request without key, server answers the empty key")
            << httpHead({s101, up, conn, "Sec-WebSocket-Accept: Kfh9QIsMVZcl6xEPYxPHzW8SZ8w="})
            << raw << o << QString();
        QTest::newRow("ok: raw request's protocols and extensions are the offer")
            << httpHead({s101, up, conn, "Sec-WebSocket-Accept: Kfh9QIsMVZcl6xEPYxPHzW8SZ8w=",
                         "Sec-WebSocket-Protocol: b", "Sec-WebSocket-Extensions: x-foo"})
            << raw << o << QString();
        QTest::newRow("fail: raw request without key, server answers another key")
            << httpHead({s101, up, conn, acc}) << raw << o
            << u"HTTP Sec-WebSocket-Accept bogus value : expected Kfh9QIsMVZcl6xEPYxPHzW8SZ8w= / "
               u"got s3pPLMBiTxaQ9kYGzzhZRbK+xOo="_s;
    }
    {
        HandshakeOptions o;
        o.subprotocols = QStringList{u"chat"_s};
        o.extraHeaders = {{"Sec-WebSocket-Protocol", "mqtt"}};
        const HandshakeRequest replaced = rfcRequest(o);
        QTest::newRow("ok: protocol from a replacing extra header is the offer")
            << httpHead({s101, up, conn, acc, "Sec-WebSocket-Protocol: mqtt"}) << replaced << o
            << QString();
        QTest::newRow("fail: protocol replaced by an extra header is not offered")
            << httpHead({s101, up, conn, acc, "Sec-WebSocket-Protocol: chat"}) << replaced << o
            << u"subprotocol selected by server (chat) not in subprotocol list requested by "
               u"client (['mqtt'])"_s;
    }
    {
        HandshakeOptions o;
        o.subprotocols = QStringList{u"chat"_s};
        o.extensions = QStringList{u"x-foo"_s};
        HandshakeRequest keyOnly;
        keyOnly.key = kRfcKey;
        QTest::newRow("ok: without request bytes the options are the offer")
            << httpHead({s101, up, conn, acc, "Sec-WebSocket-Protocol: chat",
                         "Sec-WebSocket-Extensions: x-foo"})
            << keyOnly << o << QString();
    }

    // 1. Status line.
    QTest::newRow("fail 1: empty head")
        << QByteArray() << plain << none << u"Bad HTTP response status line ''"_s;
    QTest::newRow("fail 1: empty line first")
        << "\r\n\r\n"_ba << plain << none << u"Bad HTTP response status line ''"_s;
    QTest::newRow("fail 1: one token") << httpHead({"HTTP/1.1", up, conn, acc}) << plain << none
                                       << u"Bad HTTP response status line 'HTTP/1.1'"_s;
    QTest::newRow("fail 1: status line trimmed in the text")
        << httpHead({"  garbage\t", up}) << plain << none
        << u"Bad HTTP response status line 'garbage'"_s;
    // 2. Version.
    QTest::newRow("fail 2: HTTP/1.0")
        << httpHead({"HTTP/1.0 101 Switching Protocols", up, conn, acc}) << plain << none
        << u"Unsupported HTTP version ('HTTP/1.0')"_s;
    QTest::newRow("fail 2: lower-case http/1.1")
        << httpHead({"http/1.1 101 Switching Protocols"}) << plain << none
        << u"Unsupported HTTP version ('http/1.1')"_s;
    QTest::newRow("fail 2: not HTTP at all")
        << httpHead({"SSH-2.0-OpenSSH_9.2 banner"}) << plain << none
        << u"Unsupported HTTP version ('SSH-2.0-OpenSSH_9.2')"_s;
    // 3. Status code.
    QTest::newRow("fail 3: code not a number")
        << httpHead({"HTTP/1.1 1O1 Switching Protocols", up, conn, acc}) << plain << none
        << u"Bad HTTP status code ('1O1')"_s;
    QTest::newRow("fail 3: code too large for a number")
        << httpHead({"HTTP/1.1 99999999999999999999 x"}) << plain << none
        << u"Bad HTTP status code ('99999999999999999999')"_s;
    QTest::newRow("fail 3: 404, reason words joined like the reference")
        << httpHead({"HTTP/1.1 404 Not Found", "Content-Length: 0"}) << plain << none
        << u"WebSocket connection upgrade failed (404 - NotFound)"_s;
    QTest::newRow("fail 3: 200 without reason")
        << httpHead({"HTTP/1.1 200", up, conn, acc}) << plain << none
        << u"WebSocket connection upgrade failed (200)"_s;
    QTest::newRow("fail 3: status wins over missing headers")
        << httpHead({"HTTP/1.1 426 Upgrade Required"}) << plain << none
        << u"WebSocket connection upgrade failed (426 - UpgradeRequired)"_s;
    // Not in the reference: a header line without ':'.
    QTest::newRow("fail: header line without colon")
        << httpHead({s101, "Upgrade websocket", conn, acc}) << plain << none
        << u"Bad HTTP response header line 'Upgrade websocket'"_s;
    QTest::newRow("fail: header line with empty name")
        << httpHead({s101, up, conn, acc, ": x"}) << plain << none
        << u"Bad HTTP response header line ': x'"_s;
    QTest::newRow("fail: folded header line")
        << httpHead({s101, up, conn, acc, "X-Long: a", " continued"}) << plain << none
        << u"Bad HTTP response header line ' continued'"_s;
    QTest::newRow("fail: 404 wins over a bad header line")
        << httpHead({"HTTP/1.1 404 Not Found", "garbage"}) << plain << none
        << u"WebSocket connection upgrade failed (404 - NotFound)"_s;
    // 4. Upgrade.
    QTest::newRow("fail 4: Upgrade missing")
        << httpHead({s101, conn, acc}) << plain << none << u"HTTP Upgrade header missing"_s;
    QTest::newRow("fail 4: Upgrade h2c")
        << httpHead({s101, "Upgrade: h2c", conn, acc}) << plain << none
        << u"HTTP Upgrade header different from 'websocket' (case-insensitive) : h2c"_s;
    QTest::newRow("fail 4: Upgrade twice reads as one joined value")
        << httpHead({s101, up, "upgrade: websocket", conn, acc}) << plain << none
        << u"HTTP Upgrade header different from 'websocket' (case-insensitive) : websocket, "
           u"websocket"_s;
    QTest::newRow("fail 4: Upgrade wins over Connection")
        << httpHead({s101, "Upgrade: web socket"}) << plain << none
        << u"HTTP Upgrade header different from 'websocket' (case-insensitive) : web socket"_s;
    // 5. Connection.
    QTest::newRow("fail 5: Connection missing")
        << httpHead({s101, up, acc}) << plain << none << u"HTTP Connection header missing"_s;
    QTest::newRow("fail 5: Connection keep-alive")
        << httpHead({s101, up, "Connection: keep-alive", acc}) << plain << none
        << u"HTTP Connection header does not include 'upgrade' value (case-insensitive) : "
           u"keep-alive"_s;
    QTest::newRow("fail 5: upgraded is not upgrade")
        << httpHead({s101, up, "Connection: upgraded, close", acc}) << plain << none
        << u"HTTP Connection header does not include 'upgrade' value (case-insensitive) : "
           u"upgraded, close"_s;
    // 6. Accept.
    QTest::newRow("fail 6: Accept missing")
        << httpHead({s101, up, conn}) << plain << none
        << u"HTTP Sec-WebSocket-Accept header missing in opening handshake reply"_s;
    QTest::newRow("fail 6: Accept twice")
        << httpHead({s101, up, conn, acc, acc}) << plain << none
        << u"HTTP Sec-WebSocket-Accept header appears more than once in opening handshake "
           u"reply"_s;
    QTest::newRow("fail 6: Accept bogus")
        << httpHead({s101, up, conn, "Sec-WebSocket-Accept: 4OOgfyWTDLpqC68k4Ke138yUIgo="}) << plain
        << none
        << u"HTTP Sec-WebSocket-Accept bogus value : expected s3pPLMBiTxaQ9kYGzzhZRbK+xOo= / "
           u"got 4OOgfyWTDLpqC68k4Ke138yUIgo="_s;
    QTest::newRow("fail 6: Accept case matters")
        << httpHead({s101, up, conn, "Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO="}) << plain
        << none
        << u"HTTP Sec-WebSocket-Accept bogus value : expected s3pPLMBiTxaQ9kYGzzhZRbK+xOo= / "
           u"got S3PPLMBITXAQ9KYGZZHZRBK+XOO="_s;
    QTest::newRow("fail 6: Accept empty")
        << httpHead({s101, up, conn, "Sec-WebSocket-Accept:"}) << plain << none
        << u"HTTP Sec-WebSocket-Accept bogus value : expected s3pPLMBiTxaQ9kYGzzhZRbK+xOo= / "
           u"got "_s;
    QTest::newRow("fail 6: Accept wins over an unrequested extension")
        << httpHead({s101, up, conn, "Sec-WebSocket-Accept: x", "Sec-WebSocket-Extensions: y"})
        << plain << none
        << u"HTTP Sec-WebSocket-Accept bogus value : expected s3pPLMBiTxaQ9kYGzzhZRbK+xOo= / "
           u"got x"_s;
    // 7. Extensions.
    {
        HandshakeOptions o;
        o.extensions = QStringList{u"x-foo"_s};
        const HandshakeRequest offered = rfcRequest(o);
        QTest::newRow("fail 7: Extensions twice")
            << httpHead({s101, up, conn, acc, "Sec-WebSocket-Extensions: x-foo",
                         "Sec-WebSocket-Extensions: x-foo"})
            << offered << o
            << u"HTTP Sec-WebSocket-Extensions header appears more than once in opening "
               u"handshake reply"_s;
        QTest::newRow("fail 7: extension not offered, name lower-cased")
            << httpHead({s101, up, conn, acc, "Sec-WebSocket-Extensions: x-foo, X-Bar; p=1"})
            << offered << o
            << u"server wants to use extension 'x-bar' we did not request, haven't implemented "
               u"or did not enable"_s;
        QTest::newRow("fail 7: extension wins over protocol")
            << httpHead({s101, up, conn, acc, "Sec-WebSocket-Extensions: x-bar",
                         "Sec-WebSocket-Protocol: a", "Sec-WebSocket-Protocol: b"})
            << offered << o
            << u"server wants to use extension 'x-bar' we did not request, haven't implemented "
               u"or did not enable"_s;
    }
    QTest::newRow("fail 7: permessage-deflate when nothing was offered")
        << httpHead({s101, up, conn, acc, "Sec-WebSocket-Extensions: permessage-deflate"}) << plain
        << none
        << u"server wants to use extension 'permessage-deflate' we did not request, haven't "
           u"implemented or did not enable"_s;
    QTest::newRow("fail 7: empty extension name")
        << httpHead({s101, up, conn, acc, "Sec-WebSocket-Extensions: ; p=1"}) << plain << none
        << u"server wants to use extension '' we did not request, haven't implemented or did "
           u"not enable"_s;
    // 8. Subprotocol.
    {
        HandshakeOptions o;
        o.subprotocols = QStringList{u"chat"_s, u"superchat"_s};
        const HandshakeRequest offered = rfcRequest(o);
        QTest::newRow("fail 8: Protocol twice")
            << httpHead({s101, up, conn, acc, "Sec-WebSocket-Protocol: chat",
                         "Sec-WebSocket-Protocol: chat"})
            << offered << o
            << u"HTTP Sec-WebSocket-Protocol header appears more than once in opening handshake "
               u"reply"_s;
        QTest::newRow("fail 8: protocol not requested")
            << httpHead({s101, up, conn, acc, "Sec-WebSocket-Protocol: mqtt"}) << offered << o
            << u"subprotocol selected by server (mqtt) not in subprotocol list requested by "
               u"client (['chat', 'superchat'])"_s;
        QTest::newRow("fail 8: protocol names are case-sensitive")
            << httpHead({s101, up, conn, acc, "Sec-WebSocket-Protocol: Chat"}) << offered << o
            << u"subprotocol selected by server (Chat) not in subprotocol list requested by "
               u"client (['chat', 'superchat'])"_s;
        QTest::newRow("fail 8: server lists two protocols")
            << httpHead({s101, up, conn, acc, "Sec-WebSocket-Protocol: chat, superchat"}) << offered
            << o
            << u"subprotocol selected by server (chat, superchat) not in subprotocol list "
               u"requested by client (['chat', 'superchat'])"_s;
    }
    QTest::newRow("fail 8: protocol when none requested")
        << httpHead({s101, up, conn, acc, "Sec-WebSocket-Protocol: chat"}) << plain << none
        << u"subprotocol selected by server (chat) not in subprotocol list requested by client "
           u"([])"_s;
    // Not in the reference: a head that never ended.
    QTest::newRow("fail: head without CRLF CRLF")
        << "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"_ba
        << plain << none << u"Incomplete HTTP response head (no empty line after the headers)"_s;
}

void tst_Handshake::check()
{
    QFETCH(QByteArray, head);
    QFETCH(HandshakeRequest, request);
    QFETCH(HandshakeOptions, options);
    QFETCH(QString, failure);

    const HandshakeResponse response = checkHandshakeResponse(head, request, options);
    QCOMPARE(response.failure, failure);
    QCOMPARE(response.ok(), failure.isEmpty());
}

void tst_Handshake::checkFillsFields()
{
    HandshakeOptions options;
    options.subprotocols = QStringList{u"chat"_s};
    options.extensions = QStringList{u"permessage-deflate"_s, u"x-foo"_s};
    const HandshakeRequest request = rfcRequest(options);
    const char *extensions =
        "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover, x-foo";
    const QByteArray head = httpHead(
        {"HTTP/1.1 101 Switching Protocols", "Server: test", "Upgrade: websocket",
         "connection: Upgrade", "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", extensions,
         "Sec-WebSocket-Protocol:  chat "});

    const HandshakeResponse response = checkHandshakeResponse(head, request, options);
    QCOMPARE(response.failure, QString());
    QCOMPARE(response.statusLine, "HTTP/1.1 101 Switching Protocols"_ba);
    QCOMPARE(response.statusCode, 101);
    QCOMPARE(response.httpVersion, "HTTP/1.1"_ba);
    const QList<QPair<QByteArray, QByteArray>> headers = {
        {"Server", "test"},
        {"Upgrade", "websocket"},
        {"connection", "Upgrade"},
        {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
        {"Sec-WebSocket-Extensions", "permessage-deflate; server_no_context_takeover, x-foo"},
        {"Sec-WebSocket-Protocol", "chat"}};
    QCOMPARE(response.headers, headers);
    QCOMPARE(response.subprotocol, u"chat"_s);
    QCOMPARE(response.extensions,
             QStringList({u"permessage-deflate; server_no_context_takeover"_s, u"x-foo"_s}));
}

// permessage-deflate offered: the response is judged by negotiateDeflate(), its failures are
// the handshake's, and the agreement is kept with the response.
void tst_Handshake::deflate_data()
{
    QTest::addColumn<QStringList>("offer");         // HandshakeOptions::extensions
    QTest::addColumn<QByteArrayList>("extensions"); // response Sec-WebSocket-Extensions lines
    QTest::addColumn<bool>("raw");                  // the request as typed, not built
    QTest::addColumn<QString>("failure");
    QTest::addColumn<QString>("agreement");

    const QString notAgreed = u"not agreed"_s;
    const QStringList autobahn{u"permessage-deflate; client_no_context_takeover; "
                               u"client_max_window_bits"_s};
    QTest::newRow("accepted as offered (12.x)")
        << autobahn
        << QByteArrayList{"permessage-deflate; client_no_context_takeover; "
                          "client_max_window_bits=12"}
        << false << QString()
        << u"server: 15-bit window, context takeover; client: 12-bit window, no context "
           u"takeover"_s;
    QTest::newRow("accepted, from a raw request")
        << autobahn << QByteArrayList{"permessage-deflate; server_max_window_bits=9"} << true
        << QString()
        << u"server: 9-bit window, context takeover; client: 15-bit window, no context takeover"_s;
    QTest::newRow("declined") << autobahn << QByteArrayList{} << false << QString() << notAgreed;
    QTest::newRow("accepted beside another extension")
        << QStringList{u"x-foo"_s, u"permessage-deflate"_s}
        << QByteArrayList{"x-foo, permessage-deflate; server_no_context_takeover"} << false
        << QString()
        << u"server: 15-bit window, no context takeover; client: 15-bit window, context "
           u"takeover"_s;
    QTest::newRow("rejected: bad window bits")
        << autobahn << QByteArrayList{"permessage-deflate; client_max_window_bits=16"} << false
        << u"permessage-deflate response: client_max_window_bits=16 is not in 8..15 (RFC 7692 "
           u"§7.1.2.2)"_s
        << notAgreed;
    QTest::newRow("rejected: twice")
        << autobahn << QByteArrayList{"permessage-deflate, permessage-deflate"} << false
        << u"multiple occurrence of a permessage-compress extension"_s << notAgreed;
    QTest::newRow("rejected: fits no offer")
        << QStringList{u"permessage-deflate"_s}
        << QByteArrayList{"permessage-deflate; client_max_window_bits=10"} << false
        << u"WebSocket permessage-compress extension response from server denied by client "
           u"(client_max_window_bits=10 answers an offer without client_max_window_bits (RFC "
           u"7692 §7.1.2.2))"_s
        << notAgreed;
    QTest::newRow("rejected: not offered")
        << QStringList{u"x-foo"_s} << QByteArrayList{"permessage-deflate"} << false
        << u"server wants to use extension 'permessage-deflate' we did not request, haven't "
           u"implemented or did not enable"_s
        << notAgreed;
    QTest::newRow("an unrequested extension before it wins")
        << autobahn << QByteArrayList{"x-bar, permessage-deflate; bogus"} << false
        << u"server wants to use extension 'x-bar' we did not request, haven't implemented or "
           u"did not enable"_s
        << notAgreed;
    QTest::newRow("two header lines: the reference's rule first")
        << autobahn << QByteArrayList{"permessage-deflate", "permessage-deflate"} << false
        << u"HTTP Sec-WebSocket-Extensions header appears more than once in opening handshake "
           u"reply"_s
        << notAgreed;
}

void tst_Handshake::deflate()
{
    QFETCH(QStringList, offer);
    QFETCH(QByteArrayList, extensions);
    QFETCH(bool, raw);
    QFETCH(QString, failure);
    QFETCH(QString, agreement);

    HandshakeOptions options;
    options.extensions = offer;
    HandshakeRequest request = rfcRequest(options);
    if (raw) {
        HandshakeOptions typed;
        typed.rawRequest = request.bytes;
        request = buildHandshakeRequest(QUrl(u"ws://example.com/"_s), typed, randomKey());
        options = HandshakeOptions(); // only the request as typed says what was offered
    }
    QByteArray head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Accept: "_ba +
                      kRfcAccept + "\r\n";
    for (const QByteArray &line : extensions)
        head += "Sec-WebSocket-Extensions: " + line + "\r\n";
    head += "\r\n";

    const HandshakeResponse response = checkHandshakeResponse(head, request, options);
    QCOMPARE(response.failure, failure);
    QCOMPARE(response.deflate.describe(), agreement);
    // The same rule set, asked directly.
    if (failure.isEmpty() || failure.startsWith(u"permessage-deflate"_s) ||
        failure.startsWith(u"multiple"_s) || failure.startsWith(u"WebSocket permessage"_s)) {
        const wsi::DeflateNegotiation n = wsi::negotiateDeflate(request.bytes, head);
        QCOMPARE(n.failure, failure);
        QCOMPARE(n.agreement, response.deflate);
    }
    // The request built from options alone (no bytes) gives the same verdict.
    if (!raw) {
        const HandshakeResponse fromOptions = checkHandshakeResponse(
            head, HandshakeRequest{QByteArray(), QByteArray(kRfcKey)}, options);
        QCOMPARE(fromOptions.failure, failure);
        QCOMPARE(fromOptions.deflate, response.deflate);
    }
}

void tst_Handshake::checkKeepsFieldsOnFailure()
{
    const HandshakeResponse response = checkHandshakeResponse(
        httpHead({"HTTP/1.1 403 Forbidden", "Server: nginx", "broken"}), rfcRequest(), {});
    QCOMPARE(response.failure, u"WebSocket connection upgrade failed (403 - Forbidden)"_s);
    QCOMPARE(response.statusCode, 403);
    QCOMPARE(response.httpVersion, "HTTP/1.1"_ba);
    QCOMPARE(response.statusLine, "HTTP/1.1 403 Forbidden"_ba);
    QCOMPARE(response.headers.size(), 1);
    QCOMPARE(response.headers.first().first, "Server"_ba);
}

void tst_Handshake::headerLookup()
{
    HandshakeResponse response;
    response.headers = {{"Set-Cookie", "a=1"}, {"X-Empty", ""}, {"set-cookie", "b=2"}};

    QCOMPARE(response.header("SET-COOKIE"), std::optional<QByteArray>("a=1"));
    QCOMPARE(response.header("set-cookie"), std::optional<QByteArray>("a=1"));
    QCOMPARE(response.headerCount("Set-Cookie"), 2);
    QCOMPARE(response.header("x-empty"), std::optional<QByteArray>(QByteArray()));
    QCOMPARE(response.headerCount("X-EMPTY"), 1);
    QVERIFY(!response.header("Set-Cookie2").has_value());
    QVERIFY(!response.header("Set-Cooki").has_value());
    QCOMPARE(response.headerCount("Missing"), 0);
}

void tst_Handshake::readerSplitAtEveryOffset_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QByteArray>("after");

    const QByteArray head =
        httpHead({"HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="});
    QTest::newRow("head alone") << head << QByteArray();
    QTest::newRow("head then a text frame and a close frame")
        << head << wsi::test::hex("81 05 48 65 6c 6c 6f 88 02 03 e8");
    QTest::newRow("remainder holds another CRLF CRLF") << head << "\r\n\r\nHTTP/1.1 200 OK\r\n"_ba;
    QTest::newRow("near misses before the end")
        << "HTTP/1.1 101 OK\r\nA: \r\r\n\rB:\n\r\n\n\r\n\r\n"_ba
        << "\x8a\x00"_ba;
    QTest::newRow("shortest head") << "\r\n\r\n"_ba
                                   << "x"_ba;
}

void tst_Handshake::readerSplitAtEveryOffset()
{
    QFETCH(QByteArray, head);
    QFETCH(QByteArray, after);
    const QByteArray stream = head + after;

    for (qsizetype split = 0; split <= stream.size(); ++split) {
        HandshakeResponseReader reader;
        const Status first = reader.feed(stream.first(split));
        QCOMPARE(first, split >= head.size() ? Status::Complete : Status::NeedMore);
        QCOMPARE(reader.feed(stream.sliced(split)), Status::Complete);
        QCOMPARE(reader.head(), head);
        QCOMPARE(reader.takeRemainder(), after);
    }

    HandshakeResponseReader byteByByte;
    for (qsizetype i = 0; i < stream.size(); ++i) {
        const Status status = byteByByte.feed(stream.sliced(i, 1));
        QCOMPARE(status, i + 1 >= head.size() ? Status::Complete : Status::NeedMore);
    }
    QCOMPARE(byteByByte.head(), head);
    QCOMPARE(byteByByte.takeRemainder(), after);
}

void tst_Handshake::readerThreePieces()
{
    const QByteArray head = httpHead({"HTTP/1.1 101 X", "Upgrade: websocket"});
    const QByteArray after = wsi::test::hex("81 02 68 69");
    const QByteArray stream = head + after;
    for (qsizetype i = 0; i <= stream.size(); ++i) {
        for (qsizetype j = i; j <= stream.size(); ++j) {
            HandshakeResponseReader reader;
            const QList<QByteArray> pieces = {stream.first(i), stream.sliced(i, j - i),
                                              stream.sliced(j)};
            QCOMPARE(feedAll(reader, pieces), Status::Complete);
            QCOMPARE(reader.head(), head);
            QCOMPARE(reader.takeRemainder(), after);
        }
    }
}

void tst_Handshake::readerOctetsAfterComplete()
{
    HandshakeResponseReader reader;
    QCOMPARE(reader.feed("HTTP/1.1 101 X\r\n\r\nab"_ba), Status::Complete);
    QCOMPARE(reader.feed("cd"_ba), Status::Complete);
    QCOMPARE(reader.head(), "HTTP/1.1 101 X\r\n\r\n"_ba);
    QCOMPARE(reader.takeRemainder(), "abcd"_ba);
    QCOMPARE(reader.takeRemainder(), QByteArray());
    QCOMPARE(reader.feed("\r\n\r\n"_ba), Status::Complete);
    QCOMPARE(reader.head(), "HTTP/1.1 101 X\r\n\r\n"_ba);
    QCOMPARE(reader.takeRemainder(), "\r\n\r\n"_ba);
    QCOMPARE(reader.feed(QByteArray()), Status::Complete);

    HandshakeResponseReader empty;
    QCOMPARE(empty.feed(QByteArray()), Status::NeedMore);
    QCOMPARE(empty.head(), QByteArray());
    QCOMPARE(empty.takeRemainder(), QByteArray());
}

void tst_Handshake::readerTooLarge_data()
{
    QTest::addColumn<qsizetype>("maxHeadSize");
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<Status>("status");

    const QByteArray head = "HTTP/1.1 101 X\r\n\r\n"_ba; // 18 octets
    QTest::newRow("head exactly at the limit")
        << qsizetype(18) << head + "frames"_ba << Status::Complete;
    QTest::newRow("head one octet over the limit") << qsizetype(17) << head << Status::TooLarge;
    QTest::newRow("limit reached without the end: still possible")
        << qsizetype(18) << QByteArray(18, 'a') << Status::NeedMore;
    QTest::newRow("one octet over the limit without the end")
        << qsizetype(18) << QByteArray(19, 'a') << Status::TooLarge;
    QTest::newRow("end split at the limit")
        << qsizetype(18) << "HTTP/1.1 101 XY\r\n\r"_ba << Status::NeedMore;
    QTest::newRow("end one past the limit")
        << qsizetype(18) << "HTTP/1.1 101 XY\r\n\r\n"_ba << Status::TooLarge;
    QTest::newRow("limit 0: any octet is too large") << qsizetype(0) << "H"_ba << Status::TooLarge;
    QTest::newRow("limit 4: shortest head fits")
        << qsizetype(4) << "\r\n\r\nrest"_ba << Status::Complete;
}

void tst_Handshake::readerTooLarge()
{
    QFETCH(qsizetype, maxHeadSize);
    QFETCH(QByteArray, stream);
    QFETCH(Status, status);

    // The verdict must not depend on how the octets are chopped.
    for (qsizetype split = 0; split <= stream.size(); ++split) {
        HandshakeResponseReader reader(maxHeadSize);
        QCOMPARE(feedAll(reader, {stream.first(split), stream.sliced(split)}), status);
        if (status == Status::Complete)
            QCOMPARE(reader.head().size() + reader.takeRemainder().size(), stream.size());
        else
            QCOMPARE(reader.head(), QByteArray());
    }
}

void tst_Handshake::readerTooLargeIsFinal()
{
    HandshakeResponseReader reader(8);
    QCOMPARE(reader.feed("123456789"_ba), Status::TooLarge);
    QCOMPARE(reader.feed("\r\n\r\n"_ba), Status::TooLarge);
    QCOMPARE(reader.head(), QByteArray());
    QCOMPARE(reader.takeRemainder(), QByteArray());
}

void tst_Handshake::readerHugeFeedIsBounded()
{
    const QByteArray huge(qsizetype(16) * 1024 * 1024, 'x');

    HandshakeResponseReader tooLarge; // default limit 64 KiB
    QCOMPARE(tooLarge.feed(huge), Status::TooLarge);

    HandshakeResponseReader complete;
    QCOMPARE(complete.feed("HTTP/1.1 101 X\r\n\r\n"_ba + huge), Status::Complete);
    QCOMPARE(complete.head(), "HTTP/1.1 101 X\r\n\r\n"_ba);
    QCOMPARE(complete.takeRemainder().size(), huge.size());
}

// Fed octet by octet, the head comes out whole (bench_parser measures that this stays linear).
void tst_Handshake::readerByteByByteIsLinear()
{
    constexpr qsizetype size = qsizetype(256) * 1024;
    const QByteArray stream = QByteArray(size - 4, 'a') + "\r\n\r\n";
    HandshakeResponseReader reader(size);
    Status status = Status::NeedMore;
    for (qsizetype i = 0; i < stream.size() && status == Status::NeedMore; ++i)
        status = reader.feed(stream.sliced(i, 1));
    QCOMPARE(status, Status::Complete);
    QCOMPARE(reader.head().size(), size);
    QCOMPARE(reader.head(), stream);
}

void tst_Handshake::garbage_data()
{
    QTest::addColumn<QByteArray>("octets");

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("NULs") << QByteArray(64, '\0');
    QTest::newRow("only CRLFs") << "\r\n\r\n\r\n\r\n"_ba;
    QTest::newRow("status line without any CRLF") << "HTTP/1.1 101 Switching Protocols"_ba;
    QTest::newRow("bare LFs only") << "HTTP/1.1 101 OK\nUpgrade: websocket\n\n"_ba;
    QTest::newRow("WebSocket frame instead of a response")
        << wsi::test::hex("81 05 48 65 6c 6c 6f 0d 0a 0d 0a");
    QTest::newRow("TLS alert to a plain connection") << wsi::test::hex("15 03 01 00 02 02 46");
    QTest::newRow("colons and CRs") << ":\r:\r\n::\r\n\r\r\n\r\n"_ba;
    QTest::newRow("high octets") << "HTTP/1.1 101 \xff\xfe\r\n\xc3\x28: \xa0\r\n\r\n"_ba;
    QTest::newRow("64 KiB of one header value")
        << "HTTP/1.1 101 X\r\nUpgrade: "_ba + QByteArray(qsizetype(64) * 1024, 'w') + "\r\n\r\n";
}

void tst_Handshake::garbage()
{
    QFETCH(QByteArray, octets);

    const HandshakeRequest request = rfcRequest();
    QVERIFY(!checkHandshakeResponse(octets, request, {}).ok());
    for (qsizetype split = 0; split <= octets.size(); split += 1 + octets.size() / 64) {
        HandshakeResponseReader reader(1024);
        const Status status = feedAll(reader, {octets.first(split), octets.sliced(split)});
        if (status == Status::Complete) {
            QVERIFY(reader.head().endsWith("\r\n\r\n"));
            QVERIFY(!checkHandshakeResponse(reader.head(), request, {}).ok());
        }
    }
}

void tst_Handshake::randomGarbage()
{
    QRandomGenerator random(6455);
    const HandshakeRequest request = rfcRequest();
    const QByteArray alphabet = "HTTP/1.1 101:\r\n\r\nUpgrade websocket\x00\xff"_ba;
    for (int round = 0; round < 3000; ++round) {
        QByteArray octets(random.bounded(300), Qt::Uninitialized);
        for (char &c : octets) {
            c = random.bounded(2) ? alphabet.at(random.bounded(alphabet.size()))
                                  : char(random.bounded(256));
        }
        const qsizetype split = random.bounded(octets.size() + 1);
        HandshakeResponseReader reader(200);
        const Status status = feedAll(reader, {octets.first(split), octets.sliced(split)});
        HandshakeResponseReader whole(200);
        QCOMPARE(whole.feed(octets), status);
        QCOMPARE(whole.head(), reader.head());
        QCOMPARE(whole.takeRemainder(), reader.takeRemainder());
        if (status == Status::Complete)
            QVERIFY(!checkHandshakeResponse(reader.head(), request, {}).ok());
        QVERIFY(!checkHandshakeResponse(octets, request, {}).ok());
    }
}

// What the server ignored of what we asked for: warnings, not failures (the check passes).
void tst_Handshake::warnings_data()
{
    QTest::addColumn<QStringList>("subprotocols");
    QTest::addColumn<QStringList>("extensions");
    QTest::addColumn<QByteArrayList>("responseExtra"); // header lines of the 101
    QTest::addColumn<QStringList>("expected");         // kind:requested:ignored

    const QStringList none;
    QTest::newRow("nothing asked, nothing granted") << none << none << QByteArrayList{} << none;
    QTest::newRow("subprotocol ignored")
        << QStringList{u"chat"_s, u"superchat"_s} << none << QByteArrayList{}
        << QStringList{u"subprotocol:chat,superchat:"_s};
    QTest::newRow("subprotocol accepted")
        << QStringList{u"chat"_s, u"superchat"_s} << none
        << QByteArrayList{"Sec-WebSocket-Protocol: superchat"} << none;
    QTest::newRow("extension ignored")
        << none << QStringList{u"permessage-deflate; client_max_window_bits"_s} << QByteArrayList{}
        << QStringList{u"extensions:permessage-deflate:permessage-deflate"_s};
    QTest::newRow("extension accepted")
        << none << QStringList{u"permessage-deflate; client_max_window_bits"_s}
        << QByteArrayList{"Sec-WebSocket-Extensions: permessage-deflate; "
                          "server_no_context_takeover"}
        << none;
    QTest::newRow("the same extension offered twice, accepted once")
        << none
        << QStringList{u"permessage-deflate; client_max_window_bits"_s, u"permessage-deflate"_s}
        << QByteArrayList{"Sec-WebSocket-Extensions: permessage-deflate"} << none;
    QTest::newRow("some extensions ignored")
        << none << QStringList{u"permessage-deflate"_s, u"x-webkit-deflate-frame"_s}
        << QByteArrayList{"Sec-WebSocket-Extensions: permessage-deflate"}
        << QStringList{u"some:permessage-deflate,x-webkit-deflate-frame:x-webkit-deflate-frame"_s};
    QTest::newRow("both ignored") << QStringList{u"chat"_s} << QStringList{u"permessage-deflate"_s}
                                  << QByteArrayList{}
                                  << QStringList{
                                         u"subprotocol:chat:"_s,
                                         u"extensions:permessage-deflate:permessage-deflate"_s};
}

void tst_Handshake::warnings()
{
    QFETCH(QStringList, subprotocols);
    QFETCH(QStringList, extensions);
    QFETCH(QByteArrayList, responseExtra);
    QFETCH(QStringList, expected);

    HandshakeOptions options;
    options.subprotocols = subprotocols;
    options.extensions = extensions;
    const HandshakeRequest request = rfcRequest(options);
    QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: "_ba +
                          kRfcAccept + "\r\n";
    for (const QByteArray &line : std::as_const(responseExtra))
        response += line + "\r\n";
    response += "\r\n";
    // Not failures: the handshake succeeds.
    QCOMPARE(checkHandshakeResponse(response, request, options).failure, QString());

    const QList<wsi::HandshakeWarningInfo> warnings =
        wsi::handshakeWarnings(request.bytes, response);
    QStringList got;
    for (const wsi::HandshakeWarningInfo &w : warnings) {
        const QString kind =
            w.warning == wsi::HandshakeWarning::SubprotocolIgnored  ? u"subprotocol"_s
            : w.warning == wsi::HandshakeWarning::ExtensionsIgnored ? u"extensions"_s
                                                                    : u"some"_s;
        got << kind + u':' + w.requested.join(u',') + u':' + w.ignored.join(u',');
        QVERIFY(!w.text.isEmpty());
        for (const QString &name : w.ignored)
            QVERIFY2(w.text.contains(name), qPrintable(w.text));
    }
    QCOMPARE(got, expected);
    if (!warnings.isEmpty() &&
        warnings.first().warning == wsi::HandshakeWarning::SubprotocolIgnored)
        QCOMPARE(warnings.first().text,
                 u"the server selected none of the requested subprotocols ("_s +
                     subprotocols.join(u", "_s) +
                     u"): the response has no Sec-WebSocket-Protocol"_s);
}

// A response that is not 101 fails the handshake: there is nothing to warn about.
void tst_Handshake::warningsOnlyFor101()
{
    HandshakeOptions options;
    options.subprotocols = {u"chat"_s};
    options.extensions = {u"permessage-deflate"_s};
    const HandshakeRequest request = rfcRequest(options);
    QVERIFY(
        wsi::handshakeWarnings(request.bytes, httpHead({"HTTP/1.1 400 Bad Request"})).isEmpty());
    QVERIFY(wsi::handshakeWarnings(request.bytes, {}).isEmpty());
    QCOMPARE(wsi::handshakeWarnings(request.bytes, httpHead({"HTTP/1.1 101 Switching Protocols"}))
                 .size(),
             2);
    // A raw request is read as sent.
    const QByteArray raw = "GET / HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Protocol: a, b\r\n\r\n";
    const auto fromRaw =
        wsi::handshakeWarnings(raw, httpHead({"HTTP/1.1 101 Switching Protocols"}));
    QCOMPARE(fromRaw.size(), 1);
    QCOMPARE(fromRaw.first().requested, (QStringList{u"a"_s, u"b"_s}));
}

QTEST_GUILESS_MAIN(tst_Handshake)
#include "tst_handshake.moc"
