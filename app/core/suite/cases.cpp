// SPDX-License-Identifier: MIT
#include "suite/cases.h"

#include "trace/wirelog.h"

#include <QStringList>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

constexpr qsizetype kRenderLimit = 1000;

// repr() of a Python 2 unicode string (UCS-4 build): u'…', or u"…" when the text holds a single
// quote and no double quote.
QString pyUnicodeRepr(const QString &text)
{
    const bool hasSingle = text.contains(u'\'');
    const QChar quote = hasSingle && !text.contains(u'"') ? u'"' : u'\'';
    QString out = u"u"_s + quote;
    for (const char32_t c : text.toUcs4()) {
        if (c == quote.unicode() || c == u'\\') {
            out += u'\\';
            out += QChar(c);
        } else if (c == u'\t') {
            out += u"\\t"_s;
        } else if (c == u'\n') {
            out += u"\\n"_s;
        } else if (c == u'\r') {
            out += u"\\r"_s;
        } else if (c < 0x20 || (c >= 0x7f && c <= 0xff)) {
            out += u"\\x%1"_s.arg(uint(c), 2, 16, QChar(u'0'));
        } else if (c > 0xffff) {
            out += u"\\U%1"_s.arg(uint(c), 8, 16, QChar(u'0'));
        } else if (c >= 0x100) {
            // Python 2's unicode repr escapes every non-ASCII character.
            out += u"\\u%1"_s.arg(uint(c), 4, 16, QChar(u'0'));
        } else {
            out += QChar(c);
        }
    }
    out += quote;
    return out;
}

// repr() of a plain byte string that is ASCII text (the timeout tags).
QString pyStrRepr(const QByteArray &text)
{
    return u"'"_s + QString::fromLatin1(text) + u"'"_s;
}

QString renderEvent(const PeerEvent &event)
{
    switch (event.kind) {
    case PeerEvent::Kind::Message:
        return u"('message', "_s + pyUnicodeRepr(asciiLogData(event.payload)) + u", "_s +
               (event.binary ? u"True"_s : u"False"_s) + u')';
    case PeerEvent::Kind::Pong:
        return u"('pong', "_s + pyUnicodeRepr(asciiLogData(event.payload)) + u')';
    case PeerEvent::Kind::Timeout:
        return u"('timeout', "_s + pyStrRepr(event.payload) + u')';
    }
    return {};
}

QString renderList(const PeerEventList &events)
{
    QStringList parts;
    parts.reserve(events.size());
    for (const PeerEvent &e : events)
        parts << renderEvent(e);
    return u'[' + parts.join(u", "_s) + u']';
}

QString cut(const QString &text)
{
    if (text.size() <= kRenderLimit)
        return text;
    return text.left(kRenderLimit - 4) + u" ..."_s;
}

QJsonArray eventJson(const PeerEvent &event)
{
    switch (event.kind) {
    case PeerEvent::Kind::Message:
        return {u"message"_s, asciiLogData(event.payload), event.binary};
    case PeerEvent::Kind::Pong:
        return {u"pong"_s, asciiLogData(event.payload)};
    case PeerEvent::Kind::Timeout:
        return {u"timeout"_s, QString::fromLatin1(event.payload)};
    }
    return {};
}

// str() of a Python dict of opcode counts, e.g. "{0: 50, 1: 1}".
QString pyCountDict(const CountMap &counts)
{
    QStringList parts;
    for (const auto &[key, value] : counts)
        parts << QString::number(key) + u": "_s + QString::number(value);
    return u'{' + parts.join(u", "_s) + u'}';
}

} // namespace

