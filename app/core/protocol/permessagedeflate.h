// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

#include <memory>
#include <optional>

namespace wsi {

// permessage-deflate (RFC 7692): the negotiation rules, the bounded inflater of one direction,
// the deflater for what we send, and the deliberately broken ways of sending compressed data.
// The one implementation: the session, the trace's message view, the reports and the window
// all ask these functions, so a response is judged, and a message inflated, the same way
// everywhere. docs/deflate.md §2.1 lists the failure texts, §5.2 the send modes.

// One permessage-deflate offer or response element (RFC 7692 §7.1).
struct DeflateParams
{
    bool serverNoContextTakeover = false;        // §7.1.1.1
    bool clientNoContextTakeover = false;        // §7.1.1.2
    std::optional<int> serverMaxWindowBits;      // §7.1.2.1, 8..15 when present
    bool clientMaxWindowBits = false;            // §7.1.2.2: the parameter is present
    std::optional<int> clientMaxWindowBitsValue; // its value, when given

    // "permessage-deflate; client_no_context_takeover; client_max_window_bits=10": the
    // parameters in the RFC's order (§7.1.1.1, §7.1.1.2, §7.1.2.1, §7.1.2.2).
    [[nodiscard]] QString toHeaderValue() const;

    friend bool operator==(const DeflateParams &, const DeflateParams &) = default;
};

// The CLI's --deflate=PARAMS and the composer's offer field: parameter names separated by ';'
// or ',', values after '=' ("client_max_window_bits;server_max_window_bits=10"), optionally
// led by the extension name. Empty text is the plain offer. nullopt, with *error set, on an
// unknown name, a repeated one, a value where none belongs or a value outside 8..15.
[[nodiscard]] std::optional<DeflateParams> parseDeflateParams(const QString &text, QString *error);

// One element of a Sec-WebSocket-Extensions value: the extension name and its parameters in
// order, each with its value when it has one (a quoted-string value is given unquoted).
struct ExtensionElement
{
    QString name;
    QList<QPair<QString, std::optional<QString>>> params;
    QString text; // the element as written, without the spaces around it

    friend bool operator==(const ExtensionElement &, const ExtensionElement &) = default;
};

// Parses a Sec-WebSocket-Extensions value (RFC 6455 §9.1 with RFC 7230 §3.2.6 tokens and
// quoted-strings; several header lines are passed joined by ','). Empty list elements are
// skipped (RFC 7230 §7). A quoted value must be a token once unquoted (RFC 6455 §9.1). On a
// syntax error the elements before it are returned and *error names the octet.
[[nodiscard]] QList<ExtensionElement> parseExtensionList(QByteArrayView value, QString *error);

// What the server's permessage-deflate response agreed to.
struct DeflateAgreement
{
    bool agreed = false;
    int serverWindowBits = 15; // LZ77 window the server compresses with (its messages to us)
    int clientWindowBits = 15; // LZ77 window we compress with
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    QString accepted;    // the response element as the server wrote it
    int offerIndex = -1; // which permessage-deflate offer (0-based, in request order) it answers

    // "server: 15-bit window, context takeover; client: 10-bit window, no context takeover";
    // "not agreed" when there is no agreement.
    [[nodiscard]] QString describe() const;

    friend bool operator==(const DeflateAgreement &, const DeflateAgreement &) = default;
};

struct DeflateNegotiation
{
    bool offered = false; // the request carried a permessage-deflate element
    DeflateAgreement agreement;
    QString failure; // empty: fine (also when not offered, or offered and declined)

