// SPDX-License-Identifier: MIT
#include "framefilterproxy.h"

#include "format.h"
#include "frametablemodel.h"

#include <QTimer>

#include <algorithm>
#include <limits>

namespace wsi::gui {

namespace {

// Work per turn of the event loop: a few ms inline (when rows arrive or a filter changes, so a
// small table is filtered at once), the rest in timer slices.
constexpr qint64 kInlineNs = 4'000'000;
constexpr qint64 kSliceNs = 8'000'000;
// Rows tested between two looks at the clock.
constexpr int kRowsPerClockCheck = 256;

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

// Case-insensitive "contains" over the display text of some columns of a source row.
bool columnsContain(const QAbstractItemModel *model, int row, const QString &text,
                    std::initializer_list<int> columns)
{
    for (const int column : columns) {
        if (model->index(row, column).data().toString().contains(text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

// Printable ASCII only: then the payload preview is these octets as they are.
bool plainAscii(const QByteArray &octets)
{
    return std::all_of(octets.begin(), octets.end(),
                       [](char c) { return uchar(c) >= 0x20 && uchar(c) < 0x7f; });
}

char asciiLower(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

// `needle` is lower-case ASCII.
bool containsAscii(const QByteArray &haystack, const QByteArray &needle)
{
    const auto equal = [](char a, char b) { return asciiLower(a) == b; };
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), equal) !=
           haystack.end();
}

} // namespace

// --- RowFilterProxy ------------------------------------------------------------------------------

RowFilterProxy::RowFilterProxy(QObject *parent)
    : QAbstractProxyModel(parent), m_scanTimer(new QTimer(this))
{
    m_scanTimer->setSingleShot(true);
    connect(m_scanTimer, &QTimer::timeout, this, [this] { scan(kSliceNs); });
}

RowFilterProxy::~RowFilterProxy() = default;

void RowFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    if (model == sourceModel())
        return;
    beginResetModel();
    for (const QMetaObject::Connection &c : m_connections)
        disconnect(c);
    m_connections.clear();
    QAbstractProxyModel::setSourceModel(model);
    m_rows.clear();
    m_scanned = 0;
    m_sourceRows = model ? model->rowCount() : 0;
    if (model) {
        using M = QAbstractItemModel;
        const auto begin = [this] { beginResetModel(); };
        const auto end = [this] { resetFromSource(); };
        m_connections = {
            connect(model, &M::rowsInserted, this, &RowFilterProxy::onRowsInserted),
            connect(model, &M::dataChanged, this, &RowFilterProxy::onDataChanged),
            connect(model, &M::headerDataChanged, this, &M::headerDataChanged),
            // Anything but an append: from scratch.
            connect(model, &M::rowsAboutToBeRemoved, this, begin),
            connect(model, &M::rowsRemoved, this, end),
            connect(model, &M::rowsAboutToBeMoved, this, begin),
            connect(model, &M::rowsMoved, this, end),
            connect(model, &M::columnsAboutToBeInserted, this, begin),
            connect(model, &M::columnsInserted, this, end),
            connect(model, &M::columnsAboutToBeRemoved, this, begin),
            connect(model, &M::columnsRemoved, this, end),
            connect(model, &M::columnsAboutToBeMoved, this, begin),
            connect(model, &M::columnsMoved, this, end),
            connect(model, &M::layoutAboutToBeChanged, this, begin),
            connect(model, &M::layoutChanged, this, end),
            connect(model, &M::modelAboutToBeReset, this, begin),
            connect(model, &M::modelReset, this, end),
        };
    }
    endResetModel();
    scan(kInlineNs);
}

void RowFilterProxy::resetFromSource()
{
    // The reset began in the source's "about to" signal.
    m_rows.clear();
    m_scanned = 0;
    m_sourceRows = sourceModel() ? sourceModel()->rowCount() : 0;
    endResetModel();
    scan(kInlineNs);
}

void RowFilterProxy::refilter()
{
    beginResetModel();
    m_rows.clear();
    m_scanned = 0;
    m_sourceRows = sourceModel() ? sourceModel()->rowCount() : 0;
    endResetModel();
    scan(kInlineNs);
}

void RowFilterProxy::onRowsInserted(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid())
        return;
    if (first != m_sourceRows) {
        // Not an append (none of the window's models does it): from scratch.
        beginResetModel();
        resetFromSource();
        return;
    }
    m_sourceRows = last + 1;
    if (!m_scanTimer->isActive())
        scan(kInlineNs); // otherwise the running scan takes them in turn
}

void RowFilterProxy::onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                                   const QList<int> &roles)
{
    if (!topLeft.isValid() || topLeft.parent().isValid())
        return;
    const auto from = std::lower_bound(m_rows.begin(), m_rows.end(), topLeft.row());
    const auto to = std::upper_bound(from, m_rows.end(), bottomRight.row());
    if (from == to)
        return;
    Q_EMIT dataChanged(index(int(from - m_rows.begin()), topLeft.column()),
                       index(int(to - m_rows.begin()) - 1, bottomRight.column()), roles);
}

void RowFilterProxy::scan(qint64 budgetNs)
{
    QElapsedTimer clock;
    clock.start();
    m_found.clear();
    int row = m_scanned;
    const int end = sourceModel() ? m_sourceRows : row;
    while (row < end) {
        const int stop = std::min(end, row + kRowsPerClockCheck);
        for (; row < stop; ++row) {
            if (acceptsRow(row))
                m_found.push_back(row);
        }
        if (clock.nsecsElapsed() >= budgetNs)
            break;
    }
    m_scanned = row;
    if (!m_found.empty()) {
        const int at = int(m_rows.size());
        beginInsertRows(QModelIndex(), at, at + int(m_found.size()) - 1);
        m_rows.insert(m_rows.end(), m_found.begin(), m_found.end());
        m_found.clear();
        endInsertRows();
    }
    if (m_scanned < m_sourceRows && sourceModel()) {
        if (!m_scanTimer->isActive())
            m_scanTimer->start(0);
        setScanning(true);
    } else {
        m_scanTimer->stop();
        setScanning(false);
    }
}

void RowFilterProxy::finishScan()
{
    while (isScanning() && sourceModel())
        scan(std::numeric_limits<qint64>::max());
}

void RowFilterProxy::setScanning(bool scanning)
{
    if (scanning == m_scanningSignalled)
        return;
    m_scanningSignalled = scanning;
    Q_EMIT scanningChanged(scanning);
}

int RowFilterProxy::sourceRow(int row) const
{
    return row >= 0 && size_t(row) < m_rows.size() ? m_rows[size_t(row)] : -1;
}

QModelIndex RowFilterProxy::mapToSource(const QModelIndex &proxyIndex) const
{
    if (!proxyIndex.isValid() || proxyIndex.model() != this || !sourceModel())
        return {};
    const int row = sourceRow(proxyIndex.row());
    return row < 0 ? QModelIndex() : sourceModel()->index(row, proxyIndex.column());
}

QModelIndex RowFilterProxy::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!sourceIndex.isValid() || sourceIndex.model() != sourceModel() ||
        sourceIndex.parent().isValid())
        return {};
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), sourceIndex.row());
    if (it == m_rows.end() || *it != sourceIndex.row())
        return {};
    return createIndex(int(it - m_rows.begin()), sourceIndex.column());
}

