// SPDX-License-Identifier: MIT
// Two connections' frames compared (docs/captures.md §7): what a user comparing the run before
// a fix with the run after it checks. Identical runs compare equal; an inserted frame is one row
// of its own and the frames after it still pair; a flipped RSV bit, a changed mask key, a changed
// payload octet and a different length encoding are each reported as exactly that field; a
// frame read from a HAR says "unknown" instead of a difference; the alignment stays bounded on
// large traces; and the closing differences are the report's own values.
#include "echo/echoserver.h"
#include "session/session.h"
#include "testutils.h"
#include "trace/closing.h"
#include "trace/framediff.h"

#include <QtTest>

using namespace wsi;
using namespace Qt::StringLiterals;

namespace {

// A frame we sent, as the session records it (with its TX facts).
FrameRecord sent(const FrameSpec &spec, qint64 timeNs, qint64 offset)
{
    FrameSpec s = spec;
    if (s.maskMode == MaskMode::Random && s.maskKey == 0)
        s.maskKey = 0x11223344;
    return txFrameRecord(s, encodeFrame(s).size(), timeNs, offset);
}

FrameSpec text(const QByteArray &payload)
{
    FrameSpec s;
    s.payload = payload;
    s.maskMode = MaskMode::Fixed;
    s.maskKey = 0x01020304;
    return s;
}

// A frame the server sent, as the parser records it.
FrameRecord received(const QByteArray &payload, qint64 timeNs, quint8 opcode = 1, quint8 rsv = 0)
{
    FrameRecord f;
    f.direction = Direction::Rx;
    f.timeNs = timeNs;
    f.streamOffset = timeNs; // any place in the stream: the payload is in the record
    f.opcode = opcode;
    f.rsv = rsv;
    f.payloadLength = quint64(payload.size());
    f.extendedLengthSize = payload.size() > 125 ? 2 : 0;
    f.payload = payload;
    return f;
}

Trace traceOf(std::vector<FrameRecord> frames)
{
    Trace trace;
    TraceBatch batch;
    for (FrameRecord &f : frames)
        batch.add(std::move(f));
    trace.append(std::move(batch));
    return trace;
}

// A conversation: we send "message i", the server echoes it.
std::vector<FrameRecord> conversation(int count)
{
    std::vector<FrameRecord> frames;
    for (int i = 0; i < count; ++i) {
        const QByteArray payload = "message " + QByteArray::number(i);
        frames.push_back(sent(text(payload), 1000 * i, 100 * i));
        frames.push_back(received(payload, 1000 * i + 500));
    }
    return frames;
}

// The one row that is not equal, or null when there is none or more than one.
const FrameDiffRow *onlyDifference(const FrameDiff &diff)
{
    const FrameDiffRow *found = nullptr;
    for (const FrameDiffRow &row : diff.rows) {
        if (row.kind == FrameDiffRow::Kind::Equal)
            continue;
        if (found)
            return nullptr;
        found = &row;
    }
    return found;
}

Step message(const QByteArray &payload)
{
    Step s;
    s.kind = Step::Kind::Message;
    s.payload = payload;
    return s;
}

// A real connection to the embedded echo server running `steps`.
Trace liveRun(const QUrl &url, const StepList &steps)
{
    test::SessionRun run;
    test::runSession(run, test::settingsFor(url), steps);
    return std::move(run.trace);
}

} // namespace

