// SPDX-License-Identifier: MIT
#include "composerwidget.h"
#include "monospacefont.h"

#include "ui_composer.h"

#include "format.h"
#include "frametablemodel.h"
#include "protocol/framerules.h"
#include "protocol/hex.h"
#include "protocol/utf8validator.h"
#include "stepdescription.h"
#include "theme.h"
#include "wheelguard.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QKeySequence>
#include <QLineEdit>
#include <QLocale>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QShortcut>
#include <QStyle>
#include <QStyleOptionComboBox>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

constexpr int NarrowWidth = 760;            // below it, header and payload groups stack vertically
constexpr qsizetype PreviewOctets = 64;     // frame octets shown in the preview
constexpr qsizetype MaxSavedText = 1 << 20; // payload text kept in the saved state
constexpr char BaseToolTip[] = "wsiBaseToolTip";

// The close codes offered in the quick-action combo box: valid and invalid on purpose.
constexpr int OfferedCloseCodes[] = {1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009,
                                     1010, 1011, 1012, 1013, 1014, 1015, 3000, 4000, 4999,
                                     0,    999,  1004, 1016, 2999, 5000, 65535};

// Hex digits with white space anywhere; every octet needs two (the core's one hex reader, with
// the messages translated here).
bool parseHex(const QString &text, QByteArray *out, QString *error)
{
    const HexError e = wsi::parseHex(text, *out);
    switch (e.kind) {
    case HexError::Kind::None:
        return true;
    case HexError::Kind::BadCharacter:
        *error = ComposerWidget::tr("“%1” at position %2 is not a hex digit.")
                     .arg(QString::fromUcs4(&e.character, 1))
                     .arg(e.position);
        break;
    case HexError::Kind::OddDigitCount:
        *error = ComposerWidget::tr("Odd number of hex digits (%1): every octet needs two.")
                     .arg(e.digits);
        break;
    }
    return false;
}

// True when the octets survive a round trip through a plain-text editor unchanged.
bool isEditableText(const QByteArray &data)
{
    if (Utf8Validator::firstInvalidOffset(data.constData(), data.size()) >= 0)
        return false;
    const QString text = QString::fromUtf8(data);
    for (const QChar c : text) {
        if ((c.category() == QChar::Other_Control && c != u'\n' && c != u'\t') ||
            c == QChar::LineSeparator || c == QChar::ParagraphSeparator ||
            c == QChar::ByteOrderMark)
            return false;
    }
    return true;
}

QString hexKey(quint32 key)
{
    return u"%1"_s.arg(key, 8, 16, QLatin1Char('0'));
}

QString bits(uint value, int count)
{
    return u"%1"_s.arg(value, count, 2, QLatin1Char('0'));
}

QString colored(const QString &text, const QString &color, bool bold = false)
{
    const QString body = bold ? u"<b>"_s + text + u"</b>"_s : text;
    return u"<span style=\"color:"_s + color + u"\">"_s + body + u"</span>"_s;
}

// The on-wire payload of a repeated pattern, at most `limit` octets of it.
// A combo box is never narrower than its current value: "Random key", not "Random ke". (Its
// minimum contents length alone is a number of characters, whatever the value.) An editable one
// shows the start of its text, where the close code's number is.
void keepValueWhole(QComboBox *combo)
{
    const auto fitWidth = [combo] {
        QStyleOptionComboBox option;
        option.initFrom(combo);
        option.editable = combo->isEditable();
        option.frame = combo->hasFrame();
        const QFontMetrics metrics = combo->fontMetrics();
        // A few pixels for the line edit's own margins and the text cursor.
        const QSize contents(metrics.horizontalAdvance(combo->currentText()) +
                                 (combo->isEditable() ? 8 : 2),
                             metrics.height());
        combo->setMinimumWidth(combo->style()
                                   ->sizeFromContents(QStyle::CT_ComboBox, &option, contents, combo)
                                   .width());
    };
    QObject::connect(combo, &QComboBox::currentIndexChanged, combo, [combo, fitWidth] {
        fitWidth();
        // A chosen item is shown from its start (typing keeps the cursor where it is).
        if (QLineEdit *edit = combo->lineEdit())
            edit->setCursorPosition(0);
    });
    if (combo->isEditable())
        QObject::connect(combo, &QComboBox::editTextChanged, combo, fitWidth);
    fitWidth();
    if (QLineEdit *edit = combo->lineEdit())
        edit->setCursorPosition(0);
}

} // namespace

