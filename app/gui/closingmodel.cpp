// SPDX-License-Identifier: MIT
#include "closingmodel.h"
#include "theme.h"

#include <cstring>

using namespace Qt::StringLiterals;

namespace wsi::gui {

// Keys, values (True/False/None) and descriptions are the reference report's strings
// (docs/closing.md §1, docs/reports.md) and stay untranslated on purpose: they are what a user
// compares with Autobahn's HTML and JSON. Only the column titles are ours.

ClosingModel::ClosingModel(const TraceStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store), m_fields(closingFields())
{
    Q_ASSERT(store);
    m_values = currentValues();
    connect(m_store, &TraceStore::grown, this, &ClosingModel::refresh);
    connect(m_store, &TraceStore::aboutToReset, this, &ClosingModel::onAboutToReset);
    connect(m_store, &TraceStore::resetDone, this, &ClosingModel::onResetDone);
}

QStringList ClosingModel::currentValues() const
{
    const ClosingBehavior &behavior = m_store->closing();
    QStringList values;
    values.reserve(m_fields.size());
    for (const ClosingField &field : m_fields)
        values << closingFieldValue(behavior, field.key);
    return values;
}

void ClosingModel::refresh()
{
    // closing() is recomputed by the store only when events arrived; comparing 13 short
    // strings per batch is nothing.
    const QStringList values = currentValues();
    int first = -1;
    int last = -1;
    for (int row = 0; row < values.size(); ++row) {
        if (values.at(row) != m_values.at(row)) {
            if (first < 0)
                first = row;
            last = row;
        }
    }
    m_values = values;
    if (first >= 0)
        Q_EMIT dataChanged(index(first, ValueColumn), index(last, ValueColumn));
}

void ClosingModel::onAboutToReset()
{
    beginResetModel();
}

void ClosingModel::onResetDone()
{
    m_values = currentValues();
    endResetModel();
}

int ClosingModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_fields.size());
}

int ClosingModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

int ClosingModel::rowOf(const QString &key) const
{
    for (int row = 0; row < m_fields.size(); ++row) {
        if (key == QLatin1StringView(m_fields.at(row).key))
            return row;
    }
    return -1;
}

QVariant ClosingModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case KeyColumn:
        return tr("Key");
    case ValueColumn:
        return tr("Value");
    case DescriptionColumn:
        return tr("Description");
    default:
        return {};
    }
}

bool ClosingModel::isWarning(int row) const
{
    const char *key = m_fields.at(row).key;
    const QString &value = m_values.at(row);
    const auto is = [key](const char *name) { return std::strcmp(key, name) == 0; };
    if (is("wasClean"))
        return value == u"False"_s;
    if (is("wasNotCleanReason"))
        return value != u"None"_s;
    if (is("wasServerConnectionDropTimeout") || is("wasOpenHandshakeTimeout") ||
        is("wasCloseHandshakeTimeout") || is("failedByMe"))
        return value == u"True"_s;
    return false;
}

bool ClosingModel::isGood(int row) const
{
    return std::strcmp(m_fields.at(row).key, "wasClean") == 0 && m_values.at(row) == u"True"_s;
}

QVariant ClosingModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= NUM_COLUMNS)
        return {};
    const int row = index.row();
    const ClosingField &field = m_fields.at(row);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KeyColumn:
            return QString::fromLatin1(field.key);
        case ValueColumn:
            return m_values.at(row);
        case DescriptionColumn:
            return QString::fromUtf8(field.description);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == DescriptionColumn || index.column() == KeyColumn)
            return QString::fromUtf8(field.description);
        return {};
    case Qt::ForegroundRole:
        if (index.column() != ValueColumn)
            return {};
        if (isWarning(row))
            return theme::text(QColor(theme::kWarning));
        if (isGood(row))
            return theme::text(QColor(theme::kGood));
        return {};
    case KeyRole:
        return QString::fromLatin1(field.key);
    default:
        return {};
    }
}

} // namespace wsi::gui
