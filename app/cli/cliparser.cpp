// SPDX-License-Identifier: MIT
#include "cliparser.h"

#include "protocol/hex.h"
#include "protocol/utf8validator.h"
#include "suite/scenario.h"

#include <QUrl>

using namespace Qt::StringLiterals;

namespace wsi::cli {

namespace {

bool parseInt(QStringView text, qint64 min, qint64 max, qint64 &out)
{
    bool ok = false;
    const qint64 v = text.toLongLong(&ok, 10);
    if (!ok || v < min || v > max)
        return false;
    out = v;
    return true;
}

// At most a day, so that every timer's milliseconds fit an int. Written so that NaN fails
// too (every comparison with NaN is false); infinities and 1e308 are out of range.
constexpr double kMaxSeconds = 86400;
// Below this a trace could not even hold the opening handshake and a few frames.
constexpr qint64 kMinTraceOctets = 1024 * 1024;

bool parseSeconds(QStringView text, double &out)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !(v >= 0 && v <= kMaxSeconds))
        return false;
    out = v;
    return true;
}

QString badSeconds(const QString &option, const QString &value)
{
    return option + u": seconds must be a number from 0 to 86400, got '"_s + value + u'\'';
}

// Splits at unescaped `sep`; escapes stay in the parts (unescape() decodes them).
QStringList splitUnescaped(QStringView text, QChar sep)
{
    QStringList parts;
    QString current;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c == u'\\' && i + 1 < text.size()) {
            current += c;
            current += text[++i];
        } else if (c == sep) {
            parts << current;
            current.clear();
        } else {
            current += c;
        }
    }
    parts << current;
    return parts;
}

QString parseHexPayload(QStringView text, QByteArray &out)
{
    return parseHex(text, out).message();
}

// The CLI's word for an opcode: the protocol's name in lower case ("ping"), a number for the
// reserved ones.
QString opcodeWord(int opcode)
{
    if (opcode < 0 || opcode > 15 || isReservedOpcode(opcode))
        return QString::number(opcode);
    return opcodeName(opcode).toLower();
}

int opcodeFromName(const QString &name)
{
    const QString word = name.toLower();
    if (word == u"cont"_s)
        return 0;
    for (int opcode = 0; opcode <= 15; ++opcode) {
        if (!isReservedOpcode(opcode) && opcodeWord(opcode) == word)
            return opcode;
    }
    return -1;
}

} // namespace

QString unescape(QStringView text, QByteArray &out)
{
    out.clear();
    QString plain;
    const auto flushPlain = [&] {
        out += plain.toUtf8();
        plain.clear();
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c != u'\\') {
            plain += c;
            continue;
        }
        if (i + 1 >= text.size())
            return u"a lone backslash at the end"_s;
        const QChar e = text[++i];
        switch (e.unicode()) {
        case u',':
        case u':':
        case u'\\':
        case u'=':
            plain += e;
            break;
        case u'n':
            plain += u'\n';
            break;
        case u'r':
            plain += u'\r';
            break;
        case u't':
            plain += u'\t';
            break;
        case u'x': {
            const QStringView hex = text.mid(i + 1, 2);
            if (hex.size() != 2 || !isHexDigits(hex))
                return u"\\x needs two hex digits"_s;
            flushPlain();
            out += char(hex.toUInt(nullptr, 16));
            i += 2;
            break;
        }
        default:
            return u"unknown escape \\"_s + e;
        }
    }
    flushPlain();
    return {};
}

QString escapeText(QByteArrayView octets)
{
    static constexpr char digits[] = "0123456789abcdef";
    QString out;
    out.reserve(octets.size());
    const auto escapeOctet = [&out](uchar c) {
        out += u"\\x"_s;
        out += QLatin1Char(digits[c >> 4]);
        out += QLatin1Char(digits[c & 0xf]);
    };
    const char *data = octets.data();
    const qsizetype size = octets.size();
    for (qsizetype i = 0; i < size;) {
        const uchar c = uchar(data[i]);
        if (c < 0x80) {
            switch (c) {
            case '\\':
            case ',':
            case ':':
            case '=':
                out += u'\\';
                out += QLatin1Char(char(c));
                break;
            case '\n':
                out += u"\\n"_s;
                break;
            case '\r':
                out += u"\\r"_s;
                break;
            case '\t':
                out += u"\\t"_s;
                break;
            default:
                if (c < 0x20 || c == 0x7f)
                    escapeOctet(c);
                else
                    out += QLatin1Char(char(c));
            }
            ++i;
            continue;
        }
        // One code point at a time, so the work stays linear whatever the octets are.
        const qsizetype length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        if (i + length <= size && Utf8Validator::firstInvalidOffset(data + i, length) < 0) {
            const QString point = QString::fromUtf8(data + i, length);
            // C1 controls (U+0080–U+009F) stay visible as escapes, like C0.
            if (point.size() == 1 && point[0].unicode() <= 0x9f) {
                for (qsizetype k = 0; k < length; ++k)
                    escapeOctet(uchar(data[i + k]));
            } else {
                out += point;
            }
            i += length;
        } else {
            escapeOctet(c);
            ++i;
        }
    }
    return out;
}