ComposerWidget::ComposerWidget(QWidget *parent)
    : QWidget(parent), m_ui(std::make_unique<Ui::ComposerWidget>()),
      m_exampleKey(QRandomGenerator::global()->generate())
{
    m_ui->setupUi(this);
    m_ui->scrollArea->viewport()->installEventFilter(this);

    const QFont fixed = monospaceFont();
    for (QWidget *widget :
         {static_cast<QWidget *>(m_ui->payloadHexEdit), static_cast<QWidget *>(m_ui->maskKeyEdit),
          static_cast<QWidget *>(m_ui->previewBitsLabel),
          static_cast<QWidget *>(m_ui->previewFrameLabel)})
        widget->setFont(fixed);
    // Wide enough for "11 22 33 44" but no wider: the key is short. It has a row of its own, so
    // the mask mode above it shows its whole value in a narrow pane too.
    m_ui->maskKeyEdit->setFixedWidth(
        m_ui->maskKeyEdit->fontMetrics().horizontalAdvance(u"00 00 00 00"_s) + 16);
    m_ui->maskKeyEdit->setText(hexKey(m_exampleKey));
    m_ui->previewFrameLabel->setToolTip(
        tr("Bold: header; coloured: masking key; the rest: the payload as it goes on the wire"));

    setupCombos();
    for (QComboBox *combo : {m_ui->opcodeCombo, m_ui->maskCombo, m_ui->lengthCombo,
                             m_ui->payloadModeCombo, m_ui->closeCodeCombo})
        keepValueWhole(combo);
    // The wheel scrolls the composer; it changes a value only in the box that has the focus.
    guardWheel(this);
    for (QAbstractButton *button : {static_cast<QAbstractButton *>(m_ui->sendButton),
                                    static_cast<QAbstractButton *>(m_ui->addToSequenceButton),
                                    static_cast<QAbstractButton *>(m_ui->textMessageButton),
                                    static_cast<QAbstractButton *>(m_ui->binaryMessageButton),
                                    static_cast<QAbstractButton *>(m_ui->pingButton),
                                    static_cast<QAbstractButton *>(m_ui->pongButton),
                                    static_cast<QAbstractButton *>(m_ui->closeButton),
                                    static_cast<QAbstractButton *>(m_ui->failButton),
                                    static_cast<QAbstractButton *>(m_ui->dropButton),
                                    static_cast<QAbstractButton *>(m_ui->halfCloseButton)})
        button->setProperty(BaseToolTip, button->toolTip());
    setupConnections();

    for (const QKeySequence &keys :
         {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        auto *shortcut = new QShortcut(keys, this);
        shortcut->setContext(Qt::WidgetWithChildrenShortcut);
        m_sendShortcuts << shortcut;
        connect(shortcut, &QShortcut::activated, this, &ComposerWidget::send);
    }

    m_ui->payloadStack->setCurrentIndex(int(PayloadMode::Text));
    updateEditingUi();
    payloadChanged();
}

ComposerWidget::~ComposerWidget() = default;

void ComposerWidget::setupCombos()
{
    const Colors c = colors();
    for (int opcode = 0; opcode <= 15; ++opcode) {
        m_ui->opcodeCombo->addItem(StepDescription::opcodeLabel(opcode), opcode);
        if (isReservedOpcode(opcode)) {
            const int i = m_ui->opcodeCombo->count() - 1;
            m_ui->opcodeCombo->setItemData(i, QColor(c.warning), Qt::ForegroundRole);
            m_ui->opcodeCombo->setItemData(
                i,
                tr("Reserved opcode: no meaning is defined, a conforming server fails the "
                   "connection (RFC 6455 §5.2)"),
                Qt::ToolTipRole);
        }
    }
    m_ui->opcodeCombo->setCurrentIndex(m_ui->opcodeCombo->findData(int(Opcode::Text)));

    m_ui->maskCombo->addItem(tr("Random key"), int(MaskMode::Random));
    m_ui->maskCombo->addItem(tr("Fixed key"), int(MaskMode::Fixed));
    m_ui->maskCombo->addItem(tr("None (mask bit clear)"), int(MaskMode::None));
    m_ui->maskCombo->addItem(tr("Mask bit without key"), int(MaskMode::BitOnly));
    m_ui->maskCombo->setItemData(2, QColor(c.warning), Qt::ForegroundRole);
    m_ui->maskCombo->setItemData(3, QColor(c.warning), Qt::ForegroundRole);
    m_ui->maskCombo->setItemData(
        3, tr("The mask bit is set, but no key is written and the payload is sent as it is"),
        Qt::ToolTipRole);

    m_ui->lengthCombo->addItem(tr("Auto (minimal)"), int(LengthEncoding::Auto));
    m_ui->lengthCombo->addItem(tr("7-bit field"), int(LengthEncoding::Bits7));
    m_ui->lengthCombo->addItem(tr("16-bit (126 + 2 octets)"), int(LengthEncoding::Bits16));
    m_ui->lengthCombo->addItem(tr("64-bit (127 + 8 octets)"), int(LengthEncoding::Bits64));

    m_ui->payloadModeCombo->addItem(tr("Text (UTF-8)"), int(PayloadMode::Text));
    m_ui->payloadModeCombo->addItem(tr("Hex"), int(PayloadMode::Hex));
    m_ui->payloadModeCombo->addItem(tr("File"), int(PayloadMode::File));
    m_ui->payloadModeCombo->addItem(tr("Repeat a pattern to N octets"), int(PayloadMode::Repeat));

    m_ui->closeCodeCombo->addItem(tr("No code (empty close payload)"), -1);
    for (int code : OfferedCloseCodes) {
        // The value shown is the number and its name ("1005 No Status Received"); that a code
        // is invalid on the wire is its colour, its tooltip and the line below the box.
        const QString label = QString::number(code) + u' ' + StepDescription::closeCodeName(code);
        m_ui->closeCodeCombo->addItem(label, code);
        if (!isValidReceivedCloseCode(code)) {
            const int i = m_ui->closeCodeCombo->count() - 1;
            m_ui->closeCodeCombo->setItemData(i, QColor(c.warning), Qt::ForegroundRole);
            m_ui->closeCodeCombo->setItemData(
                i,
                tr("%1 is invalid on the wire (RFC 6455 §7.4): a conforming server fails "
                   "the connection.")
                    .arg(label),
                Qt::ToolTipRole);
        }
    }
    m_ui->closeCodeCombo->setCurrentIndex(m_ui->closeCodeCombo->findData(1000));

    // The modes by the core's names (the ones the scenarios, the reports and the CLI use), each
    // explained by the rule it breaks or keeps.
    m_ui->compressionCombo->addItem(tr("Default (when agreed)"), -1);
    m_ui->compressionCombo->setItemData(
        0,
        tr("A message is compressed when the server agreed to permessage-deflate; a frame's "
           "payload goes as given"),
        Qt::ToolTipRole);
    for (const DeflateSend mode : deflateSendModes()) {
        m_ui->compressionCombo->addItem(deflateSendName(mode), int(mode));
        const int i = m_ui->compressionCombo->count() - 1;
        m_ui->compressionCombo->setItemData(i, deflateSendBreaks(mode), Qt::ToolTipRole);
        if (mode != DeflateSend::Agreed && mode != DeflateSend::Uncompressed)
            m_ui->compressionCombo->setItemData(i, QColor(c.warning), Qt::ForegroundRole);
    }
}

void ComposerWidget::setupConnections()
{
    const auto onFrameField = [this] { refresh(); };
    connect(m_ui->opcodeCombo, &QComboBox::currentIndexChanged, this, onFrameField);
    connect(m_ui->maskCombo, &QComboBox::currentIndexChanged, this, onFrameField);
    connect(m_ui->lengthCombo, &QComboBox::currentIndexChanged, this, onFrameField);
    for (QCheckBox *box : {m_ui->finCheck, m_ui->rsv1Check, m_ui->rsv2Check, m_ui->rsv3Check,
                           m_ui->declaredLengthCheck, m_ui->syncCheck})
        connect(box, &QCheckBox::toggled, this, onFrameField);
    connect(m_ui->maskKeyEdit, &QLineEdit::textChanged, this, onFrameField);
    connect(m_ui->declaredLengthEdit, &QLineEdit::textChanged, this, onFrameField);
    connect(m_ui->chopSpin, &QSpinBox::valueChanged, this, onFrameField);
    connect(m_ui->chopDelaySpin, &QSpinBox::valueChanged, this, onFrameField);
    connect(m_ui->compressionCombo, &QComboBox::currentIndexChanged, this, onFrameField);

    // "1 octet", "2 octets": the suffix follows the value.
    for (QSpinBox *spin : {m_ui->chopSpin, m_ui->repeatLengthSpin, m_ui->fragmentSizeSpin}) {
        const auto updateSuffix = [spin](int value) {
            spin->setSuffix(format::resolvePlural(tr(" octet(s)", nullptr, value), value));
        };
        connect(spin, &QSpinBox::valueChanged, spin, updateSuffix);
        updateSuffix(spin->value());
    }

    const auto onPayloadField = [this] { payloadChanged(); };
    connect(m_ui->payloadModeCombo, &QComboBox::currentIndexChanged, m_ui->payloadStack,
            &QStackedWidget::setCurrentIndex);
    connect(m_ui->payloadModeCombo, &QComboBox::currentIndexChanged, this, onPayloadField);
    connect(m_ui->payloadTextEdit, &QPlainTextEdit::textChanged, this, onPayloadField);
    connect(m_ui->payloadHexEdit, &QPlainTextEdit::textChanged, this, onPayloadField);
    connect(m_ui->repeatPatternEdit, &QLineEdit::textChanged, this, onPayloadField);
    connect(m_ui->repeatHexCheck, &QCheckBox::toggled, this, onPayloadField);
    connect(m_ui->repeatLengthSpin, &QSpinBox::valueChanged, this, onPayloadField);
    connect(m_ui->chooseFileButton, &QPushButton::clicked, this, &ComposerWidget::chooseFile);

    const auto onCloseField = [this] {
        refreshCloseInfo();
        refreshButtons();
    };
    connect(m_ui->closeCodeCombo, &QComboBox::editTextChanged, this, onCloseField);
    connect(m_ui->closeCodeCombo, &QComboBox::currentIndexChanged, this, onCloseField);
    connect(m_ui->closeReasonEdit, &QLineEdit::textChanged, this, onCloseField);
    connect(m_ui->quickToSequenceCheck, &QCheckBox::toggled, this, [this] { refreshButtons(); });

    connect(m_ui->sendButton, &QPushButton::clicked, this, &ComposerWidget::send);
    connect(m_ui->addToSequenceButton, &QPushButton::clicked, this, &ComposerWidget::addToSequence);
    connect(m_ui->updateStepButton, &QPushButton::clicked, this, &ComposerWidget::updateStep);
    connect(m_ui->cancelEditButton, &QPushButton::clicked, this, [this] { setEditingRow(-1); });

    connect(m_ui->textMessageButton, &QPushButton::clicked, this,
            [this] { emitQuickStep(messageStep(false)); });
    connect(m_ui->binaryMessageButton, &QPushButton::clicked, this,
            [this] { emitQuickStep(messageStep(true)); });
    connect(m_ui->pingButton, &QPushButton::clicked, this,
            [this] { emitQuickStep(controlFrameStep(Step::Kind::Ping)); });
    connect(m_ui->pongButton, &QPushButton::clicked, this,
            [this] { emitQuickStep(controlFrameStep(Step::Kind::Pong)); });
    connect(m_ui->closeButton, &QPushButton::clicked, this, [this] { emitQuickStep(closeStep()); });
    connect(m_ui->failButton, &QPushButton::clicked, this,
            [this] { emitQuickStep(Step::makeKind(Step::Kind::Fail)); });
    connect(m_ui->dropButton, &QPushButton::clicked, this,
            [this] { emitQuickStep(Step::makeKind(Step::Kind::Drop)); });
    connect(m_ui->halfCloseButton, &QPushButton::clicked, this,
            [this] { emitQuickStep(Step::makeKind(Step::Kind::HalfClose)); });
}

// ---- the composed frame -------------------------------------------------------------------------

std::optional<quint32> ComposerWidget::parsedMaskKey() const
{
    return parseMaskKey(m_ui->maskKeyEdit->text());
}

std::optional<quint64> ComposerWidget::parsedDeclaredLength() const
{
    const QString text = m_ui->declaredLengthEdit->text().trimmed();
    if (text.isEmpty())
        return std::nullopt;
    bool ok = false;
    qulonglong value = 0;
    if (text.startsWith(u"0x"_s, Qt::CaseInsensitive))
        value = text.mid(2).toULongLong(&ok, 16);
    else
        value = text.toULongLong(&ok, 10);
    if (!ok)
        return std::nullopt;
    return quint64(value);
}

FrameSpec ComposerWidget::frameSpec() const
{
    FrameSpec spec;
    spec.opcode = m_ui->opcodeCombo->currentData().toInt();
    spec.fin = m_ui->finCheck->isChecked();
    spec.rsv = (m_ui->rsv1Check->isChecked() ? 4 : 0) | (m_ui->rsv2Check->isChecked() ? 2 : 0) |
               (m_ui->rsv3Check->isChecked() ? 1 : 0);
    spec.maskMode = MaskMode(m_ui->maskCombo->currentData().toInt());
    if (spec.maskMode == MaskMode::Fixed)
        spec.maskKey = parsedMaskKey().value_or(0);
    spec.payload = m_payload;
    spec.repeatLength = m_repeatLength;
    spec.lengthEncoding = LengthEncoding(m_ui->lengthCombo->currentData().toInt());
    if (m_ui->declaredLengthCheck->isChecked())
        spec.declaredLength = parsedDeclaredLength();
    spec.chopSize = m_ui->chopSpin->value();
    spec.sync = m_ui->syncCheck->isChecked();
    return spec;
}

void ComposerWidget::setFrameSpec(const FrameSpec &spec)
{
    m_updating = true;
    m_ui->opcodeCombo->setCurrentIndex(std::max(0, m_ui->opcodeCombo->findData(spec.opcode)));
    m_ui->finCheck->setChecked(spec.fin);
    m_ui->rsv1Check->setChecked((spec.rsv & 4) != 0);
    m_ui->rsv2Check->setChecked((spec.rsv & 2) != 0);
    m_ui->rsv3Check->setChecked((spec.rsv & 1) != 0);
    m_ui->maskCombo->setCurrentIndex(m_ui->maskCombo->findData(int(spec.maskMode)));
    if (spec.maskMode == MaskMode::Fixed)
        m_ui->maskKeyEdit->setText(hexKey(spec.maskKey));
    if (spec.repeatLength) {
        const bool text = isEditableText(spec.payload) && !spec.payload.contains('\n');
        m_ui->repeatHexCheck->setChecked(!text);
        m_ui->repeatPatternEdit->setText(text ? QString::fromUtf8(spec.payload)
                                              : format::spacedHex(spec.payload));
        m_ui->repeatLengthSpin->setValue(
            int(std::clamp<qint64>(*spec.repeatLength, 0, std::numeric_limits<int>::max())));
        m_ui->payloadModeCombo->setCurrentIndex(int(PayloadMode::Repeat));
    } else {
        setPayloadEditor(spec.payload);
    }
    m_ui->lengthCombo->setCurrentIndex(m_ui->lengthCombo->findData(int(spec.lengthEncoding)));
    m_ui->declaredLengthCheck->setChecked(spec.declaredLength.has_value());
    if (spec.declaredLength)
        m_ui->declaredLengthEdit->setText(QString::number(qulonglong(*spec.declaredLength)));
    m_ui->chopSpin->setValue(spec.chopSize);
    m_ui->syncCheck->setChecked(spec.sync);
    m_updating = false;
    payloadChanged();
}

int ComposerWidget::chopDelayMs() const
{
    return m_ui->chopDelaySpin->value();
}

void ComposerWidget::setChopDelayMs(int milliseconds)
{
    m_ui->chopDelaySpin->setValue(milliseconds);
}

ComposerWidget::PayloadMode ComposerWidget::payloadMode() const
{
    return PayloadMode(m_ui->payloadModeCombo->currentIndex());
}

void ComposerWidget::setPayloadMode(PayloadMode mode)
{
    m_ui->payloadModeCombo->setCurrentIndex(int(mode));
}

void ComposerWidget::setPayloadEditor(const QByteArray &payload)
{
    const bool wasUpdating = std::exchange(m_updating, true);
    if (isEditableText(payload)) {
        m_ui->payloadTextEdit->setPlainText(QString::fromUtf8(payload));
        m_ui->payloadModeCombo->setCurrentIndex(int(PayloadMode::Text));
    } else {
        m_ui->payloadHexEdit->setPlainText(format::spacedHex(payload));
        m_ui->payloadModeCombo->setCurrentIndex(int(PayloadMode::Hex));
    }
    m_updating = wasUpdating;
    if (!m_updating)
        payloadChanged();
}

QByteArray ComposerWidget::payload() const
{
    if (!m_payloadError.isEmpty())
        return {};
    if (!m_repeatLength)
        return m_payload;
    FrameSpec tmp;
    tmp.payload = m_payload;
    tmp.repeatLength = m_repeatLength;
    return tmp.wirePayload();
}

bool ComposerWidget::loadPayloadFile(const QString &path)
{
    m_filePath = path;
    m_fileData.clear();
    m_fileError.clear();
    const QFileInfo info(path);
    if (!info.exists() || !info.isFile()) {
        m_fileError =
            tr("“%1” does not exist or is not a file.").arg(QDir::toNativeSeparators(path));
    } else if (info.size() > MaxFilePayload) {
        m_fileError =
            tr("The file is %1, over the %2 limit for a payload loaded from a "
               "file. Use “Repeat a pattern to N octets” for larger payloads.")
                .arg(format::dataSizeExact(info.size()), format::dataSize(MaxFilePayload));
    } else {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            m_fileError = tr("Cannot read the file: %1").arg(file.errorString());
        else
            m_fileData = file.readAll();
    }
    m_ui->filePathEdit->setText(QDir::toNativeSeparators(path));
    m_ui->filePathEdit->setToolTip(QDir::toNativeSeparators(info.absoluteFilePath()));
    m_ui->fileInfoLabel->setText(
        m_fileError.isEmpty()
            ? tr("%1: %2, loaded.").arg(info.fileName(), format::dataSizeExact(m_fileData.size()))
            : QString());
    m_ui->fileInfoLabel->setVisible(m_fileError.isEmpty());
    const bool wasUpdating = std::exchange(m_updating, true);
    m_ui->payloadModeCombo->setCurrentIndex(int(PayloadMode::File));
    m_updating = wasUpdating;
    if (!m_updating)
        payloadChanged();
    return m_fileError.isEmpty();
}

void ComposerWidget::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Choose a Payload File"),
        m_filePath.isEmpty() ? QDir::homePath() : QFileInfo(m_filePath).absolutePath());
    if (!path.isEmpty())
        loadPayloadFile(path);
}

