// SPDX-License-Identifier: MIT
#pragma once

#include "trace/verdict.h"

#include <QColor>
#include <QGuiApplication>
#include <QPalette>

// The window's colours, by what they mean, each with its light and its dark value chosen here and
// nowhere else, and the one rule that tells a dark palette from a light one.
namespace wsi::gui::theme {

// ---- Light or dark ------------------------------------------------------------------------------

// True when `palette` is a dark one. The window colour decides: it is the colour the theme switch
// (darkPalette()) and every platform theme build the palette around, the colour labels and panels
// sit on; Base follows it in both of the window's own palettes.
[[nodiscard]] bool isDark(const QPalette &palette = QGuiApplication::palette());

// The palette of View ▸ Theme ▸ Dark: `standard` (the style's standard palette) with dark window,
// base, button and tooltip colours and light text.
[[nodiscard]] QPalette darkPalette(const QPalette &standard);

// ---- Helpers ------------------------------------------------------------------------------------

// A colour between two others: `share` 0 gives `a`, 1 gives `b` (opaque).
[[nodiscard]] QColor mix(const QColor &a, const QColor &b, qreal share);

// A semi-transparent tint of `hue`, for a background over the view's own base colour.
[[nodiscard]] QColor tint(QColor hue, int alpha);

// `hue` as a text colour: shifted toward the palette's contrast (lighter on dark, darker on light).
[[nodiscard]] QColor text(const QColor &hue, const QPalette &palette = QGuiApplication::palette());

// `hue` mixed into the palette's base colour, opaque: a marked byte range (hex view, invalid UTF-8
// in a payload view). A dark base takes more of the hue to tell ranges apart, a light one less,
// so the text on it stays legible.
[[nodiscard]] QColor rangeTint(const QColor &hue, const QPalette &palette);

// A banner's background: the palette's window colour with a fifth of `accent` (the view banner,
// the sequence editor's message).
[[nodiscard]] QColor bannerBackground(const QPalette &palette, const QColor &accent);

// ---- Hues (saturated mid tones, for tint(), text(), rangeTint() and bannerBackground()) ---------

inline constexpr QRgb kTx = 0x2f7fe0;      // what we sent: blue
inline constexpr QRgb kRx = 0x1fa35a;      // what we received: green
inline constexpr QRgb kTimer = 0xd99a0b;   // delays and close/fail timers: amber
inline constexpr QRgb kTcp = 0xd8403a;     // the TCP connection ending: red
inline constexpr QRgb kWarning = 0xe0652a; // a protocol violation or an unclean close: orange
inline constexpr QRgb kGood = 0x1fa35a;    // a clean close: green
inline constexpr QRgb kAlert = 0xd32f2f;   // an error banner's accent: red

// The parts of a frame in the hex view: hues far apart, of similar weight, so none dominates
// when tinted by rangeTint().
inline constexpr QRgb kPartHeader = 0x06b6d4;     // cyan: blue is the usual selection colour
inline constexpr QRgb kPartLength = 0xf59e0b;     // extended length: amber
inline constexpr QRgb kPartMaskingKey = 0xa855f7; // violet
inline constexpr QRgb kPartPayload = 0x22c55e;    // green
inline constexpr QRgb kPartCloseCode = 0xec4899;  // pink
inline constexpr QRgb kPartInvalid = 0xef4444;    // the first invalid UTF-8 octet: red

// ---- Text colours on the palette's window (or base) colour -------------------------------------

// An error message: a failed handshake, a failed verdict.
[[nodiscard]] QColor errorText(const QPalette &palette = QGuiApplication::palette());
// An error note in the frame detail pane (a frame's broken rules, invalid UTF-8): a deeper red
// than errorText() on a light palette.
[[nodiscard]] QColor detailErrorText(const QPalette &palette = QGuiApplication::palette());
// A warning: the handshake's ignored subprotocols and extensions.
[[nodiscard]] QColor warningText(const QPalette &palette = QGuiApplication::palette());
// Success: a passed verdict.
[[nodiscard]] QColor successText(const QPalette &palette = QGuiApplication::palette());
// The find bar's status when the search text is bad (one red for both palettes).
[[nodiscard]] QColor findErrorText();

// The composer's own set, softer than the panels' (its preview sits between plain octets):
// broken rules and invalid input, rules broken on purpose, no rule broken, and the masking key.
struct ComposerColors
{
    QColor error;
    QColor warning;
    QColor good;
    QColor key;
};
[[nodiscard]] ComposerColors composerColors(const QPalette &palette = QGuiApplication::palette());

// ---- Backgrounds --------------------------------------------------------------------------------

// A find match in the hex view: yellow, as in editors and browsers, strong enough to stand out
// of the tinted ranges.
[[nodiscard]] QColor findHighlight(const QPalette &palette = QGuiApplication::palette());

// ---- Verdict tones ------------------------------------------------------------------------------

// The colours of the core's verdict tones (trace/verdict.h: one tone per verdict, as the reports
// colour them).

// The background of a verdict cell (the case results); Neutral: the palette's base colour.
[[nodiscard]] QColor toneBackground(VerdictTone tone,
                                    const QPalette &palette = QGuiApplication::palette());
// The text colour of a verdict on the window colour (the closing panel); Info and Neutral: the
// palette's own window text.
[[nodiscard]] QColor toneText(VerdictTone tone,
                              const QPalette &palette = QGuiApplication::palette());

} // namespace wsi::gui::theme
