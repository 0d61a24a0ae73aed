// SPDX-License-Identifier: MIT
#include "hexview.h"
#include "monospacefont.h"
#include "theme.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMenu>
#include <QMimeData>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QToolTip>

#include <algorithm>
#include <tuple>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {

// Character layout of one line: "OOOO  xx xx xx xx xx xx xx xx  xx … xx  ................".
constexpr int kOffsetGap = 2;    // spaces between the offset and the first hex cell
constexpr int kHexCellChars = 3; // "xx "
constexpr int kAsciiGap = 2;     // spaces between the hex and the ASCII column

constexpr char16_t kHexDigits[] = u"0123456789abcdef";

QChar asciiChar(uchar c)
{
    return c >= 0x20 && c < 0x7f ? QChar(char16_t(c)) : QChar(u'.');
}

QString hexNumber(qint64 value, int digits)
{
    return u"%1"_s.arg(value, digits, 16, QChar(u'0'));
}

} // namespace

HexView::HexView(QWidget *parent) : QAbstractScrollArea(parent)
{
    setFont(monospaceFont());
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setBackgroundRole(QPalette::Base);
    updateMetrics();
}

void HexView::setData(const QByteArray &data)
{
    m_data = data;
    m_selStart = 0;
    m_selLength = 0;
    m_anchor = -1;
    m_highlightStart = 0;
    m_highlightLength = 0;
    m_digits = offsetDigits();
    updateScrollBars();
    verticalScrollBar()->setValue(0);
    horizontalScrollBar()->setValue(0);
    updateGeometry();
    viewport()->update();
}

void HexView::setBaseOffset(qint64 offset)
{
    if (offset == m_baseOffset)
        return;
    m_baseOffset = std::max<qint64>(0, offset);
    m_digits = offsetDigits();
    updateScrollBars();
    viewport()->update();
}

void HexView::setPlaceholderText(const QString &text)
{
    m_placeholder = text;
    if (m_data.isEmpty())
        viewport()->update();
}

void HexView::setRanges(const QList<Range> &ranges)
{
    m_ranges = ranges;
    viewport()->update();
    Q_EMIT rangesChanged();
}

qsizetype HexView::rangeAt(qint64 offset) const
{
    for (qsizetype i = m_ranges.size() - 1; i >= 0; --i) {
        const Range &r = m_ranges[i];
        if (offset >= r.start && offset < r.start + r.length)
            return i;
    }
    return -1;
}

std::pair<qint64, qint64> HexView::revealRange(qint64 start, qint64 length)
{
    const qint64 size = m_data.size();
    start = std::clamp<qint64>(start, 0, size);
    length = std::clamp<qint64>(length, 0, size - start);
    if (length > 0) {
        // The end first, then the start: a range taller than the view shows its beginning.
        scrollToOffset(start + length - 1);
        scrollToOffset(start);
    }
    return {start, length};
}

void HexView::setSelectedRange(qint64 start, qint64 length)
{
    std::tie(m_selStart, m_selLength) = revealRange(start, length);
    viewport()->update();
}

void HexView::highlight(qint64 start, qint64 length)
{
    std::tie(m_highlightStart, m_highlightLength) = revealRange(start, length);
    viewport()->update();
}

void HexView::clearSelection()
{
    setSelectedRange(0, 0);
}

QByteArray HexView::selectedOctets() const
{
    return m_data.mid(m_selStart, m_selLength);
}

void HexView::scrollToOffset(qint64 offset)
{
    const qint64 line = offset / BytesPerLine;
    QScrollBar *bar = verticalScrollBar();
    const int visible = std::max(1, visibleLines());
    if (line < bar->value())
        bar->setValue(int(line));
    else if (line >= bar->value() + visible)
        bar->setValue(int(line - visible + 1));
}

qint64 HexView::lineCount() const
{
    return (qint64(m_data.size()) + BytesPerLine - 1) / BytesPerLine;
}

int HexView::offsetDigits() const
{
    const qint64 last = m_baseOffset + std::max<qint64>(0, qint64(m_data.size()) - 1);
    int digits = 1;
    for (qint64 v = last >> 4; v > 0; v >>= 4)
        ++digits;
    digits = std::max(4, digits);
    return digits + (digits & 1); // an even number of digits reads as octets
}

