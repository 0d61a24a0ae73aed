// SPDX-License-Identifier: MIT
#include "capture/tcppackets.h"

#include <QSysInfo>
#include <QtEndian>

#include <algorithm>
#include <cstring>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

constexpr quint16 kEtherTypeIpv4 = 0x0800;
constexpr quint16 kEtherTypeIpv6 = 0x86dd;
constexpr quint16 kEtherTypeVlan = 0x8100;  // IEEE 802.1Q customer tag
constexpr quint16 kEtherTypeVlanS = 0x88a8; // IEEE 802.1ad service tag
constexpr quint8 kIpProtocolTcp = 6;
constexpr qsizetype kEthernetHeader = 14;
constexpr qsizetype kIpv4Header = 20; // we write no options
constexpr qsizetype kIpv6Header = 40;
constexpr qsizetype kTcpHeader = 20;
constexpr quint16 kWindow = 65535;
constexpr quint8 kTtl = 64;

// Locally administered unicast MACs (see the header): client, server.
constexpr char kMacs[2][6] = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
                              {0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};

void put16(char *at, quint16 v)
{
    at[0] = char(v >> 8);
    at[1] = char(v);
}

void put32(char *at, quint32 v)
{
    put16(at, quint16(v >> 16));
    put16(at + 2, quint16(v));
}

quint16 get16(QByteArrayView p, qsizetype at)
{
    return quint16(quint8(p[at]) << 8 | quint8(p[at + 1]));
}

quint32 get32(QByteArrayView p, qsizetype at)
{
    return quint32(get16(p, at)) << 16 | get16(p, at + 2);
}

// The Internet checksum's sum (RFC 1071): 16-bit big-endian words added, an odd last octet as the
// high half of a word. Kept in 64 bits and folded once at the end.
quint64 addWords(quint64 sum, QByteArrayView octets)
{
    const auto *p = reinterpret_cast<const quint8 *>(octets.data());
    qsizetype n = octets.size();
    // Eight octets at a time in the host's order: the one's complement sum of 16-bit words in
    // either byte order is the other's byte-swapped (RFC 1071 §2 (B)), so the lanes are summed
    // as they are, folded to 16 bits and swapped once. Four 16-bit words a load instead of one
    // (the checksum of a 64 KiB read was a tenth of recording it).
    quint64 lanes = 0;
    for (; n >= 8; n -= 8, p += 8) {
        quint64 v = 0;
        std::memcpy(&v, p, 8);
        lanes += (v & 0xffffffffu) + (v >> 32); // < 2^33 each: no overflow below 2^31 loads
    }
    while (lanes >> 16)
        lanes = (lanes & 0xffff) + (lanes >> 16);
    sum += QSysInfo::ByteOrder == QSysInfo::BigEndian ? lanes : quint64(qbswap(quint16(lanes)));
    for (; n >= 2; n -= 2, p += 2)
        sum += quint32(p[0]) << 8 | p[1];
    if (n)
        sum += quint32(p[0]) << 8;
    return sum;
}

quint16 foldChecksum(quint64 sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return quint16(~sum);
}

QByteArray normalizedAddress(const QByteArray &address, bool ipv6)
{
    if (!ipv6)
        return address;
    if (address.size() == 16)
        return address;
    if (address.size() == 4) // IPv4-mapped: ::ffff:a.b.c.d
        return QByteArray(10, '\0') + QByteArray("\xff\xff", 2) + address;
    QByteArray padded = address.left(16);
    padded.append(16 - padded.size(), '\0');
    return padded;
}

} // namespace

// ---- writing ---------------------------------------------------------------------------------

TcpPacketWriter::TcpPacketWriter(TcpEndpoint client, TcpEndpoint server)
{
    const bool ipv6 = client.address.size() != 4 || server.address.size() != 4;
    client.address = normalizedAddress(client.address, ipv6);
    server.address = normalizedAddress(server.address, ipv6);
    m_ends[0] = std::move(client);
    m_ends[1] = std::move(server);
}

