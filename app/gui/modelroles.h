// SPDX-License-Identifier: MIT
#pragma once

#include <Qt>

namespace wsi::gui {

// Custom item-data roles of the window's models. One numbering for all of them, so a view, a
// proxy or the detail pane can ask any model "which frame is behind this row" with the same role.
// Each model re-exports the roles it answers in its own `enum Roles`.
enum ItemRole : int {
    EntryIndexRole = Qt::UserRole, // quint32: index into Trace::entries()
    KindRole,                      // WireLogModel: int(WireLogKind)
    KindGroupRole,                 // WireLogModel: int(WireLogModel::KindGroup)
    DirectionRole,                 // int(Direction), -1 when the row has none (timers, TCP line)
    FrameIndexRole,                // index into Trace::frames(), -1 when none
    ChunkIndexRole,                // index into Trace::chunks(), -1 when none
    StreamOffsetRole,              // qint64: first octet in its direction's stream, -1 when none
    StreamSizeRole,                // qint64: octets in its direction's stream from there
    TimeNsRole,                    // qint64: ns since the session started
    OpcodeRole,                    // int 0–15
    ViolationsRole,                // int: Violations flags
    FirstFrameRole,                // MessageModel: index of the message's first frame
    LastFrameRole,                 // MessageModel: index of the message's last frame so far
    KeyRole,                       // StatisticsModel: qint64 key (-1 = Total); ClosingModel: key
    SortRole,                      // what a QSortFilterProxyModel sorts by (numbers as numbers)
};

} // namespace wsi::gui
