// SPDX-License-Identifier: MIT
#include "protocol/frame.h"
#include "protocol/frameparser.h"
#include "testutils.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTest>

#include <limits>

using namespace wsi;
using namespace Qt::StringLiterals;
using wsi::test::hex;

Q_DECLARE_METATYPE(wsi::LengthEncoding)
Q_DECLARE_METATYPE(wsi::MaskMode)
Q_DECLARE_METATYPE(std::optional<quint16>)

namespace {

QByteArray patternPayload(qsizetype size)
{
    QByteArray payload(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        payload[i] = char((i * 7 + 3) & 0xFF);
    return payload;
}

const char *encodingName(LengthEncoding encoding)
{
    switch (encoding) {
    case LengthEncoding::Auto:
        return "auto";
    case LengthEncoding::Bits7:
        return "7";
    case LengthEncoding::Bits16:
        return "16";
    case LengthEncoding::Bits64:
        return "64";
    }
    return "?";
}

// Byte-at-a-time reference for applyMask: octet i is XORed with key octet (offset + i) % 4.
QByteArray naiveMask(QByteArray data, quint32 key, qint64 offset)
{
    for (qsizetype i = 0; i < data.size(); ++i) {
        const int shift = 24 - 8 * int((offset + i) % 4);
        data[i] = char(uchar(data[i]) ^ uchar(key >> shift));
    }
    return data;
}

} // namespace

class tst_FrameCodec : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void exactBytes_data();
    void exactBytes();
    void seedCase36Octets();
    void repeatLength_data();
    void repeatLength();
    void repeatLengthLarge();
    void repeatPatternAndHead();
    void declaredLength();
    void validate_data();
    void validate();
    void closePayload_data();
    void closePayload();
    void validReceivedCloseCode_data();
    void validReceivedCloseCode();
    void closeCodeName_data();
    void closeCodeName();
    void opcodeName_data();
    void opcodeName();
    void applyMaskKnownVector();
    void applyMaskAcrossChunks();
    void applyMaskLargeOddOffsets();
};

void tst_FrameCodec::roundTrip_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<LengthEncoding>("encoding");
    QTest::addColumn<MaskMode>("maskMode");
    QTest::addColumn<int>("expectedExtendedLength");
    QTest::addColumn<bool>("nonMinimal");

    const int lengths[] = {0, 125, 126, 127, 65535, 65536};
    const LengthEncoding encodings[] = {LengthEncoding::Auto, LengthEncoding::Bits7,
                                        LengthEncoding::Bits16, LengthEncoding::Bits64};
    for (const int length : lengths) {
        const int minimal = length <= 125 ? 0 : (length <= 65535 ? 2 : 8);
        for (const LengthEncoding encoding : encodings) {
            int ext = minimal;
            if (encoding == LengthEncoding::Bits7) {
                if (length > 125)
                    continue; // cannot hold it (a validate() error, tested below)
                ext = 0;
            } else if (encoding == LengthEncoding::Bits16) {
                if (length > 65535)
                    continue;
                ext = 2;
            } else if (encoding == LengthEncoding::Bits64) {
                ext = 8;
            }
            for (const MaskMode mode : {MaskMode::None, MaskMode::Fixed}) {
                const QByteArray name = "len=" + QByteArray::number(length) +
                                        " enc=" + encodingName(encoding) +
                                        (mode == MaskMode::None ? " unmasked" : " masked");
                QTest::newRow(name.constData())
                    << length << encoding << mode << ext << (ext != minimal);
            }
        }
    }
}