void TcpPacketWriter::setInitialSequenceNumbers(quint32 client, quint32 server)
{
    m_isn[0] = client;
    m_isn[1] = server;
    m_next[0] = client + 1;
    m_next[1] = server + 1;
}

qint64 TcpPacketWriter::maxSegmentPayload() const
{
    // IPv4: the total length counts the IP header; IPv6: the payload length does not.
    return isIpv6() ? 65535 - kTcpHeader : 65535 - kIpv4Header - kTcpHeader;
}

SyntheticPacket TcpPacketWriter::packet(Direction d, quint8 flags, quint32 seq,
                                        QByteArrayView options, QByteArrayView kept,
                                        qint64 payloadLength)
{
    const int from = int(d);
    const int to = 1 - from;
    const qsizetype ipHeader = isIpv6() ? kIpv6Header : kIpv4Header;
    const qsizetype tcpHeader = kTcpHeader + options.size(); // options come padded to 4 octets
    const qsizetype headers = kEthernetHeader + ipHeader + tcpHeader;
    const qint64 tcpLength = tcpHeader + payloadLength;

    SyntheticPacket result;
    result.originalLength = headers + payloadLength;
    result.octets = QByteArray(headers, '\0');
    result.payload = kept;
    char *p = result.octets.data();

    // Ethernet II: destination, source, EtherType.
    std::copy_n(kMacs[to], 6, p);
    std::copy_n(kMacs[from], 6, p + 6);
    put16(p + 12, isIpv6() ? kEtherTypeIpv6 : kEtherTypeIpv4);
    char *ip = p + kEthernetHeader;
    const QByteArray &source = m_ends[from].address;
    const QByteArray &destination = m_ends[to].address;

    if (isIpv6()) {
        put32(ip, 0x60000000); // version 6, traffic class 0, flow label 0
        put16(ip + 4, quint16(tcpLength));
        ip[6] = char(kIpProtocolTcp);
        ip[7] = char(kTtl);
        std::copy_n(source.constData(), 16, ip + 8);
        std::copy_n(destination.constData(), 16, ip + 24);
    } else {
        ip[0] = 0x45; // version 4, 5 words of header
        put16(ip + 2, quint16(kIpv4Header + tcpLength));
        put16(ip + 4, m_ipId[from]++);
        put16(ip + 6, 0x4000); // Don't Fragment
        ip[8] = char(kTtl);
        ip[9] = char(kIpProtocolTcp);
        std::copy_n(source.constData(), 4, ip + 12);
        std::copy_n(destination.constData(), 4, ip + 16);
        put16(ip + 10, foldChecksum(addWords(0, QByteArrayView(ip, kIpv4Header))));
    }

    char *tcp = ip + ipHeader;
    put16(tcp, m_ends[from].port);
    put16(tcp + 2, m_ends[to].port);
    put32(tcp + 4, seq);
    put32(tcp + 8, (flags & TcpSegment::Ack) ? m_next[to] : 0);
    tcp[12] = char((tcpHeader / 4) << 4);
    tcp[13] = char(flags);
    put16(tcp + 14, kWindow);
    std::copy_n(options.data(), options.size(), tcp + kTcpHeader);

    // Over a pseudo-header of the addresses, the protocol and the TCP length (RFC 9293 §3.1;
    // RFC 8200 §8.1 for IPv6), then the whole segment: only possible when all of it is known.
    if (kept.size() == payloadLength) {
        quint64 sum = addWords(0, source);
        sum = addWords(sum, destination);
        sum += kIpProtocolTcp;
        sum += quint64(tcpLength); // IPv6's 32-bit length adds the same as IPv4's 16-bit one
        // The header's length is a multiple of 4: the payload's words pair up as they would
        // following it.
        sum = addWords(sum, QByteArrayView(tcp, tcpHeader));
        sum = addWords(sum, kept);
        put16(tcp + 16, foldChecksum(sum));
    }
    return result;
}

