// SPDX-License-Identifier: MIT
// The one rule set (framerules.h): what we send is judged by the rules the parser applies to what
// the server sends. Where both can see a frame (a client frame given to a parser in the server's
// role), they must agree.
#include "protocol/frame.h"
#include "protocol/frameparser.h"
#include "protocol/framerules.h"

#include <QRandomGenerator>
#include <QSet>
#include <QTest>

using namespace wsi;
using namespace Qt::StringLiterals;

namespace {

using V = Violation;

FrameSpec frame(int opcode, const QByteArray &payload, bool fin = true)
{
    FrameSpec s;
    s.opcode = opcode;
    s.payload = payload;
    s.fin = fin;
    s.maskMode = MaskMode::Fixed;
    s.maskKey = 0x01020304;
    return s;
}

// What a server-role parser says of the encoded frames, frame by frame.
QList<Violations> parsed(const QList<FrameSpec> &frames, bool deflate = false)
{
    FrameParser::Options o;
    o.serverRole = true;
    o.maxFramePayload = 1 << 30;
    o.deflate = deflate;
    FrameParser parser(o);
    QByteArray wire;
    for (const FrameSpec &f : frames)
        wire += encodeFrame(f);
    std::vector<DecodedFrame> out;
    parser.feed(wire, out);
    QList<Violations> result;
    for (const DecodedFrame &f : out)
        result << f.violations;
    return result;
}

QList<Violations> judged(const QList<FrameSpec> &frames, bool deflate = false)
{
    FrameJudge judge(0, deflate);
    QList<Violations> result;
    for (const FrameSpec &f : frames)
        result << judge.judge(f).violations;
    return result;
}

QString names(const QList<Violations> &list)
{
    QStringList out;
    for (Violations v : list) {
        QStringList one;
        for (Violation x : violationList(v))
            one << violationName(x);
        out << u'[' + one.join(u", "_s) + u']';
    }
    return out.join(u' ');
}

} // namespace

class tst_FrameRules : public QObject
{
    Q_OBJECT

private slots:
    // Each rule, on a frame of ours, by the judge and by a server-role parser of its octets.
    void eachRule_data()
    {
        QTest::addColumn<QList<FrameSpec>>("frames");
        QTest::addColumn<QList<Violations>>("expected");
        const auto one = [](const FrameSpec &f, Violations v) {
            return std::pair{QList<FrameSpec>{f}, QList<Violations>{v}};
        };
        const auto row = [](const char *name,
                            const std::pair<QList<FrameSpec>, QList<Violations>> &p) {
            QTest::newRow(name) << p.first << p.second;
        };
        row("valid text", one(frame(1, "hello"), {}));
        FrameSpec f = frame(1, "x");
        f.rsv = 4;
        row("rsv1", one(f, V::RsvWithoutExtension));
        row("reserved opcode 3", one(frame(3, "x"), V::ReservedOpcode));
        row("reserved opcode 11", one(frame(11, ""), V::ReservedOpcode));
        row("ping of 126", one(frame(9, QByteArray(126, 'a')), V::ControlFrameTooLong));
        row("fragmented ping", one(frame(9, "", false), V::ControlFrameFragmented));
        f = frame(2, "abc");
        f.maskMode = MaskMode::None;
        row("unmasked", one(f, V::UnmaskedClientFrame));
        f = frame(2, "abc");
        f.lengthEncoding = LengthEncoding::Bits16;
        row("16-bit length for 3", one(f, V::NonMinimalLength));
        f = frame(2, QByteArray(300, 'a'));
        f.lengthEncoding = LengthEncoding::Bits64;
        row("64-bit length for 300", one(f, V::NonMinimalLength));
        row("close of 1 octet", one(frame(8, "\x03"), V::ClosePayloadOneOctet));
        row("close 1005", one(frame(8, closePayload(1005, {})), V::InvalidCloseCode));
        row("close 999", one(frame(8, closePayload(999, {})), V::InvalidCloseCode));
        row("close 5000", one(frame(8, closePayload(5000, {})), V::InvalidCloseCode));
        row("close 1000", one(frame(8, closePayload(1000, "bye")), {}));
        row("close reason not UTF-8",
            one(frame(8, closePayload(1000, "\xce\xba\xe1\xbd")), V::InvalidUtf8CloseReason));
        row("text not UTF-8", one(frame(1, "\xce\xba\xff"), V::InvalidUtf8Text));
        row("text ends in a character", one(frame(1, "\xce"), V::InvalidUtf8Text));
        row("continuation alone", one(frame(0, "x"), V::ContinuationWithoutMessage));
        row("text inside a message",
            {{frame(1, "a", false), frame(1, "b")}, {{}, V::DataFrameInsideMessage}});
        row("fragments of a text, a character split",
            {{frame(1, "\xce", false), frame(0, "\xba")}, {{}, {}}});
        row("fragments of a text, bad in the second",
            {{frame(1, "ab", false), frame(0, "\xff")}, {{}, V::InvalidUtf8Text}});
        row("fragments of a text, ends in a character",
            {{frame(1, "ab", false), frame(0, "\xce")}, {{}, V::InvalidUtf8Text}});
        row("binary fragments are not UTF-8 checked",
            {{frame(2, "\xff", false), frame(0, "\xfe")}, {{}, {}}});
        row("a ping between fragments",
            {{frame(1, "a", false), frame(9, ""), frame(0, "b")}, {{}, {}, {}}});
        FrameSpec big = frame(2, "ab");
        big.repeatLength = 5'000'000;
        row("a large repeated binary frame", one(big, {}));
        FrameSpec text = frame(1, "\xce\xba");
        text.repeatLength = 3'000'001; // cut inside the last character
        row("a repeated text cut inside a character", one(text, V::InvalidUtf8Text));
    }
    void eachRule()
    {
        QFETCH(QList<FrameSpec>, frames);
        QFETCH(QList<Violations>, expected);
        QCOMPARE(names(judged(frames)), names(expected));
        QCOMPARE(names(parsed(frames)), names(expected)); // one rule set, both directions
    }