void tst_FrameCodec::roundTrip()
{
    QFETCH(int, length);
    QFETCH(LengthEncoding, encoding);
    QFETCH(MaskMode, maskMode);
    QFETCH(int, expectedExtendedLength);
    QFETCH(bool, nonMinimal);

    FrameSpec spec;
    spec.opcode = 2;
    spec.fin = length % 2 == 0; // vary FIN with the length
    spec.rsv = 5;
    spec.maskMode = maskMode;
    spec.maskKey = 0xA1B2C3D4;
    spec.payload = patternPayload(length);
    spec.lengthEncoding = encoding;
    QVERIFY2(spec.validate().isEmpty(), qPrintable(spec.validate()));

    const QByteArray wire = encodeFrame(spec);
    const bool masked = maskMode != MaskMode::None;
    QCOMPARE(wire.size(), 2 + expectedExtendedLength + (masked ? 4 : 0) + length);

    FrameParser::Options options;
    options.serverRole = masked; // masked frames come from a client: no masking violation
    options.allowedRsv = 7;
    FrameParser parser(options);
    std::vector<DecodedFrame> frames;
    parser.feed(wire, frames);
    QCOMPARE(frames.size(), size_t(1));
    const DecodedFrame &f = frames.front();
    QCOMPARE(f.streamOffset, qint64(0));
    QCOMPARE(int(f.opcode), spec.opcode);
    QCOMPARE(f.fin, spec.fin);
    QCOMPARE(int(f.rsv), spec.rsv);
    QCOMPARE(f.masked, masked);
    QCOMPARE(f.maskKey, masked ? spec.maskKey : 0u);
    QCOMPARE(int(f.extendedLengthSize), expectedExtendedLength);
    QCOMPARE(f.payloadLength, quint64(length));
    QCOMPARE(f.frameSize(), qint64(wire.size()));
    QCOMPARE(f.payloadTruncated, false);
    QCOMPARE(f.payload, spec.payload);
    const Violations expected = nonMinimal ? Violations(Violation::NonMinimalLength) : Violations();
    QCOMPARE(f.violations, expected);
    if (masked && length > 4) // the octets on the wire really are masked
        QVERIFY(wire.mid(f.headerSize()) != spec.payload);
}

