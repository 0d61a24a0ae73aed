// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/frame.h"
#include "session/step.h"

#include <QStringList>
#include <QVariantMap>
#include <QWidget>

#include <memory>
#include <optional>

class QLabel;
class QAbstractButton;

class QShortcut;

namespace wsi::gui {

namespace Ui {
class ComposerWidget;
}

// The frame composer: every field of one frame, valid or deliberately broken (opcode 0–15, FIN,
// RSV, mask mode and key, payload as text/hex/file/repeated pattern, length encoding or a declared
// length, chop size, delay between chops, sync), a live preview of the encoded header with its bits
// and the rules the frame breaks, and quick actions for messages, pings, close, fail, drop and
// half-close. Input that cannot be encoded is marked next to its field and disables Send; rules
// broken on purpose are only explained.
class ComposerWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ComposerWidget)

public:
    enum class PayloadMode : quint8 { Text, Hex, File, Repeat };
    // Files larger than this are refused with a message (a frame payload is held in memory).
    static constexpr qint64 MaxFilePayload = 64ll * 1024 * 1024;

    explicit ComposerWidget(QWidget *parent = nullptr);
    ~ComposerWidget() override;

    // The frame as composed. MaskMode::Random leaves maskKey 0: the session picks a key per send.
    [[nodiscard]] wsi::FrameSpec frameSpec() const;
    void setFrameSpec(const wsi::FrameSpec &spec);
    [[nodiscard]] int chopDelayMs() const;
    void setChopDelayMs(int milliseconds);
    // permessage-deflate for the frame and message steps (Step::deflate): nullopt is the
    // default (a message compressed when the extension was agreed, a frame's payload as given).
    [[nodiscard]] std::optional<wsi::DeflateSend> deflateMode() const;
    void setDeflateMode(std::optional<wsi::DeflateSend> mode);
    // What the connection agreed (not agreed: none yet, or declined); the compression note
    // says what a choice does on it.
    void setDeflateAgreement(const wsi::DeflateAgreement &agreement);

    [[nodiscard]] PayloadMode payloadMode() const;
    void setPayloadMode(PayloadMode mode);
    // The payload editor's on-wire octets (a repeat pattern expanded); empty while it has an error.
    [[nodiscard]] QByteArray payload() const;
    // Loads a file as the payload (File mode). On failure the reason is shown next to the field,
    // Send is disabled and false is returned.
    bool loadPayloadFile(const QString &path);

    // Why the frame cannot be encoded (each also shown next to its field); empty when it can.
    [[nodiscard]] QStringList inputErrors() const { return m_inputErrors; }
    // The rules of RFC 6455 (and RFC 7692, for the compression chosen) the composed frame breaks
    // on purpose, as shown in the preview.
    [[nodiscard]] QStringList ruleBreaks() const { return m_ruleBreaks; }
    // True when the frame can be encoded (whether connected or not).
    [[nodiscard]] bool canSend() const { return m_inputErrors.isEmpty(); }
    [[nodiscard]] bool isConnected() const { return m_connected; }
    // Sending needs an open connection; without one Send is disabled and its tooltip says why.
    void setSendEnabled(bool connected);
    // Ctrl+Return sends from the composer's own shortcut; a window whose Send Frame action has
    // that key turns it off here, or the key would be ambiguous (and do nothing) in the composer.
    void setOwnSendShortcut(bool own);

    // The composer's fields as defaults for the next start (the caller keeps them in QSettings).
    [[nodiscard]] QVariantMap saveState() const;
    void restoreState(const QVariantMap &state);

    // Loads a sequence step into the composer for editing; "Update Step" then emits
    // updateStepRequested(step, row). Frames, messages, pings, pongs and close steps can be edited.
    // Returns false (and does not enter editing) for other kinds.
    bool editStep(const wsi::Step &step, int row);
    // Loads a step's fields into the composer without editing a sequence row (a table's "Edit in
    // Composer"); the same kinds as editStep(). False for other kinds.
    bool loadStep(const wsi::Step &step);
    // While editing: the step moved to `row` (as SequenceWidget::editingRowChanged reports).
    // Not editing: starts editing row `row` as a frame step (load it with setFrameSpec() first).
    // -1 stops editing.
    void setEditingRow(int row);
    [[nodiscard]] int editingRow() const { return m_editingRow; }

    // The steps the buttons emit, for callers that want them without a click.
    [[nodiscard]] wsi::Step frameStep() const;
    [[nodiscard]] wsi::Step messageStep(bool binary) const;
    [[nodiscard]] wsi::Step controlFrameStep(wsi::Step::Kind kind) const; // Ping or Pong
    [[nodiscard]] wsi::Step closeStep() const;
    // The close code chosen or typed: nullopt for "no code"; *ok false when it is not 0–65535.
    [[nodiscard]] std::optional<int> closeCode(bool *ok = nullptr) const;

