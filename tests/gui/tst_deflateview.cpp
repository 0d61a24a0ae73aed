// SPDX-License-Identifier: MIT
// permessage-deflate (RFC 7692) in the window: the composer's compression choice and its preview,
// the connection settings' offer, the Inflated tab of the detail pane, the Messages table, the
// Handshake and Statistics tabs. The traces are hand-made (the octets of RFC 7692 §7.2.3.1's
// "Hello") or recorded from a real session against Python websockets, which compresses.
#include "gui/composerwidget.h"
#include "gui/connectionbar.h"
#include "gui/format.h"
#include "gui/framedetailpane.h"
#include "gui/handshakepanel.h"
#include "gui/hexview.h"
#include "gui/mainwindow.h"
#include "gui/messagemodel.h"
#include "gui/sessioncontroller.h"
#include "gui/statisticspanel.h"
#include "gui/tracestore.h"
#include "protocol/frameparser.h"
#include "protocol/permessagedeflate.h"
#include "trace/inflation.h"

#include "testutils.h"

#include "gui/guitestutils.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocument>

#include <memory>

using namespace Qt::StringLiterals;
using namespace wsi;
using namespace wsi::gui;

Q_DECLARE_METATYPE(wsi::DeflateSend)

namespace {

using test::child;

using test::shown;

const QByteArray kRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            "Sec-WebSocket-Version: 13\r\n"
                            "Sec-WebSocket-Extensions: permessage-deflate; "
                            "client_max_window_bits\r\n\r\n";
const QByteArray kResponse = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                             "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n";

// "Hello" compressed (RFC 7692 §7.2.3.1), and the same message in two fragments (§7.2.3.2 splits
// the same octets so).
const QByteArray kHello = test::hex("f2 48 cd c9 c9 07 00");

// A connection's trace as the session records it: the heads as events and octets, then the
// server's frames, parsed from their octets as the session parses them.
TraceBatchPtr handshakeAndFrames(const QByteArray &serverFrames)
{
    auto batch = std::make_shared<TraceBatch>();
    TraceEvent request;
    request.kind = TraceEvent::Kind::HandshakeRequest;
    request.text = QString::fromLatin1(kRequest);
    request.timeNs = 1'000'000;
    batch->add(std::move(request));
    OctetChunk tx;
    tx.direction = Direction::Tx;
    tx.timeNs = 1'000'000;
    tx.data = kRequest;
    tx.size = kRequest.size();
    batch->add(std::move(tx));
    OctetChunk rx;
    rx.direction = Direction::Rx;
    rx.timeNs = 2'000'000;
    rx.data = kResponse + serverFrames;
    rx.size = rx.data.size();
    batch->add(std::move(rx));
    TraceEvent response;
    response.kind = TraceEvent::Kind::HandshakeResponse;
    response.text = QString::fromLatin1(kResponse);
    response.timeNs = 2'000'000;
    batch->add(std::move(response));
    TraceEvent open;
    open.kind = TraceEvent::Kind::StateChanged;
    open.state = SessionState::Open;
    open.timeNs = 2'000'000;
    batch->add(std::move(open));

    FrameParser::Options options = frameParserOptions(Direction::Rx, 1 << 20, true);
    options.deflate = true; // agreed: RSV1 marks a compressed message
    FrameParser parser(options);
    std::vector<DecodedFrame> frames;
    parser.feed(serverFrames, frames);
    for (DecodedFrame &f : frames)
        batch->add(rxFrameRecord(std::move(f), 3'000'000, kResponse.size(), false));
    return batch;
}

// A server frame: FIN, RSV1 as given, opcode, unmasked, 7-bit length.
QByteArray serverFrame(bool fin, bool rsv1, int opcode, const QByteArray &payload)
{
    QByteArray f;
    f += char((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    f += char(payload.size());
    return f + payload;
}

// Debian's python3-websockets echo server (tests/interop/websockets_echo.py), which accepts a
// permessage-deflate offer and compresses its messages.
class PythonWebsockets
{
public:
    ~PythonWebsockets()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.closeWriteChannel(); // the script ends at EOF on stdin
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    QString start()
    {
        const QString python = QStringLiteral(WSI_PYTHON3);
        if (!QFileInfo(python).isExecutable())
            return u"%1 not found: install Debian's python3 and python3-websockets"_s.arg(python);
        m_process.start(python,
                        {u"-u"_s, QStringLiteral(WSI_TESTS_DIR "/interop/websockets_echo.py")});
        if (!m_process.waitForStarted(10000))
            return m_process.errorString();
        QElapsedTimer clock;
        clock.start();
        while (!m_process.canReadLine()) {
            if (m_process.state() == QProcess::NotRunning || clock.elapsed() > 15000)
                return u"the server did not start: "_s +
                       QString::fromUtf8(m_process.readAllStandardError());
            m_process.waitForReadyRead(200);
        }
        m_url = QUrl(QString::fromUtf8(m_process.readLine()).trimmed());
        return m_url.isValid() ? QString() : u"no URL printed"_s;
    }
    [[nodiscard]] QUrl url() const { return m_url; }

private:
    QProcess m_process;
    QUrl m_url;
};

} // namespace

class TestDeflateView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_recordings; // the window records every connection: not into the user's folder

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(u"WebSocketInspector-Tests"_s);
        QVERIFY(m_recordings.isValid());
    }
    void init()
    {
        QSettings().clear();
        QSettings().setValue(u"recording/folder"_s, m_recordings.path());
    }

