// SPDX-License-Identifier: MIT
#pragma once

#include "session/step.h"
#include "trace/trace.h"

#include <QObject>
#include <QPointer>

#include <optional>

class QAction;
class QItemSelectionModel;
class QMenu;
class QTableView;

namespace wsi::gui {

class MessageModel;
class TraceStore;

// What a step built from a frame is for.
enum class FrameStepUse : quint8 {
    Exact,  // the same octets: a random key becomes the key that was used (Copy as command)
    Resend, // the same frame sent by us: TX keeps what was asked (a random key stays random),
            // an unmasked RX frame gets a random key, as a client's frames must (RFC 6455 §5.3)
};

// The step that sends `frame` again: opcode, FIN, RSV, mask and key, payload (TX: the pattern and
// its repeat length), the length field's encoding and a declared length, chop and sync (TX). An
// RX frame that ended with the connection declares its header's length and carries the octets
// that arrived. None, with `why` set, when the payload's octets are not kept (the trace's storage
// limit, or over the size limit for received frames).
[[nodiscard]] std::optional<Step> stepForFrame(const Trace &trace, const FrameRecord &frame,
                                               FrameStepUse use, QString *why = nullptr);

// Whether every payload octet of `frame` (that crossed the wire) can be read back from the trace.
// Reads no octets: it looks at the record and the chunks that hold them.
[[nodiscard]] bool payloadKept(const Trace &trace, const FrameRecord &frame);

// The unmasked payload octets of a frame as they went over the wire (TX: the pattern repeated),
// or none when not all of them are kept.
[[nodiscard]] std::optional<QByteArray> fullPayload(const Trace &trace, const FrameRecord &frame);

enum class PayloadFormat : quint8 {
    Text,   // decoded as UTF-8 (invalid sequences become U+FFFD)
    Hex,    // "48 65 6c 6c 6f"
    Base64, // "SGVsbG8="
    CArray, // static const unsigned char payload[] = { 0x48, … }; twelve octets a line
};
[[nodiscard]] QString formatPayload(const QByteArray &payload, PayloadFormat format);

// `wsinspector-cli send URL ARGS…` as one shell line, every argument quoted where the shell needs
// it ('…', with ' as '\'').
[[nodiscard]] QString cliCommandLine(const QString &url, const QStringList &stepArguments);

// Context menu, Copy and the frame actions of one of the window's tables. Installed on the view;
// it reads rows through whatever proxies the view shows (the model may be swapped at any time)
// and the trace behind them.
//
// Actions (all added to the view, shortcuts with Qt::WidgetWithChildrenShortcut, so each table's
// Ctrl+C copies its own rows):
//   copyAction()            "&Copy"                            Ctrl+C (QKeySequence::Copy)
//   copyPayloadMenu()       "Copy &Payload as" ▸ Text, Hex, Base64, C Array   (no shortcuts)
//   copyCommandAction()     "Copy as wsinspector-cli Co&mmand" Ctrl+Shift+C
//   resendAction()          "&Resend"                          (none)
//   addToSequenceAction()   "Add to &Sequence"                 (none)
//   editAction()            "&Edit in Composer"                (none)
class TableActions final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TableActions)

public:
    enum class Table : quint8 {
        Frames,   // FrameTableModel (or a proxy over it): one frame a row
        Messages, // MessageModel: one message a row; the frame actions send it as a message
        WireLog,  // WireLogModel: frame lines act as their frame, octet lines copy their octets
    };
    // More rows than this are not copied (the status message says so).
    static constexpr int kMaxCopiedRows = 100'000;
    // Payloads larger than this are not copied as text (a 64 MiB frame would be 200 MB of hex).
    static constexpr qint64 kMaxCopiedPayload = 16 * 1024 * 1024;

    // `parent` defaults to the view.
    TableActions(QTableView *view, Table table, const TraceStore *store, QObject *parent = nullptr);

    [[nodiscard]] QAction *copyAction() const { return m_copy; }
    [[nodiscard]] QMenu *copyPayloadMenu() const { return m_payloadMenu; }
    [[nodiscard]] QAction *copyPayloadAction(PayloadFormat format) const;
    [[nodiscard]] QAction *copyCommandAction() const { return m_command; }
    [[nodiscard]] QAction *resendAction() const { return m_resend; }
    [[nodiscard]] QAction *addToSequenceAction() const { return m_addToSequence; }
    [[nodiscard]] QAction *editAction() const { return m_edit; }

    // Appends the actions, as the context menu shows them, to `menu` (e.g. the window's Edit
    // menu; call updateActions() from its aboutToShow()).
    void addActionsTo(QMenu *menu) const;
    // The context menu for the current row (as shown on a right click; tests grab it).
    [[nodiscard]] QMenu *createContextMenu(QWidget *parent);

    // Re-reads the view's current row and selection and enables what applies. Runs by itself on
    // every selection change (also after the view's model was swapped).
    void updateActions();

    // The current row's frame (index into Trace::frames()), or -1 (a message row: its first
    // frame).
    [[nodiscard]] int currentFrame() const;

    // What the actions would put on the clipboard (tests; the actions call these).
    [[nodiscard]] QString selectedRowsText() const;
    [[nodiscard]] std::optional<QByteArray> currentPayload(QString *why = nullptr) const;
    [[nodiscard]] std::optional<Step> currentStep(FrameStepUse use, QString *why = nullptr) const;
    [[nodiscard]] QString currentCommand(QString *why = nullptr) const;

Q_SIGNALS:
    void resendRequested(const wsi::Step &step);
    void addToSequenceRequested(const wsi::Step &step);
    void editRequested(const wsi::Step &step);
    // One line for the status bar: what was copied, or why nothing was.
    void statusMessage(const QString &text);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // The row's facts, read through the view's proxies.
    struct Target
    {
        int frame = -1;      // frame row, wire-log frame line, a message's first frame
        int messageRow = -1; // Messages: the source model's row
        int chunk = -1;      // wire-log octet line: index into chunks()
    };
    [[nodiscard]] Target currentTarget() const;
    [[nodiscard]] QModelIndex currentViewIndex() const;
    [[nodiscard]] bool targetPayloadKept(const Target &target) const;
    [[nodiscard]] const MessageModel *messageModel() const;
    void watchSelectionModel();
    void showContextMenu(const QPoint &viewportPos);
    void copyRows();
    void copyPayload(PayloadFormat format);
    void copyCommand();
    void emitStep(void (TableActions::*signal)(const wsi::Step &));
    void retranslate();

    QPointer<QTableView> m_view;
    Table m_table;
    const TraceStore *m_store;
    QPointer<QItemSelectionModel> m_watched;
    QAction *m_copy = nullptr;
    QMenu *m_payloadMenu = nullptr;
    QAction *m_payloadActions[4] = {};
    QAction *m_command = nullptr;
    QAction *m_resend = nullptr;
    QAction *m_addToSequence = nullptr;
    QAction *m_edit = nullptr;
};

} // namespace wsi::gui
