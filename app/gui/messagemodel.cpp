// SPDX-License-Identifier: MIT
#include "messagemodel.h"
#include "monospacefont.h"
#include "theme.h"

#include "format.h"
#include "frametablemodel.h"
#include "protocol/frame.h"

#include <QFontDatabase>

#include <algorithm>

namespace wsi::gui {

namespace {

// TX payloads are validated in blocks of whole patterns of at least this many octets, so a
// 1-octet pattern repeated to 16 MiB costs a few thousand feed() calls, not millions.
constexpr qsizetype kValidationBlock = 4096;

} // namespace

MessageModel::MessageModel(const TraceStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store), m_fixedFont(monospaceFont())
{
    Q_ASSERT(store);
    scanNewFrames();
    m_changedRows.clear();
    m_floorRow = messagesBefore(m_store->viewFloor().frames);
    m_visibleRows = m_store->viewsPaused() ? m_floorRow : int(m_firstFrames.size());
    connect(m_store, &TraceStore::grown, this, &MessageModel::onGrown);
    connect(m_store, &TraceStore::aboutToReset, this, &MessageModel::onAboutToReset);
    connect(m_store, &TraceStore::resetDone, this, &MessageModel::onResetDone);
    connect(m_store, &TraceStore::viewFloorChanged, this, &MessageModel::onViewFloorChanged);
    connect(m_store, &TraceStore::viewsPausedChanged, this, &MessageModel::onGrown);
}

int MessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_visibleRows - m_floorRow;
}

int MessageModel::messagesBefore(size_t frame) const
{
    // First frames grow with the rows.
    return int(std::partition_point(m_firstFrames.begin(), m_firstFrames.end(),
                                    [frame](quint32 first) { return first < frame; }) -
               m_firstFrames.begin());
}

qint64 MessageModel::timeNsOf(const Message &message) const
{
    return m_store->trace().frames()[message.lastFrame].timeNs;
}

qint64 MessageModel::deltaNs(int number, const Message &message) const
{
    // The first row shown has nothing before it (also right after View ▸ Clear).
    if (number <= m_floorRow)
        return 0;
    return timeNsOf(message) - timeNsOf(this->message(number - 1));
}

int MessageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

const MessageModel::Details *MessageModel::detailsOf(quint32 row) const
{
    const auto it = std::lower_bound(m_details.begin(), m_details.end(), row,
                                     [](const Details &d, quint32 r) { return d.row < r; });
    return it != m_details.end() && it->row == row ? &*it : nullptr;
}

MessageModel::Message MessageModel::message(int row) const
{
    Message message;
    message.firstFrame = m_firstFrames[size_t(row)];
    const FrameRecord &first = m_store->trace().frames()[message.firstFrame];
    message.opcode = first.opcode;
    message.direction = first.direction;
    if (const Details *details = detailsOf(quint32(row))) {
        message.size = details->size;
        message.lastFrame = details->lastFrame;
        message.frameCount = details->frameCount;
        message.status = details->status;
        message.utf8Invalid = details->utf8Invalid;
    } else {
        message.size = FrameTableModel::wirePayloadLength(first);
        message.lastFrame = message.firstFrame;
        message.frameCount = 1;
        message.status = Status::Complete;
        message.utf8Invalid = impliedUtf8Invalid(first);
    }
    return message;
}

bool MessageModel::impliedUtf8Invalid(const FrameRecord &frame)
{
    return frame.opcode == quint8(Opcode::Text) && frame.direction == Direction::Rx &&
           frame.violations.testFlag(Violation::InvalidUtf8Text);
}

void MessageModel::touch(qsizetype row)
{
    if (row < m_floorRow || row >= m_visibleRows)
        return; // not shown, or a row of this batch: it is inserted with its final content
    if (std::find(m_changedRows.begin(), m_changedRows.end(), row) == m_changedRows.end())
        m_changedRows.push_back(row);
}

void MessageModel::close(OpenMessage &open, Status status)
{
    if (open.row < 0)
        return;
    m_details[open.details].status = status;
    touch(open.row);
    open.row = -1;
}

