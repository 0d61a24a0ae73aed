// SPDX-License-Identifier: MIT
#include "trace/report.h"
#include "protocol/handshake.h"
#include "trace/inflation.h"

#include "protocol/textescape.h"
#include "trace/wirelog.h"

#include <QBuffer>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QLocale>
#include <QRegularExpression>
#include <QStringList>
#include <QVariant>

#include <algorithm>
#include <cmath>
#include <functional>

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
// 2 + 4 + len("RX OCTETS") = 15 columns, so that they line up after "NNN RX OCTETS: "
// (docs/reports.md §4.2).
constexpr qsizetype kWrapWidth = 100;
constexpr qsizetype kContinuationIndent = 15;
// Expected/Observed are cut to this many characters (996 + " ...", docs/reports.md §1.2).
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
            // Python counts other control characters as word characters; here they are
            // written escaped (terminal safety), so the escape is what takes the columns.
            if (c < 0x10000 && isControlCharacter(char16_t(c))) {
                for (const QChar e : escapeControls(QString(QChar(char16_t(c))))) {
                    expanded.push_back(e.unicode());
                    ++column;
                }
                continue;
            }
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
// Cells may hold peer text (a close reason): escaped before the columns are measured.
QStringList tableLines(QList<QStringList> rows, bool alignRight)
{
    for (QStringList &row : rows) {
        for (QString &cell : row)
            cell = escapeControls(cell);
    }
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

// The proxy leg (docs/proxies.md): each request and reply as the proxy saw it, then the failure.
QStringList proxyLegLines(const Trace &trace)
{
    QStringList lines;
    for (const TraceEvent &event : trace.events()) {
        using K = TraceEvent::Kind;
        if (event.kind != K::ProxyRequest && event.kind != K::ProxyReply &&
            event.kind != K::ProxyFailed)
            continue;
        const QString prefix = event.kind == K::ProxyRequest ? u"> "_s
                               : event.kind == K::ProxyReply ? u"< "_s
                                                             : u"Failed: "_s;
        for (const QString &line : headLines(event.text))
            lines << prefix + escapeControls(line);
    }
    return lines;
}

QString eventText(const Trace &trace, TraceEvent::Kind kind)
{
    for (const TraceEvent &event : trace.events()) {
        if (event.kind == kind)
            return event.text;
    }
    return {};
}

// The text report's lines go out through this: each escaped (terminal safety: nothing from the
// network or a file reaches the output raw) and ended by a line feed, collected in a small buffer
// that is handed to the device whenever it fills, so a report's memory does not grow with it.
class LineSink
{
public:
    explicit LineSink(QIODevice &device) : m_device(device) { m_buffer.reserve(kFlushSize + 4096); }
    ~LineSink() { flush(); }
    LineSink(const LineSink &) = delete;
    LineSink &operator=(const LineSink &) = delete;

    void line(const QString &text)
    {
        m_buffer += escapeControls(text).toUtf8();
        m_buffer += '\n';
        if (m_buffer.size() >= kFlushSize)
            flush();
    }
    void lines(const QStringList &texts)
    {
        for (const QString &text : texts)
            line(text);
    }
    void blank() { line(QString()); }
    bool flush()
    {
        if (m_ok && !m_buffer.isEmpty())
            m_ok = m_device.write(m_buffer) == m_buffer.size();
        m_buffer.clear();
        return m_ok;
    }

private:
    static constexpr qsizetype kFlushSize = 64 * 1024;
    QIODevice &m_device;
    QByteArray m_buffer;
    bool m_ok = true;
};

// `storageLine`: a free session's log also says where storage stopped (a case's stays the
// reference's).
void writeWireLog(const Trace &trace, LineSink &out, bool storageLine)
{
    const QString indent(kContinuationIndent, u' ');
    qint64 number = 0;
    for (const WireLogLine &line : wireLog(trace, storageLine)) {
        const QString index = u"%1 "_s.arg(number++, 3, 10, QChar(u'0'));
        const QString text = wireLogText(trace, line);
        if (line.kind == WireLogKind::RxOctets || line.kind == WireLogKind::TxOctets) {
            const qsizetype prefixSize = wireLogKindName(line.kind).size() + 2; // "RX OCTETS: "
            const QStringList parts = wrapText(text.mid(prefixSize), kWrapWidth);
            if (parts.isEmpty()) {
                out.line(index + text.left(prefixSize).trimmed());
                continue;
            }
            out.line(index + text.left(prefixSize) + parts.first());
            for (qsizetype i = 1; i < parts.size(); ++i)
                out.line(indent + parts[i]);
            continue;
        }
        // Frame lines are not wrapped; their payload text follows on indented lines.
        out.line(index + text);
        for (const QString &part : wrapText(wireLogPayloadText(trace, line), kWrapWidth))
            out.line(indent + part);
    }
}

QString startedText(const QDateTime &started)
{
    if (!started.isValid())
        return {};
    return started.toUTC().toString(u"yyyy-MM-dd'T'HH:mm:ss.zzz'Z'"_s);
}

QJsonObject countsJson(const CountMap &counts)
{
    QJsonObject out;
    for (const auto &[key, count] : counts)
        out.insert(QString::number(key), count);
    return out;
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

QString deflateSummary(const Trace &trace)
{
    const DeflateAgreement agreement = traceDeflateAgreement(trace);
    if (!agreement.agreed)
        return {};
    const DeflateStatistics stats = deflateStatistics(trace);
    const auto ratio = [](std::optional<double> r) {
        return r ? QString::number(*r, 'f', 3) : u"-"_s;
    };
    return u"permessage-deflate (%1); wire/application octets in %2, out %3"_s.arg(
        agreement.describe(), ratio(stats.rxRatio()), ratio(stats.txRatio()));
}

QJsonValue deflateJson(const Trace &trace)
{
    const DeflateAgreement agreement = traceDeflateAgreement(trace);
    if (!agreement.agreed)
        return QJsonValue(QJsonValue::Null);
    const DeflateStatistics stats = deflateStatistics(trace);
    const auto ratio = [](std::optional<double> r) {
        return r ? QJsonValue(*r) : QJsonValue(QJsonValue::Null);
    };
    return QJsonObject{
        {u"accepted"_s, agreement.accepted},
        {u"serverMaxWindowBits"_s, agreement.serverWindowBits},
        {u"clientMaxWindowBits"_s, agreement.clientWindowBits},
        {u"serverNoContextTakeover"_s, agreement.serverNoContextTakeover},
        {u"clientNoContextTakeover"_s, agreement.clientNoContextTakeover},
        {u"rxWireOctets"_s, stats.rxWireOctets},
        {u"rxAppOctets"_s, stats.rxAppOctets},
        {u"txWireOctets"_s, stats.txWireOctets},
        {u"txAppOctets"_s, stats.txAppOctets},
        {u"rxCompressionRatio"_s, ratio(stats.rxRatio())},
        {u"txCompressionRatio"_s, ratio(stats.txRatio())},
    };
}

namespace {

// What the server ignored of our request (a free session's report says it).
QStringList handshakeWarningTexts(const Trace &trace)
{
    QStringList texts;
    for (const HandshakeWarningInfo &w : handshakeWarnings(handshakeRequestText(trace).toLatin1(),
                                                           handshakeResponseText(trace).toLatin1()))
        texts << w.text;
    return texts;
}

// "TLS 1.3, TLS_AES_256_GCM_SHA384; certificate CN=localhost (SHA-256 CB:58:…)".
QString tlsSummary(const TlsInfo &tls)
{
    QString text = tlsProtocolDisplayName(tls.protocol) + u", "_s + tls.cipher;
    if (!tls.chain.isEmpty())
        text += u"; certificate "_s + tls.chain.first().subject + u" (SHA-256 "_s +
                tls.chain.first().sha256 + u')';
    if (tls.errorsIgnored)
        text += u"; certificate errors ignored: "_s + tls.certificateErrors.join(u"; "_s);
    return text;
}

// What we asked of the handshake and what came of it: "server name localhost; ALPN http/1.1
// (offered http/1.1); client certificate CN=client; version asked: TLS 1.3".
QString tlsClientSummary(const TlsInfo &tls)
{
    const auto orNone = [](const QString &v) { return v.isEmpty() ? u"none"_s : v; };
    QString text =
        u"server name "_s + orNone(tls.sni) + u"; ALPN "_s + orNone(tls.alpn) + u" (offered "_s +
        orNone(tls.alpnOffered.join(u", "_s)) + u"); client certificate "_s +
        orNone(tls.clientCertificate) + u"; version asked: "_s +
        (tls.versionAsked.isEmpty() ? u"any"_s : tlsProtocolDisplayName(tls.versionAsked));
    return text;
}

} // namespace

namespace {

// A free session's report lists the frames that broke a rule, both directions, by the core's
// rule set; at most this many, then how many more.
constexpr qsizetype kMaxReportedViolations = 1000;

struct ViolatingFrame
{
    qsizetype number; // 1-based, as the frame table numbers frames
    const FrameRecord *frame;
};

// Calls `each` for the first kMaxReportedViolations frames that broke a rule; returns how many
// broke one in all.
qsizetype forEachViolatingFrame(const Trace &trace,
                                const std::function<void(const ViolatingFrame &)> &each)
{
    qsizetype count = 0;
    qsizetype number = 0;
    for (const FrameRecord &f : trace.frames()) {
        ++number;
        if (f.violations == Violation::None)
            continue;
        if (++count <= kMaxReportedViolations)
            each({number, &f});
    }
    return count;
}

QString violatingFrameText(const ViolatingFrame &v)
{
    const FrameRecord &f = *v.frame;
    QString text = (f.direction == Direction::Tx ? u"TX"_s : u"RX"_s) + u" frame "_s +
                   QString::number(v.number) + u" (opcode "_s + QString::number(f.opcode) +
                   u", at octet "_s + QString::number(f.streamOffset) + u"): "_s;
    QStringList parts;
    for (Violation x : violationList(f.violations))
        parts << violationName(x) + u" ("_s + violationRule(x) + u')';
    return text + parts.join(u"; "_s);
}

} // namespace

bool writeTextReport(const ReportInput &input, QIODevice &device)
{
    const Trace empty;
    const Trace &trace = input.trace ? *input.trace : empty;
    const bool isCase = !input.caseId.isEmpty();
    const QString tail =
        u" - "_s + QString::number(input.durationMs) + u" ms @ "_s + startedText(trace.startedAt());

    LineSink out(device);
    out.line(u"WebSocket Inspector Report"_s);
    out.blank();
    if (isCase) {
        out.line(input.agent + u" - Case "_s + input.caseId + u" : "_s +
                 verdictWord(input.behavior.value_or(Verdict::Failed)) + tail);
        // Description and expectation keep the line breaks of their <br> tags.
        out.blank();
        out.line(u"Case Description"_s);
        out.blank();
        out.lines(plainCaseText(input.description).split(u'\n'));
        out.blank();
        out.line(u"Case Expectation"_s);
        out.blank();
        out.lines(plainCaseText(input.expectation).split(u'\n'));
        out.lines({QString(), u"Case Outcome"_s, QString(), input.result, QString(), u"Expected:"_s,
                   limitString(input.expectedText, kMaxPickleLength), QString(), u"Observed:"_s,
                   limitString(input.observedText, kMaxPickleLength)});
    } else {
        out.line(input.agent + u" - "_s + trace.url() + u" : "_s +
                 verdictText(input.closingVerdict.verdict) + tail);
    }
    out.lines(
        {QString(), u"Case Closing Behavior"_s, QString(),
         input.closingVerdict.text + u" ("_s + verdictText(input.closingVerdict.verdict) + u')'});
    // A free session also says how TCP ended (FIN, RST, TLS, ours); a case's block stays the
    // reference's.
    if (!isCase)
        out.line(u"TCP: "_s + escapeControls(tcpEndDescription(input.closing)));
    // …and whether everything it saw is in the report: past the trace's budget, octets and
    // frames were counted (the statistics stay exact), not stored.
    if (!isCase && trace.limitReached())
        out.line(u"Storage: stopped "_s + storageStopText(trace));
    if (!isCase) {
        if (const TlsInfo *tls = tlsInfo(trace)) {
            out.line(u"TLS: "_s + escapeControls(tlsSummary(*tls)));
            out.line(u"TLS handshake: "_s + escapeControls(tlsClientSummary(*tls)));
        }
    }

    // A free session through a proxy: the proxy leg, apart from the server's handshake.
    if (!isCase) {
        const QStringList proxy = proxyLegLines(trace);
        if (!proxy.isEmpty()) {
            out.lines({QString(), QString(), u"Proxy"_s, QString()});
            out.lines(proxy);
        }
    }

    // The reference separates these sections by a rule; two blank lines here.
    out.lines({QString(), QString(), u"Opening Handshake"_s, QString()});
    out.lines(headLines(handshakeRequestText(trace)));
    out.lines(headLines(handshakeResponseText(trace)));
    if (!isCase) {
        for (const QString &warning : handshakeWarningTexts(trace))
            out.line(u"Warning: "_s + escapeControls(warning));
        if (const QString deflate = deflateSummary(trace); !deflate.isEmpty())
            out.line(u"Compression: "_s + escapeControls(deflate));
    }

    out.lines({QString(), QString(), u"Closing Behavior"_s, QString()});
    out.lines(closingLines(input.closing));

    if (!isCase) {
        out.lines({QString(), QString(), u"Protocol Violations"_s, QString()});
        const qsizetype count = forEachViolatingFrame(
            trace, [&out](const ViolatingFrame &v) { out.line(violatingFrameText(v)); });
        if (count == 0)
            out.line(u"No frame broke a rule of RFC 6455."_s);
        else if (count > kMaxReportedViolations)
            out.line(u"... and "_s + QString::number(count - kMaxReportedViolations) +
                     u" more frames that broke a rule"_s);
    }

    out.lines({QString(), QString(), u"Wire Statistics"_s, QString()});
    out.lines(statisticsLines(trace.statistics()));

    out.lines({QString(), QString(), u"Wire Log"_s, QString()});
    writeWireLog(trace, out, !isCase);
    return out.flush();
}

QString textReport(const ReportInput &input)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    [[maybe_unused]] const bool written = writeTextReport(input, buffer);
    return QString::fromUtf8(buffer.data());
}

namespace {

// A JSON writer that produces what QJsonDocument::toJson(Indented) does (four spaces an
// indentation level, ": " after keys, keys in the order given), for a document too large to be
// built in memory first. Strings are escaped as JSON requires (", \ and every character below
// U+0020), and DEL and C1 as \u007f … \u009f too, so a report shown on a terminal carries no
// control characters; lone surrogates become \uXXXX.
class JsonSink
{
public:
    explicit JsonSink(QIODevice &device) : m_device(device) { m_buffer.reserve(kFlushSize + 4096); }
    ~JsonSink() { flush(); }
    JsonSink(const JsonSink &) = delete;
    JsonSink &operator=(const JsonSink &) = delete;

    void raw(QByteArrayView text)
    {
        m_buffer += text;
        if (m_buffer.size() >= kFlushSize)
            flush();
    }
    void indent(int level) { m_buffer.append(4 * level, ' '); }
    void string(QStringView text)
    {
        static constexpr char digits[] = "0123456789abcdef";
        const auto unicodeEscape = [this](char16_t u) {
            const char escape[] = {'\\',
                                   'u',
                                   digits[u >> 12],
                                   digits[(u >> 8) & 0xf],
                                   digits[(u >> 4) & 0xf],
                                   digits[u & 0xf]};
            m_buffer.append(escape, sizeof escape);
        };
        m_buffer += '"';
        for (qsizetype i = 0; i < text.size(); ++i) {
            const char16_t u = text[i].unicode();
            switch (u) {
            case u'"':
                m_buffer += "\\\"";
                continue;
            case u'\\':
                m_buffer += "\\\\";
                continue;
            case u'\b':
                m_buffer += "\\b";
                continue;
            case u'\f':
                m_buffer += "\\f";
                continue;
            case u'\n':
                m_buffer += "\\n";
                continue;
            case u'\r':
                m_buffer += "\\r";
                continue;
            case u'\t':
                m_buffer += "\\t";
                continue;
            default:
                break;
            }
            if (isControlCharacter(u)) {
                unicodeEscape(u);
            } else if (u < 0x80) {
                m_buffer += char(u);
            } else if (QChar::isHighSurrogate(u) && i + 1 < text.size() &&
                       text[i + 1].isLowSurrogate()) {
                utf8(QChar::surrogateToUcs4(u, text[++i].unicode()));
            } else if (QChar::isSurrogate(u)) {
                unicodeEscape(u);
            } else {
                utf8(u);
            }
        }
        m_buffer += '"';
        if (m_buffer.size() >= kFlushSize)
            flush();
    }
    void utf8(char32_t c)
    {
        if (c < 0x800) {
            m_buffer += char(0xc0 | c >> 6);
        } else if (c < 0x10000) {
            m_buffer += char(0xe0 | c >> 12);
            m_buffer += char(0x80 | ((c >> 6) & 0x3f));
        } else {
            m_buffer += char(0xf0 | c >> 18);
            m_buffer += char(0x80 | ((c >> 12) & 0x3f));
            m_buffer += char(0x80 | ((c >> 6) & 0x3f));
        }
        m_buffer += char(0x80 | (c & 0x3f));
    }
    void integer(qint64 value) { raw(QByteArray::number(value)); }
    void boolean(bool value) { raw(value ? "true" : "false"); }
    void null() { raw("null"); }

    // Any (small) JSON value, nested ones at `level`.
    void value(const QJsonValue &v, int level)
    {
        switch (v.type()) {
        case QJsonValue::Null:
        case QJsonValue::Undefined:
            null();
            break;
        case QJsonValue::Bool:
            boolean(v.toBool());
            break;
        case QJsonValue::Double:
            if (v.toVariant().typeId() == QMetaType::LongLong)
                integer(v.toInteger());
            else if (const double d = v.toDouble(); std::isfinite(d))
                raw(QByteArray::number(d, 'g', QLocale::FloatingPointShortest));
            else
                null();
            break;
        case QJsonValue::String:
            string(v.toString());
            break;
        case QJsonValue::Array: {
            const QJsonArray a = v.toArray();
            raw("[\n");
            for (qsizetype i = 0; i < a.size(); ++i) {
                indent(level + 1);
                value(a[i], level + 1);
                raw(i + 1 < a.size() ? ",\n" : "\n");
            }
            indent(level);
            raw("]");
            break;
        }
        case QJsonValue::Object: {
            const QJsonObject o = v.toObject();
            raw("{\n");
            for (auto it = o.begin(); it != o.end(); ++it) {
                indent(level + 1);
                string(it.key());
                raw(": ");
                value(it.value(), level + 1);
                raw(std::next(it) != o.end() ? ",\n" : "\n");
            }
            indent(level);
            raw("}");
            break;
        }
        }
    }

    bool flush()
    {
        if (m_ok && !m_buffer.isEmpty())
            m_ok = m_device.write(m_buffer) == m_buffer.size();
        m_buffer.clear();
        return m_ok;
    }

private:
    static constexpr qsizetype kFlushSize = 64 * 1024;
    QIODevice &m_device;
    QByteArray m_buffer;
    bool m_ok = true;
};

} // namespace

bool writeJsonReport(const ReportInput &input, QIODevice &device)
{
    const Trace empty;
    const Trace &trace = input.trace ? *input.trace : empty;
    const ClosingBehavior &b = input.closing;
    JsonSink out(device);

    // The wire log is the one member that grows with the trace: written entry by entry.
    const auto wirelog = [&trace, &out] {
        bool first = true;
        for (const WireLogLine &line : wireLog(trace)) {
            const std::optional<QJsonArray> json = wireLogJson(trace, line);
            if (!json)
                continue;
            out.raw(first ? "\n" : ",\n");
            first = false;
            out.indent(2);
            out.value(*json, 2);
        }
        out.raw("\n");
        out.indent(1);
        out.raw("]");
    };
    const auto value = [&out](const QJsonValue &v) { return [&out, v] { out.value(v, 1); }; };
    const auto optionalInt = [&](const std::optional<int> &v) {
        return value(v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null));
    };
    const auto optionalString = [&](const std::optional<QString> &v) {
        return value(v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null));
    };
    const QString started = startedText(trace.startedAt());
    const WireStatistics &stats = trace.statistics();

    using Member = std::pair<QString, std::function<void()>>;
    std::vector<Member> members{
        {u"agent"_s, value(input.agent)},
        {u"id"_s, value(input.caseId)},
        {u"case"_s, value(input.caseIndex)},
        {u"description"_s, value(input.description)},
        {u"expectation"_s, value(input.expectation)},
        {u"started"_s,
         value(started.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(started))},
        {u"duration"_s, value(input.durationMs)},
        {u"reportTime"_s, value(input.reportTime)},
        {u"reportCompressionRatio"_s, value(false)},
        {u"behavior"_s, value(input.behavior ? verdictText(*input.behavior) : QString())},
        {u"behaviorClose"_s, value(verdictText(input.closingVerdict.verdict))},
        {u"result"_s, value(input.result)},
        {u"resultClose"_s, value(input.closingVerdict.text)},
        {u"expected"_s, value(input.expectedJson)},
        {u"expectedClose"_s, value(input.expectedCloseJson)},
        {u"received"_s, value(input.receivedJson)},
        {u"wirelog"_s,
         [&out, wirelog] {
             out.raw("[");
             wirelog();
         }},
        {u"createWirelog"_s, value(wireLogEnabledAtEnd(trace))},
        {u"createStats"_s, value(true)},
        {u"rxOctetStats"_s, value(countsJson(stats.rxOctets))},
        {u"txOctetStats"_s, value(countsJson(stats.txOctets))},
        {u"rxFrameStats"_s, value(countsJson(stats.rxFrames))},
        {u"txFrameStats"_s, value(countsJson(stats.txFrames))},
        {u"httpRequest"_s, value(handshakeRequestText(trace))},
        {u"httpResponse"_s, value(handshakeResponseText(trace))},
        {u"trafficStats"_s, value(QJsonValue(QJsonValue::Null))},
        // The 13 closing fields (docs/closing.md §1), None → null.
        {u"isServer"_s, value(b.isServer)},
        {u"closedByMe"_s, value(b.closedByMe)},
        {u"failedByMe"_s, value(b.failedByMe)},
        {u"droppedByMe"_s, value(b.droppedByMe)},
        {u"wasClean"_s, value(b.wasClean)},
        {u"wasNotCleanReason"_s, optionalString(b.wasNotCleanReason)},
        {u"wasServerConnectionDropTimeout"_s, value(b.wasServerConnectionDropTimeout)},
        {u"wasOpenHandshakeTimeout"_s, value(b.wasOpenHandshakeTimeout)},
        {u"wasCloseHandshakeTimeout"_s, value(b.wasCloseHandshakeTimeout)},
        {u"localCloseCode"_s, optionalInt(b.localCloseCode)},
        // Invalid UTF-8 (sent on purpose, 7.5.1) as hex, like the table.
        {u"localCloseReason"_s,
         value(b.localCloseReason ? QJsonValue(closingFieldValue(b, "localCloseReason"))
                                  : QJsonValue(QJsonValue::Null))},
        {u"remoteCloseCode"_s, optionalInt(b.remoteCloseCode)},
        {u"remoteCloseReason"_s, optionalString(b.remoteCloseReason)},
    };
    // A free session's extras; a case's report keeps the reference's members only.
    if (input.caseId.isEmpty()) {
        members.push_back({u"tcpEnd"_s, value(tcpEndDescription(b))});
        members.push_back(
            {u"violations"_s, [&trace, &out] {
                 QJsonArray list;
                 const qsizetype count = forEachViolatingFrame(trace, [&list](
                                                                          const ViolatingFrame &v) {
                     QJsonArray names;
                     for (Violation x : violationList(v.frame->violations))
                         names.append(violationName(x));
                     list.append(QJsonObject{
                         {u"direction"_s, v.frame->direction == Direction::Tx ? u"TX"_s : u"RX"_s},
                         {u"frame"_s, qint64(v.number)},
                         {u"opcode"_s, int(v.frame->opcode)},
                         {u"offset"_s, v.frame->streamOffset},
                         {u"violations"_s, names}});
                 });
                 out.value(QJsonObject{{u"frames"_s, list}, {u"count"_s, qint64(count)}}, 1);
             }});
        // A free session says where storage stopped (null: it did not); a case's JSON keeps the
        // reference's keys.
        QJsonValue stopped(QJsonValue::Null);
        if (const std::optional<Trace::StorageStop> stop = trace.storageStop()) {
            stopped = QJsonObject{
                {u"direction"_s, stop->direction == Direction::Rx ? u"rx"_s : u"tx"_s},
                {u"streamOffset"_s, stop->streamOffset},
                {u"limit"_s, stop->limit},
                {u"maxTraceOctets"_s, trace.limits().maxStoredOctets},
                {u"text"_s, storageStopText(trace)},
            };
        }
        members.emplace_back(u"storageStopped"_s, value(stopped));
        QJsonArray warnings;
        for (const QString &warning : handshakeWarningTexts(trace))
            warnings.append(warning);
        members.emplace_back(u"handshakeWarnings"_s, value(warnings));
        members.emplace_back(u"permessageDeflate"_s, value(deflateJson(trace)));
        QJsonValue tlsValue(QJsonValue::Null); // ws://, or TLS never got up
        if (const TlsInfo *tls = tlsInfo(trace)) {
            QJsonArray chain;
            for (const TlsCertificateInfo &cert : tls->chain) {
                chain.append(QJsonObject{
                    {u"subject"_s, cert.subject},
                    {u"issuer"_s, cert.issuer},
                    {u"notBefore"_s, cert.notBefore.toString(Qt::ISODate)},
                    {u"notAfter"_s, cert.notAfter.toString(Qt::ISODate)},
                    {u"sha256"_s, cert.sha256},
                });
            }
            tlsValue = QJsonObject{
                {u"protocol"_s, tls->protocol},
                {u"cipher"_s, tls->cipher},
                {u"chain"_s, chain},
                {u"certificateErrors"_s, QJsonArray::fromStringList(tls->certificateErrors)},
                {u"errorsIgnored"_s, tls->errorsIgnored},
                {u"sni"_s, tls->sni},
                {u"alpnOffered"_s, QJsonArray::fromStringList(tls->alpnOffered)},
                {u"alpn"_s, tls->alpn},
                {u"clientCertificate"_s, tls->clientCertificate},
                {u"versionAsked"_s, tls->versionAsked.isEmpty() ? u"any"_s : tls->versionAsked},
            };
        }
        members.emplace_back(u"tls"_s, value(tlsValue));
        // The proxy leg (docs/proxies.md §2.3): null on a direct connection.
        QJsonArray leg;
        QJsonValue proxyFailure(QJsonValue::Null);
        for (const TraceEvent &e : trace.events()) {
            if (e.kind == TraceEvent::Kind::ProxyRequest || e.kind == TraceEvent::Kind::ProxyReply)
                leg.append(QJsonObject{
                    {u"direction"_s, e.kind == TraceEvent::Kind::ProxyRequest ? u"TX"_s : u"RX"_s},
                    {u"text"_s, e.text}});
            else if (e.kind == TraceEvent::Kind::ProxyFailed)
                proxyFailure = e.text;
        }
        members.emplace_back(
            u"proxy"_s, value(leg.isEmpty() && proxyFailure.isNull()
                                  ? QJsonValue(QJsonValue::Null)
                                  : QJsonObject{{u"leg"_s, leg}, {u"failure"_s, proxyFailure}}));
    }
    // In the order QJsonObject keeps its keys (sorted), as the report was written before.
    std::sort(members.begin(), members.end(),
              [](const Member &x, const Member &y) { return x.first < y.first; });
    out.raw("{\n");
    for (size_t i = 0; i < members.size(); ++i) {
        out.indent(1);
        out.string(members[i].first);
        out.raw(": ");
        members[i].second();
        out.raw(i + 1 < members.size() ? ",\n" : "\n");
    }
    out.raw("}\n");
    return out.flush();
}

QJsonObject jsonReport(const ReportInput &input)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    [[maybe_unused]] const bool written = writeJsonReport(input, buffer);
    return QJsonDocument::fromJson(buffer.data()).object();
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
        if (e.kind == TraceEvent::Kind::TlsHandshakeFailed)
            return u"TLS handshake failed: "_s + e.text;
        if (e.kind == TraceEvent::Kind::ProxyFailed)
            return u"proxy failed: "_s + e.text;
        if (e.kind == TraceEvent::Kind::OpenHandshakeTimeout)
            return u"connection timed out"_s;
    }
    return u"unknown error"_s;
}

} // namespace wsi
