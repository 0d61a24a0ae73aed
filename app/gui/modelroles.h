// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
#include <QGuiApplication>
#include <QPalette>

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

// Colours shared by the models. Backgrounds are semi-transparent tints over the view's own base
// colour, and text colours are shifted toward the palette's contrast, so both read in light and
// dark palettes without a second colour table.
namespace colors {

[[nodiscard]] inline bool isDarkPalette()
{
    return QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
}

[[nodiscard]] inline QColor tint(QColor hue, int alpha)
{
    hue.setAlpha(alpha);
    return hue;
}

[[nodiscard]] inline QColor text(const QColor &hue)
{
    return isDarkPalette() ? hue.lighter(150) : hue.darker(150);
}

// Hues (saturated mid tones, adjusted by tint() and text()).
inline constexpr QRgb kTx = 0x2f7fe0;      // what we sent: blue
inline constexpr QRgb kRx = 0x1fa35a;      // what we received: green
inline constexpr QRgb kTimer = 0xd99a0b;   // delays and close/fail timers: amber
inline constexpr QRgb kTcp = 0xd8403a;     // the TCP connection ending: red
inline constexpr QRgb kWarning = 0xe0652a; // a protocol violation or an unclean close: orange
inline constexpr QRgb kGood = 0x1fa35a;    // a clean close

} // namespace colors

} // namespace wsi::gui