bool MessageModel::validateTx(OpenMessage &open, const FrameRecord &frame)
{
    if (open.utf8.state() == Utf8Validator::State::Invalid)
        return true;
    const QByteArray &pattern = frame.payload;
    if (frame.tx && frame.tx->repeatLength) {
        qint64 remaining = FrameTableModel::wirePayloadLength(frame);
        if (!pattern.isEmpty() && remaining > 0) {
            // Whole patterns per block, so consecutive blocks continue the pattern seamlessly.
            const qint64 patterns = (kValidationBlock + pattern.size() - 1) / pattern.size();
            const QByteArray block = repeatPattern(pattern, patterns * pattern.size());
            while (remaining > 0 && open.utf8.state() != Utf8Validator::State::Invalid) {
                const qsizetype n = qsizetype(std::min<qint64>(remaining, block.size()));
                open.utf8.feed(block.constData(), n);
                remaining -= n;
            }
        }
    } else {
        open.utf8.feed(pattern.constData(), pattern.size());
    }
    return open.utf8.state() == Utf8Validator::State::Invalid;
}

void MessageModel::addFrame(quint32 index, const FrameRecord &frame)
{
    if (isControlOpcode(frame.opcode))
        return; // control frames may sit between fragments; they are no message (RFC 6455 §5.4)
    OpenMessage &open = m_open[int(frame.direction)];
    const bool ends = frame.fin && !frame.incomplete;
    const bool tx = frame.direction == Direction::Tx;

    if (frame.opcode == quint8(Opcode::Text) || frame.opcode == quint8(Opcode::Binary)) {
        close(open, Status::Interrupted);
        const bool text = frame.opcode == quint8(Opcode::Text);
        Details details;
        details.size = FrameTableModel::wirePayloadLength(frame);
        details.row = quint32(m_firstFrames.size());
        details.lastFrame = index;
        open.utf8.reset();
        if (text) {
            details.utf8Invalid = tx ? validateTx(open, frame)
                                     : frame.violations.testFlag(Violation::InvalidUtf8Text);
            // A text message that ends inside a code point is invalid too (RFC 6455 §8.1).
            if (tx && ends && open.utf8.state() != Utf8Validator::State::Valid)
                details.utf8Invalid = true;
        }
        m_firstFrames.push_back(index);
        if (ends) {
            details.status = Status::Complete;
            // The usual case: the frame says everything, nothing more is kept.
            if (details.utf8Invalid != impliedUtf8Invalid(frame))
                m_details.push_back(details);
        } else {
            open.row = qsizetype(details.row);
            open.details = m_details.size();
            m_details.push_back(details);
        }
        return;
    }
    if (frame.opcode != quint8(Opcode::Continuation))
        return; // reserved non-control opcodes 3–7: no known message type
    if (open.row < 0)
        return; // a continuation without a message: no message to add it to

    Details &details = m_details[open.details];
    details.lastFrame = index;
    ++details.frameCount;
    details.size += FrameTableModel::wirePayloadLength(frame);
    const bool text =
        m_store->trace().frames()[m_firstFrames[size_t(open.row)]].opcode == quint8(Opcode::Text);
    if (text) {
        if (tx) {
            if (validateTx(open, frame))
                details.utf8Invalid = true;
        } else if (frame.violations.testFlag(Violation::InvalidUtf8Text)) {
            details.utf8Invalid = true;
        }
    }
    touch(open.row);
    if (ends) {
        if (text && tx && open.utf8.state() != Utf8Validator::State::Valid)
            details.utf8Invalid = true; // it ended inside a code point (RFC 6455 §8.1)
        details.status = Status::Complete;
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
    const int count = int(m_firstFrames.size());
    // Paused, nothing is announced; the resume inserts all of it at once.
    if (count > m_visibleRows && !m_store->viewsPaused()) {
        beginInsertRows(QModelIndex(), m_visibleRows - m_floorRow, count - 1 - m_floorRow);
        m_visibleRows = count;
        endInsertRows();
    }
    // The open messages (and those a new message interrupted): a handful of rows at most.
    for (const qsizetype row : m_changedRows) {
        const int shown = int(row) - m_floorRow;
        Q_EMIT dataChanged(index(shown, 0), index(shown, NUM_COLUMNS - 1));
    }
    m_changedRows.clear();
}

void MessageModel::onViewFloorChanged()
{
    beginResetModel();
    m_floorRow = messagesBefore(m_store->viewFloor().frames);
    m_visibleRows = std::max(m_visibleRows, m_floorRow);
    endResetModel();
}

void MessageModel::onAboutToReset()
{
    beginResetModel();
    m_firstFrames.clear();
    m_details.clear();
    m_details.shrink_to_fit();
    m_visibleRows = 0;
    m_floorRow = 0;
    m_scanned = 0;
    m_open[0] = OpenMessage();
    m_open[1] = OpenMessage();
}

void MessageModel::onResetDone()
{
    scanNewFrames();
    m_changedRows.clear();
    m_floorRow = messagesBefore(m_store->viewFloor().frames);
    m_visibleRows = m_store->viewsPaused() ? m_floorRow : int(m_firstFrames.size());
    endResetModel();
}

QByteArray MessageModel::wirePayloadHead(const Message &message, qint64 maxOctets) const
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
        head += FrameTableModel::wirePayloadHead(trace, frame, maxOctets - head.size());
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
    case DeltaTimeColumn:
        return tr("Δ Time (ms)");
    default:
        return {};
    }
}

