// SPDX-License-Identifier: MIT
#include "protocol/permessagedeflate.h"

#include "protocol/handshake.h"

#include <zlib.h>

#include <QRegularExpression>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

constexpr QByteArrayView kTail("\x00\x00\xff\xff", 4); // RFC 7692 §7.2.1
constexpr QLatin1StringView kExtensionName("permessage-deflate");
constexpr QByteArrayView kHeader("Sec-WebSocket-Extensions");
// zlib takes at most uInt octets a call; pieces stay well below that.
constexpr qsizetype kZlibPiece = qsizetype(1) << 30;
// Output block of the inflater and the deflater (on the stack).
constexpr qsizetype kBlock = 16 * 1024;

bool isTchar(char c)
{
    // RFC 7230 §3.2.6 tchar
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool isToken(QStringView s)
{
    if (s.isEmpty())
        return false;
    for (QChar c : s) {
        if (c.unicode() > 0x7f || !isTchar(char(c.unicode())))
            return false;
    }
    return true;
}

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

bool sameText(QStringView a, QLatin1StringView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

// A window-bits value (RFC 7692 §7.1.2.1, §7.1.2.2): a decimal integer without leading zeroes
// in 8..15. Returns the value, or nullopt with the reason.
std::optional<int> windowBitsValue(const QString &value, QString *why)
{
    bool digits = !value.isEmpty();
    for (QChar c : value)
        digits = digits && c >= u'0' && c <= u'9';
    if (!digits || (value.size() > 1 && value.at(0) == u'0')) {
        *why = u"is not a decimal integer without leading zeroes"_s;
        return std::nullopt;
    }
    const int bits = value.size() > 2 ? 99 : value.toInt();
    if (bits < 8 || bits > 15) {
        *why = u"is not in 8..15"_s;
        return std::nullopt;
    }
    return bits;
}

// The values of every Sec-WebSocket-Extensions line of an HTTP head, joined.
QByteArray extensionsValue(QByteArrayView head)
{
    return headHeaderValue(head, kHeader).value_or(QByteArray());
}

// One permessage-deflate element as parameters, checked by the rules for a response (strict) or
// read from an offer (lenient: what we sent is not judged here, invalid parameters are skipped).
struct Checked
{
    DeflateParams params;
    QString error;
};

Checked checkElement(const ExtensionElement &element, bool response)
{
    Checked c;
    const QString who = u"permessage-deflate response: "_s;
    QStringList seen;
    for (const auto &[rawName, value] : element.params) {
        const QString name = rawName.toLower();
        if (seen.contains(name)) {
            if (response) {
                c.error =
                    who + u"parameter "_s + rawName + u" appears more than once (RFC 7692 §7)"_s;
                return c;
            }
            continue;
        }
        seen.append(name);
        const QString shown = value ? rawName + u'=' + *value : rawName;
        if (name == u"server_no_context_takeover"_s || name == u"client_no_context_takeover"_s) {
            const bool server = name.startsWith(u's');
            if (value) {
                if (response) {
                    c.error = who + shown +
                              u" has a value; the parameter takes none (RFC 7692 §"_s +
                              (server ? u"7.1.1.1)"_s : u"7.1.1.2)"_s);
                    return c;
                }
                continue;
            }
            (server ? c.params.serverNoContextTakeover : c.params.clientNoContextTakeover) = true;
        } else if (name == u"server_max_window_bits"_s || name == u"client_max_window_bits"_s) {
            const bool server = name.startsWith(u's');
            const QString section = server ? u"7.1.2.1"_s : u"7.1.2.2"_s;
            // Only an offer's client_max_window_bits may come without a value.
            if (!value && (server || response)) {
                if (response) {
                    c.error = who + rawName + u" without a value (RFC 7692 §"_s + section + u')';
                    return c;
                }
                continue;
            }
            std::optional<int> bits;
            if (value) {
                QString why;
                bits = windowBitsValue(*value, &why);
                if (!bits) {
                    if (response) {
                        c.error = who + shown + u' ' + why + u" (RFC 7692 §"_s + section + u')';
                        return c;
                    }
                    continue;
                }
            }
            if (server) {
                c.params.serverMaxWindowBits = bits;
            } else {
                c.params.clientMaxWindowBits = true;
                c.params.clientMaxWindowBitsValue = bits;
            }
        } else if (response) {
            c.error = who + u"unknown parameter "_s + shown + u" (RFC 7692 §7)"_s;
            return c;
        }
    }
    return c;
}

// Why a valid response element does not answer `offer`; empty when it does.
QString misfit(const DeflateParams &offer, const DeflateParams &r)
{
    if (offer.serverNoContextTakeover && !r.serverNoContextTakeover) {
        return u"the offer has server_no_context_takeover, the response lacks it (RFC 7692 "
               u"§7.1.1.1)"_s;
    }
    if (offer.serverMaxWindowBits) {
        const QString asked = QString::number(*offer.serverMaxWindowBits);
        if (!r.serverMaxWindowBits) {
            return u"the offer has server_max_window_bits="_s + asked +
                   u", the response lacks it (RFC 7692 §7.1.2.1)"_s;
        }
        if (*r.serverMaxWindowBits > *offer.serverMaxWindowBits) {
            return u"server_max_window_bits="_s + QString::number(*r.serverMaxWindowBits) +
                   u" is more than the offer's "_s + asked + u" (RFC 7692 §7.1.2.1)"_s;
        }
    }
    if (r.clientMaxWindowBits && !offer.clientMaxWindowBits) {
        return u"client_max_window_bits="_s +
               QString::number(r.clientMaxWindowBitsValue.value_or(15)) +
               u" answers an offer without client_max_window_bits (RFC 7692 §7.1.2.2)"_s;
    }
    if (r.clientMaxWindowBitsValue && offer.clientMaxWindowBitsValue &&
        *r.clientMaxWindowBitsValue > *offer.clientMaxWindowBitsValue) {
        return u"client_max_window_bits="_s + QString::number(*r.clientMaxWindowBitsValue) +
               u" is more than the offer's "_s + QString::number(*offer.clientMaxWindowBitsValue) +
               u" (RFC 7692 §7.1.2.2)"_s;
    }
    return {};
}

QString zlibMessage(const z_stream &z, int rc)
{
    if (z.msg)
        return QString::fromLatin1(z.msg);
    switch (rc) {
    case Z_MEM_ERROR:
        return u"out of memory"_s;
    case Z_STREAM_ERROR:
        return u"inconsistent zlib stream"_s;
    default:
        return u"invalid compressed data"_s;
    }
}

// Runs deflate over `payload` and appends what it writes to `out`: Z_NO_FLUSH for all but the
// last piece, `flush` for the last (Z_SYNC_FLUSH or Z_FINISH).
void deflateAll(z_stream &z, QByteArrayView payload, int flush, QByteArray &out)
{
    char block[kBlock];
    qsizetype done = 0;
    do {
        const qsizetype piece = std::min(kZlibPiece, payload.size() - done);
        const bool last = done + piece == payload.size();
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(payload.data() + done));
        z.avail_in = uInt(piece);
        for (;;) {
            z.next_out = reinterpret_cast<Bytef *>(block);
            z.avail_out = uInt(sizeof block);
            const int rc = ::deflate(&z, last ? flush : Z_NO_FLUSH);
            out.append(block, qsizetype(sizeof block - z.avail_out));
            // Z_BUF_ERROR: nothing to do (a flush with no new input since the last one).
            if (rc == Z_STREAM_END || rc == Z_BUF_ERROR || rc == Z_STREAM_ERROR)
                break;
            if (z.avail_in == 0 && z.avail_out != 0)
                break;
        }
        done += piece;
    } while (done < payload.size());
}

// A raw deflate stream of its own; `dictionary`, when given, is its window before the payload.
QByteArray deflateOnce(int windowBits, QByteArrayView dictionary, QByteArrayView payload, int flush)
{
    z_stream z{};
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -zlibWindowBits(windowBits), 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    if (!dictionary.isEmpty()) {
        deflateSetDictionary(&z, reinterpret_cast<const Bytef *>(dictionary.data()),
                             uInt(dictionary.size()));
    }
    QByteArray out;
    deflateAll(z, payload, flush, out);
    deflateEnd(&z);
    return out;
}

QByteArray withoutTail(QByteArray compressed)
{
    if (compressed.endsWith(kTail))
        compressed.chop(kTail.size());
    if (compressed.isEmpty())
        compressed = QByteArray(1, '\0'); // RFC 7692 §7.2.3.6: an empty message is one 0x00
    return compressed;
}

} // namespace