int HexView::hexColumn(int i) const
{
    return m_digits + kOffsetGap + i * kHexCellChars + (i >= BytesPerLine / 2 ? 1 : 0);
}

int HexView::asciiColumn(int i) const
{
    return hexColumn(BytesPerLine - 1) + 2 + kAsciiGap + i;
}

int HexView::lineChars() const
{
    return asciiColumn(BytesPerLine);
}

qreal HexView::columnX(int column) const
{
    return m_margin + column * m_charWidth - horizontalScrollBar()->value();
}

int HexView::visibleLines() const
{
    return viewport()->height() / std::max(1, m_lineHeight);
}

void HexView::updateMetrics()
{
    const QFontMetricsF fm(font());
    m_charWidth = fm.horizontalAdvance(u'0');
    m_lineHeight = int(std::ceil(fm.height())) + 1;
    m_ascent = int(std::ceil(fm.ascent()));
    m_margin = int(std::ceil(m_charWidth / 2));
    updateScrollBars();
    updateGeometry();
    viewport()->update();
}

void HexView::updateScrollBars()
{
    const qint64 lines = lineCount();
    const int visible = visibleLines();
    QScrollBar *v = verticalScrollBar();
    v->setRange(0, int(std::max<qint64>(0, lines - visible)));
    v->setPageStep(std::max(1, visible));
    v->setSingleStep(1);

    const int contentWidth = int(std::ceil(2 * m_margin + lineChars() * m_charWidth));
    QScrollBar *h = horizontalScrollBar();
    h->setRange(0, std::max(0, contentWidth - viewport()->width()));
    h->setPageStep(viewport()->width());
    h->setSingleStep(int(std::ceil(m_charWidth)));
}

QSize HexView::sizeHint() const
{
    const int frame = 2 * frameWidth();
    const int width = int(std::ceil(2 * m_margin + lineChars() * m_charWidth)) + frame +
                      verticalScrollBar()->sizeHint().width();
    const qint64 lines = std::clamp<qint64>(lineCount(), 4, 16);
    return {width, int(lines) * m_lineHeight + frame};
}

QSize HexView::minimumSizeHint() const
{
    const int frame = 2 * frameWidth();
    return {int(std::ceil(24 * m_charWidth)) + frame, 3 * m_lineHeight + frame};
}

