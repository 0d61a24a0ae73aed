// SPDX-License-Identifier: MIT
#pragma once

#include "session/peerevent.h"
#include "session/step.h"
#include "trace/closing.h"
#include "trace/inflation.h"
#include "trace/trace.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>

namespace wsi {

// One entry of a case's `expected` map: a verdict (OK, NON-STRICT) and the ordered list of
// events that earns it (docs/cases.md §2.3). The map keeps its declaration order.
struct ExpectedEvents
{
    Verdict verdict = Verdict::Ok;
    PeerEventList events;
};

// How a case judges the content (docs/cases.md §3.2). Events: equality with one of the expected
// lists.
enum class CaseLogic : quint8 {
    Events,
    TimedEcho,  // 9.1–9.6: one message, its echo must come back with the same type and length
    RoundTrips, // 9.7, 9.8: `roundTrips` messages one after another, each echo awaited
    // 12.x, 13.x: `roundTrips` slices of a corpus with permessage-deflate, each echo checked by
    // type, length and SHA-1; UNIMPLEMENTED when the server did not accept the extension
    DeflateEchoes,
};

// Per-case overrides of the verdicts, applied after the closing verdict (docs/cases.md §3.4).
enum class CaseOverride : quint8 {
    None,
    WrongCodeFails,   // 7.1.1–7.1.5, 7.3.x, 7.5.1, 7.7.x, 7.9.x: WRONG CODE → content FAILED
    Informational716, // 7.1.6: both verdicts INFORMATIONAL, text by the matched set
    Undefined,        // 7.13.x: both INFORMATIONAL, "Actual events are undefined by the spec."
};

// What makes a sequence of steps a case: its name and how it is judged. A scenario file's "case"
// part is exactly this (docs/scenario.md, "The case part"); the scenario itself holds the
// description, the steps and the close expectation.
struct CaseRules
{
    QString id;                     // "6.4.1"; a user's own case may use any non-empty id
    QString expectation;            // report string ("Case Expectation")
    QList<ExpectedEvents> expected; // in declaration order
    bool suppressClose = false; // no automatic close after the expected events (docs/cases.md §2.4)
    CaseOverride override = CaseOverride::None;

    // 9.x: the message sent (pattern repeated to `messageLength` octets), how it is framed and
    // how long the case waits (closeAfter WAITSECS). The wire log is off from OPEN to the echo.
    CaseLogic logic = CaseLogic::Events;
    QByteArray messagePattern;
    qint64 messageLength = 0;
    bool messageBinary = false;
    int fragmentSize = 0;
    int chopSize = 0;
    int roundTrips = 0;
    int waitSeconds = 0;
    bool reportTime = false;

    // 10.1.1: the case checks its own TX frame counts for these opcodes when the connection ends.
    CountMap expectedTxFrames;

    // 12.x, 13.x (DeflateEchoes): the Sec-WebSocket-Extensions offers, in preference order, one
    // element each ("permessage-deflate; client_no_context_takeover; client_max_window_bits");
    // the corpus (suite/corpora.h) whose next `messageLength` octets, read as a ring, make each
    // message; `fragmentSize` is the reference's autoFragmentSize. The reports show the
    // compression ratios [in/out] (docs/cases.md §4.11).
    QStringList extensionOffers;
    QString corpus;
    bool reportCompressionRatio = false;
};

// A case of the library (or a scenario's): the rules plus what a scenario holds itself.
struct CaseDefinition : CaseRules
{
    QString description; // report string ("Case Description")
    StepList steps;      // run when the connection is OPEN (the case's onOpen)
    ExpectedClose expectedClose;
};

// The library: groups 1–7, 9, 10, 12 and 13 of docs/cases.md §1.1, in the reference's order
// (so a case's 1-based position is its "case" number).
[[nodiscard]] const QList<CaseDefinition> &caseLibrary();
// The 1-based position of a case in the library, 0 when unknown.
[[nodiscard]] int caseIndex(const QString &id);
[[nodiscard]] const CaseDefinition *findCase(const QString &id);
// The group a case belongs to and its title, e.g. ("1.1", "Text Messages"), ("6.5", "…").
[[nodiscard]] QString caseGroupTitle(const QString &groupId);

// Selects cases by patterns: "1.*", "6.4.1", "9.*.2", "*"; '*' matches any run of characters.
// `error` names a pattern that matches nothing, with close matches; empty on success.
[[nodiscard]] QList<const CaseDefinition *>
selectCases(const QStringList &patterns, const QStringList &excludes, QString *error);

// The content verdict (docs/cases.md §3.1, §3.2) and the closing verdict with the per-case
// overrides (docs/cases.md §3.3, §3.4).
struct CaseVerdict
{
    Verdict behavior = Verdict::Failed;
    QString result;         // "Actual events match at least one expected."
    ClosingVerdict closing; // behaviorClose, resultClose
};

// What one run of a case observed besides the trace.
struct CaseObservation
{
    PeerEventList received;
    // TimedEcho / RoundTrips / DeflateEchoes: the case's own verdict; none = not decided
    // (timeout).
    std::optional<Verdict> customBehavior;
    QString customResult;
    CountMap txFrameCounts;
    // 12.x, 13.x: the session's own compression counts (ClientSession::deflateCounts()); none
    // for a result read back from a capture, whose trace then gives them.
    std::optional<DeflateStatistics> deflate;
};

[[nodiscard]] CaseVerdict evaluateCase(const CaseDefinition &def, const CaseObservation &seen,
                                       const ClosingBehavior &closing);

// Python 2 str() renderings used by the reports (docs/reports.md §1.2): payloads through
// asciiLogData, strings as u'…'; cut to 1000 characters (996 + " ...").
[[nodiscard]] QString renderExpected(const CaseDefinition &def);
[[nodiscard]] QString renderObserved(const PeerEventList &events);
// The JSON forms (docs/reports.md §5.1): expected {verdict: [[kind, payload, binary], …]}, received
// [[…], …], expectedClose {closedByMe, closeCode, requireClean}.
[[nodiscard]] QJsonObject expectedJson(const CaseDefinition &def);
[[nodiscard]] QJsonArray receivedJson(const PeerEventList &events);
[[nodiscard]] QJsonObject expectedCloseJson(const ExpectedClose &expected);

// The outcome of one case run.
struct CaseResult
{
    const CaseDefinition *definition = nullptr;
    // A definition that is not the library's (one read back from a capture): kept alive with
    // every copy of the result, `definition` points to it.
    std::shared_ptr<const CaseDefinition> ownDefinition;
    int index = 0; // "case": 1-based position in the library
    QString agent;
    QDateTime started;     // UTC
    qint64 durationMs = 0; // OPEN to TCP loss (docs/reports.md §1.3)
    CaseObservation observation;
    ClosingBehavior closing;
    CaseVerdict verdict;
    std::shared_ptr<const Trace> trace;
    QString serverHeader; // the server's Server: header (agent default)
    QString connectError; // no TCP connection could be made (then verdict FAILED)
    QString skipped;      // why the case did not run (cancelled, server unreachable)
    [[nodiscard]] bool ran() const { return skipped.isEmpty(); }
};

} // namespace wsi
