// SPDX-License-Identifier: MIT
#include "casemodels.h"

#include "suite/casereport.h"
#include "trace/report.h"

#include "format.h"
#include "theme.h"

#include <QColor>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

// "6.4.1" → "6.4"; "2.1" → "2"; "1" → "".
QString parentId(const QString &id)
{
    const qsizetype dot = id.lastIndexOf(u'.');
    return dot < 0 ? QString() : id.left(dot);
}

// A description on one line: the reference's HTML fragments (<br>, <b>) as plain text.
QString plainText(const QString &html)
{
    return plainCaseText(html).replace(u'\n', u' ').simplified();
}

} // namespace

// ---- CaseTreeModel ----------------------------------------------------------------------------

CaseTreeModel::CaseTreeModel(QObject *parent) : QAbstractItemModel(parent)
{
    QHash<QString, int> groups;
    const auto groupNode = [&](const QString &id, auto &&self) -> int {
        if (const auto it = groups.constFind(id); it != groups.constEnd())
            return *it;
        const QString up = parentId(id);
        const int parentNode = up.isEmpty() ? -1 : self(up, self);
        const int node = addNode(id, caseGroupTitle(id), parentNode, nullptr);
        groups.insert(id, node);
        return node;
    };
    for (const CaseDefinition &def : caseLibrary()) {
        // Cases with three parts ("1.1.1") sit in a subgroup; "2.1" directly in its group.
        const QString group = parentId(def.id);
        addNode(def.id, def.description, groupNode(group, groupNode), &def);
    }
}

int CaseTreeModel::addNode(const QString &id, const QString &title, int parent,
                           const CaseDefinition *def)
{
    Node n;
    n.id = id;
    n.title = title;
    n.parent = parent;
    n.def = def;
    const int index = int(m_nodes.size());
    QList<int> &siblings = parent < 0 ? m_top : m_nodes[parent].children;
    n.row = int(siblings.size());
    siblings.append(index);
    m_nodes.append(n);
    return index;
}

QModelIndex CaseTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= NUM_COLUMNS || row < 0)
        return {};
    const QList<int> &children =
        parent.isValid() ? m_nodes[int(parent.internalId())].children : m_top;
    if (row >= children.size())
        return {};
    return createIndex(row, column, quintptr(children[row]));
}

QModelIndex CaseTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const int p = m_nodes[int(child.internalId())].parent;
    if (p < 0)
        return {};
    return createIndex(m_nodes[p].row, 0, quintptr(p));
}

int CaseTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_top.size());
    if (parent.column() != 0)
        return 0;
    return int(m_nodes[int(parent.internalId())].children.size());
}

int CaseTreeModel::columnCount(const QModelIndex &) const
{
    return NUM_COLUMNS;
}

QVariant CaseTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node &n = m_nodes[int(index.internalId())];
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == IdColumn)
            return n.id;
        if (n.def)
            return plainText(n.title);
        return n.title;
    case Qt::ToolTipRole: {
        if (n.def) {
            // The library's texts are the reference's HTML fragments (line breaks as <br>).
            return tr("<p><b>Case %1</b></p><p>%2</p><p><i>Expectation:</i> %3</p>")
                .arg(n.id, n.def->description, n.def->expectation);
        }
        const int cases = int(casesUnder(index).size());
        return format::resolvePlural(tr("%n case(s)", nullptr, cases), cases);
    }
    case CaseIdRole:
        return n.def ? n.id : QString();
    default:
        return {};
    }
}

QVariant CaseTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == IdColumn ? tr("Case") : tr("Description");
}

const CaseDefinition *CaseTreeModel::caseAt(const QModelIndex &index) const
{
    return index.isValid() ? m_nodes[int(index.internalId())].def : nullptr;
}

void CaseTreeModel::collect(int node, QList<const CaseDefinition *> &out) const
{
    const Node &n = m_nodes[node];
    if (n.def)
        out.append(n.def);
    for (int c : n.children)
        collect(c, out);
}

QList<const CaseDefinition *> CaseTreeModel::casesUnder(const QModelIndex &index) const
{
    QList<const CaseDefinition *> out;
    if (!index.isValid()) {
        for (int t : m_top)
            collect(t, out);
    } else {
        collect(int(index.internalId()), out);
    }
    return out;
}

QModelIndex CaseTreeModel::indexOf(const QString &caseId) const
{
    for (int i = 0; i < m_nodes.size(); ++i) {
        if (m_nodes[i].id == caseId)
            return createIndex(m_nodes[i].row, 0, quintptr(i));
    }
    return {};
}

