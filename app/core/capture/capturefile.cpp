// SPDX-License-Identifier: MIT
#include "capture/capturefile.h"

#include <QFile>
#include <QJsonArray>
#include <QSaveFile>

#include <cstring>

using namespace Qt::StringLiterals;

namespace wsi::capture {

namespace {

constexpr quint16 kLinkEthernet = 1;
constexpr quint32 kSnapLength = 262144;
// Wireshark dissects HTTP, and from its Upgrade the WebSocket frames, on port 80 without being
// told: the packets say 80 whatever port the connection used (the connection record has it).
constexpr quint16 kServerPort = 80;
constexpr quint16 kClientPort = 49152;

// "127.0.0.1:9001" → its four octets; nothing for a name or an IPv6 address.
std::optional<QByteArray> ipv4Of(const QString &text)
{
    // "127.0.0.1:3128 through the HTTP proxy …" (docs/proxies.md §2.2): the address comes first.
    const QString peer = text.section(u' ', 0, 0);
    const QString host = peer.section(u':', 0, 0);
    const QStringList parts = host.split(u'.');
    if (parts.size() != 4 || peer.count(u':') != 1)
        return std::nullopt;
    QByteArray out;
    for (const QString &p : parts) {
        bool ok = false;
        const uint v = p.toUInt(&ok);
        if (!ok || v > 255 || p.isEmpty() || p.size() > 3)
            return std::nullopt;
        out.append(char(v));
    }
    return out;
}

} // namespace

// ---- writing ------------------------------------------------------------------------------------

CaptureWriter::CaptureWriter(QIODevice *device) : m_device(device), m_out(device) {}

QString CaptureWriter::errorString() const
{
    return m_error.isEmpty() ? m_out.errorString() : m_error;
}

quint64 CaptureWriter::timestamp(qint64 timeNs) const
{
    return quint64(std::max<qint64>(m_startNs + timeNs, 0));
}

bool CaptureWriter::begin(const ConnectionRecord &connection)
{
    m_startNs = connection.startedAt.toMSecsSinceEpoch() * 1'000'000;
    pcapng::Options shb;
    shb.append({pcapng::kShbUserApplication, connection.application.toUtf8()});
    shb.append(
        {pcapng::kOptComment,
         u"WebSocket Inspector capture, format %1.%2 (docs/captures.md)"_s.arg(connection.major)
             .arg(connection.minor)
             .toUtf8()});
    pcapng::Options idb;
    idb.append({pcapng::kIfName, QByteArrayLiteral("wsinspector")});
    idb.append({pcapng::kIfDescription, (u"the client's octets of "_s + connection.url +
                                         u" as synthetic TCP (server port shown as 80)"_s)
                                            .toUtf8()});
    idb.append({pcapng::kIfTsResolution, QByteArray(1, char(9))}); // nanoseconds
    return m_out.sectionHeader(shb) &&
           m_out.interfaceDescription(kLinkEthernet, kSnapLength, idb) &&
           m_out.custom(pcapng::kCustomNoCopy, pcapng::kExamplePen, encode(connection));
}

bool CaptureWriter::packets(qint64 timeNs, Direction direction, const QList<SyntheticPacket> &list,
                            const std::optional<ChunkFacts> &facts)
{
    int part = 0;
    for (const SyntheticPacket &p : list) {
        pcapng::Options options;
        QByteArray flags(4, '\0');
        const quint32 f = direction == Direction::Tx ? pcapng::kEpbOutbound : pcapng::kEpbInbound;
        std::memcpy(flags.data(), &f, 4);
        options.append({pcapng::kEpbFlags, flags});
        if (facts) {
            ChunkFacts mine = *facts;
            mine.part = part++;
            options.append(pcapng::Writer::customOption(pcapng::kOptCustomBinaryNoCopy,
                                                        pcapng::kExamplePen, encode(mine)));
        }
        if (!m_out.enhancedPacket(0, timestamp(timeNs), p.octets, p.payload, p.originalLength,
                                  options))
            return false;
    }
    return true;
}

bool CaptureWriter::openTcp(qint64 timeNs, const QString &peer)
{
    if (m_tcp)
        return true;
    TcpEndpoint server;
    TcpEndpoint client;
    server.port = kServerPort;
    client.port = kClientPort;
    if (const std::optional<QByteArray> ip = ipv4Of(peer)) {
        server.address = *ip;
        // On loopback the client is the same host; elsewhere its address is not recorded and
        // the packets say one from the documentation range (RFC 5737).
        client.address = uchar(ip->at(0)) == 127 ? *ip : QByteArray("\xc0\x00\x02\x02", 4);
    } else {
        server.address = QByteArray("\xc0\x00\x02\x01", 4);
        client.address = QByteArray("\xc0\x00\x02\x02", 4);
    }
    m_tcp = std::make_unique<TcpPacketWriter>(client, server);
    return packets(timeNs, Direction::Tx, m_tcp->open(), std::nullopt);
}

bool CaptureWriter::append(const OctetChunk &chunk)
{
    if (!openTcp(chunk.timeNs, QString()))
        return false;
    ChunkFacts facts;
    facts.streamOffset = chunk.streamOffset;
    facts.size = chunk.size;
    facts.sync = chunk.sync;
    // The packets' payloads are views on the chunk's octets, written from there.
    return packets(chunk.timeNs, chunk.direction,
                   m_tcp->dataInPlace(chunk.direction, chunk.data, chunk.size), facts);
}

bool CaptureWriter::append(const FrameRecord &frame)
{
    return m_out.custom(pcapng::kCustomNoCopy, pcapng::kExamplePen, encode(frame));
}

bool CaptureWriter::append(const TraceEvent &event)
{
    if (!m_out.custom(pcapng::kCustomNoCopy, pcapng::kExamplePen, encode(event)))
        return false;
    if (event.kind == TraceEvent::Kind::Connected)
        return openTcp(event.timeNs, event.text);
    if (event.kind == TraceEvent::Kind::TcpClosed && m_tcp && !m_tcpClosed) {
        m_tcpClosed = true;
        // How the connection ended, as TCP would have shown it (docs/captures.md §2.2).
        const auto one = [&](Direction d, SyntheticPacket p) {
            return packets(event.timeNs, d, {std::move(p)}, std::nullopt);
        };
        const auto closing = [&](Direction first) {
            const Direction second = first == Direction::Tx ? Direction::Rx : Direction::Tx;
            return one(first, m_tcp->fin(first)) && one(second, m_tcp->fin(second)) &&
                   one(first, m_tcp->ack(first));
        };
        switch (event.tcpEnd) {
        case TcpEnd::PeerReset:
        case TcpEnd::SocketError:
            return one(Direction::Rx, m_tcp->reset(Direction::Rx));
        case TcpEnd::OurAbort:
            return one(Direction::Tx, m_tcp->reset(Direction::Tx));
        case TcpEnd::PeerFin:
        case TcpEnd::PeerTls:
            return closing(Direction::Rx);
        case TcpEnd::OurClose:
        case TcpEnd::Unknown:
            return closing(Direction::Tx);
        case TcpEnd::NoConnection:
            break;
        }
    }
    return true;
}

bool CaptureWriter::annotate(const AnnotationRecord &annotation)
{
    return m_out.custom(pcapng::kCustomNoCopy, pcapng::kExamplePen, encode(annotation));
}

bool CaptureWriter::append(const TraceBatch &batch)
{
    return forEachRecord(batch, [this](const auto &record) { return append(record); });
}

bool CaptureWriter::append(const Trace &trace, qsizetype from)
{
    const auto &entries = trace.entries();
    for (qsizetype i = from; i < qsizetype(entries.size()); ++i) {
        const Trace::Entry &entry = entries[size_t(i)];
        bool ok = true;
        switch (entry.type) {
        case RecordKind::Chunk:
            ok = append(trace.chunks()[entry.index]);
            break;
        case RecordKind::Frame:
            ok = append(trace.frames()[entry.index]);
            break;
        case RecordKind::Event:
            ok = append(trace.events()[entry.index]);
            break;
        }
        if (!ok)
            return false;
    }
    return true;
}

bool CaptureWriter::flush()
{
    if (auto *file = qobject_cast<QFileDevice *>(m_device)) {
        if (!file->flush()) {
            m_error = file->errorString();
            return false;
        }
    }
    return m_out.errorString().isEmpty();
}

CaptureRecorder::CaptureRecorder(const QString &path) : m_file(path), m_writer(&m_file) {}

bool CaptureRecorder::check(bool ok)
{
    if (ok && m_writer.flush())
        return true;
    if (m_error.isEmpty())
        m_error = m_writer.errorString();
    return false;
}

bool CaptureRecorder::begin(const ConnectionRecord &connection)
{
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        m_error = m_file.errorString();
        return false;
    }
    return check(m_writer.begin(connection));
}