CaseVerdict evaluateCase(const CaseDefinition &def, const CaseObservation &seen,
                         const ClosingBehavior &closing)
{
    CaseVerdict v;
    v.behavior = Verdict::Failed;
    const ExpectedEvents *matched = nullptr;
    switch (def.logic) {
    case CaseLogic::Events:
        v.result = u"Actual events differ from any expected."_s;
        // The expected map is filled in at onOpen: a case that never opened matches nothing.
        if (closing.wasOpen) {
            for (const ExpectedEvents &e : def.expected) {
                if (e.events == seen.received) {
                    matched = &e;
                    v.behavior = e.verdict;
                    v.result = u"Actual events match at least one expected."_s;
                    break;
                }
            }
        }
        break;
    case CaseLogic::TimedEcho:
    case CaseLogic::RoundTrips:
    case CaseLogic::DeflateEchoes:
        v.result = def.logic == CaseLogic::TimedEcho
                       ? u"Did not receive message within %1 seconds."_s.arg(def.waitSeconds)
                       : u"Case did not finish within %1 seconds."_s.arg(def.waitSeconds);
        if (seen.customBehavior)
            v.behavior = *seen.customBehavior;
        if (!seen.customResult.isEmpty())
            v.result = seen.customResult;
        break;
    }

    v.closing = closingVerdict(closing, def.expectedClose);
    if (def.expectedClose.closedByWrongEndpointIsFatal && closing.wasOpen &&
        closing.closedByMe != def.expectedClose.closedByMe)
        v.behavior = Verdict::Failed; // the peer did not detect the invalid UTF-8

    switch (def.override) {
    case CaseOverride::None:
        break;
    case CaseOverride::WrongCodeFails:
        if (v.closing.verdict == CloseVerdict::WrongCode) {
            v.behavior = Verdict::Failed;
            v.result = v.closing.text;
        }
        break;
    case CaseOverride::Informational716:
        v.behavior = Verdict::Informational;
        v.closing.verdict = CloseVerdict::Informational;
        if (matched && matched->verdict == Verdict::Ok)
            v.result = u"Text message was processed before close."_s;
        else if (matched && matched->verdict == Verdict::NonStrict)
            v.result = u"Close was processed before text message could be returned."_s;
        break;
    case CaseOverride::Undefined:
        v.behavior = Verdict::Informational;
        v.closing.verdict = CloseVerdict::Informational;
        v.result = u"Actual events are undefined by the spec."_s;
        break;
    }

    if (!def.expectedTxFrames.empty()) {
        CountMap got;
        for (const auto &[opcode, count] : def.expectedTxFrames) {
            const auto it = seen.txFrameCounts.find(opcode);
            got[opcode] = it == seen.txFrameCounts.end() ? 0 : it->second;
        }
        if (got != def.expectedTxFrames) {
            v.behavior = Verdict::Failed;
            v.result = u"Frames transmitted %1 does not match what we expected %2."_s.arg(
                pyCountDict(got), pyCountDict(def.expectedTxFrames));
        }
    }
    return v;
}

QString renderExpected(const CaseDefinition &def)
{
    QStringList parts;
    for (const ExpectedEvents &e : def.expected)
        parts << u'\'' + verdictText(e.verdict) + u"': "_s + renderList(e.events);
    return cut(u'{' + parts.join(u", "_s) + u'}');
}

QString renderObserved(const PeerEventList &events)
{
    return cut(renderList(events));
}

QJsonObject expectedJson(const CaseDefinition &def)
{
    QJsonObject o;
    for (const ExpectedEvents &e : def.expected)
        o[verdictText(e.verdict)] = receivedJson(e.events);
    return o;
}

QJsonArray receivedJson(const PeerEventList &events)
{
    QJsonArray a;
    for (const PeerEvent &e : events)
        a.append(eventJson(e));
    return a;
}

QJsonObject expectedCloseJson(const ExpectedClose &expected)
{
    QJsonArray codes;
    for (int c : expected.closeCodes)
        codes.append(c);
    QJsonObject o{{u"closedByMe"_s, expected.closedByMe},
                  {u"closeCode"_s, codes},
                  {u"requireClean"_s, expected.requireClean}};
    if (expected.closedByWrongEndpointIsFatal)
        o[u"closedByWrongEndpointIsFatal"_s] = true;
    return o;
}

} // namespace wsi
