// SPDX-License-Identifier: MIT
// The frame composer, the sequence editor and its step model, driven through their real widgets.
#include "gui/composerwidget.h"
#include "gui/sequencewidget.h"
#include "gui/stepdescription.h"
#include "gui/steplistmodel.h"
#include "protocol/frame.h"
#include "suite/scenario.h"

#include "gui/guitestutils.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFrame>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStyle>
#include <QStyleOptionComboBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocument>
#include <QToolButton>

#include <memory>

using namespace Qt::StringLiterals;
using namespace wsi;
using namespace wsi::gui;

namespace {

using test::child;

using test::shown;

void click(QAbstractButton *button)
{
    QTest::mouseClick(button, Qt::LeftButton);
}

// Clicks the check box's indicator (a wide check box does not react to a click far from its text).
void setChecked(QAbstractButton *box, bool checked)
{
    if (box->isChecked() != checked)
        QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(6, box->height() / 2));
    QCOMPARE(box->isChecked(), checked);
}

void selectData(QComboBox *combo, int data)
{
    const int index = combo->findData(data);
    QVERIFY2(index >= 0, qPrintable(u"no item with data %1"_s.arg(data)));
    combo->setCurrentIndex(index);
}

void retype(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

void retype(QAbstractSpinBox *spin, const QString &text)
{
    spin->selectAll();
    QTest::keyClicks(spin, text);
}

// A real double-click: QTest::mouseDClick alone sends no press, and an item view only reacts to a
// double-click on the row it saw pressed.
void doubleClickRow(QListView *view, int row)
{
    const QPoint at = view->visualRect(view->model()->index(row, 0)).center();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, at);
}

Step stepFrom(const QByteArray &json)
{
    Step step;
    const QString error = stepFromJson(QJsonDocument::fromJson(json).object(), step, u"test"_s);
    if (!error.isEmpty())
        qFatal("bad test step: %s", qPrintable(error));
    return step;
}

QByteArray toJson(const Step &step)
{
    return QJsonDocument(stepToJson(step)).toJson(QJsonDocument::Compact);
}

QByteArray toJson(const StepList &steps)
{
    QJsonArray array;
    for (const Step &step : steps)
        array.append(stepToJson(step));
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

QStringList descriptions(const QAbstractItemModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out << model.index(row, 0).data(StepListModel::DescriptionRole).toString();
    return out;
}

struct ComposerFixture
{
    ComposerWidget composer;
    ComposerFixture()
    {
        composer.resize(900, 1000);
        composer.show();
    }
    template <typename T>
    T *get(const char *name) const
    {
        return child<T>(&composer, name);
    }
};

} // namespace

class TestComposer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    // Composer
    void textFrameWithFixedKey();
    void oddHexDigitsDisableSend();
    void declaredLengthNotANumber();
    void inputErrors_data();
    void inputErrors();
    void ruleBreaks_data();
    void ruleBreaks();
    void noRuleBrokenByAValidFrame();
    void fragmentedTextMayEndInsideACharacter();
    void sendNeedsConnection();
    void ctrlReturnSends();
    void quickClose();
    void closeCodeCombo();
    void rulesStayInView();
    void combosShowTheirWholeValue();
    void quickActions();
    void largeRepeatPreview();
    void filePayload();
    void setFrameSpecRoundTrip_data();
    void setFrameSpecRoundTrip();
    void saveAndRestoreState();

    // Step descriptions
    void describe_data();
    void describe();

    // Sequence editor
    void sequenceRunOrder();
    void sequenceSaveAndLoad();
    void sequenceLoadFailureKeepsSteps_data();
    void sequenceLoadFailureKeepsSteps();
    void sequenceClearAndUndo();
    void sequenceTimersAndDelays();
    void editStepInComposer();
    void editStreamingSteps();
    void editingRowStartsAFrameEdit();

    // Model
    void stepListModelUnderTester();
    void stepListModelDragAndDrop();

    // Pictures to look at
    void renderPngs();
};

void TestComposer::initTestCase()
{
    QVERIFY(QDir().mkpath(u"/tmp/composer"_s));
}

void TestComposer::textFrameWithFixedKey()
{
    ComposerFixture f;
    ComposerWidget &w = f.composer;
    w.setSendEnabled(true);
    QSignalSpy sent(&w, &ComposerWidget::sendRequested);

    selectData(f.get<QComboBox>("opcodeCombo"), 1);
    setChecked(f.get<QCheckBox>("finCheck"), false);
    setChecked(f.get<QCheckBox>("rsv1Check"), true);
    setChecked(f.get<QCheckBox>("rsv2Check"), true);
    selectData(f.get<QComboBox>("maskCombo"), int(MaskMode::Fixed));
    retype(f.get<QLineEdit>("maskKeyEdit"), u"11223344"_s);
    QTest::keyClicks(f.get<QPlainTextEdit>("payloadTextEdit"), u"fragment1"_s);
    retype(f.get<QSpinBox>("chopSpin"), u"1"_s);
    QCOMPARE(f.get<QSpinBox>("chopSpin")->value(), 1);
    retype(f.get<QSpinBox>("chopDelaySpin"), u"5"_s);
    setChecked(f.get<QCheckBox>("syncCheck"), true);

    FrameSpec expected;
    expected.opcode = 1;
    expected.fin = false;
    expected.rsv = 6;
    expected.maskMode = MaskMode::Fixed;
    expected.maskKey = 0x11223344;
    expected.payload = "fragment1";
    expected.chopSize = 1;
    expected.sync = true;
    const QByteArray octets = encodeFrame(expected);
    QCOMPARE(octets.size(), 2 + 4 + 9);

    // The preview shows exactly these octets, and the bits of the first two.
    const QString preview = shown(f.get<QLabel>("previewFrameLabel"));
    QVERIFY2(preview.contains(QString::fromLatin1(octets.toHex(' '))), qPrintable(preview));
    const QString bits = shown(f.get<QLabel>("previewBitsLabel"));
    QVERIFY2(bits.contains(u"0x61"_s) && bits.contains(u"0x89"_s), qPrintable(bits));
    QVERIFY2(bits.contains(u"11 22 33 44"_s), qPrintable(bits));
    QVERIFY(shown(f.get<QLabel>("previewSizeLabel")).contains(u"15 octets"_s));
    QVERIFY(shown(f.get<QLabel>("previewSizeLabel")).contains(u"15 writes"_s));

    QVERIFY(w.canSend());
    QVERIFY(f.get<QPushButton>("sendButton")->isEnabled());
    click(f.get<QPushButton>("sendButton"));
    QCOMPARE(sent.size(), 1);
    const Step step = sent.at(0).at(0).value<Step>();
    QCOMPARE(step.kind, Step::Kind::Frame);
    QCOMPARE(encodeFrame(step.frame), octets);
    QCOMPARE(step.frame.chopSize, 1);
    QVERIFY(step.frame.sync);
    QCOMPARE(step.chopDelayMs, 5);
    QCOMPARE(StepDescription::describe(step),
             u"Frame: Text, FIN=0, RSV=6, key 11223344, 9 octets, chop 1, 5 ms between chops, "
             "sync \u2014 \u201Cfragment1\u201D"_s);

    QSignalSpy added(&w, &ComposerWidget::addToSequenceRequested);
    click(f.get<QPushButton>("addToSequenceButton"));
    QCOMPARE(added.size(), 1);
    QCOMPARE(toJson(added.at(0).at(0).value<Step>()), toJson(step));
}

void TestComposer::oddHexDigitsDisableSend()
{
    ComposerFixture f;
    f.composer.setSendEnabled(true);
    auto *error = f.get<QLabel>("payloadError");
    auto *send = f.get<QPushButton>("sendButton");
    QVERIFY(!error->isVisible());

    f.get<QComboBox>("payloadModeCombo")->setCurrentIndex(int(ComposerWidget::PayloadMode::Hex));
    QVERIFY(f.get<QPlainTextEdit>("payloadHexEdit")->isVisible());
    QTest::keyClicks(f.get<QPlainTextEdit>("payloadHexEdit"), u"48 65 6c 6c 6"_s);
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(u"Odd number of hex digits"_s), qPrintable(error->text()));
    QVERIFY(!send->isEnabled());
    QVERIFY(!f.get<QPushButton>("addToSequenceButton")->isEnabled());
    QVERIFY(!f.get<QPushButton>("pingButton")->isEnabled());
    QVERIFY(!f.composer.canSend());
    QVERIFY(send->toolTip().contains(u"Odd number of hex digits"_s));
    QVERIFY(shown(f.get<QLabel>("rulesLabel")).contains(u"Cannot encode"_s));
    QVERIFY(!f.get<QLabel>("previewBitsLabel")->isVisible());

    QTest::keyClicks(f.get<QPlainTextEdit>("payloadHexEdit"), u"f"_s);
    QVERIFY(!error->isVisible());
    QVERIFY(send->isEnabled());
    QVERIFY(f.composer.canSend());
    QCOMPARE(f.composer.payload(), QByteArray("Hello"));
    QVERIFY(f.get<QLabel>("payloadInfoLabel")->text().startsWith(u"5 octets"_s));

    QTest::keyClicks(f.get<QPlainTextEdit>("payloadHexEdit"), u" zz"_s);
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(u"not a hex digit"_s), qPrintable(error->text()));
    QVERIFY(!send->isEnabled());
}

