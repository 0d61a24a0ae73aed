// SPDX-License-Identifier: MIT
#include "comparewindow.h"

#include "format.h"
#include "frametablemodel.h"
#include "monospacefont.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

constexpr qint64 kPreviewOctets = 64;
constexpr qint64 kToolTipOctets = 1024;
const QString kBetween = u" ↔ "_s;

// The fields a side's column shows: its cell is tinted when one of them differs.
FrameFields fieldsOf(int sideColumn)
{
    switch (sideColumn) {
    case CompareModel::OpcodeColumn:
        return FrameField::Opcode;
    case CompareModel::FinColumn:
        return FrameField::Fin;
    case CompareModel::RsvColumn:
        return FrameField::Rsv1 | FrameField::Rsv2 | FrameField::Rsv3;
    case CompareModel::MaskColumn:
        return FrameField::MaskBit | FrameField::MaskKey;
    case CompareModel::LengthColumn:
        return FrameField::PayloadLength | FrameField::LengthEncoding;
    case CompareModel::PayloadColumn:
        return FrameField::Payload;
    case CompareModel::ViolationsColumn:
        return FrameField::Violations;
    default:
        return {};
    }
}

// The extended length the minimal encoding uses (RFC 6455 §5.2): 0, 2 or 8 octets.
int minimalExtendedLength(quint64 length)
{
    return length <= 125 ? 0 : length <= 0xFFFF ? 2 : 8;
}

QString encodingText(int extendedLengthSize)
{
    switch (extendedLengthSize) {
    case 0:
        return CompareModel::tr("7-bit");
    case 2:
        return CompareModel::tr("16-bit");
    default:
        return CompareModel::tr("64-bit");
    }
}

QString keyText(const FrameRecord &f)
{
    if (!f.hasKey)
        return f.masked ? CompareModel::tr("bit only, no key") : CompareModel::tr("none");
    const char key[4] = {char(f.maskKey >> 24), char(f.maskKey >> 16), char(f.maskKey >> 8),
                         char(f.maskKey)};
    return format::spacedHex(QByteArrayView(key, 4));
}

QString octetText(int octet)
{
    if (octet == kPayloadEnded)
        return CompareModel::tr("(ended)");
    if (octet == kPayloadNotKept)
        return CompareModel::tr("(not kept)");
    return u"0x"_s + format::hexOctet(uchar(octet));
}

QString violationsOrNone(Violations v)
{
    return v == Violation::None ? CompareModel::tr("none") : FrameTableModel::violationsText(v);
}

} // namespace

CompareModel::CompareModel(CompareSide left, CompareSide right, QObject *parent)
    : QAbstractTableModel(parent), m_left(std::move(left)), m_right(std::move(right)),
      m_fixedFont(monospaceFont())
{
    m_diff = diffFrames(*m_left.trace, *m_right.trace);
    m_closing = diffClosing(m_left.closing, m_right.closing);
    rebuildShown();
}

void CompareModel::rebuildShown()
{
    m_shown.clear();
    for (size_t i = 0; i < m_diff.rows.size(); ++i) {
        if (!m_onlyDifferences || m_diff.rows[i].isDifference())
            m_shown.push_back(int(i));
    }
}

void CompareModel::setOnlyDifferences(bool only)
{
    if (only == m_onlyDifferences)
        return;
    beginResetModel();
    m_onlyDifferences = only;
    rebuildShown();
    endResetModel();
}

int CompareModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_shown.size());
}

int CompareModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : kColumnCount;
}

const FrameDiffRow &CompareModel::rowAt(int row) const
{
    return m_diff.rows[size_t(m_shown[size_t(row)])];
}

int CompareModel::rowOfDiffIndex(int diffIndex) const
{
    const auto it = std::lower_bound(m_shown.begin(), m_shown.end(), diffIndex);
    return it != m_shown.end() && *it == diffIndex ? int(it - m_shown.begin()) : -1;
}

