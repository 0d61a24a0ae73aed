// SPDX-License-Identifier: MIT
#include "capture/pcapimport.h"

#include "capture/pcapng.h"
#include "protocol/frame.h"
#include "protocol/frameparser.h"
#include "protocol/handshake.h"

#include <QFile>
#include <QSet>
#include <QtEndian>

#include <cstring>

using namespace Qt::StringLiterals;

namespace wsi::capture {

namespace {

// A classic pcap record larger than this is taken for damage, not a packet: tcpdump's largest
// snap length is 262144, and no link type here carries more than 16 MiB in one packet.
constexpr quint32 kMaxPcapRecord = 16u * 1024 * 1024;
// The opening handshake's request head, like the response's (HandshakeResponseReader).
constexpr qsizetype kMaxRequestHead = 64 * 1024;
// Other streams named one by one in the warning; the rest are counted.
constexpr int kListedStreams = 10;

QString hexHead(QByteArrayView octets)
{
    return QString::fromLatin1(
        octets.first(std::min<qsizetype>(octets.size(), 8)).toByteArray().toHex(' '));
}

// One packet of either file format.
struct RawPacket
{
    qint64 timeNs = 0; // since 1970
    quint32 linkType = 0;
    QByteArray data;
};

// The packets of a classic pcap or a pcapng file, in file order. Reading stops at the first
// damage; stopReason() then names where (record or block, and octet offset).
class PacketSource
{
public:
    bool open(const QString &path, QString *error)
    {
        m_file.setFileName(path);
        if (!m_file.open(QIODevice::ReadOnly)) {
            *error = m_file.errorString();
            return false;
        }
        const QByteArray head = m_file.peek(24);
        if (looksLikePcap(head))
            return openPcap(error);
        if (pcapng::Reader::looksLikePcapng(head)) {
            m_pcapng = std::make_unique<pcapng::Reader>(&m_file);
            return true;
        }
        *error = u"not a capture: neither pcapng nor pcap (%1)"_s.arg(
            head.isEmpty() ? u"the file is empty"_s : u"first octets "_s + hexHead(head));
        return false;
    }

    std::optional<RawPacket> next() { return m_pcapng ? nextBlock() : nextRecord(); }
    [[nodiscard]] qint64 position() const { return m_file.pos(); }
    [[nodiscard]] qint64 size() const { return m_file.size(); }
    [[nodiscard]] const QString &stopReason() const { return m_stop; }
    [[nodiscard]] const QString &application() const { return m_application; }

private:
    bool openPcap(QString *error)
    {
        const QByteArray header = m_file.read(24);
        if (header.size() < 24) {
            *error = u"the pcap file header is cut short (%1 of 24 octets)"_s.arg(header.size());
            return false;
        }
        const quint32 magic = qFromLittleEndian<quint32>(header.constData());
        m_bigEndian = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
        m_nanoseconds = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
        const quint16 major = u16(header.constData() + 4);
        if (major != 2) {
            *error = u"pcap version %1.%2 is not supported (2.x is)"_s.arg(major).arg(
                u16(header.constData() + 6));
            return false;
        }
        // The low 16 bits are the link type; the high ones may carry the FCS length.
        m_pcapLinkType = u32(header.constData() + 20) & 0xFFFF;
        m_offset = 24;
        m_application = u"a pcap capture (libpcap format)"_s;
        return true;
    }

