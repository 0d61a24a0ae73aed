// SPDX-License-Identifier: MIT
#include "messagemodel.h"

#include "frame.h"
#include "frametablemodel.h"

#include <QFontDatabase>

#include <algorithm>

namespace wsi::gui {

namespace {

// TX payloads are validated in blocks of whole patterns of at least this many octets, so a
// 1-octet pattern repeated to 16 MiB costs a few thousand feed() calls, not millions.
constexpr qsizetype kValidationBlock = 4096;

} // namespace

MessageModel::MessageModel(const TraceStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store),
      m_fixedFont(QFontDatabase::systemFont(QFontDatabase::FixedFont))
{
    Q_ASSERT(store);
    scanNewFrames();
    m_changedRows.clear();
    m_visibleRows = int(m_messages.size());
    connect(m_store, &TraceStore::grown, this, &MessageModel::onGrown);
    connect(m_store, &TraceStore::aboutToReset, this, &MessageModel::onAboutToReset);
    connect(m_store, &TraceStore::resetDone, this, &MessageModel::onResetDone);
}

int MessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_visibleRows;
}

int MessageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

void MessageModel::touch(qsizetype row)
{
    if (row < 0 || row >= m_visibleRows)
        return; // a row of this batch: it is inserted with its final content
    if (std::find(m_changedRows.begin(), m_changedRows.end(), row) == m_changedRows.end())
        m_changedRows.push_back(row);
}

void MessageModel::close(OpenMessage &open, Status status)
{
    if (open.row < 0)
        return;
    m_messages[size_t(open.row)].status = status;
    touch(open.row);
    open.row = -1;
}

void MessageModel::validateTx(OpenMessage &open, Message &message, const FrameRecord &frame)
{
    if (message.utf8Invalid)
        return;
    const QByteArray &pattern = frame.payload;
    if (frame.tx && frame.tx->repeatLength) {
        qint64 remaining = FrameTableModel::wirePayloadLength(frame);
        if (!pattern.isEmpty() && remaining > 0) {
            // Whole patterns per block, so consecutive blocks continue the pattern seamlessly.
            QByteArray block = pattern;
            while (block.size() < kValidationBlock)
                block += pattern;
            while (remaining > 0 && open.utf8.state() != Utf8Validator::State::Invalid) {
                const qsizetype n = qsizetype(std::min<qint64>(remaining, block.size()));
                open.utf8.feed(block.constData(), n);
                remaining -= n;
            }
        }
    } else {
        open.utf8.feed(pattern.constData(), pattern.size());
    }
    if (open.utf8.state() == Utf8Validator::State::Invalid)
        message.utf8Invalid = true;
}

void MessageModel::addFrame(quint32 index, const FrameRecord &frame)
{
    if (isControlOpcode(frame.opcode))
        return; // control frames may sit between fragments; they are no message (§5.4)
    OpenMessage &open = m_open[int(frame.direction)];
    const bool text = frame.opcode == quint8(Opcode::Text);
    const bool ends = frame.fin && !frame.incomplete;

    if (frame.opcode == quint8(Opcode::Text) || frame.opcode == quint8(Opcode::Binary)) {
        close(open, Status::Interrupted);
        Message message;
        message.size = FrameTableModel::wirePayloadLength(frame);
        message.firstFrame = index;
        message.lastFrame = index;
        message.frameCount = 1;
        message.opcode = frame.opcode;
        message.direction = frame.direction;
        open.row = qsizetype(m_messages.size());
        open.utf8.reset();
        if (text) {
            if (frame.direction == Direction::Tx)
                validateTx(open, message, frame);
            else
                message.utf8Invalid = frame.violations.testFlag(Violation::InvalidUtf8Text);
        }
        m_messages.push_back(message);
    } else if (frame.opcode == quint8(Opcode::Continuation)) {
        if (open.row < 0)
            return; // a continuation without a message: no message to add it to
        Message &message = m_messages[size_t(open.row)];
        message.lastFrame = index;
        ++message.frameCount;
        message.size += FrameTableModel::wirePayloadLength(frame);
        if (message.opcode == quint8(Opcode::Text)) {
            if (frame.direction == Direction::Tx)
                validateTx(open, message, frame);
            else if (frame.violations.testFlag(Violation::InvalidUtf8Text))
                message.utf8Invalid = true;
        }
        touch(open.row);
    } else {
        return; // reserved non-control opcodes 3–7: no known message type
    }

    if (ends) {
        Message &message = m_messages[size_t(open.row)];
        // A text message that ends inside a code point is invalid too (RFC 6455 §8.1).
        if (message.opcode == quint8(Opcode::Text) && message.direction == Direction::Tx &&
            open.utf8.state() != Utf8Validator::State::Valid)
            message.utf8Invalid = true;
        message.status = Status::Complete;
        open.row = -1;
    }
}

void MessageModel::scanNewFrames()
{
    const auto &frames = m_store->trace().frames();
    const size_t end = frames.size();
    for (size_t i = m_scanned; i < end; ++i)
        addFrame(quint32(i), frames[i]);
    m_scanned = end;
}