namespace {

// Text when the octets read as text (valid UTF-8, few escapes), else hex: both parse to the same
// octets, text is what a user can read and edit.
bool readsAsText(const QByteArray &payload)
{
    if (Utf8Validator::firstInvalidOffset(payload.constData(), payload.size()) >= 0)
        return false;
    qsizetype controls = 0;
    for (const char c : payload) {
        if ((uchar(c) < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
            ++controls;
    }
    return controls * 8 <= payload.size();
}

QString secondsText(double seconds)
{
    return QString::number(seconds, 'g', QLocale::FloatingPointShortest);
}

QString frameSpecText(const FrameSpec &f, int chopDelayMs)
{
    QStringList items;
    items << u"opcode="_s + opcodeWord(f.opcode);
    items << u"fin="_s + (f.fin ? u"1"_s : u"0"_s);
    if (f.rsv != 0)
        items << u"rsv="_s + QString::number(f.rsv);
    switch (f.maskMode) {
    case MaskMode::Random:
        items << u"mask=auto"_s;
        break;
    case MaskMode::Fixed:
        items << u"mask=%1"_s.arg(f.maskKey, 8, 16, QChar(u'0'));
        break;
    case MaskMode::None:
        items << u"mask=none"_s;
        break;
    case MaskMode::BitOnly:
        items << u"mask=bit"_s;
        break;
    }
    if (!f.payload.isEmpty()) {
        items << (readsAsText(f.payload) ? u"text="_s + escapeText(f.payload)
                                         : u"hex="_s + QString::fromLatin1(f.payload.toHex()));
    }
    if (f.repeatLength)
        items << u"repeat="_s + QString::number(*f.repeatLength);
    switch (f.lengthEncoding) {
    case LengthEncoding::Auto:
        break;
    case LengthEncoding::Bits7:
        items << u"len=7"_s;
        break;
    case LengthEncoding::Bits16:
        items << u"len=16"_s;
        break;
    case LengthEncoding::Bits64:
        items << u"len=64"_s;
        break;
    }
    if (f.declaredLength)
        items << u"len=decl:"_s + QString::number(*f.declaredLength);
    if (f.chopSize > 0)
        items << u"chop="_s + QString::number(f.chopSize);
    if (chopDelayMs > 0)
        items << u"chopdelay="_s + QString::number(chopDelayMs);
    if (f.sync)
        items << u"sync"_s;
    return items.join(u',');
}

} // namespace

QStringList stepArguments(const Step &step, QString *error)
{
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return QStringList();
    };
    if (error)
        error->clear();
    const bool chopped = step.chopSize > 0 || step.sync || step.chopDelayMs > 0;
    switch (step.kind) {
    case Step::Kind::Frame: {
        const QString invalid = step.frame.validate();
        if (!invalid.isEmpty())
            return fail(u"the frame cannot be sent: "_s + invalid);
        if (step.chopDelayMs < 0 || step.chopDelayMs > 600000)
            return fail(u"chopdelay must be 0–600000 ms"_s);
        return {u"--frame"_s, frameSpecText(step.frame, step.chopDelayMs)};
    }
    case Step::Kind::Message: {
        if (chopped)
            return fail(u"--message has no chop or sync"_s);
        if (step.fragmentSize < 0)
            return fail(u"the fragment size is negative"_s);
        QString arg = step.binary ? u"binary:"_s + QString::fromLatin1(step.payload.toHex())
                                  : u"text:"_s + escapeText(step.payload);
        if (step.fragmentSize > 0)
            arg += u':' + QString::number(step.fragmentSize);
        return {u"--message"_s, arg};
    }
    case Step::Kind::Ping:
    case Step::Kind::Pong:
        if (chopped)
            return fail(u"--ping and --pong have no chop or sync"_s);
        return {step.kind == Step::Kind::Ping ? u"--ping"_s : u"--pong"_s,
                escapeText(step.payload)};
    case Step::Kind::Delay:
        if (!step.tag.isEmpty())
            return fail(u"--delay has no tag"_s);
        return {u"--delay"_s, secondsText(step.seconds)};
    case Step::Kind::CloseAfter:
        return {u"--close-after"_s, secondsText(step.seconds)};
    case Step::Kind::FailAfter:
        return {u"--fail-after"_s, secondsText(step.seconds)};
    case Step::Kind::Close:
        if (!step.closeCode) {
            if (!step.closeReason.isEmpty())
                return fail(u"--close has no reason without a code"_s);
            return {u"--close"_s};
        }
        if (*step.closeCode < 0 || *step.closeCode > 65535)
            return fail(u"the close code is not 0–65535"_s);
        return {u"--close"_s,
                QString::number(*step.closeCode) +
                    (step.closeReason.isEmpty() ? QString() : u':' + escapeText(step.closeReason))};
    case Step::Kind::Fail:
        return {u"--fail"_s};
    case Step::Kind::Drop:
        return {u"--drop"_s};
    case Step::Kind::HalfClose:
        return {u"--half-close"_s};
    case Step::Kind::TimeoutEvent:
    case Step::Kind::FrameHeader:
    case Step::Kind::FrameData:
        break;
    }
    return fail(u"the command line has no such step (a case's own step)"_s);
}

QString parseFrameSpec(const QString &spec, FrameSpec &out, int *chopDelayMs)
{
    out = FrameSpec{};
    bool havePayload = false;
    if (spec.trimmed().isEmpty())
        return u"empty frame SPEC"_s;
    for (const QString &item : splitUnescaped(spec, u',')) {
        const qsizetype eq = item.indexOf(u'=');
        const QString key = (eq < 0 ? item : item.left(eq)).trimmed().toLower();
        const QString value = eq < 0 ? QString() : item.mid(eq + 1);
        const auto bad = [&](const QString &why) -> QString {
            return u"frame SPEC: "_s + key + u'=' + value + u": "_s + why;
        };
        qint64 n = 0;
        if (key == u"sync"_s && eq < 0) {
            out.sync = true;
        } else if (eq < 0) {
            return u"frame SPEC: '"_s + item + u"' is not key=value"_s;
        } else if (key == u"opcode"_s) {
            const int named = opcodeFromName(value);
            if (named >= 0)
                out.opcode = named;
            else if (parseInt(value, 0, 15, n))
                out.opcode = int(n);
            else
                return bad(u"must be 0–15 or text|binary|continuation|close|ping|pong"_s);
        } else if (key == u"fin"_s) {
            if (!parseInt(value, 0, 1, n))
                return bad(u"must be 0 or 1"_s);
            out.fin = n == 1;
        } else if (key == u"rsv"_s) {
            if (!parseInt(value, 0, 7, n))
                return bad(u"must be 0–7"_s);
            out.rsv = int(n);
        } else if (key == u"mask"_s) {
            const QString v = value.toLower();
            if (v == u"auto"_s || v == u"random"_s) {
                out.maskMode = MaskMode::Random;
            } else if (v == u"none"_s) {
                out.maskMode = MaskMode::None;
            } else if (v == u"bit"_s) {
                out.maskMode = MaskMode::BitOnly;
            } else if (const auto key = parseMaskKey(v)) {
                out.maskMode = MaskMode::Fixed;
                out.maskKey = *key;
            } else {
                return bad(u"must be auto, none, bit or 8 hex digits"_s);
            }
        } else if (key == u"text"_s) {
            if (havePayload)
                return bad(u"payload given twice"_s);
            const QString err = unescape(value, out.payload);
            if (!err.isEmpty())
                return bad(err);
            havePayload = true;
        } else if (key == u"hex"_s) {
            if (havePayload)
                return bad(u"payload given twice"_s);
            const QString err = parseHexPayload(value, out.payload);
            if (!err.isEmpty())
                return bad(err);
            havePayload = true;
        } else if (key == u"repeat"_s) {
            if (!parseInt(value, 0, std::numeric_limits<int>::max(), n))
                return bad(u"must be a length in octets"_s);
            out.repeatLength = n;
        } else if (key == u"len"_s) {
            const QString v = value.toLower();
            if (v == u"auto"_s)
                out.lengthEncoding = LengthEncoding::Auto;
            else if (v == u"7"_s)
                out.lengthEncoding = LengthEncoding::Bits7;
            else if (v == u"16"_s)
                out.lengthEncoding = LengthEncoding::Bits16;
            else if (v == u"64"_s)
                out.lengthEncoding = LengthEncoding::Bits64;
            else {
                const QStringView number =
                    v.startsWith(u"decl:"_s) ? QStringView(v).mid(5) : QStringView(v);
                bool ok = false;
                const quint64 declared = number.toULongLong(&ok, 10);
                if (!ok)
                    return bad(u"must be auto, 7, 16, 64 or a declared length N (decl:N)"_s);
                out.declaredLength = declared;
            }
        } else if (key == u"chop"_s) {
            if (!parseInt(value, 0, std::numeric_limits<int>::max(), n))
                return bad(u"must be a size in octets (0 = no chopping)"_s);
            out.chopSize = int(n);
        } else if (key == u"chopdelay"_s) {
            if (!parseInt(value, 0, 600000, n))
                return bad(u"must be milliseconds"_s);
            if (chopDelayMs)
                *chopDelayMs = int(n);
        } else if (key == u"sync"_s) {
            if (!parseInt(value, 0, 1, n))
                return bad(u"must be 0 or 1 (or just 'sync')"_s);
            out.sync = n == 1;
        } else {
            return u"frame SPEC: unknown key '"_s + key +
                   u"' (known: opcode fin rsv mask text hex repeat len chop chopdelay sync)"_s;
        }
    }
    if (out.repeatLength && out.payload.isEmpty() && *out.repeatLength > 0)
        return u"frame SPEC: repeat= needs a non-empty text= or hex= pattern"_s;
    const QString invalid = out.validate();
    if (!invalid.isEmpty())
        return u"frame SPEC: "_s + invalid;
    return {};
}

namespace {

QString parseMessage(const QString &arg, Step &step)
{
    const QStringList parts = splitUnescaped(arg, u':');
    if (parts.size() < 2 || parts.size() > 3)
        return u"--message: expected text|binary:PAYLOAD[:FRAGSIZE], got '"_s + arg + u'\'';
    const QString kind = parts[0].toLower();
    if (kind != u"text"_s && kind != u"binary"_s)
        return u"--message: kind must be text or binary, got '"_s + parts[0] + u'\'';
    step.kind = Step::Kind::Message;
    step.binary = kind == u"binary"_s;
    const QString err =
        step.binary ? parseHexPayload(parts[1], step.payload) : unescape(parts[1], step.payload);
    if (!err.isEmpty())
        return u"--message: "_s + err;
    if (parts.size() == 3) {
        qint64 n = 0;
        if (!parseInt(parts[2], 1, std::numeric_limits<int>::max(), n))
            return u"--message: fragment size must be a positive number, got '"_s + parts[2] +
                   u'\'';
        step.fragmentSize = int(n);
    }
    return {};
}

QString parseClose(const QString &arg, Step &step)
{
    step.kind = Step::Kind::Close;
    if (arg.isEmpty())
        return {};
    const QStringList parts = splitUnescaped(arg, u':');
    qint64 code = 0;
    if (!parseInt(parts[0], 0, 65535, code))
        return u"--close: code must be 0–65535, got '"_s + parts[0] + u'\'';
    step.closeCode = int(code);
    if (parts.size() > 1) {
        // The reason may itself contain colons: rejoin the rest.
        const QString reason = QStringList(parts.mid(1)).join(u':');
        const QString err = unescape(reason, step.closeReason);
        if (!err.isEmpty())
            return u"--close: reason: "_s + err;
    }
    return {};
}

// A ws:// or wss:// URL with a host.
QString parseUrl(const QString &arg, QUrl &out)
{
    const QUrl url(arg, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != u"ws"_s && scheme != u"wss"_s))
        return u"URL must be ws://HOST[:PORT]/PATH or wss://…, got '"_s + arg + u'\'';
    if (url.host().isEmpty())
        return u"URL has no host: '"_s + arg + u'\'';
    if (url.port() == 0)
        return u"URL port must be 1–65535: '"_s + arg + u'\'';
    out = url;
    return {};
}

// The TLS options of a deployment (docs/tls.md §4): client certificate and key, SNI, ALPN,
// version, key log. As parseConnectionOption. The files are checked before connecting (main).
bool parseTlsOption(const QStringList &args, qsizetype &i, TlsOptions &tls, QString &error)
{
    const QString &a = args[i];
    if (a != u"--client-cert"_s && a != u"--client-key"_s && a != u"--sni"_s && a != u"--alpn"_s &&
        a != u"--tls-version"_s && a != u"--keylog"_s)
        return false;
    if (i + 1 >= args.size()) {
        error = a + u" needs a value"_s;
        return true;
    }
    const QString v = args[++i];
    if (a == u"--client-cert"_s) {
        tls.clientCertFile = v;
    } else if (a == u"--client-key"_s) {
        tls.clientKeyFile = v;
    } else if (a == u"--sni"_s) {
        tls.sni = v; // '' sends none
    } else if (a == u"--keylog"_s) {
        tls.keyLogFile = v;
    } else if (a == u"--alpn"_s) {
        tls.alpn = v.isEmpty() ? QStringList{} : v.split(u',');
        for (const QString &p : std::as_const(tls.alpn)) {
            if (p.isEmpty() || p.toUtf8().size() > 255) {
                error =
                    u"--alpn: each protocol name must have 1 to 255 octets, got '"_s + v + u'\'';
                break;
            }
        }
    } else if (v == u"1.2"_s) {
        tls.version = TlsOptions::Version::Tls12;
    } else if (v == u"1.3"_s) {
        tls.version = TlsOptions::Version::Tls13;
    } else if (v == u"any"_s) {
        tls.version = TlsOptions::Version::Any;
    } else {
        error = u"--tls-version: expected 1.2, 1.3 or any, got '"_s + v + u'\'';
    }
    return true;
}

// The options send and run share: the opening handshake, TLS and the protocol timeouts. True
// when args[i] is one of them (i then points at its last argument); `error` names a bad value.
bool parseConnectionOption(const QStringList &args, qsizetype &i, SessionSettings &settings,
                           QString &error)
{
    const QString &a = args[i];
    QString v;
    const auto value = [&]() -> bool {
        if (i + 1 >= args.size()) {
            error = a + u" needs a value"_s;
            return false;
        }
        v = args[++i];
        return true;
    };
    double seconds = 0;
    if (parseTlsOption(args, i, settings.tls, error))
        return true;
    if (a == u"--insecure"_s) {
        settings.ignoreCertificateErrors = true;
    } else if (a == u"--open-timeout"_s || a == u"--close-timeout"_s || a == u"--drop-timeout"_s) {
        if (!value())
            return true;
        if (!parseSeconds(v, seconds)) {
            error = badSeconds(a, v);
            return true;
        }
        const int ms = int(seconds * 1000);
        if (a == u"--open-timeout"_s)
            settings.openHandshakeTimeoutMs = ms;
        else if (a == u"--close-timeout"_s)
            settings.closeHandshakeTimeoutMs = ms;
        else
            settings.serverDropTimeoutMs = ms;
    } else if (a == u"--proxy"_s) {
        // http://[USER:PASS@]HOST:PORT, socks5://…, system or none (docs/proxies.md).
        if (!value())
            return true;
        QString why;
        if (const std::optional<ProxySettings> proxy = ProxySettings::fromUrl(v, &why))
            settings.proxy = *proxy;
        else
            error = u"--proxy: "_s + why;
    } else if (a == u"--header"_s) {
        if (!value())
            return true;
        const qsizetype colon = v.indexOf(u':');
        if (colon <= 0) {
            error = u"--header: expected NAME:VALUE, got '"_s + v + u'\'';
            return true;
        }
        settings.handshake.extraHeaders.append(
            {v.left(colon).trimmed().toUtf8(), v.mid(colon + 1).trimmed().toUtf8()});
    } else if (a == u"--subprotocol"_s) {
        if (value())
            settings.handshake.subprotocols << v;
    } else if (a == u"--origin"_s) {
        if (value())
            settings.handshake.origin = v;
    } else if (a == u"--ca-file"_s) {
        if (value())
            settings.caFile = v;
    } else {
        return false;
    }
    return true;
}

QString parseSend(const QStringList &args, SendOptions &o)
{
    // A scenario file gives the base settings (and maybe the URL); options on the command line
    // win, whatever their position. Its steps run where --scenario stands.
    QHash<QString, Scenario> scenarios;
    bool haveUrl = false;
    for (qsizetype k = 0; k + 1 < args.size(); ++k) {
        if (args[k] != u"--scenario"_s)
            continue;
        const ScenarioParseResult loaded = loadScenario(args[k + 1]);
        if (!loaded.ok())
            return u"--scenario: "_s + loaded.error;
        if (scenarios.isEmpty()) {
            o.settings = loaded.scenario.settings;
            haveUrl = !o.settings.url.isEmpty();
            if (loaded.scenario.expectedClose) {
                o.expectClosedByMe = loaded.scenario.expectedClose->closedByMe;
                o.expectCodes = loaded.scenario.expectedClose->closeCodes;
                o.requireClean = loaded.scenario.expectedClose->requireClean;
            }
        }
        scenarios.insert(args[k + 1], loaded.scenario);
    }
    bool urlGiven = false;
    qsizetype i = 0;
    const auto value = [&](const QString &opt, QString &out) -> QString {
        if (i + 1 >= args.size())
            return opt + u" needs a value"_s;
        out = args[++i];
        return {};
    };
    for (; i < args.size(); ++i) {
        const QString &a = args[i];
        QString v;
        QString err;
        Step step;
        double seconds = 0;
        qint64 n = 0;
        if (!a.startsWith(u"--"_s)) {
            if (urlGiven)
                return u"unexpected argument '"_s + a + u"' (steps start with --)"_s;
            if (!(err = parseUrl(a, o.settings.url)).isEmpty())
                return err;
            haveUrl = true;
            urlGiven = true;
        } else if (a == u"--frame"_s) {
            if (!(err = value(a, v)).isEmpty())
                return err;
            step.kind = Step::Kind::Frame;
            if (!(err = parseFrameSpec(v, step.frame, &step.chopDelayMs)).isEmpty())
                return err;
            o.steps << step;
        } else if (a == u"--message"_s) {
            if (!(err = value(a, v)).isEmpty())
                return err;
            if (!(err = parseMessage(v, step)).isEmpty())
                return err;
            o.steps << step;
        } else if (a == u"--ping"_s || a == u"--pong"_s) {
            if (!(err = value(a, v)).isEmpty())
                return err;
            step.kind = a == u"--ping"_s ? Step::Kind::Ping : Step::Kind::Pong;
            if (!(err = unescape(v, step.payload)).isEmpty())
                return a + u": "_s + err;
            o.steps << step;
        } else if (a == u"--delay"_s || a == u"--close-after"_s || a == u"--fail-after"_s) {
            if (!(err = value(a, v)).isEmpty())
                return err;
            if (!parseSeconds(v, seconds))
                return badSeconds(a, v);
            step.kind = a == u"--delay"_s         ? Step::Kind::Delay
                        : a == u"--close-after"_s ? Step::Kind::CloseAfter
                                                  : Step::Kind::FailAfter;
            step.seconds = seconds;
            o.steps << step;
        } else if (a == u"--close"_s) {
            QString arg;
            // The optional CODE[:REASON] starts with a digit (a URL never does).
            if (i + 1 < args.size() && !args[i + 1].isEmpty() && args[i + 1].front().isDigit())
                arg = args[++i];
            if (!(err = parseClose(arg, step)).isEmpty())
                return err;
            o.steps << step;
        } else if (a == u"--scenario"_s) {
            if (!(err = value(a, v)).isEmpty())
                return err;
            o.steps << scenarios.value(v).steps;
        } else if (a == u"--fail"_s) {
            o.steps << Step::makeKind(Step::Kind::Fail);
        } else if (a == u"--drop"_s) {
            o.steps << Step::makeKind(Step::Kind::Drop);
        } else if (a == u"--half-close"_s) {
            o.steps << Step::makeKind(Step::Kind::HalfClose);
        } else if (a == u"--no-auto-pong"_s) {
            o.settings.autoPong = false;
        } else if (a == u"--no-auto-close-reply"_s) {
            o.settings.autoCloseReply = false;
        } else if (a == u"--no-fail-on-violation"_s) {
            o.settings.failOnViolation = false;
        } else if (parseConnectionOption(args, i, o.settings, err)) {
            if (!err.isEmpty())
                return err;
        } else if (a == u"--timeout"_s) {
            if (!(err = value(a, v)).isEmpty())
                return err;
            if (!parseSeconds(v, o.timeoutSeconds))
                return badSeconds(a, v);
        } else if (a == u"--extension"_s) {
            if (!(err = value(a, v)).isEmpty())
                return err;
            o.settings.handshake.extensions << v;
        } else if (a == u"--deflate"_s || a.startsWith(u"--deflate="_s)) {
            // An offer of permessage-deflate (RFC 7692), after any --extension offers given
            // before it: the order of the options is the order of preference.
            QString why;
            const std::optional<DeflateParams> params =
                parseDeflateParams(a.mid(qsizetype(sizeof("--deflate") - 1)).mid(1), &why);
            if (!params)
                return u"--deflate: "_s + why;
            o.settings.handshake.extensions << params->toHeaderValue();
        } else if (a == u"--max-frame-size"_s) {
            if (!(err = value(a, v)).isEmpty())
                return err;
            if (!parseInt(v, 1, qint64(1) << 40, n))
                return u"--max-frame-size: octets must be a positive number, got '"_s + v + u'\'';
            o.settings.maxFramePayload = n;
        } else if (a == u"--max-trace-octets"_s) {
            if (!(err = value(a, v)).isEmpty())
                return err;
            if (!parseInt(v, kMinTraceOctets, qint64(1) << 50, n))
                return u"--max-trace-octets: octets must be a number of at least "_s +
                       QString::number(kMinTraceOctets) + u", got '"_s + v + u'\'';
            o.settings.maxTraceOctets = n;
        } else if (a == u"--json"_s) {
            if (!(err = value(a, o.jsonFile)).isEmpty())
                return err;
        } else if (a == u"--report"_s) {
            if (!(err = value(a, o.reportFile)).isEmpty())
                return err;
        } else if (a == u"--capture"_s) {
            if (!(err = value(a, o.captureFile)).isEmpty())
                return err;
        } else if (a == u"--agent"_s) {
            if (!(err = value(a, o.agent)).isEmpty())
                return err;
        } else if (a == u"--expect"_s) {
            if (!(err = value(a, v)).isEmpty())
                return err;
            if (v != u"me"_s && v != u"peer"_s)
                return u"--expect: must be me or peer, got '"_s + v + u'\'';
            o.expectClosedByMe = v == u"me"_s;
        } else if (a == u"--expect-code"_s) {
            if (!(err = value(a, v)).isEmpty())
                return err;
            QList<int> codes;
            if (v != u"any"_s) {
                for (const QString &c : v.split(u',')) {
                    if (!parseInt(c, 0, 65535, n))
                        return u"--expect-code: not a close code: '"_s + c + u'\'';
                    codes << int(n);
                }
            }
            o.expectCodes = codes;
        } else if (a == u"--require-clean"_s || a == u"--no-require-clean"_s) {
            o.requireClean = a == u"--require-clean"_s;
        } else {
            return u"unknown option '"_s + a + u"' (see wsinspector-cli --help)"_s;
        }
    }
    if (!haveUrl)
        return u"send: a ws:// or wss:// URL is required"_s;
    return {};
}

// Case patterns: comma-separated, each non-empty ("1.1.1,2.*").
QString parsePatterns(const QString &option, const QString &arg, QStringList &out)
{
    bool any = false;
    for (const QString &part : arg.split(u',')) {
        const QString pattern = part.trimmed();
        if (pattern.isEmpty())
            continue;
        out << pattern;
        any = true;
    }
    if (!any)
        return option + u": expected case patterns such as 1.1.1,2.*, got '"_s + arg + u'\'';
    return {};
}

QString parseCases(const QStringList &args, CasesOptions &o)
{
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        QString err;
        if (a == u"--exclude"_s) {
            if (i + 1 >= args.size())
                return a + u" needs a value"_s;
            err = parsePatterns(a, args[++i], o.excludes);
        } else if (a.startsWith(u"--"_s)) {
            return u"cases: unknown option '"_s + a + u"' (see wsinspector-cli --help)"_s;
        } else {
            err = parsePatterns(u"cases"_s, a, o.patterns);
        }
        if (!err.isEmpty())
            return err;
    }
    return {};
}