bool CaptureRecorder::append(const TraceBatch &batch)
{
    return m_error.isEmpty() && check(m_writer.append(batch));
}

bool CaptureRecorder::append(const std::vector<TraceRecord> &records)
{
    if (!m_error.isEmpty())
        return false;
    for (const TraceRecord &record : records) {
        if (!std::visit([this](const auto &r) { return m_writer.append(r); }, record))
            return check(false);
    }
    return check(true);
}

bool CaptureRecorder::annotate(const AnnotationRecord &annotation)
{
    return m_error.isEmpty() && check(m_writer.annotate(annotation));
}

bool CaptureRecorder::finish()
{
    const bool ok = m_error.isEmpty() && check(true);
    m_file.close();
    if (ok && m_file.error() != QFileDevice::NoError) {
        m_error = m_file.errorString();
        return false;
    }
    return ok;
}

BackgroundRecorder::BackgroundRecorder(const QString &path) : m_recorder(path), m_path(path) {}

BackgroundRecorder::~BackgroundRecorder()
{
    finish();
}

bool BackgroundRecorder::begin(const ConnectionRecord &connection)
{
    const bool ok = m_recorder.begin(connection);
    std::lock_guard lock(m_mutex);
    if (!ok) {
        m_error = m_recorder.errorString();
        return false;
    }
    m_written = m_recorder.written();
    m_running = true;
    m_thread = std::thread([this] { run(); }); // the recorder is the thread's from here on
    return true;
}

