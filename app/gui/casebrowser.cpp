// SPDX-License-Identifier: MIT
#include "casebrowser.h"

#include "casemodels.h"
#include "format.h"
#include "suite/casereport.h"

#include "ui_casebrowser.h"

#include <QFileDialog>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLocale>
#include <QMessageBox>
#include <QRegularExpression>
#include <QSet>
#include <QSortFilterProxyModel>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

// Filters the tree by an id pattern ("6.4.*", "7.1.2") or by words of the description.
class CaseFilterProxy final : public QSortFilterProxyModel
{
public:
    explicit CaseFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
    {
        setRecursiveFilteringEnabled(true);
        setAutoAcceptChildRows(true);
    }

    void setPattern(const QString &text)
    {
        const QString t = text.trimmed();
        static const QRegularExpression idLike(u"^[0-9.*?]+$"_s);
        m_byId = idLike.match(t).hasMatch();
        m_id = QRegularExpression(m_byId ? QRegularExpression::wildcardToRegularExpression(
                                               t.contains(u'*') ? t : t + u'*')
                                         : QString());
        m_text = t;
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        if (m_text.isEmpty())
            return true;
        const QModelIndex idx = sourceModel()->index(row, 0, parent);
        const QString id = idx.data(CaseTreeModel::CaseIdRole).toString();
        if (id.isEmpty())
            return false; // groups show when one of their cases does
        if (m_byId)
            return m_id.match(id).hasMatch();
        const QString description =
            sourceModel()->index(row, CaseTreeModel::DescriptionColumn, parent).data().toString();
        return description.contains(m_text, Qt::CaseInsensitive);
    }

private:
    QString m_text;
    bool m_byId = false;
    QRegularExpression m_id;
};

QString formatSeconds(qint64 ms)
{
    if (ms < 0)
        return CaseBrowser::tr("unknown");
    const qint64 s = (ms + 999) / 1000;
    if (s < 60)
        return format::resolvePlural(CaseBrowser::tr("%n second(s)", nullptr, int(s)), s);
    return CaseBrowser::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
}

} // namespace

CaseBrowser::CaseBrowser(QWidget *parent)
    : QWidget(parent), m_ui(std::make_unique<Ui::CaseBrowser>())
{
    m_ui->setupUi(this);
    m_tree = new CaseTreeModel(this);
    auto *filter = new CaseFilterProxy(this);
    filter->setSourceModel(m_tree);
    m_filter = filter;
    m_ui->caseTree->setModel(m_filter);
    m_ui->caseTree->header()->setStretchLastSection(true);
    m_ui->caseTree->setColumnWidth(CaseTreeModel::IdColumn,
                                   fontMetrics().horizontalAdvance(u"00.00.00"_s) + 60);
    m_results = new CaseResultModel(this);
    m_ui->resultView->setModel(m_results);
    m_ui->resultView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_ui->resultView->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    const int digit = fontMetrics().horizontalAdvance(u'0');
    m_ui->resultView->setColumnWidth(CaseResultModel::CaseColumn, digit * 8 + 16);
    m_ui->resultView->setColumnWidth(CaseResultModel::ResultColumn,
                                     fontMetrics().horizontalAdvance(tr("Non-Strict")) + 24);
    m_ui->resultView->setColumnWidth(CaseResultModel::CloseColumn,
                                     fontMetrics().horizontalAdvance(tr("Unclean")) + 24);
    m_ui->resultView->setColumnWidth(CaseResultModel::DurationColumn, digit * 9 + 16);
    m_ui->splitter->setStretchFactor(0, 3);
    m_ui->splitter->setStretchFactor(1, 2);
    m_ui->progressBar->setFormat(tr("%v of %m"));
    m_ui->progressBar->setMaximum(1);

    m_runner = new CaseRunner(this);
    connect(m_runner, &CaseRunner::caseStarted, this, &CaseBrowser::onCaseStarted);
    connect(m_runner, &CaseRunner::caseFinished, this, &CaseBrowser::onCaseFinished);
    connect(m_runner, &CaseRunner::finished, this, &CaseBrowser::onFinished);

    connect(m_ui->filterEdit, &QLineEdit::textChanged, this, [this, filter](const QString &t) {
        filter->setPattern(t);
        if (!t.isEmpty())
            m_ui->caseTree->expandAll();
    });
    connect(m_ui->caseTree->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateDetail();
        updateButtons();
    });
    connect(m_ui->caseTree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &CaseBrowser::updateDetail);
    connect(m_ui->caseTree, &QTreeView::doubleClicked, this, [this](const QModelIndex &index) {
        if (const CaseDefinition *def = m_tree->caseAt(m_filter->mapToSource(index)))
            run({def});
    });
    connect(m_ui->runSelectedButton, &QPushButton::clicked, this, &CaseBrowser::runSelected);
    connect(m_ui->runAllButton, &QPushButton::clicked, this,
            [this] { run(m_tree->casesUnder(QModelIndex())); });
    connect(m_ui->cancelButton, &QPushButton::clicked, this, &CaseBrowser::cancel);
    connect(m_ui->openAsScenarioButton, &QPushButton::clicked, this, [this] {
        const QList<const CaseDefinition *> cases = selectedCases();
        if (cases.size() == 1)
            Q_EMIT openAsScenario(cases.constFirst());
    });
    connect(m_ui->resultView, &QTableView::doubleClicked, this,
            [this](const QModelIndex &index) { openResult(index.row()); });
    connect(m_ui->openResultButton, &QPushButton::clicked, this,
            [this] { openResult(m_ui->resultView->currentIndex().row()); });
    connect(m_ui->resultView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &CaseBrowser::updateButtons);
    connect(m_ui->exportButton, &QPushButton::clicked, this, &CaseBrowser::exportInteractively);
    updateDetail();
    updateButtons();
}

