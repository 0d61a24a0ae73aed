// SPDX-License-Identifier: MIT
#pragma once

#include "wirelogmodel.h"

#include <QSortFilterProxyModel>

namespace wsi::gui {

class FrameTableModel;

// Which direction a filtered view shows.
enum class DirectionFilter : quint8 { All, Tx, Rx };

// The frame table's filters: direction, a set of opcodes, text, and "only frames that broke a
// rule". The direction, opcode and violation tests read the frame record directly (no QVariant,
// no string), so they stay cheap at a million rows; only a text filter builds the row's strings.
// Dynamic filtering is on: each inserted batch is filtered incrementally.
class FrameFilterProxy final : public QSortFilterProxyModel
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

    void setDirectionFilter(DirectionFilter filter);
    [[nodiscard]] DirectionFilter directionFilter() const { return m_direction; }
    void setOpcodeMask(quint16 mask);
    [[nodiscard]] quint16 opcodeMask() const { return m_opcodes; }
    // Case-insensitive "contains" over every column's text (payload preview first); empty: off.
    void setTextFilter(const QString &text);
    [[nodiscard]] QString textFilter() const { return m_text; }
    void setViolationsOnly(bool only);
    [[nodiscard]] bool violationsOnly() const { return m_violationsOnly; }
    // True when any filter is set (the view may show "n of m frames").
    [[nodiscard]] bool isFiltering() const;

protected:
    [[nodiscard]] bool filterAcceptsRow(int sourceRow,
                                        const QModelIndex &sourceParent) const override;

private:
    [[nodiscard]] bool textMatches(int sourceRow) const;

    const FrameTableModel *m_frames = nullptr;
    DirectionFilter m_direction = DirectionFilter::All;
    quint16 m_opcodes = kAllOpcodes;
    QString m_text;
    bool m_violationsOnly = false;
};

// The wire log's filters: direction, kind groups (octets / frames / timers / connection) and
// text. Direction and group come from the row's kind alone.
class WireLogFilterProxy final : public QSortFilterProxyModel
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
    [[nodiscard]] bool filterAcceptsRow(int sourceRow,
                                        const QModelIndex &sourceParent) const override;

private:
    const WireLogModel *m_log = nullptr;
    DirectionFilter m_direction = DirectionFilter::All;
    WireLogModel::KindGroups m_groups = kAllGroups;
    QString m_text;
};

} // namespace wsi::gui
