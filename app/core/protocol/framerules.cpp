// SPDX-License-Identifier: MIT
#include "protocol/framerules.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsi {

QString violationName(Violation v)
{
    switch (v) {
    case Violation::None:
        return u"None"_s;
    case Violation::RsvWithoutExtension:
        return u"RSV without extension"_s;
    case Violation::ReservedOpcode:
        return u"Reserved opcode"_s;
    case Violation::ControlFrameTooLong:
        return u"Control frame too long"_s;
    case Violation::ControlFrameFragmented:
        return u"Fragmented control frame"_s;
    case Violation::ContinuationWithoutMessage:
        return u"Continuation without message"_s;
    case Violation::DataFrameInsideMessage:
        return u"Data frame inside message"_s;
    case Violation::MaskedServerFrame:
        return u"Masked server frame"_s;
    case Violation::UnmaskedClientFrame:
        return u"Unmasked client frame"_s;
    case Violation::NonMinimalLength:
        return u"Non-minimal length"_s;
    case Violation::Length64TopBit:
        return u"64-bit length with top bit set"_s;
    case Violation::ClosePayloadOneOctet:
        return u"One-octet close payload"_s;
    case Violation::InvalidCloseCode:
        return u"Invalid close code"_s;
    case Violation::InvalidUtf8Text:
        return u"Invalid UTF-8 in text"_s;
    case Violation::InvalidUtf8CloseReason:
        return u"Invalid UTF-8 in close reason"_s;
    case Violation::FrameTooLarge:
        return u"Frame too large"_s;
    case Violation::MaskBitWithoutKey:
        return u"Mask bit without key"_s;
    case Violation::DeclaredLengthMismatch:
        return u"Declared length mismatch"_s;
    case Violation::CompressedControlFrame:
        return u"Compressed control frame"_s;
    case Violation::CompressedContinuation:
        return u"Compressed continuation"_s;
    case Violation::InflateError:
        return u"Inflate error"_s;
    case Violation::InflatedTooLarge:
        return u"Inflated message too large"_s;
    }
    return u"Unknown violation"_s;
}

QString violationRule(Violation v)
{
    switch (v) {
    case Violation::None:
        return QString();
    case Violation::RsvWithoutExtension:
        return u"RFC 6455 §5.2: RSV1, RSV2 and RSV3 MUST be 0 unless an extension defines them"_s;
    case Violation::ReservedOpcode:
        return u"RFC 6455 §5.2: opcodes 3–7 and 11–15 are reserved; an unknown opcode MUST fail "
               u"the connection"_s;
    case Violation::ControlFrameTooLong:
        return u"RFC 6455 §5.5: all control frames MUST have a payload length of 125 octets or "
               u"less"_s;
    case Violation::ControlFrameFragmented:
        return u"RFC 6455 §5.5: control frames MUST NOT be fragmented"_s;
    case Violation::ContinuationWithoutMessage:
        return u"RFC 6455 §5.4: a continuation frame is only allowed inside a fragmented "
               u"message"_s;
    case Violation::DataFrameInsideMessage:
        return u"RFC 6455 §5.4: the fragments of a message MUST NOT be interleaved with another "
               u"text or binary message"_s;
    case Violation::MaskedServerFrame:
        return u"RFC 6455 §5.1: a server MUST NOT mask any frames that it sends to the client"_s;
    case Violation::UnmaskedClientFrame:
        return u"RFC 6455 §5.1: a client MUST mask all frames that it sends to the server"_s;
    case Violation::NonMinimalLength:
        return u"RFC 6455 §5.2: the minimal number of bytes MUST be used to encode the length"_s;
    case Violation::Length64TopBit:
        return u"RFC 6455 §5.2: the most significant bit of a 64-bit length MUST be 0"_s;
    case Violation::ClosePayloadOneOctet:
        return u"RFC 6455 §5.5.1: a close frame body MUST start with a 2-octet status code"_s;
    case Violation::InvalidCloseCode:
        return u"RFC 6455 §7.4: the status code is not one an endpoint may send in a close "
               u"frame"_s;
    case Violation::InvalidUtf8Text:
        return u"RFC 6455 §8.1: the payload of a text message MUST be valid UTF-8"_s;
    case Violation::InvalidUtf8CloseReason:
        return u"RFC 6455 §5.5.1: the close reason MUST be valid UTF-8"_s;
    case Violation::FrameTooLarge:
        return u"Local size limit (RFC 6455 §7.4.1, 1009): the payload is larger than the "
               u"configured maximum"_s;
    case Violation::MaskBitWithoutKey:
        return u"RFC 6455 §5.3: a frame with the mask bit set carries a 4-octet masking key and a "
               u"masked payload"_s;
    case Violation::DeclaredLengthMismatch:
        return u"RFC 6455 §5.2: the payload length field gives the length of the payload that "
               u"follows"_s;
    case Violation::CompressedControlFrame:
        return u"RFC 7692 §6.1: permessage-deflate compresses data messages only; RSV1 MUST NOT "
               u"be set on a control frame"_s;
    case Violation::CompressedContinuation:
        return u"RFC 7692 §6.1: RSV1 is set on the first frame of a compressed message only, "
               u"never on a continuation frame"_s;
    case Violation::InflateError:
        return u"RFC 7692 §6.2: the payload of a message with RSV1 set MUST inflate as DEFLATE "
               u"data (with 00 00 ff ff appended); otherwise fail with 1007"_s;
    case Violation::InflatedTooLarge:
        return u"Local size limit (RFC 6455 §7.4.1, 1009): the message inflates to more than the "
               u"configured maximum"_s;
    }
    return QString();
}

