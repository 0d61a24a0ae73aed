// SPDX-License-Identifier: MIT
// The TCP packet layer of the capture files: a client's WebSocket octet stream written as
// synthetic Ethernet II / IPv4 or IPv6 / TCP packets that Wireshark dissects as a real
// connection, and, for importing a foreign capture (a tcpdump of a plain ws:// connection), the
// way back: packets parsed into TCP segments, the connections of a file listed, and one
// connection's octets put back in order.
#pragma once

#include "trace/trace.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace wsi {

// One end of a TCP connection. The address is 4 octets (IPv4) or 16 octets (IPv6), in network
// order, as on the wire.
struct TcpEndpoint
{
    QByteArray address;
    quint16 port = 0;

    friend bool operator==(const TcpEndpoint &a, const TcpEndpoint &b)
    {
        return a.port == b.port && a.address == b.address;
    }
    friend bool operator!=(const TcpEndpoint &a, const TcpEndpoint &b) { return !(a == b); }
};

// An Ethernet II frame as captured (no preamble, no frame check sequence). originalLength is the
// frame's length on the wire: larger than octets.size() when the payload was not all kept.
struct SyntheticPacket
{
    QByteArray octets;
    // Captured octets that follow `octets`, left where they are (TcpPacketWriter::dataInPlace):
    // the caller's, valid while its buffer is. Empty for the packets of every other call.
    QByteArrayView payload;
    qint64 originalLength = 0;

    [[nodiscard]] qint64 capturedLength() const { return octets.size() + payload.size(); }
};

// Writes one TCP connection between `client` and `server` as packets: the three-way handshake,
// the octets of each write (Tx) and read (Rx), the end. Everything that does not come from the
// trace is fixed, so that the same trace always gives the same file:
//   - MAC addresses 02:00:00:00:00:01 (client) and 02:00:00:00:00:02 (server): locally
//     administered unicast addresses (IEEE 802: bit 1 of the first octet set, bit 0 clear), which
//     no network card carries;
//   - initial sequence numbers kClientIsn and kServerIsn (setInitialSequenceNumbers() changes
//     them, for tests of the 32-bit wrap);
//   - IPv4: TTL 64, Don't Fragment set, identification counting up from 1 on each side;
//     IPv6: hop limit 64, traffic class and flow label 0;
//   - window 65535, scaled by 2^14 once open() has offered window scaling (RFC 7323): a trace's
//     single write may be megabytes long and is sent without waiting for an acknowledgement, which
//     Wireshark would otherwise mark as filling the window.
// Both endpoints must be of the same IP version. When they are not, the IPv4 one is written as
// its IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2), as a dual-stack socket names
// it; an address of another length than 4 or 16 is cut or padded with zeros to 16.
class TcpPacketWriter
{
public:
    static constexpr quint32 kClientIsn = 0x10000000;
    static constexpr quint32 kServerIsn = 0x20000000;
    static constexpr int kWindowShift = 14;

    TcpPacketWriter(TcpEndpoint client, TcpEndpoint server);

    // Before anything is written: the sequence numbers of the two SYNs.
    void setInitialSequenceNumbers(quint32 client, quint32 server);

    [[nodiscard]] bool isIpv6() const { return m_ends[0].address.size() == 16; }
    [[nodiscard]] const TcpEndpoint &client() const { return m_ends[0]; }
    [[nodiscard]] const TcpEndpoint &server() const { return m_ends[1]; }

    // The largest payload of one segment: the IPv4 total length or the IPv6 payload length stays
    // within 65535 (65495 octets over IPv4, 65515 over IPv6). It is also the MSS the SYNs offer.
    [[nodiscard]] qint64 maxSegmentPayload() const;

    // SYN (client), SYN-ACK (server), ACK (client). With tcpOptions the SYNs carry an MSS of
    // maxSegmentPayload() and window scaling; without, the windows are 65535 unscaled. Call it
    // first, or not at all (a connection whose start is not in the file: the sequence numbers are
    // then the same as if it had been written).
    [[nodiscard]] QList<SyntheticPacket> open(bool tcpOptions = true);