QVariant CompareModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (section == kDirectionColumn) {
        if (role == Qt::DisplayRole)
            return tr("Dir");
        if (role == Qt::ToolTipRole)
            return tr("Sent (TX) or received (RX): each direction is aligned on its own");
        return {};
    }
    const bool isLeft = section < kDirectionColumn;
    const int column = isLeft ? section : section - kDirectionColumn - 1;
    if (role == Qt::ToolTipRole) {
        const QString side =
            isLeft ? tr("Left: %1").arg(m_left.name) : tr("Right: %1").arg(m_right.name);
        if (column == MaskColumn)
            return QString(side + u'\n' +
                           tr("Keys the sender chose at random differ from run to run: they are "
                              "not counted as a difference."));
        return side;
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case NumberColumn:
        return isLeft ? tr("Left #") : tr("Right #");
    case OpcodeColumn:
        return tr("Opcode");
    case FinColumn:
        return tr("FIN");
    case RsvColumn:
        return tr("RSV");
    case MaskColumn:
        return tr("Mask Key");
    case LengthColumn:
        return tr("Length");
    case PayloadColumn:
        return tr("Payload");
    case ViolationsColumn:
        return tr("Violations");
    default:
        return {};
    }
}

QVariant CompareModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const FrameDiffRow &row = rowAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return cellText(row, index.column());
    case Qt::BackgroundRole:
        return cellTint(row, index.column());
    case Qt::ToolTipRole:
        return cellToolTip(row, index.column());
    case Qt::FontRole: {
        const int c = index.column() > kDirectionColumn ? index.column() - kDirectionColumn - 1
                                                        : index.column();
        if (index.column() != kDirectionColumn && (c == MaskColumn || c == PayloadColumn))
            return m_fixedFont;
        return {};
    }
    case Qt::TextAlignmentRole: {
        const int c = index.column() > kDirectionColumn ? index.column() - kDirectionColumn - 1
                                                        : index.column();
        if (index.column() != kDirectionColumn && (c == NumberColumn || c == LengthColumn))
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    default:
        return {};
    }
}

QVariant CompareModel::cellText(const FrameDiffRow &row, int column) const
{
    if (column == kDirectionColumn)
        return FrameTableModel::directionText(row.direction);
    const bool isLeft = column < kDirectionColumn;
    const qint64 frameIndex = isLeft ? row.left : row.right;
    if (frameIndex < 0)
        return {};
    const Trace &trace = isLeft ? *m_left.trace : *m_right.trace;
    const FrameRecord &f = trace.frames()[size_t(frameIndex)];
    const bool unknown = frameOctetsUnknown(f);
    switch (isLeft ? column : column - kDirectionColumn - 1) {
    case NumberColumn:
        return QString::number(frameIndex + 1); // as the frame table numbers its rows
    case OpcodeColumn:
        return FrameTableModel::opcodeText(f.opcode);
    case FinColumn:
        return unknown ? tr("unknown") : f.fin ? tr("yes") : tr("no");
    case RsvColumn:
        return unknown ? tr("unknown") : FrameTableModel::rsvText(f.rsv);
    case MaskColumn:
        return unknown ? tr("unknown") : keyText(f);
    case LengthColumn: {
        const QString length = QString::number(f.payloadLength);
        if (!unknown && f.extendedLengthSize != minimalExtendedLength(f.payloadLength))
            return tr("%1 (%2)").arg(length, encodingText(f.extendedLengthSize));
        return length;
    }
    case PayloadColumn: {
        const qint64 total = wirePayloadSize(f);
        const QByteArray head = wirePayload(trace, f, kPreviewOctets);
        if (f.opcode == quint8(Opcode::Close)) {
            const QString close = FrameTableModel::closePayloadText(head, total);
            if (!close.isEmpty())
                return close;
        }
        return format::payloadPreview(head, total, 40);
    }
    case ViolationsColumn:
        return FrameTableModel::violationsText(f.violations);
    default:
        return {};
    }
}

QVariant CompareModel::cellTint(const FrameDiffRow &row, int column) const
{
    if (column == kDirectionColumn)
        return {};
    const bool isLeft = column < kDirectionColumn;
    const QPalette palette = QGuiApplication::palette();
    // A frame on one side only, as diff tools show it: removed in red, added in green.
    if (row.kind == FrameDiffRow::Kind::OnlyLeft)
        return isLeft ? QVariant(theme::rangeTint(QColor(theme::kTcp), palette)) : QVariant();
    if (row.kind == FrameDiffRow::Kind::OnlyRight)
        return isLeft ? QVariant() : QVariant(theme::rangeTint(QColor(theme::kGood), palette));
    const int c = isLeft ? column : column - kDirectionColumn - 1;
    if (row.differs & fieldsOf(c))
        return theme::rangeTint(QColor(theme::kWarning), palette);
    return {};
}

