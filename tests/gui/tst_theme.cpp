// SPDX-License-Identifier: MIT
#include "gui/theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>
#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace wsi::gui;

namespace {

// WCAG 2 relative luminance and contrast ratio (1 … 21).
double channel(double c)
{
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(const QColor &c)
{
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QPalette lightPalette()
{
    QStyle *fusion = QStyleFactory::create(u"Fusion"_s);
    const QPalette p = fusion->standardPalette();
    delete fusion;
    return p;
}

} // namespace

class TestTheme : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void contrastOfKnownColours()
    {
        // The formula itself: black on white is 21, a colour on itself 1.
        QCOMPARE(qRound(contrast(Qt::black, Qt::white)), 21);
        QCOMPARE(contrast(QColor(0x80, 0x80, 0x80), QColor(0x80, 0x80, 0x80)), 1.0);
    }

    void isDarkTellsThePalettes()
    {
        const QPalette light = lightPalette();
        QVERIFY(!theme::isDark(light));
        QVERIFY(theme::isDark(theme::darkPalette(light)));
        // The window colour decides, also for a palette the window did not make.
        QPalette p;
        p.setColor(QPalette::Window, QColor(0x10, 0x10, 0x10));
        p.setColor(QPalette::Base, Qt::white);
        QVERIFY(theme::isDark(p));
        p.setColor(QPalette::Window, QColor(0xf0, 0xf0, 0xf0));
        p.setColor(QPalette::Base, Qt::black);
        QVERIFY(!theme::isDark(p));
    }

    void darkPaletteIsReadable()
    {
        const QPalette p = theme::darkPalette(lightPalette());
        QVERIFY(contrast(p.color(QPalette::WindowText), p.color(QPalette::Window)) >= 7);
        QVERIFY(contrast(p.color(QPalette::Text), p.color(QPalette::Base)) >= 7);
        QVERIFY(contrast(p.color(QPalette::HighlightedText), p.color(QPalette::Highlight)) >= 4.5);
    }

    void textColoursAreReadable_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }

    // Every text colour reads on the window and on the base colour: WCAG's 3:1 for large or bold
    // text at least.
    void textColoursAreReadable()
    {
        QFETCH(bool, dark);
        const QPalette p = dark ? theme::darkPalette(lightPalette()) : lightPalette();
        QCOMPARE(theme::isDark(p), dark);
        const theme::ComposerColors composer = theme::composerColors(p);
        const QList<std::pair<const char *, QColor>> colours = {
            {"errorText", theme::errorText(p)},
            {"detailErrorText", theme::detailErrorText(p)},
            {"warningText", theme::warningText(p)},
            {"successText", theme::successText(p)},
            {"findErrorText", theme::findErrorText()},
            {"composer error", composer.error},
            {"composer warning", composer.warning},
            {"composer good", composer.good},
            {"composer key", composer.key},
            {"text(tx)", theme::text(QColor(theme::kTx), p)},
            {"text(rx)", theme::text(QColor(theme::kRx), p)},
            {"text(timer)", theme::text(QColor(theme::kTimer), p)},
            {"text(tcp)", theme::text(QColor(theme::kTcp), p)},
            {"text(warning)", theme::text(QColor(theme::kWarning), p)},
            {"text(good)", theme::text(QColor(theme::kGood), p)},
            {"tone pass", theme::toneText(wsi::VerdictTone::Pass, p)},
            {"tone almost", theme::toneText(wsi::VerdictTone::Almost, p)},
            {"tone warn", theme::toneText(wsi::VerdictTone::Warning, p)},
            {"tone fail", theme::toneText(wsi::VerdictTone::Fail, p)},
            {"tone info", theme::toneText(wsi::VerdictTone::Info, p)},
            {"tone neutral", theme::toneText(wsi::VerdictTone::Neutral, p)},
        };
        for (const auto &[name, colour] : colours) {
            for (const QPalette::ColorRole role : {QPalette::Window, QPalette::Base}) {
                const double ratio = contrast(colour, p.color(role));
                QVERIFY2(ratio >= 3.0, qPrintable(u"%1 %2 on %3: %4"_s.arg(
                                           QString::fromLatin1(name), colour.name(),
                                           p.color(role).name(), QString::number(ratio, 'f', 2))));
            }
        }
    }

    void backgroundsKeepTheTextReadable_data() { textColoursAreReadable_data(); }