// ---- parameters and the extension grammar ----

QString DeflateParams::toHeaderValue() const
{
    QString v = kExtensionName;
    if (serverNoContextTakeover)
        v += u"; server_no_context_takeover"_s;
    if (clientNoContextTakeover)
        v += u"; client_no_context_takeover"_s;
    if (serverMaxWindowBits)
        v += u"; server_max_window_bits="_s + QString::number(*serverMaxWindowBits);
    if (clientMaxWindowBits) {
        v += u"; client_max_window_bits"_s;
        if (clientMaxWindowBitsValue)
            v += u'=' + QString::number(*clientMaxWindowBitsValue);
    }
    return v;
}

std::optional<DeflateParams> parseDeflateParams(const QString &text, QString *error)
{
    QString why;
    auto failWith = [&](const QString &message) -> std::optional<DeflateParams> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    DeflateParams p;
    QStringList seen;
    const QStringList items = text.split(QRegularExpression(u"[;,]"_s));
    bool firstItem = true;
    for (const QString &rawItem : items) {
        const QString item = rawItem.trimmed();
        const bool leading = std::exchange(firstItem, false);
        if (item.isEmpty())
            continue;
        if (leading && sameText(item, kExtensionName))
            continue; // "permessage-deflate; …" as in the header
        const qsizetype eq = item.indexOf(u'=');
        const QString name = (eq < 0 ? item : item.first(eq)).trimmed().toLower();
        const std::optional<QString> value =
            eq < 0 ? std::nullopt : std::optional<QString>(item.sliced(eq + 1).trimmed());
        if (seen.contains(name))
            return failWith(u"permessage-deflate parameter "_s + name + u" given twice"_s);
        seen.append(name);
        if (name == u"server_no_context_takeover"_s || name == u"client_no_context_takeover"_s) {
            if (value)
                return failWith(u"permessage-deflate parameter "_s + name + u" takes no value"_s);
            (name.startsWith(u's') ? p.serverNoContextTakeover : p.clientNoContextTakeover) = true;
        } else if (name == u"server_max_window_bits"_s || name == u"client_max_window_bits"_s) {
            std::optional<int> bits;
            if (value) {
                bits = windowBitsValue(*value, &why);
                if (!bits) {
                    return failWith(u"permessage-deflate parameter "_s + name + u'=' + *value +
                                    u' ' + why);
                }
            }
            if (name.startsWith(u's')) {
                if (!bits) {
                    return failWith(u"permessage-deflate parameter server_max_window_bits needs "
                                    u"a value in 8..15"_s);
                }
                p.serverMaxWindowBits = bits;
            } else {
                p.clientMaxWindowBits = true;
                p.clientMaxWindowBitsValue = bits;
            }
        } else {
            return failWith(u"unknown permessage-deflate parameter '"_s + name +
                            u"' (known: server_no_context_takeover, client_no_context_takeover, "
                            u"server_max_window_bits, client_max_window_bits)"_s);
        }
    }
    return p;
}

