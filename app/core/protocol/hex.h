// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

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

} // namespace wsi
