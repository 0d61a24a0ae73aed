// SPDX-License-Identifier: MIT
#pragma once

#include "closing.h"
#include "trace.h"

#include <QObject>

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

    void append(const TraceBatchPtr &batch);
    // Replaces the trace (a new connection, or a recorded one opened for viewing).
    void reset(Trace trace = Trace());

Q_SIGNALS:
    void aboutToReset();
    void resetDone();
    void grown(const wsi::gui::TraceStore::Growth &growth);

private:
    Trace m_trace;
    mutable ClosingBehavior m_closing;
    mutable bool m_closingValid = false;
};

} // namespace wsi::gui
