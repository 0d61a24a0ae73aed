// SPDX-License-Identifier: MIT
#pragma once

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
    QByteArray bytes; // complete request including the final CRLF CRLF
    QByteArray key;   // Sec-WebSocket-Key value sent (or found in a raw request)
};

// Builds the GET request for a ws:// or wss:// URL. Host carries the port only when it is not the
// scheme's default; the resource is path + query ("/" when empty). `randomKey` is used when
// options.key is empty.
[[nodiscard]] HandshakeRequest buildHandshakeRequest(const QUrl &url, const HandshakeOptions &options,
                                                     const QByteArray &randomKey16);

// Sec-WebSocket-Accept for a key: base64(SHA-1(key + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11)).
[[nodiscard]] QByteArray computeAccept(const QByteArray &key);

// Incremental response reader: feed octets until the head (up to CRLF CRLF) is complete.
// Octets after the head belong to the WebSocket stream and are returned by takeRemainder().
class HandshakeResponseReader
{
public:
    enum class Status : quint8 { NeedMore, Complete, TooLarge };
    explicit HandshakeResponseReader(qsizetype maxHeadSize = 64 * 1024) : m_max(maxHeadSize) {}
    Status feed(const QByteArray &data);
    [[nodiscard]] QByteArray head() const { return m_head; }       // including CRLF CRLF
    [[nodiscard]] QByteArray takeRemainder();                     // octets after the head

private:
    qsizetype m_max;
    QByteArray m_buffer;
    QByteArray m_head;
    QByteArray m_remainder;
    bool m_complete = false;
};

// The checked response. `failure` is empty when the handshake succeeded, otherwise one of the
// failure texts of autobahn-semantics.md §2.3 item 6 (report strings, untranslated), e.g.
// "HTTP Sec-WebSocket-Accept bogus value : expected … / got …".
struct HandshakeResponse
{
    QByteArray statusLine;
    int statusCode = 0;
    QByteArray httpVersion;
    QList<QPair<QByteArray, QByteArray>> headers; // in order, names as sent
    QString failure;
    QString subprotocol; // selected by the server, if any
    QStringList extensions; // accepted by the server, if any

    [[nodiscard]] bool ok() const { return failure.isEmpty(); }
    // First value of a header, case-insensitive name; nullopt when absent.
    [[nodiscard]] std::optional<QByteArray> header(QByteArrayView name) const;
    [[nodiscard]] int headerCount(QByteArrayView name) const;
};

// Parses and checks a response head against the request (RFC 6455 §4.1, client steps 1–6), in the
// reference client's order: status line, HTTP version, status 101, Upgrade, Connection,
// Sec-WebSocket-Accept (missing / more than once / bogus value), Sec-WebSocket-Extensions (more than
// once, not requested), Sec-WebSocket-Protocol (more than once, not in the requested list).
[[nodiscard]] HandshakeResponse checkHandshakeResponse(const QByteArray &head,
                                                       const HandshakeRequest &request,
                                                       const HandshakeOptions &options);

} // namespace wsi
