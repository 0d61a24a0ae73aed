// SPDX-License-Identifier: MIT
#pragma once

#include "closing.h"
#include "trace.h"

#include <QObject>
#include <QTimer>

#include <deque>

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

    // Appends at once (one grown() for the batch).
    void append(const TraceBatchPtr &batch);
    // Queues a batch from the session; it is appended in slices of about 15 ms from the event
    // loop, so a backlog of batches never blocks timers, painting or input for long.
    void enqueue(const TraceBatchPtr &batch);
    // Appends everything queued now (tests, exports).
    void drain();
    [[nodiscard]] bool hasQueued() const { return !m_queue.empty(); }
    // Replaces the trace (a new connection, or a recorded one opened for viewing).
    void reset(Trace trace = Trace());

Q_SIGNALS:
    void aboutToReset();
    void resetDone();
    void grown(const wsi::gui::TraceStore::Growth &growth);

private:
    // Records ingested from the queue after which a drained queue gives memory back.
    static constexpr size_t kTrimAfterRecords = size_t(1) << 18;

    void ingestSlice();
    void releaseFreedMemory();

    Trace m_trace;
    std::deque<TraceBatchPtr> m_queue;
    QTimer *m_ingestTimer = nullptr;
    mutable ClosingBehavior m_closing;
    mutable bool m_closingValid = false;
    size_t m_recordsSinceTrim = 0;
};

} // namespace wsi::gui
