// SPDX-License-Identifier: MIT
#include "frametablemodel.h"
#include "monospacefont.h"
#include "theme.h"

#include "format.h"
#include "protocol/frame.h"
#include "protocol/utf8validator.h"

#include <QApplication>
#include <QFontDatabase>
#include <QStringList>
#include <QStyle>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

constexpr qint64 kMaxQint64 = std::numeric_limits<qint64>::max();
// Octets a tooltip shows at most ("a few KiB").
constexpr qint64 kToolTipOctets = 4096;

qint64 clampLength(quint64 length)
{
    return qint64(std::min<quint64>(length, quint64(kMaxQint64 / 2)));
}

} // namespace

FrameTableModel::FrameTableModel(const TraceStore *store, QObject *parent)
    : QAbstractTableModel(parent), m_store(store), m_fixedFont(monospaceFont())
{
    Q_ASSERT(store);
    m_floor = int(m_store->viewFloor().frames);
    m_announced = std::max(m_floor, int(m_store->trace().frames().size()));
    connect(m_store, &TraceStore::grown, this, &FrameTableModel::onGrown);
    connect(m_store, &TraceStore::aboutToReset, this, &FrameTableModel::onAboutToReset);
    connect(m_store, &TraceStore::resetDone, this, &FrameTableModel::onResetDone);
    connect(m_store, &TraceStore::viewFloorChanged, this, &FrameTableModel::onViewFloorChanged);
    connect(m_store, &TraceStore::viewsPausedChanged, this, &FrameTableModel::onGrown);
}

int FrameTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_announced - m_floor;
}

int FrameTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

const FrameRecord *FrameTableModel::frameAt(int row) const
{
    if (row < 0 || row >= m_announced - m_floor)
        return nullptr;
    return &m_store->trace().frames()[size_t(m_floor + row)];
}

int FrameTableModel::rowOfFrame(int frame) const
{
    return frame >= m_floor && frame < m_announced ? frame - m_floor : -1;
}

int FrameTableModel::frameOfRow(int row) const
{
    return row >= 0 && row < m_announced - m_floor ? m_floor + row : -1;
}

void FrameTableModel::updateStreamIndex() const
{
    const auto &frames = m_store->trace().frames();
    for (size_t i = m_streamIndexed; i < frames.size(); ++i) {
        if (frames[i].streamOffset >= 0)
            m_streamFrames[int(frames[i].direction)].push_back(quint32(i));
    }
    m_streamIndexed = frames.size();
}

int FrameTableModel::firstFrameOverlapping(Direction direction, qint64 from, qint64 to) const
{
    // Kept only once someone asks: a flood that nobody clicks into costs no index.
    m_streamIndexUsed = true;
    updateStreamIndex();
    const auto &frames = m_store->trace().frames();
    const std::vector<quint32> &index = m_streamFrames[int(direction)];
    // The first frame ending after `from`; a direction's frames neither overlap nor go back.
    const auto it = std::partition_point(index.begin(), index.end(), [&](quint32 i) {
        const FrameRecord &f = frames[i];
        return f.streamOffset + wireSize(f) <= from;
    });
    if (it == index.end() || frames[*it].streamOffset >= to)
        return -1;
    return int(*it);
}

void FrameTableModel::onGrown()
{
    if (m_streamIndexUsed)
        updateStreamIndex();
    // Rows are the trace's frames: everything past what was announced is one batch, one insert.
    // Paused, nothing is announced; the resume inserts all of it at once.
    if (m_store->viewsPaused())
        return;
    const int count = int(m_store->trace().frames().size());
    if (count <= m_announced)
        return;
    beginInsertRows(QModelIndex(), m_announced - m_floor, count - 1 - m_floor);
    m_announced = count;
    endInsertRows();
}

void FrameTableModel::onAboutToReset()
{
    beginResetModel();
    m_floor = 0;
    m_announced = 0;
    for (auto &index : m_streamFrames)
        index = {};
    m_streamIndexed = 0;
}

void FrameTableModel::onResetDone()
{
    m_floor = int(m_store->viewFloor().frames);
    m_announced =
        m_store->viewsPaused() ? m_floor : std::max(m_floor, int(m_store->trace().frames().size()));
    if (m_streamIndexUsed)
        updateStreamIndex();
    endResetModel();
}

void FrameTableModel::onViewFloorChanged()
{
    beginResetModel();
    m_floor = int(m_store->viewFloor().frames);
    m_announced = std::max(m_announced, m_floor);
    endResetModel();
}