QVariant CompareModel::cellToolTip(const FrameDiffRow &row, int column) const
{
    if (column == kDirectionColumn)
        return {};
    const bool isLeft = column < kDirectionColumn;
    const qint64 frameIndex = isLeft ? row.left : row.right;
    if (frameIndex < 0)
        return {};
    const Trace &trace = isLeft ? *m_left.trace : *m_right.trace;
    const FrameRecord &f = trace.frames()[size_t(frameIndex)];
    const int c = isLeft ? column : column - kDirectionColumn - 1;
    if (row.unknown & fieldsOf(c)) {
        if (c == PayloadColumn)
            return tr("The octets after the first %1 were not kept: they cannot be compared.")
                .arg(row.payloadOffset);
        return tr("Read from a file that has the messages, not their frames: this field is "
                  "unknown and not compared.");
    }
    if (c == PayloadColumn) {
        const qint64 total = wirePayloadSize(f);
        if (total > 0)
            return FrameTableModel::payloadToolTip(wirePayload(trace, f, kToolTipOctets), total);
    }
    return {};
}

QString CompareModel::describe(int row) const
{
    const FrameDiffRow &r = rowAt(row);
    const QString direction = FrameTableModel::directionText(r.direction);
    if (r.kind == FrameDiffRow::Kind::OnlyLeft)
        return tr("%1 frame %2 is only in the left connection.").arg(direction).arg(r.left + 1);
    if (r.kind == FrameDiffRow::Kind::OnlyRight)
        return tr("%1 frame %2 is only in the right connection.").arg(direction).arg(r.right + 1);
    const FrameRecord &l = m_left.trace->frames()[size_t(r.left)];
    const FrameRecord &g = m_right.trace->frames()[size_t(r.right)];
    QStringList parts;
    const auto both = [&parts](const QString &field, const QString &a, const QString &b) {
        parts << tr("%1: %2").arg(field, a + kBetween + b);
    };
    const auto bit = [](bool set) { return set ? u"1"_s : u"0"_s; };
    if (r.differs & FrameField::Opcode)
        both(tr("opcode"), FrameTableModel::opcodeText(l.opcode),
             FrameTableModel::opcodeText(g.opcode));
    if (r.differs & FrameField::Fin)
        both(u"FIN"_s, bit(l.fin), bit(g.fin));
    if (r.differs & FrameField::Rsv1)
        both(u"RSV1"_s, bit(l.rsv & 4), bit(g.rsv & 4));
    if (r.differs & FrameField::Rsv2)
        both(u"RSV2"_s, bit(l.rsv & 2), bit(g.rsv & 2));
    if (r.differs & FrameField::Rsv3)
        both(u"RSV3"_s, bit(l.rsv & 1), bit(g.rsv & 1));
    if (r.differs & FrameField::MaskBit)
        both(tr("mask bit"), bit(l.masked), bit(g.masked));
    if (r.differs & FrameField::MaskKey)
        both(tr("mask key"), keyText(l), keyText(g));
    if (r.differs & FrameField::PayloadLength)
        both(tr("payload length"), format::octets(qint64(l.payloadLength)),
             format::octets(qint64(g.payloadLength)));
    if (r.differs & FrameField::LengthEncoding)
        both(tr("length encoding"), encodingText(l.extendedLengthSize),
             encodingText(g.extendedLengthSize));
    if (r.differs & FrameField::Payload) {
        if (r.payloadOffset >= 0)
            parts << tr("payload differs from octet %1: %2")
                         .arg(r.payloadOffset)
                         .arg(octetText(r.leftOctet) + kBetween + octetText(r.rightOctet));
        else
            parts << tr("payload sizes differ: %1")
                         .arg(format::octets(wirePayloadSize(l)) + kBetween +
                              format::octets(wirePayloadSize(g)));
    }
    if (r.differs & FrameField::Violations)
        both(tr("violations"), violationsOrNone(l.violations), violationsOrNone(g.violations));

    QString text = tr("%1 frame %2 ↔ frame %3: ").arg(direction).arg(r.left + 1).arg(r.right + 1);
    text += parts.isEmpty() ? tr("the same.") : parts.join(u"; "_s) + u'.';
    if (r.unknown & FrameField::MaskKey)
        text += u' ' + tr("FIN, RSV, masking and length encoding are unknown (read from a file "
                          "that has the messages, not their frames): not compared.");
    if (r.unknown & FrameField::Payload)
        text += u' ' + tr("The payloads are the same in their first %1; the rest was not kept.")
                           .arg(format::octets(r.payloadOffset));
    return text;
}

