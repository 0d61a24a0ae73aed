// SPDX-License-Identifier: MIT
// The client session against real peers on loopback: a raw scripted QTcpServer for the closing
// situations of the seed reports and for misbehaving servers, and the embedded QtWebSockets echo
// server.
#include "echo/echoserver.h"
#include "scriptedpeer.h"
#include "session/session.h"
#include "testutils.h"
#include "trace/closing.h"

#include <QtTest>

using namespace wsi;
using namespace wsi::test;
using namespace Qt::StringLiterals;

namespace {

FrameSpec frameSpec(int opcode, const QByteArray &payload, bool fin = true, bool sync = false)
{
    FrameSpec f;
    f.opcode = opcode;
    f.payload = payload;
    f.fin = fin;
    f.sync = sync;
    return f;
}

// The steps of Autobahn case 5.19/5.20: fragments with two pings and a 1 s pause.
StepList case520Steps(bool sync, int chopSize = 0, double pause = 1.0)
{
    StepList steps;
    const auto add = [&](int opcode, const char *payload, bool fin) {
        FrameSpec f = frameSpec(opcode, payload, fin, sync);
        f.chopSize = chopSize;
        steps << Step::makeFrame(f);
    };
    add(1, "fragment1", false);
    add(0, "fragment2", false);
    add(9, "pongme 1!", true);
    Step d = timerStep(Step::Kind::Delay, pause);
    steps << d;
    add(0, "fragment3", false);
    add(0, "fragment4", false);
    add(9, "pongme 2!", true);
    add(0, "fragment5", true);
    steps << timerStep(Step::Kind::CloseAfter, 1.0);
    return steps;
}

// The reference client's automatic close once the expected events arrived (docs/cases.md §2.4).
ClientSession::EventHandler closeWhen(int expectedEvents)
{
    auto count = std::make_shared<int>(0);
    return [count, expectedEvents](ClientSession &s, const PeerEvent &) {
        if (++*count == expectedEvents)
            s.close(1000, {});
    };
}

} // namespace

