// SPDX-License-Identifier: MIT
#include "suite/caseannotation.h"

#include "suite/scenario.h"
#include "trace/closing.h"
#include "trace/report.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

// The events a case recorded, without loss (the report's "received" renders payloads as text,
// which cannot be read back): [kind, payload in base64, binary].
QJsonArray eventsJson(const PeerEventList &events)
{
    QJsonArray out;
    for (const PeerEvent &e : events) {
        QString kind;
        switch (e.kind) {
        case PeerEvent::Kind::Message:
            kind = u"message"_s;
            break;
        case PeerEvent::Kind::Pong:
            kind = u"pong"_s;
            break;
        case PeerEvent::Kind::Timeout:
            kind = u"timeout"_s;
            break;
        }
        out.append(QJsonArray{kind, QString::fromLatin1(e.payload.toBase64()), e.binary});
    }
    return out;
}

bool eventsFromJson(const QJsonValue &value, PeerEventList &out, QString *error)
{
    if (!value.isArray()) {
        *error = u"events: not a list"_s;
        return false;
    }
    const QJsonArray list = value.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonArray e = list[i].toArray();
        const QString where = u"events[%1]"_s.arg(i);
        if (e.size() != 3 || !e[0].isString() || !e[1].isString() || !e[2].isBool()) {
            *error = where + u": not [kind, base64 payload, binary]"_s;
            return false;
        }
        PeerEvent event;
        const QString kind = e[0].toString();
        if (kind == u"message"_s) {
            event.kind = PeerEvent::Kind::Message;
        } else if (kind == u"pong"_s) {
            event.kind = PeerEvent::Kind::Pong;
        } else if (kind == u"timeout"_s) {
            event.kind = PeerEvent::Kind::Timeout;
        } else {
            *error = where + u": unknown kind \""_s + kind + u'"';
            return false;
        }
        const auto decoded = QByteArray::fromBase64Encoding(
            e[1].toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            *error = where + u": the payload is not base64"_s;
            return false;
        }
        event.payload = *decoded;
        event.binary = e[2].toBool();
        out.append(event);
    }
    return true;
}

bool fail(QString *error, const QString &what)
{
    if (error)
        *error = u"case annotation: "_s + what;
    return false;
}

} // namespace

QJsonObject caseScenarioJson(const CaseDefinition &def, const SessionSettings &settings)
{
    Scenario scenario = scenarioFromCase(def);
    scenario.settings = settings;
    return scenarioToJson(scenario);
}

QJsonObject caseAnnotation(const CaseResult &result)
{
    QJsonObject out{
        {u"version"_s, kCaseAnnotationVersion},
        {u"case"_s, result.index},
        {u"agent"_s, result.agent},
        {u"behavior"_s, verdictText(result.verdict.behavior)},
        {u"behaviorClose"_s, verdictText(result.verdict.closing.verdict)},
        {u"result"_s, result.verdict.result},
        {u"resultClose"_s, result.verdict.closing.text},
        {u"duration"_s, result.durationMs},
        {u"events"_s, eventsJson(result.observation.received)},
    };
    if (const CaseDefinition *def = result.definition) {
        out.insert(u"id"_s, def->id);
        out.insert(u"description"_s, def->description);
        out.insert(u"expectation"_s, def->expectation);
        out.insert(u"expectedClose"_s, expectedCloseJson(def->expectedClose));
        // The whole definition the case ran by, so that a user's own case (or a library that
        // changed since) is judged and reported as it was.
        out.insert(u"scenario"_s, scenarioToJson(scenarioFromCase(*def)));
    }
    if (!result.connectError.isEmpty())
        out.insert(u"connectError"_s, result.connectError);
    return out;
}

std::optional<CaseResult> caseResultFromAnnotation(const QJsonObject &annotation,
                                                   std::shared_ptr<const Trace> trace,
                                                   QString *error)
{
    QString why;
    const QJsonValue version = annotation.value(u"version"_s);
    if (!version.isDouble() || version.toInt() < 1) {
        fail(error, u"version: missing or not a number"_s);
        return std::nullopt;
    }
    if (version.toInt() > kCaseAnnotationVersion) {
        fail(error, u"version %1 is newer than this program reads (%2)"_s.arg(version.toInt())
                        .arg(kCaseAnnotationVersion));
        return std::nullopt;
    }
    const QString id = annotation.value(u"id"_s).toString();
    if (id.isEmpty()) {
        fail(error, u"id: missing"_s);
        return std::nullopt;
    }
    std::optional<CaseDefinition> def;
    if (const QJsonValue scenario = annotation.value(u"scenario"_s); scenario.isObject()) {
        const ScenarioParseResult parsed = scenarioFromJson(scenario.toObject());
        if (!parsed.ok()) {
            fail(error, u"scenario: "_s + parsed.error);
            return std::nullopt;
        }
        def = caseFromScenario(parsed.scenario);
        if (!def || def->id != id) {
            fail(error, u"scenario: not the definition of case "_s + id);
            return std::nullopt;
        }
    } else if (const CaseDefinition *known = findCase(id)) {
        def = *known; // written without its definition: the library's
    } else {
        fail(error, u"case "_s + id + u" has no scenario and is not in the library"_s);
        return std::nullopt;
    }

    CaseResult result;
    const auto behavior = verdictFromText(annotation.value(u"behavior"_s).toString());
    if (!behavior) {
        fail(error, u"behavior: not a verdict"_s);
        return std::nullopt;
    }
    const auto behaviorClose =
        closeVerdictFromText(annotation.value(u"behaviorClose"_s).toString());
    if (!behaviorClose) {
        fail(error, u"behaviorClose: not a closing verdict"_s);
        return std::nullopt;
    }
    if (!eventsFromJson(annotation.value(u"events"_s), result.observation.received, &why)) {
        fail(error, why);
        return std::nullopt;
    }
    result.ownDefinition = std::make_shared<const CaseDefinition>(std::move(*def));
    result.definition = result.ownDefinition.get();
    result.index = annotation.value(u"case"_s).toInt();
    result.agent = annotation.value(u"agent"_s).toString();
    result.verdict.behavior = *behavior;
    result.verdict.result = annotation.value(u"result"_s).toString();
    result.verdict.closing.verdict = *behaviorClose;
    result.verdict.closing.text = annotation.value(u"resultClose"_s).toString();
    result.connectError = annotation.value(u"connectError"_s).toString();
    if (trace) {
        result.started = trace->startedAt();
        result.closing = analyzeClosing(*trace);
        result.serverHeader = serverHeaderOf(*trace);
        result.observation.txFrameCounts = trace->statistics().txFrames;
    }
    // The duration as the live run measured it (the trace gives the same; the stored value is
    // the one the verdict was given with).
    result.durationMs = qint64(
        annotation.value(u"duration"_s).toDouble(double(trace ? result.closing.durationMs() : 0)));
    result.trace = std::move(trace);
    return result;
}

} // namespace wsi
