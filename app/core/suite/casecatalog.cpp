// SPDX-License-Identifier: MIT
// The case library as data: groups 1–7, 9, 10, 12 and 13 of the reference suite in its own order,
// so a case's 1-based position is its Autobahn case number (docs/cases.md §1.2). Descriptions and
// expectations are the reference's report strings, typos included.
#include "suite/cases.h"

#include "protocol/utf8validator.h"
#include "suite/corpora.h"

#include <QHash>

#include <algorithm>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;

namespace wsi {

namespace {

// ---- step builders: what a case's onOpen calls (docs/sending.md §1, §2) ----

// sendFrame(opcode, payload, fin, rsv); masked with a random key in the client role.
Step frame(int opcode, const QByteArray &payload = {}, bool fin = true, int rsv = 0)
{
    FrameSpec spec;
    spec.opcode = opcode;
    spec.payload = payload;
    spec.fin = fin;
    spec.rsv = rsv;
    return Step::makeFrame(spec);
}

// sendFrame with PAYLOAD-REPEAT-LEN: `pattern` repeated to `length` octets on the wire.
Step repeatedFrame(int opcode, const QByteArray &pattern, qint64 length)
{
    Step s = frame(opcode, pattern);
    s.frame.repeatLength = length;
    return s;
}

// sendMessage(payload, isBinary, fragmentSize); the session adds the empty final fragment when
// the length is an exact multiple of the fragment size (docs/sending.md §1.3).
Step message(const QByteArray &payload, bool binary = false, int fragmentSize = 0)
{
    Step s = Step::makeKind(Step::Kind::Message);
    s.payload = payload;
    s.binary = binary;
    s.fragmentSize = fragmentSize;
    return s;
}

// sendClose / sendCloseFrame: unchecked here, some cases send illegal close payloads on purpose.
Step close(std::optional<int> code, const QByteArray &reason = {})
{
    Step s = Step::makeKind(Step::Kind::Close);
    s.closeCode = code;
    s.closeReason = reason;
    return s;
}

Step timer(Step::Kind kind, double seconds)
{
    Step s = Step::makeKind(kind);
    s.seconds = seconds;
    return s;
}
Step failAfter(double seconds)
{
    return timer(Step::Kind::FailAfter, seconds);
}
Step closeAfter(double seconds)
{
    return timer(Step::Kind::CloseAfter, seconds);
}

// continueLater(seconds, …, tag); an empty tag prints as None.
Step delay(double seconds, const QString &tag = {})
{
    Step s = timer(Step::Kind::Delay, seconds);
    s.tag = tag;
    return s;
}

// 6.4.x: "if still OPEN, record ('timeout', tag) and go on; otherwise stop".
Step timeoutEvent(const QString &tag)
{
    Step s = Step::makeKind(Step::Kind::TimeoutEvent);
    s.tag = tag;
    return s;
}

// The streaming API of 6.4.3/6.4.4: beginMessage + beginMessageFrame(length) write a text header
// with FIN clear that declares `length`; sendMessageFrameData writes the payload pieces.
Step frameHeader(quint64 length)
{
    Step s = Step::makeKind(Step::Kind::FrameHeader);
    s.frame.opcode = 1;
    s.frame.fin = false;
    s.frame.declaredLength = length;
    return s;
}

Step frameData(const QByteArray &data)
{
    Step s = Step::makeKind(Step::Kind::FrameData);
    s.payload = data;
    return s;
}

// endMessage: an empty continuation frame with FIN set, through sendFrame.
Step endMessage()
{
    return frame(0, {}, true);
}

// "sync" / "chop1": the case passes the same write mode to every frame it sends.
enum class Transport : quint8 { Plain, Sync, Chop1 };

StepList withTransport(StepList steps, Transport transport)
{
    if (transport == Transport::Plain)
        return steps;
    const bool sync = transport == Transport::Sync;
    const int chop = transport == Transport::Chop1 ? 1 : 0;
    for (Step &s : steps) {
        if (s.kind == Step::Kind::Frame) {
            s.frame.sync = sync;
            s.frame.chopSize = chop;
        } else if (s.kind == Step::Kind::Message || s.kind == Step::Kind::Ping ||
                   s.kind == Step::Kind::Pong) {
            s.sync = sync;
            s.chopSize = chop;
        }
    }
    return steps;
}

// ---- expectations (docs/cases.md §2.3, docs/closing.md §7) ----

constexpr int kNormal = 1000;
constexpr int kProtocolError = 1002;
constexpr int kInvalidPayload = 1007;

QList<ExpectedEvents> expectOk(const PeerEventList &events = {})
{
    return {ExpectedEvents{Verdict::Ok, events}};
}

// "Echo then fail" and "fail fast": the strict list first, then the lenient one
// (docs/cases.md §3.1).
QList<ExpectedEvents> expectOkOrNonStrict(const PeerEventList &ok, const PeerEventList &nonStrict)
{
    return {ExpectedEvents{Verdict::Ok, ok}, ExpectedEvents{Verdict::NonStrict, nonStrict}};
}

PeerEvent text(const QByteArray &payload)
{
    return PeerEvent::message(payload, false);
}
PeerEvent pong(const QByteArray &payload)
{
    return PeerEvent::pong(payload);
}

// `me [codes] clean|-`: the fuzzer is expected to send the first close.
ExpectedClose closedByMe(const QList<int> &codes = {kNormal}, bool requireClean = true)
{
    return ExpectedClose{true, codes, requireClean, false};
}

// `peer [codes] -`: the peer is expected to fail the connection.
ExpectedClose closedByPeer(const QList<int> &codes, bool wrongEndpointIsFatal = false)
{
    return ExpectedClose{false, codes, false, wrongEndpointIsFatal};
}

QString hexOf(const QByteArray &octets)
{
    return QString::fromLatin1(octets.toHex());
}

class Builder
{
public:
    CaseDefinition &add(const QString &id, const QString &description, const QString &expectation)
    {
        CaseDefinition def;
        def.id = id;
        def.description = description;
        def.expectation = expectation;
        m_cases.append(std::move(def));
        return m_cases.last();
    }

