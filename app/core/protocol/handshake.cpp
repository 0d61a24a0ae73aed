// SPDX-License-Identifier: MIT
#include "protocol/handshake.h"

#include <QCryptographicHash>

#include <utility>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// RFC 6455 §1.3: the GUID every server appends to the key.
constexpr QByteArrayView kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr QByteArrayView kEndOfHead = "\r\n\r\n";

bool sameName(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

bool isAsciiSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// The head cut into its first line and header fields. Lines end at LF, a CR before it is
// dropped (RFC 9112 §2.2 lets a recipient accept a bare LF); empty lines are skipped.
struct ParsedHead
{
    QByteArray firstLine;     // trimmed
    HeaderList fields;        // names and values trimmed
    QByteArray malformedLine; // first header line without ':' (or with an empty name)
    bool hasMalformedLine = false;
    bool terminated = false; // CRLF CRLF found; anything after it is not part of the head
};

ParsedHead parseHead(QByteArrayView head)
{
    ParsedHead parsed;
    const qsizetype end = head.indexOf(kEndOfHead);
    if (end >= 0) {
        parsed.terminated = true;
        head = head.first(end + 2);
    }
    bool first = true;
    qsizetype pos = 0;
    while (pos < head.size()) {
        qsizetype lf = head.indexOf('\n', pos);
        if (lf < 0)
            lf = head.size();
        QByteArrayView line = head.sliced(pos, lf - pos);
        pos = lf + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        if (first) {
            parsed.firstLine = line.trimmed().toByteArray();
            first = false;
            continue;
        }
        if (line.trimmed().isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        const QByteArrayView name = colon > 0 ? line.first(colon).trimmed() : QByteArrayView();
        if (name.isEmpty()) {
            if (!parsed.hasMalformedLine) {
                parsed.malformedLine = line.toByteArray();
                parsed.hasMalformedLine = true;
            }
            continue;
        }
        parsed.fields.append({name.toByteArray(), line.sliced(colon + 1).trimmed().toByteArray()});
    }
    return parsed;
}

int countOf(const HeaderList &fields, QByteArrayView name)
{
    int n = 0;
    for (const auto &field : fields) {
        if (sameName(field.first, name))
            ++n;
    }
    return n;
}

// All values of a header joined by ", ", as RFC 9110 §5.3 allows and the reference client does.
std::optional<QByteArray> joinedValue(const HeaderList &fields, QByteArrayView name)
{
    std::optional<QByteArray> joined;
    for (const auto &field : fields) {
        if (!sameName(field.first, name))
            continue;
        if (joined)
            *joined += ", " + field.second;
        else
            joined = field.second;
    }
    return joined;
}

QList<QByteArray> commaSeparated(QByteArrayView value)
{
    QList<QByteArray> items;
    qsizetype pos = 0;
    while (pos <= value.size()) {
        qsizetype comma = value.indexOf(',', pos);
        if (comma < 0)
            comma = value.size();
        const QByteArrayView item = value.sliced(pos, comma - pos).trimmed();
        if (!item.isEmpty())
            items.append(item.toByteArray());
        pos = comma + 1;
    }
    return items;
}

// "permessage-deflate; client_max_window_bits" → "permessage-deflate", lower case as the
// reference client compares it.
QByteArray extensionName(QByteArrayView extension)
{
    const qsizetype semicolon = extension.indexOf(';');
    const QByteArrayView name = semicolon >= 0 ? extension.first(semicolon) : extension;
    return name.trimmed().toByteArray().toLower();
}

QList<QByteArray> splitAsciiWhitespace(QByteArrayView line)
{
    QList<QByteArray> tokens;
    qsizetype pos = 0;
    while (pos < line.size()) {
        while (pos < line.size() && isAsciiSpace(line.at(pos)))
            ++pos;
        const qsizetype start = pos;
        while (pos < line.size() && !isAsciiSpace(line.at(pos)))
            ++pos;
        if (pos > start)
            tokens.append(line.sliced(start, pos - start).toByteArray());
    }
    return tokens;
}

// The reference client prints the requested list with Python's str(list): ['a', 'b'].
QString pythonListRepr(const QList<QByteArray> &items)
{
    QString repr = u"["_s;
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i > 0)
            repr += u", "_s;
        const QString item = QString::fromLatin1(items.at(i));
        if (item.contains(u'\'') && !item.contains(u'"')) {
            repr += QChar(u'"') + item + QChar(u'"');
        } else {
            QString escaped = item;
            escaped.replace(u"\\"_s, u"\\\\"_s).replace(u"'"_s, u"\\'"_s);
            repr += u'\'' + escaped + u'\'';
        }
    }
    return repr + u']';
}

