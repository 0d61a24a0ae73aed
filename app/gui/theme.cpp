// SPDX-License-Identifier: MIT
#include "theme.h"

namespace wsi::gui::theme {

namespace {

// One colour in both palettes.
struct Shades
{
    QRgb light;
    QRgb dark;
};

QColor pick(const Shades &shades, const QPalette &palette)
{
    return QColor(isDark(palette) ? shades.dark : shades.light);
}

// Text colours.
constexpr Shades kErrorText{0xcf222e, 0xff7b72};
constexpr Shades kDetailErrorText{0xb3261e, 0xff7b72};
constexpr Shades kWarningText{0x9a5b00, 0xf0b429};
constexpr Shades kSuccessText{0x1a7f37, 0x3fb950};
constexpr Shades kToneWarnText{0x9a6700, 0xe3b341};
constexpr QRgb kFindErrorText = 0xd8403a;

// The composer's.
constexpr Shades kComposerError{0xc62828, 0xff6e6e};
constexpr Shades kComposerWarning{0x9a5200, 0xffb74d};
constexpr Shades kComposerGood{0x2e7d32, 0x81c784};
constexpr Shades kComposerKey{0x1a52c4, 0x82b1ff};

// Backgrounds.
constexpr Shades kFindHighlight{0xffe04d, 0x8a6d00};
constexpr Shades kPassBackground{0xc9f2d0, 0x1f5f2e};
constexpr Shades kAlmostBackground{0xe0f5c4, 0x3a5a22};
constexpr Shades kWarnBackground{0xf7e8a6, 0x5f4f12};
constexpr Shades kFailBackground{0xf8c9c6, 0x6b2222};
constexpr Shades kInfoBackground{0xd3e2f7, 0x2c3e5f};

// View ▸ Theme ▸ Dark.
constexpr QRgb kDarkWindow = 0x2b2d30;
constexpr QRgb kDarkBase = 0x1e1f22;
constexpr QRgb kDarkText = 0xe6e6e6;
constexpr QRgb kDarkHighlight = 0x3574c6;
constexpr QRgb kDarkPlaceholder = 0x909090;
constexpr QRgb kDarkDisabledText = 0x808080;

} // namespace

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightnessF() < 0.5;
}

QPalette darkPalette(const QPalette &standard)
{
    QPalette p = standard;
    const QColor window(kDarkWindow);
    const QColor base(kDarkBase);
    const QColor text(kDarkText);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Highlight, QColor(kDarkHighlight));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(kDarkPlaceholder));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(kDarkDisabledText));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(kDarkDisabledText));
    return p;
}

QColor mix(const QColor &a, const QColor &b, qreal share)
{
    return QColor::fromRgbF(float(a.redF() * (1 - share) + b.redF() * share),
                            float(a.greenF() * (1 - share) + b.greenF() * share),
                            float(a.blueF() * (1 - share) + b.blueF() * share));
}

QColor tint(QColor hue, int alpha)
{
    hue.setAlpha(alpha);
    return hue;
}

QColor text(const QColor &hue, const QPalette &palette)
{
    return isDark(palette) ? hue.lighter(150) : hue.darker(150);
}

QColor rangeTint(const QColor &hue, const QPalette &palette)
{
    return mix(palette.color(QPalette::Base), hue, isDark(palette) ? 0.45 : 0.33);
}

QColor bannerBackground(const QPalette &palette, const QColor &accent)
{
    return mix(palette.color(QPalette::Window), accent, 0.2);
}

QColor errorText(const QPalette &palette)
{
    return pick(kErrorText, palette);
}

QColor detailErrorText(const QPalette &palette)
{
    return pick(kDetailErrorText, palette);
}

QColor warningText(const QPalette &palette)
{
    return pick(kWarningText, palette);
}

QColor successText(const QPalette &palette)
{
    return pick(kSuccessText, palette);
}

QColor findErrorText()
{
    return QColor(kFindErrorText);
}

ComposerColors composerColors(const QPalette &palette)
{
    return {pick(kComposerError, palette), pick(kComposerWarning, palette),
            pick(kComposerGood, palette), pick(kComposerKey, palette)};
}

QColor findHighlight(const QPalette &palette)
{
    return pick(kFindHighlight, palette);
}

QColor toneBackground(VerdictTone tone, const QPalette &palette)
{
    switch (tone) {
    case VerdictTone::Pass:
        return pick(kPassBackground, palette);
    case VerdictTone::Almost:
        return pick(kAlmostBackground, palette);
    case VerdictTone::Warning:
        return pick(kWarnBackground, palette);
    case VerdictTone::Fail:
        return pick(kFailBackground, palette);
    case VerdictTone::Info:
        return pick(kInfoBackground, palette);
    case VerdictTone::Neutral:
        break;
    }
    return palette.color(QPalette::Base);
}

QColor toneText(VerdictTone tone, const QPalette &palette)
{
    switch (tone) {
    case VerdictTone::Pass:
    case VerdictTone::Almost:
        return successText(palette);
    case VerdictTone::Warning:
        return pick(kToneWarnText, palette);
    case VerdictTone::Fail:
        return errorText(palette);
    case VerdictTone::Info:
    case VerdictTone::Neutral:
        break;
    }
    return palette.color(QPalette::WindowText);
}

} // namespace wsi::gui::theme
