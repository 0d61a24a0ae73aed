// SPDX-License-Identifier: MIT
#include "suite/scenario.h"

#include "protocol/hex.h"
#include "suite/corpora.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cmath>
#include <limits>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

const QString kFormat = u"wsinspector-scenario"_s;
constexpr int kVersion = 1;

QString maskToString(const FrameSpec &f)
{
    switch (f.maskMode) {
    case MaskMode::Random:
        return u"auto"_s;
    case MaskMode::None:
        return u"none"_s;
    case MaskMode::BitOnly:
        return u"bit"_s;
    case MaskMode::Fixed:
        return u"%1"_s.arg(f.maskKey, 8, 16, QChar(u'0'));
    }
    return {};
}

// Valid UTF-8 without NUL: written as JSON text without loss.
bool isPlainText(const QByteArray &octets)
{
    return QString::fromUtf8(octets).toUtf8() == octets && !octets.contains('\0');
}

// Payloads: "text" when they are valid UTF-8 without NUL, else "hex" (lossless either way).
void putPayload(QJsonObject &o, const QByteArray &payload)
{
    if (isPlainText(payload))
        o[u"text"_s] = QString::fromUtf8(payload);
    else
        o[u"hex"_s] = QString::fromLatin1(payload.toHex());
}

// A small reader that names the JSON path of whatever is wrong.
class Reader
{
public:
    Reader(const QJsonObject &o, QString path) : m_o(o), m_path(std::move(path)) {}

    [[nodiscard]] QString where(const QString &key) const
    {
        return m_path.isEmpty() ? key : m_path + u'.' + key;
    }
    bool has(const QString &key) const { return m_o.contains(key); }

    bool integer(const QString &key, qint64 min, qint64 max, qint64 &out)
    {
        if (!m_o.contains(key))
            return true;
        const QJsonValue v = m_o.value(key);
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || d != std::floor(d) || d < double(min) || d > double(max)) {
            fail(where(key) + u": must be a whole number from %1 to %2"_s.arg(min).arg(max));
            return false;
        }
        out = qint64(d);
        return true;
    }
    bool seconds(const QString &key, double &out)
    {
        if (!m_o.contains(key))
            return true;
        const QJsonValue v = m_o.value(key);
        const double d = v.toDouble();
        // Written so that NaN fails too; at most a day, so the milliseconds fit an int.
        if (!v.isDouble() || !(d >= 0 && d <= 86400)) {
            fail(where(key) + u": must be seconds from 0 to 86400"_s);
            return false;
        }
        out = d;
        return true;
    }
    bool boolean(const QString &key, bool &out)
    {
        if (!m_o.contains(key))
            return true;
        if (!m_o.value(key).isBool()) {
            fail(where(key) + u": must be true or false"_s);
            return false;
        }
        out = m_o.value(key).toBool();
        return true;
    }
    bool string(const QString &key, QString &out)
    {
        if (!m_o.contains(key))
            return true;
        if (!m_o.value(key).isString()) {
            fail(where(key) + u": must be a string"_s);
            return false;
        }
        out = m_o.value(key).toString();
        return true;
    }
    bool stringList(const QString &key, QStringList &out)
    {
        if (!m_o.contains(key))
            return true;
        if (!m_o.value(key).isArray()) {
            fail(where(key) + u": must be a list of strings"_s);
            return false;
        }
        out.clear();
        for (const QJsonValue &v : m_o.value(key).toArray()) {
            if (!v.isString()) {
                fail(where(key) + u": must be a list of strings"_s);
                return false;
            }
            out << v.toString();
        }
        return true;
    }
    // "text" or "hex" (exactly one may be present).
    bool payload(QByteArray &out)
    {
        if (m_o.contains(u"text"_s) && m_o.contains(u"hex"_s)) {
            fail(where(u"hex"_s) + u": give either text or hex, not both"_s);
            return false;
        }
        QString s;
        if (m_o.contains(u"hex"_s)) {
            if (!string(u"hex"_s, s))
                return false;
            const HexError error = parseHex(s, out);
            if (!error.ok())
                fail(where(u"hex"_s) + u": "_s + error.message());
            return error.ok();
        }
        if (!string(u"text"_s, s))
            return false;
        out = s.toUtf8();
        return true;
    }
    // A string naming one of `names`; `index` is its position.
    bool choice(const QString &key, const QStringList &names, int &index)
    {
        if (!m_o.contains(key))
            return true;
        QString value;
        if (!string(key, value))
            return false;
        const qsizetype i = names.indexOf(value);
        if (i < 0) {
            fail(where(key) + u": unknown value '"_s + value + u"' (known: "_s +
                 names.join(u", "_s) + u')');
            return false;
        }
        index = int(i);
        return true;
    }
    bool object(const QString &key, QJsonObject &out)
    {
        if (!m_o.contains(key))
            return true;
        if (!m_o.value(key).isObject()) {
            fail(where(key) + u": must be an object"_s);
            return false;
        }
        out = m_o.value(key).toObject();
        return true;
    }
    bool onlyKeys(const QStringList &known)
    {
        for (auto it = m_o.begin(); it != m_o.end(); ++it) {
            if (!known.contains(it.key())) {
                fail(where(it.key()) + u": unknown key (known: "_s + known.join(u", "_s) + u')');
                return false;
            }
        }
        return true;
    }

    void fail(const QString &error)
    {
        if (m_error.isEmpty())
            m_error = error;
    }
    [[nodiscard]] const QString &error() const { return m_error; }

private:
    QJsonObject m_o;
    QString m_path;
    QString m_error;
};