    QList<CaseDefinition> take() { return std::move(m_cases); }

private:
    QList<CaseDefinition> m_cases;
};

// ---- 1 Framing: one frame each, echoed ----

void addFraming(Builder &b)
{
    struct Size
    {
        int length;
        int chopSize;
        int killSeconds;
    };
    const Size sizes[] = {{0, 0, 1},   {125, 0, 1},    {126, 0, 1},    {127, 0, 1},
                          {128, 0, 1}, {65535, 0, 10}, {65536, 0, 10}, {65536, 997, 10}};
    for (const bool isBinary : {false, true}) {
        const QString kind = isBinary ? u"binary"_s : u"text"_s;
        int n = 0;
        for (const Size &size : sizes) {
            ++n;
            QString description =
                size.length == 0
                    ? u"Send %1 message with payload 0."_s.arg(kind)
                    : u"Send %1 message message with payload of length %2."_s.arg(kind).arg(
                          size.length);
            if (size.chopSize > 0)
                description += u" Sent out data in chops of %1 octets."_s.arg(size.chopSize);
            const QString what =
                size.length == 0 ? u"with empty payload"_s : u"with payload as sent"_s;
            const QString expectation =
                u"Receive echo'ed %1 message (%2). Clean close with normal code."_s.arg(kind, what);
            CaseDefinition &c =
                b.add(u"1.%1.%2"_s.arg(isBinary ? 2 : 1).arg(n), description, expectation);
            const QByteArray payload(size.length, isBinary ? '\xfe' : '*');
            Step f = frame(isBinary ? 2 : 1, payload);
            f.frame.chopSize = size.chopSize;
            c.steps = {f, failAfter(size.killSeconds)};
            c.expected = expectOk({PeerEvent::message(payload, isBinary)});
            c.expectedClose = closedByMe();
        }
    }
}

// ---- 2 Pings/Pongs ----

void addPings(Builder &b)
{
    const QString pongEchoed =
        u"Pong with payload echo'ed is sent in reply to Ping. Clean close with normal code."_s;
    {
        CaseDefinition &c = b.add(u"2.1"_s, u"Send ping without payload."_s,
                                  u"Pong (with empty payload) is sent in reply to Ping. Clean "
                                  u"close with normal code."_s);
        c.steps = {frame(9), closeAfter(1)};
        c.expected = expectOk({pong({})});
        c.expectedClose = closedByMe();
    }
    const struct
    {
        QString id;
        QString description;
        QByteArray payload;
    } echoed[] = {
        {u"2.2"_s, u"Send ping with small text payload."_s, "Hello, world!"_ba},
        {u"2.3"_s, u"Send ping with small binary (non UTF-8) payload."_s,
         QByteArray::fromHex("00fffefdfcfb00ff")},
        {u"2.4"_s, u"Send ping with binary payload of 125 octets."_s, QByteArray(125, '\xfe')},
    };
    for (const auto &e : echoed) {
        CaseDefinition &c = b.add(e.id, e.description, pongEchoed);
        c.steps = {frame(9, e.payload), closeAfter(1)};
        c.expected = expectOk({pong(e.payload)});
        c.expectedClose = closedByMe();
    }
    {
        CaseDefinition &c =
            b.add(u"2.5"_s, u"Send ping with binary payload of 126 octets."_s,
                  u"Connection is failed immediately (1002/Protocol Error), since control frames "
                  u"are only allowed to have payload up to and including 125 octets.."_s);
        c.steps = {frame(9, QByteArray(126, '\xfe')), failAfter(1)};
        c.expected = expectOk();
        c.expectedClose = closedByPeer({kProtocolError});
    }
    {
        CaseDefinition &c = b.add(
            u"2.6"_s, u"Send ping with binary payload of 125 octets, send in octet-wise chops."_s,
            u"Pong with payload echo'ed is sent in reply to Ping. Implementations must be TCP "
            u"clean. Clean close with normal code."_s);
        const QByteArray payload(125, '\xfe');
        c.steps = withTransport({frame(9, payload), closeAfter(2)}, Transport::Chop1);
        c.expected = expectOk({pong(payload)});
        c.expectedClose = closedByMe();
    }
    // 2.7, 2.8: an unsolicited pong, then close 1000 at once; nothing may come back.
    const struct
    {
        QString id;
        QString description;
        QByteArray payload;
    } unsolicited[] = {
        {u"2.7"_s,
         u"Send unsolicited pong without payload. Verify nothing is received. Clean close with "
         u"normal code."_s,
         {}},
        {u"2.8"_s,
         u"Send unsolicited pong with payload. Verify nothing is received. Clean close with "
         u"normal code."_s,
         "unsolicited pong payload"_ba},
    };
    for (const auto &u : unsolicited) {
        CaseDefinition &c = b.add(u.id, u.description, u"Nothing."_s);
        c.steps = {frame(10, u.payload), close(kNormal), closeAfter(1)};
        c.expected = expectOk();
        c.expectedClose = closedByMe();
    }
    {
        CaseDefinition &c = b.add(u"2.9"_s,
                                  u"Send unsolicited pong with payload. Send ping with payload. "
                                  u"Verify pong for ping is received."_s,
                                  u"Nothing in reply to own Pong, but Pong with payload echo'ed in "
                                  u"reply to Ping. Clean close with normal code."_s);
        c.steps = {frame(10, "unsolicited pong payload"_ba), frame(9, "ping payload"_ba),
                   closeAfter(1)};
        c.expected = expectOk({pong("ping payload"_ba)});
        c.expectedClose = closedByMe();
    }
    // 2.10, 2.11: ten pings; every pong is required, in order (issue #101).
    const QString tenPongs =
        u"Pongs for our Pings with all the payloads. Note: This is not required by the Spec .. "
        u"but we check for this behaviour anyway. Clean close with normal code."_s;
    for (const bool chopped : {false, true}) {
        CaseDefinition &c =
            chopped ? b.add(u"2.11"_s,
                            u"Send 10 Pings with payload. Send out octets in octet-wise chops."_s,
                            tenPongs)
                    : b.add(u"2.10"_s, u"Send 10 Pings with payload."_s, tenPongs);
        PeerEventList pongs;
        for (int i = 0; i < 10; ++i) {
            const QByteArray payload = "payload-"_ba + QByteArray::number(i);
            c.steps.append(frame(9, payload));
            pongs.append(pong(payload));
        }
        c.steps = withTransport(c.steps, chopped ? Transport::Chop1 : Transport::Plain);
        c.steps.append(closeAfter(3));
        c.expected = expectOk(pongs);
        c.expectedClose = closedByMe();
    }
}

// ---- 3 Reserved Bits: the peer must fail with 1002 ----

void addReservedBits(Builder &b)
{
    const QByteArray hello = "Hello, world!"_ba;
    const QString mustBeZero = u"The connection is failed immediately, since RSV must be 0."_s;
    const QString echoThenFail =
        u"Echo for first message is received, but then connection is failed immediately, since "
        u"RSV must be 0, when no extension defining RSV meaning has been negotiated. The Pong is "
        u"not received."_s;
    auto add = [&](const QString &id, const QString &description, const QString &expectation,
                   const StepList &steps, const QList<ExpectedEvents> &expected) {
        CaseDefinition &c = b.add(id, description, expectation);
        c.steps = steps;
        c.steps.append(failAfter(1));
        c.expected = expected;
        c.expectedClose = closedByPeer({kProtocolError});
    };
    add(u"3.1"_s, u"Send small text message with <b>RSV = 1</b>."_s,
        u"The connection is failed immediately (1002/protocol error), since RSV must be 0, when "
        u"no extension defining RSV meaning has been negotiated."_s,
        {frame(1, hello, true, 1)}, expectOk());
    const struct
    {
        int rsv;
        QString description;
        Transport transport;
    } echoFirst[] = {
        {2, u"Send small text message, then send again with <b>RSV = 2</b>, then send Ping."_s,
         Transport::Plain},
        // Sent with SYNC (not chopped), whatever the second sentence says.
        {3,
         u"Send small text message, then send again with <b>RSV = 3</b>, then send Ping. Octets "
         u"are sent in frame-wise chops. Octets are sent in octet-wise chops."_s,
         Transport::Sync},
        {4,
         u"Send small text message, then send again with <b>RSV = 4</b>, then send Ping. Octets "
         u"are sent in octet-wise chops."_s,
         Transport::Chop1},
    };
    for (const auto &e : echoFirst) {
        add(u"3.%1"_s.arg(e.rsv), e.description, echoThenFail,
            withTransport({frame(1, hello), frame(1, hello, true, e.rsv), frame(9)}, e.transport),
            expectOkOrNonStrict({text(hello)}, {}));
    }
    add(u"3.5"_s, u"Send small binary message with <b>RSV = 5</b>."_s, mustBeZero,
        {frame(2, QByteArray::fromHex("00fffefdfcfb00ff"), true, 5)}, expectOk());
    // Described as a ping, but the reference sends opcode 2 (issue #97, docs/cases.md §5).
    add(u"3.6"_s, u"Send Ping with <b>RSV = 6</b>."_s, mustBeZero, {frame(2, hello, true, 6)},
        expectOk());
    // A raw close frame: sendFrame leaves the close state alone (closedByMe, docs/closing.md §1.1).
    add(u"3.7"_s, u"Send Close with <b>RSV = 7</b>."_s, mustBeZero, {frame(8, {}, true, 7)},
        expectOk());
}

// ---- 4 Opcodes: reserved data opcodes 3–7 (4.1), reserved control opcodes 11–15 (4.2) ----

void addOpcodes(Builder &b)
{
    const QByteArray hello = "Hello, world!"_ba;
    const QString failed = u"The connection is failed immediately."_s;
    const QString echoThenFail =
        u"Echo for first message is received, but then connection is failed immediately, since "
        u"reserved opcode frame is used. A Pong is not received."_s;
    for (const int group : {1, 2}) {
        const int first = group == 1 ? 3 : 11;
        const QString kind = group == 1 ? u"non-control"_s : u"control"_s;
        auto add = [&](int n, const QString &description, const QString &expectation,
                       const StepList &steps, const QList<ExpectedEvents> &expected) {
            CaseDefinition &c = b.add(u"4.%1.%2"_s.arg(group).arg(n), description, expectation);
            c.steps = steps;
            c.steps.append(failAfter(1));
            c.expected = expected;
            c.expectedClose = closedByPeer({kProtocolError});
        };
        add(1, u"Send frame with reserved %1 <b>Opcode = %2</b>."_s.arg(kind).arg(first), failed,
            {frame(first)}, expectOk());
        add(2,
            u"Send frame with reserved %1 <b>Opcode = %2</b> and non-empty payload."_s.arg(kind)
                .arg(first + 1),
            failed, {frame(first + 1, "reserved opcode payload"_ba)}, expectOk());
        add(3,
            u"Send small text message, then send frame with reserved %1 <b>Opcode = %2</b>, then "
            u"send Ping."_s.arg(kind)
                .arg(first + 2),
            echoThenFail, {frame(1, hello), frame(first + 2), frame(9)},
            expectOkOrNonStrict({text(hello)}, {}));
        for (const int n : {4, 5}) {
            const int opcode = first + n - 1;
            add(n,
                u"Send small text message, then send frame with reserved %1 <b>Opcode = %2</b> and "
                u"non-empty payload, then send Ping."_s.arg(kind)
                    .arg(opcode),
                echoThenFail,
                withTransport({frame(1, hello), frame(opcode, hello), frame(9)},
                              n == 5 ? Transport::Chop1 : Transport::Plain),
                expectOkOrNonStrict({text(hello)}, {}));
        }
    }
}

// ---- 5 Fragmentation ----

void addFragmentation(Builder &b)
{
    const QByteArray f1 = "fragment1"_ba;
    const QByteArray f2 = "fragment2"_ba;
    const QString noFragmentedControl =
        u"Connection is failed immediately, since control message MUST NOT be fragmented."_s;
    const QString nothingToContinue =
        u"The connection is failed immediately, since there is no message to continue."_s;

    auto failCase = [&](const QString &id, const QString &description, const QString &expectation,
                        const StepList &steps, const QList<ExpectedEvents> &expected = expectOk()) {
        CaseDefinition &c = b.add(id, description, expectation);
        c.steps = steps;
        c.steps.append(failAfter(1));
        c.expected = expected;
        c.expectedClose = closedByPeer({kProtocolError});
    };
    auto echoCase = [&](const QString &id, const QString &description, const QString &expectation,
                        const StepList &steps, const PeerEventList &expected) {
        CaseDefinition &c = b.add(id, description, expectation);
        c.steps = steps;
        c.steps.append(closeAfter(1));
        c.expected = expectOk(expected);
        c.expectedClose = closedByMe();
    };

    failCase(u"5.1"_s, u"Send Ping fragmented into 2 fragments."_s, noFragmentedControl,
             {frame(9, f1, false), frame(0, f2, true)});
    failCase(u"5.2"_s, u"Send Pong fragmented into 2 fragments."_s, noFragmentedControl,
             {frame(10, f1, false), frame(0, f2, true)});

    const QString twoFragments = u"Send text Message fragmented into 2 fragments"_s;
    const struct
    {
        QString suffix;
        Transport transport;
    } modes[] = {{QString(), Transport::Plain},
                 {u", octets are sent in frame-wise chops"_s, Transport::Sync},
                 {u", octets are sent in octet-wise chops"_s, Transport::Chop1}};
    int n = 3;
    for (const auto &m : modes) {
        echoCase(u"5.%1"_s.arg(n++), twoFragments + m.suffix + u'.',
                 u"Message is processed and echo'ed back to us."_s,
                 withTransport({frame(1, f1, false), frame(0, f2, true)}, m.transport),
                 {text(f1 + f2)});
    }
    const QByteArray pingPayload = "ping payload"_ba;
    const QString pingBetween = twoFragments + u", one ping with payload in-between."_s;
    const QString modeSentences[] = {QString(), u" Octets are sent in frame-wise chops."_s,
                                     u" Octets are sent in octet-wise chops."_s};
    for (int k = 0; k < 3; ++k) {
        echoCase(
            u"5.%1"_s.arg(n++), pingBetween + modeSentences[k],
            u"A pong is received, then the message is echo'ed back to us."_s,
            withTransport({frame(1, f1, false), frame(9, pingPayload, true), frame(0, f2, true)},
                          modes[k].transport),
            {pong(pingPayload), text(f1 + f2)});
    }
    // 5.9–5.14: a continuation frame with nothing to continue, then a text message.
    const QString chopWords[] = {u"one chop"_s, u"per-frame chops"_s, u"octet-wise chops"_s};
    for (const bool fin : {true, false}) {
        for (int k = 0; k < 3; ++k) {
            failCase(u"5.%1"_s.arg(n++),
                     u"Send unfragmented Text Message after Continuation Frame with FIN = %1, "
                     u"where there is nothing to continue, sent in %2."_s.arg(
                         fin ? u"true"_s : u"false"_s, chopWords[k]),
                     nothingToContinue,
                     withTransport({frame(0, "non-continuation payload"_ba, fin),
                                    frame(1, "Hello, world!"_ba, true)},
                                   modes[k].transport));
        }
    }
    failCase(u"5.15"_s,
             u"Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = "
             u"false where there is nothing to continue, then unfragmented Text Message, all sent "
             u"in one chop."_s,
             nothingToContinue,
             {frame(1, f1, false), frame(0, f2, true), frame(0, "fragment3"_ba, false),
              frame(1, "fragment4"_ba, true)},
             expectOkOrNonStrict({text(f1 + f2)}, {}));
    for (const bool fin : {false, true}) {
        StepList steps;
        for (int i = 0; i < 2; ++i)
            steps << frame(0, f1, fin) << frame(1, f2, false) << frame(0, "fragment3"_ba, true);
        failCase(fin ? u"5.17"_s : u"5.16"_s,
                 u"Repeated 2x: Continuation Frame with FIN = %1 (where there is nothing to "
                 u"continue), then text Message fragmented into 2 fragments."_s.arg(
                     fin ? u"true"_s : u"false"_s),
                 nothingToContinue, steps);
    }
    failCase(u"5.18"_s,
             u"Send text Message fragmented into 2 fragments, with both frame opcodes set to text, "
             u"sent in one chop."_s,
             u"The connection is failed immediately, since all data frames after the initial data "
             u"frame must have opcode 0."_s,
             {frame(1, f1, false), frame(1, f2, true)});

    // 5.19, 5.20: two fragments and a ping, a 1 s pause (tag None), two more fragments, a second
    // ping, the last fragment; the close timer is scheduled by the continuation
    // (docs/cases.md §4.5).
    const QString descriptions[] = {
        u"A fragmented text message is sent in multiple frames. After\n   sending the first 2 "
        u"frames of the text message, a Ping is sent. Then we wait 1s,\n   then we send 2 more "
        u"text fragments, another Ping and then the final text fragment.\n   Everything is "
        u"legal."_s,
        u"Same as Case 5.19, but send all frames with SYNC = True.\n   Note, this does not change "
        u"the octets sent in any way, only how the stream\n   is chopped up on the wire."_s};
    const QString expectations[] = {
        u"The peer immediately answers the first Ping before\n   it has received the last text "
        u"message fragment. The peer pong's back the Ping's\n   payload exactly, and echo's the "
        u"payload of the fragmented message back to us."_s,
        u"Same as Case 5.19. Implementations must be agnostic to how\n   octet stream is chopped "
        u"up on wire (must be TCP clean)."_s};
    for (int k = 0; k < 2; ++k) {
        CaseDefinition &c = b.add(u"5.%1"_s.arg(19 + k), descriptions[k], expectations[k]);
        const QByteArray ping1 = "pongme 1!"_ba;
        const QByteArray ping2 = "pongme 2!"_ba;
        c.steps = withTransport({frame(1, f1, false), frame(0, f2, false), frame(9, ping1, true),
                                 delay(1), frame(0, "fragment3"_ba, false),
                                 frame(0, "fragment4"_ba, false), frame(9, ping2, true),
                                 frame(0, "fragment5"_ba, true), closeAfter(1)},
                                k == 1 ? Transport::Sync : Transport::Plain);
        c.expected = expectOk(
            {pong(ping1), pong(ping2), text("fragment1fragment2fragment3fragment4fragment5"_ba)});
        c.expectedClose = closedByMe();
    }
}

// ---- 6.1–6.4 UTF-8 handling, hand-written cases ----

void addUtf8Basics(Builder &b)
{
    const QString echoed = u"The message is echo'ed back to us."_s;
    const QString emptyEcho = u"A message is echo'ed back to us (with empty payload)."_s;
    auto echoCase = [&](const QString &id, const QString &description, const QString &expectation,
                        const StepList &steps, const QByteArray &expected) {
        CaseDefinition &c = b.add(id, description, expectation);
        c.steps = steps;
        c.steps.append(closeAfter(1));
        c.expected = expectOk({text(expected)});
        c.expectedClose = closedByMe();
    };

    echoCase(u"6.1.1"_s, u"Send text message of length 0."_s, emptyEcho, {frame(1, {})}, {});
    echoCase(u"6.1.2"_s, u"Send fragmented text message, 3 fragments each of length 0."_s,
             emptyEcho, {frame(1, {}, false), frame(0, {}, false), frame(0, {}, true)}, {});
    const QByteArray middle = "middle frame payload"_ba;
    echoCase(u"6.1.3"_s,
             u"Send fragmented text message, 3 fragments, first and last of length 0, middle "
             u"non-empty."_s,
             u"A message is echo'ed back to us (with payload = payload of middle fragment)."_s,
             {frame(1, {}, false), frame(0, middle, false), frame(0, {}, true)}, middle);

    // "Hello-µ@ßöäüàá-UTF-8!!" (29 octets) and "κόσμε" (11 octets)
    const QByteArray hello =
        QByteArray::fromHex("48656c6c6f2dc2b540c39fc3b6c3a4c3bcc3a0c3a12d5554462d382121");
    const QByteArray kosme = QByteArray::fromHex("cebae1bdb9cf83cebcceb5");
    // Returns QString, not auto: a QStringBuilder would refer to the temporaries.
    auto shown = [](const QByteArray &p) -> QString {
        return QString::fromUtf8(p) + u"<br>"_s + hexOf(p);
    };
    echoCase(u"6.2.1"_s,
             u"Send a valid UTF-8 text message in one fragment.<br><br>MESSAGE:<br>"_s +
                 shown(hello),
             echoed, {message(hello)}, hello);
    const QByteArray part1 = hello.left(15);
    const QByteArray part2 = hello.mid(15);
    echoCase(u"6.2.2"_s,
             u"Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point "
             u"boundary.<br><br>MESSAGE FRAGMENT 1:<br>"_s +
                 shown(part1) + u"<br><br>MESSAGE FRAGMENT 2:<br>"_s + shown(part2),
             echoed, {frame(1, part1, false), frame(0, part2, true)}, hello);
    const QString octetWise =
        u"Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on "
        u"positions which are not code point ends.<br><br>MESSAGE:<br>"_s;
    echoCase(u"6.2.3"_s, octetWise + shown(hello), echoed, {message(hello, false, 1)}, hello);
    echoCase(u"6.2.4"_s, octetWise + shown(kosme), echoed, {message(kosme, false, 1)}, kosme);

    // κόσμε, a UTF-16 surrogate (invalid at its second octet, offset 12), "edited"
    const QByteArray surrogate = kosme + QByteArray::fromHex("eda080") + "edited"_ba;
    const QString notValid =
        u"The connection is failed immediately, since the payload is not valid UTF-8."_s;
    const struct
    {
        QString id;
        QString description;
        int fragmentSize;
    } invalid[] = {
        {u"6.3.1"_s, u"Send invalid UTF-8 text message unfragmented.<br><br>MESSAGE:<br>"_s, 0},
        {u"6.3.2"_s,
         u"Send invalid UTF-8 text message in fragments of 1 octet, resulting in frames ending on "
         u"positions which are not code point ends.<br><br>MESSAGE:<br>"_s,
         1},
    };
    for (const auto &i : invalid) {
        CaseDefinition &c = b.add(i.id, i.description + hexOf(surrogate), notValid);
        c.steps = {message(surrogate, false, i.fragmentSize), failAfter(1)};
        c.expected = expectOk();
        c.expectedClose = closedByPeer({kInvalidPayload}, true);
    }

    // 6.4.x fail-fast: κόσμε, then F4 90 80 80 (0x110000, out of range, impossible at 0x90),
    // then "edited", with a 1 s wait after each of the first two parts (docs/cases.md §4.6).
    const QByteArray p1 = kosme;
    const QByteArray p2 = QByteArray::fromHex("f4908080");
    const QByteArray p3 = "edited"_ba;
    const QByteArray whole = p1 + p2 + p3;
    const QByteArray q1 = whole.left(12);
    const QByteArray q2 = whole.mid(12, 1);
    const QByteArray q3 = whole.mid(13);
    auto parts = [](const QByteArray &a, const QByteArray &b2, const QByteArray &c) -> QString {
        return u"\n<br><br>MESSAGE PARTS:<br>\nPART1 = "_s + hexOf(a) + u"<br>\nPART2 = "_s +
               hexOf(b2) + u"<br>\nPART3 = "_s + hexOf(c) + u"<br>\n"_s;
    };
    const QString frameExpectation =
        u"The first frame is accepted, we expect to timeout on the first wait. The 2nd frame "
        u"should be rejected immediately (fail fast on UTF-8). If we timeout, we expect the "
        u"connection is failed at least then, since the complete message payload is not valid "
        u"UTF-8."_s;
    const QString chopExpectation =
        u"The first chop is accepted, we expect to timeout on the first wait. The 2nd chop should "
        u"be rejected immediately (fail fast on UTF-8). If we timeout, we expect the connection is "
        u"failed at least then, since the complete message payload is not valid UTF-8."_s;
    const QString sameChops =
        u", but we send message not in 3 frames, but in 3 chops of the same message frame."_s;
    const struct
    {
        QString id;
        QString description;
        QString expectation;
        bool streamed;
        QByteArray a, b, c;
    } failFast[] = {
        {u"6.4.1"_s,
         u"Send invalid UTF-8 text message in 3 fragments (frames).\nFirst frame payload is "
         u"valid, then wait, then 2nd frame which contains the payload making the sequence "
         u"invalid, then wait, then 3rd frame with rest.\nNote that PART1 and PART3 are valid "
         u"UTF-8 in themselves, PART2 is a 0x110000 encoded as in the UTF-8 integer encoding "
         u"scheme, but the codepoint is invalid (out of range)."_s +
             parts(p1, p2, p3),
         frameExpectation, false, p1, p2, p3},
        {u"6.4.2"_s,
         u"Same as Case 6.4.1, but in 2nd frame, we send only up to and including the octet "
         u"making the complete payload invalid."_s +
             parts(q1, q2, q3),
         frameExpectation, false, q1, q2, q3},
        {u"6.4.3"_s, u"Same as Case 6.4.1"_s + sameChops + parts(p1, p2, p3), chopExpectation, true,
         p1, p2, p3},
        // The reference prints PART3 from PAYLOAD3[13:], which is empty: kept as reported.
        {u"6.4.4"_s, u"Same as Case 6.4.2"_s + sameChops + parts(q1, q2, {}), chopExpectation, true,
         q1, q2, q3},
    };
    for (const auto &f : failFast) {
        CaseDefinition &c = b.add(f.id, f.description, f.expectation);
        if (f.streamed) {
            c.steps = {frameHeader(quint64(whole.size())),
                       frameData(f.a),
                       delay(1, u"A"_s),
                       timeoutEvent(u"A"_s),
                       frameData(f.b),
                       delay(1, u"B"_s),
                       timeoutEvent(u"B"_s),
                       frameData(f.c),
                       endMessage(),
                       failAfter(1)};
        } else {
            c.steps = {frame(1, f.a, false), delay(1, u"A"_s), timeoutEvent(u"A"_s),
                       frame(0, f.b, false), delay(1, u"B"_s), timeoutEvent(u"B"_s),
                       frame(0, f.c, true),  failAfter(1)};
        }
        c.expected = expectOkOrNonStrict({PeerEvent::timeout("A"_ba)},
                                         {PeerEvent::timeout("A"_ba), PeerEvent::timeout("B"_ba)});
        c.expectedClose = closedByPeer({kInvalidPayload}, true);
    }
}

// ---- 6.5–6.23: Markus Kuhn's UTF-8 decoder test, one case per sequence (docs/cases.md §4.7) ----

struct Utf8Sequence
{
    bool valid;
    QByteArray octets;
};

struct Utf8Group
{
    QString title;
    QList<Utf8Sequence> sequences;
};

QList<Utf8Sequence> fromHex(bool valid, std::initializer_list<const char *> hexes)
{
    QList<Utf8Sequence> out;
    for (const char *h : hexes)
        out.append({valid, QByteArray::fromHex(h)});
    return out;
}

QList<Utf8Group> utf8TestGroups()
{
    QList<Utf8Group> groups;
    const QByteArray kosme = QByteArray::fromHex("cebae1bdb9cf83cebcceb5");

    groups.append({u"Some valid UTF-8 sequences"_s,
                   fromHex(true, {"68656c6c6f24776f726c64", "68656c6c6fc2a2776f726c64",
                                  "68656c6c6fe282ac776f726c64", "68656c6c6ff0a4ada2776f726c64",
                                  "cebae1bdb9cf83cebcceb5"})});

    // Each prefix is valid when it is complete UTF-8 (ends on a code point), as the reference
    // decides with its validator.
    Utf8Group prefixes{
        u"All prefixes of a valid UTF-8 string that contains multi-byte code points"_s, {}};
    for (qsizetype i = 1; i <= kosme.size(); ++i) {
        const QByteArray prefix = kosme.left(i);
        prefixes.sequences.append(
            {Utf8Validator::firstInvalidOffset(prefix.constData(), prefix.size()) < 0, prefix});
    }
    groups.append(prefixes);

    groups.append({u"First possible sequence of a certain length"_s,
                   fromHex(true, {"00", "c280", "e0a080", "f0908080"})});
    groups.append({u"First possible sequence length 5/6 (invalid codepoints)"_s,
                   fromHex(false, {"f888808080", "fc8480808080"})});
    groups.append({u"Last possible sequence of a certain length"_s,
                   fromHex(true, {"7f", "dfbf", "efbfbf", "f48fbfbf"})});
    groups.append({u"Last possible sequence length 4/5/6 (invalid codepoints)"_s,
                   fromHex(false, {"f7bfbfbf", "fbbfbfbfbf", "fdbfbfbfbfbf"})});
    groups.append(
        {u"Other boundary conditions"_s,
         fromHex(true, {"ed9fbf", "ee8080", "efbfbd", "f48fbfbf"}) + fromHex(false, {"f4908080"})});

    Utf8Group continuation{
        u"Unexpected continuation bytes"_s,
        fromHex(false, {"80", "bf", "80bf", "80bf80", "80bf80bf", "80bf80bf80", "80bf80bf80bf"})};
    QByteArray run; // 0x80 … 0xBE (the generating range excludes its upper bound)
    for (int c = 0x80; c < 0xbf; ++c)
        run.append(char(c));
    continuation.sequences.append({false, run});
    groups.append(continuation);

    Utf8Group lonely{u"Lonely start characters"_s, {}};
    const std::pair<int, int> starts[] = {
        {0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}};
    for (const auto &[from, to] : starts) {
        QByteArray s;
        for (int c = from; c < to; ++c) {
            s.append(char(c));
            s.append(' ');
        }
        lonely.sequences.append({false, s});
    }
    groups.append(lonely);

    const QList<Utf8Sequence> missingLast =
        fromHex(false, {"c0", "e080", "f08080", "f8808080", "fc80808080", "df", "efbf", "f7bfbf",
                        "fbbfbfbf", "fdbfbfbfbf"});
    groups.append({u"Sequences with last continuation byte missing"_s, missingLast});
    QByteArray concatenated;
    for (const Utf8Sequence &s : missingLast)
        concatenated += s.octets;
    groups.append({u"Concatenation of incomplete sequences"_s, {{false, concatenated}}});

    groups.append({u"Impossible bytes"_s, fromHex(false, {"fe", "ff", "fefeffff"})});
    groups.append({u"Examples of an overlong ASCII character"_s,
                   fromHex(false, {"c0af", "e080af", "f08080af", "f8808080af", "fc80808080af"})});
    groups.append({u"Maximum overlong sequences"_s,
                   fromHex(false, {"c1bf", "e09fbf", "f08fbfbf", "f887bfbfbf", "fc83bfbfbfbf"})});
    groups.append({u"Overlong representation of the NUL character"_s,
                   fromHex(false, {"c080", "e08080", "f0808080", "f880808080", "fc8080808080"})});
    groups.append(
        {u"Single UTF-16 surrogates"_s,
         fromHex(false, {"eda080", "edadbf", "edae80", "edafbf", "edb080", "edbe80", "edbfbf"})});
    groups.append(
        {u"Paired UTF-16 surrogates"_s,
         fromHex(false, {"eda080edb080", "eda080edbfbf", "edadbfedb080", "edadbfedbfbf",
                         "edae80edb080", "edae80edbfbf", "edafbfedb080", "edafbfedbfbf"})});

    // Noncharacters are valid UTF-8 (RFC 3629): U+FFFE/U+FFFF, then U+nFFFE/U+nFFFF for the
    // planes 1–16 in the order F0–F4 × 8F/9F/AF/BF × BE/BF, without the overlong F0 8F … and the
    // out-of-range F4 9F/AF/BF ….
    Utf8Group nonchars{u"Non-character code points (valid UTF-8)"_s,
                       fromHex(true, {"efbfbe", "efbfbf"})};
    for (const int lead : {0xf0, 0xf1, 0xf2, 0xf3, 0xf4}) {
        for (const int second : {0x8f, 0x9f, 0xaf, 0xbf}) {
            if (lead == 0xf4 && second != 0x8f)
                continue;
            if (lead == 0xf0 && second == 0x8f)
                continue;
            for (const int last : {0xbe, 0xbf}) {
                const char octets[] = {char(lead), char(second), char(0xbf), char(last)};
                nonchars.sequences.append({true, QByteArray(octets, 4)});
            }
        }
    }
    groups.append(nonchars);
    groups.append(
        {u"Unicode specials (i.e. replacement char)"_s,
         fromHex(true, {"efbfb9", "efbfba", "efbfbb", "efbfbc", "efbfbd", "efbfbe", "efbfbf"})});
    return groups;
}

constexpr int kFirstGeneratedUtf8Group = 5; // 6.5

void addUtf8Generated(Builder &b, const QList<Utf8Group> &groups)
{
    int group = kFirstGeneratedUtf8Group;
    for (const Utf8Group &g : groups) {
        int n = 0;
        for (const Utf8Sequence &s : g.sequences) {
            const QString description =
                (s.valid
                     ? u"Send a text message with payload which is valid UTF-8 in one fragment."_s
                     : u"Send a text message with payload which is not valid UTF-8 in one "
                       u"fragment."_s) +
                u"<br><br>Payload: 0x"_s + hexOf(s.octets);
            const QString expectation =
                s.valid ? u"The message is echo'ed back to us."_s
                        : u"The connection is failed immediately, since the payload is not valid "
                          u"UTF-8."_s;
            CaseDefinition &c = b.add(u"6.%1.%2"_s.arg(group).arg(++n), description, expectation);
            c.steps = {message(s.octets), failAfter(0.5)};
            if (s.valid) {
                c.expected = expectOk({text(s.octets)});
                c.expectedClose = closedByMe();
            } else {
                c.expected = expectOk();
                c.expectedClose = closedByPeer({kInvalidPayload}, true);
            }
        }
        ++group;
    }
}

// ---- 7 Close Handling ----

void addCloseHandling(Builder &b)
{
    const QByteArray helloWorld = "Hello World!"_ba;
    const QString normalClose = u"Clean close with normal code."_s;
    auto add = [&](const QString &id, const QString &description, const QString &expectation,
                   const StepList &steps, const ExpectedClose &expectedClose,
                   bool suppressClose = true) -> CaseDefinition & {
        CaseDefinition &c = b.add(id, description, expectation);
        c.steps = steps;
        c.steps.append(failAfter(1));
        c.expected = expectOk();
        c.expectedClose = expectedClose;
        c.suppressClose = suppressClose;
        c.override = CaseOverride::WrongCodeFails;
        return c;
    };

    // 7.1 Basic close behavior (fuzzer initiated)
    add(u"7.1.1"_s, u"Send a message followed by a close frame"_s,
        u"Echoed message followed by clean close with normal code."_s, {frame(1, helloWorld)},
        closedByMe(), false)
        .expected = expectOk({text(helloWorld)});
    // The second close goes out as a raw frame: the close API would send nothing in CLOSING.
    add(u"7.1.2"_s, u"Send two close frames"_s,
        u"Clean close with normal code. Second close frame ignored."_s, {close(kNormal), frame(8)},
        closedByMe());
    add(u"7.1.3"_s, u"Send a ping after close message"_s,
        u"Clean close with normal code, no pong."_s, {close(kNormal), frame(9)}, closedByMe());
    add(u"7.1.4"_s, u"Send text message after sending a close frame."_s,
        u"Clean close with normal code. Text message ignored."_s,
        {close(kNormal), frame(1, helloWorld)}, closedByMe());
    add(u"7.1.5"_s, u"Send message fragment1 followed by close then fragment"_s, normalClose,
        {frame(1, "fragment1"_ba, false), close(kNormal), frame(0, "fragment2"_ba, true)},
        closedByMe());
    {
        CaseDefinition &c =
            add(u"7.1.6"_s, u"Send 256K message followed by close then a ping"_s,
                u"Case outcome depends on implementation defined close behavior. Message and close "
                u"frame are sent back to back. If the close frame is processed before the text "
                u"message write is complete (as can happen in asynchronous processing models) the "
                u"close frame is processed first and the text message may not be received or may "
                u"only be partially recieved."_s,
                {repeatedFrame(1, "BAsd7&jh23"_ba, 256 * 1024), frame(1, helloWorld),
                 close(kNormal), frame(9)},
                closedByMe());
        c.expected = expectOkOrNonStrict({text(helloWorld)}, {});
        c.override = CaseOverride::Informational716;
    }

    // 7.3 Close frame structure: payload length (fuzzer initiated)
    add(u"7.3.1"_s, u"Send a close frame with payload length 0 (no close code, no close reason)"_s,
        normalClose, {close(std::nullopt)}, closedByMe());
    add(u"7.3.2"_s, u"Send a close frame with payload length 1"_s,
        u"Clean close with protocol error or drop TCP."_s, {close(std::nullopt, "a"_ba)},
        closedByMe({kProtocolError}, false));
    add(u"7.3.3"_s, u"Send a close frame with payload length 2 (regular close with a code)"_s,
        normalClose, {close(kNormal)}, closedByMe());
    add(u"7.3.4"_s, u"Send a close frame with close code and close reason"_s, normalClose,
        {close(kNormal, helloWorld)}, closedByMe());
    add(u"7.3.5"_s,
        u"Send a close frame with close code and close reason of maximum length (123)"_s,
        normalClose, {close(kNormal, QByteArray(123, '*'))}, closedByMe());
    add(u"7.3.6"_s,
        u"Send a close frame with close code and close reason which is too long (124) - total "
        u"frame payload 126 octets"_s,
        u"Clean close with protocol error code or dropped TCP connection."_s,
        {close(kNormal, QByteArray(124, '*'))}, closedByMe({kProtocolError}, false));

    // 7.5 Close frame structure: payload value (fuzzer initiated)
    add(u"7.5.1"_s, u"Send a close frame with invalid UTF8 payload"_s,
        u"Clean close with protocol error or invalid utf8 code or dropped TCP."_s,
        {close(kNormal, QByteArray::fromHex("cebae1bdb9cf83cebcceb5eda080656469746564"))},
        closedByMe({kProtocolError, kInvalidPayload}, false));

    // 7.7 valid close codes: clean close with 1000 or the echoed code (1000 is listed twice for
    // 7.7.1, as the reference's report text shows it).
    const int validCodes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009,
                              1010, 1011, 3000, 3999, 4000, 4999};
    int n = 0;
    for (const int code : validCodes) {
        add(u"7.7.%1"_s.arg(++n), u"Send close with valid close code %1"_s.arg(code),
            u"Clean close with normal or echoed code"_s, {close(code)}, closedByMe({kNormal, code}),
            false);
    }
    // 7.9 invalid close codes (the list of the current reference: 1012–1015 were removed).
    const int invalidCodes[] = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};
    n = 0;
    for (const int code : invalidCodes) {
        add(u"7.9.%1"_s.arg(++n), u"Send close with invalid close code %1"_s.arg(code),
            u"Clean close with protocol error code or drop TCP"_s, {close(code)},
            closedByMe({kProtocolError}, false), false);
    }
    // 7.13 Informational close information: 7.13.2's description says 65536, it sends 65535.
    const struct
    {
        int code;
        QString description;
    } informational[] = {{5000, u"Send close with close code 5000"_s},
                         {65535, u"Send close with close code 65536"_s}};
    n = 0;
    for (const auto &i : informational) {
        CaseDefinition &c =
            add(u"7.13.%1"_s.arg(++n), i.description, u"Actual events are undefined by the spec."_s,
                {close(i.code)}, closedByMe({kNormal, i.code, kProtocolError}, false));
        c.override = CaseOverride::Undefined;
    }
}