void MessageModel::onGrown()
{
    m_changedRows.clear();
    scanNewFrames();
    const int count = int(m_messages.size());
    if (count > m_visibleRows) {
        beginInsertRows(QModelIndex(), m_visibleRows, count - 1);
        m_visibleRows = count;
        endInsertRows();
    }
    // The open messages (and those a new message interrupted): a handful of rows at most.
    for (const qsizetype row : m_changedRows)
        Q_EMIT dataChanged(index(int(row), 0), index(int(row), NUM_COLUMNS - 1));
    m_changedRows.clear();
}

void MessageModel::onAboutToReset()
{
    beginResetModel();
    m_messages.clear();
    m_visibleRows = 0;
    m_scanned = 0;
    m_open[0] = OpenMessage();
    m_open[1] = OpenMessage();
}

void MessageModel::onResetDone()
{
    scanNewFrames();
    m_changedRows.clear();
    m_visibleRows = int(m_messages.size());
    endResetModel();
}

QByteArray MessageModel::payloadHead(const Message &message, qint64 maxOctets) const
{
    // The message's frames are the first one and the continuations of its direction up to the
    // last: any other text/binary frame of that direction would have ended it.
    const Trace &trace = m_store->trace();
    const auto &frames = trace.frames();
    QByteArray head;
    const size_t last = std::min<size_t>(message.lastFrame, frames.size() - 1);
    for (size_t i = message.firstFrame; i <= last && head.size() < maxOctets; ++i) {
        const FrameRecord &frame = frames[i];
        if (frame.direction != message.direction)
            continue;
        if (i != message.firstFrame && frame.opcode != quint8(Opcode::Continuation))
            continue;
        head += FrameTableModel::payloadHead(trace, frame, maxOctets - head.size());
    }
    return head;
}

QVariant MessageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NumberColumn:
        return tr("#");
    case TimeColumn:
        return tr("Time (ms)");
    case DirectionColumn:
        return tr("Dir");
    case TypeColumn:
        return tr("Type");
    case FramesColumn:
        return tr("Frames");
    case SizeColumn:
        return tr("Size");
    case PreviewColumn:
        return tr("Preview");
    case Utf8Column:
        return tr("Valid UTF-8");
    default:
        return {};
    }
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_visibleRows || index.column() >= NUM_COLUMNS)
        return {};
    const Message &message = m_messages[size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(message, index.row(), column);
    case Qt::ToolTipRole:
        if (column == PreviewColumn && message.size > 0)
            return FrameTableModel::payloadToolTip(payloadHead(message, 4096), message.size);
        if (column == TypeColumn && message.status == Status::Interrupted)
            return tr("A new text or binary frame started before this message's final fragment "
                      "(RFC 6455 §5.4).");
        return {};
    case Qt::FontRole:
        if (column == PreviewColumn)
            return m_fixedFont;
        return {};
    case Qt::TextAlignmentRole:
        switch (column) {
        case NumberColumn:
        case TimeColumn:
        case FramesColumn:
        case SizeColumn:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::ForegroundRole:
        if (column == DirectionColumn)
            return colors::text(
                QColor(message.direction == Direction::Tx ? colors::kTx : colors::kRx));
        if ((column == TypeColumn && message.status == Status::Interrupted) ||
            (column == Utf8Column && message.opcode == quint8(Opcode::Text) && message.utf8Invalid))
            return colors::text(QColor(colors::kWarning));
        return {};
    case FirstFrameRole:
    case FrameIndexRole:
        return int(message.firstFrame);
    case LastFrameRole:
        return int(message.lastFrame);
    case DirectionRole:
        return int(message.direction);
    case OpcodeRole:
        return int(message.opcode);
    case TimeNsRole:
        return m_store->trace().frames()[message.lastFrame].timeNs;
    case SortRole:
        return sortData(message, index.row(), column);
    default:
        return {};
    }
}

QVariant MessageModel::displayData(const Message &message, int row, int column) const
{
    const bool text = message.opcode == quint8(Opcode::Text);
    switch (column) {
    case NumberColumn:
        return QString::number(row + 1);
    case TimeColumn:
        return FrameTableModel::timeText(m_store->trace().frames()[message.lastFrame].timeNs);
    case DirectionColumn:
        return FrameTableModel::directionText(message.direction);
    case TypeColumn: {
        const QString type = text ? tr("Text") : tr("Binary");
        switch (message.status) {
        case Status::Complete:
            return type;
        case Status::Interrupted:
            return tr("%1 (interrupted)").arg(type);
        case Status::Open:
            return tr("%1 (incomplete)").arg(type);
        }
        return type;
    }
    case FramesColumn:
        return QString::number(message.frameCount);
    case SizeColumn:
        return QString::number(message.size);
    case PreviewColumn:
        return FrameTableModel::payloadPreview(
            payloadHead(message, FrameTableModel::kPreviewOctets), message.size);
    case Utf8Column:
        if (!text)
            return QString();
        return message.utf8Invalid ? tr("no") : tr("yes");
    default:
        return {};
    }
}

QVariant MessageModel::sortData(const Message &message, int row, int column) const
{
    switch (column) {
    case NumberColumn:
        return row;
    case TimeColumn:
        return m_store->trace().frames()[message.lastFrame].timeNs;
    case DirectionColumn:
        return int(message.direction);
    case FramesColumn:
        return message.frameCount;
    case SizeColumn:
        return message.size;
    default:
        return displayData(message, row, column);
    }
}

} // namespace wsi::gui