bool BackgroundRecorder::append(const TraceBatch &batch)
{
    Job job;
    job.records.reserve(batch.size());
    forEachRecord(batch, [&job](const auto &record) {
        job.cost += recordCost(record);
        job.records.emplace_back(record);
        return true;
    });
    return enqueue(std::move(job));
}

bool BackgroundRecorder::annotate(const AnnotationRecord &annotation)
{
    Job job;
    job.annotation = annotation;
    return enqueue(std::move(job));
}

bool BackgroundRecorder::enqueue(Job &&job)
{
    std::unique_lock lock(m_mutex);
    // Over the bound, the producer waits for the file: memory stays bounded.
    m_room.wait(lock, [this] { return !m_error.isEmpty() || !m_running || m_queued < kMaxQueued; });
    if (!m_error.isEmpty() || !m_running || m_stop)
        return false;
    m_queued += job.cost;
    m_queue.push_back(std::move(job));
    lock.unlock();
    m_wake.notify_one();
    return true;
}

void BackgroundRecorder::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stop || !m_queue.empty(); });
        if (m_queue.empty())
            return; // stopped, and everything handed over is written
        Job job = std::move(m_queue.front());
        m_queue.pop_front();
        lock.unlock();
        const bool ok =
            job.annotation ? m_recorder.annotate(*job.annotation) : m_recorder.append(job.records);
        m_written.store(m_recorder.written(), std::memory_order_relaxed);
        const qint64 cost = job.cost;
        job = Job(); // its octets go before the lock is taken again
        lock.lock();
        m_queued -= cost;
        if (!ok && m_error.isEmpty()) {
            m_error = m_recorder.errorString();
            m_queue.clear(); // nothing after a failed write is written
            m_queued = 0;
        }
        m_room.notify_all();
    }
}

bool BackgroundRecorder::finish()
{
    {
        std::lock_guard lock(m_mutex);
        if (m_finished)
            return m_error.isEmpty();
        m_finished = true;
        m_stop = true;
    }
    // m_thread is touched by begin() and here only, and begin() was handed over before.
    m_wake.notify_one();
    m_room.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    const bool ok = m_recorder.finish();
    std::lock_guard lock(m_mutex);
    if (!ok && m_error.isEmpty())
        m_error = m_recorder.errorString();
    m_written = m_recorder.written();
    return m_error.isEmpty();
}

QString BackgroundRecorder::errorString() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

AnnotationRecord sendFactsAnnotation(const SendFacts &facts)
{
    QJsonObject data;
    if (facts.expectation.closedByMe)
        data[u"expectClosedByMe"_s] = *facts.expectation.closedByMe;
    if (facts.expectation.closeCodes) {
        QJsonArray codes;
        for (const int code : *facts.expectation.closeCodes)
            codes.append(code);
        data[u"expectCodes"_s] = codes;
    }
    if (facts.expectation.requireClean)
        data[u"requireClean"_s] = *facts.expectation.requireClean;
    if (!facts.agent.isEmpty())
        data[u"agent"_s] = facts.agent;
    return {u"send"_s, data};
}