    // permessage-deflate agreed (RFC 7692 §6.1): RSV1 marks a message's first frame as
    // compressed; anywhere else it is its own violation. Judge and parser agree.
    void deflateRules_data()
    {
        QTest::addColumn<QList<FrameSpec>>("frames");
        QTest::addColumn<bool>("deflate");
        QTest::addColumn<QList<Violations>>("expected");
        const auto rsv = [](FrameSpec f, int bits) {
            f.rsv = bits;
            return f;
        };
        const QByteArray hello("\xf2\x48\xcd\xc9\xc9\x07\x00", 7); // RFC 7692 §7.2.3.1
        QTest::newRow("compressed text: its octets are not UTF-8 checked")
            << QList<FrameSpec>{rsv(frame(1, hello), 4)} << true << QList<Violations>{{}};
        QTest::newRow("the same without the agreement")
            << QList<FrameSpec>{rsv(frame(1, hello), 4)} << false
            << QList<Violations>{V::RsvWithoutExtension | V::InvalidUtf8Text};
        QTest::newRow("compressed binary")
            << QList<FrameSpec>{rsv(frame(2, hello), 4)} << true << QList<Violations>{{}};
        QTest::newRow("uncompressed text is still checked")
            << QList<FrameSpec>{frame(1, "\xff")} << true << QList<Violations>{V::InvalidUtf8Text};
        QTest::newRow("compressed ping") << QList<FrameSpec>{rsv(frame(9, "x"), 4)} << true
                                         << QList<Violations>{V::CompressedControlFrame};
        QTest::newRow("compressed close")
            << QList<FrameSpec>{rsv(frame(8, closePayload(1000, {})), 4)} << true
            << QList<Violations>{V::CompressedControlFrame};
        QTest::newRow("compressed fragments, RSV1 on the first only")
            << QList<FrameSpec>{rsv(frame(1, hello.left(3), false), 4), frame(0, hello.mid(3))}
            << true << QList<Violations>{{}, {}};
        QTest::newRow("RSV1 on the continuation too")
            << QList<FrameSpec>{rsv(frame(1, hello.left(3), false), 4),
                                rsv(frame(0, hello.mid(3)), 4)}
            << true << QList<Violations>{{}, V::CompressedContinuation};
        QTest::newRow("RSV1 on the continuation only: the text is plain")
            << QList<FrameSpec>{frame(1, "ab", false), rsv(frame(0, "\xff"), 4)} << true
            << QList<Violations>{{}, V::CompressedContinuation | V::InvalidUtf8Text};
        QTest::newRow("a plain message after a compressed one is checked")
            << QList<FrameSpec>{rsv(frame(1, hello), 4), frame(1, "\xff")} << true
            << QList<Violations>{{}, V::InvalidUtf8Text};
        QTest::newRow("RSV2 is still no extension's")
            << QList<FrameSpec>{rsv(frame(1, "a"), 2)} << true
            << QList<Violations>{V::RsvWithoutExtension};
        QTest::newRow("RSV1 on a reserved data opcode")
            << QList<FrameSpec>{rsv(frame(3, "a"), 4)} << true
            << QList<Violations>{V::RsvWithoutExtension | V::ReservedOpcode};
    }
    void deflateRules()
    {
        QFETCH(QList<FrameSpec>, frames);
        QFETCH(bool, deflate);
        QFETCH(QList<Violations>, expected);
        QCOMPARE(names(judged(frames, deflate)), names(expected));
        QCOMPARE(names(parsed(frames, deflate)), names(expected));
    }

