// SPDX-License-Identifier: MIT
#include "connectionlist.h"

#include "format.h"
#include "theme.h"

#include <QDate>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace wsi::gui {

ConnectionListModel::ConnectionListModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_bold.setBold(true);
}

int ConnectionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ConnectionListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConnectionListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole && (section == FramesColumn || section == OctetsColumn))
        return tr("Sent (TX) / received (RX)");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Connection");
    case StartedColumn:
        return tr("Started");
    case StateColumn:
        return tr("State");
    case VerdictColumn:
        return tr("Verdict");
    case FramesColumn:
        return tr("Frames");
    case OctetsColumn:
        return tr("Octets");
    default:
        return {};
    }
}

Qt::ItemFlags ConnectionListModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == NameColumn)
        f |= Qt::ItemIsEditable; // rename
    return f;
}

namespace {

QString stateWord(SessionState state)
{
    switch (state) {
    case SessionState::Idle:
        return ConnectionListModel::tr("idle");
    case SessionState::Connecting:
        return ConnectionListModel::tr("connecting");
    case SessionState::Open:
        return ConnectionListModel::tr("open");
    case SessionState::Closing:
        return ConnectionListModel::tr("closing");
    case SessionState::Closed:
        return ConnectionListModel::tr("closed");
    }
    return {};
}

} // namespace

QVariant ConnectionListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const KeptConnection &c = m_rows[size_t(index.row())];
    const bool shown = index.row() == m_current;
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case NameColumn:
            return c.name;
        case StartedColumn: {
            // The time of day; the date too when it was not today.
            const QDateTime local = c.started.toLocalTime();
            if (local.date() == QDate::currentDate())
                return QLocale().toString(local.time(), u"HH:mm:ss"_s);
            return QLocale().toString(local, QLocale::ShortFormat);
        }
        case StateColumn: {
            QString state = stateWord(c.state);
            if (c.loader)
                state = tr("loading %1 %").arg(c.loadingPercent);
            if (c.endedEarly)
                state = tr("ended while %1").arg(state);
            if (c.readOnly)
                state = tr("%1, from a file").arg(state);
            return state;
        }
        case VerdictColumn:
            // The protocol's own words, as the reports write them.
            if (c.behavior)
                return QString(verdictText(*c.behavior) + u" / "_s + verdictText(c.verdict));
            return verdictText(c.verdict);
        case FramesColumn:
            return u"%1 / %2"_s.arg(QLocale().toString(c.frames[int(Direction::Tx)]),
                                    QLocale().toString(c.frames[int(Direction::Rx)]));
        case OctetsColumn:
            return u"%1 / %2"_s.arg(format::dataSizeCompact(c.octets[int(Direction::Tx)]),
                                    format::dataSizeCompact(c.octets[int(Direction::Rx)]));
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == StartedColumn)
            return QLocale().toString(c.started.toLocalTime(), QLocale::LongFormat);
        if (index.column() == FramesColumn || index.column() == OctetsColumn)
            return tr("Sent (TX) / received (RX)");
        if (index.column() == NameColumn) {
            QString tip = c.url;
            if (!c.capturePath.isEmpty())
                tip +=
                    u'\n' +
                    (c.readOnly ? tr("Opened from %1") : tr("Recorded in %1")).arg(c.capturePath);
            if (shown)
                tip += u'\n' + tr("Shown in the views");
            return tip;
        }
        return {};
    case Qt::FontRole:
        return shown ? QVariant(m_bold) : QVariant();
    case Qt::ForegroundRole:
        if (index.column() == VerdictColumn) {
            const VerdictTone tone = c.behavior ? verdictTone(*c.behavior) : verdictTone(c.verdict);
            return theme::toneText(tone);
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == FramesColumn || index.column() == OctetsColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

bool ConnectionListModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || role != Qt::EditRole || index.column() != NameColumn)
        return false;
    const QString name = value.toString().simplified();
    if (name.isEmpty())
        return false; // a connection always has a name
    m_rows[size_t(index.row())].name = name;
    Q_EMIT dataChanged(index, index);
    return true;
}

int ConnectionListModel::append(KeptConnection connection)
{
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_rows.push_back(std::move(connection));
    endInsertRows();
    return row;
}

void ConnectionListModel::remove(int row)
{
    if (row < 0 || row >= rowCount())
        return;
    beginRemoveRows({}, row, row);
    m_rows.erase(m_rows.begin() + row);
    if (m_current == row)
        m_current = -1;
    else if (m_current > row)
        --m_current;
    endRemoveRows();
}

void ConnectionListModel::setCurrent(int row)
{
    const int before = std::exchange(m_current, row);
    for (const int r : {before, row}) {
        if (r >= 0 && r < rowCount())
            Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
    }
}

void ConnectionListModel::summarize(int row, const Trace &trace, CloseVerdict verdict)
{
    if (row < 0 || row >= rowCount())
        return;
    KeptConnection &c = m_rows[size_t(row)];
    c.state = trace.state();
    c.verdict = verdict;
    for (const Direction d : {Direction::Tx, Direction::Rx}) {
        c.frames[int(d)] = trace.frameCount(d);
        c.octets[int(d)] = trace.octetCount(d);
    }
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void ConnectionListModel::setLoading(int row, int percent)
{
    if (row < 0 || row >= rowCount())
        return;
    m_rows[size_t(row)].loadingPercent = percent;
    Q_EMIT dataChanged(index(row, StateColumn), index(row, StateColumn));
}

qint64 ConnectionListModel::keptCost() const
{
    qint64 cost = 0;
    for (const KeptConnection &c : m_rows) {
        if (c.trace)
            cost += c.trace->storedCost();
    }
    return cost;
}

} // namespace wsi::gui
