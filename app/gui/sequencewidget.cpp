// SPDX-License-Identifier: MIT
#include "sequencewidget.h"

#include "ui_sequence.h"

#include "composerwidget.h"
#include "format.h"
#include "sessioncontroller.h"
#include "stepdescription.h"
#include "steplistmodel.h"
#include "theme.h"
#include "wheelguard.h"

#include <QAction>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QStyledItemDelegate>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

// Numbers the rows ("3. Delay 1 s") and edits the seconds of delays and timers in place. The step
// a running sequence is at gets a marker ("▶ 3. Delay 1 s"), bold (the model's font) and a tint
// of the highlight colour, in any palette.
class StepDelegate final : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (index.data(StepListModel::RunningRole).toBool()) {
            option->text =
                SequenceWidget::tr("\u25B6 %1. %2").arg(index.row() + 1).arg(option->text);
            option->backgroundBrush = theme::mix(option->palette.color(QPalette::Base),
                                                 option->palette.color(QPalette::Highlight), 0.3f);
        } else {
            option->text = SequenceWidget::tr("%1. %2").arg(index.row() + 1).arg(option->text);
        }
    }

public:
    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override
    {
        Q_UNUSED(option)
        Q_UNUSED(index)
        auto *spin = new QDoubleSpinBox(parent);
        spin->setFrame(false);
        spin->setDecimals(3);
        spin->setRange(0, 86400);
        spin->setSingleStep(0.5);
        spin->setSuffix(SequenceWidget::tr(" s"));
        return spin;
    }
};

QString stepCount(qsizetype count)
{
    return format::resolvePlural(
        SequenceWidget::tr("%Ln step(s)", nullptr, format::pluralCount(count)), count);
}

} // namespace

SequenceWidget::SequenceWidget(QWidget *parent)
    : QWidget(parent), m_ui(std::make_unique<Ui::SequenceWidget>())
{
    m_ui->setupUi(this);
    m_model = new StepListModel(this);
    QListView *view = m_ui->stepsView;
    view->setModel(m_model);
    view->setItemDelegate(new StepDelegate(view));
    view->setDropIndicatorShown(true);

    m_ui->timerKindCombo->addItem(tr("Close after"), int(Step::Kind::CloseAfter));
    m_ui->timerKindCombo->addItem(tr("Fail after"), int(Step::Kind::FailAfter));
    m_ui->messageFrame->hide();
    m_ui->undoButton->hide();

    connect(m_ui->moveUpButton, &QPushButton::clicked, this, &SequenceWidget::moveUp);
    connect(m_ui->moveDownButton, &QPushButton::clicked, this, &SequenceWidget::moveDown);
    connect(m_ui->duplicateButton, &QPushButton::clicked, this, &SequenceWidget::duplicate);
    connect(m_ui->removeButton, &QPushButton::clicked, this, &SequenceWidget::remove);
    connect(m_ui->clearButton, &QPushButton::clicked, this, &SequenceWidget::clear);
    connect(m_ui->addDelayButton, &QPushButton::clicked, this, &SequenceWidget::addDelay);
    connect(m_ui->addTimerButton, &QPushButton::clicked, this, &SequenceWidget::addTimer);
    connect(m_ui->runButton, &QPushButton::clicked, this, &SequenceWidget::run);
    connect(m_ui->connectAndRunButton, &QPushButton::clicked, this, &SequenceWidget::connectAndRun);
    connect(m_ui->stopButton, &QPushButton::clicked, this, &SequenceWidget::stop);
    connect(m_ui->saveButton, &QPushButton::clicked, this, &SequenceWidget::save);
    connect(m_ui->loadButton, &QPushButton::clicked, this, &SequenceWidget::load);
    connect(m_ui->undoButton, &QPushButton::clicked, this, &SequenceWidget::undo);
    connect(m_ui->messageCloseButton, &QToolButton::clicked, this, &SequenceWidget::hideMessage);
    connect(view, &QListView::doubleClicked, this, &SequenceWidget::stepDoubleClicked);
    connect(view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this] { updateButtons(); });

    const auto onModelChange = [this] { modelChanged(); };
    connect(m_model, &QAbstractItemModel::rowsInserted, this, onModelChange);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, onModelChange);
    connect(m_model, &QAbstractItemModel::rowsMoved, this, onModelChange);
    connect(m_model, &QAbstractItemModel::modelReset, this, onModelChange);
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &, const QModelIndex &, const QList<int> &roles) {
                // The running step's mark is no change to the steps (it keeps the undo offer).
                const bool onlyMark =
                    !roles.isEmpty() && std::all_of(roles.begin(), roles.end(), [](int role) {
                        return role == StepListModel::RunningRole || role == Qt::FontRole;
                    });
                if (!onlyMark)
                    modelChanged();
            });
    connect(m_model, &QAbstractItemModel::layoutChanged, this, onModelChange);

    // Keyboard and context menu on the list.
    const auto addViewAction = [this, view](const QString &text, const QKeySequence &keys,
                                            void (SequenceWidget::*slot)()) {
        auto *action = new QAction(text, view);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WidgetShortcut);
        connect(action, &QAction::triggered, this, slot);
        view->addAction(action);
    };
    auto *editAction = new QAction(tr("Edit"), view);
    connect(editAction, &QAction::triggered, this, [this, view] {
        const QModelIndex index = view->currentIndex();
        if (!index.isValid())
            return;
        if (StepListModel::hasEditableSeconds(m_model->step(index.row())))
            view->edit(index);
        else
            stepDoubleClicked(index);
    });
    view->addAction(editAction);
    addViewAction(tr("Move Up"), QKeySequence(Qt::CTRL | Qt::Key_Up), &SequenceWidget::moveUp);
    addViewAction(tr("Move Down"), QKeySequence(Qt::CTRL | Qt::Key_Down),
                  &SequenceWidget::moveDown);
    addViewAction(tr("Duplicate"), QKeySequence(Qt::CTRL | Qt::Key_D), &SequenceWidget::duplicate);
    addViewAction(tr("Remove"), QKeySequence(QKeySequence::Delete), &SequenceWidget::remove);
    view->setContextMenuPolicy(Qt::ActionsContextMenu);

    // The wheel scrolls what holds the editor; the seconds and the timer kind change only when
    // focused.
    guardWheel(this);
    updateButtons();
}