    void composerBrokenMode_data();
    void composerBrokenMode();
    void composerValidModes();
    void settingsOffer();
    void settingsPrecedence();
    void settingsRoundTrip();
    void handMadeTrace();
    void inflateFailure();
    void fragmentedMessage();
    void statisticsRatio();
    void handshakeStates();
    void realSession();
    void window();
};

void TestDeflateView::composerBrokenMode_data()
{
    QTest::addColumn<DeflateSend>("mode");
    for (const DeflateSend mode : deflateSendModes()) {
        if (mode != DeflateSend::Agreed && mode != DeflateSend::Uncompressed)
            QTest::newRow(qPrintable(deflateSendName(mode))) << mode;
    }
}

void TestDeflateView::composerBrokenMode()
{
    QFETCH(DeflateSend, mode);
    ComposerWidget composer;
    composer.resize(900, 700);
    composer.show();
    auto *combo = child<QComboBox>(&composer, "compressionCombo");
    const int index = combo->findData(int(mode));
    QVERIFY(index >= 0);
    // The user sees the mode by the core's name.
    QCOMPARE(combo->itemText(index), deflateSendName(mode));
    combo->setCurrentIndex(index);

    // The preview lists the rule the mode breaks, with RFC 6455's.
    const QString breaks = deflateSendBreaks(mode);
    QVERIFY(!breaks.isEmpty());
    bool listed = false;
    for (const QString &rule : composer.ruleBreaks())
        listed = listed || rule.contains(breaks);
    QVERIFY2(listed, qPrintable(composer.ruleBreaks().join(u" | "_s)));
    const QString rules = shown(child<QLabel>(&composer, "rulesLabel"));
    QVERIFY2(rules.contains(breaks.simplified()), qPrintable(rules));
    QVERIFY(rules.contains(u"Breaks the rules on purpose"_s));
    // The frame is still encodable: breaking compression is no input error.
    QVERIFY(composer.canSend());
    if (const QString shots = qEnvironmentVariable("WSI_DEFLATE_SHOTS"); !shots.isEmpty()) {
        QTest::qWait(50);
        QVERIFY(
            composer.grab().save(shots + u"/composer-"_s + QString::number(int(mode)) + u".png"_s));
    }

    // Both kinds of step carry it.
    QCOMPARE(composer.frameStep().deflate, std::optional<DeflateSend>(mode));
    QCOMPARE(composer.messageStep(false).deflate, std::optional<DeflateSend>(mode));
    // Every broken mode but the plain one with RSV1 compresses: the preview shows RSV1 set.
    if (deflateSendSetsRsv1(mode)) {
        const QString bits = shown(child<QLabel>(&composer, "previewBitsLabel"));
        QVERIFY2(bits.contains(u"RSV1"_s), qPrintable(bits));
    }

    // Loaded back from a step, and kept for the next start.
    ComposerWidget other;
    QVERIFY(other.loadStep(composer.messageStep(false)));
    QCOMPARE(other.deflateMode(), std::optional<DeflateSend>(mode));
    ComposerWidget restored;
    restored.restoreState(composer.saveState());
    QCOMPARE(restored.deflateMode(), std::optional<DeflateSend>(mode));
}