QModelIndex RowFilterProxy::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || row < 0 || column < 0 || row >= rowCount() || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex RowFilterProxy::parent(const QModelIndex &) const
{
    return {};
}

QModelIndex RowFilterProxy::sibling(int row, int column, const QModelIndex &) const
{
    return index(row, column);
}

int RowFilterProxy::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RowFilterProxy::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || !sourceModel() ? 0 : sourceModel()->columnCount();
}

bool RowFilterProxy::hasChildren(const QModelIndex &parent) const
{
    return !parent.isValid() && rowCount() > 0 && columnCount() > 0;
}

QVariant RowFilterProxy::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!sourceModel())
        return {};
    // Column titles whether or not a row is shown; row titles of the source row.
    if (orientation == Qt::Horizontal)
        return sourceModel()->headerData(section, orientation, role);
    const int row = sourceRow(section);
    if (row < 0)
        return {};
    return sourceModel()->headerData(row, orientation, role);
}

// --- FrameFilterProxy ----------------------------------------------------------------------------

FrameFilterProxy::FrameFilterProxy(QObject *parent) : RowFilterProxy(parent) {}

void FrameFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_frames = qobject_cast<const FrameTableModel *>(model);
    RowFilterProxy::setSourceModel(model);
}

void FrameFilterProxy::setDirectionFilter(DirectionFilter filter)
{
    if (filter == m_direction)
        return;
    m_direction = filter;
    refilter();
}