    // One write (Tx) or read (Rx) of `size` octets of which the first kept.size() are known: one
    // packet when it fits maxSegmentPayload(), else consecutive segments, each PSH|ACK and
    // acknowledging everything the other side sent. A packet's captured octets stop after its kept
    // payload; its originalLength counts the whole segment. The TCP checksum is computed only for
    // a segment whose payload is all kept (for the others the octets it covers are unknown and it
    // is left 0, which Wireshark reports as unverified, its verdict for any cut packet); the IPv4
    // header checksum covers only the header and is always right. Size 0 gives no packet: nothing
    // crossed the wire, and an empty PSH|ACK would look like a duplicate acknowledgement.
    [[nodiscard]] QList<SyntheticPacket> data(Direction d, QByteArrayView kept, qint64 size);
    // As data(), but each packet's `octets` are its headers only and its kept payload is
    // `payload`, a view on `kept`: a writer then puts the octets in the file straight from the
    // trace, without a copy of each read in between (README, "Speed").
    [[nodiscard]] QList<SyntheticPacket> dataInPlace(Direction d, QByteArrayView kept, qint64 size);
    [[nodiscard]] QList<SyntheticPacket> data(Direction d, QByteArrayView octets)
    {
        return data(d, octets, octets.size());
    }

    // FIN|ACK, RST|ACK and a bare ACK from side d, acknowledging everything the other side sent.
    [[nodiscard]] SyntheticPacket fin(Direction d);
    [[nodiscard]] SyntheticPacket reset(Direction d);
    [[nodiscard]] SyntheticPacket ack(Direction d);

    // Payload octets side d has sent (SYN and FIN not counted).
    [[nodiscard]] qint64 sent(Direction d) const { return m_sent[int(d)]; }

private:
    [[nodiscard]] SyntheticPacket packet(Direction d, quint8 flags, quint32 seq,
                                         QByteArrayView options, QByteArrayView kept,
                                         qint64 payloadLength);

    TcpEndpoint m_ends[2]; // by Direction: [Tx] the client, [Rx] the server
    quint32 m_isn[2] = {kClientIsn, kServerIsn};
    quint32 m_next[2] = {kClientIsn + 1, kServerIsn + 1}; // next sequence number of each side
    qint64 m_sent[2] = {0, 0};
    quint16 m_ipId[2] = {1, 1};
};

// A TCP segment read from a captured packet.
struct TcpSegment
{
    // TCP header flags (RFC 9293 §3.1).
    static constexpr quint8 Fin = 0x01;
    static constexpr quint8 Syn = 0x02;
    static constexpr quint8 Rst = 0x04;
    static constexpr quint8 Psh = 0x08;
    static constexpr quint8 Ack = 0x10;

    TcpEndpoint source, destination;
    quint32 seq = 0, ack = 0;
    quint8 flags = 0;
    QByteArray payload;       // the payload octets captured
    qint64 payloadLength = 0; // from the IP length: > payload.size() when the capture was cut

    [[nodiscard]] bool has(quint8 flag) const { return (flags & flag) != 0; }
};

// pcap link types (LINKTYPE_* of the tcpdump.org list) parseTcpPacket() reads.
enum : quint32 {
    kLinkTypeNull = 0,       // BSD loopback: 4-octet address family in the writer's byte order
    kLinkTypeEthernet = 1,   // Ethernet II, with up to one VLAN tag
    kLinkTypeRaw = 101,      // an IPv4 or IPv6 packet, no link header
    kLinkTypeLinuxSll = 113, // Linux "cooked" capture, 16-octet header
    kLinkTypeIpv4 = 228,
    kLinkTypeIpv6 = 229,
    kLinkTypeLinuxSll2 = 276, // Linux "cooked" capture v2, 20-octet header
};

// The TCP segment in `packet` (a captured packet of that link type), or nullopt with the reason
// in *why: another link type, not IP, not TCP, an IP fragment, an IPv6 extension header other
// than hop-by-hop, routing or destination options, a header cut short or inconsistent. A packet
// cut by the snaplen inside the TCP payload is a segment whose payload is what was kept.
[[nodiscard]] std::optional<TcpSegment> parseTcpPacket(quint32 linkType, QByteArrayView packet,
                                                       QString *why = nullptr);

// One TCP connection of a capture, as TcpStreamTracker saw it.
struct TcpStreamSummary
{
    TcpEndpoint client, server;
    qint64 firstTimeNs = 0, lastTimeNs = 0;
    qint64 packets = 0;
    qint64 octets[2] = {0, 0}; // payload octets by Direction (Tx: client → server), as on the
                               // wire (cut payloads counted whole, retransmissions again)
    bool sawSyn = false;       // a SYN of it is in the capture: its start was captured
};

// Pass 1 over a capture: which TCP connections it holds. Memory is bounded: counts only, and at
// most kMaxStreams connections; the packets of any further one are counted in morePackets().
// A connection is its pair of endpoints for the whole capture (a 4-tuple used again after a close
// is counted as the same connection).
class TcpStreamTracker
{
public:
    static constexpr qsizetype kMaxStreams = 10000;

