// SPDX-License-Identifier: MIT
// permessage-deflate (RFC 7692): the RFC's own examples inflated from every split, our deflater's
// output inflated back, each negotiation rule with its failure text, the extension grammar, the
// inflate bomb and the deliberately broken send modes.
#include "childpeer.h"
#include "protocol/frame.h"
#include "protocol/frameparser.h"
#include "protocol/handshake.h"
#include "protocol/permessagedeflate.h"
#include "testutils.h"

#include <QDeadlineTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTest>

using namespace wsi;
using namespace Qt::StringLiterals;
using wsi::test::hex;
using Status = Inflater::Status;

Q_DECLARE_METATYPE(wsi::Inflater::Status)
Q_DECLARE_METATYPE(wsi::DeflateAgreement)
Q_DECLARE_METATYPE(wsi::DeflateSend)

namespace {

constexpr qint64 kNoLimit = qint64(1) << 40;

struct Inflated
{
    Status status = Status::Ok;
    QByteArray text;
    qint64 errorOffset = -1;
    QString errorText;
};

// One message, fed as the given pieces (frames or any split of them), then finished.
Inflated inflateMessage(Inflater &inflater, const QList<QByteArray> &pieces)
{
    Inflated r;
    for (const QByteArray &piece : pieces)
        r.status = inflater.feed(piece, r.text);
    r.status = inflater.finishMessage(r.text);
    r.errorOffset = inflater.errorOffset();
    r.errorText = inflater.errorText();
    return r;
}

QByteArray requestHead(const QByteArrayList &extensions)
{
    QByteArray head = "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\n";
    for (const QByteArray &e : extensions)
        head += "Sec-WebSocket-Extensions: " + e + "\r\n";
    return head + "\r\n";
}

QByteArray responseHead(const QByteArrayList &extensions)
{
    QByteArray head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\n";
    for (const QByteArray &e : extensions)
        head += "Sec-WebSocket-Extensions: " + e + "\r\n";
    return head + "\r\n";
}

// Text with matches near and far: words from a small vocabulary, so that any window finds some.
QByteArray wordSoup(QRandomGenerator &rng, qsizetype size)
{
    static const char *const words[] = {"frame",  "message ", "deflate", "window, ", "context ",
                                        "server", "client;",  "octet\n", "{\"k\":",  "42}"};
    QByteArray out;
    while (out.size() < size)
        out += words[rng.bounded(int(std::size(words)))];
    out.truncate(size);
    return out;
}

QByteArray randomOctets(QRandomGenerator &rng, qsizetype size)
{
    QByteArray out(size, Qt::Uninitialized);
    for (char &c : out)
        c = char(rng.bounded(256));
    return out;
}

// tests/interop/websockets_echo.py in Debian's python (python3-websockets 10.4, which accepts
// permessage-deflate when offered), started once for the tests that need it; empty on success.
QString startWebsocketsEcho(std::unique_ptr<test::ChildPeer> &peer)
{
    if (peer)
        return {};
    peer = std::make_unique<test::ChildPeer>();
    if (peer->start(QStringLiteral(WSI_PYTHON3),
                    {u"-u"_s, QStringLiteral(WSI_TESTS_DIR) + u"/interop/websockets_echo.py"_s},
                    u"ws://127\\.0\\.0\\.1:(\\d+)/"_s))
        return {};
    return u"websockets_echo.py did not start (python3-websockets installed?): "_s +
           QString::fromUtf8(peer->output);
}

QUrl urlOf(const test::ChildPeer &peer)
{
    return QUrl(u"ws://127.0.0.1:%1/"_s.arg(peer.port));
}

// One client connection to a real server, frames and messages by hand.
class Connection
{
public:
    // Connects and performs the opening handshake with `offer` as Sec-WebSocket-Extensions.
    bool open(const QUrl &url, const QString &offer, HandshakeResponse &response)
    {
        m_socket.connectToHost(url.host(), quint16(url.port()));
        if (!m_socket.waitForConnected(5000))
            return false;
        HandshakeOptions options;
        if (!offer.isEmpty())
            options.extensions = QStringList{offer};
        const HandshakeRequest request =
            buildHandshakeRequest(url, options, QByteArray("0123456789abcdef"));
        m_socket.write(request.bytes);
        HandshakeResponseReader reader;
        const QDeadlineTimer deadline(5000);
        HandshakeResponseReader::Status status = HandshakeResponseReader::Status::NeedMore;
        while (status == HandshakeResponseReader::Status::NeedMore && !deadline.hasExpired()) {
            if (m_socket.waitForReadyRead(200) || m_socket.bytesAvailable() > 0)
                status = reader.feed(m_socket.readAll());
        }
        if (status != HandshakeResponseReader::Status::Complete)
            return false;
        m_requestHead = request.bytes;
        m_responseHead = reader.head();
        response = checkHandshakeResponse(reader.head(), request, options);
        FrameParser::Options o;
        o.deflate = response.deflate.agreed;
        m_parser.setOptions(o);
        m_pending = reader.takeRemainder();
        return true;
    }

    // One message from `wire` (already compressed when rsv1), in frames of `fragment` octets.
    void send(int opcode, const QByteArray &wire, bool rsv1, qsizetype fragment)
    {
        qsizetype pos = 0;
        do {
            FrameSpec f;
            f.opcode = pos == 0 ? opcode : 0;
            f.rsv = pos == 0 && rsv1 ? 4 : 0;
            f.payload = wire.mid(pos, fragment);
            pos += fragment;
            f.fin = pos >= wire.size();
            f.maskMode = MaskMode::Fixed;
            f.maskKey = 0x5a17c0de;
            m_socket.write(encodeFrame(f));
        } while (pos < wire.size());
        m_socket.flush();
    }

    // The frames of the next data message (or a close frame), as the server sent them.
    std::vector<DecodedFrame> nextMessage()
    {
        std::vector<DecodedFrame> message;
        const QDeadlineTimer deadline(10000);
        for (;;) {
            while (!m_frames.empty()) {
                DecodedFrame f = std::move(m_frames.front());
                m_frames.erase(m_frames.begin());
                if (f.opcode == quint8(Opcode::Ping) || f.opcode == quint8(Opcode::Pong))
                    continue;
                const bool end = f.fin || f.opcode == quint8(Opcode::Close);
                message.push_back(std::move(f));
                if (end)
                    return message;
            }
            if (!m_pending.isEmpty()) {
                m_parser.feed(std::exchange(m_pending, QByteArray()), m_frames);
                continue;
            }
            if (deadline.hasExpired() || m_socket.state() != QAbstractSocket::ConnectedState)
                return message;
            if (m_socket.waitForReadyRead(200) || m_socket.bytesAvailable() > 0)
                m_pending = m_socket.readAll();
        }
    }

    [[nodiscard]] QByteArray requestHead() const { return m_requestHead; }
    [[nodiscard]] QByteArray responseHead() const { return m_responseHead; }

private:
    QTcpSocket m_socket;
    FrameParser m_parser;
    std::vector<DecodedFrame> m_frames;
    QByteArray m_pending;
    QByteArray m_requestHead;
    QByteArray m_responseHead;
};

QString dump(const QList<ExtensionElement> &list)
{
    QStringList elements;
    for (const ExtensionElement &e : list) {
        QString s = e.name;
        for (const auto &[name, value] : e.params)
            s += u';' + name + (value ? u'=' + *value : QString());
        elements << s;
    }
    return elements.join(u" | "_s);
}

} // namespace

