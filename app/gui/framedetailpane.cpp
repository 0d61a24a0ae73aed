// SPDX-License-Identifier: MIT
#include "framedetailpane.h"

#include "frametablemodel.h"

#include "format.h"
#include "hexview.h"
#include "protocol/frame.h"
#include "protocol/frameparser.h"
#include "protocol/utf8validator.h"
#include "theme.h"
#include "ui_framedetailpane.h"

#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLocale>
#include <QPlainTextEdit>
#include <QStyle>
#include <QTableWidgetItem>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

// The same quoted text, HTML-safe.
QString html(const QString &text)
{
    return text.toHtmlEscaped();
}

} // namespace

QColor FrameDetailPane::partColor(Part part)
{
    switch (part) {
    case Part::Header:
        return QColor(theme::kPartHeader);
    case Part::ExtendedLength:
        return QColor(theme::kPartLength);
    case Part::MaskingKey:
        return QColor(theme::kPartMaskingKey);
    case Part::Payload:
        return QColor(theme::kPartPayload);
    case Part::CloseCode:
        return QColor(theme::kPartCloseCode);
    case Part::InvalidUtf8:
        return QColor(theme::kPartInvalid);
    }
    return {};
}

QString FrameDetailPane::partName(Part part)
{
    switch (part) {
    case Part::Header:
        return tr("Header");
    case Part::ExtendedLength:
        return tr("Extended length");
    case Part::MaskingKey:
        return tr("Masking key");
    case Part::Payload:
        return tr("Payload");
    case Part::CloseCode:
        return tr("Status code");
    case Part::InvalidUtf8:
        return tr("First invalid UTF-8 octet");
    }
    return {};
}

FrameDetailPane::FrameDetailPane(QWidget *parent)
    : QWidget(parent), m_ui(std::make_unique<Ui::FrameDetailPane>())
{
    m_ui->setupUi(this);
    m_ui->frameLegend->setView(m_ui->frameHex);
    m_ui->splitter->setStretchFactor(0, 1);
    m_ui->splitter->setStretchFactor(1, 1);
    const QFont fixed = m_ui->frameHex->font();
    m_ui->textEdit->setFont(fixed);
    m_ui->jsonEdit->setFont(fixed);
    m_ui->inflatedText->setFont(fixed);
    // The hex view needs its 16 octets and their characters a line; the text wraps.
    m_ui->inflateSplitter->setStretchFactor(0, 2);
    m_ui->inflateSplitter->setStretchFactor(1, 1);
    // Side by side the inflated views have small minimum widths (framedetailpane.ui): they
    // must not hold the pane wider than its other tabs do. Squeezed, they scroll.
    setupBitsTable();

    connect(m_ui->frameHex, &HexView::selectionChanged, this, &FrameDetailPane::onFrameSelection);
    connect(m_ui->payloadHex, &HexView::selectionChanged, this,
            &FrameDetailPane::onPayloadSelection);
    connect(m_ui->maskedHex, &HexView::selectionChanged, this,
            &FrameDetailPane::onPayloadSelection);
    clear();
}

FrameDetailPane::~FrameDetailPane() = default;

HexView *FrameDetailPane::frameHexView() const
{
    return m_ui->frameHex;
}

HexView *FrameDetailPane::payloadHexView() const
{
    return m_ui->payloadHex;
}

HexView *FrameDetailPane::maskedHexView() const
{
    return m_ui->maskedHex;
}

QString FrameDetailPane::summaryText() const
{
    return m_summaryPlain;
}

HexView *FrameDetailPane::compressedHexView() const
{
    return m_ui->compressedHex;
}

HexView *FrameDetailPane::inflatedHexView() const
{
    return m_ui->inflatedHex;
}

QString FrameDetailPane::inflatedText() const
{
    return m_ui->inflatedText->toPlainText();
}

QString FrameDetailPane::inflateNoteText() const
{
    return m_ui->inflateNote->text();
}

bool FrameDetailPane::showsInflated() const
{
    return m_ui->payloadTabs->isTabVisible(m_ui->payloadTabs->indexOf(m_ui->inflatedTab));
}

void FrameDetailPane::setupBitsTable()
{
    QTableWidget *t = m_ui->bitsTable;
    t->setRowCount(4);
    t->setColumnCount(8);
    QStringList bits;
    for (int i = 0; i < 8; ++i)
        bits << QString::number(i); // RFC 6455 §5.2 numbers bits from the most significant
    t->setHorizontalHeaderLabels(bits);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    t->horizontalHeader()->setHighlightSections(false);
    t->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    t->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    t->setSpan(1, 4, 1, 4); // opcode
    t->setSpan(3, 1, 1, 7); // payload len
    t->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    t->setFocusPolicy(Qt::NoFocus);
    t->installEventFilter(this);
}

