// SPDX-License-Identifier: MIT
#include "tableactions.h"

#include "cli/cliparser.h"
#include "format.h"
#include "frametablemodel.h"
#include "messagemodel.h"
#include "modelroles.h"
#include "tracestore.h"
#include "wirelogmodel.h"

#include <QAbstractProxyModel>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QMenu>
#include <QMimeData>
#include <QRegularExpression>
#include <QTableView>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

// The header's extended-length size a length needs at least (RFC 6455 §5.2).
int minimalExtendedLengthSize(quint64 length)
{
    return length <= 125 ? 0 : length <= 0xFFFF ? 2 : 8;
}

// Payload octets of an RX frame that crossed the wire: the header's length, or what arrived
// before the connection ended inside it.
qint64 arrivedPayload(const Trace &trace, const FrameRecord &frame)
{
    const qint64 declared = qint64(std::min<quint64>(frame.payloadLength, quint64(1) << 40));
    if (!frame.incomplete || frame.streamOffset < 0)
        return declared;
    const qint64 arrived =
        trace.octetCount(frame.direction) - (frame.streamOffset + frame.headerSize());
    return std::clamp<qint64>(arrived, 0, declared);
}

// Whether the stream octets [offset, offset + size) of one direction are all kept: walks the
// chunks that hold them (a chunk past the storage stop keeps only its first octets).
bool streamKept(const Trace &trace, Direction d, qint64 offset, qint64 size)
{
    if (size <= 0)
        return true;
    const qsizetype first = trace.chunkAt(d, offset);
    if (first < 0)
        return false;
    const auto &chunks = trace.chunks();
    qint64 pos = offset;
    const qint64 end = offset + size;
    for (size_t i = size_t(first); i < chunks.size() && pos < end; ++i) {
        const OctetChunk &c = chunks[i];
        if (c.direction != d)
            continue;
        if (c.streamOffset > pos)
            return false; // a gap: the chunk holding `pos` was not stored
        const qint64 keptEnd = c.streamOffset + c.data.size();
        if (keptEnd <= pos)
            return false;
        if (!c.isComplete() && keptEnd < end)
            return false;
        pos = c.streamOffset + c.size;
    }
    return pos >= end;
}

QString notKeptText()
{
    return TableActions::tr("The payload's octets are not kept (the trace's storage limit or the "
                            "frame size limit): nothing copied.");
}

// One line of a cell: the row texts are single lines already, tabs would break the columns.
QString cellText(const QVariant &value)
{
    QString text = value.toString();
    text.replace(u'\t', u' ');
    text.replace(u'\n', u' ');
    return text;
}

} // namespace

bool payloadKept(const Trace &trace, const FrameRecord &frame)
{
    if (frame.direction == Direction::Tx && frame.tx)
        return true; // the record holds the pattern the payload is made of
    const qint64 expected = arrivedPayload(trace, frame);
    if (frame.payloadTruncated)
        return false;
    if (!frame.payloadDerived || frame.streamOffset < 0)
        return frame.payload.size() >= expected;
    return streamKept(trace, frame.direction, frame.streamOffset + frame.headerSize(), expected);
}

std::optional<QByteArray> fullPayload(const Trace &trace, const FrameRecord &frame)
{
    if (!payloadKept(trace, frame))
        return std::nullopt;
    const qint64 expected = frame.direction == Direction::Tx && frame.tx
                                ? FrameTableModel::wirePayloadLength(frame)
                                : arrivedPayload(trace, frame);
    QByteArray octets = FrameTableModel::wirePayloadHead(trace, frame, expected);
    if (octets.size() != expected)
        return std::nullopt;
    return octets;
}