void tst_FrameCodec::exactBytes_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<bool>("fin");
    QTest::addColumn<int>("rsv");
    QTest::addColumn<MaskMode>("maskMode");
    QTest::addColumn<quint32>("maskKey");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<LengthEncoding>("encoding");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray hello = QByteArrayLiteral("Hello");
    const QByteArray helloWorld = QByteArrayLiteral("Hello, world!");
    QTest::newRow("autobahn 3.6 server role")
        << 2 << true << 6 << MaskMode::None << 0u << helloWorld << LengthEncoding::Auto
        << hex("e2 0d 48 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21");
    QTest::newRow("autobahn 3.6 client role key b1d4cdc4")
        << 2 << true << 6 << MaskMode::Fixed << 0xb1d4cdc4u << helloWorld << LengthEncoding::Auto
        << hex("e2 8d b1 d4 cd c4 f9 b1 a1 a8 de f8 ed b3 de a6 a1 a0 90");
    QTest::newRow("close 1000 key 3c4ce7cc (wslay seed 008)")
        << 8 << true << 0 << MaskMode::Fixed << 0x3c4ce7ccu << hex("03 e8") << LengthEncoding::Auto
        << hex("88 82 3c 4c e7 cc 3f a4");
    QTest::newRow("close 1002 server role (wslay seed 005)")
        << 8 << true << 0 << MaskMode::None << 0u << hex("03 ea") << LengthEncoding::Auto
        << hex("88 02 03 ea");
    QTest::newRow("RFC 6455 5.7 unmasked Hello")
        << 1 << true << 0 << MaskMode::None << 0u << hello << LengthEncoding::Auto
        << hex("81 05 48 65 6c 6c 6f");
    QTest::newRow("RFC 6455 5.7 masked Hello")
        << 1 << true << 0 << MaskMode::Fixed << 0x37fa213du << hello << LengthEncoding::Auto
        << hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
    QTest::newRow("RFC 6455 5.7 first fragment")
        << 1 << false << 0 << MaskMode::None << 0u << QByteArrayLiteral("Hel")
        << LengthEncoding::Auto << hex("01 03 48 65 6c");
    QTest::newRow("RFC 6455 5.7 last fragment")
        << 0 << true << 0 << MaskMode::None << 0u << QByteArrayLiteral("lo") << LengthEncoding::Auto
        << hex("80 02 6c 6f");
    QTest::newRow("RFC 6455 5.7 ping") << 9 << true << 0 << MaskMode::None << 0u << hello
                                       << LengthEncoding::Auto << hex("89 05 48 65 6c 6c 6f");
    QTest::newRow("empty close") << 8 << true << 0 << MaskMode::None << 0u << QByteArray()
                                 << LengthEncoding::Auto << hex("88 00");
    QTest::newRow("empty masked pong")
        << 10 << true << 0 << MaskMode::Fixed << 0x01020304u << QByteArray() << LengthEncoding::Auto
        << hex("8a 80 01 02 03 04");
    QTest::newRow("bit only: mask bit, no key, raw payload")
        << 1 << true << 0 << MaskMode::BitOnly << 0x11223344u << QByteArrayLiteral("Hi")
        << LengthEncoding::Auto << hex("81 82 48 69");
    QTest::newRow("reserved opcode 11, rsv 7, no FIN")
        << 11 << false << 7 << MaskMode::None << 0u << QByteArray() << LengthEncoding::Auto
        << hex("7b 00");
    QTest::newRow("forced 16-bit length 5")
        << 1 << true << 0 << MaskMode::None << 0u << hello << LengthEncoding::Bits16
        << hex("81 7e 00 05 48 65 6c 6c 6f");
    QTest::newRow("forced 64-bit length 5")
        << 1 << true << 0 << MaskMode::None << 0u << hello << LengthEncoding::Bits64
        << hex("81 7f 00 00 00 00 00 00 00 05 48 65 6c 6c 6f");
    QTest::newRow("forced 64-bit masked")
        << 2 << true << 0 << MaskMode::Fixed << 0xff00ff00u << hex("01 02")
        << LengthEncoding::Bits64 << hex("82 ff 00 00 00 00 00 00 00 02 ff 00 ff 00 fe 02");
    QTest::newRow("forced 7-bit length 0") << 2 << true << 0 << MaskMode::None << 0u << QByteArray()
                                           << LengthEncoding::Bits7 << hex("82 00");
    QTest::newRow("auto 256 octets: 16-bit")
        << 2 << true << 0 << MaskMode::None << 0u << QByteArray(256, 'x') << LengthEncoding::Auto
        << (hex("82 7e 01 00") + QByteArray(256, 'x'));
    QTest::newRow("auto 65536 octets: 64-bit")
        << 2 << true << 0 << MaskMode::None << 0u << QByteArray(65536, 'y') << LengthEncoding::Auto
        << (hex("82 7f 00 00 00 00 00 01 00 00") + QByteArray(65536, 'y'));
}

void tst_FrameCodec::exactBytes()
{
    QFETCH(int, opcode);
    QFETCH(bool, fin);
    QFETCH(int, rsv);
    QFETCH(MaskMode, maskMode);
    QFETCH(quint32, maskKey);
    QFETCH(QByteArray, payload);
    QFETCH(LengthEncoding, encoding);
    QFETCH(QByteArray, expected);

    FrameSpec spec;
    spec.opcode = opcode;
    spec.fin = fin;
    spec.rsv = rsv;
    spec.maskMode = maskMode;
    spec.maskKey = maskKey;
    spec.payload = payload;
    spec.lengthEncoding = encoding;
    QCOMPARE(spec.validate(), QString());
    const QByteArray wire = encodeFrame(spec);
    QCOMPARE(wire.toHex(' '), expected.toHex(' '));
}

void tst_FrameCodec::seedCase36Octets()
{
    // The TX OCTETS line of the wslay 3.6 report, checked against the file itself.
    QFile file(QStringLiteral(WSI_SEEDS_DIR "/wslay-case-3.6.txt"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    QByteArray octets;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.startsWith("003 TX OCTETS: "))
            octets = QByteArray::fromHex(line.mid(15));
    }
    QVERIFY(!octets.isEmpty());

    FrameSpec spec;
    spec.opcode = 2;
    spec.rsv = 6;
    spec.maskMode = MaskMode::Fixed;
    spec.maskKey = 0xb1d4cdc4;
    spec.payload = QByteArrayLiteral("Hello, world!");
    QCOMPARE(encodeFrame(spec).toHex(), octets.toHex());
}