SendFacts sendFactsOf(const QList<AnnotationRecord> &annotations)
{
    SendFacts facts;
    for (const AnnotationRecord &a : annotations) {
        if (a.kind != u"send"_s)
            continue;
        const QJsonObject &d = a.data;
        if (d.value(u"expectClosedByMe"_s).isBool())
            facts.expectation.closedByMe = d.value(u"expectClosedByMe"_s).toBool();
        if (d.value(u"expectCodes"_s).isArray()) {
            QList<int> codes;
            for (const QJsonValue &v : d.value(u"expectCodes"_s).toArray())
                codes << v.toInt();
            facts.expectation.closeCodes = codes;
        }
        if (d.value(u"requireClean"_s).isBool())
            facts.expectation.requireClean = d.value(u"requireClean"_s).toBool();
        facts.agent = d.value(u"agent"_s).toString();
        break;
    }
    return facts;
}

// ---- reading ------------------------------------------------------------------------------------

CaptureReader::CaptureReader(QIODevice *device) : m_in(device) {}

bool CaptureReader::fail(const pcapng::Block *block, const QString &what)
{
    m_error = block ? pcapng::blockPlace(block->index, block->offset) + u": "_s + what : what;
    return false;
}

bool CaptureReader::open()
{
    // The section header, the interface, then the connection record come first in the
    // inspector's files; anything else there means the file is someone else's.
    while (std::optional<pcapng::Block> b = m_in.next()) {
        switch (b->type) {
        case pcapng::kSectionHeader:
            continue;
        case pcapng::kInterfaceDescription:
            m_linkTypes.append(b->linkType);
            continue;
        case pcapng::kCustomNoCopy:
        case pcapng::kCustomCopiable: {
            if (b->pen != pcapng::kExamplePen)
                continue;
            QString why;
            std::optional<CaptureRecord> r = decodeRecord(b->data, why);
            if (!r || !std::holds_alternative<ConnectionRecord>(*r))
                return fail(&*b,
                            why.isEmpty() ? u"the first record is not the connection's"_s : why);
            m_connection = std::get<ConnectionRecord>(*std::move(r));
            if (m_connection.major != kFormatMajor)
                return fail(&*b, u"the capture's format %1.%2 is not one this version reads "
                                 "(%3.x)"_s.arg(m_connection.major)
                                     .arg(m_connection.minor)
                                     .arg(kFormatMajor));
            m_startNs = m_connection.startedAt.toMSecsSinceEpoch() * 1'000'000;
            return true;
        }
        default:
            return fail(&*b, u"the capture was not written by WebSocket Inspector (a packet "
                             "before its connection record)"_s);
        }
    }
    return fail(nullptr, m_in.error().isEmpty()
                             ? u"the capture holds no connection record of WebSocket Inspector"_s
                             : m_in.error());
}

bool CaptureReader::handle(const pcapng::Block &block, TraceBatch &batch)
{
    switch (block.type) {
    case pcapng::kSectionHeader:
        return fail(&block, u"a second section: a capture of the inspector has one"_s);
    case pcapng::kInterfaceDescription:
        m_linkTypes.append(block.linkType);
        return true;
    case pcapng::kEnhancedPacket: {
        const std::optional<QByteArray> factsData = pcapng::findCustomOption(
            block.options, pcapng::kOptCustomBinaryNoCopy, pcapng::kExamplePen);
        if (!factsData)
            return true; // TCP's own packets (SYN, FIN, RST): the events tell the story
        QString why;
        const std::optional<ChunkFacts> facts = decodeChunkFacts(*factsData, why);
        if (!facts)
            return fail(&block, why);
        const quint16 link = block.interfaceId < quint32(m_linkTypes.size())
                                 ? m_linkTypes[qsizetype(block.interfaceId)]
                                 : quint16(0);
        const std::optional<TcpSegment> segment = parseTcpPacket(link, block.data, &why);
        if (!segment)
            return fail(&block, u"the packet is not TCP: "_s + why);
        const quint32 flags = [&] {
            const std::optional<QByteArray> f =
                pcapng::findOption(block.options, pcapng::kEpbFlags);
            quint32 v = 0;
            if (f && f->size() == 4)
                std::memcpy(&v, f->constData(), 4);
            return v;
        }();
        const Direction direction =
            (flags & 3) == pcapng::kEpbOutbound ? Direction::Tx : Direction::Rx;
        if (facts->part > 0) {
            // The next packet of a chunk larger than one IP packet.
            if (!m_chunk || m_chunk->direction != direction)
                return fail(&block, u"a chunk's continuation without its first packet"_s);
            if (m_chunk->data.size() + segment->payload.size() > m_chunk->size)
                return fail(&block, u"the chunk's packets carry more octets than its size"_s);
            m_chunk->data.append(segment->payload);
            return true;
        }
        if (m_chunk)
            batch.add(*std::exchange(m_chunk, std::nullopt));
        if (segment->payload.size() > facts->size)
            return fail(&block, u"the packet carries more octets than its chunk's size"_s);
        OctetChunk chunk;
        chunk.timeNs = block.timeNs - m_startNs;
        chunk.streamOffset = facts->streamOffset;
        chunk.size = facts->size;
        chunk.data = segment->payload;
        chunk.direction = direction;
        chunk.sync = facts->sync;
        m_chunk = std::move(chunk);
        return true;
    }
    case pcapng::kCustomNoCopy:
    case pcapng::kCustomCopiable: {
        if (block.pen != pcapng::kExamplePen)
            return true;
        if (m_chunk)
            batch.add(*std::exchange(m_chunk, std::nullopt));
        QString why;
        std::optional<CaptureRecord> r = decodeRecord(block.data, why);
        if (!r)
            return why.isEmpty() ? true : fail(&block, why);
        if (auto *f = std::get_if<FrameRecord>(&*r))
            batch.add(std::move(*f));
        else if (auto *e = std::get_if<TraceEvent>(&*r))
            batch.add(std::move(*e));
        else if (auto *a = std::get_if<AnnotationRecord>(&*r))
            m_annotations.append(std::move(*a));
        else
            return fail(&block, u"a second connection record"_s);
        return true;
    }
    default:
        return true; // blocks of other kinds (name resolution, statistics): not ours
    }
}