void FrameDetailPane::fitBitsTable()
{
    // In a narrow pane the row labels give way first (elided; the tooltip has them whole), so
    // the bit names keep their width: "RSV1", not "R…".
    QTableWidget *t = m_ui->bitsTable;
    const QFontMetrics fm(t->font());
    const int padding =
        2 * (t->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, t) + 1) + 4;
    int names = 0;
    for (const QString &name : {u"FIN"_s, u"RSV1"_s, u"RSV2"_s, u"RSV3"_s, u"MASK"_s})
        names = std::max(names, fm.horizontalAdvance(name));
    const int room = t->width() - 2 * t->frameWidth() - t->columnCount() * (names + padding);
    const int least = fm.horizontalAdvance(u"0x00"_s) + padding;
    t->verticalHeader()->setMaximumWidth(std::max(least, room));
    // Narrower still: the names' short forms (the cells' tooltips say them in full).
    const bool brief = room < least;
    const struct
    {
        int row, column;
        QString name, abbreviation;
    } cells[] = {{1, 1, u"RSV1"_s, u"R1"_s},
                 {1, 2, u"RSV2"_s, u"R2"_s},
                 {1, 3, u"RSV3"_s, u"R3"_s},
                 {3, 0, u"MASK"_s, u"M"_s}};
    for (const auto &c : cells) {
        if (QTableWidgetItem *item = t->item(c.row, c.column))
            item->setText(brief ? c.abbreviation : c.name);
    }
}

bool FrameDetailPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_ui->bitsTable && event->type() == QEvent::Resize)
        fitBitsTable(); // before the table lays out its headers for the new size
    return QWidget::eventFilter(watched, event);
}

void FrameDetailPane::clear()
{
    m_index = -1;
    m_streamOffset = -1;
    m_headerSize = 0;
    m_octetCount = 0;
    m_summaryPlain = tr("No frame selected.");
    m_ui->summaryLabel->setText(html(m_summaryPlain));
    m_ui->noteLabel->hide();
    m_ui->violationsLabel->hide();
    m_ui->bitsTable->clearContents();
    m_ui->bitsTable->setVerticalHeaderLabels({tr("Octet 0"), QString(), tr("Octet 1"), QString()});
    m_ui->frameHex->setData({});
    m_ui->frameHex->setRanges({});
    m_ui->frameHex->setPlaceholderText(tr("Select a frame to see its octets."));
    for (HexView *view : {m_ui->payloadHex, m_ui->maskedHex}) {
        view->setData({});
        view->setRanges({});
        view->setPlaceholderText(QString()); // no frame: no "Empty payload." either
    }
    m_ui->textEdit->clear();
    m_ui->textNote->clear();
    m_textInvalid = false;
    m_violations = {};
    m_ui->jsonEdit->clear();
    m_ui->jsonNote->clear();
    m_ui->payloadTabs->setTabVisible(m_ui->payloadTabs->indexOf(m_ui->maskedTab), false);
    m_ui->payloadTabs->setTabVisible(m_ui->payloadTabs->indexOf(m_ui->closeTab), false);
    m_ui->payloadTabs->setTabVisible(m_ui->payloadTabs->indexOf(m_ui->inflatedTab), false);
    m_ui->compressedHex->setData({});
    m_ui->compressedHex->setRanges({});
    m_ui->inflatedHex->setData({});
    m_ui->inflatedText->clear();
    m_ui->inflateNote->clear();
    m_ui->payloadTabs->setEnabled(false);
}

void FrameDetailPane::showNothing(const QString &why)
{
    clear();
    m_summaryPlain = why;
    m_ui->summaryLabel->setText(html(why));
    m_ui->frameHex->setPlaceholderText(why);
}

void FrameDetailPane::highlightPayload(qint64 offset, qint64 length)
{
    if (m_index < 0)
        return;
    m_ui->payloadHex->highlight(offset, length);
    m_ui->maskedHex->highlight(offset, length);
    m_ui->frameHex->highlight(length > 0 ? m_headerSize + offset : 0, length);
    if (length > 0)
        m_ui->payloadTabs->setCurrentWidget(m_ui->unmaskedTab);
}

