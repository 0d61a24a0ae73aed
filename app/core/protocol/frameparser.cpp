// SPDX-License-Identifier: MIT
#include "protocol/frameparser.h"

#include <algorithm>
#include <cstring>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

// Masked payload is copied and unmasked in blocks that stay in the L1 cache, so the UTF-8 check
// that follows reads warm octets.
constexpr qsizetype UnmaskBlock = 16 * 1024;
// Scratch for unmasking payload octets beyond the size limit that still need a UTF-8 check.
constexpr qsizetype ScratchSize = 4 * 1024;
// Payloads up to this size are slices of a shared block (every control frame fits).
constexpr qsizetype SmallPayload = 128;
// Block size for small payloads: one allocation for hundreds of small frames, while a single
// small frame kept alone pins at most this much.
constexpr qsizetype ArenaSize = 8 * 1024 - 64;

// Total header size (2–14 octets) once the second header octet is known (RFC 6455 §5.2).
[[nodiscard]] inline int headerSizeFor(uchar second)
{
    const int len7 = second & 0x7F;
    return 2 + (len7 == 126 ? 2 : (len7 == 127 ? 8 : 0)) + ((second & 0x80) ? 4 : 0);
}

// True if every octet is ASCII (eight at a time).
[[nodiscard]] inline bool isAscii(const char *data, qsizetype size)
{
    qsizetype i = 0;
    quint64 high = 0;
    for (; i + 8 <= size; i += 8) {
        quint64 word;
        std::memcpy(&word, data + i, sizeof word);
        high |= word;
    }
    for (; i < size; ++i)
        high |= uchar(data[i]);
    return (high & 0x8080808080808080ull) == 0;
}

[[nodiscard]] inline quint64 readBigEndian(const uchar *p, int octets)
{
    quint64 value = 0;
    for (int i = 0; i < octets; ++i)
        value = (value << 8) | p[i];
    return value;
}

} // namespace

void FrameParser::feed(const char *data, qsizetype size, std::vector<DecodedFrame> &out)
{
    if (!data || size <= 0)
        return;
    const auto *const begin = reinterpret_cast<const uchar *>(data);
    const uchar *const end = begin + size;
    const uchar *p = begin;
    const qint64 base = m_position;
    const auto limit = quint64(std::max<qint64>(0, m_options.maxFramePayload));

    while (p < end) {
        if (m_stage == Stage::Payload) {
            const auto take = qsizetype(std::min(m_payloadRemaining, quint64(end - p)));
            consumePayload(reinterpret_cast<const char *>(p), take);
            p += take;
            if (m_payloadRemaining == 0) {
                finishFrame(m_current);
                out.push_back(std::move(m_current));
                m_current = DecodedFrame();
                m_stage = Stage::Header;
            }
            continue;
        }

        if (m_headerHave == 0 && end - p >= 2) {
            const int headerSize = headerSizeFor(p[1]);
            const qsizetype available = end - p;
            if (available >= headerSize) {
                const int len7 = p[1] & 0x7F;
                const quint64 length =
                    len7 < 126 ? quint64(len7) : readBigEndian(p + 2, len7 == 126 ? 2 : 8);
                const qint64 streamOffset = base + (p - begin);
                if (length <= quint64(available - headerSize) && length <= limit) {
                    // Fast path: the whole frame is in this buffer. It is decoded straight
                    // into `out`, without passing through m_current.
                    DecodedFrame &f = out.emplace_back();
                    f.streamOffset = streamOffset;
                    startFrame(p, f);
                    p += headerSize;
                    if (length > 0) {
                        const auto n = qsizetype(length);
                        if (m_payloadKeep > 0) {
                            char *dst = allocatePayload(f.payload, n);
                            copyPayload(f, dst, reinterpret_cast<const char *>(p), n, 0);
                        } else {
                            inspectUnstored(f, reinterpret_cast<const char *>(p), n, 0);
                        }
                        p += n;
                    }
                    finishFrame(f);
                    continue;
                }
                // The header is complete but the payload is not (or is over the limit).
                m_current.streamOffset = streamOffset;
                startFrame(p, m_current);
                p += headerSize;
                if (m_payloadKeep > 0)
                    m_payloadData = allocatePayload(m_current.payload, qsizetype(m_payloadKeep));
                m_stage = Stage::Payload;
                continue; // length > 0 here: the payload stage follows
            }
        }

        // The header is split across feeds: collect it octet by octet (at most 14).
        if (m_headerHave == 0)
            m_current.streamOffset = base + (p - begin);
        while (p < end && m_headerHave < m_headerNeed) {
            m_headerBuf[m_headerHave++] = *p++;
            if (m_headerHave == 2)
                m_headerNeed = headerSizeFor(m_headerBuf[1]);
        }
        if (m_headerHave == m_headerNeed) {
            startFrame(m_headerBuf, m_current);
            m_headerHave = 0;
            m_headerNeed = 2;
            if (m_payloadKeep > 0)
                m_payloadData = allocatePayload(m_current.payload, qsizetype(m_payloadKeep));
            if (m_payloadRemaining == 0) {
                finishFrame(m_current);
                out.push_back(std::move(m_current));
                m_current = DecodedFrame();
            } else {
                m_stage = Stage::Payload;
            }
        }
    }
    m_position = base + size;
}