int violationCloseCode(Violation v)
{
    switch (v) {
    case Violation::None:
        return 0; // nothing to fail
    case Violation::InvalidUtf8Text:
    case Violation::InvalidUtf8CloseReason:
    case Violation::InflateError:
        return CloseCode::InvalidPayload;
    case Violation::FrameTooLarge:
    case Violation::InflatedTooLarge:
        return CloseCode::MessageTooBig;
    default:
        return CloseCode::ProtocolError;
    }
}

QList<Violation> violationList(Violations v)
{
    QList<Violation> list;
    const auto bits = quint32(v.toInt());
    for (int bit = 0; bit < 32; ++bit) {
        if (bits & (1u << bit))
            list.append(Violation(1u << bit));
    }
    return list;
}

Violations headerViolations(const FrameHeaderFacts &h, const FrameRuleOptions &o)
{
    Violations v;
    if (h.extendedLengthSize == 2 && h.payloadLength < 126)
        v |= Violation::NonMinimalLength;
    if (h.extendedLengthSize == 8) {
        if (h.payloadLength >> 63)
            v |= Violation::Length64TopBit;
        else if (h.payloadLength < 0x10000)
            v |= Violation::NonMinimalLength;
    }
    quint8 rsv = h.rsv;
    if (o.deflate && (rsv & 4)) {
        // RFC 7692 §6.1: RSV1 is the "Per-Message Compressed" bit of a message's first frame.
        if (isControlOpcode(h.opcode)) {
            v |= Violation::CompressedControlFrame;
            rsv &= ~4;
        } else if (h.opcode == quint8(Opcode::Continuation)) {
            v |= Violation::CompressedContinuation;
            rsv &= ~4;
        } else if (h.opcode == quint8(Opcode::Text) || h.opcode == quint8(Opcode::Binary)) {
            rsv &= ~4;
        }
    }
    if (rsv & ~o.allowedRsv)
        v |= Violation::RsvWithoutExtension;
    if (isReservedOpcode(h.opcode))
        v |= Violation::ReservedOpcode;
    if (isControlOpcode(h.opcode)) {
        if (h.payloadLength > 125)
            v |= Violation::ControlFrameTooLong;
        if (!h.fin)
            v |= Violation::ControlFrameFragmented;
    }
    if (o.sentByClient != h.masked)
        v |= o.sentByClient ? Violation::UnmaskedClientFrame : Violation::MaskedServerFrame;
    if (o.maxFramePayload >= 0 && h.payloadLength > quint64(o.maxFramePayload))
        v |= Violation::FrameTooLarge;
    if (h.opcode == quint8(Opcode::Close) && h.payloadLength == 1)
        v |= Violation::ClosePayloadOneOctet;
    return v;
}