QList<SyntheticPacket> TcpPacketWriter::open(bool tcpOptions)
{
    QByteArray options;
    if (tcpOptions) {
        // MSS (kind 2, length 4), NOP to align, window scale (kind 3, length 3): 8 octets.
        options = QByteArray(8, '\0');
        options[0] = 2;
        options[1] = 4;
        put16(options.data() + 2, quint16(maxSegmentPayload()));
        options[4] = 1;
        options[5] = 3;
        options[6] = 3;
        options[7] = char(kWindowShift);
    }
    QList<SyntheticPacket> out;
    out << packet(Direction::Tx, TcpSegment::Syn, m_isn[0], options, {}, 0);
    out << packet(Direction::Rx, TcpSegment::Syn | TcpSegment::Ack, m_isn[1], options, {}, 0);
    out << packet(Direction::Tx, TcpSegment::Ack, m_next[0], {}, {}, 0);
    // The window field stays 65535: what it means (scaled or not) the SYNs said, and scaling
    // holds because both offered it (RFC 7323 §2.2).
    return out;
}

QList<SyntheticPacket> TcpPacketWriter::data(Direction d, QByteArrayView kept, qint64 size)
{
    QList<SyntheticPacket> out = dataInPlace(d, kept, size);
    for (SyntheticPacket &p : out) {
        p.octets.append(p.payload.data(), p.payload.size());
        p.payload = {};
    }
    return out;
}

QList<SyntheticPacket> TcpPacketWriter::dataInPlace(Direction d, QByteArrayView kept, qint64 size)
{
    size = std::max<qint64>(size, 0);
    if (kept.size() > size)
        kept = kept.first(size);
    QList<SyntheticPacket> out;
    const qint64 max = maxSegmentPayload();
    for (qint64 offset = 0; offset < size; offset += max) {
        const qint64 length = std::min(max, size - offset);
        const QByteArrayView part =
            offset < kept.size() ? kept.sliced(offset, std::min(length, kept.size() - offset))
                                 : QByteArrayView();
        out << packet(d, TcpSegment::Psh | TcpSegment::Ack, m_next[int(d)], {}, part, length);
        m_next[int(d)] += quint32(length); // modulo 2^32, as sequence numbers are
        m_sent[int(d)] += length;
    }
    return out;
}

SyntheticPacket TcpPacketWriter::fin(Direction d)
{
    SyntheticPacket p = packet(d, TcpSegment::Fin | TcpSegment::Ack, m_next[int(d)], {}, {}, 0);
    ++m_next[int(d)]; // the FIN occupies one sequence number
    return p;
}

SyntheticPacket TcpPacketWriter::reset(Direction d)
{
    return packet(d, TcpSegment::Rst | TcpSegment::Ack, m_next[int(d)], {}, {}, 0);
}

SyntheticPacket TcpPacketWriter::ack(Direction d)
{
    return packet(d, TcpSegment::Ack, m_next[int(d)], {}, {}, 0);
}

// ---- reading ---------------------------------------------------------------------------------

