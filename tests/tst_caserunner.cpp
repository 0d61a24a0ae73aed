// SPDX-License-Identifier: MIT
// The case runner against peers that behave like the servers of the seed reports
// (tests/data/seeds/): the outcome, the closing-behaviour fields, the wire statistics (up to the
// handshake) and the wire-log entry kinds must be those of the seed, read from the seed file
// itself. Plus the runner's own duties: jobs, a refused server, a server that hangs mid-case.

#include "echo/echoserver.h"
#include "scriptedpeer.h"
#include "suite/casereport.h"
#include "suite/caserunner.h"
#include "suite/cases.h"
#include "testutils.h"
#include "trace/closing.h"
#include "trace/wirelog.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsi;
using namespace wsi::test;

namespace {

// What a seed's text report says, in comparable pieces.
struct SeedReport
{
    QString verdictWord; // "Pass"
    QString description; // Case Description
    QString expectation; // Case Expectation
    QString outcome;     // "Actual events match at least one expected."
    QString expected;
    QString observed;
    QString closingLine;      // "Connection was properly closed (OK)"
    QStringList closingRows;  // "closedByMeTrue…" (key, value and description run together)
    QList<QStringList> stats; // the four statistics tables' rows, without header and total
    QStringList logKinds;     // "TX OCTETS", "RX FRAME", "DELAY", …
};

QString seedPath(const QString &name)
{
    return QStringLiteral(WSI_SEEDS_DIR) + u'/' + name;
}

SeedReport parseSeed(const QString &name)
{
    SeedReport seed;
    QFile file(seedPath(name));
    if (!file.open(QIODevice::ReadOnly))
        return seed;
    const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
    const QRegularExpression title(u" : (\\w[\\w-]*) - "_s);
    if (const auto m = title.match(lines.value(3)); m.hasMatch())
        seed.verdictWord = m.captured(1);
    auto nextNonEmpty = [&lines](qsizetype from) {
        for (qsizetype i = from; i < lines.size(); ++i) {
            if (!lines[i].trimmed().isEmpty())
                return i;
        }
        return lines.size();
    };
    const QStringList kinds = {u"TCP DROPPED BY PEER"_s,
                               u"TCP DROPPED BY ME"_s,
                               u"CLOSE CONNECTION AFTER"_s,
                               u"CLOSING CONNECTION"_s,
                               u"FAIL CONNECTION AFTER"_s,
                               u"FAILING CONNECTION"_s,
                               u"DELAY TIMEOUT"_s,
                               u"DELAY"_s,
                               u"WIRELOG"_s,
                               u"TX OCTETS"_s,
                               u"RX OCTETS"_s,
                               u"TX FRAME"_s,
                               u"RX FRAME"_s};
    const QRegularExpression logLine(u"^\\d{3} (.*)$"_s);
    bool inClosingTable = false;
    bool inWireLog = false;
    QStringList *table = nullptr;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString &line = lines[i];
        if (line == u"Case Description"_s) {
            seed.description = lines.value(nextNonEmpty(i + 1));
        } else if (line == u"Case Expectation"_s) {
            seed.expectation = lines.value(nextNonEmpty(i + 1));
        } else if (line == u"Case Outcome"_s) {
            seed.outcome = lines.value(nextNonEmpty(i + 1));
        } else if (line == u"Expected:"_s) {
            seed.expected = lines.value(i + 1);
        } else if (line == u"Observed:"_s) {
            seed.observed = lines.value(i + 1);
        } else if (line == u"Case Closing Behavior"_s) {
            seed.closingLine = lines.value(nextNonEmpty(i + 1));
        } else if (line == u"KeyValueDescription"_s) {
            inClosingTable = true;
        } else if (inClosingTable) {
            if (line.isEmpty())
                inClosingTable = false;
            else
                seed.closingRows << line;
        } else if (line == u"Chop SizeCountOctets"_s || line == u"OpcodeCount"_s) {
            seed.stats.append(QStringList());
            table = &seed.stats.last();
        } else if (table) {
            if (line.startsWith(u"Total"_s) || line.isEmpty())
                table = nullptr;
            else
                table->append(line);
        } else if (line == u"Wire Log"_s) {
            inWireLog = true;
        } else if (inWireLog) {
            const auto m = logLine.match(line);
            if (!m.hasMatch())
                continue;
            for (const QString &k : kinds) {
                if (m.captured(1).startsWith(k)) {
                    seed.logKinds << k;
                    break;
                }
            }
        }
    }
    return seed;
}

