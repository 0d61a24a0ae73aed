// SPDX-License-Identifier: MIT
#include "trace/closing.h"

#include "protocol/utf8validator.h"

#include <QList>

#include <QStringList>

#include <cstring>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {
// Report strings of docs/closing.md §3.
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
            b.state = e.state;
            if (state == SessionState::Connecting && b.connectingNs < 0) {
                b.connectingNs = e.timeNs;
                b.openTimeoutMs = e.seconds > 0 ? qint64(e.seconds * 1000 + 0.5) : -1;
            }
            if (state == SessionState::Open && !b.wasOpen) {
                b.wasOpen = true;
                b.openedNs = e.timeNs;
            }
            break;
        case K::CloseSent:
            // Only the first close sent through the close API counts (docs/closing.md §1.1).
            if (!closeSent) {
                closeSent = true;
                b.closedByMe = !e.flag;
                b.localCloseCode = e.code;
                if (!e.reason.isEmpty())
                    b.localCloseReason = e.reason;
                b.closeSentNs = e.timeNs;
                b.closeTimeoutMs = !e.flag && e.seconds > 0 ? qint64(e.seconds * 1000 + 0.5) : -1;
            }
            break;
        case K::CloseReceived:
            if (state == SessionState::Closed)
                break;
            // The reference resets the remote code and reason before it checks them; a close
            // it rejects (an invalid code) leaves both unset, and it fails the connection.
            b.remoteCloseCode.reset();
            b.remoteCloseReason.reset();
            if (e.flag) {
                b.closeRejected = true;
                b.rejectedCloseCode = e.code;
            } else {
                b.remoteCloseCode = e.code;
                if (!e.reason.isEmpty())
                    b.remoteCloseReason = QString::fromUtf8(e.reason);
            }
            if (b.closeReceivedNs < 0)
                b.closeReceivedNs = e.timeNs;
            if (e.seconds > 0 && b.dropTimerNs < 0) {
                b.dropTimerNs = e.timeNs;
                b.dropTimeoutMs = qint64(e.seconds * 1000 + 0.5);
            }
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
        case K::TlsHandshakeFailed:
            b.tlsFailure = e.text;
            if (!b.wasNotCleanReason)
                b.wasNotCleanReason = u"TLS handshake failed: "_s + e.text;
            break;
        case K::TlsCloseNotify:
            if (!e.flag)
                b.peerClosedTls = true;
            break;
        case K::ProxyFailed:
            // The proxy leg failed: there was never a connection to the server (a connect error).
            if (!b.wasNotCleanReason)
                b.wasNotCleanReason = u"proxy failed: "_s + e.text;
            break;
        case K::HalfClosed:
            if (!b.halfClosed) {
                b.halfClosed = true;
                if (e.seconds > 0 && b.dropTimerNs < 0) {
                    b.dropTimerNs = e.timeNs;
                    b.dropTimeoutMs = qint64(e.seconds * 1000 + 0.5);
                }
            }
            break;
        case K::TcpClosed:
            if (b.tcpClosed)
                break;
            b.tcpClosed = true;
            b.tcpClosedNs = e.timeNs;
            b.tcpEnd = e.tcpEnd;
            b.tcpEndText = e.text;
            b.state = SessionState::Closed;
            if (e.tcpEnd == TcpEnd::NoConnection) {
                // The last error said why (refused, unknown host, invalid URL).
                b.connectError = b.wasNotCleanReason.value_or(e.text);
            }
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
        return {CloseVerdict::Failed, u"The WebSocket opening handshake was never completed!"_s};
    if (expected.closedByMe != b.closedByMe)
        return {CloseVerdict::Failed, u"The connection was failed by the wrong endpoint"_s};
    if (expected.requireClean && !b.wasClean)
        return {CloseVerdict::Unclean,
                u"The spec requires the connection to be failed cleanly here"_s};
    if (b.remoteCloseCode && !expected.closeCodes.isEmpty() &&
        !expected.closeCodes.contains(*b.remoteCloseCode)) {
        QStringList codes;
        for (int code : expected.closeCodes)
            codes << QString::number(code);
        return {CloseVerdict::WrongCode,
                u"The close code should have been "_s + codes.join(u',') + u" or empty"_s};
    }
    if (!b.isServer && b.droppedByMe)
        return {CloseVerdict::FailedByClient,
                u"It is preferred that the server close the TCP connection"_s};
    return {CloseVerdict::Ok, u"Connection was properly closed"_s};
}

