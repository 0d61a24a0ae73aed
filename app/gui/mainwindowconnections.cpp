// SPDX-License-Identifier: MIT
// The main window's Connections list: every connection of the session is kept (live ones, case
// results shown, captures opened), one of them shown in the views; captures saved and opened;
// the recording of every connection as it runs.
#include "capture/capturefile.h"
#include "capture/har.h"
#include "captureloader.h"
#include "comparewindow.h"
#include "connectionbar.h"
#include "connectionlist.h"
#include "format.h"
#include "mainwindow.h"
#include "sessioncontroller.h"
#include "tracestore.h"

#include "ui_mainwindow.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

// What the connections not shown may keep in memory (their traces' stored cost). Past it the
// oldest recorded ones are dropped from memory and read back from their capture when shown.
constexpr qint64 kKeptBudget = 1024ll * 1024 * 1024;

// A file name for the shown connection: its name in the list, made safe, with `suffix`.
QString suggestedFileName(const ConnectionListModel *connections, const QString &suffix)
{
    const int row = connections->current();
    QString name = row >= 0 ? connections->at(row).name : u"connection"_s;
    name.replace(QRegularExpression(u"[^A-Za-z0-9._ -]+"_s), u"_"_s);
    if (name.endsWith(suffix))
        name.chop(suffix.size());
    return name + suffix;
}

// Ctrl+click in the Connections list adds a row to the selection (or takes it out) without
// showing it: the shown connection and the one clicked are then the two Compare With… compares.
class CtrlClickSelects final : public QObject
{
public:
    explicit CtrlClickSelects(QTableView *view) : QObject(view), m_view(view) {}

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::MouseButtonPress &&
            event->type() != QEvent::MouseButtonDblClick)
            return QObject::eventFilter(watched, event);
        const auto *mouse = static_cast<QMouseEvent *>(event);
        if (mouse->button() != Qt::LeftButton || !(mouse->modifiers() & Qt::ControlModifier))
            return QObject::eventFilter(watched, event);
        const QModelIndex index = m_view->indexAt(mouse->position().toPoint());
        if (index.isValid() && event->type() == QEvent::MouseButtonPress)
            m_view->selectionModel()->select(index, QItemSelectionModel::Toggle |
                                                        QItemSelectionModel::Rows);
        return true; // the current row, the one the views show, stays
    }

private:
    QTableView *m_view;
};

// How captures are read into the window: the trace's default budget, the session's flow marks.
capture::CaptureLoadOptions captureLoadOptions(std::optional<int> stream)
{
    capture::CaptureLoadOptions options;
    options.stream = stream;
    return options;
}

// What the user is told once an opened capture has been read, beyond its own warnings.
QStringList loadRemarks(const capture::CaptureLoadResult &result)
{
    QStringList out;
    if (!result.stopped.isEmpty())
        out << MainWindow::tr("Not all of it was loaded: %1.").arg(result.stopped);
    if (!result.error.isEmpty())
        out << MainWindow::tr("It was read up to the damage: %1").arg(result.error);
    out << result.warnings;
    if (result.streams.size() > 1)
        out << MainWindow::tr("Another TCP stream of the file opens from the entry's context menu "
                              "(Open Another TCP Stream…).");
    return out;
}

// "FILE was opened. What it does not show as it was: …", the first of the warnings.
QString remarksText(const QString &path, const QStringList &warnings)
{
    constexpr qsizetype kShown = 20; // a hostile file may have thousands
    QStringList shown = warnings.mid(0, kShown);
    if (warnings.size() > kShown)
        shown << MainWindow::tr("… and %1 more.").arg(warnings.size() - kShown);
    return MainWindow::tr("%1 was opened. What it does not show as it was:\n\n%2")
        .arg(QDir::toNativeSeparators(path), shown.join(u'\n'));
}