    std::optional<RawPacket> nextRecord()
    {
        if (!m_stop.isEmpty())
            return std::nullopt;
        const qint64 at = m_offset;
        const qint64 number = m_records + 1; // as Wireshark numbers packets, from 1
        const auto where = [&] { return u"record %1 (at octet %2)"_s.arg(number).arg(at); };
        const QByteArray header = m_file.read(16);
        if (header.isEmpty())
            return std::nullopt; // the end
        if (header.size() < 16) {
            m_stop = where() + u" is cut short: the file ends inside its 16-octet header "
                               "(the capture was truncated)"_s;
            return std::nullopt;
        }
        const quint32 seconds = u32(header.constData());
        const quint32 fraction = u32(header.constData() + 4);
        const quint32 captured = u32(header.constData() + 8);
        if (captured > kMaxPcapRecord) {
            m_stop = where() +
                     u": the captured length %1 is over the limit of %2 octets"_s.arg(captured).arg(
                         kMaxPcapRecord);
            return std::nullopt;
        }
        RawPacket p;
        p.data = m_file.read(captured);
        if (p.data.size() < qsizetype(captured)) {
            m_stop = where() + u" is cut short: the file ends after %1 of its %2 captured octets "
                               "(the capture was truncated)"_s.arg(p.data.size())
                                   .arg(captured);
            return std::nullopt;
        }
        p.timeNs = qint64(seconds) * 1'000'000'000 +
                   (m_nanoseconds ? qint64(fraction) : qint64(fraction) * 1000);
        p.linkType = m_pcapLinkType;
        m_offset += 16 + captured;
        ++m_records;
        return p;
    }

    std::optional<RawPacket> nextBlock()
    {
        while (std::optional<pcapng::Block> b = m_pcapng->next()) {
            switch (b->type) {
            case pcapng::kSectionHeader:
                m_linkTypes.clear(); // interfaces are numbered per section
                if (const auto app = pcapng::findOption(b->options, pcapng::kShbUserApplication))
                    m_application = QString::fromUtf8(*app);
                continue;
            case pcapng::kInterfaceDescription:
                m_linkTypes.append(b->linkType);
                continue;
            case pcapng::kEnhancedPacket:
            case pcapng::kSimplePacket: {
                RawPacket p;
                // A simple packet has no time: it is taken to follow the packet before.
                p.timeNs = b->type == pcapng::kEnhancedPacket ? b->timeNs : m_lastTimeNs;
                m_lastTimeNs = p.timeNs;
                p.linkType = b->interfaceId < quint32(m_linkTypes.size())
                                 ? m_linkTypes[qsizetype(b->interfaceId)]
                                 : 0xFFFFFFFFu;
                p.data = std::move(b->data);
                return p;
            }
            default:
                continue; // name resolution, statistics, custom blocks: no packets
            }
        }
        m_stop = m_pcapng->error();
        return std::nullopt;
    }

    [[nodiscard]] quint32 u32(const char *p) const
    {
        return m_bigEndian ? qFromBigEndian<quint32>(p) : qFromLittleEndian<quint32>(p);
    }
    [[nodiscard]] quint16 u16(const char *p) const
    {
        return m_bigEndian ? qFromBigEndian<quint16>(p) : qFromLittleEndian<quint16>(p);
    }

    QFile m_file;
    std::unique_ptr<pcapng::Reader> m_pcapng;
    QList<quint32> m_linkTypes; // pcapng: by interface of the current section
    qint64 m_lastTimeNs = 0;
    // classic pcap
    bool m_bigEndian = false;
    bool m_nanoseconds = false;
    quint32 m_pcapLinkType = 0;
    qint64 m_offset = 0;
    qint64 m_records = 0;
    QString m_application;
    QString m_stop;
};

QByteArray directionKey(const TcpEndpoint &from, const TcpEndpoint &to)
{
    QByteArray key = from.address;
    key.append(char(from.port >> 8)).append(char(from.port & 0xFF));
    key.append(to.address);
    key.append(char(to.port >> 8)).append(char(to.port & 0xFF));
    return key;
}

// The value of the first header `name` (lower case, with the colon) of an HTTP head, trimmed.
std::optional<QByteArray> headerValue(QByteArrayView head, QByteArrayView name)
{
    const QList<QByteArray> lines = head.toByteArray().split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty())
            break; // the end of the head
        if (line.size() >= name.size() && line.first(name.size()).toLower() == name)
            return line.sliced(name.size()).trimmed();
    }
    return std::nullopt;
}

