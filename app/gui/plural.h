// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <algorithm>
#include <limits>

namespace wsi::gui {

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

} // namespace wsi::gui
