// SPDX-License-Identifier: MIT
#include "trace/trace.h"

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsi {

FrameRecord txFrameRecord(const FrameSpec &spec, qint64 encodedSize, qint64 timeNs,
                          qint64 streamOffset)
{
    FrameRecord r;
    r.timeNs = timeNs;
    r.streamOffset = streamOffset;
    r.payloadLength = spec.headerLength();
    r.payload = spec.payload;
    r.maskKey = spec.writesMaskKey() ? spec.maskKey : 0;
    r.opcode = quint8(spec.opcode);
    r.rsv = quint8(spec.rsv);
    r.extendedLengthSize = extendedLengthSizeOf(spec);
    r.direction = Direction::Tx;
    r.fin = spec.fin;
    r.masked = spec.hasMaskBit();
    r.hasKey = spec.writesMaskKey();
    TxFrameInfo info;
    info.basePayloadLength = spec.payload.size();
    info.repeatLength = spec.repeatLength;
    info.declaredLength = spec.declaredLength;
    info.lengthEncoding = spec.lengthEncoding;
    info.maskMode = spec.maskMode;
    info.chopSize = spec.chopSize;
    info.sync = spec.sync;
    info.encodedSize = encodedSize;
    r.tx = makeTxInfo(info);
    return r;
}

FrameRecord rxFrameRecord(DecodedFrame &&frame, qint64 timeNs, qint64 streamBase,
                          bool payloadDerived)
{
    FrameRecord r;
    r.timeNs = timeNs;
    r.streamOffset = streamBase + frame.streamOffset;
    r.payloadLength = frame.payloadLength;
    r.payload = std::move(frame.payload);
    r.maskKey = frame.maskKey;
    r.violations = frame.violations;
    // Kept payloads are far below 2 GiB; an offset past it saturates (see FrameRecord).
    r.utf8ErrorOffset =
        qint32(std::min<qint64>(frame.utf8ErrorOffset, std::numeric_limits<qint32>::max()));
    r.opcode = frame.opcode;
    r.rsv = frame.rsv;
    r.extendedLengthSize = frame.extendedLengthSize;
    r.direction = Direction::Rx;
    r.fin = frame.fin;
    r.masked = frame.masked;
    r.hasKey = frame.masked; // a parsed mask bit always comes with its key
    r.payloadTruncated = frame.payloadTruncated;
    r.payloadDerived = payloadDerived;
    return r;
}

FrameParser::Options frameParserOptions(Direction from, qint64 maxFramePayload,
                                        bool storeDataPayloads)
{
    FrameParser::Options options;
    options.serverRole = from == Direction::Tx;
    options.maxFramePayload = maxFramePayload;
    options.storeDataPayloads = storeDataPayloads;
    return options;
}

QString sessionStateName(SessionState state)
{
    switch (state) {
    case SessionState::Idle:
        return u"IDLE"_s;
    case SessionState::Connecting:
        return u"CONNECTING"_s;
    case SessionState::Open:
        return u"OPEN"_s;
    case SessionState::Closing:
        return u"CLOSING"_s;
    case SessionState::Closed:
        return u"CLOSED"_s;
    }
    return {};
}

bool tcpEndedByPeer(TcpEnd end)
{
    return end == TcpEnd::PeerFin || end == TcpEnd::PeerReset || end == TcpEnd::PeerTls;
}

QString tcpEndText(TcpEnd end, const QString &socketText)
{
    switch (end) {
    case TcpEnd::PeerFin:
        return u"the server closed TCP (FIN)"_s;
    case TcpEnd::PeerReset:
        return u"the server reset the connection (RST)"_s;
    case TcpEnd::PeerTls:
        return u"the server ended the TLS session (close_notify), then TCP closed"_s;
    case TcpEnd::OurClose:
        return u"we closed TCP (FIN)"_s;
    case TcpEnd::OurAbort:
        return u"we aborted TCP"_s;
    case TcpEnd::SocketError:
        return u"the connection failed: "_s + socketText;
    case TcpEnd::NoConnection:
        return socketText.isEmpty() ? u"no connection"_s : u"no connection: "_s + socketText;
    case TcpEnd::Unknown:
        break;
    }
    return socketText;
}

QString tlsProtocolDisplayName(const QString &protocol)
{
    if (protocol.startsWith(u"TLSv"_s))
        return u"TLS "_s + protocol.mid(4);
    return protocol;
}

const TlsInfo *tlsInfo(const Trace &trace)
{
    // The Connected event is among the first few: TCP (and TLS) come before everything else.
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == TraceEvent::Kind::Connected)
            return e.tls.data();
        if (e.kind == TraceEvent::Kind::HandshakeRequest)
            break;
    }
    return nullptr;
}

