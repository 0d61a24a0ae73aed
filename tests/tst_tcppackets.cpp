// SPDX-License-Identifier: MIT
// The TCP packet layer of the capture files: synthetic packets written, parsed back, the
// connection found and its octets reassembled; the foreign link types read; junk refused without
// a crash; and what a user checks: Wireshark's tshark finds every checksum good, no TCP analysis
// warning, and the WebSocket frames that were sent.
#include "capture/tcppackets.h"
#include "protocol/frame.h"
#include "protocol/handshake.h"

#include <QtTest>

#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <vector>

using namespace wsi;
using namespace Qt::StringLiterals;

namespace {

QByteArray bytes(std::initializer_list<quint32> values)
{
    QByteArray out;
    for (const quint32 v : values)
        out += char(v & 0xff);
    return out;
}

TcpEndpoint ipv4(quint8 a, quint8 b, quint8 c, quint8 d, quint16 port)
{
    return {bytes({a, b, c, d}), port};
}

TcpEndpoint ipv6(quint8 last, quint16 port)
{
    // 2001:db8::last, the documentation prefix (RFC 3849).
    QByteArray address(16, '\0');
    address[0] = 0x20;
    address[1] = 0x01;
    address[2] = 0x0d;
    address[3] = char(0xb8);
    address[15] = char(last);
    return {address, port};
}

// A payload that shows where each octet was: octet i is (i * 7 + i / 251) mod 256.
QByteArray pattern(qint64 size, int salt = 0)
{
    QByteArray out(size, '\0');
    for (qint64 i = 0; i < size; ++i)
        out[i] = char((i * 7 + i / 251 + salt) & 0xff);
    return out;
}

quint16 word(const QByteArray &p, qsizetype at)
{
    return quint16(quint8(p[at]) << 8 | quint8(p[at + 1]));
}

// The one's complement sum of the words, folded: 0xffff when a checksum inside them is right.
quint16 onesSum(const QByteArray &octets, quint32 start = 0)
{
    quint64 sum = start;
    for (qsizetype i = 0; i + 1 < octets.size(); i += 2)
        sum += word(octets, i);
    if (octets.size() % 2)
        sum += quint32(quint8(octets.back())) << 8;
    while (sum > 0xffff)
        sum = (sum >> 16) + (sum & 0xffff);
    return quint16(sum);
}

// Checks a complete synthetic frame's two checksums the way a receiver would.
bool checksumsHold(const SyntheticPacket &p, QString *why)
{
    const QByteArray &f = p.octets;
    const bool v6 = word(f, 12) == 0x86dd;
    const qsizetype ipHeader = v6 ? 40 : 20;
    const QByteArray ip = f.mid(14, ipHeader);
    if (!v6 && onesSum(ip) != 0xffff) {
        *why = u"IPv4 header checksum"_s;
        return false;
    }
    const QByteArray tcp = f.mid(14 + ipHeader);
    QByteArray pseudo = v6 ? ip.mid(8, 32) : ip.mid(12, 8);
    const quint32 length = quint32(tcp.size());
    pseudo += bytes({length >> 24, length >> 16, length >> 8, length, 0, 0, 0, 6});
    if (onesSum(QByteArray(pseudo + tcp)) != 0xffff) {
        *why = u"TCP checksum"_s;
        return false;
    }
    return true;
}

struct Timed
{
    qint64 timeNs = 0;
    SyntheticPacket packet;
};

// A connection's packets, numbered by time (1 µs apart).
struct Recorder
{
    QList<Timed> packets;
    qint64 now = 0;
    void add(const QList<SyntheticPacket> &list)
    {
        for (const SyntheticPacket &p : list)
            packets.push_back({now += 1000, p});
    }
    void add(const SyntheticPacket &p) { add(QList<SyntheticPacket>{p}); }
};

QList<TcpSegment> parseAll(const QList<Timed> &packets)
{
    QList<TcpSegment> out;
    for (const Timed &t : packets) {
        QString why;
        const std::optional<TcpSegment> s =
            parseTcpPacket(kLinkTypeEthernet, t.packet.octets, &why);
        if (!s) {
            qWarning() << "not parsed:" << why;
            return {};
        }
        out.push_back(*s);
    }
    return out;
}

// The octets of each direction, the pieces concatenated; missing octets counted.
struct Streams
{
    QByteArray octets[2];
    qint64 missing[2] = {0, 0};
    qsizetype pieces = 0;
    void add(const QList<TcpStreamPiece> &list)
    {
        for (const TcpStreamPiece &p : list) {
            octets[int(p.direction)] += p.octets;
            missing[int(p.direction)] += p.missingBefore;
            ++pieces;
        }
    }
};

Streams reassemble(TcpStreamReassembler &r, const QList<TcpSegment> &segments)
{
    Streams s;
    qint64 t = 0;
    for (const TcpSegment &segment : segments)
        s.add(r.add(t += 1000, segment));
    s.add(r.finish());
    return s;
}

// A segment of the client's stream made by hand, for the reassembler.
TcpSegment clientSegment(quint32 seq, const QByteArray &payload, quint8 flags = TcpSegment::Ack)
{
    TcpSegment s;
    s.source = ipv4(10, 0, 0, 1, 40000);
    s.destination = ipv4(10, 0, 0, 2, 80);
    s.seq = seq;
    s.flags = flags;
    s.payload = payload;
    s.payloadLength = payload.size();
    return s;
}

TcpStreamSummary handMadeStream()
{
    TcpStreamSummary summary;
    summary.client = ipv4(10, 0, 0, 1, 40000);
    summary.server = ipv4(10, 0, 0, 2, 80);
    return summary;
}

QByteArray littleEndian32(quint32 v)
{
    return bytes({v, v >> 8, v >> 16, v >> 24});
}

QByteArray littleEndian16(quint16 v)
{
    return bytes({v, quint32(v >> 8)});
}

// A classic libpcap file (nanosecond timestamps) of Ethernet frames.
QByteArray pcapFile(const QList<Timed> &packets)
{
    QByteArray file = littleEndian32(0xa1b23c4d);  // the nanosecond magic, little-endian file
    file += littleEndian16(2) + littleEndian16(4); // version 2.4
    file += littleEndian32(0) + littleEndian32(0); // this zone, sigfigs
    file += littleEndian32(262144);                // snaplen
    file += littleEndian32(kLinkTypeEthernet);
    const qint64 epoch = 1'800'000'000LL * 1'000'000'000LL; // a fixed wall-clock start
    for (const Timed &t : packets) {
        const qint64 ns = epoch + t.timeNs;
        file += littleEndian32(quint32(ns / 1'000'000'000));
        file += littleEndian32(quint32(ns % 1'000'000'000));
        file += littleEndian32(quint32(t.packet.octets.size()));
        file += littleEndian32(quint32(t.packet.originalLength));
        file += t.packet.octets;
    }
    return file;
}

QByteArray wsFrame(int opcode, const QByteArray &payload, bool masked)
{
    FrameSpec spec;
    spec.opcode = opcode;
    spec.payload = payload;
    spec.maskMode = masked ? MaskMode::Fixed : MaskMode::None;
    spec.maskKey = 0x37fa213d;
    return encodeFrame(spec);
}

// tshark's tab-separated field lines for the file, stderr ("Running as root…") ignored.
QStringList tshark(const QString &file, const QStringList &arguments, QString *error)
{
    const QString exe = QStandardPaths::findExecutable(u"tshark"_s);
    if (exe.isEmpty()) {
        *error = u"tshark not found: apt-get install tshark"_s;
        return {};
    }
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(exe, QStringList{u"-n"_s, u"-r"_s, file} + arguments);
    if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        *error = u"tshark failed: "_s + QString::fromLocal8Bit(process.readAllStandardError());
        return {};
    }
    QStringList lines = QString::fromUtf8(process.readAllStandardOutput()).split(u'\n');
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

// The file's packets as tshark checks them: "number<TAB>IP checksum status<TAB>TCP checksum
// status<TAB>TCP analysis flags", checksums verified (off by default).
QStringList tsharkChecks(const QString &file, QString *error)
{
    return tshark(file,
                  {u"-o"_s, u"tcp.check_checksum:TRUE"_s, u"-o"_s, u"ip.check_checksum:TRUE"_s,
                   u"-T"_s, u"fields"_s, u"-e"_s, u"frame.number"_s, u"-e"_s,
                   u"ip.checksum.status"_s, u"-e"_s, u"tcp.checksum.status"_s, u"-e"_s,
                   u"tcp.analysis.flags"_s},
                  error);
}

bool writeFile(const QString &path, const QByteArray &octets)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(octets) == octets.size();
}

} // namespace

class tst_TcpPackets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<bool>("v6");
        QTest::addColumn<qint64>("size");
        for (const bool v6 : {false, true}) {
            for (const qint64 size : {0, 1, 1460, 65000, 200000}) {
                QTest::addRow("%s %lld", v6 ? "IPv6" : "IPv4", static_cast<long long>(size))
                    << v6 << size;
            }
        }
    }
    void roundTrip()
    {
        QFETCH(bool, v6);
        QFETCH(qint64, size);
        const TcpEndpoint client = v6 ? ipv6(1, 51000) : ipv4(192, 168, 1, 10, 51000);
        const TcpEndpoint server = v6 ? ipv6(2, 80) : ipv4(192, 168, 1, 20, 80);
        TcpPacketWriter writer(client, server);
        QCOMPARE(writer.isIpv6(), v6);
        const qint64 max = writer.maxSegmentPayload();
        QCOMPARE(max, v6 ? 65515 : 65495);
        const QByteArray up = pattern(size, 1);
        const QByteArray down = pattern(size, 2);

        Recorder rec;
        rec.add(writer.open());
        const QList<SyntheticPacket> upPackets = writer.data(Direction::Tx, up, size);
        QCOMPARE(upPackets.size(), qsizetype((size + max - 1) / max)); // none for 0 octets
        rec.add(upPackets);
        rec.add(writer.data(Direction::Rx, down));
        rec.add(writer.fin(Direction::Tx));
        rec.add(writer.fin(Direction::Rx));
        rec.add(writer.ack(Direction::Tx));
        QCOMPARE(writer.sent(Direction::Tx), size);
        QCOMPARE(writer.sent(Direction::Rx), size);

        for (const Timed &t : rec.packets) {
            QCOMPARE(t.packet.originalLength, t.packet.octets.size());
            QString why;
            QVERIFY2(checksumsHold(t.packet, &why), qPrintable(why));
            if (!v6) {
                QCOMPARE(quint8(t.packet.octets[14 + 8]), quint8(64));    // TTL
                QCOMPARE(word(t.packet.octets, 14 + 6), quint16(0x4000)); // DF, no fragment
                QVERIFY(word(t.packet.octets, 14 + 2) <= 65535);
            } else {
                QCOMPARE(quint8(t.packet.octets[14 + 7]), quint8(64)); // hop limit
            }
        }

        const QList<TcpSegment> segments = parseAll(rec.packets);
        QCOMPARE(segments.size(), rec.packets.size());
        // The handshake.
        QCOMPARE(segments[0].flags, TcpSegment::Syn);
        QCOMPARE(segments[0].seq, TcpPacketWriter::kClientIsn);
        QCOMPARE(segments[1].flags, quint8(TcpSegment::Syn | TcpSegment::Ack));
        QCOMPARE(segments[1].seq, TcpPacketWriter::kServerIsn);
        QCOMPARE(segments[1].ack, TcpPacketWriter::kClientIsn + 1);
        QCOMPARE(segments[2].flags, TcpSegment::Ack);
        QCOMPARE(segments[2].ack, TcpPacketWriter::kServerIsn + 1);
        // Sequence numbers continue, each segment acknowledges all the other side sent, and the
        // IPv4 identification of each side counts up.
        quint32 next[2] = {TcpPacketWriter::kClientIsn, TcpPacketWriter::kServerIsn};
        quint16 lastId[2] = {0, 0};
        for (qsizetype i = 0; i < segments.size(); ++i) {
            const TcpSegment &s = segments[i];
            const int side = s.source == client ? 0 : 1;
            QCOMPARE(side == 0 ? s.destination : s.source, server);
            QCOMPARE(s.seq, next[side]);
            if (s.has(TcpSegment::Ack))
                QCOMPARE(s.ack, next[1 - side]);
            next[side] += quint32(s.payloadLength) + (s.has(TcpSegment::Syn) ? 1 : 0) +
                          (s.has(TcpSegment::Fin) ? 1 : 0);
            QCOMPARE(s.payload.size(), s.payloadLength);
            QVERIFY(s.payloadLength <= max);
            if (s.payloadLength > 0)
                QCOMPARE(s.flags, quint8(TcpSegment::Psh | TcpSegment::Ack));
            if (!v6) {
                const quint16 id = word(rec.packets[i].packet.octets, 14 + 4);
                QCOMPARE(id, quint16(lastId[side] + 1));
                lastId[side] = id;
            }
        }

        TcpStreamTracker tracker;
        for (qsizetype i = 0; i < segments.size(); ++i)
            tracker.add(rec.packets[i].timeNs, segments[i]);
        const QList<TcpStreamSummary> streams = tracker.streams();
        QCOMPARE(streams.size(), 1);
        const TcpStreamSummary &summary = streams.first();
        QCOMPARE(summary.client, client);
        QCOMPARE(summary.server, server);
        QVERIFY(summary.sawSyn);
        QCOMPARE(summary.packets, segments.size());
        QCOMPARE(summary.octets[int(Direction::Tx)], size);
        QCOMPARE(summary.octets[int(Direction::Rx)], size);
        QCOMPARE(summary.firstTimeNs, rec.packets.first().timeNs);
        QCOMPARE(summary.lastTimeNs, rec.packets.last().timeNs);
        QCOMPARE(tracker.morePackets(), 0);

        TcpStreamReassembler reassembler(summary);
        const Streams out = reassemble(reassembler, segments);
        QCOMPARE(out.octets[int(Direction::Tx)], up);
        QCOMPARE(out.octets[int(Direction::Rx)], down);
        QCOMPARE(out.missing[0] + out.missing[1], 0);
        QCOMPARE(reassembler.end(Direction::Tx), TcpStreamEnd::Fin);
        QCOMPARE(reassembler.end(Direction::Rx), TcpStreamEnd::Fin);
        QCOMPARE(reassembler.delivered(Direction::Tx), size);
    }

    void synOptions()
    {
        TcpPacketWriter writer(ipv4(127, 0, 0, 1, 50000), ipv4(127, 0, 0, 1, 80));
        const QList<SyntheticPacket> open = writer.open();
        QCOMPARE(open.size(), 3);
        for (int i = 0; i < 2; ++i) {
            const QByteArray &f = open[i].octets;
            QCOMPARE(f.size(), 14 + 20 + 28);
            QCOMPARE(quint8(f[14 + 20 + 12]) >> 4, 7); // 7 words: 8 octets of options
            // MSS 65495, NOP, window scale 14.
            QCOMPARE(f.mid(14 + 40).toHex(), QByteArray("0204ffd70103030e"));
        }
        QCOMPARE(open[2].octets.size(), 54);
        TcpPacketWriter bare(ipv6(1, 50000), ipv6(2, 80));
        const QList<SyntheticPacket> plain = bare.open(false);
        QCOMPARE(plain[0].octets.size(), 14 + 40 + 20);
        // MACs: destination then source, both locally administered.
        QCOMPARE(plain[0].octets.mid(0, 12).toHex(), QByteArray("020000000002"
                                                                "020000000001"));
        QCOMPARE(plain[1].octets.mid(0, 12).toHex(), QByteArray("020000000001"
                                                                "020000000002"));
    }

    void mixedVersionsBecomeIpv6()
    {
        TcpPacketWriter writer(ipv4(10, 1, 2, 3, 1234), ipv6(9, 80));
        QVERIFY(writer.isIpv6());
        QCOMPARE(writer.client().address.toHex(), QByteArray("00000000000000000000ffff0a010203"));
        const SyntheticPacket p = writer.data(Direction::Tx, "x").first();
        const std::optional<TcpSegment> s = parseTcpPacket(kLinkTypeEthernet, p.octets);
        QVERIFY(s);
        QCOMPARE(s->source, writer.client());
        QCOMPARE(s->payload, QByteArray("x"));
    }

    void truncatedChunk_data()
    {
        QTest::addColumn<bool>("v6");
        QTest::newRow("IPv4") << false;
        QTest::newRow("IPv6") << true;
    }
    void truncatedChunk()
    {
        QFETCH(bool, v6);
        const TcpEndpoint client = v6 ? ipv6(1, 51000) : ipv4(10, 0, 0, 1, 51000);
        const TcpEndpoint server = v6 ? ipv6(2, 80) : ipv4(10, 0, 0, 2, 80);
        TcpPacketWriter writer(client, server);
        const qint64 max = writer.maxSegmentPayload();
        const qsizetype headers = v6 ? 74 : 54;
        const QByteArray whole = pattern(200000);
        Recorder rec;
        rec.add(writer.open());
        // 100 octets kept of a 200000-octet write: 4 segments, the first with its 100 octets.
        const QList<SyntheticPacket> cut = writer.data(Direction::Tx, whole.first(100), 200000);
        QCOMPARE(cut.size(), 4);
        QCOMPARE(cut[0].octets.size(), headers + 100);
        QCOMPARE(cut[0].originalLength, headers + max);
        QCOMPARE(cut[1].octets.size(), headers);
        QCOMPARE(cut[3].originalLength, headers + (200000 - 3 * max));
        for (const SyntheticPacket &p : cut) {
            QCOMPARE(word(p.octets, headers - 4), quint16(0)); // TCP checksum unknown: 0
            if (!v6)
                QCOMPARE(onesSum(p.octets.mid(14, 20)), quint16(0xffff)); // IPv4 header: right
        }
        // A cut inside the second segment: the first is whole, with its checksum.
        const QList<SyntheticPacket> cutLater =
            writer.data(Direction::Tx, whole.first(max + 10), 200000);
        QCOMPARE(cutLater[0].octets.size(), headers + max);
        QString why;
        QVERIFY2(checksumsHold(cutLater[0], &why), qPrintable(why));
        QCOMPARE(cutLater[1].octets.size(), headers + 10);
        rec.add(cut);
        rec.add(cutLater);
        rec.add(writer.data(Direction::Rx, "reply"));
        rec.add(writer.data(Direction::Tx, "after"));
        rec.add(writer.data(Direction::Tx, "the end", 1000)); // cut last thing of the stream
        rec.add(writer.reset(Direction::Tx));
        QCOMPARE(writer.sent(Direction::Tx), 400000 + 5 + 1000);

        const QList<TcpSegment> segments = parseAll(rec.packets);
        QCOMPARE(segments.size(), rec.packets.size());
        QCOMPARE(segments[3].payload, whole.first(100));
        QCOMPARE(segments[3].payloadLength, max);
        QCOMPARE(segments[4].payload, QByteArray());
        QCOMPARE(segments[4].payloadLength, max);

        TcpStreamTracker tracker;
        for (const TcpSegment &s : segments)
            tracker.add(0, s);
        QCOMPARE(tracker.streams().size(), 1);
        QCOMPARE(tracker.streams().first().octets[int(Direction::Tx)], 401005);
        TcpStreamReassembler r(tracker.streams().first());
        QList<TcpStreamPiece> pieces;
        qint64 t = 0;
        for (const TcpSegment &s : segments)
            pieces += r.add(t += 1000, s);
        pieces += r.finish();
        // Tx, one piece per segment that gave octets: the 100 kept, 199900 missing before the
        // next write's first segment, its second segment's 10 octets, 200000 - max - 10 missing
        // before "after", "the end", and the 993 octets cut from it missing at the end.
        QList<TcpStreamPiece> tx;
        for (const TcpStreamPiece &p : pieces) {
            if (p.direction == Direction::Tx)
                tx << p;
        }
        QCOMPARE(tx.size(), 6);
        QCOMPARE(tx[0].octets, whole.first(100));
        QCOMPARE(tx[0].missingBefore, 0);
        QCOMPARE(tx[1].missingBefore, 199900);
        QCOMPARE(tx[1].octets, whole.first(max));
        QCOMPARE(tx[2].missingBefore, 0);
        QCOMPARE(tx[2].octets, whole.mid(max, 10));
        QCOMPARE(tx[3].missingBefore, 200000 - max - 10);
        QCOMPARE(tx[3].octets, QByteArray("after"));
        QCOMPARE(tx[4].missingBefore, 0);
        QCOMPARE(tx[4].octets, QByteArray("the end"));
        QCOMPARE(tx[5].octets, QByteArray());
        QCOMPARE(tx[5].missingBefore, 993);
        QCOMPARE(r.missing(Direction::Tx), 199900 + 200000 - max - 10 + 993);
        QCOMPARE(r.delivered(Direction::Tx), 100 + max + 10 + 12);
        QCOMPARE(r.end(Direction::Tx), TcpStreamEnd::Reset);
        QCOMPARE(r.end(Direction::Rx), TcpStreamEnd::Open);
    }

    void resetEnds()
    {
        TcpPacketWriter writer(ipv4(10, 0, 0, 1, 40000), ipv4(10, 0, 0, 2, 80));
        Recorder rec;
        rec.add(writer.open());
        rec.add(writer.data(Direction::Tx, "GET / HTTP/1.1\r\n\r\n"));
        rec.add(writer.reset(Direction::Rx));
        const QList<TcpSegment> segments = parseAll(rec.packets);
        QCOMPARE(segments.last().flags, quint8(TcpSegment::Rst | TcpSegment::Ack));
        TcpStreamTracker tracker;
        for (const TcpSegment &s : segments)
            tracker.add(0, s);
        TcpStreamReassembler r(tracker.streams().first());
        const Streams out = reassemble(r, segments);
        QCOMPARE(out.octets[0], QByteArray("GET / HTTP/1.1\r\n\r\n"));
        QCOMPARE(r.end(Direction::Rx), TcpStreamEnd::Reset);
        QCOMPARE(r.end(Direction::Tx), TcpStreamEnd::Open);
    }

    void retransmissionsAndReordering()
    {
        const quint32 isn = 1000;
        const TcpSegment a = clientSegment(isn, "aaaa");
        const TcpSegment b = clientSegment(isn + 4, "bbbb");
        const TcpSegment c = clientSegment(isn + 8, "cccc");
        const TcpSegment d = clientSegment(isn + 12, "dddd", TcpSegment::Ack | TcpSegment::Fin);
        const TcpSegment overlap = clientSegment(isn + 6, "bbccccdd"); // spans b, c and d
        TcpStreamReassembler r(handMadeStream());
        QList<TcpStreamPiece> pieces = r.add(1, a);
        QCOMPARE(pieces.size(), 1);
        QCOMPARE(pieces[0].octets, QByteArray("aaaa"));
        QCOMPARE(pieces[0].timeNs, 1);
        QVERIFY(r.add(2, c).isEmpty()); // early: held
        QVERIFY(r.add(3, a).isEmpty()); // a retransmission: nothing new
        pieces = r.add(4, b);           // fills the gap: b and c at once, one piece
        QCOMPARE(pieces.size(), 1);
        QCOMPARE(pieces[0].octets, QByteArray("bbbbcccc"));
        QCOMPARE(pieces[0].timeNs, 4);
        pieces = r.add(5, overlap); // only its last two octets are new
        QCOMPARE(pieces.size(), 1);
        QCOMPARE(pieces[0].octets, QByteArray("dd"));
        pieces = r.add(6, d);
        QCOMPARE(pieces.size(), 1);
        QCOMPARE(pieces[0].octets, QByteArray("dd"));
        QCOMPARE(r.end(Direction::Tx), TcpStreamEnd::Fin);
        QVERIFY(r.add(7, b).isEmpty());
        QVERIFY(r.finish().isEmpty());
        QCOMPARE(r.delivered(Direction::Tx), 16);
        QCOMPARE(r.missing(Direction::Tx), 0);

        // Whole segments in reverse order: all held, then all at once.
        TcpStreamReassembler reverse(handMadeStream());
        QCOMPARE(reverse.add(1, clientSegment(isn - 1, {}, TcpSegment::Syn)).size(), 0);
        QVERIFY(reverse.add(2, d).isEmpty());
        QVERIFY(reverse.add(3, c).isEmpty());
        QVERIFY(reverse.add(4, b).isEmpty());
        QVERIFY(reverse.add(5, overlap).isEmpty());
        pieces = reverse.add(6, a);
        QCOMPARE(pieces.size(), 1);
        QCOMPARE(pieces[0].octets, QByteArray("aaaabbbbccccdddd"));

        // Another connection's segment is not this one's.
        TcpSegment foreign = a;
        foreign.source.port = 40001;
        TcpStreamReassembler other(handMadeStream());
        QVERIFY(other.add(1, foreign).isEmpty());
        QCOMPARE(other.delivered(Direction::Tx), 0);
    }

    void gapGivenUpAtFinish()
    {
        TcpStreamReassembler r(handMadeStream());
        QCOMPARE(r.add(1, clientSegment(0, "abc")).size(), 1);
        QVERIFY(r.add(2, clientSegment(10, "xyz")).isEmpty()); // 7 octets never captured
        const QList<TcpStreamPiece> pieces = r.finish();
        QCOMPARE(pieces.size(), 1);
        QCOMPARE(pieces[0].octets, QByteArray("xyz"));
        QCOMPARE(pieces[0].missingBefore, 7);
        QCOMPARE(pieces[0].timeNs, 2);
        QCOMPARE(r.missing(Direction::Tx), 7);
    }

    void gapGivenUpByTheHoldBound()
    {
        TcpStreamReassembler r(handMadeStream());
        QCOMPARE(r.add(1, clientSegment(0, "start")).size(), 1);
        const qint64 chunk = 1024 * 1024;
        const QByteArray block = pattern(chunk);
        // 100 octets lost after "start"; then 17 MiB of early segments.
        qint64 pos = 105;
        QList<TcpStreamPiece> pieces;
        int calls = 0;
        while (pieces.isEmpty() && calls < 40) {
            pieces = r.add(2 + calls, clientSegment(quint32(pos), block));
            pos += chunk;
            ++calls;
        }
        QCOMPARE(calls, 17); // one over the 16 MiB held
        QCOMPARE(pieces.first().missingBefore, 100);
        qint64 octets = 0;
        for (const TcpStreamPiece &p : pieces)
            octets += p.octets.size();
        QCOMPARE(octets, 17 * chunk);
        QCOMPARE(r.missing(Direction::Tx), 100);
        QVERIFY(r.finish().isEmpty());
    }

    void gapGivenUpByTheAcknowledgement()
    {
        TcpStreamReassembler r(handMadeStream());
        QCOMPARE(r.add(1, clientSegment(0, "12345")).size(), 1);
        QVERIFY(r.add(2, clientSegment(10, "ABCDE")).isEmpty());
        // The server acknowledges 15: it had octets 5–9, which the capture lost.
        TcpSegment serverAck;
        serverAck.source = handMadeStream().server;
        serverAck.destination = handMadeStream().client;
        serverAck.seq = 777;
        serverAck.ack = 15;
        serverAck.flags = TcpSegment::Ack;
        const QList<TcpStreamPiece> pieces = r.add(3, serverAck);
        QCOMPARE(pieces.size(), 1);
        QCOMPARE(pieces[0].direction, Direction::Tx);
        QCOMPARE(pieces[0].missingBefore, 5);
        QCOMPARE(pieces[0].octets, QByteArray("ABCDE"));
        QCOMPARE(pieces[0].timeNs, 3);
    }

    void sequenceWrap_data()
    {
        QTest::addColumn<bool>("reorder");
        QTest::newRow("in order") << false;
        QTest::newRow("reordered") << true;
    }
    void sequenceWrap()
    {
        QFETCH(bool, reorder);
        TcpPacketWriter writer(ipv4(10, 0, 0, 1, 40000), ipv4(10, 0, 0, 2, 80));
        writer.setInitialSequenceNumbers(0xffffff00, 0xfffffff0);
        const QByteArray up = pattern(300000, 3);
        const QByteArray down = pattern(100000, 4);
        Recorder rec;
        rec.add(writer.open());
        rec.add(writer.data(Direction::Tx, up));
        rec.add(writer.data(Direction::Rx, down));
        rec.add(writer.data(Direction::Tx, up));
        rec.add(writer.fin(Direction::Tx));
        rec.add(writer.fin(Direction::Rx));
        QList<TcpSegment> segments = parseAll(rec.packets);
        QCOMPARE(segments.size(), rec.packets.size());
        QCOMPARE(segments[0].seq, 0xffffff00u);
        QVERIFY(segments[4].seq < 0x10000000u); // wrapped
        if (reorder) {
            segments.swapItemsAt(3, 5); // the client's first and third segments
            segments.swapItemsAt(4, 6);
        }
        TcpStreamTracker tracker;
        for (const TcpSegment &s : segments)
            tracker.add(0, s);
        TcpStreamReassembler r(tracker.streams().first());
        const Streams out = reassemble(r, segments);
        QCOMPARE(out.octets[0], up + up);
        QCOMPARE(out.octets[1], down);
        QCOMPARE(out.missing[0] + out.missing[1], 0);
        QCOMPARE(r.end(Direction::Rx), TcpStreamEnd::Fin);
    }

    void trackerRoles()
    {
        const TcpEndpoint a = ipv4(10, 0, 0, 1, 40000);
        const TcpEndpoint b = ipv4(10, 0, 0, 2, 8080);
        auto segment = [](const TcpEndpoint &from, const TcpEndpoint &to, quint8 flags,
                          const QByteArray &payload = {}) {
            TcpSegment s;
            s.source = from;
            s.destination = to;
            s.flags = flags;
            s.payload = payload;
            s.payloadLength = payload.size();
            return s;
        };
        {
            // Mid-stream: the server speaks first in the capture, the client's request follows.
            TcpStreamTracker t;
            t.add(5, segment(b, a, TcpSegment::Ack, "HTTP/1.1 101 Switching Protocols\r\n"));
            t.add(6, segment(a, b, TcpSegment::Ack, "GET /chat HTTP/1.1\r\n"));
            QCOMPARE(t.streams().first().client, a);
            QVERIFY(!t.streams().first().sawSyn);
            QCOMPARE(t.streams().first().octets[int(Direction::Tx)], 20);
        }
        {
            // The SYN-ACK without the SYN: its receiver is the client.
            TcpStreamTracker t;
            t.add(1, segment(b, a, TcpSegment::Syn | TcpSegment::Ack));
            t.add(2, segment(b, a, TcpSegment::Ack, "GET / HTTP/1.1\r\n")); // a SYN outweighs it
            QCOMPARE(t.streams().first().client, a);
            QVERIFY(t.streams().first().sawSyn);
        }
        {
            // No SYN, no GET: the first sender.
            TcpStreamTracker t;
            t.add(1, segment(b, a, TcpSegment::Ack, "\x81\x02hi"));
            t.add(2, segment(a, b, TcpSegment::Ack, "\x81\x82...."));
            QCOMPARE(t.streams().first().client, b);
            QCOMPARE(t.streams().first().packets, 2);
        }
        {
            // Streams in order of first appearance; the cap.
            TcpStreamTracker t;
            for (int i = 0; i < TcpStreamTracker::kMaxStreams + 3; ++i) {
                const TcpEndpoint client = ipv4(10, 1, quint8(i >> 8), quint8(i), 1000);
                t.add(i, segment(client, b, TcpSegment::Syn));
                t.add(i, segment(b, client, TcpSegment::Syn | TcpSegment::Ack));
            }
            const QList<TcpStreamSummary> streams = t.streams();
            QCOMPARE(streams.size(), TcpStreamTracker::kMaxStreams);
            QCOMPARE(streams[0].client, ipv4(10, 1, 0, 0, 1000));
            QCOMPARE(streams[300].client, ipv4(10, 1, 1, 44, 1000));
            QCOMPARE(streams[300].packets, 2);
            QCOMPARE(t.morePackets(), 6);
        }
    }

    void linkTypes_data()
    {
        QTest::addColumn<bool>("v6");
        QTest::newRow("IPv4") << false;
        QTest::newRow("IPv6") << true;
    }
    void linkTypes()
    {
        QFETCH(bool, v6);
        TcpPacketWriter writer(v6 ? ipv6(1, 40000) : ipv4(10, 0, 0, 1, 40000),
                               v6 ? ipv6(2, 80) : ipv4(10, 0, 0, 2, 80));
        const QByteArray frame = writer.data(Direction::Tx, "payload!").first().octets;
        const std::optional<TcpSegment> expected = parseTcpPacket(kLinkTypeEthernet, frame);
        QVERIFY(expected);
        QCOMPARE(expected->payload, QByteArray("payload!"));
        const QByteArray etherType = frame.mid(12, 2);
        const QByteArray ip = frame.mid(14);

        auto same = [&](quint32 linkType, const QByteArray &packet) {
            QString why;
            const std::optional<TcpSegment> s = parseTcpPacket(linkType, packet, &why);
            if (!s) {
                qWarning() << linkType << why;
                return false;
            }
            return s->source == expected->source && s->destination == expected->destination &&
                   s->seq == expected->seq && s->ack == expected->ack &&
                   s->flags == expected->flags && s->payload == expected->payload &&
                   s->payloadLength == expected->payloadLength;
        };
        QVERIFY(same(kLinkTypeEthernet, frame + QByteArray(20, '\0'))); // link padding
        QVERIFY(same(kLinkTypeEthernet,
                     frame.left(12) + QByteArray("\x81\x00\x20\x07", 4) + frame.mid(12)));
        QVERIFY(!parseTcpPacket(kLinkTypeEthernet,
                                QByteArray(frame.left(12) + QByteArray("\x81\x00\x20\x07", 4) +
                                           QByteArray("\x81\x00\x20\x08", 4) + frame.mid(12))));
        const QByteArray sll = QByteArray("\x00\x04\x00\x01\x00\x06", 6) + frame.mid(6, 6) +
                               QByteArray(2, '\0') + etherType;
        QCOMPARE(sll.size(), 16);
        QVERIFY(same(kLinkTypeLinuxSll, sll + ip));
        const QByteArray sll2 = etherType + QByteArray(2, '\0') +
                                QByteArray("\x00\x00\x00\x02\x00\x01\x04\x06", 8) +
                                frame.mid(6, 6) + QByteArray(2, '\0');
        QCOMPARE(sll2.size(), 20);
        QVERIFY(same(kLinkTypeLinuxSll2, sll2 + ip));
        QVERIFY(same(kLinkTypeRaw, ip));
        QVERIFY(same(v6 ? kLinkTypeIpv6 : kLinkTypeIpv4, ip));
        QVERIFY(!parseTcpPacket(v6 ? kLinkTypeIpv4 : kLinkTypeIpv6, ip));
        // BSD loopback in either byte order; AF_INET6 is 24, 28 or 30 by system.
        for (const quint32 family : v6 ? QList<quint32>{24, 28, 30} : QList<quint32>{2}) {
            const QByteArray little = littleEndian32(family);
            QByteArray big = little;
            std::reverse(big.begin(), big.end());
            QVERIFY(same(kLinkTypeNull, little + ip));
            QVERIFY(same(kLinkTypeNull, big + ip));
        }
        QString why;
        QVERIFY(!parseTcpPacket(kLinkTypeNull, QByteArray(littleEndian32(7) + ip), &why));
        QVERIFY(why.contains(u"address family"_s));
        QVERIFY(!parseTcpPacket(147, frame, &why));
        QVERIFY(why.contains(u"link type 147"_s));
        QVERIFY(
            !parseTcpPacket(kLinkTypeEthernet, QByteArray(frame.left(12) + "\x08\x06" + ip), &why));
        QVERIFY(why.contains(u"EtherType 0x0806"_s));
    }

    void ipv4OptionsAndFragments()
    {
        TcpPacketWriter writer(ipv4(10, 0, 0, 1, 40000), ipv4(10, 0, 0, 2, 80));
        const QByteArray ip = writer.data(Direction::Tx, "data").first().octets.mid(14);
        // Four octets of options (NOP, NOP, NOP, end of list): header length 6 words.
        QByteArray withOptions = ip.left(20) + QByteArray("\x01\x01\x01\x00", 4) + ip.mid(20);
        withOptions[0] = 0x46;
        withOptions[3] = char(quint8(withOptions[3]) + 4);
        const std::optional<TcpSegment> s = parseTcpPacket(kLinkTypeRaw, withOptions);
        QVERIFY(s);
        QCOMPARE(s->payload, QByteArray("data"));
        QCOMPARE(s->destination.port, 80);
        QString why;
        QByteArray fragment = ip;
        fragment[6] = 0x20; // More Fragments
        QVERIFY(!parseTcpPacket(kLinkTypeRaw, fragment, &why));
        QCOMPARE(why, u"IPv4 fragment"_s);
        fragment[6] = 0x00;
        fragment[7] = 0x10; // an offset
        QVERIFY(!parseTcpPacket(kLinkTypeRaw, fragment, &why));
        QByteArray udp = ip;
        udp[9] = 17;
        QVERIFY(!parseTcpPacket(kLinkTypeRaw, udp, &why));
        QCOMPARE(why, u"not TCP (IP protocol 17)"_s);
        // The capture cut by a snaplen: the IP length tells what was sent.
        const std::optional<TcpSegment> cut = parseTcpPacket(kLinkTypeRaw, ip.left(42));
        QVERIFY(cut);
        QCOMPARE(cut->payload, QByteArray("da"));
        QCOMPARE(cut->payloadLength, 4);
        // A total length of 0 (a sender's capture before segmentation offload): what is there.
        QByteArray tso = ip;
        tso[2] = tso[3] = 0;
        QCOMPARE(parseTcpPacket(kLinkTypeRaw, tso)->payload, QByteArray("data"));
    }

    void ipv6ExtensionHeaders()
    {
        TcpPacketWriter writer(ipv6(1, 40000), ipv6(2, 80));
        const QByteArray ip = writer.data(Direction::Tx, "data").first().octets.mid(14);
        // Hop-by-hop (PadN of 4), then destination options (PadN of 12), then TCP.
        const QByteArray hopByHop = QByteArray("\x3c\x00\x01\x04\x00\x00\x00\x00", 8);
        const QByteArray destination = QByteArray("\x06\x01\x01\x0c", 4) + QByteArray(12, '\0');
        QByteArray extended = ip.left(40) + hopByHop + destination + ip.mid(40);
        extended[6] = 0; // next header: hop-by-hop
        const quint16 payload = quint16(word(ip, 4) + 24);
        extended[4] = char(payload >> 8);
        extended[5] = char(payload);
        const std::optional<TcpSegment> s = parseTcpPacket(kLinkTypeIpv6, extended);
        QVERIFY(s);
        QCOMPARE(s->payload, QByteArray("data"));
        QCOMPARE(s->payloadLength, 4);
        QCOMPARE(s->source, writer.client());
        QString why;
        QByteArray fragment = extended;
        fragment[40] = 44; // the hop-by-hop header's next: a fragment header
        QVERIFY(!parseTcpPacket(kLinkTypeIpv6, fragment, &why));
        QCOMPARE(why, u"IPv6 fragment"_s);
        QByteArray esp = ip;
        esp[6] = 50;
        QVERIFY(!parseTcpPacket(kLinkTypeIpv6, esp, &why));
        QCOMPARE(why, u"not TCP (IPv6 next header 50)"_s);
    }

    // Every prefix of a valid packet, under every link type, and random damage: a segment whose
    // payload fits its length, or a refusal with a reason; never a crash or a read past the end
    // (the ASan preset runs this too).
    void junk()
    {
        QList<QByteArray> frames;
        TcpPacketWriter v4(ipv4(10, 0, 0, 1, 40000), ipv4(10, 0, 0, 2, 80));
        TcpPacketWriter v6(ipv6(1, 40000), ipv6(2, 80));
        frames << v4.open().first().octets << v4.data(Direction::Rx, pattern(300)).first().octets
               << v6.open().first().octets << v6.data(Direction::Tx, pattern(200)).first().octets;
        const QList<quint32> linkTypes{0, 1, 101, 113, 228, 229, 276, 9999};
        QRandomGenerator random(20261204);
        qint64 segments = 0, refused = 0;
        auto check = [&](quint32 linkType, const QByteArray &packet) {
            // An exact-size copy: QByteArray's terminating zero would hide a read one past the
            // end from ASan.
            const std::vector<char> exact(packet.cbegin(), packet.cend());
            QString why;
            const std::optional<TcpSegment> s = parseTcpPacket(
                linkType, QByteArrayView(exact.data(), qsizetype(exact.size())), &why);
            if (s) {
                QVERIFY(s->payload.size() <= s->payloadLength);
                QVERIFY(s->payload.size() <= packet.size());
                ++segments;
            } else {
                QVERIFY(!why.isEmpty());
                ++refused;
            }
        };
        for (const QByteArray &frame : frames) {
            // Ethernet: a prefix is a segment from the end of the TCP header on, with the payload
            // it holds.
            const bool isV6 = word(frame, 12) == 0x86dd;
            const qsizetype headers =
                14 + (isV6 ? 40 : 20) + (quint8(frame[14 + (isV6 ? 40 : 20) + 12]) >> 4) * 4;
            for (qsizetype n = 0; n <= frame.size(); ++n) {
                const std::optional<TcpSegment> s = parseTcpPacket(1, frame.left(n));
                QCOMPARE(bool(s), n >= headers);
                if (s) {
                    QCOMPARE(s->payload.size(), n - headers);
                    QCOMPARE(s->payloadLength, qint64(frame.size() - headers));
                }
                for (const quint32 linkType : linkTypes) {
                    check(linkType, frame.left(n));
                    check(linkType, frame.mid(14).left(n));
                }
            }
            for (int round = 0; round < 3000; ++round) {
                QByteArray damaged = frame;
                const int flips = 1 + int(random.bounded(4));
                for (int i = 0; i < flips; ++i)
                    damaged[random.bounded(int(damaged.size()))] = char(random.bounded(256));
                damaged.truncate(random.bounded(int(damaged.size()) + 1));
                for (const quint32 linkType : linkTypes)
                    check(linkType, damaged);
                check(kLinkTypeRaw, damaged.mid(14));
            }
        }
        for (int round = 0; round < 5000; ++round) {
            QByteArray noise(random.bounded(120), '\0');
            for (char &c : noise)
                c = char(random.bounded(256));
            // Half of it with an IP version (and IPv4 header length) where Ethernet puts it.
            if (noise.size() > 14 && round % 2)
                noise[14] = char(round % 4 == 1 ? 0x45 : 0x60);
            for (const quint32 linkType : linkTypes)
                check(linkType, noise);
        }
        QVERIFY(segments > 1000);
        QVERIFY(refused > 1000);
    }

    void rfcAccept()
    {
        // RFC 6455 §1.3's example, which the handshake below relies on.
        QCOMPARE(computeAccept("dGhlIHNhbXBsZSBub25jZQ=="),
                 QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    // What a user checks: the file opens in Wireshark with good checksums, no TCP analysis
    // warnings, and the WebSocket frames of the connection.
    void tsharkVerdict_data()
    {
        QTest::addColumn<bool>("v6");
        QTest::newRow("IPv4") << false;
        QTest::newRow("IPv6") << true;
    }
    void tsharkVerdict()
    {
        QFETCH(bool, v6);
        QString error;
        if (QStandardPaths::findExecutable(u"tshark"_s).isEmpty())
            QFAIL("tshark not found: apt-get install tshark");
        TcpPacketWriter writer(v6 ? ipv6(1, 52100) : ipv4(192, 168, 7, 1, 52100),
                               v6 ? ipv6(2, 80) : ipv4(192, 168, 7, 2, 80));
        const QByteArray key = "dGhlIHNhbXBsZSBub25jZQ==";
        const QByteArray request = "GET /chat HTTP/1.1\r\n"
                                   "Host: server.example\r\n"
                                   "Upgrade: websocket\r\n"
                                   "Connection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: " +
                                   key +
                                   "\r\n"
                                   "Sec-WebSocket-Version: 13\r\n\r\n";
        const QByteArray response = "HTTP/1.1 101 Switching Protocols\r\n"
                                    "Upgrade: websocket\r\n"
                                    "Connection: Upgrade\r\n"
                                    "Sec-WebSocket-Accept: " +
                                    computeAccept(key) + "\r\n\r\n";
        const QByteArray binary = pattern(100000, 5);
        Recorder rec;
        rec.add(writer.open());
        rec.add(writer.data(Direction::Tx, request));
        rec.add(writer.data(Direction::Rx, response));
        rec.add(writer.data(Direction::Tx, wsFrame(1, "Hello", true)));
        rec.add(writer.data(Direction::Rx, wsFrame(1, "Hello back", false)));
        rec.add(writer.data(Direction::Rx, wsFrame(2, binary, false))); // two segments
        rec.add(writer.data(Direction::Tx, wsFrame(9, "ping?", true)));
        rec.add(writer.data(Direction::Rx, wsFrame(10, "ping?", false)));
        rec.add(writer.data(Direction::Tx, wsFrame(8, closePayload(1000, "bye"), true)));
        rec.add(writer.data(Direction::Rx, wsFrame(8, closePayload(1000, {}), false)));
        rec.add(writer.fin(Direction::Rx)); // the server closes TCP first (RFC 6455 §7.1.1)
        rec.add(writer.fin(Direction::Tx));
        rec.add(writer.ack(Direction::Rx));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"connection.pcap"_s);
        QVERIFY(writeFile(path, pcapFile(rec.packets)));
        const QStringList checks = tsharkChecks(path, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        qDebug().noquote() << "tshark checksums:" << checks.join(u" | "_s);
        QCOMPARE(checks.size(), rec.packets.size());
        for (int i = 0; i < checks.size(); ++i) {
            // tshark 4.0: checksum status 1 = Good (0 Bad, 2 Unverified); IPv6 has none.
            const QString expected = QString::number(i + 1) + (v6 ? u"\t\t1\t"_s : u"\t1\t1\t"_s);
            QCOMPARE(checks[i], expected);
        }
        // Nor any expert note of the level Warning (0x600000) or Error: only Chat (the SYN, the
        // HTTP lines) and Note (the FINs).
        const QStringList warnings =
            tshark(path, {u"-Y"_s, u"_ws.expert.severity >= 0x600000"_s}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(warnings, QStringList());

        const QStringList frames =
            tshark(path,
                   {u"-Y"_s, u"websocket"_s, u"-T"_s, u"fields"_s, u"-e"_s, u"websocket.opcode"_s,
                    u"-e"_s, u"websocket.mask"_s, u"-e"_s, u"websocket.payload_length"_s, u"-e"_s,
                    u"websocket.payload.text"_s, u"-e"_s, u"websocket.payload.close.status_code"_s},
                   &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        qDebug().noquote() << "tshark frames:" << frames.join(u" | "_s);
        const QStringList expected{
            u"1\t1\t5\tHello\t"_s, u"1\t0\t10\tHello back\t"_s, u"2\t0\t127\t\t"_s,
            u"9\t1\t5\t\t"_s,      u"10\t0\t5\t\t"_s,           u"8\t1\t5\t\t1000"_s,
            u"8\t0\t2\t\t1000"_s,
        };
        QCOMPARE(frames, expected);

        const QStringList http =
            tshark(path,
                   {u"-Y"_s, u"http"_s, u"-T"_s, u"fields"_s, u"-e"_s, u"http.request.method"_s,
                    u"-e"_s, u"http.response.code"_s, u"-e"_s, u"http.upgrade"_s},
                   &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(http, QStringList({u"GET\t\twebsocket"_s, u"\t101\twebsocket"_s}));
    }

    // A chunk kept only in part (the trace kept its first octets): tshark may not verify its TCP
    // checksum, but must not call it bad, nor see a lost segment.
    void tsharkCutChunk()
    {
        QString error;
        if (QStandardPaths::findExecutable(u"tshark"_s).isEmpty())
            QFAIL("tshark not found: apt-get install tshark");
        TcpPacketWriter writer(ipv4(192, 168, 7, 1, 52100), ipv4(192, 168, 7, 2, 80));
        Recorder rec;
        rec.add(writer.open());
        rec.add(writer.data(Direction::Rx, pattern(64), 150000)); // 3 segments, 64 octets kept
        rec.add(writer.data(Direction::Tx, "x"));
        rec.add(writer.fin(Direction::Tx));
        rec.add(writer.fin(Direction::Rx));
        rec.add(writer.ack(Direction::Tx));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"cut.pcap"_s);
        QVERIFY(writeFile(path, pcapFile(rec.packets)));
        const QStringList checks = tsharkChecks(path, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        qDebug().noquote() << "tshark cut chunk:" << checks.join(u" | "_s);
        QCOMPARE(checks.size(), rec.packets.size());
        for (int i = 0; i < checks.size(); ++i) {
            const bool cut = i >= 3 && i <= 5;
            QCOMPARE(checks[i], QString::number(i + 1) + (cut ? u"\t1\t2\t"_s : u"\t1\t1\t"_s));
        }
    }

    // The checks above can fail: a packet changed after its checksums were computed is Bad.
    void tsharkSeesADamagedChecksum()
    {
        QString error;
        if (QStandardPaths::findExecutable(u"tshark"_s).isEmpty())
            QFAIL("tshark not found: apt-get install tshark");
        TcpPacketWriter writer(ipv4(192, 168, 7, 1, 52100), ipv4(192, 168, 7, 2, 80));
        Recorder rec;
        rec.add(writer.open());
        rec.add(writer.data(Direction::Tx, "payload"));
        rec.add(writer.data(Direction::Rx, "answer"));
        rec.packets[3].packet.octets[54] = 'P';    // a payload octet: the TCP checksum is wrong
        rec.packets[4].packet.octets[14 + 8] = 63; // the TTL: the IPv4 header checksum is wrong
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"damaged.pcap"_s);
        QVERIFY(writeFile(path, pcapFile(rec.packets)));
        const QStringList checks = tsharkChecks(path, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(checks.size(), 5);
        QCOMPARE(checks[3].section(u'\t', 1, 2), u"1\t0"_s);
        QCOMPARE(checks[4].section(u'\t', 0, 1), u"5\t0"_s);
    }
};

QTEST_GUILESS_MAIN(tst_TcpPackets)
#include "tst_tcppackets.moc"
