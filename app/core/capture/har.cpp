// SPDX-License-Identifier: MIT
#include "capture/har.h"

#include "trace/messages.h"

#include <QFile>
#include <QFileInfo>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSaveFile>
#include <QStringConverter>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>
#include <optional>

using namespace Qt::StringLiterals;

namespace wsi::capture {

namespace {

// --- export --------------------------------------------------------------------------------------

struct Head
{
    QString firstLine;
    QList<std::pair<QString, QString>> headers;
    qint64 size = -1; // octets of the head, -1 when there is none
};

// An HTTP head as the session recorded it ("GET / HTTP/1.1\r\nHost: x\r\n\r\n").
Head parseHead(const QString &text)
{
    Head head;
    if (text.isEmpty())
        return head;
    head.size = text.toLatin1().size();
    const QStringList lines = text.split(u"\r\n"_s);
    head.firstLine = lines.value(0);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QString &line = lines[i];
        if (line.isEmpty())
            break;
        const qsizetype colon = line.indexOf(u':');
        if (colon <= 0)
            continue;
        head.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    return head;
}

QJsonArray headerArray(const Head &head)
{
    QJsonArray out;
    for (const auto &[name, value] : head.headers)
        out.append(QJsonObject{{u"name"_s, name}, {u"value"_s, value}});
    return out;
}

const TraceEvent *firstEvent(const Trace &trace, TraceEvent::Kind kind)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == kind)
            return &e;
    }
    return nullptr;
}

const TraceEvent *firstState(const Trace &trace, SessionState state)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == TraceEvent::Kind::StateChanged && e.state == state)
            return &e;
    }
    return nullptr;
}

double milliseconds(qint64 ns)
{
    return double(ns) / 1e6;
}

// "127.0.0.1:9001" → {"127.0.0.1", "9001"}; "[::1]:9001" → {"::1", "9001"}.
std::pair<QString, QString> splitPeer(const QString &text)
{
    // Through a proxy the text goes on after the address (docs/proxies.md §2.2).
    const QString peer = text.section(u' ', 0, 0);
    if (peer.startsWith(u'[')) {
        const qsizetype close = peer.indexOf(u']');
        if (close > 0)
            return {peer.mid(1, close - 1), peer.mid(close + 2)};
    }
    const qsizetype colon = peer.lastIndexOf(u':');
    if (colon > 0 && peer.indexOf(u':') == colon)
        return {peer.left(colon), peer.mid(colon + 1)};
    return {peer, QString()};
}

QString directionName(Direction d)
{
    return d == Direction::Tx ? u"TX"_s : u"RX"_s;
}

bool fail(QString *error, const QString &text)
{
    if (error)
        *error = text;
    return false;
}

// --- import --------------------------------------------------------------------------------------

struct HarMessage
{
    double time = 0;
    Direction direction = Direction::Rx;
    quint8 opcode = 0;
    QByteArray payload;
    bool error = false; // Chrome's "error" entries: the text of a failure, not a message
    QString errorText;
};

QString headText(const QString &firstLine, const QJsonArray &headers)
{
    QString out = firstLine + u"\r\n"_s;
    for (const QJsonValue &h : headers) {
        const QJsonObject o = h.toObject();
        const QString name = o.value(u"name"_s).toString();
        if (name.isEmpty())
            continue;
        out += name + u": "_s + o.value(u"value"_s).toString() + u"\r\n"_s;
    }
    return out + u"\r\n"_s;
}

bool isWebSocketEntry(const QJsonObject &entry)
{
    if (entry.value(u"_resourceType"_s).toString().compare(u"websocket"_s, Qt::CaseInsensitive) ==
        0)
        return true;
    if (entry.value(u"_webSocketMessages"_s).isArray())
        return true;
    const QString scheme =
        QUrl(entry.value(u"request"_s).toObject().value(u"url"_s).toString()).scheme();
    if (scheme == u"ws"_s || scheme == u"wss"_s)
        return true;
    return entry.value(u"response"_s).toObject().value(u"status"_s).toInt() == 101;
}

