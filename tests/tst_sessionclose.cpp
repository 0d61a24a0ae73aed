// SPDX-License-Identifier: MIT
// The free session's closing verdict (docs/closing.md) against real peers on loopback, row by row:
// what we did, what the server did, and the verdict and attribution a user reads.
#include "echo/echoserver.h"
#include "scriptedpeer.h"
#include "testutils.h"
#include "trace/closing.h"
#include "trace/wirelog.h"

#include <QProcess>
#include <QSocketNotifier>
#include <QTemporaryFile>
#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>

#include <memory>

using namespace wsi;
using namespace wsi::test;
using namespace Qt::StringLiterals;

namespace {

Step kindStep(Step::Kind kind)
{
    return Step::makeKind(kind);
}

Step frameStep(int opcode, const QByteArray &payload, int rsv = 0)
{
    Step s = Step::makeKind(Step::Kind::Frame);
    s.frame.opcode = opcode;
    s.frame.payload = payload;
    s.frame.rsv = rsv;
    return s;
}

// A scripted peer that answers our close with `replyCode` and then drops TCP (or not).
void answerCloseWith(ScriptedPeer &peer, std::optional<int> replyCode, bool thenDrop = true)
{
    peer.onFrame = [replyCode, thenDrop](ScriptedPeer &p, const DecodedFrame &f) {
        if (f.opcode != 8)
            return;
        p.send(serverClose(replyCode));
        if (thenDrop)
            p.closeGracefully();
    };
}

struct Outcome
{
    ClosingBehavior closing;
    ClosingVerdict verdict;
    SessionExpectation expectation;
};

Outcome judge(const SessionRun &run)
{
    Outcome o;
    o.closing = analyzeClosing(run.trace);
    o.verdict = sessionClosingVerdict(run.trace, o.closing);
    o.expectation = sessionExpectation(run.trace, o.closing);
    return o;
}

bool logHasTcpDropped(const Trace &trace)
{
    const QStringList tags = wireLogTags(trace);
    return tags.contains(u"TCP-ME"_s) || tags.contains(u"TCP-PEER"_s);
}

// A peer on a raw descriptor, for what a QTcpSocket cannot do: keep its side open after our
// FIN (QTcpSocket closes on end of input), or end with a RST. It answers the opening handshake,
// then does `after` when the first octets of a frame arrive.
class RawPeer final : public QTcpServer
{
public:
    enum class After { Nothing, CloseWithFin, CloseWithRst };
    explicit RawPeer(After after) : m_after(after) { listen(QHostAddress::LocalHost, 0); }
    ~RawPeer() override { closeSocket(); }
    [[nodiscard]] QUrl url() const { return QUrl(u"ws://127.0.0.1:%1/"_s.arg(serverPort())); }
    [[nodiscard]] bool sawEndOfInput() const { return m_eof; }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        m_fd = int(descriptor);
        m_notifier = std::make_unique<QSocketNotifier>(descriptor, QSocketNotifier::Read);
        connect(m_notifier.get(), &QSocketNotifier::activated, this, [this] { onReadable(); });
    }

private:
    void onReadable()
    {
        char buffer[4096];
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n == 0) { // the client's FIN: keep our side open
            m_eof = true;
            m_notifier->setEnabled(false);
            return;
        }
        if (n < 0)
            return;
        m_input.append(buffer, n);
        if (!m_answered) {
            const qsizetype end = m_input.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray reply = ScriptedPeer::switchingProtocols(m_input.left(end + 4));
            (void)::send(m_fd, reply.constData(), size_t(reply.size()), MSG_NOSIGNAL);
            m_answered = true;
            m_input.remove(0, end + 4);
        }
        if (!m_input.isEmpty() && m_after != After::Nothing)
            closeSocket();
    }
    void closeSocket()
    {
        m_notifier.reset();
        if (m_fd < 0)
            return;
        if (m_after == After::CloseWithRst) {
            linger l{1, 0}; // closing now sends a RST
            ::setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        }
        ::close(m_fd);
        m_fd = -1;
    }

    After m_after;
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QByteArray m_input;
    bool m_answered = false;
    bool m_eof = false;
};