// ---- recomputation ------------------------------------------------------------------------------

void ComposerWidget::payloadChanged()
{
    if (m_updating)
        return;
    m_payload.clear();
    m_payloadError.clear();
    m_repeatLength.reset();
    m_utf8ErrorOffset = -1;
    m_utf8Incomplete = false;

    const PayloadMode mode = payloadMode();
    switch (mode) {
    case PayloadMode::Text:
        m_payload = m_ui->payloadTextEdit->toPlainText().toUtf8();
        break;
    case PayloadMode::Hex:
        if (!parseHex(m_ui->payloadHexEdit->toPlainText(), &m_payload, &m_payloadError))
            m_payload.clear();
        break;
    case PayloadMode::File:
        if (!m_fileError.isEmpty())
            m_payloadError = m_fileError;
        else if (m_filePath.isEmpty())
            m_payloadError = tr("Choose a file to send as the payload.");
        else
            m_payload = m_fileData;
        break;
    case PayloadMode::Repeat: {
        const QString pattern = m_ui->repeatPatternEdit->text();
        if (m_ui->repeatHexCheck->isChecked()) {
            if (!parseHex(pattern, &m_payload, &m_payloadError))
                m_payload.clear();
        } else {
            m_payload = pattern.toUtf8();
        }
        m_repeatLength = m_ui->repeatLengthSpin->value();
        if (m_payloadError.isEmpty() && m_payload.isEmpty() && *m_repeatLength > 0)
            m_payloadError = tr("The pattern is empty: there is nothing to repeat to %1.")
                                 .arg(format::octets(*m_repeatLength));
        break;
    }
    }

    // UTF-8 of the on-wire payload, computed once per payload change (a file can be 64 MiB).
    // A repeated pattern is checked as P, P, then the cut-off prefix: after one whole valid P the
    // validator is back at a character boundary, so further repetitions change nothing, and a P
    // that ends inside a character makes the second P invalid.
    qint64 wireLength = m_payload.size();
    if (m_payloadError.isEmpty() && mode != PayloadMode::Text) {
        QByteArray probe = m_payload;
        qint64 skipped = 0; // octets of the wire payload the probe leaves out
        if (m_repeatLength) {
            wireLength = *m_repeatLength;
            const qint64 size = m_payload.size();
            const qint64 whole = size > 0 ? wireLength / size : 0;
            const qint64 rest = size > 0 ? wireLength % size : 0;
            probe = m_payload.repeated(qsizetype(std::min<qint64>(whole, 2))) +
                    m_payload.left(qsizetype(rest));
            skipped = whole > 2 ? (whole - 2) * size : 0;
        }
        const qint64 bad = Utf8Validator::firstInvalidOffset(probe.constData(), probe.size());
        if (bad >= 0 && bad == probe.size())
            m_utf8Incomplete = true;
        else if (bad >= 0)
            m_utf8ErrorOffset = bad >= 2 * qint64(m_payload.size()) ? bad + skipped : bad;
    } else if (m_repeatLength) {
        wireLength = *m_repeatLength;
    }

    QString info;
    if (m_payloadError.isEmpty()) {
        info = format::octets(wireLength);
        if (mode == PayloadMode::Text || (m_utf8ErrorOffset < 0 && !m_utf8Incomplete))
            info += u", "_s + tr("valid UTF-8");
        else if (m_utf8ErrorOffset >= 0)
            info += u", "_s + tr("not UTF-8 from octet %1").arg(m_utf8ErrorOffset);
        else
            info += u", "_s + tr("ends inside a UTF-8 character");
    }
    m_ui->payloadInfoLabel->setText(info);

    QString repeatInfo;
    if (m_repeatLength && !m_payload.isEmpty()) {
        const qint64 size = m_payload.size();
        repeatInfo =
            tr("%1 pattern × %2, then %3 of it = %4 on the wire.")
                .arg(format::octets(size))
                .arg(*m_repeatLength / size)
                .arg(format::octets(*m_repeatLength % size), format::octets(*m_repeatLength));
    }
    m_ui->repeatInfoLabel->setText(repeatInfo);
    m_ui->repeatInfoLabel->setVisible(!repeatInfo.isEmpty());
    refresh();
}