QString CompareModel::summaryText() const
{
    const FrameDiffSummary &s = m_diff.summary;
    QString text;
    if (s.differences() == 0) {
        text = format::resolvePlural(
            tr("The %Ln frame(s) are the same", nullptr, format::pluralCount(s.equal)), s.equal);
        if (s.withUnknown > 0)
            text += u' ' + tr("(%L1 with fields that cannot be compared)").arg(s.withUnknown);
        text += u'.';
    } else {
        text = tr("%L1 equal · %L2 differing · %L3 only left · %L4 only right")
                   .arg(s.equal)
                   .arg(s.differing)
                   .arg(s.onlyLeft)
                   .arg(s.onlyRight);
        if (s.withUnknown > 0)
            text += u" · "_s + tr("%L1 with fields unknown").arg(s.withUnknown);
    }
    QStringList unaligned;
    if (!m_diff.aligned[int(Direction::Tx)])
        unaligned << FrameTableModel::directionText(Direction::Tx);
    if (!m_diff.aligned[int(Direction::Rx)])
        unaligned << FrameTableModel::directionText(Direction::Rx);
    if (!unaligned.isEmpty())
        text += (text.endsWith(u'.') ? u" "_s : u". "_s) +
                tr("The %1 frames differ too much to be aligned: they are paired by "
                   "position.")
                    .arg(unaligned.join(u", "_s));
    return text;
}

QString CompareModel::closingText() const
{
    if (m_closing.empty())
        return tr("Closing: the same.");
    QStringList parts;
    for (const ClosingDifference &d : m_closing) {
        QString field = d.field; // the report's own field names
        if (d.field == u"behaviorClose"_s)
            field = tr("closing verdict");
        else if (d.field == u"resultClose"_s)
            field = tr("closing result");
        else if (d.field == u"tcpEnd"_s)
            field = tr("TCP");
        parts << tr("%1: %2").arg(field, d.left + kBetween + d.right);
    }
    return tr("Closing: %1").arg(parts.join(u"; "_s));
}

// ---- the window ---------------------------------------------------------------------------------