std::optional<Step> stepForFrame(const Trace &trace, const FrameRecord &frame, FrameStepUse use,
                                 QString *why)
{
    FrameSpec s;
    s.opcode = frame.opcode & 0xF;
    s.fin = frame.fin;
    s.rsv = frame.rsv & 7;
    if (frame.direction == Direction::Tx && frame.tx) {
        // What was asked, from the record: the pattern, its repetition, the length field.
        const TxFrameInfo &tx = *frame.tx;
        s.payload = frame.payload;
        s.repeatLength = tx.repeatLength;
        s.lengthEncoding = tx.lengthEncoding;
        s.declaredLength = tx.declaredLength;
        s.chopSize = tx.chopSize;
        s.sync = tx.sync;
        s.maskMode = tx.maskMode;
        if (s.maskMode == MaskMode::Random && use == FrameStepUse::Exact)
            s.maskMode = MaskMode::Fixed;
        if (s.maskMode == MaskMode::Fixed)
            s.maskKey = frame.maskKey;
    } else {
        const std::optional<QByteArray> payload = fullPayload(trace, frame);
        if (!payload) {
            if (why)
                *why = TableActions::tr("The payload's octets are not kept.");
            return std::nullopt;
        }
        s.payload = *payload;
        // A frame cut short by the connection's end: its header's length, the octets that came.
        if (quint64(s.payload.size()) != frame.payloadLength)
            s.declaredLength = frame.payloadLength;
        if (frame.extendedLengthSize != minimalExtendedLengthSize(frame.payloadLength)) {
            s.lengthEncoding = frame.extendedLengthSize == 0   ? LengthEncoding::Bits7
                               : frame.extendedLengthSize == 2 ? LengthEncoding::Bits16
                                                               : LengthEncoding::Bits64;
        }
        if (frame.hasKey) {
            s.maskMode = MaskMode::Fixed;
            s.maskKey = frame.maskKey;
        } else if (frame.masked) {
            s.maskMode = MaskMode::BitOnly;
        } else {
            s.maskMode = use == FrameStepUse::Resend ? MaskMode::Random : MaskMode::None;
        }
    }
    const QString invalid = s.validate();
    if (!invalid.isEmpty()) {
        if (why)
            *why = invalid;
        return std::nullopt;
    }
    return Step::makeFrame(s);
}

QString formatPayload(const QByteArray &payload, PayloadFormat format)
{
    switch (format) {
    case PayloadFormat::Text:
        return QString::fromUtf8(payload);
    case PayloadFormat::Hex:
        return format::spacedHex(payload);
    case PayloadFormat::Base64:
        return QString::fromLatin1(payload.toBase64());
    case PayloadFormat::CArray: {
        static constexpr char digits[] = "0123456789abcdef";
        constexpr int perLine = 12;
        QString out = u"static const unsigned char payload[] = {"_s;
        out.reserve(out.size() + payload.size() * 6 + payload.size() / perLine * 5 + 8);
        for (qsizetype i = 0; i < payload.size(); ++i) {
            out += i % perLine == 0 ? u"\n    "_s : u" "_s;
            const uchar c = uchar(payload[i]);
            out += u"0x"_s;
            out += QLatin1Char(digits[c >> 4]);
            out += QLatin1Char(digits[c & 0xf]);
            if (i + 1 < payload.size())
                out += u',';
        }
        out += payload.isEmpty() ? u"};"_s : u"\n};"_s;
        return out;
    }
    }
    return {};
}

QString cliCommandLine(const QString &url, const QStringList &stepArguments)
{
    static const QRegularExpression plain(u"^[A-Za-z0-9_@%+=:,./-]+$"_s);
    const auto quote = [](const QString &arg) -> QString {
        if (plain.match(arg).hasMatch())
            return arg;
        QString quoted = arg;
        quoted.replace(u"'"_s, u"'\\''"_s);
        return u'\'' + quoted + u'\'';
    };
    QStringList words{u"wsinspector-cli"_s, u"send"_s, quote(url)};
    for (const QString &arg : stepArguments)
        words << quote(arg);
    return words.join(u' ');
}