void HexView::paintEvent(QPaintEvent *event)
{
    QPainter p(viewport());
    p.setFont(font());
    const QPalette &pal = palette();
    m_lastPaintedLines = 0;

    if (m_data.isEmpty()) {
        if (!m_placeholder.isEmpty()) {
            p.setPen(pal.color(QPalette::PlaceholderText));
            p.drawText(viewport()->rect().adjusted(m_margin, m_margin, -m_margin, -m_margin),
                       Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        }
        return;
    }

    const QRect dirty = event->rect();
    const qint64 first = verticalScrollBar()->value();
    const qint64 firstDirty = first + dirty.top() / m_lineHeight;
    const qint64 lastDirty =
        std::min(lineCount() - 1, first + (dirty.bottom() + m_lineHeight - 1) / m_lineHeight);

    const QColor textColor = pal.color(QPalette::Text);
    const QColor offsetColor = theme::mix(pal.color(QPalette::Base), textColor, 0.55);
    const QColor selectionColor = pal.color(QPalette::Highlight);
    const QColor selectedText = pal.color(QPalette::HighlightedText);
    QList<QColor> tints;
    tints.reserve(m_ranges.size());
    for (const Range &r : m_ranges)
        tints << theme::rangeTint(r.color, pal);

    const qreal halfGap = m_charWidth / 2;
    const qint64 size = m_data.size();
    const auto *octets = reinterpret_cast<const uchar *>(m_data.constData());
    const qint64 selEnd = m_selStart + m_selLength;

    QString text(lineChars() - m_digits, u' ');
    for (qint64 line = firstDirty; line <= lastDirty; ++line) {
        ++m_lastPaintedLines;
        const int y = int(line - first) * m_lineHeight;
        const qint64 lineStart = line * BytesPerLine;
        const int count = int(std::min<qint64>(BytesPerLine, size - lineStart));

        // Backgrounds: one band per run of octets in the same range, in both columns.
        const auto band = [&](int from, int to, const QColor &color) {
            const qreal hx0 = columnX(hexColumn(from)) - halfGap;
            const qreal hx1 = columnX(hexColumn(to - 1) + 2) + halfGap;
            p.fillRect(QRectF(hx0, y, hx1 - hx0, m_lineHeight), color);
            const qreal ax0 = columnX(asciiColumn(from));
            const qreal ax1 = columnX(asciiColumn(to));
            p.fillRect(QRectF(ax0, y, ax1 - ax0, m_lineHeight), color);
        };
        if (!m_ranges.isEmpty()) {
            int runStart = 0;
            qsizetype runRange = rangeAt(lineStart);
            for (int i = 1; i <= count; ++i) {
                const qsizetype r = i < count ? rangeAt(lineStart + i) : -2;
                if (r != runRange) {
                    if (runRange >= 0)
                        band(runStart, i, tints[runRange]);
                    runStart = i;
                    runRange = r;
                }
            }
        }
        const qint64 highlightEnd = m_highlightStart + m_highlightLength;
        const int hlFrom = int(std::clamp<qint64>(m_highlightStart - lineStart, 0, count));
        const int hlTo = int(std::clamp<qint64>(highlightEnd - lineStart, 0, count));
        if (hlTo > hlFrom)
            band(hlFrom, hlTo, theme::findHighlight(pal));
        const int selFrom = int(std::clamp<qint64>(m_selStart - lineStart, 0, count));
        const int selTo = int(std::clamp<qint64>(selEnd - lineStart, 0, count));
        if (selTo > selFrom)
            band(selFrom, selTo, selectionColor);

        // Text: the offset dimmed, then hex and ASCII in one string per line.
        p.setPen(offsetColor);
        p.drawText(QPointF(columnX(0), y + m_ascent),
                   hexNumber(m_baseOffset + lineStart, m_digits));
        text.fill(u' ');
        const int hex0 = hexColumn(0);
        for (int i = 0; i < count; ++i) {
            const uchar c = octets[lineStart + i];
            const int at = hexColumn(i) - hex0;
            text[at] = QChar(kHexDigits[c >> 4]);
            text[at + 1] = QChar(kHexDigits[c & 0xF]);
            text[asciiColumn(i) - hex0] = asciiChar(c);
        }
        p.setPen(textColor);
        p.drawText(QPointF(columnX(hex0), y + m_ascent), text);
        if (selTo > selFrom) {
            // The selected cells again, in the selection's text colour.
            p.save();
            QPainterPath clip;
            clip.addRect(QRectF(columnX(hexColumn(selFrom)) - halfGap, y,
                                columnX(hexColumn(selTo - 1) + 2) - columnX(hexColumn(selFrom)) +
                                    2 * halfGap,
                                m_lineHeight));
            clip.addRect(QRectF(columnX(asciiColumn(selFrom)), y,
                                columnX(asciiColumn(selTo)) - columnX(asciiColumn(selFrom)),
                                m_lineHeight));
            p.setClipPath(clip);
            p.setPen(selectedText);
            p.drawText(QPointF(columnX(hex0), y + m_ascent), text);
            p.restore();
        }
    }
}

void HexView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
}

void HexView::changeEvent(QEvent *event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        updateMetrics();
    else if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        viewport()->update();
}

qint64 HexView::offsetAt(const QPoint &pos) const
{
    if (m_data.isEmpty() || pos.y() < 0)
        return -1;
    const qint64 line = verticalScrollBar()->value() + pos.y() / m_lineHeight;
    if (line >= lineCount())
        return -1;
    const qreal x = pos.x();
    const qreal halfGap = m_charWidth / 2;
    int index = -1;
    for (int i = 0; i < BytesPerLine && index < 0; ++i) {
        if (x >= columnX(hexColumn(i)) - halfGap && x < columnX(hexColumn(i) + 2) + halfGap)
            index = i;
        else if (x >= columnX(asciiColumn(i)) && x < columnX(asciiColumn(i) + 1))
            index = i;
    }
    if (index < 0)
        return -1;
    const qint64 offset = line * BytesPerLine + index;
    return offset < m_data.size() ? offset : -1;
}