namespace {

std::optional<TcpSegment> refuse(QString *why, const QString &reason)
{
    if (why)
        *why = reason;
    return std::nullopt;
}

// `l4`: the TCP octets captured; `tcpLength`: the segment's length by the IP header.
std::optional<TcpSegment> parseTcp(QByteArrayView l4, qint64 tcpLength, QByteArrayView source,
                                   QByteArrayView destination, QString *why)
{
    if (tcpLength < kTcpHeader)
        return refuse(why, u"the IP length leaves no room for a TCP header"_s);
    if (l4.size() < kTcpHeader)
        return refuse(why, u"TCP header cut short"_s);
    const qsizetype header = (quint8(l4[12]) >> 4) * 4;
    if (header < kTcpHeader)
        return refuse(why, u"TCP data offset below 5 words"_s);
    if (header > tcpLength)
        return refuse(why, u"TCP header longer than the segment"_s);
    if (l4.size() < header)
        return refuse(why, u"TCP options cut short"_s);
    TcpSegment s;
    s.source = {source.toByteArray(), get16(l4, 0)};
    s.destination = {destination.toByteArray(), get16(l4, 2)};
    s.seq = get32(l4, 4);
    s.ack = get32(l4, 8);
    s.flags = quint8(l4[13]);
    s.payloadLength = tcpLength - header;
    s.payload = l4.sliced(header).toByteArray();
    return s;
}

std::optional<TcpSegment> parseIpv4(QByteArrayView ip, QString *why)
{
    if (ip.size() < kIpv4Header)
        return refuse(why, u"IPv4 header cut short"_s);
    const qsizetype header = (quint8(ip[0]) & 0x0f) * 4;
    if (header < kIpv4Header)
        return refuse(why, u"IPv4 header length below 5 words"_s);
    if (ip.size() < header)
        return refuse(why, u"IPv4 options cut short"_s);
    qint64 total = get16(ip, 2);
    // A sender's capture of a segment the network card splits (TSO) may carry 0 here: the length
    // is then what was captured.
    if (total == 0)
        total = ip.size();
    if (total < header)
        return refuse(why, u"IPv4 total length below its header length"_s);
    const quint16 fragment = get16(ip, 6);
    if (fragment & 0x3fff) // More Fragments, or an offset
        return refuse(why, u"IPv4 fragment"_s);
    if (quint8(ip[9]) != kIpProtocolTcp)
        return refuse(why, u"not TCP (IP protocol %1)"_s.arg(quint8(ip[9])));
    // Octets past the total length are link padding (Ethernet's 60-octet minimum).
    const qsizetype captured = qsizetype(std::min<qint64>(ip.size(), total));
    return parseTcp(ip.sliced(header, captured - header), total - header, ip.sliced(12, 4),
                    ip.sliced(16, 4), why);
}

std::optional<TcpSegment> parseIpv6(QByteArrayView ip, QString *why)
{
    if (ip.size() < kIpv6Header)
        return refuse(why, u"IPv6 header cut short"_s);
    qint64 payload = get16(ip, 4);
    if (payload == 0) // as for IPv4 (TSO); a jumbogram (RFC 2675) is not TCP we can follow
        payload = ip.size() - kIpv6Header;
    const qint64 end = kIpv6Header + payload;
    const qsizetype captured = qsizetype(std::min<qint64>(ip.size(), end));
    quint8 next = quint8(ip[6]);
    qint64 pos = kIpv6Header;
    // Hop-by-hop (0), routing (43) and destination options (60) share one layout: next header,
    // then the length in 8-octet units beyond the first 8 (RFC 8200 §4.3–4.6).
    while (next == 0 || next == 43 || next == 60) {
        if (pos + 2 > captured)
            return refuse(why, u"IPv6 extension header cut short"_s);
        const qint64 length = (qint64(quint8(ip[pos + 1])) + 1) * 8;
        next = quint8(ip[pos]);
        pos += length;
        if (pos > end)
            return refuse(why, u"IPv6 extension header longer than the packet"_s);
    }
    if (next == 44)
        return refuse(why, u"IPv6 fragment"_s);
    if (next != kIpProtocolTcp)
        return refuse(why, u"not TCP (IPv6 next header %1)"_s.arg(next));
    if (pos > captured)
        return refuse(why, u"IPv6 extension header cut short"_s);
    return parseTcp(ip.sliced(pos, captured - pos), end - pos, ip.sliced(8, 16), ip.sliced(24, 16),
                    why);
}

// version: 4 or 6 when the link header said it, 0 to read it from the packet.
std::optional<TcpSegment> parseIp(QByteArrayView ip, int version, QString *why)
{
    if (ip.isEmpty())
        return refuse(why, u"no IP header"_s);
    const int found = quint8(ip[0]) >> 4;
    if (version != 0 && found != version)
        return refuse(why, u"IPv%1 expected, version %2 found"_s.arg(version).arg(found));
    if (found == 4)
        return parseIpv4(ip, why);
    if (found == 6)
        return parseIpv6(ip, why);
    return refuse(why, u"not IP (version %1)"_s.arg(found));
}

// What follows an EtherType (Ethernet, and the cooked captures, which name the protocol the same
// way); one VLAN tag (TCI, then the inner EtherType) is stepped over.
std::optional<TcpSegment> parseEtherType(quint16 type, QByteArrayView rest, QString *why)
{
    if (type == kEtherTypeVlan || type == kEtherTypeVlanS) {
        if (rest.size() < 4)
            return refuse(why, u"VLAN tag cut short"_s);
        type = get16(rest, 2);
        rest = rest.sliced(4);
        if (type == kEtherTypeVlan || type == kEtherTypeVlanS)
            return refuse(why, u"more than one VLAN tag"_s);
    }
    if (type == kEtherTypeIpv4)
        return parseIp(rest, 4, why);
    if (type == kEtherTypeIpv6)
        return parseIp(rest, 6, why);
    return refuse(why, u"not IP (EtherType 0x%1)"_s.arg(uint(type), 4, 16, QChar(u'0')));
}

// BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 differs (24 NetBSD/OpenBSD,
// 28 FreeBSD, 30 Darwin). 0 when it is neither.
int ipVersionOfFamily(quint32 family)
{
    switch (family) {
    case 2:
        return 4;
    case 24:
    case 28:
    case 30:
        return 6;
    default:
        return 0;
    }
}

} // namespace