bool Trace::admit(qint64 cost, Direction d, qint64 offset, qint64 timeNs, bool frame)
{
    if (m_limitReached)
        return false;
    if (frame && qint64(m_frames.size()) >= m_limits.maxStoredFrames) {
        stopStorage(d, offset, timeNs, u"frames"_s);
        return false;
    }
    if (m_storedCost + cost > m_limits.maxStoredOctets) {
        stopStorage(d, offset, timeNs, u"budget"_s);
        return false;
    }
    m_storedCost += cost;
    return true;
}

void Trace::stopStorage(Direction d, qint64 offset, qint64 timeNs, const QString &limit)
{
    m_limitReached = true;
    TraceEvent note;
    note.timeNs = timeNs;
    note.kind = TraceEvent::Kind::TraceLimitReached;
    note.text = limit;
    note.streamOffset = offset;
    note.direction = d;
    appendEvent(std::move(note));
}

bool Trace::keepPastStop(const TraceEvent &event)
{
    using K = TraceEvent::Kind;
    switch (event.kind) {
    case K::CloseReceived: // one a close frame: the server decides how many
    case K::Note:
    case K::Error:
    case K::CertificateError:
        if (m_keptPastStop >= kKeptPastStop)
            return false;
        ++m_keptPastStop;
        return true;
    default:
        return true; // one each, or one per step of ours: they decide the verdict
    }
}

std::optional<Trace::StorageStop> Trace::storageStop() const
{
    if (!m_limitReached)
        return std::nullopt;
    for (const TraceEvent &e : m_events) {
        if (e.kind == TraceEvent::Kind::TraceLimitReached)
            return StorageStop{e.timeNs, e.streamOffset, e.direction, e.text};
    }
    return std::nullopt;
}

QString storageStopText(const Trace &trace)
{
    const std::optional<Trace::StorageStop> stop = trace.storageStop();
    if (!stop)
        return {};
    const QString where = u"at "_s + (stop->direction == Direction::Rx ? u"RX"_s : u"TX"_s) +
                          u" octet "_s + QString::number(stop->streamOffset);
    const QString why = stop->limit == u"frames"_s
                            ? u"the limit of "_s + QString::number(trace.limits().maxStoredFrames) +
                                  u" stored frames is reached"_s
                            : u"the trace budget of "_s +
                                  QString::number(trace.limits().maxStoredOctets) +
                                  u" octets is spent"_s;
    return where + u": "_s + why + u"; later octets and frames are counted, not stored"_s;
}

void Trace::appendChunk(OctetChunk &&chunk)
{
    const int d = int(chunk.direction);
    const qint64 offset = m_octets[d];
    m_octets[d] += chunk.size;
    if (chunk.size > 0) {
        CountMap &stats = chunk.direction == Direction::Rx ? m_stats.rxOctets : m_stats.txOctets;
        ++stats[chunk.size];
    }
    chunk.timeNs = inOrder(chunk.timeNs);
    if (!admit(recordCost(chunk), chunk.direction, offset, chunk.timeNs, false))
        return; // counted, not stored
    // A written chunk gets a copy of our own, allocated in this (the consumer's) thread: the
    // session thread's malloc arena then holds only what is handed over and freed again, and is
    // reused. Kept there, stored writes would sit between its short-lived blocks and pin a page
    // of holes each (+6 % resident at a 1 GiB budget). A read is kept as it comes: a view on one
    // of the session's large blocks (trace/octetarena.h), which pins no holes, and copying it
    // would be a second pass over every octet received.
    if (chunk.direction == Direction::Tx && !chunk.data.isEmpty())
        chunk.data = QByteArray(chunk.data.constData(), chunk.data.size());
    m_chunksByDir[d].push_back(quint32(m_chunks.size()));
    m_entries.push_back({RecordKind::Chunk, quint32(m_chunks.size())});
    m_chunks.push_back(std::move(chunk));
}

qint64 Trace::inOrder(qint64 timeNs)
{
    m_lastTimeNs = std::max(m_lastTimeNs, timeNs);
    return m_lastTimeNs;
}

