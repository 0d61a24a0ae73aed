// SPDX-License-Identifier: MIT
#include "wirelogmodel.h"
#include "closingpanel.h"
#include "monospacefont.h"
#include "theme.h"

#include "format.h"
#include "frametablemodel.h"

#include <QFontDatabase>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsi::gui {

// The kind names ("TX OCTETS", "RX FRAME", "DELAY", …) and the detail texts are the reference
// report's strings (docs/reports.md §4.1): they stay untranslated on purpose, so the
// window, the text report and Autobahn's HTML read the same. Only our own words go through tr().

namespace {

constexpr qint64 kToolTipOctets = 4096;

// "RX FRAME : OPCODE=1, …" → "OPCODE=1, …"; "DELAY 1.000000 sec for TAG x" → "1.000000 sec for
// TAG x": the kind has its own column.
QString withoutKindName(const QString &text, const QString &kindName)
{
    if (!text.startsWith(kindName))
        return text;
    QStringView rest = QStringView(text).mid(kindName.size());
    while (!rest.isEmpty() && (rest.front() == u' ' || rest.front() == u':'))
        rest = rest.mid(1);
    return rest.toString();
}

QString hexLines(const QByteArray &octets)
{
    QString out;
    for (qsizetype at = 0; at < octets.size(); at += 32) {
        if (at > 0)
            out += u'\n';
        out += format::spacedHex(octets.mid(at, 32));
    }
    return out;
}

} // namespace

WireLogModel::WireLogModel(const TraceStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store), m_fixedFont(monospaceFont())
{
    Q_ASSERT(store);
    scanNewEntries();
    m_floorRow = linesBefore(m_store->viewFloor().entries);
    m_visibleRows = m_store->viewsPaused() ? m_floorRow : m_rows;
    connect(m_store, &TraceStore::grown, this, &WireLogModel::onGrown);
    connect(m_store, &TraceStore::aboutToReset, this, &WireLogModel::onAboutToReset);
    connect(m_store, &TraceStore::resetDone, this, &WireLogModel::onResetDone);
    connect(m_store, &TraceStore::viewFloorChanged, this, &WireLogModel::onViewFloorChanged);
    connect(m_store, &TraceStore::viewsPausedChanged, this, &WireLogModel::onGrown);
}

int WireLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_visibleRows - m_floorRow;
}

int WireLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

WireLogLine WireLogModel::lineAt(int row) const
{
    const Row r = rowAt(row);
    return WireLogLine{r.kind, r.entry};
}

WireLogModel::KindGroup WireLogModel::groupOf(WireLogKind kind)
{
    switch (kind) {
    case WireLogKind::RxOctets:
    case WireLogKind::TxOctets:
        return KindGroup::Octets;
    case WireLogKind::RxFrame:
    case WireLogKind::TxFrame:
        return KindGroup::Frames;
    case WireLogKind::TcpDroppedByMe:
    case WireLogKind::TcpDroppedByPeer:
    case WireLogKind::HalfClosed:
        return KindGroup::Connection;
    default:
        return KindGroup::Timers;
    }
}

int WireLogModel::directionOf(WireLogKind kind)
{
    switch (kind) {
    case WireLogKind::RxOctets:
    case WireLogKind::RxFrame:
    case WireLogKind::ProxyReply:
        return int(Direction::Rx);
    case WireLogKind::TxOctets:
    case WireLogKind::TxFrame:
    case WireLogKind::HalfClosed: // our FIN
    case WireLogKind::ProxyRequest:
        return int(Direction::Tx);
    default:
        return -1;
    }
}

void WireLogModel::appendRow(quint32 entry)
{
    // Extends the last run when the entry follows its last one.
    if (m_runs.empty() || m_runs.back().entry + quint32(m_rows - int(m_runs.back().row)) != entry)
        m_runs.push_back({quint32(m_rows), entry});
    ++m_rows;
}

WireLogModel::Row WireLogModel::lineRow(int line) const
{
    const auto run = std::prev(
        std::upper_bound(m_runs.begin(), m_runs.end(), quint32(line),
                         [](quint32 r, const Run &candidate) { return r < candidate.row; }));
    const quint32 entry = run->entry + (quint32(line) - run->row);
    // Only the TCP line's kind depends on the entries before it; the scan kept it.
    if (entry == m_tcpLineEntry)
        return {entry, m_tcpLineKind};
    // With our own lines (STORAGE STOPPED, TX FIN), as the scan classified them.
    return {entry, wireLogKindOf(m_store->trace(), entry, true).value_or(WireLogKind::RxOctets)};
}