QString latin1(QByteArrayView octets)
{
    return QString::fromLatin1(octets);
}

struct Offer
{
    QList<QByteArray> subprotocols;
    QList<QByteArray> extensionNames;
};

// What the client asked for: the request as sent when we have it, the options otherwise.
Offer offerOf(const HandshakeRequest &request, const HandshakeOptions &options)
{
    Offer offer;
    QList<QByteArray> extensions;
    if (!request.bytes.isEmpty()) {
        const ParsedHead sent = parseHead(request.bytes);
        for (const auto &field : sent.fields) {
            if (sameName(field.first, "Sec-WebSocket-Protocol"))
                offer.subprotocols += commaSeparated(field.second);
            else if (sameName(field.first, "Sec-WebSocket-Extensions"))
                extensions += commaSeparated(field.second);
        }
    } else {
        for (const QString &p : options.subprotocols)
            offer.subprotocols += commaSeparated(p.toUtf8());
        for (const QString &e : options.extensions)
            extensions += commaSeparated(e.toUtf8());
    }
    for (const QByteArray &e : std::as_const(extensions)) {
        const QByteArray name = extensionName(e);
        if (!name.isEmpty())
            offer.extensionNames.append(name);
    }
    return offer;
}

QString checkStatusLine(HandshakeResponse &response)
{
    const QList<QByteArray> tokens = splitAsciiWhitespace(response.statusLine);
    if (tokens.size() < 2)
        return u"Bad HTTP response status line '"_s + latin1(response.statusLine) + u'\'';
    response.httpVersion = tokens.at(0);
    if (response.httpVersion != "HTTP/1.1")
        return u"Unsupported HTTP version ('"_s + latin1(response.httpVersion) + u"')"_s;
    bool isNumber = false;
    const int code = tokens.at(1).toInt(&isNumber);
    if (!isNumber)
        return u"Bad HTTP status code ('"_s + latin1(tokens.at(1)) + u"')"_s;
    response.statusCode = code;
    if (code != 101) {
        // The reference joins the reason's words without spaces: "404 - NotFound".
        QByteArray reason;
        for (qsizetype i = 2; i < tokens.size(); ++i)
            reason += tokens.at(i);
        const QString detail = tokens.size() > 2 ? u" - "_s + latin1(reason) : QString();
        return u"WebSocket connection upgrade failed ("_s + QString::number(code) + detail + u')';
    }
    return {};
}

// The request head the offer is read from: as sent, or built from the options' extensions.
QByteArray offerHead(const HandshakeRequest &request, const HandshakeOptions &options)
{
    if (!request.bytes.isEmpty())
        return request.bytes;
    QByteArray head = "GET / HTTP/1.1\r\n";
    if (!options.extensions.isEmpty())
        head += "Sec-WebSocket-Extensions: " + options.extensions.join(u", "_s).toUtf8() + "\r\n";
    return head + "\r\n";
}

