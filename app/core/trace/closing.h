// SPDX-License-Identifier: MIT
#pragma once

#include "trace/trace.h"
#include "trace/verdict.h"

#include <QList>
#include <QString>

#include <optional>

namespace wsi {

// The 13 closing-behaviour fields of docs/closing.md §1, derived from a trace.
struct ClosingBehavior
{
    bool isServer = false;
    bool closedByMe = false;
    bool failedByMe = false;
    bool droppedByMe = false;
    bool wasClean = false;
    std::optional<QString> wasNotCleanReason; // nullopt prints as None
    bool wasServerConnectionDropTimeout = false;
    bool wasOpenHandshakeTimeout = false;
    bool wasCloseHandshakeTimeout = false;
    std::optional<int> localCloseCode;
    std::optional<QByteArray> localCloseReason;
    std::optional<int> remoteCloseCode;
    std::optional<QString> remoteCloseReason;

    // Facts the verdict and the timing panel need.
    bool wasOpen = false;        // the WebSocket reached OPEN
    bool tcpClosed = false;      // the connection is over
    qint64 closeSentNs = -1;     // first close frame sent through the close API
    qint64 closeReceivedNs = -1; // first close frame received
    qint64 tcpClosedNs = -1;
    qint64 openedNs = -1;

    // Facts beyond the 13 fields: who ended what, and the timers the trace says were running.
    SessionState state = SessionState::Idle; // the last state recorded
    TcpEnd tcpEnd = TcpEnd::Unknown;
    QString tcpEndText;                   // the TcpClosed event's text
    std::optional<QString> connectError;  // there never was a TCP connection: why
    std::optional<QString> tlsFailure;    // the TLS handshake failed: why
    bool halfClosed = false;              // we shut down our sending side
    bool peerClosedTls = false;           // the server sent close_notify
    bool closeRejected = false;           // the server's close carried an invalid code
    std::optional<int> rejectedCloseCode; // … this one
    qint64 connectingNs = -1;             // CONNECTING began: the opening-handshake timer
    qint64 openTimeoutMs = -1;
    qint64 closeTimeoutMs = -1; // the close-handshake timer (from closeSentNs)
    qint64 dropTimerNs = -1;    // the server-drop timer began
    qint64 dropTimeoutMs = -1;

    // The report's duration (docs/reports.md §1.3): from OPEN to TCP loss, in ms; 0 while
    // either is unknown.
    [[nodiscard]] qint64 durationMs() const
    {
        return openedNs >= 0 && tcpClosedNs >= 0 ? (tcpClosedNs - openedNs) / 1000000 : 0;
    }
};

// Replays the trace's events with the reference client's rules (docs/closing.md §1–§3).
[[nodiscard]] ClosingBehavior analyzeClosing(const Trace &trace);

// The field names and descriptions of the report's "Closing Behavior" table, in its order.
struct ClosingField
{
    const char *key;
    const char *description; // report string, as in the seeds
};
[[nodiscard]] QList<ClosingField> closingFields();
// The value of a field as the reference report prints it (Python str(): True/False/None).
[[nodiscard]] QString closingFieldValue(const ClosingBehavior &behavior, const char *key);

// What the case (or the user) expects of the close (docs/closing.md §7.1).
struct ExpectedClose
{
    bool closedByMe = true;
    QList<int> closeCodes = {1000}; // empty: any code is accepted
    bool requireClean = true;
    bool closedByWrongEndpointIsFatal = false;
};

struct ClosingVerdict
{
    CloseVerdict verdict = CloseVerdict::Pending; // behaviorClose
    QString text; // resultClose, e.g. "Connection was properly closed"
};

// docs/closing.md §7.2, rules 1–6, first match wins.
[[nodiscard]] ClosingVerdict closingVerdict(const ClosingBehavior &behavior,
                                            const ExpectedClose &expected);

// What the connection is waiting for while it is not CLOSED (the closing panel's line, and the
// report's closing line of a connection exported while still open).
struct ClosingProgress
{
    enum class Phase : quint8 {
        NotStarted,
        Connecting, // timer: the opening handshake
        Open,
        HalfClosed,      // timer: the server's drop after our half-close
        WaitingForClose, // we sent the first close; timer: the close handshake
        WaitingForDrop,  // the close frames are exchanged; timer: the server's drop (if we
                         // replied to the server's close, none runs, as in the reference)
        Closed,
    };
    Phase phase = Phase::NotStarted;
    qint64 elapsedMs = -1; // of the running timer; -1 when none runs
    qint64 timeoutMs = -1;
};
// `nowNs` is the session clock now (trace times are relative to the session start).
[[nodiscard]] ClosingProgress closingProgress(const ClosingBehavior &behavior, qint64 nowNs);
// How TCP ended, in English for reports: "the server closed TCP (FIN)", "no connection: …".
[[nodiscard]] QString tcpEndDescription(const ClosingBehavior &behavior);
// English, for reports: "waiting for the server's close, 320 of 1000 ms".
[[nodiscard]] QString closingProgressText(const ClosingProgress &progress);

// A free session (the window, `send`: no library case) is judged by RFC 6455 against what we
// actually did, not by a case's "we close with 1000" (docs/closing.md has the table).
struct SessionExpectation
{
    enum class Row : quint8 {
        NotClosed,          // no verdict yet
        NoConnection,       // no TCP connection existed
        TlsFailed,          // TCP, but the TLS handshake failed
        HandshakeFailed,    // the WebSocket opening handshake failed or timed out
        OurClose,           // we sent the first close, with a valid code (or none)
        OurFail,            // we failed the connection (our violation check, Fail, a fail timer)
        OurInvalidClose,    // we sent the first close, and it breaks a rule (code, reason)
        OurRuleBreak,       // we sent a frame that breaks a rule, before any close
        ServerClose,        // the server sent the first close
        ServerInvalidClose, // … and its close code is invalid: we failed the connection
        ServerDrop,         // the server ended TCP (or TLS) without any close frame
        OurDrop,            // we dropped TCP before any close frame
        HalfClose,          // we shut down our sending side before any close frame
    };
    Row row = Row::NotClosed;
    ExpectedClose expected;     // the rows judged by docs/closing.md §7.2
    Violations ruleBreak;       // OurRuleBreak, OurInvalidClose: what our frame breaks
    qint64 ruleBreakFrame = -1; // index into trace.frames()
};
[[nodiscard]] SessionExpectation sessionExpectation(const Trace &trace,
                                                    const ClosingBehavior &behavior);

// What a user states instead (a scenario's `expectClose`, the CLI's --expect options): each
// field set replaces the derived one, and the rules of docs/closing.md §7.2 judge.
struct ExpectedCloseOverride
{
    std::optional<bool> closedByMe;
    std::optional<QList<int>> closeCodes;
    std::optional<bool> requireClean;
    [[nodiscard]] bool isEmpty() const { return !closedByMe && !closeCodes && !requireClean; }
    [[nodiscard]] static ExpectedCloseOverride from(const ExpectedClose &e)
    {
        return {e.closedByMe, e.closeCodes, e.requireClean};
    }
};

// The free session's closing verdict; PENDING (with the progress text) until CLOSED.
[[nodiscard]] ClosingVerdict sessionClosingVerdict(const Trace &trace,
                                                   const ClosingBehavior &behavior,
                                                   const ExpectedCloseOverride &override = {},
                                                   qint64 nowNs = -1);

} // namespace wsi
