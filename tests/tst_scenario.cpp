// SPDX-License-Identifier: MIT
// The scenario file: every step kind survives a save and a load, every case of the library is a
// scenario and comes back unchanged, and bad files get a message that names the place.
#include "cli/cliparser.h"
#include "suite/cases.h"
#include "suite/scenario.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <functional>

using namespace wsi;
using namespace Qt::StringLiterals;

namespace {

Scenario everyStep()
{
    Scenario s;
    s.name = u"all steps"_s;
    s.description = u"one of each"_s;
    s.settings.url = QUrl(u"wss://127.0.0.1:9443/chat?room=1"_s);
    s.settings.handshake.extraHeaders = {{"X-One", "1"}, {"Cookie", "a=b"}};
    s.settings.handshake.subprotocols = {u"chat"_s, u"superchat"_s};
    s.settings.handshake.origin = u"http://example.com"_s;
    s.settings.handshake.version = "8";
    s.settings.autoPong = false;
    s.settings.closeHandshakeTimeoutMs = 2500;
    s.settings.maxFramePayload = 12345;
    s.expectedClose = ExpectedClose{false, {1002, 1007}, false};
    FrameSpec f;
    f.opcode = 11;
    f.fin = false;
    f.rsv = 5;
    f.maskMode = MaskMode::Fixed;
    f.maskKey = 0x0badf00d;
    f.payload = QByteArray("\x00\xff\x80", 3);
    f.repeatLength = 300;
    f.lengthEncoding = LengthEncoding::Bits64;
    f.chopSize = 3;
    f.sync = true;
    Step frame = Step::makeFrame(f);
    frame.chopDelayMs = 7;
    FrameSpec declared;
    declared.payload = "short";
    declared.declaredLength = 1000;
    declared.maskMode = MaskMode::BitOnly;
    Step message = Step::makeKind(Step::Kind::Message);
    message.payload = "héllo";
    message.fragmentSize = 2;
    message.chopSize = 1;
    Step binary = Step::makeKind(Step::Kind::Message);
    binary.binary = true;
    binary.payload = QByteArray("\x01\x02", 2);
    Step ping = Step::makeKind(Step::Kind::Ping);
    ping.payload = "p";
    ping.sync = true;
    Step pong = Step::makeKind(Step::Kind::Pong);
    Step delay = Step::makeKind(Step::Kind::Delay);
    delay.seconds = 1.5;
    delay.tag = u"A"_s;
    Step close = Step::makeKind(Step::Kind::Close);
    close.closeCode = 1005;
    close.closeReason = QByteArray("\xff\xfe", 2);
    Step closeAfter = Step::makeKind(Step::Kind::CloseAfter);
    closeAfter.seconds = 2;
    Step failAfter = Step::makeKind(Step::Kind::FailAfter);
    failAfter.seconds = 0.25;
    s.steps = {frame,
               Step::makeFrame(declared),
               message,
               binary,
               ping,
               pong,
               delay,
               close,
               Step::makeKind(Step::Kind::Close),
               Step::makeKind(Step::Kind::Fail),
               Step::makeKind(Step::Kind::Drop),
               Step::makeKind(Step::Kind::HalfClose),
               closeAfter,
               failAfter};
    return s;
}

void compareSteps(const Step &a, const Step &b)
{
    QCOMPARE(a.kind, b.kind);
    QCOMPARE(a.frame.opcode, b.frame.opcode);
    QCOMPARE(a.frame.fin, b.frame.fin);
    QCOMPARE(a.frame.rsv, b.frame.rsv);
    QCOMPARE(a.frame.maskMode, b.frame.maskMode);
    if (a.frame.maskMode == MaskMode::Fixed)
        QCOMPARE(a.frame.maskKey, b.frame.maskKey);
    QCOMPARE(a.frame.payload, b.frame.payload);
    QCOMPARE(a.frame.repeatLength, b.frame.repeatLength);
    QCOMPARE(a.frame.lengthEncoding, b.frame.lengthEncoding);
    QCOMPARE(a.frame.declaredLength, b.frame.declaredLength);
    QCOMPARE(a.frame.chopSize, b.frame.chopSize);
    QCOMPARE(a.frame.sync, b.frame.sync);
    QCOMPARE(a.chopDelayMs, b.chopDelayMs);
    QCOMPARE(a.payload, b.payload);
    QCOMPARE(a.binary, b.binary);
    QCOMPARE(a.fragmentSize, b.fragmentSize);
    QCOMPARE(a.chopSize, b.chopSize);
    QCOMPARE(a.sync, b.sync);
    QCOMPARE(a.seconds, b.seconds);
    QCOMPARE(a.tag, b.tag);
    QCOMPARE(a.closeCode, b.closeCode);
    QCOMPARE(a.closeReason, b.closeReason);
}

// ---- case equality ---------------------------------------------------------------------------

template <typename T>
QString show(const T &v)
{
    if constexpr (std::is_same_v<T, bool>)
        return v ? u"true"_s : u"false"_s;
    else if constexpr (std::is_enum_v<T>)
        return u"enum %1"_s.arg(qint64(v));
    else if constexpr (std::is_arithmetic_v<T>)
        return QString::number(v);
    else if constexpr (std::is_same_v<T, QString>)
        return u'"' + v + u'"';
    else if constexpr (std::is_same_v<T, QByteArray>)
        return v.size() > 24
                   ? u"%1 octets %2…"_s.arg(v.size()).arg(QString::fromLatin1(v.left(12).toHex()))
                   : u"hex '"_s + QString::fromLatin1(v.toHex()) + u'\'';
    else if constexpr (std::is_same_v<T, QList<int>>) {
        QStringList parts;
        for (int i : v)
            parts << QString::number(i);
        return u'[' + parts.join(u", "_s) + u']';
    } else if constexpr (std::is_same_v<T, QStringList>) {
        return u"[\""_s + v.join(u"\", \""_s) + u"\"]"_s;
    } else if constexpr (std::is_same_v<T, CountMap>) {
        QStringList parts;
        for (const auto &[key, value] : v)
            parts << u"%1: %2"_s.arg(key).arg(value);
        return u'{' + parts.join(u", "_s) + u'}';
    } else {
        static_assert(!sizeof(T), "no show() for this type");
    }
}
template <typename T>
QString show(const std::optional<T> &v)
{
    return v ? show(*v) : u"none"_s;
}

// Returns from the enclosing difference function with "path: a != b" when they differ.
// Equality, except that two lists are compared element by element: Qt 6.4's QList<int>
// operator== hands an empty list's null data to memcmp, which UBSan rightly reports.
template <typename T>
bool same(const T &a, const T &b)
{
    return a == b;
}
template <>
bool same(const QList<int> &a, const QList<int> &b)
{
    return std::equal(a.cbegin(), a.cend(), b.cbegin(), b.cend());
}

#define WSI_DIFF(path, a, b)                                                                       \
    do {                                                                                           \
        if (!same(a, b))                                                                           \
            return (path) + u": "_s + show(a) + u" != "_s + show(b);                               \
    } while (false)

// The first field in which two steps differ (every field of Step and FrameSpec, whatever the
// kind); empty when equal.
QString stepDifference(const Step &a, const Step &b, const QString &p)
{
    WSI_DIFF(p + u".kind"_s, a.kind, b.kind);
    WSI_DIFF(p + u".frame.opcode"_s, a.frame.opcode, b.frame.opcode);
    WSI_DIFF(p + u".frame.fin"_s, a.frame.fin, b.frame.fin);
    WSI_DIFF(p + u".frame.rsv"_s, a.frame.rsv, b.frame.rsv);
    WSI_DIFF(p + u".frame.maskMode"_s, a.frame.maskMode, b.frame.maskMode);
    WSI_DIFF(p + u".frame.maskKey"_s, a.frame.maskKey, b.frame.maskKey);
    WSI_DIFF(p + u".frame.payload"_s, a.frame.payload, b.frame.payload);
    WSI_DIFF(p + u".frame.repeatLength"_s, a.frame.repeatLength, b.frame.repeatLength);
    WSI_DIFF(p + u".frame.lengthEncoding"_s, a.frame.lengthEncoding, b.frame.lengthEncoding);
    WSI_DIFF(p + u".frame.declaredLength"_s, a.frame.declaredLength, b.frame.declaredLength);
    WSI_DIFF(p + u".frame.chopSize"_s, a.frame.chopSize, b.frame.chopSize);
    WSI_DIFF(p + u".frame.sync"_s, a.frame.sync, b.frame.sync);
    WSI_DIFF(p + u".payload"_s, a.payload, b.payload);
    WSI_DIFF(p + u".binary"_s, a.binary, b.binary);
    WSI_DIFF(p + u".fragmentSize"_s, a.fragmentSize, b.fragmentSize);
    WSI_DIFF(p + u".chopSize"_s, a.chopSize, b.chopSize);
    WSI_DIFF(p + u".sync"_s, a.sync, b.sync);
    WSI_DIFF(p + u".chopDelayMs"_s, a.chopDelayMs, b.chopDelayMs);
    WSI_DIFF(p + u".seconds"_s, a.seconds, b.seconds);
    WSI_DIFF(p + u".tag"_s, a.tag, b.tag);
    WSI_DIFF(p + u".closeCode"_s, a.closeCode, b.closeCode);
    WSI_DIFF(p + u".closeReason"_s, a.closeReason, b.closeReason);
    return {};
}

QString eventsDifference(const PeerEventList &a, const PeerEventList &b, const QString &p)
{
    WSI_DIFF(p + u".size"_s, a.size(), b.size());
    for (qsizetype i = 0; i < a.size(); ++i) {
        const QString at = p + u"[%1]"_s.arg(i);
        WSI_DIFF(at + u".kind"_s, a[i].kind, b[i].kind);
        WSI_DIFF(at + u".payload"_s, a[i].payload, b[i].payload);
        WSI_DIFF(at + u".binary"_s, a[i].binary, b[i].binary);
    }
    return {};
}

// The first field in which two cases differ (every field of CaseDefinition); empty when equal.
QString caseDifference(const CaseDefinition &a, const CaseDefinition &b)
{
    WSI_DIFF(u"id"_s, a.id, b.id);
    WSI_DIFF(u"description"_s, a.description, b.description);
    WSI_DIFF(u"expectation"_s, a.expectation, b.expectation);
    WSI_DIFF(u"steps.size"_s, a.steps.size(), b.steps.size());
    for (qsizetype i = 0; i < a.steps.size(); ++i) {
        const QString d = stepDifference(a.steps[i], b.steps[i], u"steps[%1]"_s.arg(i));
        if (!d.isEmpty())
            return d;
    }
    WSI_DIFF(u"expected.size"_s, a.expected.size(), b.expected.size());
    for (qsizetype i = 0; i < a.expected.size(); ++i) {
        const QString at = u"expected[%1]"_s.arg(i);
        WSI_DIFF(at + u".verdict"_s, a.expected[i].verdict, b.expected[i].verdict);
        const QString d =
            eventsDifference(a.expected[i].events, b.expected[i].events, at + u".events"_s);
        if (!d.isEmpty())
            return d;
    }
    WSI_DIFF(u"expectedClose.closedByMe"_s, a.expectedClose.closedByMe, b.expectedClose.closedByMe);
    WSI_DIFF(u"expectedClose.closeCodes"_s, a.expectedClose.closeCodes, b.expectedClose.closeCodes);
    WSI_DIFF(u"expectedClose.requireClean"_s, a.expectedClose.requireClean,
             b.expectedClose.requireClean);
    WSI_DIFF(u"expectedClose.closedByWrongEndpointIsFatal"_s,
             a.expectedClose.closedByWrongEndpointIsFatal,
             b.expectedClose.closedByWrongEndpointIsFatal);
    WSI_DIFF(u"suppressClose"_s, a.suppressClose, b.suppressClose);
    WSI_DIFF(u"override"_s, a.override, b.override);
    WSI_DIFF(u"logic"_s, a.logic, b.logic);
    WSI_DIFF(u"messagePattern"_s, a.messagePattern, b.messagePattern);
    WSI_DIFF(u"messageLength"_s, a.messageLength, b.messageLength);
    WSI_DIFF(u"messageBinary"_s, a.messageBinary, b.messageBinary);
    WSI_DIFF(u"fragmentSize"_s, a.fragmentSize, b.fragmentSize);
    WSI_DIFF(u"chopSize"_s, a.chopSize, b.chopSize);
    WSI_DIFF(u"roundTrips"_s, a.roundTrips, b.roundTrips);
    WSI_DIFF(u"waitSeconds"_s, a.waitSeconds, b.waitSeconds);
    WSI_DIFF(u"reportTime"_s, a.reportTime, b.reportTime);
    WSI_DIFF(u"expectedTxFrames"_s, a.expectedTxFrames, b.expectedTxFrames);
    WSI_DIFF(u"extensionOffers"_s, a.extensionOffers, b.extensionOffers);
    WSI_DIFF(u"corpus"_s, a.corpus, b.corpus);
    WSI_DIFF(u"reportCompressionRatio"_s, a.reportCompressionRatio, b.reportCompressionRatio);
    return {};
}

#undef WSI_DIFF

// A case through everything a user does with it: open as a scenario, save as JSON text, load,
// run as a case. Empty when it comes back equal, else the parse error or the first difference.
QString roundTripDifference(const CaseDefinition &def)
{
    const QByteArray text = QJsonDocument(scenarioToJson(scenarioFromCase(def))).toJson();
    const ScenarioParseResult parsed = parseScenario(text);
    if (!parsed.ok())
        return u"does not load: "_s + parsed.error;
    const std::optional<CaseDefinition> back = caseFromScenario(parsed.scenario);
    if (!back)
        return u"loads without its case part"_s;
    return caseDifference(def, *back);
}

// ---- hand-built cases (the shapes of the library's cases, one of each kind of field) ----------

Step frameStep(int opcode, bool fin, const QByteArray &payload)
{
    FrameSpec f;
    f.opcode = opcode;
    f.fin = fin;
    f.payload = payload;
    return Step::makeFrame(f);
}
Step secondsStep(Step::Kind kind, double seconds, const QString &tag = {})
{
    Step s = Step::makeKind(kind);
    s.seconds = seconds;
    s.tag = tag;
    return s;
}
Step timeoutEventStep(const QString &tag)
{
    Step s = Step::makeKind(Step::Kind::TimeoutEvent);
    s.tag = tag;
    return s;
}
Step frameDataStep(const QByteArray &octets)
{
    Step s = Step::makeKind(Step::Kind::FrameData);
    s.payload = octets;
    return s;
}
Step closeStep(std::optional<int> code, const QByteArray &reason = {})
{
    Step s = Step::makeKind(Step::Kind::Close);
    s.closeCode = code;
    s.closeReason = reason;
    return s;
}

const QByteArray kPart1 = QByteArray::fromHex("cebae1bdb9cf83cebcceb5");
const QByteArray kPart2 = QByteArray::fromHex("f4908080");
const QByteArray kPart3 = QByteArray::fromHex("656469746564");

// 6.4.3: the streaming API (one frame declared 21 octets, written in three pieces 1 s apart)
// with the case's pseudo-events.
CaseDefinition case643()
{
    CaseDefinition d;
    d.id = u"6.4.3"_s;
    d.description = u"Same as Case 6.4.1, but we send message not in 3 frames, but in 3 chops of "
                    u"the same message frame.<br><br>MESSAGE PARTS:<br>PART1 = "
                    u"cebae1bdb9cf83cebcceb5<br>PART2 = f4908080<br>PART3 = 656469746564<br>"_s;
    d.expectation = u"The first chop is accepted, we expect to timeout on the first wait. The 2nd "
                    u"chop should be rejected immediately (fail fast on UTF-8). If we timeout, we "
                    u"expect the connection is failed at least then, since the complete message "
                    u"payload is not valid UTF-8."_s;
    FrameSpec header;
    header.opcode = 1;
    header.fin = false;
    header.declaredLength = 21;
    Step begin = Step::makeFrame(header);
    begin.kind = Step::Kind::FrameHeader;
    d.steps = {begin,
               frameDataStep(kPart1),
               secondsStep(Step::Kind::Delay, 1, u"A"_s),
               timeoutEventStep(u"A"_s),
               frameDataStep(kPart2),
               secondsStep(Step::Kind::Delay, 1, u"B"_s),
               timeoutEventStep(u"B"_s),
               frameDataStep(kPart3),
               frameStep(0, true, {}),
               secondsStep(Step::Kind::FailAfter, 1)};
    d.expected = {{Verdict::Ok, {PeerEvent::timeout("A")}},
                  {Verdict::NonStrict, {PeerEvent::timeout("A"), PeerEvent::timeout("B")}}};
    d.expectedClose = ExpectedClose{false, {1007}, false, true};
    return d;
}

QList<CaseDefinition> handBuiltCases()
{
    QList<CaseDefinition> cases;
    cases << case643();

    // 2.3: a binary ping payload, expected back as a pong (hex in the file).
    CaseDefinition c;
    c.id = u"2.3"_s;
    c.description = u"Send ping with small binary (non UTF-8) payload."_s;
    c.expectation = u"Pong with payload echo'ed is sent in reply to Ping."_s;
    Step ping = Step::makeKind(Step::Kind::Ping);
    ping.payload = QByteArray::fromHex("00fffefdfcfb00ff");
    c.steps = {ping, secondsStep(Step::Kind::CloseAfter, 1)};
    c.expected = {{Verdict::Ok, {PeerEvent::pong(ping.payload)}}};
    cases << c;

    // 2.11-like: pings chopped into 1-octet writes with a pause, sync, and an empty pong event.
    c = CaseDefinition{};
    c.id = u"2.11"_s;
    c.description = u"Send 10 Pings with payload, chopped."_s;
    c.expectation = u"Pongs for our Pings with all the payloads."_s;
    c.expected = {{Verdict::Ok, {}}};
    for (int i = 0; i < 3; ++i) {
        Step p = Step::makeKind(Step::Kind::Ping);
        p.payload = "payload-" + QByteArray::number(i);
        p.chopSize = 1;
        p.chopDelayMs = 10;
        p.sync = i == 1;
        c.steps << p;
        c.expected[0].events << PeerEvent::pong(p.payload);
    }
    c.expected[0].events << PeerEvent::pong({});
    c.steps << secondsStep(Step::Kind::CloseAfter, 3);
    cases << c;

    // 1.2.8-like: a binary message, chopped, with a binary echo expected; a raw frame with every
    // frame field set.
    c = CaseDefinition{};
    c.id = u"1.2.8"_s;
    c.description = u"Send binary message message with payload of length 65536. Sent out data in "
                    u"chops of 997 octets."_s;
    c.expectation = u"Receive echo'ed binary message (with payload as sent)."_s;
    Step bin = Step::makeKind(Step::Kind::Message);
    bin.binary = true;
    bin.payload = QByteArray(65536, '\xfe');
    bin.chopSize = 997;
    bin.fragmentSize = 4096;
    bin.sync = true;
    FrameSpec odd;
    odd.opcode = 11;
    odd.fin = false;
    odd.rsv = 5;
    odd.maskMode = MaskMode::Fixed;
    odd.maskKey = 0xdeadbeef;
    odd.payload = QByteArray("\x00\x01", 2);
    odd.repeatLength = 300;
    odd.lengthEncoding = LengthEncoding::Bits64;
    odd.declaredLength = 7;
    odd.chopSize = 2;
    odd.sync = true;
    Step oddStep = Step::makeFrame(odd);
    oddStep.chopDelayMs = 3;
    FrameSpec bitOnly;
    bitOnly.maskMode = MaskMode::BitOnly;
    bitOnly.payload = "x";
    FrameSpec unmasked;
    unmasked.maskMode = MaskMode::None;
    unmasked.lengthEncoding = LengthEncoding::Bits16;
    FrameSpec header;
    header.opcode = 2;
    header.fin = false;
    header.maskMode = MaskMode::Fixed;
    header.maskKey = 0x01020304;
    header.lengthEncoding = LengthEncoding::Bits64;
    header.declaredLength = 1000;
    header.chopSize = 1;
    Step headerStep = Step::makeFrame(header);
    headerStep.kind = Step::Kind::FrameHeader;
    c.steps = {bin,
               oddStep,
               Step::makeFrame(bitOnly),
               Step::makeFrame(unmasked),
               headerStep,
               frameDataStep(QByteArray("\x00\xff", 2)),
               secondsStep(Step::Kind::FailAfter, 10)};
    c.expected = {{Verdict::Ok, {PeerEvent::message(bin.payload, true)}}};
    cases << c;

    // 7.5.1: an invalid close reason, suppressClose, WrongCodeFails, two close codes.
    c = CaseDefinition{};
    c.id = u"7.5.1"_s;
    c.description = u"Send a close frame with invalid UTF8 payload"_s;
    c.expectation = u"Clean close with protocol error or invalid utf8 code or dropped TCP."_s;
    c.steps = {closeStep(1000, kPart1 + QByteArray::fromHex("eda080") + "edited"),
               secondsStep(Step::Kind::FailAfter, 1)};
    c.expected = {{Verdict::Ok, {}}};
    c.expectedClose = ExpectedClose{true, {1002, 1007}, false, false};
    c.suppressClose = true;
    c.override = CaseOverride::WrongCodeFails;
    cases << c;

    // 7.1.6: Informational716 with OK and NON-STRICT; a repeated pattern; a close without code.
    c = CaseDefinition{};
    c.id = u"7.1.6"_s;
    c.description = u"Send 256K message followed by close then a ping"_s;
    c.expectation = u"Case outcome depends on implementation defined close behavior."_s;
    FrameSpec big;
    big.payload = "BAsd7&jh23";
    big.repeatLength = 262144;
    Step text = Step::makeKind(Step::Kind::Message);
    text.payload = "Hello World!";
    c.steps = {Step::makeFrame(big),    text,
               closeStep(1000),         Step::makeKind(Step::Kind::Ping),
               closeStep(std::nullopt), secondsStep(Step::Kind::FailAfter, 1)};
    c.expected = {{Verdict::Ok, {PeerEvent::message("Hello World!")}}, {Verdict::NonStrict, {}}};
    c.suppressClose = true;
    c.override = CaseOverride::Informational716;
    cases << c;

    // 7.13.1: Undefined; an empty close-code list (any code).
    c = CaseDefinition{};
    c.id = u"7.13.1"_s;
    c.description = u"Send close with close code 5000"_s;
    c.expectation = u"Actual events are undefined by the spec."_s;
    c.steps = {closeStep(5000), secondsStep(Step::Kind::FailAfter, 1)};
    c.expected = {{Verdict::Informational, {}}};
    c.expectedClose = ExpectedClose{true, {}, false, false};
    c.suppressClose = true;
    c.override = CaseOverride::Undefined;
    cases << c;

    // 9.1.1: TimedEcho with a text pattern, reportTime.
    c = CaseDefinition{};
    c.id = u"9.1.1"_s;
    c.description = u"Send text message message with payload of length 64 * 2**10 (64k)."_s;
    c.expectation = u"Receive echo'ed text message (with payload as sent)."_s;
    c.logic = CaseLogic::TimedEcho;
    c.messagePattern = "BAsd7&jh23";
    c.messageLength = 65536;
    c.waitSeconds = 10;
    c.reportTime = true;
    c.steps = {secondsStep(Step::Kind::CloseAfter, 10)};
    cases << c;

    // 9.4.1: TimedEcho, binary, fragmented; 9.6.1: chopped; 9.8.1: RoundTrips with an empty
    // message (no pattern, length 0, binary).
    c.id = u"9.4.1"_s;
    c.messagePattern = QByteArray(1, '\xfe');
    c.messageLength = 4 * 1024 * 1024;
    c.messageBinary = true;
    c.fragmentSize = 64;
    c.waitSeconds = 100;
    c.reportTime = false;
    cases << c;
    c.id = u"9.6.1"_s;
    c.fragmentSize = 0;
    c.chopSize = 64;
    cases << c;
    c.id = u"9.8.1"_s;
    c.logic = CaseLogic::RoundTrips;
    c.messagePattern.clear();
    c.messageLength = 0;
    c.chopSize = 0;
    c.roundTrips = 1000;
    c.waitSeconds = 60;
    cases << c;

    // 10.1.1: the fuzzer's own TX frame counts.
    c = CaseDefinition{};
    c.id = u"10.1.1"_s;
    c.description = u"Send text message with payload of length 65536 auto-fragmented with "
                    u"autoFragmentSize = 1300."_s;
    c.expectation = u"Receive echo'ed text message (with payload as sent and transmitted frame "
                    u"counts as expected). Clean close with normal code."_s;
    Step frag = Step::makeKind(Step::Kind::Message);
    frag.payload = QByteArray(65536, '*');
    frag.fragmentSize = 1300;
    c.steps = {frag, secondsStep(Step::Kind::FailAfter, 10)};
    c.expected = {{Verdict::Ok, {PeerEvent::message(frag.payload)}}};
    c.expectedTxFrames = {{0, 50}, {1, 1}};
    cases << c;

    // A case with a tag that is not UTF-8 and a message event whose payload holds NUL.
    c = CaseDefinition{};
    c.id = u"x.1"_s;
    c.expected = {{Verdict::Ok,
                   {PeerEvent{PeerEvent::Kind::Timeout, QByteArray("\xff", 1), false},
                    PeerEvent::message(QByteArray("a\0b", 3))}}};
    c.expectedClose = ExpectedClose{};
    cases << c;
    return cases;
}

CaseDefinition handBuiltCase(const QString &id)
{
    for (const CaseDefinition &c : handBuiltCases()) {
        if (c.id == id)
            return c;
    }
    return {};
}

// The ```json blocks of docs/scenario.md.
QList<QByteArray> docExamples()
{
    QFile file(QStringLiteral(WSI_TESTS_DIR "/../docs/scenario.md"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QString text = QString::fromUtf8(file.readAll());
    QList<QByteArray> blocks;
    static const QRegularExpression block(u"```json\\n(.*?)```"_s,
                                          QRegularExpression::DotMatchesEverythingOption);
    for (auto it = block.globalMatch(text); it.hasNext();)
        blocks << it.next().captured(1).toUtf8();
    return blocks;
}

} // namespace

class tst_Scenario : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripThroughAFile()
    {
        const Scenario original = everyStep();
        QTemporaryDir dir;
        const QString path = dir.filePath(u"s.json"_s);
        QCOMPARE(saveScenario(original, path), QString());
        const ScenarioParseResult loaded = loadScenario(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error));
        const Scenario &s = loaded.scenario;
        QCOMPARE(s.name, original.name);
        QCOMPARE(s.description, original.description);
        QCOMPARE(s.settings.url, original.settings.url);
        QCOMPARE(s.settings.handshake.extraHeaders, original.settings.handshake.extraHeaders);
        QCOMPARE(s.settings.handshake.subprotocols, original.settings.handshake.subprotocols);
        QCOMPARE(s.settings.handshake.origin, original.settings.handshake.origin);
        QCOMPARE(s.settings.handshake.version, QByteArray("8"));
        QCOMPARE(s.settings.autoPong, false);
        QCOMPARE(s.settings.closeHandshakeTimeoutMs, 2500);
        QCOMPARE(s.settings.maxFramePayload, 12345);
        QVERIFY(s.expectedClose);
        QCOMPARE(s.expectedClose->closedByMe, false);
        QCOMPARE(s.expectedClose->closeCodes, QList<int>({1002, 1007}));
        QCOMPARE(s.steps.size(), original.steps.size());
        for (qsizetype i = 0; i < s.steps.size(); ++i) {
            compareSteps(s.steps[i], original.steps[i]);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(u"step %1 differs"_s.arg(i)));
        }
    }

    // A case opened as a scenario, saved as text, loaded and run as a case is the same case.
    void casesRoundTrip_data()
    {
        QTest::addColumn<int>("index");
        const QList<CaseDefinition> cases = handBuiltCases();
        for (qsizetype i = 0; i < cases.size(); ++i)
            QTest::newRow(qPrintable(cases[i].id)) << int(i);
    }
    void casesRoundTrip()
    {
        QFETCH(int, index);
        const QString difference = roundTripDifference(handBuiltCases().at(index));
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    // Every case of the library, as in casesRoundTrip.
    void everyLibraryCaseRoundTrips()
    {
        const QList<CaseDefinition> &library = caseLibrary();
        QVERIFY(!library.isEmpty());
        QStringList failures;
        for (const CaseDefinition &def : library) {
            const QString difference = roundTripDifference(def);
            if (!difference.isEmpty())
                failures << def.id + u": "_s + difference;
        }
        QVERIFY2(failures.isEmpty(),
                 qPrintable(u"%1 of %2 cases differ:\n"_s.arg(failures.size()).arg(library.size()) +
                            failures.mid(0, 20).join(u'\n')));
    }

    // The equality helper itself: it sees a change in any field (else the round trips above
    // would prove nothing).
    void caseDifferenceSeesEveryField()
    {
        const CaseDefinition base = handBuiltCase(u"1.2.8"_s); // every step field in use
        QCOMPARE(caseDifference(base, base), QString());
        const QList<std::function<void(CaseDefinition &)>> changes = {
            [](CaseDefinition &d) { d.id += u'x'; },
            [](CaseDefinition &d) { d.description += u'x'; },
            [](CaseDefinition &d) { d.expectation += u'x'; },
            [](CaseDefinition &d) { d.steps.removeLast(); },
            [](CaseDefinition &d) { d.steps[1].kind = Step::Kind::FrameHeader; },
            [](CaseDefinition &d) { d.steps[1].frame.opcode = 3; },
            [](CaseDefinition &d) { d.steps[1].frame.fin = true; },
            [](CaseDefinition &d) { d.steps[1].frame.rsv = 1; },
            [](CaseDefinition &d) { d.steps[1].frame.maskMode = MaskMode::Random; },
            [](CaseDefinition &d) { d.steps[1].frame.maskKey = 1; },
            [](CaseDefinition &d) { d.steps[1].frame.payload += 'x'; },
            [](CaseDefinition &d) { d.steps[1].frame.repeatLength.reset(); },
            [](CaseDefinition &d) { d.steps[1].frame.lengthEncoding = LengthEncoding::Auto; },
            [](CaseDefinition &d) { d.steps[1].frame.declaredLength = 8; },
            [](CaseDefinition &d) { d.steps[1].frame.chopSize = 0; },
            [](CaseDefinition &d) { d.steps[1].frame.sync = false; },
            [](CaseDefinition &d) { d.steps[0].payload.chop(1); },
            [](CaseDefinition &d) { d.steps[0].binary = false; },
            [](CaseDefinition &d) { d.steps[0].fragmentSize = 0; },
            [](CaseDefinition &d) { d.steps[0].chopSize = 0; },
            [](CaseDefinition &d) { d.steps[0].sync = false; },
            [](CaseDefinition &d) { d.steps[1].chopDelayMs = 0; },
            [](CaseDefinition &d) { d.steps.last().seconds = 9.5; },
            [](CaseDefinition &d) { d.steps.last().tag = u"A"_s; },
            [](CaseDefinition &d) { d.steps.last().closeCode = 1000; },
            [](CaseDefinition &d) { d.steps.last().closeReason = "r"; },
            [](CaseDefinition &d) {
                d.expected.append({Verdict::NonStrict, {}});
            },
            [](CaseDefinition &d) { d.expected[0].verdict = Verdict::NonStrict; },
            [](CaseDefinition &d) { d.expected[0].events.clear(); },
            [](CaseDefinition &d) { d.expected[0].events[0].kind = PeerEvent::Kind::Pong; },
            [](CaseDefinition &d) { d.expected[0].events[0].payload.chop(1); },
            [](CaseDefinition &d) { d.expected[0].events[0].binary = false; },
            [](CaseDefinition &d) { d.expectedClose.closedByMe = false; },
            [](CaseDefinition &d) { d.expectedClose.closeCodes << 1001; },
            [](CaseDefinition &d) { d.expectedClose.requireClean = false; },
            [](CaseDefinition &d) { d.expectedClose.closedByWrongEndpointIsFatal = true; },
            [](CaseDefinition &d) { d.suppressClose = true; },
            [](CaseDefinition &d) { d.override = CaseOverride::Undefined; },
            [](CaseDefinition &d) { d.logic = CaseLogic::RoundTrips; },
            [](CaseDefinition &d) { d.messagePattern = "*"; },
            [](CaseDefinition &d) { d.messageLength = 1; },
            [](CaseDefinition &d) { d.messageBinary = true; },
            [](CaseDefinition &d) { d.fragmentSize = 1; },
            [](CaseDefinition &d) { d.chopSize = 1; },
            [](CaseDefinition &d) { d.roundTrips = 1; },
            [](CaseDefinition &d) { d.waitSeconds = 1; },
            [](CaseDefinition &d) { d.reportTime = true; },
            [](CaseDefinition &d) { d.expectedTxFrames[2] = 1; },
            [](CaseDefinition &d) { d.extensionOffers << u"permessage-deflate"_s; },
            [](CaseDefinition &d) { d.corpus = u"data1.json"_s; },
            [](CaseDefinition &d) { d.reportCompressionRatio = true; },
        };
        for (qsizetype i = 0; i < changes.size(); ++i) {
            CaseDefinition changed = base;
            changes[i](changed);
            QVERIFY2(!caseDifference(base, changed).isEmpty(),
                     qPrintable(u"change %1 not seen"_s.arg(i)));
        }
    }

    // The case part in the file: the new steps by name, the expected sets in declaration order.
    void caseFileShape()
    {
        const QJsonObject json = scenarioToJson(scenarioFromCase(case643()));
        QCOMPARE(json.value(u"version"_s).toInt(), 1);
        QCOMPARE(json.value(u"name"_s).toString(), u"Case 6.4.3"_s);
        QCOMPARE(json.value(u"description"_s).toString(), case643().description);
        const QJsonArray steps = json.value(u"steps"_s).toArray();
        QCOMPARE(steps.size(), 10);
        QCOMPARE(steps[0].toObject(),
                 QJsonObject({{u"frameHeader"_s, QJsonObject{{u"opcode"_s, 1},
                                                             {u"fin"_s, false},
                                                             {u"mask"_s, u"auto"_s},
                                                             {u"declaredLength"_s, 21}}}}));
        QCOMPARE(
            steps[1].toObject(),
            QJsonObject({{u"frameData"_s, QJsonObject{{u"text"_s, QString::fromUtf8(kPart1)}}}}));
        QCOMPARE(steps[3].toObject(),
                 QJsonObject({{u"timeoutEvent"_s, QJsonObject{{u"tag"_s, u"A"_s}}}}));
        QCOMPARE(steps[4].toObject(),
                 QJsonObject({{u"frameData"_s, QJsonObject{{u"hex"_s, u"f4908080"_s}}}}));
        QCOMPARE(json.value(u"expectClose"_s).toObject(),
                 QJsonObject({{u"closedByMe"_s, false},
                              {u"closeCodes"_s, QJsonArray{1007}},
                              {u"requireClean"_s, false},
                              {u"closedByWrongEndpointIsFatal"_s, true}}));
        const QJsonObject c = json.value(u"case"_s).toObject();
        QCOMPARE(c.value(u"id"_s).toString(), u"6.4.3"_s);
        QCOMPARE(c.value(u"logic"_s).toString(), u"events"_s);
        QCOMPARE(c.value(u"override"_s).toString(), u"none"_s);
        QCOMPARE(c.value(u"suppressClose"_s).toBool(true), false);
        QVERIFY(!c.contains(u"message"_s));
        QVERIFY(!c.contains(u"expectedTxFrames"_s));
        QCOMPARE(
            c.value(u"expected"_s).toArray(),
            QJsonArray(
                {QJsonObject{{u"verdict"_s, u"OK"_s},
                             {u"events"_s, QJsonArray{QJsonObject{{u"timeout"_s, u"A"_s}}}}},
                 QJsonObject{{u"verdict"_s, u"NON-STRICT"_s},
                             {u"events"_s, QJsonArray{QJsonObject{{u"timeout"_s, u"A"_s}},
                                                      QJsonObject{{u"timeout"_s, u"B"_s}}}}}}));

        const QJsonObject c101 = scenarioToJson(scenarioFromCase(handBuiltCase(u"10.1.1"_s)))
                                     .value(u"case"_s)
                                     .toObject();
        QCOMPARE(c101.value(u"id"_s).toString(), u"10.1.1"_s);
        QCOMPARE(c101.value(u"expectedTxFrames"_s).toObject(),
                 QJsonObject({{u"0"_s, 50}, {u"1"_s, 1}}));
        QCOMPARE(c101.value(u"expected"_s)[0][u"events"_s][0][u"message"_s][u"binary"_s],
                 QJsonValue(false));

        const QJsonObject c941 =
            scenarioToJson(scenarioFromCase(handBuiltCase(u"9.4.1"_s))).value(u"case"_s).toObject();
        QCOMPARE(c941.value(u"id"_s).toString(), u"9.4.1"_s);
        QCOMPARE(c941.value(u"logic"_s).toString(), u"timedEcho"_s);
        QCOMPARE(c941.value(u"message"_s).toObject(), QJsonObject({{u"hex"_s, u"fe"_s},
                                                                   {u"length"_s, 4194304},
                                                                   {u"binary"_s, true},
                                                                   {u"fragmentSize"_s, 64}}));
        QCOMPARE(c941.value(u"waitSeconds"_s).toInt(), 100);
    }

    // A plain sequence is no case: caseFromScenario gives nothing, and the file it is saved to has
    // none of the new keys (so older versions of the program still read it).
    void plainScenarioIsNoCase()
    {
        Scenario plain = everyStep();
        QVERIFY(!caseFromScenario(plain));
        const QJsonObject json = scenarioToJson(plain);
        QVERIFY(!json.contains(u"case"_s));
        QVERIFY(
            !json.value(u"expectClose"_s).toObject().contains(u"closedByWrongEndpointIsFatal"_s));
        const ScenarioParseResult back = scenarioFromJson(json);
        QVERIFY2(back.ok(), qPrintable(back.error));
        QVERIFY(!back.scenario.casePart);

        // A case part without expectClose: the default close expectation (me, 1000, clean).
        Scenario s;
        s.steps = {timeoutEventStep(u"A"_s)};
        s.casePart = CaseRules{};
        s.casePart->id = u"mine.1"_s;
        const std::optional<CaseDefinition> def = caseFromScenario(s);
        QVERIFY(def);
        QCOMPARE(def->id, u"mine.1"_s);
        QCOMPARE(def->expectedClose.closedByMe, true);
        QCOMPARE(def->expectedClose.closeCodes, QList<int>({1000}));
        QCOMPARE(def->expectedClose.requireClean, true);
        QCOMPARE(def->expectedClose.closedByWrongEndpointIsFatal, false);
        QCOMPARE(def->steps.size(), 1);
        QVERIFY(def->expected.isEmpty());
    }

    // A version 1 file as the program wrote it before the case part existed still loads.
    void versionOneFileLoads()
    {
        // (one raw string per line: moc cannot parse raw strings that span lines)
        const QByteArray old =
            QByteArray(R"({"format": "wsinspector-scenario", "version": 1, )") +
            R"("name": "old", "connection": {"url": "ws://127.0.0.1:9001/", "autoPong": true, )" +
            R"("openHandshakeTimeout": 5, "maxFrameSize": 67108864}, )" +
            R"("expectClose": {"closedByMe": true, "closeCodes": [1000], "requireClean": true}, )" +
            R"("steps": [{"frame": {"opcode": 1, "fin": false, "mask": "auto", "text": "a"}}, )" +
            R"({"delay": 1}, {"close": {"code": 1000}}]})";
        const ScenarioParseResult r = parseScenario(old);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.scenario.name, u"old"_s);
        QCOMPARE(r.scenario.steps.size(), 3);
        QVERIFY(r.scenario.expectedClose);
        QCOMPARE(r.scenario.expectedClose->closedByWrongEndpointIsFatal, false);
        QVERIFY(!r.scenario.casePart);
    }

    // Each connection key is read on its own: a `url` (or `version`) once ended up as the
    // Sec-WebSocket-Key, so every later connection sent "Sec-WebSocket-Key: ws://…".
    void connectionKeysStayApart_data()
    {
        QTest::addColumn<QByteArray>("connection");
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("version");
        QTest::addColumn<QByteArray>("rawRequest");
        // Built as JSON objects: moc (6.4) loses the class when a raw string holds "ws://.
        const auto conn = [](const QJsonObject &o) {
            return QJsonDocument(o).toJson(QJsonDocument::Compact);
        };
        const QString url = u"ws://127.0.0.1:9001/"_s;
        QTest::newRow("url, no key")
            << conn({{u"url"_s, url}}) << QByteArray() << QByteArray("13") << QByteArray();
        QTest::newRow("url and version") << conn({{u"url"_s, url}, {u"version"_s, u"8"_s}})
                                         << QByteArray() << QByteArray("8") << QByteArray();
        QTest::newRow("version only")
            << conn({{u"version"_s, u"8"_s}}) << QByteArray() << QByteArray("8") << QByteArray();
        QTest::newRow("url and an empty key") << conn({{u"url"_s, url}, {u"key"_s, QString()}})
                                              << QByteArray() << QByteArray("13") << QByteArray();
        // A key given on purpose (even a bad one, to test a server) is kept as it is.
        QTest::newRow("key on purpose")
            << conn({{u"url"_s, url}, {u"key"_s, u"not base64!"_s}, {u"version"_s, u"13"_s}})
            << QByteArray("not base64!") << QByteArray("13") << QByteArray();
        QTest::newRow("raw request")
            << conn({{u"url"_s, url}, {u"rawRequest"_s, u"GET / HTTP/1.1\r\n\r\n"_s}})
            << QByteArray() << QByteArray("13") << QByteArray("GET / HTTP/1.1\r\n\r\n");
    }
    void connectionKeysStayApart()
    {
        QFETCH(QByteArray, connection);
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, version);
        QFETCH(QByteArray, rawRequest);
        const ScenarioParseResult r =
            parseScenario(R"({"format": "wsinspector-scenario", "version": 1, "connection": )" +
                          connection + R"(, "steps": []})");
        QVERIFY2(r.ok(), qPrintable(r.error));
        const HandshakeOptions &h = r.scenario.settings.handshake;
        QCOMPARE(h.key, key);
        QCOMPARE(h.version, version);
        QCOMPARE(h.rawRequest, rawRequest);
        // And a save and a load keep it so.
        const ScenarioParseResult again = scenarioFromJson(scenarioToJson(r.scenario));
        QVERIFY2(again.ok(), qPrintable(again.error));
        QCOMPARE(again.scenario.settings.handshake.key, key);
    }

    // The short forms: a bare tag for timeoutEvent; a frameHeader without declaredLength
    // declares the length of its (unsent) payload, which is kept.
    void newStepShortForms()
    {
        Step step;
        QCOMPARE(stepFromJson(QJsonObject{{u"timeoutEvent"_s, u"B"_s}}, step, u"s"_s), QString());
        QCOMPARE(step.kind, Step::Kind::TimeoutEvent);
        QCOMPARE(step.tag, u"B"_s);
        QCOMPARE(stepFromJson(QJsonObject{{u"frameHeader"_s, QJsonObject{{u"text"_s, u"abc"_s}}}},
                              step, u"s"_s),
                 QString());
        QCOMPARE(step.kind, Step::Kind::FrameHeader);
        QCOMPARE(step.frame.payload, QByteArray("abc"));
        QCOMPARE(step.frame.headerLength(), 3u);
        QCOMPARE(stepFromJson(QJsonObject{{u"frameData"_s, QJsonObject{}}}, step, u"s"_s),
                 QString());
        QCOMPARE(step.kind, Step::Kind::FrameData);
        QVERIFY(step.payload.isEmpty());
        QCOMPARE(stepFromJson(QJsonObject{{u"frameData"_s, QJsonObject{{u"hex"_s, u"0a 0B"_s}}}},
                              step, u"s"_s),
                 QString());
        QCOMPARE(step.payload, QByteArray("\x0a\x0b"));
    }

    // Every JSON example of docs/scenario.md loads, and a case example is the library's case of
    // that id, converted (6.4.3 among them).
    void docExamplesLoad()
    {
        const QList<QByteArray> examples = docExamples();
        QVERIFY(examples.size() >= 2);
        QStringList cases;
        for (const QByteArray &example : examples) {
            const ScenarioParseResult r = parseScenario(example);
            QVERIFY2(r.ok(), qPrintable(r.error + u"\n"_s + QString::fromUtf8(example)));
            if (const std::optional<CaseDefinition> def = caseFromScenario(r.scenario)) {
                cases << def->id;
                QCOMPARE(r.scenario.name, u"Case "_s + def->id);
                const CaseDefinition *library = findCase(def->id);
                QVERIFY2(library, qPrintable(def->id));
                const QString difference = caseDifference(*library, *def);
                QVERIFY2(difference.isEmpty(), qPrintable(def->id + u": "_s + difference));
            }
        }
        QVERIFY(cases.contains(u"6.4.3"_s));
    }

    void badFiles_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("mentions");
        const QByteArray head = R"({"format": "wsinspector-scenario", "version": 1, )";
        QTest::newRow("not json") << QByteArray("{\n  \"format\": ,\n}") << u"not valid JSON"_s;
        QTest::newRow("json position") << QByteArray("{\n  \"format\": ,\n}") << u"line 2"_s;
        QTest::newRow("array") << QByteArray("[]") << u"one JSON object"_s;
        QTest::newRow("wrong format")
            << QByteArray(R"({"format": "x", "steps": []})") << u"format"_s;
        QTest::newRow("future version")
            << QByteArray(R"({"format": "wsinspector-scenario", "version": 7, "steps": []})")
            << u"version: 7"_s;
        QTest::newRow("no steps") << head + "\"name\": \"x\"}" << u"steps: must be a list"_s;
        QTest::newRow("unknown step") << head + R"("steps": [{"close": {}}, {"pingg": {}}]})"
                                      << u"steps[1]: unknown step 'pingg'"_s;
        QTest::newRow("two keys") << head + R"("steps": [{"fail": {}, "drop": {}}]})"
                                  << u"steps[0]: a step is an object with exactly one key"_s;
        QTest::newRow("opcode range")
            << head + R"("steps": [{"frame": {"opcode": 16}}]})"
            << u"steps[0].frame.opcode: must be a whole number from 0 to 15"_s;
        QTest::newRow("odd hex") << head + R"("steps": [{"frame": {"hex": "abc"}}]})"
                                 << u"steps[0].frame.hex"_s;
        QTest::newRow("unknown frame key")
            << head + R"("steps": [{"frame": {"opcod": 1}}]})" << u"steps[0].frame.opcod"_s;
        QTest::newRow("mask") << head + R"("steps": [{"frame": {"mask": "xyz"}}]})"
                              << u"steps[0].frame.mask"_s;
        QTest::newRow("delay negative")
            << head + R"("steps": [{"delay": -1}]})" << u"steps[0].delay.seconds"_s;
        QTest::newRow("close code")
            << head + R"("steps": [{"close": {"code": 70000}}]})" << u"steps[0].close.code"_s;
        QTest::newRow("bad url") << head + R"("connection": {"url": "http://x/"}, "steps": []})"
                                 << u"connection.url"_s;
        // JSON has no NaN or infinity, but 1e308 seconds would overflow the milliseconds.
        QTest::newRow("huge open timeout")
            << head + R"("connection": {"openHandshakeTimeout": 1e308}, "steps": []})"
            << u"connection.openHandshakeTimeout: must be seconds from 0 to 86400"_s;
        QTest::newRow("huge close timeout")
            << head + R"("connection": {"closeHandshakeTimeout": 86401}, "steps": []})"
            << u"connection.closeHandshakeTimeout: must be seconds from 0 to 86400"_s;
        QTest::newRow("huge drop timeout")
            << head + R"("connection": {"serverDropTimeout": 1e300}, "steps": []})"
            << u"connection.serverDropTimeout: must be seconds from 0 to 86400"_s;
        QTest::newRow("huge delay") << head + R"("steps": [{"delay": 1e308}]})"
                                    << u"steps[0].delay.seconds: must be seconds from 0 to 86400"_s;
        QTest::newRow("huge closeAfter")
            << head + R"("steps": [{"closeAfter": {"seconds": 1e308}}]})"
            << u"steps[0].closeAfter.seconds: must be seconds from 0 to 86400"_s;
        QTest::newRow("huge failAfter") << head + R"("steps": [{"failAfter": 2147484}]})"
                                        << u"steps[0].failAfter.seconds: must be seconds"_s;
        QTest::newRow("arabic-indic hex")
            << head + "\"steps\": [{\"ping\": {\"hex\": \"\u0663\u0663\"}}]}"
            << u"steps[0].ping.hex: '\u0663' is not a hex digit (position 1)"_s;
        QTest::newRow("drop params") << head + R"("steps": [{"drop": {"now": true}}]})"
                                     << u"steps[0].drop: takes no parameters"_s;
        QTest::newRow("message type")
            << head + R"("steps": [{"message": {"type": "json"}}]})" << u"steps[0].message.type"_s;
        QTest::newRow("name type")
            << head + R"("name": 5, "steps": []})" << u"name: must be a string"_s;
        QTest::newRow("hex digit") << head + R"("steps": [{"ping": {"hex": "0g"}}]})"
                                   << u"steps[0].ping.hex: 'g' is not a hex digit"_s;

        // The new steps.
        const auto step = [&head](const char *json) -> QByteArray {
            return head + R"("steps": [{"drop": {}}, )" + json + "]}";
        };
        QTest::newRow("timeoutEvent type")
            << step(R"({"timeoutEvent": 1})") << u"steps[1].timeoutEvent: must be an object"_s;
        QTest::newRow("timeoutEvent no tag")
            << step(R"({"timeoutEvent": {}})") << u"steps[1].timeoutEvent: needs \"tag\""_s;
        QTest::newRow("timeoutEvent empty tag")
            << step(R"({"timeoutEvent": ""})")
            << u"steps[1].timeoutEvent.tag: must be a non-empty string such as \"A\""_s;
        QTest::newRow("timeoutEvent tag type")
            << step(R"({"timeoutEvent": {"tag": 1}})")
            << u"steps[1].timeoutEvent.tag: must be a non-empty string"_s;
        QTest::newRow("timeoutEvent key") << step(R"({"timeoutEvent": {"tag": "A", "x": 1}})")
                                          << u"steps[1].timeoutEvent.x: unknown key (known: tag)"_s;
        QTest::newRow("frameHeader type")
            << step(R"({"frameHeader": []})") << u"steps[1].frameHeader: must be an object"_s;
        QTest::newRow("frameHeader declaredLength")
            << step(R"({"frameHeader": {"declaredLength": -1}})")
            << u"steps[1].frameHeader.declaredLength: must be a whole number from 0 to"_s;
        QTest::newRow("frameHeader declaredLength type")
            << step(R"({"frameHeader": {"declaredLength": "21"}})")
            << u"steps[1].frameHeader.declaredLength: must be a whole number"_s;
        QTest::newRow("frameHeader mask")
            << step(R"({"frameHeader": {"mask": "12345"}})")
            << u"steps[1].frameHeader.mask: must be auto, none, bit or 8 hex digits"_s;
        QTest::newRow("frameHeader mask 0x")
            << step(R"({"frameHeader": {"mask": "0x123456"}})")
            << u"steps[1].frameHeader.mask: must be auto, none, bit or 8 hex digits"_s;
        QTest::newRow("frameHeader fin") << step(R"({"frameHeader": {"fin": 0}})")
                                         << u"steps[1].frameHeader.fin: must be true or false"_s;
        QTest::newRow("frameHeader len7")
            << step(R"({"frameHeader": {"length": 7, "declaredLength": 200}})")
            << u"steps[1].frameHeader: len=7 cannot hold 200"_s;
        QTest::newRow("frameHeader key") << step(R"({"frameHeader": {"len": 21}})")
                                         << u"steps[1].frameHeader.len: unknown key"_s;
        QTest::newRow("frameData type")
            << step(R"({"frameData": "abc"})") << u"steps[1].frameData: must be an object"_s;
        QTest::newRow("frameData odd hex") << step(R"({"frameData": {"hex": "f49080 8"}})")
                                           << u"steps[1].frameData.hex: odd number of hex digits"_s;
        QTest::newRow("frameData hex digit") << step(R"({"frameData": {"hex": "zz"}})")
                                             << u"steps[1].frameData.hex: 'z' is not a hex digit"_s;
        QTest::newRow("frameData text type") << step(R"({"frameData": {"text": 5}})")
                                             << u"steps[1].frameData.text: must be a string"_s;
        QTest::newRow("frameData both")
            << step(R"({"frameData": {"text": "a", "hex": "61"}})")
            << u"steps[1].frameData.hex: give either text or hex, not both"_s;
        QTest::newRow("frameData key")
            << step(R"({"frameData": {"text": "a", "chop": 1}})")
            << u"steps[1].frameData.chop: unknown key (known: text, hex)"_s;
        QTest::newRow("ping chopDelayMs")
            << step(R"({"ping": {"chopDelayMs": -1}})")
            << u"steps[1].ping.chopDelayMs: must be a whole number from 0 to 600000"_s;

        // expectClose.
        QTest::newRow("expectClose type")
            << head + R"("expectClose": true, "steps": []})" << u"expectClose: must be an object"_s;
        QTest::newRow("expectClose codes type")
            << head + R"("expectClose": {"closeCodes": 1000}, "steps": []})"
            << u"expectClose.closeCodes: must be a list of close codes"_s;
        QTest::newRow("expectClose code fraction")
            << head + R"("expectClose": {"closeCodes": [1000.5]}, "steps": []})"
            << u"expectClose.closeCodes: must be a list of close codes"_s;
        QTest::newRow("expectClose fatal type")
            << head + R"("expectClose": {"closedByWrongEndpointIsFatal": 1}, "steps": []})"
            << u"expectClose.closedByWrongEndpointIsFatal: must be true or false"_s;
        QTest::newRow("expectClose key") << head + R"("expectClose": {"code": 1}, "steps": []})"
                                         << u"expectClose.code: unknown key"_s;

        // The case part.
        const auto casePart = [&head](const char *json) -> QByteArray {
            return head + R"("steps": [], "case": )" + json + "}";
        };
        QTest::newRow("case type") << casePart("[]") << u"case: must be an object"_s;
        QTest::newRow("case no id") << casePart("{}") << u"case: needs \"id\""_s;
        QTest::newRow("case id type") << casePart(R"({"id": 6.4})")
                                      << u"case.id: must be a non-empty string such as \"6.4.3\""_s;
        QTest::newRow("case id empty")
            << casePart(R"({"id": " "})") << u"case.id: must be a non-empty string"_s;
        QTest::newRow("case key") << casePart(R"({"id": "1", "expect": []})")
                                  << u"case.expect: unknown key (known: id, expectation, "_s;
        QTest::newRow("case expectation type") << casePart(R"({"id": "1", "expectation": 1})")
                                               << u"case.expectation: must be a string"_s;
        QTest::newRow("case expected type")
            << casePart(R"({"id": "1", "expected": {"OK": []}})")
            << u"case.expected: must be a list of {\"verdict\": …, \"events\": […]}"_s;
        QTest::newRow("case expected entry") << casePart(R"({"id": "1", "expected": [[]]})")
                                             << u"case.expected[0]: must be an object"_s;
        QTest::newRow("case expected no verdict")
            << casePart(R"({"id": "1", "expected": [{"events": []}]})")
            << u"case.expected[0]: needs \"verdict\""_s;
        QTest::newRow("case expected no events")
            << casePart(R"({"id": "1", "expected": [{"verdict": "OK"}]})")
            << u"case.expected[0]: needs \"events\""_s;
        QTest::newRow("case expected key")
            << casePart(R"({"id": "1", "expected": [{"verdict": "OK", "events": [], "x": 1}]})")
            << u"case.expected[0].x: unknown key (known: verdict, events)"_s;
        QTest::newRow("case verdict unknown")
            << casePart(R"({"id": "1", "expected": [{"verdict": "Ok", "events": []}]})")
            << u"case.expected[0].verdict: unknown value 'Ok' (known: OK, NON-STRICT, INFORMATIONAL)"_s;
        QTest::newRow("case verdict type")
            << casePart(R"({"id": "1", "expected": [{"verdict": 1, "events": []}]})")
            << u"case.expected[0].verdict: must be a string"_s;
        QTest::newRow("case verdict twice")
            << casePart(R"({"id": "1", "expected": [{"verdict": "OK", "events": []}, )"
                        R"({"verdict": "OK", "events": []}]})")
            << u"case.expected[1].verdict: 'OK' is given twice"_s;
        QTest::newRow("case events type")
            << casePart(R"({"id": "1", "expected": [{"verdict": "OK", "events": {}}]})")
            << u"case.expected[0].events: must be a list of events"_s;
        const auto event = [&casePart](const char *json) -> QByteArray {
            const QByteArray events = QByteArray(json);
            return casePart(QByteArray(R"({"id": "1", "expected": [{"verdict": "OK", "events": [)" +
                                       events + "]}]}")
                                .constData());
        };
        QTest::newRow("event type")
            << event("1") << u"case.expected[0].events[0]: must be an object"_s;
        QTest::newRow("event keys")
            << event(R"({"pong": {}, "timeout": "A"})")
            << u"case.expected[0].events[0]: an event is an object with exactly one key (message, pong, timeout)"_s;
        QTest::newRow("event unknown")
            << event(R"({"pong": {}}, {"ping": {}})")
            << u"case.expected[0].events[1]: unknown event 'ping' (known: message, pong, timeout)"_s;
        QTest::newRow("event message type")
            << event(R"({"message": "hi"})")
            << u"case.expected[0].events[0].message: must be an object"_s;
        QTest::newRow("event message binary")
            << event(R"({"message": {"text": "a", "binary": "yes"}})")
            << u"case.expected[0].events[0].message.binary: must be true or false"_s;
        QTest::newRow("event message key")
            << event(R"({"message": {"txt": "a"}})")
            << u"case.expected[0].events[0].message.txt: unknown key (known: text, hex, binary)"_s;
        QTest::newRow("event pong odd hex")
            << event(R"({"pong": {"hex": "abc"}})")
            << u"case.expected[0].events[0].pong.hex: odd number of hex digits"_s;
        QTest::newRow("event pong binary")
            << event(R"({"pong": {"binary": true}})")
            << u"case.expected[0].events[0].pong.binary: unknown key (known: text, hex)"_s;
        QTest::newRow("event timeout type")
            << event(R"({"timeout": 1})")
            << u"case.expected[0].events[0].timeout: must be a tag such as \"A\""_s;
        QTest::newRow("event timeout empty")
            << event(R"({"timeout": ""})")
            << u"case.expected[0].events[0].timeout: must be a non-empty tag"_s;
        QTest::newRow("event timeout hex")
            << event(R"({"timeout": {"hex": "4"}})")
            << u"case.expected[0].events[0].timeout.hex: odd number of hex digits"_s;
        QTest::newRow("case suppressClose type")
            << casePart(R"({"id": "1", "suppressClose": "no"})")
            << u"case.suppressClose: must be true or false"_s;
        QTest::newRow("case override unknown")
            << casePart(R"({"id": "1", "override": "informational"})")
            << u"case.override: unknown value 'informational' (known: none, wrongCodeFails, informational716, undefined)"_s;
        QTest::newRow("case override type")
            << casePart(R"({"id": "1", "override": 2})") << u"case.override: must be a string"_s;
        QTest::newRow("case logic unknown")
            << casePart(R"({"id": "1", "logic": "echo"})")
            << u"case.logic: unknown value 'echo' (known: events, timedEcho, roundTrips, "
               u"deflateEchoes)"_s;
        QTest::newRow("case logic type")
            << casePart(R"({"id": "1", "logic": null})") << u"case.logic: must be a string"_s;
        QTest::newRow("case message type")
            << casePart(R"({"id": "1", "message": "*"})") << u"case.message: must be an object"_s;
        QTest::newRow("case message key")
            << casePart(R"({"id": "1", "message": {"size": 1}})")
            << u"case.message.size: unknown key (known: text, hex, length, binary, fragmentSize, chop)"_s;
        QTest::newRow("case message length")
            << casePart(R"({"id": "1", "message": {"text": "*", "length": -1}})")
            << u"case.message.length: must be a whole number from 0 to 1099511627776"_s;
        QTest::newRow("case message no pattern")
            << casePart(R"({"id": "1", "message": {"length": 10}})")
            << u"case.message.length: needs a non-empty text or hex pattern"_s;
        QTest::newRow("case message odd hex") << casePart(R"({"id": "1", "message": {"hex": "f"}})")
                                              << u"case.message.hex: odd number of hex digits"_s;
        QTest::newRow("case message binary") << casePart(R"({"id": "1", "message": {"binary": 1}})")
                                             << u"case.message.binary: must be true or false"_s;
        QTest::newRow("case message fragmentSize")
            << casePart(R"({"id": "1", "message": {"fragmentSize": 1.5}})")
            << u"case.message.fragmentSize: must be a whole number"_s;
        QTest::newRow("case message chop") << casePart(R"({"id": "1", "message": {"chop": "1"}})")
                                           << u"case.message.chop: must be a whole number"_s;
        QTest::newRow("case corpus unknown")
            << casePart(R"({"id": "1", "logic": "deflateEchoes", "corpus": "lena.png"})")
            << u"case.corpus: unknown corpus 'lena.png' (known: data1.json, lena512.bmp, "
               u"pg2229.txt, data1.html, 10.1.1.105.5439.pdf)"_s;
        QTest::newRow("case deflateEchoes without corpus")
            << casePart(R"({"id": "1", "logic": "deflateEchoes"})")
            << u"case.corpus: deflateEchoes needs a corpus"_s;
        QTest::newRow("case extensionOffers type")
            << casePart(R"({"id": "1", "extensionOffers": "permessage-deflate"})")
            << u"case.extensionOffers: must be a list of strings"_s;
        QTest::newRow("case roundTrips") << casePart(R"({"id": "1", "roundTrips": -5})")
                                         << u"case.roundTrips: must be a whole number from 0 to"_s;
        QTest::newRow("case waitSeconds")
            << casePart(R"({"id": "1", "waitSeconds": 0.5})")
            << u"case.waitSeconds: must be a whole number from 0 to 86400"_s;
        QTest::newRow("case reportTime") << casePart(R"({"id": "1", "reportTime": "yes"})")
                                         << u"case.reportTime: must be true or false"_s;
        QTest::newRow("case txFrames type")
            << casePart(R"({"id": "1", "expectedTxFrames": [50, 1]})")
            << u"case.expectedTxFrames: must be an object"_s;
        QTest::newRow("case txFrames opcode")
            << casePart(R"({"id": "1", "expectedTxFrames": {"16": 1}})")
            << u"case.expectedTxFrames.16: not an opcode (0–15)"_s;
        QTest::newRow("case txFrames name")
            << casePart(R"({"id": "1", "expectedTxFrames": {"text": 1}})")
            << u"case.expectedTxFrames.text: not an opcode (0–15)"_s;
        QTest::newRow("case txFrames count")
            << casePart(R"({"id": "1", "expectedTxFrames": {"0": -1}})")
            << u"case.expectedTxFrames.0: must be a whole number from 0 to"_s;
    }
    void badFiles()
    {
        QFETCH(QByteArray, contents);
        QFETCH(QString, mentions);
        const ScenarioParseResult r = parseScenario(contents);
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(mentions), qPrintable(r.error));
    }

    void missingFileNamesIt()
    {
        const ScenarioParseResult r = loadScenario(u"/nonexistent/dir/s.json"_s);
        QVERIFY(!r.ok());
        QVERIFY(r.error.contains(u"/nonexistent/dir/s.json"_s));
    }

    // The CLI runs the same files: steps at the place of --scenario, the file's URL when none is
    // given, options on the command line winning over the file's settings.
    void cliRunsTheSameFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"s.json"_s);
        QCOMPARE(saveScenario(everyStep(), path), QString());
        cli::ParseResult r =
            cli::parseCommandLine({u"send"_s, u"--ping"_s, u"first"_s, u"--scenario"_s, path,
                                   u"--close"_s, u"--close-timeout"_s, u"0.5"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        const cli::SendOptions &o = r.command.send;
        QCOMPARE(o.settings.url, QUrl(u"wss://127.0.0.1:9443/chat?room=1"_s));
        QCOMPARE(o.steps.size(), everyStep().steps.size() + 2);
        QCOMPARE(o.steps.first().kind, Step::Kind::Ping);
        QCOMPARE(o.steps[1].frame.maskKey, 0x0badf00du);
        QCOMPARE(o.steps.last().kind, Step::Kind::Close);
        QCOMPARE(o.settings.autoPong, false);              // from the file
        QCOMPARE(o.settings.closeHandshakeTimeoutMs, 500); // the command line wins
        QCOMPARE(cli::closeOverrideFor(o).closeCodes,
                 std::optional<QList<int>>(QList<int>({1002, 1007})));

        r = cli::parseCommandLine({u"send"_s, u"--scenario"_s, dir.filePath(u"none.json"_s)});
        QVERIFY(!r.ok());
        QVERIFY(r.error.startsWith(u"--scenario: "_s));
    }
};

QTEST_GUILESS_MAIN(tst_Scenario)
#include "tst_scenario.moc"