// ---- 9 Limits/Performance: the runner sends the message itself (steps stay empty) ----

void addLimits(Builder &b)
{
    auto add = [&](const QString &id, const QString &description, const QString &expectation,
                   CaseLogic logic, const QByteArray &pattern, qint64 length, bool isBinary,
                   int waitSeconds) -> CaseDefinition & {
        CaseDefinition &c = b.add(id, description, expectation);
        c.logic = logic;
        c.messagePattern = pattern;
        c.messageLength = length;
        c.messageBinary = isBinary;
        c.waitSeconds = waitSeconds;
        c.reportTime = true;
        c.expectedClose = closedByMe();
        return c;
    };
    const QByteArray textPattern = "BAsd7&jh23"_ba;
    const QByteArray binaryPattern = QByteArray::fromHex("00fe23faf0");
    constexpr qint64 KiB = 1024;
    constexpr qint64 MiB = 1024 * 1024;

    // 9.1, 9.2: one frame of increasing size (9.2.5 says 16M for its 8 MiB).
    const qint64 sizes[] = {64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB, 8 * MiB, 16 * MiB};
    const QString sizeLabels[] = {u"64 * 2**10 (64k)"_s, u"256 * 2**10 (256k)"_s,
                                  u"1 * 2**20 (1M)"_s,   u"4 * 2**20 (4M)"_s,
                                  u"8 * 2**20 (8M)"_s,   u"16 * 2**20 (16M)"_s};
    const int textWaits[] = {10, 10, 100, 100, 100, 100};
    const int binaryWaits[] = {10, 10, 10, 10, 100, 100};
    for (const bool isBinary : {false, true}) {
        const QString kind = isBinary ? u"binary"_s : u"text"_s;
        for (int i = 0; i < 6; ++i) {
            const QString label = isBinary && i == 4 ? u"8 * 2**20 (16M)"_s : sizeLabels[i];
            add(u"9.%1.%2"_s.arg(isBinary ? 2 : 1).arg(i + 1),
                u"Send %1 message message with payload of length %2."_s.arg(kind, label),
                u"Receive echo'ed %1 message (with payload as sent)."_s.arg(kind),
                CaseLogic::TimedEcho, isBinary ? binaryPattern : textPattern, sizes[i], isBinary,
                isBinary ? binaryWaits[i] : textWaits[i]);
        }
    }

    // 9.3, 9.4: 4 MiB in fragments of increasing size (9.3.9 says 8M for its 4 MiB). 9.4.1 sends
    // 0xFE octets, 9.4.2–9.4.9 send '*' (the reference's subclasses override the payload).
    const int fragments[] = {64,        256,        1 * 1024,    4 * 1024,       16 * 1024,
                             64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024};
    const QString fragmentLabels[] = {u"64"_s,  u"256"_s,  u"1k"_s, u"4k"_s, u"16k"_s,
                                      u"64k"_s, u"256k"_s, u"1M"_s, u"4M"_s};
    for (const bool isBinary : {false, true}) {
        const QString kind = isBinary ? u"binary"_s : u"text"_s;
        for (int i = 0; i < 9; ++i) {
            const QString total = !isBinary && i == 8 ? u"(8M)"_s : u"(4M)"_s;
            const QByteArray pattern = isBinary && i == 0 ? "\xfe"_ba : "*"_ba;
            CaseDefinition &c =
                add(u"9.%1.%2"_s.arg(isBinary ? 4 : 3).arg(i + 1),
                    u"Send fragmented %1 message message with message payload of length 4 * 2**20 "
                    u"%2. Sent out in fragments of %3."_s.arg(kind, total, fragmentLabels[i]),
                    u"Receive echo'ed %1 message (with payload as sent)."_s.arg(kind),
                    CaseLogic::TimedEcho, pattern, 4 * MiB, isBinary, 100);
            c.fragmentSize = fragments[i];
        }
    }

    // 9.5, 9.6: 1 MiB in one frame, written in chops of increasing size. 9.6.2–9.6.6 expect a
    // "text" message in their report string.
    const int chops[] = {64, 128, 256, 512, 1024, 2048};
    for (const bool isBinary : {false, true}) {
        const QString kind = isBinary ? u"binary"_s : u"text"_s;
        for (int i = 0; i < 6; ++i) {
            const QString expected = isBinary && i > 0 ? u"text"_s : kind;
            CaseDefinition &c =
                add(u"9.%1.%2"_s.arg(isBinary ? 6 : 5).arg(i + 1),
                    u"Send %1 message message with payload of length 1 * 2**20 (1M). Sent out "
                    u"data in chops of %2 octets."_s.arg(kind)
                        .arg(chops[i]),
                    u"Receive echo'ed %1 message (with payload as sent)."_s.arg(expected),
                    CaseLogic::TimedEcho, isBinary ? binaryPattern : textPattern, 1 * MiB, isBinary,
                    1000);
            c.chopSize = chops[i];
        }
    }

    // 9.7, 9.8: 1000 round trips one after another.
    const struct
    {
        int length;
        int waitSeconds;
    } roundTrips[] = {{0, 60}, {16, 60}, {64, 60}, {256, 120}, {1024, 240}, {4096, 480}};
    constexpr int kRoundTrips = 1000;
    for (const bool isBinary : {false, true}) {
        const QString kind = isBinary ? u"binary"_s : u"text"_s;
        int i = 0;
        for (const auto &r : roundTrips) {
            CaseDefinition &c =
                add(u"9.%1.%2"_s.arg(isBinary ? 8 : 7).arg(++i),
                    u"Send %1 %2 messages of payload size %3 to measure implementation/network RTT "
                    u"(round trip time) / latency."_s.arg(kRoundTrips)
                        .arg(kind)
                        .arg(r.length),
                    u"Receive echo'ed %1 messages (with payload as sent). Timeout case after %2 "
                    u"secs."_s.arg(kind)
                        .arg(r.waitSeconds),
                    CaseLogic::RoundTrips, isBinary ? "\xfe"_ba : "*"_ba, r.length, isBinary,
                    r.waitSeconds);
            c.roundTrips = kRoundTrips;
        }
    }
}

