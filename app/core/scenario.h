// SPDX-License-Identifier: MIT
#pragma once

#include "closing.h"
#include "session.h"
#include "step.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace wsi {

// A saved sequence of steps plus the connection settings it needs: the file the window's
// sequence editor saves and loads and that `wsinspector-cli send --scenario FILE` runs.
// Format "wsinspector-scenario", version 1, documented in docs/scenario.md.
struct Scenario
{
    QString name;
    QString description;
    SessionSettings settings;        // settings.url may be empty (then the caller supplies it)
    std::optional<ExpectedClose> expectedClose;
    StepList steps;
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
[[nodiscard]] ScenarioParseResult loadScenario(const QString &path);
// Writes atomically (QSaveFile); returns the error text, empty on success.
[[nodiscard]] QString saveScenario(const Scenario &scenario, const QString &path);

// One step as a JSON object and back (used by the sequence editor's copy/paste too).
[[nodiscard]] QJsonObject stepToJson(const Step &step);
[[nodiscard]] QString stepFromJson(const QJsonObject &json, Step &out, const QString &path);

} // namespace wsi