void tst_FrameCodec::repeatLength_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<qint64>("repeatLength");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray pattern = QByteArrayLiteral("BAsd7&jh23");
    QTest::newRow("25 from 10") << pattern << qint64(25)
                                << QByteArrayLiteral("BAsd7&jh23BAsd7&jh23BAsd7");
    QTest::newRow("exact multiple")
        << pattern << qint64(20) << QByteArrayLiteral("BAsd7&jh23BAsd7&jh23");
    QTest::newRow("shorter than pattern") << pattern << qint64(4) << QByteArrayLiteral("BAsd");
    QTest::newRow("zero") << pattern << qint64(0) << QByteArray();
    QTest::newRow("one-octet pattern")
        << QByteArrayLiteral("z") << qint64(7) << QByteArrayLiteral("zzzzzzz");
    QTest::newRow("empty pattern, zero length") << QByteArray() << qint64(0) << QByteArray();
}

void tst_FrameCodec::repeatLength()
{
    QFETCH(QByteArray, pattern);
    QFETCH(qint64, repeatLength);
    QFETCH(QByteArray, expected);

    FrameSpec spec;
    spec.opcode = 2;
    spec.maskMode = MaskMode::None;
    spec.payload = pattern;
    spec.repeatLength = repeatLength;
    QCOMPARE(spec.validate(), QString());
    QCOMPARE(spec.wirePayload(), expected);
    QCOMPARE(spec.wirePayloadLength(), repeatLength);
    QCOMPARE(spec.headerLength(), quint64(repeatLength));
    const QByteArray wire = encodeFrame(spec);
    QCOMPARE(wire, QByteArray(1, char(0x82)) + char(repeatLength) + expected);
}

void tst_FrameCodec::repeatPatternAndHead()
{
    QCOMPARE(repeatPattern("ab", 5), QByteArrayLiteral("ababa"));
    QCOMPARE(repeatPattern("ab", 2), QByteArrayLiteral("ab"));
    QCOMPARE(repeatPattern("abc", 1), QByteArrayLiteral("a"));
    QCOMPARE(repeatPattern("ab", 0), QByteArray());
    QCOMPARE(repeatPattern("ab", -3), QByteArray());
    QCOMPARE(repeatPattern(QByteArrayView(), 10), QByteArray());
    // Long repeats of odd pattern lengths: every octet is the pattern's octet at i mod size.
    const QByteArray pattern("\x00\x01\x02\x03\x04\x05\x06", 7);
    const QByteArray long_ = repeatPattern(pattern, 100003);
    QCOMPARE(long_.size(), 100003);
    for (qsizetype i = 0; i < long_.size(); i += 997)
        QCOMPARE(long_[i], pattern[i % 7]);
    QCOMPARE(long_.back(), pattern[100002 % 7]);

    // The head of a wire payload is the wire payload's head, never built whole.
    FrameSpec spec;
    spec.payload = QByteArrayLiteral("xyz");
    QCOMPARE(spec.wirePayloadHead(2), QByteArrayLiteral("xy"));
    QCOMPARE(spec.wirePayloadHead(10), QByteArrayLiteral("xyz"));
    QCOMPARE(spec.wirePayloadHead(0), QByteArray());
    spec.repeatLength = 16 * 1024 * 1024;
    QCOMPARE(spec.wirePayloadHead(7), QByteArrayLiteral("xyzxyzx"));
    QCOMPARE(spec.wirePayloadHead(64), spec.wirePayload().left(64));
    spec.repeatLength = 4;
    QCOMPARE(spec.wirePayloadHead(64), QByteArrayLiteral("xyzx"));
    QCOMPARE(spec.wirePayloadHead(64), spec.wirePayload());
    // A repeat too long to send is a validate() error: nothing to send, but its head previews.
    spec.repeatLength = std::numeric_limits<qint64>::max();
    QVERIFY(!spec.validate().isEmpty());
    QCOMPARE(spec.wirePayload(), QByteArray());
    QCOMPARE(spec.wirePayloadHead(5), QByteArrayLiteral("xyzxy"));
}