class tst_PerMessageDeflate : public QObject
{
    Q_OBJECT

private slots:
    void rfcExamples_data();
    void rfcExamples();
    void rfcExamplesAtEverySplit_data() { rfcExamples_data(); }
    void rfcExamplesAtEverySplit();
    void contextTakeover();
    void noContextTakeoverForgetsTheWindow();
    void deflaterMatchesTheRfc();
    void deflaterRoundTrip_data();
    void deflaterRoundTrip();
    void emptyMessages();
    void inflateBomb();
    void errorIsFinalForTheMessage();
    void zlibWindowBitsFor8();

    void negotiate_data();
    void negotiate();
    void paramsToHeader();
    void parseParams_data();
    void parseParams();
    void extensionList_data();
    void extensionList();

    void sendModes_data();
    void sendModes();
    void sendModesKeepTheContextInStep();
    void wrongWindowUsesTheLargerWindow();
    void sendModeTexts();

    void realServer_data();
    void realServer();
    void realServerBrokenModes_data();
    void realServerBrokenModes();

private:
    std::unique_ptr<test::ChildPeer> m_websockets;
};

// RFC 7692 §7.2.3 and invalid data: each message as its frames' payloads.
void tst_PerMessageDeflate::rfcExamples_data()
{
    QTest::addColumn<QList<QByteArray>>("frames");
    QTest::addColumn<Status>("status");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("errorOffset");
    QTest::addColumn<QString>("errorText");

    QTest::newRow("7.2.3.1 Hello") << QList<QByteArray>{hex("f2 48 cd c9 c9 07 00")} << Status::Ok
                                   << QByteArray("Hello") << qint64(-1) << QString();
    QTest::newRow("7.2.3.3 Hello in two frames")
        << QList<QByteArray>{hex("f2 48 cd"), hex("c9 c9 07 00")} << Status::Ok
        << QByteArray("Hello") << qint64(-1) << QString();
    QTest::newRow("7.2.3.4 stored block")
        << QList<QByteArray>{hex("00 05 00 fa ff 48 65 6c 6c 6f 00")} << Status::Ok
        << QByteArray("Hello") << qint64(-1) << QString();
    QTest::newRow("7.2.3.5 BFINAL set")
        << QList<QByteArray>{hex("f3 48 cd c9 c9 07 00 00")} << Status::Ok << QByteArray("Hello")
        << qint64(-1) << QString();
    QTest::newRow("7.2.3.6 empty message")
        << QList<QByteArray>{hex("00")} << Status::Ok << QByteArray() << qint64(-1) << QString();
    QTest::newRow("BFINAL, then more blocks over the same window")
        << QList<QByteArray>{hex("f3 48 cd c9 c9 07 00"), hex("f2 00 11 00 00")} << Status::Ok
        << QByteArray("HelloHello") << qint64(-1) << QString();
    QTest::newRow("invalid block type first")
        << QList<QByteArray>{hex("ff")} << Status::Error << QByteArray() << qint64(0)
        << u"invalid block type at compressed octet 0"_s;
    QTest::newRow("invalid block type after Hello")
        << QList<QByteArray>{hex("f2 48 cd c9 c9 07 00 00 00 ff ff"), hex("ff 00")} << Status::Error
        << QByteArray("Hello") << qint64(11) << u"invalid block type at compressed octet 11"_s;
    QTest::newRow("stored block lengths do not match")
        << QList<QByteArray>{hex("00 05 00 05 00 48 65 6c 6c 6f")} << Status::Error << QByteArray()
        << qint64(4) << u"invalid stored block lengths at compressed octet 4"_s;
    QTest::newRow("a match before the first octet")
        << QList<QByteArray>{hex("f2 00 11 00 00")} << Status::Error << QByteArray("H") << qint64(2)
        << u"invalid distance too far back at compressed octet 2"_s;
}

void tst_PerMessageDeflate::rfcExamples()
{
    QFETCH(QList<QByteArray>, frames);
    QFETCH(Status, status);
    QFETCH(QByteArray, text);
    QFETCH(qint64, errorOffset);
    QFETCH(QString, errorText);

    Inflater inflater(15, false, kNoLimit);
    const Inflated r = inflateMessage(inflater, frames);
    QCOMPARE(r.status, status);
    QCOMPARE(r.text, text);
    QCOMPARE(r.errorOffset, errorOffset);
    QCOMPARE(r.errorText, errorText);
    qint64 input = 0;
    for (const QByteArray &f : frames)
        input += f.size();
    QCOMPARE(inflater.messageInput(), input);
    QCOMPARE(inflater.messageOutput(), qint64(text.size()));
}

// The message's octets cut once at every offset, and octet by octet: always the same result.
void tst_PerMessageDeflate::rfcExamplesAtEverySplit()
{
    QFETCH(QList<QByteArray>, frames);
    QFETCH(Status, status);
    QFETCH(QByteArray, text);
    QFETCH(qint64, errorOffset);
    QFETCH(QString, errorText);

    const QByteArray all = frames.join();
    for (qsizetype cut = 0; cut <= all.size(); ++cut) {
        Inflater inflater(15, false, kNoLimit);
        const Inflated r = inflateMessage(inflater, {all.first(cut), all.sliced(cut)});
        QVERIFY2(r.status == status && r.text == text && r.errorOffset == errorOffset &&
                     r.errorText == errorText,
                 qPrintable(u"cut at %1: %2 %3"_s.arg(cut).arg(QString::fromLatin1(r.text.toHex()),
                                                               r.errorText)));
    }
    QList<QByteArray> octets;
    for (char c : all)
        octets << QByteArray(1, c);
    Inflater inflater(15, false, kNoLimit);
    const Inflated r = inflateMessage(inflater, octets);
    QCOMPARE(r.status, status);
    QCOMPARE(r.text, text);
    QCOMPARE(r.errorOffset, errorOffset);
    QCOMPARE(r.errorText, errorText);
}

// RFC 7692 §7.2.3.2: the second "Hello" refers to the first one.
void tst_PerMessageDeflate::contextTakeover()
{
    Inflater inflater(15, false, kNoLimit);
    QCOMPARE(inflateMessage(inflater, {hex("f2 48 cd c9 c9 07 00")}).text, QByteArray("Hello"));
    const Inflated second = inflateMessage(inflater, {hex("f2 00 11 00 00")});
    QCOMPARE(second.status, Status::Ok);
    QCOMPARE(second.text, QByteArray("Hello"));
    QCOMPARE(inflater.messageInput(), qint64(5));
    QCOMPARE(inflater.messageOutput(), qint64(5));
}

void tst_PerMessageDeflate::noContextTakeoverForgetsTheWindow()
{
    Inflater inflater(15, true, kNoLimit);
    QCOMPARE(inflateMessage(inflater, {hex("f2 48 cd c9 c9 07 00")}).text, QByteArray("Hello"));
    const Inflated second = inflateMessage(inflater, {hex("f2 00 11 00 00")});
    QCOMPARE(second.status, Status::Error);
    QCOMPARE(second.errorText, u"invalid distance too far back at compressed octet 2"_s);
    // The error belonged to that message: the next one starts afresh.
    const Inflated third = inflateMessage(inflater, {hex("f2 48 cd c9 c9 07 00")});
    QCOMPARE(third.status, Status::Ok);
    QCOMPARE(third.text, QByteArray("Hello"));
    QCOMPARE(third.errorOffset, qint64(-1));

    // reset() is the new connection: the window goes, also with context takeover.
    Inflater takeover(15, false, kNoLimit);
    QCOMPARE(inflateMessage(takeover, {hex("f2 48 cd c9 c9 07 00")}).status, Status::Ok);
    takeover.reset();
    QCOMPARE(inflateMessage(takeover, {hex("f2 00 11 00 00")}).status, Status::Error);
}

