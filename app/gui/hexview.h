// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractScrollArea>
#include <QByteArray>
#include <QColor>
#include <QList>
#include <QPointer>
#include <QString>
#include <QWidget>

#include <utility>

namespace wsi::gui {

// Octets as "offset | 16 hex octets | ASCII", like Wireshark's byte view: a scroll area that
// paints only the lines in view (16 MiB scroll as smoothly as 16 octets), marks named byte ranges
// (header, key, payload, …) in colour, and lets the user select octets with the mouse.
class HexView final : public QAbstractScrollArea
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HexView)

public:
    static constexpr int BytesPerLine = 16;

    // A marked byte range. `color` is a hue; the view tints the palette's base colour with it, so
    // the same hue reads well in a light and a dark palette (see theme::rangeTint()).
    struct Range
    {
        qint64 start = 0;
        qint64 length = 0;
        QColor color;
        QString label;
    };

    explicit HexView(QWidget *parent = nullptr);

    void setData(const QByteArray &data);
    [[nodiscard]] const QByteArray &data() const { return m_data; }
    // Added to every offset in the offset column and the tooltip (e.g. a stream offset).
    void setBaseOffset(qint64 offset);
    [[nodiscard]] qint64 baseOffset() const { return m_baseOffset; }
    // Shown in the middle of the view when there are no octets.
    void setPlaceholderText(const QString &text);
    [[nodiscard]] QString placeholderText() const { return m_placeholder; }

    void setRanges(const QList<Range> &ranges);
    [[nodiscard]] const QList<Range> &ranges() const { return m_ranges; }
    // Index into ranges() of the range holding `offset` (the last one given wins), or -1.
    [[nodiscard]] qsizetype rangeAt(qint64 offset) const;

    // Selects [start, start + length) and scrolls it into view. Does not emit selectionChanged().
    void setSelectedRange(qint64 start, qint64 length);
    void clearSelection();
    [[nodiscard]] qint64 selectionStart() const { return m_selStart; }
    [[nodiscard]] qint64 selectionLength() const { return m_selLength; }
    [[nodiscard]] QByteArray selectedOctets() const;
    // Marks [start, start + length) as a search match (a band of its own, under the selection)
    // and scrolls it into view; length 0 removes the mark. setData() removes it too.
    void highlight(qint64 start, qint64 length);
    [[nodiscard]] qint64 highlightStart() const { return m_highlightStart; }
    [[nodiscard]] qint64 highlightLength() const { return m_highlightLength; }
    // Scrolls so that the line holding `offset` is visible.
    void scrollToOffset(qint64 offset);

    // The octet under a viewport position (hex or ASCII column), or -1.
    [[nodiscard]] qint64 offsetAt(const QPoint &viewportPos) const;
    // The hex cell of an octet in viewport coordinates (empty when the line is not in view).
    [[nodiscard]] QRect octetRect(qint64 offset) const;
    // The same octet's cell in the ASCII column.
    [[nodiscard]] QRect asciiRect(qint64 offset) const;
    // The tooltip shown over an octet: its range's label, the octet's place in the range, its
    // offset and value.
    [[nodiscard]] QString toolTipAt(qint64 offset) const;

    // Lines painted by the last paint event (tests and benchmarks check it stays at the visible
    // line count, whatever the data size).
    [[nodiscard]] int lastPaintedLineCount() const { return m_lastPaintedLines; }

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override;

public Q_SLOTS:
    // Copies the selected octets as lowercase hex ("898d…", the wire log's notation) and as
    // application/octet-stream.
    void copy() const;
    void selectAll();

Q_SIGNALS:
    // The user selected octets (mouse, keyboard); length 0 when the selection was cleared.
    void selectionChanged(qint64 start, qint64 length);
    void rangesChanged();

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    // [start, start + length) clamped to the data and scrolled into view: the selection's and
    // the find highlight's common part.
    std::pair<qint64, qint64> revealRange(qint64 start, qint64 length);
    [[nodiscard]] qint64 lineCount() const;
    [[nodiscard]] int offsetDigits() const;
    [[nodiscard]] int hexColumn(int i) const;   // character column of octet i's hex cell
    [[nodiscard]] int asciiColumn(int i) const; // character column of octet i's ASCII cell
    [[nodiscard]] int lineChars() const;
    [[nodiscard]] qreal columnX(int column) const; // viewport x of a character column
    [[nodiscard]] int visibleLines() const;
    [[nodiscard]] qint64 offsetAtClamped(const QPoint &viewportPos) const;
    void updateMetrics();
    void updateScrollBars();
    void selectFromAnchor(qint64 offset);
    void setUserSelection(qint64 start, qint64 length);

    QByteArray m_data;
    QList<Range> m_ranges;
    QString m_placeholder;
    qint64 m_baseOffset = 0;
    qint64 m_selStart = 0;
    qint64 m_selLength = 0;
    qint64 m_anchor = -1; // where a mouse drag started
    qint64 m_highlightStart = 0;
    qint64 m_highlightLength = 0;
    qreal m_charWidth = 8;
    int m_lineHeight = 16;
    int m_ascent = 12;
    int m_margin = 4;
    int m_digits = 4; // offset column width in hex digits
    int m_lastPaintedLines = 0;
};

// A row of colour swatches naming a HexView's ranges (one per distinct label), kept in step with
// the view's ranges and palette.
class HexLegend final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HexLegend)

public:
    explicit HexLegend(QWidget *parent = nullptr);

    void setView(HexView *view);
    [[nodiscard]] QStringList labels() const;

    [[nodiscard]] QSize sizeHint() const override;
    [[nodiscard]] QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Item
    {
        QColor color;
        QString label;
    };
    void refresh();

    QPointer<HexView> m_view;
    QList<Item> m_items;
};

} // namespace wsi::gui