qint64 HexView::offsetAtClamped(const QPoint &pos) const
{
    if (m_data.isEmpty())
        return -1;
    const qint64 line = std::clamp<qint64>(verticalScrollBar()->value() +
                                               (pos.y() < 0 ? -1 : pos.y() / m_lineHeight),
                                           0, lineCount() - 1);
    const qreal x = pos.x();
    int index = 0;
    if (x >= columnX(asciiColumn(0)) - m_charWidth) {
        index = int((x - columnX(asciiColumn(0))) / m_charWidth);
    } else {
        // The hex cell whose centre is nearest.
        qreal best = 1e9;
        for (int i = 0; i < BytesPerLine; ++i) {
            const qreal d = std::abs(x - columnX(hexColumn(i) + 1));
            if (d < best) {
                best = d;
                index = i;
            }
        }
    }
    index = std::clamp(index, 0, BytesPerLine - 1);
    return std::min<qint64>(line * BytesPerLine + index, qint64(m_data.size()) - 1);
}

QRect HexView::octetRect(qint64 offset) const
{
    if (offset < 0 || offset >= m_data.size())
        return {};
    const qint64 row = offset / BytesPerLine - verticalScrollBar()->value();
    if (row < 0 || row > visibleLines())
        return {};
    const int i = int(offset % BytesPerLine);
    const qreal x0 = columnX(hexColumn(i));
    return QRectF(x0, qreal(row * m_lineHeight), 2 * m_charWidth, m_lineHeight).toAlignedRect();
}

QRect HexView::asciiRect(qint64 offset) const
{
    const QRect hex = octetRect(offset);
    if (hex.isNull())
        return {};
    const qreal x0 = columnX(asciiColumn(int(offset % BytesPerLine)));
    return QRectF(x0, hex.top(), m_charWidth, m_lineHeight).toAlignedRect();
}

QString HexView::toolTipAt(qint64 offset) const
{
    if (offset < 0 || offset >= m_data.size())
        return {};
    QStringList lines;
    const qsizetype r = rangeAt(offset);
    if (r >= 0) {
        const Range &range = m_ranges[r];
        lines << tr("%1: octet %2 of %3")
                     .arg(range.label)
                     .arg(offset - range.start + 1)
                     .arg(range.length);
    }
    const qint64 shown = m_baseOffset + offset;
    if (m_baseOffset != 0) {
        lines << tr("Offset 0x%1 (%2), octet %3 of this view")
                     .arg(hexNumber(shown, 1))
                     .arg(shown)
                     .arg(offset);
    } else {
        lines << tr("Offset 0x%1 (%2)").arg(hexNumber(shown, 1)).arg(shown);
    }
    const uchar c = uchar(m_data[offset]);
    lines << tr("Value 0x%1 = %2 = %3b")
                 .arg(hexNumber(c, 2))
                 .arg(c)
                 .arg(u"%1"_s.arg(c, 8, 2, QChar(u'0')));
    return lines.join(u'\n');
}

bool HexView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const qint64 offset = offsetAt(help->pos());
        if (offset >= 0)
            QToolTip::showText(help->globalPos(), toolTipAt(offset), viewport(), octetRect(offset));
        else
            QToolTip::hideText();
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void HexView::setUserSelection(qint64 start, qint64 length)
{
    if (start == m_selStart && length == m_selLength)
        return;
    m_selStart = start;
    m_selLength = length;
    viewport()->update();
    Q_EMIT selectionChanged(start, length);
}

void HexView::selectFromAnchor(qint64 offset)
{
    if (m_anchor < 0 || offset < 0)
        return;
    const qint64 from = std::min(m_anchor, offset);
    const qint64 to = std::max(m_anchor, offset);
    setUserSelection(from, to - from + 1);
}

void HexView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const QPoint pos = event->position().toPoint();
    if ((event->modifiers() & Qt::ShiftModifier) && m_selLength > 0) {
        if (m_anchor < 0)
            m_anchor = m_selStart;
        selectFromAnchor(offsetAtClamped(pos));
        return;
    }
    const qint64 offset = offsetAt(pos);
    if (offset < 0) {
        m_anchor = -1;
        setUserSelection(0, 0);
        return;
    }
    m_anchor = offset;
    setUserSelection(offset, 1);
}