QVariant FrameTableModel::headerData(int section, Qt::Orientation orientation, int role) const
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
    case OpcodeColumn:
        return tr("Opcode");
    case FinColumn:
        return tr("FIN");
    case RsvColumn:
        return tr("RSV");
    case MaskColumn:
        return tr("MASK");
    case KeyColumn:
        return tr("Key");
    case LengthColumn:
        return tr("Length");
    case PayloadColumn:
        return tr("Payload");
    case ViolationsColumn:
        return tr("Violations");
    case DeltaTimeColumn:
        return tr("Δ Time (ms)");
    default:
        return {};
    }
}

QVariant FrameTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= NUM_COLUMNS)
        return {};
    const int row = m_floor + index.row(); // the frame's index into the trace
    const int column = index.column();
    const FrameRecord &frame = m_store->trace().frames()[size_t(row)];

    switch (role) {
    case Qt::DisplayRole:
        return displayData(frame, row, column);
    case Qt::ToolTipRole:
        return toolTipData(frame, column);
    case Qt::DecorationRole:
        if (column == ViolationsColumn && frame.violations != Violation::None) {
            if (m_warningIcon.isNull()) {
                if (auto *app = qobject_cast<QApplication *>(QCoreApplication::instance()))
                    m_warningIcon = app->style()->standardIcon(QStyle::SP_MessageBoxWarning);
            }
            if (!m_warningIcon.isNull())
                return m_warningIcon;
        }
        return {};
    case Qt::FontRole:
        if (column == KeyColumn || column == PayloadColumn)
            return m_fixedFont;
        return {};
    case Qt::TextAlignmentRole:
        switch (column) {
        case NumberColumn:
        case TimeColumn:
        case LengthColumn:
        case DeltaTimeColumn:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::ForegroundRole:
        if (frame.incomplete)
            return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        if (column == DirectionColumn)
            return theme::text(QColor(frame.direction == Direction::Tx ? theme::kTx : theme::kRx));
        if (column == ViolationsColumn && frame.violations != Violation::None)
            return theme::text(QColor(theme::kWarning));
        return {};
    case Qt::BackgroundRole:
        if (frame.violations != Violation::None)
            return theme::tint(QColor(theme::kWarning), 40);
        return {};
    case FrameIndexRole:
        return row;
    case DirectionRole:
        return int(frame.direction);
    case OpcodeRole:
        return int(frame.opcode);
    case ViolationsRole:
        return int(frame.violations.toInt());
    case StreamOffsetRole:
        return frame.streamOffset;
    case StreamSizeRole:
        return streamSize(frame);
    case TimeNsRole:
        return frame.timeNs;
    case SortRole:
        return sortData(frame, row, column);
    default:
        return {};
    }
}

QVariant FrameTableModel::displayData(const FrameRecord &frame, int row, int column) const
{
    switch (column) {
    case NumberColumn:
        return QString::number(row + 1);
    case TimeColumn:
        return format::millisecondsCell(frame.timeNs);
    case DirectionColumn:
        return directionText(frame.direction);
    case OpcodeColumn:
        return opcodeText(frame.opcode);
    case FinColumn:
        return frame.fin ? tr("yes") : tr("no");
    case RsvColumn:
        return rsvText(frame.rsv);
    case MaskColumn:
        if (frameOctetsUnknown(frame))
            return tr("unknown"); // read from a file of messages: the wire is not known
        if (frame.hasKey)
            return tr("yes");
        // The mask bit without a key: only a frame we broke on purpose (MaskMode::BitOnly).
        return frame.masked ? tr("bit-only") : tr("no");
    case KeyColumn:
        if (frameOctetsUnknown(frame))
            return tr("unknown");
        if (!frame.hasKey)
            return QString();
        return u"%1"_s.arg(frame.maskKey, 8, 16, QChar(u'0'));
    case LengthColumn: {
        const QString length = QString::number(frame.payloadLength);
        if (frame.incomplete)
            return tr("%1 (incomplete)").arg(length);
        if (frame.direction == Direction::Tx && frame.tx && frame.tx->declaredLength) {
            const qint64 sent = wirePayloadLength(frame);
            if (*frame.tx->declaredLength != quint64(sent))
                return tr("%1 (sent %2)").arg(length).arg(sent);
        }
        return length;
    }
    case PayloadColumn: {
        const qint64 total = wirePayloadLength(frame);
        const QByteArray head = wirePayloadHead(m_store->trace(), frame, kPreviewOctets);
        if (frame.opcode == quint8(Opcode::Close)) {
            const QString close = closePayloadText(head, total);
            if (!close.isEmpty())
                return close;
        }
        return format::payloadPreview(head, total);
    }
    case ViolationsColumn:
        return violationsText(frame.violations);
    case DeltaTimeColumn:
        return format::millisecondsCell(deltaNs(row));
    default:
        return {};
    }
}