void FrameDetailPane::setFrame(const Trace &trace, qsizetype index, const TraceInflation *inflation)
{
    if (index < 0 || size_t(index) >= trace.frames().size()) {
        clear();
        return;
    }
    const FrameRecord &frame = trace.frames()[size_t(index)];
    m_index = index;
    m_direction = frame.direction;
    m_streamOffset = frame.streamOffset;
    m_headerSize = frame.headerSize();

    const QByteArray octets = trace.frameOctets(frame);
    m_octetCount = octets.size();

    // The payload as it went over the wire, unmasked and masked. TX records hold the base payload
    // (before repetition), so the octets are preferred whenever they were kept.
    QByteArray unmasked;
    QByteArray masked;
    const QByteArray fromWire =
        octets.size() > m_headerSize ? octets.mid(m_headerSize) : QByteArray();
    const QByteArray recorded = frame.direction == Direction::Rx || octets.isEmpty()
                                    ? trace.framePayload(frame)
                                    : QByteArray();
    if (fromWire.size() >= recorded.size()) {
        unmasked = fromWire;
        if (frame.hasKey) {
            masked = fromWire;
            applyMask(unmasked.data(), unmasked.size(), frame.maskKey);
        }
    } else {
        unmasked = recorded;
        if (frame.hasKey) {
            masked = recorded;
            applyMask(masked.data(), masked.size(), frame.maskKey);
        }
    }

    m_violations = frame.violations;
    showSummary(frame, octets);
    showViolations();
    showHeaderBits(frame, octets);
    showOctets(frame, octets);
    showPayload(frame, unmasked, masked);
    const QString deflate = showInflated(trace, index, inflation);
    if (!deflate.isEmpty()) {
        m_summaryPlain += u'\n' + deflate;
        m_ui->summaryLabel->setText(m_ui->summaryLabel->text() + u"<br>"_s + html(deflate));
    }
}

QString FrameDetailPane::showInflated(const Trace &trace, qsizetype index,
                                      const TraceInflation *inflation)
{
    QTabWidget *tabs = m_ui->payloadTabs;
    const int tab = tabs->indexOf(m_ui->inflatedTab);
    const bool wasShown = tabs->isTabVisible(tab);
    const TraceInflation::Message *m =
        inflation && inflation->active() ? inflation->messageOfFrame(index) : nullptr;
    if (!m) {
        tabs->setTabVisible(tab, false);
        if (tabs->currentIndex() == tab || !tabs->isTabVisible(tabs->currentIndex()))
            tabs->setCurrentWidget(m_ui->unmaskedTab);
        m_ui->compressedHex->setData({});
        m_ui->inflatedHex->setData({});
        m_ui->inflatedText->clear();
        m_ui->inflateNote->clear();
        return {};
    }
    using State = TraceInflation::State;

    // The message's compressed octets: the payloads of its frames in order (control frames may
    // sit between them), this frame's marked. Error offsets count in these octets.
    QByteArray compressed;
    QList<HexView::Range> ranges;
    int position = 0;
    int frames = 0;
    const FrameVector &all = trace.frames();
    for (qint64 i = m->firstFrame; i <= m->lastFrame && size_t(i) < all.size(); ++i) {
        if (inflation->messageOfFrame(i) != m)
            continue;
        ++frames;
        const QByteArray payload = wirePayload(trace, all[size_t(i)]);
        if (i == index) {
            position = frames;
            if (m->firstFrame != m->lastFrame && !payload.isEmpty())
                ranges << HexView::Range{compressed.size(), payload.size(),
                                         partColor(Part::Payload), tr("This frame's payload")};
        }
        compressed += payload;
    }
    if (m->state == State::Failed && m->errorOffset >= 0 && m->errorOffset < compressed.size())
        ranges << HexView::Range{m->errorOffset, 1, partColor(Part::InvalidUtf8),
                                 tr("Where inflating failed")};
    m_ui->compressedHex->setData(compressed);
    m_ui->compressedHex->setRanges(ranges);
    m_ui->compressedHex->setPlaceholderText(tr("No compressed octets."));

    const QByteArray inflated =
        m->inflatedKept ? m->inflated : QByteArray(); // not kept: past the window's budget
    m_ui->inflatedHex->setData(inflated);
    m_ui->inflatedHex->setPlaceholderText(
        m->inflatedKept ? tr("Inflates to nothing.") : tr("The inflated octets were not kept."));
    const QByteArray shown = inflated.left(qsizetype(std::min<qint64>(inflated.size(), TextLimit)));
    m_ui->inflatedText->setPlainText(QString::fromUtf8(shown));

    const QString sizes = format::compression(m->wireOctets, m->inflatedOctets);
    QString state;
    QStringList notes;
    switch (m->state) {
    case State::Inflated:
        state = tr("inflated");
        notes << tr("Inflated: %1.").arg(sizes);
        break;
    case State::Open:
        state = tr("open");
        notes << tr("The message is still open: %1 so far.").arg(sizes);
        break;
    case State::Failed:
        state = tr("failed");
        notes << tr("Did not inflate: %1.").arg(m->error);
        if (m->inflatedOctets > 0)
            notes << tr("%1 inflated before the error.").arg(format::octets(m->inflatedOctets));
        break;
    case State::Unknown:
        state = tr("unknown");
        notes << tr("Unknown: %1.").arg(m->error);
        break;
    case State::Interrupted:
        state = tr("interrupted");
        notes << tr("Interrupted: a new message began before this one's final frame; %1 "
                    "inflated.")
                     .arg(sizes);
        break;
    }
    if (!m->inflatedKept)
        notes << tr("The inflated octets were not kept (the inflation budget is spent); the sizes "
                    "are exact.");
    if (inflated.size() > shown.size())
        notes << tr("The text shows the first %1; the Hex tab shows them all.")
                     .arg(format::octets(shown.size()));
    m_ui->inflateNote->setText(notes.join(u'\n'));
    QPalette notePalette = palette();
    if (m->state == State::Failed || m->state == State::Unknown)
        notePalette.setColor(QPalette::WindowText, theme::detailErrorText(palette()));
    m_ui->inflateNote->setPalette(notePalette);

    tabs->setTabVisible(tab, true);
    // The first compressed frame shown brings its tab forward; after that the user's choice of
    // tab stays.
    if (!wasShown)
        tabs->setCurrentWidget(m_ui->inflatedTab);

    QString where;
    if (m->firstFrame == m->lastFrame && m->state != State::Open)
        where = tr("the whole message");
    else if (m->state == State::Open)
        where = tr("frame %1 of %2 so far").arg(position).arg(frames);
    else
        where = tr("frame %1 of %2").arg(position).arg(frames);
    return tr("Compressed message (permessage-deflate, %1): %2 · %3").arg(where, sizes, state);
}