    // The palette's text on every background the theme gives: verdict cells, the find match,
    // the tinted frame parts and banners.
    void backgroundsKeepTheTextReadable()
    {
        QFETCH(bool, dark);
        const QPalette p = dark ? theme::darkPalette(lightPalette()) : lightPalette();
        const QColor text = p.color(QPalette::Text);
        QList<std::pair<QString, QColor>> backgrounds = {
            {u"find highlight"_s, theme::findHighlight(p)},
            {u"banner"_s, theme::bannerBackground(p, p.color(QPalette::Highlight))},
            {u"alert banner"_s, theme::bannerBackground(p, QColor(theme::kAlert))},
        };
        for (const wsi::VerdictTone tone :
             {wsi::VerdictTone::Pass, wsi::VerdictTone::Almost, wsi::VerdictTone::Warning,
              wsi::VerdictTone::Fail, wsi::VerdictTone::Info, wsi::VerdictTone::Neutral})
            backgrounds.append({u"tone %1"_s.arg(int(tone)), theme::toneBackground(tone, p)});
        for (const QRgb hue : {theme::kPartHeader, theme::kPartLength, theme::kPartMaskingKey,
                               theme::kPartPayload, theme::kPartCloseCode, theme::kPartInvalid})
            backgrounds.append(
                {u"range %1"_s.arg(hue, 6, 16, QChar(u'0')), theme::rangeTint(QColor(hue), p)});
        // The dark find highlight (#8a6d00 under #e6e6e6) reaches 3.9:1 only, WCAG's large-text
        // level: enough for the highlighted octets, kept as it is; every other background 4.5:1.
        for (const auto &[name, colour] : std::as_const(backgrounds)) {
            const double ratio = contrast(text, colour);
            const double needed = name == u"find highlight"_s ? 3.0 : 4.5;
            QVERIFY2(ratio >= needed, qPrintable(u"%1 %2: %3"_s.arg(
                                          name, colour.name(), QString::number(ratio, 'f', 2))));
        }
        // The neutral tone is no tone: the base colour itself.
        QCOMPARE(theme::toneBackground(wsi::VerdictTone::Neutral, p), p.color(QPalette::Base));
    }

    void tonesDiffer()
    {
        // Pass, warn, fail and info must be told apart, in either palette.
        for (const QPalette &p : {lightPalette(), theme::darkPalette(lightPalette())}) {
            const QList<QColor> bg = {theme::toneBackground(wsi::VerdictTone::Pass, p),
                                      theme::toneBackground(wsi::VerdictTone::Warning, p),
                                      theme::toneBackground(wsi::VerdictTone::Fail, p),
                                      theme::toneBackground(wsi::VerdictTone::Info, p)};
            for (qsizetype i = 0; i < bg.size(); ++i)
                for (qsizetype j = i + 1; j < bg.size(); ++j)
                    QVERIFY(bg[i].hue() != bg[j].hue());
        }
    }

    void helpers()
    {
        QCOMPARE(theme::mix(Qt::black, Qt::white, 0), QColor(Qt::black));
        QCOMPARE(theme::mix(Qt::black, Qt::white, 1), QColor(Qt::white));
        QCOMPARE(theme::mix(Qt::black, Qt::white, 0.5).lightness(), 128);
        QCOMPARE(theme::tint(QColor(theme::kTx), 40).alpha(), 40);
        QCOMPARE(theme::tint(QColor(theme::kTx), 40).rgb(), QColor(theme::kTx).rgb());
        const QPalette light = lightPalette();
        const QPalette dark = theme::darkPalette(light);
        // text(): darker than the hue on light, lighter on dark.
        QVERIFY(theme::text(QColor(theme::kTx), light).lightness() <
                QColor(theme::kTx).lightness());
        QVERIFY(theme::text(QColor(theme::kTx), dark).lightness() > QColor(theme::kTx).lightness());
        // A dark base takes more of the hue than a light one.
        const QColor hue(theme::kPartPayload);
        const double lightShare =
            contrast(theme::rangeTint(hue, light), light.color(QPalette::Base));
        const double darkShare = contrast(theme::rangeTint(hue, dark), dark.color(QPalette::Base));
        QVERIFY(lightShare > 1.05);
        QVERIFY(darkShare > 1.05);
    }
};

QTEST_MAIN(TestTheme)
#include "tst_theme.moc"
