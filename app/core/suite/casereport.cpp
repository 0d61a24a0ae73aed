// SPDX-License-Identifier: MIT
#include "suite/casereport.h"

#include "trace/inflation.h"
#include "trace/messages.h"
#include "trace/wirelog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonValue>
#include <QSaveFile>
#include <QStringList>

#include <algorithm>
#include <map>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

QJsonValue ratioJson(std::optional<double> ratio)
{
    return ratio ? QJsonValue(*ratio) : QJsonValue(QJsonValue::Null);
}

// The reference's trafficStats for a 12.x/13.x case: copied when the case ends OK (on any other
// outcome it stays null, so the overview shows no ratios). Of its keys, those of the data
// messages' payload octets: "WebSocket level" is what went over the wire (compressed), "app
// level" what the application sent or got (docs/cases.md §4.11).
std::optional<QJsonObject> trafficStatsOf(const CaseResult &result)
{
    if (!result.definition || !result.definition->reportCompressionRatio || !result.trace ||
        result.verdict.behavior != Verdict::Ok)
        return std::nullopt;
    // The session's own counts when the case ran here (exact past the trace's budget), else
    // what the trace holds.
    const DeflateStatistics stats =
        result.observation.deflate ? *result.observation.deflate : deflateStatistics(*result.trace);
    return QJsonObject{
        {u"outgoingOctetsWebSocketLevel"_s, stats.txWireOctets},
        {u"outgoingOctetsAppLevel"_s, stats.txAppOctets},
        {u"outgoingCompressionRatio"_s, ratioJson(stats.txRatio())},
        {u"incomingOctetsWebSocketLevel"_s, stats.rxWireOctets},
        {u"incomingOctetsAppLevel"_s, stats.rxAppOctets},
        {u"incomingCompressionRatio"_s, ratioJson(stats.rxRatio())},
    };
}

std::optional<double> ratioOf(const QJsonObject &stats, const QString &key)
{
    const QJsonValue v = stats.value(key);
    return v.isDouble() ? std::optional<double>(v.toDouble()) : std::nullopt;
}

// Shared by both pages. The class names are the reference report's, so its users find their way.
constexpr QStringView kCommonCss = uR"(
body { background-color: #f4f4f4; color: #333; margin: 0 0 40px 0;
       font-family: "Segoe UI", Tahoma, Arial, Verdana, sans-serif; }
