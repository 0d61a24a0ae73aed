// SPDX-License-Identifier: MIT
#include "trace/inflation.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

std::optional<double> ratioOf(qint64 wire, qint64 app)
{
    if (app <= 0)
        return std::nullopt;
    return double(wire) / double(app);
}

constexpr quint8 kRsv1 = 4;

} // namespace

DeflateAgreement traceDeflateAgreement(const Trace &trace)
{
    QByteArray request;
    QByteArray response;
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == TraceEvent::Kind::HandshakeRequest && request.isEmpty())
            request = e.text.toLatin1();
        else if (e.kind == TraceEvent::Kind::HandshakeResponse && response.isEmpty())
            response = e.text.toLatin1();
        if (!request.isEmpty() && !response.isEmpty())
            break;
    }
    if (request.isEmpty() || response.isEmpty())
        return {};
    const DeflateNegotiation n = negotiateDeflate(request, response);
    if (!n.failure.isEmpty())
        return {};
    return n.agreement;
}

std::optional<double> DeflateStatistics::rxRatio() const
{
    return ratioOf(rxWireOctets, rxAppOctets);
}

std::optional<double> DeflateStatistics::txRatio() const
{
    return ratioOf(txWireOctets, txAppOctets);
}

std::optional<double> TraceInflation::Message::ratio() const
{
    if (state != State::Inflated)
        return std::nullopt;
    return ratioOf(wireOctets, inflatedOctets);
}

TraceInflation::TraceInflation(const DeflateAgreement &agreement, qint64 maxMessageOctets,
                               qint64 maxKeptOctets)
    : m_agreement(agreement), m_maxMessage(maxMessageOctets), m_keptBudget(maxKeptOctets)
{
    if (!m_agreement.agreed)
        return;
    // What the server sends is compressed with the server's window, ours with the client's.
    DirectionState &rx = m_dir[int(Direction::Rx)];
    rx.noContextTakeover = agreement.serverNoContextTakeover;
    rx.inflater = std::make_unique<Inflater>(agreement.serverWindowBits,
                                             agreement.serverNoContextTakeover, m_maxMessage);
    DirectionState &tx = m_dir[int(Direction::Tx)];
    tx.noContextTakeover = agreement.clientNoContextTakeover;
    tx.inflater = std::make_unique<Inflater>(agreement.clientWindowBits,
                                             agreement.clientNoContextTakeover, m_maxMessage);
}

void TraceInflation::loseContext(DirectionState &d, const QString &why)
{
    // Without context takeover every message starts afresh: nothing later depends on this one.
    if (d.noContextTakeover) {
        d.inflater->reset();
        return;
    }
    d.contextLost = true;
    d.lostBecause = why;
}

void TraceInflation::finish(DirectionState &d, Message &m, State state)
{
    m.state = state;
    d.open.reset();
    const bool rx = m.direction == Direction::Rx;
    if (state == State::Inflated) {
        (rx ? m_stats.rxAppOctets : m_stats.txAppOctets) += m.inflatedOctets;
        (rx ? m_stats.rxWireOctets : m_stats.txWireOctets) += m.wireOctets;
    } else {
        ++(rx ? m_stats.rxFailedMessages : m_stats.txFailedMessages);
    }
}

void TraceInflation::addFrames(const Trace &trace, qint64 fromIndex)
{
    const FrameVector &frames = trace.frames();
    for (size_t i = size_t(std::max<qint64>(fromIndex, 0)); i < frames.size(); ++i)
        addFrame(trace, frames[i], qint64(i));
}