void TestComposer::declaredLengthNotANumber()
{
    ComposerFixture f;
    f.composer.setSendEnabled(true);
    auto *error = f.get<QLabel>("lengthError");
    auto *edit = f.get<QLineEdit>("declaredLengthEdit");
    QVERIFY(!edit->isEnabled());
    setChecked(f.get<QCheckBox>("declaredLengthCheck"), true);
    QVERIFY(edit->isEnabled());
    QVERIFY(error->isVisible()); // checked but empty
    QTest::keyClicks(edit, u"abc"_s);
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(u"“abc” is not a length"_s), qPrintable(error->text()));
    QVERIFY(!f.get<QPushButton>("sendButton")->isEnabled());

    retype(edit, u"100"_s);
    QVERIFY(!error->isVisible());
    QVERIFY(f.get<QPushButton>("sendButton")->isEnabled());
    QCOMPARE(f.composer.frameSpec().declaredLength, std::optional<quint64>(100));
    QVERIFY(shown(f.get<QLabel>("rulesLabel"))
                .contains(u"declared length 100 differs from the payload (0 octets sent)"_s));

    retype(edit, u"0x10"_s);
    QCOMPARE(f.composer.frameSpec().declaredLength, std::optional<quint64>(16));
}

void TestComposer::inputErrors_data()
{
    QTest::addColumn<int>("payloadMode");
    QTest::addColumn<QString>("payload");
    QTest::addColumn<int>("repeatLength");
    QTest::addColumn<int>("maskMode");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("encoding");
    QTest::addColumn<QString>("errorLabel");
    QTest::addColumn<QString>("message");

    const int text = int(ComposerWidget::PayloadMode::Text);
    const int repeat = int(ComposerWidget::PayloadMode::Repeat);
    const int fixed = int(MaskMode::Fixed);
    const int random = int(MaskMode::Random);
    const int autoLength = int(LengthEncoding::Auto);
    QTest::newRow("fixed key with a non-hex digit")
        << text << u"x"_s << 0 << fixed << u"1122334g"_s << autoLength << u"maskKeyError"_s
        << u"8 hex digits"_s;
    QTest::newRow("fixed key too short") << text << u"x"_s << 0 << fixed << u"112233"_s
                                         << autoLength << u"maskKeyError"_s << u"8 hex digits"_s;
    QTest::newRow("7-bit length with 126 octets")
        << text << QString(126, u'a') << 0 << random << QString() << int(LengthEncoding::Bits7)
        << u"lengthError"_s << u"7-bit length field holds at most 125"_s;
    QTest::newRow("16-bit length with 70000 octets")
        << repeat << u"ab"_s << 70000 << random << QString() << int(LengthEncoding::Bits16)
        << u"lengthError"_s << u"16-bit length field holds at most 65535"_s;
    QTest::newRow("empty pattern with a repeat length")
        << repeat << QString() << 10 << random << QString() << autoLength << u"payloadError"_s
        << u"pattern is empty"_s;
}

void TestComposer::inputErrors()
{
    QFETCH(int, payloadMode);
    QFETCH(QString, payload);
    QFETCH(int, repeatLength);
    QFETCH(int, maskMode);
    QFETCH(QString, key);
    QFETCH(int, encoding);
    QFETCH(QString, errorLabel);
    QFETCH(QString, message);

    ComposerFixture f;
    f.composer.setSendEnabled(true);
    f.get<QComboBox>("payloadModeCombo")->setCurrentIndex(payloadMode);
    if (payloadMode == int(ComposerWidget::PayloadMode::Repeat)) {
        QTest::keyClicks(f.get<QLineEdit>("repeatPatternEdit"), payload);
        retype(f.get<QSpinBox>("repeatLengthSpin"), QString::number(repeatLength));
        QCOMPARE(f.get<QSpinBox>("repeatLengthSpin")->value(), repeatLength);
    } else {
        f.get<QPlainTextEdit>("payloadTextEdit")->setPlainText(payload);
    }
    selectData(f.get<QComboBox>("maskCombo"), maskMode);
    if (!key.isNull())
        retype(f.get<QLineEdit>("maskKeyEdit"), key);
    selectData(f.get<QComboBox>("lengthCombo"), encoding);

    auto *label = f.get<QLabel>(qPrintable(errorLabel));
    QVERIFY(label->isVisible());
    QVERIFY2(label->text().contains(message), qPrintable(label->text()));
    QVERIFY(!f.composer.canSend());
    QVERIFY(!f.get<QPushButton>("sendButton")->isEnabled());
    QVERIFY(!f.get<QPushButton>("addToSequenceButton")->isEnabled());
    QCOMPARE(f.composer.inputErrors().size(), 1);
}

void TestComposer::ruleBreaks_data()
{
    QTest::addColumn<int>("opcode");
    QTest::addColumn<bool>("fin");
    QTest::addColumn<int>("rsv");
    QTest::addColumn<int>("maskMode");
    QTest::addColumn<int>("encoding");
    QTest::addColumn<QString>("declared");
    QTest::addColumn<QString>("hex");
    QTest::addColumn<QString>("rule");

    const int random = int(MaskMode::Random);
    const int autoLength = int(LengthEncoding::Auto);
    const QString hello = u"48656c6c6f"_s;
    const QString octets126 = QString(252, u'a');
    const QString octets200 = QString(400, u'b');
    QTest::newRow("RSV bits") << 1 << true << 4 << random << autoLength << QString() << hello
                              << u"RSV bits set without a negotiated extension (RFC 6455 §5.2)"_s;
    QTest::newRow("reserved opcode 3") << 3 << true << 0 << random << autoLength << QString()
                                       << hello << u"reserved opcode 3 (RFC 6455 §5.2)"_s;
    QTest::newRow("reserved opcode 11")
        << 11 << true << 0 << random << autoLength << QString() << hello << u"reserved opcode 11"_s;
    QTest::newRow("ping of 126 octets")
        << 9 << true << 0 << random << autoLength << QString() << octets126
        << u"control frame over 125 octets (RFC 6455 §5.5)"_s;
    QTest::newRow("fragmented ping") << 9 << false << 0 << random << autoLength << QString()
                                     << hello << u"fragmented control frame"_s;
    QTest::newRow("unmasked") << 1 << true << 0 << int(MaskMode::None) << autoLength << QString()
                              << hello << u"client frame not masked (RFC 6455 §5.1)"_s;
    QTest::newRow("mask bit without key") << 1 << true << 0 << int(MaskMode::BitOnly) << autoLength
                                          << QString() << hello << u"mask bit without key"_s;
    QTest::newRow("16-bit length for 5 octets")
        << 2 << true << 0 << random << int(LengthEncoding::Bits16) << QString() << hello
        << u"non-minimal length encoding (RFC 6455 §5.2)"_s;
    QTest::newRow("64-bit length for 200 octets")
        << 2 << true << 0 << random << int(LengthEncoding::Bits64) << QString() << octets200
        << u"non-minimal length encoding (RFC 6455 §5.2)"_s;
    QTest::newRow("64-bit length with the top bit")
        << 2 << true << 0 << random << autoLength << u"9223372036854775808"_s << hello
        << u"64-bit length with the most significant bit set"_s;
    QTest::newRow("declared length differs")
        << 2 << true << 0 << random << autoLength << u"100"_s << hello
        << u"declared length 100 differs from the payload"_s;
    QTest::newRow("close payload of 1 octet") << 8 << true << 0 << random << autoLength << QString()
                                              << u"03"_s << u"close payload of 1 octet"_s;
    QTest::newRow("close code 1005") << 8 << true << 0 << random << autoLength << QString()
                                     << u"03ed"_s << u"invalid close code 1005"_s;
    QTest::newRow("close code 999") << 8 << true << 0 << random << autoLength << QString()
                                    << u"03e7"_s << u"invalid close code 999"_s;
    QTest::newRow("close code 5000") << 8 << true << 0 << random << autoLength << QString()
                                     << u"1388"_s << u"invalid close code 5000"_s;
    QTest::newRow("close reason not UTF-8") << 8 << true << 0 << random << autoLength << QString()
                                            << u"03e8ff"_s << u"close reason is not valid UTF-8"_s;
    QTest::newRow("text not UTF-8")
        << 1 << true << 0 << random << autoLength << QString() << u"cebae1bdb9eda080656469746564"_s
        << u"text payload is not valid UTF-8"_s;
    QTest::newRow("final text ends inside a character")
        << 1 << true << 0 << random << autoLength << QString() << u"cebae1bd"_s
        << u"text payload is not valid UTF-8"_s;
}