// A message box that does not wait: the remarks of a capture read in the background arrive while
// the user works on.
void showRemarks(QWidget *parent, const QString &path, const QStringList &warnings)
{
    auto *box = new QMessageBox(QMessageBox::Information, MainWindow::tr("Opened with Remarks"),
                                remarksText(path, warnings), QMessageBox::Ok, parent);
    box->setObjectName(u"openRemarks"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace

void MainWindow::buildConnectionsDock()
{
    m_connections = new ConnectionListModel(this);
    // Below the panels, beside the views: the list takes height from the closing panel's
    // empty space, never from the frames.
    auto *box = new QWidget(m_rightSplitter);
    box->setObjectName(u"connectionsBox"_s);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(2);
    auto *title = new QLabel(tr("<b>Connections</b>"), box);
    layout->addWidget(title);
    m_connectionsView = new QTableView(box);
    m_connectionsView->setObjectName(u"connectionsView"_s);
    m_connectionsView->setModel(m_connections);
    m_connectionsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_connectionsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_connectionsView->setEditTriggers(QAbstractItemView::EditKeyPressed);
    m_connectionsView->verticalHeader()->hide();
    // The other columns fit their contents; the name keeps a readable width (the list scrolls
    // sideways when the pane is narrow) and takes what is left when it is wide.
    QHeaderView *header = m_connectionsView->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(ConnectionListModel::NameColumn, QHeaderView::Interactive);
    header->setStretchLastSection(false);
    header->resizeSection(
        ConnectionListModel::NameColumn,
        m_connectionsView->fontMetrics().horizontalAdvance(u"ws://127.0.0.1:65535/"_s));
    m_connectionsView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_connectionsView->viewport()->installEventFilter(new CtrlClickSelects(m_connectionsView));
    m_connectionsView->setWordWrap(false);
    layout->addWidget(m_connectionsView, 1);
    title->setBuddy(m_connectionsView);
    m_rightSplitter->setStretchFactor(0, 2);
    m_rightSplitter->setStretchFactor(1, 1);

    auto *toggle = new QAction(tr("Co&nnections"), this);
    toggle->setObjectName(u"actionShowConnections"_s);
    toggle->setCheckable(true);
    toggle->setChecked(true);
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    toggle->setToolTip(tr("Show the list of this session's connections"));
    connect(toggle, &QAction::toggled, box, &QWidget::setVisible);
    m_ui->menuView->insertAction(m_ui->actionShowPanels, toggle);

    // Selecting a row shows that connection (or, when the user keeps a running one, goes back).
    connect(m_connectionsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!current.isValid() || current.row() == m_connections->current())
                    return;
                if (!showConnection(current.row())) {
                    const QModelIndex back = m_connections->index(m_connections->current(), 0);
                    m_connectionsView->selectionModel()->setCurrentIndex(
                        back, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                }
            });
    auto *closeAction = new QAction(tr("&Close Connection"), m_connectionsView);
    closeAction->setShortcut(QKeySequence::Delete);
    closeAction->setShortcutContext(Qt::WidgetShortcut);
    m_connectionsView->addAction(closeAction);
    connect(closeAction, &QAction::triggered, this, [this] {
        const QModelIndex current = m_connectionsView->currentIndex();
        if (current.isValid())
            closeConnection(current.row());
    });
    auto *compareAction = new QAction(tr("Co&mpare With…"), this);
    compareAction->setObjectName(u"actionCompareConnections"_s);
    compareAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    compareAction->setToolTip(tr("Compare the frames of two connections of the list (Ctrl+click "
                                 "selects the second)"));
    compareAction->setEnabled(false);
    const auto updateCompare = [this, compareAction] {
        compareAction->setEnabled(m_connections->rowCount() >= 2);
    };
    connect(m_connections, &QAbstractItemModel::rowsInserted, this, updateCompare);
    connect(m_connections, &QAbstractItemModel::rowsRemoved, this, updateCompare);
    connect(compareAction, &QAction::triggered, this, [this] { compareConnections(); });
    m_ui->menuConnection->addSeparator();
    m_ui->menuConnection->addAction(compareAction);
    connect(m_connectionsView, &QWidget::customContextMenuRequested, this,
            [this, closeAction, compareAction](const QPoint &pos) {
                const QModelIndex index = m_connectionsView->indexAt(pos);
                if (!index.isValid())
                    return;
                QMenu menu(this);
                QAction *rename = menu.addAction(tr("&Rename"));
                rename->setShortcut(QKeySequence(Qt::Key_F2));
                QAction *save = menu.addAction(tr("Save C&apture As…"));
                QAction *compare = menu.addAction(compareAction->text());
                compare->setEnabled(compareAction->isEnabled());
                QAction *otherStream = nullptr;
                if (m_connections->at(index.row()).streams.size() > 1)
                    otherStream = menu.addAction(tr("Open Another &TCP Stream…"));
                menu.addSeparator();
                menu.addAction(closeAction);
                QAction *chosen = menu.exec(m_connectionsView->viewport()->mapToGlobal(pos));
                if (chosen == rename) {
                    m_connectionsView->edit(
                        m_connections->index(index.row(), ConnectionListModel::NameColumn));
                } else if (chosen == save) {
                    if (showConnection(index.row()))
                        saveCapture();
                } else if (chosen == compare) {
                    compareConnections(index.row());
                } else if (chosen != nullptr && chosen == otherStream) {
                    openOtherCaptureStream(index.row());
                }
            });

    connect(m_ui->actionOpenCapture, &QAction::triggered, this, &MainWindow::openCapture);
    connect(m_ui->actionSaveCapture, &QAction::triggered, this, &MainWindow::saveCapture);
    connect(m_ui->actionExportHar, &QAction::triggered, this, &MainWindow::exportHar);
    connect(m_ui->actionRecording, &QAction::triggered, this, &MainWindow::editRecording);
    connect(m_controller, &SessionController::recordingStopped, this,
            [this](const QString &why) { statusBar()->showMessage(why, 15000); });
}

void MainWindow::endLiveConnection()
{
    const SessionState state = m_controller->state();
    if (state == SessionState::Idle || state == SessionState::Closed)
        return;
    m_controller->abandon(); // nothing it still sends lands in another connection's views
    // Its trace says so, and the list: what followed the drop is not in the recording.
    auto batch = std::make_shared<TraceBatch>();
    TraceEvent note;
    note.kind = TraceEvent::Kind::Note;
    note.timeNs = m_store->trace().lastTimeNs();
    note.text = tr("The window ended the connection here (it dropped TCP); what followed is not "
                   "recorded.");
    batch->add(std::move(note));
    m_store->append(batch);
    if (const int row = m_connections->current(); row >= 0)
        m_connections->at(row).endedEarly = true;
}

bool MainWindow::confirmEndingLiveConnection(const QString &action)
{
    const SessionState state = m_controller->state();
    if (state == SessionState::Idle || state == SessionState::Closed)
        return true;
    const auto answer = QMessageBox::question(
        this, tr("End the Connection?"),
        tr("The connection is still open. %1 ends it; what it recorded stays in the Connections "
           "list.")
            .arg(action),
        QMessageBox::Cancel | QMessageBox::Ok, QMessageBox::Cancel);
    if (answer != QMessageBox::Ok)
        return false;
    endLiveConnection();
    return true;
}

void MainWindow::describeShownTrace()
{
    // The badge and the title describe what the views show, not the last live connection.
    const Trace &shown = m_store->trace();
    m_connectionBar->setState(shown.state(), QUrl(shown.url()).scheme() == u"wss"_s);
    updateWindowTitle();
    updateActions();
    refreshPanels();
}

void MainWindow::refreshConnectionRow()
{
    const int row = m_connections->current();
    if (row < 0)
        return;
    KeptConnection &c = m_connections->at(row);
    if (c.caseResult) {
        c.behavior = c.caseResult->verdict.behavior;
        m_connections->summarize(row, m_store->trace(), c.caseResult->verdict.closing.verdict);
        return;
    }
    m_connections->summarize(row, m_store->trace(),
                             currentClosingVerdict(m_store->closing()).verdict);
}

void MainWindow::keepShownConnection()
{
    const int row = m_connections->current();
    if (row < 0)
        return;
    refreshConnectionRow();
    // No longer the shown row before the store empties: the panels' refresh on the reset must
    // not summarize it from the empty trace.
    m_connections->setCurrent(-1);
    KeptConnection &c = m_connections->at(row);
    // A case's trace stays with its result; the others move out of the store into their entry.
    Trace shown = m_store->exchange(Trace());
    if (!c.caseResult)
        c.trace = std::make_shared<Trace>(std::move(shown));
    m_openedCase.reset();
    trimKeptConnections();
}

void MainWindow::trimKeptConnections()
{
    for (int row = 0; row < m_connections->rowCount() && m_connections->keptCost() > kKeptBudget;
         ++row) {
        KeptConnection &c = m_connections->at(row);
        // One still being read keeps its trace: the reader appends to it.
        if (row != m_connections->current() && c.trace && !c.loader && !c.capturePath.isEmpty() &&
            QFileInfo::exists(c.capturePath))
            c.trace.reset(); // read back from its capture when shown again
    }
}

int MainWindow::addConnection(KeptConnection connection)
{
    const int row = m_connections->append(std::move(connection));
    m_connections->setCurrent(row);
    const QSignalBlocker block(m_connectionsView->selectionModel());
    m_connectionsView->selectionModel()->setCurrentIndex(m_connections->index(row, 0),
                                                         QItemSelectionModel::ClearAndSelect |
                                                             QItemSelectionModel::Rows);
    m_connectionsView->scrollTo(m_connections->index(row, 0));
    return row;
}

bool MainWindow::showConnection(int row)
{
    if (row < 0 || row >= m_connections->rowCount())
        return false;
    if (row == m_connections->current())
        return true;
    if (!confirmEndingLiveConnection(tr("Showing another connection")))
        return false;
    KeptConnection &target = m_connections->at(row);
    Trace trace;
    std::unique_ptr<CaptureLoader> reading; // its trace was dropped: read back as it is opened
    if (target.caseResult) {
        trace = Trace(*target.caseResult->trace);
    } else if (target.trace) {
        trace = std::move(*target.trace);
        target.trace.reset();
    } else if (!target.capturePath.isEmpty()) {
        reading = std::make_unique<CaptureLoader>(
            target.capturePath,
            captureLoadOptions(target.stream >= 0 ? std::optional<int>(target.stream)
                                                  : std::nullopt),
            this);
        if (!reading->open()) {
            QMessageBox::warning(
                this, tr("Cannot Show the Connection"),
                tr("Its capture %1 cannot be read: %2")
                    .arg(QDir::toNativeSeparators(target.capturePath), reading->error()));
            return false;
        }
        trace = Trace(reading->limits());
        trace.setStartedAt(target.started);
        trace.setUrl(target.url);
    }
    keepShownConnection();
    if (target.caseResult)
        m_openedCase = target.caseResult;
    m_store->reset(std::move(trace));
    m_connections->setCurrent(row);
    const QSignalBlocker block(m_connectionsView->selectionModel());
    m_connectionsView->selectionModel()->setCurrentIndex(m_connections->index(row, 0),
                                                         QItemSelectionModel::ClearAndSelect |
                                                             QItemSelectionModel::Rows);
    if (reading)
        attachCaptureLoader(row, reading.release());
    describeShownTrace();
    return true;
}

void MainWindow::closeConnection(int row)
{
    if (row < 0 || row >= m_connections->rowCount())
        return;
    // Still being read: the reader stops (its thread is joined) before the entry goes.
    delete std::exchange(m_connections->at(row).loader, nullptr);
    if (row == m_connections->current()) {
        if (!confirmEndingLiveConnection(tr("Closing it")))
            return;
        m_openedCase.reset();
        m_connections->setCurrent(-1);
        m_store->reset(Trace());
        m_connections->remove(row);
        // The views show a neighbour, or nothing.
        if (m_connections->rowCount() > 0)
            showConnection(std::min(row, m_connections->rowCount() - 1));
        updateWindowTitle();
        updateActions();
        refreshPanels();
        return;
    }
    m_connections->remove(row);
}

QString MainWindow::connectionLabel(int row) const
{
    // As the list shows it: two connections to one URL differ in their row and start time.
    const QString started =
        m_connections->index(row, ConnectionListModel::StartedColumn).data().toString();
    return tr("%1. %2 (started %3)").arg(row + 1).arg(m_connections->at(row).name, started);
}

void MainWindow::compareConnections(int row)
{
    const QModelIndexList selected = m_connectionsView->selectionModel()->selectedRows();
    if (selected.size() == 2 && (row < 0 || row == selected[0].row() || row == selected[1].row())) {
        const int a = selected[0].row(), b = selected[1].row();
        openComparison(std::min(a, b), std::max(a, b)); // the older one on the left
        return;
    }
    if (row < 0)
        row = m_connections->current();
    if (row < 0 || m_connections->rowCount() < 2)
        return;
    QStringList names;
    QList<int> rows;
    for (int other = 0; other < m_connections->rowCount(); ++other) {
        if (other == row)
            continue;
        names << connectionLabel(other);
        rows << other;
    }
    bool ok = false;
    const QString chosen = QInputDialog::getItem(this, tr("Compare With"),
                                                 tr("Compare %1 with:").arg(connectionLabel(row)),
                                                 names, 0, false, &ok);
    if (!ok)
        return;
    const int other = rows.value(int(names.indexOf(chosen)), -1);
    if (other >= 0)
        openComparison(std::min(row, other), std::max(row, other));
}

bool MainWindow::openComparison(int left, int right)
{
    // Each side a trace of its own: the Compare view stays as it is while the list and the views
    // move on (the shown trace grows, a kept one moves into the store when shown).
    const auto sideOf = [this](int row, CompareSide &side) {
        const KeptConnection &c = m_connections->at(row);
        side.name = connectionLabel(row);
        if (row == m_connections->current()) {
            m_store->drain();
            side.trace = std::make_shared<const Trace>(m_store->trace());
            side.closing = {m_store->closing(), currentClosingVerdict(m_store->closing())};
            return true;
        }
        if (c.caseResult) {
            side.trace = c.caseResult->trace;
            side.closing = {c.caseResult->closing, c.caseResult->verdict.closing};
            return true;
        }
        if (c.trace) {
            side.trace = std::make_shared<const Trace>(*c.trace);
        } else if (!c.capturePath.isEmpty()) {
            capture::LoadedCapture loaded = capture::loadCapture(c.capturePath);
            if (!loaded.trace) {
                QMessageBox::warning(
                    this, tr("Cannot Compare"),
                    tr("The capture %1 cannot be read: %2")
                        .arg(QDir::toNativeSeparators(c.capturePath), loaded.error));
                return false;
            }
            side.trace = std::shared_ptr<const Trace>(std::move(loaded.trace));
        } else {
            side.trace = std::make_shared<const Trace>();
        }
        side.closing = closingSideOf(*side.trace);
        return true;
    };
    if (left < 0 || right < 0 || left >= m_connections->rowCount() ||
        right >= m_connections->rowCount() || left == right)
        return false;
    CompareSide a, b;
    if (!sideOf(left, a) || !sideOf(right, b))
        return false;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    auto *window = new CompareWindow(std::move(a), std::move(b), this);
    QApplication::restoreOverrideCursor();
    window->show();
    return true;
}

void MainWindow::openCapture()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Capture"), QString(),
        tr("Captures and HAR files (*.pcapng *.pcap *.cap *.har);;All files (*)"));
    if (!path.isEmpty())
        openCaptureFile(path);
}

