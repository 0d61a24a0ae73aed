// SPDX-License-Identifier: MIT
#pragma once

#include "session/step.h"
#include "suite/scenario.h"

#include <QPersistentModelIndex>
#include <QWidget>

#include <memory>

namespace wsi::gui {

class ComposerWidget;
class SessionController;
class StepListModel;

namespace Ui {
class SequenceWidget;
}

// The sequence editor: an ordered list of steps (frames, messages, pings, delays, close, fail,
// drop, half-close, timers) that runs as one StepList, and is saved and loaded as a scenario file
// (docs/scenario.md). A file that cannot be loaded is reported in a banner and replaces nothing;
// clearing, loading and replacing the steps (setScenario) can be undone from the banner. While a
// sequence runs, its current step is marked (StepListModel::RunningRole) and Stop ends it.
class SequenceWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SequenceWidget)

public:
    enum class MessageKind : quint8 { Info, Error };

    explicit SequenceWidget(QWidget *parent = nullptr);
    ~SequenceWidget() override;

    [[nodiscard]] StepListModel *model() const { return m_model; }
    [[nodiscard]] wsi::StepList steps() const;
    void setSteps(const wsi::StepList &steps);

    // The scenario last loaded (name, description, connection settings, expected close) with the
    // current steps; what saveTo() writes.
    [[nodiscard]] wsi::Scenario scenario() const;
    // Replaces everything (a case opened as a scenario): not from a file, so the file name is
    // cleared; the banner offers Undo when there were steps.
    void setScenario(const wsi::Scenario &scenario);
    // The file the steps were last loaded from or saved to; empty when they come from no file.
    [[nodiscard]] QString filePath() const { return m_lastPath; }
    // The connection settings saved with the steps (e.g. the window's current ones).
    void setSessionSettings(const wsi::SessionSettings &settings);

    // Both return false and show the reason in the banner; a failed load keeps the current steps.
    bool saveTo(const QString &path);
    bool loadFrom(const QString &path);

    // "Run Sequence" needs a connection (or whatever the caller decides); `reason` is its tooltip
    // while disabled.
    void setRunEnabled(bool enabled, const QString &reason = QString());
    // "Connect and Run" needs no connection yet (whatever the caller decides); `reason` is its
    // tooltip while disabled.
    void setConnectAndRunEnabled(bool enabled, const QString &reason = QString());

    // A sequence is running: Run and Connect and Run are disabled, Stop is enabled. Not running
    // any more: no step is marked.
    void setRunning(bool running);
    [[nodiscard]] bool isRunning() const { return m_running; }
    // Marks the step at `index` of the running sequence (as it was when it started: the mark
    // follows the step when rows move), -1 for none.
    void setRunningStep(int index);

    // The banner's text, empty when hidden.
    [[nodiscard]] QString message() const;
    [[nodiscard]] MessageKind messageKind() const { return m_messageKind; }
    void showMessage(MessageKind kind, const QString &text, bool offerUndo = false);
    void hideMessage();

    [[nodiscard]] int currentRow() const;
    void setCurrentRow(int row);
    // The row of the step loaded into the composer for editing, -1 if none.
    [[nodiscard]] int editingRow() const;

public Q_SLOTS:
    void appendStep(const wsi::Step &step);
    // Replaces a step (the composer's "Update Step"); false for a row out of range.
    bool replaceStep(int row, const wsi::Step &step);
    void moveUp();
    void moveDown();
    void duplicate();
    void remove();
    void clear();
    void undo();
    // The composer stopped editing: forget the edited step (no editingRowChanged() after this).
    void stopEditing();
    void addDelay();
    void addTimer();
    void run();
    void connectAndRun();
    void stop();
    void save(); // asks for a file name
    void load(); // asks for a file

Q_SIGNALS:
    void runRequested(const wsi::StepList &steps);
    // Connect (with the caller's settings), then run the steps once the connection is open.
    void connectAndRunRequested(const wsi::StepList &steps);
    void stopRequested();
    // filePath() changed; empty: the steps come from no file.
    void filePathChanged(const QString &path);
    void editRequested(const wsi::Step &step, int row);
    // The step being edited moved to `row`, or is gone (-1).
    void editingRowChanged(int row);
    void scenarioLoaded(const wsi::Scenario &scenario);

protected:
    void changeEvent(QEvent *event) override;

private:
    struct UndoState
    {
        wsi::StepList steps;
        wsi::Scenario base;
        QString path;
    };

    void stepDoubleClicked(const QModelIndex &index);
    void styleMessage();
    void setFilePath(const QString &path);
    // The rows of the sequence about to run, followed while it runs.
    void rememberRunRows();
    void modelChanged();
    void updateButtons();
    void rememberForUndo();

    std::unique_ptr<Ui::SequenceWidget> m_ui;
    StepListModel *m_model = nullptr;
    wsi::Scenario m_base; // everything but the steps
    QString m_lastPath;
    bool m_runEnabled = true;
    QString m_runDisabledReason;
    bool m_connectAndRunEnabled = true;
    QString m_connectAndRunDisabledReason;
    bool m_running = false;
    QList<QPersistentModelIndex> m_runRows;
    MessageKind m_messageKind = MessageKind::Info;
    std::optional<UndoState> m_undo;
    bool m_ownChange = false; // a change that keeps the undo offer
    QPersistentModelIndex m_editing;
    int m_editingRow = -1;
};

// Wires a composer to a sequence: "Add to Sequence" appends, double-click edits in the composer
// (frames, messages, pings, pongs, close), "Update Step" replaces, the composer follows the edited
// step when rows move, and a cancelled edit stays cancelled.
void connectComposerToSequence(ComposerWidget *composer, SequenceWidget *sequence);

// Wires a sequence to the controller that runs it: the running step marked, Stop stops the
// controller's steps, Run and Connect and Run disabled while it runs, Connect and Run only while
// there is no connection. What Run and Connect and Run do stays the caller's (runRequested(),
// connectAndRunRequested(): the window connects and calls SessionController::runSequence()).
void connectSequenceToController(SequenceWidget *sequence, SessionController *controller);

} // namespace wsi::gui
