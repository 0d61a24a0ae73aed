// SPDX-License-Identifier: MIT
#include "protocol/utf8validator.h"
#include "testutils.h"

#include <QRandomGenerator>
#include <QTest>

using wsi::Utf8Validator;
using wsi::test::hex;
using State = Utf8Validator::State;
using namespace Qt::StringLiterals;

namespace {

// An independent reference, written from the code-point arithmetic rather than from octet
// ranges: after each octet it asks whether some complete, valid code point can still start with
// the octets of the current sequence. Returns -1, the offset of the first impossible octet, or
// `size` when the data ends inside a code point.
qint64 referenceFirstInvalid(const QByteArray &data)
{
    qsizetype i = 0;
    while (i < data.size()) {
        const uint lead = uchar(data[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        int length = 0;
        uint value = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2;
            value = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            value = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            value = lead & 0x07;
        } else {
            return i; // continuation octet or a 5/6-octet lead (F8–FF)
        }
        const uint minimum[5] = {0, 0, 0x80, 0x800, 0x10000};
        // The lowest and highest code point the sequence can still become.
        auto possible = [&](uint prefix, int known) {
            const int missing = length - known;
            const uint low = prefix << (6 * missing);
            const uint high = low | ((1u << (6 * missing)) - 1);
            if (high < minimum[length] || low > 0x10FFFF)
                return false;
            if (low >= 0xD800 && high <= 0xDFFF)
                return false; // surrogates only
            return true;
        };
        if (!possible(value, 1))
            return i;
        for (int k = 1; k < length; ++k) {
            if (i + k >= data.size())
                return data.size();
            const uint c = uchar(data[i + k]);
            if ((c & 0xC0) != 0x80)
                return i + k;
            value = (value << 6) | (c & 0x3F);
            if (!possible(value, k + 1))
                return i + k;
        }
        i += length;
    }
    return -1;
}

State expectedState(qint64 firstInvalid, qsizetype size)
{
    if (firstInvalid < 0)
        return State::Valid;
    return firstInvalid == size ? State::Incomplete : State::Invalid;
}

} // namespace

class tst_Utf8Validator : public QObject
{
    Q_OBJECT

private slots:
    void sequences_data();
    void sequences();
    void splitAtEveryOffset_data() { sequences_data(); }
    void splitAtEveryOffset();
    void oneOctetAtATime_data() { sequences_data(); }
    void oneOctetAtATime();
    void invalidStaysInvalid();
    void resetStartsOver();
    void emptyFeed();
    void asciiFastPathBoundaries();
    void kosmePrefixes();
    void randomAgainstReference();
    void referenceAgreesWithTable_data() { sequences_data(); }
    void referenceAgreesWithTable();
};

// Columns: the octets, and the offset of the first impossible octet (-1 = valid, size = ends
// inside a code point). The rows follow Autobahn groups 6.5–6.23 (docs/cases.md §4.7).
void tst_Utf8Validator::sequences_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("firstInvalid");

