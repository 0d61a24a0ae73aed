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
#include "suite/corpora.h"
#include "testutils.h"
#include "trace/closing.h"
#include "trace/wirelog.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QtEndian>
#include <QTest>

#include <algorithm>
#include <memory>

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

CaseResult runCase(const QString &id, const QUrl &url, int timeoutMs = 15000,
                   qint64 maxTraceOctets = CaseRunner::Options().maxTraceOctets)
{
    const CaseDefinition *def = findCase(id);
    if (!def)
        return {};
    CaseRunner runner;
    QSignalSpy finished(&runner, &CaseRunner::finished);
    CaseRunner::Options options;
    options.settings.url = url;
    options.maxTraceOctets = maxTraceOctets;
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

    // The five corpora of 12.x/13.x: the reference's sizes and kinds, and the same octets in
    // every build (wsi_corpusgen is deterministic: pinned SHA-1s).
    void corporaHaveTheReferenceSizesAndKinds_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<qint64>("size");
        QTest::addColumn<bool>("binary");
        QTest::addColumn<QByteArray>("sha1");
        QTest::newRow("JSON") << u"data1.json"_s << qint64(194056) << false
                              << "c055f1597e437472eb8a6e00f509399a0505bd1b"_ba;
        QTest::newRow("BMP") << u"lena512.bmp"_s << qint64(263222) << true
                             << "cfa9c7da06d26e74c9e957eccba0f8c42319b172"_ba;
        QTest::newRow("text") << u"pg2229.txt"_s << qint64(222218) << true
                              << "a6e7bd9d17209febdb1d291ee9a82c6853a3a099"_ba;
        QTest::newRow("HTML") << u"data1.html"_s << qint64(263647) << false
                              << "871b9afcf29ecfd8a470e7f9cd29ee48c8d6fc9c"_ba;
        QTest::newRow("PDF") << u"10.1.1.105.5439.pdf"_s << qint64(1042328) << true
                             << "ffea48bd70d953a426b02d0c22899314a8be2b26"_ba;
    }
    void corporaHaveTheReferenceSizesAndKinds()
    {
        QFETCH(QString, file);
        QFETCH(qint64, size);
        QFETCH(bool, binary);
        QFETCH(QByteArray, sha1);
        const CorpusInfo *info = findCorpus(file);
        QVERIFY(info);
        QCOMPARE(info->size, size);
        QCOMPARE(info->binary, binary);
        const QByteArray data = corpusData(file);
        QCOMPARE(data.size(), size);
        QCOMPARE(QCryptographicHash::hash(data, QCryptographicHash::Sha1).toHex(), sha1);
        // The text corpora are sent in arbitrary slices as text messages: ASCII only, so that no
        // slice cuts a UTF-8 sequence.
        if (!binary) {
            QVERIFY(std::all_of(data.begin(), data.end(), [](char c) { return uchar(c) < 0x80; }));
        }
        if (file.endsWith(u".json"_s)) {
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(data, &error);
            QCOMPARE(error.error, QJsonParseError::NoError);
            QVERIFY(doc.isArray() && doc.array().size() > 100);
        } else if (file.endsWith(u".bmp"_s)) {
            // BITMAPFILEHEADER + BITMAPINFOHEADER of a 512×512 8-bit image with a 256-entry
            // palette: 14 + 40 + 1024 + 512 × 512 = 263,222.
            const auto u16 = [&](int at) {
                return qFromLittleEndian<quint16>(data.constData() + at);
            };
            const auto u32 = [&](int at) {
                return qFromLittleEndian<quint32>(data.constData() + at);
            };
            QCOMPARE(data.left(2), "BM"_ba);
            QCOMPARE(u32(2), quint32(size));
            QCOMPARE(u32(10), quint32(14 + 40 + 1024));
            QCOMPARE(u32(14), quint32(40));
            QCOMPARE(qint32(u32(18)), 512);
            QCOMPARE(qint32(u32(22)), 512);
            QCOMPARE(u16(26), quint16(1));
            QCOMPARE(u16(28), quint16(8));
            QCOMPARE(u32(30), quint32(0)); // BI_RGB, uncompressed
            QCOMPARE(u32(34), quint32(512 * 512));
            QCOMPARE(u32(46), quint32(256));
        } else if (file.endsWith(u".pdf"_s)) {
            QVERIFY(data.startsWith("%PDF-1.4\n"));
            QVERIFY(data.endsWith("%%EOF\n"));
            // startxref points at the cross-reference table.
            const qsizetype at = data.lastIndexOf("startxref\n");
            QVERIFY(at > 0);
            const qint64 xref = data.mid(at + 10).split('\n').value(0).toLongLong();
            QVERIFY(data.mid(xref).startsWith("xref\n0 "));
        } else if (file.endsWith(u".html"_s)) {
            QVERIFY(data.startsWith("<!DOCTYPE html>\n<html"));
            QVERIFY(data.endsWith("</body>\n</html>\n"));
        } else {
            QVERIFY(data.contains("CHAPTER 1\r\n"));
            QVERIFY(data.endsWith("\r\n"));
        }
    }

    // 12.1.1 against the embedded QtWebSockets server, which accepts no extension: our offer
    // goes out, the answer has none, so the case is UNIMPLEMENTED and closes with 1000 at once
    // (no message sent, the wire log off from OPEN on, as in the reference).
    void deflateCaseWithoutTheExtensionIsUnimplemented()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        QElapsedTimer clock;
        clock.start();
        const CaseResult r = runCase(u"12.1.1"_s, echo.url(), 10000);
        QVERIFY(r.trace);
        QVERIFY2(clock.elapsed() < 3000, "must not wait for the case's 60 s timer");
        QCOMPARE(verdictText(r.verdict.behavior), u"UNIMPLEMENTED"_s);
        QCOMPARE(r.verdict.result, u"Actual events differ from any expected."_s);
        QCOMPARE(verdictText(r.verdict.closing.verdict), u"OK"_s);
        QVERIFY(r.closing.closedByMe);
        QCOMPARE(r.closing.localCloseCode, std::optional<int>(1000));
        QCOMPARE(r.closing.remoteCloseCode, std::optional<int>(1000));
        QVERIFY(handshakeRequestText(*r.trace).contains(
            u"Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; "
            u"client_max_window_bits\r\n"_s));
        // Only the close went out: no data frame, no timer.
        QCOMPARE(r.trace->statistics().txFrames, CountMap({{8, 1}}));
        const QStringList tags = wireLogTags(*r.trace);
        QCOMPARE(tags, QStringList({u"TO"_s, u"RO"_s, u"WLM"_s, u"TCP-PEER"_s}));
        // The report: UNIMPLEMENTED, the duration, no traffic statistics (no ratios).
        const QJsonObject json = caseJsonReport(r);
        QCOMPARE(json.value(u"behavior"_s).toString(), u"UNIMPLEMENTED"_s);
        QCOMPARE(json.value(u"reportTime"_s).toBool(), true);
        QCOMPARE(json.value(u"reportCompressionRatio"_s).toBool(), true);
        QVERIFY(json.value(u"trafficStats"_s).isNull());
        QCOMPARE(json.value(u"createWirelog"_s).toBool(), false);
    }

    // 13.7 offers three configurations in one header, in preference order.
    void deflateOffersGoIntoOneHeader()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        const CaseResult r = runCase(u"13.7.1"_s, echo.url(), 10000);
        QVERIFY(r.trace);
        QCOMPARE(verdictText(r.verdict.behavior), u"UNIMPLEMENTED"_s);
        const QString request = handshakeRequestText(*r.trace);
        QCOMPARE(request.count(u"Sec-WebSocket-Extensions:"_s), 1);
        QVERIFY2(request.contains(
                     u"Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; "
                     u"client_max_window_bits; server_no_context_takeover; "
                     u"server_max_window_bits=9, permessage-deflate; client_no_context_takeover; "
                     u"client_max_window_bits; server_no_context_takeover, permessage-deflate; "
                     u"client_no_context_takeover; client_max_window_bits\r\n"_s),
                 qPrintable(request));
    }

    // With the extension agreed (no context takeover both ways, so a peer may echo each
    // compressed frame as it came): 1000 echoes checked by SHA-1 → OK, with ratios; a peer that
    // echoes the previous message instead fails on the SHA-1, one that flips the type on it.
    void deflateEchoesCheckEveryMessage_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("peer");
        QTest::addColumn<QString>("behavior");
        QTest::addColumn<QString>("resultStart");
        QTest::addColumn<qint64>("maxTraceOctets");
        const qint64 budget = CaseRunner::Options().maxTraceOctets;
        QTest::newRow("12.1.1 echo") << u"12.1.1"_s << u"echo"_s << u"OK"_s
                                     << u"Ok, received all echo'ed messages in time."_s << budget;
        QTest::newRow("12.2.11 fragmented echo")
            << u"12.2.11"_s << u"echo"_s << u"OK"_s
            << u"Ok, received all echo'ed messages in time."_s << budget;
        // The trace stops storing after 1 MiB of 4 MB each way: the figures stay exact.
        QTest::newRow("12.1.5 past the trace's budget")
            << u"12.1.5"_s << u"echo"_s << u"OK"_s
            << u"Ok, received all echo'ed messages in time."_s << qint64(1 << 20);
        QTest::newRow("12.1.2 previous message")
            << u"12.1.2"_s << u"previous"_s << u"FAILED"_s
            << u"Echo'ed message contents differs from what I sent (got SHA1 "_s << budget;
        QTest::newRow("12.3.1 as text") << u"12.3.1"_s << u"flip"_s << u"FAILED"_s
                                        << u"Echo'ed message type differs from what I sent (got "
                                           u"binary False, expected binary True)."_s
                                        << budget;
    }
    void deflateEchoesCheckEveryMessage()
    {
        QFETCH(QString, id);
        QFETCH(QString, peer);
        QFETCH(QString, behavior);
        QFETCH(QString, resultStart);
        ScriptedPeer server;
        server.onHandshake = [](ScriptedPeer &p, const QByteArray &head) {
            p.send(ScriptedPeer::switchingProtocols(
                head, "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
                      "client_no_context_takeover\r\n"));
        };
        // Frames of the message being received, and those of the message before it.
        auto current = std::make_shared<std::vector<DecodedFrame>>();
        auto previous = std::make_shared<std::vector<DecodedFrame>>();
        server.onFrame = [peer, current, previous](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 8) {
                p.send(QByteArray::fromHex("880203e8"));
                p.closeGracefully();
                return;
            }
            current->push_back(f);
            if (!f.fin)
                return;
            const std::vector<DecodedFrame> &out =
                peer == u"previous"_s && !previous->empty() ? *previous : *current;
            for (const DecodedFrame &e : out) {
                FrameSpec spec;
                spec.opcode = e.opcode;
                if (peer == u"flip"_s && e.opcode != 0)
                    spec.opcode = e.opcode == 1 ? 2 : 1;
                spec.fin = e.fin;
                spec.rsv = e.rsv;
                spec.maskMode = MaskMode::None;
                spec.payload = e.payload;
                p.send(encodeFrame(spec));
            }
            *previous = std::move(*current);
            current->clear();
        };
        QFETCH(qint64, maxTraceOctets);
        const CaseResult r = runCase(id, server.url(), 60000, maxTraceOctets);
        QVERIFY(r.trace);
        QCOMPARE(r.trace->limitReached(), maxTraceOctets < 4'000'000);
        QCOMPARE(verdictText(r.verdict.behavior), behavior);
        QVERIFY2(r.verdict.result.startsWith(resultStart), qPrintable(r.verdict.result));
        QCOMPARE(verdictText(r.verdict.closing.verdict), u"OK"_s);
        const QJsonValue stats = caseJsonReport(r).value(u"trafficStats"_s);
        if (behavior == u"OK"_s) {
            QCOMPARE(r.trace->statistics().rxFrames.at(r.definition->messageBinary ? 2 : 1), 1000);
            // The ratio is wire over application octets (16-octet slices compressed without
            // context may grow a little: no bound below 1 holds for every row). The peer echoes
            // our compressed frames as they came, so both directions carry the same octets.
            QVERIFY(stats.isObject());
            const qint64 outWire = stats[u"outgoingOctetsWebSocketLevel"_s].toInteger();
            const qint64 outApp = stats[u"outgoingOctetsAppLevel"_s].toInteger();
            QCOMPARE(outApp, 1000 * r.definition->messageLength);
            QVERIFY(outWire > 0);
            QCOMPARE(stats[u"outgoingCompressionRatio"_s].toDouble(), double(outWire) / outApp);
            QCOMPARE(stats[u"incomingOctetsWebSocketLevel"_s].toInteger(), outWire);
            QCOMPARE(stats[u"incomingOctetsAppLevel"_s].toInteger(), outApp);
        } else {
            QVERIFY(stats.isNull());
        }
        // The wire log is back on after the verdict: the close is in it (a trace that stopped
        // storing has no frames past its stop, the close among them).
        QCOMPARE(wireLogTags(*r.trace).contains(u"TF"_s), !r.trace->limitReached());
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