QString checkHeaders(HandshakeResponse &response, const QByteArray &head,
                     const HandshakeRequest &request, const HandshakeOptions &options,
                     const Offer &offer)
{
    const HeaderList &fields = response.headers;

    const std::optional<QByteArray> upgrade = joinedValue(fields, "Upgrade");
    if (!upgrade)
        return u"HTTP Upgrade header missing"_s;
    if (upgrade->trimmed().toLower() != "websocket") {
        return u"HTTP Upgrade header different from 'websocket' (case-insensitive) : "_s +
               latin1(*upgrade);
    }

    const std::optional<QByteArray> connection = joinedValue(fields, "Connection");
    if (!connection)
        return u"HTTP Connection header missing"_s;
    bool connectionUpgrade = false;
    for (const QByteArray &token : commaSeparated(*connection))
        connectionUpgrade = connectionUpgrade || token.toLower() == "upgrade";
    if (!connectionUpgrade) {
        return u"HTTP Connection header does not include 'upgrade' value (case-insensitive) : "_s +
               latin1(*connection);
    }

    const int acceptCount = countOf(fields, "Sec-WebSocket-Accept");
    if (acceptCount == 0)
        return u"HTTP Sec-WebSocket-Accept header missing in opening handshake reply"_s;
    if (acceptCount > 1) {
        return u"HTTP Sec-WebSocket-Accept header appears more than once in opening handshake "
               u"reply"_s;
    }
    const QByteArray acceptGot = response.header("Sec-WebSocket-Accept").value_or(QByteArray());
    const QByteArray acceptExpected = computeAccept(request.key);
    if (acceptGot != acceptExpected) {
        return u"HTTP Sec-WebSocket-Accept bogus value : expected "_s + latin1(acceptExpected) +
               u" / got "_s + latin1(acceptGot);
    }

    if (countOf(fields, "Sec-WebSocket-Extensions") > 1) {
        return u"HTTP Sec-WebSocket-Extensions header appears more than once in opening "
               u"handshake reply"_s;
    }
    bool deflateChecked = false;
    for (const QString &extension : std::as_const(response.extensions)) {
        const QByteArray name = extensionName(extension.toLatin1());
        if (name == "permessage-deflate" && offer.extensionNames.contains(name)) {
            // Offered: the one rule set of RFC 7692 decides, at the first such element.
            if (!deflateChecked) {
                deflateChecked = true;
                const DeflateNegotiation n = negotiateDeflate(offerHead(request, options), head);
                if (!n.ok())
                    return n.failure;
                response.deflate = n.agreement;
            }
            continue;
        }
        if (!offer.extensionNames.contains(name)) {
            return u"server wants to use extension '"_s + latin1(name) +
                   u"' we did not request, haven't implemented or did not enable"_s;
        }
    }

    if (countOf(fields, "Sec-WebSocket-Protocol") > 1) {
        return u"HTTP Sec-WebSocket-Protocol header appears more than once in opening handshake "
               u"reply"_s;
    }
    const QByteArray selected = response.subprotocol.toLatin1();
    if (!selected.isEmpty() && !offer.subprotocols.contains(selected)) {
        return u"subprotocol selected by server ("_s + response.subprotocol +
               u") not in subprotocol list requested by client ("_s +
               pythonListRepr(offer.subprotocols) + u')';
    }
    return {};
}

} // namespace