void TestComposer::ruleBreaks()
{
    QFETCH(int, opcode);
    QFETCH(bool, fin);
    QFETCH(int, rsv);
    QFETCH(int, maskMode);
    QFETCH(int, encoding);
    QFETCH(QString, declared);
    QFETCH(QString, hex);
    QFETCH(QString, rule);

    ComposerFixture f;
    f.composer.setSendEnabled(true);
    selectData(f.get<QComboBox>("opcodeCombo"), opcode);
    setChecked(f.get<QCheckBox>("finCheck"), fin);
    setChecked(f.get<QCheckBox>("rsv1Check"), (rsv & 4) != 0);
    setChecked(f.get<QCheckBox>("rsv2Check"), (rsv & 2) != 0);
    setChecked(f.get<QCheckBox>("rsv3Check"), (rsv & 1) != 0);
    selectData(f.get<QComboBox>("maskCombo"), maskMode);
    selectData(f.get<QComboBox>("lengthCombo"), encoding);
    if (!declared.isEmpty()) {
        setChecked(f.get<QCheckBox>("declaredLengthCheck"), true);
        QTest::keyClicks(f.get<QLineEdit>("declaredLengthEdit"), declared);
    }
    f.get<QComboBox>("payloadModeCombo")->setCurrentIndex(int(ComposerWidget::PayloadMode::Hex));
    f.get<QPlainTextEdit>("payloadHexEdit")->setPlainText(hex);

    const QString rules = shown(f.get<QLabel>("rulesLabel"));
    QVERIFY2(rules.contains(rule), qPrintable(rules));
    QVERIFY(rules.contains(u"Breaks the rules on purpose"_s));
    bool listed = false;
    for (const QString &r : f.composer.ruleBreaks())
        listed = listed || r.contains(rule);
    QVERIFY(listed);
    // Breaking a rule on purpose is the point: the frame can still be sent.
    QVERIFY2(f.composer.canSend(), qPrintable(f.composer.inputErrors().join(u'|')));
    QVERIFY(f.get<QPushButton>("sendButton")->isEnabled());
}

void TestComposer::noRuleBrokenByAValidFrame()
{
    ComposerFixture f;
    QTest::keyClicks(f.get<QPlainTextEdit>("payloadTextEdit"), u"Hello"_s);
    QVERIFY(f.composer.ruleBreaks().isEmpty());
    QVERIFY(shown(f.get<QLabel>("rulesLabel")).contains(u"Breaks no frame-level rule"_s));
}

void TestComposer::fragmentedTextMayEndInsideACharacter()
{
    ComposerFixture f;
    setChecked(f.get<QCheckBox>("finCheck"), false);
    f.get<QComboBox>("payloadModeCombo")->setCurrentIndex(int(ComposerWidget::PayloadMode::Hex));
    QTest::keyClicks(f.get<QPlainTextEdit>("payloadHexEdit"), u"ce ba e1 bd"_s);
    QVERIFY2(f.composer.ruleBreaks().isEmpty(), qPrintable(f.composer.ruleBreaks().join(u'|')));
    QVERIFY(f.get<QLabel>("payloadInfoLabel")->text().contains(u"ends inside a UTF-8 character"_s));
    setChecked(f.get<QCheckBox>("finCheck"), true);
    QCOMPARE(f.composer.ruleBreaks().size(), 1);
}

void TestComposer::sendNeedsConnection()
{
    ComposerFixture f;
    auto *send = f.get<QPushButton>("sendButton");
    QSignalSpy sent(&f.composer, &ComposerWidget::sendRequested);
    QVERIFY(f.composer.canSend());
    QVERIFY(!send->isEnabled());
    QVERIFY2(send->toolTip().contains(u"Not connected"_s), qPrintable(send->toolTip()));
    QVERIFY(!f.get<QPushButton>("closeButton")->isEnabled());
    QVERIFY(!f.get<QPushButton>("dropButton")->isEnabled());
    QVERIFY(f.get<QPushButton>("addToSequenceButton")->isEnabled());
    f.composer.send();
    QCOMPARE(sent.size(), 0);

    f.composer.setSendEnabled(true);
    QVERIFY(send->isEnabled());
    QVERIFY(f.get<QPushButton>("closeButton")->isEnabled());
    f.composer.setSendEnabled(false);
    QVERIFY(!send->isEnabled());
}

void TestComposer::ctrlReturnSends()
{
    ComposerFixture f;
    f.composer.setSendEnabled(true);
    f.composer.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&f.composer));
    QSignalSpy sent(&f.composer, &ComposerWidget::sendRequested);
    auto *edit = f.get<QPlainTextEdit>("payloadTextEdit");
    edit->setFocus();
    QTest::keyClicks(edit, u"hi"_s);
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.at(0).at(0).value<Step>().frame.payload, QByteArray("hi"));
    QCOMPARE(edit->toPlainText(), u"hi"_s); // the shortcut, not a new line

    // Not while the frame cannot be encoded.
    f.get<QComboBox>("maskCombo")->setCurrentIndex(1);
    retype(f.get<QLineEdit>("maskKeyEdit"), u"xyz"_s);
    edit->setFocus();
    QTest::keyClick(edit, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(sent.size(), 1);
}

void TestComposer::quickClose()
{
    ComposerFixture f;
    f.composer.setSendEnabled(true);
    QSignalSpy sent(&f.composer, &ComposerWidget::sendRequested);
    auto *combo = f.get<QComboBox>("closeCodeCombo");
    selectData(combo, 1005);
    // The box shows the code and its name, from the start; the line below says it is invalid.
    QCOMPARE(combo->currentText(), u"1005 No Status Received"_s);
    QCOMPARE(combo->lineEdit()->cursorPosition(), 0);
    QTest::keyClicks(f.get<QLineEdit>("closeReasonEdit"), u"bye"_s);
    auto *info = f.get<QLabel>("closeInfoLabel");
    QVERIFY(info->isVisible());
    QVERIFY2(info->text().contains(u"invalid on the wire"_s), qPrintable(info->text()));

    click(f.get<QPushButton>("closeButton"));
    QCOMPARE(sent.size(), 1);
    const Step step = sent.at(0).at(0).value<Step>();
    QCOMPARE(step.kind, Step::Kind::Close);
    QCOMPARE(step.closeCode, std::optional<int>(1005));
    QCOMPARE(step.closeReason, QByteArray("bye"));

    // "No code": an empty close payload.
    combo->setCurrentIndex(0);
    f.get<QLineEdit>("closeReasonEdit")->clear();
    click(f.get<QPushButton>("closeButton"));
    QCOMPARE(sent.size(), 2);
    QCOMPARE(sent.at(1).at(0).value<Step>().closeCode, std::nullopt);
    QVERIFY(sent.at(1).at(0).value<Step>().closeReason.isEmpty());
}

// "Breaks the rules" is in a footer below the scrolling form: in view at any scroll position of a
// composer too short for its form, in a narrow pane too.
void TestComposer::rulesStayInView()
{
    ComposerWidget composer;
    composer.resize(380, 420);
    composer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&composer));
    auto *area = child<QScrollArea>(&composer, "scrollArea");
    auto *rules = child<QLabel>(&composer, "rulesLabel");
    QTRY_VERIFY(area->verticalScrollBar()->maximum() > 0); // the form scrolls...
    QVERIFY(!area->isAncestorOf(rules));                   // ...the rules do not
    const auto inView = [&] {
        const QRect r(rules->mapTo(&composer, QPoint(0, 0)), rules->size());
        return rules->isVisible() && composer.rect().contains(r) &&
               rules->height() >= rules->heightForWidth(rules->width());
    };
    QVERIFY(inView());
    QVERIFY(shown(rules).contains(u"Breaks no frame-level rule"_s));

    child<QCheckBox>(&composer, "rsv1Check")->setChecked(true);
    selectData(child<QComboBox>(&composer, "opcodeCombo"), 3);
    for (int position : {0, area->verticalScrollBar()->maximum()}) {
        area->verticalScrollBar()->setValue(position);
        QVERIFY(shown(rules).contains(u"Breaks the rules on purpose"_s));
        QVERIFY(shown(rules).contains(u"RSV bits set"_s));
        QVERIFY(shown(rules).contains(u"reserved opcode 3"_s));
        QTRY_VERIFY(inView()); // wrapped to the pane's width, whole
    }
}