// A client's first octets that open a WebSocket: "GET " and an Upgrade header naming websocket.
bool isWebSocketRequest(QByteArrayView payload)
{
    if (!payload.startsWith("GET "))
        return false;
    const std::optional<QByteArray> upgrade = headerValue(payload, "upgrade:");
    return upgrade && upgrade->toLower().contains("websocket");
}

// Reports progress every this many octets read, so that a caller's callback (a window's
// progress, a cancel button) runs often enough without costing a call per packet.
constexpr qint64 kProgressEvery = 4 * 1024 * 1024;

} // namespace

std::optional<CaptureStreams> listCaptureStreams(const QString &path, QString *error,
                                                 const ImportProgress &progress)
{
    // Pass 1: the streams, and which directions began with a WebSocket request. Only one bit is
    // kept a direction, and at most as many directions as the tracker keeps streams (two each).
    PacketSource source;
    if (!source.open(path, error))
        return std::nullopt;
    TcpStreamTracker tracker;
    QSet<QByteArray> sentPayload, webSocket;
    qint64 reported = 0;
    while (std::optional<RawPacket> p = source.next()) {
        if (progress && source.position() - reported >= kProgressEvery) {
            reported = source.position();
            if (!progress(reported, source.size())) {
                *error = u"cancelled"_s;
                return std::nullopt;
            }
        }
        const std::optional<TcpSegment> segment = parseTcpPacket(p->linkType, p->data);
        if (!segment)
            continue; // ARP, UDP, …: not a TCP stream
        tracker.add(p->timeNs, *segment);
        if (segment->payload.isEmpty() || sentPayload.size() >= 2 * TcpStreamTracker::kMaxStreams)
            continue;
        const QByteArray key = directionKey(segment->source, segment->destination);
        if (sentPayload.contains(key))
            continue;
        sentPayload.insert(key);
        if (isWebSocketRequest(segment->payload))
            webSocket.insert(key);
    }
    CaptureStreams out;
    out.damage = source.stopReason();
    out.application = source.application();
    out.morePackets = tracker.morePackets();
    for (const TcpStreamSummary &s : tracker.streams())
        out.streams.append({s, webSocket.contains(directionKey(s.client, s.server))});
    return out;
}

namespace {

QString dirWord(Direction d)
{
    return d == Direction::Tx ? u"the client"_s : u"the server"_s;
}

// Pass 2: the chosen stream's octets as the trace a live session would have recorded
// (docs/captures.md §5.1).
class TraceBuilder
{
public:
    TraceBuilder(Trace &trace, const TcpStreamSummary &stream)
        : m_trace(trace), m_stream(stream), m_startNs(stream.firstTimeNs)
    {
        for (const Direction d : {Direction::Tx, Direction::Rx})
            m_parser[int(d)].setOptions(
                frameParserOptions(d, FrameParser::Options().maxFramePayload, false));
    }

    void begin(const QString &note, bool webSocket)
    {
        event(TraceEvent::Kind::Note, m_startNs, note);
        state(SessionState::Connecting, m_startNs);
        if (!webSocket) {
            // Not read as HTTP at all: a head it happens to end like one is no handshake.
            m_headGaveUp = true;
            m_headDone[1] = true;
            event(TraceEvent::Kind::Note, m_startNs,
                  u"the client's first octets are not a WebSocket opening handshake (an HTTP GET "
                  "with Upgrade: websocket): the octets are shown, no frames"_s);
        }
    }