// zlib at its default level writes exactly the RFC's octets.
void tst_PerMessageDeflate::deflaterMatchesTheRfc()
{
    Deflater takeover(15, false);
    QCOMPARE(takeover.compressMessage("Hello"), hex("f2 48 cd c9 c9 07 00"));
    QCOMPARE(takeover.compressMessage("Hello"), hex("f2 00 11 00 00"));
    Deflater fresh(15, true);
    QCOMPARE(fresh.compressMessage("Hello"), hex("f2 48 cd c9 c9 07 00"));
    QCOMPARE(fresh.compressMessage("Hello"), hex("f2 48 cd c9 c9 07 00"));
}

void tst_PerMessageDeflate::deflaterRoundTrip_data()
{
    QTest::addColumn<int>("windowBits");
    QTest::addColumn<bool>("noContextTakeover");
    for (int bits = 8; bits <= 15; ++bits) {
        for (bool noTakeover : {false, true}) {
            QTest::addRow("%d bits, %s", bits, noTakeover ? "no context takeover" : "takeover")
                << bits << noTakeover;
        }
    }
}

void tst_PerMessageDeflate::deflaterRoundTrip()
{
    QFETCH(int, windowBits);
    QFETCH(bool, noContextTakeover);
    QRandomGenerator rng(quint32(windowBits * 2 + int(noContextTakeover)));
    Deflater deflater(windowBits, noContextTakeover);
    Inflater inflater(windowBits, noContextTakeover, kNoLimit);
    const QList<qsizetype> sizes{0, 1, 5, 125, 126, 4000, 70000, 0, 300000, 17};
    qint64 compressedTotal = 0;
    qint64 plainTotal = 0;
    for (qsizetype size : sizes) {
        const bool random = rng.bounded(3) == 0;
        const QByteArray payload = random ? randomOctets(rng, size) : wordSoup(rng, size);
        const QByteArray compressed = deflater.compressMessage(payload);
        QVERIFY(!compressed.isEmpty());
        QVERIFY2(!compressed.endsWith(hex("00 00 ff ff")), "the tail is removed (RFC 7692 §7.2.1)");
        // Frames of any size carry it: the inflated message does not depend on them.
        QList<QByteArray> frames;
        const qsizetype frameSize = 1 + rng.bounded(2000);
        for (qsizetype pos = 0; pos < compressed.size(); pos += frameSize)
            frames << compressed.mid(pos, frameSize);
        const Inflated r = inflateMessage(inflater, frames);
        QCOMPARE(r.status, Status::Ok);
        QVERIFY2(r.text == payload, qPrintable(u"message of %1 octets"_s.arg(size)));
        if (!random) {
            compressedTotal += compressed.size();
            plainTotal += payload.size();
        }
    }
    QVERIFY2(compressedTotal < plainTotal, "word soup compresses");
}

// An empty message is one 0x00 (RFC 7692 §7.2.3.6), also right after another flush.
void tst_PerMessageDeflate::emptyMessages()
{
    for (bool noTakeover : {false, true}) {
        Deflater deflater(15, noTakeover);
        Inflater inflater(15, noTakeover, kNoLimit);
        for (const QByteArray &payload :
             {QByteArray(), QByteArray(), QByteArray("Hello"), QByteArray(), QByteArray("Hello")}) {
            const QByteArray compressed = deflater.compressMessage(payload);
            if (payload.isEmpty())
                QCOMPARE(compressed, hex("00"));
            const Inflated r = inflateMessage(inflater, {compressed});
            QCOMPARE(r.status, Status::Ok);
            QCOMPARE(r.text, payload);
        }
    }
}

// A few KiB that inflate to 64 MiB: TooLarge at the limit, never more output than the limit.
void tst_PerMessageDeflate::inflateBomb()
{
    const qint64 limit = 1 << 20;
    Deflater deflater(15, true);
    const QByteArray bomb = deflater.compressMessage(QByteArray(64 << 20, 'A'));
    QVERIFY2(bomb.size() < 128 * 1024, qPrintable(QString::number(bomb.size())));

    for (bool noTakeover : {false, true}) {
        Inflater inflater(15, noTakeover, limit);
        QByteArray out;
        Status status = Status::Ok;
        qsizetype fed = 0;
        for (qsizetype pos = 0; pos < bomb.size() && status == Status::Ok; pos += 1000) {
            status = inflater.feed(
                QByteArrayView(bomb).sliced(pos, std::min<qsizetype>(1000, bomb.size() - pos)),
                out);
            fed = pos;
            QVERIFY(out.size() <= limit);
        }
        QCOMPARE(status, Status::TooLarge);
        QVERIFY2(fed < bomb.size() / 2, "stops at the limit, not after inflating everything");
        QCOMPARE(out.size(), qsizetype(limit));
        QCOMPARE(inflater.messageOutput(), limit);
        QVERIFY(out.capacity() <= 2 * limit + 64 * 1024);
        QCOMPARE(inflater.errorText(), u"the message inflates to more than 1048576 octets (local "
                                       u"limit)"_s);
        // Later frames of the message cost nothing and add nothing.
        QCOMPARE(inflater.feed(bomb, out), Status::TooLarge);
        QCOMPARE(inflater.finishMessage(out), Status::TooLarge);
        QCOMPARE(out.size(), qsizetype(limit));
    }

    // Exactly at the limit is fine.
    Inflater exact(15, true, limit);
    const Inflated r = inflateMessage(exact, {deflater.compressMessage(QByteArray(limit, 'A'))});
    QCOMPARE(r.status, Status::Ok);
    QCOMPARE(r.text.size(), qsizetype(limit));
    const Inflated over =
        inflateMessage(exact, {deflater.compressMessage(QByteArray(limit + 1, 'A'))});
    QCOMPARE(over.status, Status::TooLarge);
    QCOMPARE(over.text.size(), qsizetype(limit));
    QCOMPARE(over.errorOffset, qint64(-1)); // no zlib error

    // A negative limit is none.
    Inflater unbounded(15, true, -1);
    const Inflated all = inflateMessage(unbounded, {bomb});
    QCOMPARE(all.status, Status::Ok);
    QCOMPARE(all.text.size(), qsizetype(64 << 20));
}

// With context takeover an error loses the window: every later message says so too.
void tst_PerMessageDeflate::errorIsFinalForTheMessage()
{
    Inflater inflater(15, false, kNoLimit);
    QByteArray out;
    QCOMPARE(inflater.feed(hex("ff"), out), Status::Error);
    QCOMPARE(inflater.feed(hex("f2 48 cd c9 c9 07 00"), out), Status::Error);
    QCOMPARE(inflater.finishMessage(out), Status::Error);
    QCOMPARE(inflater.errorOffset(), qint64(0));
    QVERIFY(out.isEmpty());
    QCOMPARE(inflateMessage(inflater, {hex("f2 48 cd c9 c9 07 00")}).status, Status::Error);
    inflater.reset();
    QCOMPARE(inflater.errorOffset(), qint64(-1));
    QVERIFY(inflater.errorText().isEmpty());
    QCOMPARE(inflateMessage(inflater, {hex("f2 48 cd c9 c9 07 00")}).text, QByteArray("Hello"));
}

