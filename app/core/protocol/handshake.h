// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/permessagedeflate.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace wsi {

// Everything the user may set for the opening handshake (RFC 6455 §4.1). Every field can be
// overridden, including to invalid values, or replaced by a raw request typed whole.
struct HandshakeOptions
{
    QList<QPair<QByteArray, QByteArray>> extraHeaders; // sent after the standard ones, in order
    QStringList subprotocols;                          // Sec-WebSocket-Protocol, comma-joined
    QStringList extensions;                            // Sec-WebSocket-Extensions, comma-joined
    QString origin;                                    // empty: no Origin header
    QByteArray version = "13";                         // Sec-WebSocket-Version
    QByteArray key;                                    // empty: 16 random octets, base64
    QByteArray userAgent = "WebSocketInspector/0.1";   // empty: no User-Agent header
    QByteArray rawRequest; // non-empty: sent exactly as is instead of the built request
};

// The request as sent, with the key the response must answer.
struct HandshakeRequest
{
    QByteArray bytes; // complete request including the final CRLF CRLF (a raw request: as typed)
    QByteArray key;   // Sec-WebSocket-Key value sent (or found in a raw request), trimmed
};

// Builds the GET request for a ws:// or wss:// URL. Host carries the port only when it is not the
// scheme's default; the resource is path + query ("/" when empty). `randomKey` is used when
// options.key is empty.
// Header order: User-Agent, Host, Upgrade, Connection, Origin, Sec-WebSocket-Key, -Version,
// -Protocol, -Extensions, then extraHeaders. An extra header whose name equals (case-insensitively)
// a standard header being sent replaces it in place, name and value as given; a later extra of the
// same name, or one naming a standard header that is not sent (empty Origin …), is appended, so
// duplicates can still be sent on purpose.
// A raw request is sent as is (no CRLF is added); its key is the first Sec-WebSocket-Key header
// in it, or empty (the response is then checked against computeAccept("")).
[[nodiscard]] HandshakeRequest buildHandshakeRequest(const QUrl &url,
                                                     const HandshakeOptions &options,
                                                     const QByteArray &randomKey16);

// Sec-WebSocket-Accept for a key: base64(SHA-1(key + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11)).
[[nodiscard]] QByteArray computeAccept(const QByteArray &key);

// Incremental response reader: feed octets until the head (up to CRLF CRLF) is complete.
// Octets after the head belong to the WebSocket stream and are returned by takeRemainder().
// The head, CRLF CRLF included, may be at most maxHeadSize octets; TooLarge is final. After
// Complete, further octets fed are added to the remainder. Memory stays within maxHeadSize + 1.
class HandshakeResponseReader
{
public:
    enum class Status : quint8 { NeedMore, Complete, TooLarge };
    explicit HandshakeResponseReader(qsizetype maxHeadSize = 64 * 1024) : m_max(maxHeadSize) {}
    Status feed(const QByteArray &data);
    [[nodiscard]] QByteArray head() const { return m_head; } // including CRLF CRLF
    [[nodiscard]] QByteArray takeRemainder();                // octets after the head

private:
    qsizetype m_max;
    QByteArray m_buffer;
    QByteArray m_head;
    QByteArray m_remainder;
    bool m_complete = false;
    bool m_tooLarge = false;
};

// Every value of the header `name` (case-insensitive) in an HTTP head, joined by ", " as RFC
// 9110 §5.3 allows; nullopt when the head has no such header. The one reader of a head's
// fields: the handshake check, the permessage-deflate negotiation and the views use it.
[[nodiscard]] std::optional<QByteArray> headHeaderValue(QByteArrayView head, QByteArrayView name);

// The checked response. `failure` is empty when the handshake succeeded, otherwise one of the
// failure texts of docs/closing.md §3 item 5 (report strings, untranslated), e.g.
// "HTTP Sec-WebSocket-Accept bogus value : expected … / got …".
struct HandshakeResponse
{
    QByteArray statusLine;
    int statusCode = 0;
    QByteArray httpVersion;
    QList<QPair<QByteArray, QByteArray>> headers; // in order, names as sent
    QString failure;
    QString subprotocol;    // selected by the server, if any
    QStringList extensions; // accepted by the server, if any
    // permessage-deflate as agreed (negotiateDeflate()); agreed is false when it was not
    // offered, declined, or the check failed.
    DeflateAgreement deflate;

    [[nodiscard]] bool ok() const { return failure.isEmpty(); }
    // First value of a header, case-insensitive name; nullopt when absent.
    [[nodiscard]] std::optional<QByteArray> header(QByteArrayView name) const;
    [[nodiscard]] int headerCount(QByteArrayView name) const;
};

// Parses and checks a response head against the request (RFC 6455 §4.1, client steps 1–6), in the
// reference client's order: status line, HTTP version, status 101, Upgrade, Connection,
// Sec-WebSocket-Accept (missing / more than once / bogus value), Sec-WebSocket-Extensions (more
// than once, not requested; permessage-deflate, when offered, by negotiateDeflate()'s rules and
// texts, docs/deflate.md §2.4), Sec-WebSocket-Protocol (more than once, not in the requested
// list).
// Like the reference client, repeated Upgrade or Connection headers count as one comma-joined
// value. Not in the reference (it skips such lines): a header line without ':' fails with
// "Bad HTTP response header line '…'", checked right after the status code; a head without
// CRLF CRLF fails last with "Incomplete HTTP response head (no empty line after the headers)".
// What counts as requested is what request.bytes carried (Sec-WebSocket-Protocol and
// -Extensions headers, so raw requests and replacing extra headers are honoured); options'
// lists are used only when request.bytes is empty. The accept is checked against
// computeAccept(request.key), also when the key is empty. subprotocol and extensions are filled
// from the response even when the check fails.
// The texts keep the reference's quirks: the reason phrase's words are joined without spaces
// ("(404 - NotFound)", no " - …" without a reason) and the requested subprotocols print as
// Python's str(list) ("(['chat', 'superchat'])"). A status code that does not fit an int counts
// as not a number.
[[nodiscard]] HandshakeResponse checkHandshakeResponse(const QByteArray &head,
                                                       const HandshakeRequest &request,
                                                       const HandshakeOptions &options);

// What a successful (101) handshake did not give us, though it is no failure (RFC 6455 §4.1 lets
// a server pick no subprotocol and accept none or only some of the extensions offered).
enum class HandshakeWarning : quint8 {
    SubprotocolIgnored,    // subprotocols requested, the response selects none
    ExtensionsIgnored,     // extensions offered, the response has no Sec-WebSocket-Extensions
    SomeExtensionsIgnored, // extensions offered, the response accepts only some of them
};

struct HandshakeWarningInfo
{
    HandshakeWarning warning = HandshakeWarning::SubprotocolIgnored;
    QStringList requested; // subprotocols asked for, or extension names offered (lower case)
    QStringList ignored;   // of those, what the server left out (extension names)
    QString text;          // in words, for reports (untranslated): "the server ignored …"

    friend bool operator==(const HandshakeWarningInfo &, const HandshakeWarningInfo &) = default;
};

// The warnings of a handshake: what was requested is read from the request as sent
// (Sec-WebSocket-Protocol and -Extensions headers), what was granted from the response head.
// Empty when the response is not 101 (a failure, not a warning) or when nothing was ignored.
[[nodiscard]] QList<HandshakeWarningInfo> handshakeWarnings(const QByteArray &requestHead,
                                                            const QByteArray &responseHead);

} // namespace wsi