QList<ExtensionElement> parseExtensionList(QByteArrayView value, QString *error)
{
    QList<ExtensionElement> list;
    if (error)
        error->clear();
    qsizetype pos = 0;
    const qsizetype n = value.size();
    auto skipOws = [&] {
        while (pos < n && isOws(value.at(pos)))
            ++pos;
    };
    auto token = [&]() -> QString {
        const qsizetype start = pos;
        while (pos < n && isTchar(value.at(pos)))
            ++pos;
        return QString::fromLatin1(value.sliced(start, pos - start));
    };
    auto failAt = [&](const QString &what) {
        if (error) {
            *error = u"Sec-WebSocket-Extensions does not parse: "_s + what + u" at octet "_s +
                     QString::number(pos) + u" of '"_s + QString::fromLatin1(value) +
                     u"' (RFC 6455 §9.1)"_s;
        }
        return list;
    };

    for (;;) {
        skipOws();
        if (pos >= n)
            break;
        if (value.at(pos) == ',') { // an empty list element (RFC 7230 §7)
            ++pos;
            continue;
        }
        const qsizetype elementStart = pos;
        ExtensionElement element;
        element.name = token();
        if (element.name.isEmpty())
            return failAt(u"expected an extension name"_s);
        for (;;) {
            skipOws();
            if (pos >= n || value.at(pos) == ',')
                break;
            if (value.at(pos) != ';')
                return failAt(u"expected ';' or ','"_s);
            ++pos;
            skipOws();
            const QString name = token();
            if (name.isEmpty())
                return failAt(u"expected a parameter name"_s);
            skipOws();
            std::optional<QString> paramValue;
            if (pos < n && value.at(pos) == '=') {
                ++pos;
                skipOws();
                if (pos < n && value.at(pos) == '"') {
                    // quoted-string (RFC 7230 §3.2.6) with quoted-pairs
                    const qsizetype quoteStart = pos;
                    ++pos;
                    QString unquoted;
                    bool closed = false;
                    while (pos < n) {
                        const char c = value.at(pos);
                        if (c == '"') {
                            closed = true;
                            ++pos;
                            break;
                        }
                        if (c == '\\') {
                            if (pos + 1 >= n)
                                break;
                            ++pos;
                        }
                        unquoted += QChar::fromLatin1(value.at(pos));
                        ++pos;
                    }
                    if (!closed) {
                        pos = quoteStart;
                        return failAt(u"unterminated quoted string"_s);
                    }
                    if (!isToken(unquoted)) {
                        pos = quoteStart;
                        return failAt(u"the quoted value \""_s + unquoted +
                                      u"\" is not a token once unquoted"_s);
                    }
                    paramValue = unquoted;
                } else {
                    const QString v = token();
                    if (v.isEmpty())
                        return failAt(u"expected a parameter value"_s);
                    paramValue = v;
                }
            }
            element.params.append({name, paramValue});
        }
        element.text =
            QString::fromLatin1(value.sliced(elementStart, pos - elementStart).trimmed());
        list.append(element);
        if (pos < n)
            ++pos; // the ','
    }
    return list;
}