void FrameDetailPane::showSummary(const FrameRecord &f, const QByteArray &octets)
{
    const QString direction = f.direction == Direction::Tx ? tr("TX (sent)") : tr("RX (received)");
    const QString opcode =
        isReservedOpcode(f.opcode) ? tr("Reserved opcode %1").arg(f.opcode) : opcodeName(f.opcode);
    QString encoding;
    switch (f.extendedLengthSize) {
    case 0:
        encoding = tr("7-bit length, minimal");
        break;
    case 2:
        encoding = f.payloadLength >= 126 ? tr("16-bit length, minimal")
                                          : tr("16-bit length, not minimal (fits in 7 bits)");
        break;
    default:
        if (f.payloadLength > 0xFFFF)
            encoding = tr("64-bit length, minimal");
        else if (f.payloadLength >= 126)
            encoding = tr("64-bit length, not minimal (fits in 16 bits)");
        else
            encoding = tr("64-bit length, not minimal (fits in 7 bits)");
        break;
    }
    QString key;
    if (f.hasKey)
        key = tr("key %1").arg(f.maskKey, 8, 16, QChar(u'0'));
    else if (f.masked)
        key = tr("no key written");
    else
        key = tr("no key");

    const QString first = tr("%1 · %2 (opcode %3) · payload length %4")
                              .arg(direction, opcode)
                              .arg(f.opcode)
                              .arg(f.payloadLength);
    QStringList fields;
    fields << u"FIN=%1"_s.arg(f.fin ? 1 : 0);
    fields << u"RSV=%1 (RSV1=%2 RSV2=%3 RSV3=%4)"_s.arg(f.rsv)
                  .arg((f.rsv >> 2) & 1)
                  .arg((f.rsv >> 1) & 1)
                  .arg(f.rsv & 1);
    if (frameOctetsUnknown(f))
        fields << tr("MASK, key and length encoding unknown");
    else
        fields << u"MASK=%1"_s.arg(f.masked ? 1 : 0) << key << encoding;
    QStringList where;
    where << tr("at %1 ms").arg(format::milliseconds(f.timeNs));
    if (f.streamOffset >= 0)
        where << tr("stream offset %1").arg(f.streamOffset);
    if (frameOctetsUnknown(f))
        where << tr("frame size unknown");
    else
        where << tr("frame size %1").arg(octets.size());
    const QString second = fields.join(u" · "_s);
    const QString third = where.join(u" · "_s);
    m_summaryPlain = first + u'\n' + second + u'\n' + third;
    m_ui->summaryLabel->setText(u"<b>"_s + html(first) + u"</b><br>"_s + html(second) + u"<br>"_s +
                                html(third));

    QStringList notes;
    if (frameOctetsUnknown(f))
        notes << tr("Read from a file that has the messages, not their frames: fragmentation, "
                    "masking keys and the octets on the wire are unknown.");
    else if (f.streamOffset < 0)
        notes << tr("Not written yet: the frame's octets have not left the queue.");
    if (f.incomplete)
        notes << tr("Incomplete: the connection ended inside this frame.");
    if (f.tx && f.tx->declaredLength &&
        qint64(*f.tx->declaredLength) != f.tx->encodedSize - f.headerSize()) {
        const qint64 sent = f.tx->encodedSize - f.headerSize();
        notes << format::resolvePlural(
                     tr("The length field says %1 but %2 payload octet(s) were sent.", nullptr,
                        format::pluralCount(sent)),
                     sent)
                     .arg(*f.tx->declaredLength)
                     .arg(sent);
    }
    if (f.masked && !f.hasKey)
        notes << tr("The MASK bit is set but no key was written; the payload went out as is.");
    const qint64 expected =
        f.tx ? f.tx->encodedSize
             : f.headerSize() + qint64(std::min<quint64>(f.payloadLength, quint64(1) << 40));
    if (f.streamOffset >= 0 && !f.incomplete && octets.size() < expected) {
        notes << format::resolvePlural(
                     tr("Only %1 of the frame's %2 octet(s) are kept (the trace's "
                        "storage limit).",
                        nullptr, format::pluralCount(expected)),
                     expected)
                     .arg(octets.size())
                     .arg(expected);
    }
    m_ui->noteLabel->setText(notes.join(u'\n'));
    m_ui->noteLabel->setVisible(!notes.isEmpty());
}

