// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

#include <optional>

namespace wsi {

// Why a hex text was refused (kind None: it was fine).
struct HexError
{
    enum class Kind { None, BadCharacter, OddDigitCount };
    Kind kind = Kind::None;
    qsizetype position = 0; // BadCharacter: 1-based position of the character in the text
    char32_t character = 0; // BadCharacter: the character (a whole code point)
    qsizetype digits = 0;   // OddDigitCount: how many digits there were

    [[nodiscard]] bool ok() const { return kind == Kind::None; }
    // One line in English, e.g. "'g' is not a hex digit (position 2)"; empty when ok().
    [[nodiscard]] QString message() const;
};

// The one hex reader of the program (CLI, scenario files, composer): pairs of the ASCII digits
// 0-9, a-f, A-F; white space anywhere is ignored (so "00 ff", "00ff" and "0 0ff" are the same);
// nothing else is accepted, in particular no other script's digits. An odd number of digits is
// refused (every octet needs two). `out` is set only when the text is good; empty text gives
// no octets.
[[nodiscard]] HexError parseHex(QStringView text, QByteArray &out);

// The value of one ASCII hex digit (0-9, a-f, A-F), or -1 for anything else.
[[nodiscard]] constexpr int hexDigitValue(char16_t c)
{
    if (c >= u'0' && c <= u'9')
        return c - u'0';
    if (c >= u'a' && c <= u'f')
        return c - u'a' + 10;
    if (c >= u'A' && c <= u'F')
        return c - u'A' + 10;
    return -1;
}
// True when every character is an ASCII hex digit (and the text is not empty).
[[nodiscard]] bool isHexDigits(QStringView text);
// A masking key written as 8 hex digits ("37fa213d", "37 fa 21 3d": white space ignored, as in
// parseHex), read as the 4 octets in wire order; nothing when it is not exactly 4 octets.
[[nodiscard]] std::optional<quint32> parseMaskKey(QStringView text);

} // namespace wsi