void FrameParser::startFrame(const uchar *header, DecodedFrame &f)
{
    const uchar first = header[0];
    const uchar second = header[1];
    f.fin = (first & 0x80) != 0;
    f.rsv = quint8((first >> 4) & 0x7);
    f.opcode = quint8(first & 0xF);
    f.masked = (second & 0x80) != 0;

    quint64 length = second & 0x7F;
    if (length == 126) {
        f.extendedLengthSize = 2;
        length = readBigEndian(header + 2, 2);
    } else if (length == 127) {
        f.extendedLengthSize = 8;
        length = readBigEndian(header + 2, 8);
    }
    f.payloadLength = length;
    if (f.masked)
        f.maskKey = quint32(readBigEndian(header + 2 + f.extendedLengthSize, 4));

    // The header's rules and the message sequence come from the core's one rule set.
    const FrameHeaderFacts facts{f.fin, f.rsv, f.opcode, f.masked, f.extendedLengthSize, length};
    Violations v = headerViolations(facts, {m_options.serverRole, m_options.allowedRsv,
                                            std::max<qint64>(0, m_options.maxFramePayload),
                                            m_options.deflate});
    const auto limit = quint64(std::max<qint64>(0, m_options.maxFramePayload));
    f.payloadTruncated = length > limit;
    m_payloadKeep = (m_options.storeDataPayloads || isControlOpcode(f.opcode))
                        ? qint64(std::min(length, limit))
                        : 0;
    m_payloadSeen = 0;
    m_payloadRemaining = length;
    m_payloadData = nullptr;

    // The sequence changes when the header is read, so inMessage() already answers for the frame
    // in progress. Control frames and reserved opcodes leave it alone.
    m_checkText = false;
    m_checkClose = false;
    // A compressed message's payload is DEFLATE data: its text is checked after inflating, by
    // the session (see frameparser.h).
    switch (m_sequence.next(f.opcode, f.fin, v, m_options.deflate && (f.rsv & 4))) {
    case MessageSequence::Role::LoneContinuation:
        break; // decoded as a lone fragment of unknown type: no UTF-8 check
    case MessageSequence::Role::Continuation:
        f.compressed = m_sequence.messageCompressed();
        m_checkText = m_sequence.messageIsText() && !f.compressed && !m_messageUtf8Failed &&
                      m_options.validateUtf8;
        break;
    case MessageSequence::Role::MessageStart:
        // A new message abandons an open one with its UTF-8 state.
        m_messageUtf8Failed = false;
        f.compressed = m_sequence.messageCompressed();
        if (m_sequence.messageIsText()) {
            m_messageUtf8.reset();
            m_checkText = m_options.validateUtf8 && !f.compressed;
        }
        break;
    case MessageSequence::Role::Control:
        if (f.opcode == quint8(Opcode::Close)) {
            m_checkClose = true;
            m_frameUtf8.reset();
        }
        break;
    }
    m_messageUtf8Start = m_messageUtf8.position();
    f.violations = v;
}