CaseBrowser::~CaseBrowser() = default;

bool CaseBrowser::isRunning() const
{
    return m_runner->isRunning();
}

QList<const CaseDefinition *> CaseBrowser::selectedCases() const
{
    // A selected group stands for its cases; each case once, in library order.
    QSet<const CaseDefinition *> chosen;
    for (const QModelIndex &index : m_ui->caseTree->selectionModel()->selectedRows()) {
        for (const CaseDefinition *def : m_tree->casesUnder(m_filter->mapToSource(index)))
            chosen.insert(def);
    }
    QList<const CaseDefinition *> out;
    for (const CaseDefinition &def : caseLibrary()) {
        if (chosen.contains(&def))
            out.append(&def);
    }
    return out;
}

int CaseBrowser::selectCases(const QString &pattern)
{
    QString error;
    const QList<const CaseDefinition *> cases = wsi::selectCases({pattern}, {}, &error);
    QItemSelection selection;
    for (const CaseDefinition *def : cases) {
        const QModelIndex index = m_filter->mapFromSource(m_tree->indexOf(def->id));
        if (index.isValid())
            selection.select(index, index);
    }
    m_ui->caseTree->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect |
                                                            QItemSelectionModel::Rows);
    if (!cases.isEmpty()) {
        const QModelIndex first = m_filter->mapFromSource(m_tree->indexOf(cases.first()->id));
        m_ui->caseTree->scrollTo(first);
        m_ui->caseTree->selectionModel()->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
    }
    return int(cases.size());
}

void CaseBrowser::runSelected()
{
    run(selectedCases());
}

void CaseBrowser::run(const QList<const CaseDefinition *> &cases)
{
    if (cases.isEmpty() || m_runner->isRunning())
        return;
    CaseRunner::Options options;
    if (m_settingsProvider)
        options.settings = m_settingsProvider();
    const QString scheme = options.settings.url.scheme();
    if (!options.settings.url.isValid() || (scheme != u"ws"_s && scheme != u"wss"_s)) {
        m_ui->progressLabel->setText(
            tr("Enter a ws:// or wss:// URL in the connection bar first."));
        return;
    }
    options.jobs = m_ui->jobsSpin->value();
    options.keepTraces = true;
    m_observer = m_observerProvider ? m_observerProvider() : nullptr;
    options.observer = m_observer.get();
    m_running.clear();
    m_results->reset(cases);
    m_ui->progressBar->setMaximum(int(cases.size()));
    m_ui->progressBar->setValue(0);
    m_runner->start(cases, options);
    m_ui->progressLabel->setText(progressText());
    updateButtons();
    Q_EMIT runningChanged(true);
}

