// SPDX-License-Identifier: MIT
#pragma once

#include "suite/cases.h"
#include "trace/report.h"
#include "trace/wirelog.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace wsi {

// The report of one case run: its verdicts, texts and renderings of expected and observed events,
// plus the trace (which must outlive the ReportInput). Works for a skipped case too (no trace).
[[nodiscard]] ReportInput reportInputFor(const CaseResult &result);

// The Autobahn per-case JSON (docs/reports.md §5.1) of a case run: jsonReport() of
// reportInputFor(), with `createWirelog` as the case left it and `started` from the run; for
// 12.x/13.x "reportCompressionRatio": true and "trafficStats" (null unless the case ended OK).
[[nodiscard]] QJsonObject caseJsonReport(const CaseResult &result);

// The compression ratios of the overview's detail line (12.x, 13.x): " [in/out]", each with
// three decimals, "-" where there is none (no data message in that direction): " [0.262/-]".
// Shown only for a case that ended OK, as the reference copies its traffic statistics then.
[[nodiscard]] QString compressionRatioText(std::optional<double> incoming,
                                           std::optional<double> outgoing);

// The per-case HTML page in the seeds' layout: title line, Case Description / Expectation /
// Outcome (Expected:, Observed:), Case Closing Behavior, Opening Handshake, Closing Behavior
// table, Wire Statistics, Wire Log with the reference's CSS classes (docs/reports.md §4.1). One
// self-contained document (inline CSS, no scripts, no external resources); every text from the
// trace or the peer is HTML-escaped. Without a case id (a manual session) the case sections are
// left out.
[[nodiscard]] QString htmlReport(const ReportInput &input);

// Autobahn's file naming (fuzzing.py, cleanForFilename / makeAgentCaseReportFilename): the agent
// lowercased, every character other than a–z and 0–9 replaced by a space, trimmed, spaces → '_';
// then "_case_" and the case id with dots → underscores (safeCaseId). "AutobahnServer/0.4.10",
// "2.2", "json" → "autobahnserver_0_4_10_case_2_2.json".
[[nodiscard]] QString cleanForFilename(const QString &text);
// The case id in file names and anchors: "1.2.3" → "1_2_3", as the reference does. A user's own
// case id may hold anything, so every other character outside [A-Za-z0-9_-] becomes '_' too: no
// path separator, ".." or quote reaches a file name or an HTML attribute.
[[nodiscard]] QString safeCaseId(const QString &caseId);
[[nodiscard]] QString caseReportFileName(const QString &agent, const QString &caseId,
                                         const QString &extension);

// One cell of the master table: its text and the reference's CSS class.
struct ReportCell
{
    QString text;
    QString cssClass;
    friend bool operator==(const ReportCell &, const ReportCell &) = default;
};

// The content cell (docs/reports.md §2.1): the verdict's cell word (Pass, Non-Strict, Fail, Info,
// Unimplemented) or Missing when there is no result; its class by the verdict's tone.
[[nodiscard]] ReportCell behaviorCell(std::optional<Verdict> behavior);
// The close cell (docs/reports.md §2.2): remoteCloseCode (None when absent) for OK, FAILED BY
// CLIENT, WRONG CODE and INFORMATIONAL; "Unclean" for UNCLEAN; "Fail" otherwise.
[[nodiscard]] ReportCell closeCell(CloseVerdict behaviorClose, std::optional<int> remoteCloseCode);
// The report class of a verdict tone: case_ok, case_almost, case_non_strict, case_info,
// case_failed, case_unimplemented.
[[nodiscard]] QString verdictCssClass(VerdictTone tone);

// index.json: agent → case id → {behavior, behaviorClose, remoteCloseCode, duration, reportfile}.
// A case that did not run (CaseResult::skipped) is listed under the run's agent as FAILED/FAILED
// with "reportfile": null and its reason in "skipped"; it has no per-case files.
[[nodiscard]] QJsonObject indexJson(const QList<CaseResult> &results);

// index.html: the master table, one row per case, grouped by the library's groups, one pair of
// columns (content, close) per agent; each cell links to the case's page; a case that did not
// run shows Missing with its reason. Then the descriptions and expectations of the cases.
[[nodiscard]] QString indexHtml(const QList<CaseResult> &results);

// Writing a report directory. Every file is replaced atomically (QSaveFile). Each returns an
// error text naming the file or directory, empty on success.
[[nodiscard]] QString prepareReportDirectory(const QString &dir);
// The case's JSON and HTML files (nothing for a case that did not run).
[[nodiscard]] QString writeCaseReport(const QString &dir, const CaseResult &result);
// index.json and index.html.
[[nodiscard]] QString writeReportIndex(const QString &dir, const QList<CaseResult> &results);

} // namespace wsi
