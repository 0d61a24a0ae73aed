// SPDX-License-Identifier: MIT
#pragma once

#include "modelroles.h"
#include "trace/wirelog.h"
#include "tracestore.h"

#include <QAbstractTableModel>
#include <QFont>

#include <optional>
#include <vector>

namespace wsi::gui {

// The wire log of the store's trace (docs/reports.md §4), live: one row per line, in the
// same order and with the same kinds as wireLog(). Each batch is scanned once, only its new
// entries, and inserted with one beginInsertRows(); every string is built in data().
//
// Rows keep no storage of their own: nearly every entry of a trace is a line (the octets and the
// frames), so rows are kept as runs of consecutive entries, one run per entry left out (most
// events are no line). A line's kind follows from its record.
//
// The rows shown start at the store's view floor (View ▸ Clear): row 0 is the first line whose
// entry is at or past it; the Index column keeps the line's number in the whole log.
class WireLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WireLogModel)

public:
    enum Columns {
        IndexColumn,     // "NNN", as the report numbers its lines
        TimeColumn,      // ms since the session started
        DirectionColumn, // TX, RX or —
        KindColumn,      // "TX OCTETS", "RX FRAME", "DELAY", "TCP DROPPED BY PEER", …
        SizeColumn,      // octets on the wire (chunks and frames)
        DetailsColumn,   // hex of octets, frame header summary and payload text, timer values
        NUM_COLUMNS
    };
    enum Roles {
        EntryIndexRole = gui::EntryIndexRole,     // quint32 index into Trace::entries()
        KindRole = gui::KindRole,                 // int(WireLogKind)
        KindGroupRole = gui::KindGroupRole,       // int(KindGroup)
        DirectionRole = gui::DirectionRole,       // int(Direction), -1 for timers and TCP
        FrameIndexRole = gui::FrameIndexRole,     // frame lines: index into frames(), else -1
        ChunkIndexRole = gui::ChunkIndexRole,     // octet lines: index into chunks(), else -1
        StreamOffsetRole = gui::StreamOffsetRole, // octet and frame lines: first stream octet
        StreamSizeRole = gui::StreamSizeRole,     // octet and frame lines: octets in the stream
        TimeNsRole = gui::TimeNsRole,
    };
    // The coarse groups a filter offers.
    enum class KindGroup : quint8 {
        Octets = 0x1,     // RX/TX OCTETS
        Frames = 0x2,     // RX/TX FRAME
        Timers = 0x4,     // DELAY…, CLOSE/FAIL CONNECTION AFTER, CLOSING/FAILING, WIRELOG
        Connection = 0x8, // TCP DROPPED BY ME/PEER
    };
    Q_DECLARE_FLAGS(KindGroups, KindGroup)

    // One line: where its record sits and what kind of line it is.
    struct Row
    {
        quint32 entry;
        WireLogKind kind;
    };

    explicit WireLogModel(const TraceStore *store, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

    [[nodiscard]] const TraceStore *store() const { return m_store; }
    // The line behind a row; `row` must be in [0, rowCount()).
    [[nodiscard]] WireLogLine lineAt(int row) const;
    [[nodiscard]] WireLogKind kindAt(int row) const { return rowAt(row).kind; }
    [[nodiscard]] Row rowAt(int row) const { return lineRow(m_floorRow + row); }
    // The rows (ascending) of the octet and frame lines of `direction` whose octets overlap
    // [offset, offset + max(size, 1)) of its stream. O(log n + rows found): a direction's
    // octet lines, and its frame lines, are each in stream order. The index behind it is built
    // on the first call and kept up to date from then on.
    [[nodiscard]] std::vector<int> rowsOverlapping(Direction direction, qint64 offset,
                                                   qint64 size) const;

    [[nodiscard]] static KindGroup groupOf(WireLogKind kind);
    // int(Direction) of RX/TX lines, -1 for the others.
    [[nodiscard]] static int directionOf(WireLogKind kind);

private:
    void onGrown();
    void onAboutToReset();
    void onResetDone();
    void onViewFloorChanged();
    // Rows of the whole log (the floor not applied), for `line` in [0, m_rows).
    [[nodiscard]] Row lineRow(int line) const;
    // The number of lines whose entry is before `entry`.
    [[nodiscard]] int linesBefore(size_t entry) const;
    void updateStreamIndex() const;
    [[nodiscard]] qint64 streamEnd(const Trace::Entry &entry) const;
    // Classifies the entries [m_scanned, entries().size()) and appends their rows (not yet
    // visible: rowCount() stays at m_visibleRows until the caller announces them).
    void scanNewEntries();
    void appendRow(quint32 entry);
    [[nodiscard]] QVariant displayData(const Row &row, int rowNumber, int column) const;
    [[nodiscard]] QString details(const Row &row) const;
    [[nodiscard]] QString toolTip(const Row &row) const;
    [[nodiscard]] qint64 timeNsOf(const Row &row) const;

    // Rows [row, next run's row) are the entries [entry, entry + their count).
    struct Run
    {
        quint32 row;
        quint32 entry;
    };

    const TraceStore *m_store;
    std::vector<Run> m_runs;
    int m_rows = 0;        // lines scanned, announced or not
    int m_visibleRows = 0; // lines announced; the rows are [m_floorRow, m_visibleRows)
    int m_floorRow = 0;    // lines before the store's view floor
    size_t m_scanned = 0;  // entries classified so far
    // The core's, carried across batches; with the STORAGE STOPPED line (the window says it).
    WireLogClassifier m_classifier{true};
    std::optional<quint32> m_tcpLineEntry; // the TCP line's entry and kind, once logged
    WireLogKind m_tcpLineKind = WireLogKind::TcpDroppedByPeer;
    QFont m_fixedFont;
    // Per direction, the octet lines [0] and the frame lines [1] (line numbers), in stream
    // order; built on first use.
    mutable std::vector<quint32> m_streamLines[2][2];
    mutable int m_streamIndexed = 0; // lines looked at for m_streamLines
    mutable bool m_streamIndexUsed = false;
};

} // namespace wsi::gui

Q_DECLARE_OPERATORS_FOR_FLAGS(wsi::gui::WireLogModel::KindGroups)