// A statistics row "<chop><count><octets>" with count 1 is "<c>1<c>": its chop size, else -1.
qint64 singleChopOf(const QString &row)
{
    if (row.size() % 2 == 0)
        return -1;
    const qsizetype k = row.size() / 2;
    if (row.at(k) != u'1' || row.left(k) != row.mid(k + 1))
        return -1;
    return row.left(k).toLongLong();
}

// The handshake's chop differs from the seed's (other header values): rows of 100 octets and
// more are left out of the octet tables on both sides; none of the compared frames is that long.
QStringList withoutHandshake(const QStringList &rows)
{
    QStringList out;
    for (const QString &row : rows) {
        if (singleChopOf(row) < 100)
            out << row;
    }
    return out;
}

QStringList octetRows(const CountMap &chops)
{
    QStringList rows;
    for (const auto &[size, count] : chops) {
        if (size < 100)
            rows << QString::number(size) + QString::number(count) + QString::number(size * count);
    }
    return rows;
}

QStringList frameRows(const CountMap &frames)
{
    QStringList rows;
    for (const auto &[opcode, count] : frames)
        rows << QString::number(opcode) + QString::number(count);
    return rows;
}

// Old seeds print plain str payloads ('…'), newer ones unicode (u'…').
QString normalizeStrings(QString text)
{
    return text.replace(u"u'"_s, u"'"_s);
}

QString normalizeDescription(QString text)
{
    return text.replace(u"WebSockets "_s, u"WebSocket "_s);
}

QByteArray unmaskedFrame(quint8 firstByte, const QByteArray &payload)
{
    return QByteArray(1, char(firstByte)) + char(payload.size()) + payload;
}

CaseResult runCase(const QString &id, const QUrl &url, int timeoutMs = 15000)
{
    const CaseDefinition *def = findCase(id);
    if (!def)
        return {};
    CaseRunner runner;
    QSignalSpy finished(&runner, &CaseRunner::finished);
    CaseRunner::Options options;
    options.settings.url = url;
    runner.start({def}, options);
    if (!finished.wait(timeoutMs))
        return {};
    return runner.results().value(0);
}

// Compares everything the seed shows with the result.
void compareWithSeed(const CaseResult &r, const QString &seedName)
{
    const SeedReport seed = parseSeed(seedName);
    QVERIFY2(!seed.verdictWord.isEmpty(), qPrintable(u"seed not found: "_s + seedPath(seedName)));
    QVERIFY(r.definition);
    QCOMPARE(verdictWord(r.verdict.behavior), seed.verdictWord);
    // The text report shows the case's description and expectation as the seed does.
    const QStringList report = textReport(reportInputFor(r)).split(u'\n');
    QCOMPARE(report.value(report.indexOf(u"Case Description"_s) + 2), seed.description);
    QCOMPARE(report.value(report.indexOf(u"Case Expectation"_s) + 2), seed.expectation);
    QCOMPARE(r.verdict.result, seed.outcome);
    QCOMPARE(normalizeStrings(renderExpected(*r.definition)), normalizeStrings(seed.expected));
    QCOMPARE(normalizeStrings(renderObserved(r.observation.received)),
             normalizeStrings(seed.observed));
    QCOMPARE(r.verdict.closing.text + u" ("_s + verdictText(r.verdict.closing.verdict) + u')',
             seed.closingLine);

    // The 13 fields: key, our value, then the description (older seeds lack some keys).
    int compared = 0;
    for (const ClosingField &field : closingFields()) {
        const QString key = QString::fromLatin1(field.key);
        for (const QString &row : seed.closingRows) {
            if (!row.startsWith(key))
                continue;
            const QString value = closingFieldValue(r.closing, field.key);
            QVERIFY2(row.mid(key.size()).startsWith(value),
                     qPrintable(key + u": seed row '"_s + row + u"', ours "_s + value));
            QCOMPARE(normalizeDescription(row.mid(key.size() + value.size())),
                     normalizeDescription(QString::fromUtf8(field.description)));
            ++compared;
        }
    }
    QCOMPARE(compared, int(seed.closingRows.size()));

    QCOMPARE(seed.stats.size(), 4);
    const WireStatistics &st = r.trace->statistics();
    QCOMPARE(octetRows(st.rxOctets), withoutHandshake(seed.stats[0]));
    QCOMPARE(octetRows(st.txOctets), withoutHandshake(seed.stats[1]));
    QCOMPARE(frameRows(st.rxFrames), seed.stats[2]);
    QCOMPARE(frameRows(st.txFrames), seed.stats[3]);

    QStringList ours;
    for (const WireLogLine &line : wireLog(*r.trace))
        ours << wireLogKindName(line.kind);
    QCOMPARE(ours, seed.logKinds);
}

} // namespace

