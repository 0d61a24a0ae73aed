// SPDX-License-Identifier: MIT
// The scenario file: every step kind survives a save and a load, and bad files get a message
// that names the place.
#include "cliparser.h"
#include "scenario.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

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

    void badFiles_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("mentions");
        const QByteArray head = R"({"format": "wsinspector-scenario", "version": 1, )";
        QTest::newRow("not json") << QByteArray("{\n  \"format\": ,\n}")
                                  << u"not valid JSON"_s;
        QTest::newRow("json position") << QByteArray("{\n  \"format\": ,\n}") << u"line 2"_s;
        QTest::newRow("array") << QByteArray("[]") << u"one JSON object"_s;
        QTest::newRow("wrong format") << QByteArray(R"({"format": "x", "steps": []})")
                                      << u"format"_s;
        QTest::newRow("future version")
            << QByteArray(R"({"format": "wsinspector-scenario", "version": 7, "steps": []})")
            << u"version: 7"_s;
        QTest::newRow("no steps") << head + "\"name\": \"x\"}" << u"steps: must be a list"_s;
        QTest::newRow("unknown step") << head + R"("steps": [{"close": {}}, {"pingg": {}}]})"
                                      << u"steps[1]: unknown step 'pingg'"_s;
        QTest::newRow("two keys") << head + R"("steps": [{"fail": {}, "drop": {}}]})"
                                  << u"steps[0]: a step is an object with exactly one key"_s;
        QTest::newRow("opcode range") << head + R"("steps": [{"frame": {"opcode": 16}}]})"
                                      << u"steps[0].frame.opcode: must be a whole number from 0 to 15"_s;
        QTest::newRow("odd hex") << head + R"("steps": [{"frame": {"hex": "abc"}}]})"
                                 << u"steps[0].frame.hex"_s;
        QTest::newRow("unknown frame key")
            << head + R"("steps": [{"frame": {"opcod": 1}}]})" << u"steps[0].frame.opcod"_s;
        QTest::newRow("mask") << head + R"("steps": [{"frame": {"mask": "xyz"}}]})"
                              << u"steps[0].frame.mask"_s;
        QTest::newRow("delay negative") << head + R"("steps": [{"delay": -1}]})"
                                        << u"steps[0].delay.seconds"_s;
        QTest::newRow("close code") << head + R"("steps": [{"close": {"code": 70000}}]})"
                                    << u"steps[0].close.code"_s;
        QTest::newRow("bad url")
            << head + R"("connection": {"url": "http://x/"}, "steps": []})" << u"connection.url"_s;
        QTest::newRow("drop params") << head + R"("steps": [{"drop": {"now": true}}]})"
                                     << u"steps[0].drop: takes no parameters"_s;
        QTest::newRow("message type")
            << head + R"("steps": [{"message": {"type": "json"}}]})" << u"steps[0].message.type"_s;
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
        cli::ParseResult r = cli::parseCommandLine(
            {u"send"_s, u"--ping"_s, u"first"_s, u"--scenario"_s, path, u"--close"_s,
             u"--close-timeout"_s, u"0.5"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        const cli::SendOptions &o = r.command.send;
        QCOMPARE(o.settings.url, QUrl(u"wss://127.0.0.1:9443/chat?room=1"_s));
        QCOMPARE(o.steps.size(), everyStep().steps.size() + 2);
        QCOMPARE(o.steps.first().kind, Step::Kind::Ping);
        QCOMPARE(o.steps[1].frame.maskKey, 0x0badf00du);
        QCOMPARE(o.steps.last().kind, Step::Kind::Close);
        QCOMPARE(o.settings.autoPong, false);              // from the file
        QCOMPARE(o.settings.closeHandshakeTimeoutMs, 500); // the command line wins
        QCOMPARE(cli::expectedCloseFor(o).closeCodes, QList<int>({1002, 1007}));

        r = cli::parseCommandLine({u"send"_s, u"--scenario"_s, dir.filePath(u"none.json"_s)});
        QVERIFY(!r.ok());
        QVERIFY(r.error.startsWith(u"--scenario: "_s));
    }
};

QTEST_GUILESS_MAIN(tst_Scenario)
#include "tst_scenario.moc"
