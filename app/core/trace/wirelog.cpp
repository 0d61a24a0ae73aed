// SPDX-License-Identifier: MIT
#include "trace/wirelog.h"

#include "protocol/frame.h"
#include "protocol/utf8validator.h"

#include <QJsonValue>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

// binLogData/asciiLogData (docs/reports.md §4.3): data longer than kLogThreshold octets is
// shown as its first kLogCut octets plus " ...". The reference client uses two different numbers,
// so 61–64 octets are shown in full and still get the marker; we copy that quirk.
constexpr qint64 kLogThreshold = 60;
constexpr qsizetype kLogCut = 64;

// What classify() needs to know about the entries before the one it classifies.
struct ScanState
{
    bool droppedByMe = false; // a DroppedByMe event was seen
    bool tcpClosed = false;   // a TcpClosed event was seen (only the first one is logged)
    bool wireLogOn = true;    // createWirelog: octets and frames are logged only while on
    bool storageLine = false; // TraceLimitReached is a line (StorageStopped)
};

QString pyBool(bool value)
{
    return value ? u"True"_s : u"False"_s;
}

QString maskHex(quint32 key)
{
    return u"%1"_s.arg(key, 8, 16, QChar(u'0'));
}

// "%f" of the reference report: six decimals.
QString pySeconds(double seconds)
{
    return QString::number(seconds, 'f', 6);
}

QString tagText(const QString &tag)
{
    return tag.isEmpty() ? u"None"_s : tag;
}

QJsonValue tagJson(const QString &tag)
{
    return tag.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(tag);
}

std::optional<WireLogKind> classify(const Trace &trace, const Trace::Entry &entry,
                                    const ScanState &before)
{
    if (entry.type != RecordKind::Event && !before.wireLogOn)
        return std::nullopt;
    switch (entry.type) {
    case RecordKind::Chunk: {
        const OctetChunk &chunk = trace.chunks()[entry.index];
        if (chunk.size <= 0)
            return std::nullopt; // nothing crossed the wire: the reference prints no line
        return chunk.direction == Direction::Rx ? WireLogKind::RxOctets : WireLogKind::TxOctets;
    }
    case RecordKind::Frame: {
        const FrameRecord &frame = trace.frames()[entry.index];
        if (frame.direction == Direction::Rx) {
            // A frame cut off by the end of the connection was never completely received: only
            // the frame table shows it (docs/reports.md §3.2 counts complete frames only).
            if (frame.incomplete)
                return std::nullopt;
            return WireLogKind::RxFrame;
        }
        return WireLogKind::TxFrame;
    }
    case RecordKind::Event:
        break;
    }
    const TraceEvent &event = trace.events()[entry.index];
    using K = TraceEvent::Kind;
    switch (event.kind) {
    case K::Delay:
        return WireLogKind::Delay;
    case K::DelayTimeout:
        return WireLogKind::DelayTimeout;
    case K::CloseAfter:
        return WireLogKind::CloseAfter;
    case K::ClosingConnection:
        return WireLogKind::ClosingConnection;
    case K::FailAfter:
        return WireLogKind::FailAfter;
    case K::FailingConnection:
        return WireLogKind::FailingConnection;
    case K::WireLogEnabled:
        return WireLogKind::WireLogMarker;
    case K::TraceLimitReached:
        if (!before.storageLine)
            return std::nullopt;
        return WireLogKind::StorageStopped;
    case K::HalfClosed:
        if (!before.storageLine)
            return std::nullopt;
        return WireLogKind::HalfClosed;
    case K::ProxyRequest:
    case K::ProxyReply:
    case K::ProxyFailed:
        if (!before.storageLine)
            return std::nullopt;
        return event.kind == K::ProxyRequest ? WireLogKind::ProxyRequest
               : event.kind == K::ProxyReply ? WireLogKind::ProxyReply
                                             : WireLogKind::ProxyFailed;
    case K::TcpClosed:
        // The connection ends once; analyzeClosing() ignores a repeated TcpClosed, and so do we.
        if (before.tcpClosed || event.tcpEnd == TcpEnd::NoConnection)
            return std::nullopt;
        return before.droppedByMe ? WireLogKind::TcpDroppedByMe : WireLogKind::TcpDroppedByPeer;
    default:
        return std::nullopt;
    }
}

