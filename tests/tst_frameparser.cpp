// SPDX-License-Identifier: MIT
#include "protocol/frame.h"
#include "protocol/frameparser.h"
#include "testutils.h"

#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <cstring>

using namespace wsi;
using namespace Qt::StringLiterals;
using wsi::test::hex;

namespace {

using V = Violation;

// Differences between two decoded frames, field by field; empty when equal.
QString frameDiff(const DecodedFrame &a, const DecodedFrame &b)
{
    QStringList diff;
    auto check = [&diff](const char *field, auto x, auto y) {
        if (x != y)
            diff << QString::fromLatin1(field);
    };
    check("streamOffset", a.streamOffset, b.streamOffset);
    check("opcode", a.opcode, b.opcode);
    check("fin", a.fin, b.fin);
    check("rsv", a.rsv, b.rsv);
    check("masked", a.masked, b.masked);
    check("maskKey", a.maskKey, b.maskKey);
    check("extendedLengthSize", a.extendedLengthSize, b.extendedLengthSize);
    check("payloadLength", a.payloadLength, b.payloadLength);
    check("violations", a.violations.toInt(), b.violations.toInt());
    check("utf8ErrorOffset", a.utf8ErrorOffset, b.utf8ErrorOffset);
    check("payloadTruncated", a.payloadTruncated, b.payloadTruncated);
    check("payload", a.payload, b.payload);
    return diff.join(u", "_s);
}

QString framesDiff(const std::vector<DecodedFrame> &a, const std::vector<DecodedFrame> &b)
{
    if (a.size() != b.size())
        return u"frame count %1 vs %2"_s.arg(a.size()).arg(b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        const QString d = frameDiff(a[i], b[i]);
        if (!d.isEmpty())
            return u"frame %1: %2"_s.arg(i).arg(d);
    }
    return QString();
}

std::vector<DecodedFrame> parseWhole(const QByteArray &stream, const FrameParser::Options &o)
{
    FrameParser parser(o);
    std::vector<DecodedFrame> frames;
    parser.feed(stream, frames);
    return frames;
}

QByteArray header16(int first, int length)
{
    QByteArray h;
    h.append(char(first)).append(char(126)).append(char(length >> 8)).append(char(length));
    return h;
}

QByteArray header64(int first, quint64 length, bool masked = false)
{
    QByteArray h;
    h.append(char(first)).append(char(masked ? 0xFF : 127));
    for (int shift = 56; shift >= 0; shift -= 8)
        h.append(char((length >> shift) & 0xFF));
    return h;
}

QByteArray maskWith(QByteArray data, quint32 key, qint64 offset = 0)
{
    applyMask(data.data(), data.size(), key, offset);
    return data;
}

QByteArray keyOctets(quint32 key)
{
    QByteArray k(4, Qt::Uninitialized);
    k[0] = char(key >> 24);
    k[1] = char(key >> 16);
    k[2] = char(key >> 8);
    k[3] = char(key);
    return k;
}

// The violations of each frame, as integers (QList<Violations> has no QTest printer).
QList<int> violationsOf(const std::vector<DecodedFrame> &frames)
{
    QList<int> list;
    for (const DecodedFrame &f : frames)
        list << f.violations.toInt();
    return list;
}

QList<qint64> utf8OffsetsOf(const std::vector<DecodedFrame> &frames)
{
    QList<qint64> list;
    for (const DecodedFrame &f : frames)
        list << f.utf8ErrorOffset;
    return list;
}

int flags(std::initializer_list<V> list)
{
    Violations v;
    for (const V x : list)
        v |= x;
    return v.toInt();
}

} // namespace

class tst_FrameParser : public QObject
{
    Q_OBJECT

private slots:
    void violations_data();
    void violations();
    void lengthBoundaries_data();
    void lengthBoundaries();
    void splitAtEveryOffset();
    void randomChunkingLargeFrames();
    void failFastText_data();
    void failFastText();
    void failFastCloseReason();
    void headerViolationsPendingWhenHeaderComplete();
    void sizeLimit_data();
    void sizeLimit();
    void sizeLimitStillValidatesUtf8_data();
    void sizeLimitStillValidatesUtf8();
    void maskedServerFrameUnmasked();
    void smallPayloadsAreIndependent();
    void manySmallFramesKeepTheirPayloads();
    void copiedParserKeepsPayloadsApart();
    void partialFrameBeforeHeader();
    void messageState();
    void resetForgetsEverything();
    void violationTexts();
    void violationCloseCodes();
    void violationListInBitOrder();
    void deflate_data();
    void deflate();
    void dataPayloadsNotStored();
};