// Every combo box of the composer shows its value whole, whichever it is, in a pane as narrow as
// the window gives the composer (the form scrolls sideways before a value is cut).
void TestComposer::combosShowTheirWholeValue()
{
    ComposerWidget composer;
    composer.resize(300, 500);
    composer.show();
    QVERIFY(QTest::qWaitForWindowExposed(&composer));
    const auto fits = [](QComboBox *combo) {
        const int text = combo->fontMetrics().horizontalAdvance(combo->currentText());
        if (QLineEdit *edit = combo->lineEdit())
            return edit->contentsRect().width() - 4 >= text && edit->cursorPosition() == 0;
        QStyleOptionComboBox option;
        option.initFrom(combo);
        option.frame = combo->hasFrame();
        const QRect field = combo->style()->subControlRect(QStyle::CC_ComboBox, &option,
                                                           QStyle::SC_ComboBoxEditField, combo);
        return field.width() >= text;
    };
    for (const char *name :
         {"opcodeCombo", "maskCombo", "lengthCombo", "payloadModeCombo", "closeCodeCombo"}) {
        auto *combo = child<QComboBox>(&composer, name);
        for (int i = 0; i < combo->count(); ++i) {
            combo->setCurrentIndex(i);
            QTRY_VERIFY2(fits(combo),
                         qPrintable(u"%1: “%2” is cut at %3 px"_s
                                        .arg(QString::fromLatin1(name), combo->currentText())
                                        .arg(combo->width())));
        }
    }
    auto *mask = child<QComboBox>(&composer, "maskCombo");
    selectData(mask, int(MaskMode::Random));
    QCOMPARE(mask->currentText(), u"Random key"_s);
    QTRY_VERIFY(fits(mask));
}

void TestComposer::closeCodeCombo()
{
    ComposerFixture f;
    f.composer.setSendEnabled(true);
    auto *combo = f.get<QComboBox>("closeCodeCombo");
    QVERIFY(combo->isEditable());
    const int valid[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4000, 4999};
    const int invalid[] = {1005, 1006, 1012, 1013, 1014, 1015, 0,
                           999,  1004, 1016, 2999, 5000, 65535};
    for (int code : valid) {
        const int i = combo->findData(code);
        QVERIFY2(i >= 0, qPrintable(QString::number(code)));
        QVERIFY(!combo->itemData(i, Qt::ToolTipRole).toString().contains(u"invalid on the wire"_s));
        QVERIFY(combo->itemText(i).startsWith(QString::number(code) + u' '));
    }
    // Invalid codes: the number and name as for any other (what the box shows), the warning in
    // the tooltip and the colour.
    for (int code : invalid) {
        const int i = combo->findData(code);
        QVERIFY2(i >= 0, qPrintable(QString::number(code)));
        QVERIFY2(combo->itemText(i).startsWith(QString::number(code) + u' '),
                 qPrintable(combo->itemText(i)));
        QVERIFY2(!combo->itemText(i).contains(u"invalid"_s), qPrintable(combo->itemText(i)));
        QVERIFY2(combo->itemData(i, Qt::ToolTipRole).toString().contains(u"invalid on the wire"_s),
                 qPrintable(combo->itemText(i)));
        QVERIFY(combo->itemData(i, Qt::ForegroundRole).isValid());
    }
    QCOMPARE(combo->itemText(combo->findData(1005)), u"1005 No Status Received"_s);
    QCOMPARE(combo->itemText(combo->findData(1000)), u"1000 Normal Closure"_s);
    QVERIFY(combo->findData(-1) >= 0); // "no code"

    // Any number can be typed.
    QSignalSpy sent(&f.composer, &ComposerWidget::sendRequested);
    combo->clearEditText();
    QTest::keyClicks(combo->lineEdit(), u"4321"_s);
    QCOMPARE(f.composer.closeCode(), std::optional<int>(4321));
    click(f.get<QPushButton>("closeButton"));
    QCOMPARE(sent.size(), 1);
    QCOMPARE(sent.at(0).at(0).value<Step>().closeCode, std::optional<int>(4321));

    combo->clearEditText();
    QTest::keyClicks(combo->lineEdit(), u"70000"_s);
    bool ok = true;
    (void)f.composer.closeCode(&ok);
    QVERIFY(!ok);
    QVERIFY(!f.get<QPushButton>("closeButton")->isEnabled());
    QVERIFY(f.get<QLabel>("closeInfoLabel")->isVisible());
}

void TestComposer::quickActions()
{
    ComposerFixture f;
    f.composer.setSendEnabled(true);
    QSignalSpy sent(&f.composer, &ComposerWidget::sendRequested);
    QSignalSpy added(&f.composer, &ComposerWidget::addToSequenceRequested);
    QTest::keyClicks(f.get<QPlainTextEdit>("payloadTextEdit"), u"Hello"_s);
    retype(f.get<QSpinBox>("fragmentSizeSpin"), u"2"_s);

    const struct
    {
        const char *button;
        Step::Kind kind;
    } actions[] = {
        {"textMessageButton", Step::Kind::Message}, {"binaryMessageButton", Step::Kind::Message},
        {"pingButton", Step::Kind::Ping},           {"pongButton", Step::Kind::Pong},
        {"failButton", Step::Kind::Fail},           {"dropButton", Step::Kind::Drop},
        {"halfCloseButton", Step::Kind::HalfClose},
    };
    for (const auto &action : actions) {
        click(f.get<QPushButton>(action.button));
        QVERIFY2(sent.size() > 0, action.button);
        QCOMPARE(sent.constLast().at(0).value<Step>().kind, action.kind);
    }
    QCOMPARE(sent.size(), 7);
    const Step text = sent.at(0).at(0).value<Step>();
    QCOMPARE(text.payload, QByteArray("Hello"));
    QVERIFY(!text.binary);
    QCOMPARE(text.fragmentSize, 2);
    QVERIFY(sent.at(1).at(0).value<Step>().binary);
    QCOMPARE(sent.at(2).at(0).value<Step>().payload, QByteArray("Hello"));
    QCOMPARE(added.size(), 0);

    // Quick actions can fill the sequence instead, connected or not.
    f.composer.setSendEnabled(false);
    QVERIFY(!f.get<QPushButton>("pingButton")->isEnabled());
    setChecked(f.get<QCheckBox>("quickToSequenceCheck"), true);
    QVERIFY(f.get<QPushButton>("pingButton")->isEnabled());
    click(f.get<QPushButton>("pingButton"));
    click(f.get<QPushButton>("dropButton"));
    QCOMPARE(sent.size(), 7);
    QCOMPARE(added.size(), 2);
    QCOMPARE(added.at(0).at(0).value<Step>().kind, Step::Kind::Ping);
    QCOMPARE(added.at(1).at(0).value<Step>().kind, Step::Kind::Drop);
}

void TestComposer::largeRepeatPreview()
{
    ComposerFixture f;
    f.composer.setSendEnabled(true);
    f.get<QComboBox>("payloadModeCombo")->setCurrentIndex(int(ComposerWidget::PayloadMode::Repeat));
    setChecked(f.get<QCheckBox>("repeatHexCheck"), true);
    QTest::keyClicks(f.get<QLineEdit>("repeatPatternEdit"), u"c3 a9 78"_s); // "éx"
    retype(f.get<QSpinBox>("repeatLengthSpin"), u"16777216"_s);
    QCOMPARE(f.composer.frameSpec().wirePayloadLength(), 16777216);
    const QString bits = shown(f.get<QLabel>("previewBitsLabel"));
    QVERIFY2(bits.contains(u"64-bit length = 16"_s), qPrintable(bits));
    const QString frame = shown(f.get<QLabel>("previewFrameLabel"));
    QVERIFY2(frame.contains(u"more"_s), qPrintable(frame));
    // 16777216 = 3 × 5592405 + 1: the cut leaves the first octet of "é", a split character.
    QVERIFY2(f.composer.ruleBreaks().join(u'|').contains(u"ends inside a character"_s),
             qPrintable(f.composer.ruleBreaks().join(u'|')));
    QVERIFY(f.get<QLabel>("repeatInfoLabel")->text().contains(u"5592405"_s));
    QVERIFY(f.composer.canSend());
}