// wss:// settings that trust the repository's test certificate (resources/tls/localhost.crt).
struct TrustedTls
{
    QTemporaryFile ca;
    SessionSettings settingsFor(const QUrl &url)
    {
        if (!ca.isOpen()) {
            ca.open();
            ca.write(EchoServer::certificatePem());
            ca.flush();
        }
        SessionSettings s;
        s.url = url;
        s.caFile = ca.fileName();
        return s;
    }
};

// tests/tls_ws_echo.py: Python websockets over asyncio TLS, which waits for our close_notify
// before it closes TCP.
struct PythonTlsServer
{
    QProcess process;
    QUrl url;
    bool start()
    {
        process.start(u"/usr/bin/python3"_s,
                      {QStringLiteral(WSI_TESTS_DIR "/tls_ws_echo.py"),
                       QStringLiteral(WSI_TESTS_DIR "/../resources/tls/localhost.crt"),
                       QStringLiteral(WSI_TESTS_DIR "/../resources/tls/localhost.key")});
        if (!process.waitForStarted(10000))
            return false;
        while (process.waitForReadyRead(20000)) {
            const QByteArray line = process.readLine().trimmed();
            if (line.startsWith("wss://")) {
                url = QUrl(QString::fromLatin1(line));
                return true;
            }
        }
        return false;
    }
    ~PythonTlsServer()
    {
        process.closeWriteChannel();
        if (!process.waitForFinished(5000))
            process.kill();
        process.waitForFinished(5000);
    }
};

int countTlsCloseNotify(const Trace &trace, bool sent)
{
    int n = 0;
    for (const TraceEvent &e : trace.events())
        n += e.kind == TraceEvent::Kind::TlsCloseNotify && e.flag == sent;
    return n;
}

} // namespace

