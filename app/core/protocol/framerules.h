// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/frame.h"
#include "protocol/utf8validator.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace wsi {

// The one set of RFC 6455 frame rules. The frame parser applies it to what the server sends;
// FrameJudge applies it to what we send (the composer's preview, the session's TX frames), so the
// frame table, "Violations only", the detail pane, the closing verdict and the reports all see
// the same named violations in both directions.

// One rule a frame broke. Violating frames are still sent, decoded and shown.
enum class Violation : quint32 {
    None = 0,
    RsvWithoutExtension = 1u << 0,        // §5.2: RSV1–3 must be 0 unless an extension says so
    ReservedOpcode = 1u << 1,             // §5.2: opcodes 3–7, 11–15
    ControlFrameTooLong = 1u << 2,        // §5.5: control payload ≤ 125
    ControlFrameFragmented = 1u << 3,     // §5.5: control frames must have FIN
    ContinuationWithoutMessage = 1u << 4, // §5.4
    DataFrameInsideMessage = 1u << 5,     // §5.4: new text/binary before the message ended
    MaskedServerFrame = 1u << 6,          // §5.1: a server must not mask
    UnmaskedClientFrame = 1u << 7,        // §5.1: a client must mask
    NonMinimalLength = 1u << 8,           // §5.2: "the minimal number of bytes MUST be used"
    Length64TopBit = 1u << 9,             // §5.2: the most significant bit MUST be 0
    ClosePayloadOneOctet = 1u << 10,      // §5.5.1: a close body starts with a 2-octet code
    InvalidCloseCode = 1u << 11,          // §7.4: code not allowed on the wire
    InvalidUtf8Text = 1u << 12,           // §8.1: text messages are UTF-8
    InvalidUtf8CloseReason = 1u << 13,    // §5.5.1: the close reason is UTF-8
    FrameTooLarge = 1u << 14,             // local size limit (not an RFC rule; received frames)
    MaskBitWithoutKey = 1u << 15,         // §5.3: a set mask bit is followed by the key (TX only)
    DeclaredLengthMismatch = 1u << 16,    // §5.2: the length field says how much follows (TX only)
    // permessage-deflate (RFC 7692), only while it is agreed:
    CompressedControlFrame = 1u << 17, // §6.1: RSV1 on a control frame
    CompressedContinuation = 1u << 18, // §6.1: RSV1 only on the first frame of a message
    InflateError = 1u << 19,           // §6.2: the compressed payload does not inflate (1007)
    InflatedTooLarge = 1u << 20,       // local limit on the inflated message: a deflate bomb (1009)
};
Q_DECLARE_FLAGS(Violations, Violation)
Q_DECLARE_OPERATORS_FOR_FLAGS(Violations)

// Short English name ("RSV without extension") and the RFC rule it breaks ("RFC 6455 §5.2: …").
[[nodiscard]] QString violationName(Violation v);
[[nodiscard]] QString violationRule(Violation v);
// The close code an endpoint fails the connection with for this violation: 1007 for UTF-8 and
// a payload that does not inflate, 1009 for the size limits, 1002 otherwise (what the reference
// client sends, and what a correct server answers our broken frame with).
[[nodiscard]] int violationCloseCode(Violation v);
// Every set flag, in bit order.
[[nodiscard]] QList<Violation> violationList(Violations v);

// What a frame's header says, as it is on the wire.
struct FrameHeaderFacts
{
    bool fin = true;
    quint8 rsv = 0;
    quint8 opcode = 0;
    bool masked = false;
    quint8 extendedLengthSize = 0; // 0, 2 or 8
    quint64 payloadLength = 0;     // the length field's value
};