void FrameFilterProxy::setOpcodeMask(quint16 mask)
{
    if (mask == m_opcodes)
        return;
    m_opcodes = mask;
    refilter();
}

void FrameFilterProxy::setTextFilter(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    prepareText();
    refilter();
}

void FrameFilterProxy::setViolationsOnly(bool only)
{
    if (only == m_violationsOnly)
        return;
    m_violationsOnly = only;
    refilter();
}

bool FrameFilterProxy::isFiltering() const
{
    return m_direction != DirectionFilter::All || m_opcodes != kAllOpcodes || !m_text.isEmpty() ||
           m_violationsOnly;
}

void FrameFilterProxy::prepareText()
{
    // The names a row can show are few: matched here once, looked up per row.
    const bool ascii =
        std::all_of(m_text.begin(), m_text.end(), [](QChar c) { return c.unicode() < 0x80; });
    m_asciiNeedle = ascii ? m_text.toLatin1().toLower() : QByteArray();
    m_opcodeNames = 0;
    for (int opcode = 0; opcode < 16; ++opcode) {
        if (FrameTableModel::opcodeText(opcode).contains(m_text, Qt::CaseInsensitive))
            m_opcodeNames |= opcodeBit(opcode);
    }
    for (const Direction d : {Direction::Tx, Direction::Rx})
        m_directionNames[int(d)] =
            FrameTableModel::directionText(d).contains(m_text, Qt::CaseInsensitive);
    m_violationNames = {};
    for (int bit = 0; bit < 32; ++bit) {
        const auto v = Violation(1u << bit);
        const QString label = FrameTableModel::violationLabel(v);
        if (!label.isEmpty() && label.contains(m_text, Qt::CaseInsensitive))
            m_violationNames |= v;
    }
}