    [[nodiscard]] bool ok() const { return failure.isEmpty(); }
};

// THE one rule set for permessage-deflate in a handshake, from the request head as sent and the
// response head as received (HTTP heads including CRLF CRLF; only their
// Sec-WebSocket-Extensions lines are read, several lines joined by ','). Declining (no
// permessage-deflate element in the response) is no failure. The failures, first found wins:
// - a response element when none was offered: "server wants to use extension
//   'permessage-deflate' we did not request, haven't implemented or did not enable";
// - the response value does not parse (parseExtensionList's text);
// - more than one permessage-deflate element: "multiple occurrence of a permessage-compress
//   extension";
// - the element itself (RFC 7692 §7.1): an unknown parameter, a repeated one, a value on
//   *_no_context_takeover, a window-bits parameter without a decimal value in 8..15 (leading
//   zeroes, signs or a quoted non-number included): "permessage-deflate response: …";
// - no offer fits it (RFC 7692 §5, §7.1.1.1, §7.1.2.1, §7.1.2.2): the offer had
//   server_no_context_takeover and the response lacks it; the offer had
//   server_max_window_bits=N and the response lacks it or says more than N;
//   client_max_window_bits answered though the offer lacked it, or with more than the offer's
//   value: "WebSocket permessage-compress extension response from server denied by client
//   (…)" with each offer's reason.
// The agreement answers the first offer (in request order) the response fits.
[[nodiscard]] DeflateNegotiation negotiateDeflate(QByteArrayView requestHead,
                                                  QByteArrayView responseHead);

// The window bits zlib works with for an agreed value: zlib's raw deflate has no 8-bit window
// (deflateInit2 refuses -8), so 8 becomes 9, as Autobahn's 13.x cases and zlib's own
// deflateInit2 for the zlib format do. Inflating with the larger window is harmless.
[[nodiscard]] int zlibWindowBits(int agreedBits);

// Raw inflate of one direction's messages (RFC 7692 §7.2.2), bounded: a message never inflates
// to more than maxMessageSize octets, however small its compressed form (a deflate bomb costs
// at most maxMessageSize plus one output block). Any split of the compressed octets gives the
// same result. A DEFLATE block with BFINAL set (§7.2.3.5) ends zlib's stream, not the message:
// what follows it in the message is inflated as a new stream over the same window.
class Inflater
{
public:
    enum class Status : quint8 {
        Ok,
        Error,    // the octets do not inflate (RFC 7692 §6.2: fail with 1007)
        TooLarge, // the message inflates to more than maxMessageSize (1009)
    };

    // windowBits: the agreed window of the sending side (8 is inflated with 9, see
    // zlibWindowBits()); maxMessageSize < 0: no limit.
    Inflater(int windowBits, bool noContextTakeover, qint64 maxMessageSize);
    ~Inflater();
    Inflater(const Inflater &) = delete;
    Inflater &operator=(const Inflater &) = delete;

    // One frame's payload of the current compressed message: appends the inflated octets to
    // `out`. After Error or TooLarge nothing more is inflated (the same status is returned)
    // until the next message, and with context takeover until reset(): the window is lost.
    Status feed(QByteArrayView compressedFramePayload, QByteArray &out);
    // The message's last frame was fed: inflates the 00 00 ff ff tail the sender removed
    // (§7.2.2), then forgets the window under no_context_takeover. Returns the message's status.
    Status finishMessage(QByteArray &out);

    // Where zlib failed (Error), as an offset in the message's compressed octets (the tail
    // appended by finishMessage() counts from messageInput() on); -1 otherwise (also TooLarge).
    [[nodiscard]] qint64 errorOffset() const { return m_errorOffset; }
    // "invalid block type at compressed octet 3", "the message inflates to more than 1048576
    // octets (local limit)"; empty without an error.
    [[nodiscard]] QString errorText() const { return m_errorText; }
    [[nodiscard]] Status status() const { return m_status; }

    // Forgets the window and any error (a new connection).
    void reset();

