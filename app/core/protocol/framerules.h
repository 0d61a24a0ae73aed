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
};
Q_DECLARE_FLAGS(Violations, Violation)
Q_DECLARE_OPERATORS_FOR_FLAGS(Violations)

// Short English name ("RSV without extension") and the RFC rule it breaks ("RFC 6455 §5.2: …").
[[nodiscard]] QString violationName(Violation v);
[[nodiscard]] QString violationRule(Violation v);
// The close code an endpoint fails the connection with for this violation: 1007 for UTF-8,
// 1009 for the size limit, 1002 otherwise (what the reference client sends, and what a correct
// server answers our broken frame with).
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
};

// The header's own rules: RSV, reserved opcode, control frame length and FIN, masking for the
// direction, minimal length encoding, the 64-bit top bit, the size limit, a 1-octet close body.
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
    Role next(quint8 opcode, bool fin, Violations &violations);
    [[nodiscard]] bool inMessage() const { return m_inMessage; }
    [[nodiscard]] bool messageIsText() const { return m_text; }

private:
    bool m_inMessage = false;
    bool m_text = false;
};

// Judges frames we send, by the same rules, from what the sender describes and the payload octets
// it puts on the wire (unmasked). It follows the message sequence and a text message's UTF-8
// across its fragments, so it judges a stream of frames in order.
class FrameJudge
{
public:
    struct Result
    {
        Violations violations;
        qint64 utf8ErrorOffset = -1; // in this frame's payload, when a UTF-8 rule broke
    };

    FrameJudge() = default;
    explicit FrameJudge(quint8 allowedRsv) : m_allowedRsv(allowedRsv) {}

    // The next frame we send, as described (its on-wire payload is spec.wirePayload(); it is
    // built only when a text or close rule needs the octets).
    Result judge(const FrameSpec &spec);

    // One frame on its own, as the composer previews it: the message it belongs to is unknown,
    // so a continuation is not judged against the sequence and a text frame starts a message.
    [[nodiscard]] static Result judgeAlone(const FrameSpec &spec, quint8 allowedRsv = 0);

    [[nodiscard]] const MessageSequence &sequence() const { return m_sequence; }

private:
    Result judgeFrame(const FrameSpec &spec, bool alone);

    quint8 m_allowedRsv = 0;
    MessageSequence m_sequence;
    Utf8Validator m_messageUtf8; // the open text message
    bool m_messageUtf8Failed = false;
};

} // namespace wsi