void TestDeflateView::composerValidModes()
{
    ComposerWidget composer;
    composer.show();
    auto *combo = child<QComboBox>(&composer, "compressionCombo");
    auto *note = child<QLabel>(&composer, "compressionNote");
    // The default: compressed when agreed, nothing broken.
    QCOMPARE(combo->currentIndex(), 0);
    QVERIFY(!composer.deflateMode());
    QVERIFY(!composer.frameStep().deflate);
    QVERIFY(!composer.messageStep(false).deflate);
    QVERIFY(composer.ruleBreaks().isEmpty());
    QVERIFY(note->text().contains(u"compressed when the server agrees"_s));

    for (const DeflateSend mode : {DeflateSend::Agreed, DeflateSend::Uncompressed}) {
        combo->setCurrentIndex(combo->findData(int(mode)));
        QCOMPARE(composer.deflateMode(), std::optional<DeflateSend>(mode));
        QVERIFY2(composer.ruleBreaks().isEmpty(), qPrintable(composer.ruleBreaks().join(u'|')));
        // What keeps it valid, in the core's words.
        QVERIFY2(note->text().contains(deflateSendBreaks(mode)), qPrintable(note->text()));
    }

    // A connection that agreed: the default says with what.
    DeflateAgreement agreement;
    agreement.agreed = true;
    agreement.clientWindowBits = 10;
    composer.setDeflateAgreement(agreement);
    combo->setCurrentIndex(0);
    QVERIFY2(note->text().contains(agreement.describe()), qPrintable(note->text()));
}

void TestDeflateView::settingsOffer()
{
    ConnectionSettingsDialog dialog;
    dialog.setUrl(QUrl(u"ws://127.0.0.1:9001/"_s));
    dialog.setSettings(SessionSettings());
    auto *group = child<QGroupBox>(&dialog, "deflateGroup");
    QVERIFY(!group->isChecked());
    SessionSettings plain;
    dialog.applyTo(plain);
    QVERIFY(plain.handshake.extensions.isEmpty());

    group->setChecked(true);
    child<QCheckBox>(&dialog, "clientNoContextTakeoverCheck")->setChecked(true);
    auto *client = child<QComboBox>(&dialog, "clientWindowCombo");
    auto *server = child<QComboBox>(&dialog, "serverWindowCombo");
    // client_max_window_bits may go without a value; server_max_window_bits may not.
    QVERIFY(client->findData(0) >= 0);
    QCOMPARE(server->findData(0), -1);
    for (int bits = 8; bits <= 15; ++bits)
        QVERIFY(client->findData(bits) >= 0 && server->findData(bits) >= 0);
    client->setCurrentIndex(client->findData(10));
    server->setCurrentIndex(server->findData(12));
    child<QLineEdit>(&dialog, "extensionsEdit")->setText(u"x-webkit-test"_s);

    DeflateParams expected;
    expected.clientNoContextTakeover = true;
    expected.clientMaxWindowBits = true;
    expected.clientMaxWindowBitsValue = 10;
    expected.serverMaxWindowBits = 12;
    SessionSettings s;
    dialog.applyTo(s);
    QCOMPARE(s.handshake.extensions, QStringList({expected.toHeaderValue(), u"x-webkit-test"_s}));
    // The offer shows as it goes out, and the request built has it.
    QCOMPARE(child<QLabel>(&dialog, "deflateOfferPreview")->text(), expected.toHeaderValue());
    QVERIFY2(dialog.builtRequest().contains(u"Sec-WebSocket-Extensions: "_s +
                                            expected.toHeaderValue() + u", x-webkit-test"_s),
             qPrintable(dialog.builtRequest()));

    // "without a value": the bare parameter.
    client->setCurrentIndex(client->findData(0));
    dialog.applyTo(s);
    const std::optional<DeflateParams> bare = dialog.deflateOffer();
    QVERIFY(bare && bare->clientMaxWindowBits && !bare->clientMaxWindowBitsValue);
    QCOMPARE(s.handshake.extensions.constFirst(), bare->toHeaderValue());
}