void MainWindow::addImportedConnection(const QString &name, const QString &path,
                                       const capture::ConnectionRecord &connection, Trace trace)
{
    keepShownConnection();
    KeptConnection c;
    c.source = KeptConnection::Source::Capture;
    c.name = name;
    c.url = connection.url;
    c.started = connection.startedAt;
    c.capturePath = QFileInfo(path).absoluteFilePath();
    c.readOnly = true;
    addConnection(std::move(c));
    m_store->reset(std::move(trace));
    describeShownTrace();
}

bool MainWindow::openCaptureFile(const QString &path, std::optional<int> stream)
{
    const QString fileName = QFileInfo(path).fileName();
    if (!path.endsWith(u".har"_s, Qt::CaseInsensitive)) {
        // A capture: the entry is there at once and fills as the file is read (its remarks
        // come when it has been).
        auto loader = std::make_unique<CaptureLoader>(path, captureLoadOptions(stream), this);
        if (!loader->open()) {
            QMessageBox::warning(
                this, tr("Cannot Open the Capture"),
                tr("%1 cannot be opened: %2").arg(QDir::toNativeSeparators(path), loader->error()));
            return false;
        }
        if (!confirmEndingLiveConnection(tr("Opening a capture")))
            return false;
        const capture::ConnectionRecord &connection = loader->connection();
        Trace trace(loader->limits());
        trace.setStartedAt(connection.startedAt);
        trace.setUrl(connection.url);
        addImportedConnection(stream ? tr("%1, TCP stream %2").arg(fileName).arg(*stream)
                                     : fileName,
                              path, connection, std::move(trace));
        const int row = m_connections->current();
        m_connections->at(row).stream = stream.value_or(-1);
        attachCaptureLoader(row, loader.release());
        statusBar()->showMessage(tr("Opening %1…").arg(QDir::toNativeSeparators(path)), 5000);
        return true;
    }
    // A HAR of a browser: each WebSocket entry a connection of its own.
    capture::HarImport har = capture::loadHar(path);
    if (!har.error.isEmpty()) {
        QMessageBox::warning(
            this, tr("Cannot Open the HAR File"),
            tr("%1 cannot be opened: %2").arg(QDir::toNativeSeparators(path), har.error));
        return false;
    }
    if (!confirmEndingLiveConnection(tr("Opening a HAR file")))
        return false;
    for (capture::HarConnection &c : har.connections) {
        const QString name = har.connections.size() == 1
                                 ? fileName
                                 : tr("%1, entry %2").arg(fileName).arg(c.entryIndex + 1);
        addImportedConnection(name, path, c.connection, std::move(*c.trace));
    }
    if (!har.warnings.isEmpty())
        QMessageBox::information(this, tr("Opened with Remarks"), remarksText(path, har.warnings));
    else
        statusBar()->showMessage(tr("Opened %1").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

void MainWindow::attachCaptureLoader(int row, CaptureLoader *loader)
{
    KeptConnection &c = m_connections->at(row);
    c.loader = loader;
    m_connections->setLoading(row, 0);
    connect(loader, &CaptureLoader::batchReady, this,
            [this, loader](const TraceBatchPtr &batch) { onCaptureBatch(loader, batch); });
    connect(loader, &CaptureLoader::progressed, this,
            [this, loader](int percent) { onCaptureProgress(loader, percent); });
    connect(loader, &CaptureLoader::finished, this,
            [this, loader](const std::shared_ptr<capture::CaptureLoadResult> &result) {
                onCaptureLoaded(loader, result);
            });
    loader->start();
}

int MainWindow::rowOfLoader(const CaptureLoader *loader) const
{
    for (int row = 0; row < m_connections->rowCount(); ++row) {
        if (m_connections->at(row).loader == loader)
            return row;
    }
    return -1;
}

void MainWindow::onCaptureBatch(CaptureLoader *loader, const TraceBatchPtr &batch)
{
    const int row = rowOfLoader(loader);
    if (row < 0)
        return;
    // Shown: appended in slices like a live connection's batches (its flow ticket is given back
    // then, which lets the reader go on). Not shown: into its kept trace at once.
    if (row == m_connections->current())
        m_store->enqueue(batch);
    else if (const std::shared_ptr<Trace> &kept = m_connections->at(row).trace)
        kept->append(std::move(*batch));
}

void MainWindow::onCaptureProgress(CaptureLoader *loader, int percent)
{
    const int row = rowOfLoader(loader);
    if (row < 0)
        return;
    m_connections->setLoading(row, percent);
    const KeptConnection &c = m_connections->at(row);
    if (row != m_connections->current() && c.trace)
        m_connections->summarize(row, *c.trace, c.verdict);
}

void MainWindow::onCaptureLoaded(CaptureLoader *loader,
                                 const std::shared_ptr<capture::CaptureLoadResult> &result)
{
    loader->deleteLater(); // its thread has ended
    const int row = rowOfLoader(loader);
    if (row < 0 || result->cancelled)
        return;
    KeptConnection &c = m_connections->at(row);
    c.loader = nullptr;
    const QString path = c.capturePath;
    const bool shown = row == m_connections->current();
    if (result->foreign) {
        if (!result->trace) {
            // Another tool's file without a stream that can be opened: the entry goes.
            closeConnection(row);
            auto *box = new QMessageBox(
                QMessageBox::Warning, tr("Cannot Open the Capture"),
                tr("%1 cannot be opened: %2").arg(QDir::toNativeSeparators(path), result->error),
                QMessageBox::Ok, this);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
            return;
        }
        c.url = result->connection.url;
        c.started = result->connection.startedAt;
        c.streams = result->streams;
        c.stream = result->stream;
        if (shown)
            m_store->reset(std::move(*result->trace));
        else
            c.trace = std::make_shared<Trace>(std::move(*result->trace));
    }
    m_connections->setLoading(row, 100);
    if (shown)
        describeShownTrace();
    else if (c.trace)
        m_connections->summarize(row, *c.trace, c.verdict);
    adoptCaseAnnotation(row, result->annotations);
    const QStringList remarks = loadRemarks(*result);
    if (!remarks.isEmpty())
        showRemarks(this, path, remarks);
    else
        statusBar()->showMessage(tr("Opened %1").arg(QDir::toNativeSeparators(path)), 5000);
}

bool MainWindow::openOtherCaptureStream(int row)
{
    if (row < 0 || row >= m_connections->rowCount())
        return false;
    const KeptConnection &c = m_connections->at(row);
    if (c.streams.size() < 2)
        return false;
    const QString path = c.capturePath;
    QStringList items;
    for (qsizetype i = 0; i < c.streams.size(); ++i) {
        const TcpStreamSummary &s = c.streams[i].summary;
        items << tr("%1: %2 → %3, %4 packets, %5 sent, %6 received%7")
                     .arg(i)
                     .arg(capture::endpointText(s.client), capture::endpointText(s.server))
                     .arg(s.packets)
                     .arg(format::dataSize(s.octets[int(Direction::Tx)]),
                          format::dataSize(s.octets[int(Direction::Rx)]),
                          c.streams[i].webSocket ? tr(", WebSocket") : QString());
    }
    bool ok = false;
    const QString chosen = QInputDialog::getItem(
        this, tr("Open a TCP Stream"),
        tr("The TCP streams of %1 (client → server); each opens as an entry of its own:")
            .arg(QFileInfo(path).fileName()),
        items, int((c.stream + 1) % c.streams.size()), false, &ok);
    const int index = int(items.indexOf(chosen));
    if (!ok || index < 0)
        return false;
    return openCaptureFile(path, index);
}

void MainWindow::saveCapture()
{
    const QString name = suggestedFileName(m_connections, u".pcapng"_s);
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Capture As"), name,
                                                      tr("pcapng captures (*.pcapng)"));
    if (!path.isEmpty())
        saveCaptureFile(path);
}

bool MainWindow::saveCaptureFile(const QString &path)
{
    m_store->drain(); // everything received so far
    const Trace &trace = m_store->trace();
    QString error;
    if (!capture::saveCapture(path, capture::connectionRecordOf(trace), trace,
                              shownCaseAnnotations(), &error)) {
        QMessageBox::warning(
            this, tr("Save failed"),
            tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), error));
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

void MainWindow::exportHar()
{
    const QString name = suggestedFileName(m_connections, u".har"_s);
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export HAR"), name, tr("HAR files (*.har)"));
    if (!path.isEmpty())
        exportHarFile(path);
}

bool MainWindow::exportHarFile(const QString &path)
{
    m_store->drain();
    capture::HarInfo info;
    info.creatorVersion = QCoreApplication::applicationVersion();
    QString error;
    QStringList warnings;
    if (!capture::saveHar(path, m_store->trace(), info, &error, &warnings)) {
        QMessageBox::warning(
            this, tr("Export failed"),
            tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), error));
        return false;
    }
    statusBar()->showMessage(warnings.isEmpty()
                                 ? tr("Saved %1").arg(QDir::toNativeSeparators(path))
                                 : tr("Saved %1; left out: %2")
                                       .arg(QDir::toNativeSeparators(path), warnings.join(u"; "_s)),
                             10000);
    return true;
}

