// SPDX-License-Identifier: MIT
#pragma once

#include "suite/caserunner.h"
#include "suite/cases.h"

#include <QWidget>

#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QSortFilterProxyModel;
QT_END_NAMESPACE

namespace wsi::gui {

namespace Ui {
class CaseBrowser;
} // namespace Ui

class CaseResultModel;
class CaseTreeModel;

// The case library in the window: the groups as a tree with descriptions and expectations; run
// one case, a selection or all against the connection bar's URL with a progress bar and cancel;
// a results table coloured by verdict; a result opens its trace in the window's views; the
// reports (index.json, index.html, per-case JSON and HTML) are exported from here.
class CaseBrowser final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaseBrowser)

public:
    explicit CaseBrowser(QWidget *parent = nullptr);
    ~CaseBrowser() override;

    // Where the cases run: the window supplies its connection bar's current settings.
    void setSettingsProvider(std::function<SessionSettings()> provider)
    {
        m_settingsProvider = std::move(provider);
    }

    // Who sees the cases' records as they run (the window records each case into a capture):
    // asked once per run, kept until the next one starts. None: no observer.
    void setObserverProvider(std::function<std::shared_ptr<CaseRunner::Observer>()> provider)
    {
        m_observerProvider = std::move(provider);
    }

    void run(const QList<const CaseDefinition *> &cases);
    void runSelected();
    void cancel();
    [[nodiscard]] bool isRunning() const;
    // Selects the cases matching a pattern in the tree ("6.4.*"); returns how many.
    int selectCases(const QString &pattern);
    // Writes the reports of the finished results into `dir`; returns the error text, empty on
    // success.
    [[nodiscard]] QString exportReports(const QString &dir) const;

    [[nodiscard]] CaseTreeModel *treeModel() const { return m_tree; }
    [[nodiscard]] CaseResultModel *resultModel() const { return m_results; }
    [[nodiscard]] CaseRunner *runner() const { return m_runner; }
    [[nodiscard]] QString progressText() const;

Q_SIGNALS:
    // The user opened a finished result: show its trace.
    void resultOpened(const wsi::CaseResult &result);
    // The user wants the case's steps in the sequence editor.
    void openAsScenario(const wsi::CaseDefinition *definition);
    void runningChanged(bool running);

private:
    void onCaseStarted(int position, const QString &id);
    void onCaseFinished(int position);
    void onFinished();
    void updateDetail();
    void updateButtons();
    void openResult(int row);
    void exportInteractively();
    [[nodiscard]] QList<const CaseDefinition *> selectedCases() const;

    std::unique_ptr<Ui::CaseBrowser> m_ui;
    CaseTreeModel *m_tree = nullptr;
    QSortFilterProxyModel *m_filter = nullptr;
    CaseResultModel *m_results = nullptr;
    CaseRunner *m_runner = nullptr;
    std::function<SessionSettings()> m_settingsProvider;
    std::function<std::shared_ptr<CaseRunner::Observer>()> m_observerProvider;
    std::shared_ptr<CaseRunner::Observer> m_observer; // the last run's
    QStringList m_running;                            // ids of the cases running now
    QString m_agent;
};

} // namespace wsi::gui
