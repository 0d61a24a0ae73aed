// SPDX-License-Identifier: MIT
#include "statisticsmodel.h"

#include "protocol/frame.h"

#include <QFont>

using namespace Qt::StringLiterals;

namespace wsi::gui {

StatisticsModel::StatisticsModel(const TraceStore *store, Kind kind, QObject *parent)
    : QAbstractTableModel(parent), m_store(store), m_kind(kind)
{
    Q_ASSERT(store);
    load();
    connect(m_store, &TraceStore::grown, this, &StatisticsModel::refresh);
    connect(m_store, &TraceStore::aboutToReset, this, &StatisticsModel::onAboutToReset);
    connect(m_store, &TraceStore::resetDone, this, &StatisticsModel::onResetDone);
}

bool StatisticsModel::isOctets() const
{
    return m_kind == Kind::RxOctets || m_kind == Kind::TxOctets;
}

const CountMap &StatisticsModel::counts() const
{
    const WireStatistics &stats = m_store->trace().statistics();
    switch (m_kind) {
    case Kind::RxOctets:
        return stats.rxOctets;
    case Kind::TxOctets:
        return stats.txOctets;
    case Kind::RxFrames:
        return stats.rxFrames;
    case Kind::TxFrames:
        break;
    }
    return stats.txFrames;
}

QString StatisticsModel::title() const
{
    switch (m_kind) {
    case Kind::RxOctets:
        return u"Octets Received by Chop Size"_s;
    case Kind::TxOctets:
        return u"Octets Transmitted by Chop Size"_s;
    case Kind::RxFrames:
        return u"Frames Received by Opcode"_s;
    case Kind::TxFrames:
        break;
    }
    return u"Frames Transmitted by Opcode"_s;
}

void StatisticsModel::load()
{
    m_rows.clear();
    m_totalCount = 0;
    m_totalOctets = 0;
    for (const auto &[key, count] : counts()) {
        m_rows.emplace_back(key, count);
        m_totalCount += count;
        m_totalOctets += key * count;
    }
}

void StatisticsModel::refresh()
{
    const CountMap &now = counts();
    bool sameKeys = now.size() == m_rows.size();
    bool changed = !sameKeys;
    if (sameKeys) {
        size_t i = 0;
        for (const auto &[key, count] : now) {
            if (m_rows[i].first != key) {
                sameKeys = false;
                break;
            }
            changed = changed || m_rows[i].second != count;
            ++i;
        }
    }
    if (!sameKeys) {
        // A new chop size or opcode: rows appear in the middle of the sorted list. A reset of a
        // few dozen rows is simpler than, and as cheap as, computing the insert positions.
        beginResetModel();
        load();
        endResetModel();
        return;
    }
    if (!changed)
        return;
    load();
    Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

void StatisticsModel::onAboutToReset()
{
    beginResetModel();
    m_rows.clear();
    m_totalCount = 0;
    m_totalOctets = 0;
}

void StatisticsModel::onResetDone()
{
    load();
    endResetModel();
}

int StatisticsModel::rowCount(const QModelIndex &parent) const
{
    // The Total row is always there, even with no key yet (then 0 and 0).
    return parent.isValid() ? 0 : int(m_rows.size()) + 1;
}

int StatisticsModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return isOctets() ? NUM_COLUMNS : OctetsColumn;
}

QVariant StatisticsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case KeyColumn:
        return isOctets() ? tr("Chop Size") : tr("Opcode");
    case CountColumn:
        return tr("Count");
    case OctetsColumn:
        return isOctets() ? tr("Octets") : QVariant();
    default:
        return {};
    }
}

QVariant StatisticsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const bool total = size_t(index.row()) == m_rows.size();
    const qint64 key = total ? -1 : m_rows[size_t(index.row())].first;
    const qint64 count = total ? m_totalCount : m_rows[size_t(index.row())].second;
    const qint64 octets = total ? m_totalOctets : key * count;

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KeyColumn:
            if (total)
                return tr("Total");
            if (isOctets())
                return QString::number(key);
            // "1 (Text)": the number as the report has it, the name as the protocol says it.
            return QString(QString::number(key) + u" ("_s +
                           (isReservedOpcode(int(key)) ? tr("Reserved") : opcodeName(int(key))) +
                           u')');
        case CountColumn:
            return QString::number(count);
        case OctetsColumn:
            return QString::number(octets);
        default:
            return {};
        }
    case SortRole:
        // Numbers as numbers. The Total row's key is -1: a proxy cannot pin it last, so a view
        // that sorts this table has to keep the Total row apart itself.
        switch (index.column()) {
        case KeyColumn:
            return key;
        case CountColumn:
            return count;
        case OctetsColumn:
            return octets;
        default:
            return {};
        }
    case KeyRole:
        return key;
    case Qt::TextAlignmentRole:
        if (index.column() == KeyColumn && (total || !isOctets()))
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        return int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole:
        if (total) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    default:
        return {};
    }
}

} // namespace wsi::gui