Violations closeCodeViolations(int code)
{
    return isValidReceivedCloseCode(code) ? Violations() : Violations(Violation::InvalidCloseCode);
}

MessageSequence::Role MessageSequence::next(quint8 opcode, bool fin, Violations &violations,
                                            bool compressed)
{
    switch (opcode) {
    case quint8(Opcode::Continuation):
        if (!m_inMessage) {
            violations |= Violation::ContinuationWithoutMessage;
            return Role::LoneContinuation;
        }
        if (fin)
            m_inMessage = false;
        return Role::Continuation;
    case quint8(Opcode::Text):
    case quint8(Opcode::Binary):
        // A text/binary frame inside an open message is flagged, then taken as the start of a
        // new message: the continuation frames that follow belong to the new one.
        if (m_inMessage)
            violations |= Violation::DataFrameInsideMessage;
        m_inMessage = !fin;
        m_text = opcode == quint8(Opcode::Text);
        m_compressed = compressed;
        return Role::MessageStart;
    default:
        return Role::Control;
    }
}

namespace {

// The first `n` octets of the spec's on-wire payload, without building the rest.
QByteArray wirePrefix(const FrameSpec &spec, qsizetype n)
{
    const qint64 total = spec.wirePayloadLength();
    n = qsizetype(std::min<qint64>(n, total));
    if (!spec.repeatLength || spec.payload.isEmpty())
        return spec.payload.left(n);
    QByteArray out;
    out.reserve(n);
    while (out.size() < n)
        out.append(spec.payload.left(n - out.size()));
    return out;
}

// Feeds the spec's on-wire payload to `v` without building it when it repeats a pattern (a
// repeated payload can be far larger than anything worth allocating for a check). Returns the
// octets left out: once a block of whole patterns leads from a character boundary back to one,
// every further block does the same, so only the tail needs the validator.
qint64 feedWirePayload(Utf8Validator &v, const FrameSpec &spec)
{
    using State = Utf8Validator::State;
    if (!spec.repeatLength) {
        v.feed(spec.payload.constData(), spec.payload.size());
        return 0;
    }
    const qint64 total = spec.wirePayloadLength();
    if (total <= 0 || spec.payload.isEmpty())
        return 0;
    const QByteArray block =
        spec.payload.repeated(std::max<qsizetype>(1, (64 * 1024) / spec.payload.size()));
    const auto blockSize = qint64(block.size());
    qint64 done = 0; // octets fed or skipped
    qint64 skipped = 0;
    while (total - done >= blockSize) {
        const bool fromBoundary = v.state() == State::Valid;
        if (v.feed(block.constData(), block.size()) == State::Invalid)
            return skipped;
        done += blockSize;
        if (fromBoundary && v.state() == State::Valid) {
            const qint64 rest = (total - done) / blockSize * blockSize;
            skipped += rest;
            done += rest;
            break;
        }
    }
    if (total > done)
        v.feed(block.constData(), qsizetype(total - done)); // a prefix of whole patterns
    return skipped;
}

// Close reasons are checked when the payload is at most this long (a control frame is at most
// 125 octets; a longer one already breaks RFC 6455 §5.5).
constexpr qint64 kMaxCloseScan = 1 << 20;

} // namespace

FrameJudge::Result FrameJudge::judge(const FrameSpec &spec)
{
    return judgeFrame(spec, false);
}

