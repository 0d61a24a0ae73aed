// SPDX-License-Identifier: MIT
#pragma once

#include <QFont>
#include <QFontDatabase>

namespace wsi::gui {

// The one font for octets, headers and payloads. It asks for a fixed-pitch font by its hints as
// well as by the platform's choice, so a machine whose "monospace" alias resolves to a
// proportional face (or to nothing) still picks a fixed-pitch one where any is installed.
[[nodiscard]] inline QFont monospaceFont()
{
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setStyleHint(QFont::Monospace, QFont::PreferDefault);
    font.setFixedPitch(true);
    return font;
}

} // namespace wsi::gui
