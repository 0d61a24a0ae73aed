// SPDX-License-Identifier: MIT
#pragma once

#include "session/session.h"
#include "session/step.h"
#include "suite/cases.h"
#include "trace/closing.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace wsi {

// A saved sequence of steps plus the connection settings it needs: the file the window's
// sequence editor saves and loads and that `wsinspector-cli send --scenario FILE` runs. With a
// case part it is also a case of its own (scenarioFromCase / caseFromScenario).
// Format "wsinspector-scenario", version 1, documented in docs/scenario.md.
struct Scenario
{
    QString name;
    QString description;      // with a case part: the case description
    SessionSettings settings; // settings.url may be empty (then the caller supplies it)
    std::optional<ExpectedClose> expectedClose;
    StepList steps;
    std::optional<CaseRules> casePart; // JSON key "case"
};

struct ScenarioParseResult
{
    Scenario scenario;
    QString error; // "steps[2].frame.opcode: must be 0–15"; empty on success
    [[nodiscard]] bool ok() const { return error.isEmpty(); }
};

[[nodiscard]] QJsonObject scenarioToJson(const Scenario &scenario);
[[nodiscard]] ScenarioParseResult scenarioFromJson(const QJsonObject &json);
// Parses file contents: invalid JSON is reported with the line and column of the error.
[[nodiscard]] ScenarioParseResult parseScenario(const QByteArray &contents);
// A scenario file is refused, with an error naming the file and the cap, when it is larger
// than this (16 MiB); at most kMaxScenarioFileSize + 1 octets are read, so neither a huge
// (sparse) file nor a device like /dev/zero makes the program read on.
inline constexpr qint64 kMaxScenarioFileSize = 16ll * 1024 * 1024;
[[nodiscard]] ScenarioParseResult loadScenario(const QString &path);
// Writes atomically (QSaveFile); returns the error text, empty on success.
[[nodiscard]] QString saveScenario(const Scenario &scenario, const QString &path);

// One step as a JSON object and back (used by the sequence editor's copy/paste too).
[[nodiscard]] QJsonObject stepToJson(const Step &step);
[[nodiscard]] QString stepFromJson(const QJsonObject &json, Step &out, const QString &path);

// A library case as a scenario: name "Case <id>", description, steps, expectedClose and the case
// part; default connection settings (no URL). Lossless: caseFromScenario gives the case back.
[[nodiscard]] Scenario scenarioFromCase(const CaseDefinition &def);
// The case a scenario describes; nullopt when it has no case part (a plain sequence has no
// expected events to judge by). A scenario without expectedClose gets the default (me, [1000],
// clean).
[[nodiscard]] std::optional<CaseDefinition> caseFromScenario(const Scenario &scenario);

} // namespace wsi