void TestComposer::filePayload()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString small = dir.filePath(u"payload.bin"_s);
    QByteArray data;
    for (int i = 0; i < 1000; ++i)
        data.append(char(i & 0xFF));
    {
        QFile file(small);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(data);
    }
    ComposerFixture f;
    f.composer.setSendEnabled(true);
    QVERIFY(f.composer.loadPayloadFile(small));
    QCOMPARE(f.composer.payloadMode(), ComposerWidget::PayloadMode::File);
    QCOMPARE(f.composer.payload(), data);
    QVERIFY(f.get<QLabel>("fileInfoLabel")->isVisible());
    QVERIFY2(f.get<QLabel>("fileInfoLabel")->text().contains(u"payload.bin"_s),
             qPrintable(f.get<QLabel>("fileInfoLabel")->text()));
    QVERIFY(f.composer.canSend());
    QVERIFY(!f.get<QLabel>("payloadError")->isVisible());

    const QString huge = dir.filePath(u"huge.bin"_s);
    {
        QFile file(huge);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(ComposerWidget::MaxFilePayload + 1)); // sparse
    }
    QVERIFY(!f.composer.loadPayloadFile(huge));
    QVERIFY(f.get<QLabel>("payloadError")->isVisible());
    QVERIFY2(f.get<QLabel>("payloadError")->text().contains(u"the 64 MiB limit"_s),
             qPrintable(f.get<QLabel>("payloadError")->text()));
    QVERIFY(!f.composer.canSend());
    QVERIFY(!f.get<QPushButton>("sendButton")->isEnabled());

    QVERIFY(!f.composer.loadPayloadFile(dir.filePath(u"missing.bin"_s)));
    QVERIFY(f.get<QLabel>("payloadError")->text().contains(u"does not exist"_s));
    QVERIFY(f.composer.loadPayloadFile(small));
    QVERIFY(f.composer.canSend());
}

void TestComposer::setFrameSpecRoundTrip_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("text FIN=0 RSV=6 fixed key, chopped and synced")
        << QByteArray(R"({"frame":{"opcode":1,"fin":false,"rsv":6,"mask":"11223344",)"
                      R"("text":"fragment1","chop":1,"sync":true}})");
    QTest::newRow("binary unmasked, 64-bit length")
        << QByteArray(R"({"frame":{"opcode":2,"mask":"none","hex":"00ff10","length":64}})");
    QTest::newRow("ping, mask bit only, repeated to 300, 16-bit") << QByteArray(
        R"({"frame":{"opcode":9,"mask":"bit","text":"ab","repeat":300,"length":16}})");
    QTest::newRow("close with a declared length")
        << QByteArray(R"({"frame":{"opcode":8,"hex":"03ed","declaredLength":5}})");
    QTest::newRow("reserved opcode, two lines")
        << QByteArray(R"({"frame":{"opcode":13,"fin":false,"text":"line1\nline2"}})");
    QTest::newRow("invalid UTF-8 pattern repeated")
        << QByteArray(R"({"frame":{"opcode":1,"hex":"cebae1bdb9ff","repeat":20}})");
    QTest::newRow("empty continuation") << QByteArray(R"({"frame":{"opcode":0,"text":""}})");
    QTest::newRow("chop delay") << QByteArray(
        R"({"frame":{"opcode":1,"text":"x","chop":2,"chopDelayMs":7}})");
    QTest::newRow("carriage return goes through hex")
        << QByteArray(R"({"frame":{"opcode":1,"hex":"610d0a62"}})");
}

void TestComposer::setFrameSpecRoundTrip()
{
    QFETCH(QByteArray, json);
    const Step step = stepFrom(json);
    ComposerFixture f;
    f.composer.setFrameSpec(step.frame);
    f.composer.setChopDelayMs(step.chopDelayMs);
    QCOMPARE(toJson(f.composer.frameStep()), toJson(step));
    QVERIFY(f.composer.canSend());
}

void TestComposer::saveAndRestoreState()
{
    ComposerFixture a;
    a.composer.setFrameSpec(
        stepFrom(R"({"frame":{"opcode":9,"fin":false,"rsv":1,"mask":"a1b2c3d4","text":"xy",)"
                 R"("repeat":130,"length":64,"declaredLength":7,"chop":3,"sync":true}})")
            .frame);
    a.composer.setChopDelayMs(12);
    selectData(a.get<QComboBox>("closeCodeCombo"), 4999);
    QTest::keyClicks(a.get<QLineEdit>("closeReasonEdit"), u"later"_s);
    const QVariantMap state = a.composer.saveState();

    ComposerFixture b;
    b.composer.restoreState(state);
    QCOMPARE(toJson(b.composer.frameStep()), toJson(a.composer.frameStep()));
    QCOMPARE(toJson(b.composer.closeStep()), toJson(a.composer.closeStep()));
    QCOMPARE(b.composer.saveState(), state);

    // Unknown or missing keys fall back to defaults.
    ComposerFixture c;
    c.composer.restoreState(QVariantMap{{u"opcode"_s, u"nonsense"_s}});
    QCOMPARE(c.composer.frameSpec().opcode, 1);
    QVERIFY(c.composer.canSend());
}

void TestComposer::describe_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("description");
    QTest::newRow("fragment")
        << QByteArray(R"({"frame":{"opcode":1,"fin":false,"rsv":6,"text":"fragment1","chop":1,)"
                      R"("sync":true}})")
        << u"Frame: Text, FIN=0, RSV=6, 9 octets, chop 1, sync \u2014 \u201Cfragment1\u201D"_s;
    QTest::newRow("reserved opcode repeated")
        << QByteArray(
               R"({"frame":{"opcode":3,"mask":"none","text":"ab","repeat":300,"length":64}})")
        << u"Frame: Reserved 3, FIN=1, unmasked, 300 octets repeating a pattern of 2 octets, "
           "64-bit length \u2014 \u201Cab\u201D"_s;
    QTest::newRow("binary, declared") << QByteArray(R"({"frame":{"opcode":2,"mask":"bit",)"
                                                    R"("hex":"00ff","declaredLength":9}})")
                                      << u"Frame: Binary, FIN=1, mask bit without key, 2 octets, "
                                         "declares 9"_s;
    QTest::newRow("binary message")
        << QByteArray(R"({"message":{"type":"binary","hex":"0001","fragmentSize":1}})")
        << u"Binary message, 2 octets, fragments of 1"_s;
    QTest::newRow("ping") << QByteArray(R"({"ping":{"text":"pongme 1!"}})")
                          << u"Ping, 9 octets \u2014 \u201Cpongme 1!\u201D"_s;
    QTest::newRow("pong, one octet") << QByteArray(R"({"pong":{"text":"x","chop":1}})")
                                     << u"Pong, 1 octet, chop 1 \u2014 \u201Cx\u201D"_s;
    QTest::newRow("delay with tag")
        << QByteArray(R"({"delay":{"seconds":1,"tag":"A"}})") << u"Delay 1 s (tag A)"_s;
    QTest::newRow("close 1005") << QByteArray(R"({"close":{"code":1005,"reason":"bye"}})")
                                << u"Close 1005 No Status Received (invalid on the wire), reason "
                                   "\u201Cbye\u201D"_s;
    QTest::newRow("close without code")
        << QByteArray(R"({"close":{}})") << u"Close without a code"_s;
    QTest::newRow("fail") << QByteArray(R"({"fail":{}})") << u"Fail the connection"_s;
    QTest::newRow("drop") << QByteArray(R"({"drop":{}})") << u"Drop TCP"_s;
    QTest::newRow("half-close") << QByteArray(R"({"halfClose":{}})") << u"Half-close (TCP FIN)"_s;
    QTest::newRow("close after") << QByteArray(R"({"closeAfter":{"seconds":2}})")
                                 << u"Timer: close after 2 s"_s;
    QTest::newRow("fail after") << QByteArray(R"({"failAfter":{"seconds":0.5}})")
                                << u"Timer: fail after 0.5 s"_s;
}

void TestComposer::describe()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, description);
    QCOMPARE(StepDescription::describe(stepFrom(json)), description);
}

