// SPDX-License-Identifier: MIT
#pragma once

#include "modelroles.h"
#include "protocol/utf8validator.h"
#include "trace/segmentedvector.h"
#include "tracestore.h"

#include <QAbstractTableModel>
#include <QFont>

#include <vector>

namespace wsi::gui {

// Data messages reassembled from the frames of each direction (RFC 6455 §5.4): a text or binary
// frame starts one, continuation frames extend it, FIN ends it. Control frames are not messages
// and get no row (they may sit between the fragments). A text or binary frame arriving while a
// message is open ends the open one as interrupted; a continuation without an open message and
// reserved opcodes are left out. Built incrementally from each batch's new frames; the open
// message's row changes with dataChanged(). The rows shown are the messages whose first frame is
// at or past the store's view floor (View ▸ Clear); "#" keeps the message's number in the trace.
//
// A row costs 4 octets, its first frame's index: a message of one frame with FIN (nearly all of
// them under a flood) is described completely by that frame. Only the others (fragmented, still
// open, interrupted, or TX text with invalid UTF-8) keep a Details record, in row order.
class MessageModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageModel)

public:
    enum Columns {
        NumberColumn,
        TimeColumn, // of the last frame so far
        DirectionColumn,
        TypeColumn, // Text / Binary, "(interrupted)" or "(incomplete)" appended; a compressed
                    // message says so with its ratio ("Text · compressed 30.5 %")
        FramesColumn,
        SizeColumn, // payload octets of all its frames (a compressed message: inflated)
        PreviewColumn,
        Utf8Column,      // text messages: yes / no
        DeltaTimeColumn, // ms since the previous row's time
        NUM_COLUMNS
    };
    enum Roles {
        FirstFrameRole = gui::FirstFrameRole, // int: index into Trace::frames()
        LastFrameRole = gui::LastFrameRole,   // int: index into Trace::frames()
        FrameIndexRole = gui::FrameIndexRole, // the first frame, for views that follow frames
        DirectionRole = gui::DirectionRole,   // int(Direction)
        OpcodeRole = gui::OpcodeRole,         // 1 (text) or 2 (binary)
        TimeNsRole = gui::TimeNsRole,         // time of the last frame
        SortRole = gui::SortRole,
    };
    enum class Status : quint8 {
        Open,        // no FIN yet
        Complete,    // ended by a frame with FIN
        Interrupted, // a new text/binary frame came first
    };

    // A message as the views see it, put together from its first frame and its details.
    struct Message
    {
        qint64 size = 0; // payload octets so far
        quint32 firstFrame = 0;
        quint32 lastFrame = 0;
        quint32 frameCount = 0;
        quint8 opcode = 1;
        Direction direction = Direction::Rx;
        Status status = Status::Open;
        bool utf8Invalid = false; // text: an impossible octet was seen (or it ended mid-code point)
    };

    explicit MessageModel(const TraceStore *store, QObject *parent = nullptr);

    [[nodiscard]] int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;

    [[nodiscard]] const TraceStore *store() const { return m_store; }
    // The message of a row; `row` must be in [0, rowCount()).
    [[nodiscard]] Message messageAt(int row) const { return message(m_floorRow + row); }
    // At most `maxOctets` of the message's payload, from its frames in order.
    [[nodiscard]] QByteArray wirePayloadHead(const Message &message, qint64 maxOctets) const;
    // The message as the application sees it: inflated when it was compressed (permessage-deflate)
    // and its inflated octets are kept, else its wire payload.
    [[nodiscard]] QByteArray payloadHead(const Message &message, qint64 maxOctets) const;
    // The compressed message (RSV1 on its first frame under an agreed permessage-deflate), or
    // null for a plain one.
    [[nodiscard]] const TraceInflation::Message *compressed(const Message &message) const;
    // The Type column's tag for a compressed message: "compressed 30.5 %", "compressed, does not
    // inflate", "compressed, not inflated"; and its tooltip, with the sizes and the error.
    [[nodiscard]] static QString compressionText(const TraceInflation::Message &message);
    [[nodiscard]] static QString compressionToolTip(const TraceInflation::Message &message);

private:
    // What a message's first frame does not say: for the messages that are not one frame with FIN.
    struct Details
    {
        qint64 size = 0;
        quint32 row = 0;
        quint32 lastFrame = 0;
        quint32 frameCount = 1;
        Status status = Status::Open;
        bool utf8Invalid = false;
    };

    // The message a direction has open (its row and its Details), and the UTF-8 state of its text
    // so far (TX: the payloads we sent are validated here; RX: the parser's InvalidUtf8Text
    // already says it).
    struct OpenMessage
    {
        qsizetype row = -1;
        size_t details = 0; // index into m_details, while row >= 0
        Utf8Validator utf8;
    };

    void onGrown();
    void onAboutToReset();
    void onResetDone();
    void onViewFloorChanged();
    // The message numbered `number` - 1 in the whole trace (the floor not applied).
    [[nodiscard]] Message message(int number) const;
    [[nodiscard]] int messagesBefore(size_t frame) const;
    [[nodiscard]] qint64 timeNsOf(const Message &message) const;
    [[nodiscard]] qint64 deltaNs(int number, const Message &message) const;
    // Adds the frames [m_scanned, frames().size()) to the messages; rows before `firstNew` that
    // changed are collected in m_changedRows.
    void scanNewFrames();
    void addFrame(quint32 index, const FrameRecord &frame);
    void close(OpenMessage &open, Status status);
    // Feeds a TX text payload to the open message's validator; true once it saw invalid UTF-8.
    [[nodiscard]] static bool validateTx(OpenMessage &open, const FrameRecord &frame);
    // A message of one frame with FIN as its frame alone says it is: valid text unless the parser
    // flagged the RX payload.
    [[nodiscard]] static bool impliedUtf8Invalid(const FrameRecord &frame);
    [[nodiscard]] const Details *detailsOf(quint32 row) const;
    void touch(qsizetype row);
    [[nodiscard]] QVariant displayData(const Message &message, int row, int column) const;
    // Text: the message is not valid UTF-8 (a compressed one: its inflated octets).
    [[nodiscard]] bool utf8Invalid(const Message &message) const;
    [[nodiscard]] QVariant sortData(const Message &message, int row, int column) const;

    const TraceStore *m_store;
    SegmentedVector<quint32, 16> m_firstFrames; // row → index into Trace::frames()
    std::vector<Details> m_details;             // sorted by row
    int m_visibleRows = 0; // messages announced; the rows are [m_floorRow, m_visibleRows)
    int m_floorRow = 0;    // messages that began before the store's view floor
    size_t m_scanned = 0;  // frames seen so far
    OpenMessage m_open[2];
    std::vector<qsizetype> m_changedRows; // visible rows changed by the current batch
    QFont m_fixedFont;
};

} // namespace wsi::gui