QString parseReport(const QStringList &args, ReportOptions &o)
{
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        const auto value = [&](QString &out) -> QString {
            if (i + 1 >= args.size())
                return a + u" needs a value"_s;
            out = args[++i];
            return {};
        };
        QString err;
        QString v;
        qint64 n = 0;
        if (!a.startsWith(u"--"_s)) {
            if (!o.captureFile.isEmpty())
                return u"report: unexpected argument '"_s + a + u"' (one capture file)"_s;
            o.captureFile = a;
        } else if (a == u"--json"_s) {
            err = value(o.jsonFile);
        } else if (a == u"--report"_s) {
            err = value(o.reportFile);
        } else if (a == u"--har"_s) {
            err = value(o.harFile);
        } else if (a == u"--html"_s) {
            err = value(o.htmlFile);
        } else if (a == u"--agent"_s) {
            err = value(o.agent);
        } else if (a == u"--max-trace-octets"_s) {
            if ((err = value(v)).isEmpty() && !parseInt(v, kMinTraceOctets, qint64(1) << 50, n))
                err = u"--max-trace-octets: octets must be a number of at least "_s +
                      QString::number(kMinTraceOctets) + u", got '"_s + v + u'\'';
            o.maxTraceOctets = n;
        } else {
            return u"report: unknown option '"_s + a + u"' (see wsinspector-cli --help)"_s;
        }
        if (!err.isEmpty())
            return err;
    }
    if (o.captureFile.isEmpty())
        return u"report: which capture? (wsinspector-cli report FILE.pcapng)"_s;
    return {};
}