void tst_FrameCodec::repeatLengthLarge()
{
    // Autobahn 7.1.6: 256 KiB from the 10-octet pattern, masked.
    FrameSpec spec;
    spec.opcode = 2;
    spec.maskMode = MaskMode::Fixed;
    spec.maskKey = 0x5a5aa5a5;
    spec.payload = QByteArrayLiteral("BAsd7&jh23");
    spec.repeatLength = 256 * 1024;
    const QByteArray payload = spec.wirePayload();
    QCOMPARE(payload.size(), 256 * 1024);
    for (qsizetype i = 0; i < payload.size(); ++i) {
        if (payload[i] != spec.payload[i % 10])
            QFAIL(qPrintable(u"octet %1 breaks the pattern"_s.arg(i)));
    }
    const QByteArray wire = encodeFrame(spec);
    QCOMPARE(wire.left(10), hex("82 ff 00 00 00 00 00 04 00 00"));
    FrameParser::Options options;
    options.serverRole = true;
    FrameParser parser(options);
    std::vector<DecodedFrame> frames;
    parser.feed(wire, frames);
    QCOMPARE(frames.size(), size_t(1));
    QCOMPARE(frames[0].payload, payload);
    QCOMPARE(frames[0].violations, Violations());
}

void tst_FrameCodec::declaredLength()
{
    FrameSpec spec;
    spec.opcode = 1;
    spec.maskMode = MaskMode::None;
    spec.payload = QByteArrayLiteral("abc");

    // Header claims more than is sent: minimal encoding of the declared value.
    spec.declaredLength = 300;
    QCOMPARE(spec.headerLength(), quint64(300));
    QCOMPARE(spec.wirePayloadLength(), qint64(3));
    QCOMPARE(encodeFrame(spec), hex("81 7e 01 2c 61 62 63"));

    // Header claims less than is sent.
    spec.declaredLength = 1;
    QCOMPARE(encodeFrame(spec), hex("81 01 61 62 63"));

    // The length a 64-bit field must not hold (top bit set), forced encoding.
    spec.declaredLength = quint64(1) << 63;
    spec.lengthEncoding = LengthEncoding::Bits64;
    QCOMPARE(encodeFrame(spec), hex("81 7f 80 00 00 00 00 00 00 00 61 62 63"));

    // Auto with a declared 65536: 64-bit field; masked payload is still the sent octets.
    spec.declaredLength = 65536;
    spec.lengthEncoding = LengthEncoding::Auto;
    spec.maskMode = MaskMode::Fixed;
    spec.maskKey = 0x01010101;
    QCOMPARE(encodeFrame(spec), hex("81 ff 00 00 00 00 00 01 00 00 01 01 01 01 60 63 62"));

    // The parser believes the header: the frame is incomplete after the 3 octets.
    spec.maskMode = MaskMode::None;
    spec.declaredLength = 10;
    FrameParser parser;
    std::vector<DecodedFrame> frames;
    parser.feed(encodeFrame(spec), frames);
    QVERIFY(frames.empty());
    QVERIFY(parser.hasPartialFrame());
    QCOMPARE(parser.partialFrame().payloadLength, quint64(10));
    QCOMPARE(parser.partialFrame().payload, QByteArrayLiteral("abc"));
}