const Trace::Entry *entryOf(const Trace &trace, quint32 entry, RecordKind type)
{
    if (entry >= trace.entries().size())
        return nullptr;
    const Trace::Entry &e = trace.entries()[entry];
    return e.type == type ? &e : nullptr;
}

const OctetChunk *chunkOf(const Trace &trace, const WireLogLine &line)
{
    const Trace::Entry *e = entryOf(trace, line.entry, RecordKind::Chunk);
    return e ? &trace.chunks()[e->index] : nullptr;
}

const FrameRecord *frameOf(const Trace &trace, const WireLogLine &line)
{
    const Trace::Entry *e = entryOf(trace, line.entry, RecordKind::Frame);
    return e ? &trace.frames()[e->index] : nullptr;
}

const TraceEvent *eventOf(const Trace &trace, const WireLogLine &line)
{
    const Trace::Entry *e = entryOf(trace, line.entry, RecordKind::Event);
    return e ? &trace.events()[e->index] : nullptr;
}

// PAYLOAD-LEN: RX the header's length; TX the payload argument as given (docs/sending.md §1.1, not
// the repeated on-wire length).
qint64 payloadLengthOf(const FrameRecord &frame)
{
    if (frame.direction == Direction::Tx && frame.tx)
        return frame.tx->basePayloadLength;
    // A sent frame known only from its octets (a capture by another tool, docs/captures.md §5)
    // has no payload argument: its header's length, as for RX.
    if (frame.direction == Direction::Tx && !frame.payloadDerived)
        return qint64(frame.payload.size());
    return qint64(
        std::min<quint64>(frame.payloadLength, quint64(std::numeric_limits<qint64>::max())));
}

// TX MASK: the key we wrote, None when unmasked. MaskMode::BitOnly sets the mask bit without
// writing a key; the reference has no such mode, so we print "bit-only" there (text and JSON).
std::optional<QString> txMaskText(const FrameRecord &frame)
{
    if (frame.hasKey)
        return maskHex(frame.maskKey);
    if (frame.masked)
        return u"bit-only"_s;
    return std::nullopt;
}

// RX MASK: a masked frame always carries its key. (The reference HTML hex-encodes the key a
// second time, docs/reports.md §4.3; we show it once, as its JSON does.)
std::optional<QString> rxMaskText(const FrameRecord &frame)
{
    if (frame.masked)
        return maskHex(frame.maskKey);
    return std::nullopt;
}

// The payload octets the wire log can show: asciiLogData() never needs more than kLogCut, so a
// 16 MiB frame is not copied for one line.
QByteArray shownPayload(const Trace &trace, const FrameRecord &frame)
{
    return trace.framePayload(frame, kLogCut);
}

QString frameText(const Trace &trace, const FrameRecord &frame)
{
    return asciiLogData(shownPayload(trace, frame), payloadLengthOf(frame));
}

// A head's lines as one line: "CONNECT h:1 HTTP/1.1 | Host: h:1".
QString oneLine(const QString &text)
{
    QStringList lines = text.split(u'\n');
    for (QString &line : lines)
        line = line.trimmed();
    lines.removeAll(QString());
    return lines.join(u" | "_s);
}

} // namespace

QString wireLogTag(WireLogKind kind)
{
    switch (kind) {
    case WireLogKind::RxOctets:
        return u"RO"_s;
    case WireLogKind::TxOctets:
        return u"TO"_s;
    case WireLogKind::RxFrame:
        return u"RF"_s;
    case WireLogKind::TxFrame:
        return u"TF"_s;
    case WireLogKind::Delay:
        return u"CT"_s;
    case WireLogKind::DelayTimeout:
        return u"CTE"_s;
    case WireLogKind::CloseAfter:
        return u"TI"_s;
    case WireLogKind::ClosingConnection:
        return u"TIE"_s;
    case WireLogKind::FailAfter:
        return u"KL"_s;
    case WireLogKind::FailingConnection:
        return u"KLE"_s;
    case WireLogKind::WireLogMarker:
        return u"WLM"_s;
    case WireLogKind::TcpDroppedByMe:
    case WireLogKind::TcpDroppedByPeer:
    case WireLogKind::StorageStopped:
    case WireLogKind::HalfClosed:
    case WireLogKind::ProxyRequest:
    case WireLogKind::ProxyReply:
    case WireLogKind::ProxyFailed:
        break;
    }
    return {};
}

