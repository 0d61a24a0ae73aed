// SPDX-License-Identifier: MIT
#pragma once

#include "session/session.h"
#include "suite/cases.h"
#include "trace/trace.h"

#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

// A case's identity and verdict in its capture: the data of the "case" annotation
// (docs/captures.md §3.4). The capture layer stores it as a free-form JSON object; this layer
// says what it holds, so that a reopened capture gives back the case's result and reports.
namespace wsi {

// The annotation kind of a case (AnnotationRecord::kind).
inline constexpr QStringView kCaseAnnotationKind = u"case";
// The version of the annotation's keys (its "version" key); a reader refuses a later one.
inline constexpr int kCaseAnnotationVersion = 1;

// The scenario a case's capture names as its connection (ConnectionRecord::scenario): the run's
// connection settings with the case's steps, close expectation and case part.
[[nodiscard]] QJsonObject caseScenarioJson(const CaseDefinition &def,
                                           const SessionSettings &settings);

// The annotation of a finished case: what its per-case report needs beyond the trace.
[[nodiscard]] QJsonObject caseAnnotation(const CaseResult &result);

// The case result a capture holds: its annotation read back against the trace read back. The
// definition comes from the annotation's own scenario (kept alive by the result), so a user's
// case needs no library. Nothing, with `error` naming the key, when the annotation is not a
// case annotation this version can read.
[[nodiscard]] std::optional<CaseResult> caseResultFromAnnotation(const QJsonObject &annotation,
                                                                 std::shared_ptr<const Trace> trace,
                                                                 QString *error);

} // namespace wsi