ComposerWidget::Colors ComposerWidget::colors() const
{
    const theme::ComposerColors t = theme::composerColors(palette());
    Colors c;
    c.error = t.error.name();
    c.warning = t.warning.name();
    c.good = t.good.name();
    c.key = t.key.name();
    return c;
}

void ComposerWidget::setErrorText(QLabel *label, const QString &text)
{
    label->setText(text.isEmpty() ? QString() : u"\u2716 "_s + text);
    label->setStyleSheet(u"color: "_s + colors().error);
    label->setVisible(!text.isEmpty());
}

void ComposerWidget::refresh()
{
    if (m_updating)
        return;
    const FrameSpec spec = frameSpec();
    const bool fixedKey = spec.maskMode == MaskMode::Fixed;
    m_ui->maskKeyEdit->setEnabled(fixedKey);
    m_ui->maskKeyLabel->setEnabled(fixedKey);
    m_ui->declaredLengthEdit->setEnabled(m_ui->declaredLengthCheck->isChecked());
    m_ui->chopDelaySpin->setEnabled(spec.chopSize > 0);

    QString maskError;
    if (fixedKey && !parsedMaskKey())
        maskError = tr("The fixed key needs exactly 8 hex digits (4 octets), e.g. 37fa213d.");
    QString lengthError;
    if (m_ui->declaredLengthCheck->isChecked() && !parsedDeclaredLength()) {
        const QString text = m_ui->declaredLengthEdit->text().trimmed();
        lengthError =
            text.isEmpty()
                ? tr("Enter the length the header should declare, in octets.")
                : tr("“%1” is not a length: a whole number of octets, or 0x… in hex.").arg(text);
    } else if (m_payloadError.isEmpty()) {
        const quint64 length = spec.headerLength();
        if (spec.lengthEncoding == LengthEncoding::Bits7 && length > 125)
            lengthError = tr("A 7-bit length field holds at most 125, the length is %1: choose "
                             "another encoding or a shorter payload.")
                              .arg(QLocale().toString(qulonglong(length)));
        else if (spec.lengthEncoding == LengthEncoding::Bits16 && length > 0xFFFF)
            lengthError = tr("A 16-bit length field holds at most 65535, the length is %1: "
                             "choose another encoding or a shorter payload.")
                              .arg(QLocale().toString(qulonglong(length)));
    }
    QStringList errors;
    for (const QString &error : {maskError, lengthError, m_payloadError}) {
        if (!error.isEmpty())
            errors << error;
    }
    // Anything else the codec refuses (should not happen with the widgets' ranges).
    if (errors.isEmpty()) {
        const QString invalid = spec.validate();
        if (!invalid.isEmpty()) {
            lengthError = invalid;
            errors << invalid;
        }
    }
    setErrorText(m_ui->maskKeyError, maskError);
    setErrorText(m_ui->lengthError, lengthError);
    setErrorText(m_ui->payloadError, m_payloadError);
    m_inputErrors = errors;
    m_ruleBreaks = computeRuleBreaks(spec);

    refreshPreview(spec);
    refreshCompressionNote();
    refreshCloseInfo();
    refreshButtons();
}

QStringList ComposerWidget::computeRuleBreaks(const FrameSpec &spec) const
{
    // The core's rule set decides (the same that marks the frame in the frame table once sent);
    // this only words each rule for the frame at hand.
    const FrameJudge::Result judged = FrameJudge::judgeAlone(spec);
    const qint64 wire = spec.wirePayloadLength();
    QStringList rules;
    for (const Violation v : violationList(judged.violations)) {
        switch (v) {
        case Violation::RsvWithoutExtension:
            rules << tr("RSV bits set without a negotiated extension (RFC 6455 §5.2)");
            break;
        case Violation::ReservedOpcode:
            rules << tr("reserved opcode %1 (RFC 6455 §5.2)").arg(spec.opcode);
            break;
        case Violation::ControlFrameTooLong:
            rules << tr("control frame over 125 octets (RFC 6455 §5.5)");
            break;
        case Violation::ControlFrameFragmented:
            rules << tr("fragmented control frame: FIN=0 (RFC 6455 §5.5)");
            break;
        case Violation::UnmaskedClientFrame:
            rules << tr("client frame not masked (RFC 6455 §5.1)");
            break;
        case Violation::MaskBitWithoutKey:
            rules << tr("mask bit without key: no key written, payload not masked (RFC 6455 §5.3)");
            break;
        case Violation::NonMinimalLength:
            rules << tr("non-minimal length encoding (RFC 6455 §5.2)");
            break;
        case Violation::Length64TopBit:
            rules << tr("64-bit length with the most significant bit set (RFC 6455 §5.2)");
            break;
        case Violation::DeclaredLengthMismatch:
            rules << tr("declared length %1 differs from the payload (%2 sent)")
                         .arg(QLocale().toString(qulonglong(spec.declaredLength.value_or(0))),
                              format::octets(wire));
            break;
        case Violation::ClosePayloadOneOctet:
            rules << tr("close payload of 1 octet (RFC 6455 §5.5.1)");
            break;
        case Violation::InvalidCloseCode: {
            const int code = parseClosePayload(spec.wirePayloadHead(2)).code.value_or(0);
            rules << tr("invalid close code %1 (RFC 6455 §7.4)")
                         .arg(StepDescription::closeCodeLabel(code));
            break;
        }
        case Violation::InvalidUtf8CloseReason:
            rules << tr("close reason is not valid UTF-8 (RFC 6455 §5.5.1)");
            break;
        case Violation::InvalidUtf8Text:
            if (judged.utf8ErrorOffset >= wire)
                rules << tr("text payload is not valid UTF-8: it ends inside a character "
                            "(RFC 6455 §8.1)");
            else
                rules << tr("text payload is not valid UTF-8: octet %1 (RFC 6455 §8.1)")
                             .arg(judged.utf8ErrorOffset);
            break;
        default:
            rules << FrameTableModel::violationLabel(v);
            break;
        }
    }
    // The compression chosen: the RFC 7692 rule it breaks (the valid modes break none).
    if (const std::optional<DeflateSend> mode = deflateMode()) {
        if (*mode != DeflateSend::Agreed && *mode != DeflateSend::Uncompressed)
            rules << tr("permessage-deflate, %1: %2")
                         .arg(deflateSendName(*mode), deflateSendBreaks(*mode));
        // A frame step is compressed as one frame, whatever its opcode: RSV1 belongs on the
        // first frame of a data message only (RFC 7692 §6).
        if (deflateSendSetsRsv1(*mode) && isControlOpcode(spec.opcode))
            rules << tr("compressed control frame: RSV1 on opcode %1 (RFC 7692 §6.1)")
                         .arg(spec.opcode);
        else if (deflateSendSetsRsv1(*mode) && spec.opcode == quint8(Opcode::Continuation))
            rules << tr("compressed continuation frame: RSV1 on a continuation (RFC 7692 §6.1)");
    }
    return rules;
}