void TraceInflation::addFrame(const Trace &trace, const FrameRecord &frame, qint64 index)
{
    m_framesSeen = std::max(m_framesSeen, index + 1);
    if (!m_agreement.agreed || isControlOpcode(frame.opcode) || isReservedOpcode(frame.opcode))
        return;
    DirectionState &d = m_dir[int(frame.direction)];
    const bool rx = frame.direction == Direction::Rx;
    const bool continuation = frame.opcode == quint8(Opcode::Continuation);
    const qint64 length = wirePayloadSize(frame);

    if (continuation && d.plainOpen) {
        (rx ? m_stats.rxWireOctets : m_stats.txWireOctets) += length;
        (rx ? m_stats.rxAppOctets : m_stats.txAppOctets) += length;
        if (frame.fin || frame.incomplete)
            d.plainOpen = false;
        return;
    }
    if (continuation && !d.open)
        return; // a stray continuation: no message to inflate
    if (!continuation) {
        if (d.open) {
            // A new message before the open one's FIN: the inflater is mid-stream.
            finish(d, m_messages[*d.open], State::Interrupted);
            d.inflater->reset();
            loseContext(d, u"an earlier message was interrupted"_s);
        }
        d.plainOpen = false;
        if (!(frame.rsv & kRsv1)) {
            // Uncompressed: the application octets are the wire octets.
            (rx ? m_stats.rxWireOctets : m_stats.txWireOctets) += length;
            (rx ? m_stats.rxAppOctets : m_stats.txAppOctets) += length;
            d.plainOpen = !frame.fin && !frame.incomplete;
            return;
        }
        Message m;
        m.direction = frame.direction;
        m.firstFrame = index;
        m_messages.push_back(std::move(m));
        d.open = m_messages.size() - 1;
        ++(rx ? m_stats.rxCompressedMessages : m_stats.txCompressedMessages);
    }
    Message &m = m_messages[*d.open];
    m_frameToMessage.emplace(index, *d.open);
    m.lastFrame = index;
    m.wireOctets += length;

    if (m.state == State::Open && d.contextLost) {
        m.state = State::Unknown;
        m.error = u"not inflated: "_s + d.lostBecause;
    }
    if (m.state == State::Open) {
        const QByteArray payload = wirePayload(trace, frame);
        if (payload.size() < length || frameOctetsUnknown(frame)) {
            m.state = State::Unknown;
            m.error = u"not inflated: the trace does not hold all of its octets"_s;
            d.inflater->reset();
            loseContext(d, u"an earlier message's octets are not in the trace"_s);
        } else {
            QByteArray out;
            Inflater::Status status = d.inflater->feed(payload, out);
            if (status == Inflater::Status::Ok && frame.fin)
                status = d.inflater->finishMessage(out);
            m.inflatedOctets += out.size();
            if (m.inflatedKept) {
                if (out.size() <= m_keptBudget) {
                    m.inflated += out;
                    m_keptBudget -= out.size();
                } else {
                    m.inflatedKept = false;
                    m_keptBudget += m.inflated.size();
                    m.inflated = QByteArray();
                }
            }
            if (status != Inflater::Status::Ok) {
                m.state = State::Failed;
                m.error = status == Inflater::Status::TooLarge
                              ? u"inflates past the size limit of %1 octets"_s.arg(m_maxMessage)
                              : d.inflater->errorText();
                m.errorOffset =
                    status == Inflater::Status::TooLarge ? -1 : d.inflater->errorOffset();
                d.inflater->reset();
                loseContext(d, u"an earlier message did not inflate"_s);
            }
        }
    }
    if (frame.fin || frame.incomplete) {
        State end = m.state;
        if (end == State::Open)
            end = frame.incomplete ? State::Interrupted : State::Inflated;
        if (frame.incomplete && end == State::Interrupted) {
            d.inflater->reset();
            loseContext(d, u"an earlier message was cut short"_s);
        }
        finish(d, m, end);
    }
}

const TraceInflation::Message *TraceInflation::messageOfFrame(qint64 frameIndex) const
{
    const auto it = m_frameToMessage.find(frameIndex);
    return it == m_frameToMessage.end() ? nullptr : &m_messages[it->second];
}

DeflateStatistics deflateStatistics(const Trace &trace)
{
    const DeflateAgreement agreement = traceDeflateAgreement(trace);
    if (!agreement.agreed)
        return {};
    // Octets are counted, not kept: nothing of the inflated payloads is needed here.
    TraceInflation inflation(agreement, TraceInflation::kDefaultMaxMessageOctets, 0);
    inflation.addFrames(trace);
    return inflation.statistics();
}

} // namespace wsi