qint64 FrameTableModel::deltaNs(int frame) const
{
    // The first row shown has nothing before it (also right after View ▸ Clear).
    if (frame <= m_floor)
        return 0;
    const auto &frames = m_store->trace().frames();
    return frames[size_t(frame)].timeNs - frames[size_t(frame) - 1].timeNs;
}

QVariant FrameTableModel::toolTipData(const FrameRecord &frame, int column) const
{
    switch (column) {
    case RsvColumn:
        // The column is narrow: "6 (RSV1+RSV2)" in full.
        if (frame.rsv != 0)
            return rsvText(frame.rsv);
        return {};
    case MaskColumn:
    case KeyColumn:
        if (frameOctetsUnknown(frame))
            return tr("The file this frame was read from has the messages, not their frames: "
                      "fragmentation, masking keys and the octets on the wire are unknown.");
        return {};
    case OpcodeColumn:
        if (isReservedOpcode(frame.opcode))
            return tr("Opcode %1 is reserved (RFC 6455 §5.2)").arg(frame.opcode);
        return tr("Opcode %1 (%2)").arg(frame.opcode).arg(opcodeName(frame.opcode));
    case LengthColumn:
        if (frame.incomplete) {
            const qint64 payloadStart = frame.streamOffset + frame.headerSize();
            const qint64 arrived =
                std::clamp<qint64>(m_store->trace().octetCount(frame.direction) - payloadStart, 0,
                                   clampLength(frame.payloadLength));
            const qint64 declared = clampLength(frame.payloadLength);
            return format::resolvePlural(
                       tr("The connection ended inside this frame: %1 of %2 payload "
                          "octet(s) arrived.",
                          nullptr, format::pluralCount(declared)),
                       declared)
                .arg(arrived)
                .arg(frame.payloadLength);
        }
        if (frame.direction == Direction::Tx && frame.tx && frame.tx->declaredLength) {
            const quint64 declared = *frame.tx->declaredLength;
            const qint64 count = clampLength(declared);
            return format::resolvePlural(
                       tr("The header declares %1 payload octet(s); %2 were sent.", nullptr,
                          format::pluralCount(count)),
                       count)
                .arg(declared)
                .arg(wirePayloadLength(frame));
        }
        return {};
    case PayloadColumn: {
        const qint64 total = wirePayloadLength(frame);
        if (total == 0)
            return {};
        return payloadToolTip(wirePayloadHead(m_store->trace(), frame, kToolTipOctets), total);
    }
    case ViolationsColumn:
        if (frame.violations == Violation::None)
            return {};
        return violationsToolTip(frame.violations);
    default:
        return {};
    }
}

QVariant FrameTableModel::sortData(const FrameRecord &frame, int row, int column) const
{
    switch (column) {
    case NumberColumn:
        return row;
    case TimeColumn:
        return frame.timeNs;
    case DirectionColumn:
        return int(frame.direction);
    case OpcodeColumn:
        return int(frame.opcode);
    case FinColumn:
        return int(frame.fin);
    case RsvColumn:
        return int(frame.rsv);
    case MaskColumn:
        return frame.hasKey ? 2 : frame.masked ? 1 : 0;
    case KeyColumn:
        return frame.hasKey ? qint64(frame.maskKey) : qint64(-1);
    case LengthColumn:
        return qulonglong(frame.payloadLength);
    case ViolationsColumn:
        return int(frame.violations.toInt());
    case DeltaTimeColumn:
        return deltaNs(row);
    default:
        return displayData(frame, row, column);
    }
}

qint64 FrameTableModel::streamSize(const FrameRecord &frame) const
{
    if (frame.streamOffset < 0)
        return 0;
    // An incomplete frame ends with the stream: never point a hex view past the last octet.
    const qint64 available = m_store->trace().octetCount(frame.direction) - frame.streamOffset;
    return std::clamp<qint64>(wireSize(frame), 0, std::max<qint64>(available, 0));
}

// --- helpers -------------------------------------------------------------------------------------

QByteArray FrameTableModel::wirePayloadHead(const Trace &trace, const FrameRecord &frame,
                                            qint64 maxOctets)
{
    // The core's one reading of the wire payload; here a head of it only (0 or less: nothing).
    if (maxOctets <= 0)
        return {};
    return wirePayload(trace, frame, maxOctets);
}

qint64 FrameTableModel::wirePayloadLength(const FrameRecord &frame)
{
    return wirePayloadSize(frame); // the core's one count, which the Compare view reads too
}

qint64 FrameTableModel::wireSize(const FrameRecord &frame)
{
    if (frame.direction == Direction::Tx && frame.tx)
        return frame.tx->encodedSize;
    return frame.headerSize() + wirePayloadLength(frame);
}

