// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/frame.h"
#include "protocol/frameparser.h"
#include "trace/segmentedvector.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QSharedData>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

namespace wsi {

enum class Direction : quint8 { Tx, Rx };

// CONNECTING → OPEN → CLOSING → CLOSED (docs/closing.md §2). Idle = not started.
enum class SessionState : quint8 { Idle, Connecting, Open, Closing, Closed };
[[nodiscard]] QString sessionStateName(SessionState state); // "CONNECTING", …

// One read delivered by the socket (RX) or one application write (TX): a "chop"
// (docs/reports.md §3.1).
struct OctetChunk
{
    qint64 timeNs = 0;       // monotonic, since the session started
    qint64 streamOffset = 0; // offset of the first octet in this direction's stream
    qint64 size = 0;         // octets that crossed the wire
    QByteArray data;         // the octets; only the first 64 after we failed or closed TCP
    Direction direction = Direction::Tx;
    bool sync = false; // TX: from the queue in its own event-loop turn (docs/sending.md §1.2)

    [[nodiscard]] bool isComplete() const { return data.size() == size; }
};

// Extra facts about a frame we sent, as the TX FRAME wire-log entry shows them
// (docs/sending.md §1.1).
struct TxFrameInfo : public QSharedData
{
    qint64 basePayloadLength = 0;          // PAYLOAD-LEN: the payload argument as given
    std::optional<qint64> repeatLength;    // PAYLOAD-REPEAT-LEN
    std::optional<quint64> declaredLength; // header length that differs from the payload sent
    LengthEncoding lengthEncoding = LengthEncoding::Auto;
    MaskMode maskMode = MaskMode::Random;
    int chopSize = 0;       // CHOPSIZE (0 = None)
    bool sync = false;      // SYNC
    qint64 encodedSize = 0; // octets of the encoded frame
};

using TxInfoPtr = QExplicitlySharedDataPointer<const TxFrameInfo>;
[[nodiscard]] inline TxInfoPtr makeTxInfo(const TxFrameInfo &info)
{
    return TxInfoPtr(new TxFrameInfo(info));
}

// A frame sent or received. RX: decoded by the parser. TX: recorded when sent (before its octets
// are written, as the reference client does). A trace's records are in non-decreasing time
// (Trace::inOrder()).
struct FrameRecord
{
    qint64 timeNs = 0;
    qint64 streamOffset = -1;  // RX: offset in the RX stream; TX: offset once its first octet left
    quint64 payloadLength = 0; // the header's length field
    QByteArray payload;        // RX: unmasked payload (capped); TX: base payload (unmasked)
    // TX only. An intrusive shared pointer (8 octets): a flood of RX records pays for no more.
    QExplicitlySharedDataPointer<const TxFrameInfo> tx;
    quint32 maskKey = 0;
    Violations violations;
    // Offset of the first invalid UTF-8 octet in the payload, -1 if none (kept payloads are far
    // below 2 GiB; larger offsets saturate). 32 bits keep a record at 80 octets.
    qint32 utf8ErrorOffset = -1;
    quint8 opcode = 0;
    quint8 rsv = 0;
    quint8 extendedLengthSize = 0;
    Direction direction = Direction::Rx;
    bool fin = true;
    bool masked = false; // mask bit
    bool hasKey = false; // a key was written (false for MaskMode::BitOnly and unmasked)
    bool payloadTruncated = false;
    bool incomplete = false;     // RX: the connection ended inside this frame
    bool payloadDerived = false; // RX data frame: payload not stored, read it from the octets