    auto row = [](const char *name, const char *spaced, qint64 firstInvalid) {
        QTest::newRow(name) << hex(spaced) << firstInvalid;
    };
    // 6.5 valid sequences
    row("6.5.1 hello$world", "68 65 6c 6c 6f 24 77 6f 72 6c 64", -1);
    row("6.5 cent", "c2 a2", -1);
    row("6.5 euro", "e2 82 ac", -1);
    row("6.5 U+24B62", "f0 a4 ad a2", -1);
    row("6.5 kosme", "ce ba e1 bd b9 cf 83 ce bc ce b5", -1);
    row("empty", "", -1);
    // 6.7 first possible sequence of each length
    row("6.7.1 U+0000", "00", -1);
    row("6.7.2 U+0080", "c2 80", -1);
    row("6.7.3 U+0800", "e0 a0 80", -1);
    row("6.7.4 U+10000", "f0 90 80 80", -1);
    // 6.8 five and six octet forms
    row("6.8.1 F888808080", "f8 88 80 80 80", 0);
    row("6.8.2 FC8480808080", "fc 84 80 80 80 80", 0);
    // 6.9 last possible sequence of each length
    row("6.9.1 U+007F", "7f", -1);
    row("6.9.2 U+07FF", "df bf", -1);
    row("6.9.3 U+FFFF", "ef bf bf", -1);
    row("6.9.4 U+10FFFF", "f4 8f bf bf", -1);
    // 6.10 beyond U+10FFFF
    row("6.10.1 F7BFBFBF", "f7 bf bf bf", 0);
    row("6.10.2 FBBFBFBFBF", "fb bf bf bf bf", 0);
    row("6.10.3 FDBFBFBFBFBF", "fd bf bf bf bf bf", 0);
    // 6.11 other boundaries
    row("6.11.1 U+D7FF", "ed 9f bf", -1);
    row("6.11.2 U+E000", "ee 80 80", -1);
    row("6.11.3 U+FFFD", "ef bf bd", -1);
    row("6.11.4 U+10FFFF", "f4 8f bf bf", -1);
    row("6.11.5 U+110000", "f4 90 80 80", 1);
    // 6.12 lone continuation octets
    row("6.12.1 80", "80", 0);
    row("6.12.2 BF", "bf", 0);
    row("6.12.3 80BF", "80 bf", 0);
    row("6.12.4 80BF80", "80 bf 80", 0);
    row("6.12 after ASCII", "61 62 63 80", 3);
    // 6.13 lonely start octets followed by a space
    row("6.13 C0 space", "c0 20", 0);
    row("6.13 C2 space", "c2 20", 1);
    row("6.13 DE space", "de 20", 1);
    row("6.13 E0 space", "e0 20", 1);
    row("6.13 EE space", "ee 20", 1);
    row("6.13 F0 space", "f0 20", 1);
    row("6.13 F4 space", "f4 20", 1);
    row("6.13 F5 space", "f5 20", 0);
    row("6.13 F8 space", "f8 20", 0);
    row("6.13 FC space", "fc 20", 0);
    // 6.14 sequences missing their last continuation octet
    row("6.14.1 C0", "c0", 0);
    row("6.14.2 E080", "e0 80", 1);
    row("6.14.3 F08080", "f0 80 80", 1);
    row("6.14.4 F8808080", "f8 80 80 80", 0);
    row("6.14.5 FC80808080", "fc 80 80 80 80", 0);
    row("6.14.6 DF", "df", 1);
    row("6.14.7 EFBF", "ef bf", 2);
    row("6.14.8 F7BFBF", "f7 bf bf", 0);
    row("6.14.9 FBBFBFBF", "fb bf bf bf", 0);
    row("6.14.10 FDBFBFBFBF", "fd bf bf bf bf", 0);
    row("incomplete E2 82", "e2 82", 2);
    row("incomplete F0 90 80", "f0 90 80", 3);
    // 6.15 the concatenation of 6.14: C0 is already impossible
    row("6.15.1 concatenation",
        "c0 e0 80 f0 80 80 f8 80 80 80 fc 80 80 80 80 df ef bf f7 bf bf fb bf bf bf fd bf bf bf bf",
        0);
    // 6.16 impossible octets
    row("6.16.1 FE", "fe", 0);
    row("6.16.2 FF", "ff", 0);
    row("6.16.3 FEFEFFFF", "fe fe ff ff", 0);
    // 6.17 overlong "/"
    row("6.17.1 C0AF", "c0 af", 0);
    row("6.17.2 E080AF", "e0 80 af", 1);
    row("6.17.3 F08080AF", "f0 80 80 af", 1);
    row("6.17.4 F8808080AF", "f8 80 80 80 af", 0);
    row("6.17.5 FC80808080AF", "fc 80 80 80 80 af", 0);
    // 6.18 maximum overlong sequences
    row("6.18.1 C1BF", "c1 bf", 0);
    row("6.18.2 E09FBF", "e0 9f bf", 1);
    row("6.18.3 F08FBFBF", "f0 8f bf bf", 1);
    row("6.18.4 F887BFBFBF", "f8 87 bf bf bf", 0);
    row("6.18.5 FC83BFBFBFBF", "fc 83 bf bf bf bf", 0);
    // 6.19 overlong NUL
    row("6.19.1 C080", "c0 80", 0);
    row("6.19.2 E08080", "e0 80 80", 1);
    row("6.19.3 F0808080", "f0 80 80 80", 1);
    // 6.20 single surrogates
    row("6.20.1 U+D800", "ed a0 80", 1);
    row("6.20.2 U+DB7F", "ed ad bf", 1);
    row("6.20.3 U+DB80", "ed ae 80", 1);
    row("6.20.4 U+DBFF", "ed af bf", 1);
    row("6.20.5 U+DC00", "ed b0 80", 1);
    row("6.20.6 U+DF80", "ed be 80", 1);
    row("6.20.7 U+DFFF", "ed bf bf", 1);
    // 6.21 paired surrogates
    row("6.21.1 D800 DC00", "ed a0 80 ed b0 80", 1);
    row("6.21.8 DBFF DFFF", "ed af bf ed bf bf", 1);
    // 6.22 noncharacters are valid UTF-8
    row("6.22.1 U+FFFE", "ef bf be", -1);
    row("6.22.2 U+FFFF", "ef bf bf", -1);
    row("6.22.3 U+1FFFE", "f0 9f bf be", -1);
    row("6.22 U+3FFFF", "f0 bf bf bf", -1);
    row("6.22 U+4FFFE", "f1 8f bf be", -1);
    row("6.22 U+FFFFF", "f3 bf bf bf", -1);
    row("6.22.34 U+10FFFF", "f4 8f bf bf", -1);
    // 6.23 specials
    row("6.23.1 U+FFF9", "ef bf b9", -1);
    row("6.23.7 U+FFFF", "ef bf bf", -1);
    // Mixed: the impossible octet counted from the start, after multi-octet code points.
    row("kosme then surrogate", "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64", 12);
    row("long ASCII then C1", "30 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36 c1 81", 17);
    row("long ASCII then FF", "30 31 32 33 34 35 36 37 ff 39 30 31", 8);
}