std::optional<TcpSegment> parseTcpPacket(quint32 linkType, QByteArrayView packet, QString *why)
{
    switch (linkType) {
    case kLinkTypeEthernet:
        if (packet.size() < kEthernetHeader)
            return refuse(why, u"Ethernet header cut short"_s);
        return parseEtherType(get16(packet, 12), packet.sliced(kEthernetHeader), why);
    case kLinkTypeNull: {
        if (packet.size() < 4)
            return refuse(why, u"loopback header cut short"_s);
        // In the byte order of the host that wrote the file, which the file does not say: one of
        // the two readings is a small number.
        const quint32 big = get32(packet, 0);
        const quint32 little =
            (big >> 24) | ((big >> 8) & 0xff00) | ((big << 8) & 0xff0000) | (big << 24);
        const int version = std::max(ipVersionOfFamily(big), ipVersionOfFamily(little));
        if (version == 0)
            return refuse(why, u"not IP (loopback address family %1)"_s.arg(std::min(big, little)));
        return parseIp(packet.sliced(4), version, why);
    }
    case kLinkTypeRaw:
        return parseIp(packet, 0, why);
    case kLinkTypeIpv4:
        return parseIp(packet, 4, why);
    case kLinkTypeIpv6:
        return parseIp(packet, 6, why);
    case kLinkTypeLinuxSll:
        // Packet type, ARPHRD type, address length, 8 octets of address, protocol.
        if (packet.size() < 16)
            return refuse(why, u"Linux cooked header cut short"_s);
        return parseEtherType(get16(packet, 14), packet.sliced(16), why);
    case kLinkTypeLinuxSll2:
        // Protocol, reserved, interface index, ARPHRD type, packet type, address length, address.
        if (packet.size() < 20)
            return refuse(why, u"Linux cooked v2 header cut short"_s);
        return parseEtherType(get16(packet, 0), packet.sliced(20), why);
    default:
        return refuse(why, u"link type %1 is not read"_s.arg(linkType));
    }
}

// ---- pass 1: the connections -----------------------------------------------------------------

namespace {

bool endpointLess(const TcpEndpoint &a, const TcpEndpoint &b)
{
    if (a.address != b.address)
        return a.address < b.address;
    return a.port < b.port;
}

// Both endpoints, in an order that does not depend on the direction of the segment.
QByteArray streamKey(const TcpEndpoint &a, const TcpEndpoint &b)
{
    const bool swap = endpointLess(b, a);
    const TcpEndpoint &first = swap ? b : a;
    const TcpEndpoint &second = swap ? a : b;
    QByteArray key;
    key.reserve(first.address.size() + second.address.size() + 5);
    key += char(first.address.size());
    key += first.address;
    key += char(first.port >> 8);
    key += char(first.port);
    key += second.address;
    key += char(second.port >> 8);
    key += char(second.port);
    return key;
}

} // namespace

