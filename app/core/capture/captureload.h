// SPDX-License-Identifier: MIT
// Opening a capture without waiting for all of it (docs/captures.md §8): a thread of its own
// reads the file a batch at a time and hands each batch over as a live session does, with the
// same flow control, so that a 1 GB file shows its first frames at once and the memory in flight
// stays bounded however slowly the consumer appends.
#pragma once

#include "capture/capturefile.h"
#include "capture/capturerecords.h"
#include "capture/pcapimport.h"
#include "trace/trace.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace wsi::capture {

struct CaptureLoadOptions
{
    Trace::Limits limits; // the trace's budget: loading stops once the batches handed over fill it
    std::optional<int> stream;            // of a foreign capture (ImportOptions::stream)
    int batchRecords = 4096;              // records a batch, at most
    qint64 batchCost = 2ll * 1024 * 1024; // and the records' cost a batch, about
    // The reader waits while more than pauseAt is handed over and not yet appended (TraceFlow,
    // recordCost() units), until the consumer has brought it down to resumeAt: the session's
    // marks (ClientSession::kPauseReadingAt).
    qint64 pauseAt = 16ll * 1024 * 1024;
    qint64 resumeAt = 8ll * 1024 * 1024;
};

// How a load ended.
struct CaptureLoadResult
{
    QList<AnnotationRecord> annotations;
    // Damage part-way, naming the block and its offset (the batches before it are good); of a
    // foreign capture also why nothing could be opened (then `trace` is null).
    QString error;
    // The trace's budget was filled before the end of the file: where loading stopped, in words
    // (block and octet offset, and how much of the file was not read). Empty when it did not.
    QString stopped;
    qint64 stoppedAtOctet = -1; // the file offset of the first block not read
    bool cancelled = false;     // cancel() stopped it
    qint64 readOctets = 0;      // of the file
    qint64 fileOctets = 0;
    // A foreign capture (docs/captures.md §5) is imported whole in the loader's thread: its
    // trace comes here instead of in batches, with what the importer said.
    bool foreign = false;
    std::unique_ptr<Trace> trace;
    ConnectionRecord connection;
    QStringList warnings;
    QList<ImportedStream> streams;
    int stream = -1;
};

class CaptureLoad
{
public:
    // Called in the loader's thread: they should post, not act. `batch` gets each batch (its
    // FlowTicket charged to flow()), `progress` the octets read of the file's size after each
    // one, `finished` the result, last of all, once (also after cancel()).
    struct Callbacks
    {
        std::function<void(TraceBatchPtr batch)> batch;
        std::function<void(qint64 read, qint64 total)> progress;
        std::function<void(std::shared_ptr<CaptureLoadResult> result)> finished;
    };

    explicit CaptureLoad(QString path, CaptureLoadOptions options = {});
    // Cancels and waits for the thread.
    ~CaptureLoad();
    CaptureLoad(const CaptureLoad &) = delete;
    CaptureLoad &operator=(const CaptureLoad &) = delete;

    // In the caller's thread, quickly: opens the file and reads the inspector's connection record
    // (or sees that it is another tool's pcap or pcapng, whose streams are listed in the thread).
    // False with error() when it is not a capture that can be opened.
    bool open();
    [[nodiscard]] const QString &error() const { return m_error; }
    [[nodiscard]] bool isForeign() const { return m_foreign; }
    // The inspector's connection record, after open(); a foreign capture's comes with the result.
    [[nodiscard]] const ConnectionRecord &connection() const { return m_connection; }
    [[nodiscard]] const CaptureLoadOptions &options() const { return m_options; }
    [[nodiscard]] const std::shared_ptr<TraceFlow> &flow() const { return m_flow; }

    // After open(): starts the thread.
    void start(Callbacks callbacks);
    // Any thread: the reader stops at its next batch (or wakes from waiting for the consumer).
    void cancel();
    // Joins the thread (after `finished`, or after cancel()).
    void wait();
    // True while the reader waits for the consumer to append (the flow's pause mark is passed).
    [[nodiscard]] bool isWaiting() const { return m_waiting.load(std::memory_order_acquire); }

private:
    void run();
    void runForeign(CaptureLoadResult &result);
    void runOwn(CaptureLoadResult &result);
    // Waits while too much is in flight; false when cancelled.
    bool waitForConsumer(qint64 pending);

    QString m_path;
    CaptureLoadOptions m_options;
    std::shared_ptr<TraceFlow> m_flow = std::make_shared<TraceFlow>();
    std::unique_ptr<QFile> m_file;
    std::unique_ptr<CaptureReader> m_reader;
    ConnectionRecord m_connection;
    QString m_error;
    bool m_foreign = false;
    Callbacks m_callbacks;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_woken = false;
    std::atomic<bool> m_cancelled{false};
    std::atomic<bool> m_waiting{false};
};

} // namespace wsi::capture