FrameJudge::Result FrameJudge::judgeAlone(const FrameSpec &spec, quint8 allowedRsv, bool deflate)
{
    FrameJudge judge(allowedRsv, deflate);
    return judge.judgeFrame(spec, true);
}

FrameJudge::Result FrameJudge::judgeFrame(const FrameSpec &spec, bool alone)
{
    Result r;
    FrameHeaderFacts h;
    h.fin = spec.fin;
    h.rsv = quint8(spec.rsv & 0x7);
    h.opcode = quint8(spec.opcode & 0xF);
    h.masked = spec.hasMaskBit();
    h.extendedLengthSize = extendedLengthSizeOf(spec);
    h.payloadLength = spec.headerLength();
    r.violations = headerViolations(h, {true, m_allowedRsv, -1, m_deflate});
    const bool rsv1 = m_deflate && (h.rsv & 4);
    if (spec.maskMode == MaskMode::BitOnly)
        r.violations |= Violation::MaskBitWithoutKey;
    const qint64 wireLength = spec.wirePayloadLength();
    if (spec.declaredLength && *spec.declaredLength != quint64(wireLength))
        r.violations |= Violation::DeclaredLengthMismatch;

    MessageSequence::Role role;
    if (alone) {
        role = h.opcode == quint8(Opcode::Continuation) ? MessageSequence::Role::Continuation
               : (h.opcode == quint8(Opcode::Text) || h.opcode == quint8(Opcode::Binary))
                   ? MessageSequence::Role::MessageStart
                   : MessageSequence::Role::Control;
    } else {
        role = m_sequence.next(h.opcode, h.fin, r.violations, rsv1);
    }

    // A text message's UTF-8, across its fragments (RFC 6455 §8.1). Alone, a continuation's
    // message is unknown, so only a text frame is checked.
    bool checkText = false;
    // A compressed message's octets are not its text (RFC 7692 §6): not judged here.
    if (role == MessageSequence::Role::MessageStart) {
        m_messageUtf8.reset();
        m_messageUtf8Failed = false;
        checkText = h.opcode == quint8(Opcode::Text) && !rsv1;
    } else if (role == MessageSequence::Role::Continuation && !alone) {
        checkText =
            m_sequence.messageIsText() && !m_sequence.messageCompressed() && !m_messageUtf8Failed;
    }
    if (checkText) {
        const qint64 start = m_messageUtf8.position();
        const qint64 skipped = feedWirePayload(m_messageUtf8, spec);
        if (m_messageUtf8.state() == Utf8Validator::State::Invalid) {
            r.violations |= Violation::InvalidUtf8Text;
            r.utf8ErrorOffset = m_messageUtf8.errorOffset() - start + skipped;
            m_messageUtf8Failed = true;
        } else if (h.fin && m_messageUtf8.state() == Utf8Validator::State::Incomplete) {
            r.violations |= Violation::InvalidUtf8Text;
            r.utf8ErrorOffset = wireLength;
            m_messageUtf8Failed = true;
        }
    }

    if (h.opcode == quint8(Opcode::Close) && wireLength >= 2) {
        const QByteArray code = wirePrefix(spec, 2);
        r.violations |= closeCodeViolations(closeCodeOf(quint8(code.at(0)), quint8(code.at(1))));
        const QByteArray payload = wireLength <= kMaxCloseScan ? spec.wirePayload() : QByteArray();
        Utf8Validator reason;
        if (!payload.isEmpty() && reason.feed(payload.constData() + 2, payload.size() - 2) !=
                                      Utf8Validator::State::Valid) {
            r.violations |= Violation::InvalidUtf8CloseReason;
            if (r.utf8ErrorOffset < 0)
                r.utf8ErrorOffset =
                    reason.errorOffset() >= 0 ? reason.errorOffset() + 2 : payload.size();
        }
    }
    return r;
}

} // namespace wsi