    [[nodiscard]] int headerSize() const { return 2 + extendedLengthSize + (hasKey ? 4 : 0); }
};

// The record of a frame we send, from its spec and its encoded size: the same facts for the
// session, the tests and anything that builds a trace. Violations are the sender's to judge.
[[nodiscard]] FrameRecord txFrameRecord(const FrameSpec &spec, qint64 encodedSize, qint64 timeNs,
                                        qint64 streamOffset);

// The record of a frame a FrameParser decoded, the payload moved in: a session's RX frames, and
// both directions of a connection read back from a foreign capture (the caller then sets the
// direction). streamBase is the stream offset where the parser began (after the opening
// handshake); payloadDerived marks a data frame whose payload the parser did not keep, so that
// the trace reads it from the octets.
[[nodiscard]] FrameRecord rxFrameRecord(DecodedFrame &&frame, qint64 timeNs, qint64 streamBase,
                                        bool payloadDerived);
// How the frames of a direction's octets are parsed, the same for a live session and an imported
// capture: what the server sent (Rx) as a client reads it, what the client sent (Tx) as the
// server would (masked frames expected). storeDataPayloads: see FrameParser::Options.
[[nodiscard]] FrameParser::Options frameParserOptions(Direction from, qint64 maxFramePayload,
                                                      bool storeDataPayloads);

// How a TCP connection ended (TcpClosed events), as the socket tells it.
enum class TcpEnd : quint8 {
    Unknown,      // older traces, or nothing said
    NoConnection, // there never was one: refused, unreachable, unknown host, invalid URL
    PeerFin,      // the server closed its side (FIN)
    PeerReset,    // the server reset the connection (RST)
    PeerTls,      // the server ended the TLS session (close_notify), then TCP closed
    OurClose,     // we closed gracefully (FIN after the octets still queued)
    OurAbort,     // we aborted: closed at once, queued octets discarded
    SocketError,  // the socket failed (text: the error)
};
[[nodiscard]] bool tcpEndedByPeer(TcpEnd end);
// How TCP ended, in words: "the server closed TCP (FIN)", "the server reset the connection
// (RST)", "we aborted TCP", "the connection failed: <socket error>", … The wire log's TCP line,
// the closing panel and the reports all say it with these words.
[[nodiscard]] QString tcpEndText(TcpEnd end, const QString &socketText);

// One certificate of the chain the TLS server presented (leaf first), as the Handshake tab and
// the reports show it.
struct TlsCertificateInfo
{
    QString subject;     // RFC 2253: "CN=localhost,O=Example"
    QString issuer;      // RFC 2253
    QDateTime notBefore; // UTC
    QDateTime notAfter;  // UTC
    QString sha256;      // SHA-256 of the DER encoding: upper-case hex pairs joined by ':'