void TestDeflateView::settingsPrecedence()
{
    ConnectionSettingsDialog dialog;
    dialog.setSettings(SessionSettings());
    child<QGroupBox>(&dialog, "deflateGroup")->setChecked(true);
    auto *typed = child<QLineEdit>(&dialog, "extensionsEdit");
    auto *note = child<QLabel>(&dialog, "deflateNote");
    // The Extensions field's own permessage-deflate offers win: sent as typed, ours not added.
    typed->setText(u"permessage-deflate; server_max_window_bits=10, permessage-deflate"_s);
    SessionSettings s;
    dialog.applyTo(s);
    QCOMPARE(
        s.handshake.extensions,
        QStringList({u"permessage-deflate; server_max_window_bits=10"_s, u"permessage-deflate"_s}));
    QVERIFY2(note->text().contains(u"names permessage-deflate"_s), qPrintable(note->text()));
    QVERIFY(!child<QGroupBox>(&dialog, "deflateGroup")->toolTip().isEmpty());
    QVERIFY(typed->toolTip().contains(u"precedence"_s));

    // A broken offer typed there is said so, and still sent as typed (nothing lost).
    typed->setText(u"permessage-deflate; client_max_window_bits=99"_s);
    dialog.applyTo(s);
    QCOMPARE(s.handshake.extensions,
             QStringList({u"permessage-deflate; client_max_window_bits=99"_s}));
    QVERIFY2(note->text().contains(u"not a valid permessage-deflate offer"_s),
             qPrintable(note->text()));

    // Read back, the typed offers stay in the field and the tab's group is off.
    ConnectionSettingsDialog again;
    again.setSettings(s);
    QVERIFY(!child<QGroupBox>(&again, "deflateGroup")->isChecked());
    QCOMPARE(child<QLineEdit>(&again, "extensionsEdit")->text(),
             u"permessage-deflate; client_max_window_bits=99"_s);
}

void TestDeflateView::settingsRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(u"settings.ini"_s);
    DeflateParams offer;
    offer.serverNoContextTakeover = true;
    offer.clientNoContextTakeover = true;
    offer.serverMaxWindowBits = 9;
    offer.clientMaxWindowBits = true;
    offer.clientMaxWindowBitsValue = 11;
    {
        ConnectionSettingsDialog dialog;
        dialog.setSettings(SessionSettings());
        dialog.setDeflateOffer(offer);
        child<QLineEdit>(&dialog, "extensionsEdit")->setText(u"x-other; a=1"_s);
        SessionSettings s;
        dialog.applyTo(s);
        ConnectionBar bar;
        bar.setSettings(s);
        QSettings settings(file, QSettings::IniFormat);
        bar.saveSettings(settings);
    }
    ConnectionBar restored;
    {
        QSettings settings(file, QSettings::IniFormat);
        restored.restoreSettings(settings);
    }
    QCOMPARE(restored.settings().handshake.extensions,
             QStringList({offer.toHeaderValue(), u"x-other; a=1"_s}));
    // The dialog opened on them shows the offer in its group again, the rest as typed.
    ConnectionSettingsDialog dialog;
    dialog.setSettings(restored.settings());
    QVERIFY(child<QGroupBox>(&dialog, "deflateGroup")->isChecked());
    QCOMPARE(dialog.deflateOffer(), std::optional<DeflateParams>(offer));
    QVERIFY(child<QCheckBox>(&dialog, "serverNoContextTakeoverCheck")->isChecked());
    QCOMPARE(child<QComboBox>(&dialog, "serverWindowCombo")->currentData().toInt(), 9);
    QCOMPARE(child<QComboBox>(&dialog, "clientWindowCombo")->currentData().toInt(), 11);
    QCOMPARE(child<QLineEdit>(&dialog, "extensionsEdit")->text(), u"x-other; a=1"_s);
    // Restore Defaults: no offer.
    dialog.setSettings(SessionSettings());
    QVERIFY(!dialog.deflateOffer());
}