void WireLogModel::scanNewEntries()
{
    const Trace &trace = m_store->trace();
    const auto end = quint32(trace.entries().size());
    for (auto entry = quint32(m_scanned); entry < end; ++entry) {
        const std::optional<WireLogKind> kind = m_classifier.next(trace, entry);
        if (!kind)
            continue;
        if (*kind == WireLogKind::TcpDroppedByMe || *kind == WireLogKind::TcpDroppedByPeer) {
            m_tcpLineEntry = entry;
            m_tcpLineKind = *kind;
        }
        appendRow(entry);
    }
    m_scanned = end;
}

int WireLogModel::linesBefore(size_t entry) const
{
    if (entry == 0 || m_runs.empty())
        return 0;
    // The last run starting before `entry`: its lines up to `entry`, and all lines before it.
    const auto next = std::partition_point(m_runs.begin(), m_runs.end(),
                                           [entry](const Run &r) { return r.entry < entry; });
    if (next == m_runs.begin())
        return 0;
    const Run &run = *std::prev(next);
    const quint32 runEnd = next == m_runs.end() ? quint32(m_rows) : next->row;
    return int(std::min<quint64>(run.row + (entry - run.entry), runEnd));
}

qint64 WireLogModel::streamEnd(const Trace::Entry &entry) const
{
    const Trace &trace = m_store->trace();
    if (entry.type == RecordKind::Chunk) {
        const OctetChunk &chunk = trace.chunks()[entry.index];
        return chunk.streamOffset + chunk.size;
    }
    const FrameRecord &frame = trace.frames()[entry.index];
    // As StreamSizeRole: never past the last octet of the stream.
    const qint64 available = trace.octetCount(frame.direction) - frame.streamOffset;
    return frame.streamOffset +
           std::clamp<qint64>(FrameTableModel::wireSize(frame), 0, std::max<qint64>(available, 0));
}

void WireLogModel::updateStreamIndex() const
{
    const Trace &trace = m_store->trace();
    // Walks the runs: an entry's type and record say which index a line belongs to.
    auto run = std::prev(
        std::upper_bound(m_runs.begin(), m_runs.end(), quint32(m_streamIndexed),
                         [](quint32 r, const Run &candidate) { return r < candidate.row; }));
    for (int line = m_streamIndexed; line < m_rows; ++line) {
        while (std::next(run) != m_runs.end() && std::next(run)->row <= quint32(line))
            ++run;
        const quint32 e = run->entry + (quint32(line) - run->row);
        const Trace::Entry &entry = trace.entries()[e];
        if (entry.type == RecordKind::Chunk) {
            const OctetChunk &chunk = trace.chunks()[entry.index];
            m_streamLines[int(chunk.direction)][0].push_back(quint32(line));
        } else if (entry.type == RecordKind::Frame) {
            const FrameRecord &frame = trace.frames()[entry.index];
            if (frame.streamOffset >= 0)
                m_streamLines[int(frame.direction)][1].push_back(quint32(line));
        }
    }
    m_streamIndexed = m_rows;
}

std::vector<int> WireLogModel::rowsOverlapping(Direction direction, qint64 offset,
                                               qint64 size) const
{
    // Kept only once someone asks: a flood that nobody clicks into costs no index.
    m_streamIndexUsed = true;
    if (m_runs.empty())
        return {};
    updateStreamIndex();
    const Trace &trace = m_store->trace();
    const qint64 end = offset + std::max<qint64>(size, 1);
    const auto entryOf = [this](quint32 line) {
        return m_store->trace().entries()[lineRow(int(line)).entry];
    };
    const auto startOf = [&](const Trace::Entry &e) {
        return e.type == RecordKind::Chunk ? trace.chunks()[e.index].streamOffset
                                           : trace.frames()[e.index].streamOffset;
    };
    std::vector<int> rows;
    for (const std::vector<quint32> &lines : m_streamLines[int(direction)]) {
        // Lines of one kind and direction follow the stream: their ends never go back.
        auto it = std::partition_point(lines.begin(), lines.end(), [&](quint32 line) {
            return streamEnd(entryOf(line)) <= offset;
        });
        for (; it != lines.end(); ++it) {
            const Trace::Entry e = entryOf(*it);
            if (startOf(e) >= end)
                break;
            const int row = int(*it) - m_floorRow;
            if (streamEnd(e) > offset && row >= 0 && int(*it) < m_visibleRows)
                rows.push_back(row);
        }
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

void WireLogModel::onGrown()
{
    scanNewEntries();
    if (m_streamIndexUsed)
        updateStreamIndex();
    // Paused, nothing is announced; the resume inserts all of it at once.
    if (m_rows == m_visibleRows || m_store->viewsPaused())
        return;
    beginInsertRows(QModelIndex(), m_visibleRows - m_floorRow, m_rows - 1 - m_floorRow);
    m_visibleRows = m_rows;
    endInsertRows();
}

void WireLogModel::onViewFloorChanged()
{
    scanNewEntries();
    beginResetModel();
    m_floorRow = linesBefore(m_store->viewFloor().entries);
    m_visibleRows = std::max(m_visibleRows, m_floorRow);
    endResetModel();
}

void WireLogModel::onAboutToReset()
{
    beginResetModel();
    m_runs.clear();
    m_rows = 0;
    m_visibleRows = 0;
    m_floorRow = 0;
    m_scanned = 0;
    for (auto &direction : m_streamLines)
        for (auto &lines : direction)
            lines = {};
    m_streamIndexed = 0;
    m_classifier = WireLogClassifier(true);
    m_tcpLineEntry.reset();
}

void WireLogModel::onResetDone()
{
    scanNewEntries();
    m_runs.shrink_to_fit();
    m_floorRow = linesBefore(m_store->viewFloor().entries);
    m_visibleRows = m_store->viewsPaused() ? m_floorRow : m_rows;
    endResetModel();
}

QVariant WireLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IndexColumn:
        return tr("Index");
    case TimeColumn:
        return tr("Time (ms)");
    case DirectionColumn:
        return tr("Direction");
    case KindColumn:
        return tr("Kind");
    case SizeColumn:
        return tr("Size");
    case DetailsColumn:
        return tr("Details");
    default:
        return {};
    }
}

