// SPDX-License-Identifier: MIT
#include "protocol/frame.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

// Largest on-wire payload a FrameSpec may ask for with repeatLength (one QByteArray write).
constexpr qint64 MaxRepeatLength = 0x7FFFFFFF;

[[nodiscard]] bool repeatLengthUsable(const FrameSpec &spec)
{
    return spec.repeatLength && *spec.repeatLength >= 0 && *spec.repeatLength <= MaxRepeatLength &&
           (*spec.repeatLength == 0 || !spec.payload.isEmpty());
}

void putBigEndian(char *out, quint64 value, int octets)
{
    for (int i = octets - 1; i >= 0; --i) {
        out[i] = char(value & 0xFF);
        value >>= 8;
    }
}

} // namespace

QString opcodeName(int opcode)
{
    switch (opcode) {
    case 0x0:
        return u"Continuation"_s;
    case 0x1:
        return u"Text"_s;
    case 0x2:
        return u"Binary"_s;
    case 0x8:
        return u"Close"_s;
    case 0x9:
        return u"Ping"_s;
    case 0xA:
        return u"Pong"_s;
    default:
        break;
    }
    if (opcode < 0 || opcode > 15)
        return u"Invalid "_s + QString::number(opcode);
    return u"Reserved "_s + QString::number(opcode);
}

QByteArray repeatPattern(QByteArrayView pattern, qint64 length)
{
    if (pattern.isEmpty() || length <= 0)
        return QByteArray();
    const qsizetype total = qsizetype(length);
    QByteArray out(total, Qt::Uninitialized);
    char *dst = out.data();
    const qsizetype first = std::min(total, pattern.size());
    std::memcpy(dst, pattern.data(), size_t(first));
    // Doubling copy: the pattern repeated whole, then a prefix of it for the remainder.
    qsizetype filled = first;
    while (filled < total) {
        const qsizetype chunk = std::min(filled, total - filled); // filled: whole patterns
        std::memcpy(dst + filled, dst, size_t(chunk));
        filled += chunk;
    }
    return out;
}

QByteArray FrameSpec::wirePayload() const
{
    if (!repeatLength)
        return payload;
    // An unusable repeat length (negative, too long, empty pattern) is a validate() error; the
    // payload is then empty rather than an attempt at a huge or impossible allocation.
    if (!repeatLengthUsable(*this))
        return QByteArray();
    return repeatPattern(payload, *repeatLength);
}

QByteArray FrameSpec::wirePayloadHead(qint64 maxOctets) const
{
    if (maxOctets <= 0)
        return QByteArray();
    if (!repeatLength)
        return payload.left(qsizetype(std::min<qint64>(maxOctets, payload.size())));
    // A repeat too long to send (a validate() error) still previews its head.
    return repeatPattern(payload, std::min(*repeatLength, maxOctets));
}

qint64 FrameSpec::wirePayloadLength() const
{
    if (!repeatLength)
        return payload.size();
    return repeatLengthUsable(*this) ? *repeatLength : 0;
}

quint64 FrameSpec::headerLength() const
{
    if (declaredLength)
        return *declaredLength;
    return quint64(wirePayloadLength());
}

QString FrameSpec::validate() const
{
    if (opcode < 0 || opcode > 15)
        return u"opcode=%1 is outside 0..15"_s.arg(opcode);
    if (rsv < 0 || rsv > 7)
        return u"rsv=%1 is outside 0..7"_s.arg(rsv);
    if (repeatLength) {
        if (*repeatLength < 0)
            return u"repeatLength=%1 is negative"_s.arg(*repeatLength);
        if (*repeatLength > MaxRepeatLength)
            return u"repeatLength=%1 is over the limit of %2 octets"_s.arg(*repeatLength)
                .arg(MaxRepeatLength);
        if (*repeatLength > 0 && payload.isEmpty())
            return u"repeatLength=%1 needs a non-empty payload pattern"_s.arg(*repeatLength);
    }
    if (chopSize < 0)
        return u"chopSize=%1 is negative"_s.arg(chopSize);
    const quint64 length = headerLength();
    if (lengthEncoding == LengthEncoding::Bits7 && length > 125)
        return u"len=7 cannot hold %1"_s.arg(length);
    if (lengthEncoding == LengthEncoding::Bits16 && length > 0xFFFF)
        return u"len=16 cannot hold %1"_s.arg(length);
    return QString();
}