QString ComposerWidget::headerBitsHtml(const QByteArray &header, const FrameSpec &spec) const
{
    const Colors c = colors();
    const uchar b0 = uchar(header.at(0));
    const uchar b1 = uchar(header.at(1));
    const int keySize = spec.writesMaskKey() ? 4 : 0;
    const int lengthOctets = int(header.size()) - 2 - keySize;
    const int len7 = b1 & 0x7F;
    const quint64 length = spec.headerLength();
    const bool nonMinimal = (len7 == 126 && length <= 125) || (len7 == 127 && length <= 0xFFFF);

    struct Field
    {
        QString name;
        QString value;
        bool broken;
    };
    const QList<Field> byte0 = {
        {tr("FIN"), bits(b0 >> 7, 1), isControlOpcode(spec.opcode) && !spec.fin},
        {tr("RSV1"), bits((b0 >> 6) & 1, 1),
         (b0 & 0x40) != 0 && !(deflateMode() && deflateSendSetsRsv1(*deflateMode()))},
        {tr("RSV2"), bits((b0 >> 5) & 1, 1), (b0 & 0x20) != 0},
        {tr("RSV3"), bits((b0 >> 4) & 1, 1), (b0 & 0x10) != 0},
        {tr("OPCODE"), bits(b0 & 0xF, 4), isReservedOpcode(b0 & 0xF)},
    };
    const QList<Field> byte1 = {
        {tr("MASK"), bits(b1 >> 7, 1), spec.maskMode == MaskMode::None},
        {tr("LEN7"), bits(len7, 7), nonMinimal},
    };
    const auto fieldsWidth = [](const QList<Field> &fields) {
        qsizetype width = 0;
        for (const Field &f : fields)
            width += std::max(f.name.size(), f.value.size()) + 1;
        return width;
    };
    const qsizetype bitsWidth = std::max(fieldsWidth(byte0), fieldsWidth(byte1)) + 2;

    // The lines after the two header bytes: extended length, then the masking key. Their octets
    // and what they mean; the meaning moves to a line of its own when the pane is narrow.
    struct OctetsLine
    {
        QString label;
        QString octets; // spaced hex
        QString color;  // of the octets; empty: plain
        QString meaning;
        QString meaningColor;
    };
    QList<OctetsLine> lines;
    if (lengthOctets > 0) {
        lines.append({tr("bytes 2–%1").arg(1 + lengthOctets),
                      format::spacedHex(header.mid(2, lengthOctets)), QString(),
                      (lengthOctets == 2 ? tr("16-bit length = %1") : tr("64-bit length = %1"))
                          .arg(QLocale().toString(qulonglong(length))),
                      QString()});
    }
    if (keySize > 0) {
        lines.append({tr("bytes %1–%2").arg(2 + lengthOctets).arg(5 + lengthOctets),
                      format::spacedHex(header.mid(2 + lengthOctets, 4)), c.key,
                      spec.maskMode == MaskMode::Random
                          ? tr("masking key (random: this one is an example)")
                          : tr("masking key"),
                      QString()});
    } else {
        lines.append({tr("key"), QString(), QString(),
                      spec.maskMode == MaskMode::BitOnly
                          ? tr("none written although the mask bit is set")
                          : tr("none (mask bit clear, payload not masked)"),
                      spec.maskMode == MaskMode::BitOnly ? c.warning : QString()});
    }
    // Row labels first, so that their column fits the longest translation.
    qsizetype labelWidth = std::max(tr("byte 0").size(), tr("byte 1").size());
    for (const OctetsLine &line : std::as_const(lines))
        labelWidth = std::max(labelWidth, line.label.size());
    labelWidth += 2;
    const QString indent(labelWidth, u' ');
    const auto fits = [this](qsizetype characters) { return characters <= m_previewColumns; };
    // A text moved to a line of its own: under the values, or nearly at the margin when even
    // that is too long.
    const auto continuation = [&](qsizetype characters) {
        return fits(labelWidth + characters) ? indent : QString(2, u' ');
    };

    const auto fieldRows = [&](const QString &label, const QList<Field> &fields,
                               const QString &trailer) -> QString {
        QString names = indent;
        QString values;
        qsizetype used = 0;
        for (const Field &f : fields) {
            const qsizetype width = std::max(f.name.size(), f.value.size());
            names += f.name.rightJustified(width) + u' ';
            const QString value = f.value.rightJustified(width);
            values += (f.broken ? colored(value, c.warning, true) : value) + u' ';
            used += width + 1;
        }
        QString row = names.toHtmlEscaped() + u'\n' +
                      label.leftJustified(labelWidth).toHtmlEscaped() + values;
        if (fits(labelWidth + bitsWidth + trailer.size()))
            row += QString(bitsWidth - used, u' ') + trailer.toHtmlEscaped();
        else
            row += u'\n' + continuation(trailer.size()) + trailer.toHtmlEscaped();
        return row + u'\n';
    };
    const QString opcodeText = StepDescription::opcodeName(b0 & 0xF);
    QString len7Text;
    if (len7 == 126)
        len7Text = tr("126: 16-bit length follows");
    else if (len7 == 127)
        len7Text = tr("127: 64-bit length follows");
    else
        len7Text = tr("length %1").arg(len7);

    // pre-wrap: a line still too long for the pane (a long translation) wraps instead of
    // widening it.
    QString html = u"<div style=\"white-space:pre-wrap\">"_s;
    html +=
        fieldRows(tr("byte 0"), byte0, u"0x%1  "_s.arg(b0, 2, 16, QLatin1Char('0')) + opcodeText);
    html += fieldRows(tr("byte 1"), byte1, u"0x%1  "_s.arg(b1, 2, 16, QLatin1Char('0')) + len7Text);
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const OctetsLine &line = lines.at(i);
        html += line.label.leftJustified(labelWidth).toHtmlEscaped();
        if (!line.octets.isEmpty()) {
            html += line.color.isEmpty() ? line.octets : colored(line.octets, line.color);
            html += fits(labelWidth + line.octets.size() + 2 + line.meaning.size())
                        ? u"  "_s
                        : u'\n' + continuation(line.meaning.size());
        }
        const QString meaning = line.meaning.toHtmlEscaped();
        html += line.meaningColor.isEmpty() ? meaning : colored(meaning, line.meaningColor);
        if (i + 1 < lines.size())
            html += u'\n';
    }
    html += u"</div>"_s;
    return html;
}

QString ComposerWidget::frameBytesHtml(const QByteArray &frame, qsizetype headerSize,
                                       qsizetype keySize, qint64 totalSize) const
{
    const Colors c = colors();
    QString html = u"<div>"_s +
                   tr("Frame octets: <b>header</b>, %1, payload as sent:")
                       .arg(colored(tr("masking key"), c.key)) +
                   u"</div><div style=\"white-space:pre-wrap\">"_s;
    // 16 octets a line as a hex dump has them ("xx " each), 8 when the pane is narrow.
    const int perLine = m_previewColumns >= 16 * 3 ? 16 : 8;
    for (qsizetype i = 0; i < frame.size(); ++i) {
        if (i > 0)
            html += (i % perLine == 0) ? u'\n' : u' ';
        const QString octet = u"%1"_s.arg(uchar(frame.at(i)), 2, 16, QLatin1Char('0'));
        if (i < headerSize)
            html += u"<b>"_s + octet + u"</b>"_s;
        else if (i < headerSize + keySize)
            html += colored(octet, c.key);
        else
            html += octet;
    }
    if (totalSize > frame.size())
        html += u'\n' + tr("… and %1 more").arg(format::octets(totalSize - frame.size()));
    html += u"</div>"_s;
    return html;
}