char *FrameParser::allocatePayload(QByteArray &payload, qsizetype size)
{
    if (size > SmallPayload) {
        payload = QByteArray(size, Qt::Uninitialized);
        return payload.data();
    }
    // One heap allocation per small frame would dominate the cost of parsing it. Instead the
    // payload is a slice of a shared, reference-counted block: an ordinary QByteArray that owns
    // a reference to the block, '\0'-terminated like any other, and copied on its first write
    // while the block is shared (Qt 6 arrays may start anywhere inside their block).
    PayloadArena &arena = m_arena;
    if (!arena.base || arena.used + size + 1 > ArenaSize) {
        arena.block = QByteArray(ArenaSize, Qt::Uninitialized);
        arena.base = arena.block.data(); // not shared yet: no copy
        arena.used = 0;
    }
    char *dst = arena.base + arena.used;
    dst[size] = '\0';
    arena.used += size + 1;
    QByteArray::DataPointer slice = arena.block.data_ptr(); // a copy holds a reference
    slice.setBegin(dst);
    slice.size = size;
    payload = QByteArray(std::move(slice));
    return dst;
}

// `f` is the frame being filled: m_current, or the last element of `out` on the fast path.
void FrameParser::copyPayload(DecodedFrame &f, char *dst, const char *src, qsizetype size,
                              quint64 payloadOffset)
{
    const bool inspect = m_checkText || m_checkClose;
    if (!f.masked) {
        std::memcpy(dst, src, size_t(size));
        if (inspect) {
            // Hot path: a whole unfragmented ASCII text message. Nothing reads the message's
            // UTF-8 state after it (the next text frame starts afresh), so skip the validator.
            if (m_checkText && f.fin && payloadOffset == 0 && f.payloadLength == quint64(size) &&
                f.opcode == quint8(Opcode::Text) && isAscii(dst, size)) {
                m_checkText = false;
                return;
            }
            inspectPayload(f, dst, size, payloadOffset);
        }
        return;
    }
    for (qsizetype done = 0; done < size; done += UnmaskBlock) {
        const qsizetype block = std::min(UnmaskBlock, size - done);
        std::memcpy(dst + done, src + done, size_t(block));
        applyMask(dst + done, block, f.maskKey, qint64(payloadOffset) + done);
        if (inspect)
            inspectPayload(f, dst + done, block, payloadOffset + quint64(done));
    }
}

void FrameParser::consumePayload(const char *data, qsizetype size)
{
    const quint64 offset = m_payloadSeen;
    qsizetype stored = 0;
    if (qint64(offset) < m_payloadKeep) {
        stored = qsizetype(std::min<qint64>(size, m_payloadKeep - qint64(offset)));
        copyPayload(m_current, m_payloadData + offset, data, stored, offset);
    }

    // Octets past the size limit (or not kept at all) are still checked, so the verdicts do not
    // depend on the limit.
    if (stored < size)
        inspectUnstored(m_current, data + stored, size - stored, offset + quint64(stored));

    m_payloadSeen += quint64(size);
    m_payloadRemaining -= quint64(size);
}

