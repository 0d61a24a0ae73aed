// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/frame.h"
#include "protocol/framerules.h"
#include "protocol/utf8validator.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <vector>

namespace wsi {

// One decoded frame with its layout in the stream it came from.
struct DecodedFrame
{
    qint64 streamOffset = 0; // offset of the frame's first octet in the parsed stream
    quint8 opcode = 0;
    bool fin = false;
    quint8 rsv = 0;
    bool masked = false;
    quint32 maskKey = 0;
    quint8 extendedLengthSize = 0; // 0, 2 or 8 octets after the first two
    // A frame of a compressed message (permessage-deflate agreed and RSV1 on the message's first
    // frame): its payload is DEFLATE data, not the message's octets.
    bool compressed = false;
    quint64 payloadLength = 0; // as declared in the header
    Violations violations;
    qint64 utf8ErrorOffset = -1;   // offset in this frame's payload of the first bad octet
    bool payloadTruncated = false; // payload over the size limit: only the first part is kept
    QByteArray payload;            // unmasked payload (or its first maxFramePayload octets)

    [[nodiscard]] int headerSize() const { return 2 + extendedLengthSize + (masked ? 4 : 0); }
    [[nodiscard]] qint64 frameSize() const { return headerSize() + qint64(payloadLength); }
    // Byte ranges relative to streamOffset: header = [0, 2), extended length = [2, 2+ext),
    // key = [2+ext, 2+ext+4), payload = [headerSize(), frameSize()).
    [[nodiscard]] bool isControl() const { return isControlOpcode(opcode); }
};

// Incremental frame parser (RFC 6455 §5): any octets, split anywhere, give the same frames.
// Never throws, never allocates more than maxFramePayload per frame (plus one frame in progress).
// Under permessage-deflate (Options::deflate) the parser judges the frames (RSV1 on a message's
// first frame only, RFC 7692 §6.1) but does not inflate: the frames of a compressed message
// are marked `compressed` and their UTF-8 is NOT validated (compressed octets are no text). The
// session inflates the message (permessagedeflate.h) and sets InvalidUtf8Text, InflateError
// and InflatedTooLarge itself from the inflated octets.
class FrameParser
{
public:
    struct Options
    {
        bool serverRole = false; // false: we are the client, frames come from a server
        quint8 allowedRsv = 0;   // RSV bits an extension allows (RSV1 = 4)
        qint64 maxFramePayload = 64 * 1024 * 1024; // size limit; larger frames: FrameTooLarge
        bool validateUtf8 = true;
        // permessage-deflate agreed (FrameRuleOptions::deflate): RSV1 on the first frame of a data
        // message marks it compressed; RSV1 elsewhere is CompressedControlFrame or
        // CompressedContinuation.
        bool deflate = false;
        // false: payloads of data frames (opcodes 0–7) are validated but not kept; the caller
        // keeps the octets (the trace does) and derives payloads from them. Control frames'
        // payloads are always kept: the caller reacts to them.
        bool storeDataPayloads = true;
    };

    FrameParser() = default;
    explicit FrameParser(const Options &options) : m_options(options) {}

    void setOptions(const Options &options) { m_options = options; }
    [[nodiscard]] const Options &options() const { return m_options; }

    // Parses more octets; appends each frame completed by them to `out` (in order).
    void feed(const char *data, qsizetype size, std::vector<DecodedFrame> &out);
    void feed(const QByteArray &data, std::vector<DecodedFrame> &out)
    {
        feed(data.constData(), data.size(), out);
    }

    // Violations already known for the frame in progress (header rules as soon as its header is
    // complete, invalid UTF-8 as soon as the impossible octet arrives), so a caller can fail fast.
    [[nodiscard]] Violations pendingViolations() const;
    // True while a frame has started but is not complete.
    [[nodiscard]] bool hasPartialFrame() const;
    // The frame in progress, as far as known (header fields once the header is complete).
    [[nodiscard]] DecodedFrame partialFrame() const;
    // Octets consumed so far.
    [[nodiscard]] qint64 streamPosition() const { return m_position; }
    // True while a fragmented data message is open (a text/binary frame without FIN was seen).
    [[nodiscard]] bool inMessage() const { return m_sequence.inMessage(); }
    // The open (or last) message is compressed (permessage-deflate, RSV1 on its first frame).
    [[nodiscard]] bool messageCompressed() const { return m_sequence.messageCompressed(); }

    void reset();

private:
    // Header: collecting the 2–14 header octets (m_headerNeed grows once the second octet is
    // known); Payload: consuming m_payloadRemaining payload octets of m_current.
    enum class Stage : quint8 { Header, Payload };

    // Small payloads are slices of a shared block instead of one heap allocation each (see
    // allocatePayload()). A copied parser starts its own block, so two parsers never write into
    // the same one.
    struct PayloadArena
    {
        PayloadArena() = default;
        PayloadArena(const PayloadArena &) {}
        PayloadArena &operator=(const PayloadArena &)
        {
            block = QByteArray();
            base = nullptr;
            used = 0;
            return *this;
        }
        ~PayloadArena() = default;

        QByteArray block;
        char *base = nullptr; // block's octets, written only by this parser
        qsizetype used = 0;
    };

    void startFrame(const uchar *header, DecodedFrame &f);
    char *allocatePayload(QByteArray &payload, qsizetype size);
    void copyPayload(DecodedFrame &f, char *dst, const char *src, qsizetype size,
                     quint64 payloadOffset);
    void consumePayload(const char *data, qsizetype size);
    void inspectUnstored(DecodedFrame &f, const char *data, qsizetype size, quint64 payloadOffset);
    void inspectPayload(DecodedFrame &f, const char *unmasked, qsizetype size,
                        quint64 payloadOffset);
    void finishFrame(DecodedFrame &f);

    Options m_options;
    Stage m_stage = Stage::Header;
    quint8 m_headerBuf[14] = {};
    int m_headerHave = 0;
    int m_headerNeed = 2;
    DecodedFrame m_current;
    char *m_payloadData = nullptr; // where m_current's kept payload octets go
    quint64 m_payloadRemaining = 0;
    quint64 m_payloadSeen = 0;
    qint64 m_payloadKeep = 0; // payload octets of this frame that are stored
    qint64 m_position = 0;
    MessageSequence m_sequence; // RFC 6455 §5.4, the core's rule set (framerules.h)
    bool m_messageUtf8Failed = false;
    bool m_checkText = false;  // this frame's payload is validated as part of a text message
    bool m_checkClose = false; // this frame is a close frame: status code and reason checked
    quint8 m_closeCode[2] = {};
    qint64 m_messageUtf8Start = 0; // m_messageUtf8.position() at this frame's first payload octet
    Utf8Validator m_messageUtf8;   // across the fragments of a text message
    Utf8Validator m_frameUtf8;     // close reason
    PayloadArena m_arena;
};

} // namespace wsi