// `header`: a frameHeader step, whose payload is only written when it gives the declared length.
QJsonObject frameToJson(const FrameSpec &f, int chopDelayMs, bool header = false)
{
    QJsonObject o;
    o[u"opcode"_s] = f.opcode;
    o[u"fin"_s] = f.fin;
    if (f.rsv)
        o[u"rsv"_s] = f.rsv;
    o[u"mask"_s] = maskToString(f);
    if (!header || !f.payload.isEmpty())
        putPayload(o, f.payload);
    if (f.repeatLength)
        o[u"repeat"_s] = double(*f.repeatLength);
    switch (f.lengthEncoding) {
    case LengthEncoding::Auto:
        break;
    case LengthEncoding::Bits7:
        o[u"length"_s] = 7;
        break;
    case LengthEncoding::Bits16:
        o[u"length"_s] = 16;
        break;
    case LengthEncoding::Bits64:
        o[u"length"_s] = 64;
        break;
    }
    if (f.declaredLength)
        o[u"declaredLength"_s] = double(*f.declaredLength);
    if (f.chopSize)
        o[u"chop"_s] = f.chopSize;
    if (chopDelayMs)
        o[u"chopDelayMs"_s] = chopDelayMs;
    if (f.sync)
        o[u"sync"_s] = true;
    return o;
}

QString frameFromJson(const QJsonObject &o, const QString &path, Step &step)
{
    Reader r(o, path);
    FrameSpec &f = step.frame;
    f = FrameSpec{};
    qint64 n = 0;
    if (!r.onlyKeys({u"opcode"_s, u"fin"_s, u"rsv"_s, u"mask"_s, u"text"_s, u"hex"_s, u"repeat"_s,
                     u"length"_s, u"declaredLength"_s, u"chop"_s, u"chopDelayMs"_s, u"sync"_s}))
        return r.error();
    if (r.has(u"opcode"_s) && r.integer(u"opcode"_s, 0, 15, n))
        f.opcode = int(n);
    r.boolean(u"fin"_s, f.fin);
    if (r.has(u"rsv"_s) && r.integer(u"rsv"_s, 0, 7, n))
        f.rsv = int(n);
    QString mask = u"auto"_s;
    if (r.string(u"mask"_s, mask)) {
        const QString m = mask.toLower();
        if (m == u"auto"_s)
            f.maskMode = MaskMode::Random;
        else if (m == u"none"_s)
            f.maskMode = MaskMode::None;
        else if (m == u"bit"_s)
            f.maskMode = MaskMode::BitOnly;
        else {
            const auto key = parseMaskKey(m);
            if (!key)
                r.fail(r.where(u"mask"_s) + u": must be auto, none, bit or 8 hex digits"_s);
            f.maskMode = MaskMode::Fixed;
            f.maskKey = key.value_or(0);
        }
    }
    r.payload(f.payload);
    if (r.has(u"repeat"_s) && r.integer(u"repeat"_s, 0, std::numeric_limits<int>::max(), n))
        f.repeatLength = n;
    if (r.has(u"length"_s)) {
        const QJsonValue v = o.value(u"length"_s);
        if (v == QJsonValue(u"auto"_s))
            f.lengthEncoding = LengthEncoding::Auto;
        else if (v == QJsonValue(7))
            f.lengthEncoding = LengthEncoding::Bits7;
        else if (v == QJsonValue(16))
            f.lengthEncoding = LengthEncoding::Bits16;
        else if (v == QJsonValue(64))
            f.lengthEncoding = LengthEncoding::Bits64;
        else
            r.fail(r.where(u"length"_s) + u": must be \"auto\", 7, 16 or 64"_s);
    }
    if (r.has(u"declaredLength"_s) &&
        r.integer(u"declaredLength"_s, 0, std::numeric_limits<qint64>::max(), n))
        f.declaredLength = quint64(n);
    if (r.has(u"chop"_s) && r.integer(u"chop"_s, 0, std::numeric_limits<int>::max(), n))
        f.chopSize = int(n);
    if (r.has(u"chopDelayMs"_s) && r.integer(u"chopDelayMs"_s, 0, 600000, n))
        step.chopDelayMs = int(n);
    r.boolean(u"sync"_s, f.sync);
    if (!r.error().isEmpty())
        return r.error();
    const QString invalid = f.validate();
    if (!invalid.isEmpty())
        return path + u": "_s + invalid;
    return {};
}

const QStringList kStepNames = {
    u"frame"_s,     u"message"_s,      u"ping"_s,        u"pong"_s,      u"delay"_s,
    u"close"_s,     u"fail"_s,         u"drop"_s,        u"halfClose"_s, u"closeAfter"_s,
    u"failAfter"_s, u"timeoutEvent"_s, u"frameHeader"_s, u"frameData"_s};

// ---- the case part ---------------------------------------------------------------------------

const QStringList kEventNames = {u"message"_s, u"pong"_s, u"timeout"_s};
// The verdicts an expected-events entry may earn, and their words in the file.
constexpr Verdict kExpectedVerdicts[] = {Verdict::Ok, Verdict::NonStrict, Verdict::Informational};
const QStringList kVerdicts = {verdictText(Verdict::Ok), verdictText(Verdict::NonStrict),
                               verdictText(Verdict::Informational)};
// In the order of the enums (CaseOverride, CaseLogic).
const QStringList kOverrides = {u"none"_s, u"wrongCodeFails"_s, u"informational716"_s,
                                u"undefined"_s};
const QStringList kLogics = {u"events"_s, u"timedEcho"_s, u"roundTrips"_s, u"deflateEchoes"_s};
constexpr qint64 kMaxMessageLength = qint64(1) << 40;
constexpr qint64 kMaxCount = qint64(1) << 53; // exact in a JSON number

