// SPDX-License-Identifier: MIT
#include "framefilterproxy.h"

#include "frametablemodel.h"

namespace wsi::gui {

namespace {

bool directionAccepted(DirectionFilter filter, int direction)
{
    switch (filter) {
    case DirectionFilter::All:
        return true;
    case DirectionFilter::Tx:
        return direction == int(Direction::Tx);
    case DirectionFilter::Rx:
        return direction == int(Direction::Rx);
    }
    return true;
}

// Case-insensitive "contains" over the display text of a source row, `first` column first.
bool rowContains(const QAbstractItemModel *model, int row, const QModelIndex &parent,
                 const QString &text, int first)
{
    const int columns = model->columnCount(parent);
    if (first >= 0 && first < columns &&
        model->index(row, first, parent).data().toString().contains(text, Qt::CaseInsensitive))
        return true;
    for (int column = 0; column < columns; ++column) {
        if (column == first)
            continue;
        if (model->index(row, column, parent).data().toString().contains(text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

} // namespace

// --- FrameFilterProxy ----------------------------------------------------------------------------

FrameFilterProxy::FrameFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    setSortRole(FrameTableModel::SortRole);
}

void FrameFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_frames = qobject_cast<const FrameTableModel *>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void FrameFilterProxy::setDirectionFilter(DirectionFilter filter)
{
    if (filter == m_direction)
        return;
    m_direction = filter;
    invalidateFilter();
}

void FrameFilterProxy::setOpcodeMask(quint16 mask)
{
    if (mask == m_opcodes)
        return;
    m_opcodes = mask;
    invalidateFilter();
}

void FrameFilterProxy::setTextFilter(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidateFilter();
}

void FrameFilterProxy::setViolationsOnly(bool only)
{
    if (only == m_violationsOnly)
        return;
    m_violationsOnly = only;
    invalidateFilter();
}

bool FrameFilterProxy::isFiltering() const
{
    return m_direction != DirectionFilter::All || m_opcodes != kAllOpcodes || !m_text.isEmpty() ||
           m_violationsOnly;
}

bool FrameFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    int direction = 0;
    int opcode = 0;
    int violations = 0;
    if (m_frames) {
        // The record itself: no QVariant, no string for the cheap filters.
        const FrameRecord *frame = m_frames->frameAt(sourceRow);
        if (!frame)
            return false;
        direction = int(frame->direction);
        opcode = frame->opcode;
        violations = int(frame->violations.toInt());
    } else {
        const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
        direction = index.data(FrameTableModel::DirectionRole).toInt();
        opcode = index.data(FrameTableModel::OpcodeRole).toInt();
        violations = index.data(FrameTableModel::ViolationsRole).toInt();
    }
    if (!directionAccepted(m_direction, direction))
        return false;
    if ((m_opcodes & opcodeBit(opcode)) == 0)
        return false;
    if (m_violationsOnly && violations == 0)
        return false;
    if (!m_text.isEmpty())
        return textMatches(sourceRow);
    return true;
}

bool FrameFilterProxy::textMatches(int sourceRow) const
{
    return rowContains(sourceModel(), sourceRow, QModelIndex(), m_text,
                       FrameTableModel::PayloadColumn);
}

// --- WireLogFilterProxy --------------------------------------------------------------------------

WireLogFilterProxy::WireLogFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
}

void WireLogFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_log = qobject_cast<const WireLogModel *>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void WireLogFilterProxy::setDirectionFilter(DirectionFilter filter)
{
    if (filter == m_direction)
        return;
    m_direction = filter;
    invalidateFilter();
}

void WireLogFilterProxy::setKindGroups(WireLogModel::KindGroups groups)
{
    if (groups == m_groups)
        return;
    m_groups = groups;
    invalidateFilter();
}

void WireLogFilterProxy::setTextFilter(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidateFilter();
}

bool WireLogFilterProxy::isFiltering() const
{
    return m_direction != DirectionFilter::All || m_groups != kAllGroups || !m_text.isEmpty();
}

bool WireLogFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    WireLogKind kind;
    if (m_log) {
        if (sourceRow < 0 || sourceRow >= m_log->rowCount())
            return false;
        kind = m_log->kindAt(sourceRow);
    } else {
        kind = WireLogKind(
            sourceModel()->index(sourceRow, 0, sourceParent).data(WireLogModel::KindRole).toInt());
    }
    if (!directionAccepted(m_direction, WireLogModel::directionOf(kind)))
        return false;
    if (!m_groups.testFlag(WireLogModel::groupOf(kind)))
        return false;
    if (!m_text.isEmpty())
        return rowContains(sourceModel(), sourceRow, sourceParent, m_text,
                           WireLogModel::DetailsColumn);
    return true;
}

} // namespace wsi::gui