std::optional<TraceBatch> CaptureReader::next(int maxRecords, qint64 maxCost)
{
    if (m_atEnd || !m_error.isEmpty())
        return std::nullopt;
    TraceBatch batch;
    while (int(batch.size()) < maxRecords && (maxCost < 0 || batch.cost < maxCost)) {
        std::optional<pcapng::Block> b = m_in.next();
        if (!b) {
            if (!m_in.error().isEmpty())
                m_error = m_in.error();
            m_atEnd = true;
            if (m_chunk)
                batch.add(*std::exchange(m_chunk, std::nullopt));
            break;
        }
        if (!handle(*b, batch))
            break;
    }
    if (batch.isEmpty())
        return std::nullopt;
    return batch;
}

// ---- whole files --------------------------------------------------------------------------------

bool isInspectorCapture(QIODevice *device)
{
    pcapng::Reader in(device);
    while (std::optional<pcapng::Block> b = in.next()) {
        switch (b->type) {
        case pcapng::kSectionHeader:
        case pcapng::kInterfaceDescription:
            continue;
        case pcapng::kCustomNoCopy:
        case pcapng::kCustomCopiable:
            if (b->pen != pcapng::kExamplePen)
                continue;
            return true;
        default:
            return false;
        }
    }
    return !in.error().isEmpty();
}

LoadedCapture loadCapture(const QString &path, const Trace::Limits &limits,
                          std::optional<int> stream)
{
    LoadedCapture out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        out.error = file.errorString();
        return out;
    }
    const QByteArray head = file.peek(24);
    const bool foreign =
        looksLikePcap(head) || !pcapng::Reader::looksLikePcapng(head) || !isInspectorCapture(&file);
    if (foreign) {
        // Another tool's file, or not a capture at all: the importer says which.
        file.close();
        ImportOptions options;
        options.stream = stream;
        options.limits = limits;
        ImportResult imported = importCapture(path, options);
        out.foreign = looksLikePcap(head) || pcapng::Reader::looksLikePcapng(head);
        out.connection = std::move(imported.connection);
        out.trace = std::move(imported.trace);
        out.error = std::move(imported.error);
        out.warnings = std::move(imported.warnings);
        out.streams = std::move(imported.streams);
        out.stream = imported.chosen;
        return out;
    }
    file.seek(0);
    CaptureReader reader(&file);
    if (!reader.open()) {
        out.error = reader.error();
        return out;
    }
    out.connection = reader.connection();
    out.trace = std::make_unique<Trace>(limits);
    out.trace->setStartedAt(out.connection.startedAt);
    out.trace->setUrl(out.connection.url);
    while (std::optional<TraceBatch> batch = reader.next())
        out.trace->append(std::move(*batch));
    out.annotations = reader.annotations();
    out.error = reader.error();
    return out;
}

bool saveCapture(const QString &path, const ConnectionRecord &connection, const Trace &trace,
                 const QList<AnnotationRecord> &annotations, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    CaptureWriter writer(&file);
    bool ok = writer.begin(connection) && writer.append(trace);
    for (const AnnotationRecord &a : annotations)
        ok = ok && writer.annotate(a);
    if (!ok) {
        if (error)
            *error = writer.errorString();
        file.cancelWriting();
        return false;
    }
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

} // namespace wsi::capture