QJsonObject eventToJson(const PeerEvent &e)
{
    QJsonObject p;
    switch (e.kind) {
    case PeerEvent::Kind::Message:
        putPayload(p, e.payload);
        p[u"binary"_s] = e.binary;
        return QJsonObject{{u"message"_s, p}};
    case PeerEvent::Kind::Pong:
        putPayload(p, e.payload);
        return QJsonObject{{u"pong"_s, p}};
    case PeerEvent::Kind::Timeout:
        if (isPlainText(e.payload))
            return QJsonObject{{u"timeout"_s, QString::fromUtf8(e.payload)}};
        putPayload(p, e.payload);
        return QJsonObject{{u"timeout"_s, p}};
    }
    return {};
}

QString eventFromJson(const QJsonValue &value, const QString &path, PeerEvent &out)
{
    const QString known = kEventNames.join(u", "_s);
    if (!value.isObject())
        return path + u": must be an object"_s;
    const QJsonObject json = value.toObject();
    if (json.size() != 1)
        return path + u": an event is an object with exactly one key ("_s + known + u')';
    const QString kind = json.begin().key();
    const QJsonValue v = json.begin().value();
    const QString here = path + u'.' + kind;
    if (!kEventNames.contains(kind))
        return path + u": unknown event '"_s + kind + u"' (known: "_s + known + u')';
    out = PeerEvent{};
    if (kind == u"timeout"_s) {
        out.kind = PeerEvent::Kind::Timeout;
        if (v.isString()) {
            if (v.toString().isEmpty())
                return here + u": must be a non-empty tag such as \"A\""_s;
            out.payload = v.toString().toUtf8();
            return {};
        }
        if (!v.isObject())
            return here + u": must be a tag such as \"A\" (or {\"hex\": …})"_s;
    } else if (!v.isObject()) {
        return here + u": must be an object"_s;
    }
    const QJsonObject o = v.toObject();
    Reader r(o, here);
    if (kind == u"message"_s) {
        out.kind = PeerEvent::Kind::Message;
        if (!r.onlyKeys({u"text"_s, u"hex"_s, u"binary"_s}))
            return r.error();
        r.payload(out.payload);
        r.boolean(u"binary"_s, out.binary);
        return r.error();
    }
    out.kind = kind == u"pong"_s ? PeerEvent::Kind::Pong : PeerEvent::Kind::Timeout;
    if (!r.onlyKeys({u"text"_s, u"hex"_s}))
        return r.error();
    r.payload(out.payload);
    if (r.error().isEmpty() && out.kind == PeerEvent::Kind::Timeout && out.payload.isEmpty())
        return here + u": must be a non-empty tag such as \"A\""_s;
    return r.error();
}

QJsonObject casePartToJson(const CaseRules &c)
{
    QJsonObject o;
    o[u"id"_s] = c.id;
    o[u"expectation"_s] = c.expectation;
    QJsonArray expected;
    for (const ExpectedEvents &e : c.expected) {
        QJsonArray events;
        for (const PeerEvent &event : e.events)
            events.append(eventToJson(event));
        expected.append(QJsonObject{{u"verdict"_s, verdictText(e.verdict)}, {u"events"_s, events}});
    }
    o[u"expected"_s] = expected;
    o[u"suppressClose"_s] = c.suppressClose;
    o[u"override"_s] = kOverrides.value(int(c.override));
    o[u"logic"_s] = kLogics.value(int(c.logic));
    if (!c.messagePattern.isEmpty() || c.messageLength || c.messageBinary || c.fragmentSize ||
        c.chopSize) {
        QJsonObject m;
        putPayload(m, c.messagePattern);
        m[u"length"_s] = double(c.messageLength);
        m[u"binary"_s] = c.messageBinary;
        if (c.fragmentSize)
            m[u"fragmentSize"_s] = c.fragmentSize;
        if (c.chopSize)
            m[u"chop"_s] = c.chopSize;
        o[u"message"_s] = m;
    }
    if (c.roundTrips)
        o[u"roundTrips"_s] = c.roundTrips;
    if (c.waitSeconds)
        o[u"waitSeconds"_s] = c.waitSeconds;
    if (c.reportTime)
        o[u"reportTime"_s] = true;
    if (!c.corpus.isEmpty())
        o[u"corpus"_s] = c.corpus;
    if (!c.extensionOffers.isEmpty())
        o[u"extensionOffers"_s] = QJsonArray::fromStringList(c.extensionOffers);
    if (c.reportCompressionRatio)
        o[u"reportCompressionRatio"_s] = true;
    if (!c.expectedTxFrames.empty()) {
        QJsonObject frames;
        for (const auto &[opcode, count] : c.expectedTxFrames)
            frames[QString::number(opcode)] = double(count);
        o[u"expectedTxFrames"_s] = frames;
    }
    return o;
}