QString FrameTableModel::payloadToolTip(const QByteArray &head, qint64 totalSize)
{
    const qint64 total = std::max<qint64>(totalSize, head.size());
    const bool cut = total > head.size();
    QString out;
    if (const std::optional<QByteArray> usable = format::decodableText(head, cut)) {
        out = QString::fromUtf8(*usable);
    } else {
        QStringList lines;
        for (qsizetype at = 0; at < head.size(); at += 16)
            lines << u"%1  "_s.arg(at, 4, 16, QChar(u'0')) +
                         format::spacedHex(QByteArrayView(head).sliced(
                             at, std::min<qsizetype>(16, head.size() - at)));
        out = lines.join(u'\n');
    }
    if (cut)
        out +=
            u'\n' + format::resolvePlural(
                        tr("(%1 of %2 octet(s) shown)", nullptr, format::pluralCount(total)), total)
                        .arg(head.size())
                        .arg(total);
    return out;
}

QString FrameTableModel::directionText(Direction direction)
{
    return direction == Direction::Tx ? tr("TX") : tr("RX");
}

QString FrameTableModel::opcodeText(int opcode)
{
    // The protocol's own words stay English (as opcodeName() gives them); "Reserved" is ours.
    if (isReservedOpcode(opcode))
        return tr("Reserved %1").arg(opcode);
    return opcodeName(opcode);
}

QString FrameTableModel::rsvText(int rsv)
{
    if (rsv == 0)
        return u"0"_s;
    // RSV1 is the highest of the three bits (value 4), RFC 6455 §5.2.
    QStringList bits;
    if (rsv & 4)
        bits << u"RSV1"_s;
    if (rsv & 2)
        bits << u"RSV2"_s;
    if (rsv & 1)
        bits << u"RSV3"_s;
    return QString::number(rsv) + u" ("_s + bits.join(u'+') + u')';
}

QString FrameTableModel::violationLabel(Violation v)
{
    switch (v) {
    case Violation::None:
        return QString();
    case Violation::RsvWithoutExtension:
        return tr("RSV without extension");
    case Violation::ReservedOpcode:
        return tr("Reserved opcode");
    case Violation::ControlFrameTooLong:
        return tr("Control frame too long");
    case Violation::ControlFrameFragmented:
        return tr("Fragmented control frame");
    case Violation::ContinuationWithoutMessage:
        return tr("Continuation without message");
    case Violation::DataFrameInsideMessage:
        return tr("Data frame inside message");
    case Violation::MaskedServerFrame:
        return tr("Masked server frame");
    case Violation::UnmaskedClientFrame:
        return tr("Unmasked client frame");
    case Violation::NonMinimalLength:
        return tr("Non-minimal length");
    case Violation::Length64TopBit:
        return tr("64-bit length with top bit set");
    case Violation::ClosePayloadOneOctet:
        return tr("One-octet close payload");
    case Violation::InvalidCloseCode:
        return tr("Invalid close code");
    case Violation::InvalidUtf8Text:
        return tr("Invalid UTF-8 in text");
    case Violation::InvalidUtf8CloseReason:
        return tr("Invalid UTF-8 in close reason");
    case Violation::FrameTooLarge:
        return tr("Frame too large");
    case Violation::MaskBitWithoutKey:
        return tr("Mask bit without key");
    case Violation::DeclaredLengthMismatch:
        return tr("Declared length mismatch");
    case Violation::CompressedControlFrame:
        return tr("Compressed control frame");
    case Violation::CompressedContinuation:
        return tr("RSV1 on a continuation");
    case Violation::InflateError:
        return tr("Does not inflate");
    case Violation::InflatedTooLarge:
        return tr("Inflates past the size limit");
    }
    return violationName(v);
}

QString FrameTableModel::violationsText(Violations violations)
{
    QStringList names;
    for (const Violation v : violationList(violations))
        names << violationLabel(v);
    return names.join(u", "_s);
}

QString FrameTableModel::violationsToolTip(Violations violations)
{
    // The rule itself is quoted from RFC 6455 (its section and its MUST), so it stays English.
    QStringList lines;
    for (const Violation v : violationList(violations))
        lines << violationLabel(v) + u": "_s + violationRule(v);
    return lines.join(u'\n');
}

QString FrameTableModel::closePayloadText(const QByteArray &head, qint64 totalSize)
{
    const ParsedClosePayload close = parseClosePayload(head);
    if (!close.code)
        return QString();
    const int code = *close.code;
    QString text = QString::number(code) + u" ("_s + closeCodeName(code) + u')';
    const QString reason = format::payloadPreview(close.reason, std::max<qint64>(totalSize - 2, 0));
    if (!reason.isEmpty())
        text += u' ' + reason;
    return text;
}

} // namespace wsi::gui