QByteArray MessageModel::payloadHead(const Message &message, qint64 maxOctets) const
{
    const TraceInflation::Message *c = compressed(message);
    if (c && c->inflatedKept && c->state != TraceInflation::State::Failed &&
        c->state != TraceInflation::State::Unknown)
        return c->inflated.left(qsizetype(std::min<qint64>(maxOctets, c->inflated.size())));
    return wirePayloadHead(message, maxOctets);
}

const TraceInflation::Message *MessageModel::compressed(const Message &message) const
{
    const TraceInflation &inflation = m_store->inflation();
    if (!inflation.active())
        return nullptr;
    return inflation.messageOfFrame(message.firstFrame);
}

// The size the application sees: inflated for a compressed message that inflated (so far).
static qint64 shownSize(const MessageModel::Message &message, const TraceInflation::Message *c)
{
    if (!c || c->state == TraceInflation::State::Failed ||
        c->state == TraceInflation::State::Unknown)
        return message.size;
    return c->inflatedOctets;
}

QString MessageModel::compressionText(const TraceInflation::Message &c)
{
    switch (c.state) {
    case TraceInflation::State::Inflated:
        if (const std::optional<double> ratio = c.ratio())
            return tr("compressed %1").arg(format::ratioPercent(*ratio));
        return tr("compressed");
    case TraceInflation::State::Open:
        return tr("compressed");
    case TraceInflation::State::Failed:
        return tr("compressed, does not inflate");
    case TraceInflation::State::Unknown:
        return tr("compressed, not inflated");
    case TraceInflation::State::Interrupted:
        return tr("compressed");
    }
    return {};
}