void MainWindow::editRecording()
{
    SessionController::Recording recording = m_controller->recording();
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Recording"));
    auto *form = new QFormLayout(&dialog);
    auto *enabled = new QCheckBox(tr("&Record every connection as it runs"), &dialog);
    enabled->setChecked(recording.enabled);
    form->addRow(enabled);
    auto *folder = new QLineEdit(QDir::toNativeSeparators(recording.resolvedFolder()), &dialog);
    auto *browse = new QPushButton(tr("&Browse…"), &dialog);
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(folder);
    folderRow->addWidget(browse);
    form->addRow(tr("&Folder:"), folderRow);
    auto *limit = new QSpinBox(&dialog);
    limit->setRange(1, 1024 * 1024);
    limit->setSuffix(tr(" MiB"));
    limit->setValue(int(recording.maxOctets / (1024 * 1024)));
    form->addRow(tr("&Stop a recording at:"), limit);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(browse, &QPushButton::clicked, &dialog, [&] {
        const QString chosen =
            QFileDialog::getExistingDirectory(&dialog, tr("Recording Folder"), folder->text());
        if (!chosen.isEmpty())
            folder->setText(QDir::toNativeSeparators(chosen));
    });
    if (dialog.exec() != QDialog::Accepted)
        return;
    recording.enabled = enabled->isChecked();
    recording.folder = QDir::fromNativeSeparators(folder->text().trimmed());
    recording.maxOctets = qint64(limit->value()) * 1024 * 1024;
    m_controller->setRecording(recording);
    QSettings settings;
    settings.setValue(u"recording/enabled"_s, recording.enabled);
    settings.setValue(u"recording/folder"_s, recording.folder);
    settings.setValue(u"recording/maxMiB"_s, limit->value());
    statusBar()->showMessage(tr("Applies from the next connection."), 5000);
}

} // namespace wsi::gui