// Nanoseconds from `base` (seconds since 1970) to `time`, never before it.
qint64 sinceBase(double time, double base)
{
    const double ns = std::round((time - base) * 1e9);
    return ns <= 0 ? 0 : qint64(std::min(ns, 9.0e18));
}

void addEvent(TraceBatch &batch, qint64 timeNs, TraceEvent::Kind kind, const QString &text = {},
              SessionState state = SessionState::Idle)
{
    TraceEvent e;
    e.timeNs = timeNs;
    e.kind = kind;
    e.text = text;
    e.state = state;
    batch.add(std::move(e));
}

// A non-negative timing of the entry's `timings`, in nanoseconds (0 when absent or -1).
qint64 timingNs(const QJsonObject &timings, const QString &name)
{
    const double ms = timings.value(name).toDouble(-1);
    return std::isfinite(ms) && ms > 0 ? qint64(std::min(ms, 1e12) * 1e6) : 0;
}

std::optional<HarConnection> readEntry(const QJsonObject &entry, int index, const QString &creator,
                                       QStringList &warnings)
{
    const QString where = u"entry %1"_s.arg(index);
    const QJsonObject request = entry.value(u"request"_s).toObject();
    const QJsonObject response = entry.value(u"response"_s).toObject();

    // The messages first: the connection's times are relative to the earliest of them when the
    // entry's start is missing.
    std::vector<HarMessage> messages;
    const QJsonArray list = entry.value(u"_webSocketMessages"_s).toArray();
    qsizetype count = list.size();
    if (count > kHarMaxMessagesPerEntry) {
        warnings << u"%1 has %2 WebSocket messages; only the first %3 are read"_s.arg(where)
                        .arg(count)
                        .arg(kHarMaxMessagesPerEntry);
        count = qsizetype(kHarMaxMessagesPerEntry);
    }
    messages.reserve(size_t(count));
    for (qsizetype j = 0; j < count; ++j) {
        const QString at = u"%1, message %2"_s.arg(where).arg(j);
        if (!list.at(j).isObject()) {
            warnings << u"%1 is not an object; it is left out"_s.arg(at);
            continue;
        }
        const QJsonObject m = list.at(j).toObject();
        HarMessage out;
        const QJsonValue time = m.value(u"time"_s);
        if (!time.isDouble() || !std::isfinite(time.toDouble()) || time.toDouble() < 0) {
            warnings << u"%1 has no valid time (seconds since 1970); it is left out"_s.arg(at);
            continue;
        }
        out.time = time.toDouble();
        const QString type = m.value(u"type"_s).toString();
        if (type == u"error"_s) {
            out.error = true;
            out.errorText = m.value(u"data"_s).toString();
            messages.push_back(std::move(out));
            continue;
        }
        if (type == u"send"_s) {
            out.direction = Direction::Tx;
        } else if (type == u"receive"_s) {
            out.direction = Direction::Rx;
        } else {
            warnings << u"%1 has type \"%2\" (not \"send\" or \"receive\"); it is left out"_s.arg(
                at, type.left(40));
            continue;
        }
        const QJsonValue opcode = m.value(u"opcode"_s);
        const double op = opcode.toDouble(-1);
        if (op != 1 && op != 2) {
            warnings << u"%1 has opcode %2: only text (1) and binary (2) messages are read; it is "
                        u"left out"_s.arg(at, opcode.isDouble() ? QString::number(op) : u"none"_s);
            continue;
        }
        out.opcode = quint8(op);
        const QJsonValue data = m.value(u"data"_s);
        if (!data.isString() && !data.isUndefined()) {
            warnings << u"%1 has data that is not a string; it is left out"_s.arg(at);
            continue;
        }
        if (out.opcode == 1) {
            out.payload = data.toString().toUtf8();
        } else {
            auto decoded = QByteArray::fromBase64Encoding(data.toString().toLatin1(),
                                                          QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded) {
                warnings
                    << u"%1 is a binary message whose data is not base64; it is left out"_s.arg(at);
                continue;
            }
            out.payload = std::move(decoded.decoded);
        }
        messages.push_back(std::move(out));
    }
    // The file's order is the browser's; a message out of time order moves to its place.
    std::stable_sort(messages.begin(), messages.end(),
                     [](const HarMessage &a, const HarMessage &b) { return a.time < b.time; });

    QDateTime started =
        QDateTime::fromString(entry.value(u"startedDateTime"_s).toString(), Qt::ISODateWithMs);
    double base = 0;
    if (started.isValid()) {
        base = double(started.toMSecsSinceEpoch()) / 1000.0;
        if (!messages.empty() && messages.front().time < base)
            base = messages.front().time; // a message before the entry's start
    } else {
        warnings << u"%1 has no valid startedDateTime; its times count from its first message"_s
                        .arg(where);
        base = messages.empty() ? 0 : messages.front().time;
    }
    started = QDateTime::fromMSecsSinceEpoch(qint64(std::floor(base * 1000)), Qt::UTC);
    base = double(started.toMSecsSinceEpoch()) / 1000.0;

    HarConnection c;
    c.entryIndex = index;
    c.connection.application = creator;
    c.connection.url = request.value(u"url"_s).toString();
    c.connection.startedAt = started;
    c.connection.peerAddress = entry.value(u"serverIPAddress"_s).toString();
    c.trace = std::make_unique<Trace>();
    c.trace->setStartedAt(started);
    c.trace->setUrl(c.connection.url);

    const QJsonObject timings = entry.value(u"timings"_s).toObject();
    const qint64 connected = timingNs(timings, u"blocked"_s) + timingNs(timings, u"dns"_s) +
                             timingNs(timings, u"connect"_s);
    const qint64 answered = connected + timingNs(timings, u"send"_s) + timingNs(timings, u"wait"_s);
    // A handshake cannot end after the first message.
    const qint64 firstMessage =
        messages.empty() ? answered : sinceBase(messages.front().time, base);
    const qint64 tConnected = std::min(connected, firstMessage);
    const qint64 tAnswered = std::min(answered, firstMessage);

    TraceBatch batch;
    addEvent(batch, 0, TraceEvent::Kind::StateChanged, {}, SessionState::Connecting);
    addEvent(batch, 0, TraceEvent::Kind::Note,
             u"Read from a HAR file (entry %1%2). The request and response heads are rebuilt "
             u"from the HAR's header lists."_s.arg(index)
                 .arg(creator.isEmpty() ? QString() : u", written by "_s + creator));
    if (!c.connection.peerAddress.isEmpty())
        addEvent(batch, tConnected, TraceEvent::Kind::Connected, c.connection.peerAddress);
    const QUrl url(c.connection.url);
    QString target = url.path(QUrl::FullyEncoded);
    if (target.isEmpty())
        target = u"/"_s;
    if (url.hasQuery())
        target += u'?' + url.query(QUrl::FullyEncoded);
    QString httpVersion = request.value(u"httpVersion"_s).toString();
    if (!httpVersion.startsWith(u"HTTP/"_s, Qt::CaseInsensitive))
        httpVersion = u"HTTP/1.1"_s; // Chrome may leave it empty for a WebSocket
    addEvent(batch, tConnected, TraceEvent::Kind::HandshakeRequest,
             headText(request.value(u"method"_s).toString(u"GET"_s) + u' ' + target + u' ' +
                          httpVersion.toUpper(),
                      request.value(u"headers"_s).toArray()));
    const int status = response.value(u"status"_s).toInt();
    if (status > 0) {
        QString version = response.value(u"httpVersion"_s).toString();
        if (!version.startsWith(u"HTTP/"_s, Qt::CaseInsensitive))
            version = httpVersion;
        addEvent(batch, tAnswered, TraceEvent::Kind::HandshakeResponse,
                 headText(u"%1 %2 %3"_s.arg(version.toUpper())
                              .arg(status)
                              .arg(response.value(u"statusText"_s).toString()),
                          response.value(u"headers"_s).toArray()));
    }
    if (status == 101)
        addEvent(batch, tAnswered, TraceEvent::Kind::StateChanged, {}, SessionState::Open);
    addEvent(batch, tAnswered, TraceEvent::Kind::Note,
             u"The HAR has the messages, not their frames: fragmentation, masking keys and the "
             u"octets on the wire are unknown. Each message is shown as one frame."_s);
    for (HarMessage &m : messages) {
        const qint64 t = sinceBase(m.time, base);
        if (m.error) {
            addEvent(batch, t, TraceEvent::Kind::Note,
                     u"The browser reported an error: %1"_s.arg(m.errorText.left(1000)));
            continue;
        }
        FrameRecord f;
        f.timeNs = t;
        f.direction = m.direction;
        f.opcode = m.opcode;
        f.fin = true;
        f.payloadLength = quint64(m.payload.size());
        f.payload = std::move(m.payload);
        f.streamOffset = -1; // no octets: the HAR does not have them
        batch.add(std::move(f));
    }
    addEvent(batch, batch.isEmpty() ? 0 : c.trace->lastTimeNs(), TraceEvent::Kind::Note,
             u"The HAR does not say how the connection ended."_s);
    c.trace->append(std::move(batch));
    return c;
}

} // namespace

