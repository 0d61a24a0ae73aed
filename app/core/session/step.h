// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/frame.h"
#include "protocol/permessagedeflate.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace wsi {

// One thing a user (or a case) asks the session to do. A list of steps runs in order; a step that
// waits (Delay) holds the rest back, every other step returns at once (queued writes keep draining
// in the background, as in docs/sending.md §1.2).
struct Step
{
    enum class Kind : quint8 {
        Frame,      // send `frame` exactly as described (no state check, like sendFrame)
        Message,    // text/binary message, fragmented at fragmentSize (only while OPEN)
        Ping,       // a ping frame with `payload` (masked, FIN)
        Pong,       // a pong frame with `payload`
        Delay,      // wait `seconds` (wire log: DELAY … / DELAY TIMEOUT …)
        Close,      // close(code, reason) through the close API, unchecked (illegal on purpose ok)
        Fail,       // fail the connection: close 1001 "Going Away" while OPEN, drop while CLOSING
        Drop,       // abort TCP at once
        HalfClose,  // shut down our sending side (TCP FIN) after queued writes
        CloseAfter, // timer: after `seconds`, close with no code (CLOSE CONNECTION AFTER)
        FailAfter,  // timer: after `seconds`, fail (FAIL CONNECTION AFTER)
        TimeoutEvent, // a case's pseudo-event ("timeout", `tag`) while OPEN; otherwise the
                      // remaining steps are dropped (cases 6.4.x, docs/cases.md §2.2)
        FrameHeader,  // only the header of `frame` (its declared length, its mask key); no
                      // TX FRAME entry, no frame statistics (docs/sending.md §1.4)
        FrameData,    // `payload` as the next octets of the frame begun by FrameHeader,
                      // masked with its key at the running offset
    };

    Kind kind = Kind::Frame;
    FrameSpec frame;              // Frame
    QByteArray payload;           // Message, Ping, Pong
    bool binary = false;          // Message
    int fragmentSize = 0;         // Message: 0 = one frame
    int chopSize = 0;             // Message/Ping/Pong: chop every frame of the step
    bool sync = false;            // Message/Ping/Pong
    int chopDelayMs = 0;          // pause between chops (0: the next event-loop turn)
    double seconds = 0;           // Delay, CloseAfter, FailAfter
    QString tag;                  // Delay: TAG in the wire log (empty prints None)
    std::optional<int> closeCode; // Close: none = empty close payload
    QByteArray closeReason;       // Close
    // permessage-deflate for Message and Frame. None: a message is compressed when the extension
    // was agreed, a frame's payload goes as given. Set: that way, also to break it on purpose
    // (a frame's payload is compressed first, RSV1 added when the mode sets it).
    std::optional<DeflateSend> deflate;

    [[nodiscard]] static Step makeFrame(const FrameSpec &spec)
    {
        Step s;
        s.kind = Kind::Frame;
        s.frame = spec;
        return s;
    }
    [[nodiscard]] static Step makeKind(Kind kind)
    {
        Step s;
        s.kind = kind;
        return s;
    }
};

using StepList = QList<Step>;

} // namespace wsi