QString casePartFromJson(const QJsonValue &value, CaseRules &c)
{
    const QString here = u"case"_s;
    if (!value.isObject())
        return here + u": must be an object"_s;
    const QJsonObject o = value.toObject();
    Reader r(o, here);
    if (!r.onlyKeys({u"id"_s, u"expectation"_s, u"expected"_s, u"suppressClose"_s, u"override"_s,
                     u"logic"_s, u"message"_s, u"roundTrips"_s, u"waitSeconds"_s, u"reportTime"_s,
                     u"expectedTxFrames"_s, u"corpus"_s, u"extensionOffers"_s,
                     u"reportCompressionRatio"_s}))
        return r.error();
    if (!o.contains(u"id"_s))
        return here + u": needs \"id\""_s;
    if (!o.value(u"id"_s).isString() || o.value(u"id"_s).toString().trimmed().isEmpty())
        return r.where(u"id"_s) + u": must be a non-empty string such as \"6.4.3\""_s;
    c.id = o.value(u"id"_s).toString();
    r.string(u"expectation"_s, c.expectation);
    if (o.contains(u"expected"_s)) {
        const QString where = r.where(u"expected"_s);
        if (!o.value(u"expected"_s).isArray())
            return where + u": must be a list of {\"verdict\": …, \"events\": […]}"_s;
        const QJsonArray list = o.value(u"expected"_s).toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString at = where + u"[%1]"_s.arg(i);
            if (!list[i].isObject())
                return at + u": must be an object {\"verdict\": …, \"events\": […]}"_s;
            const QJsonObject entry = list[i].toObject();
            Reader er(entry, at);
            if (!er.onlyKeys({u"verdict"_s, u"events"_s}))
                return er.error();
            if (!entry.contains(u"verdict"_s))
                return at + u": needs \"verdict\""_s;
            if (!entry.contains(u"events"_s))
                return at + u": needs \"events\""_s;
            ExpectedEvents expected;
            int verdict = 0;
            if (!er.choice(u"verdict"_s, kVerdicts, verdict))
                return er.error();
            expected.verdict = kExpectedVerdicts[verdict];
            for (const ExpectedEvents &before : std::as_const(c.expected)) {
                if (before.verdict == expected.verdict)
                    return er.where(u"verdict"_s) + u": '"_s + verdictText(expected.verdict) +
                           u"' is given twice"_s;
            }
            if (!entry.value(u"events"_s).isArray())
                return er.where(u"events"_s) + u": must be a list of events"_s;
            const QJsonArray events = entry.value(u"events"_s).toArray();
            for (qsizetype j = 0; j < events.size(); ++j) {
                PeerEvent event;
                const QString err =
                    eventFromJson(events[j], er.where(u"events"_s) + u"[%1]"_s.arg(j), event);
                if (!err.isEmpty())
                    return err;
                expected.events << event;
            }
            c.expected << expected;
        }
    }
    r.boolean(u"suppressClose"_s, c.suppressClose);
    int index = 0;
    if (o.contains(u"override"_s) && r.choice(u"override"_s, kOverrides, index))
        c.override = CaseOverride(index);
    index = 0;
    if (o.contains(u"logic"_s) && r.choice(u"logic"_s, kLogics, index))
        c.logic = CaseLogic(index);
    if (!r.error().isEmpty())
        return r.error();
    qint64 n = 0;
    QJsonObject message;
    if (!r.object(u"message"_s, message))
        return r.error();
    if (o.contains(u"message"_s)) {
        Reader m(message, r.where(u"message"_s));
        if (!m.onlyKeys(
                {u"text"_s, u"hex"_s, u"length"_s, u"binary"_s, u"fragmentSize"_s, u"chop"_s}))
            return m.error();
        m.payload(c.messagePattern);
        if (m.has(u"length"_s) && m.integer(u"length"_s, 0, kMaxMessageLength, n))
            c.messageLength = n;
        m.boolean(u"binary"_s, c.messageBinary);
        if (m.has(u"fragmentSize"_s) &&
            m.integer(u"fragmentSize"_s, 0, std::numeric_limits<int>::max(), n))
            c.fragmentSize = int(n);
        if (m.has(u"chop"_s) && m.integer(u"chop"_s, 0, std::numeric_limits<int>::max(), n))
            c.chopSize = int(n);
        if (!m.error().isEmpty())
            return m.error();
        // deflateEchoes takes its messages from its corpus instead of a pattern.
        if (c.messageLength > 0 && c.messagePattern.isEmpty() &&
            c.logic != CaseLogic::DeflateEchoes)
            return m.where(u"length"_s) + u": needs a non-empty text or hex pattern"_s;
    }
    if (r.has(u"roundTrips"_s) && r.integer(u"roundTrips"_s, 0, std::numeric_limits<int>::max(), n))
        c.roundTrips = int(n);
    if (r.has(u"waitSeconds"_s) && r.integer(u"waitSeconds"_s, 0, 86400, n))
        c.waitSeconds = int(n);
    r.boolean(u"reportTime"_s, c.reportTime);
    r.string(u"corpus"_s, c.corpus);
    r.stringList(u"extensionOffers"_s, c.extensionOffers);
    r.boolean(u"reportCompressionRatio"_s, c.reportCompressionRatio);
    if (!r.error().isEmpty())
        return r.error();
    if (!c.corpus.isEmpty() && !findCorpus(c.corpus)) {
        QStringList known;
        for (const CorpusInfo &corpus : corpora())
            known << corpus.fileName;
        return r.where(u"corpus"_s) + u": unknown corpus '"_s + c.corpus + u"' (known: "_s +
               known.join(u", "_s) + u')';
    }
    if (c.logic == CaseLogic::DeflateEchoes && c.corpus.isEmpty())
        return r.where(u"corpus"_s) + u": deflateEchoes needs a corpus"_s;
    QJsonObject frames;
    if (!r.object(u"expectedTxFrames"_s, frames))
        return r.error();
    Reader fr(frames, r.where(u"expectedTxFrames"_s));
    for (auto it = frames.begin(); it != frames.end(); ++it) {
        bool ok = false;
        const int opcode = it.key().toInt(&ok);
        if (!ok || opcode < 0 || opcode > 15 || QString::number(opcode) != it.key())
            return fr.where(it.key()) + u": not an opcode (0–15)"_s;
        if (!fr.integer(it.key(), 0, kMaxCount, n))
            return fr.error();
        c.expectedTxFrames[opcode] = n;
    }
    return {};
}