void tst_Utf8Validator::sequences()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, firstInvalid);

    Utf8Validator validator;
    const State state = validator.feed(data.constData(), data.size());
    QCOMPARE(state, expectedState(firstInvalid, data.size()));
    QCOMPARE(validator.state(), state);
    QCOMPARE(validator.position(), qint64(data.size()));
    QCOMPARE(validator.isCompleteAndValid(), firstInvalid < 0);
    const bool invalid = state == State::Invalid;
    QCOMPARE(validator.errorOffset(), invalid ? firstInvalid : qint64(-1));
    QCOMPARE(Utf8Validator::firstInvalidOffset(data.constData(), data.size()), firstInvalid);
}

void tst_Utf8Validator::splitAtEveryOffset()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, firstInvalid);

    const State expected = expectedState(firstInvalid, data.size());
    const qint64 expectedError = expected == State::Invalid ? firstInvalid : -1;
    for (qsizetype k = 0; k <= data.size(); ++k) {
        Utf8Validator validator;
        validator.feed(data.constData(), k);
        const State state = validator.feed(data.constData() + k, data.size() - k);
        QVERIFY2(state == expected, qPrintable(u"split at %1"_s.arg(k)));
        QVERIFY2(validator.errorOffset() == expectedError, qPrintable(u"split at %1"_s.arg(k)));
        QCOMPARE(validator.position(), qint64(data.size()));
    }
}

void tst_Utf8Validator::oneOctetAtATime()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, firstInvalid);

    Utf8Validator validator;
    for (qsizetype i = 0; i < data.size(); ++i) {
        const State state = validator.feed(data.constData() + i, 1);
        // Fail fast: Invalid exactly from the first impossible octet on, not earlier or later.
        const bool shouldBeInvalid =
            firstInvalid >= 0 && firstInvalid < data.size() && i >= firstInvalid;
        QVERIFY2((state == State::Invalid) == shouldBeInvalid,
                 qPrintable(u"after octet %1"_s.arg(i)));
    }
    QCOMPARE(validator.state(), expectedState(firstInvalid, data.size()));
    QCOMPARE(validator.errorOffset(),
             validator.state() == State::Invalid ? firstInvalid : qint64(-1));
}

void tst_Utf8Validator::invalidStaysInvalid()
{
    Utf8Validator validator;
    const QByteArray bad = hex("61 ed a0 80");
    QCOMPARE(validator.feed(bad.constData(), bad.size()), State::Invalid);
    QCOMPARE(validator.errorOffset(), qint64(2));
    const QByteArray good = QByteArrayLiteral("perfectly fine ASCII");
    QCOMPARE(validator.feed(good.constData(), good.size()), State::Invalid);
    QCOMPARE(validator.errorOffset(), qint64(2));
    QCOMPARE(validator.position(), qint64(bad.size() + good.size()));
}

void tst_Utf8Validator::resetStartsOver()
{
    Utf8Validator validator;
    const QByteArray bad = hex("ff");
    QCOMPARE(validator.feed(bad.constData(), bad.size()), State::Invalid);
    validator.reset();
    QCOMPARE(validator.state(), State::Valid);
    QCOMPARE(validator.errorOffset(), qint64(-1));
    QCOMPARE(validator.position(), qint64(0));
    // The continuation range of a previous lead must not survive the reset either.
    const QByteArray lead = hex("e0");
    QCOMPARE(validator.feed(lead.constData(), lead.size()), State::Incomplete);
    validator.reset();
    const QByteArray low = hex("80");
    QCOMPARE(validator.feed(low.constData(), low.size()), State::Invalid);
    QCOMPARE(validator.errorOffset(), qint64(0));
}

