// SPDX-License-Identifier: MIT
// The window's display formatting (gui/format.h): what a user reads in every table, pane and
// copied text. English is the source language (no translator loaded); the number formats are
// checked in English and German locales.
#include "gui/format.h"

#include <QLocale>
#include <QTest>

using namespace wsi::gui;
using namespace Qt::StringLiterals;

namespace {

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(text);
}

// The locale for one test, restored afterwards.
class LocaleScope
{
public:
    explicit LocaleScope(QLocale::Language language, QLocale::Territory territory)
    {
        QLocale::setDefault(QLocale(language, territory));
    }
    ~LocaleScope() { QLocale::setDefault(m_saved); }
    LocaleScope(const LocaleScope &) = delete;
    LocaleScope &operator=(const LocaleScope &) = delete;

private:
    QLocale m_saved;
};

} // namespace

class tst_Formatting : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plural()
    {
        QCOMPARE(format::resolvePlural(u"%1 step(s)"_s, 1), u"%1 step"_s);
        QCOMPARE(format::resolvePlural(u"%1 step(s)"_s, 0), u"%1 steps"_s);
        QCOMPARE(format::resolvePlural(u"%1 step(s)"_s, 2), u"%1 steps"_s);
        // A translated text has no "(s)": unchanged.
        QCOMPARE(format::resolvePlural(u"%1 Schritte"_s, 2), u"%1 Schritte"_s);
        QCOMPARE(format::pluralCount(5), 5);
        QCOMPARE(format::pluralCount(-1), 0);
        // Octets of a long session are beyond int; the plural form stays "many".
        QCOMPARE(format::pluralCount(qint64(1) << 40), std::numeric_limits<int>::max());
    }

    void octets()
    {
        const LocaleScope english(QLocale::English, QLocale::UnitedStates);
        QCOMPARE(format::octets(0), u"0 octets"_s);
        QCOMPARE(format::octets(1), u"1 octet"_s);
        QCOMPARE(format::octets(2), u"2 octets"_s);
        QCOMPARE(format::octets(1048576), u"1,048,576 octets"_s);
        QCOMPARE(format::octets(qint64(5) << 32), u"21,474,836,480 octets"_s);
        const LocaleScope german(QLocale::German, QLocale::Germany);
        QCOMPARE(format::octets(1048576), u"1.048.576 octets"_s);
    }

    void dataSize()
    {
        const LocaleScope english(QLocale::English, QLocale::UnitedStates);
        QCOMPARE(format::dataSize(512), u"512 octets"_s);
        QCOMPARE(format::dataSize(10 * 1024 - 1), u"10,239 octets"_s);
        QCOMPARE(format::dataSize(10 * 1024), u"10 KiB"_s);
        QCOMPARE(format::dataSize(10 * 1024 + 512), u"10.5 KiB"_s);
        QCOMPARE(format::dataSize(3 * 1024 * 1024 / 2), u"1.5 MiB"_s);
        QCOMPARE(format::dataSize(64 * 1024 * 1024), u"64 MiB"_s);
        QCOMPARE(format::dataSize(64 * 1024 * 1024 + 1), u"64.0 MiB"_s);
        QCOMPARE(format::dataSize(qint64(3) << 40), u"3 TiB"_s);
        QCOMPARE(format::dataSizeCompact(512), u"512"_s);
        QCOMPARE(format::dataSizeCompact(10239), u"10,239"_s);
        QCOMPARE(format::dataSizeCompact(3 * 1024 * 1024 / 2), u"1.5 MiB"_s);
        QCOMPARE(format::dataSizeExact(512), u"512 octets"_s);
        QCOMPARE(format::dataSizeExact(3 * 1024 * 1024 / 2), u"1.5 MiB (1,572,864 octets)"_s);
        const LocaleScope german(QLocale::German, QLocale::Germany);
        QCOMPARE(format::dataSize(3 * 1024 * 1024 / 2), u"1,5 MiB"_s);
    }

    void hexText()
    {
        QCOMPARE(format::hexOctet(0x00), u"00"_s);
        QCOMPARE(format::hexOctet(0x0a), u"0a"_s);
        QCOMPARE(format::hexOctet(0xff), u"ff"_s);
        QCOMPARE(format::spacedHex(QByteArray()), QString());
        QCOMPARE(format::spacedHex(hex("81")), u"81"_s);
        QCOMPARE(format::spacedHex(hex("810e00ff")), u"81 0e 00 ff"_s);
    }

    void times()
    {
        const LocaleScope english(QLocale::English, QLocale::UnitedStates);
        QCOMPARE(format::milliseconds(0), u"0.000"_s);
        QCOMPARE(format::milliseconds(1'500'000), u"1.500"_s);
        QCOMPARE(format::milliseconds(1'234'500'000), u"1,234.500"_s);
        QCOMPARE(format::milliseconds(1), u"0.000"_s);
        QCOMPARE(format::millisecondsCell(1'234'567'890), u"1234.568"_s);
        QCOMPARE(format::millisecondsCell(-1'500'000), u"-1.500"_s);
        QCOMPARE(format::seconds(1), u"1 s"_s);
        QCOMPARE(format::seconds(0.25), u"0.25 s"_s);
        QCOMPARE(format::seconds(10), u"10 s"_s);
        const LocaleScope german(QLocale::German, QLocale::Germany);
        QCOMPARE(format::milliseconds(1'234'500'000), u"1.234,500"_s);
        QCOMPARE(format::seconds(0.25), u"0,25 s"_s);
        // A table cell is the same in every language: it is copied as CSV.
        QCOMPARE(format::millisecondsCell(1'234'567'890), u"1234.568"_s);
    }

    void controlPictures()
    {
        QCOMPARE(format::withControlPictures(u"a\nb"_s), u"a\u240Ab"_s);
        QCOMPARE(format::withControlPictures(QString(u"\0\t\r\x1b\x1f\x7f"_s)),
                 u"\u2400\u2409\u240D\u241B\u241F\u2421"_s);
        QCOMPARE(format::withControlPictures(u"plain é"_s), u"plain é"_s);
    }

    void decodableText()
    {
        QCOMPARE(format::decodableText("Hello", false), QByteArray("Hello"));
        QCOMPARE(format::decodableText(QByteArray(), false), QByteArray());
        QCOMPARE(format::decodableText("\xce\xba", false), QByteArray("\xce\xba"));
        // A character cut by the end of the head: its octets are dropped when more follow …
        QCOMPARE(format::decodableText("caf\xc3", true), QByteArray("caf"));
        QCOMPARE(format::decodableText("a\xe1\xbd", true), QByteArray("a"));
        QCOMPARE(format::decodableText("a\xf0\x9f\x98", true), QByteArray("a"));
        // … and the payload is not text when the payload itself ends there.
        QCOMPARE(format::decodableText("caf\xc3", false), std::nullopt);
        QCOMPARE(format::decodableText("\xff\xfe", true), std::nullopt);
        QCOMPARE(format::decodableText("a\xc3(", true), std::nullopt);
    }

    void payloadPreview_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<qint64>("total");
        QTest::addColumn<QString>("preview");
        QTest::newRow("empty") << QByteArray() << qint64(0) << QString();
        QTest::newRow("text") << QByteArray("Hello") << qint64(5) << u"Hello"_s;
        QTest::newRow("control characters shown")
            << QByteArray("a\nb\0c", 5) << qint64(5) << u"a\u240Ab\u2400c"_s;
        QTest::newRow("text cut") << QByteArray("Hello") << qint64(50) << u"Hello…"_s;
        QTest::newRow("invalid UTF-8 as hex") << hex("fffe41") << qint64(3) << u"ff fe 41"_s;
        QTest::newRow("hex cut") << hex("fffe41") << qint64(300) << u"ff fe 41 …"_s;
        QTest::newRow("code point cut by the head, payload goes on")
            << QByteArray("caf\xc3") << qint64(10) << u"caf…"_s;
        QTest::newRow("code point cut by the end of the payload")
            << QByteArray("caf\xc3") << qint64(4) << u"63 61 66 c3"_s;
        QTest::newRow("UTF-8") << QByteArray("\xce\xba\xe1\xbd\xb9") << qint64(5)
                               << u"\u03ba\u1f79"_s;
        QTest::newRow("octets not kept") << QByteArray() << qint64(9) << u"…"_s;
    }
    void payloadPreview()
    {
        QFETCH(QByteArray, head);
        QFETCH(qint64, total);
        QFETCH(QString, preview);
        QCOMPARE(format::payloadPreview(head, total), preview);
    }

    void payloadPreviewWidth()
    {
        const QByteArray text(200, 'q');
        QCOMPARE(format::payloadPreview(text, 200), QString(u"q"_s.repeated(64) + u"…"_s));
        QCOMPARE(format::payloadPreview(text, 200, 5), u"qqqqq…"_s);
        const QByteArray binary(200, '\xff');
        // 21 octets of hex fill about the same width as 64 characters of text.
        QCOMPARE(format::payloadPreview(binary, 200), QString(u"ff "_s.repeated(20) + u"ff …"_s));
        // A character outside the BMP is never cut in half at the limit.
        const QByteArray emoji = QByteArray(3, 'a') + "\xf0\x9f\x98\x80" + "b";
        QCOMPARE(format::payloadPreview(emoji, emoji.size(), 4), u"aaa…"_s);
        QCOMPARE(format::payloadPreview(emoji, emoji.size(), 5), u"aaa\U0001F600…"_s);
    }

    void quotedPreview()
    {
        QCOMPARE(format::quotedPreview("Hello"), u"\u201CHello\u201D"_s);
        QCOMPARE(format::quotedPreview(QByteArray()), QString());
        QCOMPARE(format::quotedPreview("Hello", 0), QString());
        // Binary is described by its size elsewhere, not quoted.
        QCOMPARE(format::quotedPreview(hex("fffe")), QString());
        QCOMPARE(format::quotedPreview(hex("0001")), QString());
        QCOMPARE(format::quotedPreview("a\x1b[2Jb"), QString());
        QCOMPARE(format::quotedPreview("a\x7f"), QString());
        QCOMPARE(format::quotedPreview("a\tb\r\n"), u"\u201Ca\u2409b\u240D\u240A\u201D"_s);
        QCOMPARE(format::quotedPreview("line 1\nline 2"), u"\u201Cline 1\u240Aline 2\u201D"_s);
        QCOMPARE(format::quotedPreview(QByteArray(30, 'x')),
                 QString(u'\u201C' + u"x"_s.repeated(24) + u"…\u201D"_s));
        QCOMPARE(format::quotedPreview("fragment1", 40), u"\u201Cfragment1\u201D"_s);
        // Two-octet characters: 24 of them, then "…"; the head's cut character is dropped.
        QByteArray accents;
        for (int i = 0; i < 200; ++i)
            accents += "\xc3\xa9";
        QCOMPARE(format::quotedPreview(accents),
                 QString(u'\u201C' + u"é"_s.repeated(24) + u"…\u201D"_s));
        // A 16 MiB payload: only its head is looked at (this would be slow otherwise, and the
        // invalid octet at the end does not matter).
        QByteArray big(16 * 1024 * 1024, 'z');
        big.back() = '\xff';
        QCOMPARE(format::quotedPreview(big, 3), u"\u201Czzz…\u201D"_s);
    }
};

QTEST_GUILESS_MAIN(tst_Formatting)
#include "tst_formatting.moc"