QString expectCloseFromJson(const QJsonValue &value, ExpectedClose &expected)
{
    if (!value.isObject())
        return u"expectClose: must be an object"_s;
    const QJsonObject e = value.toObject();
    Reader r(e, u"expectClose"_s);
    if (!r.onlyKeys({u"closedByMe"_s, u"closeCodes"_s, u"requireClean"_s,
                     u"closedByWrongEndpointIsFatal"_s}))
        return r.error();
    r.boolean(u"closedByMe"_s, expected.closedByMe);
    r.boolean(u"requireClean"_s, expected.requireClean);
    r.boolean(u"closedByWrongEndpointIsFatal"_s, expected.closedByWrongEndpointIsFatal);
    if (e.contains(u"closeCodes"_s)) {
        const QString bad = r.where(u"closeCodes"_s) + u": must be a list of close codes"_s;
        if (!e.value(u"closeCodes"_s).isArray())
            return bad;
        expected.closeCodes.clear();
        for (const QJsonValue &v : e.value(u"closeCodes"_s).toArray()) {
            const double d = v.toDouble(-1);
            if (!v.isDouble() || d < 0 || d > 65535 || d != std::floor(d))
                return bad;
            expected.closeCodes << int(d);
        }
    }
    return r.error();
}

QJsonObject expectCloseToJson(const ExpectedClose &e)
{
    QJsonArray codes;
    for (int code : e.closeCodes)
        codes.append(code);
    QJsonObject o{{u"closedByMe"_s, e.closedByMe},
                  {u"closeCodes"_s, codes},
                  {u"requireClean"_s, e.requireClean}};
    if (e.closedByWrongEndpointIsFatal)
        o[u"closedByWrongEndpointIsFatal"_s] = true;
    return o;
}

} // namespace

QJsonObject stepToJson(const Step &step)
{
    QJsonObject o;
    switch (step.kind) {
    case Step::Kind::Frame:
        o[u"frame"_s] = frameToJson(step.frame, step.chopDelayMs);
        break;
    case Step::Kind::Message: {
        QJsonObject m;
        m[u"type"_s] = step.binary ? u"binary"_s : u"text"_s;
        putPayload(m, step.payload);
        if (step.fragmentSize)
            m[u"fragmentSize"_s] = step.fragmentSize;
        if (step.chopSize)
            m[u"chop"_s] = step.chopSize;
        if (step.chopDelayMs)
            m[u"chopDelayMs"_s] = step.chopDelayMs;
        if (step.sync)
            m[u"sync"_s] = true;
        o[u"message"_s] = m;
        break;
    }
    case Step::Kind::Ping:
    case Step::Kind::Pong: {
        QJsonObject m;
        putPayload(m, step.payload);
        if (step.chopSize)
            m[u"chop"_s] = step.chopSize;
        if (step.chopDelayMs)
            m[u"chopDelayMs"_s] = step.chopDelayMs;
        if (step.sync)
            m[u"sync"_s] = true;
        o[step.kind == Step::Kind::Ping ? u"ping"_s : u"pong"_s] = m;
        break;
    }
    case Step::Kind::Delay: {
        QJsonObject d;
        d[u"seconds"_s] = step.seconds;
        if (!step.tag.isEmpty())
            d[u"tag"_s] = step.tag;
        o[u"delay"_s] = d;
        break;
    }
    case Step::Kind::Close: {
        QJsonObject c;
        if (step.closeCode)
            c[u"code"_s] = *step.closeCode;
        if (!step.closeReason.isEmpty()) {
            const QString text = QString::fromUtf8(step.closeReason);
            if (text.toUtf8() == step.closeReason)
                c[u"reason"_s] = text;
            else
                c[u"reasonHex"_s] = QString::fromLatin1(step.closeReason.toHex());
        }
        o[u"close"_s] = c;
        break;
    }
    case Step::Kind::Fail:
        o[u"fail"_s] = QJsonObject();
        break;
    case Step::Kind::Drop:
        o[u"drop"_s] = QJsonObject();
        break;
    case Step::Kind::HalfClose:
        o[u"halfClose"_s] = QJsonObject();
        break;
    case Step::Kind::CloseAfter:
        o[u"closeAfter"_s] = QJsonObject{{u"seconds"_s, step.seconds}};
        break;
    case Step::Kind::FailAfter:
        o[u"failAfter"_s] = QJsonObject{{u"seconds"_s, step.seconds}};
        break;
    case Step::Kind::TimeoutEvent:
        o[u"timeoutEvent"_s] = QJsonObject{{u"tag"_s, step.tag}};
        break;
    case Step::Kind::FrameHeader:
        o[u"frameHeader"_s] = frameToJson(step.frame, step.chopDelayMs, true);
        break;
    case Step::Kind::FrameData: {
        QJsonObject d;
        putPayload(d, step.payload);
        o[u"frameData"_s] = d;
        break;
    }
    }
    return o;
}