void tst_PerMessageDeflate::zlibWindowBitsFor8()
{
    QCOMPARE(zlibWindowBits(8), 9);
    QCOMPARE(zlibWindowBits(9), 9);
    QCOMPARE(zlibWindowBits(15), 15);
    QCOMPARE(Deflater(8, false).windowBits(), 9);
    QCOMPARE(Inflater(8, false, 1).windowBits(), 9);
}

void tst_PerMessageDeflate::negotiate_data()
{
    QTest::addColumn<QByteArrayList>("offers");    // request Sec-WebSocket-Extensions lines
    QTest::addColumn<QByteArrayList>("responses"); // response Sec-WebSocket-Extensions lines
    QTest::addColumn<bool>("offered");
    QTest::addColumn<QString>("failure");
    QTest::addColumn<QString>("agreement"); // describe()
    QTest::addColumn<int>("offerIndex");
    QTest::addColumn<QString>("accepted");

    const QByteArray pmd = "permessage-deflate";
    const QString notAgreed = u"not agreed"_s;
    const QString full = u"server: 15-bit window, context takeover; client: 15-bit window, context "
                         u"takeover"_s;
    const QString denied =
        u"WebSocket permessage-compress extension response from server denied by client ("_s;
    const auto ok = [&](const char *name, const QByteArrayList &offers,
                        const QByteArrayList &responses, const QString &agreement, int index,
                        const QString &accepted) {
        QTest::newRow(name) << offers << responses << true << QString() << agreement << index
                            << accepted;
    };
    const auto fails = [&](const char *name, const QByteArrayList &offers,
                           const QByteArrayList &responses, const QString &failure) {
        QTest::newRow(name) << offers << responses << true << failure << notAgreed << -1
                            << QString();
    };

    // Nothing to judge.
    QTest::newRow("not offered, not answered") << QByteArrayList{} << QByteArrayList{} << false
                                               << QString() << notAgreed << -1 << QString();
    QTest::newRow("not offered, another extension answered")
        << QByteArrayList{"x-foo"} << QByteArrayList{"x-foo"} << false << QString() << notAgreed
        << -1 << QString();
    ok("declined", {pmd}, {}, notAgreed, -1, {});
    ok("declined, another extension answered", {pmd + ", x-foo"}, {"x-foo"}, notAgreed, -1, {});

    // Success shapes.
    ok("plain offer, plain answer", {pmd}, {pmd}, full, 0, u"permessage-deflate"_s);
    ok("name in any case", {pmd}, {"Permessage-Deflate"}, full, 0, u"Permessage-Deflate"_s);
    ok("the default offer of the reference (12.x)",
       {"permessage-deflate; client_no_context_takeover; client_max_window_bits"},
       {"permessage-deflate; client_no_context_takeover; client_max_window_bits=10"},
       u"server: 15-bit window, context takeover; client: 10-bit window, no context takeover"_s, 0,
       u"permessage-deflate; client_no_context_takeover; client_max_window_bits=10"_s);
    ok("client_max_window_bits offered without a value, not answered",
       {pmd + "; client_max_window_bits"}, {pmd}, full, 0, u"permessage-deflate"_s);
    ok("the offer's client_max_window_bits value binds us", {pmd + "; client_max_window_bits=10"},
       {pmd}, u"server: 15-bit window, context takeover; client: 10-bit window, context takeover"_s,
       0, u"permessage-deflate"_s);
    ok("client_max_window_bits answered smaller", {pmd + "; client_max_window_bits=12"},
       {pmd + "; client_max_window_bits=9"},
       u"server: 15-bit window, context takeover; client: 9-bit window, context takeover"_s, 0,
       u"permessage-deflate; client_max_window_bits=9"_s);
    ok("the offer's client_no_context_takeover binds us", {pmd + "; client_no_context_takeover"},
       {pmd},
       u"server: 15-bit window, context takeover; client: 15-bit window, no context takeover"_s, 0,
       u"permessage-deflate"_s);
    ok("client_no_context_takeover answered unasked", {pmd}, {pmd + "; client_no_context_takeover"},
       u"server: 15-bit window, context takeover; client: 15-bit window, no context takeover"_s, 0,
       u"permessage-deflate; client_no_context_takeover"_s);
    ok("server_no_context_takeover asked and echoed", {pmd + "; server_no_context_takeover"},
       {pmd + ";server_no_context_takeover"},
       u"server: 15-bit window, no context takeover; client: 15-bit window, context takeover"_s, 0,
       u"permessage-deflate;server_no_context_takeover"_s);
    ok("server_no_context_takeover answered unasked", {pmd}, {pmd + "; server_no_context_takeover"},
       u"server: 15-bit window, no context takeover; client: 15-bit window, context takeover"_s, 0,
       u"permessage-deflate; server_no_context_takeover"_s);
    ok("server_max_window_bits echoed", {pmd + "; server_max_window_bits=10"},
       {pmd + "; server_max_window_bits=10"},
       u"server: 10-bit window, context takeover; client: 15-bit window, context takeover"_s, 0,
       u"permessage-deflate; server_max_window_bits=10"_s);
    ok("server_max_window_bits answered smaller", {pmd + "; server_max_window_bits=12"},
       {pmd + "; server_max_window_bits=8"},
       u"server: 8-bit window, context takeover; client: 15-bit window, context takeover"_s, 0,
       u"permessage-deflate; server_max_window_bits=8"_s);
    ok("server_max_window_bits answered unasked", {pmd}, {pmd + "; server_max_window_bits=11"},
       u"server: 11-bit window, context takeover; client: 15-bit window, context takeover"_s, 0,
       u"permessage-deflate; server_max_window_bits=11"_s);
    ok("a quoted value (RFC 6455 §9.1)", {pmd}, {pmd + "; server_max_window_bits=\"10\""},
       u"server: 10-bit window, context takeover; client: 15-bit window, context takeover"_s, 0,
       u"permessage-deflate; server_max_window_bits=\"10\""_s);
    ok("several offers: the first that fits (13.7)",
       {"permessage-deflate; client_no_context_takeover; client_max_window_bits=9",
        "permessage-deflate; client_no_context_takeover", "permessage-deflate"},
       {pmd + "; client_no_context_takeover; client_max_window_bits=9"},
       u"server: 15-bit window, context takeover; client: 9-bit window, no context takeover"_s, 0,
       u"permessage-deflate; client_no_context_takeover; client_max_window_bits=9"_s);
    ok("several offers: the second fits",
       {"permessage-deflate; server_no_context_takeover, permessage-deflate"}, {pmd}, full, 1,
       u"permessage-deflate"_s);
    ok("several offers in two lines: the third fits",
       {"permessage-deflate; server_max_window_bits=9, x-foo",
        "permessage-deflate; server_no_context_takeover, permessage-deflate"},
       {"x-foo, " + pmd}, full, 2, u"permessage-deflate"_s);
    ok("another extension before it", {"x-foo, " + pmd}, {"x-foo; a=1", pmd}, full, 0,
       u"permessage-deflate"_s);

    // Failures, one rule each.
    QTest::newRow("answered, not offered")
        << QByteArrayList{"x-foo"} << QByteArrayList{pmd} << false
        << u"server wants to use extension 'permessage-deflate' we did not request, haven't "
           u"implemented or did not enable"_s
        << notAgreed << -1 << QString();
    fails("two elements", {pmd}, {pmd + ", " + pmd},
          u"multiple occurrence of a permessage-compress extension"_s);
    fails("two elements in two lines", {pmd + ", " + pmd},
          {pmd, pmd + "; server_no_context_takeover"},
          u"multiple occurrence of a permessage-compress extension"_s);
    fails("unknown parameter", {pmd}, {pmd + "; foo"},
          u"permessage-deflate response: unknown parameter foo (RFC 7692 §7)"_s);
    fails("unknown parameter with a value", {pmd}, {pmd + "; x=1"},
          u"permessage-deflate response: unknown parameter x=1 (RFC 7692 §7)"_s);
    fails("parameter twice", {pmd},
          {pmd + "; server_no_context_takeover; server_no_context_takeover"},
          u"permessage-deflate response: parameter server_no_context_takeover appears more than "
          u"once (RFC 7692 §7)"_s);
    fails("window bits twice", {pmd + "; client_max_window_bits"},
          {pmd + "; client_max_window_bits=10; client_max_window_bits=10"},
          u"permessage-deflate response: parameter client_max_window_bits appears more than "
          u"once (RFC 7692 §7)"_s);
    fails("value on server_no_context_takeover", {pmd}, {pmd + "; server_no_context_takeover=1"},
          u"permessage-deflate response: server_no_context_takeover=1 has a value; the "
          u"parameter takes none (RFC 7692 §7.1.1.1)"_s);
    fails("value on client_no_context_takeover", {pmd},
          {pmd + "; client_no_context_takeover=\"x\""},
          u"permessage-deflate response: client_no_context_takeover=x has a value; the "
          u"parameter takes none (RFC 7692 §7.1.1.2)"_s);
    fails("server_max_window_bits without a value", {pmd}, {pmd + "; server_max_window_bits"},
          u"permessage-deflate response: server_max_window_bits without a value (RFC 7692 "
          u"§7.1.2.1)"_s);
    fails("server_max_window_bits=16", {pmd}, {pmd + "; server_max_window_bits=16"},
          u"permessage-deflate response: server_max_window_bits=16 is not in 8..15 (RFC 7692 "
          u"§7.1.2.1)"_s);
    fails("server_max_window_bits=7", {pmd}, {pmd + "; server_max_window_bits=7"},
          u"permessage-deflate response: server_max_window_bits=7 is not in 8..15 (RFC 7692 "
          u"§7.1.2.1)"_s);
    fails("server_max_window_bits with a leading zero", {pmd},
          {pmd + "; server_max_window_bits=09"},
          u"permessage-deflate response: server_max_window_bits=09 is not a decimal integer "
          u"without leading zeroes (RFC 7692 §7.1.2.1)"_s);
    fails("server_max_window_bits quoted, not a number", {pmd},
          {pmd + "; server_max_window_bits=\"ten\""},
          u"permessage-deflate response: server_max_window_bits=ten is not a decimal integer "
          u"without leading zeroes (RFC 7692 §7.1.2.1)"_s);
    fails("client_max_window_bits=16", {pmd + "; client_max_window_bits"},
          {pmd + "; client_max_window_bits=16"},
          u"permessage-deflate response: client_max_window_bits=16 is not in 8..15 (RFC 7692 "
          u"§7.1.2.2)"_s);
    fails("client_max_window_bits answered without a value", {pmd + "; client_max_window_bits"},
          {pmd + "; client_max_window_bits"},
          u"permessage-deflate response: client_max_window_bits without a value (RFC 7692 "
          u"§7.1.2.2)"_s);
    fails("client_max_window_bits answered, not offered", {pmd},
          {pmd + "; client_max_window_bits=10"},
          denied + u"client_max_window_bits=10 answers an offer without client_max_window_bits "
                   u"(RFC 7692 §7.1.2.2))"_s);
    fails("client_max_window_bits answered larger than offered",
          {pmd + "; client_max_window_bits=10"}, {pmd + "; client_max_window_bits=12"},
          denied + u"client_max_window_bits=12 is more than the offer's 10 (RFC 7692 §7.1.2.2))"_s);
    fails("server_max_window_bits answered larger than offered",
          {pmd + "; server_max_window_bits=10"}, {pmd + "; server_max_window_bits=11"},
          denied + u"server_max_window_bits=11 is more than the offer's 10 (RFC 7692 §7.1.2.1))"_s);
    fails("server_max_window_bits offered, not answered", {pmd + "; server_max_window_bits=10"},
          {pmd},
          denied + u"the offer has server_max_window_bits=10, the response lacks it (RFC 7692 "
                   u"§7.1.2.1))"_s);
    fails("server_no_context_takeover offered, not answered",
          {pmd + "; server_no_context_takeover"}, {pmd},
          denied + u"the offer has server_no_context_takeover, the response lacks it (RFC 7692 "
                   u"§7.1.1.1))"_s);
    fails("no offer of several fits",
          {"permessage-deflate; server_no_context_takeover, permessage-deflate"},
          {pmd + "; client_max_window_bits=10"},
          denied + u"offer 1: the offer has server_no_context_takeover, the response lacks it (RFC "
                   u"7692 §7.1.1.1); offer 2: client_max_window_bits=10 answers an offer without "
                   u"client_max_window_bits (RFC 7692 §7.1.2.2))"_s);
    fails("the response does not parse", {pmd}, {pmd + "; =1"},
          u"Sec-WebSocket-Extensions does not parse: expected a parameter name at octet 20 of "
          u"'permessage-deflate; =1' (RFC 6455 §9.1)"_s);
    fails("a quoted value that is no token", {pmd}, {pmd + "; server_max_window_bits=\"1 0\""},
          u"Sec-WebSocket-Extensions does not parse: the quoted value \"1 0\" is not a token once "
          u"unquoted at octet 43 of 'permessage-deflate; server_max_window_bits=\"1 0\"' (RFC "
          u"6455 §9.1)"_s);
}