void FrameDetailPane::showViolations()
{
    const QList<Violation> list = violationList(m_violations);
    if (list.isEmpty()) {
        m_ui->violationsLabel->hide();
        return;
    }
    QString text = u"<span style=\"color:%1\"><b>"_s.arg(theme::detailErrorText(palette()).name()) +
                   tr("Protocol violations:").toHtmlEscaped() +
                   u"</b></span><ul style=\"margin-top:0; margin-bottom:0\">"_s;
    for (const Violation v : list) {
        text += u"<li><b>"_s + html(FrameTableModel::violationLabel(v)) + u"</b> — "_s +
                html(violationRule(v)) + u"</li>"_s;
    }
    text += u"</ul>"_s;
    m_ui->violationsLabel->setText(text);
    m_ui->violationsLabel->show();
}

void FrameDetailPane::showHeaderBits(const FrameRecord &f, const QByteArray &octets)
{
    // The first two octets as sent or received, or as the record describes them.
    const quint8 len7 = f.extendedLengthSize == 0 ? quint8(f.payloadLength)
                                                  : (f.extendedLengthSize == 2 ? 126 : 127);
    const uchar b0 = octets.size() >= 1
                         ? uchar(octets[0])
                         : uchar((f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0xF));
    const uchar b1 = octets.size() >= 2 ? uchar(octets[1]) : uchar((f.masked ? 0x80 : 0) | len7);

    QTableWidget *t = m_ui->bitsTable;
    t->setVerticalHeaderLabels({tr("Octet 0 (0x%1)").arg(format::hexOctet(b0)), QString(),
                                tr("Octet 1 (0x%1)").arg(format::hexOctet(b1)), QString()});
    for (int row : {0, 2})
        t->verticalHeaderItem(row)->setToolTip(t->verticalHeaderItem(row)->text());
    fitBitsTable();
    const auto cell = [t](int row, int column, const QString &text, const QString &tip) {
        auto *item = new QTableWidgetItem(text);
        item->setTextAlignment(Qt::AlignCenter);
        item->setToolTip(tip);
        t->setItem(row, column, item);
    };
    for (int bit = 0; bit < 8; ++bit) {
        cell(0, bit, QString::number((b0 >> (7 - bit)) & 1), {});
        cell(2, bit, QString::number((b1 >> (7 - bit)) & 1), {});
    }
    const int opcode = b0 & 0xF;
    const QString opcodeText = isReservedOpcode(opcode) ? tr("reserved") : opcodeName(opcode);
    cell(1, 0, u"FIN"_s, tr("Final fragment of a message"));
    cell(1, 1, u"RSV1"_s, tr("Reserved for extensions (permessage-deflate uses RSV1)"));
    cell(1, 2, u"RSV2"_s, tr("Reserved for extensions"));
    cell(1, 3, u"RSV3"_s, tr("Reserved for extensions"));
    cell(1, 4, tr("opcode = %1 (%2)").arg(opcode).arg(opcodeText), tr("Frame type"));
    cell(3, 0, u"MASK"_s, tr("The payload is masked with a 4-octet key"));
    const int len = b1 & 0x7F;
    QString lenText;
    if (len == 126)
        lenText = tr("payload len = 126: a 16-bit length follows");
    else if (len == 127)
        lenText = tr("payload len = 127: a 64-bit length follows");
    else
        lenText = tr("payload len = %1").arg(len);
    cell(3, 1, lenText, tr("7-bit payload length"));
    fitBitsTable(); // the names just written: their short forms if the pane is narrow
    int height = t->horizontalHeader()->height() + 2 * t->frameWidth();
    for (int row = 0; row < t->rowCount(); ++row)
        height += t->rowHeight(row);
    t->setFixedHeight(height);
}

