// SPDX-License-Identifier: MIT
#include "closing.h"

#include "utf8validator.h"

#include <QStringList>

#include <cstring>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {
// Report strings of autobahn-semantics.md §2.3.
const QString kPeerDropped =
    u"peer dropped the TCP connection without previous WebSocket closing handshake"_s;
const QString kCloseHandshakeTimeout = u"peer did not respond (in time) in closing handshake"_s;
const QString kServerDropTimeout = u"server did not drop TCP connection (in time)"_s;
const QString kOpenHandshakeTimeout = u"peer did not finish (in time) the opening handshake"_s;

QString pyBool(bool value)
{
    return value ? u"True"_s : u"False"_s;
}
} // namespace

ClosingBehavior analyzeClosing(const Trace &trace)
{
    ClosingBehavior b;
    SessionState state = SessionState::Idle;
    bool closeSent = false;
    for (const TraceEvent &e : trace.events()) {
        using K = TraceEvent::Kind;
        switch (e.kind) {
        case K::StateChanged:
            state = e.state;
            if (state == SessionState::Open && !b.wasOpen) {
                b.wasOpen = true;
                b.openedNs = e.timeNs;
            }
            break;
        case K::CloseSent:
            // Only the first close sent through the close API counts (§2.2 closedByMe).
            if (!closeSent) {
                closeSent = true;
                b.closedByMe = !e.flag;
                b.localCloseCode = e.code;
                if (!e.reason.isEmpty())
                    b.localCloseReason = e.reason;
                b.closeSentNs = e.timeNs;
            }
            break;
        case K::CloseReceived:
            if (state == SessionState::Closed)
                break;
            b.remoteCloseCode = e.code;
            b.remoteCloseReason.reset();
            if (!e.reason.isEmpty())
                b.remoteCloseReason = QString::fromUtf8(e.reason);
            if (b.closeReceivedNs < 0)
                b.closeReceivedNs = e.timeNs;
            // flag: the close was rejected (invalid code) and failed the connection instead.
            if (!e.flag && (state == SessionState::Open || state == SessionState::Closing))
                b.wasClean = true;
            break;
        case K::FailedByMe:
            b.failedByMe = true;
            break;
        case K::DroppedByMe:
            if (state != SessionState::Closed)
                b.droppedByMe = true;
            break;
        case K::OpenHandshakeTimeout:
            b.wasOpenHandshakeTimeout = true;
            b.wasClean = false;
            b.wasNotCleanReason = kOpenHandshakeTimeout;
            break;
        case K::CloseHandshakeTimeout:
            b.wasCloseHandshakeTimeout = true;
            b.wasClean = false;
            b.wasNotCleanReason = kCloseHandshakeTimeout;
            break;
        case K::ServerDropTimeout:
            b.wasServerConnectionDropTimeout = true;
            b.wasClean = false;
            b.wasNotCleanReason = kServerDropTimeout;
            break;
        case K::HandshakeFailed:
            b.wasClean = false;
            b.wasNotCleanReason = e.text;
            break;
        case K::Error:
            // A local failure before or instead of a connection (refused, DNS, TLS).
            if (!b.wasOpen && !b.wasNotCleanReason)
                b.wasNotCleanReason = e.text;
            break;
        case K::TcpClosed:
            if (b.tcpClosed)
                break;
            b.tcpClosed = true;
            b.tcpClosedNs = e.timeNs;
            state = SessionState::Closed;
            if (!b.wasClean && !b.wasNotCleanReason && !b.droppedByMe)
                b.wasNotCleanReason = kPeerDropped;
            break;
        default:
            break;
        }
    }
    if (b.wasClean)
        b.wasNotCleanReason.reset();
    return b;
}