    // Every segment of the stream, before its pieces.
    void segment(qint64 timeNs, const TcpSegment &s)
    {
        const Direction d = s.source == m_stream.client ? Direction::Tx : Direction::Rx;
        m_lastNs = timeNs;
        const bool rst = s.has(TcpSegment::Rst);
        if (d == Direction::Rx && !m_connected && !rst)
            connected(timeNs); // the SYN-ACK: TCP is up
        if ((rst || s.has(TcpSegment::Fin)) && m_end[int(d)] == TcpStreamEnd::Open) {
            m_end[int(d)] = rst ? TcpStreamEnd::Reset : TcpStreamEnd::Fin;
            if (!m_firstEnd) {
                m_firstEnd = d;
                m_firstEndRst = rst;
                if (d == Direction::Tx) {
                    // The client ended TCP first: a live session records that it dropped it.
                    TraceEvent e = newEvent(TraceEvent::Kind::DroppedByMe, timeNs);
                    e.text = rst ? u"the client reset the connection (RST)"_s
                                 : u"the client closed the connection (FIN)"_s;
                    m_trace.append(std::move(e));
                }
            }
        }
        if (rst || (m_end[0] != TcpStreamEnd::Open && m_end[1] != TcpStreamEnd::Open)) {
            if (m_closedNs < 0)
                m_closedNs = timeNs;
        }
    }

    void piece(const TcpStreamPiece &p)
    {
        const int d = int(p.direction);
        if (!m_connected)
            connected(p.timeNs);
        if (p.missingBefore > 0) {
            const qint64 from = m_offset[d];
            TraceEvent e = newEvent(TraceEvent::Kind::Note, p.timeNs);
            e.text =
                u"%1 octets %2 sent (%3 stream octets %4 to %5) are missing from the "
                "capture: lost by it or cut by its snap length"_s.arg(p.missingBefore)
                    .arg(dirWord(p.direction), p.direction == Direction::Tx ? u"TX"_s : u"RX"_s)
                    .arg(from)
                    .arg(from + p.missingBefore - 1);
            if (!m_lost[d]) {
                // A frame's header could begin anywhere in the lost octets: the parser cannot
                // find its place again.
                m_lost[d] = true;
                e.text += u"; the frames from there on cannot be read"_s;
                flushPartial(p.direction, p.timeNs);
            }
            m_trace.append(std::move(e));
            ++m_gaps[d];
            // The gap as a chunk whose octets are not kept: the stream's offsets stay right.
            chunk(p.direction, p.timeNs, {}, p.missingBefore);
        }
        if (p.octets.isEmpty())
            return;
        const qint64 at = m_offset[d];
        chunk(p.direction, p.timeNs, p.octets, p.octets.size());
        if (m_lost[d])
            return;
        if (p.direction == Direction::Tx)
            clientOctets(p.timeNs, p.octets, at);
        else
            serverOctets(p.timeNs, p.octets, at);
    }

    // The end of the capture.
    void finish()
    {
        for (const Direction d : {Direction::Tx, Direction::Rx})
            flushPartial(d, m_lastNs);
        if (!m_firstEnd) {
            event(TraceEvent::Kind::Note, m_lastNs,
                  u"the capture ends while the TCP connection is still open"_s);
            return;
        }
        const qint64 at = m_closedNs >= 0 ? m_closedNs : m_lastNs;
        TraceEvent closed = newEvent(TraceEvent::Kind::TcpClosed, at);
        if (!m_connected) {
            // Ended before the server answered the SYN: there never was a connection.
            const QString why = *m_firstEnd == Direction::Rx
                                    ? u"connection refused: the server answered with a reset"_s
                                    : u"the client gave up before the server answered"_s;
            event(TraceEvent::Kind::Error, at, why);
            closed.tcpEnd = TcpEnd::NoConnection;
            closed.text = why;
            m_trace.append(std::move(closed));
            state(SessionState::Closed, at);
            return;
        }
        const bool byServer = *m_firstEnd == Direction::Rx;
        closed.tcpEnd = byServer ? (m_firstEndRst ? TcpEnd::PeerReset : TcpEnd::PeerFin)
                                 : (m_firstEndRst ? TcpEnd::OurAbort : TcpEnd::OurClose);
        // The session's words for the same ends.
        closed.text = byServer ? (m_firstEndRst ? u"the server reset the connection"_s
                                                : u"the server closed the connection"_s)
                               : (m_firstEndRst ? u"the client reset the connection"_s
                                                : u"we closed the connection"_s);
        m_trace.append(std::move(closed));
        state(SessionState::Closed, at);
    }

