// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QStringView>

namespace wsi {

// Whether `c` is a control character a terminal may act on: C0 (U+0000–U+001F, line breaks and
// tabs included), DEL (U+007F) and C1 (U+0080–U+009F).
[[nodiscard]] constexpr bool isControlCharacter(char16_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

// Text from the network or from a file made safe to print on a terminal: every control
// character above is written as an escape, "\n", "\r", "\t" for those three and "\xHH" (two lower
// hex digits of the code point) for the others, so ESC ] 0;title BEL becomes "\x1b]0;title\x07"
// and C1 CSI (U+009B) "\x9b". Everything else, backslashes included, stays as it is, so text
// without control characters is returned unchanged (and without a copy). The escapes are those
// `wsinspector-cli` reads in TEXT values.
[[nodiscard]] QString escapeControls(const QString &text);

// Whether escapeControls() would change anything.
[[nodiscard]] bool hasControlCharacters(QStringView text);

} // namespace wsi