QString stepFromJson(const QJsonObject &json, Step &out, const QString &path)
{
    out = Step{};
    if (json.size() != 1) {
        return path + u": a step is an object with exactly one key ("_s + kStepNames.join(u", "_s) +
               u')';
    }
    const QString kind = json.begin().key();
    const QJsonValue value = json.begin().value();
    const QString here = path + u'.' + kind;
    if (!kStepNames.contains(kind)) {
        return path + u": unknown step '"_s + kind + u"' (known: "_s + kStepNames.join(u", "_s) +
               u')';
    }
    // delay, closeAfter and failAfter also accept a bare number of seconds, timeoutEvent a bare
    // tag.
    QJsonObject o = value.toObject();
    if (value.isDouble() &&
        (kind == u"delay"_s || kind == u"closeAfter"_s || kind == u"failAfter"_s))
        o = QJsonObject{{u"seconds"_s, value}};
    else if (value.isString() && kind == u"timeoutEvent"_s)
        o = QJsonObject{{u"tag"_s, value}};
    else if (!value.isObject())
        return here + u": must be an object"_s;
    Reader r(o, here);
    qint64 n = 0;
    if (kind == u"frame"_s || kind == u"frameHeader"_s) {
        out.kind = kind == u"frame"_s ? Step::Kind::Frame : Step::Kind::FrameHeader;
        return frameFromJson(o, here, out);
    }
    if (kind == u"frameData"_s) {
        out.kind = Step::Kind::FrameData;
        if (!r.onlyKeys({u"text"_s, u"hex"_s}))
            return r.error();
        r.payload(out.payload);
        return r.error();
    }
    if (kind == u"timeoutEvent"_s) {
        out.kind = Step::Kind::TimeoutEvent;
        if (!r.onlyKeys({u"tag"_s}))
            return r.error();
        if (!o.contains(u"tag"_s))
            return here + u": needs \"tag\""_s;
        if (!o.value(u"tag"_s).isString() || o.value(u"tag"_s).toString().isEmpty())
            return r.where(u"tag"_s) + u": must be a non-empty string such as \"A\""_s;
        out.tag = o.value(u"tag"_s).toString();
        return {};
    }
    if (kind == u"message"_s) {
        out.kind = Step::Kind::Message;
        if (!r.onlyKeys({u"type"_s, u"text"_s, u"hex"_s, u"fragmentSize"_s, u"chop"_s,
                         u"chopDelayMs"_s, u"sync"_s}))
            return r.error();
        QString type = u"text"_s;
        r.string(u"type"_s, type);
        if (type != u"text"_s && type != u"binary"_s)
            r.fail(r.where(u"type"_s) + u": must be \"text\" or \"binary\""_s);
        out.binary = type == u"binary"_s;
        r.payload(out.payload);
        if (r.has(u"fragmentSize"_s) &&
            r.integer(u"fragmentSize"_s, 0, std::numeric_limits<int>::max(), n))
            out.fragmentSize = int(n);
        if (r.has(u"chop"_s) && r.integer(u"chop"_s, 0, std::numeric_limits<int>::max(), n))
            out.chopSize = int(n);
        if (r.has(u"chopDelayMs"_s) && r.integer(u"chopDelayMs"_s, 0, 600000, n))
            out.chopDelayMs = int(n);
        r.boolean(u"sync"_s, out.sync);
        return r.error();
    }
    if (kind == u"ping"_s || kind == u"pong"_s) {
        out.kind = kind == u"ping"_s ? Step::Kind::Ping : Step::Kind::Pong;
        if (!r.onlyKeys({u"text"_s, u"hex"_s, u"chop"_s, u"chopDelayMs"_s, u"sync"_s}))
            return r.error();
        r.payload(out.payload);
        if (r.has(u"chop"_s) && r.integer(u"chop"_s, 0, std::numeric_limits<int>::max(), n))
            out.chopSize = int(n);
        if (r.has(u"chopDelayMs"_s) && r.integer(u"chopDelayMs"_s, 0, 600000, n))
            out.chopDelayMs = int(n);
        r.boolean(u"sync"_s, out.sync);
        return r.error();
    }
    if (kind == u"delay"_s || kind == u"closeAfter"_s || kind == u"failAfter"_s) {
        out.kind = kind == u"delay"_s        ? Step::Kind::Delay
                   : kind == u"closeAfter"_s ? Step::Kind::CloseAfter
                                             : Step::Kind::FailAfter;
        if (!r.onlyKeys(kind == u"delay"_s ? QStringList{u"seconds"_s, u"tag"_s}
                                           : QStringList{u"seconds"_s}))
            return r.error();
        if (!o.contains(u"seconds"_s))
            return here + u": needs \"seconds\""_s;
        r.seconds(u"seconds"_s, out.seconds);
        r.string(u"tag"_s, out.tag);
        return r.error();
    }
    if (kind == u"close"_s) {
        out.kind = Step::Kind::Close;
        if (!r.onlyKeys({u"code"_s, u"reason"_s, u"reasonHex"_s}))
            return r.error();
        if (r.has(u"code"_s) && r.integer(u"code"_s, 0, 65535, n))
            out.closeCode = int(n);
        QString reason;
        if (o.contains(u"reasonHex"_s)) {
            QJsonObject hex{{u"hex"_s, o.value(u"reasonHex"_s)}};
            Reader hr(hex, here);
            hr.payload(out.closeReason);
            if (!hr.error().isEmpty())
                return hr.error();
        } else if (r.string(u"reason"_s, reason)) {
            out.closeReason = reason.toUtf8();
        }
        return r.error();
    }
    out.kind = kind == u"fail"_s   ? Step::Kind::Fail
               : kind == u"drop"_s ? Step::Kind::Drop
                                   : Step::Kind::HalfClose;
    if (!o.isEmpty())
        return here + u": takes no parameters"_s;
    return {};
}