    [[nodiscard]] const QByteArray &requestHead() const { return m_request.bytes; }
    [[nodiscard]] qint64 gaps(Direction d) const { return m_gaps[int(d)]; }

private:
    TraceEvent newEvent(TraceEvent::Kind kind, qint64 timeNs) const
    {
        TraceEvent e;
        e.kind = kind;
        e.timeNs = timeNs - m_startNs;
        return e;
    }
    void event(TraceEvent::Kind kind, qint64 timeNs, const QString &text = {})
    {
        TraceEvent e = newEvent(kind, timeNs);
        e.text = text;
        m_trace.append(std::move(e));
    }
    void state(SessionState s, qint64 timeNs)
    {
        if (m_state == s)
            return;
        m_state = s;
        TraceEvent e = newEvent(TraceEvent::Kind::StateChanged, timeNs);
        e.state = s;
        m_trace.append(std::move(e));
    }
    void connected(qint64 timeNs)
    {
        m_connected = true;
        event(TraceEvent::Kind::Connected, timeNs, endpointText(m_stream.server));
    }
    void chunk(Direction d, qint64 timeNs, const QByteArray &octets, qint64 size)
    {
        OctetChunk c;
        c.timeNs = timeNs - m_startNs;
        c.streamOffset = m_offset[int(d)];
        c.size = size;
        c.data = octets;
        c.direction = d;
        m_offset[int(d)] += size;
        m_trace.append(std::move(c));
    }

    void clientOctets(qint64 timeNs, const QByteArray &octets, qint64 at)
    {
        if (m_headDone[0]) {
            frames(Direction::Tx, timeNs, octets);
            return;
        }
        if (m_headGaveUp)
            return;
        QByteArray &buffer = m_headBuffer[0];
        const qsizetype searchFrom = std::max<qsizetype>(0, buffer.size() - 3);
        buffer.append(octets);
        const qsizetype end = buffer.indexOf("\r\n\r\n", searchFrom);
        if (end < 0) {
            if (buffer.size() > kMaxRequestHead) {
                m_headGaveUp = true;
                buffer.clear();
                event(TraceEvent::Kind::Note, timeNs,
                      u"the client's octets begin with no HTTP request head within 64 KiB: "
                      "no opening handshake, no frames"_s);
            }
            return;
        }
        m_headDone[0] = true;
        m_request.bytes = buffer.first(end + 4);
        m_request.key = headerValue(m_request.bytes, "sec-websocket-key:").value_or(QByteArray());
        event(TraceEvent::Kind::HandshakeRequest, timeNs, QString::fromLatin1(m_request.bytes));
        const QByteArray rest = buffer.sliced(end + 4);
        buffer.clear();
        // The frames' offsets are counted from the first octet after the head.
        m_base[0] = at + octets.size() - rest.size();
        if (!rest.isEmpty())
            frames(Direction::Tx, timeNs, rest);
    }

    void serverOctets(qint64 timeNs, const QByteArray &octets, qint64 at)
    {
        if (m_headDone[1]) {
            if (m_open)
                frames(Direction::Rx, timeNs, octets);
            return;
        }
        const auto status = m_response.feed(octets);
        if (status == HandshakeResponseReader::Status::NeedMore)
            return;
        m_headDone[1] = true;
        if (status == HandshakeResponseReader::Status::TooLarge) {
            event(TraceEvent::Kind::HandshakeFailed, timeNs,
                  u"HTTP response head larger than 64 KiB without an end"_s);
            return;
        }
        const QByteArray head = m_response.head();
        const QByteArray rest = m_response.takeRemainder();
        // Checked as the session checks it; what was requested is read from the request's
        // octets (HandshakeOptions' lists are used only without them).
        const HandshakeResponse response = checkHandshakeResponse(head, m_request, {});
        event(TraceEvent::Kind::HandshakeResponse, timeNs, QString::fromLatin1(head));
        if (!response.ok()) {
            event(TraceEvent::Kind::HandshakeFailed, timeNs, response.failure);
            return;
        }
        m_open = true;
        m_base[1] = at + octets.size() - rest.size();
        state(SessionState::Open, timeNs);
        if (!rest.isEmpty())
            frames(Direction::Rx, timeNs, rest);
    }

