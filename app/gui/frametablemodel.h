// SPDX-License-Identifier: MIT
#pragma once

#include "modelroles.h"
#include "trace/trace.h"
#include "tracestore.h"

#include <QAbstractTableModel>
#include <QFont>
#include <QIcon>

#include <vector>

namespace wsi::gui {

// One row per frame of the store's trace (RX decoded by the parser, TX as sent), in trace order
// (which is time order, Trace::inOrder()): row i is Trace::frames()[floor + i], the floor being
// the store's view floor (View ▸ Clear). The model keeps no per-row storage at all, only how many
// of the trace's frames it has announced; every string is built in data(), from the first octets
// of a payload at most (a frame may be 16 MiB).
class FrameTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FrameTableModel)

public:
    enum Columns {
        NumberColumn,
        TimeColumn,
        DirectionColumn,
        OpcodeColumn,
        FinColumn,
        RsvColumn,
        MaskColumn,
        KeyColumn,
        LengthColumn,
        PayloadColumn,
        ViolationsColumn,
        DeltaTimeColumn, // ms since the previous row shown (a filter proxy: the previous it shows)
        NUM_COLUMNS
    };
    enum Roles {
        FrameIndexRole = gui::FrameIndexRole,     // int: the row's index into frames()
        DirectionRole = gui::DirectionRole,       // int(Direction)
        OpcodeRole = gui::OpcodeRole,             // int 0–15
        ViolationsRole = gui::ViolationsRole,     // int: Violations flags
        StreamOffsetRole = gui::StreamOffsetRole, // qint64: the frame's first octet, -1 if unknown
        StreamSizeRole = gui::StreamSizeRole,     // qint64: header + payload octets in the stream
        TimeNsRole = gui::TimeNsRole,
        SortRole = gui::SortRole,
    };

    // Octets of a payload the Payload column reads (it shows at most ~64 characters).
    static constexpr qint64 kPreviewOctets = 64;

    explicit FrameTableModel(const TraceStore *store, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

    [[nodiscard]] const TraceStore *store() const { return m_store; }
    // The frame behind a row, or nullptr outside [0, rowCount()).
    [[nodiscard]] const FrameRecord *frameAt(int row) const;
    // Row ↔ index into Trace::frames() (rows start at the view floor); -1 when not shown.
    [[nodiscard]] int rowOfFrame(int frame) const;
    [[nodiscard]] int frameOfRow(int row) const;
    // The first frame of `direction` whose octets overlap [from, to) of its stream, as an index
    // into Trace::frames() (shown or not), or -1. O(log n): a direction's frames are in stream
    // order. The index behind it is built on the first call and kept up to date from then on.
    [[nodiscard]] int firstFrameOverlapping(Direction direction, qint64 from, qint64 to) const;

    // --- formatting helpers, shared with the other models of the window -------------------------

    // At most `maxOctets` of the unmasked payload as it went over the wire: RX read from the
    // record or from the kept octets, TX the base payload repeated to its repeat length. Never
    // copies more than asked, whatever the frame's size.
    [[nodiscard]] static QByteArray wirePayloadHead(const Trace &trace, const FrameRecord &frame,
                                                    qint64 maxOctets);
    // Payload octets that crossed the wire (TX: after repetition; RX: the header's length).
    [[nodiscard]] static qint64 wirePayloadLength(const FrameRecord &frame);
    // Header + payload octets of the frame in its direction's stream (TX: the encoded size).
    [[nodiscard]] static qint64 wireSize(const FrameRecord &frame);
    // Up to a few KiB for a tooltip: text, or hex lines of 16 octets.
    [[nodiscard]] static QString payloadToolTip(const QByteArray &head, qint64 totalSize);
    [[nodiscard]] static QString directionText(Direction direction); // "TX" / "RX"
    // Opcode name; reserved ones as the translated "Reserved 3".
    [[nodiscard]] static QString opcodeText(int opcode);
    // "0", or "6 (RSV1+RSV2)".
    [[nodiscard]] static QString rsvText(int rsv);
    // "Reserved opcode, Masked server frame" (empty when none).
    // The violation's short name in the user's language (the core's violationName() is English).
    [[nodiscard]] static QString violationLabel(Violation violation);
    [[nodiscard]] static QString violationsText(Violations violations);
    // One line per violated rule: "<name>: <RFC rule>".
    [[nodiscard]] static QString violationsToolTip(Violations violations);
    // A close frame's body as "1000 (Normal Closure) reason", or empty when it has no code.
    [[nodiscard]] static QString closePayloadText(const QByteArray &head, qint64 totalSize);

private:
    void onGrown();
    void onAboutToReset();
    void onResetDone();
    void onViewFloorChanged();
    void updateStreamIndex() const;
    [[nodiscard]] QVariant displayData(const FrameRecord &frame, int row, int column) const;
    [[nodiscard]] QVariant toolTipData(const FrameRecord &frame, int column) const;
    [[nodiscard]] QVariant sortData(const FrameRecord &frame, int row, int column) const;
    [[nodiscard]] qint64 streamSize(const FrameRecord &frame) const;
    // Time since the previous frame shown; `frame` indexes Trace::frames().
    [[nodiscard]] qint64 deltaNs(int frame) const;

    const TraceStore *m_store;
    int m_floor = 0;     // frames before it are not shown (the store's view floor)
    int m_announced = 0; // frames [m_floor, m_announced) are the rows
    // Per direction, the frames with a stream offset, in stream order; built on first use.
    mutable std::vector<quint32> m_streamFrames[2];
    mutable size_t m_streamIndexed = 0; // frames looked at for m_streamFrames
    mutable bool m_streamIndexUsed = false;
    QFont m_fixedFont;
    mutable QIcon m_warningIcon; // created on first use: needs a QApplication with a style
};

} // namespace wsi::gui
