// SPDX-License-Identifier: MIT
// libFuzzer target for the incremental frame parser.
//
// Input layout: octet 0 chooses where the stream is split into two feeds, octet 1 the parser
// options (role, allowed RSV bits, UTF-8 check, size limit, permessage-deflate), the rest is the
// stream.
// Besides "no crash, no leak, no UB" it checks the parser's central promise: the same octets give
// the same frames and the same state however they are split (one shot, two feeds, one octet at a
// time), and the structural invariants of every decoded frame.
#include "protocol/frameparser.h"

#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace wsi;

namespace {

void require(bool condition, const char *what)
{
    if (condition)
        return;
    std::fprintf(stderr, "fuzz_parser: %s\n", what);
    std::abort();
}

void requireSameFrame(const DecodedFrame &a, const DecodedFrame &b)
{
    require(a.streamOffset == b.streamOffset, "streamOffset differs");
    require(a.opcode == b.opcode, "opcode differs");
    require(a.fin == b.fin, "fin differs");
    require(a.rsv == b.rsv, "rsv differs");
    require(a.masked == b.masked, "masked differs");
    require(a.maskKey == b.maskKey, "maskKey differs");
    require(a.extendedLengthSize == b.extendedLengthSize, "extendedLengthSize differs");
    require(a.compressed == b.compressed, "compressed differs");
    require(a.payloadLength == b.payloadLength, "payloadLength differs");
    require(a.violations == b.violations, "violations differ");
    require(a.utf8ErrorOffset == b.utf8ErrorOffset, "utf8ErrorOffset differs");
    require(a.payloadTruncated == b.payloadTruncated, "payloadTruncated differs");
    require(a.payload == b.payload, "payload differs");
}

void requireSameResult(const std::vector<DecodedFrame> &a, const FrameParser &pa,
                       const std::vector<DecodedFrame> &b, const FrameParser &pb)
{
    require(a.size() == b.size(), "frame count differs");
    for (size_t i = 0; i < a.size(); ++i)
        requireSameFrame(a[i], b[i]);
    require(pa.streamPosition() == pb.streamPosition(), "streamPosition differs");
    require(pa.hasPartialFrame() == pb.hasPartialFrame(), "hasPartialFrame differs");
    require(pa.pendingViolations() == pb.pendingViolations(), "pendingViolations differ");
    require(pa.inMessage() == pb.inMessage(), "inMessage differs");
    require(pa.messageCompressed() == pb.messageCompressed(), "messageCompressed differs");
    requireSameFrame(pa.partialFrame(), pb.partialFrame());
}

FrameParser::Options optionsFrom(uint8_t octet)
{
    static const qint64 limits[] = {0, 1, 2, 125, 126, 4096, 65536, 1024 * 1024};
    FrameParser::Options o;
    o.serverRole = (octet & 0x01) != 0;
    o.validateUtf8 = (octet & 0x02) == 0;
    o.allowedRsv = (octet & 0x04) ? 4 : 0;
    o.maxFramePayload = limits[(octet >> 3) & 0x7];
    o.deflate = (octet & 0x40) != 0;
    return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const FrameParser::Options options = optionsFrom(data[1]);
    const char *stream = reinterpret_cast<const char *>(data + 2);
    const auto n = qsizetype(size - 2);
    const qsizetype split = n * data[0] / 255;

    FrameParser whole(options);
    std::vector<DecodedFrame> wholeFrames;
    whole.feed(stream, n, wholeFrames);

    FrameParser twice(options);
    std::vector<DecodedFrame> twiceFrames;
    twice.feed(stream, split, twiceFrames);
    twice.feed(stream + split, n - split, twiceFrames);
    requireSameResult(wholeFrames, whole, twiceFrames, twice);

    if (n <= 4096) {
        FrameParser octets(options);
        std::vector<DecodedFrame> octetFrames;
        for (qsizetype i = 0; i < n; ++i)
            octets.feed(stream + i, 1, octetFrames);
        requireSameResult(wholeFrames, whole, octetFrames, octets);
    }

    // Structure: frames are back to back from offset 0, payloads within the limit.
    qint64 offset = 0;
    for (const DecodedFrame &f : wholeFrames) {
        require(f.streamOffset == offset, "frames not back to back");
        require(f.extendedLengthSize == 0 || f.extendedLengthSize == 2 || f.extendedLengthSize == 8,
                "bad extendedLengthSize");
        const auto kept = qint64(qMin<quint64>(f.payloadLength, quint64(options.maxFramePayload)));
        require(f.payload.size() == kept, "payload size is not min(length, limit)");
        require(f.payloadTruncated == (f.payloadLength > quint64(options.maxFramePayload)),
                "payloadTruncated wrong");
        require(f.payload.isEmpty() || f.payload.constData()[f.payload.size()] == '\0',
                "payload not terminated");
        require(f.utf8ErrorOffset >= -1 && f.utf8ErrorOffset <= qint64(f.payloadLength),
                "utf8ErrorOffset out of range");
        const bool utf8Violation = f.violations.testAnyFlags(Violation::InvalidUtf8Text |
                                                             Violation::InvalidUtf8CloseReason);
        require(utf8Violation == (f.utf8ErrorOffset >= 0), "utf8ErrorOffset without violation");
        // RFC 7692 §6.1: compressed only under the agreement, and never checked as text.
        require(!f.compressed || options.deflate, "compressed without permessage-deflate");
        require(!f.compressed || !f.violations.testFlag(Violation::InvalidUtf8Text),
                "compressed payload checked as UTF-8");
        require(options.deflate || !f.violations.testAnyFlags(Violation::CompressedControlFrame |
                                                              Violation::CompressedContinuation),
                "a permessage-deflate rule without the agreement");
        offset += f.frameSize();
    }
    require(offset <= whole.streamPosition(), "frames beyond the stream");
    require(whole.streamPosition() == n, "not every octet consumed");
    require(whole.hasPartialFrame() == (offset < n), "partial frame state wrong");
    if (whole.hasPartialFrame())
        require(whole.partialFrame().streamOffset == offset, "partial frame offset wrong");
    return 0;
}