// Checks payload octets that are not stored: unmasked in blocks on the stack when masked.
void FrameParser::inspectUnstored(DecodedFrame &f, const char *data, qsizetype size,
                                  quint64 payloadOffset)
{
    if (!m_checkText && !m_checkClose)
        return;
    if (!f.masked) {
        // A whole unfragmented ASCII text frame needs no validator (as in copyPayload).
        if (m_checkText && f.fin && payloadOffset == 0 && f.payloadLength == quint64(size) &&
            f.opcode == quint8(Opcode::Text) && isAscii(data, size)) {
            m_checkText = false;
            return;
        }
        inspectPayload(f, data, size, payloadOffset);
        return;
    }
    char scratch[ScratchSize];
    for (qsizetype done = 0; done < size && (m_checkText || m_checkClose); done += ScratchSize) {
        const qsizetype block = std::min(ScratchSize, size - done);
        std::memcpy(scratch, data + done, size_t(block));
        applyMask(scratch, block, f.maskKey, qint64(payloadOffset) + done);
        inspectPayload(f, scratch, block, payloadOffset + quint64(done));
    }
}

void FrameParser::inspectPayload(DecodedFrame &f, const char *unmasked, qsizetype size,
                                 quint64 payloadOffset)
{
    if (m_checkText) {
        if (m_messageUtf8.feed(unmasked, size) == Utf8Validator::State::Invalid) {
            // Fail fast: flagged on the frame holding the first impossible octet (RFC 6455 §8.1).
            f.violations |= Violation::InvalidUtf8Text;
            f.utf8ErrorOffset = m_messageUtf8.errorOffset() - m_messageUtf8Start;
            m_messageUtf8Failed = true;
            m_checkText = false;
        }
    }
    if (m_checkClose) {
        // Octets 0 and 1: the status code; the rest: the UTF-8 reason (RFC 6455 §5.5.1).
        while (payloadOffset < 2 && size > 0) {
            m_closeCode[payloadOffset] = quint8(*unmasked);
            ++unmasked;
            --size;
            ++payloadOffset;
            if (payloadOffset == 2) {
                f.violations |= closeCodeViolations(closeCodeOf(m_closeCode[0], m_closeCode[1]));
            }
        }
        if (size > 0) {
            if (!m_options.validateUtf8) {
                m_checkClose = false;
            } else if (m_frameUtf8.feed(unmasked, size) == Utf8Validator::State::Invalid) {
                f.violations |= Violation::InvalidUtf8CloseReason;
                f.utf8ErrorOffset = m_frameUtf8.errorOffset() + 2;
                m_checkClose = false;
            }
        }
    }
}

void FrameParser::finishFrame(DecodedFrame &f)
{
    // A message may not end inside a code point; flagged on its final frame, at its end.
    if (m_checkText && f.fin && m_messageUtf8.state() == Utf8Validator::State::Incomplete) {
        f.violations |= Violation::InvalidUtf8Text;
        f.utf8ErrorOffset = qint64(f.payloadLength);
        m_messageUtf8Failed = true;
    }
    if (m_checkClose && m_options.validateUtf8 && f.payloadLength > 2 &&
        m_frameUtf8.state() == Utf8Validator::State::Incomplete) {
        f.violations |= Violation::InvalidUtf8CloseReason;
        f.utf8ErrorOffset = qint64(f.payloadLength);
    }
    m_checkText = false;
    m_checkClose = false;
    m_payloadData = nullptr;
}

Violations FrameParser::pendingViolations() const
{
    return m_stage == Stage::Payload ? m_current.violations : Violations();
}

bool FrameParser::hasPartialFrame() const
{
    return m_stage == Stage::Payload || m_headerHave > 0;
}

DecodedFrame FrameParser::partialFrame() const
{
    if (!hasPartialFrame()) {
        DecodedFrame none;
        none.streamOffset = m_position;
        return none;
    }
    DecodedFrame f = m_current;
    if (m_stage == Stage::Payload) {
        // A deep copy of the octets so far: the buffer being filled is never handed out.
        const auto have = qsizetype(std::min<qint64>(qint64(m_payloadSeen), m_payloadKeep));
        f.payload = QByteArray(m_payloadData, have);
    }
    return f;
}

void FrameParser::reset()
{
    const Options options = m_options;
    *this = FrameParser(options);
}

} // namespace wsi