// ---- 10 Misc ----

void addMisc(Builder &b)
{
    CaseDefinition &c = b.add(
        u"10.1.1"_s,
        u"Send text message with payload of length 65536 auto-fragmented with <b>autoFragmentSize "
        u"= 1300</b>."_s,
        u"Receive echo'ed text message (with payload as sent and transmitted frame counts as "
        u"expected). Clean close with normal code."_s);
    const QByteArray payload(65536, '*');
    constexpr int kAutoFragmentSize = 1300;
    c.steps = {message(payload, false, kAutoFragmentSize), failAfter(10)};
    c.expected = expectOk({text(payload)});
    c.expectedClose = closedByMe();
    // 65536 = 50 × 1300 + 536: one text frame, 50 continuation frames (docs/cases.md §4.10).
    c.expectedTxFrames = {{0, payload.size() / kAutoFragmentSize},
                          {1, payload.size() % kAutoFragmentSize > 0 ? 1 : 0}};
}

// ---- 12, 13 WebSocket compression (permessage-deflate) ----

// One offer as the reference's PerMessageDeflateOffer writes it: it always lets the server
// restrict our side (client_no_context_takeover, client_max_window_bits), and asks for the
// server's side what the case requests (docs/cases.md §4.11).
struct DeflateOffer
{
    bool requestNoContextTakeover = false;
    int requestMaxWindowBits = 0; // 0: no server_max_window_bits
};