QString wireLogKindName(WireLogKind kind)
{
    switch (kind) {
    case WireLogKind::RxOctets:
        return u"RX OCTETS"_s;
    case WireLogKind::TxOctets:
        return u"TX OCTETS"_s;
    case WireLogKind::RxFrame:
        return u"RX FRAME"_s;
    case WireLogKind::TxFrame:
        return u"TX FRAME"_s;
    case WireLogKind::Delay:
        return u"DELAY"_s;
    case WireLogKind::DelayTimeout:
        return u"DELAY TIMEOUT"_s;
    case WireLogKind::CloseAfter:
        return u"CLOSE CONNECTION AFTER"_s;
    case WireLogKind::ClosingConnection:
        return u"CLOSING CONNECTION"_s;
    case WireLogKind::FailAfter:
        return u"FAIL CONNECTION AFTER"_s;
    case WireLogKind::FailingConnection:
        return u"FAILING CONNECTION"_s;
    case WireLogKind::WireLogMarker:
        return u"WIRELOG"_s;
    case WireLogKind::TcpDroppedByMe:
        return u"TCP DROPPED BY ME"_s;
    case WireLogKind::TcpDroppedByPeer:
        return u"TCP DROPPED BY PEER"_s;
    case WireLogKind::StorageStopped:
        return u"STORAGE STOPPED"_s;
    case WireLogKind::HalfClosed:
        return u"TX FIN"_s;
    case WireLogKind::ProxyRequest:
        return u"PROXY REQUEST"_s;
    case WireLogKind::ProxyReply:
        return u"PROXY REPLY"_s;
    case WireLogKind::ProxyFailed:
        return u"PROXY FAILED"_s;
    }
    return {};
}

std::optional<WireLogKind> wireLogKindOf(const Trace &trace, quint32 entry, bool storageLine)
{
    const auto &entries = trace.entries();
    if (entry >= entries.size())
        return std::nullopt;
    const Trace::Entry &e = entries[entry];
    ScanState before;
    before.storageLine = storageLine;
    if (e.type == RecordKind::Event &&
        trace.events()[e.index].kind == TraceEvent::Kind::TcpClosed) {
        // Events are stored in entry order, so the events before this one are [0, e.index).
        const auto &events = trace.events();
        for (quint32 i = 0; i < e.index; ++i) {
            if (events[i].kind == TraceEvent::Kind::DroppedByMe)
                before.droppedByMe = true;
            else if (events[i].kind == TraceEvent::Kind::TcpClosed)
                before.tcpClosed = true;
        }
    }
    return classify(trace, e, before);
}

std::optional<WireLogKind> WireLogClassifier::next(const Trace &trace, quint32 entry)
{
    const Trace::Entry &e = trace.entries()[entry];
    const ScanState before{m_droppedByMe, m_tcpClosed, m_wireLogOn, m_storageLine};
    const std::optional<WireLogKind> kind = classify(trace, e, before);
    if (e.type == RecordKind::Event) {
        const TraceEvent &event = trace.events()[e.index];
        using K = TraceEvent::Kind;
        if (event.kind == K::DroppedByMe)
            m_droppedByMe = true;
        else if (event.kind == K::TcpClosed)
            m_tcpClosed = true;
        else if (event.kind == K::WireLogEnabled || event.kind == K::WireLogSwitched)
            m_wireLogOn = event.flag;
    }
    return kind;
}

std::vector<WireLogLine> wireLog(const Trace &trace, bool storageLine)
{
    std::vector<WireLogLine> lines;
    WireLogClassifier classifier(storageLine);
    const auto count = quint32(trace.entries().size());
    for (quint32 i = 0; i < count; ++i) {
        if (const auto kind = classifier.next(trace, i))
            lines.push_back({*kind, i});
    }
    return lines;
}

bool wireLogEnabledAtEnd(const Trace &trace)
{
    bool enabled = true;
    for (const TraceEvent &event : trace.events()) {
        if (event.kind == TraceEvent::Kind::WireLogEnabled ||
            event.kind == TraceEvent::Kind::WireLogSwitched)
            enabled = event.flag;
    }
    return enabled;
}