// --- export --------------------------------------------------------------------------------------

bool writeHar(QIODevice &device, const Trace &trace, const HarInfo &info, QString *error,
              QStringList *warnings)
{
    MessageOptions options;
    options.includeControl = false; // a HAR has text and binary messages only
    // First their sizes alone (no payload copied), so that a trace too large is refused before
    // anything is built.
    options.maxTotalPayload = 0;
    qint64 encoded = 0;
    for (const TraceMessage &m : traceMessages(trace, options))
        encoded += m.opcode == quint8(Opcode::Binary) ? (m.size + 2) / 3 * 4 : m.size;
    if (encoded > kHarMaxExportPayload) {
        return fail(error, u"The messages need %1 octets in a HAR file; an export holds at most "
                           u"%2 (128 MiB)."_s.arg(encoded)
                               .arg(kHarMaxExportPayload));
    }
    options.maxTotalPayload = kHarMaxExportPayload;
    const std::vector<TraceMessage> messages = traceMessages(trace, options);

    const QDateTime started = trace.startedAt().toUTC();
    const double startSeconds = double(started.toMSecsSinceEpoch()) / 1000.0;
    const QString startedText = started.toString(Qt::ISODateWithMs);

    const Head request = parseHead(firstEvent(trace, TraceEvent::Kind::HandshakeRequest)
                                       ? firstEvent(trace, TraceEvent::Kind::HandshakeRequest)->text
                                       : QString());
    const TraceEvent *responseEvent = firstEvent(trace, TraceEvent::Kind::HandshakeResponse);
    const Head response = parseHead(responseEvent ? responseEvent->text : QString());
    const QStringList requestLine = request.firstLine.split(u' ');
    const QStringList statusLine = response.firstLine.split(u' ');

    QJsonArray queryString;
    const QUrl url(trace.url());
    for (const auto &[name, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded))
        queryString.append(QJsonObject{{u"name"_s, name}, {u"value"_s, value}});

    // Timings: connect from CONNECTING to TCP (and TLS) up; wait from the request to the
    // response. TLS is inside connect (the trace does not time it apart): ssl -1.
    const TraceEvent *connecting = firstState(trace, SessionState::Connecting);
    const TraceEvent *connected = firstEvent(trace, TraceEvent::Kind::Connected);
    const TraceEvent *requestEvent = firstEvent(trace, TraceEvent::Kind::HandshakeRequest);
    const double connect =
        connecting && connected ? milliseconds(connected->timeNs - connecting->timeNs) : -1;
    const double wait = requestEvent && responseEvent
                            ? milliseconds(responseEvent->timeNs - requestEvent->timeNs)
                            : 0;
    const double total = std::max(connect, 0.0) + wait;

    QJsonArray wsMessages;
    qsizetype number = 0;
    for (const TraceMessage &m : messages) {
        ++number;
        const QString which = u"Message %1 (%2, frame %3)"_s.arg(number)
                                  .arg(directionName(m.direction))
                                  .arg(m.frames.front() + 1);
        if (m.opcode != quint8(Opcode::Text) && m.opcode != quint8(Opcode::Binary)) {
            if (warnings)
                *warnings << u"%1 has opcode %2: a HAR has text and binary messages only; it is "
                             u"left out."_s.arg(which)
                                 .arg(m.opcode);
            continue;
        }
        // A compressed message goes in as the application saw it: inflated (DevTools shows the
        // same).
        if (warnings && m.compressed && !m.inflateError.isEmpty())
            *warnings << u"%1 is compressed and could not be inflated (%2); the HAR has what was "
                         u"inflated of it."_s.arg(which, m.inflateError);
        else if (warnings && m.compressed && !m.applicationPayloadComplete())
            *warnings << u"%1: %2 of its %3 inflated octets were kept; the HAR has those."_s
                             .arg(which)
                             .arg(m.inflated.size())
                             .arg(m.inflatedSize);
        else if (warnings && !m.payloadComplete())
            *warnings << u"%1: the trace kept %2 of its %3 payload octets; the HAR has those."_s
                             .arg(which)
                             .arg(m.payload.size())
                             .arg(m.size);
        if (warnings && !m.complete)
            *warnings << u"%1 never got its final frame; the HAR has what arrived."_s.arg(which);
        QString data;
        if (m.opcode == quint8(Opcode::Text)) {
            auto decode = QStringDecoder(QStringDecoder::Utf8);
            data = decode(m.applicationPayload());
            if (decode.hasError() && warnings)
                *warnings << u"%1 is not valid UTF-8; the HAR has it with replacement "
                             u"characters."_s.arg(which);
        } else {
            data = QString::fromLatin1(m.applicationPayload().toBase64());
        }
        wsMessages.append(QJsonObject{
            {u"type"_s, m.direction == Direction::Tx ? u"send"_s : u"receive"_s},
            {u"time"_s, startSeconds + double(m.firstTimeNs) / 1e9},
            {u"opcode"_s, int(m.opcode)},
            {u"data"_s, data},
        });
    }

    const auto [address, port] = splitPeer(connected ? connected->text : QString());
    QJsonObject entry{
        {u"startedDateTime"_s, startedText},
        {u"time"_s, total},
        {u"request"_s,
         QJsonObject{
             {u"method"_s, requestLine.value(0, u"GET"_s)},
             {u"url"_s, trace.url()},
             {u"httpVersion"_s, requestLine.value(2, u"HTTP/1.1"_s)},
             {u"headers"_s, headerArray(request)},
             {u"queryString"_s, queryString},
             {u"cookies"_s, QJsonArray()},
             {u"headersSize"_s, request.size},
             {u"bodySize"_s, 0},
         }},
        {u"response"_s,
         QJsonObject{
             {u"status"_s, statusLine.value(1).toInt()},
             {u"statusText"_s, statusLine.mid(2).join(u' ')},
             {u"httpVersion"_s, statusLine.value(0)},
             {u"headers"_s, headerArray(response)},
             {u"cookies"_s, QJsonArray()},
             {u"content"_s, QJsonObject{{u"size"_s, 0}, {u"mimeType"_s, u""_s}}},
             {u"redirectURL"_s, u""_s},
             {u"headersSize"_s, response.size},
             {u"bodySize"_s, 0},
         }},
        {u"cache"_s, QJsonObject()},
        {u"timings"_s,
         QJsonObject{
             {u"blocked"_s, -1},
             {u"dns"_s, -1},
             {u"connect"_s, connect},
             {u"send"_s, 0},
             {u"wait"_s, wait},
             {u"receive"_s, 0},
             {u"ssl"_s, -1},
         }},
        {u"_resourceType"_s, u"websocket"_s},
        {u"_webSocketMessages"_s, wsMessages},
    };
    if (!address.isEmpty())
        entry.insert(u"serverIPAddress"_s, address);
    if (!port.isEmpty())
        entry.insert(u"connection"_s, port);

    QJsonObject log{
        {u"version"_s, u"1.2"_s},
        {u"creator"_s,
         QJsonObject{{u"name"_s, u"WebSocket Inspector"_s}, {u"version"_s, info.creatorVersion}}},
    };
    if (!info.pageTitle.isEmpty()) {
        entry.insert(u"pageref"_s, u"page_1"_s);
        log.insert(u"pages"_s,
                   QJsonArray{QJsonObject{
                       {u"startedDateTime"_s, startedText},
                       {u"id"_s, u"page_1"_s},
                       {u"title"_s, info.pageTitle},
                       {u"pageTimings"_s, QJsonObject{{u"onContentLoad"_s, -1}, {u"onLoad"_s, -1}}},
                   }});
    }
    if (!info.comment.isEmpty())
        log.insert(u"comment"_s, info.comment);
    log.insert(u"entries"_s, QJsonArray{entry});

    const QByteArray json = QJsonDocument(QJsonObject{{u"log"_s, log}}).toJson();
    if (device.write(json) != json.size())
        return fail(error, device.errorString());
    return true;
}