void TestComposer::sequenceRunOrder()
{
    ComposerFixture f;
    SequenceWidget sequence;
    sequence.resize(640, 420);
    sequence.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sequence));
    connectComposerToSequence(&f.composer, &sequence);
    QSignalSpy run(&sequence, &SequenceWidget::runRequested);

    // Three steps: a frame from the composer, a delay, a ping through the quick actions.
    QTest::keyClicks(f.get<QPlainTextEdit>("payloadTextEdit"), u"one"_s);
    click(f.get<QPushButton>("addToSequenceButton"));
    retype(child<QDoubleSpinBox>(&sequence, "secondsSpin"), u"1.5"_s);
    click(child<QPushButton>(&sequence, "addDelayButton"));
    setChecked(f.get<QCheckBox>("quickToSequenceCheck"), true);
    click(f.get<QPushButton>("pingButton"));
    QCOMPARE(sequence.model()->count(), 3);
    QCOMPARE(descriptions(*sequence.model()),
             (QStringList{u"Frame: Text, FIN=1, 3 octets \u2014 \u201Cone\u201D"_s,
                          u"Delay 1.5 s"_s, u"Ping, 3 octets \u2014 \u201Cone\u201D"_s}));
    QVERIFY(child<QLabel>(&sequence, "countLabel")->text().contains(u"3 steps"_s));

    // Move the ping up, above the delay.
    auto *view = child<QListView>(&sequence, "stepsView");
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->visualRect(sequence.model()->index(2, 0)).center());
    QCOMPARE(sequence.currentRow(), 2);
    QVERIFY(!child<QPushButton>(&sequence, "moveDownButton")->isEnabled());
    click(child<QPushButton>(&sequence, "moveUpButton"));
    QCOMPARE(sequence.currentRow(), 1);

    // Remove the frame.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->visualRect(sequence.model()->index(0, 0)).center());
    QVERIFY(!child<QPushButton>(&sequence, "moveUpButton")->isEnabled());
    click(child<QPushButton>(&sequence, "removeButton"));
    QCOMPARE(sequence.model()->count(), 2);

    click(child<QPushButton>(&sequence, "runButton"));
    QCOMPARE(run.size(), 1);
    const StepList steps = run.at(0).at(0).value<StepList>();
    QCOMPARE(steps.size(), 2);
    QCOMPARE(steps.at(0).kind, Step::Kind::Ping);
    QCOMPARE(steps.at(0).payload, QByteArray("one"));
    QCOMPARE(steps.at(1).kind, Step::Kind::Delay);
    QCOMPARE(steps.at(1).seconds, 1.5);

    // Run can be disabled by the caller, with the reason as tooltip.
    sequence.setRunEnabled(false, u"Not connected"_s);
    QVERIFY(!child<QPushButton>(&sequence, "runButton")->isEnabled());
    QCOMPARE(child<QPushButton>(&sequence, "runButton")->toolTip(), u"Not connected"_s);
    sequence.run();
    QCOMPARE(run.size(), 1);
}

void TestComposer::sequenceSaveAndLoad()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"seq.json"_s);
    const StepList steps = {
        stepFrom(R"({"frame":{"opcode":1,"fin":false,"rsv":6,"mask":"11223344","text":"frag",)"
                 R"("chop":1,"chopDelayMs":3,"sync":true}})"),
        stepFrom(R"({"frame":{"opcode":9,"mask":"bit","hex":"ff00","repeat":130,"length":64,)"
                 R"("declaredLength":200}})"),
        stepFrom(R"({"message":{"type":"binary","hex":"00ff","fragmentSize":1,"chop":2}})"),
        stepFrom(R"({"ping":{"text":"pongme"}})"),
        stepFrom(R"({"delay":{"seconds":1.25,"tag":"A"}})"),
        stepFrom(R"({"close":{"code":1005,"reason":"bye"}})"),
        stepFrom(R"({"closeAfter":{"seconds":2}})"),
        stepFrom(R"({"halfClose":{}})"),
    };
    SequenceWidget a;
    a.setSteps(steps);
    QVERIFY(a.saveTo(path));
    QVERIFY2(a.message().contains(u"Saved 8 steps"_s), qPrintable(a.message()));
    QCOMPARE(a.messageKind(), SequenceWidget::MessageKind::Info);

    SequenceWidget b;
    b.show();
    QSignalSpy loaded(&b, &SequenceWidget::scenarioLoaded);
    QVERIFY(b.loadFrom(path));
    QCOMPARE(loaded.size(), 1);
    QCOMPARE(toJson(b.steps()), toJson(steps));
    QCOMPARE(b.steps().at(4).seconds, 1.25);
    QCOMPARE(b.steps().at(4).tag, u"A"_s);
    QVERIFY(b.message().contains(u"Loaded 8 steps"_s));
    QCOMPARE(b.scenario().name, u"seq"_s);
}

void TestComposer::sequenceLoadFailureKeepsSteps_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("message");
    QTest::newRow("not JSON") << QByteArray(R"({"format": "wsinspector-scenario", "version": 1,)"
                                            "\n"
                                            R"( "steps": [)")
                              << u"not valid JSON"_s;
    QTest::newRow("unknown step")
        << QByteArray(R"({"format":"wsinspector-scenario","version":1,"steps":[{"ping":{}},)"
                      R"({"pingg":{}}]})")
        << u"steps[1]: unknown step 'pingg'"_s;
    QTest::newRow("not a scenario") << QByteArray("[1, 2]") << u"not a scenario"_s;
}

void TestComposer::sequenceLoadFailureKeepsSteps()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"broken.json"_s);
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(contents);
    }
    SequenceWidget sequence;
    sequence.show();
    const StepList before = {stepFrom(R"({"ping":{"text":"keep"}})"), stepFrom(R"({"drop":{}})")};
    sequence.setSteps(before);
    QSignalSpy loaded(&sequence, &SequenceWidget::scenarioLoaded);
    QVERIFY(!sequence.loadFrom(path));
    QCOMPARE(loaded.size(), 0);
    QCOMPARE(toJson(sequence.steps()), toJson(before));
    QCOMPARE(sequence.messageKind(), SequenceWidget::MessageKind::Error);
    QVERIFY2(sequence.message().contains(message), qPrintable(sequence.message()));
    QVERIFY(sequence.message().contains(u"unchanged"_s));
    QVERIFY(child<QFrame>(&sequence, "messageFrame")->isVisible());
    QVERIFY(child<QLabel>(&sequence, "messageLabel")->isVisible());

    click(child<QToolButton>(&sequence, "messageCloseButton"));
    QVERIFY(sequence.message().isEmpty());
}

void TestComposer::sequenceClearAndUndo()
{
    SequenceWidget sequence;
    sequence.show();
    const StepList steps = {stepFrom(R"({"ping":{}})"), stepFrom(R"({"fail":{}})"),
                            stepFrom(R"({"failAfter":{"seconds":3}})")};
    sequence.setSteps(steps);
    auto *undo = child<QPushButton>(&sequence, "undoButton");
    click(child<QPushButton>(&sequence, "clearButton"));
    QCOMPARE(sequence.model()->count(), 0);
    QVERIFY(undo->isVisible());
    QVERIFY(!child<QPushButton>(&sequence, "runButton")->isEnabled());
    click(undo);
    QCOMPARE(toJson(sequence.steps()), toJson(steps));
    QVERIFY(!undo->isVisible());

    // A later change drops the offer, so Undo never throws away newer work.
    click(child<QPushButton>(&sequence, "clearButton"));
    sequence.appendStep(stepFrom(R"({"drop":{}})"));
    QVERIFY(!undo->isVisible());
    QCOMPARE(sequence.model()->count(), 1);

    // Loading over steps offers undo too.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"s.json"_s);
    SequenceWidget other;
    other.setSteps(steps);
    QVERIFY(other.saveTo(path));
    QVERIFY(sequence.loadFrom(path));
    QVERIFY(undo->isVisible());
    click(undo);
    QCOMPARE(sequence.model()->count(), 1);
    QCOMPARE(sequence.steps().at(0).kind, Step::Kind::Drop);
}

void TestComposer::sequenceTimersAndDelays()
{
    SequenceWidget sequence;
    sequence.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sequence));
    retype(child<QDoubleSpinBox>(&sequence, "secondsSpin"), u"2"_s);
    auto *kind = child<QComboBox>(&sequence, "timerKindCombo");
    selectData(kind, int(Step::Kind::CloseAfter));
    click(child<QPushButton>(&sequence, "addTimerButton"));
    selectData(kind, int(Step::Kind::FailAfter));
    click(child<QPushButton>(&sequence, "addTimerButton"));
    click(child<QPushButton>(&sequence, "addDelayButton"));
    QCOMPARE(
        descriptions(*sequence.model()),
        (QStringList{u"Timer: close after 2 s"_s, u"Timer: fail after 2 s"_s, u"Delay 2 s"_s}));

    // Seconds are edited in place, through the model's EditRole.
    StepListModel *model = sequence.model();
    QVERIFY(model->flags(model->index(2, 0)) & Qt::ItemIsEditable);
    QVERIFY(model->setData(model->index(2, 0), 0.25, Qt::EditRole));
    QCOMPARE(model->step(2).seconds, 0.25);
    QVERIFY(!model->setData(model->index(2, 0), -1.0, Qt::EditRole));
    QCOMPARE(model->index(2, 0).data(Qt::DisplayRole).toString(), u"Delay 0.25 s"_s);

    // Editing in the view: double-click opens a spin box, no composer edit is requested.
    QSignalSpy edit(&sequence, &SequenceWidget::editRequested);
    auto *view = child<QListView>(&sequence, "stepsView");
    doubleClickRow(view, 0);
    QCOMPARE(edit.size(), 0);
    auto *spin = view->viewport()->findChild<QDoubleSpinBox *>();
    QVERIFY(spin);
    spin->setValue(4.5);
    QTest::keyClick(spin, Qt::Key_Return);
    QTRY_COMPARE(model->step(0).seconds, 4.5);
}