SequenceWidget::~SequenceWidget() = default;

StepList SequenceWidget::steps() const
{
    return m_model->steps();
}

void SequenceWidget::setSteps(const StepList &steps)
{
    m_model->setSteps(steps);
}

Scenario SequenceWidget::scenario() const
{
    Scenario s = m_base;
    s.steps = m_model->steps();
    return s;
}

void SequenceWidget::setScenario(const Scenario &scenario)
{
    const qsizetype previous = m_model->count();
    if (previous > 0)
        rememberForUndo();
    m_ownChange = true;
    m_base = scenario;
    m_base.steps.clear();
    m_model->setSteps(scenario.steps);
    m_ownChange = false;
    setFilePath(QString()); // the steps come from no file: no banner or title names the old one
    const QString steps = stepCount(scenario.steps.size());
    const QString what =
        scenario.name.isEmpty() ? steps : tr("“%1” (%2)").arg(scenario.name, steps);
    if (previous > 0)
        showMessage(
            MessageKind::Info,
            tr("Replaced the sequence (%1) with %2, not saved yet.").arg(stepCount(previous), what),
            true);
    else
        showMessage(MessageKind::Info, tr("The sequence is %1, not saved yet.").arg(what));
    updateButtons();
}

void SequenceWidget::setFilePath(const QString &path)
{
    if (path == m_lastPath)
        return;
    m_lastPath = path;
    Q_EMIT filePathChanged(path);
}

void SequenceWidget::setSessionSettings(const SessionSettings &settings)
{
    m_base.settings = settings;
}

int SequenceWidget::currentRow() const
{
    const QModelIndex index = m_ui->stepsView->currentIndex();
    return index.isValid() ? index.row() : -1;
}

void SequenceWidget::setCurrentRow(int row)
{
    m_ui->stepsView->setCurrentIndex(m_model->index(row, 0));
}

int SequenceWidget::editingRow() const
{
    return m_editing.isValid() ? m_editing.row() : -1;
}

// ---- editing the list ---------------------------------------------------------------------------

void SequenceWidget::appendStep(const Step &step)
{
    m_model->appendStep(step);
    setCurrentRow(m_model->count() - 1);
    m_ui->stepsView->scrollToBottom();
}