public Q_SLOTS:
    // Emits sendRequested(frameStep()) when connected and the frame can be encoded (Ctrl+Return).
    void send();
    // Emits addToSequenceRequested(frameStep()) when the frame can be encoded.
    void addToSequence();

Q_SIGNALS:
    void sendRequested(const wsi::Step &step);
    void addToSequenceRequested(const wsi::Step &step);
    void updateStepRequested(const wsi::Step &step, int row);
    // Editing stopped (Update Step, Stop Editing or setEditingRow(-1)).
    void editingFinished();

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QList<QShortcut *> m_sendShortcuts;
    struct Colors
    {
        QString error;
        QString warning;
        QString good;
        QString key;
    };

    void setupCombos();
    void setupConnections();
    void emitQuickStep(const wsi::Step &step);
    void updateStep();
    void chooseFile();
    void payloadChanged();
    void refresh();
    void refreshPreview(const wsi::FrameSpec &spec);
    void refreshCloseInfo();
    void refreshCompressionNote();
    void refreshButtons();
    void updateEditingUi();
    // Characters of the fixed font a preview line has room for in the pane as it is now.
    [[nodiscard]] int availablePreviewColumns() const;
    void setPayloadEditor(const QByteArray &payload);
    void setErrorText(QLabel *label, const QString &text);
    [[nodiscard]] Colors colors() const;
    [[nodiscard]] QString payloadInputError() const { return m_payloadError; }
    [[nodiscard]] std::optional<quint32> parsedMaskKey() const;
    [[nodiscard]] std::optional<quint64> parsedDeclaredLength() const;
    [[nodiscard]] QStringList computeRuleBreaks(const wsi::FrameSpec &spec) const;
    [[nodiscard]] QString headerBitsHtml(const QByteArray &header,
                                         const wsi::FrameSpec &spec) const;
    [[nodiscard]] QString frameBytesHtml(const QByteArray &frame, qsizetype headerSize,
                                         qsizetype keySize, qint64 totalSize) const;

    std::unique_ptr<Ui::ComposerWidget> m_ui;
    bool m_connected = false;
    bool m_updating = false;  // fields being set in bulk: one refresh at the end
    quint32 m_exampleKey = 0; // the key shown in the preview for MaskMode::Random
    // The preview's line length: a narrow pane gets the explanations on lines of their own and
    // 8 frame octets a line instead of 16, so it never needs a horizontal scroll bar.
    int m_previewColumns = 80;

    QString m_filePath;
    QByteArray m_fileData;
    QString m_fileError;

    // The payload editor's result, recomputed only when a payload field changes.
    QByteArray m_payload; // the base payload (the pattern in Repeat mode)
    std::optional<qint64> m_repeatLength;
    QString m_payloadError;
    qint64 m_utf8ErrorOffset = -1; // first invalid octet of the on-wire payload, -1 if none
    bool m_utf8Incomplete = false; // the on-wire payload ends inside a UTF-8 sequence

    QStringList m_inputErrors;
    QStringList m_ruleBreaks;

    wsi::DeflateAgreement m_deflateAgreement;

    int m_editingRow = -1;
    wsi::Step m_editingStep;
};

} // namespace wsi::gui