ClosingProgress closingProgress(const ClosingBehavior &b, qint64 nowNs)
{
    using P = ClosingProgress::Phase;
    ClosingProgress p;
    const auto timer = [&p, nowNs](qint64 startNs, qint64 timeoutMs) {
        if (startNs < 0 || timeoutMs <= 0)
            return;
        p.timeoutMs = timeoutMs;
        p.elapsedMs = std::clamp<qint64>((nowNs - startNs) / 1000000, 0, timeoutMs);
    };
    if (b.tcpClosed || b.state == SessionState::Closed) {
        p.phase = P::Closed;
        return p;
    }
    switch (b.state) {
    case SessionState::Idle:
        p.phase = P::NotStarted;
        break;
    case SessionState::Connecting:
        p.phase = P::Connecting;
        timer(b.connectingNs, b.openTimeoutMs);
        break;
    case SessionState::Open:
        p.phase = b.halfClosed ? P::HalfClosed : P::Open;
        if (b.halfClosed)
            timer(b.dropTimerNs, b.dropTimeoutMs);
        break;
    case SessionState::Closing:
        if (b.closeSentNs >= 0 && b.closeReceivedNs >= 0) {
            p.phase = P::WaitingForDrop;
            timer(b.dropTimerNs, b.dropTimeoutMs);
        } else if (b.closeSentNs >= 0) {
            p.phase = P::WaitingForClose;
            timer(b.closeSentNs, b.closeTimeoutMs);
        } else {
            p.phase = P::WaitingForDrop;
        }
        break;
    case SessionState::Closed:
        p.phase = P::Closed;
        break;
    }
    return p;
}

QString tcpEndDescription(const ClosingBehavior &b)
{
    if (!b.tcpClosed)
        return u"open"_s;
    if (b.connectError)
        return u"no connection: "_s + *b.connectError;
    if (b.tlsFailure)
        return u"TLS handshake failed: "_s + *b.tlsFailure;
    if (b.tcpEnd == TcpEnd::PeerFin && b.halfClosed)
        return u"the server closed TCP (FIN) after our half-close"_s;
    if (b.tcpEnd == TcpEnd::Unknown)
        return b.droppedByMe ? u"we dropped TCP"_s : u"the server dropped TCP"_s;
    return tcpEndText(b.tcpEnd, b.tcpEndText);
}

QString closingProgressText(const ClosingProgress &p)
{
    using P = ClosingProgress::Phase;
    QString text;
    switch (p.phase) {
    case P::NotStarted:
        return u"not connected"_s;
    case P::Connecting:
        text = u"connecting: waiting for the opening handshake"_s;
        break;
    case P::Open:
        return u"open"_s;
    case P::HalfClosed:
        text = u"half-closed: waiting for the server to drop TCP"_s;
        break;
    case P::WaitingForClose:
        text = u"waiting for the server's close"_s;
        break;
    case P::WaitingForDrop:
        text = u"waiting for the server to drop TCP"_s;
        break;
    case P::Closed:
        return u"closed"_s;
    }
    if (p.timeoutMs > 0)
        text += u", "_s + QString::number(p.elapsedMs) + u" of "_s + QString::number(p.timeoutMs) +
                u" ms"_s;
    return text;
}