void TestDeflateView::handMadeTrace()
{
    TraceStore store;
    store.append(handshakeAndFrames(serverFrame(true, true, 1, kHello)));
    const TraceInflation &inflation = store.inflation();
    QVERIFY(inflation.active());
    QCOMPARE(store.trace().frames().size(), size_t(1));
    const TraceInflation::Message *m = inflation.messageOfFrame(0);
    QVERIFY(m);
    QCOMPARE(m->state, TraceInflation::State::Inflated);
    QCOMPARE(m->inflated, QByteArray("Hello"));

    // The Messages table: the size and preview of the inflated message, the ratio in Type.
    MessageModel model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, MessageModel::SizeColumn).data().toString(), u"5"_s);
    QVERIFY(model.index(0, MessageModel::PreviewColumn).data().toString().contains(u"Hello"_s));
    const QString type = model.index(0, MessageModel::TypeColumn).data().toString();
    QCOMPARE(type, u"Text · compressed %1"_s.arg(format::ratioPercent(7.0 / 5.0)));
    QVERIFY(model.index(0, MessageModel::TypeColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(format::compression(7, 5)));
    QCOMPARE(model.index(0, MessageModel::Utf8Column).data().toString(), u"yes"_s);

    // The detail pane: the compressed octets beside the inflated text.
    FrameDetailPane pane;
    pane.resize(900, 700);
    pane.show();
    pane.setFrame(store.trace(), 0, &inflation);
    QVERIFY(pane.showsInflated());
    QCOMPARE(pane.compressedHexView()->data(), kHello);
    QCOMPARE(pane.inflatedText(), u"Hello"_s);
    QCOMPARE(pane.inflatedHexView()->data(), QByteArray("Hello"));
    QVERIFY2(pane.inflateNoteText().contains(u"Inflated: 7 → 5 octets, 140.0 %"_s),
             qPrintable(pane.inflateNoteText()));
    QVERIFY2(pane.summaryText().contains(u"Compressed message"_s), qPrintable(pane.summaryText()));
    auto *tabs = child<QTabWidget>(&pane, "payloadTabs");
    QCOMPARE(tabs->currentWidget(), child<QWidget>(&pane, "inflatedTab"));
    // Without the inflation (or for a plain frame) the tab is not there.
    pane.setFrame(store.trace(), 0);
    QVERIFY(!pane.showsInflated());

    // The Handshake tab: the agreement and the element the server accepted.
    HandshakePanel handshake;
    handshake.setTrace(store.trace());
    QVERIFY2(handshake.deflateText().contains(inflation.agreement().describe()),
             qPrintable(handshake.deflateText()));
    QVERIFY(handshake.deflateText().contains(u"“permessage-deflate”"_s));
}

void TestDeflateView::inflateFailure()
{
    // A stored block whose length and its complement disagree: no DEFLATE data.
    const QByteArray broken = test::hex("01 05 00 00 00 48 65");
    TraceStore store;
    store.append(handshakeAndFrames(serverFrame(true, true, 1, broken)));
    const TraceInflation::Message *m = store.inflation().messageOfFrame(0);
    QVERIFY(m);
    QCOMPARE(m->state, TraceInflation::State::Failed);
    QVERIFY(m->errorOffset >= 0);

    FrameDetailPane pane;
    pane.setFrame(store.trace(), 0, &store.inflation());
    QVERIFY(pane.showsInflated());
    QVERIFY2(pane.inflateNoteText().contains(u"Did not inflate: "_s + m->error),
             qPrintable(pane.inflateNoteText()));
    QVERIFY2(pane.summaryText().contains(u"failed"_s), qPrintable(pane.summaryText()));
    // The octet where inflating failed is marked in the compressed octets.
    bool marked = false;
    for (const HexView::Range &r : pane.compressedHexView()->ranges())
        marked = marked || (r.start == m->errorOffset && r.length == 1);
    QVERIFY(marked);

    MessageModel model(&store);
    QCOMPARE(model.index(0, MessageModel::TypeColumn).data().toString(),
             u"Text · compressed, does not inflate"_s);
    // Its size stays the wire size: nothing inflated to show.
    QCOMPARE(model.index(0, MessageModel::SizeColumn).data().toString(), u"7"_s);
}