    void deflateJudgeAloneAndSequence()
    {
        FrameSpec f = frame(1, "\xff\xfe");
        f.rsv = 4;
        QCOMPARE(FrameJudge::judgeAlone(f, 0, true).violations, Violations());
        QCOMPARE(FrameJudge::judgeAlone(f).violations,
                 Violations(V::RsvWithoutExtension) | V::InvalidUtf8Text);
        FrameJudge judge;
        QVERIFY(!judge.deflate());
        judge.setDeflate(true);
        QVERIFY(judge.deflate());
        f.fin = false;
        QCOMPARE(judge.judge(f).violations, Violations());
        QVERIFY(judge.sequence().messageCompressed());
        QCOMPARE(judge.judge(frame(0, "\xff")).violations, Violations());
        QVERIFY(judge.sequence().messageCompressed()); // the last message's, once it ended
        QCOMPARE(judge.judge(frame(1, "a")).violations, Violations());
        QVERIFY(!judge.sequence().messageCompressed());

        MessageSequence sequence;
        Violations v;
        sequence.next(2, false, v, true);
        QVERIFY(sequence.messageCompressed());
        sequence.next(9, true, v, true); // a control frame leaves the message alone
        QVERIFY(sequence.messageCompressed() && sequence.inMessage());
        sequence.next(0, true, v, false);
        QVERIFY(sequence.messageCompressed() && !sequence.inMessage());
        QCOMPARE(v, Violations());
    }

    void deflateViolationTexts()
    {
        const QList<Violation> added{V::CompressedControlFrame, V::CompressedContinuation,
                                     V::InflateError, V::InflatedTooLarge};
        QSet<QString> names;
        for (quint32 bit = 1; bit <= quint32(V::InflatedTooLarge); bit <<= 1)
            names.insert(violationName(V(bit)));
        QCOMPARE(names.size(), 21); // every bit its own name
        for (Violation v : added)
            QVERIFY2(violationRule(v).contains(u"§"_s), qPrintable(violationName(v)));
        QVERIFY(violationRule(V::CompressedControlFrame).startsWith(u"RFC 7692 §6.1:"_s));
        QVERIFY(violationRule(V::CompressedContinuation).startsWith(u"RFC 7692 §6.1:"_s));
        QVERIFY(violationRule(V::InflateError).startsWith(u"RFC 7692 §6.2:"_s));
        QCOMPARE(violationCloseCode(V::CompressedControlFrame), 1002);
        QCOMPARE(violationCloseCode(V::CompressedContinuation), 1002);
        QCOMPARE(violationCloseCode(V::InflateError), 1007);
        QCOMPARE(violationCloseCode(V::InflatedTooLarge), 1009);
        QCOMPARE(violationList(V::InflatedTooLarge | V::RsvWithoutExtension),
                 (QList<Violation>{V::RsvWithoutExtension, V::InflatedTooLarge}));
        // The existing bits keep their values (traces and reports store them).
        QCOMPARE(quint32(V::DeclaredLengthMismatch), 1u << 16);
        QCOMPARE(quint32(V::CompressedControlFrame), 1u << 17);
        QCOMPARE(quint32(V::InflatedTooLarge), 1u << 20);
    }