QString offerText(const DeflateOffer &o)
{
    QString s = u"permessage-deflate; client_no_context_takeover; client_max_window_bits"_s;
    if (o.requestNoContextTakeover)
        s += u"; server_no_context_takeover"_s;
    if (o.requestMaxWindowBits != 0)
        s += u"; server_max_window_bits=%1"_s.arg(o.requestMaxWindowBits);
    return s;
}

// Python's str() of a list of (requestNoContextTakeover, requestMaxWindowBits) tuples.
QString offerTuples(const QList<DeflateOffer> &offers)
{
    QStringList parts;
    for (const DeflateOffer &o : offers)
        parts << u"(%1, %2)"_s.arg(o.requestNoContextTakeover ? u"True"_s : u"False"_s)
                     .arg(o.requestMaxWindowBits);
    return u'[' + parts.join(u", "_s) + u']';
}

struct DeflateRow
{
    int length;
    int waitSeconds;
    int autoFragmentSize;
};

// The reference's MSG_SIZES: (LEN, WAITSECS, AUTOFRAG), each sent 1000 times.
constexpr DeflateRow kDeflateRows[] = {
    {16, 60, 0},         {64, 60, 0},         {256, 120, 0},      {1024, 240, 0},
    {4096, 480, 0},      {8192, 480, 0},      {16384, 480, 0},    {32768, 480, 0},
    {65536, 480, 0},     {131072, 480, 0},    {8192, 480, 256},   {16384, 480, 256},
    {32768, 480, 256},   {65536, 480, 256},   {131072, 480, 256}, {131072, 480, 1024},
    {131072, 480, 4096}, {131072, 480, 32768}};