class tst_Session : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // --- the four closing situations of the seed reports --------------------------------------

    // autobahnserver-case-7.1.2: two closes, the peer replies once and drops TCP: clean, OK.
    void cleanCloseDroppedByPeer()
    {
        ScriptedPeer peer;
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 8 && p.frames().size() == 1) {
                p.send(serverClose(1000));
                p.closeGracefully();
            }
        };
        SessionRun run;
        runSession(run, settingsFor(peer.url()),
                   {closeStep(1000), Step::makeFrame(frameSpec(8, {})),
                    timerStep(Step::Kind::FailAfter, 1.0)});
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.closedByMe, true);
        QCOMPARE(b.failedByMe, false);
        QCOMPARE(b.droppedByMe, false);
        QCOMPARE(b.wasClean, true);
        QCOMPARE(b.wasNotCleanReason, std::nullopt);
        QCOMPARE(b.localCloseCode, std::optional<int>(1000));
        QCOMPARE(b.remoteCloseCode, std::optional<int>(1000));
        QCOMPARE(verdictText(closingVerdict(b, ExpectedClose{true, {1000}, true}).verdict),
                 u"OK"_s);
        QCOMPARE(wireLogTags(run.trace),
                 QStringList({u"TO"_s, u"RO"_s, u"TF"_s, u"TO"_s, u"TF"_s, u"TO"_s, u"KL"_s,
                              u"RO"_s, u"RF"_s, u"TCP-PEER"_s}));
        // Both closes reached the peer, the second one empty and masked.
        QCOMPARE(peer.frames().size(), size_t(2));
        QCOMPARE(peer.frames()[1].opcode, quint8(8));
        QCOMPARE(peer.frames()[1].payloadLength, quint64(0));
        QVERIFY(peer.frames()[1].masked);
        // Statistics as in the seed: TX chops 6, 8 and the handshake; RX 4 and the handshake.
        const WireStatistics &st = run.trace.statistics();
        QCOMPARE(st.txFrames, (CountMap{{8, 2}}));
        QCOMPARE(st.rxFrames, (CountMap{{8, 1}}));
        QCOMPARE(st.txOctets.at(6), 1);
        QCOMPARE(st.txOctets.at(8), 1);
        QCOMPARE(st.rxOctets.at(4), 1);
    }

    // websock-secure-server-case-5.20: the peer drops TCP instead of replying to our close.
    void peerDropsWithoutClosingHandshake()
    {
        ScriptedPeer peer;
        QByteArray message;
        peer.onFrame = [&message](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 9)
                p.send(QByteArray::fromHex("8a") + char(f.payload.size()) + f.payload);
            else if (f.opcode == 1 || f.opcode == 0) {
                message += f.payload;
                if (f.fin)
                    p.send(QByteArray::fromHex("81") + char(message.size()) + message);
            } else if (f.opcode == 8) {
                p.drop();
            }
        };
        SessionRun run;
        runSession(run, settingsFor(peer.url()), case520Steps(true, 0, 0.3), closeWhen(3));
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.closedByMe, true);
        QCOMPARE(b.droppedByMe, false);
        QCOMPARE(b.wasClean, false);
        QCOMPARE(b.wasNotCleanReason,
                 std::optional<QString>(
                     u"peer dropped the TCP connection without previous WebSocket closing "
                     "handshake"_s));
        QCOMPARE(b.localCloseCode, std::optional<int>(1000));
        QCOMPARE(b.remoteCloseCode, std::nullopt);
        const ClosingVerdict v = closingVerdict(b, ExpectedClose{true, {1000}, true});
        QCOMPARE(verdictText(v.verdict), u"UNCLEAN"_s);
        QCOMPARE(v.text, u"The spec requires the connection to be failed cleanly here"_s);
        // The seed's wire-log order for a synced burst: TF1 TO1 TF2 TF3 DELAY TO2 TO3 …
        const QStringList tags = wireLogTags(run.trace);
        QCOMPARE(tags.mid(2, 7),
                 QStringList({u"TF"_s, u"TO"_s, u"TF"_s, u"TF"_s, u"CT"_s, u"TO"_s, u"TO"_s}));
        QCOMPARE(tags.last(), u"TCP-PEER"_s);
        QCOMPARE(run.trace.statistics().txFrames, (CountMap{{0, 4}, {1, 1}, {8, 1}, {9, 2}}));
        // Every synced frame was its own write (15 octets each) plus the 8-octet close.
        QCOMPARE(run.trace.statistics().txOctets.at(15), 7);
        QCOMPARE(run.trace.statistics().txOctets.at(8), 1);
    }

    // microsoft-httpapi-case-2.2: the server answers the close but never drops TCP.
    void serverDoesNotDropTcp()
    {
        ScriptedPeer peer;
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 9)
                p.send(QByteArray::fromHex("8a") + char(f.payload.size()) + f.payload);
            else if (f.opcode == 8)
                p.send(QByteArray::fromHex("8800")); // empty close, TCP stays open
        };
        Step ping = Step::makeKind(Step::Kind::Ping);
        ping.payload = "Hello, world!";
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {ping, timerStep(Step::Kind::CloseAfter, 1.0)},
                   closeWhen(1));
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.closedByMe, true);
        QCOMPARE(b.failedByMe, false);
        QCOMPARE(b.droppedByMe, true);
        QCOMPARE(b.wasClean, false);
        QCOMPARE(b.wasServerConnectionDropTimeout, true);
        QCOMPARE(b.wasNotCleanReason,
                 std::optional<QString>(u"server did not drop TCP connection (in time)"_s));
        QCOMPARE(b.localCloseCode, std::optional<int>(1000));
        QCOMPARE(b.remoteCloseCode, std::nullopt);
        QCOMPARE(verdictText(closingVerdict(b, ExpectedClose{true, {1000}, true}).verdict),
                 u"UNCLEAN"_s);
        QCOMPARE(wireLogTags(run.trace),
                 QStringList({u"TO"_s, u"RO"_s, u"TF"_s, u"TO"_s, u"TI"_s, u"RO"_s, u"RF"_s,
                              u"TF"_s, u"TO"_s, u"RO"_s, u"RF"_s, u"TIE"_s, u"TCP-ME"_s}));
        QCOMPARE(run.trace.statistics().txFrames, (CountMap{{8, 1}, {9, 1}}));
        QCOMPARE(run.trace.statistics().rxFrames, (CountMap{{8, 1}, {10, 1}}));
    }

    // wslay-case-3.6: a frame with RSV = 6 is answered with close 1002; we reply, the peer drops.
    void rsvAnsweredWithProtocolError()
    {
        ScriptedPeer peer;
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.rsv != 0)
                p.send(serverClose(1002));
            else if (f.opcode == 8)
                p.closeGracefully();
        };
        FrameSpec f = frameSpec(2, "Hello, world!");
        f.rsv = 6;
        SessionRun run;
        runSession(run, settingsFor(peer.url()),
                   {Step::makeFrame(f), timerStep(Step::Kind::FailAfter, 1.0)});
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.closedByMe, false);
        QCOMPARE(b.failedByMe, false);
        QCOMPARE(b.droppedByMe, false);
        QCOMPARE(b.wasClean, true);
        QCOMPARE(b.localCloseCode, std::optional<int>(1000));
        QCOMPARE(b.remoteCloseCode, std::optional<int>(1002));
        QCOMPARE(verdictText(closingVerdict(b, ExpectedClose{false, {1002}, false}).verdict),
                 u"OK"_s);
        QCOMPARE(wireLogTags(run.trace),
                 QStringList({u"TO"_s, u"RO"_s, u"TF"_s, u"TO"_s, u"KL"_s, u"RO"_s, u"RF"_s,
                              u"TF"_s, u"TO"_s, u"TCP-PEER"_s}));
        // The peer saw exactly our frame: RSV 6, opcode 2, masked.
        QCOMPARE(peer.frames().front().rsv, quint8(6));
        QCOMPARE(peer.frames().front().opcode, quint8(2));
        QCOMPARE(peer.frames().front().payload, QByteArray("Hello, world!"));
        // Our own frame is marked in the trace with the rule it broke, as the peer's parser saw
        // it; our reply close breaks none.
        std::vector<Violations> tx;
        for (const FrameRecord &r : run.trace.frames())
            if (r.direction == Direction::Tx)
                tx.push_back(r.violations);
        QCOMPARE(tx.size(), size_t(2));
        QCOMPARE(tx[0], Violations(Violation::RsvWithoutExtension));
        QCOMPARE(tx[0], peer.frames().front().violations);
        QCOMPARE(tx[1], Violations());
    }

    // --- chop and sync against the embedded echo server ---------------------------------------

    void chopOneOctetReachesEchoServerIntact()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        SessionRun run;
        runSession(run, settingsFor(echo.url()), case520Steps(true, 1, 0.2), closeWhen(3));
        QVERIFY(run.finished);
        // The echo came back whole, the pongs in order: the server read every chopped frame.
        QStringList rx;
        for (const FrameRecord &f : run.trace.frames()) {
            if (f.direction == Direction::Rx && (f.opcode == 1 || f.opcode == 10))
                rx << QString::fromUtf8(run.trace.framePayload(f));
        }
        QCOMPARE(rx, QStringList({u"pongme 1!"_s, u"pongme 2!"_s,
                                  u"fragment1fragment2fragment3fragment4fragment5"_s}));
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.wasClean, true);
        QCOMPARE(b.remoteCloseCode, std::optional<int>(1000));
        // One TX chop per octet of the 7 chopped frames (15 octets each), the close unchopped.
        const WireStatistics &st = run.trace.statistics();
        QCOMPARE(st.txOctets.at(1), 7 * 15);
        QCOMPARE(st.txOctets.at(8), 1);
    }

    void chopOneOctetIsByteIdenticalOnTheWire()
    {
        ScriptedPeer peer;
        SessionRun run;
        StepList steps = case520Steps(true, 1, 0.1);
        steps.removeLast(); // no close-after timer
        steps << Step::makeKind(Step::Kind::Drop);
        // Give the drain queue time: drop only after a pause longer than 120 event-loop turns.
        steps.insert(steps.size() - 1, timerStep(Step::Kind::Delay, 0.5));
        runSession(run, settingsFor(peer.url()), steps);
        QVERIFY(run.finished);
        QByteArray sent;
        for (const FrameRecord &f : run.trace.frames()) {
            if (f.direction == Direction::Tx)
                sent += run.trace.frameOctets(f);
        }
        QCOMPARE(sent.size(), 7 * 15);
        QTRY_COMPARE(peer.frameOctets(), sent);
        QCOMPARE(peer.frames().size(), size_t(7));
        QCOMPARE(run.trace.statistics().txOctets.at(1), 7 * 15);
    }

    // --- misbehaving servers: each ends in a named diagnostic within its timeout --------------

    void connectionRefused()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        SessionRun run;
        runSession(run, settingsFor(QUrl(u"ws://127.0.0.1:%1/"_s.arg(port))), {});
        QVERIFY(run.finished);
        QVERIFY(hasEvent(run.trace, TraceEvent::Kind::Error));
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.wasOpen, false);
        QVERIFY(b.wasNotCleanReason->contains(u"refused"_s, Qt::CaseInsensitive));
        QCOMPARE(closingVerdict(b, {}).text,
                 u"The WebSocket opening handshake was never completed!"_s);
    }

    void handshakeFailures_data()
    {
        QTest::addColumn<QByteArray>("response");
        QTest::addColumn<QString>("failure");
        QTest::newRow("garbage status line")
            << QByteArray("garbage\r\n\r\n") << u"Bad HTTP response status line 'garbage'"_s;
        QTest::newRow("wrong accept")
            << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n")
            << u"HTTP Sec-WebSocket-Accept bogus value"_s;
        QTest::newRow("404") << QByteArray("HTTP/1.1 404 Not Found\r\n\r\n")
                             << u"WebSocket connection upgrade failed (404"_s;
    }
    void handshakeFailures()
    {
        QFETCH(QByteArray, response);
        QFETCH(QString, failure);
        ScriptedPeer peer;
        peer.onHandshake = [response](ScriptedPeer &p, const QByteArray &) { p.send(response); };
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {});
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.wasOpen, false);
        QCOMPARE(b.droppedByMe, true);
        QVERIFY2(b.wasNotCleanReason && b.wasNotCleanReason->startsWith(failure),
                 qPrintable(b.wasNotCleanReason.value_or(u"None"_s)));
    }

    void serverNeverAnswers()
    {
        ScriptedPeer peer;
        peer.onHandshake = [](ScriptedPeer &, const QByteArray &) {};
        SessionSettings s = settingsFor(peer.url());
        s.openHandshakeTimeoutMs = 400;
        SessionRun run;
        runSession(run, s, {});
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.wasOpenHandshakeTimeout, true);
        QCOMPARE(b.droppedByMe, true);
        QCOMPARE(b.wasNotCleanReason,
                 std::optional<QString>(u"peer did not finish (in time) the opening handshake"_s));
    }

    void serverTricklesOneOctetAtATime()
    {
        ScriptedPeer peer;
        auto *timer = new QTimer(&peer);
        peer.onHandshake = [timer](ScriptedPeer &p, const QByteArray &head) {
            const QByteArray answer = ScriptedPeer::switchingProtocols(head);
            auto pos = std::make_shared<qsizetype>(0);
            QObject::connect(timer, &QTimer::timeout, &p, [&p, answer, pos] {
                if (*pos < answer.size())
                    p.send(answer.mid((*pos)++, 1));
            });
            timer->start(100);
        };
        SessionSettings s = settingsFor(peer.url());
        s.openHandshakeTimeoutMs = 700;
        SessionRun run;
        runSession(run, s, {});
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.wasOpenHandshakeTimeout, true);
        QVERIFY(run.trace.statistics().rxOctets.at(1) >= 3); // one octet per read arrived
    }

    void hugeDeclaredLengthFailsFast()
    {
        ScriptedPeer peer;
        peer.onHandshake = [](ScriptedPeer &p, const QByteArray &head) {
            // 2^63 length: top bit set (a violation) and far beyond any size limit.
            p.send(ScriptedPeer::switchingProtocols(head) +
                   QByteArray::fromHex("827f8000000000000000") + QByteArray(1000, 'x'));
        };
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {});
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.failedByMe, true);
        QCOMPARE(b.closedByMe, true);
        QCOMPARE(b.localCloseCode, std::optional<int>(1002));
        QCOMPARE(b.wasCloseHandshakeTimeout, true);
        // The unfinished frame is in the trace, flagged, its payload not held in memory.
        const FrameRecord &last = run.trace.frames().back();
        QVERIFY(last.incomplete);
        QVERIFY(last.violations.testFlag(Violation::Length64TopBit));
        QVERIFY(last.payload.size() <= 1000);
    }

    void receivedOctetsAreKeptWhereTheyWereRead()
    {
        // 8 MiB in 64 KiB reads: the trace keeps each read as the session read it, in the
        // session's blocks, with no copy of its own (README, "Speed"): consecutive reads are
        // consecutive in memory, except where a new block starts.
        ScriptedPeer peer;
        peer.onHandshake = [](ScriptedPeer &p, const QByteArray &head) {
            p.send(ScriptedPeer::switchingProtocols(head) + QByteArray::fromHex("827f") +
                   QByteArray::fromHex("0000000000800000") + QByteArray(8 << 20, 'q'));
            p.send(QByteArray::fromHex("880203e8"));
        };
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 8)
                p.closeGracefully();
        };
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {});
        QVERIFY(run.finished);
        std::vector<const OctetChunk *> rx;
        qint64 octets = 0;
        for (const OctetChunk &c : run.trace.chunks()) {
            if (c.direction == Direction::Rx) {
                rx.push_back(&c);
                octets += c.size;
                QVERIFY(c.isComplete());
            }
        }
        QVERIFY(octets > (8 << 20));
        QVERIFY(rx.size() >= 128);
        size_t follows = 0;
        for (size_t i = 1; i < rx.size(); ++i) {
            if (rx[i]->data.constData() == rx[i - 1]->data.constData() + rx[i - 1]->data.size())
                ++follows;
        }
        // Blocks of 16 KiB doubling to 4 MiB: at most a dozen reads start a block.
        QVERIFY2(follows + 12 >= rx.size() - 1,
                 qPrintable(u"%1 of %2"_s.arg(follows).arg(rx.size())));
        QCOMPARE(run.trace.frameCount(Direction::Rx), qint64(2));
    }

    void floodOverSizeLimitStaysBounded()
    {
        ScriptedPeer peer;
        auto *pump = new QTimer(&peer);
        peer.onHandshake = [pump](ScriptedPeer &p, const QByteArray &head) {
            // One 100 MiB binary frame, streamed as fast as the socket takes it.
            p.send(ScriptedPeer::switchingProtocols(head) + QByteArray::fromHex("827f") +
                   QByteArray::fromHex("0000000006400000"));
            auto sent = std::make_shared<qint64>(0);
            QObject::connect(pump, &QTimer::timeout, &p, [&p, sent, pump] {
                const QByteArray block(1 << 20, 'z');
                for (int i = 0; i < 8 && *sent < (qint64(100) << 20); ++i, *sent += block.size())
                    p.send(block);
                if (*sent >= (qint64(100) << 20))
                    pump->stop();
            });
            pump->start(0);
        };
        SessionSettings s = settingsFor(peer.url());
        s.maxFramePayload = 1 << 20; // 1 MiB size limit
        SessionRun run;
        run.trace = Trace(Trace::Limits{8 << 20, 1000000});
        runSession(run, s, {});
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.failedByMe, true);
        QCOMPARE(b.localCloseCode, std::optional<int>(1009));
        qint64 stored = 0;
        for (const OctetChunk &c : run.trace.chunks())
            stored += c.data.size();
        QVERIFY2(stored <= (9 << 20), qPrintable(QString::number(stored)));
        for (const FrameRecord &f : run.trace.frames())
            QVERIFY(f.payload.size() <= (1 << 20));
    }

    void maskedServerFrameFailsWithProtocolError()
    {
        ScriptedPeer peer;
        peer.onHandshake = [](ScriptedPeer &p, const QByteArray &head) {
            FrameSpec f;
            f.opcode = 1;
            f.payload = "masked";
            f.maskMode = MaskMode::Fixed;
            f.maskKey = 0x01020304;
            p.send(ScriptedPeer::switchingProtocols(head) + encodeFrame(f));
        };
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 8) {
                p.send(serverClose(1000));
                p.closeGracefully();
            }
        };
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {});
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.failedByMe, true);
        QCOMPARE(b.localCloseCode, std::optional<int>(1002));
        QCOMPARE(b.wasClean, true);
        const auto rx = std::find_if(
            run.trace.frames().begin(), run.trace.frames().end(),
            [](const FrameRecord &f) { return f.direction == Direction::Rx && f.opcode == 1; });
        QVERIFY(rx != run.trace.frames().end());
        QVERIFY(rx->violations.testFlag(Violation::MaskedServerFrame));
        QCOMPARE(run.trace.framePayload(*rx), QByteArray("masked"));
    }

    // --- user actions --------------------------------------------------------------------------

    void failSendsGoingAway()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        SessionRun run;
        runSession(run, settingsFor(echo.url()), {Step::makeKind(Step::Kind::Fail)});
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.failedByMe, true);
        QCOMPARE(b.closedByMe, true);
        QCOMPARE(b.localCloseCode, std::optional<int>(1001));
        QCOMPARE(b.localCloseReason, std::optional<QByteArray>("Going Away"));
        QCOMPARE(b.wasClean, true);
    }

    void dropIsImmediate()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        SessionRun run;
        runSession(run, settingsFor(echo.url()), {Step::makeKind(Step::Kind::Drop)});
        QVERIFY(run.finished);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.droppedByMe, true);
        QCOMPARE(b.wasClean, false);
        QCOMPARE(b.wasNotCleanReason, std::nullopt);
        QCOMPARE(wireLogTags(run.trace).last(), u"TCP-ME"_s);
    }

    void illegalCloseCodeIsSentAsGiven()
    {
        ScriptedPeer peer;
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 8) {
                p.send(serverClose(1002));
                p.closeGracefully();
            }
        };
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {closeStep(1005, "\xff\xfe")});
        QVERIFY(run.finished);
        QCOMPARE(peer.frames().front().payload, QByteArray("\x03\xed\xff\xfe", 4));
        QVERIFY(peer.frames().front().violations.testFlag(Violation::InvalidCloseCode));
        // Our close is marked in the trace with the rules it broke, as the peer's parser saw it.
        std::optional<Violations> ours;
        for (const FrameRecord &r : run.trace.frames())
            if (r.direction == Direction::Tx && !ours)
                ours = r.violations;
        QVERIFY(ours);
        QCOMPARE(*ours, peer.frames().front().violations);
        QCOMPARE(*ours,
                 Violations(Violation::InvalidCloseCode) | Violation::InvalidUtf8CloseReason);
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.localCloseCode, std::optional<int>(1005));
        QCOMPARE(closingFieldValue(b, "localCloseReason"), u"fffe"_s);
    }

    // Our half-close is a FIN: the peer's socket sees the end of input and closes in turn. Had
    // no FIN been sent, the peer would wait and we would drop TCP at the server-drop timeout.
    void halfCloseSendsFin()
    {
        ScriptedPeer peer;
        SessionRun run;
        Step msg = Step::makeKind(Step::Kind::Message);
        msg.payload = "before FIN";
        SessionSettings s = settingsFor(peer.url());
        s.serverDropTimeoutMs = 60'000; // far longer than the test: only a FIN ends it in time
        runSession(run, s, {msg, Step::makeKind(Step::Kind::HalfClose)});
        QVERIFY(run.finished);
        QVERIFY(hasEvent(run.trace, TraceEvent::Kind::HalfClosed));
        QTRY_VERIFY(peer.clientGone());
        QCOMPARE(peer.frames().front().payload, QByteArray("before FIN"));
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.droppedByMe, false);
        QVERIFY2(tcpEndedByPeer(b.tcpEnd), qPrintable(tcpEndDescription(b)));
        QVERIFY(!b.wasServerConnectionDropTimeout);
    }

    // Each step reports its start with the run's tag and its index; stopSteps() during a delay
    // drops the rest (the delay ends without a DELAY TIMEOUT, nothing more reaches the peer) and
    // ends the steps once; a trailing delay ends them once it is over.
    void stepsStartStopAndFinish()
    {
        ScriptedPeer peer;
        SessionHost host;
        Trace trace;
        QObject::connect(&host, &SessionHost::traceBatch, &host,
                         [&trace](const TraceBatchPtr &batch) { trace.append(std::move(*batch)); });
        SessionState state = SessionState::Idle;
        QObject::connect(&host, &SessionHost::stateChanged, &host,
                         [&state](SessionState s) { state = s; });
        QSignalSpy started(&host, &SessionHost::stepStarted);
        QSignalSpy finished(&host, &SessionHost::stepsFinished);
        host.start(settingsFor(peer.url()));
        QTRY_COMPARE(state, SessionState::Open);
        const auto message = [](const char *text) {
            Step s = Step::makeKind(Step::Kind::Message);
            s.payload = text;
            return s;
        };
        const auto payloads = [&peer] {
            QList<QByteArray> out;
            for (const DecodedFrame &f : peer.frames())
                out << f.payload;
            return out;
        };
        const auto startedAt = [&started](qsizetype i) {
            return std::pair(started.at(i).at(0).toInt(), started.at(i).at(1).toInt());
        };

        host.runSteps({message("one"), timerStep(Step::Kind::Delay, 0.4), message("two")}, 7);
        QTRY_COMPARE(started.size(), 2);
        QCOMPARE(startedAt(0), std::pair(7, 0));
        QCOMPARE(startedAt(1), std::pair(7, 1));
        QTRY_COMPARE(payloads(), QList<QByteArray>{"one"});
        host.stopSteps();
        QTRY_COMPARE(finished.size(), 1);

        // Past the end the stopped delay had: a longer one, started later, then a message.
        host.runSteps({timerStep(Step::Kind::Delay, 0.6), message("after")}, 8);
        QTRY_COMPARE(payloads(), (QList<QByteArray>{"one", "after"}));
        QTRY_COMPARE(finished.size(), 2);
        QCOMPARE(started.size(), 4);
        QCOMPARE(startedAt(2), std::pair(8, 0));
        QCOMPARE(startedAt(3), std::pair(8, 1));

        // A trailing delay: the steps end once it is over, exactly once.
        host.runSteps({message("last"), timerStep(Step::Kind::Delay, 0.2)}, 9);
        QTRY_COMPARE(finished.size(), 3);
        QCOMPARE(started.size(), 6);
        host.runSteps({message("end")}, 10);
        QTRY_COMPARE(payloads(), (QList<QByteArray>{"one", "after", "last", "end"}));
        QTRY_COMPARE(finished.size(), 4);

        // Stopping with nothing pending does nothing.
        host.stopSteps();
        host.invoke([](ClientSession &s) { s.close(1000, {}); });
        QTRY_COMPARE(state, SessionState::Closed);
        QCOMPARE(finished.size(), 4);

        int timeouts = 0;
        for (const TraceEvent &e : trace.events())
            timeouts += e.kind == TraceEvent::Kind::DelayTimeout;
        QCOMPARE(timeouts, 2); // not the stopped one
    }

    void noAutoPongWhenSwitchedOff()
    {
        ScriptedPeer peer;
        peer.onHandshake = [](ScriptedPeer &p, const QByteArray &head) {
            p.send(ScriptedPeer::switchingProtocols(head) + QByteArray::fromHex("8902") + "hi");
        };
        SessionSettings s = settingsFor(peer.url());
        s.autoPong = false;
        SessionRun run;
        runSession(run, s, {timerStep(Step::Kind::Delay, 0.3), Step::makeKind(Step::Kind::Drop)});
        QVERIFY(run.finished);
        QCOMPARE(run.trace.statistics().txFrames.count(10), size_t(0));
        QCOMPARE(run.trace.statistics().rxFrames.at(9), 1);

        ScriptedPeer peer2;
        peer2.onHandshake = peer.onHandshake;
        SessionRun run2;
        runSession(run2, settingsFor(peer2.url()),
                   {timerStep(Step::Kind::Delay, 0.3), Step::makeKind(Step::Kind::Drop)});
        QCOMPARE(run2.trace.statistics().txFrames.at(10), 1);
        QTRY_COMPARE(peer2.frames().size(), size_t(1));
        QCOMPARE(peer2.frames().front().payload, QByteArray("hi"));
    }

    void fragmentedMessageWithExactMultipleAddsEmptyFinal()
    {
        ScriptedPeer peer;
        Step msg = Step::makeKind(Step::Kind::Message);
        msg.payload = "abcdef";
        msg.fragmentSize = 2;
        SessionRun run;
        runSession(run, settingsFor(peer.url()),
                   {msg, timerStep(Step::Kind::Delay, 0.2), Step::makeKind(Step::Kind::Drop)});
        QTRY_COMPARE(peer.frames().size(), size_t(4));
        QCOMPARE(peer.frames()[0].opcode, quint8(1));
        QCOMPARE(peer.frames()[0].fin, false);
        QCOMPARE(peer.frames()[2].fin, false);
        QCOMPARE(peer.frames()[3].opcode, quint8(0));
        QCOMPARE(peer.frames()[3].fin, true);
        QCOMPARE(peer.frames()[3].payloadLength, quint64(0));
    }

    void tlsEchoWithAndWithoutTrust()
    {
        EchoServer echo;
        EchoServer::Options o;
        o.tls = true;
        QVERIFY(echo.listen(o));
        Step msg = Step::makeKind(Step::Kind::Message);
        msg.payload = "over TLS";

        // Self-signed and not trusted: the certificate error is recorded and the connection fails.
        SessionRun refused;
        runSession(refused, settingsFor(echo.url()), {msg, closeStep(1000)});
        QVERIFY(refused.finished);
        QVERIFY(hasEvent(refused.trace, TraceEvent::Kind::CertificateError));
        QCOMPARE(analyzeClosing(refused.trace).wasOpen, false);

        // Ignoring certificate errors: the exchange works, and the errors are still recorded.
        SessionSettings insecure = settingsFor(echo.url());
        insecure.ignoreCertificateErrors = true;
        SessionRun run;
        runSession(run, insecure, {msg, timerStep(Step::Kind::Delay, 0.3), closeStep(1000)});
        QVERIFY(run.finished);
        QVERIFY(hasEvent(run.trace, TraceEvent::Kind::CertificateError));
        const ClosingBehavior b = analyzeClosing(run.trace);
        QCOMPARE(b.wasClean, true);
        bool echoed = false;
        for (const FrameRecord &f : run.trace.frames())
            echoed |= f.direction == Direction::Rx && run.trace.framePayload(f) == "over TLS";
        QVERIFY(echoed);

        // Trusting the bundled CA file instead: no errors at all.
        QTemporaryFile ca;
        QVERIFY(ca.open());
        ca.write(EchoServer::certificatePem());
        ca.flush();
        SessionSettings trusted = settingsFor(echo.url());
        trusted.caFile = ca.fileName();
        SessionRun run2;
        runSession(run2, trusted, {msg, timerStep(Step::Kind::Delay, 0.3), closeStep(1000)});
        QVERIFY(run2.finished);
        QVERIFY(!hasEvent(run2.trace, TraceEvent::Kind::CertificateError));
        QCOMPARE(analyzeClosing(run2.trace).wasClean, true);
    }
};

QTEST_GUILESS_MAIN(tst_Session)
#include "tst_session.moc"