struct FrameRuleOptions
{
    bool sentByClient = false; // the frame goes client → server (it must be masked)
    quint8 allowedRsv = 0;     // RSV bits an extension allows (RSV1 = 4)
    // Received frames: larger payloads are FrameTooLarge. Negative: no limit (sent frames).
    qint64 maxFramePayload = -1;
    // permessage-deflate agreed (RFC 7692 §6.1): RSV1 is allowed on the first frame of a text or
    // binary message (it says the message is compressed); on a control frame it is
    // CompressedControlFrame, on a continuation CompressedContinuation. Without it, RSV1 is
    // RsvWithoutExtension unless allowedRsv has it.
    bool deflate = false;
};

// The header's own rules: RSV, reserved opcode, control frame length and FIN, masking for the
// direction, minimal length encoding, the 64-bit top bit, the size limit, a 1-octet close body,
// RSV1 on a control frame or a continuation under permessage-deflate.
[[nodiscard]] Violations headerViolations(const FrameHeaderFacts &h, const FrameRuleOptions &o);

// A close frame's status code (RFC 6455 §7.4): InvalidCloseCode when it may not be sent.
[[nodiscard]] Violations closeCodeViolations(int code);

// The message sequence of one direction (RFC 6455 §5.4).
class MessageSequence
{
public:
    enum class Role : quint8 {
        Control,          // a control frame or a reserved opcode: the sequence is untouched
        LoneContinuation, // a continuation outside a message (ContinuationWithoutMessage)
        Continuation,     // a continuation of the open message
        MessageStart,     // a text or binary frame: a new message starts (and may end)
    };
    // Applies the next frame's header; `violations` gets the sequence rules it broke.
    // `compressed`: the frame has RSV1 under an agreed permessage-deflate; it matters on a
    // message's first frame only (RFC 7692 §6.1: the first frame says it for the message).
    Role next(quint8 opcode, bool fin, Violations &violations, bool compressed = false);
    [[nodiscard]] bool inMessage() const { return m_inMessage; }
    // The open message, or the last one once it ended (as messageIsText()).
    [[nodiscard]] bool messageIsText() const { return m_text; }
    [[nodiscard]] bool messageCompressed() const { return m_compressed; }

private:
    bool m_inMessage = false;
    bool m_text = false;
    bool m_compressed = false;
};

// Judges frames we send, by the same rules, from what the sender describes and the payload octets
// it puts on the wire (unmasked). It follows the message sequence and a text message's UTF-8
// across its fragments, so it judges a stream of frames in order. Under permessage-deflate
// (deflate set) a compressed message's payload is compressed octets: its UTF-8 is not judged
// here (whoever compressed it knows the text).
class FrameJudge
{
public:
    struct Result
    {
        Violations violations;
        qint64 utf8ErrorOffset = -1; // in this frame's payload, when a UTF-8 rule broke
    };

    FrameJudge() = default;
    explicit FrameJudge(quint8 allowedRsv, bool deflate = false)
        : m_allowedRsv(allowedRsv), m_deflate(deflate)
    {
    }
    // permessage-deflate agreed for what we send (FrameRuleOptions::deflate).
    void setDeflate(bool deflate) { m_deflate = deflate; }
    [[nodiscard]] bool deflate() const { return m_deflate; }

    // The next frame we send, as described (its on-wire payload is spec.wirePayload(); it is
    // built only when a text or close rule needs the octets).
    Result judge(const FrameSpec &spec);

    // One frame on its own, as the composer previews it: the message it belongs to is unknown,
    // so a continuation is not judged against the sequence and a text frame starts a message.
    [[nodiscard]] static Result judgeAlone(const FrameSpec &spec, quint8 allowedRsv = 0,
                                           bool deflate = false);

    [[nodiscard]] const MessageSequence &sequence() const { return m_sequence; }

private:
    Result judgeFrame(const FrameSpec &spec, bool alone);

    quint8 m_allowedRsv = 0;
    bool m_deflate = false;
    MessageSequence m_sequence;
    Utf8Validator m_messageUtf8; // the open text message
    bool m_messageUtf8Failed = false;
};

} // namespace wsi
