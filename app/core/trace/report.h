// SPDX-License-Identifier: MIT
#pragma once

#include "trace/closing.h"
#include "trace/trace.h"
#include "trace/verdict.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace wsi {

// What a report shows besides the trace. Case fields stay empty for a manual session.
struct ReportInput
{
    const Trace *trace = nullptr;
    ClosingBehavior closing;
    ClosingVerdict closingVerdict;
    QString agent;                   // the server's name (its Server: header by default)
    QString caseId;                  // "2.2"; empty for a manual session
    int caseIndex = 0;               // 1-based ("case" in the JSON)
    QString description;             // Case Description
    QString expectation;             // Case Expectation
    std::optional<Verdict> behavior; // content verdict; none for a manual session
    QString result;       // content text, e.g. "Actual events match at least one expected."
    QString expectedText; // str() of the expected map, already rendered
    QString observedText; // str() of the observed list
    QJsonObject expectedJson;
    QJsonArray receivedJson;
    QJsonObject expectedCloseJson;
    qint64 durationMs = 0; // from OPEN to TCP loss
    bool reportTime = false;
};

// The plain-text report in the seeds' layout: title line, (case description, expectation,
// outcome with Expected/Observed), Case Closing Behavior, Opening Handshake, Closing Behavior
// table with descriptions, Wire Statistics (four tables with totals), Wire Log (NNN lines wrapped
// at 100 columns, continuation lines indented by 15 spaces).
// Lines from the network or a file (status line, headers, payloads, close reasons, the agent,
// a scenario's texts) have their control characters escaped (escapeControls(), textescape.h).
// writeTextReport() writes it to `out` as it goes, so its memory does not grow with the trace;
// false when a write failed.
[[nodiscard]] bool writeTextReport(const ReportInput &input, QIODevice &out);
[[nodiscard]] QString textReport(const ReportInput &input);

// The same with the key names of Autobahn's per-case JSON (docs/reports.md §5.1): agent, id, case,
// description, expectation, started, duration, reportTime, behavior, behaviorClose, result,
// resultClose, expected, expectedClose, received, wirelog, createWirelog, createStats,
// rxOctetStats, txOctetStats, rxFrameStats, txFrameStats, httpRequest, httpResponse, trafficStats,
// and the 13 closing fields (isServer, closedByMe, …, remoteCloseReason; None → null).
// writeJsonReport() writes it as QJsonDocument::toJson(Indented) would (keys sorted, four spaces
// an indentation level), entry by entry, so its memory does not grow with the trace either.
[[nodiscard]] bool writeJsonReport(const ReportInput &input, QIODevice &out);
[[nodiscard]] QJsonObject jsonReport(const ReportInput &input);

// The four statistics tables as text, e.g. for the window's copy action.
[[nodiscard]] QString statisticsText(const WireStatistics &stats);

// The raw opening request and response heads recorded in the trace (for httpRequest/httpResponse).
[[nodiscard]] QString handshakeRequestText(const Trace &trace);
[[nodiscard]] QString handshakeResponseText(const Trace &trace);
// permessage-deflate as the reports say it: "permessage-deflate (server: …); wire/application
// octets in 0.312, out 0.298" (empty when not agreed), and its JSON form (null when not agreed).
[[nodiscard]] QString deflateSummary(const Trace &trace);
[[nodiscard]] QJsonValue deflateJson(const Trace &trace);

// A case's description or expectation as the seeds print it: the library keeps the reference's
// HTML fragments (<br> line breaks, <b>, source indentation); this is what a browser shows, with
// each <br> as a line break.
[[nodiscard]] QString plainCaseText(const QString &html);

// The server's `Server:` response header (the report's default agent); empty when absent.
[[nodiscard]] QString serverHeaderOf(const Trace &trace);
// Whether a TCP connection was ever made.
[[nodiscard]] bool everConnected(const Trace &trace);
// Why no connection could be made ("Connection refused", "connection timed out", …).
[[nodiscard]] QString connectErrorOf(const Trace &trace);

} // namespace wsi