class tst_SessionClose : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Row "our close with a valid code": the echo server answers with our code, drops TCP.
    void ourCloseEchoed_data()
    {
        QTest::addColumn<std::optional<int>>("code");
        QTest::newRow("1000") << std::optional<int>(1000);
        QTest::newRow("1001") << std::optional<int>(1001);
        QTest::newRow("4000 (application code)") << std::optional<int>(4000);
        QTest::newRow("empty close") << std::optional<int>();
    }
    void ourCloseEchoed()
    {
        QFETCH(std::optional<int>, code);
        EchoServer echo;
        QVERIFY(echo.listen());
        SessionRun run;
        runSession(run, settingsFor(echo.url()), {closeStep(code)});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.expectation.row, SessionExpectation::Row::OurClose);
        QCOMPARE(verdictText(o.verdict.verdict), u"OK"_s);
        QCOMPARE(o.closing.tcpEnd, TcpEnd::PeerFin);
    }

    // Send ▸ Fail Connection: our 1001 "Going Away", echoed 1001, is a correct close.
    void ourFailEchoed()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        SessionRun run;
        runSession(run, settingsFor(echo.url()), {kindStep(Step::Kind::Fail)});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.closing.localCloseCode, std::optional<int>(1001));
        QCOMPARE(o.closing.remoteCloseCode, std::optional<int>(1001));
        QCOMPARE(o.expectation.row, SessionExpectation::Row::OurFail);
        QCOMPARE(verdictText(o.verdict.verdict), u"OK"_s);
    }

    // A close the server should not accept: it fails the connection with 1002.
    void ourInvalidCloseAnswered1002_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<int>("reply");
        QTest::addColumn<QString>("verdict");
        QTest::newRow("1005, answered 1002") << 1005 << 1002 << u"OK"_s;
        QTest::newRow("999, answered 1002") << 999 << 1002 << u"OK"_s;
        QTest::newRow("5000, answered 1002") << 5000 << 1002 << u"OK"_s;
        QTest::newRow("1005, answered 1000") << 1005 << 1000 << u"WRONG CODE"_s;
    }
    void ourInvalidCloseAnswered1002()
    {
        QFETCH(int, code);
        QFETCH(int, reply);
        QFETCH(QString, verdict);
        ScriptedPeer peer;
        answerCloseWith(peer, reply);
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {closeStep(code)});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.expectation.row, SessionExpectation::Row::OurInvalidClose);
        QCOMPARE(verdictText(o.verdict.verdict), verdict);
    }

    // The inspector's own 1007 for invalid UTF-8 from the server, echoed by the server.
    void ourFail1007Echoed()
    {
        ScriptedPeer peer;
        peer.onHandshake = [](ScriptedPeer &p, const QByteArray &head) {
            p.send(ScriptedPeer::switchingProtocols(head));
            p.send(QByteArray::fromHex("8102c328")); // text "\xc3\x28": impossible UTF-8
        };
        answerCloseWith(peer, 1007);
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.closing.failedByMe, true);
        QCOMPARE(o.closing.localCloseCode, std::optional<int>(1007));
        QCOMPARE(o.expectation.row, SessionExpectation::Row::OurFail);
        QCOMPARE(verdictText(o.verdict.verdict), u"OK"_s);
    }

    // The server closes first: we answer, it drops TCP.
    void serverCloseFirst()
    {
        ScriptedPeer peer;
        peer.onHandshake = [](ScriptedPeer &p, const QByteArray &head) {
            p.send(ScriptedPeer::switchingProtocols(head));
            p.send(serverClose(1001, "going"));
        };
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 8)
                p.closeGracefully();
        };
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.expectation.row, SessionExpectation::Row::ServerClose);
        QCOMPARE(verdictText(o.verdict.verdict), u"OK"_s);
        QCOMPARE(o.closing.closedByMe, false);
    }

    // The server's close code is invalid: the reference resets the remote code, fails the
    // connection with its own reason; our verdict names the server's fault.
    void serverInvalidCloseCode()
    {
        ScriptedPeer peer;
        peer.onHandshake = [](ScriptedPeer &p, const QByteArray &head) {
            p.send(ScriptedPeer::switchingProtocols(head));
            p.send(serverClose(5000));
        };
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 8)
                p.closeGracefully();
        };
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.closing.remoteCloseCode, std::optional<int>());
        QCOMPARE(o.closing.localCloseCode, std::optional<int>(1002));
        QCOMPARE(o.closing.localCloseReason, std::optional<QByteArray>("invalid close code 5000"));
        QCOMPARE(o.expectation.row, SessionExpectation::Row::ServerInvalidClose);
        QCOMPARE(verdictText(o.verdict.verdict), u"FAILED"_s);
        QVERIFY2(o.verdict.text.contains(u"5000"_s), qPrintable(o.verdict.text));
    }

    // Case 7.13.1's shape: our close 5000, echoed 5000 in CLOSING.
    void echoedInvalidCodeInClosing()
    {
        ScriptedPeer peer;
        answerCloseWith(peer, 5000, false);
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {closeStep(5000)});
        QVERIFY(run.finished);
        const ClosingBehavior c = analyzeClosing(run.trace);
        QCOMPARE(c.remoteCloseCode, std::optional<int>());
        QCOMPARE(c.remoteCloseReason, std::optional<QString>());
        QCOMPARE(c.failedByMe, true);
        QCOMPARE(c.droppedByMe, true);
        QCOMPARE(c.wasClean, false);
        QCOMPARE(c.localCloseCode, std::optional<int>(5000));
    }

    // Our close, answered, but the server never drops TCP.
    void serverNeverDrops()
    {
        ScriptedPeer peer;
        answerCloseWith(peer, 1000, false);
        SessionSettings s = settingsFor(peer.url());
        s.serverDropTimeoutMs = 300;
        SessionRun run;
        runSession(run, s, {closeStep(1000)});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.closing.wasServerConnectionDropTimeout, true);
        QCOMPARE(verdictText(o.verdict.verdict), u"UNCLEAN"_s);
        QVERIFY2(o.verdict.text.contains(u"server did not drop TCP connection (in time)"_s),
                 qPrintable(o.verdict.text));
        QCOMPARE(o.closing.tcpEnd, TcpEnd::OurAbort);
    }

    // Our close is never answered.
    void closeNeverAnswered()
    {
        ScriptedPeer peer;
        SessionSettings s = settingsFor(peer.url());
        s.closeHandshakeTimeoutMs = 300;
        SessionRun run;
        runSession(run, s, {closeStep(1000)});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.closing.wasCloseHandshakeTimeout, true);
        QCOMPARE(verdictText(o.verdict.verdict), u"UNCLEAN"_s);
    }

    // The server drops TCP without any close: FIN and RST are told apart.
    void serverDropsWithoutClose_data()
    {
        QTest::addColumn<bool>("reset");
        QTest::newRow("FIN") << false;
        QTest::newRow("RST") << true;
    }
    void serverDropsWithoutClose()
    {
        QFETCH(bool, reset);
        RawPeer peer(reset ? RawPeer::After::CloseWithRst : RawPeer::After::CloseWithFin);
        SessionRun run;
        runSession(run, settingsFor(peer.url()), {frameStep(1, "hi")});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.expectation.row, SessionExpectation::Row::ServerDrop);
        QCOMPARE(verdictText(o.verdict.verdict), u"UNCLEAN"_s);
        QCOMPARE(o.closing.tcpEnd, reset ? TcpEnd::PeerReset : TcpEnd::PeerFin);
        QCOMPARE(
            o.closing.wasNotCleanReason,
            std::optional<QString>(
                u"peer dropped the TCP connection without previous WebSocket closing handshake"_s));
        QVERIFY(wireLogTags(run.trace).contains(u"TCP-PEER"_s));
    }

    // Half-close: a server that closes its side too is correct; one that never does is not, and
    // frames sent after our half-close are refused here, not blamed on the server.
    void halfCloseAnswered()
    {
        ScriptedPeer peer; // a QTcpSocket closes its side on end of input
        SessionRun run;
        runSession(run, settingsFor(peer.url()),
                   {kindStep(Step::Kind::HalfClose), frameStep(1, "after")});
        QVERIFY(run.finished);
        QVERIFY(peer.clientGone());
        const Outcome o = judge(run);
        QCOMPARE(o.expectation.row, SessionExpectation::Row::HalfClose);
        QCOMPARE(verdictText(o.verdict.verdict), u"OK"_s);
        QCOMPARE(o.closing.droppedByMe, false);
        QCOMPARE(o.closing.tcpEnd, TcpEnd::PeerFin);
        // The frame after the half-close was not sent, and the log says why.
        bool noted = false;
        for (const TraceEvent &e : run.trace.events())
            noted |= e.kind == TraceEvent::Kind::Note && e.text.contains(u"half-close"_s);
        QVERIFY(noted);
        for (const FrameRecord &f : run.trace.frames())
            QVERIFY(f.direction != Direction::Tx);
    }

    void halfCloseIgnored()
    {
        RawPeer peer(RawPeer::After::Nothing); // reads our FIN, never closes
        SessionSettings s = settingsFor(peer.url());
        s.serverDropTimeoutMs = 300;
        SessionRun run;
        runSession(run, s, {kindStep(Step::Kind::HalfClose)});
        QVERIFY(run.finished);
        QTRY_VERIFY(peer.sawEndOfInput());
        const Outcome o = judge(run);
        QCOMPARE(o.expectation.row, SessionExpectation::Row::HalfClose);
        QCOMPARE(verdictText(o.verdict.verdict), u"UNCLEAN"_s);
        QCOMPARE(o.closing.droppedByMe, true);
    }

    // Our own drop is ours: nothing to blame on the server.
    void ourDrop()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        SessionRun run;
        runSession(run, settingsFor(echo.url()), {kindStep(Step::Kind::Drop)});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.expectation.row, SessionExpectation::Row::OurDrop);
        QCOMPARE(verdictText(o.verdict.verdict), u"INFORMATIONAL"_s);
        QCOMPARE(o.closing.tcpEnd, TcpEnd::OurAbort);
        QVERIFY(wireLogTags(run.trace).contains(u"TCP-ME"_s));
    }

    // No TCP connection at all: no TCP DROPPED line, the reason said as it is.
    void refusedConnection()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close(); // nothing listens there now
        SessionRun run;
        runSession(run, settingsFor(QUrl(u"ws://127.0.0.1:%1/"_s.arg(port))), {});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.closing.tcpEnd, TcpEnd::NoConnection);
        QCOMPARE(o.expectation.row, SessionExpectation::Row::NoConnection);
        QCOMPARE(verdictText(o.verdict.verdict), u"FAILED"_s);
        QVERIFY2(o.verdict.text.startsWith(u"No connection: "_s), qPrintable(o.verdict.text));
        QVERIFY2(o.verdict.text.contains(u"refused"_s, Qt::CaseInsensitive),
                 qPrintable(o.verdict.text));
        QVERIFY(!logHasTcpDropped(run.trace));
    }

    // A certificate we reject: a TLS failure, not a server drop.
    void tlsRejected()
    {
        EchoServer echo;
        EchoServer::Options options;
        options.tls = true;
        QVERIFY(echo.listen(options));
        SessionRun run;
        runSession(run, settingsFor(echo.url()), {});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.expectation.row, SessionExpectation::Row::TlsFailed);
        QCOMPARE(verdictText(o.verdict.verdict), u"FAILED"_s);
        QVERIFY2(o.verdict.text.startsWith(u"TLS handshake failed: "_s),
                 qPrintable(o.verdict.text));
        QVERIFY(o.closing.tcpEnd != TcpEnd::PeerFin && o.closing.tcpEnd != TcpEnd::PeerReset);
        QVERIFY(!wireLogTags(run.trace).contains(u"TCP-PEER"_s));
    }

    // A frame of ours that breaks a rule: the server must fail the connection.
    void ourRuleBreak_data()
    {
        QTest::addColumn<bool>("serverFails");
        QTest::addColumn<QString>("verdict");
        QTest::newRow("server fails with 1002") << true << u"OK"_s;
        QTest::newRow("server ignores it") << false << u"FAILED"_s;
    }
    void ourRuleBreak()
    {
        QFETCH(bool, serverFails);
        QFETCH(QString, verdict);
        ScriptedPeer peer;
        peer.onFrame = [serverFails](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 3 && serverFails) {
                p.send(serverClose(1002));
                p.closeGracefully();
            } else if (f.opcode == 8) {
                p.send(serverClose(1000));
                p.closeGracefully();
            }
        };
        SessionRun run;
        StepList steps{frameStep(3, "reserved")};
        if (!serverFails)
            steps << timerStep(Step::Kind::Delay, 0.2) << closeStep(1000);
        runSession(run, settingsFor(peer.url()), steps);
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.expectation.row, SessionExpectation::Row::OurRuleBreak);
        QVERIFY(o.expectation.ruleBreak.testFlag(Violation::ReservedOpcode));
        QCOMPARE(verdictText(o.verdict.verdict), verdict);
    }

    // Nothing is final before CLOSED: while OPEN and CLOSING the verdict is PENDING and says
    // what it waits for.
    void noVerdictBeforeClosed()
    {
        ScriptedPeer peer; // answers nothing: our close waits for its timeout
        SessionSettings s = settingsFor(peer.url());
        s.closeHandshakeTimeoutMs = 60000;
        SessionHost host;
        Trace trace;
        QObject::connect(&host, &SessionHost::traceBatch, &host,
                         [&trace](const TraceBatchPtr &b) { trace.append(std::move(*b)); });
        host.start(s);
        QTRY_COMPARE(trace.state(), SessionState::Open);
        ClosingBehavior c = analyzeClosing(trace);
        ClosingVerdict v = sessionClosingVerdict(trace, c);
        QCOMPARE(v.verdict, CloseVerdict::Pending);
        QCOMPARE(closingProgress(c, trace.lastTimeNs()).phase, ClosingProgress::Phase::Open);

        host.invoke([](ClientSession &session) { session.close(1000, {}); });
        QTRY_COMPARE(trace.state(), SessionState::Closing);
        c = analyzeClosing(trace);
        v = sessionClosingVerdict(trace, c, {}, c.closeSentNs + 320'000'000);
        QCOMPARE(v.verdict, CloseVerdict::Pending);
        QCOMPARE(v.text, u"Not closed yet: waiting for the server's close, 320 of 60000 ms"_s);
        const ClosingProgress p = closingProgress(c, c.closeSentNs + 320'000'000);
        QCOMPARE(p.phase, ClosingProgress::Phase::WaitingForClose);
        QCOMPARE(p.elapsedMs, 320);
        QCOMPARE(p.timeoutMs, 60000);

        QSignalSpy finished(&host, &SessionHost::finished);
        host.invoke([](ClientSession &session) { session.dropTcp(); });
        QVERIFY(finished.wait(15000));
        QCoreApplication::processEvents();
        c = analyzeClosing(trace);
        QVERIFY(sessionClosingVerdict(trace, c).verdict != CloseVerdict::Pending);
    }

    // A TLS server that closes correctly and waits for our close_notify before it closes TCP
    // (Python's asyncio ssl; Boost.Beast does the same): we answer, and the close is clean.
    void tlsServerWaitsForCloseNotify_data()
    {
        QTest::addColumn<bool>("serverCloses");
        QTest::newRow("we close first") << false;
        QTest::newRow("the server closes first") << true;
    }
    void tlsServerWaitsForCloseNotify()
    {
        QFETCH(bool, serverCloses);
        PythonTlsServer server;
        QVERIFY2(server.start(), "tests/tls_ws_echo.py did not start (python3-websockets?)");
        TrustedTls tls;
        SessionRun run;
        runSession(run, tls.settingsFor(server.url),
                   {serverCloses ? frameStep(1, "close-me") : closeStep(1000)});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.closing.wasOpen, true);
        QCOMPARE(o.closing.closedByMe, !serverCloses);
        QCOMPARE(o.closing.wasClean, true);
        QCOMPARE(o.closing.wasServerConnectionDropTimeout, false);
        QCOMPARE(o.closing.droppedByMe, false);
        QCOMPARE(o.closing.wasNotCleanReason, std::optional<QString>());
        QCOMPARE(verdictText(o.verdict.verdict), u"OK"_s);
        // The server's close_notify came, and ours answered it (or went first).
        QCOMPARE(countTlsCloseNotify(run.trace, false), 1);
        QCOMPARE(countTlsCloseNotify(run.trace, true), 1);
        QByteArray said;
        QTRY_VERIFY_WITH_TIMEOUT(
            (said += server.process.readAllStandardOutput()).contains("closed TCP"), 15000);
    }

    // A TLS server that does not wait (QtWebSockets: close_notify, then TCP closed at once).
    void tlsServerDoesNotWait()
    {
        EchoServer echo;
        EchoServer::Options options;
        options.tls = true;
        QVERIFY(echo.listen(options));
        TrustedTls tls;
        SessionRun run;
        runSession(run, tls.settingsFor(echo.url()), {closeStep(1000)});
        QVERIFY(run.finished);
        const Outcome o = judge(run);
        QCOMPARE(o.closing.wasClean, true);
        QCOMPARE(o.closing.droppedByMe, false);
        QCOMPARE(verdictText(o.verdict.verdict), u"OK"_s);
        QVERIFY(!hasEvent(run.trace, TraceEvent::Kind::CertificateError));
    }
};

QTEST_GUILESS_MAIN(tst_SessionClose)
#include "tst_sessionclose.moc"