qint64 WireLogModel::timeNsOf(const Row &row) const
{
    const Trace &trace = m_store->trace();
    const Trace::Entry &e = trace.entries()[row.entry];
    switch (e.type) {
    case RecordKind::Chunk:
        return trace.chunks()[e.index].timeNs;
    case RecordKind::Frame:
        return trace.frames()[e.index].timeNs;
    case RecordKind::Event:
        break;
    }
    return trace.events()[e.index].timeNs;
}

QVariant WireLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= NUM_COLUMNS)
        return {};
    const Row row = rowAt(index.row());
    const int column = index.column();
    const Trace &trace = m_store->trace();
    const Trace::Entry &entry = trace.entries()[row.entry];
    const KindGroup group = groupOf(row.kind);
    const int direction = directionOf(row.kind);

    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, m_floorRow + index.row(), column);
    case Qt::ToolTipRole:
        return toolTip(row);
    case Qt::FontRole:
        if (column == DetailsColumn && (group == KindGroup::Octets || group == KindGroup::Frames))
            return m_fixedFont;
        return {};
    case Qt::TextAlignmentRole:
        switch (column) {
        case IndexColumn:
        case TimeColumn:
        case SizeColumn:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::BackgroundRole: {
        // Frames a shade stronger than the octets that carried them; tints over the base colour.
        switch (group) {
        case KindGroup::Octets:
            return theme::tint(QColor(direction == int(Direction::Tx) ? theme::kTx : theme::kRx),
                               24);
        case KindGroup::Frames:
            return theme::tint(QColor(direction == int(Direction::Tx) ? theme::kTx : theme::kRx),
                               56);
        case KindGroup::Timers:
            return theme::tint(QColor(theme::kTimer), 48);
        case KindGroup::Connection:
            return theme::tint(QColor(theme::kTcp), 64);
        }
        return {};
    }
    case Qt::ForegroundRole:
        if (column != DirectionColumn && column != KindColumn)
            return {};
        switch (group) {
        case KindGroup::Octets:
        case KindGroup::Frames:
            return theme::text(QColor(direction == int(Direction::Tx) ? theme::kTx : theme::kRx));
        case KindGroup::Timers:
            return theme::text(QColor(theme::kTimer));
        case KindGroup::Connection:
            return theme::text(QColor(theme::kTcp));
        }
        return {};
    case EntryIndexRole:
        return row.entry;
    case KindRole:
        return int(row.kind);
    case KindGroupRole:
        return int(group);
    case DirectionRole:
        return direction;
    case FrameIndexRole:
        return entry.type == RecordKind::Frame ? int(entry.index) : -1;
    case ChunkIndexRole:
        return entry.type == RecordKind::Chunk ? int(entry.index) : -1;
    case StreamOffsetRole:
        if (entry.type == RecordKind::Chunk)
            return trace.chunks()[entry.index].streamOffset;
        if (entry.type == RecordKind::Frame)
            return trace.frames()[entry.index].streamOffset;
        return qint64(-1);
    case StreamSizeRole:
        if (entry.type == RecordKind::Chunk)
            return trace.chunks()[entry.index].size;
        if (entry.type == RecordKind::Frame) {
            const FrameRecord &frame = trace.frames()[entry.index];
            if (frame.streamOffset < 0)
                return qint64(0);
            const qint64 available = trace.octetCount(frame.direction) - frame.streamOffset;
            return std::clamp<qint64>(FrameTableModel::wireSize(frame), 0,
                                      std::max<qint64>(available, 0));
        }
        return qint64(0);
    case TimeNsRole:
        return timeNsOf(row);
    default:
        return {};
    }
}