// Columns: the octets, the parser options, and for every frame decoded from them its violations
// and utf8ErrorOffset. Frames without a column entry would make the counts differ.
void tst_FrameParser::violations_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("serverRole");
    QTest::addColumn<int>("allowedRsv");
    QTest::addColumn<qint64>("maxFramePayload");
    QTest::addColumn<bool>("validateUtf8");
    QTest::addColumn<QList<int>>("expected");
    QTest::addColumn<QList<qint64>>("utf8Offsets");

    const qint64 big = 64 * 1024 * 1024;
    auto row = [big](const char *name, const QByteArray &bytes, QList<int> expected,
                     QList<qint64> offsets = {}) {
        if (offsets.isEmpty())
            offsets = QList<qint64>(expected.size(), -1);
        QTest::newRow(name) << bytes << false << 0 << big << true << expected << offsets;
    };
    const int none = 0;
    const QByteArray helloMasked = hex("85 37 fa 21 3d 7f 9f 4d 51 58"); // after the first octet

    row("valid text", hex("81 05 48 65 6c 6c 6f"), {none});
    row("valid binary with invalid UTF-8", hex("82 02 c0 af"), {none});
    row("rsv1 without extension", hex("c1 00"), {flags({V::RsvWithoutExtension})});
    row("rsv2 without extension", hex("a2 00"), {flags({V::RsvWithoutExtension})});
    row("rsv3 without extension", hex("92 00"), {flags({V::RsvWithoutExtension})});
    QTest::newRow("rsv1 allowed by extension")
        << hex("c1 00") << false << 4 << big << true << QList<int>{none} << QList<qint64>{-1};
    QTest::newRow("rsv2 with only rsv1 allowed")
        << hex("a1 00") << false << 4 << big << true << QList<int>{flags({V::RsvWithoutExtension})}
        << QList<qint64>{-1};
    for (const int op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
        const QByteArray name = "reserved opcode " + QByteArray::number(op);
        row(name.constData(), QByteArray(1, char(0x80 | op)) + char(0),
            {flags({V::ReservedOpcode})});
    }
    row("ping 125", hex("89 7d") + QByteArray(125, 'p'), {none});
    row("ping 126", header16(0x89, 126) + QByteArray(126, 'p'), {flags({V::ControlFrameTooLong})});
    row("pong 65536 in 64-bit field", header64(0x8a, 65536) + QByteArray(65536, 'p'),
        {flags({V::ControlFrameTooLong})});
    row("close 126", header16(0x88, 126) + hex("03 e8") + QByteArray(124, 'r'),
        {flags({V::ControlFrameTooLong})});
    row("ping without FIN", hex("09 00"), {flags({V::ControlFrameFragmented})});
    row("close without FIN", hex("08 02 03 e8"), {flags({V::ControlFrameFragmented})});
    row("continuation without message", hex("80 01 61"), {flags({V::ContinuationWithoutMessage})});
    row("continuation after finished message", hex("81 01 61 80 01 62"),
        {none, flags({V::ContinuationWithoutMessage})});
    row("text inside message", hex("01 01 61 81 01 62"),
        {none, flags({V::DataFrameInsideMessage})});
    row("binary inside message", hex("02 01 61 02 01 62 80 00"),
        {none, flags({V::DataFrameInsideMessage}), none});
    row("masked server frame", hex("81") + helloMasked, {flags({V::MaskedServerFrame})});
    QTest::newRow("unmasked client frame")
        << hex("81 05 48 65 6c 6c 6f") << true << 0 << big << true
        << QList<int>{flags({V::UnmaskedClientFrame})} << QList<qint64>{-1};
    QTest::newRow("masked client frame") << hex("81") + helloMasked << true << 0 << big << true
                                         << QList<int>{none} << QList<qint64>{-1};
    row("16-bit length holding 0", header16(0x82, 0), {flags({V::NonMinimalLength})});
    row("16-bit length holding 125", header16(0x82, 125) + QByteArray(125, 'b'),
        {flags({V::NonMinimalLength})});
    row("16-bit length holding 126", header16(0x82, 126) + QByteArray(126, 'b'), {none});
    row("64-bit length holding 5", header64(0x82, 5) + QByteArray(5, 'b'),
        {flags({V::NonMinimalLength})});
    row("64-bit length holding 65535", header64(0x82, 65535) + QByteArray(65535, 'b'),
        {flags({V::NonMinimalLength})});
    row("64-bit length holding 65536", header64(0x82, 65536) + QByteArray(65536, 'b'), {none});
    row("close with one octet", hex("88 01 03"), {flags({V::ClosePayloadOneOctet})});
    row("close empty", hex("88 00"), {none});
    const struct
    {
        int code;
        bool valid;
    } codes[] = {{1000, true},  {1001, true},  {1002, true},  {1003, true},  {1007, true},
                 {1011, true},  {3000, true},  {4999, true},  {0, false},    {999, false},
                 {1004, false}, {1005, false}, {1006, false}, {1012, false}, {1015, false},
                 {1016, false}, {2999, false}, {5000, false}, {65535, false}};
    for (const auto &c : codes) {
        const QByteArray name = "close code " + QByteArray::number(c.code);
        row(name.constData(), hex("88 02") + char(c.code >> 8) + char(c.code & 0xFF),
            {c.valid ? none : flags({V::InvalidCloseCode})});
    }
    row("close reason valid kosme", hex("88 0d 03 e8 ce ba e1 bd b9 cf 83 ce bc ce b5"), {none});
    row("close reason invalid", hex("88 05 03 e8 61 c0 af"), {flags({V::InvalidUtf8CloseReason})},
        {3});
    row("close reason ends inside code point", hex("88 04 03 e8 61 ce"),
        {flags({V::InvalidUtf8CloseReason})}, {4});
    row("close invalid code and reason", hex("88 03 03 ed ff"),
        {flags({V::InvalidCloseCode, V::InvalidUtf8CloseReason})}, {2});
    row("text invalid UTF-8", hex("81 03 61 c0 62"), {flags({V::InvalidUtf8Text})}, {1});
    row("text surrogate", hex("81 04 61 ed a0 80"), {flags({V::InvalidUtf8Text})}, {2});
    row("text ends inside code point", hex("81 02 61 ce"), {flags({V::InvalidUtf8Text})}, {2});
    row("code point split across fragments", hex("01 01 ce 80 01 ba"), {none, none});
    row("impossible octet in second fragment", hex("01 02 61 62 80 03 63 ff 64"),
        {none, flags({V::InvalidUtf8Text})}, {-1, 1});
    row("surrogate split across fragments", hex("01 02 61 ed 80 01 a0"),
        {none, flags({V::InvalidUtf8Text})}, {-1, 0});
    row("message ends inside code point on empty final frame", hex("01 01 ce 80 00"),
        {none, flags({V::InvalidUtf8Text})}, {-1, 0});
    row("ping in the middle keeps the UTF-8 state", hex("01 01 ce 89 01 ff 80 01 ba"),
        {none, none, none});
    row("ping in the middle, message still ends inside code point",
        hex("01 02 61 ce 89 00 80 01 62"), {none, none, flags({V::InvalidUtf8Text})}, {-1, -1, 0});
    row("after the first UTF-8 error later fragments are not flagged again",
        hex("01 02 c0 61 00 01 ff 80 01 ce"), {flags({V::InvalidUtf8Text}), none, none},
        {0, -1, -1});
    row("data frame inside message starts a new message", hex("01 01 ce 82 01 ff 80 00"),
        {none, flags({V::DataFrameInsideMessage}), flags({V::ContinuationWithoutMessage})});
    row("text inside text message drops the old UTF-8 state", hex("01 01 ce 81 01 61"),
        {none, flags({V::DataFrameInsideMessage})});
    row("masked text with invalid octet",
        hex("81 84 01 02 03 04") + maskWith(hex("61 62 ff 63"), 0x01020304),
        {flags({V::MaskedServerFrame, V::InvalidUtf8Text})}, {2});
    QTest::newRow("UTF-8 validation off")
        << hex("81 01 ff 88 03 03 e8 ff") << false << 0 << big << false << QList<int>{none, none}
        << QList<qint64>{-1, -1};
    QTest::newRow("frame too large")
        << hex("82 05 61 62 63 64 65") << false << 0 << qint64(4) << true
        << QList<int>{flags({V::FrameTooLarge})} << QList<qint64>{-1};
    QTest::newRow("frame at the limit") << hex("82 04 61 62 63 64") << false << 0 << qint64(4)
                                        << true << QList<int>{none} << QList<qint64>{-1};
    row("every header rule at once", hex("7b fe 00 10 00 00 00 00") + QByteArray(16, 'x'),
        {flags({V::RsvWithoutExtension, V::ReservedOpcode, V::ControlFrameFragmented,
                V::MaskedServerFrame, V::NonMinimalLength})});
}