namespace {

// The close codes a correct server answers a frame of ours that breaks `rules` with.
QList<int> failCodesFor(Violations rules)
{
    QList<int> codes;
    for (Violation v : violationList(rules)) {
        // A close reason that is not UTF-8 may be answered as a protocol error too (7.5.1).
        const QList<int> accepted = v == Violation::InvalidUtf8CloseReason
                                        ? QList<int>{1002, 1007}
                                        : QList<int>{violationCloseCode(v)};
        for (int code : accepted) {
            if (!codes.contains(code))
                codes << code;
        }
    }
    if (codes.isEmpty())
        codes << 1002;
    return codes;
}

bool isCloseApiCode(const std::optional<int> &code)
{
    // RFC 6455 §7.4: what an endpoint may send; 1005, 1006 and 1015 never go on the wire.
    if (!code)
        return true;
    const int c = *code;
    return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

} // namespace

SessionExpectation sessionExpectation(const Trace &trace, const ClosingBehavior &b)
{
    using Row = SessionExpectation::Row;
    SessionExpectation x;
    if (!b.tcpClosed) {
        x.row = Row::NotClosed;
        return x;
    }
    if (!b.wasOpen) {
        x.row = b.connectError ? Row::NoConnection
                : b.tlsFailure ? Row::TlsFailed
                               : Row::HandshakeFailed;
        return x;
    }
    // The first decisive thing that happened while OPEN says who started the end, and how.
    bool open = false;
    bool failing = false;
    Violations pendingBreak;
    qint64 pendingFrame = -1;
    const auto &frames = trace.frames();
    const auto &events = trace.events();
    for (const Trace::Entry &entry : trace.entries()) {
        if (entry.type == RecordKind::Frame) {
            const FrameRecord &f = frames[entry.index];
            if (!open || f.direction != Direction::Tx || f.violations == Violation::None)
                continue;
            if (pendingFrame >= 0) { // a rule-breaking frame, then another: the first decides
                x.row = Row::OurRuleBreak;
                break;
            }
            pendingBreak = f.violations;
            pendingFrame = entry.index;
            // A close sent through the close API records its frame first, then CloseSent.
            if (f.opcode != 8) {
                x.row = Row::OurRuleBreak;
                break;
            }
            continue;
        }
        if (entry.type != RecordKind::Event)
            continue;
        const TraceEvent &e = events[entry.index];
        using K = TraceEvent::Kind;
        if (e.kind == K::StateChanged && e.state == SessionState::Open) {
            open = true;
            continue;
        }
        if (!open)
            continue;
        if (pendingFrame >= 0 && e.kind != K::CloseSent) {
            x.row = Row::OurRuleBreak; // a raw close frame (the composer's), not the close API
            break;
        }
        bool decided = true;
        switch (e.kind) {
        case K::FailedByMe:
            failing = true;
            decided = false;
            break;
        case K::CloseSent:
            if (e.flag) { // a reply: the server's close came first (recorded before it)
                decided = false;
                break;
            }
            if (pendingFrame >= 0 || !isCloseApiCode(e.code))
                x.row = Row::OurInvalidClose;
            else
                x.row = failing ? Row::OurFail : Row::OurClose;
            break;
        case K::CloseReceived:
            x.row = e.flag ? Row::ServerInvalidClose : Row::ServerClose;
            break;
        case K::HalfClosed:
            x.row = Row::HalfClose;
            break;
        case K::DroppedByMe:
            x.row = Row::OurDrop;
            break;
        case K::TcpClosed:
        case K::TlsCloseNotify:
            x.row = Row::ServerDrop;
            break;
        default:
            decided = false;
            break;
        }
        if (decided)
            break;
    }
    if (pendingFrame >= 0) {
        x.ruleBreak = pendingBreak;
        x.ruleBreakFrame = pendingFrame;
    }
    ExpectedClose &ex = x.expected;
    switch (x.row) {
    case Row::OurClose:
    case Row::OurFail: {
        // A correct server echoes our code or answers 1000, then drops TCP. After our fail it
        // may also just drop: the connection is failed either way.
        ex.closedByMe = true;
        ex.closeCodes = {1000};
        if (b.localCloseCode && *b.localCloseCode != 1000)
            ex.closeCodes << *b.localCloseCode;
        ex.requireClean = x.row == Row::OurClose;
        break;
    }
    case Row::OurInvalidClose:
        // The server must fail the connection: 1002 (1007 for a reason that is not UTF-8),
        // or drop TCP.
        ex.closedByMe = true;
        ex.closeCodes = pendingFrame >= 0 ? failCodesFor(x.ruleBreak) : QList<int>{1002};
        ex.requireClean = false;
        break;
    case Row::OurRuleBreak:
        ex.closedByMe = false;
        ex.closeCodes = failCodesFor(x.ruleBreak);
        ex.requireClean = false;
        break;
    case Row::ServerClose:
        // Any valid code; we answer, and the server drops TCP.
        ex.closedByMe = false;
        ex.closeCodes = {};
        ex.requireClean = true;
        break;
    case Row::ServerDrop:
        ex.closedByMe = false;
        ex.closeCodes = {};
        ex.requireClean = true;
        break;
    default:
        break;
    }
    return x;
}

ClosingVerdict sessionClosingVerdict(const Trace &trace, const ClosingBehavior &b,
                                     const ExpectedCloseOverride &override, qint64 nowNs)
{
    using Row = SessionExpectation::Row;
    if (!b.tcpClosed) {
        const qint64 now = nowNs >= 0 ? nowNs : trace.lastTimeNs();
        return {CloseVerdict::Pending,
                u"Not closed yet: "_s + closingProgressText(closingProgress(b, now))};
    }
    const SessionExpectation x = sessionExpectation(trace, b);
    const auto judged = [&b, &override](ExpectedClose expected) {
        if (override.closedByMe)
            expected.closedByMe = *override.closedByMe;
        if (override.closeCodes)
            expected.closeCodes = *override.closeCodes;
        if (override.requireClean)
            expected.requireClean = *override.requireClean;
        ClosingVerdict v = closingVerdict(b, expected);
        if (v.verdict == CloseVerdict::Unclean)
            v.text = u"The close handshake did not complete cleanly ("_s +
                     b.wasNotCleanReason.value_or(u"None"_s) + u')';
        return v;
    };
    QString breaks;
    for (Violation v : violationList(x.ruleBreak))
        breaks += (breaks.isEmpty() ? QString() : u", "_s) + violationName(v);
    switch (x.row) {
    case Row::NotClosed:
        break;
    case Row::NoConnection:
        return {CloseVerdict::Failed, u"No connection: "_s + b.connectError.value_or(b.tcpEndText)};
    case Row::TlsFailed:
        return {CloseVerdict::Failed,
                u"TLS handshake failed: "_s + b.tlsFailure.value_or(QString())};
    case Row::HandshakeFailed:
        return {CloseVerdict::Failed, u"The WebSocket opening handshake was never completed ("_s +
                                          b.wasNotCleanReason.value_or(u"None"_s) + u')'};
    case Row::OurDrop:
        if (!override.isEmpty())
            return judged(x.expected);
        return {CloseVerdict::Informational,
                u"We dropped TCP before any close frame: there is no server close to judge"_s};
    case Row::HalfClose:
        if (!override.isEmpty())
            return judged(x.expected);
        if (tcpEndedByPeer(b.tcpEnd) && !b.droppedByMe)
            return {CloseVerdict::Ok, u"The server closed the connection after our half-close"_s};
        return {CloseVerdict::Unclean,
                u"The server did not close the connection after our half-close (in time)"_s};
    case Row::ServerInvalidClose:
        if (!override.isEmpty())
            return judged(x.expected);
        return {CloseVerdict::Failed,
                u"The server's close frame breaks a rule (invalid close code "_s +
                    (b.rejectedCloseCode ? QString::number(*b.rejectedCloseCode) : u"?"_s) +
                    u"); we failed the connection"_s};
    case Row::OurRuleBreak:
    case Row::OurInvalidClose: {
        ClosingVerdict v = judged(x.expected);
        if (v.verdict == CloseVerdict::Failed && b.closedByMe && !x.expected.closedByMe)
            v.text = u"The server did not fail the connection after our frame that breaks a "
                     u"rule ("_s +
                     breaks + u')';
        return v;
    }
    case Row::OurClose:
    case Row::OurFail:
    case Row::ServerClose:
    case Row::ServerDrop: {
        ClosingVerdict v = judged(x.expected);
        if (x.row == Row::ServerDrop && v.verdict == CloseVerdict::Unclean && override.isEmpty()) {
            v.text = b.tcpEnd == TcpEnd::PeerReset
                         ? u"The server reset the connection (RST) without a close handshake"_s
                     : b.peerClosedTls
                         ? u"The server ended the TLS session without a close handshake"_s
                         : u"The server dropped TCP without a close handshake"_s;
        }
        return v;
    }
    }
    return {CloseVerdict::Failed, u"No verdict"_s};
}

} // namespace wsi