bool FrameFilterProxy::acceptsRow(int sourceRow) const
{
    int direction = 0;
    int opcode = 0;
    int violations = 0;
    const FrameRecord *frame = nullptr;
    if (m_frames) {
        // The record itself: no QVariant, no string.
        frame = m_frames->frameAt(sourceRow);
        if (!frame)
            return false;
        direction = int(frame->direction);
        opcode = frame->opcode;
        violations = int(frame->violations.toInt());
    } else {
        const QModelIndex index = sourceModel()->index(sourceRow, 0);
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
    if (m_text.isEmpty())
        return true;
    if (frame)
        return textMatches(*frame);
    return columnsContain(sourceModel(), sourceRow, m_text,
                          {FrameTableModel::PayloadColumn, FrameTableModel::OpcodeColumn,
                           FrameTableModel::DirectionColumn, FrameTableModel::ViolationsColumn});
}

bool FrameFilterProxy::textMatches(const FrameRecord &frame) const
{
    if (m_directionNames[int(frame.direction)] || (m_opcodeNames & opcodeBit(frame.opcode)) != 0 ||
        (frame.violations & m_violationNames).toInt() != 0)
        return true;
    return payloadMatches(frame);
}

bool FrameFilterProxy::payloadMatches(const FrameRecord &frame) const
{
    // What the Payload column shows, from the same octets; its string only when it is not
    // simply those octets.
    const qint64 total = FrameTableModel::wirePayloadLength(frame);
    if (total == 0)
        return false;
    const QByteArray head = FrameTableModel::wirePayloadHead(m_frames->store()->trace(), frame,
                                                             FrameTableModel::kPreviewOctets);
    if (frame.opcode == quint8(Opcode::Close)) {
        const QString close = FrameTableModel::closePayloadText(head, total);
        if (!close.isEmpty())
            return close.contains(m_text, Qt::CaseInsensitive);
    }
    if (!m_asciiNeedle.isEmpty() && plainAscii(head))
        return containsAscii(head, m_asciiNeedle);
    return format::payloadPreview(head, total).contains(m_text, Qt::CaseInsensitive);
}

qint64 FrameFilterProxy::timeNsOf(int sourceRow) const
{
    if (m_frames)
        return m_frames->frameAt(sourceRow)->timeNs;
    return sourceModel()->index(sourceRow, 0).data(FrameTableModel::TimeNsRole).toLongLong();
}

QVariant FrameFilterProxy::data(const QModelIndex &index, int role) const
{
    if (index.isValid() && index.column() == FrameTableModel::DeltaTimeColumn &&
        (role == Qt::DisplayRole || role == FrameTableModel::SortRole)) {
        const int row = sourceRow(index.row());
        if (row < 0)
            return {};
        // Since the previous row this view shows (Wireshark's "delta time displayed").
        const int previous = sourceRow(index.row() - 1);
        const qint64 delta = previous < 0 ? 0 : timeNsOf(row) - timeNsOf(previous);
        if (role == Qt::DisplayRole)
            return format::millisecondsCell(delta);
        return delta;
    }
    return RowFilterProxy::data(index, role);
}

// --- WireLogFilterProxy --------------------------------------------------------------------------

WireLogFilterProxy::WireLogFilterProxy(QObject *parent) : RowFilterProxy(parent) {}

void WireLogFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_log = qobject_cast<const WireLogModel *>(model);
    RowFilterProxy::setSourceModel(model);
}

void WireLogFilterProxy::setDirectionFilter(DirectionFilter filter)
{
    if (filter == m_direction)
        return;
    m_direction = filter;
    refilter();
}

void WireLogFilterProxy::setKindGroups(WireLogModel::KindGroups groups)
{
    if (groups == m_groups)
        return;
    m_groups = groups;
    refilter();
}

void WireLogFilterProxy::setTextFilter(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    refilter();
}

bool WireLogFilterProxy::isFiltering() const
{
    return m_direction != DirectionFilter::All || m_groups != kAllGroups || !m_text.isEmpty();
}

bool WireLogFilterProxy::acceptsRow(int sourceRow) const
{
    WireLogKind kind;
    if (m_log) {
        if (sourceRow < 0 || sourceRow >= m_log->rowCount())
            return false;
        kind = m_log->kindAt(sourceRow);
    } else {
        kind = WireLogKind(sourceModel()->index(sourceRow, 0).data(WireLogModel::KindRole).toInt());
    }
    const int direction = WireLogModel::directionOf(kind);
    if (!directionAccepted(m_direction, direction))
        return false;
    if (!m_groups.testFlag(WireLogModel::groupOf(kind)))
        return false;
    if (m_text.isEmpty())
        return true;
    if (wireLogKindName(kind).contains(m_text, Qt::CaseInsensitive))
        return true;
    if (direction >= 0 &&
        FrameTableModel::directionText(Direction(direction)).contains(m_text, Qt::CaseInsensitive))
        return true;
    return columnsContain(sourceModel(), sourceRow, m_text, {WireLogModel::DetailsColumn});
}

} // namespace wsi::gui