bool saveHar(const QString &path, const Trace &trace, const HarInfo &info, QString *error,
             QStringList *warnings)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, file.errorString());
    if (!writeHar(file, trace, info, error, warnings)) {
        file.cancelWriting();
        return false;
    }
    if (!file.commit())
        return fail(error, file.errorString());
    return true;
}

// --- import --------------------------------------------------------------------------------------

HarImport readHar(QByteArrayView contents)
{
    HarImport out;
    if (contents.size() > kHarMaxFileSize) {
        out.error =
            u"The HAR file has %1 octets; at most %2 (256 MiB) are read."_s.arg(contents.size())
                .arg(kHarMaxFileSize);
        return out;
    }
    // Qt's parser refuses nesting deeper than 1024 (a DeepNesting error), so a hostile file
    // cannot exhaust the stack.
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray::fromRawData(contents.data(), contents.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        out.error = u"The HAR file is not JSON: %1 at offset %2."_s.arg(parseError.errorString())
                        .arg(parseError.offset);
        return out;
    }
    const QJsonObject log = doc.object().value(u"log"_s).toObject();
    const QJsonValue entriesValue = log.value(u"entries"_s);
    if (!entriesValue.isArray()) {
        out.error = u"The file is JSON but has no log.entries array: it is not a HAR file."_s;
        return out;
    }
    const QJsonArray entries = entriesValue.toArray();
    out.entryCount = entries.size();
    if (out.entryCount > kHarMaxEntries) {
        out.error = u"The HAR file has %1 entries; at most %2 are read."_s.arg(out.entryCount)
                        .arg(kHarMaxEntries);
        return out;
    }
    const QJsonObject creatorObject = log.value(u"creator"_s).toObject();
    const QString creator = QString(creatorObject.value(u"name"_s).toString() + u' ' +
                                    creatorObject.value(u"version"_s).toString())
                                .trimmed();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonValue value = entries.at(i);
        if (!value.isObject()) {
            out.warnings << u"Entry %1 is not an object; it is left out."_s.arg(i);
            continue;
        }
        const QJsonObject entry = value.toObject();
        if (!isWebSocketEntry(entry))
            continue;
        if (std::optional<HarConnection> c = readEntry(entry, int(i), creator, out.warnings))
            out.connections.push_back(std::move(*c));
    }
    if (out.connections.empty()) {
        out.error = u"The HAR file has %1 entries and none is a WebSocket connection."_s.arg(
            out.entryCount);
    }
    return out;
}

HarImport loadHar(const QString &path)
{
    HarImport out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        out.error = u"Cannot open %1: %2"_s.arg(path, file.errorString());
        return out;
    }
    // Refused by its size before a single octet is read.
    if (file.size() > kHarMaxFileSize) {
        out.error = u"The HAR file has %1 octets; at most %2 (256 MiB) are read."_s.arg(file.size())
                        .arg(kHarMaxFileSize);
        return out;
    }
    const QByteArray contents = file.read(kHarMaxFileSize + 1);
    if (file.error() != QFileDevice::NoError) {
        out.error = u"Cannot read %1: %2"_s.arg(path, file.errorString());
        return out;
    }
    return readHar(contents);
}

} // namespace wsi::capture