void ComposerWidget::refreshPreview(const FrameSpec &spec)
{
    const Colors c = colors();
    const bool encodable = m_inputErrors.isEmpty();
    m_ui->previewBitsLabel->setVisible(encodable);
    m_ui->previewFrameLabel->setVisible(encodable);
    m_ui->previewSizeLabel->setVisible(encodable);
    if (!encodable) {
        // The rules of a frame that cannot be built would only mislead; say what to fix instead.
        m_ui->previewBitsLabel->clear();
        m_ui->previewFrameLabel->clear();
        m_ui->previewSizeLabel->clear();
        m_ui->rulesLabel->setText(colored(
            (tr("Cannot encode the frame: %1").arg(m_inputErrors.constFirst())).toHtmlEscaped(),
            c.error));
        return;
    }
    FrameSpec shown = spec;
    if (shown.maskMode == MaskMode::Random)
        shown.maskKey = m_exampleKey;
    // The compression chosen sets RSV1 when the frame is sent (RFC 7692 §6).
    if (const std::optional<DeflateSend> mode = deflateMode(); mode && deflateSendSetsRsv1(*mode))
        shown.rsv |= 4;
    const qint64 wire = spec.wirePayloadLength();
    // The header alone: the same length field, no payload octets.
    FrameSpec headerOnly = shown;
    headerOnly.payload.clear();
    headerOnly.repeatLength.reset();
    headerOnly.declaredLength = shown.headerLength();
    const QByteArray header = encodeFrame(headerOnly);
    QByteArray frame;
    if (wire <= PreviewOctets) {
        frame = encodeFrame(shown);
    } else {
        FrameSpec head = headerOnly;
        head.payload = shown.wirePayloadHead(PreviewOctets);
        frame = encodeFrame(head);
    }
    const qsizetype keySize = spec.writesMaskKey() ? 4 : 0;
    const qsizetype headerSize = header.size() - keySize;
    const qint64 total = header.size() + wire;
    m_ui->previewBitsLabel->setText(headerBitsHtml(header, shown));
    m_ui->previewFrameLabel->setText(frameBytesHtml(frame, headerSize, keySize, total));

    const QLocale locale;
    QString size = tr("Total %1: header %2 + masking key %3 + payload %4.")
                       .arg(format::octets(total), locale.toString(headerSize),
                            locale.toString(keySize), locale.toString(wire));
    if (spec.chopSize > 0 && spec.chopSize < total) {
        const qint64 writes = (total + spec.chopSize - 1) / spec.chopSize;
        const QString gap = chopDelayMs() > 0 ? tr("%1 ms apart").arg(chopDelayMs())
                                              : tr("one event-loop turn apart");
        size += u' ' + format::resolvePlural(tr("Sent in %1 write(s) of up to %2, %3.", nullptr,
                                                format::pluralCount(writes)),
                                             writes)
                           .arg(locale.toString(writes), format::octets(spec.chopSize), gap);
    } else if (spec.sync || spec.chopSize > 0) {
        size += u' ' + tr("Sent as one write in its own event-loop turn.");
    } else {
        size += u' ' + tr("Sent as one write.");
    }
    m_ui->previewSizeLabel->setText(size);

    if (m_ruleBreaks.isEmpty()) {
        m_ui->rulesLabel->setText(
            colored(tr("\u2714 Breaks no frame-level rule of RFC 6455.").toHtmlEscaped(), c.good));
    } else {
        QString html =
            colored(tr("\u26A0 Breaks the rules on purpose:").toHtmlEscaped(), c.warning, true);
        for (const QString &rule : std::as_const(m_ruleBreaks))
            html += u"<br>\u2022 "_s + colored(rule.toHtmlEscaped(), c.warning);
        m_ui->rulesLabel->setText(html);
    }
}

std::optional<DeflateSend> ComposerWidget::deflateMode() const
{
    const int data = m_ui->compressionCombo->currentData().toInt();
    if (data < 0)
        return std::nullopt;
    return DeflateSend(data);
}

void ComposerWidget::setDeflateMode(std::optional<DeflateSend> mode)
{
    const int index = m_ui->compressionCombo->findData(mode ? int(*mode) : -1);
    m_ui->compressionCombo->setCurrentIndex(std::max(0, index));
}

void ComposerWidget::setDeflateAgreement(const DeflateAgreement &agreement)
{
    m_deflateAgreement = agreement;
    refreshCompressionNote();
}

void ComposerWidget::refreshCompressionNote()
{
    const Colors c = colors();
    const std::optional<DeflateSend> mode = deflateMode();
    QStringList lines;
    QString color;
    if (!mode) {
        lines << (m_deflateAgreement.agreed
                      ? tr("Messages are compressed as agreed (%1); a frame's payload goes as "
                           "given.")
                            .arg(m_deflateAgreement.describe())
                      : tr("Messages are compressed when the server agrees to permessage-deflate; "
                           "a frame's payload goes as given."));
    } else {
        // For the valid modes the core says what keeps them valid; the broken ones are listed
        // with the preview's rules.
        if (*mode == DeflateSend::Agreed || *mode == DeflateSend::Uncompressed)
            lines << deflateSendBreaks(*mode);
        else
            color = c.warning;
        if (*mode != DeflateSend::Uncompressed && *mode != DeflateSend::Rsv1Uncompressed)
            lines << tr("The payload is compressed when it is sent; the preview shows it before "
                        "compression.");
        if (deflateSendSetsRsv1(*mode) && !m_deflateAgreement.agreed && m_connected)
            lines << tr("This connection agreed no permessage-deflate: RSV1 is set without a "
                        "negotiated extension (RFC 6455 §5.2).");
    }
    m_ui->compressionNote->setText(lines.join(u'\n'));
    m_ui->compressionNote->setStyleSheet(color.isEmpty() ? QString() : u"color: "_s + color);
}

void ComposerWidget::refreshCloseInfo()
{
    const Colors c = colors();
    bool ok = true;
    const std::optional<int> code = closeCode(&ok);
    const QByteArray reason = m_ui->closeReasonEdit->text().toUtf8();
    QString text;
    QString color = c.warning;
    if (!ok) {
        text = tr("Choose a close code or type a number from 0 to 65535.");
        color = c.error;
    } else {
        QStringList notes;
        if (code && !isValidReceivedCloseCode(*code))
            notes << tr("%1 is invalid on the wire (RFC 6455 §7.4): a conforming server fails "
                        "the connection.")
                         .arg(QString::number(*code) + u' ' +
                              StepDescription::closeCodeName(*code));
        if (!code && !reason.isEmpty())
            notes << tr("A reason without a code: the server reads its first two octets as the "
                        "code (RFC 6455 §5.5.1).");
        const qsizetype size = (code ? 2 : 0) + reason.size();
        if (size > 125)
            notes << tr("The close payload is %1: a control frame over 125 octets (RFC 6455 §5.5).")
                         .arg(format::octets(size));
        text = notes.join(u' ');
    }
    m_ui->closeInfoLabel->setText(text.isEmpty() ? QString() : u"\u26A0 "_s + text);
    m_ui->closeInfoLabel->setStyleSheet(u"color: "_s + color);
    m_ui->closeInfoLabel->setVisible(!text.isEmpty());
}