void tst_FrameCodec::validate_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<int>("rsv");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<qint64>("repeatLength");   // -100: not set
    QTest::addColumn<qint64>("declaredLength"); // -1: not set
    QTest::addColumn<LengthEncoding>("encoding");
    QTest::addColumn<int>("chopSize");
    QTest::addColumn<QString>("expected"); // empty: valid; else the exact message

    const QByteArray abc = QByteArrayLiteral("abc");
    const auto noRepeat = qint64(-100);
    const auto noDecl = qint64(-1);
    const auto Auto = LengthEncoding::Auto;
    QTest::newRow("valid default") << 1 << 0 << abc << noRepeat << noDecl << Auto << 0 << QString();
    QTest::newRow("valid reserved opcode 15, rsv 7")
        << 15 << 7 << abc << noRepeat << noDecl << Auto << 3 << QString();
    QTest::newRow("opcode 16") << 16 << 0 << abc << noRepeat << noDecl << Auto << 0
                               << u"opcode=16 is outside 0..15"_s;
    QTest::newRow("opcode -1") << -1 << 0 << abc << noRepeat << noDecl << Auto << 0
                               << u"opcode=-1 is outside 0..15"_s;
    QTest::newRow("rsv 8") << 1 << 8 << abc << noRepeat << noDecl << Auto << 0
                           << u"rsv=8 is outside 0..7"_s;
    QTest::newRow("rsv -1") << 1 << -1 << abc << noRepeat << noDecl << Auto << 0
                            << u"rsv=-1 is outside 0..7"_s;
    QTest::newRow("negative repeat")
        << 1 << 0 << abc << qint64(-1) << noDecl << Auto << 0 << u"repeatLength=-1 is negative"_s;
    QTest::newRow("repeat 2 GiB") << 2 << 0 << abc << qint64(2147483648) << noDecl << Auto << 0
                                  << u"repeatLength=2147483648 is over the limit of 2147483647 "
                                     u"octets"_s;
    QTest::newRow("repeat with empty pattern")
        << 2 << 0 << QByteArray() << qint64(5) << noDecl << Auto << 0
        << u"repeatLength=5 needs a non-empty payload pattern"_s;
    QTest::newRow("negative chop")
        << 1 << 0 << abc << noRepeat << noDecl << Auto << -1 << u"chopSize=-1 is negative"_s;
    QTest::newRow("7 bit holds 125") << 2 << 0 << QByteArray(125, 'a') << noRepeat << noDecl
                                     << LengthEncoding::Bits7 << 0 << QString();
    QTest::newRow("7 bit cannot hold 126")
        << 2 << 0 << QByteArray(126, 'a') << noRepeat << noDecl << LengthEncoding::Bits7 << 0
        << u"len=7 cannot hold 126"_s;
    QTest::newRow("7 bit cannot hold declared 300")
        << 2 << 0 << abc << noRepeat << qint64(300) << LengthEncoding::Bits7 << 0
        << u"len=7 cannot hold 300"_s;
    QTest::newRow("7 bit cannot hold repeat 200")
        << 2 << 0 << abc << qint64(200) << noDecl << LengthEncoding::Bits7 << 0
        << u"len=7 cannot hold 200"_s;
    QTest::newRow("16 bit holds 65535")
        << 2 << 0 << abc << noRepeat << qint64(65535) << LengthEncoding::Bits16 << 0 << QString();
    QTest::newRow("16 bit cannot hold 65536")
        << 2 << 0 << abc << noRepeat << qint64(65536) << LengthEncoding::Bits16 << 0
        << u"len=16 cannot hold 65536"_s;
    QTest::newRow("64 bit holds anything") << 2 << 0 << abc << noRepeat << (qint64(1) << 62)
                                           << LengthEncoding::Bits64 << 0 << QString();
}

void tst_FrameCodec::validate()
{
    QFETCH(int, opcode);
    QFETCH(int, rsv);
    QFETCH(QByteArray, payload);
    QFETCH(qint64, repeatLength);
    QFETCH(qint64, declaredLength);
    QFETCH(LengthEncoding, encoding);
    QFETCH(int, chopSize);
    QFETCH(QString, expected);

    FrameSpec spec;
    spec.opcode = opcode;
    spec.rsv = rsv;
    spec.payload = payload;
    if (repeatLength != -100)
        spec.repeatLength = repeatLength;
    if (declaredLength >= 0)
        spec.declaredLength = quint64(declaredLength);
    spec.lengthEncoding = encoding;
    spec.chopSize = chopSize;
    spec.maskMode = MaskMode::None;
    QCOMPARE(spec.validate(), expected);
    // encodeFrame refuses exactly what validate() refuses.
    QCOMPARE(encodeFrame(spec).isEmpty(), !expected.isEmpty());
}

