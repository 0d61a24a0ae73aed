// SPDX-License-Identifier: MIT
#pragma once

#include "trace.h"

#include <QList>
#include <QString>

#include <optional>

namespace wsi {

// The 13 closing-behaviour fields of autobahn-semantics.md §2.2, derived from a trace.
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
    bool wasOpen = false;          // the WebSocket reached OPEN
    bool tcpClosed = false;        // the connection is over
    qint64 closeSentNs = -1;       // first close frame sent through the close API
    qint64 closeReceivedNs = -1;   // first close frame received
    qint64 tcpClosedNs = -1;
    qint64 openedNs = -1;

    // The report's duration (autobahn-semantics.md §2.6): from OPEN to TCP loss, in ms; 0 while
    // either is unknown.
    [[nodiscard]] qint64 durationMs() const
    {
        return openedNs >= 0 && tcpClosedNs >= 0 ? (tcpClosedNs - openedNs) / 1000000 : 0;
    }
};

// Replays the trace's events with the reference client's rules (§2.1–§2.4).
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

// What the case (or the user) expects of the close (§2.5).
struct ExpectedClose
{
    bool closedByMe = true;
    QList<int> closeCodes = {1000}; // empty: any code is accepted
    bool requireClean = true;
    bool closedByWrongEndpointIsFatal = false;
};

struct ClosingVerdict
{
    QString verdict; // OK, FAILED, UNCLEAN, WRONG CODE, FAILED BY CLIENT, INFORMATIONAL
    QString text;    // resultClose, e.g. "Connection was properly closed"
};

// §2.5 steps 1–6, first match wins.
[[nodiscard]] ClosingVerdict closingVerdict(const ClosingBehavior &behavior,
                                            const ExpectedClose &expected);

} // namespace wsi