    // What only the sender knows: a mask bit without its key, a length that lies.
    void senderOnlyRules()
    {
        FrameSpec f = frame(1, "hello");
        f.maskMode = MaskMode::BitOnly;
        QCOMPARE(FrameJudge::judgeAlone(f).violations, Violations(V::MaskBitWithoutKey));
        f = frame(1, "hello");
        f.declaredLength = 10;
        QCOMPARE(FrameJudge::judgeAlone(f).violations, Violations(V::DeclaredLengthMismatch));
        f.declaredLength = 5;
        QCOMPARE(FrameJudge::judgeAlone(f).violations, Violations());
        f = frame(2, "x");
        f.declaredLength = quint64(1) << 63;
        f.lengthEncoding = LengthEncoding::Bits64;
        QCOMPARE(FrameJudge::judgeAlone(f).violations,
                 Violations(V::Length64TopBit) | V::DeclaredLengthMismatch);
        for (Violation v : {V::MaskBitWithoutKey, V::DeclaredLengthMismatch}) {
            QVERIFY(violationRule(v).startsWith(u"RFC 6455 §5."_s));
            QCOMPARE(violationCloseCode(v), 1002);
        }
    }

    // The composer's preview judges a frame alone: a continuation is not a sequence error there,
    // but a lone frame's own rules are.
    void aloneIgnoresTheSequence()
    {
        QCOMPARE(FrameJudge::judgeAlone(frame(0, "\xff")).violations, Violations());
        QCOMPARE(FrameJudge::judgeAlone(frame(1, "\xff")).violations,
                 Violations(V::InvalidUtf8Text));
        QCOMPARE(FrameJudge::judgeAlone(frame(1, "\xce", false)).violations, Violations());
    }

    // A repeated payload is checked without being built; the offset of the first bad octet is
    // the one of the built payload.
    void repeatedPayloadOffsets_data()
    {
        QTest::addColumn<QByteArray>("pattern");
        QTest::addColumn<qint64>("length");
        QTest::newRow("valid, cut at a boundary") << QByteArray("ab\xce\xba") << qint64(400'000);
        QTest::newRow("valid, cut in a character") << QByteArray("ab\xce\xba") << qint64(400'003);
        QTest::newRow("a pattern that ends in a character")
            << QByteArray("a\xe1") << qint64(200'000);
        QTest::newRow("an invalid octet") << QByteArray("abc\xff") << qint64(100'000);
        QTest::newRow("one octet") << QByteArray("a") << qint64(1'000'001);
        QTest::newRow("a split character joined by the repeat")
            << QByteArray("\xba\xce") << qint64(70'000);
    }
    void repeatedPayloadOffsets()
    {
        QFETCH(QByteArray, pattern);
        QFETCH(qint64, length);
        FrameSpec f = frame(1, pattern);
        f.repeatLength = length;
        const QByteArray built = f.wirePayload();
        FrameSpec plain = frame(1, built);
        const FrameJudge::Result a = FrameJudge::judgeAlone(f);
        const FrameJudge::Result b = FrameJudge::judgeAlone(plain);
        QCOMPARE(a.violations, b.violations);
        QCOMPARE(a.utf8ErrorOffset, b.utf8ErrorOffset);
        const qint64 bad = Utf8Validator::firstInvalidOffset(built.constData(), built.size());
        QCOMPARE(b.utf8ErrorOffset, bad);
    }

    // Random frame sequences: the judge and a server-role parser of the same octets agree.
    void randomSequencesAgree()
    {
        QRandomGenerator rng(20261202);
        for (int round = 0; round < 300; ++round) {
            QList<FrameSpec> frames;
            const int n = 1 + int(rng.bounded(6));
            for (int i = 0; i < n; ++i) {
                static const int opcodes[] = {0, 1, 2, 8, 9, 10, 3, 0, 1};
                FrameSpec f = frame(opcodes[rng.bounded(9)], {}, rng.bounded(3) != 0);
                QByteArray payload(int(rng.bounded(8)), Qt::Uninitialized);
                for (char &c : payload) {
                    static const char octets[] = {'a', '\xce', '\xba', '\xff', '\x03', '\xe8'};
                    c = octets[rng.bounded(6)];
                }
                f.payload = payload;
                f.rsv = rng.bounded(8) == 0 ? 2 : (rng.bounded(4) == 0 ? 4 : 0);
                if (rng.bounded(8) == 0)
                    f.maskMode = MaskMode::None;
                frames << f;
            }
            QCOMPARE(names(judged(frames)), names(parsed(frames)));
            QCOMPARE(names(judged(frames, true)), names(parsed(frames, true)));
        }
    }
};

QTEST_GUILESS_MAIN(tst_FrameRules)
#include "tst_framerules.moc"