void ComposerWidget::refreshButtons()
{
    const auto setState = [](QAbstractButton *button, bool enabled, const QString &why) {
        button->setEnabled(enabled);
        const QString base = button->property(BaseToolTip).toString();
        if (enabled || why.isEmpty())
            button->setToolTip(base);
        else
            button->setToolTip(base.isEmpty() ? why : base + u"\n"_s + why);
    };
    const QString notConnected = tr("Not connected: connect to a server first.");
    const QString cannotEncode =
        m_inputErrors.isEmpty() ? QString()
                                : tr("Cannot encode the frame: %1").arg(m_inputErrors.constFirst());

    QString sendWhy;
    if (!m_connected)
        sendWhy = notConnected;
    else if (!canSend())
        sendWhy = cannotEncode;
    setState(m_ui->sendButton, m_connected && canSend(), sendWhy);
    if (m_connected && canSend())
        m_ui->sendButton->setToolTip(tr("Send this frame now (Ctrl+Return)"));
    setState(m_ui->addToSequenceButton, canSend(), cannotEncode);

    const bool toSequence = m_ui->quickToSequenceCheck->isChecked();
    const bool quickAllowed = m_connected || toSequence;
    const QString quickWhy = quickAllowed ? QString() : notConnected;
    const bool payloadOk = m_payloadError.isEmpty();
    const QString payloadWhy =
        !quickAllowed
            ? notConnected
            : (payloadOk ? QString() : tr("The payload has an error: %1").arg(m_payloadError));
    for (QAbstractButton *button : {static_cast<QAbstractButton *>(m_ui->textMessageButton),
                                    static_cast<QAbstractButton *>(m_ui->binaryMessageButton),
                                    static_cast<QAbstractButton *>(m_ui->pingButton),
                                    static_cast<QAbstractButton *>(m_ui->pongButton)})
        setState(button, quickAllowed && payloadOk, payloadWhy);
    bool codeOk = true;
    (void)closeCode(&codeOk);
    setState(m_ui->closeButton, quickAllowed && codeOk,
             !quickAllowed ? notConnected
                           : (codeOk ? QString() : tr("The close code is not valid input.")));
    for (QAbstractButton *button : {static_cast<QAbstractButton *>(m_ui->failButton),
                                    static_cast<QAbstractButton *>(m_ui->dropButton),
                                    static_cast<QAbstractButton *>(m_ui->halfCloseButton)})
        setState(button, quickAllowed, quickWhy);

    if (m_editingRow >= 0) {
        bool updatable = true;
        switch (m_editingStep.kind) {
        case Step::Kind::Frame:
        case Step::Kind::FrameHeader:
            updatable = canSend();
            break;
        case Step::Kind::Message:
        case Step::Kind::Ping:
        case Step::Kind::Pong:
        case Step::Kind::FrameData:
            updatable = payloadOk;
            break;
        case Step::Kind::Close:
            updatable = codeOk;
            break;
        default:
            break;
        }
        m_ui->updateStepButton->setEnabled(updatable);
    }
}

// ---- steps --------------------------------------------------------------------------------------

Step ComposerWidget::frameStep() const
{
    Step step = Step::makeFrame(frameSpec());
    step.chopDelayMs = chopDelayMs();
    step.deflate = deflateMode();
    return step;
}

Step ComposerWidget::messageStep(bool binary) const
{
    Step step = Step::makeKind(Step::Kind::Message);
    step.payload = payload();
    step.binary = binary;
    step.fragmentSize = m_ui->fragmentSizeSpin->value();
    step.chopSize = m_ui->chopSpin->value();
    step.sync = m_ui->syncCheck->isChecked();
    step.chopDelayMs = chopDelayMs();
    step.deflate = deflateMode();
    return step;
}

Step ComposerWidget::controlFrameStep(Step::Kind kind) const
{
    Step step = Step::makeKind(kind);
    step.payload = payload();
    step.chopSize = m_ui->chopSpin->value();
    step.sync = m_ui->syncCheck->isChecked();
    step.chopDelayMs = chopDelayMs();
    return step;
}

Step ComposerWidget::closeStep() const
{
    Step step = Step::makeKind(Step::Kind::Close);
    step.closeCode = closeCode();
    step.closeReason = m_ui->closeReasonEdit->text().toUtf8();
    return step;
}

std::optional<int> ComposerWidget::closeCode(bool *ok) const
{
    if (ok)
        *ok = true;
    const QComboBox *combo = m_ui->closeCodeCombo;
    const QString text = combo->currentText().trimmed();
    if (text.isEmpty() || text == combo->itemText(0))
        return std::nullopt;
    // A listed label ("1005 No Status Received …") or a typed number.
    static const QRegularExpression leadingNumber(u"^(\\d{1,9})(\\s|$)"_s);
    const QRegularExpressionMatch match = leadingNumber.match(text);
    const int value = match.hasMatch() ? match.captured(1).toInt() : -1;
    if (value < 0 || value > 0xFFFF) {
        if (ok)
            *ok = false;
        return std::nullopt;
    }
    return value;
}

void ComposerWidget::send()
{
    if (!m_connected || !canSend())
        return;
    Q_EMIT sendRequested(frameStep());
}

void ComposerWidget::addToSequence()
{
    if (!canSend())
        return;
    Q_EMIT addToSequenceRequested(frameStep());
}

void ComposerWidget::emitQuickStep(const Step &step)
{
    if (m_ui->quickToSequenceCheck->isChecked())
        Q_EMIT addToSequenceRequested(step);
    else if (m_connected)
        Q_EMIT sendRequested(step);
}

void ComposerWidget::setOwnSendShortcut(bool own)
{
    for (QShortcut *shortcut : std::as_const(m_sendShortcuts))
        shortcut->setEnabled(own);
}

void ComposerWidget::setSendEnabled(bool connected)
{
    m_connected = connected;
    refreshButtons();
}

// ---- editing a sequence step --------------------------------------------------------------------

bool ComposerWidget::editStep(const Step &step, int row)
{
    if (!loadStep(step))
        return false;
    m_editingStep = step;
    m_editingRow = std::max(0, row);
    updateEditingUi();
    return true;
}

bool ComposerWidget::loadStep(const Step &step)
{
    switch (step.kind) {
    case Step::Kind::Frame:
    case Step::Kind::FrameHeader:
        setFrameSpec(step.frame);
        setChopDelayMs(step.chopDelayMs);
        setDeflateMode(step.deflate);
        break;
    case Step::Kind::FrameData:
        setPayloadEditor(step.payload);
        break;
    case Step::Kind::Message:
    case Step::Kind::Ping:
    case Step::Kind::Pong:
        m_updating = true;
        m_ui->fragmentSizeSpin->setValue(step.fragmentSize);
        m_ui->chopSpin->setValue(step.chopSize);
        m_ui->syncCheck->setChecked(step.sync);
        m_ui->chopDelaySpin->setValue(step.chopDelayMs);
        if (step.kind == Step::Kind::Message)
            setDeflateMode(step.deflate);
        m_updating = false;
        setPayloadEditor(step.payload);
        break;
    case Step::Kind::Close: {
        const int index = step.closeCode ? m_ui->closeCodeCombo->findData(*step.closeCode) : 0;
        if (index >= 0)
            m_ui->closeCodeCombo->setCurrentIndex(index);
        else
            m_ui->closeCodeCombo->setEditText(QString::number(*step.closeCode));
        m_ui->closeReasonEdit->setText(QString::fromUtf8(step.closeReason));
        break;
    }
    default:
        return false;
    }
    return true;
}

void ComposerWidget::setEditingRow(int row)
{
    const bool wasEditing = m_editingRow >= 0;
    if (row >= 0 && !wasEditing)
        m_editingStep = frameStep();
    m_editingRow = row < 0 ? -1 : row;
    updateEditingUi();
    if (wasEditing && m_editingRow < 0)
        Q_EMIT editingFinished();
}

void ComposerWidget::updateEditingUi()
{
    const bool editing = m_editingRow >= 0;
    m_ui->updateStepButton->setVisible(editing);
    m_ui->cancelEditButton->setVisible(editing);
    m_ui->editingLabel->setVisible(editing);
    if (editing) {
        QString what;
        switch (m_editingStep.kind) {
        case Step::Kind::Frame:
            what = tr("Editing step %1 of the sequence (a frame).");
            break;
        case Step::Kind::Message:
            what = tr("Editing step %1 of the sequence (a message): change the payload or the "
                      "writes.");
            break;
        case Step::Kind::Ping:
        case Step::Kind::Pong:
            what = tr("Editing step %1 of the sequence (a ping or pong): change the payload or "
                      "the writes.");
            break;
        case Step::Kind::Close:
            what = tr("Editing step %1 of the sequence (a close): change the code or reason.");
            break;
        case Step::Kind::FrameHeader:
            what = tr("Editing step %1 of the sequence (a frame header only): its length and "
                      "mask key apply to the frame data steps that follow.");
            break;
        case Step::Kind::FrameData:
            what = tr("Editing step %1 of the sequence (frame data): change the payload octets; "
                      "they are masked with the key of the frame header before them.");
            break;
        default:
            what = tr("Editing step %1 of the sequence.");
            break;
        }
        m_ui->editingLabel->setText(what.arg(m_editingRow + 1));
    } else {
        m_ui->editingLabel->clear();
    }
    refreshButtons();
}

