// SPDX-License-Identifier: MIT
#pragma once

#include "trace/trace.h"

#include <QByteArray>

#include <vector>

namespace wsi {

// One message of a trace, as an application saw it: a data frame (text or binary) and its
// continuation frames up to the one with FIN, in one direction; or one control frame (ping, pong,
// close) on its own, which may arrive between the fragments of a data message.
struct TraceMessage
{
    Direction direction = Direction::Rx;
    quint8 opcode = 0;          // of its first frame
    qint64 firstTimeNs = 0;     // of its first frame
    qint64 lastTimeNs = 0;      // of its last frame
    std::vector<qint64> frames; // indices into Trace::frames(), in order
    QByteArray payload;         // the wire payload of its frames (wirePayload()), up to the cap
    qint64 size = 0;            // the wire payload octets of its frames, whether kept or not
    bool complete = false;      // it ended with a FIN frame (false: the trace ended first)
    // permessage-deflate (RFC 7692): the message was sent compressed (RSV1 on its first frame,
    // the extension agreed). `payload` then holds the compressed octets as on the wire and
    // `inflated` what the application saw; `inflateError` says why it could not be inflated
    // (TraceInflation's words), when it could not.
    bool compressed = false;
    QByteArray inflated;
    qint64 inflatedSize = 0;
    bool inflatedComplete = false; // inflated holds all of it
    QString inflateError;

    // The payload holds every octet the frames carried (false past the cap, or where the trace
    // did not keep the octets).
    [[nodiscard]] bool payloadComplete() const { return payload.size() == size; }
    [[nodiscard]] bool isControl() const { return isControlOpcode(opcode); }
    // What the application saw: the inflated payload of a compressed message, else the payload.
    [[nodiscard]] const QByteArray &applicationPayload() const
    {
        return compressed ? inflated : payload;
    }
    [[nodiscard]] bool applicationPayloadComplete() const
    {
        return compressed ? inflatedComplete : payloadComplete();
    }
};

struct MessageOptions
{
    // The payload octets copied into all the messages together; past it, messages come with
    // the octets up to the cap (payloadComplete() false), so that a 1 GB trace does not build
    // 1 GB of strings. The HAR export needs whole messages: this is its size limit.
    qint64 maxTotalPayload = kMaxMessagePayloadOctets;
    bool includeControl = true; // also list ping, pong and close frames as messages
    static constexpr qint64 kMaxMessagePayloadOctets = 128ll * 1024 * 1024;
};

// The trace's messages in the order their first frames were recorded. A continuation frame
// with no message open in its direction (a broken peer) is a message of its own (opcode 0); a
// data frame that starts a new message while one is open ends that one as incomplete.
[[nodiscard]] std::vector<TraceMessage> traceMessages(const Trace &trace,
                                                      const MessageOptions &options = {});

} // namespace wsi
