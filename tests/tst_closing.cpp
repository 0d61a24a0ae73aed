// SPDX-License-Identifier: MIT
// The closing behaviour derived from trace events (docs/closing.md §1–§3) and the verdict
// rules of docs/closing.md §7.2, one row per rule.
#include "trace/closing.h"

#include <QtTest>

#include <functional>

using namespace wsi;
using namespace Qt::StringLiterals;

namespace {

struct Builder
{
    Trace trace;
    qint64 t = 0;
    Builder &state(SessionState s)
    {
        TraceEvent e;
        e.timeNs = t += 1000;
        e.kind = TraceEvent::Kind::StateChanged;
        e.state = s;
        trace.append(TraceRecord(e));
        return *this;
    }
    Builder &event(TraceEvent::Kind kind, std::optional<int> code = std::nullopt,
                   QByteArray reason = {}, bool flag = false, QString text = {})
    {
        TraceEvent e;
        e.timeNs = t += 1000;
        e.kind = kind;
        e.code = code;
        e.reason = reason;
        e.flag = flag;
        e.text = text;
        trace.append(TraceRecord(e));
        return *this;
    }
    Builder &open() { return state(SessionState::Connecting).state(SessionState::Open); }
    // A frame we sent, with what the core's rules found in it.
    Builder &txFrame(int opcode, Violations violations = {})
    {
        FrameRecord f;
        f.timeNs = t += 1000;
        f.direction = Direction::Tx;
        f.opcode = quint8(opcode);
        f.violations = violations;
        trace.append(TraceRecord(f));
        return *this;
    }
    Builder &closeSent(std::optional<int> code, bool reply = false, double timerSeconds = 0)
    {
        TraceEvent e;
        e.timeNs = t += 1000;
        e.kind = TraceEvent::Kind::CloseSent;
        e.code = code;
        e.flag = reply;
        e.seconds = timerSeconds;
        trace.append(TraceRecord(e));
        return *this;
    }
    Builder &tcpEnded(TcpEnd end, bool droppedByUs = false)
    {
        if (droppedByUs)
            event(TraceEvent::Kind::DroppedByMe);
        TraceEvent e;
        e.timeNs = t += 1000;
        e.kind = TraceEvent::Kind::TcpClosed;
        e.tcpEnd = end;
        trace.append(TraceRecord(e));
        return state(SessionState::Closed);
    }
    Builder &tcpClosed()
    {
        event(TraceEvent::Kind::TcpClosed);
        return state(SessionState::Closed);
    }
};

} // namespace