CompareWindow::CompareWindow(CompareSide left, CompareSide right, QWidget *parent)
    : QWidget(parent, Qt::Window)
{
    setAttribute(Qt::WA_DeleteOnClose);
    setObjectName(u"compareWindow"_s);
    setWindowTitle(tr("Compare: %1 ↔ %2").arg(left.name, right.name));
    m_model = new CompareModel(std::move(left), std::move(right), this);

    auto *layout = new QVBoxLayout(this);
    auto *names = new QLabel(this);
    names->setObjectName(u"compareNames"_s);
    names->setTextFormat(Qt::PlainText);
    names->setText(tr("Left: %1    Right: %2").arg(m_model->left().name, m_model->right().name));
    layout->addWidget(names);
    m_summary = new QLabel(m_model->summaryText(), this);
    m_summary->setObjectName(u"compareSummary"_s);
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    layout->addWidget(m_summary);
    m_closing = new QLabel(m_model->closingText(), this);
    m_closing->setObjectName(u"compareClosing"_s);
    m_closing->setTextFormat(Qt::PlainText);
    m_closing->setWordWrap(true);
    m_closing->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_closing);

    auto *bar = new QHBoxLayout;
    m_onlyDifferences = new QCheckBox(tr("&Only differences"), this);
    m_onlyDifferences->setObjectName(u"compareOnlyDifferences"_s);
    bar->addWidget(m_onlyDifferences);
    m_previous = new QAction(tr("&Previous Difference"), this);
    m_previous->setObjectName(u"actionPreviousDifference"_s);
    m_previous->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F8));
    m_next = new QAction(tr("&Next Difference"), this);
    m_next->setObjectName(u"actionNextDifference"_s);
    m_next->setShortcut(QKeySequence(Qt::Key_F8));
    for (QAction *action : {m_previous, m_next}) {
        addAction(action);
        auto *button = new QPushButton(action->text(), this);
        button->setToolTip(action->shortcut().toString(QKeySequence::NativeText));
        connect(button, &QPushButton::clicked, action, &QAction::trigger);
        bar->addWidget(button);
    }
    bar->addStretch(1);
    layout->addLayout(bar);
    connect(m_previous, &QAction::triggered, this, [this] { goToDifference(false); });
    connect(m_next, &QAction::triggered, this, [this] { goToDifference(true); });

    m_table = new QTableView(this);
    m_table->setObjectName(u"compareTable"_s);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    const QFontMetrics metrics = m_table->fontMetrics();
    const QFontMetrics fixed{monospaceFont()};
    for (const auto column : {CompareModel::leftColumn, CompareModel::rightColumn}) {
        const auto width = [&](CompareModel::SideColumn c, int px) {
            header->resizeSection(column(c), px);
        };
        width(CompareModel::NumberColumn, metrics.horizontalAdvance(u"Right #000"_s));
        width(CompareModel::OpcodeColumn, metrics.horizontalAdvance(u"Continuation00"_s));
        width(CompareModel::FinColumn, metrics.horizontalAdvance(u"unknown00"_s));
        width(CompareModel::RsvColumn, metrics.horizontalAdvance(u"unknown00"_s));
        width(CompareModel::MaskColumn, fixed.horizontalAdvance(u"00 00 00 00  "_s));
        width(CompareModel::LengthColumn, metrics.horizontalAdvance(u"65535 (64-bit)0"_s));
        width(CompareModel::PayloadColumn, fixed.horizontalAdvance(QString(20, u'0')));
        // The payloads take the width left over, the two alike.
        header->setSectionResizeMode(column(CompareModel::PayloadColumn), QHeaderView::Stretch);
        width(CompareModel::ViolationsColumn, metrics.horizontalAdvance(u"Violations00"_s));
    }
    header->resizeSection(CompareModel::kDirectionColumn, metrics.horizontalAdvance(u"Dir000"_s));
    layout->addWidget(m_table, 1);

    m_detail = new QLabel(this);
    m_detail->setObjectName(u"compareDetail"_s);
    m_detail->setTextFormat(Qt::PlainText);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setMinimumHeight(3 * metrics.height());
    m_detail->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    layout->addWidget(m_detail);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &CompareWindow::showDetail);
    connect(m_onlyDifferences, &QCheckBox::toggled, this, [this](bool only) {
        // The selected row stays selected when it is still shown.
        const QModelIndex current = m_table->currentIndex();
        const int diffIndex = current.isValid() ? m_model->diffIndexOf(current.row()) : -1;
        m_model->setOnlyDifferences(only);
        const int row = diffIndex >= 0 ? m_model->rowOfDiffIndex(diffIndex) : -1;
        if (row >= 0) {
            m_table->setCurrentIndex(m_model->index(row, 0));
            m_table->scrollTo(m_model->index(row, 0));
        }
        showDetail();
    });
    showDetail();
    resize(1500, 700);
}

QString CompareWindow::summaryText() const
{
    return m_summary->text();
}

QString CompareWindow::detailText() const
{
    return m_detail->text();
}

bool CompareWindow::goToDifference(bool forward)
{
    const int rows = m_model->rowCount();
    const QModelIndex current = m_table->currentIndex();
    int row = current.isValid() ? current.row() : (forward ? -1 : rows);
    for (row += forward ? 1 : -1; row >= 0 && row < rows; row += forward ? 1 : -1) {
        if (m_model->rowAt(row).isDifference()) {
            const QModelIndex index = m_model->index(row, 0);
            m_table->setCurrentIndex(index);
            m_table->scrollTo(index);
            return true;
        }
    }
    m_detail->setText(forward ? tr("No difference after this row.")
                              : tr("No difference before this row."));
    return false;
}

void CompareWindow::showDetail()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_detail->setText(m_model->diff().summary.differences() > 0
                              ? tr("Select a row to see what differs (F8: the next difference).")
                              : tr("The two connections' frames are the same."));
        return;
    }
    m_detail->setText(m_model->describe(current.row()));
}

void CompareWindow::changeEvent(QEvent *event)
{
    // The tints are mixed into the palette's base: a theme switch repaints them.
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        m_table->viewport()->update();
    QWidget::changeEvent(event);
}

} // namespace wsi::gui