void tst_FrameParser::violations()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, serverRole);
    QFETCH(int, allowedRsv);
    QFETCH(qint64, maxFramePayload);
    QFETCH(bool, validateUtf8);
    QFETCH(QList<int>, expected);
    QFETCH(QList<qint64>, utf8Offsets);

    FrameParser::Options options;
    options.serverRole = serverRole;
    options.allowedRsv = quint8(allowedRsv);
    options.maxFramePayload = maxFramePayload;
    options.validateUtf8 = validateUtf8;

    const std::vector<DecodedFrame> frames = parseWhole(bytes, options);
    QCOMPARE(violationsOf(frames), expected);
    QCOMPARE(utf8OffsetsOf(frames), utf8Offsets);

    // Every frame accounted for, back to back.
    qint64 offset = 0;
    for (const DecodedFrame &f : frames) {
        QCOMPARE(f.streamOffset, offset);
        offset += f.frameSize();
    }
    QCOMPARE(offset, qint64(bytes.size()));

    // The same octets one at a time give the same frames.
    FrameParser slow(options);
    std::vector<DecodedFrame> slowFrames;
    for (const char c : bytes)
        slow.feed(&c, 1, slowFrames);
    QVERIFY2(framesDiff(frames, slowFrames).isEmpty(), qPrintable(framesDiff(frames, slowFrames)));
    QVERIFY(!slow.hasPartialFrame());
    QCOMPARE(slow.streamPosition(), qint64(bytes.size()));
}

void tst_FrameParser::lengthBoundaries_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<bool>("masked");
    QTest::addColumn<QByteArray>("header"); // as written by hand
    QTest::addColumn<int>("extendedLengthSize");

    const quint32 key = 0x0badf00d;
    const int lengths[] = {0, 125, 126, 127, 65535, 65536};
    for (const int length : lengths) {
        for (const bool masked : {false, true}) {
            QByteArray header;
            int ext = 0;
            const char maskBit = masked ? char(0x80) : char(0);
            if (length <= 125) {
                header = QByteArray(1, char(0x82)) + char(maskBit | length);
            } else if (length <= 65535) {
                header = header16(0x82, length);
                header[1] = char(header[1] | maskBit);
                ext = 2;
            } else {
                header = header64(0x82, quint64(length), masked);
                ext = 8;
            }
            if (masked)
                header += keyOctets(key);
            const QByteArray name =
                "len=" + QByteArray::number(length) + (masked ? " masked" : " unmasked");
            QTest::newRow(name.constData()) << length << masked << header << ext;
        }
    }
}

void tst_FrameParser::lengthBoundaries()
{
    QFETCH(int, length);
    QFETCH(bool, masked);
    QFETCH(QByteArray, header);
    QFETCH(int, extendedLengthSize);

    QByteArray payload(length, Qt::Uninitialized);
    for (int i = 0; i < length; ++i)
        payload[i] = char(i * 13 + 1);
    const QByteArray wire = header + (masked ? maskWith(payload, 0x0badf00d) : payload);

    FrameParser::Options options;
    options.serverRole = masked;
    const std::vector<DecodedFrame> frames = parseWhole(wire, options);
    QCOMPARE(frames.size(), size_t(1));
    const DecodedFrame &f = frames[0];
    QCOMPARE(f.payloadLength, quint64(length));
    QCOMPARE(int(f.extendedLengthSize), extendedLengthSize);
    QCOMPARE(f.masked, masked);
    QCOMPARE(f.maskKey, masked ? 0x0badf00du : 0u);
    QCOMPARE(f.headerSize(), header.size());
    QCOMPARE(f.frameSize(), qint64(wire.size()));
    QCOMPARE(f.violations, Violations());
    QCOMPARE(f.payload.size(), length);
    QVERIFY(f.payload == payload);

    // Header split inside the extended length and inside the key.
    for (qsizetype k = 1; k <= header.size(); ++k) {
        FrameParser parser(options);
        std::vector<DecodedFrame> split;
        parser.feed(wire.constData(), k, split);
        QVERIFY(split.empty() || (length == 0 && k == header.size()));
        parser.feed(wire.constData() + k, wire.size() - k, split);
        QVERIFY2(framesDiff(frames, split).isEmpty(), qPrintable(framesDiff(frames, split)));
    }
}