h1 { margin-left: 40px; }
h2 { margin-left: 30px; }
h3 { margin-left: 50px; }
.block { background-color: #e0e0e0; padding: 16px; margin: 20px; }
p#intro { font-size: 1.1em; color: #444; }
p.case_text_block { border: 1px solid #aaa; border-radius: 10px; padding: 16px; margin: 4px 20px;
                    color: #444; overflow-wrap: anywhere; }
span.case_pickle { font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: 0.8em;
                   color: #000; }
a.up { float: right; margin: 16px 30px 10px 0; padding: 2px 10px; border-radius: 16px;
       background-color: #666; color: #fff; text-decoration: none; font-size: 0.8em; }
a.up:hover { background-color: #028ec9; }
)";

constexpr QStringView kCaseCss = uR"(
p.case { color: #fff; border-radius: 10px; padding: 20px; margin: 12px 20px; font-size: 1.2em; }
p.case_ok { background-color: #0a0; }
p.case_almost { background-color: #6d6; }
p.case_non_strict, p.case_no_close { background-color: #9a0; }
p.case_info { background-color: #4095bf; }
p.case_unimplemented { background-color: #800080; }
p.case_failed { background-color: #900; }
pre.http_dump { font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: 0.8em;
                border: 1px solid #aaa; border-radius: 10px; padding: 16px; margin: 4px 20px;
                white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 0 0 12px 80px; }
td { font-size: 0.8em; border: 1px solid #fff; padding: 6px 16px; text-align: right; }
td.left { text-align: left; }
tr.stats_header { color: #eee; background-color: #000; }
tr.stats_row { color: #000; background-color: #fc3; }
tr.stats_total { color: #fff; background-color: #888; }
p.wirelog_disabled { margin-left: 40px; color: #f00; font-style: italic; }
div#wirelog { margin: 20px 0 80px 0; }
div#wirelog pre { margin: 0; padding: 2px; font-family: Consolas, "DejaVu Sans Mono", monospace; }
pre.wirelog_rx_octets { color: #aaa; background-color: #060; }
pre.wirelog_tx_octets { color: #aaa; background-color: #600; }
pre.wirelog_tx_octets_sync { color: #aaa; background-color: #606; }
pre.wirelog_rx_frame { color: #fff; background-color: #0a0; }
pre.wirelog_tx_frame { color: #fff; background-color: #a00; }
pre.wirelog_tx_frame_sync { color: #fff; background-color: #a0a; }
pre.wirelog_delay, pre.wirelog_kill_after { color: #fff; background-color: #000; }
pre.wirelog_tcp_closed_by_me { color: #fff; background-color: #008; }
pre.wirelog_tcp_closed_by_peer { color: #fff; background-color: #000; }
)";

constexpr QStringView kIndexCss = uR"(
table { border-collapse: collapse; }
td { border: 1px solid #fff; padding: 6px 16px; font-size: 0.9em; color: #fff; }
table#agent_case_results { margin: 0 20px 40px 20px; }
td.outcome_desc { width: 100%; color: #333; font-size: 0.8em; }
tr.agent_case_result_row a { color: #eee; }
td.agent { background-color: #048; text-align: center; font-size: 0.8em; padding: 4px;
           width: 140px; overflow-wrap: anywhere; }
td.case { background-color: #666; padding-left: 40px; }
td.case_category { background-color: #000; padding-left: 20px; font-size: 1em; }
td.case_subcategory { background-color: #333; padding-left: 30px; }
td.close { width: 15px; padding: 6px; font-size: 0.7em; }
td.case_ok { background-color: #0a0; text-align: center; }
td.case_almost { background-color: #6d6; text-align: center; }
td.case_non_strict, td.case_no_close { background-color: #9a0; text-align: center; }
td.case_info { background-color: #4095bf; text-align: center; }
td.case_unimplemented { background-color: #800080; text-align: center; }
td.case_failed { background-color: #900; text-align: center; }
td.case_missing { background-color: #a05a2c; text-align: center; }
span.case_duration { font-size: 0.7em; }
)";

// The legend of the master table (report strings of the reference, shortened).
struct Legend
{
    const char16_t *cssClass;
    const char16_t *text;
    const char16_t *description;
};
constexpr Legend kLegend[] = {
    {u"case_ok", u"Pass", u"Test case was executed and passed successfully."},
    {u"case_non_strict", u"Non-Strict",
     u"Test case was executed and passed non-strictly: the implementation does not follow a "
     u"SHOULD of the protocol specification or a well-defined, canonical behaviour the "
     u"specification leaves open. It is still conformant."},
    {u"case_failed", u"Fail",
     u"Test case was executed and failed: the implementation does not follow a MUST of the "
     u"protocol specification (unless the case is about performance or limits)."},
    {u"case_info", u"Info",
     u"Informational test case: behaviour the specification leaves open, interesting to "
     u"implementors."},
    {u"case_unimplemented", u"Unimplemented",
     u"The implementation does not implement the tested feature."},
    {u"case_missing", u"Missing",
     u"Test case did not run: it was cancelled, or no connection to the server could be made."},
};

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

// Case descriptions and expectations are HTML fragments in the reference, with <br> as their
// only markup (the library keeps them so). Everything is escaped, then exactly that tag is let
// through again: a user-defined case cannot inject anything else.
QString caseTextHtml(const QString &text)
{
    return esc(text).replace(u"&lt;br&gt;"_s, u"<br>"_s);
}

QString startedText(const QDateTime &started)
{
    if (!started.isValid())
        return {};
    return started.toUTC().toString(u"yyyy-MM-dd'T'HH:mm:ss.zzz'Z'"_s);
}

QString pageHead(const QString &title, QStringView css)
{
    return u"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"_s +
           esc(title) + u"</title>\n<style>"_s + kCommonCss + css +
           u"</style>\n</head>\n<body>\n<a id=\"top\"></a>\n"_s;
}

constexpr QStringView kPageEnd = u"</body>\n</html>\n";

// The detail page's title cell for a content verdict (the reference says "Informational" here,
// "Info" in the master table).
ReportCell detailCell(std::optional<Verdict> behavior)
{
    const Verdict verdict = behavior.value_or(Verdict::Failed);
    return {verdictWord(verdict), verdictCssClass(verdictTone(verdict))};
}

QString textBlock(const QString &cssClass, const QString &heading, const QString &body)
{
    return u"<p class=\"case_text_block "_s + cssClass + u"\"><b>"_s + heading + u"</b><br><br>"_s +
           body + u"</p>\n"_s;
}

// Cells from `firstLeft` on are left-aligned.
QString tableRow(const QString &rowClass, const QStringList &cells, qsizetype firstLeft = -1)
{
    QString row = u"<tr class=\""_s + rowClass + u"\">"_s;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        row += firstLeft >= 0 && i >= firstLeft ? u"<td class=\"left\">"_s : u"<td>"_s;
        row += esc(cells[i]) + u"</td>"_s;
    }
    return row + u"</tr>\n"_s;
}

QString octetTable(const QString &title, const CountMap &counts)
{
    QString out = u"<h3>"_s + title + u"</h3>\n<table>\n"_s +
                  tableRow(u"stats_header"_s, {u"Chop Size"_s, u"Count"_s, u"Octets"_s});
    qint64 totalCount = 0;
    qint64 totalOctets = 0;
    for (const auto &[size, count] : counts) {
        out += tableRow(u"stats_row"_s, {QString::number(size), QString::number(count),
                                         QString::number(size * count)});
        totalCount += count;
        totalOctets += size * count;
    }
    out += tableRow(u"stats_total"_s,
                    {u"Total"_s, QString::number(totalCount), QString::number(totalOctets)});
    return out + u"</table>\n"_s;
}

QString frameTable(const QString &title, const CountMap &counts)
{
    QString out = u"<h3>"_s + title + u"</h3>\n<table>\n"_s +
                  tableRow(u"stats_header"_s, {u"Opcode"_s, u"Count"_s});
    qint64 total = 0;
    for (const auto &[opcode, count] : counts) {
        out += tableRow(u"stats_row"_s, {QString::number(opcode), QString::number(count)});
        total += count;
    }
    out += tableRow(u"stats_total"_s, {u"Total"_s, QString::number(total)});
    return out + u"</table>\n"_s;
}

// The CSS class of a wire-log entry (docs/reports.md §4.1): synced TX octets, and TX frames that
// were synced or chopped, get the sync colour.
QString wireLogClass(const Trace &trace, const WireLogLine &line)
{
    switch (line.kind) {
    case WireLogKind::RxOctets:
        return u"wirelog_rx_octets"_s;
    case WireLogKind::TxOctets: {
        const Trace::Entry &entry = trace.entries()[line.entry];
        const bool sync = entry.type == RecordKind::Chunk && trace.chunks()[entry.index].sync;
        return sync ? u"wirelog_tx_octets_sync"_s : u"wirelog_tx_octets"_s;
    }
    case WireLogKind::RxFrame:
        return u"wirelog_rx_frame"_s;
    case WireLogKind::TxFrame: {
        const Trace::Entry &entry = trace.entries()[line.entry];
        bool sync = false;
        if (entry.type == RecordKind::Frame) {
            const auto &tx = trace.frames()[entry.index].tx;
            sync = tx && (tx->sync || tx->chopSize > 0);
        }
        return sync ? u"wirelog_tx_frame_sync"_s : u"wirelog_tx_frame"_s;
    }
    case WireLogKind::Delay:
    case WireLogKind::DelayTimeout:
    case WireLogKind::WireLogMarker:
        return u"wirelog_delay"_s;
    case WireLogKind::CloseAfter:
    case WireLogKind::ClosingConnection:
    case WireLogKind::FailAfter:
    case WireLogKind::FailingConnection:
        return u"wirelog_kill_after"_s;
    case WireLogKind::TcpDroppedByMe:
        return u"wirelog_tcp_closed_by_me"_s;
    case WireLogKind::TcpDroppedByPeer:
        return u"wirelog_tcp_closed_by_peer"_s;
    case WireLogKind::StorageStopped:
    case WireLogKind::HalfClosed:
    case WireLogKind::ProxyRequest:
    case WireLogKind::ProxyReply:
    case WireLogKind::ProxyFailed:
        return u"wirelog_delay"_s; // not in a case's log (wireLog() leaves it out there)
    }
    return {};
}

// The wire log as HTML. Its lines are the text report's (numbered, data wrapped at 100 columns
// like Python's textwrap, continuation lines indented by 15): one rendering for both formats.
// Every wire-log entry starts one line that begins with its number; continuation lines begin
// with spaces. Each line gets the CSS class of its entry.
QString wireLogHtml(const ReportInput &input)
{
    const QString text = textReport(input);
    const QString heading = u"\nWire Log\n\n"_s;
    // The last heading: the wire log is the report's last section, and none of its lines can
    // hold the heading (they start with a number or with spaces).
    const qsizetype at = text.lastIndexOf(heading);
    if (at < 0 || !input.trace)
        return {};
    const std::vector<WireLogLine> entries = wireLog(*input.trace);
    QString out;
    qsizetype entry = -1;
    QString cssClass = u"wirelog_delay"_s;
    for (const QStringView line : QStringView(text).mid(at + heading.size()).split(u'\n')) {
        if (line.isEmpty())
            continue;
        if (!line.startsWith(u' ')) {
            ++entry;
            if (size_t(entry) < entries.size())
                cssClass = wireLogClass(*input.trace, entries[size_t(entry)]);
        }
        out += u"<pre class=\""_s + cssClass + u"\">"_s + esc(line.toString()) + u"</pre>\n"_s;
    }
    return out;
}

QList<int> idNumbers(const QString &id)
{
    QList<int> numbers;
    for (const QString &part : id.split(u'.'))
        numbers << part.toInt();
    return numbers;
}

bool idLess(const QString &a, const QString &b)
{
    const QList<int> x = idNumbers(a);
    const QList<int> y = idNumbers(b);
    return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end());
}

QString caseIdOf(const CaseResult &result)
{
    return result.definition ? result.definition->id : QString();
}

// The agent a run reports under: the first one a case found (the server's Server: header, the
// --agent name or the host). Cases that did not run are listed under it.
QString runAgent(const QList<CaseResult> &results)
{
    for (const CaseResult &r : results) {
        if (!r.agent.isEmpty())
            return r.agent;
    }
    return u"UnknownServer"_s;
}

QString agentOf(const CaseResult &result, const QString &fallback)
{
    return result.ran() && !result.agent.isEmpty() ? result.agent : fallback;
}

QString anchorOf(const QString &caseId)
{
    return u"case_desc_"_s + safeCaseId(caseId);
}

QString groupHeading(const QString &groupId)
{
    const QString title = caseGroupTitle(groupId);
    return title.isEmpty() ? esc(groupId) : esc(groupId + u' ' + title);
}

QString resultCells(const CaseResult &result)
{
    if (!result.ran()) {
        return u"<td class=\"case_missing close_flex\" colspan=\"2\" title=\""_s +
               esc(result.skipped) + u"\">Missing<br><span class=\"case_duration\">"_s +
               esc(result.skipped) + u"</span></td>"_s;
    }
    const ReportCell content = behaviorCell(result.verdict.behavior);
    if (result.verdict.behavior == Verdict::Unimplemented) {
        return u"<td class=\"case_unimplemented close_flex\" colspan=\"2\">Unimplemented</td>"_s;
    }
    const ReportCell close =
        closeCell(result.verdict.closing.verdict, result.closing.remoteCloseCode);
    const QString file = caseReportFileName(result.agent, caseIdOf(result), u"html"_s);
    QString out = u"<td class=\""_s + content.cssClass + u"\"><a href=\""_s + esc(file) + u"\">"_s +
                  content.text + u"</a>"_s;
    // The reference's detail line: "N ms" (reportTime), then " [in/out]" (12.x, 13.x, when the
    // case kept its trafficStats).
    QString detail;
    if (result.definition && result.definition->reportTime)
        detail = QString::number(result.durationMs) + u" ms"_s;
    if (const std::optional<QJsonObject> stats = trafficStatsOf(result)) {
        detail += compressionRatioText(ratioOf(*stats, u"incomingCompressionRatio"_s),
                                       ratioOf(*stats, u"outgoingCompressionRatio"_s));
    }
    if (!detail.isEmpty())
        out += u"<br><span class=\"case_duration\">"_s + esc(detail) + u"</span>"_s;
    out += u"</td><td class=\"close "_s + close.cssClass + u"\"><a href=\""_s + esc(file) +
           u"\"><span class=\"close_code\">"_s + esc(close.text) + u"</span></a></td>"_s;
    return out;
}

QString writeFile(const QString &path, const QByteArray &contents)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size() ||
        !file.commit()) {
        return u"cannot write "_s + QDir::toNativeSeparators(path) + u": "_s + file.errorString();
    }
    return {};
}

} // namespace

ReportInput reportInputFor(const CaseResult &result)
{
    ReportInput in;
    in.trace = result.trace.get();
    in.closing = result.closing;
    in.closingVerdict = result.verdict.closing;
    in.agent = result.agent;
    in.caseIndex = result.index;
    in.behavior = result.verdict.behavior;
    in.result = result.verdict.result;
    in.durationMs = result.durationMs;
    if (const CaseDefinition *def = result.definition) {
        in.caseId = def->id;
        in.description = def->description;
        in.expectation = def->expectation;
        in.expectedText = renderExpected(*def);
        in.expectedJson = expectedJson(*def);
        in.expectedCloseJson = expectedCloseJson(def->expectedClose);
        in.reportTime = def->reportTime;
    }
    in.observedText = renderObserved(result.observation.received);
    in.receivedJson = receivedJson(result.observation.received);
    return in;
}

QString compressionRatioText(std::optional<double> incoming, std::optional<double> outgoing)
{
    const auto text = [](std::optional<double> r) {
        return r ? QString::number(*r, 'f', 3) : u"-"_s;
    };
    return u" ["_s + text(incoming) + u'/' + text(outgoing) + u']';
}

QJsonObject caseJsonReport(const CaseResult &result)
{
    QJsonObject out = jsonReport(reportInputFor(result));
    if (result.definition && result.definition->reportCompressionRatio) {
        out[u"reportCompressionRatio"_s] = true;
        const std::optional<QJsonObject> stats = trafficStatsOf(result);
        out[u"trafficStats"_s] = stats ? QJsonValue(*stats) : QJsonValue(QJsonValue::Null);
    }
    if (!result.trace && result.started.isValid())
        out[u"started"_s] = startedText(result.started);
    return out;
}

QString htmlReport(const ReportInput &input)
{
    const Trace empty;
    const Trace &trace = input.trace ? *input.trace : empty;
    const bool isCase = !input.caseId.isEmpty();
    const ClosingVerdict &closing = input.closingVerdict;

    const QString title =
        isCase ? input.agent + u" - Case "_s + input.caseId : input.agent + u" - "_s + trace.url();
    QString out = pageHead(title, kCaseCss);
    out += u"<h1>WebSocket Inspector Report</h1>\n"_s;

    // Title line: "AGENT - Case ID : Pass - N ms @ STARTED".
    const ReportCell cell = isCase ? detailCell(input.behavior)
                                   : ReportCell{verdictText(closing.verdict),
                                                verdictCssClass(verdictTone(closing.verdict))};
    out += u"<p class=\"case "_s + cell.cssClass + u"\">"_s + esc(input.agent) + u" - "_s;
    if (isCase) {
        out +=
            u"<span style=\"font-size: 1.3em;\"><b>Case "_s + esc(input.caseId) + u"</b></span>"_s;
    } else {
        out += esc(trace.url());
    }
    out += u" : "_s + esc(cell.text) + u" - <span style=\"font-size: 0.9em;\"><b>"_s +
           QString::number(input.durationMs) + u"</b> ms @ "_s +
           esc(startedText(trace.startedAt())) + u"</span></p>\n"_s;

    if (isCase) {
        out += textBlock(u"case_desc"_s, u"Case Description"_s, caseTextHtml(input.description));
        out += textBlock(u"case_expect"_s, u"Case Expectation"_s, caseTextHtml(input.expectation));
        // renderExpected()/renderObserved() are already cut to 1000 characters
        // (docs/reports.md §1.2).
        out += textBlock(u"case_outcome"_s, u"Case Outcome"_s,
                         esc(input.result) +
                             u"<br><br><i>Expected:</i><br><span class=\"case_pickle\">"_s +
                             esc(input.expectedText) +
                             u"</span><br><br><i>Observed:</i><br><span class=\"case_pickle\">"_s +
                             esc(input.observedText) + u"</span>"_s);
    }
    out += textBlock(u"case_closing_beh"_s, u"Case Closing Behavior"_s,
                     esc(closing.text + u" ("_s + verdictText(closing.verdict) + u')'));
    out += u"<br><hr>\n"_s;

    out += u"<h2>Opening Handshake</h2>\n"_s;
    out +=
        u"<pre class=\"http_dump\">"_s + esc(handshakeRequestText(trace).trimmed()) + u"</pre>\n"_s;
    out += u"<pre class=\"http_dump\">"_s + esc(handshakeResponseText(trace).trimmed()) +
           u"</pre>\n"_s;
    out += u"<br><hr>\n"_s;

    out += u"<h2>Closing Behavior</h2>\n<table>\n"_s;
    out += tableRow(u"stats_header"_s, {u"Key"_s, u"Value"_s, u"Description"_s}, 1);
    for (const ClosingField &field : closingFields()) {
        out +=
            tableRow(u"stats_row"_s,
                     {QString::fromLatin1(field.key), closingFieldValue(input.closing, field.key),
                      QString::fromUtf8(field.description)},
                     1);
    }
    out += u"</table>\n<br><hr>\n"_s;

    const WireStatistics &stats = trace.statistics();
    out += u"<h2>Wire Statistics</h2>\n"_s;
    out += octetTable(u"Octets Received by Chop Size"_s, stats.rxOctets);
    out += octetTable(u"Octets Transmitted by Chop Size"_s, stats.txOctets);
    out += frameTable(u"Frames Received by Opcode"_s, stats.rxFrames);
    out += frameTable(u"Frames Transmitted by Opcode"_s, stats.txFrames);
    out += u"<br><hr>\n"_s;

    out += u"<h2>Wire Log</h2>\n"_s;
    if (!wireLogEnabledAtEnd(trace))
        out += u"<p class=\"wirelog_disabled\">Wire log after handshake disabled!</p>\n"_s;
    out += u"<div id=\"wirelog\">\n"_s + wireLogHtml(input) + u"</div>\n<br><hr>\n"_s;
    return out + kPageEnd;
}

QString cleanForFilename(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (const QChar c : text.toLower()) {
        const bool keep = (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
        out += keep ? c : u' ';
    }
    return out.trimmed().replace(u' ', u'_');
}

QString safeCaseId(const QString &caseId)
{
    QString id = caseId;
    for (QChar &c : id) {
        const bool keep = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') ||
                          (c >= u'0' && c <= u'9') || c == u'_' || c == u'-';
        if (!keep)
            c = u'_';
    }
    return id;
}

QString caseReportFileName(const QString &agent, const QString &caseId, const QString &extension)
{
    return cleanForFilename(agent) + u"_case_"_s + safeCaseId(caseId) + u'.' + extension;
}

QString verdictCssClass(VerdictTone tone)
{
    switch (tone) {
    case VerdictTone::Pass:
        return u"case_ok"_s;
    case VerdictTone::Almost:
        return u"case_almost"_s;
    case VerdictTone::Warning:
        return u"case_non_strict"_s;
    case VerdictTone::Info:
        return u"case_info"_s;
    case VerdictTone::Neutral:
        return u"case_unimplemented"_s;
    case VerdictTone::Fail:
        break;
    }
    return u"case_failed"_s;
}

ReportCell behaviorCell(std::optional<Verdict> behavior)
{
    if (!behavior)
        return {u"Missing"_s, u"case_missing"_s};
    return {verdictCellWord(*behavior), verdictCssClass(verdictTone(*behavior))};
}

ReportCell closeCell(CloseVerdict behaviorClose, std::optional<int> remoteCloseCode)
{
    const QString code = remoteCloseCode ? QString::number(*remoteCloseCode) : u"None"_s;
    const QString css = verdictCssClass(verdictTone(behaviorClose));
    switch (behaviorClose) {
    case CloseVerdict::Ok:
    case CloseVerdict::FailedByClient:
    case CloseVerdict::WrongCode:
    case CloseVerdict::Informational:
        return {code, css};
    case CloseVerdict::Unclean:
        return {u"Unclean"_s, css};
    case CloseVerdict::Failed:
    case CloseVerdict::Pending:
        break;
    }
    return {u"Fail"_s, css};
}

QJsonObject indexJson(const QList<CaseResult> &results)
{
    const QString fallback = runAgent(results);
    std::map<QString, QJsonObject> byAgent;
    for (const CaseResult &r : results) {
        const QString id = caseIdOf(r);
        const QString agent = agentOf(r, fallback);
        QJsonObject entry;
        if (r.ran()) {
            entry = QJsonObject{
                {u"behavior"_s, verdictText(r.verdict.behavior)},
                {u"behaviorClose"_s, verdictText(r.verdict.closing.verdict)},
                {u"remoteCloseCode"_s, r.closing.remoteCloseCode
                                           ? QJsonValue(*r.closing.remoteCloseCode)
                                           : QJsonValue(QJsonValue::Null)},
                {u"duration"_s, r.durationMs},
                {u"reportfile"_s, caseReportFileName(agent, id, u"json"_s)},
            };
        } else {
            entry = QJsonObject{
                {u"behavior"_s, verdictText(Verdict::Failed)},
                {u"behaviorClose"_s, verdictText(CloseVerdict::Failed)},
                {u"remoteCloseCode"_s, QJsonValue(QJsonValue::Null)},
                {u"duration"_s, 0},
                {u"reportfile"_s, QJsonValue(QJsonValue::Null)},
                {u"skipped"_s, r.skipped},
            };
        }
        byAgent[agent].insert(id, entry);
    }
    QJsonObject out;
    for (const auto &[agent, cases] : byAgent)
        out.insert(agent, cases);
    return out;
}

QString indexHtml(const QList<CaseResult> &results)
{
    const QString fallback = runAgent(results);
    // agent → case id → result; rows in case-id order, one pair of columns per agent.
    std::map<QString, std::map<QString, const CaseResult *>> byAgent;
    QStringList ids;
    std::map<QString, const CaseDefinition *> definitions;
    for (const CaseResult &r : results) {
        const QString id = caseIdOf(r);
        byAgent[agentOf(r, fallback)][id] = &r;
        if (!definitions.count(id)) {
            definitions[id] = r.definition;
            ids << id;
        }
    }
    std::stable_sort(ids.begin(), ids.end(), idLess);
    QStringList agents;
    for (const auto &entry : byAgent)
        agents << entry.first;

    QString out = pageHead(u"WebSocket Inspector Report"_s, kIndexCss);
    out += u"<h1>WebSocket Inspector Report</h1>\n"_s;
    out += u"<div id=\"master_report_header\" class=\"block\">\n"_s;
    const QString version = QCoreApplication::applicationVersion();
    out += u"<p id=\"intro\">Summary report generated on "_s +
           QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd'T'HH:mm:ss'Z'"_s) +
           u" (UTC) by WebSocket Inspector"_s +
           (version.isEmpty() ? QString() : u' ' + esc(version)) + u": "_s +
           QString::number(results.size()) + u" cases.</p>\n<table id=\"case_outcome_desc\">\n"_s;
    for (const Legend &l : kLegend) {
        out += u"<tr><td class=\""_s + QString::fromUtf16(l.cssClass) + u"\">"_s +
               QString::fromUtf16(l.text) + u"</td><td class=\"outcome_desc\">"_s +
               QString::fromUtf16(l.description) + u"</td></tr>\n"_s;
    }
    out += u"</table>\n</div>\n<table id=\"agent_case_results\">\n"_s;

    // A group row (with the agents' names) whenever the group changes, a subgroup row for cases
    // with three-part ids (the reference repeats the agent row per subgroup).
    QString lastGroup;
    QString lastSubgroup;
    const QString width = QString::number(agents.size() * 2 + 1);
    for (const QString &id : ids) {
        const QStringList parts = id.split(u'.');
        const QString group = parts.value(0);
        const QString subgroup = parts.size() >= 3 ? parts[0] + u'.' + parts[1] : QString();
        if (group != lastGroup || subgroup != lastSubgroup) {
            out += u"<tr class=\"case_category_row\"><td class=\"case_category\">"_s +
                   groupHeading(group) + u"</td>"_s;
            for (const QString &agent : agents) {
                out += u"<td class=\"agent close_flex\" colspan=\"2\">"_s + esc(agent) + u"</td>"_s;
            }
            out += u"</tr>\n"_s;
            if (!subgroup.isEmpty()) {
                out += u"<tr class=\"case_subcategory_row\"><td class=\"case_subcategory\" "
                       u"colspan=\""_s +
                       width + u"\">"_s + groupHeading(subgroup) + u"</td></tr>\n"_s;
            }
            lastGroup = group;
            lastSubgroup = subgroup;
        }
        out += u"<tr class=\"agent_case_result_row\"><td class=\"case\"><a href=\"#"_s +
               esc(anchorOf(id)) + u"\">Case "_s + esc(id) + u"</a></td>"_s;
        for (const QString &agent : agents) {
            const auto &cases = byAgent[agent];
            const auto it = cases.find(id);
            if (it == cases.end())
                out += u"<td class=\"case_missing close_flex\" colspan=\"2\">Missing</td>"_s;
            else
                out += resultCells(*it->second);
        }
        out += u"</tr>\n"_s;
    }
    out += u"</table>\n<br><hr>\n<div id=\"test_case_descriptions\">\n"_s;
    for (const QString &id : ids) {
        const CaseDefinition *def = definitions[id];
        out += u"<br>\n<a id=\""_s + esc(anchorOf(id)) + u"\"></a>\n<h2>Case "_s + esc(id) +
               u"</h2>\n<a class=\"up\" href=\"#top\">Up</a>\n"_s;
        if (def) {
            out += textBlock(u"case_desc"_s, u"Case Description"_s, caseTextHtml(def->description));
            out +=
                textBlock(u"case_expect"_s, u"Case Expectation"_s, caseTextHtml(def->expectation));
        }
    }
    out += u"</div>\n<br><hr>\n"_s;
    return out + kPageEnd;
}

QString prepareReportDirectory(const QString &dir)
{
    const QString shown = QDir::toNativeSeparators(dir);
    const QFileInfo info(dir);
    if (info.exists() && !info.isDir())
        return u"cannot use "_s + shown + u" as the report directory: it is not a directory"_s;
    if (!QDir().mkpath(dir))
        return u"cannot create the report directory "_s + shown;
    if (!QFileInfo(dir).isWritable())
        return u"cannot write into the report directory "_s + shown + u": permission denied"_s;
    return {};
}

QString writeCaseReport(const QString &dir, const CaseResult &result)
{
    if (!result.ran() || !result.definition)
        return {};
    const QDir target(dir);
    const QString id = result.definition->id;
    QString error = writeFile(target.filePath(caseReportFileName(result.agent, id, u"json"_s)),
                              QJsonDocument(caseJsonReport(result)).toJson());
    if (!error.isEmpty())
        return error;
    error = writeFile(target.filePath(caseReportFileName(result.agent, id, u"html"_s)),
                      htmlReport(reportInputFor(result)).toUtf8());
    return error;
}

QString writeReportIndex(const QString &dir, const QList<CaseResult> &results)
{
    const QDir target(dir);
    QString error =
        writeFile(target.filePath(u"index.json"_s), QJsonDocument(indexJson(results)).toJson());
    if (!error.isEmpty())
        return error;
    return writeFile(target.filePath(u"index.html"_s), indexHtml(results).toUtf8());
}

} // namespace wsi