// ---- CaseResultModel --------------------------------------------------------------------------

CaseResultModel::CaseResultModel(QObject *parent) : QAbstractTableModel(parent) {}

void CaseResultModel::reset(const QList<const CaseDefinition *> &cases)
{
    beginResetModel();
    m_rows.clear();
    m_rows.reserve(cases.size());
    for (const CaseDefinition *def : cases) {
        Row r;
        r.def = def;
        m_rows.append(r);
    }
    endResetModel();
}

void CaseResultModel::setRunning(int position)
{
    if (position < 0 || position >= m_rows.size())
        return;
    m_rows[position].running = true;
    Q_EMIT dataChanged(index(position, 0), index(position, NUM_COLUMNS - 1));
}

void CaseResultModel::setResult(int position, const CaseResult &result)
{
    if (position < 0 || position >= m_rows.size())
        return;
    Row &r = m_rows[position];
    r.running = false;
    r.done = true;
    r.result = result;
    Q_EMIT dataChanged(index(position, 0), index(position, NUM_COLUMNS - 1));
}

int CaseResultModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CaseResultModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QString CaseResultModel::cellText(std::optional<Verdict> behavior)
{
    if (!behavior)
        return tr("Missing");
    switch (*behavior) {
    case Verdict::Ok:
        return tr("Pass");
    case Verdict::NonStrict:
        return tr("Non-Strict");
    case Verdict::Informational:
        return tr("Info");
    case Verdict::Unimplemented:
        return tr("Unimplemented");
    case Verdict::Failed:
        break;
    }
    return tr("Fail");
}

QString CaseResultModel::closeCellText(const CaseResult &result)
{
    // The master table's rule (casereport's closeCell); its two words in the user's language.
    const QString text =
        closeCell(result.verdict.closing.verdict, result.closing.remoteCloseCode).text;
    if (text == u"Unclean"_s)
        return tr("Unclean");
    if (text == u"Fail"_s)
        return tr("Fail");
    return text;
}

QColor CaseResultModel::verdictBackground(VerdictTone tone)
{
    return theme::toneBackground(tone);
}

QVariant CaseResultModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &r = m_rows[index.row()];
    const CaseResult &res = r.result;
    const bool ran = r.done && res.ran();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case CaseColumn:
            return r.def ? r.def->id : QString();
        case ResultColumn:
            if (r.running)
                return tr("Running…");
            if (!r.done)
                return tr("Waiting");
            if (!res.ran())
                return tr("Skipped");
            return cellText(res.verdict.behavior);
        case CloseColumn:
            return ran ? closeCellText(res) : QString();
        case DurationColumn:
            return ran ? tr("%1 ms").arg(QLocale().toString(res.durationMs)) : QString();
        case OutcomeColumn:
            if (!r.done)
                return QString();
            if (!res.ran())
                return res.skipped;
            return QString(res.verdict.result + u" · "_s + res.verdict.closing.text + u" ("_s +
                           verdictText(res.verdict.closing.verdict) + u')');
        default:
            return {};
        }
    case Qt::BackgroundRole:
        if (ran && index.column() == ResultColumn)
            return verdictBackground(verdictTone(res.verdict.behavior));
        if (ran && index.column() == CloseColumn)
            return verdictBackground(verdictTone(res.verdict.closing.verdict));
        return {};
    case Qt::ToolTipRole:
        if (r.def && index.column() == CaseColumn)
            return plainText(r.def->description);
        if (ran)
            return QString(res.verdict.result + u'\n' + res.verdict.closing.text);
        return {};
    case BehaviorRole:
        return ran ? QVariant(int(res.verdict.behavior)) : QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == DurationColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant CaseResultModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case CaseColumn:
        return tr("Case");
    case ResultColumn:
        return tr("Result");
    case CloseColumn:
        return tr("Close");
    case DurationColumn:
        return tr("Duration");
    case OutcomeColumn:
        return tr("Outcome");
    default:
        return {};
    }
}

const CaseResult *CaseResultModel::resultAt(int row) const
{
    if (row < 0 || row >= m_rows.size() || !m_rows[row].done)
        return nullptr;
    return &m_rows[row].result;
}

QList<CaseResult> CaseResultModel::results() const
{
    QList<CaseResult> out;
    for (const Row &r : m_rows) {
        if (r.done)
            out.append(r.result);
    }
    return out;
}

} // namespace wsi::gui
