// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/frame.h"
#include "wirelogmodel.h"

#include <QAbstractProxyModel>
#include <QElapsedTimer>

#include <vector>

class QTimer;

namespace wsi::gui {

class FrameTableModel;

// Which direction a filtered view shows.
enum class DirectionFilter : quint8 { All, Tx, Rx };

// A filter over a flat table whose rows are only ever appended (the window's models; any other
// change of rows or columns refilters from scratch). It keeps the accepted source rows in one
// ascending vector: mapping is an index or a binary search, and rows appended to the source are
// tested once and appended here. The work is cut into slices of a few milliseconds: a flood's
// rows, and a refilter after the filter changed, are taken in turns with the event loop, so
// painting, input and timers never wait long; the view fills as the rows are found.
//
// QSortFilterProxyModel did the same with per-batch work that grew with the rows already there
// (O(n²) over a flood) and stalled the window for seconds under a text filter.
//
// A source row's acceptance must not change once tested (true of the window's models: a frame or
// a line never changes; a dataChanged() is passed on, not refiltered).
class RowFilterProxy : public QAbstractProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RowFilterProxy)

public:
    explicit RowFilterProxy(QObject *parent = nullptr);
    ~RowFilterProxy() override;

    void setSourceModel(QAbstractItemModel *model) override;

    [[nodiscard]] QModelIndex mapToSource(const QModelIndex &proxyIndex) const override;
    [[nodiscard]] QModelIndex mapFromSource(const QModelIndex &sourceIndex) const override;
    [[nodiscard]] QModelIndex index(int row, int column,
                                    const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QModelIndex parent(const QModelIndex &child) const override;
    [[nodiscard]] QModelIndex sibling(int row, int column, const QModelIndex &idx) const override;
    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] bool hasChildren(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

    // The source row behind a row (no QModelIndex), or -1.
    [[nodiscard]] int sourceRow(int row) const;
    // True while source rows wait to be tested (the view is still filling).
    [[nodiscard]] bool isScanning() const { return m_scanned < m_sourceRows; }
    // Tests every waiting row now (tests, exports): may take long on a large trace.
    void finishScan();

Q_SIGNALS:
    // isScanning() changed: a refilter or a burst of rows began or is done.
    void scanningChanged(bool scanning);

protected:
    // The filter's test of one source row (of the source's root).
    [[nodiscard]] virtual bool acceptsRow(int sourceRow) const = 0;
    // Called by a subclass after its filter changed: all rows are tested again, in slices.
    void refilter();

private:
    // Tests waiting rows for at most `budgetNs`; appends the accepted ones with one insert.
    void scan(qint64 budgetNs);
    void resetFromSource();
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                       const QList<int> &roles);
    void setScanning(bool scanning);

    std::vector<int> m_rows;  // accepted source rows, ascending
    std::vector<int> m_found; // a slice's accepted rows, before their insert
    int m_scanned = 0;        // source rows [0, m_scanned) are tested
    int m_sourceRows = 0;     // the source's rows as last announced
    bool m_scanningSignalled = false;
    QTimer *m_scanTimer = nullptr;
    std::vector<QMetaObject::Connection> m_connections;
};

// The frame table's filters: direction, a set of opcodes, text, and "only frames that broke a
// rule". Direction, opcode and violations read the frame record (no QVariant, no string). The
// text is looked for, case-insensitively, in what a user reads in a row: the payload preview
// (or a close frame's code and reason), the opcode name, the direction and the violation names.
// Names are matched once per filter change, not per row; a payload of plain ASCII (the usual
// case) is searched in place, without building its preview string.
class FrameFilterProxy final : public RowFilterProxy
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FrameFilterProxy)

public:
    // Opcode sets: bit n shows opcode n.
    static constexpr quint16 kAllOpcodes = 0xFFFF;
    static constexpr quint16 kDataOpcodes = 0x00FF;    // 0–7: continuation, text, binary, 3–7
    static constexpr quint16 kControlOpcodes = 0xFF00; // 8–15: close, ping, pong, 11–15
    [[nodiscard]] static constexpr quint16 opcodeBit(int opcode)
    {
        return quint16(1u << (opcode & 0xF));
    }

    explicit FrameFilterProxy(QObject *parent = nullptr);

    // Any model with FrameTableModel's roles and columns; a FrameTableModel is read directly.
    void setSourceModel(QAbstractItemModel *model) override;
    // The Δ Time column counts from the previous row this proxy shows.
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;

    void setDirectionFilter(DirectionFilter filter);
    [[nodiscard]] DirectionFilter directionFilter() const { return m_direction; }
    void setOpcodeMask(quint16 mask);
    [[nodiscard]] quint16 opcodeMask() const { return m_opcodes; }
    // Case-insensitive "contains" over the payload preview, opcode, direction and violations;
    // empty: off.
    void setTextFilter(const QString &text);
    [[nodiscard]] QString textFilter() const { return m_text; }
    void setViolationsOnly(bool only);
    [[nodiscard]] bool violationsOnly() const { return m_violationsOnly; }
    // True when any filter is set (the view may show "n of m frames").
    [[nodiscard]] bool isFiltering() const;

protected:
    [[nodiscard]] bool acceptsRow(int sourceRow) const override;

private:
    [[nodiscard]] bool textMatches(const FrameRecord &frame) const;
    [[nodiscard]] bool payloadMatches(const FrameRecord &frame) const;
    [[nodiscard]] qint64 timeNsOf(int sourceRow) const;
    void prepareText();

    const FrameTableModel *m_frames = nullptr;
    DirectionFilter m_direction = DirectionFilter::All;
    quint16 m_opcodes = kAllOpcodes;
    QString m_text;
    bool m_violationsOnly = false;
    // Prepared from m_text by prepareText().
    QByteArray m_asciiNeedle;      // lower-case; empty when the text is not plain ASCII
    quint16 m_opcodeNames = 0;     // opcodes whose name contains the text
    bool m_directionNames[2] = {}; // "TX" / "RX" contains it
    Violations m_violationNames;   // violations whose name contains it
};

// The wire log's filters: direction, kind groups (octets / frames / timers / connection) and
// text. Direction and group come from the row's kind alone; the text is looked for in the kind
// name, the direction and the details (the columns a user reads).
class WireLogFilterProxy final : public RowFilterProxy
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WireLogFilterProxy)

public:
    static constexpr WireLogModel::KindGroups kAllGroups =
        WireLogModel::KindGroups(WireLogModel::KindGroup::Octets) |
        WireLogModel::KindGroup::Frames | WireLogModel::KindGroup::Timers |
        WireLogModel::KindGroup::Connection;

    explicit WireLogFilterProxy(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;

    // Tx/Rx hide the lines without a direction (timers, the TCP line).
    void setDirectionFilter(DirectionFilter filter);
    [[nodiscard]] DirectionFilter directionFilter() const { return m_direction; }
    void setKindGroups(WireLogModel::KindGroups groups);
    [[nodiscard]] WireLogModel::KindGroups kindGroups() const { return m_groups; }
    void setTextFilter(const QString &text);
    [[nodiscard]] QString textFilter() const { return m_text; }
    [[nodiscard]] bool isFiltering() const;

protected:
    [[nodiscard]] bool acceptsRow(int sourceRow) const override;

private:
    const WireLogModel *m_log = nullptr;
    DirectionFilter m_direction = DirectionFilter::All;
    WireLogModel::KindGroups m_groups = kAllGroups;
    QString m_text;
};

} // namespace wsi::gui