// ---- the negotiation ----

QString DeflateAgreement::describe() const
{
    if (!agreed)
        return u"not agreed"_s;
    // An explicit QString: with QT_USE_QSTRINGBUILDER an auto return would be a builder over
    // temporaries.
    const auto side = [](int bits, bool noTakeover) -> QString {
        return QString::number(bits) + u"-bit window, "_s +
               (noTakeover ? u"no context takeover"_s : u"context takeover"_s);
    };
    return u"server: "_s + side(serverWindowBits, serverNoContextTakeover) + u"; client: "_s +
           side(clientWindowBits, clientNoContextTakeover);
}

DeflateNegotiation negotiateDeflate(QByteArrayView requestHead, QByteArrayView responseHead)
{
    DeflateNegotiation result;

    // The offers as sent; what the request carried is not judged here (it may be broken on
    // purpose), only read leniently.
    QString ignored;
    QList<DeflateParams> offers;
    for (const ExtensionElement &e : parseExtensionList(extensionsValue(requestHead), &ignored)) {
        if (sameText(e.name, kExtensionName))
            offers.append(checkElement(e, false).params);
    }
    result.offered = !offers.isEmpty();

    const QByteArray responseValue = extensionsValue(responseHead);
    QString parseError;
    const QList<ExtensionElement> elements = parseExtensionList(responseValue, &parseError);
    QList<ExtensionElement> deflateElements;
    for (const ExtensionElement &e : elements) {
        if (sameText(e.name, kExtensionName))
            deflateElements.append(e);
    }
    if (!deflateElements.isEmpty() && !result.offered) {
        result.failure = u"server wants to use extension '"_s + kExtensionName +
                         u"' we did not request, haven't implemented or did not enable"_s;
        return result;
    }
    if (!result.offered)
        return result;
    if (!parseError.isEmpty()) {
        // Only our business when the part that does not parse could hold our extension.
        if (responseValue.toLower().contains(QByteArrayView("permessage-deflate")))
            result.failure = parseError;
        return result;
    }
    if (deflateElements.isEmpty())
        return result; // declined
    if (deflateElements.size() > 1) {
        result.failure = u"multiple occurrence of a permessage-compress extension"_s;
        return result;
    }

    const ExtensionElement &element = deflateElements.first();
    const Checked checked = checkElement(element, true);
    if (!checked.error.isEmpty()) {
        result.failure = checked.error;
        return result;
    }
    const DeflateParams &r = checked.params;
    QStringList reasons;
    for (qsizetype i = 0; i < offers.size(); ++i) {
        const QString why = misfit(offers.at(i), r);
        if (!why.isEmpty()) {
            reasons.append(offers.size() > 1 ? u"offer "_s + QString::number(i + 1) + u": "_s + why
                                             : why);
            continue;
        }
        const DeflateParams &offer = offers.at(i);
        DeflateAgreement &a = result.agreement;
        a.agreed = true;
        a.offerIndex = int(i);
        a.accepted = element.text;
        a.serverWindowBits = r.serverMaxWindowBits.value_or(15);
        // The offer's client_max_window_bits value and client_no_context_takeover bind us even
        // when the response leaves them out (RFC 7692 §7.1.2.2, §7.1.1.2: hints we keep).
        a.clientWindowBits =
            r.clientMaxWindowBitsValue.value_or(offer.clientMaxWindowBitsValue.value_or(15));
        a.serverNoContextTakeover = r.serverNoContextTakeover;
        a.clientNoContextTakeover = r.clientNoContextTakeover || offer.clientNoContextTakeover;
        return result;
    }
    result.failure = u"WebSocket permessage-compress extension response from server denied by "
                     u"client ("_s +
                     reasons.join(u"; "_s) + u')';
    return result;
}