    friend bool operator==(const TlsCertificateInfo &, const TlsCertificateInfo &) = default;
};

// What the TLS handshake established (wss:// only), recorded with the Connected event.
struct TlsInfo : public QSharedData
{
    QString protocol;                // as OpenSSL names it: "TLSv1.3"
    QString cipher;                  // "TLS_AES_256_GCM_SHA384"
    QList<TlsCertificateInfo> chain; // the peer's chain as sent, leaf first
    QStringList certificateErrors;   // verification errors met (the handshake went on)
    bool errorsIgnored = false;      // there were errors and the user chose to ignore them
    QString sni;                     // the server name we sent (RFC 6066 §3); empty: none
    QStringList alpnOffered;         // the ALPN protocols we offered (RFC 7301), in order
    QString alpn;                    // the one the server selected; empty: none
    QString clientCertificate;       // subject (RFC 2253) of the certificate we presented
    QString versionAsked;            // "TLSv1.2" or "TLSv1.3" when only it was offered; empty: any
};
using TlsInfoPtr = QExplicitlySharedDataPointer<const TlsInfo>;
// "TLSv1.3" → "TLS 1.3" (other names unchanged).
[[nodiscard]] QString tlsProtocolDisplayName(const QString &protocol);

// Everything else that happens on a connection. The wire-log timer entries (docs/reports.md §4.1)
// and the facts the closing behaviour (docs/closing.md §2) is derived from.
struct TraceEvent
{
    enum class Kind : quint8 {
        StateChanged,      // state
        Connected,         // TCP (and TLS) up; text: peer address; tls: wss:// facts
        CertificateError,  // text: the TLS error (also when ignored)
        HandshakeRequest,  // text: request head (also in the TX octets)
        HandshakeResponse, // text: response head; failure: reason when it failed
        HandshakeFailed,   // text: failure (docs/closing.md §3 item 5)
        Delay,             // CT: seconds, tag
        DelayTimeout,      // CTE: tag
        CloseAfter,        // TI: seconds
        ClosingConnection, // TIE
        FailAfter,         // KL: seconds
        FailingConnection, // KLE
        CloseSent,         // code (or none), reason, flag = isReply; via the close API
        CloseReceived,     // code (or none), reason; flag = rejected (invalid code)
        FailedByMe,        // text: why (violation name, timer, size limit)
        DroppedByMe,       // text: why; the TCP connection is being closed or aborted by us
        HalfClosed,        // we shut down our sending side (TCP FIN)
        OpenHandshakeTimeout,
        CloseHandshakeTimeout,
        ServerDropTimeout,
        TcpClosed,          // the TCP connection is gone (whoever dropped it); text: socket error
        WireLogEnabled,     // WLM: flag
        WireLogSwitched,    // createWirelog = flag, without a WLM entry (9.1–9.6)
        Note,               // text: anything the user should see in the log (not in reports)
        Error,              // text: a local error (connection refused, DNS, TLS, …)
        TraceLimitReached,  // storage stopped at streamOffset of direction (text: which
                            // limit, "budget" or "frames"); later records counted, not kept
        TlsHandshakeFailed, // text: why (certificate rejected, alert, protocol error)
        TlsCloseNotify,     // the TLS session's close_notify; flag: sent by us (else received)
        // The proxy leg, before the target's octets (docs/proxies.md). Its octets are not in
        // the TX/RX streams: those begin with the WebSocket handshake (or TLS).
        ProxyRequest, // text: what we sent the proxy, readable (HTTP head; SOCKS hex + meaning)
        ProxyReply,   // text: what the proxy answered, readable
        ProxyFailed,  // text: the named failure (407, refused, a SOCKS reply code, …)
    };

