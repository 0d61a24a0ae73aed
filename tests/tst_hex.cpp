// SPDX-License-Identifier: MIT
// The one hex reader of the program (command line, scenario files, composer): ASCII hex digits
// in pairs, white space ignored, everything else refused with its position.
#include "protocol/hex.h"

#include <QtTest>

using namespace wsi;
using namespace Qt::StringLiterals;

class tst_Hex : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void good_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("octets");
        QTest::newRow("empty") << QString() << QByteArray();
        QTest::newRow("only spaces") << u"  \t\n "_s << QByteArray();
        QTest::newRow("lower") << u"00ff7f80"_s << QByteArray("\x00\xff\x7f\x80", 4);
        QTest::newRow("upper") << u"ABCDEF"_s << QByteArray("\xab\xcd\xef");
        QTest::newRow("mixed case") << u"aBcD"_s << QByteArray("\xab\xcd");
        QTest::newRow("spaces between octets") << u"48 65 6c 6c 6f"_s << QByteArray("Hello");
        QTest::newRow("space inside an octet") << u"4 8 6 5"_s << QByteArray("He");
        QTest::newRow("tabs and line breaks") << u"\t48\r\n65\n"_s << QByteArray("He");
        QTest::newRow("no-break space") << u"48\u00a065"_s << QByteArray("He");
        QTest::newRow("all digits") << u"0123456789abcdefABCDEF"_s
                                    << QByteArray("\x01\x23\x45\x67\x89\xab\xcd\xef\xab\xcd\xef");
    }
    void good()
    {
        QFETCH(QString, text);
        QFETCH(QByteArray, octets);
        QByteArray out("left over");
        const HexError error = parseHex(text, out);
        QVERIFY2(error.ok(), qPrintable(error.message()));
        QCOMPARE(error.message(), QString());
        QCOMPARE(out, octets);
    }

    void digits()
    {
        QCOMPARE(hexDigitValue(u'0'), 0);
        QCOMPARE(hexDigitValue(u'9'), 9);
        QCOMPARE(hexDigitValue(u'a'), 10);
        QCOMPARE(hexDigitValue(u'F'), 15);
        QCOMPARE(hexDigitValue(u'g'), -1);
        QCOMPARE(hexDigitValue(u' '), -1);
        QCOMPARE(hexDigitValue(u'\u0663'), -1); // ARABIC-INDIC DIGIT THREE: a digit, not hex
        QCOMPARE(hexDigitValue(u'\uff21'), -1); // FULLWIDTH LATIN CAPITAL LETTER A
        QVERIFY(isHexDigits(u"09afAF"));
        QVERIFY(!isHexDigits(u""));
        QVERIFY(!isHexDigits(u"0x1f"));
        QVERIFY(!isHexDigits(u"12 34"));
        QVERIFY(!isHexDigits(u"\u0663\u0664"));
    }

    void maskKey_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<quint32>("key");
        QTest::newRow("lower") << u"37fa213d"_s << true << quint32(0x37fa213d);
        QTest::newRow("upper") << u"DEADBEEF"_s << true << quint32(0xdeadbeef);
        QTest::newRow("spaced octets") << u"37 fa 21 3d"_s << true << quint32(0x37fa213d);
        QTest::newRow("zero") << u"00000000"_s << true << quint32(0);
        QTest::newRow("seven digits") << u"37fa213"_s << false << quint32(0);
        QTest::newRow("nine digits") << u"37fa213d0"_s << false << quint32(0);
        QTest::newRow("ten digits") << u"37fa213d00"_s << false << quint32(0);
        // QString::toUInt(…, 16) reads "0x" and a sign; a masking key is eight digits, no more.
        QTest::newRow("0x prefix") << u"0x37fa21"_s << false << quint32(0);
        QTest::newRow("sign") << u"+37fa213"_s << false << quint32(0);
        QTest::newRow("empty") << QString() << false << quint32(0);
        QTest::newRow("not hex") << u"37fa213g"_s << false << quint32(0);
    }
    void maskKey()
    {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(quint32, key);
        const std::optional<quint32> parsed = parseMaskKey(text);
        QCOMPARE(parsed.has_value(), ok);
        if (ok)
            QCOMPARE(*parsed, key);
    }

    void bad_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("kind");
        QTest::addColumn<qsizetype>("position");
        QTest::addColumn<QString>("message");
        const int bad = int(HexError::Kind::BadCharacter);
        const int odd = int(HexError::Kind::OddDigitCount);
        // QChar::isDigit says yes to these; they must not become octets (nor vanish).
        QTest::newRow("arabic-indic digits") << u"\u0663\u0663"_s << bad << qsizetype(1)
                                             << u"'\u0663' is not a hex digit (position 1)"_s;
        QTest::newRow("extended arabic-indic") << u"00\u06f1"_s << bad << qsizetype(3)
                                               << u"'\u06f1' is not a hex digit (position 3)"_s;
        QTest::newRow("fullwidth digits") << u"\uff10\uff11"_s << bad << qsizetype(1)
                                          << u"'\uff10' is not a hex digit (position 1)"_s;
        QTest::newRow("fullwidth letter")
            << u"a\uff41"_s << bad << qsizetype(2) << u"'\uff41' is not a hex digit (position 2)"_s;
        QTest::newRow("devanagari digit")
            << u"1\u0967"_s << bad << qsizetype(2) << u"'\u0967' is not a hex digit (position 2)"_s;
        QTest::newRow("mathematical digit (two UTF-16 units)")
            << u"ab\U0001D7CE"_s << bad << qsizetype(3)
            << u"'\U0001D7CE' is not a hex digit (position 3)"_s;
        QTest::newRow("letter g") << u"0g"_s << bad << qsizetype(2)
                                  << u"'g' is not a hex digit (position 2)"_s;
        QTest::newRow("0x prefix")
            << u"0x41"_s << bad << qsizetype(2) << u"'x' is not a hex digit (position 2)"_s;
        QTest::newRow("comma") << u"00,ff"_s << bad << qsizetype(3)
                               << u"',' is not a hex digit (position 3)"_s;
        QTest::newRow("position counts spaces")
            << u"00 11 2z"_s << bad << qsizetype(8) << u"'z' is not a hex digit (position 8)"_s;
        QTest::newRow("odd count") << u"abc"_s << odd << qsizetype(0)
                                   << u"odd number of hex digits (3): every octet needs two"_s;
        QTest::newRow("one digit") << u" 7 "_s << odd << qsizetype(0)
                                   << u"odd number of hex digits (1): every octet needs two"_s;
        QTest::newRow("odd with spaces")
            << u"00 11 2"_s << odd << qsizetype(0)
            << u"odd number of hex digits (5): every octet needs two"_s;
    }
    void bad()
    {
        QFETCH(QString, text);
        QFETCH(int, kind);
        QFETCH(qsizetype, position);
        QFETCH(QString, message);
        QByteArray out("untouched");
        const HexError error = parseHex(text, out);
        QVERIFY(!error.ok());
        QCOMPARE(int(error.kind), kind);
        QCOMPARE(error.position, position);
        QCOMPARE(error.message(), message);
        QCOMPARE(out, QByteArray("untouched")); // nothing half-parsed is handed out
    }
};

QTEST_GUILESS_MAIN(tst_Hex)
#include "tst_hex.moc"