bool SequenceWidget::replaceStep(int row, const Step &step)
{
    if (!m_model->replaceStep(row, step))
        return false;
    if (m_editing.isValid() && m_editing.row() == row) {
        m_editing = QPersistentModelIndex();
        modelChanged();
    }
    return true;
}

void SequenceWidget::moveUp()
{
    const int row = currentRow();
    if (row > 0 && m_model->moveStep(row, row - 1))
        setCurrentRow(row - 1);
}

void SequenceWidget::moveDown()
{
    const int row = currentRow();
    if (row >= 0 && row + 1 < m_model->count() && m_model->moveStep(row, row + 1))
        setCurrentRow(row + 1);
}

void SequenceWidget::duplicate()
{
    const int row = currentRow();
    if (m_model->duplicateStep(row))
        setCurrentRow(row + 1);
}

void SequenceWidget::remove()
{
    const int row = currentRow();
    if (!m_model->removeStep(row))
        return;
    if (m_model->count() > 0)
        setCurrentRow(std::min(row, m_model->count() - 1));
}

void SequenceWidget::clear()
{
    const int count = m_model->count();
    if (count == 0)
        return;
    rememberForUndo();
    m_ownChange = true;
    m_model->clear();
    m_ownChange = false;
    showMessage(MessageKind::Info, tr("Removed all %1.").arg(stepCount(count)), true);
}

void SequenceWidget::undo()
{
    if (!m_undo)
        return;
    const UndoState state = *m_undo;
    m_undo.reset();
    m_base = state.base;
    m_model->setSteps(state.steps);
    setFilePath(state.path);
    showMessage(MessageKind::Info, tr("Restored %1.").arg(stepCount(state.steps.size())));
    updateButtons();
}

void SequenceWidget::stopEditing()
{
    m_editing = QPersistentModelIndex();
    m_editingRow = -1;
}

void SequenceWidget::rememberForUndo()
{
    m_undo = UndoState{m_model->steps(), m_base, m_lastPath};
}

void SequenceWidget::addDelay()
{
    Step step = Step::makeKind(Step::Kind::Delay);
    step.seconds = m_ui->secondsSpin->value();
    appendStep(step);
}

void SequenceWidget::addTimer()
{
    Step step = Step::makeKind(Step::Kind(m_ui->timerKindCombo->currentData().toInt()));
    step.seconds = m_ui->secondsSpin->value();
    appendStep(step);
}

void SequenceWidget::stepDoubleClicked(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    const Step &step = m_model->step(index.row());
    switch (step.kind) {
    case Step::Kind::Delay:
    case Step::Kind::CloseAfter:
    case Step::Kind::FailAfter:
        return; // edited in place (the view opened the seconds editor)
    case Step::Kind::Fail:
    case Step::Kind::Drop:
    case Step::Kind::HalfClose:
    case Step::Kind::TimeoutEvent:
        showMessage(MessageKind::Info, tr("Step %1 (%2) has nothing to edit.")
                                           .arg(index.row() + 1)
                                           .arg(StepDescription::describe(step)));
        return;
    default:
        break;
    }
    m_editing = QPersistentModelIndex(index);
    m_editingRow = index.row();
    Q_EMIT editRequested(step, index.row());
}

void SequenceWidget::modelChanged()
{
    if (!m_ownChange && m_undo) {
        m_undo.reset();
        m_ui->undoButton->hide();
    }
    const int row = editingRow();
    if (row != m_editingRow) {
        m_editingRow = row;
        Q_EMIT editingRowChanged(row);
    }
    updateButtons();
}