void tst_FrameParser::splitAtEveryOffset()
{
    // A stream with fragmentation, a ping inside a message, UTF-8 across fragments, masked and
    // non-minimal frames, a violation, 16- and 64-bit lengths, and a close with a reason.
    QByteArray stream;
    stream += hex("01 03 48 65 6c");    // text "Hel", no FIN
    stream += hex("89 04 70 69 6e 67"); // ping "ping" in the middle
    stream += hex("00 03 6c 6f ce");    // continuation "lo" + κ lead
    stream += hex("80 01 ba");          // final: completes κ
    QByteArray binary(300, Qt::Uninitialized);
    for (int i = 0; i < binary.size(); ++i)
        binary[i] = char(i);
    stream += header16(0x82, 300) + binary;                            // 16-bit length
    stream += header64(0x81, 10) + QByteArrayLiteral("0123456789");    // 64-bit, non-minimal
    stream += hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");                 // masked "Hello"
    stream += hex("81 04 61 62 ed a0");                                // invalid UTF-8 at offset 3
    stream += hex("8a 00");                                            // empty pong
    stream += hex("88 09 03 e8") + QByteArrayLiteral("Bye \xce\xba!"); // close with reason
    stream += hex("88 80 01 02 03 04");                                // masked empty close

    FrameParser::Options options;
    const std::vector<DecodedFrame> whole = parseWhole(stream, options);

    // The one-shot result itself, spelled out.
    QCOMPARE(whole.size(), size_t(11));
    const QList<int> opcodes = {1, 9, 0, 0, 2, 1, 1, 1, 10, 8, 8};
    for (size_t i = 0; i < whole.size(); ++i)
        QCOMPARE(int(whole[i].opcode), opcodes[qsizetype(i)]);
    QCOMPARE(whole[0].payload, QByteArrayLiteral("Hel"));
    QCOMPARE(whole[1].payload, QByteArrayLiteral("ping"));
    QCOMPARE(whole[2].payload, hex("6c 6f ce"));
    QCOMPARE(whole[3].fin, true);
    QCOMPARE(whole[4].payload, binary);
    QCOMPARE(int(whole[4].extendedLengthSize), 2);
    QCOMPARE(int(whole[5].extendedLengthSize), 8);
    QCOMPARE(whole[5].violations, Violations(V::NonMinimalLength));
    QCOMPARE(whole[6].payload, QByteArrayLiteral("Hello"));
    QCOMPARE(whole[6].violations, Violations(V::MaskedServerFrame));
    QCOMPARE(whole[7].violations, Violations(V::InvalidUtf8Text));
    QCOMPARE(whole[7].utf8ErrorOffset, qint64(3)); // ED is fine, A0 is not
    QCOMPARE(whole[9].payload, hex("03 e8") + QByteArrayLiteral("Bye \xce\xba!"));
    QCOMPARE(whole[10].violations, Violations(V::MaskedServerFrame));
    for (const size_t i : {0, 1, 2, 3, 4, 8, 9})
        QCOMPARE(whole[i].violations, Violations());
    QCOMPARE(whole.back().streamOffset + whole.back().frameSize(), qint64(stream.size()));

    for (qsizetype k = 0; k <= stream.size(); ++k) {
        FrameParser parser(options);
        std::vector<DecodedFrame> frames;
        parser.feed(stream.constData(), k, frames);
        parser.feed(stream.constData() + k, stream.size() - k, frames);
        const QString diff = framesDiff(whole, frames);
        QVERIFY2(diff.isEmpty(), qPrintable(u"split at %1: %2"_s.arg(k).arg(diff)));
        QCOMPARE(parser.streamPosition(), qint64(stream.size()));
        QVERIFY(!parser.hasPartialFrame());
    }

    FrameParser parser(options);
    std::vector<DecodedFrame> frames;
    for (const char c : stream)
        parser.feed(&c, 1, frames);
    QVERIFY2(framesDiff(whole, frames).isEmpty(), qPrintable(framesDiff(whole, frames)));
}

void tst_FrameParser::randomChunkingLargeFrames()
{
    // Big masked frames (client role parsing server-role traffic, so serverRole) cut into random
    // chunks: unmasking must continue at the right key offset across every cut.
    QRandomGenerator rng(55);
    QByteArray stream;
    for (const int length : {65536, 70001, 3, 131072}) {
        QByteArray payload(length, Qt::Uninitialized);
        for (int i = 0; i < length; ++i)
            payload[i] = char('a' + i % 26);
        const quint32 key = rng.generate();
        stream += (length > 65535 ? header64(0x81, quint64(length), true)
                                  : QByteArray(1, char(0x81)) + char(0x80 | length)) +
                  keyOctets(key) + maskWith(payload, key);
    }
    FrameParser::Options options;
    options.serverRole = true;
    const std::vector<DecodedFrame> whole = parseWhole(stream, options);
    QCOMPARE(whole.size(), size_t(4));
    QCOMPARE(whole[1].payload.size(), 70001);
    QCOMPARE(whole[1].payload.left(28), QByteArrayLiteral("abcdefghijklmnopqrstuvwxyzab"));
    for (const DecodedFrame &f : whole)
        QCOMPARE(f.violations, Violations());

    for (int round = 0; round < 50; ++round) {
        FrameParser parser(options);
        std::vector<DecodedFrame> frames;
        qsizetype pos = 0;
        while (pos < stream.size()) {
            const qsizetype chunk =
                std::min(stream.size() - pos, qsizetype(1 + rng.bounded(round % 2 ? 17 : 9000)));
            parser.feed(stream.constData() + pos, chunk, frames);
            pos += chunk;
        }
        QVERIFY2(framesDiff(whole, frames).isEmpty(), qPrintable(framesDiff(whole, frames)));
    }
}

void tst_FrameParser::failFastText_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("before"); // payload octets that are still fine
    QTest::addColumn<QByteArray>("bad");    // the octet that makes it impossible
    QTest::addColumn<QByteArray>("after");  // rest of the payload
    QTest::addColumn<bool>("masked");

    QTest::newRow("C0 after ASCII") << hex("81 0a") << QByteArrayLiteral("abcd") << hex("c0")
                                    << QByteArrayLiteral("efghi") << false;
    QTest::newRow("ED A0 surrogate")
        << hex("81 08") << hex("61 62 ed") << hex("a0") << hex("80 61 62 63") << false;
    QTest::newRow("F4 90 above U+10FFFF masked")
        << hex("81 86 a1 b2 c3 d4") << hex("f4") << hex("90") << hex("80 80 61 62") << true;
    QTest::newRow("first octet FF masked")
        << hex("81 83 a1 b2 c3 d4") << QByteArray() << hex("ff") << hex("61 62") << true;
}