void FrameDetailPane::showOctets(const FrameRecord &f, const QByteArray &octets)
{
    HexView *view = m_ui->frameHex;
    view->setData(octets);
    view->setPlaceholderText(frameOctetsUnknown(f) ? tr("The frame's octets are unknown.")
                             : f.streamOffset < 0  ? tr("Not written yet.")
                                                   : tr("The frame's octets were not kept."));
    QList<HexView::Range> ranges;
    const auto add = [&ranges](qint64 start, qint64 length, Part part) {
        if (length > 0)
            ranges << HexView::Range{start, length, partColor(part), partName(part)};
    };
    add(0, 2, Part::Header);
    add(2, f.extendedLengthSize, Part::ExtendedLength);
    add(2 + f.extendedLengthSize, f.hasKey ? 4 : 0, Part::MaskingKey);
    add(f.headerSize(), qint64(octets.size()) - f.headerSize(), Part::Payload);
    if (f.utf8ErrorOffset >= 0 && f.headerSize() + f.utf8ErrorOffset < octets.size())
        add(f.headerSize() + f.utf8ErrorOffset, 1, Part::InvalidUtf8);
    view->setRanges(ranges);
}

void FrameDetailPane::showPayload(const FrameRecord &f, const QByteArray &unmasked,
                                  const QByteArray &masked)
{
    QTabWidget *tabs = m_ui->payloadTabs;
    tabs->setEnabled(true);
    const bool isClose = f.opcode == quint8(Opcode::Close);

    // The first invalid UTF-8 octet: the parser's (message-wide) finding, else this payload's own.
    qint64 badUtf8 = f.utf8ErrorOffset;
    if (badUtf8 < 0 && !isClose && f.opcode != quint8(Opcode::Binary))
        badUtf8 = Utf8Validator::firstInvalidOffset(unmasked.constData(), unmasked.size());

    QList<HexView::Range> ranges;
    if (isClose && unmasked.size() >= 2) {
        ranges << HexView::Range{0, 2, partColor(Part::CloseCode), partName(Part::CloseCode)};
        if (unmasked.size() > 2)
            ranges << HexView::Range{2, unmasked.size() - 2, partColor(Part::Payload),
                                     tr("Reason")};
    }
    if (badUtf8 >= 0 && badUtf8 < unmasked.size())
        ranges << HexView::Range{badUtf8, 1, partColor(Part::InvalidUtf8),
                                 partName(Part::InvalidUtf8)};
    m_ui->payloadHex->setData(unmasked);
    m_ui->payloadHex->setRanges(ranges);
    m_ui->payloadHex->setPlaceholderText(tr("Empty payload."));
    m_ui->maskedHex->setData(masked);
    m_ui->maskedHex->setRanges(ranges);

    tabs->setTabVisible(tabs->indexOf(m_ui->maskedTab), f.hasKey);
    tabs->setTabVisible(tabs->indexOf(m_ui->closeTab), isClose);
    if (!tabs->isTabVisible(tabs->currentIndex()))
        tabs->setCurrentWidget(m_ui->unmaskedTab);

    showText(f, unmasked);
    showJson(unmasked);
    if (isClose)
        showClose(unmasked);
}