int zlibWindowBits(int agreedBits)
{
    return std::clamp(agreedBits, 9, 15);
}

// ---- inflate ----

struct Inflater::Stream
{
    z_stream z{};
    bool ready = false;
};

Inflater::Inflater(int windowBits, bool noContextTakeover, qint64 maxMessageSize)
    : m_stream(std::make_unique<Stream>()), m_windowBits(zlibWindowBits(windowBits)),
      m_noContextTakeover(noContextTakeover),
      m_max(maxMessageSize < 0 ? std::numeric_limits<qint64>::max() / 2 : maxMessageSize)
{
    m_stream->ready = inflateInit2(&m_stream->z, -m_windowBits) == Z_OK;
    if (!m_stream->ready)
        fail(Status::Error, -1, u"zlib could not start an inflate stream"_s);
}

Inflater::~Inflater()
{
    if (m_stream->ready)
        inflateEnd(&m_stream->z);
}

void Inflater::fail(Status status, qint64 offset, const QString &text)
{
    m_status = status;
    m_errorOffset = offset;
    m_errorText = text;
}

Inflater::Status Inflater::feed(QByteArrayView compressedFramePayload, QByteArray &out)
{
    if (!m_messageOpen)
        startMessage();
    const Status s = inflateInput(compressedFramePayload, out, false);
    m_messageInput += compressedFramePayload.size();
    return s;
}

void Inflater::startMessage()
{
    m_messageOpen = true;
    m_messageInput = 0;
    m_messageOutput = 0;
    if (m_status == Status::Ok) { // the last message's error is forgotten with it
        m_errorOffset = -1;
        m_errorText.clear();
    }
}

Inflater::Status Inflater::finishMessage(QByteArray &out)
{
    if (!m_messageOpen) // a message with nothing fed (an empty payload)
        startMessage();
    const Status s = inflateInput(kTail, out, true);
    m_messageOpen = false;
    if (m_noContextTakeover && m_stream->ready) {
        // RFC 7692 §7.1.1: the next message starts from an empty window, and so does this
        // object: an error in one message does not outlive it.
        inflateReset(&m_stream->z);
        m_status = Status::Ok;
    }
    return s;
}