QString parseRun(const QStringList &args, RunOptions &o)
{
    bool urlGiven = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        QString err;
        QString v;
        const auto value = [&]() -> bool {
            if (i + 1 >= args.size()) {
                err = a + u" needs a value"_s;
                return false;
            }
            v = args[++i];
            return true;
        };
        if (!a.startsWith(u"--"_s)) {
            if (urlGiven)
                return u"run: unexpected argument '"_s + a + u"' (cases are chosen with --cases)"_s;
            err = parseUrl(a, o.settings.url);
            urlGiven = true;
        } else if (parseConnectionOption(args, i, o.settings, err)) {
            // handled (err tells whether its value was good)
        } else if (a == u"--cases"_s) {
            if (value())
                err = parsePatterns(a, v, o.patterns);
        } else if (a == u"--exclude"_s) {
            if (value())
                err = parsePatterns(a, v, o.excludes);
        } else if (a == u"--scenario"_s) {
            if (value() && v.isEmpty())
                err = u"--scenario: the file name must not be empty"_s;
            o.scenarios << v;
        } else if (a == u"--agent"_s) {
            if (value() && v.trimmed().isEmpty())
                err = u"--agent: the name must not be empty"_s;
            o.agent = v;
        } else if (a == u"--outdir"_s) {
            if (value() && v.isEmpty())
                err = u"--outdir: the directory must not be empty"_s;
            o.outdir = v;
        } else if (a == u"--capture-dir"_s) {
            if (value() && v.isEmpty())
                err = u"--capture-dir: the directory must not be empty"_s;
            o.captureDir = v;
        } else if (a == u"--jobs"_s) {
            qint64 n = 0;
            if (value() && !parseInt(v, 1, 64, n))
                err = u"--jobs: must be 1–64, got '"_s + v + u'\'';
            o.jobs = int(n);
        } else if (a == u"--timeout"_s) {
            // A case ends by its own timers and the protocol timeouts, within a hard limit.
            return u"run: --timeout does not apply to cases; use --open-timeout, "
                   u"--close-timeout, --drop-timeout"_s;
        } else {
            return u"run: unknown option '"_s + a + u"' (see wsinspector-cli --help)"_s;
        }
        if (!err.isEmpty())
            return err;
    }
    if (!urlGiven)
        return u"run: a ws:// or wss:// URL is required"_s;
    return {};
}

} // namespace