    qint64 timeNs = 0;
    Kind kind = Kind::Note;
    SessionState state = SessionState::Idle;
    double seconds = 0;
    std::optional<int> code;
    QByteArray reason; // close reason octets
    QString text;      // tag, address, failure text, …
    bool flag = false;
    TcpEnd tcpEnd = TcpEnd::Unknown;     // TcpClosed: how the connection ended
    qint64 streamOffset = -1;            // TraceLimitReached: the first octet not stored
    Direction direction = Direction::Rx; // TraceLimitReached: of this direction's stream
    TlsInfoPtr tls;                      // Connected over TLS: what the handshake established
};

using TraceRecord = std::variant<OctetChunk, FrameRecord, TraceEvent>;

// What a record really costs in memory once a trace stores it: the record, its entry, its index,
// and the heap blocks it owns (contents plus the allocator's and QArrayData's headers). The
// trace's one budget (Trace::Limits::maxStoredOctets) is spent in these units, so that a flood
// of tiny frames is bounded as well as one of large ones.
namespace recordcost {
inline constexpr qint64 kHeapOverhead = 32; // malloc's header + QArrayData's, rounded up
inline constexpr qint64 kEntry = 8;         // Trace::Entry
[[nodiscard]] inline qint64 heap(const QByteArray &b)
{
    return b.capacity() > 0 ? qint64(b.capacity()) + kHeapOverhead : 0;
}
[[nodiscard]] inline qint64 heap(const QString &s)
{
    return s.capacity() > 0 ? 2 * qint64(s.capacity()) + kHeapOverhead : 0;
}
} // namespace recordcost

// Chunks also pay for their index in the per-direction offset table (a std::vector: 4 octets an
// index, doubled for its growth). A chunk's octets are counted by their size, not the capacity:
// a received chunk is a view on a shared block (trace/octetarena.h).
[[nodiscard]] inline qint64 recordCost(const OctetChunk &c)
{
    return qint64(sizeof(OctetChunk)) + recordcost::kEntry + 8 +
           (c.data.isEmpty() ? 0 : qint64(c.data.size()) + recordcost::kHeapOverhead);
}
[[nodiscard]] inline qint64 recordCost(const FrameRecord &f)
{
    return qint64(sizeof(FrameRecord)) + recordcost::kEntry + recordcost::heap(f.payload) +
           (f.tx ? qint64(sizeof(TxFrameInfo)) + recordcost::kHeapOverhead : 0);
}
[[nodiscard]] inline qint64 recordCost(const TraceEvent &e)
{
    return qint64(sizeof(TraceEvent)) + recordcost::kEntry + recordcost::heap(e.reason) +
           recordcost::heap(e.text) +
           (e.tls ? qint64(sizeof(TlsInfo)) + recordcost::kHeapOverhead : 0);
}

// Flow control between a session (the producer of batches, in its thread) and the consumer that
// appends them (window, CLI, case runner, in theirs): the cost of the records handed over and
// not yet appended. The session stops reading from its socket while too much is in flight, so
// that a consumer that lags (or a server that floods) cannot make memory grow without bound:
// the kernel's TCP window then holds the server back.
class TraceFlow
{
public:
    // Producer: records of `cost` were handed over.
    void charge(qint64 cost) { m_inFlight.fetch_add(cost, std::memory_order_relaxed); }
    // Consumer, any thread: records of `cost` were appended (or dropped). Calls the wake-up
    // armed by pauseAbove() once the cost in flight has fallen to its resume mark.
    void release(qint64 cost)
    {
        const qint64 now = m_inFlight.fetch_sub(cost, std::memory_order_acq_rel) - cost;
        // The wake-up runs under the lock: once setWake({}) has returned (the producer is going
        // away), no consumer is still inside the old one.
        const std::lock_guard lock(m_mutex);
        if (m_resumeAt < 0 || now > m_resumeAt)
            return;
        m_resumeAt = -1;
        if (m_wake)
            m_wake();
    }
    [[nodiscard]] qint64 inFlight() const { return m_inFlight.load(std::memory_order_acquire); }
    // Producer: true when more than `pauseAt` is in flight (plus `pending`, not yet handed
    // over); the wake-up then runs once it falls to `resumeAt` (at once if it already has).
    [[nodiscard]] bool pauseAbove(qint64 pauseAt, qint64 resumeAt, qint64 pending = 0)
    {
        const std::lock_guard lock(m_mutex);
        if (inFlight() + pending <= pauseAt)
            return false;
        m_resumeAt = resumeAt;
        return true;
    }
    // The producer's wake-up (called in the consumer's thread, under the flow's lock: it should
    // post, not act, and must not call back into the flow).
    void setWake(std::function<void()> wake)
    {
        const std::lock_guard lock(m_mutex);
        m_wake = std::move(wake);
    }

private:
    std::atomic<qint64> m_inFlight{0};
    std::mutex m_mutex;
    qint64 m_resumeAt = -1;
    std::function<void()> m_wake;
};

// One batch's share of a TraceFlow: given back when the batch is appended or destroyed.
class FlowTicket
{
public:
    FlowTicket() = default;
    FlowTicket(std::shared_ptr<TraceFlow> flow, qint64 cost) : m_flow(std::move(flow)), m_cost(cost)
    {
        if (m_flow)
            m_flow->charge(m_cost);
    }
    FlowTicket(FlowTicket &&other) noexcept
        : m_flow(std::move(other.m_flow)), m_cost(std::exchange(other.m_cost, 0))
    {
    }
    FlowTicket &operator=(FlowTicket &&other) noexcept
    {
        if (this != &other) {
            reset();
            m_flow = std::move(other.m_flow);
            m_cost = std::exchange(other.m_cost, 0);
        }
        return *this;
    }
    FlowTicket(const FlowTicket &) = delete;
    FlowTicket &operator=(const FlowTicket &) = delete;
    ~FlowTicket() { reset(); }
    void reset()
    {
        if (m_flow)
            m_flow->release(m_cost);
        m_flow.reset();
        m_cost = 0;
    }

private:
    std::shared_ptr<TraceFlow> m_flow;
    qint64 m_cost = 0;
};

// The trace's frame records: 64 Ki records (~5 MiB) a block. A session writes its frames
// straight into blocks of this layout (FrameProducer), which the trace adopts without a copy.
using FrameVector = SegmentedVector<FrameRecord, 16>;
using FrameSlice = FrameVector::Slice;
using FrameProducer = FrameVector::Producer;

// The three kinds of trace record: a batch's order and the trace's entries are lists of them.
enum class RecordKind : quint8 { Chunk, Frame, Event };

// A batch of records produced by the session thread and appended by the consumer (window or CLI).
// Records of each kind are kept densely, `order` says how they interleave. Frames sit in the
// producer's blocks; a batch is appended to one trace only.
struct TraceBatch
{
    std::vector<OctetChunk> chunks;
    std::vector<FrameSlice> frames; // in order; each slice one run of a producer's block
    std::vector<TraceEvent> events;
    std::vector<RecordKind> order;
    FrameProducer ownFrames; // for add(FrameRecord &&) without a producer of the caller's
    qint64 cost = 0;         // recordCost() of the records, summed
    FlowTicket ticket;       // the session's flow control: released when appended

