// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QList>

namespace wsi {

// What the peer sent that a case can react to and records (docs/cases.md §2.2): complete
// messages and pongs, plus the pseudo-event ("timeout", TAG) of a TimeoutEvent step (payload = its
// tag). Pings are never events. Delivered synchronously in the session's thread.
struct PeerEvent
{
    enum class Kind : quint8 { Message, Pong, Timeout };
    Kind kind = Kind::Message;
    QByteArray payload; // Timeout: the tag ("A")
    bool binary = false;

    [[nodiscard]] static PeerEvent message(const QByteArray &payload, bool binary = false)
    {
        return {Kind::Message, payload, binary};
    }
    [[nodiscard]] static PeerEvent pong(const QByteArray &payload)
    {
        return {Kind::Pong, payload, false};
    }
    [[nodiscard]] static PeerEvent timeout(const QByteArray &tag)
    {
        return {Kind::Timeout, tag, false};
    }

    friend bool operator==(const PeerEvent &a, const PeerEvent &b)
    {
        return a.kind == b.kind && a.payload == b.payload && a.binary == b.binary;
    }
};
using PeerEventList = QList<PeerEvent>;

} // namespace wsi