// --- TableActions --------------------------------------------------------------------------------

TableActions::TableActions(QTableView *view, Table table, const TraceStore *store, QObject *parent)
    : QObject(parent ? parent : view), m_view(view), m_table(table), m_store(store)
{
    const auto make = [this, view](const QKeySequence &keys) {
        auto *action = new QAction(this);
        if (!keys.isEmpty()) {
            action->setShortcut(keys);
            action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        view->addAction(action);
        return action;
    };
    m_copy = make(QKeySequence::Copy);
    m_payloadMenu = new QMenu(view);
    for (int f = 0; f < 4; ++f) {
        m_payloadActions[f] = m_payloadMenu->addAction(QString());
        connect(m_payloadActions[f], &QAction::triggered, this,
                [this, f] { copyPayload(PayloadFormat(f)); });
    }
    m_command = make(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_resend = make({});
    m_addToSequence = make({});
    m_edit = make({});
    retranslate();

    connect(m_copy, &QAction::triggered, this, &TableActions::copyRows);
    connect(m_command, &QAction::triggered, this, &TableActions::copyCommand);
    connect(m_resend, &QAction::triggered, this,
            [this] { emitStep(&TableActions::resendRequested); });
    connect(m_addToSequence, &QAction::triggered, this,
            [this] { emitStep(&TableActions::addToSequenceRequested); });
    connect(m_edit, &QAction::triggered, this, [this] { emitStep(&TableActions::editRequested); });

    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, &TableActions::showContextMenu);
    view->installEventFilter(this);
    if (store) {
        // A new trace: the rows (and what they point at) are gone.
        connect(store, &TraceStore::resetDone, this, &TableActions::updateActions);
    }
    updateActions();
}

QAction *TableActions::copyPayloadAction(PayloadFormat format) const
{
    return m_payloadActions[int(format)];
}

void TableActions::retranslate()
{
    m_copy->setText(tr("&Copy"));
    m_copy->setToolTip(tr("Copy the selected rows as tab-separated text with a header line"));
    m_payloadMenu->setTitle(tr("Copy &Payload as"));
    m_payloadActions[int(PayloadFormat::Text)]->setText(tr("&Text"));
    m_payloadActions[int(PayloadFormat::Hex)]->setText(tr("&Hex"));
    m_payloadActions[int(PayloadFormat::Base64)]->setText(tr("&Base64"));
    m_payloadActions[int(PayloadFormat::CArray)]->setText(tr("&C Array"));
    m_command->setText(tr("Copy as wsinspector-cli Co&mmand"));
    m_command->setToolTip(tr("A wsinspector-cli send command that sends this frame again"));
    m_resend->setText(tr("&Resend"));
    m_addToSequence->setText(tr("Add to &Sequence"));
    m_edit->setText(tr("&Edit in Composer"));
}

void TableActions::addActionsTo(QMenu *menu) const
{
    menu->addAction(m_copy);
    menu->addMenu(m_payloadMenu);
    menu->addAction(m_command);
    menu->addSeparator();
    menu->addAction(m_resend);
    menu->addAction(m_addToSequence);
    menu->addAction(m_edit);
}

QMenu *TableActions::createContextMenu(QWidget *parent)
{
    updateActions();
    auto *menu = new QMenu(parent);
    addActionsTo(menu);
    return menu;
}

void TableActions::showContextMenu(const QPoint &viewportPos)
{
    if (!m_view)
        return;
    // A right click on a row acts on that row, as in Wireshark; inside a selection it keeps it.
    const QModelIndex index = m_view->indexAt(viewportPos);
    QItemSelectionModel *selection = m_view->selectionModel();
    if (index.isValid() && selection && !selection->isRowSelected(index.row(), index.parent())) {
        selection->setCurrentIndex(index,
                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    QMenu *menu = createContextMenu(m_view);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(m_view->viewport()->mapToGlobal(viewportPos));
}

bool TableActions::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view) {
        if (event->type() == QEvent::ChildAdded) {
            // setModel() gives the view a new selection model (a child of the view, not yet
            // constructed when this arrives): look at it on the next turn.
            QTimer::singleShot(0, this, &TableActions::updateActions);
        } else if (event->type() == QEvent::LanguageChange) {
            retranslate();
            updateActions();
        }
    }
    return QObject::eventFilter(watched, event);
}

void TableActions::watchSelectionModel()
{
    QItemSelectionModel *current = m_view ? m_view->selectionModel() : nullptr;
    if (current == m_watched)
        return;
    if (m_watched)
        disconnect(m_watched, nullptr, this, nullptr);
    m_watched = current;
    if (!current)
        return;
    connect(current, &QItemSelectionModel::currentChanged, this, &TableActions::updateActions);
    connect(current, &QItemSelectionModel::selectionChanged, this, &TableActions::updateActions);
}

QModelIndex TableActions::currentViewIndex() const
{
    if (!m_view || !m_view->selectionModel())
        return {};
    QItemSelectionModel *selection = m_view->selectionModel();
    const QModelIndex current = selection->currentIndex();
    if (current.isValid() && selection->isRowSelected(current.row(), current.parent()))
        return current;
    // No current row inside the selection (e.g. a programmatic selection): its first row.
    const QItemSelection ranges = selection->selection();
    if (!ranges.isEmpty())
        return ranges.first().topLeft();
    return current;
}

TableActions::Target TableActions::currentTarget() const
{
    Target t;
    const QModelIndex index = currentViewIndex();
    if (!index.isValid())
        return t;
    switch (m_table) {
    case Table::Frames:
        t.frame = index.data(FrameIndexRole).toInt();
        break;
    case Table::WireLog: {
        const QVariant frame = index.data(FrameIndexRole);
        t.frame = frame.isValid() ? frame.toInt() : -1;
        if (t.frame < 0) {
            const QVariant chunk = index.data(ChunkIndexRole);
            t.chunk = chunk.isValid() ? chunk.toInt() : -1;
        }
        break;
    }
    case Table::Messages: {
        // The message itself lives in the model: map through the proxies to its row there.
        QModelIndex source = index;
        while (const auto *proxy = qobject_cast<const QAbstractProxyModel *>(source.model()))
            source = proxy->mapToSource(source);
        if (qobject_cast<const MessageModel *>(source.model()))
            t.messageRow = source.row();
        t.frame = index.data(FirstFrameRole).toInt();
        break;
    }
    }
    if (!m_store || t.frame >= qsizetype(m_store->trace().frames().size()))
        t.frame = -1;
    return t;
}

int TableActions::currentFrame() const
{
    return currentTarget().frame;
}

// The message's frames, as MessageModel::wirePayloadHead() reads them: the first one and the
// continuations of its direction up to the last.
static bool messageKept(const Trace &trace, const MessageModel::Message &m)
{
    const auto &frames = trace.frames();
    const size_t last = std::min<size_t>(m.lastFrame, frames.size() - 1);
    for (size_t i = m.firstFrame; i <= last; ++i) {
        const FrameRecord &frame = frames[i];
        if (frame.direction != m.direction)
            continue;
        if (i != m.firstFrame && frame.opcode != quint8(Opcode::Continuation))
            continue;
        if (!payloadKept(trace, frame))
            return false;
    }
    return true;
}

bool TableActions::targetPayloadKept(const Target &t) const
{
    if (!m_store)
        return false;
    const Trace &trace = m_store->trace();
    if (t.messageRow >= 0 && m_view) {
        const auto *model = messageModel();
        return model && messageKept(trace, model->messageAt(t.messageRow));
    }
    if (t.frame >= 0)
        return payloadKept(trace, trace.frames()[size_t(t.frame)]);
    if (t.chunk >= 0 && size_t(t.chunk) < trace.chunks().size())
        return trace.chunks()[size_t(t.chunk)].isComplete();
    return false;
}

const MessageModel *TableActions::messageModel() const
{
    const QAbstractItemModel *model = m_view ? m_view->model() : nullptr;
    while (const auto *proxy = qobject_cast<const QAbstractProxyModel *>(model))
        model = proxy->sourceModel();
    return qobject_cast<const MessageModel *>(model);
}

void TableActions::updateActions()
{
    watchSelectionModel();
    const QModelIndex index = currentViewIndex();
    const Target t = currentTarget();
    m_copy->setEnabled(index.isValid());
    const bool hasPayload = t.frame >= 0 || t.messageRow >= 0 || t.chunk >= 0;
    const bool kept = hasPayload && targetPayloadKept(t);
    for (QAction *a : m_payloadActions)
        a->setEnabled(kept);
    m_payloadMenu->setEnabled(kept);
    m_payloadMenu->menuAction()->setEnabled(kept);
    m_payloadMenu->setTitle(hasPayload && !kept ? tr("Copy &Payload as (octets not kept)")
                                                : tr("Copy &Payload as"));
    const bool canStep = (t.frame >= 0 || t.messageRow >= 0) && kept;
    for (QAction *a : {m_command, m_resend, m_addToSequence, m_edit})
        a->setEnabled(canStep);
}

QString TableActions::selectedRowsText() const
{
    if (!m_view || !m_view->model())
        return {};
    const QAbstractItemModel *model = m_view->model();
    QList<int> rows;
    if (QItemSelectionModel *selection = m_view->selectionModel()) {
        for (const QItemSelectionRange &range : selection->selection()) {
            for (int row = range.top(); row <= range.bottom() && rows.size() <= kMaxCopiedRows;
                 ++row)
                rows << row;
        }
        if (rows.isEmpty() && selection->currentIndex().isValid())
            rows << selection->currentIndex().row();
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (rows.size() > kMaxCopiedRows)
        rows.resize(kMaxCopiedRows);

    // The columns as the user sees them: in header order, hidden ones left out.
    const QHeaderView *header = m_view->horizontalHeader();
    QList<int> columns;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int logical = header->logicalIndex(visual);
        if (!header->isSectionHidden(logical))
            columns << logical;
    }
    QStringList lines;
    QStringList cells;
    for (int column : columns)
        cells << cellText(model->headerData(column, Qt::Horizontal, Qt::DisplayRole));
    lines << cells.join(u'\t');
    for (int row : rows) {
        cells.clear();
        for (int column : columns)
            cells << cellText(model->index(row, column).data(Qt::DisplayRole));
        lines << cells.join(u'\t');
    }
    return lines.join(u'\n') + u'\n';
}

void TableActions::copyRows()
{
    const QString text = selectedRowsText();
    const qsizetype rows = text.count(u'\n') - 1;
    if (rows <= 0) {
        Q_EMIT statusMessage(tr("Nothing selected to copy."));
        return;
    }
    QApplication::clipboard()->setText(text);
    Q_EMIT statusMessage(
        rows >= kMaxCopiedRows
            ? tr("Copied the first %1 rows (at most %1 at once).").arg(kMaxCopiedRows)
            : format::resolvePlural(tr("Copied %Ln row(s).", nullptr, int(rows)), rows));
}

std::optional<QByteArray> TableActions::currentPayload(QString *why) const
{
    const Target t = currentTarget();
    const auto notKept = [why]() -> std::optional<QByteArray> {
        if (why)
            *why = notKeptText();
        return std::nullopt;
    };
    if (!m_store || !targetPayloadKept(t))
        return notKept();
    const Trace &trace = m_store->trace();
    if (t.messageRow >= 0) {
        const MessageModel *model = messageModel();
        if (!model)
            return notKept();
        const MessageModel::Message m = model->messageAt(t.messageRow);
        QByteArray octets = model->wirePayloadHead(m, m.size);
        if (octets.size() != m.size)
            return notKept();
        return octets;
    }
    if (t.frame >= 0) {
        std::optional<QByteArray> octets = fullPayload(trace, trace.frames()[size_t(t.frame)]);
        return octets ? octets : notKept();
    }
    if (t.chunk >= 0)
        return trace.chunks()[size_t(t.chunk)].data;
    return notKept();
}

void TableActions::copyPayload(PayloadFormat format)
{
    QString why;
    const std::optional<QByteArray> payload = currentPayload(&why);
    if (!payload) {
        Q_EMIT statusMessage(why);
        return;
    }
    if (payload->size() > kMaxCopiedPayload) {
        Q_EMIT statusMessage(tr("The payload has %1 octets; at most %2 are copied as text.")
                                 .arg(payload->size())
                                 .arg(kMaxCopiedPayload));
        return;
    }
    auto *mime = new QMimeData;
    mime->setText(formatPayload(*payload, format));
    if (format == PayloadFormat::Text || format == PayloadFormat::Hex)
        mime->setData(u"application/octet-stream"_s, *payload);
    QApplication::clipboard()->setMimeData(mime);
    Q_EMIT statusMessage(format::resolvePlural(
        tr("Copied %Ln payload octet(s).", nullptr, int(payload->size())), payload->size()));
}

std::optional<Step> TableActions::currentStep(FrameStepUse use, QString *why) const
{
    const Target t = currentTarget();
    if (!m_store) {
        if (why)
            *why = notKeptText();
        return std::nullopt;
    }
    if (t.messageRow >= 0) {
        const MessageModel *model = messageModel();
        const std::optional<QByteArray> payload = currentPayload(why);
        if (!model || !payload)
            return std::nullopt;
        const MessageModel::Message m = model->messageAt(t.messageRow);
        Step step;
        step.kind = Step::Kind::Message;
        step.binary = m.opcode == quint8(Opcode::Binary);
        step.payload = *payload;
        // Fragmented as it was: at the first fragment's size.
        if (m.frameCount > 1) {
            const FrameRecord &first = m_store->trace().frames()[m.firstFrame];
            step.fragmentSize = int(std::clamp<qint64>(FrameTableModel::wirePayloadLength(first), 1,
                                                       std::numeric_limits<int>::max()));
        }
        return step;
    }
    if (t.frame >= 0) {
        const Trace &trace = m_store->trace();
        return stepForFrame(trace, trace.frames()[size_t(t.frame)], use, why);
    }
    if (why)
        *why = tr("Only frames and messages can be sent again.");
    return std::nullopt;
}

QString TableActions::currentCommand(QString *why) const
{
    const std::optional<Step> step = currentStep(FrameStepUse::Exact, why);
    if (!step)
        return {};
    QString error;
    const QStringList args = cli::stepArguments(*step, &error);
    if (args.isEmpty()) {
        if (why)
            *why = error;
        return {};
    }
    QString url = m_store->trace().url();
    if (url.isEmpty())
        url = u"ws://HOST/"_s; // a trace without a URL (a file): the user fills it in
    return cliCommandLine(url, args);
}

void TableActions::copyCommand()
{
    QString why;
    const QString command = currentCommand(&why);
    if (command.isEmpty()) {
        Q_EMIT statusMessage(why);
        return;
    }
    QApplication::clipboard()->setText(command);
    Q_EMIT statusMessage(tr("Copied the wsinspector-cli command."));
}

void TableActions::emitStep(void (TableActions::*signal)(const wsi::Step &))
{
    QString why;
    const std::optional<Step> step = currentStep(FrameStepUse::Resend, &why);
    if (!step) {
        Q_EMIT statusMessage(why);
        return;
    }
    Q_EMIT(this->*signal)(*step);
}

} // namespace wsi::gui
