// SPDX-License-Identifier: MIT
#include "barchart.h"

#include "format.h"
#include "theme.h"

#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <numeric>

using namespace Qt::StringLiterals;

namespace wsi::gui {

namespace {
constexpr int kMargin = 4;
constexpr int kGap = 6;
} // namespace

BarChart::BarChart(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
}

void BarChart::setBars(const QList<Bar> &bars)
{
    if (bars == m_bars)
        return;
    m_bars = bars;
    rebuild();
    // New rows, or wider labels or values, change the minimum width.
    updateGeometry();
    update();
}

void BarChart::setMaximumBars(int count)
{
    m_maximumBars = std::max(2, count);
    rebuild();
    updateGeometry();
    update();
}

void BarChart::setPlaceholderText(const QString &text)
{
    m_placeholder = text;
    update();
}

void BarChart::rebuild()
{
    if (m_bars.size() <= m_maximumBars) {
        m_shown = m_bars;
        return;
    }
    // Keep the largest (maximumBars - 1) bars, in their original order; sum up the rest.
    QList<qsizetype> order(m_bars.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [this](qsizetype a, qsizetype b) {
        return m_bars[a].value > m_bars[b].value;
    });
    const qsizetype keep = m_maximumBars - 1;
    QList<qsizetype> kept = order.mid(0, keep);
    std::sort(kept.begin(), kept.end());
    m_shown.clear();
    for (const qsizetype i : kept)
        m_shown << m_bars[i];
    Bar others;
    const qsizetype rest = m_bars.size() - keep;
    for (qsizetype i = keep; i < order.size(); ++i)
        others.value += m_bars[order[i]].value;
    others.label =
        format::resolvePlural(tr("%Ln other(s)", nullptr, format::pluralCount(rest)), rest);
    others.toolTip =
        format::resolvePlural(
            tr("%Ln smaller row(s) summed up: %1", nullptr, format::pluralCount(rest)), rest)
            .arg(QLocale().toString(others.value));
    m_shown << others;
}

QString BarChart::valueText(const Bar &bar) const
{
    return bar.valueText.isEmpty() ? QLocale().toString(bar.value) : bar.valueText;
}

int BarChart::preferredRowHeight() const
{
    return fontMetrics().height() + 4;
}

qreal BarChart::rowHeight() const
{
    if (m_shown.isEmpty())
        return preferredRowHeight();
    const qreal fit = qreal(height() - 2 * kMargin) / qreal(m_shown.size());
    return std::max<qreal>(1, std::min<qreal>(preferredRowHeight(), fit));
}

qsizetype BarChart::barAt(const QPoint &pos) const
{
    if (m_shown.isEmpty() || pos.y() < kMargin)
        return -1;
    const qsizetype row = qsizetype((pos.y() - kMargin) / rowHeight());
    return row < m_shown.size() ? row : -1;
}

QSize BarChart::sizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    const qsizetype rows = std::max<qsizetype>(1, m_shown.size());
    return {fm.horizontalAdvance(u'0') * 40, int(rows) * preferredRowHeight() + 2 * kMargin};
}

QSize BarChart::minimumSizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    const qsizetype rows = std::clamp<qsizetype>(m_shown.size(), 1, 3);
    // Every label and value whole, and a short bar between them.
    int labels = 0;
    int values = 0;
    for (const Bar &bar : m_shown) {
        labels = std::max(labels, fm.horizontalAdvance(bar.label) + 2);
        values = std::max(values, fm.horizontalAdvance(valueText(bar)) + 2);
    }
    const int width =
        std::max(fm.horizontalAdvance(u'0') * 16,
                 2 * kMargin + 2 * kGap + labels + values + fm.averageCharWidth() * 4);
    return {width, int(rows) * preferredRowHeight() + 2 * kMargin};
}

void BarChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette &pal = palette();
    const QFontMetrics fm = fontMetrics();
    if (m_shown.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }

    int labelWidth = 0;
    int valueWidth = 0;
    qint64 maxValue = 0;
    const bool aggregated = m_shown.size() != m_bars.size();
    for (qsizetype i = 0; i < m_shown.size(); ++i) {
        const Bar &bar = m_shown[i];
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(bar.label) + 2);
        valueWidth = std::max(valueWidth, fm.horizontalAdvance(valueText(bar)) + 2);
        // The "others" bar sums many rows: scaling to it would flatten the rest, so it is
        // capped at full length instead (its value is written next to it).
        if (!aggregated || i + 1 < m_shown.size())
            maxValue = std::max(maxValue, bar.value);
    }
    // The labels keep their whole width while the bars have room; only a chart squeezed below
    // its minimum elides them.
    const int minimumBar = fm.averageCharWidth() * 4;
    labelWidth =
        std::min(labelWidth, std::max(fm.averageCharWidth() * 4,
                                      width() - 2 * kMargin - 2 * kGap - valueWidth - minimumBar));
    const int barX = kMargin + labelWidth + kGap;
    const int barSpace = std::max(1, width() - barX - kGap - valueWidth - kMargin);
    const qreal rh = rowHeight();
    const bool withText = rh >= fm.height();
    const QColor barColor = pal.color(QPalette::Highlight);
    // The "others" bar is drawn paler, so it is not read as one more row of the table.
    const QColor othersColor = theme::mix(barColor, pal.color(QPalette::Base), 0.5);

    for (qsizetype i = 0; i < m_shown.size(); ++i) {
        const Bar &bar = m_shown[i];
        const qreal y = kMargin + qreal(i) * rh;
        qreal length = maxValue > 0 ? qreal(bar.value) / qreal(maxValue) * barSpace : 0;
        length = std::min<qreal>(length, barSpace);
        if (bar.value > 0)
            length = std::max<qreal>(length, 1);
        const qreal thickness = std::max<qreal>(1, rh * 0.7);
        const bool isOthers = aggregated && i == m_shown.size() - 1;
        p.fillRect(QRectF(barX, y + (rh - thickness) / 2, length, thickness),
                   isOthers ? othersColor : barColor);
        if (withText) {
            p.setPen(pal.color(QPalette::WindowText));
            const QRectF labelRect(kMargin, y, labelWidth, rh);
            p.drawText(labelRect, Qt::AlignRight | Qt::AlignVCenter,
                       fm.elidedText(bar.label, Qt::ElideMiddle, labelWidth));
            const QRectF valueRect(barX + length + kGap, y, valueWidth + kGap, rh);
            p.drawText(valueRect, Qt::AlignLeft | Qt::AlignVCenter, valueText(bar));
        }
    }
}

bool BarChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const qsizetype row = barAt(help->pos());
        if (row >= 0) {
            const Bar &bar = m_shown[row];
            const QString tip =
                bar.toolTip.isEmpty() ? tr("%1: %2").arg(bar.label, valueText(bar)) : bar.toolTip;
            QToolTip::showText(help->globalPos(), tip, this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    if (event->type() == QEvent::FontChange)
        updateGeometry();
    return QWidget::event(event);
}

} // namespace wsi::gui