void TestComposer::editStepInComposer()
{
    ComposerFixture f;
    SequenceWidget sequence;
    sequence.resize(640, 420);
    sequence.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sequence));
    connectComposerToSequence(&f.composer, &sequence);
    sequence.setSteps({stepFrom(R"({"frame":{"opcode":2,"hex":"0102"}})"),
                       stepFrom(R"({"ping":{"text":"old"}})"),
                       stepFrom(R"({"close":{"code":3000,"reason":"r"}})")});
    auto *view = child<QListView>(&sequence, "stepsView");
    auto *update = f.get<QPushButton>("updateStepButton");
    QVERIFY(!update->isVisible());

    // Double-click the ping: the composer takes its payload.
    QSignalSpy edit(&sequence, &SequenceWidget::editRequested);
    doubleClickRow(view, 1);
    QCOMPARE(edit.size(), 1);
    QCOMPARE(f.composer.editingRow(), 1);
    QVERIFY(update->isVisible());
    QVERIFY(f.get<QLabel>("editingLabel")->text().contains(u"step 2"_s));
    QCOMPARE(f.get<QPlainTextEdit>("payloadTextEdit")->toPlainText(), u"old"_s);
    f.get<QPlainTextEdit>("payloadTextEdit")->selectAll();
    QTest::keyClicks(f.get<QPlainTextEdit>("payloadTextEdit"), u"new"_s);
    click(update);
    QCOMPARE(f.composer.editingRow(), -1);
    QVERIFY(!update->isVisible());
    QCOMPARE(sequence.steps().at(1).kind, Step::Kind::Ping);
    QCOMPARE(sequence.steps().at(1).payload, QByteArray("new"));

    // Edit the frame; while editing, the sequence moves it: the composer follows the row.
    doubleClickRow(view, 0);
    QCOMPARE(f.composer.editingRow(), 0);
    QCOMPARE(f.composer.frameSpec().opcode, 2);
    QVERIFY(sequence.model()->moveStep(0, 2));
    QCOMPARE(f.composer.editingRow(), 2);
    selectData(f.get<QComboBox>("opcodeCombo"), 0xA);
    click(update);
    QCOMPARE(sequence.steps().at(2).kind, Step::Kind::Frame);
    QCOMPARE(sequence.steps().at(2).frame.opcode, 0xA);
    QCOMPARE(sequence.steps().at(2).frame.payload, QByteArray("\x01\x02", 2));

    // The close step: code and reason.
    const int closeRow = sequence.steps().at(1).kind == Step::Kind::Close ? 1 : 0;
    doubleClickRow(view, closeRow);
    QCOMPARE(f.composer.closeCode(), std::optional<int>(3000));
    selectData(f.get<QComboBox>("closeCodeCombo"), 1002);
    click(update);
    QCOMPARE(sequence.steps().at(closeRow).closeCode, std::optional<int>(1002));
    QCOMPARE(sequence.steps().at(closeRow).closeReason, QByteArray("r"));

    // Removing the edited step ends editing; a cancelled edit is not revived by later moves.
    doubleClickRow(view, closeRow);
    QVERIFY(f.composer.editingRow() >= 0);
    QVERIFY(sequence.model()->removeStep(closeRow));
    QCOMPARE(f.composer.editingRow(), -1);
    doubleClickRow(view, 0);
    click(f.get<QPushButton>("cancelEditButton"));
    QCOMPARE(f.composer.editingRow(), -1);
    QVERIFY(sequence.model()->moveStep(0, 1));
    QCOMPARE(f.composer.editingRow(), -1);
}

// The streaming steps of cases 6.4.x (a frame header, then its data in pieces) are edited in the
// composer too: the header as a frame, the data as a payload. A timeout event has nothing to edit.
void TestComposer::editStreamingSteps()
{
    ComposerFixture f;
    SequenceWidget sequence;
    sequence.resize(640, 420);
    sequence.show();
    QVERIFY(QTest::qWaitForWindowExposed(&sequence));
    connectComposerToSequence(&f.composer, &sequence);
    sequence.setSteps(
        {stepFrom(
             R"({"frameHeader":{"opcode":1,"mask":"01020304","length":16,"declaredLength":9}})"),
         stepFrom(R"({"frameData":{"text":"abc"}})"), stepFrom(R"({"timeoutEvent":"A"})")});
    QCOMPARE(sequence.steps().size(), 3);
    QCOMPARE(sequence.steps().at(0).kind, Step::Kind::FrameHeader);
    auto *view = child<QListView>(&sequence, "stepsView");
    auto *update = f.get<QPushButton>("updateStepButton");
    QSignalSpy edit(&sequence, &SequenceWidget::editRequested);

    doubleClickRow(view, 0);
    QCOMPARE(edit.size(), 1);
    QCOMPARE(f.composer.editingRow(), 0);
    QVERIFY(f.get<QLabel>("editingLabel")->text().contains(u"frame header"_s));
    QCOMPARE(f.composer.frameSpec().opcode, 1);
    QCOMPARE(f.composer.frameSpec().declaredLength, std::optional<quint64>(9));
    QCOMPARE(f.composer.frameSpec().maskKey, quint32(0x01020304));
    QCOMPARE(f.composer.frameSpec().lengthEncoding, LengthEncoding::Bits16);
    selectData(f.get<QComboBox>("opcodeCombo"), 2);
    QVERIFY(update->isEnabled());
    click(update);
    QCOMPARE(sequence.steps().at(0).kind, Step::Kind::FrameHeader); // still only a header
    QCOMPARE(sequence.steps().at(0).frame.opcode, 2);
    QCOMPARE(sequence.steps().at(0).frame.declaredLength, std::optional<quint64>(9));
    QCOMPARE(sequence.steps().at(0).frame.maskKey, quint32(0x01020304));
    QCOMPARE(sequence.steps().at(0).frame.maskMode, MaskMode::Fixed);

    doubleClickRow(view, 1);
    QCOMPARE(edit.size(), 2);
    QCOMPARE(f.composer.editingRow(), 1);
    QVERIFY(f.get<QLabel>("editingLabel")->text().contains(u"frame data"_s));
    QCOMPARE(f.get<QPlainTextEdit>("payloadTextEdit")->toPlainText(), u"abc"_s);
    f.get<QPlainTextEdit>("payloadTextEdit")->selectAll();
    QTest::keyClicks(f.get<QPlainTextEdit>("payloadTextEdit"), u"abcdefghi"_s);
    click(update);
    QCOMPARE(f.composer.editingRow(), -1);
    QCOMPARE(sequence.steps().at(1).kind, Step::Kind::FrameData);
    QCOMPARE(sequence.steps().at(1).payload, QByteArray("abcdefghi"));

    doubleClickRow(view, 2);
    QCOMPARE(edit.size(), 2); // nothing to edit: no edit request, a message instead
    QCOMPARE(f.composer.editingRow(), -1);
    QCOMPARE(sequence.steps().at(2).tag, u"A"_s);
}

void TestComposer::editingRowStartsAFrameEdit()
{
    // A caller may load a frame itself and then name the row being edited.
    ComposerFixture f;
    QSignalSpy update(&f.composer, &ComposerWidget::updateStepRequested);
    QSignalSpy finished(&f.composer, &ComposerWidget::editingFinished);
    f.composer.setFrameSpec(stepFrom(R"({"frame":{"opcode":2,"hex":"00"}})").frame);
    f.composer.setEditingRow(4);
    QCOMPARE(f.composer.editingRow(), 4);
    QVERIFY(f.get<QPushButton>("updateStepButton")->isVisible());
    f.composer.setEditingRow(5); // the step moved
    setChecked(f.get<QCheckBox>("rsv3Check"), true);
    click(f.get<QPushButton>("updateStepButton"));
    QCOMPARE(update.size(), 1);
    QCOMPARE(update.at(0).at(1).toInt(), 5);
    const Step step = update.at(0).at(0).value<Step>();
    QCOMPARE(step.kind, Step::Kind::Frame);
    QCOMPARE(step.frame.opcode, 2);
    QCOMPARE(step.frame.rsv, 1);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(f.composer.editingRow(), -1);
}

