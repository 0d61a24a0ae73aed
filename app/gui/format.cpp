// SPDX-License-Identifier: MIT
#include "format.h"

#include "protocol/utf8validator.h"

#include <QCoreApplication>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace wsi::gui::format {

namespace {

// The translation context of these texts.
class Format final
{
    Q_DECLARE_TR_FUNCTIONS(wsi::gui::Format)
};

} // namespace

QString octets(qint64 count)
{
    return resolvePlural(Format::tr("%1 octet(s)", nullptr, pluralCount(count)), count)
        .arg(QLocale().toString(count));
}

QString dataSize(qint64 count)
{
    if (count < 10 * 1024)
        return octets(count);
    // IEC units (KiB, MiB: powers of 1024, as the octets are counted); one decimal, none when
    // the size is a whole number of its unit ("64 MiB", the limits).
    int unit = 0;
    while (unit < 6 && (count >> (10 * (unit + 1))) > 0)
        ++unit;
    const bool whole = (count & ((qint64(1) << (10 * unit)) - 1)) == 0;
    return QLocale().formattedDataSize(count, whole ? 0 : 1, QLocale::DataSizeIecFormat);
}

QString dataSizeCompact(qint64 count)
{
    if (count < 10 * 1024)
        return QLocale().toString(count);
    return dataSize(count);
}

QString dataSizeExact(qint64 count)
{
    if (count < 10 * 1024)
        return octets(count);
    return dataSize(count) + u" ("_s + octets(count) + u')';
}

QString hexOctet(uchar octet)
{
    return u"%1"_s.arg(octet, 2, 16, QChar(u'0'));
}

QString spacedHex(QByteArrayView octets)
{
    return QString::fromLatin1(octets.toByteArray().toHex(' '));
}

QString milliseconds(qint64 ns)
{
    return QLocale().toString(double(ns) / 1e6, 'f', 3);
}

QString millisecondsCell(qint64 ns)
{
    return QString::number(double(ns) / 1e6, 'f', 3);
}

QString seconds(double value)
{
    return Format::tr("%1 s").arg(QLocale().toString(value, 'g', 6));
}

QString withControlPictures(QString text)
{
    for (QChar &c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20)
            c = QChar(char16_t(0x2400 + u));
        else if (u == 0x7f)
            c = QChar(char16_t(0x2421));
    }
    return text;
}

std::optional<QByteArray> decodableText(const QByteArray &head, bool cut)
{
    Utf8Validator validator;
    const auto state = validator.feed(head.constData(), head.size());
    if (state == Utf8Validator::State::Valid)
        return head;
    if (state != Utf8Validator::State::Incomplete || !cut)
        return std::nullopt;
    // Drop the partial sequence at the end: continuation octets, then their lead octet.
    qsizetype end = head.size();
    while (end > 0 && (uchar(head.at(end - 1)) & 0xC0) == 0x80)
        --end;
    if (end > 0 && uchar(head.at(end - 1)) >= 0xC0)
        --end;
    return head.left(end);
}

namespace {

// The text of a payload's head, at most maxChars characters (never half a surrogate pair) with
// control pictures and "…" when shortened; nothing when it is not text.
std::optional<QString> textOf(const QByteArray &head, bool cut, int maxChars)
{
    const std::optional<QByteArray> usable = decodableText(head, cut);
    if (!usable)
        return std::nullopt;
    QString text = QString::fromUtf8(*usable);
    bool shortened = cut;
    if (text.size() > maxChars) {
        qsizetype keep = std::max(maxChars, 0);
        if (keep > 0 && text.at(keep - 1).isHighSurrogate())
            --keep;
        text.truncate(keep);
        shortened = true;
    }
    text = withControlPictures(std::move(text));
    if (shortened)
        text += u'…';
    return text;
}

} // namespace

QString payloadPreview(const QByteArray &head, qint64 totalSize, int maxChars)
{
    const qint64 total = std::max<qint64>(totalSize, head.size());
    if (total == 0)
        return QString();
    if (head.isEmpty())
        return u"…"_s; // the payload's octets were not kept
    if (std::optional<QString> text = textOf(head, total > head.size(), maxChars))
        return *std::move(text);
    // Hex: three characters per octet ("81 0e "), so about as wide as the text would be.
    const qsizetype shown = std::max(1, maxChars / 3);
    QString hex = spacedHex(QByteArrayView(head).first(std::min(shown, head.size())));
    if (total > std::min<qint64>(shown, head.size()))
        hex += u" …"_s;
    return hex;
}

QString quotedPreview(const QByteArray &payload, int maxChars)
{
    if (payload.isEmpty() || maxChars <= 0)
        return {};
    // Only the head is looked at: a 64 MiB payload must not be validated for a one-line preview.
    const QByteArray head = payload.left(qsizetype(maxChars) * 4 + 4);
    const std::optional<QByteArray> usable = decodableText(head, head.size() < payload.size());
    if (!usable)
        return {};
    // Text with control characters other than line breaks and tabs is binary to a reader.
    for (const char c : *usable) {
        if ((uchar(c) < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
            return {};
    }
    const std::optional<QString> text = textOf(head, head.size() < payload.size(), maxChars);
    return u'\u201C' + text.value_or(QString()) + u'\u201D';
}

QString ratioPercent(double ratio)
{
    return Format::tr("%1 %").arg(QLocale().toString(ratio * 100.0, 'f', 1));
}

QString compression(qint64 wireOctets, qint64 inflatedOctets)
{
    const QLocale locale;
    const QString sizes =
        resolvePlural(Format::tr("%1 → %2 octet(s)", nullptr, pluralCount(inflatedOctets)),
                      inflatedOctets)
            .arg(locale.toString(wireOctets), locale.toString(inflatedOctets));
    if (inflatedOctets <= 0)
        return sizes;
    return Format::tr("%1, %2").arg(sizes,
                                    ratioPercent(double(wireOctets) / double(inflatedOctets)));
}

} // namespace wsi::gui::format