void tst_FrameCodec::closePayload_data()
{
    QTest::addColumn<std::optional<quint16>>("code");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("nothing") << std::optional<quint16>() << QByteArray() << QByteArray();
    QTest::newRow("1000") << std::optional<quint16>(1000) << QByteArray() << hex("03 e8");
    QTest::newRow("1001 Going Away")
        << std::optional<quint16>(1001) << QByteArrayLiteral("Going Away")
        << (hex("03 e9") + QByteArrayLiteral("Going Away"));
    QTest::newRow("reason without code (illegal on purpose)")
        << std::optional<quint16>() << QByteArrayLiteral("x") << QByteArrayLiteral("x");
    QTest::newRow("code 0") << std::optional<quint16>(0) << QByteArray() << hex("00 00");
    QTest::newRow("code 65535, invalid UTF-8 reason")
        << std::optional<quint16>(65535) << hex("c0 af") << hex("ff ff c0 af");
}

void tst_FrameCodec::closePayload()
{
    QFETCH(std::optional<quint16>, code);
    QFETCH(QByteArray, reason);
    QFETCH(QByteArray, expected);
    QCOMPARE(wsi::closePayload(code, reason).toHex(' '), expected.toHex(' '));
}

void tst_FrameCodec::validReceivedCloseCode_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("valid");

    const int valid[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
                         1010, 1011, 3000, 3999, 4000, 4999};
    for (const int code : valid)
        QTest::newRow(QByteArray::number(code).constData()) << code << true;
    const int invalid[] = {-1,   0,    999,  1004, 1005, 1006, 1012, 1013,
                           1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535};
    for (const int code : invalid)
        QTest::newRow(QByteArray::number(code).constData()) << code << false;
}

void tst_FrameCodec::validReceivedCloseCode()
{
    QFETCH(int, code);
    QFETCH(bool, valid);
    QCOMPARE(isValidReceivedCloseCode(code), valid);
}

void tst_FrameCodec::closeCodeName_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("name");

    QTest::newRow("1000") << 1000 << u"Normal Closure"_s;
    QTest::newRow("1001") << 1001 << u"Going Away"_s;
    QTest::newRow("1002") << 1002 << u"Protocol Error"_s;
    QTest::newRow("1003") << 1003 << u"Unsupported Data"_s;
    QTest::newRow("1004") << 1004 << u"Reserved"_s;
    QTest::newRow("1005") << 1005 << u"No Status Received"_s;
    QTest::newRow("1006") << 1006 << u"Abnormal Closure"_s;
    QTest::newRow("1007") << 1007 << u"Invalid Frame Payload Data"_s;
    QTest::newRow("1008") << 1008 << u"Policy Violation"_s;
    QTest::newRow("1009") << 1009 << u"Message Too Big"_s;
    QTest::newRow("1010") << 1010 << u"Mandatory Extension"_s;
    QTest::newRow("1011") << 1011 << u"Internal Error"_s;
    QTest::newRow("1012") << 1012 << u"Service Restart"_s;
    QTest::newRow("1013") << 1013 << u"Try Again Later"_s;
    QTest::newRow("1014") << 1014 << u"Bad Gateway"_s;
    QTest::newRow("1015") << 1015 << u"TLS Handshake"_s;
    QTest::newRow("1016") << 1016 << u"Invalid"_s;
    QTest::newRow("999") << 999 << u"Invalid"_s;
    QTest::newRow("2999") << 2999 << u"Invalid"_s;
    QTest::newRow("3000") << 3000 << u"Registered"_s;
    QTest::newRow("3999") << 3999 << u"Registered"_s;
    QTest::newRow("4000") << 4000 << u"Private use"_s;
    QTest::newRow("4999") << 4999 << u"Private use"_s;
    QTest::newRow("5000") << 5000 << u"Invalid"_s;
    QTest::newRow("0") << 0 << u"Invalid"_s;
}