ParseResult parseCommandLine(const QStringList &args)
{
    ParseResult r;
    if (args.isEmpty() || args[0] == u"--help"_s || args[0] == u"-h"_s || args[0] == u"help"_s) {
        r.command.kind = Command::Kind::Help;
        return r;
    }
    if (args[0] == u"--version"_s) {
        r.command.kind = Command::Kind::Version;
        return r;
    }
    const QString &verb = args[0];
    const QStringList rest = args.mid(1);
    if (verb == u"echo-server"_s) {
        r.command.kind = Command::Kind::EchoServer;
        for (qsizetype i = 0; i < rest.size(); ++i) {
            if (rest[i] == u"--tls"_s) {
                r.command.echo.tls = true;
            } else if (rest[i] == u"--port"_s && i + 1 < rest.size()) {
                qint64 port = 0;
                if (!parseInt(rest[++i], 0, 65535, port)) {
                    r.error = u"--port must be 0–65535, got '"_s + rest[i] + u'\'';
                    return r;
                }
                r.command.echo.port = quint16(port);
            } else {
                r.error = u"echo-server: unknown argument '"_s + rest[i] + u'\'';
                return r;
            }
        }
        return r;
    }
    if (verb == u"send"_s) {
        r.command.kind = Command::Kind::Send;
        r.error = parseSend(rest, r.command.send);
        return r;
    }
    if (verb == u"cases"_s) {
        r.command.kind = Command::Kind::Cases;
        r.error = parseCases(rest, r.command.cases);
        return r;
    }
    if (verb == u"run"_s) {
        r.command.kind = Command::Kind::Run;
        r.error = parseRun(rest, r.command.run);
        return r;
    }
    if (verb == u"report"_s) {
        r.command.kind = Command::Kind::Report;
        r.error = parseReport(rest, r.command.report);
        return r;
    }
    if (verb == u"demo"_s) {
        r.command.kind = Command::Kind::Demo;
        return r;
    }
    r.error = u"unknown command '"_s + verb +
              u"' (commands: send, run, cases, report, echo-server, demo)"_s;
    return r;
}