void TcpStreamTracker::add(qint64 timeNs, const TcpSegment &segment)
{
    const QByteArray key = streamKey(segment.source, segment.destination);
    auto found = m_index.constFind(key);
    qsizetype index;
    if (found != m_index.cend()) {
        index = *found;
    } else {
        if (m_streams.size() >= kMaxStreams) {
            ++m_morePackets;
            return;
        }
        index = m_streams.size();
        m_index.insert(key, index);
        Stream stream;
        stream.sides[0] = segment.source;
        stream.sides[1] = segment.destination;
        stream.firstTimeNs = stream.lastTimeNs = timeNs;
        m_streams.push_back(std::move(stream));
    }
    Stream &s = m_streams[index];
    const qint8 side = segment.source == s.sides[0] ? 0 : 1;
    s.firstTimeNs = std::min(s.firstTimeNs, timeNs); // captures merged from two interfaces
    s.lastTimeNs = std::max(s.lastTimeNs, timeNs);   // are not always in time order
    ++s.packets;
    s.octets[side] += segment.payloadLength;
    if (segment.has(TcpSegment::Syn)) {
        s.sawSyn = true;
        qint8 &from = segment.has(TcpSegment::Ack) ? s.synAckFrom : s.synFrom;
        if (from < 0)
            from = side;
    }
    if (segment.payloadLength > 0 && !s.payloadSeen[side]) {
        s.payloadSeen[side] = true;
        if (s.getFrom < 0 && segment.payload.startsWith("GET "))
            s.getFrom = side;
    }
}

QList<TcpStreamSummary> TcpStreamTracker::streams() const
{
    QList<TcpStreamSummary> out;
    out.reserve(m_streams.size());
    for (const Stream &s : m_streams) {
        int client = 0;
        if (s.synFrom >= 0)
            client = s.synFrom;
        else if (s.synAckFrom >= 0)
            client = 1 - s.synAckFrom;
        else if (s.getFrom >= 0)
            client = s.getFrom;
        TcpStreamSummary summary;
        summary.client = s.sides[client];
        summary.server = s.sides[1 - client];
        summary.firstTimeNs = s.firstTimeNs;
        summary.lastTimeNs = s.lastTimeNs;
        summary.packets = s.packets;
        summary.octets[int(Direction::Tx)] = s.octets[client];
        summary.octets[int(Direction::Rx)] = s.octets[1 - client];
        summary.sawSyn = s.sawSyn;
        out.push_back(summary);
    }
    return out;
}

// ---- pass 2: one connection's octets ---------------------------------------------------------

TcpStreamReassembler::TcpStreamReassembler(const TcpStreamSummary &stream)
    : m_client(stream.client), m_server(stream.server)
{
}

// The position nearest to the direction's next one with these low 32 bits: segments within 2 GiB
// either side of it, which TCP's window keeps them (RFC 9293 §3.4).
qint64 TcpStreamReassembler::unwrap(const Dir &dir, quint32 seq)
{
    return dir.next + qint32(seq - quint32(dir.next));
}

QList<TcpStreamPiece> TcpStreamReassembler::add(qint64 timeNs, const TcpSegment &segment)
{
    QList<TcpStreamPiece> out;
    Direction d;
    if (segment.source == m_client && segment.destination == m_server)
        d = Direction::Tx;
    else if (segment.source == m_server && segment.destination == m_client)
        d = Direction::Rx;
    else
        return out;
    Dir &dir = m_dirs[int(d)];
    Dir &other = m_dirs[1 - int(d)];
    dir.lastTimeNs = timeNs;
    const bool syn = segment.has(TcpSegment::Syn);
    if (!dir.started) {
        dir.started = true;
        dir.next = qint64(segment.seq) + (syn ? 1 : 0); // the SYN occupies one number
    }
    if (segment.has(TcpSegment::Rst)) {
        // Data on a reset is a diagnostic text (RFC 9293 §3.5.3), not part of the stream.
        dir.end = TcpStreamEnd::Reset;
        return out;
    }
    const qint64 pos = unwrap(dir, segment.seq) + (syn ? 1 : 0);
    if (segment.payloadLength > 0)
        take(d, timeNs, pos, segment.payload, segment.payloadLength, out);
    if (segment.has(TcpSegment::Fin) && dir.end == TcpStreamEnd::Open)
        dir.end = TcpStreamEnd::Fin;
    // An acknowledgement past a gap of the other direction: the peer has the octets, so they will
    // not come again and the capture lost them.
    if (segment.has(TcpSegment::Ack) && other.started && !other.held.isEmpty()) {
        const qint64 acked = unwrap(other, segment.ack);
        if (acked > other.next)
            giveUpGap(Direction(1 - int(d)), std::min(acked, other.held.firstKey()), timeNs, out);
    }
    return out;
}