QList<ClosingField> closingFields()
{
    // Report strings (keys and descriptions) as the reference report prints them.
    return {
        {"isServer", "True, iff I (the fuzzer) am a server, and the peer is a client."},
        {"closedByMe",
         "True, iff I have initiated closing handshake (that is, did send close first)."},
        {"failedByMe",
         "True, iff I have failed the WS connection (i.e. due to protocol error). Failing can be "
         "either by initiating closing handshake or brutal drop TCP."},
        {"droppedByMe", "True, iff I dropped the TCP connection."},
        {"wasClean",
         "True, iff full WebSocket closing handshake was performed (close frame sent and "
         "received) _and_ the server dropped the TCP (which is its responsibility)."},
        {"wasNotCleanReason", "When wasClean == False, the reason what happened."},
        {"wasServerConnectionDropTimeout",
         "When we are a client, and we expected the server to drop the TCP, but that didn't "
         "happen in time, this gets True."},
        {"wasOpenHandshakeTimeout",
         "When performing the opening handshake, but the peer did not finish in time, this gets "
         "True."},
        {"wasCloseHandshakeTimeout",
         "When we initiated a closing handshake, but the peer did not respond in time, this gets "
         "True."},
        {"localCloseCode", "The close code I sent in close frame (if any)."},
        {"localCloseReason", "The close reason I sent in close frame (if any)."},
        {"remoteCloseCode", "The close code the peer sent me in close frame (if any)."},
        {"remoteCloseReason", "The close reason the peer sent me in close frame (if any)."},
    };
}

QString closingFieldValue(const ClosingBehavior &b, const char *key)
{
    const auto is = [key](const char *name) { return std::strcmp(key, name) == 0; };
    const auto optInt = [](const std::optional<int> &v) {
        return v ? QString::number(*v) : u"None"_s;
    };
    if (is("isServer"))
        return pyBool(b.isServer);
    if (is("closedByMe"))
        return pyBool(b.closedByMe);
    if (is("failedByMe"))
        return pyBool(b.failedByMe);
    if (is("droppedByMe"))
        return pyBool(b.droppedByMe);
    if (is("wasClean"))
        return pyBool(b.wasClean);
    if (is("wasNotCleanReason"))
        return b.wasNotCleanReason.value_or(u"None"_s);
    if (is("wasServerConnectionDropTimeout"))
        return pyBool(b.wasServerConnectionDropTimeout);
    if (is("wasOpenHandshakeTimeout"))
        return pyBool(b.wasOpenHandshakeTimeout);
    if (is("wasCloseHandshakeTimeout"))
        return pyBool(b.wasCloseHandshakeTimeout);
    if (is("localCloseCode"))
        return optInt(b.localCloseCode);
    if (is("localCloseReason")) {
        if (!b.localCloseReason)
            return u"None"_s;
        // Invalid UTF-8 (sent on purpose) is shown as hex, like the reference report for 7.5.1.
        const QByteArray &r = *b.localCloseReason;
        if (Utf8Validator::firstInvalidOffset(r.constData(), r.size()) >= 0)
            return QString::fromLatin1(r.toHex());
        return QString::fromUtf8(r);
    }
    if (is("remoteCloseCode"))
        return optInt(b.remoteCloseCode);
    if (is("remoteCloseReason"))
        return b.remoteCloseReason.value_or(u"None"_s);
    return {};
}

ClosingVerdict closingVerdict(const ClosingBehavior &b, const ExpectedClose &expected)
{
    if (!b.wasOpen)
        return {u"FAILED"_s, u"The WebSocket opening handshake was never completed!"_s};
    if (expected.closedByMe != b.closedByMe)
        return {u"FAILED"_s, u"The connection was failed by the wrong endpoint"_s};
    if (expected.requireClean && !b.wasClean)
        return {u"UNCLEAN"_s, u"The spec requires the connection to be failed cleanly here"_s};
    if (b.remoteCloseCode && !expected.closeCodes.isEmpty()
        && !expected.closeCodes.contains(*b.remoteCloseCode)) {
        QStringList codes;
        for (int code : expected.closeCodes)
            codes << QString::number(code);
        return {u"WRONG CODE"_s,
                u"The close code should have been "_s + codes.join(u',') + u" or empty"_s};
    }
    if (!b.isServer && b.droppedByMe)
        return {u"FAILED BY CLIENT"_s, u"It is preferred that the server close the TCP connection"_s};
    return {u"OK"_s, u"Connection was properly closed"_s};
}

} // namespace wsi