void TestDeflateView::fragmentedMessage()
{
    // RFC 7692 §7.2.3.2: "Hello" compressed, in two frames; RSV1 on the first only. A ping in
    // between is no part of the message.
    TraceStore store;
    store.append(handshakeAndFrames(serverFrame(false, true, 1, kHello.left(3)) +
                                    serverFrame(true, false, 9, "ping") +
                                    serverFrame(true, false, 0, kHello.mid(3))));
    QCOMPARE(store.trace().frames().size(), size_t(3));
    QVERIFY(!store.inflation().messageOfFrame(1));
    FrameDetailPane pane;
    pane.setFrame(store.trace(), 2, &store.inflation());
    QVERIFY(pane.showsInflated());
    QCOMPARE(pane.compressedHexView()->data(), kHello); // the whole message, not the ping
    QCOMPARE(pane.inflatedText(), u"Hello"_s);
    QVERIFY2(pane.summaryText().contains(u"frame 2 of 2"_s), qPrintable(pane.summaryText()));
    // This frame's part of the message is marked.
    bool marked = false;
    for (const HexView::Range &r : pane.compressedHexView()->ranges())
        marked = marked || (r.start == 3 && r.length == 4);
    QVERIFY(marked);
    pane.setFrame(store.trace(), 1, &store.inflation()); // the ping
    QVERIFY(!pane.showsInflated());

    MessageModel model(&store);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, MessageModel::SizeColumn).data().toString(), u"5"_s);
}

void TestDeflateView::statisticsRatio()
{
    StatisticsPanel panel;
    panel.show();
    auto *box = child<QGroupBox>(&panel, "deflateBox");
    QVERIFY(!box->isVisible()); // nothing agreed
    DeflateAgreement agreement;
    agreement.agreed = true;
    DeflateStatistics stats;
    stats.rxWireOctets = 312;
    stats.rxAppOctets = 1024;
    stats.rxCompressedMessages = 3;
    stats.txWireOctets = 100;
    stats.txAppOctets = 100;
    panel.setDeflate(agreement, stats);
    QVERIFY(box->isVisible());
    // Received: 312 over 1,024 octets; the connection: 412 over 1,124.
    QCOMPARE(child<QLabel>(&panel, "deflateCell13")->text(), format::ratioPercent(312.0 / 1024));
    QCOMPARE(child<QLabel>(&panel, "deflateCell23")->text(), format::ratioPercent(1.0));
    QCOMPARE(child<QLabel>(&panel, "deflateCell33")->text(), format::ratioPercent(412.0 / 1124));
    QCOMPARE(child<QLabel>(&panel, "deflateCell14")->text(), u"3"_s);
    QCOMPARE(format::ratioPercent(312.0 / 1024), u"30.5 %"_s);
    const QString text = panel.deflateText();
    QVERIFY2(text.contains(u"Received: "_s + format::compression(312, 1024) +
                           u", 3 messages compressed"_s),
             qPrintable(text));
    QVERIFY(format::compression(312, 1024).endsWith(u" octets, 30.5 %"_s));
    panel.clear();
    QVERIFY(!box->isVisible());
}