class tst_FrameDiff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void identicalTracesAreEqual()
    {
        const Trace a = traceOf(conversation(5));
        const Trace b = traceOf(conversation(5));
        const FrameDiff diff = diffFrames(a, b);
        QCOMPARE(diff.rows.size(), size_t(10));
        QCOMPARE(diff.summary.equal, 10);
        QCOMPARE(diff.summary.differences(), 0);
        QVERIFY(diff.aligned[0] && diff.aligned[1]);
        // Each frame pairs with its counterpart, in the connection's order (TX, RX, TX, …).
        for (size_t i = 0; i < diff.rows.size(); ++i) {
            QCOMPARE(diff.rows[i].left, qint64(i));
            QCOMPARE(diff.rows[i].right, qint64(i));
            QCOMPARE(diff.rows[i].direction, i % 2 == 0 ? Direction::Tx : Direction::Rx);
            QCOMPARE(diff.rows[i].differs, FrameFields());
        }
    }

    void insertedFrameIsOneRow()
    {
        std::vector<FrameRecord> left = conversation(6);
        std::vector<FrameRecord> right = conversation(6);
        // The server sent one more frame after the third echo (index 5 of the right trace).
        right.insert(right.begin() + 6, received("surprise", 2600));
        const FrameDiff diff = diffFrames(traceOf(left), traceOf(right));
        QCOMPARE(diff.summary.onlyRight, 1);
        QCOMPARE(diff.summary.onlyLeft, 0);
        QCOMPARE(diff.summary.differing, 0);
        QCOMPARE(diff.summary.equal, 12); // everything after it still pairs
        int only = 0;
        for (const FrameDiffRow &row : diff.rows) {
            if (row.kind != FrameDiffRow::Kind::OnlyRight)
                continue;
            ++only;
            QCOMPARE(row.right, 6);
            QCOMPARE(row.left, -1);
            QCOMPARE(row.direction, Direction::Rx);
        }
        QCOMPARE(only, 1);
        // The echo after it: left frame 7 with right frame 8.
        const auto later = std::find_if(diff.rows.begin(), diff.rows.end(),
                                        [](const FrameDiffRow &r) { return r.left == 7; });
        QVERIFY(later != diff.rows.end());
        QCOMPARE(later->right, 8);
        QCOMPARE(later->kind, FrameDiffRow::Kind::Equal);

        // Removed instead: the same row, seen from the other side.
        const FrameDiff reverse = diffFrames(traceOf(right), traceOf(left));
        QCOMPARE(reverse.summary.onlyLeft, 1);
        QCOMPARE(reverse.summary.equal, 12);
    }

    void flippedRsvBit()
    {
        std::vector<FrameRecord> left = conversation(4);
        std::vector<FrameRecord> right = conversation(4);
        right[3].rsv = 4; // the second echo with RSV1 set
        const FrameDiff diff = diffFrames(traceOf(left), traceOf(right));
        const FrameDiffRow *row = onlyDifference(diff);
        QVERIFY(row);
        QCOMPARE(row->kind, FrameDiffRow::Kind::Differs);
        QCOMPARE(row->left, 3);
        QCOMPARE(row->right, 3);
        QCOMPARE(row->differs, FrameFields(FrameField::Rsv1));
        QCOMPARE(row->unknown, FrameFields());
        QCOMPARE(diff.summary.equal, 7);

        // RSV3 and FIN are told apart from RSV1.
        right = conversation(4);
        right[2].rsv = 1;
        right[2].fin = false;
        const FrameDiff other = diffFrames(traceOf(left), traceOf(right));
        QVERIFY(onlyDifference(other));
        QCOMPARE(onlyDifference(other)->differs, FrameField::Rsv3 | FrameField::Fin);
    }

    void changedMaskKey()
    {
        std::vector<FrameRecord> left = conversation(3);
        std::vector<FrameRecord> right = conversation(3);
        FrameSpec spec = text("message 1");
        spec.maskKey = 0xdeadbeef; // a fixed key chosen differently
        right[2] = sent(spec, 1000, 100);
        const FrameDiff diff = diffFrames(traceOf(left), traceOf(right));
        const FrameDiffRow *row = onlyDifference(diff);
        QVERIFY(row);
        QCOMPARE(row->direction, Direction::Tx);
        QCOMPARE(row->left, 2);
        QCOMPARE(row->differs, FrameFields(FrameField::MaskKey));
        QCOMPARE(left[2].maskKey, 0x01020304u);
        QCOMPARE(right[2].maskKey, 0xdeadbeefu);

        // Unmasked on one side: the mask bit and the key.
        spec.maskMode = MaskMode::None;
        right[2] = sent(spec, 1000, 100);
        const FrameDiff unmasked = diffFrames(traceOf(left), traceOf(right));
        QVERIFY(onlyDifference(unmasked));
        QCOMPARE(onlyDifference(unmasked)->differs, FrameField::MaskBit | FrameField::MaskKey);
    }

    void randomMaskKeysDifferByDesign()
    {
        FrameSpec a = text("hello");
        a.maskMode = MaskMode::Random;
        a.maskKey = 0xaaaaaaaa;
        FrameSpec b = a;
        b.maskKey = 0xbbbbbbbb;
        const Trace left = traceOf({sent(a, 0, 0)});
        const Trace right = traceOf({sent(b, 0, 0)});
        QCOMPARE(diffFrames(left, right).summary.equal, 1);
        FrameDiffOptions options;
        options.compareRandomMaskKeys = true;
        const FrameDiff strict = diffFrames(left, right, options);
        QCOMPARE(strict.summary.differing, 1);
        QCOMPARE(strict.rows[0].differs, FrameFields(FrameField::MaskKey));
    }

    void changedPayloadOctet()
    {
        const QByteArray payload = "0123456789abAcdefghij";
        QByteArray changed = payload;
        changed[12] = 'B';
        std::vector<FrameRecord> left = conversation(2);
        std::vector<FrameRecord> right = conversation(2);
        left.push_back(received(payload, 5000, 2));
        right.push_back(received(changed, 5000, 2));
        const FrameDiff diff = diffFrames(traceOf(left), traceOf(right));
        const FrameDiffRow *row = onlyDifference(diff);
        QVERIFY(row);
        QCOMPARE(row->left, 4);
        QCOMPARE(row->right, 4);
        QCOMPARE(row->differs, FrameFields(FrameField::Payload));
        QCOMPARE(row->payloadOffset, 12);
        QCOMPARE(row->leftOctet, 0x41);
        QCOMPARE(row->rightOctet, 0x42);

        // One octet longer: it differs where the shorter one ends, and in its length.
        right.back() = received(payload + "!", 5000, 2);
        const FrameDiff longer = diffFrames(traceOf(left), traceOf(right));
        QVERIFY(onlyDifference(longer));
        QCOMPARE(onlyDifference(longer)->differs, FrameField::Payload | FrameField::PayloadLength);
        QCOMPARE(onlyDifference(longer)->payloadOffset, payload.size());
        QCOMPARE(onlyDifference(longer)->leftOctet, kPayloadEnded);
        QCOMPARE(onlyDifference(longer)->rightOctet, int('!'));
    }

    void differentLengthEncoding()
    {
        FrameSpec minimal = text("short");
        FrameSpec wide = minimal;
        wide.lengthEncoding = LengthEncoding::Bits16; // 126 + 16-bit length for 5 octets
        const FrameDiff diff =
            diffFrames(traceOf({sent(minimal, 0, 0)}), traceOf({sent(wide, 0, 0)}));
        QCOMPARE(diff.rows.size(), size_t(1));
        QCOMPARE(diff.rows[0].kind, FrameDiffRow::Kind::Differs);
        QCOMPARE(diff.rows[0].differs, FrameFields(FrameField::LengthEncoding));

        // A declared length that differs from the payload sent: the header's length field.
        FrameSpec lying = minimal;
        lying.declaredLength = 9;
        const FrameDiff declared =
            diffFrames(traceOf({sent(minimal, 0, 0)}), traceOf({sent(lying, 0, 0)}));
        QCOMPARE(declared.rows[0].differs, FrameFields(FrameField::PayloadLength));
    }

    void violationsCompared()
    {
        std::vector<FrameRecord> left = conversation(2);
        std::vector<FrameRecord> right = conversation(2);
        right[1].violations = Violation::InvalidUtf8Text;
        const FrameDiff diff = diffFrames(traceOf(left), traceOf(right));
        QVERIFY(onlyDifference(diff));
        QCOMPARE(onlyDifference(diff)->differs, FrameFields(FrameField::Violations));
    }

    void sizeFallbackPairsByPosition()
    {
        // Frames inserted apart from each other: aligned, each is a row of its own.
        std::vector<FrameRecord> left = conversation(20);
        std::vector<FrameRecord> right = conversation(20);
        right.insert(right.begin() + 30, received("late", 15100));
        right.insert(right.begin() + 10, received("early", 5100));
        FrameDiff diff = diffFrames(traceOf(left), traceOf(right));
        QVERIFY(diff.aligned[int(Direction::Rx)]);
        QCOMPARE(diff.summary.onlyRight, 2);
        QCOMPARE(diff.summary.equal, 40);

        // Past the bound (here: one edit), the frames between the common start and end pair
        // by position: the second insertion then shifts the RX frames in between.
        FrameDiffOptions tight;
        tight.maxEditDistance = 1;
        diff = diffFrames(traceOf(left), traceOf(right), tight);
        QVERIFY(!diff.aligned[int(Direction::Rx)]);
        QVERIFY(diff.aligned[int(Direction::Tx)]); // nothing differs there
        QCOMPARE(diff.summary.onlyRight, 2);       // the longer side's last two in between
        QCOMPARE(diff.summary.differing, 10);      // the 6th echo to the 15th, shifted by one
        QCOMPARE(diff.summary.equal, 30);

        // A work bound does the same.
        FrameDiffOptions busy;
        busy.maxAlignmentWork = 3;
        QVERIFY(!diffFrames(traceOf(left), traceOf(right), busy).aligned[int(Direction::Rx)]);
    }

    void largeTracesStayBounded()
    {
        // 300,000 frames a side, every one different: the alignment gives up at its bound
        // (its state stays within (maxEditDistance + 1)² entries) and pairs by position.
        constexpr int kFrames = 300'000;
        std::vector<FrameRecord> left, right;
        left.reserve(kFrames);
        right.reserve(kFrames);
        for (int i = 0; i < kFrames; ++i) {
            left.push_back(received("L" + QByteArray::number(i), i));
            right.push_back(received("R" + QByteArray::number(i), i));
        }
        const Trace a = traceOf(std::move(left));
        const Trace b = traceOf(std::move(right));
        const FrameDiff diff = diffFrames(a, b);
        QVERIFY(!diff.aligned[int(Direction::Rx)]);
        QCOMPARE(diff.summary.differing, kFrames);
        QCOMPARE(diff.rows.size(), size_t(kFrames));

        // The same size with one frame inserted near the start: the common end costs nothing,
        // and the frames still align.
        std::vector<FrameRecord> same, inserted;
        for (int i = 0; i < kFrames; ++i) {
            same.push_back(received("F" + QByteArray::number(i), i));
            inserted.push_back(received("F" + QByteArray::number(i), i));
        }
        inserted.insert(inserted.begin() + 3, received("extra", 3));
        const FrameDiff one = diffFrames(traceOf(std::move(same)), traceOf(std::move(inserted)));
        QVERIFY(one.aligned[int(Direction::Rx)]);
        QCOMPARE(one.summary.onlyRight, 1);
        QCOMPARE(one.summary.equal, kFrames);
    }

    void harFramesHaveUnknownOctets()
    {
        // As the HAR import makes them: no stream offset, no TX facts, the message's payload.
        std::vector<FrameRecord> har;
        for (FrameRecord f : conversation(3)) {
            f.tx.reset();
            f.streamOffset = -1;
            f.masked = false;
            f.hasKey = false;
            f.maskKey = 0;
            f.rsv = 0;
            har.push_back(std::move(f));
        }
        har[3].payload = "message X"; // the second echo's payload differs
        std::vector<FrameRecord> live = conversation(3);
        live[4].rsv = 4; // a compressed frame live: the HAR cannot know its RSV1
        const FrameDiff diff = diffFrames(traceOf(live), traceOf(std::move(har)));
        QCOMPARE(diff.rows.size(), size_t(6));
        const FrameFields headerFields = FrameField::Fin | FrameField::Rsv1 | FrameField::Rsv2 |
                                         FrameField::Rsv3 | FrameField::MaskBit |
                                         FrameField::MaskKey | FrameField::LengthEncoding;
        for (const FrameDiffRow &row : diff.rows) {
            QCOMPARE(row.unknown, headerFields);
            // The masking of our frames and the RSV1 bit are not claimed to differ.
            if (row.left == 3) {
                QCOMPARE(row.differs, FrameFields(FrameField::Payload));
                QCOMPARE(row.payloadOffset, 8);
                QCOMPARE(row.leftOctet, int('1'));
                QCOMPARE(row.rightOctet, int('X'));
            } else {
                QCOMPARE(row.differs, FrameFields());
                QCOMPARE(row.kind, FrameDiffRow::Kind::Equal);
            }
        }
        QCOMPARE(diff.summary.withUnknown, 6);
        QCOMPARE(diff.summary.differing, 1);
    }

    void payloadNotKeptIsUnknown()
    {
        // The right trace kept only the first 4 octets of a 10-octet payload.
        FrameRecord whole = received("0123456789", 0);
        FrameRecord cut = whole;
        cut.payload.truncate(4);
        cut.payloadTruncated = true;
        const FrameDiff diff = diffFrames(traceOf({whole}), traceOf({cut}));
        QCOMPARE(diff.rows[0].kind, FrameDiffRow::Kind::Equal);
        QCOMPARE(diff.rows[0].unknown, FrameFields(FrameField::Payload));
        QCOMPARE(diff.rows[0].payloadOffset, 4); // compared equal up to there
    }

    void liveRunsAgainstTheEchoServer()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        const Trace first = liveRun(echo.url(), {message("hello world"), test::closeStep(1000)});
        const Trace again = liveRun(echo.url(), {message("hello world"), test::closeStep(1000)});
        const Trace changed = liveRun(echo.url(), {message("hello World"), message("and more"),
                                                   test::closeStep(1001, "bye")});
        QCOMPARE(first.frames().size(), size_t(4));

        // Two runs of the same steps: equal (their random mask keys are not a difference).
        FrameDiff diff = diffFrames(first, again);
        QCOMPARE(diff.summary.equal, 4);
        QCOMPARE(diff.summary.differences(), 0);
        QVERIFY(diffClosing(closingSideOf(first), closingSideOf(again)).empty());

        // The changed run: our text and its echo differ at octet 6, "and more" and its echo are
        // only on the right, and the close frames differ in their payload (code and reason).
        diff = diffFrames(first, changed);
        QCOMPARE(diff.summary.onlyRight, 2);
        QCOMPARE(diff.summary.differing, 4);
        QCOMPARE(diff.summary.equal, 0);
        int textRows = 0;
        for (const FrameDiffRow &row : diff.rows) {
            if (row.kind != FrameDiffRow::Kind::Differs ||
                first.frames()[size_t(row.left)].opcode != 1)
                continue;
            ++textRows;
            QCOMPARE(row.differs, FrameFields(FrameField::Payload));
            QCOMPARE(row.payloadOffset, 6);
            QCOMPARE(row.leftOctet, int('w'));
            QCOMPARE(row.rightOctet, int('W'));
        }
        QCOMPARE(textRows, 2);
        // The close frames pair with each other, not with "and more" in between.
        for (const FrameDiffRow &row : diff.rows) {
            if (row.kind == FrameDiffRow::Kind::OnlyRight) {
                QCOMPARE(wirePayload(changed, changed.frames()[size_t(row.right)]),
                         QByteArray("and more"));
            } else if (first.frames()[size_t(row.left)].opcode == 8) {
                QCOMPARE(changed.frames()[size_t(row.right)].opcode, quint8(8));
                QVERIFY(row.differs.testFlag(FrameField::Payload));
            }
        }

        // Its closing: the codes differ as the report writes them, both closed cleanly.
        const std::vector<ClosingDifference> closing =
            diffClosing(closingSideOf(first), closingSideOf(changed));
        QStringList fields;
        for (const ClosingDifference &d : closing)
            fields << d.field;
        QVERIFY2(fields.contains(u"localCloseCode"_s), qPrintable(fields.join(u", "_s)));
        QVERIFY(!fields.contains(u"wasClean"_s));
        const auto code = std::find_if(closing.begin(), closing.end(), [](const auto &d) {
            return d.field == u"localCloseCode"_s;
        });
        QCOMPARE(code->left, u"1000"_s);
        QCOMPARE(code->right, u"1001"_s);

        // A run that drops TCP instead of closing: wasClean and the verdict differ.
        const Trace dropped =
            liveRun(echo.url(), {message("hello world"), Step::makeKind(Step::Kind::Drop)});
        const ClosingSide droppedSide = closingSideOf(dropped);
        fields.clear();
        for (const ClosingDifference &d : diffClosing(closingSideOf(first), droppedSide))
            fields << d.field;
        QVERIFY2(fields.contains(u"wasClean"_s), qPrintable(fields.join(u", "_s)));
        QVERIFY(fields.contains(u"droppedByMe"_s));
        QVERIFY(fields.contains(u"behaviorClose"_s));
    }
};

QTEST_GUILESS_MAIN(tst_FrameDiff)
#include "tst_framediff.moc"
