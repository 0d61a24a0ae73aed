// SPDX-License-Identifier: MIT
#pragma once

#include "modelroles.h"
#include "tracestore.h"

#include <QAbstractTableModel>

#include <utility>
#include <vector>

namespace wsi::gui {

// One of the four wire statistics of docs/reports.md §3 as a table: one row per key
// (chop size or opcode), sorted, then a Total row. A few dozen rows at most, so each batch simply
// re-reads the counts: a model reset when the set of keys changed, else one dataChanged().
class StatisticsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatisticsModel)

public:
    enum class Kind : quint8 {
        RxOctets, // Octets Received by Chop Size
        TxOctets, // Octets Transmitted by Chop Size
        RxFrames, // Frames Received by Opcode
        TxFrames, // Frames Transmitted by Opcode
    };
    // Octet statistics have all three columns, frame statistics the first two.
    enum Columns {
        KeyColumn,    // Chop Size, or Opcode ("1 (Text)")
        CountColumn,  // how many
        OctetsColumn, // chop size × count (octet statistics only)
        NUM_COLUMNS
    };
    enum Roles {
        KeyRole = gui::KeyRole, // qint64: the chop size or opcode; -1 on the Total row
        SortRole = gui::SortRole,
    };

    StatisticsModel(const TraceStore *store, Kind kind, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

    [[nodiscard]] Kind kind() const { return m_kind; }
    // The report's title of this table, e.g. "Octets Received by Chop Size" (a report string:
    // untranslated, like the report it mirrors).
    [[nodiscard]] QString title() const;
    [[nodiscard]] qint64 totalCount() const { return m_totalCount; }
    [[nodiscard]] qint64 totalOctets() const { return m_totalOctets; }

private:
    [[nodiscard]] bool isOctets() const;
    [[nodiscard]] const CountMap &counts() const;
    void refresh();
    void onAboutToReset();
    void onResetDone();
    // Reads the counts into m_rows and the totals.
    void load();

    const TraceStore *m_store;
    Kind m_kind;
    std::vector<std::pair<qint64, qint64>> m_rows; // key → count, sorted by key
    qint64 m_totalCount = 0;
    qint64 m_totalOctets = 0;
};

} // namespace wsi::gui