constexpr int kDeflateMessages = 1000;

// "Large JSON data file (utf8, 194056 bytes)"
QString corpusTitle(const CorpusInfo &corpus)
{
    return corpus.description +
           u" (%1, %2 bytes)"_s.arg(corpus.binary ? u"binary"_s : u"utf8"_s).arg(corpus.size);
}

void addDeflateGroup(Builder &b, const QString &group, const CorpusInfo &corpus,
                     const QList<DeflateOffer> &offers, const QString &offerWords)
{
    QStringList offerTexts;
    for (const DeflateOffer &o : offers)
        offerTexts << offerText(o);
    int i = 0;
    for (const DeflateRow &row : kDeflateRows) {
        CaseDefinition &c = b.add(
            group + u".%1"_s.arg(++i),
            u"Send %1 compressed messages each of payload size %2, auto-fragment to %3 octets. "
            u"Use %4"_s.arg(kDeflateMessages)
                .arg(row.length)
                .arg(row.autoFragmentSize)
                .arg(offerWords),
            u"Receive echo'ed messages (with payload as sent). Timeout case after %1 secs."_s.arg(
                row.waitSeconds));
        c.logic = CaseLogic::DeflateEchoes;
        c.corpus = corpus.fileName;
        c.messageLength = row.length;
        c.messageBinary = corpus.binary;
        c.fragmentSize = row.autoFragmentSize;
        c.roundTrips = kDeflateMessages;
        c.waitSeconds = row.waitSeconds;
        c.reportTime = true;
        c.reportCompressionRatio = true;
        c.extensionOffers = offerTexts;
        c.expectedClose = closedByMe();
    }
}