HandshakeRequest buildHandshakeRequest(const QUrl &url, const HandshakeOptions &options,
                                       const QByteArray &randomKey16)
{
    HandshakeRequest request;
    if (!options.rawRequest.isEmpty()) {
        request.bytes = options.rawRequest;
        const ParsedHead typed = parseHead(options.rawRequest);
        for (const auto &field : typed.fields) {
            if (sameName(field.first, "Sec-WebSocket-Key")) {
                request.key = field.second;
                break;
            }
        }
        return request;
    }

    QByteArray resource = url.path(QUrl::FullyEncoded).toLatin1();
    if (resource.isEmpty())
        resource = QByteArrayLiteral("/");
    if (url.hasQuery())
        resource += '?' + url.query(QUrl::FullyEncoded).toLatin1();

    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']'; // RFC 3986 §3.2.2: an IPv6 literal goes in brackets
    const QString scheme = url.scheme();
    const int defaultPort = (scheme == u"wss"_s || scheme == u"https"_s) ? 443
                            : (scheme == u"ws"_s || scheme == u"http"_s) ? 80
                                                                         : -1;
    const int port = url.port();
    if (port != -1 && port != defaultPort)
        host += ':' + QByteArray::number(port);

    HeaderList fields;
    if (!options.userAgent.isEmpty())
        fields.append({QByteArrayLiteral("User-Agent"), options.userAgent});
    fields.append({QByteArrayLiteral("Host"), host});
    fields.append({QByteArrayLiteral("Upgrade"), QByteArrayLiteral("websocket")});
    fields.append({QByteArrayLiteral("Connection"), QByteArrayLiteral("Upgrade")});
    if (!options.origin.isEmpty())
        fields.append({QByteArrayLiteral("Origin"), options.origin.toUtf8()});
    const QByteArray key = options.key.isEmpty() ? randomKey16.toBase64() : options.key;
    fields.append({QByteArrayLiteral("Sec-WebSocket-Key"), key});
    fields.append({QByteArrayLiteral("Sec-WebSocket-Version"), options.version});
    if (!options.subprotocols.isEmpty()) {
        fields.append({QByteArrayLiteral("Sec-WebSocket-Protocol"),
                       options.subprotocols.join(u", "_s).toUtf8()});
    }
    if (!options.extensions.isEmpty()) {
        fields.append({QByteArrayLiteral("Sec-WebSocket-Extensions"),
                       options.extensions.join(u", "_s).toUtf8()});
    }

    // An extra header naming a standard one replaces it in place, once; see handshake.h.
    const qsizetype standardCount = fields.size();
    QList<bool> replaced(standardCount, false);
    for (const auto &extra : options.extraHeaders) {
        qsizetype target = -1;
        for (qsizetype i = 0; i < standardCount && target < 0; ++i) {
            if (!replaced.at(i) && sameName(fields.at(i).first, extra.first))
                target = i;
        }
        if (target >= 0) {
            fields[target] = extra;
            replaced[target] = true;
        } else {
            fields.append(extra);
        }
    }

    request.bytes = "GET " + resource + " HTTP/1.1\r\n";
    bool keyFound = false;
    for (const auto &field : std::as_const(fields)) {
        request.bytes += field.first + ": " + field.second + "\r\n";
        if (!keyFound && sameName(field.first, "Sec-WebSocket-Key")) {
            request.key = field.second.trimmed();
            keyFound = true;
        }
    }
    request.bytes += "\r\n";
    return request;
}

QByteArray computeAccept(const QByteArray &key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData(kAcceptGuid);
    return sha1.result().toBase64();
}

HandshakeResponseReader::Status HandshakeResponseReader::feed(const QByteArray &data)
{
    if (m_complete) {
        m_remainder += data;
        return Status::Complete;
    }
    if (m_tooLarge)
        return Status::TooLarge;

    // Keep at most one octet beyond the limit: that octet alone proves the head too large.
    const qsizetype limit = qMax<qsizetype>(m_max, 0);
    const qsizetype before = m_buffer.size();
    const qsizetype taken = qMin(data.size(), limit + 1 - before);
    m_buffer.append(QByteArrayView(data).first(taken));

    // Only the new octets and the three before them can complete a CRLF CRLF.
    const qsizetype end = m_buffer.indexOf(kEndOfHead, qMax<qsizetype>(before - 3, 0));
    if (end >= 0 && end + kEndOfHead.size() <= limit) {
        const qsizetype headSize = end + kEndOfHead.size();
        m_head = m_buffer.first(headSize);
        m_remainder = m_buffer.sliced(headSize);
        m_remainder.append(QByteArrayView(data).sliced(taken));
        m_buffer = QByteArray();
        m_complete = true;
        return Status::Complete;
    }
    if (m_buffer.size() > limit) {
        m_buffer = QByteArray();
        m_tooLarge = true;
        return Status::TooLarge;
    }
    return Status::NeedMore;
}

QByteArray HandshakeResponseReader::takeRemainder()
{
    return std::exchange(m_remainder, QByteArray());
}

std::optional<QByteArray> HandshakeResponse::header(QByteArrayView name) const
{
    for (const auto &field : headers) {
        if (sameName(field.first, name))
            return field.second;
    }
    return std::nullopt;
}

int HandshakeResponse::headerCount(QByteArrayView name) const
{
    return countOf(headers, name);
}