void TestDeflateView::handshakeStates()
{
    HandshakePanel panel;
    const QString offered = QString::fromLatin1(kRequest);
    QString plain = offered;
    plain.remove(u"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"_s);
    QString declined = QString::fromLatin1(kResponse);
    declined.remove(u"Sec-WebSocket-Extensions: permessage-deflate\r\n"_s);
    // Not offered.
    panel.setHandshake(plain, declined);
    QCOMPARE(panel.deflateText(), u"permessage-deflate: not offered."_s);
    // Offered, no answer yet.
    panel.setHandshake(offered, QString());
    QCOMPARE(panel.deflateText(), u"permessage-deflate: offered; no response yet."_s);
    // Offered, declined.
    panel.setHandshake(offered, declined);
    QCOMPARE(panel.deflateText(), u"permessage-deflate: offered, declined by the server."_s);
    // Accepted though not offered: the negotiation's failure, in its words.
    panel.setHandshake(plain, QString::fromLatin1(kResponse));
    const DeflateNegotiation n = negotiateDeflate(plain.toLatin1(), kResponse);
    QVERIFY(!n.failure.isEmpty());
    QVERIFY2(panel.deflateText().contains(n.failure), qPrintable(panel.deflateText()));
    // Agreed: what, and the element the server wrote.
    panel.setHandshake(offered, QString::fromLatin1(kResponse));
    QVERIFY(panel.deflateNegotiation().agreement.agreed);
    QVERIFY2(panel.deflateText().startsWith(u"permessage-deflate agreed: "_s +
                                            panel.deflateNegotiation().agreement.describe()),
             qPrintable(panel.deflateText()));
}

void TestDeflateView::realSession()
{
    PythonWebsockets server;
    const QString why = server.start();
    QVERIFY2(why.isEmpty(), qPrintable(why));

    SessionSettings settings = test::settingsFor(server.url());
    DeflateParams offer;
    offer.clientMaxWindowBits = true;
    settings.handshake.extensions = {offer.toHeaderValue()};
    // A text that compresses well, then a close.
    QByteArray text;
    for (int i = 0; i < 40; ++i)
        text += "permessage-deflate in the inspector, line " + QByteArray::number(i % 4) + "\n";
    Step wait = Step::makeKind(Step::Kind::Delay);
    wait.seconds = 0.5;
    test::SessionRun run;
    test::runSession(run, settings, {test::textMessage(text), wait, test::closeStep(1000)});
    QVERIFY(run.finished);

    TraceStore store;
    auto batch = std::make_shared<TraceBatch>();
    // The recorded trace replayed into the window's store, in one batch.
    for (const Trace::Entry &e : run.trace.entries()) {
        switch (e.type) {
        case RecordKind::Chunk:
            batch->add(OctetChunk(run.trace.chunks()[e.index]));
            break;
        case RecordKind::Frame:
            batch->add(FrameRecord(run.trace.frames()[e.index]));
            break;
        case RecordKind::Event:
            batch->add(TraceEvent(run.trace.events()[e.index]));
            break;
        }
    }
    store.append(batch);
    const TraceInflation &inflation = store.inflation();
    QVERIFY2(inflation.active(), "the server did not agree to permessage-deflate");

    // Our message and its echo, both compressed, both inflate to the text.
    qsizetype rxFrame = -1;
    int inflated = 0;
    const FrameVector &frames = store.trace().frames();
    for (size_t i = 0; i < frames.size(); ++i) {
        const TraceInflation::Message *m = inflation.messageOfFrame(qint64(i));
        if (!m)
            continue;
        QCOMPARE(m->state, TraceInflation::State::Inflated);
        QCOMPARE(m->inflated, text);
        QVERIFY(m->wireOctets < text.size());
        ++inflated;
        if (frames[i].direction == Direction::Rx)
            rxFrame = qsizetype(i);
    }
    QCOMPARE(inflated, 2);
    QVERIFY(rxFrame >= 0);

    FrameDetailPane pane;
    pane.resize(1000, 800);
    pane.show();
    pane.setFrame(store.trace(), rxFrame, &inflation);
    QCOMPARE(pane.inflatedText(), QString::fromUtf8(text));
    const TraceInflation::Message *echo = inflation.messageOfFrame(rxFrame);
    QVERIFY(pane.inflateNoteText().contains(format::compression(echo->wireOctets, text.size())));

    // The Statistics tab's ratio is the inflation's.
    StatisticsPanel statistics;
    statistics.setDeflate(inflation.agreement(), inflation.statistics());
    const DeflateStatistics s = inflation.statistics();
    QCOMPARE(s.rxCompressedMessages, 1);
    QCOMPARE(s.txCompressedMessages, 1);
    QVERIFY(statistics.deflateText().contains(u"Received: "_s +
                                              format::compression(s.rxWireOctets, s.rxAppOctets)));

    // What the window shows, for a person to look at (WSI_DEFLATE_SHOTS: a folder).
    const QString shots = qEnvironmentVariable("WSI_DEFLATE_SHOTS");
    if (!shots.isEmpty()) {
        QTest::qWait(100); // laid out and painted as a person would see it
        QVERIFY(pane.grab().save(shots + u"/deflate-detail-pane.png"_s));
        statistics.resize(900, 600);
        statistics.show();
        QTest::qWait(100);
        QVERIFY(statistics.grab().save(shots + u"/deflate-statistics.png"_s));
    }

    // The Messages table shows both inflated.
    MessageModel model(&store);
    QCOMPARE(model.rowCount(), 2);
    for (int row = 0; row < 2; ++row) {
        QCOMPARE(model.index(row, MessageModel::SizeColumn).data().toString(),
                 QString::number(text.size()));
        QVERIFY(
            model.index(row, MessageModel::TypeColumn).data().toString().contains(u"compressed"_s));
    }

    HandshakePanel handshake;
    handshake.setTrace(store.trace());
    QVERIFY2(handshake.deflateText().startsWith(u"permessage-deflate agreed: "_s),
             qPrintable(handshake.deflateText()));
}