void Trace::countFrame(FrameRecord &frame)
{
    const int d = int(frame.direction);
    if (!frame.incomplete) {
        ++m_frameCounts[d];
        ++m_opcodeCounts[d][frame.opcode & 0xF];
    }
    // Written only when it changes: an adopted block's records are the producer's cache lines.
    // The producer never reads or writes an element again once it handed it over.
    if (frame.timeNs < m_lastTimeNs)
        frame.timeNs = m_lastTimeNs;
    m_lastTimeNs = frame.timeNs;
}

void Trace::appendFrame(FrameRecord &&frame)
{
    countFrame(frame);
    const qint64 cost = recordCost(frame);
    const int d = int(frame.direction);
    if (!admit(cost, frame.direction, m_octets[d], frame.timeNs, true)) {
        // A rule-breaking frame of ours decides the closing verdict (docs/closing.md): kept.
        if (frame.direction != Direction::Tx || frame.violations == Violation::None ||
            m_keptPastStop >= kKeptPastStop)
            return;
        ++m_keptPastStop;
        m_storedCost += cost;
    }
    m_entries.push_back({RecordKind::Frame, quint32(m_frames.size())});
    m_frames.push_back(std::move(frame));
}

void Trace::appendEvent(TraceEvent &&event)
{
    if (event.kind == TraceEvent::Kind::StateChanged)
        m_state = event.state;
    event.timeNs = inOrder(event.timeNs);
    // Events are few and decide the closing behaviour: stored also past the budget, except
    // those a server can make us record as often as it likes.
    if (m_limitReached && !keepPastStop(event))
        return;
    m_storedCost += recordCost(event);
    m_entries.push_back({RecordKind::Event, quint32(m_events.size())});
    m_events.push_back(std::move(event));
}

void Trace::append(TraceRecord record)
{
    if (auto *chunk = std::get_if<OctetChunk>(&record))
        appendChunk(std::move(*chunk));
    else if (auto *frame = std::get_if<FrameRecord>(&record))
        appendFrame(std::move(*frame));
    else
        appendEvent(std::move(std::get<TraceEvent>(record)));
}

void Trace::append(TraceBatch &&batch)
{
    size_t c = 0;
    size_t e = 0;
    size_t s = 0;       // the frame slice
    size_t j = 0;       // the frame within it
    size_t base = 0;    // where the slice's first frame went in m_frames
    bool whole = false; // the slice was stored at once (adopted, or moved in one go)
    for (const RecordKind kind : batch.order) {
        switch (kind) {
        case RecordKind::Chunk:
            appendChunk(std::move(batch.chunks[c++]));
            break;
        case RecordKind::Frame: {
            const FrameSlice &slice = batch.frames[s];
            if (j == 0) {
                // A slice that fits under the limits is stored whole: without a copy when its
                // block lines up with ours (the usual case for a session's trace).
                base = m_frames.size();
                whole = !m_limitReached && qint64(base + slice.count) <= m_limits.maxStoredFrames;
                if (whole) {
                    qint64 cost = 0;
                    const FrameRecord *first = slice.block->data() + slice.first;
                    for (size_t k = 0; k < slice.count; ++k)
                        cost += recordCost(first[k]);
                    whole = m_storedCost + cost <= m_limits.maxStoredOctets;
                    if (whole) {
                        m_storedCost += cost;
                        m_frames.appendSlice(slice);
                    }
                }
            }
            if (whole) {
                countFrame(m_frames[base + j]);
                m_entries.push_back({RecordKind::Frame, quint32(base + j)});
            } else {
                appendFrame(std::move(slice.block->data()[slice.first + j]));
            }
            if (++j == slice.count) {
                ++s;
                j = 0;
            }
            break;
        }
        case RecordKind::Event:
            appendEvent(std::move(batch.events[e++]));
            break;
        }
    }
    batch = TraceBatch{};
}

const WireStatistics &Trace::statistics() const
{
    for (int d = 0; d < 2; ++d) {
        CountMap &frames = d == int(Direction::Rx) ? m_stats.rxFrames : m_stats.txFrames;
        frames.clear();
        for (int op = 0; op < 16; ++op) {
            if (m_opcodeCounts[d][op] > 0)
                frames[op] = m_opcodeCounts[d][op];
        }
    }
    return m_stats;
}

void Trace::clear()
{
    *this = Trace(m_limits);
}