void tst_FrameParser::failFastText()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, bad);
    QFETCH(QByteArray, after);
    QFETCH(bool, masked);

    const quint32 key = 0xa1b2c3d4;
    QByteArray payload = before + bad + after;
    if (masked)
        payload = maskWith(payload, key);

    FrameParser::Options options;
    options.serverRole = masked;
    FrameParser parser(options);
    std::vector<DecodedFrame> frames;

    parser.feed(header + payload.left(before.size()), frames);
    QVERIFY(frames.empty());
    QVERIFY(parser.hasPartialFrame());
    QCOMPARE(parser.pendingViolations(), Violations());

    parser.feed(payload.mid(before.size(), 1), frames);
    QVERIFY(frames.empty());
    QCOMPARE(parser.pendingViolations(), Violations(V::InvalidUtf8Text));
    const DecodedFrame partial = parser.partialFrame();
    QCOMPARE(partial.utf8ErrorOffset, qint64(before.size()));
    QCOMPARE(partial.payload, before + bad);
    QCOMPARE(partial.payloadLength, quint64(before.size() + 1 + after.size()));

    parser.feed(payload.mid(before.size() + 1), frames);
    QCOMPARE(frames.size(), size_t(1));
    QCOMPARE(frames[0].violations, Violations(V::InvalidUtf8Text));
    QCOMPARE(frames[0].utf8ErrorOffset, qint64(before.size()));
    QCOMPARE(frames[0].payload, before + bad + after);
    QVERIFY(!parser.hasPartialFrame());
}

void tst_FrameParser::failFastCloseReason()
{
    FrameParser parser;
    std::vector<DecodedFrame> frames;
    parser.feed(hex("88 06 03 e8 61"), frames);
    QCOMPARE(parser.pendingViolations(), Violations());
    parser.feed(hex("ff"), frames);
    QCOMPARE(parser.pendingViolations(), Violations(V::InvalidUtf8CloseReason));
    QCOMPARE(parser.partialFrame().utf8ErrorOffset, qint64(3));
    parser.feed(hex("62 63"), frames);
    QCOMPARE(frames.size(), size_t(1));
    QCOMPARE(frames[0].violations, Violations(V::InvalidUtf8CloseReason));

    // An invalid close code is pending as soon as its second octet arrives.
    FrameParser codes;
    codes.feed(hex("88 05 03"), frames);
    QCOMPARE(codes.pendingViolations(), Violations());
    codes.feed(hex("ed"), frames);
    QCOMPARE(codes.pendingViolations(), Violations(V::InvalidCloseCode));
}

void tst_FrameParser::headerViolationsPendingWhenHeaderComplete()
{
    // Masked server frame, non-minimal 16-bit length: known once the key's last octet is in.
    const QByteArray wire =
        hex("81 fe 00 05 11 22 33 44") + maskWith(QByteArrayLiteral("hello"), 0x11223344);
    FrameParser parser;
    std::vector<DecodedFrame> frames;
    for (int i = 0; i < 7; ++i) {
        parser.feed(wire.constData() + i, 1, frames);
        QCOMPARE(parser.pendingViolations(), Violations());
        QVERIFY(parser.hasPartialFrame());
    }
    parser.feed(wire.constData() + 7, 1, frames);
    const Violations expected = V::MaskedServerFrame | V::NonMinimalLength;
    QCOMPARE(parser.pendingViolations(), expected);
    const DecodedFrame partial = parser.partialFrame();
    QCOMPARE(partial.maskKey, 0x11223344u);
    QCOMPARE(partial.payloadLength, quint64(5));
    QCOMPARE(int(partial.extendedLengthSize), 2);
    QCOMPARE(partial.payload, QByteArray());
    parser.feed(wire.constData() + 8, wire.size() - 8, frames);
    QCOMPARE(frames.size(), size_t(1));
    QCOMPARE(frames[0].payload, QByteArrayLiteral("hello"));
    QCOMPARE(frames[0].violations, expected);
    QCOMPARE(parser.pendingViolations(), Violations());
}

void tst_FrameParser::sizeLimit_data()
{
    QTest::addColumn<quint64>("declared");
    QTest::addColumn<bool>("feedAll");
    QTest::addColumn<int>("expectedExtra"); // violations besides FrameTooLarge

    QTest::newRow("2^63-1") << quint64(0x7FFFFFFFFFFFFFFF) << false << 0;
    QTest::newRow("2^64-1 (top bit)")
        << quint64(0xFFFFFFFFFFFFFFFF) << false << flags({V::Length64TopBit});
    QTest::newRow("100 MiB, fed completely") << quint64(100) * 1024 * 1024 << true << 0;
}

void tst_FrameParser::sizeLimit()
{
    QFETCH(quint64, declared);
    QFETCH(bool, feedAll);
    QFETCH(int, expectedExtra);

    FrameParser::Options options;
    options.maxFramePayload = 1000;
    FrameParser parser(options);
    std::vector<DecodedFrame> frames;
    const QByteArray header = header64(0x82, declared);
    parser.feed(header.left(9), frames);
    QCOMPARE(parser.pendingViolations(), Violations());
    parser.feed(header.mid(9), frames);
    QCOMPARE(parser.pendingViolations().toInt(), flags({V::FrameTooLarge}) | expectedExtra);
    QVERIFY(parser.partialFrame().payloadTruncated);
    QCOMPARE(parser.partialFrame().payloadLength, declared);

    // 1 MiB chunks: the kept payload stays at the limit.
    QByteArray chunk(1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < chunk.size(); ++i)
        chunk[i] = char(i % 251);
    const quint64 toFeed = feedAll ? declared : quint64(8) * 1024 * 1024;
    for (quint64 fed = 0; fed < toFeed; fed += quint64(chunk.size()))
        parser.feed(chunk, frames);
    if (!feedAll) {
        QVERIFY(frames.empty());
        const DecodedFrame partial = parser.partialFrame();
        QCOMPARE(partial.payload.size(), 1000);
        QCOMPARE(partial.payload, chunk.left(1000));
        QCOMPARE(parser.streamPosition(), qint64(header.size()) + qint64(toFeed));
        return;
    }
    QCOMPARE(frames.size(), size_t(1));
    const DecodedFrame &f = frames[0];
    QCOMPARE(f.violations, Violations(V::FrameTooLarge));
    QVERIFY(f.payloadTruncated);
    QCOMPARE(f.payloadLength, declared);
    QCOMPARE(f.payload, chunk.left(1000));
    QVERIFY(f.payload.capacity() <= 1000 + 64);
    QCOMPARE(f.frameSize(), parser.streamPosition());
    // The parser is in sync again afterwards.
    parser.feed(hex("89 01 7a"), frames);
    QCOMPARE(frames.size(), size_t(2));
    QCOMPARE(frames[1].payload, QByteArrayLiteral("z"));
    QCOMPARE(frames[1].violations, Violations());
}