QJsonObject scenarioToJson(const Scenario &s)
{
    QJsonObject o;
    o[u"format"_s] = kFormat;
    o[u"version"_s] = kVersion;
    if (!s.name.isEmpty())
        o[u"name"_s] = s.name;
    if (!s.description.isEmpty())
        o[u"description"_s] = s.description;
    const SessionSettings &st = s.settings;
    const SessionSettings defaults;
    QJsonObject c;
    if (!st.url.isEmpty())
        c[u"url"_s] = st.url.toString();
    QJsonArray headers;
    for (const auto &h : st.handshake.extraHeaders)
        headers.append(QJsonArray{QString::fromUtf8(h.first), QString::fromUtf8(h.second)});
    if (!headers.isEmpty())
        c[u"headers"_s] = headers;
    if (!st.handshake.subprotocols.isEmpty())
        c[u"subprotocols"_s] = QJsonArray::fromStringList(st.handshake.subprotocols);
    if (!st.handshake.extensions.isEmpty())
        c[u"extensions"_s] = QJsonArray::fromStringList(st.handshake.extensions);
    if (!st.handshake.origin.isEmpty())
        c[u"origin"_s] = st.handshake.origin;
    if (st.handshake.version != defaults.handshake.version)
        c[u"version"_s] = QString::fromUtf8(st.handshake.version);
    if (!st.handshake.key.isEmpty())
        c[u"key"_s] = QString::fromUtf8(st.handshake.key);
    if (!st.handshake.rawRequest.isEmpty())
        c[u"rawRequest"_s] = QString::fromUtf8(st.handshake.rawRequest);
    c[u"ignoreCertificateErrors"_s] = st.ignoreCertificateErrors;
    if (!st.caFile.isEmpty())
        c[u"caFile"_s] = st.caFile;
    c[u"autoPong"_s] = st.autoPong;
    c[u"autoCloseReply"_s] = st.autoCloseReply;
    c[u"failOnViolation"_s] = st.failOnViolation;
    c[u"openHandshakeTimeout"_s] = st.openHandshakeTimeoutMs / 1000.0;
    c[u"closeHandshakeTimeout"_s] = st.closeHandshakeTimeoutMs / 1000.0;
    c[u"serverDropTimeout"_s] = st.serverDropTimeoutMs / 1000.0;
    c[u"maxFrameSize"_s] = double(st.maxFramePayload);
    o[u"connection"_s] = c;
    if (s.expectedClose)
        o[u"expectClose"_s] = expectCloseToJson(*s.expectedClose);
    if (s.casePart)
        o[u"case"_s] = casePartToJson(*s.casePart);
    QJsonArray steps;
    for (const Step &step : s.steps)
        steps.append(stepToJson(step));
    o[u"steps"_s] = steps;
    return o;
}

