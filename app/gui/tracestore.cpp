// SPDX-License-Identifier: MIT
#include "tracestore.h"

namespace wsi::gui {

TraceStore::TraceStore(QObject *parent) : QObject(parent) {}

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
    g.entriesAfter = m_trace.entries().size();
    g.framesAfter = m_trace.frames().size();
    g.chunksAfter = m_trace.chunks().size();
    g.eventsAfter = m_trace.events().size();
    if (g.eventsAfter != g.eventsBefore)
        m_closingValid = false;
    Q_EMIT grown(g);
}

void TraceStore::reset(Trace trace)
{
    Q_EMIT aboutToReset();
    m_trace = std::move(trace);
    m_closingValid = false;
    Q_EMIT resetDone();
}

} // namespace wsi::gui