    void add(OctetChunk &&c)
    {
        cost += recordCost(c);
        chunks.push_back(std::move(c));
        order.push_back(RecordKind::Chunk);
    }
    // A session passes its producer, so that the trace can adopt whole blocks.
    void add(FrameRecord &&f, FrameProducer &producer)
    {
        cost += recordCost(f);
        producer.append(std::move(f), frames);
        order.push_back(RecordKind::Frame);
    }
    // Frames of this batch alone (tests, files): the trace moves them over.
    void add(FrameRecord &&f) { add(std::move(f), ownFrames); }
    void add(TraceEvent &&e)
    {
        cost += recordCost(e);
        events.push_back(std::move(e));
        order.push_back(RecordKind::Event);
    }
    [[nodiscard]] bool isEmpty() const { return order.empty(); }
    [[nodiscard]] size_t size() const { return order.size(); }
};

// Calls f(record) for each record of the batch in its order, as `const OctetChunk &`,
// `const FrameRecord &` or `const TraceEvent &`; stops at the first call that returns false and
// returns false then.
template <typename F>
bool forEachRecord(const TraceBatch &batch, F &&f)
{
    size_t c = 0;
    size_t e = 0;
    size_t s = 0; // the frame slice
    size_t j = 0; // the frame within it
    for (const RecordKind kind : batch.order) {
        bool ok = true;
        switch (kind) {
        case RecordKind::Chunk:
            ok = f(batch.chunks[c++]);
            break;
        case RecordKind::Frame: {
            const FrameSlice &slice = batch.frames[s];
            ok = f(static_cast<const FrameRecord &>(slice.block->data()[slice.first + j]));
            if (++j == slice.count) {
                ++s;
                j = 0;
            }
            break;
        }
        case RecordKind::Event:
            ok = f(batch.events[e++]);
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

// Batches cross threads as shared pointers, so a queued signal copies no records.
using TraceBatchPtr = std::shared_ptr<TraceBatch>;

// Occurrence counts by key, sorted by key: chop size → count, or opcode → count
// (docs/reports.md §3).
using CountMap = std::map<qint64, qint64>;

struct WireStatistics
{
    CountMap rxOctets; // Octets Received by Chop Size
    CountMap txOctets; // Octets Transmitted by Chop Size
    CountMap rxFrames; // Frames Received by Opcode
    CountMap txFrames; // Frames Transmitted by Opcode
};

// The append-only record of one connection. Every view (wire log, frame table, messages,
// statistics, closing behaviour) is derived from it. Not thread-safe: it lives in the consumer's
// thread and grows by append().
class Trace
{
public:
    // Where a record sits: the wire log's order is the order of entries.
    struct Entry
    {
        RecordKind type;
        quint32 index; // into chunks(), frames() or events()
    };

    struct Limits
    {
        // The one budget for everything stored (octet contents, payload copies, the records
        // themselves), in recordCost() units. Past it, octets and frames are counted, not kept.
        qint64 maxStoredOctets = kDefaultMaxStoredOctets;
        qint64 maxStoredFrames = 10'000'000; // frames kept; later records only counted
    };
    static constexpr qint64 kDefaultMaxStoredOctets = 512ll * 1024 * 1024;

    // Where storage stopped (the TraceLimitReached event): the first octet of `direction`'s
    // stream from which on octets and frames were counted, not stored.
    struct StorageStop
    {
        qint64 timeNs = 0;
        qint64 streamOffset = 0;
        Direction direction = Direction::Rx;
        QString limit; // "budget" or "frames"
    };

    Trace() = default;
    explicit Trace(const Limits &limits) : m_limits(limits) {}

    void setStartedAt(const QDateTime &utc) { m_startedAt = utc; }
    [[nodiscard]] QDateTime startedAt() const { return m_startedAt; }
    void setUrl(const QString &url) { m_url = url; }
    [[nodiscard]] QString url() const { return m_url; }

    void append(TraceRecord record);
    void append(TraceBatch &&batch);
    void clear();

    [[nodiscard]] const SegmentedVector<Entry, 18> &entries() const { return m_entries; }
    [[nodiscard]] const SegmentedVector<OctetChunk, 10> &chunks() const { return m_chunks; }
    [[nodiscard]] const FrameVector &frames() const { return m_frames; }
    [[nodiscard]] const SegmentedVector<TraceEvent, 8> &events() const { return m_events; }
    [[nodiscard]] const WireStatistics &statistics() const;

    // Totals, counted even past the storage limits.
    [[nodiscard]] qint64 octetCount(Direction d) const { return m_octets[int(d)]; }
    [[nodiscard]] qint64 frameCount(Direction d) const { return m_frameCounts[int(d)]; }
    [[nodiscard]] bool limitReached() const { return m_limitReached; }
    [[nodiscard]] const Limits &limits() const { return m_limits; }
    // What the stored records cost (recordCost()): within maxStoredOctets, plus the events kept
    // past the stop (the note itself, at most kKeptPastStop repeatable ones, the few others).
    [[nodiscard]] qint64 storedCost() const { return m_storedCost; }
    // Where storage stopped, if it did (read from the TraceLimitReached event).
    [[nodiscard]] std::optional<StorageStop> storageStop() const;

    // The octets [offset, offset + size) of one direction's stream, as far as they are kept.
    [[nodiscard]] QByteArray streamOctets(Direction d, qint64 offset, qint64 size) const;
    // The complete encoded octets of a frame, as far as they are kept.
    [[nodiscard]] QByteArray frameOctets(const FrameRecord &frame) const;
    // The unmasked payload of a frame: TX the base payload as given, RX the payload received
    // (read from the kept octets when the record does not hold it). `maxOctets` ≥ 0 reads only
    // that far, so a one-line preview of a 16 MiB frame copies no more than it shows.
    [[nodiscard]] QByteArray framePayload(const FrameRecord &frame, qint64 maxOctets = -1) const;
    // Index of the chunk holding the stream octet at `offset`, or -1.
    [[nodiscard]] qsizetype chunkAt(Direction d, qint64 offset) const;

    // The last state recorded (Idle before any).
    [[nodiscard]] SessionState state() const { return m_state; }
    [[nodiscard]] qint64 lastTimeNs() const { return m_lastTimeNs; }

private:
    [[nodiscard]] qsizetype chunkPosition(Direction d, qint64 offset) const;
    void appendChunk(OctetChunk &&chunk);
    void appendFrame(FrameRecord &&frame);
    void countFrame(FrameRecord &frame);
    // Records are kept in non-decreasing time: a record stamped before the one stored last takes
    // that one's time. An RX frame carries the time of the read it completed in, but it is
    // handled after the frames before it in that read, and after what we sent in reply to them
    // (a pong, a close): it was handled then, and the wire log, the frame table and the reports
    // list it there. Returns the time to store.
    [[nodiscard]] qint64 inOrder(qint64 timeNs);
    // True when a record of `cost` may be stored (and charges it); false once storage stopped,
    // which the first refusal notes with a TraceLimitReached event.
    [[nodiscard]] bool admit(qint64 cost, Direction d, qint64 offset, qint64 timeNs, bool frame);
    void stopStorage(Direction d, qint64 offset, qint64 timeNs, const QString &limit);
    // Past the stop, records we must keep for the verdict (state, timers, TCP end, a rule-breaking
    // frame of ours) are still stored, those a peer can repeat at will only up to an allowance.
    [[nodiscard]] bool keepPastStop(const TraceEvent &event);
    void appendEvent(TraceEvent &&event);
    static constexpr qint64 kKeptPastStop = 1024;

    Limits m_limits;
    QDateTime m_startedAt;
    QString m_url;
    SegmentedVector<Entry, 18> m_entries; // 256 Ki entries (2 MiB) a block
    SegmentedVector<OctetChunk, 10> m_chunks;
    FrameVector m_frames;
    SegmentedVector<TraceEvent, 8> m_events;
    std::vector<quint32> m_chunksByDir[2]; // chunk indices per direction, by stream offset
    mutable WireStatistics m_stats;        // frame counts filled in from m_opcodeCounts
    qint64 m_opcodeCounts[2][16] = {};
    qint64 m_octets[2] = {0, 0};
    qint64 m_frameCounts[2] = {0, 0};
    qint64 m_storedCost = 0;
    qint64 m_keptPastStop = 0;   // records stored after the stop (see keepPastStop())
    bool m_limitReached = false; // storage stopped
    SessionState m_state = SessionState::Idle;
    qint64 m_lastTimeNs = 0;
};

// The TLS facts of a wss:// connection (from its Connected event), or null (ws://, not yet
// encrypted, or the TLS handshake failed).
[[nodiscard]] const TlsInfo *tlsInfo(const Trace &trace);

// Where and why storage stopped, in words: "at RX octet 67108864: the trace budget of 67108864
// octets is spent; later octets and frames are counted, not stored". Empty when it did not. The
// report, the wire log and the CLI say it with these words.
[[nodiscard]] QString storageStopText(const Trace &trace);

// The unmasked payload of a frame as it crossed the wire: RX from the record or from the kept
// octets, TX the base payload repeated to its repeat length (FrameSpec's "wire payload"). At most
// `maxOctets` when ≥ 0, so a preview of a 16 MiB frame copies no more than it shows; -1: all of
// it. Every reader of a frame's payload (the window's tables, the HAR export) asks here.
[[nodiscard]] QByteArray wirePayload(const Trace &trace, const FrameRecord &frame,
                                     qint64 maxOctets = -1);
// How many payload octets the frame carried on the wire: TX after repetition (the octets sent,
// whatever length the header declares), RX and a TX frame known from its octets only the
// header's length (saturated far beyond any payload kept).
[[nodiscard]] qint64 wirePayloadSize(const FrameRecord &frame);
// A frame known without its octets: read from a file that has the messages, not the frames
// (a HAR file, docs/captures.md §6). It has no place in a stream and no TX facts, which every
// frame of a live connection has (TX records are made with their stream offset). Its masking,
// header and octets are unknown, not absent.
[[nodiscard]] inline bool frameOctetsUnknown(const FrameRecord &frame)
{
    return frame.streamOffset < 0 && !frame.tx;
}

} // namespace wsi

Q_DECLARE_METATYPE(wsi::TraceBatchPtr)