void tst_PerMessageDeflate::negotiate()
{
    QFETCH(QByteArrayList, offers);
    QFETCH(QByteArrayList, responses);
    QFETCH(bool, offered);
    QFETCH(QString, failure);
    QFETCH(QString, agreement);
    QFETCH(int, offerIndex);
    QFETCH(QString, accepted);

    const DeflateNegotiation n = negotiateDeflate(requestHead(offers), responseHead(responses));
    QCOMPARE(n.offered, offered);
    QCOMPARE(n.failure, failure);
    QCOMPARE(n.ok(), failure.isEmpty());
    QCOMPARE(n.agreement.describe(), agreement);
    QCOMPARE(n.agreement.agreed, agreement != u"not agreed"_s);
    QCOMPARE(n.agreement.offerIndex, offerIndex);
    QCOMPARE(n.agreement.accepted, accepted);
}

void tst_PerMessageDeflate::paramsToHeader()
{
    DeflateParams p;
    QCOMPARE(p.toHeaderValue(), u"permessage-deflate"_s);
    p.clientNoContextTakeover = true;
    p.clientMaxWindowBits = true;
    p.clientMaxWindowBitsValue = 10;
    QCOMPARE(p.toHeaderValue(),
             u"permessage-deflate; client_no_context_takeover; client_max_window_bits=10"_s);
    p.serverNoContextTakeover = true;
    p.serverMaxWindowBits = 9;
    p.clientMaxWindowBitsValue.reset();
    QCOMPARE(p.toHeaderValue(),
             u"permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
             u"server_max_window_bits=9; client_max_window_bits"_s);
    // What the header says is what parses back.
    QString error;
    QCOMPARE(parseDeflateParams(p.toHeaderValue(), &error), std::optional<DeflateParams>(p));
}