void tst_FrameParser::sizeLimitStillValidatesUtf8_data()
{
    QTest::addColumn<bool>("masked");
    QTest::newRow("unmasked") << false;
    QTest::newRow("masked") << true;
}

void tst_FrameParser::sizeLimitStillValidatesUtf8()
{
    // The octets past the limit are not kept but still validated, so the verdict and the error
    // offset do not depend on the limit.
    QFETCH(bool, masked);
    const qint64 length = 3 * 1024 * 1024;
    const qint64 badAt = 2 * 1024 * 1024 + 17;
    // Key octets that differ in their top bit: unmasking at a wrong key offset turns ASCII into
    // invalid UTF-8 at once.
    const quint32 key = 0x01810282;
    QByteArray payload(length, 'a');
    payload[badAt] = char(0xF5);
    if (masked)
        payload = maskWith(payload, key);
    const QByteArray header =
        header64(0x81, quint64(length), masked) + (masked ? keyOctets(key) : QByteArray());

    FrameParser::Options options;
    options.serverRole = masked;
    options.maxFramePayload = 100;
    FrameParser parser(options);
    std::vector<DecodedFrame> frames;
    parser.feed(header + payload.left(501), frames);
    parser.feed(payload.mid(501, badAt - 501), frames);
    QCOMPARE(parser.pendingViolations(), Violations(V::FrameTooLarge));
    parser.feed(payload.mid(badAt, 1), frames);
    QCOMPARE(parser.pendingViolations(), V::FrameTooLarge | V::InvalidUtf8Text);
    parser.feed(payload.mid(badAt + 1), frames);
    QCOMPARE(frames.size(), size_t(1));
    QCOMPARE(frames[0].utf8ErrorOffset, badAt);
    QCOMPARE(frames[0].payload, QByteArray(100, 'a'));
}

void tst_FrameParser::maskedServerFrameUnmasked()
{
    // RFC 6455 §5.7 masked "Hello": decoded and unmasked, but flagged in client role.
    const QByteArray wire = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    std::vector<DecodedFrame> frames = parseWhole(wire, FrameParser::Options());
    QCOMPARE(frames.size(), size_t(1));
    QCOMPARE(frames[0].payload, QByteArrayLiteral("Hello"));
    QCOMPARE(frames[0].maskKey, 0x37fa213du);
    QVERIFY(frames[0].masked);
    QCOMPARE(frames[0].violations, Violations(V::MaskedServerFrame));
    QCOMPARE(frames[0].headerSize(), 6);
}

void tst_FrameParser::smallPayloadsAreIndependent()
{
    // Small payloads may share storage; each must still behave as its own QByteArray.
    std::vector<DecodedFrame> frames;
    {
        FrameParser parser;
        parser.feed(hex("81 03 61 62 63 89 02 70 71 82 01 ff 81 03 78 79 7a"), frames);
    } // the parser is gone; the payloads stay valid
    QCOMPARE(frames.size(), size_t(4));
    for (const DecodedFrame &f : frames) {
        QCOMPARE(f.payload.size(), qsizetype(f.payloadLength));
        QCOMPARE(f.payload.constData()[f.payload.size()], '\0'); // '\0'-terminated as usual
    }
    frames[0].payload[0] = 'X';
    frames[1].payload.append("more");
    frames[2].payload.prepend('<');
    QCOMPARE(frames[0].payload, QByteArrayLiteral("Xbc"));
    QCOMPARE(frames[1].payload, QByteArrayLiteral("pqmore"));
    QCOMPARE(frames[2].payload, hex("3c ff"));
    QCOMPARE(frames[3].payload, QByteArrayLiteral("xyz"));
    const QByteArray copy = frames[3].payload;
    frames.clear();
    QCOMPARE(copy, QByteArrayLiteral("xyz"));
}

void tst_FrameParser::manySmallFramesKeepTheirPayloads()
{
    // Far more small payloads than fit one shared block, fed in odd chunks; each keeps its own
    // octets after everything was parsed.
    QByteArray stream;
    for (int i = 0; i < 3000; ++i) {
        const int length = i % 129;
        stream += QByteArray(1, char(0x82)) + char(length <= 125 ? length : 125) +
                  QByteArray(length <= 125 ? length : 125, char(i % 251));
    }
    FrameParser parser;
    std::vector<DecodedFrame> frames;
    for (qsizetype pos = 0; pos < stream.size(); pos += 997)
        parser.feed(stream.constData() + pos, std::min<qsizetype>(997, stream.size() - pos),
                    frames);
    QCOMPARE(frames.size(), size_t(3000));
    for (int i = 0; i < 3000; ++i) {
        const int length = std::min(i % 129, 125);
        const QByteArray expected(length, char(i % 251));
        if (frames[size_t(i)].payload != expected)
            QFAIL(qPrintable(u"frame %1 payload changed"_s.arg(i)));
    }
}

void tst_FrameParser::copiedParserKeepsPayloadsApart()
{
    FrameParser first;
    std::vector<DecodedFrame> a;
    first.feed(hex("82 02 01 02"), a);
    FrameParser second = first; // a copy must not write into the first one's storage
    std::vector<DecodedFrame> b;
    second.feed(hex("82 02 03 04"), b);
    first.feed(hex("82 02 05 06"), a);
    QCOMPARE(a.size(), size_t(2));
    QCOMPARE(b.size(), size_t(1));
    QCOMPARE(a[0].payload, hex("01 02"));
    QCOMPARE(a[1].payload, hex("05 06"));
    QCOMPARE(b[0].payload, hex("03 04"));
    QCOMPARE(a[1].streamOffset, qint64(4));
    QCOMPARE(b[0].streamOffset, qint64(4));
}

