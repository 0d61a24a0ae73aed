// SPDX-License-Identifier: MIT
#include "tracestore.h"

#include <QElapsedTimer>

#include <utility>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace wsi::gui {

TraceStore::TraceStore(QObject *parent) : QObject(parent), m_ingestTimer(new QTimer(this))
{
    m_ingestTimer->setSingleShot(true);
    connect(m_ingestTimer, &QTimer::timeout, this, &TraceStore::ingestSlice);
    resetInflation();
}

void TraceStore::resetInflation()
{
    m_inflation = std::make_unique<TraceInflation>();
    m_inflationAgreed = false;
    updateInflation();
}

void TraceStore::updateInflation()
{
    if (!m_inflationAgreed) {
        // The agreement is read from the recorded heads; until the response (or a failure) is
        // in, the trace has no frames to inflate. A trace with frames but no handshake (a capture
        // of messages) has no agreement either.
        bool decided = !m_trace.frames().empty();
        for (const TraceEvent &e : m_trace.events()) {
            if (e.kind == TraceEvent::Kind::HandshakeResponse ||
                e.kind == TraceEvent::Kind::HandshakeFailed) {
                decided = true;
                break;
            }
        }
        if (!decided)
            return;
        m_inflation =
            std::make_unique<TraceInflation>(traceDeflateAgreement(m_trace), m_maxInflatedMessage);
        m_inflationAgreed = true;
    }
    if (m_inflation->framesSeen() < qint64(m_trace.frames().size()))
        m_inflation->addFrames(m_trace, m_inflation->framesSeen());
}

const ClosingBehavior &TraceStore::closing() const
{
    if (!m_closingValid) {
        m_closing = analyzeClosing(m_trace);
        m_closingValid = true;
    }
    return m_closing;
}

void TraceStore::append(const TraceBatchPtr &batch)
{
    if (!batch || batch->isEmpty())
        return;
    Growth g;
    g.entriesBefore = m_trace.entries().size();
    g.framesBefore = m_trace.frames().size();
    g.chunksBefore = m_trace.chunks().size();
    g.eventsBefore = m_trace.events().size();
    m_trace.append(std::move(*batch));
    updateInflation();
    g.entriesAfter = m_trace.entries().size();
    g.framesAfter = m_trace.frames().size();
    g.chunksAfter = m_trace.chunks().size();
    g.eventsAfter = m_trace.events().size();
    if (g.eventsAfter != g.eventsBefore)
        m_closingValid = false;
    Q_EMIT grown(g);
    if (m_viewsPaused && g.framesAfter != g.framesBefore)
        Q_EMIT hiddenByPauseChanged(framesHiddenByPause());
}

void TraceStore::enqueue(const TraceBatchPtr &batch)
{
    if (!batch || batch->isEmpty())
        return;
    m_queue.push_back(batch);
    if (!m_ingestTimer->isActive())
        m_ingestTimer->start(0);
}

void TraceStore::ingestSlice()
{
    constexpr qint64 kSliceNs = 15'000'000;
    Growth g;
    g.entriesBefore = m_trace.entries().size();
    g.framesBefore = m_trace.frames().size();
    g.chunksBefore = m_trace.chunks().size();
    g.eventsBefore = m_trace.events().size();
    QElapsedTimer clock;
    clock.start();
    while (!m_queue.empty() && clock.nsecsElapsed() < kSliceNs) {
        TraceBatchPtr batch = std::move(m_queue.front());
        m_queue.pop_front();
        m_recordsSinceTrim += batch->size();
        m_trace.append(std::move(*batch));
    }
    updateInflation();
    g.entriesAfter = m_trace.entries().size();
    g.framesAfter = m_trace.frames().size();
    g.chunksAfter = m_trace.chunks().size();
    g.eventsAfter = m_trace.events().size();
    if (g.eventsAfter != g.eventsBefore)
        m_closingValid = false;
    if (g.entriesAfter != g.entriesBefore)
        Q_EMIT grown(g); // one insert per slice in every model
    if (m_viewsPaused && g.framesAfter != g.framesBefore)
        Q_EMIT hiddenByPauseChanged(framesHiddenByPause());
    if (!m_queue.empty())
        m_ingestTimer->start(0);
    else if (m_recordsSinceTrim >= kTrimAfterRecords)
        releaseFreedMemory();
}

void TraceStore::releaseFreedMemory()
{
    // The batches of a burst are allocated by the session thread and freed here: glibc keeps
    // their pages in that thread's malloc arena, resident, long after the backlog is gone (tens
    // of MB after a flood). Once the queue is drained they are given back; the trace itself is
    // not touched. A few ms, at the end of a burst only.
    m_recordsSinceTrim = 0;
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

void TraceStore::drain()
{
    while (!m_queue.empty())
        ingestSlice();
    m_ingestTimer->stop();
}

void TraceStore::reset(Trace trace)
{
    m_queue.clear();
    m_ingestTimer->stop();
    Q_EMIT aboutToReset();
    m_trace = std::move(trace);
    m_closingValid = false;
    resetInflation();
    m_floor = ViewFloor();
    m_viewsCleared = false;
    m_framesAtPause = 0;
    Q_EMIT resetDone();
    releaseFreedMemory(); // the previous trace may have been large
}

Trace TraceStore::exchange(Trace trace)
{
    drain();
    Q_EMIT aboutToReset();
    Trace previous = std::exchange(m_trace, std::move(trace));
    m_closingValid = false;
    resetInflation();
    m_floor = ViewFloor();
    m_viewsCleared = false;
    m_framesAtPause = 0;
    Q_EMIT resetDone();
    return previous;
}

void TraceStore::clearViews()
{
    // What is still queued arrives after now: it is not drained first (a backlog would block).
    m_floor = {m_trace.frames().size(), m_trace.entries().size()};
    m_viewsCleared = true;
    Q_EMIT viewFloorChanged();
}

void TraceStore::undoClearViews()
{
    if (!m_viewsCleared)
        return;
    m_floor = ViewFloor();
    m_viewsCleared = false;
    Q_EMIT viewFloorChanged();
}

void TraceStore::setViewsPaused(bool paused)
{
    if (paused == m_viewsPaused)
        return;
    m_viewsPaused = paused;
    m_framesAtPause = m_trace.frames().size();
    Q_EMIT viewsPausedChanged(paused);
}

qint64 TraceStore::framesHiddenByPause() const
{
    if (!m_viewsPaused)
        return 0;
    return qint64(m_trace.frames().size()) -
           qint64(std::min(m_framesAtPause, m_trace.frames().size()));
}

} // namespace wsi::gui
