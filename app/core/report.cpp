// SPDX-License-Identifier: MIT
#include "report.h"

#include "wirelog.h"

#include <QJsonArray>
#include <QJsonValue>
#include <QRegularExpression>
#include <QStringList>

#include <string>
#include <vector>

using namespace Qt::StringLiterals;

namespace wsi {

QString plainCaseText(const QString &html)
{
    static const QRegularExpression lineBreak(u"<br\\s*/?>"_s,
                                              QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression tag(u"<[^>]*>"_s);
    QStringList lines;
    for (QString line : html.split(lineBreak)) {
        line.remove(tag);
        line.replace(u"&lt;"_s, u"<"_s).replace(u"&gt;"_s, u">"_s).replace(u"&quot;"_s, u"\""_s);
        line.replace(u"&amp;"_s, u"&"_s);
        lines << line.simplified();
    }
    return lines.join(u'\n');
}

namespace {

// The reference report wraps wire-log data at 100 columns and indents continuation lines by
// 2 + 4 + len("RX OCTETS") = 15 columns, so that they line up after "NNN RX OCTETS: " (§3.3).
constexpr qsizetype kWrapWidth = 100;
constexpr qsizetype kContinuationIndent = 15;
// Expected/Observed are cut to this many characters (996 + " ...", §4.5).
constexpr qsizetype kMaxPickleLength = 1000;
// Column gap of the plain-text tables.
constexpr qsizetype kColumnGap = 2;

// The reference report's limitString().
QString limitString(const QString &text, qsizetype limit)
{
    const QString marker = u" ..."_s;
    if (text.size() > limit - marker.size())
        return text.left(limit - marker.size()) + marker;
    return text;
}

bool isBlank(const std::u32string &chunk)
{
    for (char32_t c : chunk) {
        if (c != U' ')
            return false;
    }
    return true; // also the empty piece a long word can leave behind
}

// Python's textwrap.wrap(text, width) with its defaults, which the reference report uses for
// wire-log data: tabs expanded to 8 columns, each ASCII whitespace character replaced by a space,
// greedy filling by words, words longer than a line broken, whitespace dropped at line ends and
// at the start of every line but the first, no lines for blank text. Widths count code points.
// One simplification: words are not split after hyphens (break_on_hyphens).
QStringList wrapText(const QString &text, qsizetype width)
{
    std::u32string expanded;
    qsizetype column = 0;
    for (char32_t c : text.toUcs4()) {
        switch (c) {
        case U'\t': {
            const qsizetype spaces = 8 - column % 8;
            expanded.append(size_t(spaces), U' ');
            column += spaces;
            continue;
        }
        case U'\n':
        case U'\r':
            expanded.push_back(U' ');
            column = 0;
            continue;
        case U'\v':
        case U'\f':
            c = U' ';
            break;
        default:
            break;
        }
        expanded.push_back(c);
        ++column;
    }

    // Alternating runs of spaces and of other characters.
    std::vector<std::u32string> chunks;
    for (size_t i = 0; i < expanded.size();) {
        const bool space = expanded[i] == U' ';
        size_t end = i;
        while (end < expanded.size() && (expanded[end] == U' ') == space)
            ++end;
        chunks.push_back(expanded.substr(i, end - i));
        i = end;
    }

    QStringList lines;
    const size_t limit = size_t(std::max<qsizetype>(width, 1));
    size_t next = 0;
    while (next < chunks.size()) {
        std::vector<std::u32string> line;
        size_t length = 0;
        if (!lines.isEmpty() && isBlank(chunks[next])) {
            ++next;
            continue; // re-check: the list may be exhausted
        }
        while (next < chunks.size() && length + chunks[next].size() <= limit) {
            length += chunks[next].size();
            line.push_back(chunks[next++]);
        }
        if (next < chunks.size() && chunks[next].size() > limit) {
            // A word longer than any line: fill this line with its beginning.
            const size_t room = limit - length;
            line.push_back(chunks[next].substr(0, room));
            chunks[next].erase(0, room);
        }
        if (!line.empty() && isBlank(line.back()))
            line.pop_back();
        if (line.empty())
            continue;
        std::u32string joined;
        for (const std::u32string &piece : line)
            joined += piece;
        lines << QString::fromUcs4(joined.data(), qsizetype(joined.size()));
    }
    return lines;
}

// A plain-text table: columns separated by two spaces, the last column not padded.
QStringList tableLines(const QList<QStringList> &rows, bool alignRight)
{
    QList<qsizetype> widths;
    for (const QStringList &row : rows) {
        for (qsizetype c = 0; c < row.size(); ++c) {
            if (widths.size() <= c)
                widths << 0;
            widths[c] = std::max(widths[c], row[c].size());
        }
    }
    QStringList lines;
    const QString gap(kColumnGap, u' ');
    for (const QStringList &row : rows) {
        QString line;
        for (qsizetype c = 0; c < row.size(); ++c) {
            if (c > 0)
                line += gap;
            if (alignRight)
                line += row[c].rightJustified(widths[c]);
            else if (c + 1 < row.size())
                line += row[c].leftJustified(widths[c]);
            else
                line += row[c];
        }
        while (line.endsWith(u' '))
            line.chop(1);
        lines << line;
    }
    return lines;
}

QStringList octetTable(const CountMap &counts)
{
    QList<QStringList> rows{{u"Chop Size"_s, u"Count"_s, u"Octets"_s}};
    qint64 totalCount = 0;
    qint64 totalOctets = 0;
    for (const auto &[size, count] : counts) {
        rows << QStringList{QString::number(size), QString::number(count),
                            QString::number(size * count)};
        totalCount += count;
        totalOctets += size * count;
    }
    rows << QStringList{u"Total"_s, QString::number(totalCount), QString::number(totalOctets)};
    return tableLines(rows, true);
}

QStringList frameTable(const CountMap &counts)
{
    QList<QStringList> rows{{u"Opcode"_s, u"Count"_s}};
    qint64 total = 0;
    for (const auto &[opcode, count] : counts) {
        rows << QStringList{QString::number(opcode), QString::number(count)};
        total += count;
    }
    rows << QStringList{u"Total"_s, QString::number(total)};
    return tableLines(rows, true);
}

QStringList statisticsLines(const WireStatistics &stats)
{
    QStringList out;
    const auto section = [&out](const QString &title, const QStringList &table) {
        if (!out.isEmpty())
            out << QString();
        out << title << QString() << table;
    };
    section(u"Octets Received by Chop Size"_s, octetTable(stats.rxOctets));
    section(u"Octets Transmitted by Chop Size"_s, octetTable(stats.txOctets));
    section(u"Frames Received by Opcode"_s, frameTable(stats.rxFrames));
    section(u"Frames Transmitted by Opcode"_s, frameTable(stats.txFrames));
    return out;
}

QStringList closingLines(const ClosingBehavior &behavior)
{
    QList<QStringList> rows{{u"Key"_s, u"Value"_s, u"Description"_s}};
    for (const ClosingField &field : closingFields()) {
        rows << QStringList{QString::fromLatin1(field.key), closingFieldValue(behavior, field.key),
                            QString::fromUtf8(field.description)};
    }
    return tableLines(rows, false);
}

// A raw HTTP head as the reference report shows it: stripped of surrounding whitespace (Python
// strip()), one line per header.
QStringList headLines(const QString &raw)
{
    QString text = raw;
    text.replace(u"\r\n"_s, u"\n"_s);
    text.replace(u'\r', u'\n');
    text = text.trimmed();
    if (text.isEmpty())
        return {};
    return text.split(u'\n');
}

QString eventText(const Trace &trace, TraceEvent::Kind kind)
{
    for (const TraceEvent &event : trace.events()) {
        if (event.kind == kind)
            return event.text;
    }
    return {};
}

QStringList wireLogLines(const Trace &trace)
{
    QStringList out;
    const QString indent(kContinuationIndent, u' ');
    qint64 number = 0;
    for (const WireLogLine &line : wireLog(trace)) {
        const QString index = u"%1 "_s.arg(number++, 3, 10, QChar(u'0'));
        const QString text = wireLogText(trace, line);
        if (line.kind == WireLogKind::RxOctets || line.kind == WireLogKind::TxOctets) {
            const qsizetype prefixSize = wireLogKindName(line.kind).size() + 2; // "RX OCTETS: "
            const QStringList parts = wrapText(text.mid(prefixSize), kWrapWidth);
            if (parts.isEmpty()) {
                out << index + text.left(prefixSize).trimmed();
                continue;
            }
            out << index + text.left(prefixSize) + parts.first();
            for (qsizetype i = 1; i < parts.size(); ++i)
                out << indent + parts[i];
            continue;
        }
        // Frame lines are not wrapped; their payload text follows on indented lines.
        out << index + text;
        for (const QString &part : wrapText(wireLogPayloadText(trace, line), kWrapWidth))
            out << indent + part;
    }
    return out;
}

QString startedText(const QDateTime &started)
{
    if (!started.isValid())
        return {};
    return started.toUTC().toString(u"yyyy-MM-dd'T'HH:mm:ss.zzz'Z'"_s);
}

// The word the reference detail report shows for a content verdict.
QString behaviorWord(const QString &behavior)
{
    if (behavior == u"OK"_s)
        return u"Pass"_s;
    if (behavior == u"NON-STRICT"_s)
        return u"Non-Strict"_s;
    if (behavior == u"INFORMATIONAL"_s)
        return u"Informational"_s;
    if (behavior == u"UNIMPLEMENTED"_s)
        return u"Unimplemented"_s;
    return u"Fail"_s;
}

QJsonObject countsJson(const CountMap &counts)
{
    QJsonObject out;
    for (const auto &[key, count] : counts)
        out.insert(QString::number(key), count);
    return out;
}

template <typename T> QJsonValue optionalJson(const std::optional<T> &value)
{
    return value ? QJsonValue(*value) : QJsonValue(QJsonValue::Null);
}

} // namespace

QString statisticsText(const WireStatistics &stats)
{
    return statisticsLines(stats).join(u'\n') + u'\n';
}

QString handshakeRequestText(const Trace &trace)
{
    return eventText(trace, TraceEvent::Kind::HandshakeRequest);
}

QString handshakeResponseText(const Trace &trace)
{
    return eventText(trace, TraceEvent::Kind::HandshakeResponse);
}

QString textReport(const ReportInput &input)
{
    const Trace empty;
    const Trace &trace = input.trace ? *input.trace : empty;
    const bool isCase = !input.caseId.isEmpty();
    const QString tail =
        u" - "_s + QString::number(input.durationMs) + u" ms @ "_s + startedText(trace.startedAt());

    QStringList out;
    out << u"WebSocket Inspector Report"_s << QString();
    if (isCase) {
        out << input.agent + u" - Case "_s + input.caseId + u" : "_s +
                   behaviorWord(input.behavior) + tail;
        out << QString() << u"Case Description"_s << QString()
            << plainCaseText(input.description);
        out << QString() << u"Case Expectation"_s << QString()
            << plainCaseText(input.expectation);
        out << QString() << u"Case Outcome"_s << QString() << input.result << QString()
            << u"Expected:"_s << limitString(input.expectedText, kMaxPickleLength) << QString()
            << u"Observed:"_s << limitString(input.observedText, kMaxPickleLength);
    } else {
        out << input.agent + u" - "_s + trace.url() + u" : "_s + input.closingVerdict.verdict +
                   tail;
    }
    out << QString() << u"Case Closing Behavior"_s << QString()
        << input.closingVerdict.text + u" ("_s + input.closingVerdict.verdict + u')';

    // The reference separates these sections by a rule; two blank lines here.
    out << QString() << QString() << u"Opening Handshake"_s << QString();
    out << headLines(handshakeRequestText(trace)) << headLines(handshakeResponseText(trace));

    out << QString() << QString() << u"Closing Behavior"_s << QString()
        << closingLines(input.closing);

    out << QString() << QString() << u"Wire Statistics"_s << QString()
        << statisticsLines(trace.statistics());

    out << QString() << QString() << u"Wire Log"_s << QString() << wireLogLines(trace);
    return out.join(u'\n') + u'\n';
}

QJsonObject jsonReport(const ReportInput &input)
{
    const Trace empty;
    const Trace &trace = input.trace ? *input.trace : empty;
    const ClosingBehavior &b = input.closing;

    QJsonArray wirelog;
    for (const WireLogLine &line : wireLog(trace)) {
        if (const auto json = wireLogJson(trace, line))
            wirelog.append(*json);
    }

    const QString started = startedText(trace.startedAt());
    QJsonObject out{
        {u"agent"_s, input.agent},
        {u"id"_s, input.caseId},
        {u"case"_s, input.caseIndex},
        {u"description"_s, input.description},
        {u"expectation"_s, input.expectation},
        {u"started"_s, started.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(started)},
        {u"duration"_s, input.durationMs},
        {u"reportTime"_s, input.reportTime},
        {u"reportCompressionRatio"_s, false},
        {u"behavior"_s, input.behavior},
        {u"behaviorClose"_s, input.closingVerdict.verdict},
        {u"result"_s, input.result},
        {u"resultClose"_s, input.closingVerdict.text},
        {u"expected"_s, input.expectedJson},
        {u"expectedClose"_s, input.expectedCloseJson},
        {u"received"_s, input.receivedJson},
        {u"wirelog"_s, wirelog},
        {u"createWirelog"_s, wirelogEnabledAtEnd(trace)},
        {u"createStats"_s, true},
        {u"rxOctetStats"_s, countsJson(trace.statistics().rxOctets)},
        {u"txOctetStats"_s, countsJson(trace.statistics().txOctets)},
        {u"rxFrameStats"_s, countsJson(trace.statistics().rxFrames)},
        {u"txFrameStats"_s, countsJson(trace.statistics().txFrames)},
        {u"httpRequest"_s, handshakeRequestText(trace)},
        {u"httpResponse"_s, handshakeResponseText(trace)},
        {u"trafficStats"_s, QJsonValue(QJsonValue::Null)},
        // The 13 closing fields (§2.2), None → null.
        {u"isServer"_s, b.isServer},
        {u"closedByMe"_s, b.closedByMe},
        {u"failedByMe"_s, b.failedByMe},
        {u"droppedByMe"_s, b.droppedByMe},
        {u"wasClean"_s, b.wasClean},
        {u"wasNotCleanReason"_s, optionalJson(b.wasNotCleanReason)},
        {u"wasServerConnectionDropTimeout"_s, b.wasServerConnectionDropTimeout},
        {u"wasOpenHandshakeTimeout"_s, b.wasOpenHandshakeTimeout},
        {u"wasCloseHandshakeTimeout"_s, b.wasCloseHandshakeTimeout},
        {u"localCloseCode"_s, optionalJson(b.localCloseCode)},
        // Invalid UTF-8 (sent on purpose, 7.5.1) as hex, like the table.
        {u"localCloseReason"_s, b.localCloseReason
                                    ? QJsonValue(closingFieldValue(b, "localCloseReason"))
                                    : QJsonValue(QJsonValue::Null)},
        {u"remoteCloseCode"_s, optionalJson(b.remoteCloseCode)},
        {u"remoteCloseReason"_s, optionalJson(b.remoteCloseReason)},
    };
    return out;
}

QString serverHeaderOf(const Trace &trace)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind != TraceEvent::Kind::HandshakeResponse)
            continue;
        for (const QString &line : e.text.split(u"\r\n"_s)) {
            if (line.startsWith(u"server:"_s, Qt::CaseInsensitive))
                return line.mid(7).trimmed();
        }
    }
    return {};
}

bool everConnected(const Trace &trace)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == TraceEvent::Kind::Connected)
            return true;
    }
    return false;
}

QString connectErrorOf(const Trace &trace)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == TraceEvent::Kind::Error)
            return e.text;
        if (e.kind == TraceEvent::Kind::OpenHandshakeTimeout)
            return u"connection timed out"_s;
    }
    return u"unknown error"_s;
}

} // namespace wsi