void tst_FrameParser::partialFrameBeforeHeader()
{
    FrameParser parser;
    std::vector<DecodedFrame> frames;
    QVERIFY(!parser.hasPartialFrame());
    parser.feed(hex("89 00 81"), frames);
    QCOMPARE(frames.size(), size_t(1));
    QVERIFY(parser.hasPartialFrame());
    QCOMPARE(parser.partialFrame().streamOffset, qint64(2));
    QCOMPARE(parser.pendingViolations(), Violations());
    QCOMPARE(parser.streamPosition(), qint64(3));
    parser.feed(hex("7e 00"), frames);
    QVERIFY(parser.hasPartialFrame());
    parser.feed(hex("7e"), frames); // header complete, 126 payload octets to come
    QVERIFY(parser.hasPartialFrame());
    QCOMPARE(parser.partialFrame().payloadLength, quint64(126));
    QCOMPARE(parser.partialFrame().streamOffset, qint64(2));
    parser.feed(QByteArray(126, 'q'), frames);
    QCOMPARE(frames.size(), size_t(2));
    QVERIFY(!parser.hasPartialFrame());
    QCOMPARE(frames[1].streamOffset, qint64(2));
}

void tst_FrameParser::messageState()
{
    FrameParser parser;
    std::vector<DecodedFrame> frames;
    QVERIFY(!parser.inMessage());
    parser.feed(hex("01 01 61"), frames); // text, no FIN: message open
    QVERIFY(parser.inMessage());
    parser.feed(hex("89 00"), frames); // ping: no change
    QVERIFY(parser.inMessage());
    parser.feed(hex("00 01 62"), frames);
    QVERIFY(parser.inMessage());
    parser.feed(hex("80 01 63"), frames); // final continuation: closed
    QVERIFY(!parser.inMessage());
    parser.feed(hex("82 00"), frames); // unfragmented: never open
    QVERIFY(!parser.inMessage());
    parser.feed(hex("83 00"), frames); // reserved opcode: no change
    QVERIFY(!parser.inMessage());
    QCOMPARE(frames.size(), size_t(6));
    for (const DecodedFrame &f : std::vector<DecodedFrame>(frames.begin(), frames.end() - 1))
        QCOMPARE(f.violations, Violations());
    QCOMPARE(frames.back().violations, Violations(V::ReservedOpcode));
}

void tst_FrameParser::resetForgetsEverything()
{
    FrameParser::Options options;
    options.serverRole = true;
    FrameParser parser(options);
    std::vector<DecodedFrame> frames;
    parser.feed(hex("01 81 00 00 00 00 ce 81 84"), frames); // open message + half a header
    QVERIFY(parser.inMessage());
    QVERIFY(parser.hasPartialFrame());
    parser.reset();
    QVERIFY(!parser.inMessage());
    QVERIFY(!parser.hasPartialFrame());
    QCOMPARE(parser.streamPosition(), qint64(0));
    QVERIFY(parser.options().serverRole);
    frames.clear();
    parser.feed(hex("80 81 00 00 00 00 ba"), frames);
    QCOMPARE(frames.size(), size_t(1));
    QCOMPARE(frames[0].streamOffset, qint64(0));
    QCOMPARE(frames[0].violations, Violations(V::ContinuationWithoutMessage));
}

void tst_FrameParser::violationTexts()
{
    QSet<QString> names;
    for (quint32 bit = 1; bit <= quint32(V::FrameTooLarge); bit <<= 1) {
        const auto v = V(bit);
        const QString name = violationName(v);
        const QString rule = violationRule(v);
        QVERIFY2(!name.isEmpty(), qPrintable(QString::number(bit)));
        QVERIFY2(!names.contains(name), qPrintable(name));
        names.insert(name);
        QVERIFY2(rule.contains(u"RFC 6455 §"_s), qPrintable(rule));
    }
    QCOMPARE(names.size(), 15);
    QCOMPARE(violationName(V::RsvWithoutExtension), u"RSV without extension"_s);
    QCOMPARE(violationRule(V::RsvWithoutExtension),
             u"RFC 6455 §5.2: RSV1, RSV2 and RSV3 MUST be 0 unless an extension defines them"_s);
    QVERIFY(violationRule(V::ControlFrameTooLong).startsWith(u"RFC 6455 §5.5:"_s));
    QVERIFY(violationRule(V::MaskedServerFrame).startsWith(u"RFC 6455 §5.1:"_s));
    QVERIFY(violationRule(V::ContinuationWithoutMessage).startsWith(u"RFC 6455 §5.4:"_s));
    QVERIFY(violationRule(V::InvalidCloseCode).startsWith(u"RFC 6455 §7.4:"_s));
    QVERIFY(violationRule(V::InvalidUtf8Text).startsWith(u"RFC 6455 §8.1:"_s));
    QVERIFY(violationRule(V::ClosePayloadOneOctet).startsWith(u"RFC 6455 §5.5.1:"_s));
}

void tst_FrameParser::violationCloseCodes()
{
    for (quint32 bit = 1; bit <= quint32(V::FrameTooLarge); bit <<= 1) {
        const auto v = V(bit);
        int expected = 1002;
        if (v == V::InvalidUtf8Text || v == V::InvalidUtf8CloseReason)
            expected = 1007;
        else if (v == V::FrameTooLarge)
            expected = 1009;
        QCOMPARE(violationCloseCode(v), expected);
    }
}

void tst_FrameParser::violationListInBitOrder()
{
    QCOMPARE(violationList(Violations()), QList<Violation>());
    const Violations all = V::FrameTooLarge | V::RsvWithoutExtension | V::InvalidUtf8Text;
    QCOMPARE(violationList(all),
             (QList<Violation>{V::RsvWithoutExtension, V::InvalidUtf8Text, V::FrameTooLarge}));
}