// 12.1–12.5: the five corpora with the default offer. 13.1–13.7: the JSON corpus with seven
// offers (window bits 9 where the reference had 8 before its v0.8.2). Returns the group titles.
QList<std::pair<QString, QString>> addCompression(Builder &b)
{
    QList<std::pair<QString, QString>> titles;
    int j = 0;
    for (const CorpusInfo &corpus : corpora()) {
        const QString group = u"12.%1"_s.arg(++j);
        addDeflateGroup(b, group, corpus, {DeflateOffer{}}, u"default permessage-deflate offer."_s);
        titles.append({group, corpusTitle(corpus)});
    }
    // (client offers, what the reference's server role accepts: the same tuples)
    const QList<QList<DeflateOffer>> parameters = {
        {{false, 0}},
        {{true, 0}},
        {{false, 9}},
        {{false, 15}},
        {{true, 9}},
        {{true, 15}},
        {{true, 9}, {true, 0}, {false, 0}},
    };
    const CorpusInfo &json = corpora().constFirst();
    const QString tupleWords = u"(requestNoContextTakeover, requestMaxWindowBits): "_s;
    j = 0;
    for (const QList<DeflateOffer> &offers : parameters) {
        const QString group = u"13.%1"_s.arg(++j);
        const QString clientOffers = u"client offers "_s + tupleWords + offerTuples(offers);
        addDeflateGroup(b, group, json, offers, u"permessage-deflate "_s + clientOffers);
        titles.append({group, corpusTitle(json) + u" - "_s + clientOffers + u" / server accept "_s +
                                  tupleWords + offerTuples(offers)});
    }
    return titles;
}