qsizetype Trace::chunkPosition(Direction d, qint64 offset) const
{
    const auto &indices = m_chunksByDir[int(d)];
    // The last chunk starting at or before `offset` (chunks of one direction are in stream order).
    auto it = std::upper_bound(
        indices.begin(), indices.end(), offset,
        [this](qint64 value, quint32 index) { return value < m_chunks[index].streamOffset; });
    if (it == indices.begin())
        return -1;
    --it;
    const OctetChunk &chunk = m_chunks[*it];
    if (offset >= chunk.streamOffset + chunk.size)
        return -1;
    return qsizetype(it - indices.begin());
}

qsizetype Trace::chunkAt(Direction d, qint64 offset) const
{
    const qsizetype pos = chunkPosition(d, offset);
    return pos < 0 ? -1 : qsizetype(m_chunksByDir[int(d)][size_t(pos)]);
}

QByteArray Trace::streamOctets(Direction d, qint64 offset, qint64 size) const
{
    QByteArray out;
    if (size <= 0 || offset < 0)
        return out;
    const auto &indices = m_chunksByDir[int(d)];
    qsizetype at = chunkPosition(d, offset);
    if (at < 0)
        return out;
    qint64 pos = offset;
    const qint64 end = offset + size;
    for (; size_t(at) < indices.size() && pos < end; ++at) {
        const OctetChunk &chunk = m_chunks[indices[size_t(at)]];
        const qint64 from = pos - chunk.streamOffset;
        const qint64 available = qint64(chunk.data.size()) - from;
        if (available <= 0)
            break; // the rest of this chunk was not kept
        const qint64 take = std::min(available, end - pos);
        out.append(chunk.data.constData() + from, qsizetype(take));
        pos += take;
        if (take < chunk.size - from)
            break;
    }
    return out;
}

QByteArray Trace::framePayload(const FrameRecord &frame, qint64 maxOctets) const
{
    if (!frame.payloadDerived || frame.streamOffset < 0)
        return maxOctets < 0 ? frame.payload : frame.payload.left(qsizetype(maxOctets));
    qint64 size = qint64(std::min<quint64>(frame.payloadLength, quint64(1) << 40));
    if (maxOctets >= 0)
        size = std::min(size, maxOctets);
    QByteArray payload =
        streamOctets(frame.direction, frame.streamOffset + frame.headerSize(), size);
    if (frame.hasKey)
        applyMask(payload.data(), payload.size(), frame.maskKey);
    return payload;
}

QByteArray Trace::frameOctets(const FrameRecord &frame) const
{
    if (frame.streamOffset < 0)
        return {};
    qint64 size = frame.headerSize();
    if (frame.direction == Direction::Tx && frame.tx)
        size = frame.tx->encodedSize;
    else
        size += qint64(std::min<quint64>(frame.payloadLength, quint64(1) << 40));
    return streamOctets(frame.direction, frame.streamOffset, size);
}

QByteArray wirePayload(const Trace &trace, const FrameRecord &frame, qint64 maxOctets)
{
    if (frame.direction == Direction::Tx && frame.tx && frame.tx->repeatLength) {
        // The record holds the base pattern; the wire carried it repeated to repeatLength.
        const qint64 length = std::max<qint64>(*frame.tx->repeatLength, 0);
        return repeatPattern(frame.payload, maxOctets < 0 ? length : std::min(length, maxOctets));
    }
    // Stored in the record, or only in the octet chunks (read that far and unmasked).
    return trace.framePayload(frame, maxOctets);
}

qint64 wirePayloadSize(const FrameRecord &frame)
{
    // A header's length may say up to 2^63 - 1; half of qint64's range leaves room for sums.
    const auto headerLength = [&frame] {
        return qint64(std::min<quint64>(frame.payloadLength,
                                        quint64(std::numeric_limits<qint64>::max() / 2)));
    };
    if (frame.direction == Direction::Tx) {
        if (!frame.tx) // known from its octets only (docs/captures.md §5): the header says it
            return frame.payloadDerived ? headerLength() : frame.payload.size();
        if (frame.tx->repeatLength)
            return std::max<qint64>(*frame.tx->repeatLength, 0);
        return frame.tx->basePayloadLength;
    }
    return headerLength();
}

} // namespace wsi

// A flood keeps millions of these: their size is the trace's memory per frame.
static_assert(sizeof(wsi::FrameRecord) <= 80, "keep FrameRecord compact");