// permessage-deflate agreed: RSV1 on a message's first frame marks the message compressed and
// its octets are not UTF-8 checked (the session checks the inflated text); elsewhere RSV1 is a
// violation of RFC 7692 §6.1.
void tst_FrameParser::deflate_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("deflate");
    QTest::addColumn<QList<int>>("expected");
    QTest::addColumn<QList<bool>>("compressed");
    QTest::addColumn<bool>("messageCompressed"); // after the last frame

    const QByteArray hello = hex("f2 48 cd c9 c9 07 00"); // RFC 7692 §7.2.3.1
    const int none = 0;
    QTest::newRow("compressed text")
        << hex("c1 07") + hello << true << QList<int>{none} << QList<bool>{true} << true;
    QTest::newRow("compressed text without the agreement")
        << hex("c1 07") + hello << false
        << QList<int>{flags({V::RsvWithoutExtension, V::InvalidUtf8Text})} << QList<bool>{false}
        << false;
    QTest::newRow("compressed fragments")
        << hex("41 03 f2 48 cd 80 04 c9 c9 07 00") << true << QList<int>{none, none}
        << QList<bool>{true, true} << true;
    QTest::newRow("compressed fragments with a ping between")
        << hex("41 03 f2 48 cd 89 00 80 04 c9 c9 07 00") << true << QList<int>{none, none, none}
        << QList<bool>{true, false, true} << true;
    QTest::newRow("RSV1 on the continuation")
        << hex("41 03 f2 48 cd c0 04 c9 c9 07 00") << true
        << QList<int>{none, flags({V::CompressedContinuation})} << QList<bool>{true, true} << true;
    QTest::newRow("compressed ping")
        << hex("c9 00") << true << QList<int>{flags({V::CompressedControlFrame})}
        << QList<bool>{false} << false;
    QTest::newRow("compressed close")
        << hex("c8 02 03 e8") << true << QList<int>{flags({V::CompressedControlFrame})}
        << QList<bool>{false} << false;
    QTest::newRow("plain text is still checked")
        << hex("81 02 ff fe") << true << QList<int>{flags({V::InvalidUtf8Text})}
        << QList<bool>{false} << false;
    QTest::newRow("plain after compressed")
        << hex("c1 07") + hello + hex("81 01 ff") << true
        << QList<int>{none, flags({V::InvalidUtf8Text})} << QList<bool>{true, false} << false;
    QTest::newRow("RSV2 under deflate")
        << hex("a1 00") << true << QList<int>{flags({V::RsvWithoutExtension})} << QList<bool>{false}
        << false;
    QTest::newRow("RSV1 on a lone continuation")
        << hex("c0 00") << true
        << QList<int>{flags({V::CompressedContinuation, V::ContinuationWithoutMessage})}
        << QList<bool>{false} << false;
}

void tst_FrameParser::deflate()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, deflate);
    QFETCH(QList<int>, expected);
    QFETCH(QList<bool>, compressed);
    QFETCH(bool, messageCompressed);

    FrameParser::Options options;
    options.deflate = deflate;
    for (bool store : {true, false}) {
        options.storeDataPayloads = store;
        const std::vector<DecodedFrame> frames = parseWhole(bytes, options);
        QCOMPARE(violationsOf(frames), expected);
        QList<bool> flagsSeen;
        for (const DecodedFrame &f : frames)
            flagsSeen << f.compressed;
        QCOMPARE(flagsSeen, compressed);

        // Octet by octet: the same verdicts, and the message state as the frames arrive.
        FrameParser slow(options);
        std::vector<DecodedFrame> slowFrames;
        for (const char c : bytes)
            slow.feed(&c, 1, slowFrames);
        QVERIFY2(framesDiff(frames, slowFrames).isEmpty(),
                 qPrintable(framesDiff(frames, slowFrames)));
        QCOMPARE(slow.messageCompressed(), messageCompressed);
    }
}

// With storeDataPayloads off (the session's mode: the trace keeps the octets) every frame and
// every verdict is the same, only data payloads are left empty; control payloads are kept.
void tst_FrameParser::dataPayloadsNotStored()
{
    const auto frame = [](int opcode, const QByteArray &payload, bool fin = true,
                          MaskMode mask = MaskMode::None) {
        FrameSpec f;
        f.opcode = opcode;
        f.payload = payload;
        f.fin = fin;
        f.maskMode = mask;
        f.maskKey = 0x11223344;
        return encodeFrame(f);
    };
    const QByteArray stream = frame(1, "hello") + frame(1, "ab\xce", false) +
                              frame(9, "ping in between") + frame(0, "\xba\xff tail") +
                              frame(2, QByteArray(70000, 'x')) +
                              frame(1, "masked", true, MaskMode::Fixed) +
                              frame(8, QByteArray("\x03\xe8"
                                                  "bye"));
    for (qsizetype split : {qsizetype(1), qsizetype(7), qsizetype(4096), stream.size()}) {
        FrameParser::Options stored;
        FrameParser::Options derived;
        derived.storeDataPayloads = false;
        FrameParser a(stored);
        FrameParser b(derived);
        std::vector<DecodedFrame> fa;
        std::vector<DecodedFrame> fb;
        for (qsizetype pos = 0; pos < stream.size(); pos += split) {
            a.feed(stream.constData() + pos, std::min(split, stream.size() - pos), fa);
            b.feed(stream.constData() + pos, std::min(split, stream.size() - pos), fb);
        }
        QCOMPARE(fb.size(), fa.size());
        QCOMPARE(fb.size(), size_t(7));
        for (size_t i = 0; i < fa.size(); ++i) {
            QCOMPARE(fb[i].opcode, fa[i].opcode);
            QCOMPARE(fb[i].streamOffset, fa[i].streamOffset);
            QCOMPARE(fb[i].payloadLength, fa[i].payloadLength);
            QCOMPARE(fb[i].violations, fa[i].violations);
            QCOMPARE(fb[i].utf8ErrorOffset, fa[i].utf8ErrorOffset);
            if (isControlOpcode(fa[i].opcode))
                QCOMPARE(fb[i].payload, fa[i].payload);
            else
                QVERIFY(fb[i].payload.isEmpty());
        }
        // The invalid octet (0xff after the completed code point) sits in the continuation.
        QVERIFY(fb[3].violations.testFlag(V::InvalidUtf8Text));
        QCOMPARE(fb[3].utf8ErrorOffset, qint64(1));
        QVERIFY(fb[5].violations.testFlag(V::MaskedServerFrame));
        QCOMPARE(fb[6].payload, QByteArray("\x03\xe8"
                                           "bye"));
    }
}

QTEST_GUILESS_MAIN(tst_FrameParser)
#include "tst_frameparser.moc"