void SequenceWidget::updateButtons()
{
    const int row = currentRow();
    const int count = m_model->count();
    m_ui->moveUpButton->setEnabled(row > 0);
    m_ui->moveDownButton->setEnabled(row >= 0 && row + 1 < count);
    m_ui->duplicateButton->setEnabled(row >= 0);
    m_ui->removeButton->setEnabled(row >= 0);
    m_ui->clearButton->setEnabled(count > 0);
    m_ui->saveButton->setEnabled(count > 0);
    m_ui->runButton->setEnabled(count > 0 && m_runEnabled && !m_running);
    m_ui->connectAndRunButton->setEnabled(count > 0 && m_connectAndRunEnabled && !m_running);
    m_ui->stopButton->setEnabled(m_running);
    if (m_running)
        m_ui->runButton->setToolTip(tr("The sequence is running; Stop ends it"));
    else if (!m_runEnabled && !m_runDisabledReason.isEmpty())
        m_ui->runButton->setToolTip(m_runDisabledReason);
    else if (count == 0)
        m_ui->runButton->setToolTip(tr("Add steps first"));
    else
        m_ui->runButton->setToolTip(tr("Run the steps in order, from the top"));
    if (m_running)
        m_ui->connectAndRunButton->setToolTip(tr("The sequence is running; Stop ends it"));
    else if (!m_connectAndRunEnabled && !m_connectAndRunDisabledReason.isEmpty())
        m_ui->connectAndRunButton->setToolTip(m_connectAndRunDisabledReason);
    else if (count == 0)
        m_ui->connectAndRunButton->setToolTip(tr("Add steps first"));
    else
        m_ui->connectAndRunButton->setToolTip(
            tr("Connect, then run the steps in order once the connection is open"));
    QString text = count == 0 ? tr("No steps yet: “Add to Sequence” in the composer adds one.")
                              : stepCount(count);
    if (count > 0 && !m_base.name.isEmpty())
        text = tr("%1 — %2").arg(m_base.name, text);
    m_ui->countLabel->setText(text);
}

void SequenceWidget::setRunEnabled(bool enabled, const QString &reason)
{
    m_runEnabled = enabled;
    m_runDisabledReason = reason;
    updateButtons();
}

void SequenceWidget::setConnectAndRunEnabled(bool enabled, const QString &reason)
{
    m_connectAndRunEnabled = enabled;
    m_connectAndRunDisabledReason = reason;
    updateButtons();
}

void SequenceWidget::rememberRunRows()
{
    m_runRows.clear();
    m_runRows.reserve(m_model->count());
    for (int row = 0; row < m_model->count(); ++row)
        m_runRows << QPersistentModelIndex(m_model->index(row, 0));
}

void SequenceWidget::run()
{
    if (m_model->count() == 0 || !m_runEnabled || m_running)
        return;
    rememberRunRows();
    Q_EMIT runRequested(m_model->steps());
}

void SequenceWidget::connectAndRun()
{
    if (m_model->count() == 0 || !m_connectAndRunEnabled || m_running)
        return;
    rememberRunRows();
    Q_EMIT connectAndRunRequested(m_model->steps());
}

void SequenceWidget::stop()
{
    if (m_running)
        Q_EMIT stopRequested();
}

void SequenceWidget::setRunning(bool running)
{
    if (running == m_running)
        return;
    m_running = running;
    if (!running) {
        m_model->setRunningRow(-1);
        m_runRows.clear();
    }
    updateButtons();
}

void SequenceWidget::setRunningStep(int index)
{
    const QPersistentModelIndex row = m_runRows.value(index);
    m_model->setRunningRow(row.isValid() ? row.row() : -1);
    if (row.isValid())
        m_ui->stepsView->scrollTo(row);
}

// ---- the banner ---------------------------------------------------------------------------------

QString SequenceWidget::message() const
{
    return m_ui->messageFrame->isHidden() ? QString() : m_ui->messageLabel->text();
}

void SequenceWidget::showMessage(MessageKind kind, const QString &text, bool offerUndo)
{
    m_messageKind = kind;
    styleMessage();
    m_ui->messageLabel->setText(text);
    m_ui->undoButton->setVisible(offerUndo && m_undo.has_value());
    m_ui->messageFrame->show();
}

void SequenceWidget::styleMessage()
{
    // A tint over the window colour (the highlight colour for information, red for errors), the
    // palette's own text and button colours, no style sheet (under one, the Undo button would
    // keep the colours of the palette it was first polished with): readable in a light and in a
    // dark palette, and restyled when the palette changes.
    const QPalette p = palette();
    const QColor accent =
        m_messageKind == MessageKind::Error ? QColor(theme::kAlert) : p.color(QPalette::Highlight);
    QPalette banner;
    banner.setColor(QPalette::Window, theme::bannerBackground(p, accent));
    m_ui->messageFrame->setPalette(banner);
    m_ui->messageFrame->setAutoFillBackground(true);
}

void SequenceWidget::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_ui->messageFrame->isHidden())
        styleMessage();
}