    void frames(Direction d, qint64 timeNs, const QByteArray &octets)
    {
        m_decoded.clear();
        m_parser[int(d)].feed(octets, m_decoded);
        for (DecodedFrame &f : m_decoded)
            frame(d, timeNs, std::move(f));
        m_decoded.clear();
    }

    void frame(Direction d, qint64 timeNs, DecodedFrame &&decoded, bool incomplete = false)
    {
        const bool control = isControlOpcode(decoded.opcode);
        FrameRecord r =
            rxFrameRecord(std::move(decoded), timeNs - m_startNs, m_base[int(d)], !control);
        r.direction = d;
        r.incomplete = incomplete;
        const bool close = r.opcode == quint8(Opcode::Close) && !incomplete;
        const ParsedClosePayload payload =
            close ? parseClosePayload(r.payload) : ParsedClosePayload();
        const bool invalidCode = r.violations.testFlag(Violation::InvalidCloseCode);
        m_trace.append(std::move(r));
        if (!close || m_state == SessionState::Closed)
            return;
        if (d == Direction::Tx) {
            if (m_closeSent)
                return; // a live session sends one close: the first is the one analysed
            m_closeSent = true;
            TraceEvent e = newEvent(TraceEvent::Kind::CloseSent, timeNs);
            e.code = payload.code;
            e.reason = payload.reason;
            e.flag = m_closeReceived; // a reply to the server's close
            m_trace.append(std::move(e));
        } else {
            m_closeReceived = true;
            TraceEvent e = newEvent(TraceEvent::Kind::CloseReceived, timeNs);
            e.code = payload.code;
            e.reason = payload.reason;
            e.flag = invalidCode; // rejected: does not make the close clean
            m_trace.append(std::move(e));
        }
        if (m_state == SessionState::Open)
            state(SessionState::Closing, timeNs);
    }

    // A frame the parser has begun and will not finish: recorded as incomplete, as the session
    // records the frame TCP ended inside.
    void flushPartial(Direction d, qint64 timeNs)
    {
        FrameParser &parser = m_parser[int(d)];
        if (!parser.hasPartialFrame())
            return;
        frame(d, timeNs, parser.partialFrame(), true);
        parser.reset();
    }

    Trace &m_trace;
    TcpStreamSummary m_stream;
    qint64 m_startNs;
    qint64 m_lastNs = 0;
    qint64 m_closedNs = -1;
    SessionState m_state = SessionState::Idle;
    bool m_connected = false;
    bool m_open = false;
    bool m_closeSent = false, m_closeReceived = false;
    bool m_headGaveUp = false;
    bool m_headDone[2] = {false, false};
    bool m_lost[2] = {false, false}; // a gap: the frames after it cannot be found
    QByteArray m_headBuffer[2];      // [Tx] the request head so far
    qint64 m_offset[2] = {0, 0};
    qint64 m_base[2] = {0, 0};
    qint64 m_gaps[2] = {0, 0};
    HandshakeRequest m_request;
    HandshakeResponseReader m_response;
    FrameParser m_parser[2];
    std::vector<DecodedFrame> m_decoded;
    TcpStreamEnd m_end[2] = {TcpStreamEnd::Open, TcpStreamEnd::Open};
    std::optional<Direction> m_firstEnd;
    bool m_firstEndRst = false;
};

} // namespace

bool looksLikePcap(QByteArrayView head)
{
    if (head.size() < 4)
        return false;
    const quint32 magic = qFromLittleEndian<quint32>(head.data());
    return magic == 0xa1b2c3d4u || magic == 0xd4c3b2a1u || magic == 0xa1b23c4du ||
           magic == 0x4d3cb2a1u;
}

