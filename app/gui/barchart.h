// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
#include <QList>
#include <QString>
#include <QWidget>

namespace wsi::gui {

// Horizontal bars, one per row: label, bar scaled to the largest value, value text. Painted with
// QPainter in the palette's colours (no QtCharts). Rows shrink to fit the height; beyond
// maximumBars() the smallest bars are summed into one "others" bar, so 1 or 200 rows both read.
class BarChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BarChart)

public:
    struct Bar
    {
        QString label;
        qint64 value = 0;
        QString valueText; // shown after the bar; empty: the value in the locale's format
        QString toolTip;   // empty: "label: valueText"

        friend bool operator==(const Bar &, const Bar &) = default;
    };

    explicit BarChart(QWidget *parent = nullptr);

    // Cheap when nothing changed (no repaint).
    void setBars(const QList<Bar> &bars);
    [[nodiscard]] const QList<Bar> &bars() const { return m_bars; }
    // The bars as drawn: bars() or, past maximumBars(), the largest ones in their order plus one
    // bar summing the rest.
    [[nodiscard]] const QList<Bar> &shownBars() const { return m_shown; }

    void setMaximumBars(int count);
    [[nodiscard]] int maximumBars() const { return m_maximumBars; }
    // Shown when there are no bars.
    void setPlaceholderText(const QString &text);

    // The row under a position, as an index into shownBars(), or -1.
    [[nodiscard]] qsizetype barAt(const QPoint &pos) const;

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    void rebuild();
    [[nodiscard]] int preferredRowHeight() const;
    [[nodiscard]] qreal rowHeight() const;
    [[nodiscard]] QString valueText(const Bar &bar) const;

    QList<Bar> m_bars;
    QList<Bar> m_shown;
    QString m_placeholder;
    int m_maximumBars = 24;
};

} // namespace wsi::gui