ScenarioParseResult scenarioFromJson(const QJsonObject &json)
{
    ScenarioParseResult result;
    Scenario &s = result.scenario;
    Reader top(json, {});
    if (json.value(u"format"_s).toString() != kFormat) {
        result.error = u"format: not a WebSocket Inspector scenario (expected \"format\": \""_s +
                       kFormat + u"\")"_s;
        return result;
    }
    qint64 version = 0;
    if (!top.integer(u"version"_s, 0, 1000, version) || version != kVersion) {
        result.error = u"version: %1 is not supported (this program reads version %2)"_s
                           .arg(json.value(u"version"_s).toVariant().toString())
                           .arg(kVersion);
        return result;
    }
    if (!top.onlyKeys({u"format"_s, u"version"_s, u"name"_s, u"description"_s, u"connection"_s,
                       u"expectClose"_s, u"case"_s, u"steps"_s})) {
        result.error = top.error();
        return result;
    }
    top.string(u"name"_s, s.name);
    top.string(u"description"_s, s.description);
    if (!top.error().isEmpty()) {
        result.error = top.error();
        return result;
    }
    if (json.contains(u"connection"_s)) {
        if (!json.value(u"connection"_s).isObject()) {
            result.error = u"connection: must be an object"_s;
            return result;
        }
        const QJsonObject c = json.value(u"connection"_s).toObject();
        Reader r(c, u"connection"_s);
        SessionSettings &st = s.settings;
        if (!r.onlyKeys({u"url"_s, u"headers"_s, u"subprotocols"_s, u"extensions"_s, u"origin"_s,
                         u"version"_s, u"key"_s, u"rawRequest"_s, u"ignoreCertificateErrors"_s,
                         u"caFile"_s, u"autoPong"_s, u"autoCloseReply"_s, u"failOnViolation"_s,
                         u"openHandshakeTimeout"_s, u"closeHandshakeTimeout"_s,
                         u"serverDropTimeout"_s, u"maxFrameSize"_s})) {
            result.error = r.error();
            return result;
        }
        QString text;
        if (r.string(u"url"_s, text) && !text.isEmpty()) {
            st.url = QUrl(text, QUrl::StrictMode);
            const QString scheme = st.url.scheme();
            if (!st.url.isValid() || (scheme != u"ws"_s && scheme != u"wss"_s) ||
                st.url.host().isEmpty())
                r.fail(u"connection.url: must be a ws:// or wss:// URL, got '"_s + text + u'\'');
        }
        if (c.contains(u"headers"_s)) {
            const QJsonValue hv = c.value(u"headers"_s);
            bool good = hv.isArray();
            for (const QJsonValue &h : hv.toArray()) {
                const QJsonArray pair = h.toArray();
                if (!h.isArray() || pair.size() != 2 || !pair[0].isString() ||
                    !pair[1].isString()) {
                    good = false;
                    break;
                }
                st.handshake.extraHeaders.append(
                    {pair[0].toString().toUtf8(), pair[1].toString().toUtf8()});
            }
            if (!good)
                r.fail(u"connection.headers: must be a list of [name, value] pairs"_s);
        }
        r.stringList(u"subprotocols"_s, st.handshake.subprotocols);
        r.stringList(u"extensions"_s, st.handshake.extensions);
        r.string(u"origin"_s, st.handshake.origin);
        // Each key is read into a string of its own: Reader::string() leaves it untouched when
        // the key is absent (a shared one once carried the URL into the Sec-WebSocket-Key).
        if (QString version; c.contains(u"version"_s) && r.string(u"version"_s, version))
            st.handshake.version = version.toUtf8();
        if (QString key; c.contains(u"key"_s) && r.string(u"key"_s, key))
            st.handshake.key = key.toUtf8();
        if (QString raw; c.contains(u"rawRequest"_s) && r.string(u"rawRequest"_s, raw))
            st.handshake.rawRequest = raw.toUtf8();
        r.boolean(u"ignoreCertificateErrors"_s, st.ignoreCertificateErrors);
        r.string(u"caFile"_s, st.caFile);
        r.boolean(u"autoPong"_s, st.autoPong);
        r.boolean(u"autoCloseReply"_s, st.autoCloseReply);
        r.boolean(u"failOnViolation"_s, st.failOnViolation);
        double sec = 0;
        if (c.contains(u"openHandshakeTimeout"_s) && r.seconds(u"openHandshakeTimeout"_s, sec))
            st.openHandshakeTimeoutMs = int(sec * 1000);
        if (c.contains(u"closeHandshakeTimeout"_s) && r.seconds(u"closeHandshakeTimeout"_s, sec))
            st.closeHandshakeTimeoutMs = int(sec * 1000);
        if (c.contains(u"serverDropTimeout"_s) && r.seconds(u"serverDropTimeout"_s, sec))
            st.serverDropTimeoutMs = int(sec * 1000);
        qint64 n = 0;
        if (c.contains(u"maxFrameSize"_s) && r.integer(u"maxFrameSize"_s, 1, qint64(1) << 40, n))
            st.maxFramePayload = n;
        if (!r.error().isEmpty()) {
            result.error = r.error();
            return result;
        }
    }
    if (json.contains(u"expectClose"_s)) {
        ExpectedClose expected;
        result.error = expectCloseFromJson(json.value(u"expectClose"_s), expected);
        if (!result.error.isEmpty())
            return result;
        s.expectedClose = expected;
    }
    if (json.contains(u"case"_s)) {
        CaseRules part;
        result.error = casePartFromJson(json.value(u"case"_s), part);
        if (!result.error.isEmpty())
            return result;
        s.casePart = part;
    }
    const QJsonValue steps = json.value(u"steps"_s);
    if (!steps.isArray()) {
        result.error = u"steps: must be a list of steps"_s;
        return result;
    }
    const QJsonArray list = steps.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString path = u"steps[%1]"_s.arg(i);
        if (!list[i].isObject()) {
            result.error = path + u": must be an object"_s;
            return result;
        }
        Step step;
        const QString err = stepFromJson(list[i].toObject(), step, path);
        if (!err.isEmpty()) {
            result.error = err;
            return result;
        }
        s.steps << step;
    }
    return result;
}

ScenarioParseResult parseScenario(const QByteArray &contents)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(contents, &error);
    if (error.error != QJsonParseError::NoError) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < error.offset && i < contents.size(); ++i) {
            if (contents.at(i) == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        ScenarioParseResult r;
        r.error = u"not valid JSON: %1 at line %2, column %3"_s.arg(error.errorString())
                      .arg(line)
                      .arg(column);
        return r;
    }
    if (!doc.isObject()) {
        ScenarioParseResult r;
        r.error = u"not a scenario: the file must hold one JSON object"_s;
        return r;
    }
    return scenarioFromJson(doc.object());
}

ScenarioParseResult loadScenario(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ScenarioParseResult r;
        r.error = path + u": "_s + file.errorString();
        return r;
    }
    const auto tooLarge = [&path] {
        ScenarioParseResult r;
        r.error = path + u": larger than "_s + QString::number(kMaxScenarioFileSize >> 20) +
                  u" MiB ("_s + QString::number(kMaxScenarioFileSize) +
                  u" octets), the size limit of a scenario file"_s;
        return r;
    };
    // The size a regular file says it has; a device or a pipe says 0, hence the bounded read.
    if (file.size() > kMaxScenarioFileSize)
        return tooLarge();
    const QByteArray data = file.read(kMaxScenarioFileSize + 1);
    if (data.size() > kMaxScenarioFileSize)
        return tooLarge();
    ScenarioParseResult r = parseScenario(data);
    if (!r.ok())
        r.error = path + u": "_s + r.error;
    return r;
}

QString saveScenario(const Scenario &scenario, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return path + u": "_s + file.errorString();
    file.write(QJsonDocument(scenarioToJson(scenario)).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return path + u": "_s + file.errorString();
    return {};
}

Scenario scenarioFromCase(const CaseDefinition &def)
{
    Scenario s;
    s.name = u"Case "_s + def.id;
    s.description = def.description;
    s.expectedClose = def.expectedClose;
    s.steps = def.steps;
    s.casePart = static_cast<const CaseRules &>(def);
    return s;
}

std::optional<CaseDefinition> caseFromScenario(const Scenario &s)
{
    if (!s.casePart)
        return std::nullopt;
    CaseDefinition def;
    static_cast<CaseRules &>(def) = *s.casePart;
    def.description = s.description;
    def.steps = s.steps;
    def.expectedClose = s.expectedClose.value_or(ExpectedClose{});
    return def;
}

} // namespace wsi