void SequenceWidget::hideMessage()
{
    m_ui->messageFrame->hide();
    m_ui->undoButton->hide();
    m_undo.reset();
}

// ---- files --------------------------------------------------------------------------------------

bool SequenceWidget::saveTo(const QString &path)
{
    Scenario s = scenario();
    if (s.name.isEmpty())
        s.name = QFileInfo(path).completeBaseName();
    const QString error = saveScenario(s, path);
    if (!error.isEmpty()) {
        showMessage(MessageKind::Error, tr("Could not save the sequence: %1").arg(error));
        return false;
    }
    m_base.name = s.name;
    setFilePath(path);
    showMessage(
        MessageKind::Info,
        tr("Saved %1 to “%2”.").arg(stepCount(s.steps.size()), QDir::toNativeSeparators(path)));
    updateButtons();
    return true;
}

bool SequenceWidget::loadFrom(const QString &path)
{
    const ScenarioParseResult result = loadScenario(path);
    if (!result.ok()) {
        showMessage(MessageKind::Error,
                    tr("Could not load the sequence: %1\nThe current sequence is unchanged.")
                        .arg(result.error));
        return false;
    }
    const bool hadSteps = m_model->count() > 0;
    if (hadSteps)
        rememberForUndo();
    m_ownChange = true;
    m_base = result.scenario;
    m_base.steps.clear();
    m_model->setSteps(result.scenario.steps);
    m_ownChange = false;
    setFilePath(path);
    showMessage(MessageKind::Info,
                tr("Loaded %1 from “%2”.")
                    .arg(stepCount(result.scenario.steps.size()), QDir::toNativeSeparators(path)),
                hadSteps);
    Q_EMIT scenarioLoaded(result.scenario);
    return true;
}

void SequenceWidget::save()
{
    QString path = QFileDialog::getSaveFileName(
        this, tr("Save Sequence as Scenario"),
        m_lastPath.isEmpty() ? QDir::home().filePath(u"sequence.json"_s) : m_lastPath,
        tr("Scenario files (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += u".json"_s;
    saveTo(path);
}

void SequenceWidget::load()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Load Scenario"),
        m_lastPath.isEmpty() ? QDir::homePath() : QFileInfo(m_lastPath).absolutePath(),
        tr("Scenario files (*.json);;All files (*)"));
    if (!path.isEmpty())
        loadFrom(path);
}

void connectComposerToSequence(ComposerWidget *composer, SequenceWidget *sequence)
{
    QObject::connect(composer, &ComposerWidget::addToSequenceRequested, sequence,
                     &SequenceWidget::appendStep);
    QObject::connect(sequence, &SequenceWidget::editRequested, composer,
                     [composer](const Step &step, int row) { composer->editStep(step, row); });
    QObject::connect(composer, &ComposerWidget::updateStepRequested, sequence,
                     [sequence](const Step &step, int row) { sequence->replaceStep(row, step); });
    QObject::connect(sequence, &SequenceWidget::editingRowChanged, composer,
                     &ComposerWidget::setEditingRow);
    QObject::connect(composer, &ComposerWidget::editingFinished, sequence,
                     &SequenceWidget::stopEditing);
}

void connectSequenceToController(SequenceWidget *sequence, SessionController *controller)
{
    QObject::connect(controller, &SessionController::sequenceStarted, sequence,
                     [sequence] { sequence->setRunning(true); });
    QObject::connect(controller, &SessionController::sequenceStepStarted, sequence,
                     &SequenceWidget::setRunningStep);
    QObject::connect(controller, &SessionController::sequenceFinished, sequence,
                     [sequence] { sequence->setRunning(false); });
    QObject::connect(sequence, &SequenceWidget::stopRequested, controller,
                     &SessionController::stopSteps);
    const auto updateConnectAndRun = [sequence, controller] {
        const SessionState state = controller->state();
        const bool noConnection = state == SessionState::Idle || state == SessionState::Closed;
        sequence->setConnectAndRunEnabled(
            noConnection, noConnection ? QString()
                                       : SequenceWidget::tr("There is a connection: Run "
                                                            "Sequence runs the steps on it"));
    };
    QObject::connect(controller, &SessionController::stateChanged, sequence, updateConnectAndRun);
    updateConnectAndRun();
    sequence->setRunning(controller->isSequenceRunning());
}

} // namespace wsi::gui
