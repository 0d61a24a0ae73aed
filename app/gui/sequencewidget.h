// SPDX-License-Identifier: MIT
#pragma once

#include "scenario.h"
#include "step.h"

#include <QPersistentModelIndex>
#include <QWidget>

#include <memory>

namespace wsi::gui {

class ComposerWidget;
class StepListModel;

namespace Ui {
class SequenceWidget;
}

// The sequence editor: an ordered list of steps (frames, messages, pings, delays, close, fail,
// drop, half-close, timers) that runs as one StepList, and is saved and loaded as a scenario file
// (docs/scenario.md). A file that cannot be loaded is reported in a banner and replaces nothing;
// clearing, removing and loading can be undone from the banner.
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
    void setScenario(const wsi::Scenario &scenario);
    // The connection settings saved with the steps (e.g. the window's current ones).
    void setSessionSettings(const wsi::SessionSettings &settings);

    // Both return false and show the reason in the banner; a failed load keeps the current steps.
    bool saveTo(const QString &path);
    bool loadFrom(const QString &path);

    // "Run Sequence" needs a connection (or whatever the caller decides); `reason` is its tooltip
    // while disabled.
    void setRunEnabled(bool enabled, const QString &reason = QString());

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
    void save(); // asks for a file name
    void load(); // asks for a file

Q_SIGNALS:
    void runRequested(const wsi::StepList &steps);
    void editRequested(const wsi::Step &step, int row);
    // The step being edited moved to `row`, or is gone (-1).
    void editingRowChanged(int row);
    void scenarioLoaded(const wsi::Scenario &scenario);

private:
    void stepDoubleClicked(const QModelIndex &index);
    void modelChanged();
    void updateButtons();
    void rememberForUndo();

    std::unique_ptr<Ui::SequenceWidget> m_ui;
    StepListModel *m_model = nullptr;
    wsi::Scenario m_base; // everything but the steps
    QString m_lastPath;
    bool m_runEnabled = true;
    QString m_runDisabledReason;
    MessageKind m_messageKind = MessageKind::Info;
    std::optional<wsi::StepList> m_undoSteps;
    bool m_ownChange = false; // a change that keeps the undo offer
    QPersistentModelIndex m_editing;
    int m_editingRow = -1;
};

// Wires a composer to a sequence: "Add to Sequence" appends, double-click edits in the composer
// (frames, messages, pings, pongs, close), "Update Step" replaces, the composer follows the edited
// step when rows move, and a cancelled edit stays cancelled.
void connectComposerToSequence(ComposerWidget *composer, SequenceWidget *sequence);

} // namespace wsi::gui