QByteArray encodeFrame(const FrameSpec &spec)
{
    if (!spec.validate().isEmpty())
        return QByteArray();

    const quint64 length = spec.headerLength();
    int lengthOctets = 0; // octets after the second header octet
    switch (spec.lengthEncoding) {
    case LengthEncoding::Auto:
        lengthOctets = length <= 125 ? 0 : (length <= 0xFFFF ? 2 : 8);
        break;
    case LengthEncoding::Bits7:
        lengthOctets = 0;
        break;
    case LengthEncoding::Bits16:
        lengthOctets = 2;
        break;
    case LengthEncoding::Bits64:
        lengthOctets = 8;
        break;
    }
    const bool writeKey = spec.writesMaskKey();
    const QByteArray body = spec.wirePayload();
    const qsizetype headerSize = 2 + lengthOctets + (writeKey ? 4 : 0);

    QByteArray out(headerSize + body.size(), Qt::Uninitialized);
    char *p = out.data();
    p[0] = char((spec.fin ? 0x80 : 0) | ((spec.rsv & 7) << 4) | (spec.opcode & 0xF));
    const int mask = spec.hasMaskBit() ? 0x80 : 0;
    if (lengthOctets == 0) {
        p[1] = char(mask | int(length));
    } else {
        p[1] = char(mask | (lengthOctets == 2 ? 126 : 127));
        putBigEndian(p + 2, length, lengthOctets);
    }
    if (writeKey)
        putBigEndian(p + 2 + lengthOctets, spec.maskKey, 4);
    if (!body.isEmpty()) {
        std::memcpy(p + headerSize, body.constData(), size_t(body.size()));
        // BitOnly: the mask bit says "masked" but the octets go out as they are (a broken frame).
        if (writeKey)
            applyMask(p + headerSize, body.size(), spec.maskKey, 0);
    }
    return out;
}

void applyMask(char *data, qsizetype size, quint32 key, qint64 keyOffset)
{
    if (size <= 0)
        return;
    const int shift = int(((keyOffset % 4) + 4) % 4);
    const uchar keyOctets[4] = {uchar(key >> 24), uchar(key >> 16), uchar(key >> 8), uchar(key)};
    // 16 octets of key stream starting at key position `shift`: octet i of `data` is XORed with
    // pattern[i % 16], which is keyOctets[(shift + i) % 4] because 16 is a multiple of 4.
    uchar pattern[16];
    for (int i = 0; i < 16; ++i)
        pattern[i] = keyOctets[(shift + i) & 3];

    qsizetype i = 0;
#if defined(__SSE2__)
    const __m128i m = _mm_loadu_si128(reinterpret_cast<const __m128i *>(pattern));
    for (; i + 64 <= size; i += 64) {
        auto *d = reinterpret_cast<__m128i *>(data + i);
        const __m128i a = _mm_loadu_si128(d);
        const __m128i b = _mm_loadu_si128(d + 1);
        const __m128i c = _mm_loadu_si128(d + 2);
        const __m128i e = _mm_loadu_si128(d + 3);
        _mm_storeu_si128(d, _mm_xor_si128(a, m));
        _mm_storeu_si128(d + 1, _mm_xor_si128(b, m));
        _mm_storeu_si128(d + 2, _mm_xor_si128(c, m));
        _mm_storeu_si128(d + 3, _mm_xor_si128(e, m));
    }
    for (; i + 16 <= size; i += 16) {
        auto *d = reinterpret_cast<__m128i *>(data + i);
        _mm_storeu_si128(d, _mm_xor_si128(_mm_loadu_si128(d), m));
    }
#endif
    quint64 word;
    std::memcpy(&word, pattern, sizeof word);
    for (; i + 8 <= size; i += 8) {
        quint64 v;
        std::memcpy(&v, data + i, sizeof v);
        v ^= word;
        std::memcpy(data + i, &v, sizeof v);
    }
    for (; i < size; ++i)
        data[i] = char(uchar(data[i]) ^ pattern[i & 15]);
}

