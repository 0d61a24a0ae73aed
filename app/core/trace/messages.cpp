// SPDX-License-Identifier: MIT
#include "trace/messages.h"

#include "trace/inflation.h"

#include <algorithm>
#include <optional>

namespace wsi {

namespace {

// Wire payload octets of a frame: TX after repetition, RX the header's length.
qint64 wireLength(const FrameRecord &frame)
{
    if (frame.direction == Direction::Tx && frame.tx) {
        if (frame.tx->repeatLength)
            return std::max<qint64>(*frame.tx->repeatLength, 0);
        return frame.tx->basePayloadLength;
    }
    if (frame.direction == Direction::Tx)
        return frame.payload.size();
    return qint64(std::min<quint64>(frame.payloadLength, quint64(1) << 40));
}

} // namespace

std::vector<TraceMessage> traceMessages(const Trace &trace, const MessageOptions &options)
{
    std::vector<TraceMessage> out;
    qint64 budget = std::max<qint64>(options.maxTotalPayload, 0);
    // The data message being assembled in each direction, as an index into `out`.
    std::optional<size_t> open[2];

    const auto addFrame = [&](TraceMessage &m, const FrameRecord &f, qint64 index) {
        m.frames.push_back(index);
        m.lastTimeNs = f.timeNs;
        const qint64 length = wireLength(f);
        m.size += length;
        // Only what is left of the budget: a huge frame is read no further than that.
        const qint64 take = std::min(length, budget);
        if (take > 0) {
            const QByteArray part = wirePayload(trace, f, take);
            m.payload += part;
            budget -= part.size();
        }
    };
    const auto begin = [&](const FrameRecord &f, qint64 index) -> TraceMessage & {
        TraceMessage m;
        m.direction = f.direction;
        m.opcode = f.opcode;
        m.firstTimeNs = f.timeNs;
        out.push_back(std::move(m));
        addFrame(out.back(), f, index);
        return out.back();
    };

    const FrameVector &frames = trace.frames();
    for (size_t i = 0; i < frames.size(); ++i) {
        const FrameRecord &f = frames[i];
        const int d = int(f.direction);
        if (isControlOpcode(f.opcode)) {
            if (options.includeControl)
                begin(f, qint64(i)).complete = f.fin && !f.incomplete;
            continue;
        }
        if (f.opcode == quint8(Opcode::Continuation) && open[d]) {
            TraceMessage &m = out[*open[d]];
            addFrame(m, f, qint64(i));
            if (f.fin || f.incomplete) {
                m.complete = !f.incomplete;
                open[d].reset();
            }
            continue;
        }
        // A new data message (or a stray continuation): the open one never got its FIN.
        open[d].reset();
        TraceMessage &m = begin(f, qint64(i));
        if (f.fin || f.incomplete)
            m.complete = !f.incomplete;
        else
            open[d] = out.size() - 1;
    }
    // Compressed messages: inflated by the one inflation of the trace, in order.
    const DeflateAgreement agreement = traceDeflateAgreement(trace);
    if (agreement.agreed) {
        TraceInflation inflation(agreement, TraceInflation::kDefaultMaxMessageOctets,
                                 std::max<qint64>(options.maxTotalPayload, 0));
        inflation.addFrames(trace);
        for (TraceMessage &m : out) {
            if (m.isControl() || m.frames.empty())
                continue;
            const TraceInflation::Message *im = inflation.messageOfFrame(m.frames.front());
            if (!im)
                continue;
            m.compressed = true;
            m.inflatedSize = im->inflatedOctets;
            m.inflated = im->inflated;
            m.inflatedComplete = im->inflatedKept && im->state == TraceInflation::State::Inflated;
            m.inflateError = im->error;
        }
    }
    return out;
}

} // namespace wsi