void TcpStreamReassembler::take(Direction d, qint64 timeNs, qint64 pos, QByteArrayView kept,
                                qint64 length, QList<TcpStreamPiece> &out)
{
    Dir &dir = m_dirs[int(d)];
    if (pos + length <= dir.next)
        return; // a retransmission of octets already given
    if (pos <= dir.next) {
        deliver(d, timeNs, pos, kept, length, out);
        drain(d, timeNs, out);
        return;
    }
    // Early: held. Of two copies starting at the same place the longer is kept.
    auto it = dir.held.find(pos);
    if (it != dir.held.end()) {
        if (it->length >= length)
            return;
        dir.heldOctets -= it->kept.size();
        *it = Held{kept.toByteArray(), length};
    } else {
        dir.held.insert(pos, Held{kept.toByteArray(), length});
    }
    dir.heldOctets += kept.size();
    while (!dir.held.isEmpty() &&
           (dir.heldOctets > kMaxHeldOctets || dir.held.size() > kMaxHeldSegments))
        giveUpGap(d, dir.held.firstKey(), timeNs, out);
}

// A segment that starts at or before the next position and ends after it.
void TcpStreamReassembler::deliver(Direction d, qint64 timeNs, qint64 pos, QByteArrayView kept,
                                   qint64 length, QList<TcpStreamPiece> &out)
{
    Dir &dir = m_dirs[int(d)];
    const qint64 skip = dir.next - pos;
    const QByteArrayView fresh = kept.sliced(qsizetype(std::min<qint64>(skip, kept.size())));
    if (!fresh.isEmpty()) {
        if (dir.pendingMissing == 0 && !out.isEmpty() && out.last().direction == d) {
            out.last().octets.append(fresh.data(), fresh.size());
        } else {
            out.push_back({timeNs, d, fresh.toByteArray(), dir.pendingMissing});
            dir.pendingMissing = 0;
        }
        dir.delivered += fresh.size();
    }
    // What the snaplen cut off: missing before whatever comes next.
    const qint64 cut = length - skip - fresh.size();
    dir.pendingMissing += cut;
    dir.missing += cut;
    dir.next = pos + length;
}

void TcpStreamReassembler::drain(Direction d, qint64 timeNs, QList<TcpStreamPiece> &out)
{
    Dir &dir = m_dirs[int(d)];
    while (!dir.held.isEmpty() && dir.held.firstKey() <= dir.next) {
        const qint64 pos = dir.held.firstKey();
        const Held held = dir.held.take(pos);
        dir.heldOctets -= held.kept.size();
        if (pos + held.length > dir.next)
            deliver(d, timeNs, pos, held.kept, held.length, out);
    }
}

void TcpStreamReassembler::giveUpGap(Direction d, qint64 upTo, qint64 timeNs,
                                     QList<TcpStreamPiece> &out)
{
    Dir &dir = m_dirs[int(d)];
    if (upTo > dir.next) {
        dir.pendingMissing += upTo - dir.next;
        dir.missing += upTo - dir.next;
        dir.next = upTo;
    }
    drain(d, timeNs, out);
}

QList<TcpStreamPiece> TcpStreamReassembler::finish()
{
    QList<TcpStreamPiece> out;
    for (const Direction d : {Direction::Tx, Direction::Rx}) {
        Dir &dir = m_dirs[int(d)];
        while (!dir.held.isEmpty())
            giveUpGap(d, dir.held.firstKey(), dir.lastTimeNs, out);
        if (dir.pendingMissing > 0) {
            out.push_back({dir.lastTimeNs, d, QByteArray(), dir.pendingMissing});
            dir.pendingMissing = 0;
        }
    }
    return out;
}

} // namespace wsi