class tst_CaseRunner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // microsoft-httpapi-case-2.2: pong at once, an empty close reply, TCP never dropped.
    void case22LikeMicrosoftHttpApi()
    {
        ScriptedPeer peer;
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 9)
                p.send(unmaskedFrame(0x8a, f.payload));
            else if (f.opcode == 8)
                p.send(QByteArray::fromHex("8800"));
        };
        const CaseResult r = runCase(u"2.2"_s, peer.url());
        QVERIFY(r.trace);
        QCOMPARE(r.agent, u"ScriptedPeer/1.0"_s);
        compareWithSeed(r, u"microsoft-httpapi-case-2.2.txt"_s);
    }

    // wslay-case-3.6: RSV = 6 answered with close 1002; our reply; the peer drops TCP.
    void case36LikeWslay()
    {
        ScriptedPeer peer;
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.rsv != 0)
                p.send(QByteArray::fromHex("880203ea"));
            else if (f.opcode == 8)
                p.closeGracefully();
        };
        const CaseResult r = runCase(u"3.6"_s, peer.url());
        QVERIFY(r.trace);
        // The quirk of docs/cases.md §5: "ping" in the description, opcode 2 on the wire.
        QCOMPARE(peer.frames().front().opcode, quint8(2));
        QCOMPARE(peer.frames().front().rsv, quint8(6));
        compareWithSeed(r, u"wslay-case-3.6.txt"_s);
    }

    // autobahnserver-case-5.20: the first pong alone; the second pong and the echo together;
    // a close reply 1000 and the peer drops TCP.
    void case520LikeAutobahnServer()
    {
        ScriptedPeer peer;
        QByteArray message;
        QByteArray heldPong;
        int pings = 0;
        peer.onFrame = [&](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 9) {
                const QByteArray pong = unmaskedFrame(0x8a, f.payload);
                if (++pings == 1)
                    p.send(pong);
                else
                    heldPong = pong;
            } else if (f.opcode == 1 || f.opcode == 0) {
                message += f.payload;
                if (f.fin)
                    p.send(heldPong + unmaskedFrame(0x81, message));
            } else if (f.opcode == 8) {
                p.send(QByteArray::fromHex("880203e8"));
                p.closeGracefully();
            }
        };
        const CaseResult r = runCase(u"5.20"_s, peer.url());
        QVERIFY(r.trace);
        compareWithSeed(r, u"autobahnserver-case-5.20.txt"_s);
    }

    // websock-secure-server-case-5.20: pongs at once, the echo a moment later, and on our close
    // the peer drops TCP without replying.
    void case520LikeWebsockServer()
    {
        ScriptedPeer peer;
        QByteArray message;
        peer.onFrame = [&](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 9) {
                // The pong after a pause, as the seed's server answered: after our next sync
                // writes (each in its own event-loop turn), not between them. An instant pong
                // from a peer in this process could land between two of them on a busy machine.
                const QByteArray pong = unmaskedFrame(0x8a, f.payload);
                QTimer::singleShot(50, &p, [&p, pong] { p.send(pong); });
            } else if (f.opcode == 1 || f.opcode == 0) {
                message += f.payload;
                if (f.fin) {
                    const QByteArray echo = unmaskedFrame(0x81, message);
                    QTimer::singleShot(150, &p, [&p, echo] { p.send(echo); });
                }
            } else if (f.opcode == 8) {
                p.drop();
            }
        };
        const CaseResult r = runCase(u"5.20"_s, peer.url());
        QVERIFY(r.trace);
        compareWithSeed(r, u"websock-secure-server-case-5.20.txt"_s);
    }

    // autobahnserver-case-7.1.2: one close reply to two closes, then the peer drops TCP.
    void case712LikeAutobahnServer()
    {
        ScriptedPeer peer;
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 8 && p.frames().size() == 1) {
                p.send(QByteArray::fromHex("880203e8"));
                p.closeGracefully();
            }
        };
        const CaseResult r = runCase(u"7.1.2"_s, peer.url());
        QVERIFY(r.trace);
        compareWithSeed(r, u"autobahnserver-case-7.1.2.txt"_s);
    }

    // --- the runner's own duties ----------------------------------------------------------------

    // Against the embedded QtWebSockets echo server a selection runs with 4 jobs; each result is
    // complete and in the order given.
    void jobsKeepOrderAndResults()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        QString error;
        const auto cases = selectCases({u"1.1.*"_s, u"2.*"_s}, {}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(cases.size(), 8 + 11);
        CaseRunner runner;
        QSignalSpy finished(&runner, &CaseRunner::finished);
        QSignalSpy caseFinished(&runner, &CaseRunner::caseFinished);
        CaseRunner::Options options;
        options.settings.url = echo.url();
        options.jobs = 4;
        runner.start(cases, options);
        QVERIFY(finished.wait(60000));
        QCOMPARE(caseFinished.size(), cases.size());
        QCOMPARE(runner.results().size(), cases.size());
        for (int i = 0; i < cases.size(); ++i) {
            const CaseResult &r = runner.results()[i];
            QCOMPARE(r.definition, cases[i]);
            QVERIFY(r.ran());
            QVERIFY2(r.verdict.behavior == Verdict::Ok &&
                         r.verdict.closing.verdict == CloseVerdict::Ok,
                     qPrintable(r.definition->id + u": "_s + verdictText(r.verdict.behavior) +
                                u'/' + verdictText(r.verdict.closing.verdict) + u' ' +
                                r.verdict.result + u" / "_s + r.verdict.closing.text));
            QCOMPARE(r.index, caseIndex(r.definition->id));
        }
    }

    // 9.1.1 (64 KiB text, wire log off until the echo) and 10.1.1 (auto-fragmentation with its
    // own TX frame check) against the echo server.
    void timedEchoAndOwnFrameCheck()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        const CaseResult r9 = runCase(u"9.1.1"_s, echo.url(), 30000);
        QVERIFY(r9.trace);
        QCOMPARE(verdictText(r9.verdict.behavior), u"OK"_s);
        QCOMPARE(r9.verdict.result, u"Received text message of length 65536."_s);
        QCOMPARE(verdictText(r9.verdict.closing.verdict), u"OK"_s);
        // The wire log skips the 64 KiB frame and its echo: handshake, the timer, then the close.
        const QStringList tags = wireLogTags(*r9.trace);
        QCOMPARE(tags, QStringList({u"TO"_s, u"RO"_s, u"TI"_s, u"TF"_s, u"TO"_s, u"RO"_s, u"RF"_s,
                                    u"TCP-PEER"_s}));
        QCOMPARE(r9.trace->statistics().rxFrames.at(1), 1);

        const CaseResult r10 = runCase(u"10.1.1"_s, echo.url(), 30000);
        QVERIFY(r10.trace);
        QCOMPARE(verdictText(r10.verdict.behavior), u"OK"_s);
        QCOMPARE(r10.trace->statistics().txFrames.at(0), 50);
        QCOMPARE(r10.trace->statistics().txFrames.at(1), 1);
    }

    // 9.7.1-style round trips: every echo triggers the next message; the markers frame the log.
    void roundTripsCountEveryEcho()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        const CaseResult r = runCase(u"9.7.2"_s, echo.url(), 60000);
        QVERIFY(r.trace);
        QCOMPARE(verdictText(r.verdict.behavior), u"OK"_s);
        QCOMPARE(r.verdict.result, u"Ok, received all echo'ed messages in time."_s);
        QCOMPARE(r.trace->statistics().txFrames.at(1), 1000);
        QCOMPARE(r.trace->statistics().rxFrames.at(1), 1000);
        const QStringList tags = wireLogTags(*r.trace);
        QCOMPARE(tags.mid(2, 3), QStringList({u"WLM"_s, u"TI"_s, u"WLM"_s}));
    }

    // 6.4.1 against a peer that fails fast with 1007 after the second fragment: the timeout
    // pseudo-event A is recorded, B is not, the continuation stops.
    void failFastRecordsOnlyTheFirstTimeout()
    {
        ScriptedPeer peer;
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 0) {
                p.send(QByteArray::fromHex("880203ef"));
                p.closeGracefully();
            }
        };
        const CaseResult r = runCase(u"6.4.1"_s, peer.url());
        QVERIFY(r.trace);
        QCOMPARE(r.observation.received, PeerEventList({PeerEvent::timeout("A")}));
        QCOMPARE(verdictText(r.verdict.behavior), u"OK"_s);
        QCOMPARE(verdictText(r.verdict.closing.verdict), u"OK"_s);
        // T and C reached the peer; the third part was never sent.
        const auto dataFrames = std::count_if(peer.frames().begin(), peer.frames().end(),
                                              [](const DecodedFrame &f) { return f.opcode != 8; });
        QCOMPARE(dataFrames, 2);
    }

    // A refused server: every case is marked, no case waits for its timers.
    void refusedServerSkipsEverythingFast()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const QUrl url(u"ws://127.0.0.1:%1/"_s.arg(probe.serverPort()));
        probe.close();
        QString error;
        const auto cases = selectCases({u"1.*"_s, u"2.*"_s}, {}, &error);
        CaseRunner runner;
        QSignalSpy finished(&runner, &CaseRunner::finished);
        CaseRunner::Options options;
        options.settings.url = url;
        options.jobs = 2;
        runner.start(cases, options);
        QVERIFY(finished.wait(10000));
        // Ended by the refusal, not by a timer: no case waited for an opening handshake.
        for (const CaseResult &r : runner.results()) {
            QCOMPARE(verdictText(r.verdict.behavior), u"FAILED"_s);
            QVERIFY(!r.connectError.isEmpty() || !r.ran());
            QVERIFY(!r.closing.wasOpenHandshakeTimeout);
        }
        QVERIFY(!runner.results().constFirst().connectError.isEmpty());
        QVERIFY(runner.results().constLast().skipped.contains(u"no connection"_s));
    }

    // A server that completes the handshake and then ignores everything: the case ends at its
    // own timers (2.2: close after 1 s, close-handshake timeout 1 s) and the run goes on.
    void hangingServerEndsAtTheTimers()
    {
        ScriptedPeer peer; // answers the handshake, never anything else
        QString error;
        const auto cases = selectCases({u"2.2"_s, u"2.3"_s}, {}, &error);
        CaseRunner runner;
        QSignalSpy finished(&runner, &CaseRunner::finished);
        CaseRunner::Options options;
        options.settings.url = peer.url();
        runner.start(cases, options);
        QVERIFY(finished.wait(15000));
        const CaseResult &r = runner.results().constFirst();
        QCOMPARE(verdictText(r.verdict.behavior), u"FAILED"_s);
        QVERIFY(r.closing.wasCloseHandshakeTimeout);
        QCOMPARE(verdictText(r.verdict.closing.verdict), u"UNCLEAN"_s);
        QVERIFY(runner.results().constLast().ran());
    }
};

QTEST_GUILESS_MAIN(tst_CaseRunner)
#include "tst_caserunner.moc"