Inflater::Status Inflater::inflateInput(QByteArrayView input, QByteArray &out, bool tail)
{
    if (!m_stream->ready) {
        if (m_status == Status::Ok)
            fail(Status::Error, -1, u"zlib could not start an inflate stream"_s);
        return m_status;
    }
    if (m_status != Status::Ok)
        return m_status;
    z_stream &z = m_stream->z;
    char block[kBlock];
    qsizetype done = 0;
    while (done < input.size()) {
        const qsizetype piece = std::min(kZlibPiece, input.size() - done);
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.data() + done));
        z.avail_in = uInt(piece);
        for (;;) {
            // One octet of room more than the limit allows: producing it proves the message
            // too large without inflating any further.
            const qint64 room = m_max - m_messageOutput;
            const auto size = qsizetype(std::min<qint64>(room + 1, kBlock));
            z.next_out = reinterpret_cast<Bytef *>(block);
            z.avail_out = uInt(size);
            const int rc = ::inflate(&z, Z_SYNC_FLUSH);
            const qsizetype produced = size - qsizetype(z.avail_out);
            const qint64 consumed = done + piece - qsizetype(z.avail_in);
            if (produced > room) {
                out.append(block, qsizetype(room));
                m_messageOutput = m_max;
                // No offset: zlib did not fail, and where its input stood when the output hit
                // the limit depends on how the octets were split.
                fail(Status::TooLarge, -1,
                     u"the message inflates to more than "_s + QString::number(m_max) +
                         u" octets (local limit)"_s);
                return m_status;
            }
            out.append(block, produced);
            m_messageOutput += produced;
            if (rc == Z_STREAM_END) {
                // A block with BFINAL set (RFC 7692 §7.2.3.5). zlib's stream is over; the
                // message may go on, with the same window, so restart over the window kept.
                Bytef window[1 << 15];
                uInt windowSize = sizeof window;
                if (inflateGetDictionary(&z, window, &windowSize) != Z_OK)
                    windowSize = 0;
                inflateReset(&z);
                if (windowSize > 0)
                    inflateSetDictionary(&z, window, windowSize);
                if (z.avail_in == 0)
                    break;
                continue;
            }
            if (rc == Z_BUF_ERROR)
                break; // no progress possible: every octet given is taken
            if (rc != Z_OK) {
                const qint64 offset = m_messageInput + std::max<qint64>(0, consumed - 1);
                QString text =
                    zlibMessage(z, rc) + u" at compressed octet "_s + QString::number(offset);
                if (tail)
                    text += u" (in the 00 00 ff ff the receiver appends, RFC 7692 §7.2.2)"_s;
                fail(Status::Error, offset, text);
                return m_status;
            }
            if (z.avail_in == 0 && z.avail_out != 0)
                break;
        }
        done += piece;
    }
    return m_status;
}

void Inflater::reset()
{
    if (m_stream->ready) {
        inflateReset(&m_stream->z);
        m_status = Status::Ok;
    }
    m_errorOffset = -1;
    m_errorText.clear();
    m_messageOpen = false;
    m_messageInput = 0;
    m_messageOutput = 0;
}

// ---- deflate ----

struct Deflater::Stream
{
    z_stream z{};
    bool ready = false;
};

Deflater::Deflater(int windowBits, bool noContextTakeover)
    : m_stream(std::make_unique<Stream>()), m_windowBits(zlibWindowBits(windowBits)),
      m_noContextTakeover(noContextTakeover)
{
    m_stream->ready = deflateInit2(&m_stream->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -m_windowBits,
                                   8, Z_DEFAULT_STRATEGY) == Z_OK;
}

Deflater::~Deflater()
{
    if (m_stream->ready)
        deflateEnd(&m_stream->z);
}

QByteArray Deflater::compressMessage(QByteArrayView payload)
{
    if (!m_stream->ready)
        return QByteArray(1, '\0');
    QByteArray out;
    deflateAll(m_stream->z, payload, Z_SYNC_FLUSH, out);
    if (m_noContextTakeover)
        deflateReset(&m_stream->z);
    return withoutTail(std::move(out));
}

void Deflater::reset()
{
    if (m_stream->ready)
        deflateReset(&m_stream->z);
}

// ---- sending, correct and broken ----

