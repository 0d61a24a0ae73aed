// SPDX-License-Identifier: MIT
// The closing behaviour derived from trace events (autobahn-semantics.md §2) and the verdict
// rules of §2.5, one row per rule.
#include "closing.h"

#include <QtTest>

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
        QCOMPARE(closingVerdict(c, {}).verdict, u"OK"_s);
        QCOMPARE(closingVerdict(c, {}).text, u"Connection was properly closed"_s);
        QVERIFY(c.closeSentNs > 0 && c.closeReceivedNs > c.closeSentNs
                && c.tcpClosedNs > c.closeReceivedNs);
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
        QCOMPARE(closingVerdict(c, ExpectedClose{false, {1002}, false}).verdict, u"OK"_s);
    }

    void rejectedCloseCodeIsNotClean()
    {
        Builder b;
        b.open().event(TraceEvent::Kind::CloseReceived, 999, {}, true);
        b.event(TraceEvent::Kind::FailedByMe);
        b.event(TraceEvent::Kind::CloseSent, 1002).state(SessionState::Closing).tcpClosed();
        const ClosingBehavior c = analyzeClosing(b.trace);
        QCOMPARE(c.remoteCloseCode, std::optional<int>(999)); // recorded before validation
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
        QTest::newRow("close handshake") << int(TraceEvent::Kind::CloseHandshakeTimeout)
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
        QCOMPARE(closingVerdict(c, {}).verdict, u"UNCLEAN"_s);
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
        QTest::newRow("3 unclean") << true << true << false << 1000 << false << u"UNCLEAN"_s
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
        QCOMPARE(v.verdict, verdict);
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
};

QTEST_GUILESS_MAIN(tst_Closing)
#include "tst_closing.moc"
