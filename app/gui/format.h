// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <algorithm>
#include <limits>
#include <optional>

// Display formatting: how the window writes octets, counts, sizes, times and payloads. Every
// view formats through these, so a number or a payload reads the same in the tables, the panes,
// the composer and the copied text.
namespace wsi::gui::format {

// ---- counted nouns ------------------------------------------------------------------------------

// Counted nouns go through tr() with their count, tr("%Ln step(s)", nullptr, n), so that a
// translation gives every count its language's plural form ("1 Schritt", "2 Schritte").
//
// English is the source language and has no translation file: tr() then returns the source
// text, and resolvePlural() settles its "(s)" ("1 step", "2 steps"). A translated text has no
// "(s)" and passes unchanged.
[[nodiscard]] inline QString resolvePlural(QString text, qint64 count)
{
    return text.replace(QStringLiteral("(s)"), count == 1 ? QString() : QStringLiteral("s"));
}

// tr()'s count is an int. A larger count (the octets of a long session) still selects the plural
// form through this; the text then carries the number as %1 instead of %Ln.
[[nodiscard]] constexpr int pluralCount(qint64 count)
{
    return int(std::clamp<qint64>(count, 0, std::numeric_limits<int>::max()));
}

// "1 octet", "9 octets", "1,048,576 octets" (the locale's digit grouping).
[[nodiscard]] QString octets(qint64 count);
// A size for a sentence: octets below 10 KiB ("512 octets"), then IEC units with one decimal
// ("1.5 MiB"), none for a whole number of the unit ("64 MiB").
[[nodiscard]] QString dataSize(qint64 count);
// For a narrow column whose header says "Octets": the number alone below 10 KiB ("512"), then
// IEC units as dataSize() writes them ("1.5 MiB").
[[nodiscard]] QString dataSizeCompact(qint64 count);
// The size and, when it was rounded, the exact count: "1.5 MiB (1,572,864 octets)", "512 octets".
[[nodiscard]] QString dataSizeExact(qint64 count);

// ---- octets as hex ------------------------------------------------------------------------------

// One octet as two lower-case hex digits: "0a".
[[nodiscard]] QString hexOctet(uchar octet);
// Octets as lower-case hex pairs, one space apart: "81 0e 00". Empty for no octets.
[[nodiscard]] QString spacedHex(QByteArrayView octets);

// ---- times --------------------------------------------------------------------------------------

// A time in a sentence, in milliseconds with three decimals and the locale's separators:
// "1,234.500" ("1.234,500" in German). The caller writes the unit ("%1 ms").
[[nodiscard]] QString milliseconds(qint64 ns);
// A time in a table cell, in milliseconds with three decimals and no grouping, the same in
// every language: "1234.500". Every time and time difference of the window's tables (since the
// session started, since the previous row) is written by this; cells are copied as CSV.
[[nodiscard]] QString millisecondsCell(qint64 ns);
// Seconds without trailing zeros: "1 s", "0.25 s".
[[nodiscard]] QString seconds(double value);

// ---- payloads -----------------------------------------------------------------------------------

// Control characters as their Unicode pictures (U+2400–U+2421: "␊" for LF, "␡" for DEL), so
// a peer's octets never act on the view or a terminal they are pasted into.
[[nodiscard]] QString withControlPictures(QString text);
// The octets of `head` that read as text: all of it when it is valid UTF-8; when `cut` (more
// octets follow that were not read), also a head that ends inside a character, which is then
// dropped. Nothing when the octets are not UTF-8.
[[nodiscard]] std::optional<QByteArray> decodableText(const QByteArray &head, bool cut);
// A payload as one line of a table: text with control pictures, at most `maxChars` characters
// and "…" when shortened; otherwise the first octets in hex ("81 0e …"). `head` is the payload's
// first octets, `totalSize` its whole length; "…" alone when none were kept.
[[nodiscard]] QString payloadPreview(const QByteArray &head, qint64 totalSize, int maxChars = 64);
// A payload quoted in a sentence, “like this”, when it reads as text (UTF-8 without control
// characters other than line breaks and tabs, which show as their pictures); empty otherwise:
// binary payloads are described by their size alone.
[[nodiscard]] QString quotedPreview(const QByteArray &payload, int maxChars = 24);

// ---- permessage-deflate
// --------------------------------------------------------------------------

// A compression ratio, wire octets over application octets, as a percentage: "30.5 %".
[[nodiscard]] QString ratioPercent(double ratio);
// A compressed message's sizes and ratio: "312 → 1,024 octets, 30.5 %" (no ratio when nothing
// inflated).
[[nodiscard]] QString compression(qint64 wireOctets, qint64 inflatedOctets);

} // namespace wsi::gui::format