// ---- the built library and its indexes ----

struct Library
{
    QList<CaseDefinition> cases;
    QHash<QString, int> positions; // id → 1-based position
    QHash<QString, QString> groupTitles;
};

Library buildLibrary()
{
    Builder b;
    addFraming(b);
    addPings(b);
    addReservedBits(b);
    addOpcodes(b);
    addFragmentation(b);
    addUtf8Basics(b);
    const QList<Utf8Group> utf8Groups = utf8TestGroups();
    addUtf8Generated(b, utf8Groups);
    addCloseHandling(b);
    addLimits(b);
    addMisc(b);
    const QList<std::pair<QString, QString>> compressionTitles = addCompression(b);

    Library lib;
    lib.cases = b.take();
    lib.positions.reserve(lib.cases.size());
    for (int i = 0; i < lib.cases.size(); ++i)
        lib.positions.insert(lib.cases.at(i).id, i + 1);

    // The reference's CaseCategories and CaseSubCategories, for the groups in this library.
    lib.groupTitles = {
        {u"1"_s, u"Framing"_s},
        {u"1.1"_s, u"Text Messages"_s},
        {u"1.2"_s, u"Binary Messages"_s},
        {u"2"_s, u"Pings/Pongs"_s},
        {u"3"_s, u"Reserved Bits"_s},
        {u"4"_s, u"Opcodes"_s},
        {u"4.1"_s, u"Non-control Opcodes"_s},
        {u"4.2"_s, u"Control Opcodes"_s},
        {u"5"_s, u"Fragmentation"_s},
        {u"6"_s, u"UTF-8 Handling"_s},
        {u"6.1"_s, u"Valid UTF-8 with zero payload fragments"_s},
        {u"6.2"_s, u"Valid UTF-8 unfragmented, fragmented on code-points and within code-points"_s},
        {u"6.3"_s, u"Invalid UTF-8 differently fragmented"_s},
        {u"6.4"_s, u"Fail-fast on invalid UTF-8"_s},
        {u"7"_s, u"Close Handling"_s},
        {u"7.1"_s, u"Basic close behavior (fuzzer initiated)"_s},
        {u"7.3"_s, u"Close frame structure: payload length (fuzzer initiated)"_s},
        {u"7.5"_s, u"Close frame structure: payload value (fuzzer initiated)"_s},
        {u"7.7"_s, u"Close frame structure: valid close codes (fuzzer initiated)"_s},
        {u"7.9"_s, u"Close frame structure: invalid close codes (fuzzer initiated)"_s},
        {u"7.13"_s, u"Informational close information (fuzzer initiated)"_s},
        {u"9"_s, u"Limits/Performance"_s},
        {u"9.1"_s, u"Text Message (increasing size)"_s},
        {u"9.2"_s, u"Binary Message (increasing size)"_s},
        {u"9.3"_s, u"Fragmented Text Message (fixed size, increasing fragment size)"_s},
        {u"9.4"_s, u"Fragmented Binary Message (fixed size, increasing fragment size)"_s},
        {u"9.5"_s, u"Text Message (fixed size, increasing chop size)"_s},
        {u"9.6"_s, u"Binary Text Message (fixed size, increasing chop size)"_s},
        {u"9.7"_s, u"Text Message Roundtrip Time (fixed number, increasing size)"_s},
        {u"9.8"_s, u"Binary Message Roundtrip Time (fixed number, increasing size)"_s},
        {u"10"_s, u"Misc"_s},
        {u"10.1"_s, u"Auto-Fragmentation"_s},
        {u"12"_s, u"WebSocket Compression (different payloads)"_s},
        {u"13"_s, u"WebSocket Compression (different parameters)"_s},
    };
    for (const auto &[group, title] : compressionTitles)
        lib.groupTitles.insert(group, title);
    int group = kFirstGeneratedUtf8Group;
    for (const Utf8Group &g : utf8Groups)
        lib.groupTitles.insert(u"6.%1"_s.arg(group++), g.title);
    return lib;
}

const Library &library()
{
    static const Library lib = buildLibrary(); // thread-safe initialisation
    return lib;
}

// ---- pattern matching for selectCases ----

// fnmatch-style: '*' matches any run of characters (also none and dots), '?' one character.
bool globMatch(QStringView pattern, QStringView text)
{
    qsizetype p = 0;
    qsizetype t = 0;
    qsizetype starP = -1;
    qsizetype starT = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == u'?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == u'*') {
            starP = p++;
            starT = t;
        } else if (starP >= 0) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == u'*')
        ++p;
    return p == pattern.size();
}

int editDistance(QStringView a, QStringView b)
{
    QList<int> row(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            const int substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// How many leading dot-separated parts `pattern` and `id` share ("1.1.99" / "1.1.3" → 2); a part
// of the pattern that is a wildcard matches any part.
int sharedGroups(const QString &pattern, const QString &id)
{
    const QStringList p = pattern.split(u'.');
    const QStringList i = id.split(u'.');
    int shared = 0;
    while (shared < p.size() && shared < i.size() && globMatch(p.at(shared), i.at(shared)))
        ++shared;
    return shared;
}

QStringList closeMatches(const QString &pattern, int limit)
{
    struct Candidate
    {
        int shared;
        int distance;
        int position;
    };
    const QList<CaseDefinition> &cases = library().cases;
    QList<Candidate> candidates;
    candidates.reserve(cases.size());
    for (int i = 0; i < cases.size(); ++i) {
        const QString &id = cases.at(i).id;
        candidates.append({sharedGroups(pattern, id), editDistance(pattern, id), i});
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate &a, const Candidate &b) {
                         if (a.shared != b.shared)
                             return a.shared > b.shared;
                         return a.distance < b.distance;
                     });
    QStringList out;
    for (qsizetype i = 0; i < candidates.size() && out.size() < limit; ++i)
        out.append(cases.at(candidates.at(i).position).id);
    return out;
}

} // namespace

const QList<CaseDefinition> &caseLibrary()
{
    return library().cases;
}

int caseIndex(const QString &id)
{
    return library().positions.value(id, 0);
}

const CaseDefinition *findCase(const QString &id)
{
    const int position = caseIndex(id);
    return position > 0 ? &library().cases.at(position - 1) : nullptr;
}

QString caseGroupTitle(const QString &groupId)
{
    return library().groupTitles.value(groupId);
}

QList<const CaseDefinition *> selectCases(const QStringList &patterns, const QStringList &excludes,
                                          QString *error)
{
    if (error)
        error->clear();
    const QList<CaseDefinition> &cases = library().cases;
    QList<bool> chosen(cases.size(), false);

    QStringList includes;
    for (const QString &p : patterns) {
        const QString trimmed = p.trimmed();
        if (!trimmed.isEmpty())
            includes.append(trimmed);
    }
    if (includes.isEmpty())
        includes.append(u"*"_s);
    for (const QString &pattern : includes) {
        bool any = false;
        for (int i = 0; i < cases.size(); ++i) {
            if (globMatch(pattern, cases.at(i).id)) {
                chosen[i] = true;
                any = true;
            }
        }
        if (!any) {
            if (error) {
                *error = u"no case matches \"%1\"; close matches: %2"_s.arg(
                    pattern, closeMatches(pattern, 5).join(u", "_s));
            }
            return {};
        }
    }
    for (const QString &p : excludes) {
        const QString pattern = p.trimmed();
        if (pattern.isEmpty())
            continue;
        for (int i = 0; i < cases.size(); ++i) {
            if (chosen.at(i) && globMatch(pattern, cases.at(i).id))
                chosen[i] = false;
        }
    }

    QList<const CaseDefinition *> out;
    for (int i = 0; i < cases.size(); ++i) {
        if (chosen.at(i))
            out.append(&cases.at(i));
    }
    return out;
}

} // namespace wsi