void TestDeflateView::window()
{
    // The whole window against a compressing server, as a user runs it: the offer from the
    // settings, a message sent, its echo looked at.
    PythonWebsockets server;
    const QString why = server.start();
    QVERIFY2(why.isEmpty(), qPrintable(why));
    MainWindow window;
    window.setUrl(server.url().toString());
    SessionSettings settings = window.connectionBar()->settings();
    DeflateParams offer;
    offer.clientMaxWindowBits = true;
    settings.handshake.extensions = {offer.toHeaderValue()};
    window.connectionBar()->setSettings(settings);
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.connectToServer();
    QTRY_COMPARE_WITH_TIMEOUT(window.controller()->state(), SessionState::Open, 5000);
    QByteArray text;
    for (int i = 0; i < 30; ++i)
        text += "a message the window shows inflated, " + QByteArray::number(i % 5) + "\n";
    window.controller()->run({test::textMessage(text)});

    // The Messages table: both messages at their inflated size, tagged compressed.
    const QAbstractItemModel *messages = window.messageView()->model();
    QTRY_COMPARE_WITH_TIMEOUT(messages->rowCount(), 2, 5000);
    for (int row = 0; row < 2; ++row) {
        QCOMPARE(messages->index(row, MessageModel::SizeColumn).data().toString(),
                 QString::number(text.size()));
        QVERIFY(messages->index(row, MessageModel::TypeColumn)
                    .data()
                    .toString()
                    .contains(u"compressed"_s));
        QVERIFY(messages->index(row, MessageModel::PreviewColumn)
                    .data()
                    .toString()
                    .startsWith(u"a message the window shows inflated"_s));
    }

    // The echo selected in the frame table: the detail pane shows it inflated.
    QTableView *frames = window.frameView();
    int echo = -1;
    for (int row = 0; row < frames->model()->rowCount() && echo < 0; ++row) {
        if (frames->model()->index(row, 2).data().toString() == u"RX"_s)
            echo = row;
    }
    QVERIFY(echo >= 0);
    frames->selectRow(echo);
    QTRY_VERIFY(window.detailPane()->showsInflated());
    QCOMPARE(window.detailPane()->inflatedText(), QString::fromUtf8(text));

    // The Handshake and Statistics tabs, and the composer, know the agreement.
    QTRY_VERIFY2(window.handshakePanel()->deflateText().startsWith(u"permessage-deflate agreed"_s),
                 qPrintable(window.handshakePanel()->deflateText()));
    QTRY_VERIFY(window.statisticsPanel()->deflateText().contains(u"1 message compressed"_s));
    const QString agreed = window.handshakePanel()->deflateNegotiation().agreement.describe();
    QTRY_VERIFY(child<QLabel>(window.composer(), "compressionNote")->text().contains(agreed));
}

QTEST_MAIN(TestDeflateView)
#include "tst_deflateview.moc"