QString binLogData(const QByteArray &data, qint64 totalSize)
{
    const qint64 total = totalSize < 0 ? qint64(data.size()) : totalSize;
    if (total > kLogThreshold)
        return QString::fromLatin1(data.left(kLogCut).toHex()) + u" ..."_s;
    return QString::fromLatin1(data.toHex());
}

QString asciiLogData(const QByteArray &data, qint64 totalSize)
{
    const qint64 total = totalSize < 0 ? qint64(data.size()) : totalSize;
    const bool cut = total > kLogThreshold;
    const QByteArray shown = cut ? data.left(kLogCut) : data;
    // Strict UTF-8 of what is shown: a cut inside a code point makes the whole text hex, as in
    // the reference client (it decodes after cutting).
    if (Utf8Validator::firstInvalidOffset(shown.constData(), shown.size()) >= 0)
        return u"0x"_s + binLogData(data, total);
    QString text = QString::fromUtf8(shown);
    if (cut)
        text += u" ..."_s;
    return text;
}

QString wireLogText(const Trace &trace, const WireLogLine &line)
{
    switch (line.kind) {
    case WireLogKind::RxOctets:
    case WireLogKind::TxOctets: {
        const OctetChunk *chunk = chunkOf(trace, line);
        if (!chunk)
            return {};
        return wireLogKindName(line.kind) + u": "_s + binLogData(chunk->data, chunk->size);
    }
    case WireLogKind::RxFrame: {
        const FrameRecord *frame = frameOf(trace, line);
        if (!frame)
            return {};
        return u"RX FRAME : OPCODE="_s + QString::number(frame->opcode) + u", FIN="_s +
               pyBool(frame->fin) + u", RSV="_s + QString::number(frame->rsv) +
               u", PAYLOAD-LEN="_s + QString::number(payloadLengthOf(*frame)) + u", MASKED="_s +
               pyBool(frame->masked) + u", MASK="_s + rxMaskText(*frame).value_or(u"None"_s);
    }
    case WireLogKind::TxFrame: {
        const FrameRecord *frame = frameOf(trace, line);
        if (!frame)
            return {};
        const auto &tx = frame->tx;
        const QString repeat =
            tx && tx->repeatLength ? QString::number(*tx->repeatLength) : u"None"_s;
        const QString chop = tx && tx->chopSize > 0 ? QString::number(tx->chopSize) : u"None"_s;
        return u"TX FRAME : OPCODE="_s + QString::number(frame->opcode) + u", FIN="_s +
               pyBool(frame->fin) + u", RSV="_s + QString::number(frame->rsv) +
               u", PAYLOAD-LEN="_s + QString::number(payloadLengthOf(*frame)) + u", MASK="_s +
               txMaskText(*frame).value_or(u"None"_s) + u", PAYLOAD-REPEAT-LEN="_s + repeat +
               u", CHOPSIZE="_s + chop + u", SYNC="_s + pyBool(tx && tx->sync);
    }
    case WireLogKind::TcpDroppedByMe:
    case WireLogKind::TcpDroppedByPeer:
        return wireLogKindName(line.kind);
    default:
        break;
    }
    const TraceEvent *event = eventOf(trace, line);
    if (!event)
        return {};
    switch (line.kind) {
    case WireLogKind::Delay:
        return u"DELAY "_s + pySeconds(event->seconds) + u" sec for TAG "_s + tagText(event->text);
    case WireLogKind::DelayTimeout:
        return u"DELAY TIMEOUT on TAG "_s + tagText(event->text);
    case WireLogKind::CloseAfter:
        return u"CLOSE CONNECTION AFTER "_s + pySeconds(event->seconds) + u" sec"_s;
    case WireLogKind::ClosingConnection:
        return u"CLOSING CONNECTION"_s;
    case WireLogKind::FailAfter:
        return u"FAIL CONNECTION AFTER "_s + pySeconds(event->seconds) + u" sec"_s;
    case WireLogKind::FailingConnection:
        return u"FAILING CONNECTION"_s;
    case WireLogKind::WireLogMarker:
        return event->flag ? u"WIRELOG ENABLED"_s : u"WIRELOG DISABLED"_s;
    case WireLogKind::StorageStopped:
        return u"STORAGE STOPPED "_s + storageStopText(trace);
    case WireLogKind::HalfClosed:
        // The event's seconds are how long we wait for the server's FIN before dropping TCP.
        return u"TX FIN (half-close: our sending side is shut down; the server has "_s +
               QString::number(event->seconds, 'g', 6) + u" sec to close)"_s;
    case WireLogKind::ProxyRequest:
    case WireLogKind::ProxyReply:
    case WireLogKind::ProxyFailed:
        // One line an entry: an HTTP head's lines joined (the report's Proxy section has it
        // as sent).
        return wireLogKindName(line.kind) + u": "_s + oneLine(event->text);
    default:
        return {};
    }
}

