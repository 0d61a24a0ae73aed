// SPDX-License-Identifier: MIT
// The command-line grammar: frame SPECs, escapes, steps in order, and one-line errors that name
// the bad part.
#include "cli/cliparser.h"

#include <QtTest>

using namespace wsi;
using namespace wsi::cli;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(wsi::Step)

class tst_CliParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // stepArguments() writes what the parser reads: each step, written and parsed back as
    // `send URL <arguments>`, is the same step, field by field.
    void stepArgumentsRoundTrip_data()
    {
        QTest::addColumn<Step>("step");
        const auto frame = [](auto change) {
            FrameSpec f;
            change(f);
            return Step::makeFrame(f);
        };
        QTest::newRow("text frame, fixed key") << frame([](FrameSpec &f) {
            f.maskMode = MaskMode::Fixed;
            f.maskKey = 0x0a0b0c0d;
            f.payload = "Hello";
        });
        QTest::newRow("escapes in text") << frame([](FrameSpec &f) {
            f.maskMode = MaskMode::None;
            f.payload = "a,b:c=d\\e\n\r\t\x01 \xc3\xa4 \xe2\x82\xac";
        });
        QTest::newRow("invalid UTF-8 and C1 as hex or escapes") << frame([](FrameSpec &f) {
            f.opcode = 2;
            f.payload = QByteArray("\x00\xff\xfe\x80\xc2\x9b", 6);
        });
        QTest::newRow("reserved opcode, rsv, no FIN, mask bit only") << frame([](FrameSpec &f) {
            f.opcode = 11;
            f.fin = false;
            f.rsv = 5;
            f.maskMode = MaskMode::BitOnly;
            f.payload = "x";
        });
        QTest::newRow("repeat, forced 64-bit length, chopped") << frame([](FrameSpec &f) {
            f.payload = "BAsd7&jh23";
            f.repeatLength = 300;
            f.lengthEncoding = LengthEncoding::Bits64;
            f.chopSize = 7;
            f.sync = true;
        });
        Step delayed = frame([](FrameSpec &f) {
            f.opcode = 0;
            f.payload = "tail";
            f.lengthEncoding = LengthEncoding::Bits16;
            f.declaredLength = 100;
            f.chopSize = 1;
        });
        delayed.chopDelayMs = 25;
        QTest::newRow("declared length, 16-bit field, chop delay") << delayed;
        QTest::newRow("close frame with a key of zeros") << frame([](FrameSpec &f) {
            f.opcode = 8;
            f.maskMode = MaskMode::Fixed;
            f.payload = QByteArray("\x03\xe8ok", 4);
        });
        Step message;
        message.kind = Step::Kind::Message;
        message.payload = "fragmented: a,b";
        message.fragmentSize = 4;
        QTest::newRow("text message") << message;
        message.binary = true;
        message.payload = QByteArray("\x00\x01\x02", 3);
        message.fragmentSize = 0;
        QTest::newRow("binary message") << message;
        Step ping;
        ping.kind = Step::Kind::Ping;
        ping.payload = "ping\xff";
        QTest::newRow("ping") << ping;
        ping.kind = Step::Kind::Pong;
        ping.payload.clear();
        QTest::newRow("empty pong") << ping;
        Step close;
        close.kind = Step::Kind::Close;
        close.closeCode = 4001;
        close.closeReason = "bye: now, \\ really";
        QTest::newRow("close with reason") << close;
        QTest::newRow("close without code") << Step::makeKind(Step::Kind::Close);
        Step delay = Step::makeKind(Step::Kind::Delay);
        delay.seconds = 0.1 + 0.2; // not exactly 0.3: the text must say every bit
        QTest::newRow("delay") << delay;
        delay.kind = Step::Kind::FailAfter;
        delay.seconds = 2.5;
        QTest::newRow("fail after") << delay;
        QTest::newRow("half-close") << Step::makeKind(Step::Kind::HalfClose);
    }
    void stepArgumentsRoundTrip()
    {
        QFETCH(Step, step);
        QString error;
        const QStringList args = stepArguments(step, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!args.isEmpty());
        // A step after it proves the arguments end where they should.
        const ParseResult r = parseCommandLine(QStringList{u"send"_s, u"ws://127.0.0.1:9001/"_s} +
                                               args + QStringList{u"--drop"_s});
        QVERIFY2(r.ok(), qPrintable(r.error + u" in "_s + args.join(u' ')));
        QCOMPARE(r.command.send.steps.size(), 2);
        QCOMPARE(r.command.send.steps[1].kind, Step::Kind::Drop);
        const Step &back = r.command.send.steps[0];
        QCOMPARE(back.kind, step.kind);
        QCOMPARE(back.frame.opcode, step.frame.opcode);
        QCOMPARE(back.frame.fin, step.frame.fin);
        QCOMPARE(back.frame.rsv, step.frame.rsv);
        QCOMPARE(back.frame.maskMode, step.frame.maskMode);
        QCOMPARE(back.frame.maskKey, step.frame.maskKey);
        QCOMPARE(back.frame.payload, step.frame.payload);
        QCOMPARE(back.frame.repeatLength, step.frame.repeatLength);
        QCOMPARE(back.frame.lengthEncoding, step.frame.lengthEncoding);
        QCOMPARE(back.frame.declaredLength, step.frame.declaredLength);
        QCOMPARE(back.frame.chopSize, step.frame.chopSize);
        QCOMPARE(back.frame.sync, step.frame.sync);
        QCOMPARE(back.payload, step.payload);
        QCOMPARE(back.binary, step.binary);
        QCOMPARE(back.fragmentSize, step.fragmentSize);
        QCOMPARE(back.chopSize, step.chopSize);
        QCOMPARE(back.sync, step.sync);
        QCOMPARE(back.chopDelayMs, step.chopDelayMs);
        QCOMPARE(back.seconds, step.seconds);
        QCOMPARE(back.closeCode, step.closeCode);
        QCOMPARE(back.closeReason, step.closeReason);
    }

    void stepArgumentsText()
    {
        // What a user reads: names, defaults left out, text where the payload is text.
        FrameSpec f;
        f.maskMode = MaskMode::None;
        f.payload = "a,b";
        QCOMPARE(stepArguments(Step::makeFrame(f)),
                 QStringList({u"--frame"_s, u"opcode=text,fin=1,mask=none,text=a\\,b"_s}));
        f.payload = QByteArray("\x00\x01\x02", 3);
        QCOMPARE(stepArguments(Step::makeFrame(f)),
                 QStringList({u"--frame"_s, u"opcode=text,fin=1,mask=none,hex=000102"_s}));
        QCOMPARE(escapeText("\xc3\xa4\xff\x1b["), u"\u00e4\\xff\\x1b["_s);
    }

    void stepArgumentsRefuseWhatTheGrammarCannotSay_data()
    {
        QTest::addColumn<Step>("step");
        QTest::addColumn<QString>("mentions");
        Step message;
        message.kind = Step::Kind::Message;
        message.chopSize = 1;
        QTest::newRow("chopped message") << message << u"chop"_s;
        Step delay = Step::makeKind(Step::Kind::Delay);
        delay.tag = u"t"_s;
        QTest::newRow("tagged delay") << delay << u"tag"_s;
        Step close = Step::makeKind(Step::Kind::Close);
        close.closeReason = "why";
        QTest::newRow("reason without code") << close << u"reason"_s;
        QTest::newRow("frame data") << Step::makeKind(Step::Kind::FrameData) << u"no such step"_s;
        FrameSpec f;
        f.payload = QByteArray(300, 'a');
        f.lengthEncoding = LengthEncoding::Bits7;
        QTest::newRow("invalid frame") << Step::makeFrame(f) << u"cannot be sent"_s;
    }
    void stepArgumentsRefuseWhatTheGrammarCannotSay()
    {
        QFETCH(Step, step);
        QFETCH(QString, mentions);
        QString error;
        QCOMPARE(stepArguments(step, &error), QStringList());
        QVERIFY2(error.contains(mentions), qPrintable(error));
    }
    void frameSpec()
    {
        FrameSpec f;
        int chopDelay = 0;
        QCOMPARE(parseFrameSpec(u"opcode=2,fin=0,rsv=6,mask=b1d4cdc4,hex=00ff,chop=1,sync"_s, f,
                                &chopDelay),
                 QString());
        QCOMPARE(f.opcode, 2);
        QCOMPARE(f.fin, false);
        QCOMPARE(f.rsv, 6);
        QCOMPARE(f.maskMode, MaskMode::Fixed);
        QCOMPARE(f.maskKey, 0xb1d4cdc4u);
        QCOMPARE(f.payload, QByteArray("\x00\xff", 2));
        QCOMPARE(f.chopSize, 1);
        QCOMPARE(f.sync, true);

        QCOMPARE(parseFrameSpec(u"opcode=ping,text=a\\,b\\=c\\\\d\\x41\\n,mask=none"_s, f),
                 QString());
        QCOMPARE(f.opcode, 9);
        QCOMPARE(f.payload, QByteArray("a,b=c\\dA\n"));
        QCOMPARE(f.maskMode, MaskMode::None);

        QCOMPARE(parseFrameSpec(u"text=BAsd7&jh23,repeat=25,len=64,chopdelay=5"_s, f, &chopDelay),
                 QString());
        QCOMPARE(f.wirePayload(), QByteArray("BAsd7&jh23BAsd7&jh23BAsd7"));
        QCOMPARE(f.lengthEncoding, LengthEncoding::Bits64);
        QCOMPARE(chopDelay, 5);

        QCOMPARE(parseFrameSpec(u"text=abc,len=300"_s, f), QString());
        QCOMPARE(f.declaredLength, std::optional<quint64>(300));
        QCOMPARE(parseFrameSpec(u"text=abc,len=decl:16"_s, f), QString());
        QCOMPARE(f.declaredLength, std::optional<quint64>(16));
        QCOMPARE(parseFrameSpec(u"mask=bit,opcode=15"_s, f), QString());
        QCOMPARE(f.maskMode, MaskMode::BitOnly);
        QCOMPARE(f.opcode, 15);
    }

    void frameSpecErrors_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("opcode 16") << u"opcode=16"_s << u"opcode=16"_s;
        QTest::newRow("opcode name") << u"opcode=pingg"_s << u"opcode=pingg"_s;
        QTest::newRow("rsv 8") << u"rsv=8"_s << u"rsv=8"_s;
        QTest::newRow("fin 2") << u"fin=2"_s << u"fin=2"_s;
        QTest::newRow("odd hex") << u"hex=abc"_s << u"odd number of hex digits"_s;
        QTest::newRow("not hex") << u"hex=zz"_s << u"'z' is not a hex digit (position 1)"_s;
        // Other scripts' digits are digits to QChar::isDigit, but not hex digits.
        QTest::newRow("arabic-indic digits")
            << u"hex=\u0663\u0663"_s << u"'\u0663' is not a hex digit (position 1)"_s;
        QTest::newRow("fullwidth digits") << u"hex=0\uff11"_s << u"position 2"_s;
        QTest::newRow("mask") << u"mask=123"_s << u"mask=123"_s;
        QTest::newRow("mask 0x") << u"mask=0x123456"_s << u"mask=0x123456"_s;
        QTest::newRow("mask fullwidth")
            << u"mask=0123456\uff17"_s << u"must be auto, none, bit or 8 hex digits"_s;
        QTest::newRow("unknown key") << u"colour=red"_s << u"unknown key 'colour'"_s;
        QTest::newRow("no value") << u"text"_s << u"'text' is not key=value"_s;
        QTest::newRow("bad escape") << u"text=a\\q"_s << u"unknown escape"_s;
        QTest::newRow("len word") << u"len=big"_s << u"len=big"_s;
        QTest::newRow("repeat without pattern") << u"repeat=10"_s << u"repeat="_s;
        QTest::newRow("two payloads") << u"text=a,hex=00"_s << u"payload given twice"_s;
        QTest::newRow("7-bit too small") << u"text=a,repeat=300,len=7"_s << u"7"_s;
        QTest::newRow("empty") << QString() << u"empty"_s;
    }
    void frameSpecErrors()
    {
        QFETCH(QString, spec);
        QFETCH(QString, mentions);
        FrameSpec f;
        const QString error = parseFrameSpec(spec, f);
        QVERIFY2(error.contains(mentions), qPrintable(error));
        QVERIFY(!error.contains(u'\n'));
    }

    void stepsKeepTheirOrder()
    {
        const ParseResult r =
            parseCommandLine({u"send"_s,          u"ws://127.0.0.1:9001/path?x=1"_s,
                              u"--message"_s,     u"text:a\\:b:2"_s,
                              u"--ping"_s,        u"hi"_s,
                              u"--delay"_s,       u"0.5"_s,
                              u"--close"_s,       u"4000:bye: now"_s,
                              u"--fail-after"_s,  u"1"_s,
                              u"--message"_s,     u"binary:00fe"_s,
                              u"--close"_s,       u"--drop"_s,
                              u"--half-close"_s,  u"--fail"_s,
                              u"--close-after"_s, u"2"_s,
                              u"--pong"_s,        u"x"_s,
                              u"--frame"_s,       u"opcode=3"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        const StepList &s = r.command.send.steps;
        QCOMPARE(s.size(), 13);
        QCOMPARE(s[0].kind, Step::Kind::Message);
        QCOMPARE(s[0].payload, QByteArray("a:b"));
        QCOMPARE(s[0].fragmentSize, 2);
        QCOMPARE(s[1].kind, Step::Kind::Ping);
        QCOMPARE(s[2].kind, Step::Kind::Delay);
        QCOMPARE(s[2].seconds, 0.5);
        QCOMPARE(s[3].kind, Step::Kind::Close);
        QCOMPARE(s[3].closeCode, std::optional<int>(4000));
        QCOMPARE(s[3].closeReason, QByteArray("bye: now"));
        QCOMPARE(s[4].kind, Step::Kind::FailAfter);
        QCOMPARE(s[5].binary, true);
        QCOMPARE(s[5].payload, QByteArray("\x00\xfe", 2));
        QCOMPARE(s[6].kind, Step::Kind::Close);
        QCOMPARE(s[6].closeCode, std::nullopt);
        QCOMPARE(s[7].kind, Step::Kind::Drop);
        QCOMPARE(s[8].kind, Step::Kind::HalfClose);
        QCOMPARE(s[9].kind, Step::Kind::Fail);
        QCOMPARE(s[10].kind, Step::Kind::CloseAfter);
        QCOMPARE(s[11].kind, Step::Kind::Pong);
        QCOMPARE(s[12].frame.opcode, 3);
        QCOMPARE(r.command.send.settings.url.path(), u"/path"_s);
    }

    void options()
    {
        const ParseResult r = parseCommandLine(
            {u"send"_s, u"wss://localhost/"_s, u"--no-auto-pong"_s, u"--no-auto-close-reply"_s,
             u"--timeout"_s, u"3"_s, u"--header"_s, u"X-Test: a:b"_s, u"--subprotocol"_s, u"chat"_s,
             u"--insecure"_s, u"--json"_s, u"out.json"_s, u"--close-timeout"_s, u"0.5"_s,
             u"--expect"_s, u"peer"_s, u"--expect-code"_s, u"1002,1007"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        const SendOptions &o = r.command.send;
        QCOMPARE(o.settings.autoPong, false);
        QCOMPARE(o.settings.autoCloseReply, false);
        QCOMPARE(o.timeoutSeconds, 3.0);
        QCOMPARE(o.settings.handshake.extraHeaders.size(), 1);
        QCOMPARE(o.settings.handshake.extraHeaders[0].first, QByteArray("X-Test"));
        QCOMPARE(o.settings.handshake.extraHeaders[0].second, QByteArray("a:b"));
        QCOMPARE(o.settings.handshake.subprotocols, QStringList{u"chat"_s});
        QCOMPARE(o.settings.ignoreCertificateErrors, true);
        QCOMPARE(o.settings.closeHandshakeTimeoutMs, 500);
        QCOMPARE(o.jsonFile, u"out.json"_s);
        const ExpectedCloseOverride e = closeOverrideFor(o);
        QCOMPARE(e.closedByMe, std::optional<bool>(false));
        QCOMPARE(e.closeCodes, std::optional<QList<int>>(QList<int>({1002, 1007})));
        QVERIFY(!e.requireClean); // not stated: derived from what the session did
    }

    void defaultExpectation()
    {
        // Nothing stated: the expectation is derived from the session (tst_closing's table).
        for (const QString &step : {u"--close"_s, u"--fail"_s, u"--half-close"_s}) {
            const ParseResult r = parseCommandLine({u"send"_s, u"ws://h/"_s, step});
            QVERIFY2(r.ok(), qPrintable(r.error));
            QVERIFY(closeOverrideFor(r.command.send).isEmpty());
        }
        const ParseResult r =
            parseCommandLine({u"send"_s, u"ws://h/"_s, u"--close"_s, u"--no-require-clean"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(closeOverrideFor(r.command.send).requireClean, std::optional<bool>(false));
    }

    void casesCommand()
    {
        ParseResult r = parseCommandLine({u"cases"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.command.kind, Command::Kind::Cases);
        QVERIFY(r.command.cases.patterns.isEmpty());

        r = parseCommandLine({u"cases"_s, u"1.1.*"_s, u"2.2, 3.*,"_s, u"--exclude"_s, u"3.7"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.command.cases.patterns, (QStringList{u"1.1.*"_s, u"2.2"_s, u"3.*"_s}));
        QCOMPARE(r.command.cases.excludes, QStringList{u"3.7"_s});
    }

    void runDefaults()
    {
        const ParseResult r = parseCommandLine({u"run"_s, u"ws://127.0.0.1:9001/"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.command.kind, Command::Kind::Run);
        const RunOptions &o = r.command.run;
        QCOMPARE(o.settings.url, QUrl(u"ws://127.0.0.1:9001/"_s));
        QVERIFY(o.patterns.isEmpty());
        QVERIFY(o.excludes.isEmpty());
        QVERIFY(o.scenarios.isEmpty());
        QVERIFY(o.agent.isEmpty());
        QCOMPARE(o.outdir, u"reports"_s);
        QVERIFY(o.captureDir.isEmpty()); // no captures unless asked for
        QCOMPARE(o.jobs, 1);
        QCOMPARE(o.settings.ignoreCertificateErrors, false);
    }

    void runOptions()
    {
        const ParseResult r = parseCommandLine({u"run"_s,
                                                u"--cases"_s,
                                                u"1.1.1,2.2"_s,
                                                u"wss://localhost:9443/ws"_s,
                                                u"--cases"_s,
                                                u"9.*"_s,
                                                u"--exclude"_s,
                                                u"9.7.*,9.8.*"_s,
                                                u"--agent"_s,
                                                u"My Server"_s,
                                                u"--outdir"_s,
                                                u"out/servers"_s,
                                                u"--jobs"_s,
                                                u"4"_s,
                                                u"--insecure"_s,
                                                u"--header"_s,
                                                u"Authorization: Bearer x"_s,
                                                u"--subprotocol"_s,
                                                u"chat"_s,
                                                u"--origin"_s,
                                                u"http://o"_s,
                                                u"--ca-file"_s,
                                                u"ca.pem"_s,
                                                u"--open-timeout"_s,
                                                u"2"_s,
                                                u"--close-timeout"_s,
                                                u"0.5"_s,
                                                u"--drop-timeout"_s,
                                                u"3"_s,
                                                u"--scenario"_s,
                                                u"a.json"_s,
                                                u"--scenario"_s,
                                                u"dir/b.json"_s,
                                                u"--capture-dir"_s,
                                                u"out/captures"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        const RunOptions &o = r.command.run;
        QCOMPARE(o.captureDir, u"out/captures"_s);
        QCOMPARE(o.scenarios, (QStringList{u"a.json"_s, u"dir/b.json"_s}));
        QCOMPARE(o.settings.url.scheme(), u"wss"_s);
        QCOMPARE(o.patterns, (QStringList{u"1.1.1"_s, u"2.2"_s, u"9.*"_s}));
        QCOMPARE(o.excludes, (QStringList{u"9.7.*"_s, u"9.8.*"_s}));
        QCOMPARE(o.agent, u"My Server"_s);
        QCOMPARE(o.outdir, u"out/servers"_s);
        QCOMPARE(o.jobs, 4);
        QCOMPARE(o.settings.ignoreCertificateErrors, true);
        QCOMPARE(o.settings.handshake.extraHeaders.size(), 1);
        QCOMPARE(o.settings.handshake.extraHeaders[0].first, QByteArray("Authorization"));
        QCOMPARE(o.settings.handshake.extraHeaders[0].second, QByteArray("Bearer x"));
        QCOMPARE(o.settings.handshake.subprotocols, QStringList{u"chat"_s});
        QCOMPARE(o.settings.handshake.origin, u"http://o"_s);
        QCOMPARE(o.settings.caFile, u"ca.pem"_s);
        QCOMPARE(o.settings.openHandshakeTimeoutMs, 2000);
        QCOMPARE(o.settings.closeHandshakeTimeoutMs, 500);
        QCOMPARE(o.settings.serverDropTimeoutMs, 3000);
    }

    // The TLS options of a deployment, for send and run alike (docs/tls.md §4).
    void tlsOptions_data()
    {
        QTest::addColumn<QString>("command");
        QTest::newRow("send") << u"send"_s;
        QTest::newRow("run") << u"run"_s;
    }
    void tlsOptions()
    {
        QFETCH(QString, command);
        const auto settingsOf = [&](const QStringList &options) -> std::optional<SessionSettings> {
            const ParseResult r = parseCommandLine(QStringList{command, u"wss://h/"_s} + options);
            if (!r.ok())
                return std::nullopt;
            return command == u"send"_s ? r.command.send.settings : r.command.run.settings;
        };
        const std::optional<SessionSettings> defaults = settingsOf({});
        QVERIFY(defaults);
        QCOMPARE(defaults->tls.clientCertFile, QString());
        QCOMPARE(defaults->tls.sni, std::optional<QString>());
        QCOMPARE(defaults->tls.alpn, QStringList{u"http/1.1"_s});
        QCOMPARE(defaults->tls.version, TlsOptions::Version::Any);
        QCOMPARE(defaults->tls.keyLogFile, QString());

        const std::optional<SessionSettings> all =
            settingsOf({u"--client-cert"_s, u"me.crt"_s, u"--client-key"_s, u"me.key"_s, u"--sni"_s,
                        u"api.example"_s, u"--alpn"_s, u"h2,http/1.1"_s, u"--tls-version"_s,
                        u"1.3"_s, u"--keylog"_s, u"keys.log"_s});
        QVERIFY(all);
        QCOMPARE(all->tls.clientCertFile, u"me.crt"_s);
        QCOMPARE(all->tls.clientKeyFile, u"me.key"_s);
        QCOMPARE(all->tls.sni, std::optional<QString>(u"api.example"_s));
        QCOMPARE(all->tls.alpn, (QStringList{u"h2"_s, u"http/1.1"_s}));
        QCOMPARE(all->tls.version, TlsOptions::Version::Tls13);
        QCOMPARE(all->tls.keyLogFile, u"keys.log"_s);

        // '' sends no name and offers no protocol: not the same as leaving them out.
        const std::optional<SessionSettings> empty = settingsOf(
            {u"--sni"_s, QString(), u"--alpn"_s, QString(), u"--tls-version"_s, u"1.2"_s});
        QVERIFY(empty);
        QCOMPARE(empty->tls.sni, std::optional<QString>(QString()));
        QCOMPARE(empty->tls.alpn, QStringList());
        QCOMPARE(empty->tls.version, TlsOptions::Version::Tls12);

        for (const auto &[options, error] :
             {std::pair{QStringList{u"--tls-version"_s, u"1.1"_s},
                        u"--tls-version: expected 1.2, 1.3 or any, got '1.1'"_s},
              std::pair{QStringList{u"--alpn"_s, u"h2,,x"_s},
                        u"--alpn: each protocol name must have 1 to 255 octets, got 'h2,,x'"_s},
              std::pair{QStringList{u"--client-cert"_s}, u"--client-cert needs a value"_s},
              std::pair{QStringList{u"--keylog"_s}, u"--keylog needs a value"_s}}) {
            const ParseResult r = parseCommandLine(QStringList{command, u"wss://h/"_s} + options);
            QCOMPARE(r.error, error);
        }
    }

    void reportOptions()
    {
        const ParseResult r = parseCommandLine({u"report"_s, u"case.pcapng"_s, u"--html"_s,
                                                u"case.html"_s, u"--json"_s, u"case.json"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.command.kind, Command::Kind::Report);
        QCOMPARE(r.command.report.captureFile, u"case.pcapng"_s);
        QCOMPARE(r.command.report.htmlFile, u"case.html"_s);
        QCOMPARE(r.command.report.jsonFile, u"case.json"_s);
        QVERIFY(r.command.report.reportFile.isEmpty());
    }

    // --proxy on send and run (docs/proxies.md §1.1); a bad URL is a usage error that says why.
    void proxyOption()
    {
        const ParseResult send = parseCommandLine(
            {u"send"_s, u"ws://h/"_s, u"--proxy"_s, u"http://alice:s3cret@127.0.0.1:3128"_s});
        QVERIFY2(send.ok(), qPrintable(send.error));
        const ProxySettings &http = send.command.send.settings.proxy;
        QCOMPARE(http.kind, ProxySettings::Kind::Http);
        QCOMPARE(http.host, u"127.0.0.1"_s);
        QCOMPARE(http.port, 3128);
        QCOMPARE(http.user, u"alice"_s);
        QCOMPARE(http.password, u"s3cret"_s);
        const ParseResult run =
            parseCommandLine({u"run"_s, u"ws://h/"_s, u"--proxy"_s, u"socks5h://proxy"_s});
        QVERIFY2(run.ok(), qPrintable(run.error));
        QCOMPARE(run.command.run.settings.proxy.kind, ProxySettings::Kind::Socks5);
        QCOMPARE(run.command.run.settings.proxy.port, 1080);
        for (const QString &word : {u"system"_s, u"none"_s}) {
            const ParseResult r = parseCommandLine({u"send"_s, u"ws://h/"_s, u"--proxy"_s, word});
            QVERIFY2(r.ok(), qPrintable(r.error));
            QCOMPARE(r.command.send.settings.proxy.toUrl(), word);
        }
        const ParseResult noPort =
            parseCommandLine({u"send"_s, u"ws://h/"_s, u"--proxy"_s, u"http://proxy"_s});
        QVERIFY(!noPort.ok());
        QVERIFY2(noPort.error.contains(u"--proxy: an HTTP proxy URL needs a port"_s),
                 qPrintable(noPort.error));
        const ParseResult noValue = parseCommandLine({u"run"_s, u"ws://h/"_s, u"--proxy"_s});
        QVERIFY(!noValue.ok());
        QVERIFY2(noValue.error.contains(u"--proxy needs a value"_s), qPrintable(noValue.error));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown command") << QStringList{u"sned"_s} << u"unknown command 'sned'"_s;
        QTest::newRow("no url") << QStringList{u"send"_s, u"--close"_s} << u"URL is required"_s;
        QTest::newRow("http url") << QStringList{u"send"_s, u"http://x/"_s} << u"http://x/"_s;
        QTest::newRow("no host") << QStringList{u"send"_s, u"ws:///x"_s} << u"ws:///x"_s;
        QTest::newRow("bad port") << QStringList{u"send"_s, u"ws://h:99999/"_s} << u"h:99999"_s;
        QTest::newRow("bad spec") << QStringList{u"send"_s, u"ws://h/"_s, u"--frame"_s, u"rsv=9"_s}
                                  << u"rsv=9"_s;
        QTest::newRow("missing value")
            << QStringList{u"send"_s, u"ws://h/"_s, u"--delay"_s} << u"--delay needs a value"_s;
        QTest::newRow("bad delay")
            << QStringList{u"send"_s, u"ws://h/"_s, u"--delay"_s, u"soon"_s} << u"'soon'"_s;
        QTest::newRow("bad close code")
            << QStringList{u"send"_s, u"ws://h/"_s, u"--close"_s, u"70000"_s} << u"'70000'"_s;
        QTest::newRow("bad message")
            << QStringList{u"send"_s, u"ws://h/"_s, u"--message"_s, u"x"_s} << u"--message"_s;
        QTest::newRow("binary not hex")
            << QStringList{u"send"_s, u"ws://h/"_s, u"--message"_s, u"binary:xyz"_s}
            << u"'x' is not a hex digit"_s;
        QTest::newRow("binary arabic-indic")
            << QStringList{u"send"_s, u"ws://h/"_s, u"--message"_s, u"binary:\u0663\u0663"_s}
            << u"is not a hex digit"_s;
        QTest::newRow("frame arabic-indic")
            << QStringList{u"send"_s, u"ws://h/"_s, u"--frame"_s, u"hex=\u0663\u0663"_s}
            << u"is not a hex digit"_s;
        QTest::newRow("unknown option")
            << QStringList{u"send"_s, u"ws://h/"_s, u"--frobnicate"_s} << u"'--frobnicate'"_s;
        QTest::newRow("echo port")
            << QStringList{u"echo-server"_s, u"--port"_s, u"x"_s} << u"--port"_s;
        QTest::newRow("cases option")
            << QStringList{u"cases"_s, u"--frobnicate"_s} << u"'--frobnicate'"_s;
        QTest::newRow("cases exclude value")
            << QStringList{u"cases"_s, u"--exclude"_s} << u"--exclude needs a value"_s;
        QTest::newRow("run no url")
            << QStringList{u"run"_s, u"--cases"_s, u"1.*"_s} << u"URL is required"_s;
        QTest::newRow("run http url") << QStringList{u"run"_s, u"http://x/"_s} << u"http://x/"_s;
        QTest::newRow("run two urls")
            << QStringList{u"run"_s, u"ws://a/"_s, u"ws://b/"_s} << u"'ws://b/'"_s;
        QTest::newRow("run jobs 0")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--jobs"_s, u"0"_s} << u"--jobs"_s;
        QTest::newRow("run jobs word")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--jobs"_s, u"many"_s} << u"'many'"_s;
        QTest::newRow("run jobs missing")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--jobs"_s} << u"--jobs needs a value"_s;
        QTest::newRow("run empty cases")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--cases"_s, u" , "_s} << u"--cases"_s;
        QTest::newRow("run empty outdir")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--outdir"_s, QString()} << u"--outdir"_s;
        QTest::newRow("run empty capture dir")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--capture-dir"_s, QString()}
            << u"--capture-dir: the directory must not be empty"_s;
        QTest::newRow("run capture dir missing")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--capture-dir"_s}
            << u"--capture-dir needs a value"_s;
        QTest::newRow("report html missing")
            << QStringList{u"report"_s, u"a.pcapng"_s, u"--html"_s} << u"--html needs a value"_s;
        QTest::newRow("run empty scenario")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--scenario"_s, QString()} << u"--scenario"_s;
        QTest::newRow("run scenario missing")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--scenario"_s}
            << u"--scenario needs a value"_s;
        QTest::newRow("run empty agent")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--agent"_s, u" "_s} << u"--agent"_s;
        QTest::newRow("run bad header")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--header"_s, u"novalue"_s} << u"'novalue'"_s;
        QTest::newRow("run bad timeout")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--close-timeout"_s, u"-1"_s} << u"'-1'"_s;
        QTest::newRow("run step") << QStringList{u"run"_s, u"ws://h/"_s, u"--frame"_s, u"rsv=1"_s}
                                  << u"'--frame'"_s;
        QTest::newRow("run timeout")
            << QStringList{u"run"_s, u"ws://h/"_s, u"--timeout"_s, u"5"_s} << u"--timeout"_s;
    }
    // Every seconds option refuses what is not a finite number of seconds from 0 to 86400:
    // NaN passed the old range check (every comparison with NaN is false) and hung the session.
    void secondsOutOfRange_data()
    {
        QTest::addColumn<QString>("verb");
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("value");
        const QStringList sendOptions = {
            u"--delay"_s,        u"--close-after"_s,   u"--fail-after"_s,  u"--timeout"_s,
            u"--open-timeout"_s, u"--close-timeout"_s, u"--drop-timeout"_s};
        const QStringList runOptions = {u"--open-timeout"_s, u"--close-timeout"_s,
                                        u"--drop-timeout"_s};
        const QStringList values = {u"nan"_s,   u"NaN"_s,     u"-nan"_s,     u"inf"_s,
                                    u"-inf"_s,  u"+inf"_s,    u"infinity"_s, u"1e308"_s,
                                    u"1e400"_s, u"86400.5"_s, u"2147484"_s,  u"-1"_s,
                                    u"-0.001"_s};
        for (const auto &[verb, options] :
             {std::pair{u"send"_s, sendOptions}, std::pair{u"run"_s, runOptions}}) {
            for (const QString &option : options) {
                for (const QString &value : values) {
                    QTest::addRow("%s %s %s", qPrintable(verb), qPrintable(option),
                                  qPrintable(value))
                        << verb << option << value;
                }
            }
        }
    }
    void secondsOutOfRange()
    {
        QFETCH(QString, verb);
        QFETCH(QString, option);
        QFETCH(QString, value);
        const ParseResult r = parseCommandLine({verb, u"ws://h/"_s, option, value});
        QVERIFY(!r.ok());
        QVERIFY2(r.error.startsWith(option + u": seconds must be a number from 0 to 86400"_s),
                 qPrintable(r.error));
        QVERIFY2(r.error.contains(u'\'' + value + u'\''), qPrintable(r.error));
        QVERIFY(!r.error.contains(u'\n'));
    }
    void secondsAtTheLimits()
    {
        ParseResult r = parseCommandLine({u"send"_s, u"ws://h/"_s, u"--delay"_s, u"86400"_s,
                                          u"--timeout"_s, u"0"_s, u"--open-timeout"_s, u"86400"_s,
                                          u"--close-after"_s, u"0.001"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        const SendOptions &o = r.command.send;
        QCOMPARE(o.steps.size(), 2);
        QCOMPARE(o.steps[0].seconds, 86400.0);
        QCOMPARE(o.steps[1].seconds, 0.001);
        QCOMPARE(o.timeoutSeconds, 0.0);
        QCOMPARE(o.settings.openHandshakeTimeoutMs, 86400000);
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const ParseResult r = parseCommandLine(args);
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(mentions), qPrintable(r.error));
        QVERIFY(!r.error.contains(u'\n'));
    }
};

QTEST_GUILESS_MAIN(tst_CliParser)
#include "tst_cliparser.moc"