void CaseBrowser::cancel()
{
    m_runner->cancel();
}

QString CaseBrowser::progressText() const
{
    if (!m_runner->isRunning()) {
        if (m_runner->total() == 0)
            return tr("No cases run yet.");
        int pass = 0;
        for (const CaseResult &r : m_runner->results()) {
            if (r.ran() && isPassing(r.verdict.behavior))
                ++pass;
        }
        return format::resolvePlural(tr("Done: %1 of %n case(s) passed (Pass, Non-Strict or Info).",
                                        nullptr, m_runner->total()),
                                     m_runner->total())
            .arg(pass);
    }
    const QString running = m_running.join(u", "_s);
    return tr("Case %1 of %2: %3 — time left: %4")
        .arg(std::min(m_runner->done() + 1, m_runner->total()))
        .arg(m_runner->total())
        .arg(running.isEmpty() ? tr("starting") : running, formatSeconds(m_runner->remainingMs()));
}

void CaseBrowser::onCaseStarted(int position, const QString &id)
{
    m_running.append(id);
    m_results->setRunning(position);
    m_ui->progressLabel->setText(progressText());
}

void CaseBrowser::onCaseFinished(int position)
{
    const CaseResult &r = m_runner->results().at(position);
    if (r.definition)
        m_running.removeOne(r.definition->id);
    m_results->setResult(position, r);
    m_ui->progressBar->setValue(m_runner->done());
    m_ui->progressLabel->setText(progressText());
}

void CaseBrowser::onFinished()
{
    m_running.clear();
    m_ui->progressBar->setValue(m_runner->done());
    m_ui->progressLabel->setText(progressText());
    updateButtons();
    Q_EMIT runningChanged(false);
}

void CaseBrowser::updateDetail()
{
    const CaseDefinition *def =
        m_tree->caseAt(m_filter->mapToSource(m_ui->caseTree->currentIndex()));
    if (!def) {
        const int cases = int(caseLibrary().size());
        m_ui->detailLabel->setText(format::resolvePlural(
            tr("%n case(s) in the library. Select cases or groups and run them "
               "against the URL of the connection bar.",
               nullptr, cases),
            cases));
        return;
    }
    m_ui->detailLabel->setText(tr("<b>Case %1</b> — %2<br><i>Expectation:</i> %3")
                                   .arg(def->id, def->description, def->expectation));
}

void CaseBrowser::updateButtons()
{
    const bool running = m_runner->isRunning();
    const QList<const CaseDefinition *> selected = selectedCases();
    m_ui->runSelectedButton->setEnabled(!running && !selected.isEmpty());
    m_ui->runAllButton->setEnabled(!running);
    m_ui->openAsScenarioButton->setEnabled(selected.size() == 1);
    m_ui->cancelButton->setEnabled(running);
    m_ui->jobsSpin->setEnabled(!running);
    const CaseResult *current = m_results->resultAt(m_ui->resultView->currentIndex().row());
    m_ui->openResultButton->setEnabled(current && current->trace);
    m_ui->exportButton->setEnabled(!running && !m_results->results().isEmpty());
}

void CaseBrowser::openResult(int row)
{
    const CaseResult *r = m_results->resultAt(row);
    if (r && r->trace)
        Q_EMIT resultOpened(*r);
}

QString CaseBrowser::exportReports(const QString &dir) const
{
    const QList<CaseResult> results = m_results->results();
    QString error = prepareReportDirectory(dir);
    for (qsizetype i = 0; error.isEmpty() && i < results.size(); ++i)
        error = writeCaseReport(dir, results[i]);
    if (error.isEmpty())
        error = writeReportIndex(dir, results);
    return error;
}

void CaseBrowser::exportInteractively()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export Reports To"));
    if (dir.isEmpty())
        return;
    const QString error = exportReports(dir);
    if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Export failed"), error);
        return;
    }
    m_ui->progressLabel->setText(tr("Reports written to %1 (index.html).").arg(dir));
}

} // namespace wsi::gui