void HexView::mouseMoveEvent(QMouseEvent *event)
{
    if (!(event->buttons() & Qt::LeftButton) || m_anchor < 0) {
        QAbstractScrollArea::mouseMoveEvent(event);
        return;
    }
    const QPoint pos = event->position().toPoint();
    // Dragging past the top or bottom edge scrolls one line per move.
    QScrollBar *bar = verticalScrollBar();
    if (pos.y() < 0)
        bar->setValue(bar->value() - 1);
    else if (pos.y() >= viewport()->height())
        bar->setValue(bar->value() + 1);
    selectFromAnchor(offsetAtClamped(pos));
}

void HexView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mouseReleaseEvent(event);
        return;
    }
    if (m_anchor >= 0)
        selectFromAnchor(offsetAtClamped(event->position().toPoint()));
    event->accept();
}

void HexView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        copy();
        event->accept();
        return;
    }
    if (event->matches(QKeySequence::SelectAll)) {
        selectAll();
        event->accept();
        return;
    }
    if (event->matches(QKeySequence::MoveToStartOfDocument)) {
        verticalScrollBar()->setValue(0);
        return;
    }
    if (event->matches(QKeySequence::MoveToEndOfDocument)) {
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
        return;
    }
    QAbstractScrollArea::keyPressEvent(event);
}

void HexView::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    QAction *copyAction = menu.addAction(tr("&Copy as Hex"), this, &HexView::copy);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setEnabled(m_selLength > 0);
    QAction *all = menu.addAction(tr("Select &All"), this, &HexView::selectAll);
    all->setShortcut(QKeySequence::SelectAll);
    all->setEnabled(!m_data.isEmpty());
    menu.exec(event->globalPos());
}

void HexView::copy() const
{
    if (m_selLength <= 0)
        return;
    const QByteArray octets = selectedOctets();
    auto *mime = new QMimeData;
    mime->setText(QString::fromLatin1(octets.toHex()));
    mime->setData(u"application/octet-stream"_s, octets);
    QApplication::clipboard()->setMimeData(mime);
}

void HexView::selectAll()
{
    m_anchor = 0;
    setUserSelection(0, m_data.size());
}

// --- HexLegend ---------------------------------------------------------------------------------

HexLegend::HexLegend(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void HexLegend::setView(HexView *view)
{
    if (m_view)
        disconnect(m_view, nullptr, this, nullptr);
    m_view = view;
    if (m_view)
        connect(m_view, &HexView::rangesChanged, this, &HexLegend::refresh);
    refresh();
}

QStringList HexLegend::labels() const
{
    QStringList out;
    for (const Item &item : m_items)
        out << item.label;
    return out;
}

void HexLegend::refresh()
{
    m_items.clear();
    if (m_view) {
        for (const HexView::Range &r : m_view->ranges()) {
            const bool known = std::any_of(m_items.cbegin(), m_items.cend(),
                                           [&r](const Item &i) { return i.label == r.label; });
            if (!known && !r.label.isEmpty())
                m_items << Item{r.color, r.label};
        }
    }
    updateGeometry();
    update();
}

QSize HexLegend::sizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    const int swatch = fm.height();
    int width = 0;
    for (const Item &item : m_items)
        width += swatch + fm.horizontalAdvance(item.label) + 2 * swatch;
    return {width, fm.height() + 4};
}

QSize HexLegend::minimumSizeHint() const
{
    return {0, fontMetrics().height() + 4};
}

void HexLegend::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QFontMetrics fm = fontMetrics();
    const int swatch = fm.height() - 2;
    // The swatches are tinted against the view's palette, where the colours are shown.
    const QPalette pal = m_view ? m_view->palette() : palette();
    int x = 0;
    const int y = (height() - swatch) / 2;
    for (const Item &item : m_items) {
        const QRect box(x, y, swatch, swatch);
        p.fillRect(box, theme::rangeTint(item.color, pal));
        p.setPen(item.color);
        p.drawRect(box.adjusted(0, 0, -1, -1));
        x += swatch + swatch / 2;
        p.setPen(palette().color(QPalette::WindowText));
        const int w = fm.horizontalAdvance(item.label);
        p.drawText(QRect(x, 0, w, height()), Qt::AlignVCenter | Qt::AlignLeft, item.label);
        x += w + 3 * swatch / 2;
    }
}

} // namespace wsi::gui
