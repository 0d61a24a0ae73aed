// SPDX-License-Identifier: MIT
#include "protocol/textescape.h"

namespace wsi {

bool hasControlCharacters(QStringView text)
{
    for (const QChar c : text) {
        if (isControlCharacter(c.unicode()))
            return true;
    }
    return false;
}

QString escapeControls(const QString &text)
{
    if (!hasControlCharacters(text))
        return text;
    static constexpr char digits[] = "0123456789abcdef";
    QString out;
    out.reserve(text.size() + 16);
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (!isControlCharacter(u)) {
            out += c;
            continue;
        }
        switch (u) {
        case u'\n':
            out += QLatin1StringView("\\n");
            break;
        case u'\r':
            out += QLatin1StringView("\\r");
            break;
        case u'\t':
            out += QLatin1StringView("\\t");
            break;
        default:
            out += QLatin1StringView("\\x");
            out += QLatin1Char(digits[u >> 4]);
            out += QLatin1Char(digits[u & 0xf]);
        }
    }
    return out;
}

} // namespace wsi