QString endpointText(const TcpEndpoint &endpoint)
{
    const QByteArray &a = endpoint.address;
    QString host;
    if (a.size() == 4) {
        host = u"%1.%2.%3.%4"_s.arg(quint8(a[0]))
                   .arg(quint8(a[1]))
                   .arg(quint8(a[2]))
                   .arg(quint8(a[3]));
    } else if (a.size() == 16) {
        // RFC 5952 §4: the longest run of two or more zero groups becomes "::".
        quint16 groups[8];
        for (int i = 0; i < 8; ++i)
            groups[i] = qFromBigEndian<quint16>(a.constData() + 2 * i);
        int bestStart = -1, bestLength = 1;
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && groups[j] == 0)
                ++j;
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        for (int i = 0; i < 8; ++i) {
            if (i == bestStart) {
                host += u"::"_s;
                i += bestLength - 1;
                continue;
            }
            if (!host.isEmpty() && !host.endsWith(u':'))
                host += u':';
            host += QString::number(groups[i], 16);
        }
    } else {
        host = QString::fromLatin1(a.toHex());
    }
    return host + u':' + QString::number(endpoint.port);
}

QString streamDescription(int index, const ImportedStream &stream)
{
    const TcpStreamSummary &s = stream.summary;
    return u"%1: %2 → %3, %4 packets, %5 octets sent, %6 received%7"_s.arg(index)
        .arg(endpointText(s.client), endpointText(s.server))
        .arg(s.packets)
        .arg(s.octets[int(Direction::Tx)])
        .arg(s.octets[int(Direction::Rx)])
        .arg(stream.webSocket ? u", WebSocket"_s : QString());
}