void tst_Utf8Validator::emptyFeed()
{
    Utf8Validator validator;
    QCOMPARE(validator.feed(nullptr, 0), State::Valid);
    const QByteArray lead = hex("f0 90");
    QCOMPARE(validator.feed(lead.constData(), lead.size()), State::Incomplete);
    QCOMPARE(validator.feed(lead.constData(), 0), State::Incomplete);
    QCOMPARE(validator.position(), qint64(2));
}

void tst_Utf8Validator::asciiFastPathBoundaries()
{
    // An impossible octet at every position of a long ASCII run, and a valid multi-octet code
    // point at every position: the 8-octet fast path must not skip or misplace anything.
    for (int length = 1; length <= 40; ++length) {
        for (int pos = 0; pos < length; ++pos) {
            QByteArray data(length, 'a');
            data[pos] = char(0x80);
            QCOMPARE(Utf8Validator::firstInvalidOffset(data.constData(), data.size()), qint64(pos));
            data[pos] = char(0xC3); // lead of a 2-octet sequence followed by 'a'
            const qint64 expected = pos + 1 < length ? pos + 1 : length;
            QCOMPARE(Utf8Validator::firstInvalidOffset(data.constData(), data.size()), expected);
        }
        for (int pos = 0; pos + 3 <= length; ++pos) {
            QByteArray data(length, 'a');
            data[pos] = char(0xE2);
            data[pos + 1] = char(0x82);
            data[pos + 2] = char(0xAC);
            QCOMPARE(Utf8Validator::firstInvalidOffset(data.constData(), data.size()), qint64(-1));
        }
    }
}

void tst_Utf8Validator::kosmePrefixes()
{
    // Autobahn 6.6: the 11 prefixes of κόσμε; only 2, 5, 7, 9 and 11 end on a code point.
    const QByteArray kosme = hex("ce ba e1 bd b9 cf 83 ce bc ce b5");
    for (int n = 1; n <= kosme.size(); ++n) {
        const bool complete = n == 2 || n == 5 || n == 7 || n == 9 || n == 11;
        Utf8Validator validator;
        QCOMPARE(validator.feed(kosme.constData(), n), complete ? State::Valid : State::Incomplete);
        QCOMPARE(validator.errorOffset(), qint64(-1));
        QCOMPARE(Utf8Validator::firstInvalidOffset(kosme.constData(), n),
                 complete ? qint64(-1) : qint64(n));
    }
}

void tst_Utf8Validator::randomAgainstReference()
{
    // Octets biased to the interesting boundaries; fixed seed, so failures reproduce.
    static const uchar interesting[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                        0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                                        0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFE, 0xFF};
    QRandomGenerator rng(20240611);
    int invalidSeen = 0;
    int validSeen = 0;
    int incompleteSeen = 0;
    for (int round = 0; round < 20000; ++round) {
        const int length = int(rng.bounded(24));
        QByteArray data;
        for (int i = 0; i < length; ++i) {
            data.append(rng.bounded(3) == 0
                            ? char(rng.bounded(256))
                            : char(interesting[rng.bounded(int(sizeof interesting))]));
        }
        const qint64 expected = referenceFirstInvalid(data);
        const qint64 actual = Utf8Validator::firstInvalidOffset(data.constData(), data.size());
        QVERIFY2(actual == expected, qPrintable(u"data %1: expected %2, got %3"_s
                                                    .arg(QString::fromLatin1(data.toHex(' ')))
                                                    .arg(expected)
                                                    .arg(actual)));
        const qsizetype split = length ? qsizetype(rng.bounded(length + 1)) : 0;
        Utf8Validator validator;
        validator.feed(data.constData(), split);
        validator.feed(data.constData() + split, data.size() - split);
        QCOMPARE(validator.state(), expectedState(expected, data.size()));
        switch (validator.state()) {
        case State::Valid:
            ++validSeen;
            break;
        case State::Incomplete:
            ++incompleteSeen;
            break;
        case State::Invalid:
            ++invalidSeen;
            QCOMPARE(validator.errorOffset(), expected);
            break;
        }
    }
    // The generator must exercise all three outcomes, or the comparison proves little.
    QVERIFY(validSeen > 1000);
    QVERIFY(incompleteSeen > 100);
    QVERIFY(invalidSeen > 1000);
}

void tst_Utf8Validator::referenceAgreesWithTable()
{
    // Guards the reference itself against the hand-written table.
    QFETCH(QByteArray, data);
    QFETCH(qint64, firstInvalid);
    QCOMPARE(referenceFirstInvalid(data), firstInvalid);
}

QTEST_GUILESS_MAIN(tst_Utf8Validator)
#include "tst_utf8validator.moc"
