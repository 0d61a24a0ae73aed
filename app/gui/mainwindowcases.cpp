// SPDX-License-Identifier: MIT
// The main window's case library: the Cases dock, opening a case result in the views, and
// opening a library case as a scenario.
#include "casebrowser.h"
#include "cli/casecaptures.h"
#include "connectionbar.h"
#include "mainwindow.h"
#include "sequencewidget.h"
#include "sessioncontroller.h"
#include "suite/caseannotation.h"
#include "suite/scenario.h"
#include "tracestore.h"

#include "ui_mainwindow.h"

#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QStatusBar>

using namespace Qt::StringLiterals;

namespace wsi::gui {

void MainWindow::buildCaseBrowser()
{
    auto *dock = new QDockWidget(tr("Cases"), this);
    dock->setObjectName(u"casesDock"_s);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    m_caseBrowser = new CaseBrowser(dock);
    dock->setWidget(m_caseBrowser);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    dock->hide(); // opened from View ▸ Cases (Ctrl+Shift+L: the case library)

    QAction *toggle = dock->toggleViewAction();
    toggle->setText(tr("&Cases"));
    // Ctrl+K is Connect, Ctrl+Shift+C copies a frame as a command; L for the case library.
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    toggle->setToolTip(tr("Show the case library: run Autobahn test cases against the server"));
    m_ui->menuView->insertAction(m_ui->menuView->actions().value(0), toggle);

    // The cases run against what the connection bar says, with its handshake settings.
    m_caseBrowser->setSettingsProvider([this] { return m_connectionBar->settings(); });
    // With recording on (Capture ▸ Recording), each run's cases are recorded as they run, one
    // capture per case named like its reports, in a folder of the run's own.
    m_caseBrowser->setObserverProvider([this]() -> std::shared_ptr<CaseRunner::Observer> {
        const SessionController::Recording &recording = m_controller->recording();
        m_caseCaptures.reset();
        if (!recording.enabled)
            return nullptr;
        const QString folder =
            QDir(recording.resolvedFolder())
                .filePath(QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss-zzz"_s) +
                          u" cases"_s);
        m_caseCaptures = std::make_shared<cli::CaseCaptures>(
            folder, m_connectionBar->settings(), QString(), [this](const QString &why) {
                statusBar()->showMessage(
                    tr("Recording of the cases stopped (%1); the run goes on.").arg(why), 15000);
            });
        return m_caseCaptures;
    });
    connect(m_caseBrowser, &CaseBrowser::resultOpened, this, &MainWindow::showCaseResult);
    connect(m_caseBrowser, &CaseBrowser::openAsScenario, this, &MainWindow::openCaseAsScenario);
}

void MainWindow::showCaseResult(const CaseResult &result)
{
    if (!result.trace)
        return;
    // A live connection would keep writing into the views: it ends first, if the user agrees.
    // What the views showed stays in the Connections list; the case gets an entry of its own.
    if (!confirmEndingLiveConnection(tr("Showing the case's trace")))
        return;
    keepShownConnection();
    KeptConnection c;
    c.source = KeptConnection::Source::Case;
    const QString caseId = result.definition ? result.definition->id : QString();
    c.name = caseId.isEmpty() ? result.agent : tr("Case %1 — %2").arg(caseId, result.agent);
    c.url = result.trace->url();
    c.started = result.trace->startedAt();
    c.caseResult = result;
    // Where the run recorded it, when it did (its Connections entry says so).
    if (m_caseCaptures && !m_caseCaptures->failed() && !caseId.isEmpty()) {
        const QString recorded = m_caseCaptures->pathOf(result.agent, caseId);
        if (QFileInfo::exists(recorded))
            c.capturePath = recorded;
    }
    addConnection(std::move(c));
    m_openedCase = result;
    m_store->reset(Trace(*result.trace));
    // The badge describes what the views show: the case's connection, not the last live one.
    m_connectionBar->setState(SessionState::Closed, QUrl(result.trace->url()).scheme() == u"wss"_s);
    refreshPanels();
    const QString id = result.definition ? result.definition->id : QString();
    setWindowTitle(tr("Case %1 — %2 — WebSocket Inspector").arg(id, result.agent));
    statusBar()->showMessage(tr("Showing case %1: %2 / %3")
                                 .arg(id, verdictText(result.verdict.behavior),
                                      verdictText(result.verdict.closing.verdict)),
                             8000);
}

QList<capture::AnnotationRecord> MainWindow::shownCaseAnnotations() const
{
    if (!m_openedCase || !m_openedCase->definition)
        return {};
    return {{kCaseAnnotationKind.toString(), caseAnnotation(*m_openedCase)}};
}

void MainWindow::adoptCaseAnnotation(int row, const QList<capture::AnnotationRecord> &annotations)
{
    const auto note = std::find_if(
        annotations.cbegin(), annotations.cend(),
        [](const capture::AnnotationRecord &a) { return a.kind == kCaseAnnotationKind; });
    if (note == annotations.cend() || row < 0 || row >= m_connections->rowCount())
        return;
    KeptConnection &c = m_connections->at(row);
    const bool shown = row == m_connections->current();
    if (!shown && !c.trace)
        return;
    // The result keeps a trace of its own, as a case shown from the case browser does.
    QString error;
    std::optional<CaseResult> result = caseResultFromAnnotation(
        note->data, std::make_shared<const Trace>(shown ? m_store->trace() : *c.trace), &error);
    if (!result) {
        statusBar()->showMessage(
            tr("The capture holds a case whose verdict cannot be read (%1); it is shown as a "
               "plain connection.")
                .arg(error),
            15000);
        return;
    }
    c.caseResult = result;
    if (!shown) {
        c.behavior = c.caseResult->verdict.behavior;
        c.verdict = c.caseResult->verdict.closing.verdict;
        m_connections->summarize(row, *c.trace, c.verdict);
        return;
    }
    m_openedCase = std::move(result);
    refreshConnectionRow();
    describeShownTrace();
    const QString id = m_openedCase->definition->id;
    setWindowTitle(tr("Case %1 — %2 — WebSocket Inspector").arg(id, m_openedCase->agent));
}

void MainWindow::openCaseAsScenario(const CaseDefinition *definition)
{
    if (!definition)
        return;
    m_sequence->setScenario(scenarioFromCase(*definition));
    statusBar()->showMessage(
        tr("Case %1 is in the sequence editor: change it, save it, or run it on a connection.")
            .arg(definition->id),
        8000);
}

} // namespace wsi::gui
