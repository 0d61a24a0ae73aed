// SPDX-License-Identifier: MIT
// The verdicts' one set of words, cells, tones and the pass rule (trace/verdict.h): what the
// reports, the CLI and the window all show.
#include "trace/verdict.h"

#include <QtTest>

using namespace Qt::StringLiterals;
using namespace wsi;

class tst_Verdict : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The words of the reference's reports, and back.
    void contentWords_data()
    {
        QTest::addColumn<int>("verdict");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("cell");
        QTest::addColumn<QString>("word");
        QTest::addColumn<bool>("passing");
        QTest::addColumn<int>("tone");
        QTest::newRow("ok") << int(Verdict::Ok) << u"OK"_s << u"Pass"_s << u"Pass"_s << true
                            << int(VerdictTone::Pass);
        QTest::newRow("non-strict") << int(Verdict::NonStrict) << u"NON-STRICT"_s << u"Non-Strict"_s
                                    << u"Non-Strict"_s << true << int(VerdictTone::Warning);
        QTest::newRow("failed") << int(Verdict::Failed) << u"FAILED"_s << u"Fail"_s << u"Fail"_s
                                << false << int(VerdictTone::Fail);
        QTest::newRow("informational")
            << int(Verdict::Informational) << u"INFORMATIONAL"_s << u"Info"_s << u"Informational"_s
            << true << int(VerdictTone::Info);
        QTest::newRow("unimplemented")
            << int(Verdict::Unimplemented) << u"UNIMPLEMENTED"_s << u"Unimplemented"_s
            << u"Unimplemented"_s << false << int(VerdictTone::Neutral);
    }
    void contentWords()
    {
        QFETCH(int, verdict);
        QFETCH(QString, text);
        QFETCH(QString, cell);
        QFETCH(QString, word);
        QFETCH(bool, passing);
        QFETCH(int, tone);
        const auto v = Verdict(verdict);
        QCOMPARE(verdictText(v), text);
        QCOMPARE(verdictFromText(text), std::optional(v));
        QCOMPARE(verdictCellWord(v), cell);
        QCOMPARE(verdictWord(v), word);
        QCOMPARE(isPassing(v), passing);
        QCOMPARE(int(verdictTone(v)), tone);
    }

    void closeWords_data()
    {
        QTest::addColumn<int>("verdict");
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("tone");
        QTest::newRow("ok") << int(CloseVerdict::Ok) << u"OK"_s << int(VerdictTone::Pass);
        QTest::newRow("failed") << int(CloseVerdict::Failed) << u"FAILED"_s
                                << int(VerdictTone::Fail);
        QTest::newRow("unclean") << int(CloseVerdict::Unclean) << u"UNCLEAN"_s
                                 << int(VerdictTone::Fail);
        QTest::newRow("wrong code")
            << int(CloseVerdict::WrongCode) << u"WRONG CODE"_s << int(VerdictTone::Warning);
        QTest::newRow("failed by client") << int(CloseVerdict::FailedByClient)
                                          << u"FAILED BY CLIENT"_s << int(VerdictTone::Almost);
        QTest::newRow("informational")
            << int(CloseVerdict::Informational) << u"INFORMATIONAL"_s << int(VerdictTone::Info);
        QTest::newRow("pending") << int(CloseVerdict::Pending) << u"PENDING"_s
                                 << int(VerdictTone::Neutral);
    }
    void closeWords()
    {
        QFETCH(int, verdict);
        QFETCH(QString, text);
        QFETCH(int, tone);
        const auto v = CloseVerdict(verdict);
        QCOMPARE(verdictText(v), text);
        QCOMPARE(closeVerdictFromText(text), std::optional(v));
        QCOMPARE(int(verdictTone(v)), tone);
    }

    // Words are exact: another case, a space too many or a content-only word is not a verdict.
    void unknownWordsAreRefused()
    {
        for (const QString &word : {u""_s, u"ok"_s, u"OK "_s, u"PASS"_s, u"WRONG  CODE"_s}) {
            QVERIFY2(!verdictFromText(word), qPrintable(word));
            QVERIFY2(!closeVerdictFromText(word), qPrintable(word));
        }
        QVERIFY(!verdictFromText(u"UNCLEAN"_s));         // a closing verdict only
        QVERIFY(!closeVerdictFromText(u"NON-STRICT"_s)); // a content verdict only
    }
};

QTEST_GUILESS_MAIN(tst_Verdict)
#include "tst_verdict.moc"
