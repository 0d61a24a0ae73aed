// SPDX-License-Identifier: MIT
// permessage-deflate in a live session (RFC 7692): the offer, the agreement, what the server
// sends compressed inflated (the messages, the trace's views, the statistics, the reports), what
// we send compressed, and every way a hostile server breaks it, each named and failed with the
// code the rule gives. The server is a raw scripted peer on loopback, so its frames are exactly
// the ones written here (RFC 7692 §7.2.3's examples among them).

#include "protocol/permessagedeflate.h"
#include "scriptedpeer.h"
#include "session/session.h"
#include "testutils.h"
#include "trace/closing.h"
#include "trace/inflation.h"
#include "trace/messages.h"
#include "trace/report.h"

#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace wsi;
using namespace wsi::test;

namespace {

// The handshake answer of a server that accepts permessage-deflate with `params` ("" = none).
void acceptDeflate(ScriptedPeer &peer, const QByteArray &params = {})
{
    peer.onHandshake = [params](ScriptedPeer &p, const QByteArray &head) {
        p.send(ScriptedPeer::switchingProtocols(
            head, "Sec-WebSocket-Extensions: permessage-deflate" + params + "\r\n"));
    };
}

SessionSettings deflateSettings(const QUrl &url, const QString &offer = u"permessage-deflate"_s)
{
    SessionSettings s = settingsFor(url);
    s.handshake.extensions = QStringList{offer};
    return s;
}

// A server frame: FIN/RSV/opcode octet, then the payload (unmasked, the shortest length form).
QByteArray serverFrame(quint8 first, const QByteArray &payload)
{
    QByteArray f(1, char(first));
    const qsizetype n = payload.size();
    if (n <= 125) {
        f += char(n);
    } else if (n <= 0xFFFF) {
        f += char(126);
        f += char(n >> 8);
        f += char(n & 0xFF);
    } else {
        f += char(127);
        for (int shift = 56; shift >= 0; shift -= 8)
            f += char((quint64(n) >> shift) & 0xFF);
    }
    return f + payload;
}

// The close code of the close frame we sent, if any.
std::optional<int> ourCloseCode(const Trace &trace)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == TraceEvent::Kind::CloseSent)
            return e.code;
    }
    return std::nullopt;
}

Violations rxViolations(const Trace &trace)
{
    Violations all;
    for (const FrameRecord &f : trace.frames()) {
        if (f.direction == Direction::Rx)
            all |= f.violations;
    }
    return all;
}

} // namespace

class TestDeflateSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // RFC 7692 §7.2.3.1–7.2.3.3 as a server sends them: "Hello" compressed, the same again
    // with the context taken over (f2 00 11 00 00), "Hello" fragmented after compression, then
    // an uncompressed message (RSV1 clear is allowed under the extension).
    void receivesCompressedMessages()
    {
        ScriptedPeer peer;
        acceptDeflate(peer);
        peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 1 && p.frames().size() == 1) {
                p.send(serverFrame(0xC1, QByteArray::fromHex("f248cdc9c90700")) +
                       serverFrame(0xC1, QByteArray::fromHex("f200110000")) +
                       serverFrame(0x41, QByteArray::fromHex("f248cd")) +
                       serverFrame(0x80, QByteArray::fromHex("c9c90700")) +
                       serverFrame(0x81, "plain") + serverClose(1000));
            } else if (f.opcode == 8) {
                p.closeGracefully(); // our close reply: the server drops TCP
            }
        };
        QList<QByteArray> received;
        SessionRun run;
        DeflateAgreement agreed;
        runSession(run, deflateSettings(peer.url()), {textMessage("go")},
                   [&received, &agreed](ClientSession &s, const PeerEvent &e) {
                       agreed = s.deflateAgreement();
                       if (e.kind == PeerEvent::Kind::Message)
                           received << e.payload;
                   });
        QVERIFY(run.finished);
        QVERIFY(agreed.agreed);
        QCOMPARE(agreed.serverWindowBits, 15);
        QVERIFY(!agreed.serverNoContextTakeover);
        QCOMPARE(received, QList<QByteArray>({"Hello", "Hello", "Hello", "plain"}));
        QCOMPARE(rxViolations(run.trace), Violations());
        const ClosingBehavior closing = analyzeClosing(run.trace);
        QVERIFY(closing.wasClean);
        QCOMPARE(closing.remoteCloseCode, std::optional<int>(1000));

        // The trace's own view says the same: inflated from the octets it kept.
        QVERIFY(traceDeflateAgreement(run.trace).agreed);
        QList<QByteArray> rxMessages;
        for (const TraceMessage &m : traceMessages(run.trace)) {
            if (m.direction != Direction::Rx || m.isControl())
                continue;
            rxMessages << m.applicationPayload();
            QCOMPARE(m.compressed, m.applicationPayload() == "Hello");
        }
        QCOMPARE(rxMessages, QList<QByteArray>({"Hello", "Hello", "Hello", "plain"}));
        // Wire octets 7 + 5 + 7 + 5 compressed, 20 inflated; plus the plain 5 on both sides.
        const DeflateStatistics stats = deflateStatistics(run.trace);
        QCOMPARE(stats.rxWireOctets, 7 + 5 + 7 + 5);
        QCOMPARE(stats.rxAppOctets, 5 * 4);
        QCOMPARE(stats.rxCompressedMessages, 3);
        QCOMPARE(stats.rxFailedMessages, 0);
        // The report says what was agreed and how well it compressed.
        QVERIFY2(deflateSummary(run.trace).startsWith(u"permessage-deflate ("_s),
                 qPrintable(deflateSummary(run.trace)));
        QVERIFY(deflateSummary(run.trace).contains(u"in 1.200"_s));
        const QJsonObject json = deflateJson(run.trace).toObject();
        QCOMPARE(json.value(u"rxWireOctets"_s).toInteger(), 24);
        QCOMPARE(json.value(u"accepted"_s).toString(), u"permessage-deflate"_s);
    }

    // What we send: compressed whole, then fragmented, RSV1 on the first frame only; with the
    // context taken over the second "Hello" is RFC 7692 §7.2.3.2's f2 00 11 00 00.
    void sendsCompressedMessages()
    {
        ScriptedPeer peer;
        acceptDeflate(peer);
        Step fragmented = textMessage("Hello, Hello, Hello");
        fragmented.binary = true;
        fragmented.fragmentSize = 4;
        SessionRun run;
        runSession(run, deflateSettings(peer.url()),
                   {textMessage("Hello"), textMessage("Hello"), fragmented, closeStep(1000),
                    timerStep(Step::Kind::FailAfter, 2.0)});
        QVERIFY(run.finished);
        const std::vector<DecodedFrame> &frames = peer.frames();
        QVERIFY(frames.size() >= 4);
        QCOMPARE(frames[0].rsv, quint8(4));
        QCOMPARE(frames[0].payload, QByteArray::fromHex("f248cdc9c90700"));
        QCOMPARE(frames[1].rsv, quint8(4));
        QCOMPARE(frames[1].payload, QByteArray::fromHex("f200110000"));
        // The fragmented message: RSV1 on its first frame, clear on the continuations, and
        // its compressed octets inflate (with the context of the first two) to what was sent.
        QCOMPARE(frames[2].opcode, quint8(2));
        QCOMPARE(frames[2].rsv, quint8(4));
        Inflater inflater(15, false, 1 << 20);
        QByteArray out;
        QCOMPARE(inflater.feed(frames[0].payload, out), Inflater::Status::Ok);
        QCOMPARE(inflater.finishMessage(out), Inflater::Status::Ok);
        QCOMPARE(inflater.feed(frames[1].payload, out), Inflater::Status::Ok);
        QCOMPARE(inflater.finishMessage(out), Inflater::Status::Ok);
        out.clear();
        size_t i = 2;
        for (;; ++i) {
            QVERIFY(i < frames.size());
            if (i > 2) {
                QCOMPARE(frames[i].opcode, quint8(0));
                QCOMPARE(frames[i].rsv, quint8(0));
            }
            QCOMPARE(inflater.feed(frames[i].payload, out), Inflater::Status::Ok);
            if (frames[i].fin)
                break;
        }
        QCOMPARE(inflater.finishMessage(out), Inflater::Status::Ok);
        QCOMPARE(out, QByteArray("Hello, Hello, Hello"));
        // Our own frames are no violations, and the trace inflates them too.
        for (const FrameRecord &f : run.trace.frames()) {
            if (f.direction == Direction::Tx)
                QCOMPARE(f.violations, Violations());
        }
        QList<QByteArray> txMessages;
        for (const TraceMessage &m : traceMessages(run.trace)) {
            if (m.direction == Direction::Tx && !m.isControl())
                txMessages << m.applicationPayload();
        }
        QCOMPARE(txMessages, QList<QByteArray>({"Hello", "Hello", "Hello, Hello, Hello"}));
        QCOMPARE(deflateStatistics(run.trace).txCompressedMessages, 3);
    }

    // Our own broken sending is named on our frames by the same rules: the server's inflater
    // would fail where ours does.
    void brokenSendingIsNamed()
    {
        ScriptedPeer peer;
        acceptDeflate(peer, "; client_no_context_takeover");
        const auto message = [](const QByteArray &text, DeflateSend mode) {
            Step step = textMessage(text);
            step.deflate = mode;
            return step;
        };
        SessionRun run;
        runSession(
            run, deflateSettings(peer.url(), u"permessage-deflate; client_no_context_takeover"_s),
            {message("Hello", DeflateSend::Rsv1Uncompressed), message("Hello", DeflateSend::Agreed),
             message("Hello", DeflateSend::GarbageAfterFinal),
             message("Hello", DeflateSend::Uncompressed), closeStep(1000),
             timerStep(Step::Kind::FailAfter, 2.0)});
        QVERIFY(run.finished);
        QList<Violations> tx;
        for (const FrameRecord &f : run.trace.frames()) {
            if (f.direction == Direction::Tx && !isControlOpcode(f.opcode))
                tx << f.violations;
        }
        QCOMPARE(tx, QList<Violations>({Violation::InflateError, Violations(),
                                        Violation::InflateError, Violations()}));
        QCOMPARE(peer.frames().at(0).rsv, quint8(4));
        QCOMPARE(peer.frames().at(0).payload, QByteArray("Hello"));
        QCOMPARE(peer.frames().at(3).rsv, quint8(0));
    }

    // Without an agreement nothing is compressed: the server declined the offer.
    void declinedOfferSendsPlain()
    {
        ScriptedPeer peer; // answers without Sec-WebSocket-Extensions
        SessionRun run;
        runSession(run, deflateSettings(peer.url()),
                   {textMessage("Hello"), closeStep(1000), timerStep(Step::Kind::FailAfter, 2.0)});
        QVERIFY(run.finished);
        QVERIFY(!peer.frames().empty());
        QCOMPARE(peer.frames()[0].rsv, quint8(0));
        QCOMPARE(peer.frames()[0].payload, QByteArray("Hello"));
        QVERIFY(!traceDeflateAgreement(run.trace).agreed);
        QVERIFY(deflateSummary(run.trace).isEmpty());
    }

    // A hostile server, one broken rule a row: the violation named on its frame, the
    // connection failed with the rule's close code.
    void hostileServer_data()
    {
        QTest::addColumn<bool>("agree");
        QTest::addColumn<QByteArray>("frames");
        QTest::addColumn<qint64>("maxMessage");
        QTest::addColumn<int>("violation");
        QTest::addColumn<int>("closeCode");

        Deflater deflater(15, false);
        const QByteArray bomb = deflater.compressMessage(QByteArray(16 << 20, 'A'));
        QVERIFY(bomb.size() < 64 * 1024); // 16 MiB of one letter: a few KiB on the wire
        Deflater plain(15, false);
        const QByteArray badText = plain.compressMessage("ok \xff\xfe");

        QTest::newRow("RSV1 on a control frame")
            << true << serverFrame(0xC9, "ping") << qint64(1 << 20)
            << int(Violation::CompressedControlFrame) << 1002;
        QTest::newRow("RSV1 on a continuation frame")
            << true
            << serverFrame(0x41, QByteArray::fromHex("f248cd")) +
                   serverFrame(0xC0, QByteArray::fromHex("c9c90700"))
            << qint64(1 << 20) << int(Violation::CompressedContinuation) << 1002;
        QTest::newRow("does not inflate")
            << true << serverFrame(0xC1, QByteArray::fromHex("ffff0102")) << qint64(1 << 20)
            << int(Violation::InflateError) << 1007;
        QTest::newRow("deflate bomb") << true << serverFrame(0xC2, bomb) << qint64(1 << 20)
                                      << int(Violation::InflatedTooLarge) << 1009;
        QTest::newRow("inflated text is not UTF-8")
            << true << serverFrame(0xC1, badText) << qint64(1 << 20)
            << int(Violation::InvalidUtf8Text) << 1007;
        QTest::newRow("RSV1 without the extension")
            << false << serverFrame(0xC1, QByteArray::fromHex("f248cdc9c90700")) << qint64(1 << 20)
            << int(Violation::RsvWithoutExtension) << 1002;
    }

    void hostileServer()
    {
        QFETCH(bool, agree);
        QFETCH(QByteArray, frames);
        QFETCH(qint64, maxMessage);
        QFETCH(int, violation);
        QFETCH(int, closeCode);

        ScriptedPeer peer;
        if (agree)
            acceptDeflate(peer);
        peer.onFrame = [frames](ScriptedPeer &p, const DecodedFrame &f) {
            if (f.opcode == 1 && p.frames().size() == 1)
                p.send(frames);
            else if (f.opcode == 8) {
                p.send(serverClose(1000));
                p.closeGracefully();
            }
        };
        SessionSettings settings = deflateSettings(peer.url());
        settings.maxFramePayload = maxMessage;
        SessionRun run;
        runSession(run, settings, {textMessage("go")});
        QVERIFY(run.finished);
        QVERIFY2(rxViolations(run.trace).testFlag(Violation(violation)),
                 qPrintable(violationName(Violation(violation))));
        QVERIFY(hasEvent(run.trace, TraceEvent::Kind::FailedByMe));
        QCOMPARE(ourCloseCode(run.trace), std::optional<int>(closeCode));
        // The bomb cost no more than the limit: the frame table has the compressed octets, the
        // inflater stopped at the limit.
        QVERIFY(analyzeClosing(run.trace).failedByMe);
    }

    // A response that breaks the negotiation fails the opening handshake, named.
    void negotiationFailures_data()
    {
        QTest::addColumn<QString>("offer");
        QTest::addColumn<QByteArray>("response");
        QTest::addColumn<QString>("named");
        QTest::newRow("window bits out of range")
            << u"permessage-deflate; client_max_window_bits"_s
            << QByteArray("; client_max_window_bits=16") << u"client_max_window_bits"_s;
        QTest::newRow("client window bits not offered")
            << u"permessage-deflate"_s << QByteArray("; client_max_window_bits=10")
            << u"client_max_window_bits"_s;
        QTest::newRow("unknown parameter")
            << u"permessage-deflate"_s << QByteArray("; x_frobnicate") << u"x_frobnicate"_s;
        QTest::newRow("duplicate parameter")
            << u"permessage-deflate"_s
            << QByteArray("; server_no_context_takeover; server_no_context_takeover")
            << u"server_no_context_takeover"_s;
    }

    void negotiationFailures()
    {
        QFETCH(QString, offer);
        QFETCH(QByteArray, response);
        QFETCH(QString, named);
        ScriptedPeer peer;
        acceptDeflate(peer, response);
        SessionRun run;
        runSession(run, deflateSettings(peer.url(), offer), {textMessage("never sent")});
        QVERIFY(run.finished);
        QString failure;
        for (const TraceEvent &e : run.trace.events()) {
            if (e.kind == TraceEvent::Kind::HandshakeFailed)
                failure = e.text;
        }
        QVERIFY2(failure.contains(named), qPrintable(failure));
        QVERIFY(peer.frames().empty());
    }
};

QTEST_GUILESS_MAIN(TestDeflateSession)
#include "tst_deflatesession.moc"