void tst_PerMessageDeflate::parseParams_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("header"); // toHeaderValue(), or empty when it fails
    QTest::addColumn<QString>("error");

    const auto ok = [](const char *name, const QString &text, const QString &header) {
        QTest::newRow(name) << text << header << QString();
    };
    const auto bad = [](const char *name, const QString &text, const QString &error) {
        QTest::newRow(name) << text << QString() << error;
    };
    ok("empty: the plain offer", u""_s, u"permessage-deflate"_s);
    ok("semicolons", u"client_max_window_bits;server_no_context_takeover"_s,
       u"permessage-deflate; server_no_context_takeover; client_max_window_bits"_s);
    ok("commas and spaces", u" client_no_context_takeover , server_max_window_bits = 10 "_s,
       u"permessage-deflate; client_no_context_takeover; server_max_window_bits=10"_s);
    ok("led by the name", u"permessage-deflate; client_max_window_bits=9"_s,
       u"permessage-deflate; client_max_window_bits=9"_s);
    ok("names in any case", u"Client_Max_Window_Bits"_s,
       u"permessage-deflate; client_max_window_bits"_s);
    bad("unknown name", u"client_window"_s,
        u"unknown permessage-deflate parameter 'client_window' (known: server_no_context_takeover, "
        u"client_no_context_takeover, server_max_window_bits, client_max_window_bits)"_s);
    bad("given twice", u"client_max_window_bits;client_max_window_bits=9"_s,
        u"permessage-deflate parameter client_max_window_bits given twice"_s);
    bad("value on a flag", u"server_no_context_takeover=1"_s,
        u"permessage-deflate parameter server_no_context_takeover takes no value"_s);
    bad("server bits without value", u"server_max_window_bits"_s,
        u"permessage-deflate parameter server_max_window_bits needs a value in 8..15"_s);
    bad("bits out of range", u"client_max_window_bits=16"_s,
        u"permessage-deflate parameter client_max_window_bits=16 is not in 8..15"_s);
    bad("bits not a number", u"server_max_window_bits=x"_s,
        u"permessage-deflate parameter server_max_window_bits=x is not a decimal integer without "
        u"leading zeroes"_s);
}

void tst_PerMessageDeflate::parseParams()
{
    QFETCH(QString, text);
    QFETCH(QString, header);
    QFETCH(QString, error);
    QString got;
    const std::optional<DeflateParams> p = parseDeflateParams(text, &got);
    QCOMPARE(p.has_value(), error.isEmpty());
    if (p)
        QCOMPARE(p->toHeaderValue(), header);
    else
        QCOMPARE(got, error);
}

void tst_PerMessageDeflate::extensionList_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("elements");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty") << QByteArray() << QString() << QString();
    QTest::newRow("one name") << QByteArray("permessage-deflate") << u"permessage-deflate"_s
                              << QString();
    QTest::newRow("parameters, spaces and tabs")
        << QByteArray("a ;\tp; q = 1 ,b;r=x") << u"a;p;q=1 | b;r=x"_s << QString();
    QTest::newRow("empty elements are skipped")
        << QByteArray(" , a,, b ,") << u"a | b"_s << QString();
    QTest::newRow("quoted value") << QByteArray("a; p=\"10\"") << u"a;p=10"_s << QString();
    QTest::newRow("quoted value with a quoted-pair")
        << QByteArray("a; p=\"x\\y\"") << u"a;p=xy"_s << QString();
    QTest::newRow("quoted comma does not split")
        << QByteArray("b, a; p=\"x,y\"") << u"b"_s
        << u"Sec-WebSocket-Extensions does not parse: the quoted value \"x,y\" is not a token "
           u"once unquoted at octet 8 of 'b, a; p=\"x,y\"' (RFC 6455 §9.1)"_s;
    QTest::newRow("unterminated quote")
        << QByteArray("a, b; p=\"10") << u"a"_s
        << u"Sec-WebSocket-Extensions does not parse: unterminated quoted string at octet 8 of "
           u"'a, b; p=\"10' (RFC 6455 §9.1)"_s;
    QTest::newRow("no name") << QByteArray("; p") << QString()
                             << u"Sec-WebSocket-Extensions does not parse: expected an extension "
                                u"name at octet 0 of '; p' (RFC 6455 §9.1)"_s;
    QTest::newRow("no value after =")
        << QByteArray("a; p=") << QString()
        << u"Sec-WebSocket-Extensions does not parse: expected a parameter value at octet 5 of "
           u"'a; p=' (RFC 6455 §9.1)"_s;
    QTest::newRow("space inside a name")
        << QByteArray("perm deflate") << QString()
        << u"Sec-WebSocket-Extensions does not parse: expected ';' or ',' at octet 5 of 'perm "
           u"deflate' (RFC 6455 §9.1)"_s;
    QTest::newRow("separator in a token")
        << QByteArray("a; p=1/2") << QString()
        << u"Sec-WebSocket-Extensions does not parse: expected ';' or ',' at octet 6 of 'a; "
           u"p=1/2' (RFC 6455 §9.1)"_s;
}

void tst_PerMessageDeflate::extensionList()
{
    QFETCH(QByteArray, value);
    QFETCH(QString, elements);
    QFETCH(QString, error);
    QString got;
    const QList<ExtensionElement> list = parseExtensionList(value, &got);
    QCOMPARE(dump(list), elements);
    QCOMPARE(got, error);
}

void tst_PerMessageDeflate::sendModes_data()
{
    QTest::addColumn<DeflateAgreement>("agreement");
    DeflateAgreement a;
    a.agreed = true;
    QTest::newRow("15 bits, context takeover") << a;
    a.clientNoContextTakeover = true;
    a.clientWindowBits = 10;
    QTest::newRow("10 bits, no context takeover") << a;
    a.clientWindowBits = 9;
    QTest::newRow("9 bits, no context takeover") << a;
}