class tst_Closing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanCloseByMe()
    {
        Builder b;
        b.open().event(TraceEvent::Kind::CloseSent, 1000).state(SessionState::Closing);
        b.event(TraceEvent::Kind::CloseReceived, 1000, "bye").tcpClosed();
        const ClosingBehavior c = analyzeClosing(b.trace);
        QVERIFY(c.closedByMe && c.wasClean && !c.droppedByMe && !c.failedByMe);
        QCOMPARE(c.remoteCloseReason, std::optional<QString>(u"bye"_s));
        QCOMPARE(closingFieldValue(c, "wasNotCleanReason"), u"None"_s);
        QCOMPARE(closingFieldValue(c, "localCloseReason"), u"None"_s);
        QCOMPARE(closingFieldValue(c, "remoteCloseCode"), u"1000"_s);
        QCOMPARE(verdictText(closingVerdict(c, {}).verdict), u"OK"_s);
        QCOMPARE(closingVerdict(c, {}).text, u"Connection was properly closed"_s);
        QVERIFY(c.closeSentNs > 0 && c.closeReceivedNs > c.closeSentNs &&
                c.tcpClosedNs > c.closeReceivedNs);
    }

    void peerInitiatedCloseIsNotClosedByMe()
    {
        Builder b;
        b.open().event(TraceEvent::Kind::CloseReceived, 1002);
        b.event(TraceEvent::Kind::CloseSent, 1000, {}, true).state(SessionState::Closing);
        b.tcpClosed();
        const ClosingBehavior c = analyzeClosing(b.trace);
        QCOMPARE(c.closedByMe, false);
        QCOMPARE(c.wasClean, true);
        QCOMPARE(c.localCloseCode, std::optional<int>(1000));
        QCOMPARE(verdictText(closingVerdict(c, ExpectedClose{false, {1002}, false}).verdict),
                 u"OK"_s);
    }

    void rejectedCloseCodeIsNotClean()
    {
        Builder b;
        b.open().event(TraceEvent::Kind::CloseReceived, 999, {}, true);
        b.event(TraceEvent::Kind::FailedByMe);
        b.event(TraceEvent::Kind::CloseSent, 1002).state(SessionState::Closing).tcpClosed();
        const ClosingBehavior c = analyzeClosing(b.trace);
        // The reference resets the remote code before its check; a rejected close leaves it unset.
        QCOMPARE(c.remoteCloseCode, std::optional<int>());
        QCOMPARE(c.closeRejected, true);
        QCOMPARE(c.rejectedCloseCode, std::optional<int>(999));
        QCOMPARE(c.wasClean, false);
        QCOMPARE(c.failedByMe, true);
        QCOMPARE(c.wasNotCleanReason,
                 std::optional<QString>(
                     u"peer dropped the TCP connection without previous WebSocket closing "
                     "handshake"_s));
    }

    void timeoutsAndTheirReasons_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("reason");
        QTest::newRow("close handshake")
            << int(TraceEvent::Kind::CloseHandshakeTimeout)
            << u"peer did not respond (in time) in closing handshake"_s;
        QTest::newRow("server drop") << int(TraceEvent::Kind::ServerDropTimeout)
                                     << u"server did not drop TCP connection (in time)"_s;
    }
    void timeoutsAndTheirReasons()
    {
        QFETCH(int, kind);
        QFETCH(QString, reason);
        Builder b;
        b.open().event(TraceEvent::Kind::CloseSent, 1000).state(SessionState::Closing);
        if (kind == int(TraceEvent::Kind::ServerDropTimeout))
            b.event(TraceEvent::Kind::CloseReceived);
        b.event(TraceEvent::Kind(kind)).event(TraceEvent::Kind::DroppedByMe).tcpClosed();
        const ClosingBehavior c = analyzeClosing(b.trace);
        QCOMPARE(c.wasClean, false);
        QCOMPARE(c.droppedByMe, true);
        QCOMPARE(c.wasNotCleanReason, std::optional<QString>(reason));
        QCOMPARE(c.wasCloseHandshakeTimeout, kind == int(TraceEvent::Kind::CloseHandshakeTimeout));
        QCOMPARE(c.wasServerConnectionDropTimeout,
                 kind == int(TraceEvent::Kind::ServerDropTimeout));
        QCOMPARE(verdictText(closingVerdict(c, {}).verdict), u"UNCLEAN"_s);
    }

    void verdictRules_data()
    {
        QTest::addColumn<bool>("opened");
        QTest::addColumn<bool>("closedByMe");
        QTest::addColumn<bool>("clean");
        QTest::addColumn<int>("remoteCode"); // -1: none
        QTest::addColumn<bool>("droppedByMe");
        QTest::addColumn<QString>("verdict");
        QTest::addColumn<QString>("text");
        // Expectation in every row: me, [1000], clean.
        QTest::newRow("1 never open") << false << true << true << 1000 << false << u"FAILED"_s
                                      << u"The WebSocket opening handshake was never completed!"_s;
        QTest::newRow("2 wrong endpoint") << true << false << true << 1000 << false << u"FAILED"_s
                                          << u"The connection was failed by the wrong endpoint"_s;
        QTest::newRow("3 unclean")
            << true << true << false << 1000 << false << u"UNCLEAN"_s
            << u"The spec requires the connection to be failed cleanly here"_s;
        QTest::newRow("4 wrong code") << true << true << true << 1002 << false << u"WRONG CODE"_s
                                      << u"The close code should have been 1000 or empty"_s;
        QTest::newRow("4 empty code passes") << true << true << true << -1 << false << u"OK"_s
                                             << u"Connection was properly closed"_s;
        QTest::newRow("5 dropped by client")
            << true << true << true << 1000 << true << u"FAILED BY CLIENT"_s
            << u"It is preferred that the server close the TCP connection"_s;
        QTest::newRow("6 ok") << true << true << true << 1000 << false << u"OK"_s
                              << u"Connection was properly closed"_s;
    }
    void verdictRules()
    {
        QFETCH(bool, opened);
        QFETCH(bool, closedByMe);
        QFETCH(bool, clean);
        QFETCH(int, remoteCode);
        QFETCH(bool, droppedByMe);
        QFETCH(QString, verdict);
        QFETCH(QString, text);
        ClosingBehavior c;
        c.wasOpen = opened;
        c.closedByMe = closedByMe;
        c.wasClean = clean;
        if (remoteCode >= 0)
            c.remoteCloseCode = remoteCode;
        c.droppedByMe = droppedByMe;
        const ClosingVerdict v = closingVerdict(c, ExpectedClose{true, {1000}, true});
        QCOMPARE(verdictText(v.verdict), verdict);
        QCOMPARE(v.text, text);
    }

    void severalCodesAreListed()
    {
        ClosingBehavior c;
        c.wasOpen = true;
        c.remoteCloseCode = 1000;
        const ClosingVerdict v = closingVerdict(c, ExpectedClose{false, {1002, 1007}, false});
        QCOMPARE(v.text, u"The close code should have been 1002,1007 or empty"_s);
    }

    void fieldsInReportOrder()
    {
        const QList<ClosingField> fields = closingFields();
        QCOMPARE(fields.size(), 13);
        QStringList keys;
        for (const ClosingField &f : fields)
            keys << QString::fromLatin1(f.key);
        QCOMPARE(keys, QStringList({u"isServer"_s, u"closedByMe"_s, u"failedByMe"_s,
                                    u"droppedByMe"_s, u"wasClean"_s, u"wasNotCleanReason"_s,
                                    u"wasServerConnectionDropTimeout"_s,
                                    u"wasOpenHandshakeTimeout"_s, u"wasCloseHandshakeTimeout"_s,
                                    u"localCloseCode"_s, u"localCloseReason"_s,
                                    u"remoteCloseCode"_s, u"remoteCloseReason"_s}));
    }

    // The free session's table (docs/closing.md), one row per line, on synthetic traces.
    void sessionTable_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>("verdict");
        QTest::addColumn<QString>("textStart");
        QTest::addColumn<std::function<void(Builder &)>>("build");
        using Row = SessionExpectation::Row;
        using K = TraceEvent::Kind;
        const auto serverReplies = [](int code) {
            return
                [code](Builder &b) { b.event(K::CloseReceived, code).tcpEnded(TcpEnd::PeerFin); };
        };
        QTest::newRow("no connection")
            << int(Row::NoConnection) << u"FAILED"_s << u"No connection: Connection refused"_s
            << std::function<void(Builder &)>([](Builder &b) {
                   b.state(SessionState::Connecting)
                       .event(K::Error, {}, {}, false, u"Connection refused"_s)
                       .tcpEnded(TcpEnd::NoConnection);
               });
        QTest::newRow("TLS failed")
            << int(Row::TlsFailed) << u"FAILED"_s << u"TLS handshake failed: bad cert"_s
            << std::function<void(Builder &)>([](Builder &b) {
                   b.state(SessionState::Connecting)
                       .event(K::TlsHandshakeFailed, {}, {}, false, u"bad cert"_s)
                       .tcpEnded(TcpEnd::OurAbort, true);
               });
        QTest::newRow("our 1000, answered 1000")
            << int(Row::OurClose) << u"OK"_s << u"Connection was properly closed"_s
            << std::function<void(Builder &)>([=](Builder &b) {
                   b.open().txFrame(8).closeSent(1000).state(SessionState::Closing);
                   serverReplies(1000)(b);
               });
        QTest::newRow("our 4001, echoed")
            << int(Row::OurClose) << u"OK"_s << QString()
            << std::function<void(Builder &)>([=](Builder &b) {
                   b.open().txFrame(8).closeSent(4001).state(SessionState::Closing);
                   serverReplies(4001)(b);
               });
        QTest::newRow("our 1000, answered 1011")
            << int(Row::OurClose) << u"WRONG CODE"_s
            << u"The close code should have been 1000 or empty"_s
            << std::function<void(Builder &)>([=](Builder &b) {
                   b.open().txFrame(8).closeSent(1000).state(SessionState::Closing);
                   serverReplies(1011)(b);
               });
        QTest::newRow("our 1000, no answer")
            << int(Row::OurClose) << u"UNCLEAN"_s << u"The close handshake did not complete"_s
            << std::function<void(Builder &)>([](Builder &b) {
                   b.open().txFrame(8).closeSent(1000).state(SessionState::Closing);
                   b.event(K::CloseHandshakeTimeout).tcpEnded(TcpEnd::OurAbort, true);
               });
        QTest::newRow("our fail 1001, echoed")
            << int(Row::OurFail) << u"OK"_s << QString()
            << std::function<void(Builder &)>([=](Builder &b) {
                   b.open().event(K::FailedByMe).txFrame(8).closeSent(1001);
                   b.state(SessionState::Closing);
                   serverReplies(1001)(b);
               });
        QTest::newRow("our fail 1007, server just drops")
            << int(Row::OurFail) << u"OK"_s << QString()
            << std::function<void(Builder &)>([](Builder &b) {
                   b.open().event(K::FailedByMe).txFrame(8).closeSent(1007);
                   b.state(SessionState::Closing).tcpEnded(TcpEnd::PeerFin);
               });
        QTest::newRow("our 1005, answered 1002")
            << int(Row::OurInvalidClose) << u"OK"_s << QString()
            << std::function<void(Builder &)>([=](Builder &b) {
                   b.open().txFrame(8, Violation::InvalidCloseCode).closeSent(1005);
                   b.state(SessionState::Closing);
                   serverReplies(1002)(b);
               });
        QTest::newRow("our 1005, answered 1000")
            << int(Row::OurInvalidClose) << u"WRONG CODE"_s
            << u"The close code should have been 1002 or empty"_s
            << std::function<void(Builder &)>([=](Builder &b) {
                   b.open().txFrame(8, Violation::InvalidCloseCode).closeSent(1005);
                   b.state(SessionState::Closing);
                   serverReplies(1000)(b);
               });
        QTest::newRow("our bad close reason, answered 1002")
            << int(Row::OurInvalidClose) << u"OK"_s << QString()
            << std::function<void(Builder &)>([=](Builder &b) {
                   b.open().txFrame(8, Violation::InvalidUtf8CloseReason).closeSent(1000);
                   b.state(SessionState::Closing);
                   serverReplies(1002)(b);
               });
        QTest::newRow("reserved opcode, server fails 1002")
            << int(Row::OurRuleBreak) << u"OK"_s << QString()
            << std::function<void(Builder &)>([](Builder &b) {
                   b.open().txFrame(3, Violation::ReservedOpcode).event(K::CloseReceived, 1002);
                   b.closeSent(1000, true).state(SessionState::Closing);
                   b.tcpEnded(TcpEnd::PeerFin);
               });
        QTest::newRow("invalid UTF-8, server fails 1002")
            << int(Row::OurRuleBreak) << u"WRONG CODE"_s << QString()
            << std::function<void(Builder &)>([](Builder &b) {
                   b.open().txFrame(1, Violation::InvalidUtf8Text).event(K::CloseReceived, 1002);
                   b.closeSent(1000, true).state(SessionState::Closing);
                   b.tcpEnded(TcpEnd::PeerFin);
               });
        QTest::newRow("reserved opcode, server just drops")
            << int(Row::OurRuleBreak) << u"OK"_s << QString()
            << std::function<void(Builder &)>([](Builder &b) {
                   b.open().txFrame(3, Violation::ReservedOpcode).tcpEnded(TcpEnd::PeerFin);
               });
        QTest::newRow("reserved opcode ignored, then our close")
            << int(Row::OurRuleBreak) << u"FAILED"_s
            << u"The server did not fail the connection after our frame that breaks a rule"_s
            << std::function<void(Builder &)>([=](Builder &b) {
                   b.open().txFrame(3, Violation::ReservedOpcode).txFrame(8).closeSent(1000);
                   b.state(SessionState::Closing);
                   serverReplies(1000)(b);
               });
        QTest::newRow("server closes first")
            << int(Row::ServerClose) << u"OK"_s << QString()
            << std::function<void(Builder &)>([](Builder &b) {
                   b.open().event(K::CloseReceived, 1001).txFrame(8).closeSent(1000, true);
                   b.state(SessionState::Closing).tcpEnded(TcpEnd::PeerFin);
               });
        QTest::newRow("server closes first, never drops")
            << int(Row::ServerClose) << u"FAILED BY CLIENT"_s << QString()
            << std::function<void(Builder &)>([](Builder &b) {
                   b.open().event(K::CloseReceived, 1000).txFrame(8).closeSent(1000, true);
                   b.state(SessionState::Closing).tcpEnded(TcpEnd::OurAbort, true);
               });
        QTest::newRow("server close with code 5000")
            << int(Row::ServerInvalidClose) << u"FAILED"_s
            << u"The server's close frame breaks a rule (invalid close code 5000)"_s
            << std::function<void(Builder &)>([](Builder &b) {
                   b.open().event(K::CloseReceived, 5000, {}, true).event(K::FailedByMe);
                   b.txFrame(8).closeSent(1002).state(SessionState::Closing);
                   b.tcpEnded(TcpEnd::PeerFin);
               });
        QTest::newRow("server drops (RST)")
            << int(Row::ServerDrop) << u"UNCLEAN"_s
            << u"The server reset the connection (RST) without a close handshake"_s
            << std::function<void(Builder &)>(
                   [](Builder &b) { b.open().tcpEnded(TcpEnd::PeerReset); });
        QTest::newRow("server drops (FIN)") << int(Row::ServerDrop) << u"UNCLEAN"_s
                                            << u"The server dropped TCP without a close handshake"_s
                                            << std::function<void(Builder &)>([](Builder &b) {
                                                   b.open().tcpEnded(TcpEnd::PeerFin);
                                               });
        QTest::newRow("we drop") << int(Row::OurDrop) << u"INFORMATIONAL"_s << u"We dropped TCP"_s
                                 << std::function<void(Builder &)>([](Builder &b) {
                                        b.open().tcpEnded(TcpEnd::OurAbort, true);
                                    });
        QTest::newRow("half-close, server closes")
            << int(Row::HalfClose) << u"OK"_s << QString()
            << std::function<void(Builder &)>(
                   [](Builder &b) { b.open().event(K::HalfClosed).tcpEnded(TcpEnd::PeerFin); });
        QTest::newRow("half-close, server never closes")
            << int(Row::HalfClose) << u"UNCLEAN"_s << QString()
            << std::function<void(Builder &)>([](Builder &b) {
                   b.open().event(K::HalfClosed).event(K::ServerDropTimeout);
                   b.tcpEnded(TcpEnd::OurAbort, true);
               });
    }
    void sessionTable()
    {
        QFETCH(int, row);
        QFETCH(QString, verdict);
        QFETCH(QString, textStart);
        QFETCH(std::function<void(Builder &)>, build);
        Builder b;
        build(b);
        const ClosingBehavior c = analyzeClosing(b.trace);
        const SessionExpectation x = sessionExpectation(b.trace, c);
        QCOMPARE(int(x.row), row);
        const ClosingVerdict v = sessionClosingVerdict(b.trace, c);
        QCOMPARE(verdictText(v.verdict), verdict);
        QVERIFY2(v.text.startsWith(textStart), qPrintable(v.text));
    }

    // A stated expectation replaces only the fields it sets.
    void sessionOverride()
    {
        Builder b;
        b.open().txFrame(8).closeSent(1000).state(SessionState::Closing);
        b.event(TraceEvent::Kind::CloseReceived, 1011).tcpEnded(TcpEnd::PeerFin);
        const ClosingBehavior c = analyzeClosing(b.trace);
        QCOMPARE(verdictText(sessionClosingVerdict(b.trace, c).verdict), u"WRONG CODE"_s);
        ExpectedCloseOverride o;
        o.closeCodes = QList<int>{1011};
        QCOMPARE(verdictText(sessionClosingVerdict(b.trace, c, o).verdict), u"OK"_s);
        o = {};
        o.closedByMe = false;
        QCOMPARE(sessionClosingVerdict(b.trace, c, o).text,
                 u"The connection was failed by the wrong endpoint"_s);
    }

    // Before CLOSED: PENDING, and what the connection waits for, with the timers' progress.
    void pendingProgress()
    {
        Builder b;
        TraceEvent connecting;
        connecting.timeNs = b.t += 1000;
        connecting.kind = TraceEvent::Kind::StateChanged;
        connecting.state = SessionState::Connecting;
        connecting.seconds = 5;
        b.trace.append(TraceRecord(connecting));
        ClosingBehavior c = analyzeClosing(b.trace);
        ClosingProgress p = closingProgress(c, connecting.timeNs + 120'000'000);
        QCOMPARE(p.phase, ClosingProgress::Phase::Connecting);
        QCOMPARE(p.elapsedMs, 120);
        QCOMPARE(p.timeoutMs, 5000);
        QCOMPARE(
            sessionClosingVerdict(b.trace, c, {}, connecting.timeNs + 120'000'000).text,
            u"Not closed yet: connecting: waiting for the opening handshake, 120 of 5000 ms"_s);

        b.state(SessionState::Open);
        c = analyzeClosing(b.trace);
        QCOMPARE(sessionClosingVerdict(b.trace, c).verdict, CloseVerdict::Pending);
        QCOMPARE(sessionClosingVerdict(b.trace, c).text, u"Not closed yet: open"_s);

        b.txFrame(8).closeSent(1000, false, 1.0).state(SessionState::Closing);
        c = analyzeClosing(b.trace);
        p = closingProgress(c, c.closeSentNs + 320'000'000);
        QCOMPARE(p.phase, ClosingProgress::Phase::WaitingForClose);
        QCOMPARE(closingProgressText(p), u"waiting for the server's close, 320 of 1000 ms"_s);
        // A clock past the timeout shows the timeout, not more.
        QCOMPARE(closingProgress(c, c.closeSentNs + 5'000'000'000).elapsedMs, 1000);

        TraceEvent reply;
        reply.timeNs = b.t += 1000;
        reply.kind = TraceEvent::Kind::CloseReceived;
        reply.code = 1000;
        reply.seconds = 1.0;
        b.trace.append(TraceRecord(reply));
        c = analyzeClosing(b.trace);
        p = closingProgress(c, reply.timeNs + 410'000'000);
        QCOMPARE(p.phase, ClosingProgress::Phase::WaitingForDrop);
        QCOMPARE(closingProgressText(p), u"waiting for the server to drop TCP, 410 of 1000 ms"_s);
        QCOMPARE(sessionClosingVerdict(b.trace, c).verdict, CloseVerdict::Pending);

        b.tcpEnded(TcpEnd::PeerFin);
        c = analyzeClosing(b.trace);
        QCOMPARE(closingProgress(c, 0).phase, ClosingProgress::Phase::Closed);
        QCOMPARE(verdictText(sessionClosingVerdict(b.trace, c).verdict), u"OK"_s);
    }
};

QTEST_GUILESS_MAIN(tst_Closing)
#include "tst_closing.moc"