ImportResult importCapture(const QString &path, const ImportOptions &options)
{
    ImportResult out;
    // Both passes report on one scale: the first half of it is the listing.
    const ImportProgress firstPass = options.progress
                                         ? ImportProgress([&](qint64 done, qint64 total) {
                                               return options.progress(done, 2 * total);
                                           })
                                         : ImportProgress();
    std::optional<CaptureStreams> list = listCaptureStreams(path, &out.error, firstPass);
    if (!list) {
        out.cancelled = out.error == u"cancelled"_s;
        return out;
    }
    out.streams = list->streams;
    if (!list->damage.isEmpty())
        out.warnings << u"the file is damaged; it was read up to the damage: "_s + list->damage;
    if (out.streams.isEmpty()) {
        out.error = u"the capture holds no TCP packets"_s;
        if (!list->damage.isEmpty())
            out.error += u" before the damage: "_s + list->damage;
        return out;
    }
    if (list->morePackets > 0)
        out.warnings << u"the capture holds more than %1 TCP streams: %2 packets of later ones "
                        "were not listed"_s.arg(TcpStreamTracker::kMaxStreams)
                            .arg(list->morePackets);

    if (options.stream) {
        if (*options.stream < 0 || *options.stream >= out.streams.size()) {
            out.error =
                u"there is no TCP stream %1: the capture holds %2 (0 to %3)"_s.arg(*options.stream)
                    .arg(out.streams.size())
                    .arg(out.streams.size() - 1);
            return out;
        }
        out.chosen = *options.stream;
    } else {
        for (qsizetype i = 0; i < out.streams.size() && out.chosen < 0; ++i) {
            if (out.streams[i].webSocket)
                out.chosen = int(i);
        }
        if (out.chosen < 0) {
            out.chosen = 0;
            out.warnings << u"no TCP stream of the capture begins with a WebSocket opening "
                            "handshake (an HTTP GET with Upgrade: websocket); stream 0 is "
                            "shown as it is"_s;
        }
    }
    const ImportedStream &chosen = out.streams[out.chosen];
    if (options.stream && !chosen.webSocket)
        out.warnings << u"TCP stream %1 does not begin with a WebSocket opening handshake (an "
                        "HTTP GET with Upgrade: websocket)"_s.arg(out.chosen);
    if (out.streams.size() > 1) {
        QStringList others;
        for (qsizetype i = 0; i < out.streams.size() && others.size() < kListedStreams; ++i) {
            if (i != out.chosen)
                others << streamDescription(int(i), out.streams[i]);
        }
        QString text = u"the capture holds %1 TCP streams; stream %2 is shown; the others: "_s
                           .arg(out.streams.size())
                           .arg(out.chosen) +
                       others.join(u"; "_s);
        if (out.streams.size() - 1 > others.size())
            text += u"; and %1 more"_s.arg(out.streams.size() - 1 - others.size());
        out.warnings << text;
    }

    // Pass 2.
    PacketSource source;
    if (!source.open(path, &out.error))
        return out; // the file changed between the passes
    const TcpStreamSummary &summary = chosen.summary;
    out.trace = std::make_unique<Trace>(options.limits);
    TraceBuilder builder(*out.trace, summary);
    builder.begin(
        u"Reconstructed from a capture made by another tool (%1): %2, TCP stream %3 "
        "(%4 → %5). Read-only: timers and sent-frame facts such as chop size are not "
        "known."_s.arg(list->application.isEmpty() ? u"pcapng"_s : list->application, path)
            .arg(out.chosen)
            .arg(endpointText(summary.client), endpointText(summary.server)),
        chosen.webSocket);
    TcpStreamReassembler reassembler(summary);
    const auto belongs = [&](const TcpSegment &s) {
        return (s.source == summary.client && s.destination == summary.server) ||
               (s.source == summary.server && s.destination == summary.client);
    };
    qint64 reported = 0;
    while (std::optional<RawPacket> p = source.next()) {
        if (options.progress && source.position() - reported >= kProgressEvery) {
            reported = source.position();
            if (!options.progress(source.size() + reported, 2 * source.size())) {
                out.trace.reset();
                out.cancelled = true;
                out.error = u"cancelled"_s;
                return out;
            }
        }
        const std::optional<TcpSegment> segment = parseTcpPacket(p->linkType, p->data);
        if (!segment || !belongs(*segment))
            continue;
        builder.segment(p->timeNs, *segment);
        for (const TcpStreamPiece &piece : reassembler.add(p->timeNs, *segment))
            builder.piece(piece);
    }
    for (const TcpStreamPiece &piece : reassembler.finish())
        builder.piece(piece);
    builder.finish();

    for (const Direction d : {Direction::Tx, Direction::Rx}) {
        if (reassembler.missing(d) > 0)
            out.warnings << u"%1 octets %2 sent are missing from the capture (%3): lost by the "
                            "capture or cut by its snap length"_s.arg(reassembler.missing(d))
                                .arg(dirWord(d), builder.gaps(d) == 1
                                                     ? u"one gap"_s
                                                     : u"%1 gaps"_s.arg(builder.gaps(d)));
    }

    // The URL the client asked for: ws:// with the Host header and the request target.
    const QByteArray &request = builder.requestHead();
    const QList<QByteArray> requestLine = request.left(request.indexOf('\r')).split(' ');
    const QString target = requestLine.size() >= 2 ? QString::fromLatin1(requestLine[1]) : u"/"_s;
    const std::optional<QByteArray> host = headerValue(request, "host:");
    out.connection.application = list->application;
    out.connection.url = u"ws://"_s +
                         (host ? QString::fromLatin1(*host) : endpointText(summary.server)) +
                         (target.startsWith(u'/') ? target : u"/"_s + target);
    out.connection.startedAt =
        QDateTime::fromMSecsSinceEpoch(summary.firstTimeNs / 1'000'000, Qt::UTC);
    out.connection.peerAddress = endpointText(summary.server);
    out.trace->setStartedAt(out.connection.startedAt);
    out.trace->setUrl(out.connection.url);
    return out;
}

} // namespace wsi::capture
