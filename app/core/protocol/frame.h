// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <cstdint>
#include <optional>

namespace wsi {

// RFC 6455 §5.2 opcodes. Values 3–7 and 11–15 are reserved but may be sent on purpose.
enum class Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

[[nodiscard]] constexpr bool isControlOpcode(int opcode)
{
    return (opcode & 0x8) != 0;
}
[[nodiscard]] constexpr bool isReservedOpcode(int opcode)
{
    return (opcode >= 3 && opcode <= 7) || opcode >= 11;
}
// "Continuation", "Text", "Binary", "Close", "Ping", "Pong", "Reserved 3" … (untranslated: the
// protocol's own words; GUIs translate "Reserved").
[[nodiscard]] QString opcodeName(int opcode);

// How the payload length is written into the header (RFC 6455 §5.2).
enum class LengthEncoding : quint8 {
    Auto,   // minimal: 7 bit up to 125, 16 bit up to 65535, else 64 bit
    Bits7,  // forced 7-bit field (only possible when the length is ≤ 125)
    Bits16, // forced 126 + 16-bit length (non-minimal on purpose when ≤ 125)
    Bits64, // forced 127 + 64-bit length (non-minimal on purpose when ≤ 65535)
};

enum class MaskMode : quint8 {
    Random,  // mask bit set, the sender picks a random key (FrameSpec::maskKey is filled in)
    Fixed,   // mask bit set, FrameSpec::maskKey is the key
    None,    // mask bit clear, no key, payload as is
    BitOnly, // mask bit set but no key written and the payload sent unmasked (a broken frame)
};

// `pattern` repeated and cut to `length` octets ("ab", 5 gives "ababa"); empty when the pattern
// is empty or the length is not positive. The one pattern repeat of the program: sent payloads,
// their previews and their validation all read a repeated payload through it.
[[nodiscard]] QByteArray repeatPattern(QByteArrayView pattern, qint64 length);

// Everything a user can choose about one frame, valid or not. Field names follow the wire log
// (docs/sending.md §1.1). Words: `payload` is the payload as given (the base pattern when
// repeatLength is set), the "wire payload" is what goes on the wire (the pattern repeated to
// repeatLength); every reader of the sent octets asks for the wire payload.
struct FrameSpec
{
    int opcode = 1; // 0–15
    bool fin = true;
    int rsv = 0; // 0–7, bit 2 = RSV1
    MaskMode maskMode = MaskMode::Random;
    quint32 maskKey = 0;                // big-endian order on the wire: key byte 0 = bits 31..24
    QByteArray payload;                 // base payload (pattern when repeatLength is set)
    std::optional<qint64> repeatLength; // on-wire payload = pattern repeated/cut to this length
    LengthEncoding lengthEncoding = LengthEncoding::Auto;
    std::optional<quint64> declaredLength; // header says this, whatever payload is sent
    int chopSize = 0;  // > 0: each chop a separate write (docs/sending.md §1.2)
    bool sync = false; // whole frame as one write in its own event-loop turn

    // The payload octets that go on the wire (unmasked): the pattern repeated to repeatLength.
    [[nodiscard]] QByteArray wirePayload() const;
    // Its first `maxOctets` octets, without building a 16 MiB repeat (a repeat too long to send
    // still gives the head it would have).
    [[nodiscard]] QByteArray wirePayloadHead(qint64 maxOctets) const;
    [[nodiscard]] qint64 wirePayloadLength() const;
    // The value in the header's length field.
    [[nodiscard]] quint64 headerLength() const;
    [[nodiscard]] bool hasMaskBit() const { return maskMode != MaskMode::None; }
    [[nodiscard]] bool writesMaskKey() const
    {
        return maskMode == MaskMode::Random || maskMode == MaskMode::Fixed;
    }
    // Empty when the spec can be encoded; else a one-line reason (e.g. "len=7 cannot hold 300").
    [[nodiscard]] QString validate() const;
};

// How many octets of extended length the encoded header carries: 0, 2 or 8.
[[nodiscard]] quint8 extendedLengthSizeOf(const FrameSpec &spec);

// Encodes the frame exactly as described (no checks beyond validate()). For MaskMode::Random the
// caller fills maskKey before encoding.
[[nodiscard]] QByteArray encodeFrame(const FrameSpec &spec);

// XOR `data` in place with the 4-octet key, starting at key position `keyOffset % 4`.
void applyMask(char *data, qsizetype size, quint32 key, qint64 keyOffset = 0);

// RFC 6455 §7.4.1 status codes by name (ints, as the codes travel: any 16-bit value may be sent
// or received on purpose).
struct CloseCode
{
    static constexpr int Normal = 1000;
    static constexpr int GoingAway = 1001;
    static constexpr int ProtocolError = 1002;
    static constexpr int UnsupportedData = 1003;
    static constexpr int NoStatusReceived = 1005; // never on the wire
    static constexpr int AbnormalClosure = 1006;  // never on the wire
    static constexpr int InvalidPayload = 1007;
    static constexpr int PolicyViolation = 1008;
    static constexpr int MessageTooBig = 1009;
    static constexpr int MandatoryExtension = 1010;
    static constexpr int InternalError = 1011;
    static constexpr int ServiceRestart = 1012; // IANA registry, after RFC 6455
    static constexpr int TryAgainLater = 1013;
    static constexpr int BadGateway = 1014;
    static constexpr int TlsHandshake = 1015; // never on the wire
};

// Close-frame payload helpers (RFC 6455 §5.5.1, §7.4).
[[nodiscard]] QByteArray closePayload(std::optional<quint16> code, const QByteArray &reason);
// The status code in the first two octets of a close payload (network order).
[[nodiscard]] constexpr int closeCodeOf(quint8 high, quint8 low)
{
    return (int(high) << 8) | int(low);
}
// The one reader of a close frame's payload: no code when it is empty; a single octet is no code
// and `oneOctet` (a violation, RFC 6455 §5.5.1); otherwise the code and the reason's octets
// (not checked for UTF-8 here).
struct ParsedClosePayload
{
    std::optional<int> code;
    QByteArray reason;
    bool oneOctet = false;
};
[[nodiscard]] ParsedClosePayload parseClosePayload(QByteArrayView payload);
// Valid to *receive*: 1000–1003, 1007–1011, 3000–4999 (docs/sending.md §3.2; 1012–1015 are
// treated as invalid, like the reference engine).
[[nodiscard]] bool isValidReceivedCloseCode(int code);
// Human name of a close code ("Normal Closure", "Going Away", …, "Reserved", "Invalid").
[[nodiscard]] QString closeCodeName(int code);

} // namespace wsi