void FrameDetailPane::showText(const FrameRecord &f, const QByteArray &payload)
{
    // A close frame's text is its reason, after the 2-octet status code (RFC 6455 §5.5.1).
    // Offsets below stay payload offsets, as in the hex views.
    const qint64 skip = f.opcode == quint8(Opcode::Close) && payload.size() >= 2 ? 2 : 0;
    const QByteArray text = payload.mid(qsizetype(skip));
    const qint64 size = text.size();
    const QByteArray shown = text.left(qsizetype(std::min(size, TextLimit)));
    QStringList notes;
    if (skip > 0)
        notes << tr("The close reason (payload octets from 2 on).");
    qint64 bad = -1; // in `text`
    if (f.utf8ErrorOffset >= 0) {
        bad = f.utf8ErrorOffset - skip;
        if (f.utf8ErrorOffset >= qint64(f.payloadLength))
            notes << tr("Invalid UTF-8: the text ends inside a code point.");
        else
            notes << tr("Invalid UTF-8: the first impossible octet is payload octet %1 (0x%2).")
                         .arg(f.utf8ErrorOffset)
                         .arg(format::hexOctet(bad >= 0 && bad < size ? uchar(text[qsizetype(bad)])
                                                                      : 0));
    } else {
        bad = Utf8Validator::firstInvalidOffset(text.constData(), text.size());
        if (bad < 0) {
            notes << (size == 0 ? tr("No text.") : tr("Valid UTF-8."));
        } else if (bad >= size) {
            notes << tr("The payload ends inside a UTF-8 code point (it may continue in the "
                        "next fragment).");
        } else {
            notes << tr("Not valid UTF-8: the first invalid octet is payload octet %1 (0x%2).")
                         .arg(bad + skip)
                         .arg(format::hexOctet(uchar(text[qsizetype(bad)])));
        }
    }
    if (size > shown.size()) {
        notes << format::resolvePlural(
                     tr("Showing the first %1 of %2 octet(s); the Unmasked tab shows "
                        "them all.",
                        nullptr, format::pluralCount(size)),
                     size)
                     .arg(shown.size())
                     .arg(size);
    }
    m_ui->textNote->setText(notes.join(u'\n'));
    m_textInvalid = bad >= 0 && bad < size;
    colourTextNote();

    QPlainTextEdit *edit = m_ui->textEdit;
    edit->setPlainText(QString::fromUtf8(shown));
    QList<QTextEdit::ExtraSelection> marks;
    if (bad >= 0 && bad < shown.size()) {
        // The broken sequence starts at the first invalid octet, or at the lead octet of the code
        // point it breaks (e.g. ED A0: A0 is impossible after ED, the sequence starts at ED).
        // Everything before it is valid, so its length in QChars is where the decoder's
        // replacement character sits.
        qsizetype start = qsizetype(bad);
        const QByteArray before = shown.left(start);
        if (Utf8Validator::firstInvalidOffset(before.constData(), before.size()) >= 0) {
            for (qsizetype i = start - 1; i >= 0 && i >= start - 3; --i) {
                if ((uchar(shown[i]) & 0xC0) != 0x80) { // a lead octet
                    start = i;
                    break;
                }
            }
        }
        const int at = int(QString::fromUtf8(shown.left(start)).size());
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(edit->document());
        mark.cursor.setPosition(at);
        mark.cursor.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
        mark.format.setBackground(theme::rangeTint(partColor(Part::InvalidUtf8), edit->palette()));
        mark.format.setForeground(edit->palette().color(QPalette::Text));
        mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        mark.format.setUnderlineColor(theme::detailErrorText(edit->palette()));
        mark.format.setToolTip(tr("First invalid UTF-8 octet (payload octet %1)").arg(bad + skip));
        marks << mark;
        QTextCursor cursor(edit->document());
        cursor.setPosition(at);
        edit->setTextCursor(cursor);
        edit->ensureCursorVisible();
    }
    edit->setExtraSelections(marks);
}

void FrameDetailPane::colourTextNote()
{
    // Set on the label itself, so a later palette change of the pane has to come through here.
    QPalette notePalette = palette();
    if (m_textInvalid)
        notePalette.setColor(QPalette::WindowText, theme::detailErrorText(palette()));
    m_ui->textNote->setPalette(notePalette);
}