void TestComposer::stepListModelUnderTester()
{
    StepListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QList<QByteArray> jsons = {
        R"({"frame":{"opcode":1,"text":"a"}})",
        R"({"ping":{"text":"b"}})",
        R"({"delay":{"seconds":1}})",
        R"({"close":{"code":1000}})",
        R"({"drop":{}})",
    };
    for (const QByteArray &json : jsons)
        model.appendStep(stepFrom(json));
    QCOMPARE(model.rowCount(), 5);
    model.insertStep(0, stepFrom(R"({"fail":{}})"));
    QVERIFY(model.moveStep(0, 5)); // fail to the end
    QVERIFY(model.moveStep(5, 0)); // and back
    QVERIFY(!model.moveStep(0, 0));
    QVERIFY(!model.moveStep(0, 6));
    QVERIFY(model.moveRows(QModelIndex(), 1, 2, QModelIndex(), 5));  // a, b after delay, close
    QVERIFY(!model.moveRows(QModelIndex(), 1, 2, QModelIndex(), 2)); // onto itself
    QVERIFY(!model.moveRows(QModelIndex(), 5, 2, QModelIndex(), 0)); // past the end
    QCOMPARE(descriptions(model),
             (QStringList{u"Fail the connection"_s, u"Delay 1 s"_s, u"Close 1000 Normal Closure"_s,
                          u"Frame: Text, FIN=1, 1 octet \u2014 \u201Ca\u201D"_s,
                          u"Ping, 1 octet \u2014 \u201Cb\u201D"_s, u"Drop TCP"_s}));
    QVERIFY(model.duplicateStep(1));
    QVERIFY(model.setData(model.index(2, 0), 3.0, Qt::EditRole));
    QVERIFY(!model.setData(model.index(0, 0), 3.0, Qt::EditRole));
    QVERIFY(model.removeRows(0, 2));
    QVERIFY(!model.removeRows(5, 2));
    QVERIFY(model.replaceStep(0, stepFrom(R"({"halfClose":{}})")));
    QVERIFY(!model.replaceStep(9, stepFrom(R"({"halfClose":{}})")));
    QCOMPARE(descriptions(model),
             (QStringList{u"Half-close (TCP FIN)"_s, u"Close 1000 Normal Closure"_s,
                          u"Frame: Text, FIN=1, 1 octet \u2014 \u201Ca\u201D"_s,
                          u"Ping, 1 octet \u2014 \u201Cb\u201D"_s, u"Drop TCP"_s}));
    QCOMPARE(model.index(1, 0).data(Qt::DisplayRole).toString(), u"Close 1000 Normal Closure"_s);
    QCOMPARE(model.index(4, 0).data(StepListModel::KindRole).toInt(), int(Step::Kind::Drop));
    QCOMPARE(model.index(3, 0).data(StepListModel::StepRole).value<Step>().payload,
             QByteArray("b"));
    QVERIFY(model.index(3, 0).data(Qt::ToolTipRole).toString().contains(u"\"ping\""_s));
    QVERIFY(!(model.flags(model.index(0, 0)) & Qt::ItemIsDropEnabled));
    QVERIFY(model.flags(QModelIndex()) & Qt::ItemIsDropEnabled);
    model.setSteps({stepFrom(R"({"drop":{}})")});
    QCOMPARE(model.rowCount(), 1);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.removeStep(0));
}

void TestComposer::stepListModelDragAndDrop()
{
    StepListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSteps({stepFrom(R"({"ping":{"text":"1"}})"), stepFrom(R"({"ping":{"text":"2"}})"),
                    stepFrom(R"({"ping":{"text":"3"}})")});
    // What a drag of row 2 carries, dropped at the top (the view then removes the source row).
    std::unique_ptr<QMimeData> mime(model.mimeData({model.index(2, 0)}));
    QVERIFY(mime);
    QVERIFY(mime->hasFormat(QString::fromLatin1(StepListModel::MimeType)));
    QVERIFY(model.canDropMimeData(mime.get(), Qt::MoveAction, 0, 0, QModelIndex()));
    QVERIFY(!model.canDropMimeData(mime.get(), Qt::MoveAction, -1, -1, model.index(0, 0)));
    QVERIFY(model.dropMimeData(mime.get(), Qt::MoveAction, 0, 0, QModelIndex()));
    QVERIFY(model.removeRows(3, 1));
    QStringList payloads;
    for (const Step &step : model.steps())
        payloads << QString::fromUtf8(step.payload);
    QCOMPARE(payloads, (QStringList{u"3"_s, u"1"_s, u"2"_s}));

    QMimeData junk;
    junk.setData(QString::fromLatin1(StepListModel::MimeType), "[{\"pingg\":{}}]");
    QVERIFY(!model.dropMimeData(&junk, Qt::CopyAction, 0, 0, QModelIndex()));
    QCOMPARE(model.rowCount(), 3);
}

void TestComposer::renderPngs()
{
    // A deliberately broken frame, so that every part of the preview has something to show.
    ComposerWidget wide;
    wide.setSendEnabled(true);
    wide.setFrameSpec(stepFrom(R"({"frame":{"opcode":1,"fin":false,"rsv":6,"mask":"11223344",)"
                               R"("text":"fragment1","length":16,"chop":1,"sync":true}})")
                          .frame);
    wide.resize(980, 1040);
    wide.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wide));
    QVERIFY(wide.grab().save(u"/tmp/composer/composer-wide.png"_s));
    QVERIFY(wide.editStep(stepFrom(R"({"ping":{"text":"pongme 1!","chop":1}})"), 2));
    QVERIFY(wide.grab().save(u"/tmp/composer/composer-editing.png"_s));

    ComposerWidget narrow;
    narrow.setFrameSpec(stepFrom(R"({"frame":{"opcode":9,"mask":"none","hex":"ce ba e1",)"
                                 R"("repeat":200}})")
                            .frame);
    narrow.resize(560, 1500);
    narrow.show();
    QVERIFY(QTest::qWaitForWindowExposed(&narrow));
    QVERIFY(narrow.grab().save(u"/tmp/composer/composer-narrow.png"_s));

    ComposerWidget broken;
    broken.setSendEnabled(true);
    broken.resize(980, 1040);
    broken.show();
    child<QComboBox>(&broken, "payloadModeCombo")->setCurrentIndex(1);
    QTest::keyClicks(child<QPlainTextEdit>(&broken, "payloadHexEdit"), u"01 02 0"_s);
    child<QComboBox>(&broken, "maskCombo")->setCurrentIndex(1);
    retype(child<QLineEdit>(&broken, "maskKeyEdit"), u"12zz"_s);
    child<QCheckBox>(&broken, "declaredLengthCheck")->setChecked(true);
    QTest::keyClicks(child<QLineEdit>(&broken, "declaredLengthEdit"), u"abc"_s);
    selectData(child<QComboBox>(&broken, "closeCodeCombo"), 1005);
    QVERIFY(QTest::qWaitForWindowExposed(&broken));
    QVERIFY(broken.grab().save(u"/tmp/composer/composer-errors.png"_s));

    SequenceWidget sequence;
    sequence.setSteps({
        stepFrom(R"({"frame":{"opcode":1,"fin":false,"rsv":6,"text":"fragment1","chop":1,)"
                 R"("sync":true}})"),
        stepFrom(R"({"ping":{"text":"pongme 1!"}})"),
        stepFrom(R"({"delay":{"seconds":1,"tag":"A"}})"),
        stepFrom(R"({"frame":{"opcode":0,"hex":"667261676d656e7432"}})"),
        stepFrom(R"({"close":{"code":1005,"reason":"bye"}})"),
        stepFrom(R"({"failAfter":{"seconds":2}})"),
    });
    sequence.showMessage(SequenceWidget::MessageKind::Error,
                         u"Could not load the sequence: /tmp/x.json: steps[1]: unknown step "
                         "'pingg' (known: frame, message, ping, pong, delay, close, fail, drop, "
                         "halfClose, closeAfter, failAfter)\nThe current sequence is unchanged."_s);
    sequence.resize(700, 440);
    sequence.show();
    sequence.setCurrentRow(1);
    QVERIFY(QTest::qWaitForWindowExposed(&sequence));
    QVERIFY(sequence.grab().save(u"/tmp/composer/sequence.png"_s));
}

QTEST_MAIN(TestComposer)
#include "tst_composer.moc"
