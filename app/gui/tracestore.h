// SPDX-License-Identifier: MIT
#pragma once

#include "trace/closing.h"
#include "trace/inflation.h"
#include "trace/trace.h"

#include <QObject>
#include <QTimer>

#include <deque>
#include <memory>

namespace wsi::gui {

// The window's copy of the current connection's trace (the one source of truth for every view).
// Batches from the session thread are appended here, in the GUI thread; models listen to grown()
// and insert exactly the new rows, once per batch (the session sends at most ~33 per second).
class TraceStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TraceStore)

public:
    // Sizes before and after one append.
    struct Growth
    {
        size_t entriesBefore = 0, entriesAfter = 0;
        size_t framesBefore = 0, framesAfter = 0;
        size_t chunksBefore = 0, chunksAfter = 0;
        size_t eventsBefore = 0, eventsAfter = 0;
    };

    explicit TraceStore(QObject *parent = nullptr);

    [[nodiscard]] const Trace &trace() const { return m_trace; }
    // The closing behaviour of the trace so far (recomputed lazily after each append).
    [[nodiscard]] const ClosingBehavior &closing() const;
    // The trace's compressed messages inflated (permessage-deflate, RFC 7692), kept up to date
    // with each append before grown() is emitted. Inactive until the handshake response is in,
    // and for a connection that agreed no compression.
    [[nodiscard]] const TraceInflation &inflation() const { return *m_inflation; }
    // The size limit a message inflates to (the session's SessionSettings::maxFramePayload);
    // applies from the next reset().
    void setMaxInflatedMessage(qint64 octets) { m_maxInflatedMessage = octets; }

    // Appends at once (one grown() for the batch).
    void append(const TraceBatchPtr &batch);
    // Queues a batch from the session; it is appended in slices of about 15 ms from the event
    // loop, so a backlog of batches never blocks timers, painting or input for long.
    void enqueue(const TraceBatchPtr &batch);
    // Appends everything queued now (tests, exports).
    void drain();
    [[nodiscard]] bool hasQueued() const { return !m_queue.empty(); }
    // Replaces the trace (a new connection, or a recorded one opened for viewing). The views'
    // floor goes back to the start; a pause stays on.
    void reset(Trace trace = Trace());
    // The same, handing back the trace it replaced (with everything queued appended first): the
    // Connections list keeps it.
    [[nodiscard]] Trace exchange(Trace trace = Trace());

    // --- what the tables show (View ▸ Clear, View ▸ Pause Capture) ------------------------------
    // The trace keeps everything: the closing panel, the statistics and the reports always read
    // all of it; only the frame, message and wire-log tables start at the floor.
    struct ViewFloor
    {
        size_t frames = 0;  // the first frame the tables show (Trace::frames() index)
        size_t entries = 0; // the first entry the wire log shows (Trace::entries() index)
    };
    // The tables show only what is appended from now on (frame numbers stay the trace's).
    void clearViews();
    // The tables show the whole trace again.
    void undoClearViews();
    [[nodiscard]] bool viewsCleared() const { return m_viewsCleared; }
    [[nodiscard]] ViewFloor viewFloor() const { return m_floor; }
    // Paused, the tables insert no rows; the trace still grows (nothing is lost, the trace's
    // budget still bounds it), and on resume the tables catch up with one insert each.
    void setViewsPaused(bool paused);
    [[nodiscard]] bool viewsPaused() const { return m_viewsPaused; }
    // Frames appended since the pause began (0 when not paused): "paused, N new frames".
    [[nodiscard]] qint64 framesHiddenByPause() const;

Q_SIGNALS:
    void aboutToReset();
    void resetDone();
    void grown(const wsi::gui::TraceStore::Growth &growth);
    // After clearViews() and undoClearViews(); the models have reset to the new floor.
    void viewFloorChanged();
    // After setViewsPaused(); on resume the models have inserted what arrived meanwhile.
    void viewsPausedChanged(bool paused);
    // While paused, after each append: framesHiddenByPause() changed.
    void hiddenByPauseChanged(qint64 frames);

private:
    // Records ingested from the queue after which a drained queue gives memory back.
    static constexpr size_t kTrimAfterRecords = size_t(1) << 18;

    void ingestSlice();
    // Brings m_inflation up to the trace's frames; once the handshake's response is recorded it
    // learns the agreement (before that no frame can be compressed).
    void updateInflation();
    void resetInflation();
    void releaseFreedMemory();

    Trace m_trace;
    std::deque<TraceBatchPtr> m_queue;
    QTimer *m_ingestTimer = nullptr;
    mutable ClosingBehavior m_closing;
    mutable bool m_closingValid = false;
    size_t m_recordsSinceTrim = 0;
    ViewFloor m_floor;
    bool m_viewsCleared = false;
    bool m_viewsPaused = false;
    size_t m_framesAtPause = 0;
    std::unique_ptr<TraceInflation> m_inflation;
    bool m_inflationAgreed = false; // the agreement is known (the handshake's outcome is in)
    qint64 m_maxInflatedMessage = TraceInflation::kDefaultMaxMessageOctets;
};

} // namespace wsi::gui