void tst_FrameCodec::closeCodeName()
{
    QFETCH(int, code);
    QFETCH(QString, name);
    QCOMPARE(wsi::closeCodeName(code), name);
}

void tst_FrameCodec::opcodeName_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<QString>("name");

    QTest::newRow("0") << 0 << u"Continuation"_s;
    QTest::newRow("1") << 1 << u"Text"_s;
    QTest::newRow("2") << 2 << u"Binary"_s;
    for (int op = 3; op <= 7; ++op)
        QTest::newRow(QByteArray::number(op).constData()) << op << u"Reserved %1"_s.arg(op);
    QTest::newRow("8") << 8 << u"Close"_s;
    QTest::newRow("9") << 9 << u"Ping"_s;
    QTest::newRow("10") << 10 << u"Pong"_s;
    for (int op = 11; op <= 15; ++op)
        QTest::newRow(QByteArray::number(op).constData()) << op << u"Reserved %1"_s.arg(op);
    QTest::newRow("16 (does not fit 4 bits)") << 16 << u"Invalid 16"_s;
}

void tst_FrameCodec::opcodeName()
{
    QFETCH(int, opcode);
    QFETCH(QString, name);
    QCOMPARE(wsi::opcodeName(opcode), name);
}

void tst_FrameCodec::applyMaskKnownVector()
{
    // RFC 6455 §5.7: "Hello" with key 37 fa 21 3d.
    QByteArray data = QByteArrayLiteral("Hello");
    applyMask(data.data(), data.size(), 0x37fa213d);
    QCOMPARE(data, hex("7f 9f 4d 51 58"));
    applyMask(data.data(), data.size(), 0x37fa213d);
    QCOMPARE(data, QByteArrayLiteral("Hello"));
    // keyOffset counts modulo 4, also for large offsets.
    QByteArray shifted = QByteArrayLiteral("ello");
    applyMask(shifted.data(), shifted.size(), 0x37fa213d, 4001);
    QCOMPARE(shifted, hex("9f 4d 51 58"));
}

void tst_FrameCodec::applyMaskAcrossChunks()
{
    // Masking [0, k) and then [k, n) with keyOffset k gives the one-shot result, for every k
    // and sizes around the 8- and 16-octet block boundaries.
    const quint32 key = 0xdeadbeef;
    for (int n = 0; n <= 80; ++n) {
        const QByteArray plain = patternPayload(n);
        const QByteArray expected = naiveMask(plain, key, 0);
        QByteArray once = plain;
        applyMask(once.data(), once.size(), key);
        QCOMPARE(once, expected);
        for (int k = 0; k <= n; ++k) {
            QByteArray split = plain;
            applyMask(split.data(), k, key, 0);
            applyMask(split.data() + k, n - k, key, k);
            QVERIFY2(split == expected, qPrintable(u"n=%1 k=%2"_s.arg(n).arg(k)));
        }
    }
}

void tst_FrameCodec::applyMaskLargeOddOffsets()
{
    QRandomGenerator rng(6455);
    QByteArray plain(1024 * 1024 + 13, Qt::Uninitialized);
    rng.fillRange(reinterpret_cast<quint32 *>(plain.data()), plain.size() / 4);
    const quint32 key = rng.generate();
    for (const qint64 offset : {qint64(0), qint64(1), qint64(2), qint64(3), qint64(7)}) {
        // Unaligned start as well: data + 1.
        QByteArray data = plain;
        applyMask(data.data() + 1, data.size() - 1, key, offset);
        QByteArray expected = plain;
        expected = expected.left(1) + naiveMask(plain.mid(1), key, offset);
        QVERIFY2(data == expected, qPrintable(u"offset %1"_s.arg(offset)));
    }
}

QTEST_GUILESS_MAIN(tst_FrameCodec)
#include "tst_framecodec.moc"