    void add(qint64 timeNs, const TcpSegment &segment);

    // In order of first appearance. The client is the sender of a SYN without ACK; failing that
    // the receiver of a SYN-ACK (the capture began between the two); failing that the side whose
    // first payload begins with "GET " (an HTTP request: the opening handshake); else the side
    // that sent first.
    [[nodiscard]] QList<TcpStreamSummary> streams() const;
    // Packets of connections beyond the first kMaxStreams (0: every connection is listed).
    [[nodiscard]] qint64 morePackets() const { return m_morePackets; }

private:
    // Sides by order of appearance: [0] the first sender.
    struct Stream
    {
        TcpEndpoint sides[2];
        qint64 firstTimeNs = 0, lastTimeNs = 0;
        qint64 packets = 0;
        qint64 octets[2] = {0, 0};
        bool sawSyn = false;
        qint8 synFrom = -1;    // side that sent a SYN without ACK
        qint8 synAckFrom = -1; // side that sent a SYN-ACK
        qint8 getFrom = -1;    // side whose first payload began with "GET "
        bool payloadSeen[2] = {false, false};
    };
    QList<Stream> m_streams;
    QHash<QByteArray, qsizetype> m_index; // both endpoints, in a fixed order -> m_streams
    qint64 m_morePackets = 0;
};

// Octets of one direction of a connection that became readable in order. missingBefore counts
// octets before these that the capture never had (a gap given up, or the part of a payload cut by
// the snaplen); octets may then be empty (the gap was the last thing of the direction).
struct TcpStreamPiece
{
    qint64 timeNs = 0;
    Direction direction = Direction::Tx;
    QByteArray octets;
    qint64 missingBefore = 0;
};

enum class TcpStreamEnd { Open, Fin, Reset };

// Pass 2: one connection's octets, each direction in sequence order. Retransmitted or overlapping
// octets are given once; a segment that arrives early is held until the gap before it fills. The
// gap is given up (reported as missingBefore) when the other side acknowledges past it (the peer
// got octets the capture missed), when more than kMaxHeldOctets or kMaxHeldSegments are held, or
// at finish(). Sequence numbers may wrap past 2^32. When the direction's SYN is not in the capture
// its stream begins at the first segment seen, and what came before is not counted as missing.
class TcpStreamReassembler
{
public:
    static constexpr qint64 kMaxHeldOctets = 16 * 1024 * 1024;
    static constexpr qsizetype kMaxHeldSegments = 65536;

    explicit TcpStreamReassembler(const TcpStreamSummary &stream);

    // The octets the segment made readable (none for another connection's segment). Pieces are
    // time-stamped with the segment that made them readable.
    [[nodiscard]] QList<TcpStreamPiece> add(qint64 timeNs, const TcpSegment &segment);
    // The end of the capture: every held segment given, each gap before one reported missing.
    [[nodiscard]] QList<TcpStreamPiece> finish();

    [[nodiscard]] TcpStreamEnd end(Direction d) const { return m_dirs[int(d)].end; }
    // Octets given so far in direction d, and octets reported missing.
    [[nodiscard]] qint64 delivered(Direction d) const { return m_dirs[int(d)].delivered; }
    [[nodiscard]] qint64 missing(Direction d) const { return m_dirs[int(d)].missing; }

private:
    struct Held
    {
        QByteArray kept;
        qint64 length = 0; // on the wire (≥ kept.size())
    };
    struct Dir
    {
        bool started = false;
        qint64 next = 0; // position of the next octet expected, sequence numbers unwrapped
        qint64 pendingMissing = 0; // missing octets not yet reported with a piece
        QMap<qint64, Held> held;   // early segments by position
        qint64 heldOctets = 0;
        qint64 delivered = 0, missing = 0;
        qint64 lastTimeNs = 0;
        TcpStreamEnd end = TcpStreamEnd::Open;
    };
    [[nodiscard]] static qint64 unwrap(const Dir &dir, quint32 seq);
    void take(Direction d, qint64 timeNs, qint64 pos, QByteArrayView kept, qint64 length,
              QList<TcpStreamPiece> &out);
    void deliver(Direction d, qint64 timeNs, qint64 pos, QByteArrayView kept, qint64 length,
                 QList<TcpStreamPiece> &out);
    void drain(Direction d, qint64 timeNs, QList<TcpStreamPiece> &out);
    void giveUpGap(Direction d, qint64 upTo, qint64 timeNs, QList<TcpStreamPiece> &out);

    TcpEndpoint m_client, m_server;
    Dir m_dirs[2];
};

} // namespace wsi