    // Compressed and inflated octets of the current message (of the last one after
    // finishMessage(), until the next feed()); the appended tail is not counted.
    [[nodiscard]] qint64 messageInput() const { return m_messageInput; }
    [[nodiscard]] qint64 messageOutput() const { return m_messageOutput; }
    [[nodiscard]] qint64 maxMessageSize() const { return m_max; }
    [[nodiscard]] int windowBits() const { return m_windowBits; }

private:
    struct Stream;
    void startMessage();
    Status inflateInput(QByteArrayView input, QByteArray &out, bool tail);
    void fail(Status status, qint64 offset, const QString &text);

    std::unique_ptr<Stream> m_stream;
    int m_windowBits = 15;
    bool m_noContextTakeover = false;
    qint64 m_max = 0;
    bool m_messageOpen = false;
    Status m_status = Status::Ok;
    qint64 m_errorOffset = -1;
    QString m_errorText;
    qint64 m_messageInput = 0;
    qint64 m_messageOutput = 0;
};

// Raw deflate of the messages we send (RFC 7692 §7.2.1).
class Deflater
{
public:
    Deflater(int windowBits, bool noContextTakeover);
    ~Deflater();
    Deflater(const Deflater &) = delete;
    Deflater &operator=(const Deflater &) = delete;

    // A whole message: compressed, flushed with Z_SYNC_FLUSH, the 00 00 ff ff tail removed. An
    // empty payload gives 0x00 (one empty stored block, as browsers send it). The window is kept
    // for the next message unless noContextTakeover.
    [[nodiscard]] QByteArray compressMessage(QByteArrayView payload);
    // Forgets the window (a new connection).
    void reset();

    [[nodiscard]] int windowBits() const { return m_windowBits; }
    [[nodiscard]] bool noContextTakeover() const { return m_noContextTakeover; }

private:
    struct Stream;
    std::unique_ptr<Stream> m_stream;
    int m_windowBits = 15;
    bool m_noContextTakeover = false;
};

// How a message is sent under permessage-deflate: correctly, or deliberately broken.
enum class DeflateSend : quint8 {
    Agreed,            // compressed with the agreed parameters, RSV1 set
    Uncompressed,      // plain, RSV1 clear: valid (RFC 7692 §6: compression is per message)
    Rsv1Uncompressed,  // RSV1 set on a plain payload
    WrongWindow,       // compressed with a 15-bit window where the agreement says less
    ForeignContext,    // back-references into a window the server does not have
    KeepTail,          // the 00 00 ff ff tail left in
    GarbageAfterFinal, // a BFINAL block, then octets that are no DEFLATE data
};

// The payload to put on the wire for `mode` (Uncompressed and Rsv1Uncompressed: `payload` as
// is). `deflater` is the connection's deflater for the agreement. WrongWindow, ForeignContext
// and GarbageAfterFinal compress with a throwaway stream and still pass the payload through
// `deflater` (output dropped), so that under context takeover its window stays the server's and
// the next Agreed message decodes; KeepTail uses `deflater` itself.
// WrongWindow equals Agreed when the agreement already is 15 bits, and breaks a server only
// when the payload has matches further back than the agreed window. ForeignContext compresses
// the payload against a dictionary of its own first octets, so its start is matches that point
// before the message: under no_context_takeover the server finds no such octets (an inflate
// error); with context takeover they point into its window and inflate to other text. A
// payload under 3 octets (no match is that short) cannot be broken that way.
[[nodiscard]] QByteArray deflateForSend(Deflater &deflater, DeflateSend mode,
                                        QByteArrayView payload, const DeflateAgreement &agreement);
// True for every mode but Uncompressed.
[[nodiscard]] bool deflateSendSetsRsv1(DeflateSend mode);
// "Agreed", "Uncompressed", … (English, for the composer, reports and the CLI).
[[nodiscard]] QString deflateSendName(DeflateSend mode);
// The RFC 7692 rule a mode breaks, one line; for Agreed and Uncompressed what makes them valid.
[[nodiscard]] QString deflateSendBreaks(DeflateSend mode);
// Every mode, in declaration order.
[[nodiscard]] QList<DeflateSend> deflateSendModes();

} // namespace wsi