void ComposerWidget::updateStep()
{
    if (m_editingRow < 0)
        return;
    Step step;
    switch (m_editingStep.kind) {
    case Step::Kind::Frame:
        if (!canSend())
            return;
        step = frameStep();
        break;
    case Step::Kind::Message:
        step = messageStep(m_editingStep.binary);
        break;
    case Step::Kind::Ping:
    case Step::Kind::Pong:
        step = controlFrameStep(m_editingStep.kind);
        break;
    case Step::Kind::Close:
        step = closeStep();
        break;
    case Step::Kind::FrameHeader:
        if (!canSend())
            return;
        step = frameStep();
        step.kind = Step::Kind::FrameHeader;
        break;
    case Step::Kind::FrameData:
        if (!m_payloadError.isEmpty())
            return; // the payload field says what is wrong
        step = m_editingStep;
        step.payload = payload();
        break;
    default:
        return;
    }
    const int row = m_editingRow;
    setEditingRow(-1);
    Q_EMIT updateStepRequested(step, row);
}

// ---- state
// ----------------------------------------------------------------------------------------

QVariantMap ComposerWidget::saveState() const
{
    QVariantMap state;
    state[u"opcode"_s] = m_ui->opcodeCombo->currentData().toInt();
    state[u"fin"_s] = m_ui->finCheck->isChecked();
    state[u"rsv"_s] = (m_ui->rsv1Check->isChecked() ? 4 : 0) |
                      (m_ui->rsv2Check->isChecked() ? 2 : 0) |
                      (m_ui->rsv3Check->isChecked() ? 1 : 0);
    state[u"maskMode"_s] = m_ui->maskCombo->currentData().toInt();
    state[u"maskKey"_s] = m_ui->maskKeyEdit->text();
    state[u"lengthEncoding"_s] = m_ui->lengthCombo->currentData().toInt();
    state[u"declare"_s] = m_ui->declaredLengthCheck->isChecked();
    state[u"declaredLength"_s] = m_ui->declaredLengthEdit->text();
    state[u"payloadMode"_s] = int(payloadMode());
    const QString text = m_ui->payloadTextEdit->toPlainText();
    if (text.size() <= MaxSavedText)
        state[u"text"_s] = text;
    const QString hex = m_ui->payloadHexEdit->toPlainText();
    if (hex.size() <= MaxSavedText)
        state[u"hex"_s] = hex;
    state[u"file"_s] = m_filePath;
    state[u"repeatPattern"_s] = m_ui->repeatPatternEdit->text();
    state[u"repeatHex"_s] = m_ui->repeatHexCheck->isChecked();
    state[u"repeatLength"_s] = m_ui->repeatLengthSpin->value();
    state[u"chopSize"_s] = m_ui->chopSpin->value();
    state[u"chopDelayMs"_s] = m_ui->chopDelaySpin->value();
    state[u"sync"_s] = m_ui->syncCheck->isChecked();
    state[u"fragmentSize"_s] = m_ui->fragmentSizeSpin->value();
    state[u"deflate"_s] = m_ui->compressionCombo->currentData().toInt();
    state[u"closeCode"_s] = m_ui->closeCodeCombo->currentText();
    state[u"closeReason"_s] = m_ui->closeReasonEdit->text();
    state[u"quickToSequence"_s] = m_ui->quickToSequenceCheck->isChecked();
    return state;
}

void ComposerWidget::restoreState(const QVariantMap &state)
{
    const auto intValue = [&state](const QString &key, int fallback) {
        bool ok = false;
        const int value = state.value(key).toInt(&ok);
        return ok ? value : fallback;
    };
    const auto setComboData = [](QComboBox *combo, int data) {
        const int index = combo->findData(data);
        if (index >= 0)
            combo->setCurrentIndex(index);
    };
    m_updating = true;
    setComboData(m_ui->opcodeCombo, intValue(u"opcode"_s, int(Opcode::Text)));
    m_ui->finCheck->setChecked(state.value(u"fin"_s, true).toBool());
    const int rsv = intValue(u"rsv"_s, 0);
    m_ui->rsv1Check->setChecked((rsv & 4) != 0);
    m_ui->rsv2Check->setChecked((rsv & 2) != 0);
    m_ui->rsv3Check->setChecked((rsv & 1) != 0);
    setComboData(m_ui->maskCombo, intValue(u"maskMode"_s, int(MaskMode::Random)));
    if (state.contains(u"maskKey"_s))
        m_ui->maskKeyEdit->setText(state.value(u"maskKey"_s).toString());
    setComboData(m_ui->lengthCombo, intValue(u"lengthEncoding"_s, int(LengthEncoding::Auto)));
    m_ui->declaredLengthCheck->setChecked(state.value(u"declare"_s).toBool());
    m_ui->declaredLengthEdit->setText(state.value(u"declaredLength"_s).toString());
    m_ui->payloadTextEdit->setPlainText(state.value(u"text"_s).toString());
    m_ui->payloadHexEdit->setPlainText(state.value(u"hex"_s).toString());
    m_ui->repeatPatternEdit->setText(state.value(u"repeatPattern"_s).toString());
    m_ui->repeatHexCheck->setChecked(state.value(u"repeatHex"_s).toBool());
    m_ui->repeatLengthSpin->setValue(intValue(u"repeatLength"_s, 125));
    m_ui->chopSpin->setValue(intValue(u"chopSize"_s, 0));
    m_ui->chopDelaySpin->setValue(intValue(u"chopDelayMs"_s, 0));
    m_ui->syncCheck->setChecked(state.value(u"sync"_s).toBool());
    m_ui->fragmentSizeSpin->setValue(intValue(u"fragmentSize"_s, 0));
    setComboData(m_ui->compressionCombo, intValue(u"deflate"_s, -1));
    if (state.contains(u"closeCode"_s)) {
        const QString code = state.value(u"closeCode"_s).toString();
        const int index = m_ui->closeCodeCombo->findText(code);
        if (index >= 0)
            m_ui->closeCodeCombo->setCurrentIndex(index);
        else
            m_ui->closeCodeCombo->setEditText(code);
    }
    m_ui->closeReasonEdit->setText(state.value(u"closeReason"_s).toString());
    m_ui->quickToSequenceCheck->setChecked(state.value(u"quickToSequence"_s).toBool());
    const int mode = std::clamp(intValue(u"payloadMode"_s, 0), 0, int(PayloadMode::Repeat));
    const QString file = state.value(u"file"_s).toString();
    if (!file.isEmpty())
        loadPayloadFile(file); // selects File mode; the saved mode below wins
    m_ui->payloadModeCombo->setCurrentIndex(mode);
    m_updating = false;
    payloadChanged();
}

// ---- events -------------------------------------------------------------------------------------

void ComposerWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    const QBoxLayout::Direction direction =
        width() < NarrowWidth ? QBoxLayout::TopToBottom : QBoxLayout::LeftToRight;
    if (m_ui->topLayout->direction() != direction)
        m_ui->topLayout->setDirection(direction);
}

bool ComposerWidget::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_ui->scrollArea->viewport() && event->type() == QEvent::Resize) {
        const int columns = availablePreviewColumns();
        if (columns != m_previewColumns) {
            m_previewColumns = columns;
            refresh();
        }
    }
    return QWidget::eventFilter(watched, event);
}

int ComposerWidget::availablePreviewColumns() const
{
    // The viewport less the margins between it and the preview's labels, and one character of
    // slack for the group box frame.
    const auto horizontal = [](const QMargins &m) { return m.left() + m.right(); };
    const int width = m_ui->scrollArea->viewport()->width() -
                      horizontal(m_ui->contentLayout->contentsMargins()) -
                      horizontal(m_ui->previewGroup->contentsMargins()) -
                      horizontal(m_ui->previewLayout->contentsMargins());
    const int character =
        std::max(1, QFontMetrics(m_ui->previewBitsLabel->font()).horizontalAdvance(u'0'));
    return std::max(24, width / character - 1);
}

void ComposerWidget::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        refresh();
}

} // namespace wsi::gui