QVariant WireLogModel::displayData(const Row &row, int rowNumber, int column) const
{
    const Trace &trace = m_store->trace();
    const Trace::Entry &entry = trace.entries()[row.entry];
    switch (column) {
    case IndexColumn:
        return u"%1"_s.arg(rowNumber, 3, 10, QChar(u'0'));
    case TimeColumn:
        return format::millisecondsCell(timeNsOf(row));
    case DirectionColumn: {
        const int direction = directionOf(row.kind);
        if (direction < 0)
            return u"—"_s;
        return FrameTableModel::directionText(Direction(direction));
    }
    case KindColumn:
        return wireLogKindName(row.kind);
    case SizeColumn:
        if (entry.type == RecordKind::Chunk)
            return QString::number(trace.chunks()[entry.index].size);
        if (entry.type == RecordKind::Frame)
            return QString::number(FrameTableModel::wireSize(trace.frames()[entry.index]));
        return QString();
    case DetailsColumn:
        return details(row);
    default:
        return {};
    }
}

QString WireLogModel::details(const Row &row) const
{
    const Trace &trace = m_store->trace();
    const Trace::Entry &entry = trace.entries()[row.entry];
    const WireLogLine line{row.kind, row.entry};
    switch (groupOf(row.kind)) {
    case KindGroup::Octets: {
        const OctetChunk &chunk = trace.chunks()[entry.index];
        return binLogData(chunk.data, chunk.size);
    }
    case KindGroup::Frames: {
        const QString summary =
            withoutKindName(wireLogText(trace, line), wireLogKindName(row.kind));
        const QString payload = wireLogPayloadText(trace, line);
        if (payload.isEmpty())
            return summary;
        return summary + u"  "_s + format::withControlPictures(payload);
    }
    case KindGroup::Connection:
        // Who dropped it is the kind; how TCP ended (FIN, RST, TLS, ours, the socket's error) is
        // the detail.
        return ClosingPanel::tcpEndWords(trace.events()[entry.index].tcpEnd,
                                         trace.events()[entry.index].text);
    case KindGroup::Timers:
        break;
    }
    return withoutKindName(wireLogText(trace, line), wireLogKindName(row.kind));
}

QString WireLogModel::toolTip(const Row &row) const
{
    const Trace &trace = m_store->trace();
    const Trace::Entry &entry = trace.entries()[row.entry];
    const WireLogLine line{row.kind, row.entry};
    switch (groupOf(row.kind)) {
    case KindGroup::Octets: {
        const OctetChunk &chunk = trace.chunks()[entry.index];
        QString head = wireLogKindName(row.kind) + u": "_s +
                       format::resolvePlural(
                           tr("%1 octet(s)", nullptr, format::pluralCount(chunk.size)), chunk.size)
                           .arg(chunk.size);
        if (chunk.direction == Direction::Tx && chunk.sync)
            head += u", "_s + tr("sync");
        const QByteArray shown = chunk.data.left(qsizetype(kToolTipOctets));
        QString text = head + u'\n' + hexLines(shown);
        if (chunk.size > shown.size()) {
            text += u'\n';
            text += chunk.isComplete()
                        ? format::resolvePlural(tr("(%1 of %2 octet(s) shown)", nullptr,
                                                   format::pluralCount(chunk.size)),
                                                chunk.size)
                              .arg(shown.size())
                              .arg(chunk.size)
                        : format::resolvePlural(tr("(only the first %1 of %2 octet(s) were kept)",
                                                   nullptr, format::pluralCount(chunk.size)),
                                                chunk.size)
                              .arg(chunk.data.size())
                              .arg(chunk.size);
        }
        return text;
    }
    case KindGroup::Frames: {
        const FrameRecord &frame = trace.frames()[entry.index];
        QString text = wireLogText(trace, line);
        const qint64 total = FrameTableModel::wirePayloadLength(frame);
        if (total > 0) {
            text +=
                u'\n' + FrameTableModel::payloadToolTip(
                            FrameTableModel::wirePayloadHead(trace, frame, kToolTipOctets), total);
        }
        if (frame.violations != Violation::None)
            text += u'\n' + FrameTableModel::violationsToolTip(frame.violations);
        return text;
    }
    case KindGroup::Connection: {
        const TraceEvent &event = trace.events()[entry.index];
        const QString why = ClosingPanel::tcpEndWords(event.tcpEnd, event.text);
        return why.isEmpty() ? wireLogKindName(row.kind)
                             : wireLogKindName(row.kind) + u": "_s + why;
    }
    case KindGroup::Timers:
        break;
    }
    return wireLogText(trace, line);
}

} // namespace wsi::gui