QByteArray deflateForSend(Deflater &deflater, DeflateSend mode, QByteArrayView payload,
                          const DeflateAgreement &agreement)
{
    // Under context takeover the server's window holds every compressed message we sent, so a
    // message compressed elsewhere still goes through the connection's deflater (output
    // dropped): the next Agreed message then refers to the octets the server has.
    const auto keepInStep = [&] {
        if (!deflater.noContextTakeover())
            (void)deflater.compressMessage(payload);
    };
    switch (mode) {
    case DeflateSend::Agreed:
        return deflater.compressMessage(payload);
    case DeflateSend::Uncompressed:
    case DeflateSend::Rsv1Uncompressed:
        return payload.toByteArray();
    case DeflateSend::WrongWindow: {
        if (zlibWindowBits(agreement.clientWindowBits) >= 15)
            return deflater.compressMessage(payload);
        QByteArray out = withoutTail(deflateOnce(15, {}, payload, Z_SYNC_FLUSH));
        keepInStep();
        return out;
    }
    case DeflateSend::ForeignContext: {
        // The dictionary is the payload's start, short enough that zlib matches against all of
        // it (its matches reach less than the window less 262 octets back): from its second
        // octet on, the message is matches into octets the server never saw.
        const int bits = zlibWindowBits(agreement.clientWindowBits);
        const QByteArrayView dictionary =
            payload.first(std::min<qsizetype>(payload.size(), (qsizetype(1) << bits) - 263));
        QByteArray out = withoutTail(deflateOnce(bits, dictionary, payload, Z_SYNC_FLUSH));
        keepInStep();
        return out;
    }
    case DeflateSend::KeepTail:
        return deflater.compressMessage(payload) + kTail.toByteArray();
    case DeflateSend::GarbageAfterFinal: {
        // Z_FINISH ends with a BFINAL block; 0xff after it reads as a block of the reserved
        // type 11 (RFC 1951 §3.2.3), which no inflater takes.
        QByteArray out = deflateOnce(agreement.clientWindowBits, {}, payload, Z_FINISH);
        out += QByteArrayView("\xff\xff\xff\xff", 4);
        keepInStep();
        return out;
    }
    }
    return payload.toByteArray();
}

bool deflateSendSetsRsv1(DeflateSend mode)
{
    return mode != DeflateSend::Uncompressed;
}

QString deflateSendName(DeflateSend mode)
{
    switch (mode) {
    case DeflateSend::Agreed:
        return u"Agreed"_s;
    case DeflateSend::Uncompressed:
        return u"Uncompressed"_s;
    case DeflateSend::Rsv1Uncompressed:
        return u"RSV1 on uncompressed"_s;
    case DeflateSend::WrongWindow:
        return u"Wrong window"_s;
    case DeflateSend::ForeignContext:
        return u"Foreign context"_s;
    case DeflateSend::KeepTail:
        return u"Tail kept"_s;
    case DeflateSend::GarbageAfterFinal:
        return u"Garbage after final block"_s;
    }
    return {};
}

QString deflateSendBreaks(DeflateSend mode)
{
    switch (mode) {
    case DeflateSend::Agreed:
        return u"Valid: compressed with the agreed window and context, RSV1 on the first frame "
               u"(RFC 7692 §6, §7.2.1)"_s;
    case DeflateSend::Uncompressed:
        return u"Valid: compression is per message, a message may go uncompressed with RSV1 clear "
               u"(RFC 7692 §6)"_s;
    case DeflateSend::Rsv1Uncompressed:
        return u"RFC 7692 §6.2: RSV1 says the payload is compressed; plain octets do not inflate "
               u"(1007)"_s;
    case DeflateSend::WrongWindow:
        return u"RFC 7692 §7.1.2.2: the client MUST NOT compress with an LZ77 window larger than "
               u"the agreed client_max_window_bits"_s;
    case DeflateSend::ForeignContext:
        return u"RFC 7692 §7.1.1.2, §7.2.1: matches may only refer to octets the server has "
               u"(none before the message under client_no_context_takeover)"_s;
    case DeflateSend::KeepTail:
        return u"RFC 7692 §7.2.1: the sender MUST remove the 00 00 ff ff tail of the flushed "
               u"data"_s;
    case DeflateSend::GarbageAfterFinal:
        return u"RFC 7692 §7.2.1, §7.2.3.5: the payload is DEFLATE data; octets after a BFINAL "
               u"block that are no DEFLATE block do not inflate (1007)"_s;
    }
    return {};
}

QList<DeflateSend> deflateSendModes()
{
    return {DeflateSend::Agreed,           DeflateSend::Uncompressed,
            DeflateSend::Rsv1Uncompressed, DeflateSend::WrongWindow,
            DeflateSend::ForeignContext,   DeflateSend::KeepTail,
            DeflateSend::GarbageAfterFinal};
}

} // namespace wsi
