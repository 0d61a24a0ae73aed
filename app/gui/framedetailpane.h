// SPDX-License-Identifier: MIT
#pragma once

#include "trace/inflation.h"
#include "trace/trace.h"

#include <QByteArray>
#include <QColor>
#include <QWidget>

#include <memory>

namespace wsi::gui {

namespace Ui {
class FrameDetailPane;
}

class HexView;

// Everything about one frame: a summary of its header, the RFC rules it broke, its octets with
// header, extended length, masking key and payload marked, the first two octets bit by bit, and
// its payload unmasked, masked, as text, as JSON and (close frames) as code and reason.
class FrameDetailPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FrameDetailPane)

public:
    // Text views show at most this many payload octets; the hex views show all of them.
    static constexpr qint64 TextLimit = 1024 * 1024;

    // The hues of the frame's parts (tinted per palette by HexView).
    enum class Part { Header, ExtendedLength, MaskingKey, Payload, CloseCode, InvalidUtf8 };
    [[nodiscard]] static QColor partColor(Part part);
    [[nodiscard]] static QString partName(Part part);

    explicit FrameDetailPane(QWidget *parent = nullptr);
    ~FrameDetailPane() override;

    // Shows frames()[index] of `trace`. The pane copies what it shows; the trace may grow later.
    // With the trace's inflation (TraceStore::inflation()), a frame of a compressed message
    // (permessage-deflate) also shows the message compressed and inflated, side by side.
    void setFrame(const Trace &trace, qsizetype index, const TraceInflation *inflation = nullptr);
    void clear();
    // Empties the pane and says why in its place (e.g. "A handshake line is selected: it is no
    // frame.", "The filter hides the selected frame.").
    void showNothing(const QString &why);
    // Marks payload octets [offset, offset + length) (a search match) in the payload views and
    // the frame's octets, and shows the Unmasked tab. Call after setFrame(); length 0 removes it.
    void highlightPayload(qint64 offset, qint64 length);

    // The frame shown (-1 after clear()).
    [[nodiscard]] qsizetype frameIndex() const { return m_index; }
    // Selects the frame's octets that lie in [streamOffset, streamOffset + length) of its
    // direction's stream (e.g. a wire-log chunk the user picked) and scrolls them into view.
    void selectStreamRange(Direction direction, qint64 streamOffset, qint64 length);

    [[nodiscard]] HexView *frameHexView() const;
    [[nodiscard]] HexView *payloadHexView() const;
    [[nodiscard]] HexView *maskedHexView() const;
    [[nodiscard]] QString summaryText() const; // the summary as plain text
    // The compressed message's views (the Inflated tab, shown for its frames only).
    [[nodiscard]] HexView *compressedHexView() const;
    [[nodiscard]] HexView *inflatedHexView() const;
    [[nodiscard]] QString inflatedText() const;
    // The Inflated tab's note: the message's state, sizes and ratio, or why it did not inflate.
    [[nodiscard]] QString inflateNoteText() const;
    [[nodiscard]] bool showsInflated() const;

Q_SIGNALS:
    // The user selected octets of the frame (in its octets view or a payload view), so the
    // window can mark the wire-log lines that carried them. The offset is in the stream of the
    // frame's direction; length > 0 (clearing a selection emits nothing).
    void octetRangeSelected(wsi::Direction direction, qint64 streamOffset, qint64 length);

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void showSummary(const FrameRecord &frame, const QByteArray &octets);
    void showViolations();
    void colourTextNote();
    void showHeaderBits(const FrameRecord &frame, const QByteArray &octets);
    void showOctets(const FrameRecord &frame, const QByteArray &octets);
    void showPayload(const FrameRecord &frame, const QByteArray &unmasked,
                     const QByteArray &masked);
    void showText(const FrameRecord &frame, const QByteArray &payload);
    void showJson(const QByteArray &payload);
    void showClose(const QByteArray &payload);
    // The Inflated tab for a frame of a compressed message; hidden for any other frame.
    // Returns the summary's line about the message (empty for a plain frame).
    QString showInflated(const Trace &trace, qsizetype index, const TraceInflation *inflation);
    void onFrameSelection(qint64 start, qint64 length);
    void onPayloadSelection(qint64 start, qint64 length);
    void setupBitsTable();
    void fitBitsTable();

    std::unique_ptr<Ui::FrameDetailPane> m_ui;
    qsizetype m_index = -1;
    Direction m_direction = Direction::Rx;
    qint64 m_streamOffset = -1; // of the frame's first octet; -1 when not (yet) on the wire
    int m_headerSize = 0;
    qint64 m_octetCount = 0; // octets shown in the frame view
    QString m_summaryPlain;
    Violations m_violations;
    bool m_textInvalid = false; // the text note reports invalid UTF-8
};

} // namespace wsi::gui