void FrameDetailPane::showJson(const QByteArray &payload)
{
    m_ui->jsonEdit->clear();
    if (payload.isEmpty()) {
        m_ui->jsonNote->setText(tr("Empty payload."));
        return;
    }
    if (payload.size() > TextLimit) {
        m_ui->jsonNote->setText(
            format::resolvePlural(tr("Not formatted: the payload is larger than %1 octet(s).",
                                     nullptr, format::pluralCount(TextLimit)),
                                  TextLimit)
                .arg(TextLimit));
        return;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(payload, &error);
    if (error.error != QJsonParseError::NoError) {
        m_ui->jsonNote->setText(
            tr("Not JSON: %1 at octet %2.").arg(error.errorString()).arg(error.offset));
        return;
    }
    m_ui->jsonNote->setText(doc.isArray() ? tr("Valid JSON (an array).")
                                          : tr("Valid JSON (an object)."));
    m_ui->jsonEdit->setPlainText(QString::fromUtf8(doc.toJson(QJsonDocument::Indented)));
}

void FrameDetailPane::showClose(const QByteArray &payload)
{
    QStringList notes;
    const ParsedClosePayload close = parseClosePayload(payload);
    if (close.oneOctet) {
        m_ui->closeCodeLabel->setText(
            tr("one octet: 0x%1").arg(format::hexOctet(uchar(payload[0]))));
        m_ui->closeNameLabel->setText(tr("Invalid"));
        m_ui->closeReasonLabel->setText(tr("none"));
        notes << violationRule(Violation::ClosePayloadOneOctet);
    } else if (!close.code) {
        m_ui->closeCodeLabel->setText(tr("none"));
        m_ui->closeNameLabel->setText(tr("No status code: the close body is empty (reported as "
                                         "1005, No Status Received)"));
        m_ui->closeReasonLabel->setText(tr("none"));
    } else {
        const int code = *close.code;
        m_ui->closeCodeLabel->setText(QString::number(code));
        m_ui->closeNameLabel->setText(closeCodeName(code));
        if (!isValidReceivedCloseCode(code))
            notes << violationRule(Violation::InvalidCloseCode);
        const QByteArray &reason = close.reason;
        const qint64 bad = Utf8Validator::firstInvalidOffset(reason.constData(), reason.size());
        if (reason.isEmpty()) {
            m_ui->closeReasonLabel->setText(tr("none"));
        } else if (bad < 0) {
            m_ui->closeReasonLabel->setText(u'"' + QString::fromUtf8(reason) + u'"');
        } else {
            m_ui->closeReasonLabel->setText(format::spacedHex(reason));
            notes << tr("The reason is not valid UTF-8 (first invalid octet at payload octet "
                        "%1); shown as hex.")
                         .arg(bad + 2);
        }
    }
    m_ui->closeNote->setText(notes.join(u'\n'));
    m_ui->closeNote->setVisible(!notes.isEmpty());
}

void FrameDetailPane::onFrameSelection(qint64 start, qint64 length)
{
    if (m_streamOffset < 0 || length <= 0)
        return;
    Q_EMIT octetRangeSelected(m_direction, m_streamOffset + start, length);
}

void FrameDetailPane::onPayloadSelection(qint64 start, qint64 length)
{
    // Payload octet i is frame octet headerSize + i; the frame view follows.
    if (length <= 0) {
        m_ui->frameHex->clearSelection();
        return;
    }
    m_ui->frameHex->setSelectedRange(m_headerSize + start, length);
    if (m_streamOffset >= 0)
        Q_EMIT octetRangeSelected(m_direction, m_streamOffset + m_headerSize + start, length);
}

void FrameDetailPane::selectStreamRange(Direction direction, qint64 streamOffset, qint64 length)
{
    if (m_index < 0 || direction != m_direction || m_streamOffset < 0)
        return;
    const qint64 from = std::max(streamOffset, m_streamOffset) - m_streamOffset;
    const qint64 to =
        std::min(streamOffset + length, m_streamOffset + m_octetCount) - m_streamOffset;
    if (to > from)
        m_ui->frameHex->setSelectedRange(from, to - from);
    else
        m_ui->frameHex->clearSelection();
}

void FrameDetailPane::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::LanguageChange) {
        m_ui->retranslateUi(this);
    } else if (event->type() == QEvent::PaletteChange) {
        if (m_index >= 0)
            showViolations();
        colourTextNote();
    }
}

} // namespace wsi::gui