QByteArray closePayload(std::optional<quint16> code, const QByteArray &reason)
{
    QByteArray out;
    out.reserve((code ? 2 : 0) + reason.size());
    if (code) {
        out.append(char(*code >> 8));
        out.append(char(*code & 0xFF));
    }
    out.append(reason);
    return out;
}

quint8 extendedLengthSizeOf(const FrameSpec &spec)
{
    const quint64 length = spec.headerLength();
    switch (spec.lengthEncoding) {
    case LengthEncoding::Bits7:
        return 0;
    case LengthEncoding::Bits16:
        return 2;
    case LengthEncoding::Bits64:
        return 8;
    case LengthEncoding::Auto:
        break;
    }
    return length <= 125 ? 0 : (length <= 0xFFFF ? 2 : 8);
}

ParsedClosePayload parseClosePayload(QByteArrayView payload)
{
    ParsedClosePayload out;
    if (payload.size() == 1) {
        out.oneOctet = true;
    } else if (payload.size() >= 2) {
        out.code = closeCodeOf(quint8(payload[0]), quint8(payload[1]));
        out.reason = payload.sliced(2).toByteArray();
    }
    return out;
}

bool isValidReceivedCloseCode(int code)
{
    switch (code) {
    case CloseCode::Normal:
    case CloseCode::GoingAway:
    case CloseCode::ProtocolError:
    case CloseCode::UnsupportedData:
    case CloseCode::InvalidPayload:
    case CloseCode::PolicyViolation:
    case CloseCode::MessageTooBig:
    case CloseCode::MandatoryExtension:
    case CloseCode::InternalError:
        return true;
    default:
        // 1012–1015 were registered after the reference engine was written; it rejects them.
        return code >= 3000 && code <= 4999;
    }
}

QString closeCodeName(int code)
{
    // RFC 6455 §7.4.1 and the IANA "WebSocket Close Code Number Registry".
    switch (code) {
    case CloseCode::Normal:
        return u"Normal Closure"_s;
    case CloseCode::GoingAway:
        return u"Going Away"_s;
    case CloseCode::ProtocolError:
        return u"Protocol Error"_s;
    case CloseCode::UnsupportedData:
        return u"Unsupported Data"_s;
    case 1004:
        return u"Reserved"_s;
    case CloseCode::NoStatusReceived:
        return u"No Status Received"_s;
    case CloseCode::AbnormalClosure:
        return u"Abnormal Closure"_s;
    case CloseCode::InvalidPayload:
        return u"Invalid Frame Payload Data"_s;
    case CloseCode::PolicyViolation:
        return u"Policy Violation"_s;
    case CloseCode::MessageTooBig:
        return u"Message Too Big"_s;
    case CloseCode::MandatoryExtension:
        return u"Mandatory Extension"_s;
    case CloseCode::InternalError:
        return u"Internal Error"_s;
    case CloseCode::ServiceRestart:
        return u"Service Restart"_s;
    case CloseCode::TryAgainLater:
        return u"Try Again Later"_s;
    case CloseCode::BadGateway:
        return u"Bad Gateway"_s;
    case CloseCode::TlsHandshake:
        return u"TLS Handshake"_s;
    default:
        break;
    }
    if (code >= 3000 && code <= 3999)
        return u"Registered"_s;
    if (code >= 4000 && code <= 4999)
        return u"Private use"_s;
    return u"Invalid"_s;
}

} // namespace wsi