HandshakeResponse checkHandshakeResponse(const QByteArray &head, const HandshakeRequest &request,
                                         const HandshakeOptions &options)
{
    HandshakeResponse response;
    const ParsedHead parsed = parseHead(head);
    response.statusLine = parsed.firstLine;
    response.headers = parsed.fields;
    if (const auto extensions = joinedValue(parsed.fields, "Sec-WebSocket-Extensions")) {
        for (const QByteArray &extension : commaSeparated(*extensions))
            response.extensions.append(QString::fromLatin1(extension));
    }
    if (const auto protocol = joinedValue(parsed.fields, "Sec-WebSocket-Protocol"))
        response.subprotocol = QString::fromLatin1(protocol->trimmed());

    response.failure = checkStatusLine(response);
    if (response.failure.isEmpty() && parsed.hasMalformedLine)
        response.failure =
            u"Bad HTTP response header line '"_s + latin1(parsed.malformedLine) + u'\'';
    if (response.failure.isEmpty())
        response.failure =
            checkHeaders(response, head, request, options, offerOf(request, options));
    if (response.failure.isEmpty() && !parsed.terminated)
        response.failure = u"Incomplete HTTP response head (no empty line after the headers)"_s;
    if (!response.failure.isEmpty())
        response.deflate = DeflateAgreement();
    return response;
}

QList<HandshakeWarningInfo> handshakeWarnings(const QByteArray &requestHead,
                                              const QByteArray &responseHead)
{
    QList<HandshakeWarningInfo> warnings;
    const ParsedHead parsed = parseHead(responseHead);
    HandshakeResponse response;
    response.statusLine = parsed.firstLine;
    if (!checkStatusLine(response).isEmpty() || response.statusCode != 101)
        return warnings;
    HandshakeRequest request;
    request.bytes = requestHead;
    const Offer offer = offerOf(request, HandshakeOptions{});
    const auto names = [](const QList<QByteArray> &items) {
        QStringList out;
        for (const QByteArray &item : items) {
            const QString name = latin1(item);
            if (!out.contains(name))
                out.append(name);
        }
        return out;
    };

    const std::optional<QByteArray> selected = joinedValue(parsed.fields, "Sec-WebSocket-Protocol");
    if (!offer.subprotocols.isEmpty() && (!selected || selected->trimmed().isEmpty())) {
        HandshakeWarningInfo w;
        w.warning = HandshakeWarning::SubprotocolIgnored;
        w.requested = names(offer.subprotocols);
        w.text = u"the server selected none of the requested subprotocols ("_s +
                 w.requested.join(u", "_s) + u"): the response has no Sec-WebSocket-Protocol"_s;
        warnings.append(w);
    }

    if (!offer.extensionNames.isEmpty()) {
        QList<QByteArray> accepted;
        if (const auto value = joinedValue(parsed.fields, "Sec-WebSocket-Extensions")) {
            for (const QByteArray &extension : commaSeparated(*value))
                accepted.append(extensionName(extension));
        }
        HandshakeWarningInfo w;
        w.requested = names(offer.extensionNames);
        for (const QString &name : std::as_const(w.requested)) {
            if (!accepted.contains(name.toLatin1()))
                w.ignored.append(name);
        }
        if (accepted.isEmpty()) {
            w.warning = HandshakeWarning::ExtensionsIgnored;
            w.text = u"the server accepted none of the requested extensions ("_s +
                     w.requested.join(u", "_s) +
                     u"): the response has no Sec-WebSocket-Extensions"_s;
            warnings.append(w);
        } else if (!w.ignored.isEmpty()) {
            w.warning = HandshakeWarning::SomeExtensionsIgnored;
            w.text = u"the server accepted only some of the requested extensions: "_s +
                     w.ignored.join(u", "_s) + u" ignored"_s;
            warnings.append(w);
        }
    }
    return warnings;
}

std::optional<QByteArray> headHeaderValue(QByteArrayView head, QByteArrayView name)
{
    return joinedValue(parseHead(head).fields, name);
}

} // namespace wsi