QString MessageModel::compressionToolTip(const TraceInflation::Message &c)
{
    QString tip = tr("Compressed (permessage-deflate, RFC 7692): %1")
                      .arg(format::compression(c.wireOctets, c.inflatedOctets));
    switch (c.state) {
    case TraceInflation::State::Failed:
        tip +=
            u'\n' +
            (c.errorOffset >= 0
                 ? tr("Does not inflate: %1 (compressed octet %2)").arg(c.error).arg(c.errorOffset)
                 : tr("Does not inflate: %1").arg(c.error));
        break;
    case TraceInflation::State::Unknown:
        tip += u'\n' + tr("Not inflated: %1").arg(c.error);
        break;
    default:
        break;
    }
    return tip;
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= NUM_COLUMNS)
        return {};
    const int number = m_floorRow + index.row(); // the row in the whole trace's messages
    const Message message = this->message(number);
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(message, number, column);
    case Qt::ToolTipRole: {
        const TraceInflation::Message *c = compressed(message);
        if (column == PreviewColumn && message.size > 0)
            return FrameTableModel::payloadToolTip(payloadHead(message, 4096),
                                                   shownSize(message, c));
        QStringList tips;
        if (column == TypeColumn && message.status == Status::Interrupted)
            tips << tr("A new text or binary frame started before this message's final fragment "
                       "(RFC 6455 §5.4).");
        if ((column == TypeColumn || column == SizeColumn) && c)
            tips << compressionToolTip(*c);
        if (tips.isEmpty())
            return {};
        return tips.join(u'\n');
    }
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
        case DeltaTimeColumn:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::ForegroundRole:
        if (column == DirectionColumn)
            return theme::text(
                QColor(message.direction == Direction::Tx ? theme::kTx : theme::kRx));
        if ((column == TypeColumn && message.status == Status::Interrupted) ||
            (column == Utf8Column && message.opcode == quint8(Opcode::Text) &&
             utf8Invalid(message)))
            return theme::text(QColor(theme::kWarning));
        if (column == TypeColumn) {
            const TraceInflation::Message *c = compressed(message);
            if (c && (c->state == TraceInflation::State::Failed ||
                      c->state == TraceInflation::State::Unknown))
                return theme::text(QColor(theme::kWarning));
        }
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
        return timeNsOf(message);
    case SortRole:
        return sortData(message, number, column);
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
        return format::millisecondsCell(timeNsOf(message));
    case DirectionColumn:
        return FrameTableModel::directionText(message.direction);
    case TypeColumn: {
        QString type = text ? tr("Text") : tr("Binary");
        switch (message.status) {
        case Status::Complete:
            break;
        case Status::Interrupted:
            type = tr("%1 (interrupted)").arg(type);
            break;
        case Status::Open:
            type = tr("%1 (incomplete)").arg(type);
            break;
        }
        if (const TraceInflation::Message *c = compressed(message))
            type = tr("%1 · %2").arg(type, compressionText(*c));
        return type;
    }
    case FramesColumn:
        return QString::number(message.frameCount);
    case SizeColumn:
        return QString::number(shownSize(message, compressed(message)));
    case PreviewColumn:
        return format::payloadPreview(payloadHead(message, FrameTableModel::kPreviewOctets),
                                      shownSize(message, compressed(message)));
    case Utf8Column:
        if (!text)
            return QString();
        return utf8Invalid(message) ? tr("no") : tr("yes");
    case DeltaTimeColumn:
        return format::millisecondsCell(deltaNs(row, message));
    default:
        return {};
    }
}

bool MessageModel::utf8Invalid(const Message &message) const
{
    // A compressed text message is valid UTF-8 once inflated (RFC 7692 §6: the rules of RFC 6455
    // apply to the inflated octets); its wire octets are DEFLATE data, never text.
    const TraceInflation::Message *c = compressed(message);
    if (!c)
        return message.utf8Invalid;
    if (c->state == TraceInflation::State::Failed || c->state == TraceInflation::State::Unknown ||
        !c->inflatedKept)
        return message.utf8Invalid;
    const qint64 bad =
        Utf8Validator::firstInvalidOffset(c->inflated.constData(), c->inflated.size());
    // An open message may end inside a code point that its next fragment completes.
    return bad >= 0 && (bad < c->inflated.size() || c->state != TraceInflation::State::Open);
}

QVariant MessageModel::sortData(const Message &message, int row, int column) const
{
    switch (column) {
    case NumberColumn:
        return row;
    case TimeColumn:
        return timeNsOf(message);
    case DeltaTimeColumn:
        return deltaNs(row, message);
    case DirectionColumn:
        return int(message.direction);
    case FramesColumn:
        return message.frameCount;
    case SizeColumn:
        return shownSize(message, compressed(message));
    default:
        return displayData(message, row, column);
    }
}

} // namespace wsi::gui