ExpectedCloseOverride closeOverrideFor(const SendOptions &o)
{
    // Only what the user stated; the rest comes from what the session did (docs/closing.md).
    return {o.expectClosedByMe, o.expectCodes, o.requireClean};
}

QString usageText()
{
    return uR"(Usage:
  wsinspector-cli send URL STEP... [OPTION...]
  wsinspector-cli run URL [--cases PATTERNS] [--exclude PATTERNS] [--scenario FILE]...
                          [--agent NAME] [--outdir DIR] [--jobs N] [OPTION...]
  wsinspector-cli cases [PATTERN...] [--exclude PATTERNS]
  wsinspector-cli report FILE.pcapng [--report FILE] [--json FILE] [--har FILE] [--agent NAME]
  wsinspector-cli echo-server [--port N] [--tls]
  wsinspector-cli demo

send: connects to URL (ws:// or wss://), runs the steps in order once the connection is OPEN,
waits until TCP is closed, and prints a report (opening handshake, closing behaviour, wire
statistics, wire log).

Steps:
  --frame SPEC            one frame, exactly as described (see SPEC)
  --message text:PAYLOAD[:FRAGSIZE] | binary:HEX[:FRAGSIZE]
  --ping TEXT | --pong TEXT
  --delay S               wait S seconds before the next step
  --close [CODE[:REASON]] close handshake (any code, even illegal ones; none = empty close)
  --fail                  close 1001 "Going Away" (drop TCP when already closing)
  --drop                  abort TCP at once
  --half-close            shut down our sending side (TCP FIN) after queued writes
  --close-after S         timer: close (no code) after S seconds
  --fail-after S          timer: fail the connection after S seconds
  --scenario FILE         the steps of a saved scenario (its settings are the base; options
                          on the command line win; URL may be omitted when the file has one)

SPEC: comma-separated keys
  opcode=0..15|text|binary|continuation|close|ping|pong   fin=0|1   rsv=0..7
  mask=auto|none|HEX8|bit   text=TEXT | hex=HEX   repeat=N   len=auto|7|16|64|N|decl:N
  chop=N   chopdelay=MS   sync
  In TEXT (and in --message/--ping/--close text) escape \, \: \= \\ and use \n \r \t \xHH.
  len=N with N other than 7, 16, 64 (or decl:N) declares N in the header whatever is sent.

Options:
  --header NAME:VALUE  --subprotocol P  --extension E  --origin O
  --deflate[=PARAMS]: offer permessage-deflate (RFC 7692); PARAMS e.g.
        client_max_window_bits;server_no_context_takeover (docs/deflate.md)
  --insecure (ignore certificate errors)  --ca-file PEM
  --client-cert PEM  --client-key PEM (unencrypted; default: in the --client-cert file)
  --sni NAME (default: the URL's host unless an address; '' sends none)
  --alpn LIST (http/1.1; '' offers none)  --tls-version 1.2|1.3|any (any)
  --keylog FILE: append the TLS secrets in SSLKEYLOGFILE format (Wireshark decrypts a
        capture with it); created 0600
  --no-auto-pong  --no-auto-close-reply  --no-fail-on-violation  --max-frame-size N
  --max-trace-octets N (536870912): what the trace stores at most; past it octets and
        frames are counted, not stored (docs/cli.md, Memory: resident <= N + 64 MiB)
  --open-timeout S (5)  --close-timeout S (1)  --drop-timeout S (1)
  --proxy URL: connect through http://[USER:PASS@]HOST:PORT (HTTP CONNECT) or
        socks5://[USER:PASS@]HOST[:PORT] (1080), 'system' (the system's proxy) or 'none'
  --timeout S (10): after the last step, close if still open, then drop
  --expect me|peer  --expect-code LIST|any  --require-clean | --no-require-clean
        override what the closing verdict expects; by default it follows RFC 6455 from what
        the steps did (docs/closing.md), and it is given only once TCP is closed
  --json FILE (Autobahn per-case JSON)  --report FILE  --agent NAME
  --capture FILE: write the connection as a pcapng capture while it runs (Wireshark opens
        it; `report` reads it back)

Exit status: 0 the run completed (whatever the server did), 2 usage error,
3 no connection could be made.

run: runs cases of the built-in library (Autobahn groups 1-7, 9, 10, 12, 13) against the server, one
connection per case, N at a time (--jobs, default 1), and writes Autobahn-compatible reports
into DIR (--outdir, default ./reports): index.html, index.json and, per case,
AGENT_case_ID.json and AGENT_case_ID.html. Progress goes to standard error.
  --cases PATTERNS        comma-separated ids or patterns, '*' matches anything
                          (1.1.1,2.*,9.*.2); default: every case (none when
                          --scenario is given)
  --exclude PATTERNS      leave these out
  --scenario FILE         also run the case of a saved scenario with a case part (the
                          user's own, e.g. a library case opened as a scenario and changed);
                          may be repeated; its connection settings are not used
  --agent NAME            the name in the reports (default: the server's Server: header)
  --capture-dir DIR       write each case as a pcapng capture while it runs, named like its
                          reports (AGENT_case_ID.pcapng); `report` reads one back
  --header, --subprotocol, --origin, --insecure, --ca-file, --open-timeout,
  --close-timeout, --drop-timeout as for send
  --client-cert, --client-key, --sni, --alpn, --tls-version, --keylog as for send
  --proxy URL             as for send: every case connects through it
Exit status: 0 every case passed (OK, NON-STRICT or INFORMATIONAL), 1 a case failed or
did not run (no connection: one error line, the remaining cases are not tried),
2 usage error, unknown case pattern, or the reports or captures could not be written (the
run still completes).

cases: lists the library's cases (all, or those matching the patterns): ID and description.

report: reads a capture written by send --capture (or saved by the window; or a pcap/pcapng of
a plain ws:// connection by another tool, rebuilt from its octets) and prints the same report as
the live run; --json and --report as for send, --html FILE the HTML report, --har FILE writes
the connection as HAR 1.2 for the browsers' DevTools, --max-trace-octets as for send. A case's
capture (run --capture-dir) gives that case's reports, as run wrote them.
Exit status: 0 the capture was read, 2 usage error or the file could not be read (the line
names the block and offset of the damage).
)"_s;
}

} // namespace wsi::cli
