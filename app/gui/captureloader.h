// SPDX-License-Identifier: MIT
#pragma once

#include "capture/captureload.h"
#include "trace/trace.h"

#include <QObject>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace wsi::gui {

// A capture being opened for the window: the core's CaptureLoad reads it in its own thread, and
// what it hands over arrives here as signals in the window's thread, a batch at a time, like a
// live session's (the window appends them through the same TraceStore, under the same flow
// control). Deleting it cancels the reader and waits for its thread.
class CaptureLoader final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaptureLoader)

public:
    CaptureLoader(const QString &path, const capture::CaptureLoadOptions &options,
                  QObject *parent = nullptr);
    ~CaptureLoader() override;

    // Quickly, before any entry is made: false with error() when the file cannot be opened.
    bool open();
    [[nodiscard]] QString error() const { return m_load.error(); }
    [[nodiscard]] bool isForeign() const { return m_load.isForeign(); }
    [[nodiscard]] const capture::ConnectionRecord &connection() const
    {
        return m_load.connection();
    }
    [[nodiscard]] const Trace::Limits &limits() const { return m_load.options().limits; }
    [[nodiscard]] QString path() const { return m_path; }
    void start();
    // Stops the reader; finished() still follows (cancelled).
    void cancel() { m_load.cancel(); }
    [[nodiscard]] int percent() const { return m_percent; }
    [[nodiscard]] bool isWaiting() const { return m_load.isWaiting(); }

Q_SIGNALS:
    void batchReady(const wsi::TraceBatchPtr &batch);
    void progressed(int percent);
    // The reader's thread has ended; the result says how (cancelled, damaged, stopped at the
    // budget, or a foreign capture's whole trace).
    void finished(const std::shared_ptr<wsi::capture::CaptureLoadResult> &result);

private:
    // From the reader's thread: `call` runs in this object's thread, in the order posted. The
    // calls wait in a list of ours under a lock (not in Qt's queued functor), so the hand-over
    // is one ThreadSanitizer sees, as the session host's is.
    void post(std::function<void()> call);
    Q_INVOKABLE void deliverOne();

    QString m_path;
    capture::CaptureLoad m_load;
    int m_percent = 0;
    std::mutex m_mailMutex;
    std::deque<std::function<void()>> m_mail;
};

} // namespace wsi::gui