QString wireLogPayloadText(const Trace &trace, const WireLogLine &line)
{
    if (line.kind != WireLogKind::RxFrame && line.kind != WireLogKind::TxFrame)
        return {};
    const FrameRecord *frame = frameOf(trace, line);
    if (!frame)
        return {};
    return frameText(trace, *frame);
}

std::optional<QJsonArray> wireLogJson(const Trace &trace, const WireLogLine &line)
{
    const QString tag = wireLogTag(line.kind);
    const auto optionalJson = [](const std::optional<QString> &value) {
        return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
    };
    switch (line.kind) {
    case WireLogKind::RxOctets:
    case WireLogKind::TxOctets: {
        const OctetChunk *chunk = chunkOf(trace, line);
        if (!chunk)
            return std::nullopt;
        QJsonArray out{tag, QJsonArray{chunk->size, binLogData(chunk->data, chunk->size)}};
        if (line.kind == WireLogKind::TxOctets)
            out.append(chunk->sync);
        return out;
    }
    case WireLogKind::RxFrame: {
        const FrameRecord *frame = frameOf(trace, line);
        if (!frame)
            return std::nullopt;
        return QJsonArray{tag,
                          QJsonArray{payloadLengthOf(*frame), frameText(trace, *frame)},
                          int(frame->opcode),
                          frame->fin,
                          int(frame->rsv),
                          frame->masked,
                          optionalJson(rxMaskText(*frame))};
    }
    case WireLogKind::TxFrame: {
        const FrameRecord *frame = frameOf(trace, line);
        if (!frame)
            return std::nullopt;
        const auto &tx = frame->tx;
        const QJsonValue repeat =
            tx && tx->repeatLength ? QJsonValue(*tx->repeatLength) : QJsonValue(QJsonValue::Null);
        const QJsonValue chop =
            tx && tx->chopSize > 0 ? QJsonValue(tx->chopSize) : QJsonValue(QJsonValue::Null);
        return QJsonArray{tag,
                          QJsonArray{payloadLengthOf(*frame), frameText(trace, *frame)},
                          int(frame->opcode),
                          frame->fin,
                          int(frame->rsv),
                          optionalJson(txMaskText(*frame)),
                          repeat,
                          chop,
                          tx && tx->sync};
    }
    case WireLogKind::TcpDroppedByMe:
    case WireLogKind::TcpDroppedByPeer:
        return std::nullopt; // synthesized by the reference report, not part of its JSON
    case WireLogKind::StorageStopped:
    case WireLogKind::HalfClosed:
    case WireLogKind::ProxyRequest:
    case WireLogKind::ProxyReply:
    case WireLogKind::ProxyFailed:
        return std::nullopt; // ours: Autobahn's JSON has no such entry
    default:
        break;
    }
    const TraceEvent *event = eventOf(trace, line);
    if (!event)
        return std::nullopt;
    switch (line.kind) {
    case WireLogKind::Delay:
        return QJsonArray{tag, event->seconds, tagJson(event->text)};
    case WireLogKind::DelayTimeout:
        return QJsonArray{tag, tagJson(event->text)};
    case WireLogKind::CloseAfter:
    case WireLogKind::FailAfter:
        return QJsonArray{tag, event->seconds};
    case WireLogKind::ClosingConnection:
    case WireLogKind::FailingConnection:
        return QJsonArray{tag};
    case WireLogKind::WireLogMarker:
        return QJsonArray{tag, event->flag};
    default:
        return std::nullopt;
    }
}

} // namespace wsi