// What each mode puts on the wire, judged by an inflater for the agreement (the server's view).
void tst_PerMessageDeflate::sendModes()
{
    QFETCH(DeflateAgreement, agreement);
    const QByteArray payload = "Hello, permessage-deflate. Hello, permessage-deflate!";
    const auto server = [&] {
        return std::make_unique<Inflater>(agreement.clientWindowBits,
                                          agreement.clientNoContextTakeover, kNoLimit);
    };
    const auto deflater = [&] {
        return std::make_unique<Deflater>(agreement.clientWindowBits,
                                          agreement.clientNoContextTakeover);
    };

    QByteArray agreed;
    {
        auto d = deflater();
        agreed = deflateForSend(*d, DeflateSend::Agreed, payload, agreement);
        auto s = server();
        QCOMPARE(inflateMessage(*s, {agreed}).text, payload);
        QVERIFY(agreed.size() < payload.size());
    }
    for (DeflateSend mode : {DeflateSend::Uncompressed, DeflateSend::Rsv1Uncompressed}) {
        auto d = deflater();
        QCOMPARE(deflateForSend(*d, mode, payload, agreement), payload);
    }
    {
        auto d = deflater();
        const QByteArray kept = deflateForSend(*d, DeflateSend::KeepTail, payload, agreement);
        QCOMPARE(kept, agreed + hex("00 00 ff ff"));
    }
    {
        auto d = deflater();
        const QByteArray garbage =
            deflateForSend(*d, DeflateSend::GarbageAfterFinal, payload, agreement);
        QVERIFY((uchar(garbage.at(0)) & 1) == 1); // BFINAL on the first block
        auto s = server();
        const Inflated r = inflateMessage(*s, {garbage});
        QCOMPARE(r.status, Status::Error);
        QCOMPARE(r.text, payload); // the final block itself is fine
        QCOMPARE(r.errorOffset, qint64(garbage.size() - 4));
        QVERIFY2(r.errorText.startsWith(u"invalid block type"_s), qPrintable(r.errorText));
    }
    {
        auto d = deflater();
        const QByteArray foreign =
            deflateForSend(*d, DeflateSend::ForeignContext, payload, agreement);
        QVERIFY(foreign != agreed);
        auto s = server();
        const Inflated r = inflateMessage(*s, {foreign});
        // A fresh window has nothing the matches could point at.
        QCOMPARE(r.status, Status::Error);
        QVERIFY2(r.errorText.startsWith(u"invalid distance too far back"_s),
                 qPrintable(r.errorText));
    }
    {
        // Also a long payload without repeats of its own, whatever the window.
        QRandomGenerator rng(3);
        const QByteArray noise = randomOctets(rng, 100'000);
        auto d = deflater();
        const QByteArray foreign =
            deflateForSend(*d, DeflateSend::ForeignContext, noise, agreement);
        Inflater fresh(agreement.clientWindowBits, true, kNoLimit);
        const Inflated r = inflateMessage(fresh, {foreign});
        QCOMPARE(r.status, Status::Error);
        // zlib writes the first octet as a literal; the next symbol is a match into nothing.
        QVERIFY2(r.text.size() <= 1, qPrintable(r.errorText));
    }
}

// Under context takeover a broken (or plain) message in between does not put our deflater out
// of step with the server's window: the next Agreed message decodes.
void tst_PerMessageDeflate::sendModesKeepTheContextInStep()
{
    DeflateAgreement a;
    a.agreed = true;
    a.clientWindowBits = 10;
    const QByteArray first = "context takeover, context takeover, first message";
    const QByteArray middle = "the middle message, the middle message, context";
    const QByteArray last = "context takeover, the middle message, first message, last";
    for (DeflateSend mode : {DeflateSend::Uncompressed, DeflateSend::WrongWindow}) {
        Deflater deflater(10, false);
        Inflater server(15, false, kNoLimit); // 15: takes WrongWindow's message too
        QCOMPARE(
            inflateMessage(server, {deflateForSend(deflater, DeflateSend::Agreed, first, a)}).text,
            first);
        const QByteArray wire = deflateForSend(deflater, mode, middle, a);
        if (deflateSendSetsRsv1(mode)) // an uncompressed message is not inflated (RFC 7692 §6)
            QCOMPARE(inflateMessage(server, {wire}).text, middle);
        const Inflated r =
            inflateMessage(server, {deflateForSend(deflater, DeflateSend::Agreed, last, a)});
        QCOMPARE(r.status, Status::Ok);
        QCOMPARE(r.text, last);
    }
}

// WrongWindow: matches further back than the agreed 9 bits (512 octets) stay in.
void tst_PerMessageDeflate::wrongWindowUsesTheLargerWindow()
{
    QRandomGenerator rng(7);
    const QByteArray block = randomOctets(rng, 2000);
    const QByteArray payload = block + block; // the only matches are 2000 octets back
    DeflateAgreement a;
    a.agreed = true;
    a.clientWindowBits = 9;
    a.clientNoContextTakeover = true;
    Deflater deflater(9, true);
    const QByteArray agreed = deflateForSend(deflater, DeflateSend::Agreed, payload, a);
    const QByteArray wrong = deflateForSend(deflater, DeflateSend::WrongWindow, payload, a);
    QVERIFY2(agreed.size() > payload.size() * 9 / 10, "a 9-bit window cannot see the repeat");
    QVERIFY2(wrong.size() < payload.size() * 6 / 10, "a 15-bit window can");
    Inflater wide(15, true, kNoLimit);
    QCOMPARE(inflateMessage(wide, {wrong}).text, payload);

    // Already 15 bits: nothing wider to use.
    DeflateAgreement full;
    full.agreed = true;
    Deflater d1(15, true);
    Deflater d2(15, true);
    QCOMPARE(deflateForSend(d1, DeflateSend::WrongWindow, payload, full),
             deflateForSend(d2, DeflateSend::Agreed, payload, full));
}

void tst_PerMessageDeflate::sendModeTexts()
{
    const QList<DeflateSend> modes = deflateSendModes();
    QCOMPARE(modes.size(), 7);
    QStringList names;
    for (DeflateSend mode : modes) {
        QVERIFY(!deflateSendName(mode).isEmpty());
        QVERIFY2(deflateSendBreaks(mode).contains(u"RFC 7692 §"_s),
                 qPrintable(deflateSendName(mode)));
        QVERIFY(!names.contains(deflateSendName(mode)));
        names << deflateSendName(mode);
        QCOMPARE(deflateSendSetsRsv1(mode), mode != DeflateSend::Uncompressed);
    }
    QVERIFY(deflateSendBreaks(DeflateSend::Agreed).startsWith(u"Valid"_s));
    QVERIFY(deflateSendBreaks(DeflateSend::Uncompressed).startsWith(u"Valid"_s));
    QVERIFY(deflateSendBreaks(DeflateSend::KeepTail).contains(u"00 00 ff ff"_s));
}

// Against python3-websockets on loopback: its answer to each offer passes our rules and gives the
// agreement it says, our compressed messages come back as sent (so our deflate is what its
// zlib inflates, with and without context takeover), its compressed echoes inflate with ours,
// and a plain payload under RSV1 makes it fail the connection.
void tst_PerMessageDeflate::realServer_data()
{
    QTest::addColumn<QString>("offer");
    QTest::addColumn<QString>("agreement");

    QTest::newRow("plain offer")
        << u"permessage-deflate"_s
        << u"server: 12-bit window, context takeover; client: 15-bit window, context "
           u"takeover"_s;
    QTest::newRow("the reference's default offer (12.x)")
        << u"permessage-deflate; client_no_context_takeover; client_max_window_bits"_s
        << u"server: 12-bit window, context takeover; client: 12-bit window, no context "
           u"takeover"_s;
    QTest::newRow("13.3: client window 9")
        << u"permessage-deflate; client_max_window_bits=9"_s
        << u"server: 12-bit window, context takeover; client: 9-bit window, context takeover"_s;
    QTest::newRow("13.6: no context takeover, window 15")
        << u"permessage-deflate; client_no_context_takeover; client_max_window_bits=15; "
           u"server_no_context_takeover; server_max_window_bits=15"_s
        << u"server: 12-bit window, no context takeover; client: 12-bit window, no context "
           u"takeover"_s;
    QTest::newRow("server window 9") << u"permessage-deflate; server_max_window_bits=9"_s
                                     << u"server: 9-bit window, context takeover; client: 15-bit "
                                        u"window, context takeover"_s;
}

void tst_PerMessageDeflate::realServer()
{
    QFETCH(QString, offer);
    QFETCH(QString, agreement);
    const QString why = startWebsocketsEcho(m_websockets);
    QVERIFY2(why.isEmpty(), qPrintable(why));

    Connection c;
    HandshakeResponse response;
    QVERIFY(c.open(urlOf(*m_websockets), offer, response));
    QVERIFY2(response.ok(), qPrintable(response.failure));
    const DeflateAgreement &a = response.deflate;
    QVERIFY2(a.agreed, c.responseHead().constData());
    QCOMPARE(a.describe(), agreement);
    QCOMPARE(negotiateDeflate(c.requestHead(), c.responseHead()).agreement, a);

    Deflater deflater(a.clientWindowBits, a.clientNoContextTakeover);
    Inflater inflater(a.serverWindowBits, a.serverNoContextTakeover, 64 << 20);
    QRandomGenerator rng(11);
    int compressedEchoes = 0;
    for (int i = 0; i < 12; ++i) {
        // Repeats near and far (beyond a 9-bit window), text and binary, whole and fragmented.
        const QByteArray payload = i == 3 ? QByteArray() : wordSoup(rng, 1 + rng.bounded(40000));
        const bool text = i % 3 != 2;
        const QByteArray wire = deflateForSend(deflater, DeflateSend::Agreed, payload, a);
        c.send(text ? 1 : 2, wire, true, i % 2 ? 1000 : wire.size() + 1);
        const std::vector<DecodedFrame> echo = c.nextMessage();
        QVERIFY2(!echo.empty() && echo.front().opcode == (text ? 1 : 2),
                 qPrintable(u"message %1 not echoed"_s.arg(i)));
        QByteArray inflated;
        Status status = Status::Ok;
        for (const DecodedFrame &f : echo) {
            QCOMPARE(f.violations, Violations());
            if (echo.front().compressed)
                status = inflater.feed(f.payload, inflated);
            else
                inflated += f.payload;
        }
        if (echo.front().compressed) {
            status = inflater.finishMessage(inflated);
            ++compressedEchoes;
        }
        QCOMPARE(status, Status::Ok);
        QVERIFY2(inflated == payload, qPrintable(u"message %1 differs"_s.arg(i)));
    }

    QVERIFY2(compressedEchoes >= 11, "the server compresses its echoes: ours inflate them");

    // A plain payload under RSV1 does not inflate: the server fails the connection.
    c.send(1, deflateForSend(deflater, DeflateSend::Rsv1Uncompressed, "Hello, world", a), true,
           100);
    const std::vector<DecodedFrame> answer = c.nextMessage();
    QVERIFY(!answer.empty());
    QCOMPARE(answer.back().opcode, quint8(Opcode::Close));
    const QByteArray close = answer.back().payload;
    QVERIFY(close.size() >= 2);
    const int code = closeCodeOf(quint8(close.at(0)), quint8(close.at(1)));
    // python3-websockets 10.4 calls it a protocol error (RFC 7692 §6.2 only says "fail").
    QCOMPARE(code, 1002);
}

// What python3-websockets 10.4 makes of each send mode (docs/deflate.md §5.3): a second
// message, sent as agreed, shows whether the connection survived with its window intact.
void tst_PerMessageDeflate::realServerBrokenModes_data()
{
    QTest::addColumn<DeflateSend>("mode");
    QTest::addColumn<QString>("offer");
    QTest::addColumn<QString>("outcome");
    const QString takeover = u"permessage-deflate; client_max_window_bits"_s;
    const QString fresh = takeover + u"; client_no_context_takeover"_s;
    const auto row = [&](DeflateSend mode, bool noTakeover, const QString &outcome) {
        QTest::addRow("%s, %s", qPrintable(deflateSendName(mode)),
                      noTakeover ? "no context takeover" : "context takeover")
            << mode << (noTakeover ? fresh : takeover) << outcome;
    };
    for (bool noTakeover : {false, true}) {
        row(DeflateSend::Agreed, noTakeover, u"echo, echo"_s);
        row(DeflateSend::Uncompressed, noTakeover, u"echo, echo"_s);
        row(DeflateSend::Rsv1Uncompressed, noTakeover, u"close 1002"_s);
        // zlib checks a distance against what it has inflated, not against the agreed window.
        row(DeflateSend::WrongWindow, noTakeover, u"echo, echo"_s);
        row(DeflateSend::ForeignContext, noTakeover, u"close 1002"_s);
    }
    // The kept tail leaves the server inside a stored block: harmless when its window is
    // dropped after the message, the next message's undoing otherwise.
    row(DeflateSend::KeepTail, false, u"echo, close 1002"_s);
    row(DeflateSend::KeepTail, true, u"echo, echo"_s);
    // After the final block Python's decompressor takes nothing more: with context takeover
    // the next message inflates to nothing, and the server echoes an empty text.
    row(DeflateSend::GarbageAfterFinal, false, u"echo, other text (0 octets)"_s);
    row(DeflateSend::GarbageAfterFinal, true, u"echo, echo"_s);
}

void tst_PerMessageDeflate::realServerBrokenModes()
{
    QFETCH(DeflateSend, mode);
    QFETCH(QString, offer);
    QFETCH(QString, outcome);
    const QString why = startWebsocketsEcho(m_websockets);
    QVERIFY2(why.isEmpty(), qPrintable(why));
    Connection c;
    HandshakeResponse response;
    QVERIFY(c.open(urlOf(*m_websockets), offer, response));
    QVERIFY2(response.ok() && response.deflate.agreed, qPrintable(response.failure));
    const DeflateAgreement &a = response.deflate;
    Deflater deflater(a.clientWindowBits, a.clientNoContextTakeover);
    Inflater inflater(a.serverWindowBits, a.serverNoContextTakeover, 64 << 20);
    QRandomGenerator rng(5);
    const QByteArray first = wordSoup(rng, 3000);
    const QByteArray second = wordSoup(rng, 3000);
    QStringList seen;
    for (const auto &[sendMode, payload] :
         {std::pair{mode, first}, std::pair{DeflateSend::Agreed, second}}) {
        c.send(1, deflateForSend(deflater, sendMode, payload, a), deflateSendSetsRsv1(sendMode),
               1 << 20);
        const std::vector<DecodedFrame> echo = c.nextMessage();
        if (echo.empty()) {
            seen << u"nothing"_s;
            break;
        }
        if (echo.back().opcode == quint8(Opcode::Close)) {
            const QByteArray p = echo.back().payload;
            seen << u"close "_s +
                        (p.size() >= 2
                             ? QString::number(closeCodeOf(quint8(p.at(0)), quint8(p.at(1))))
                             : u"without code"_s);
            break;
        }
        QByteArray inflated;
        for (const DecodedFrame &f : echo)
            inflater.feed(f.payload, inflated);
        inflater.finishMessage(inflated);
        seen << (inflated == payload ? u"echo"_s
                                     : u"other text (%1 octets)"_s.arg(inflated.size()));
    }
    QCOMPARE(seen.join(u", "_s), outcome);
}

QTEST_GUILESS_MAIN(tst_PerMessageDeflate)
#include "tst_permessagedeflate.moc"
