// SPDX-License-Identifier: MIT
#include "capture/captureload.h"

#include "capture/pcapng.h"

#include <QFile>

using namespace Qt::StringLiterals;

namespace wsi::capture {

CaptureLoad::CaptureLoad(QString path, CaptureLoadOptions options)
    : m_path(std::move(path)), m_options(std::move(options))
{
    // The consumer's release runs this under the flow's lock: it only flags and notifies.
    m_flow->setWake([this] {
        {
            const std::lock_guard lock(m_mutex);
            m_woken = true;
        }
        m_wake.notify_all();
    });
}

CaptureLoad::~CaptureLoad()
{
    cancel();
    wait();
    // Batches still queued somewhere hold the flow: their release must not call into us.
    m_flow->setWake({});
}

bool CaptureLoad::open()
{
    m_file = std::make_unique<QFile>(m_path);
    if (!m_file->open(QIODevice::ReadOnly)) {
        m_error = m_file->errorString();
        return false;
    }
    const QByteArray head = m_file->peek(24);
    if (!pcapng::Reader::looksLikePcapng(head)) {
        if (looksLikePcap(head)) {
            m_foreign = true;
            return true;
        }
        // Not a capture at all: the importer says so in its words (it stops at the header).
        m_error = importCapture(m_path).error;
        return false;
    }
    m_foreign = !isInspectorCapture(m_file.get());
    if (m_foreign)
        return true;
    m_file->seek(0);
    m_reader = std::make_unique<CaptureReader>(m_file.get());
    if (!m_reader->open()) {
        m_error = m_reader->error();
        return false;
    }
    m_connection = m_reader->connection();
    return true;
}

void CaptureLoad::start(Callbacks callbacks)
{
    if (m_thread.joinable() || (!m_reader && !m_foreign))
        return;
    m_callbacks = std::move(callbacks);
    m_thread = std::thread([this] { run(); });
}

void CaptureLoad::cancel()
{
    m_cancelled.store(true, std::memory_order_release);
    {
        // Under the lock, so that a reader about to wait sees the flag.
        const std::lock_guard lock(m_mutex);
    }
    m_wake.notify_all();
}

void CaptureLoad::wait()
{
    if (m_thread.joinable())
        m_thread.join();
}

bool CaptureLoad::waitForConsumer(qint64 pending)
{
    {
        const std::lock_guard lock(m_mutex);
        m_woken = false;
    }
    // Not under our lock: the wake-up takes it under the flow's.
    if (!m_flow->pauseAbove(m_options.pauseAt, m_options.resumeAt, pending))
        return !m_cancelled.load(std::memory_order_acquire);
    m_waiting.store(true, std::memory_order_release);
    std::unique_lock lock(m_mutex);
    m_wake.wait(lock, [this] { return m_woken || m_cancelled.load(std::memory_order_acquire); });
    m_waiting.store(false, std::memory_order_release);
    return !m_cancelled.load(std::memory_order_acquire);
}

void CaptureLoad::run()
{
    auto result = std::make_shared<CaptureLoadResult>();
    result->fileOctets = m_file ? m_file->size() : 0;
    if (m_foreign)
        runForeign(*result);
    else
        runOwn(*result);
    if (m_callbacks.finished)
        m_callbacks.finished(std::move(result));
}

void CaptureLoad::runOwn(CaptureLoadResult &result)
{
    const Trace::Limits &limits = m_options.limits;
    qint64 handed = 0; // recordCost() of the records handed over
    qint64 frames = 0;
    while (!m_cancelled.load(std::memory_order_acquire)) {
        std::optional<TraceBatch> batch =
            m_reader->next(m_options.batchRecords, m_options.batchCost);
        if (!batch)
            break;
        if (!waitForConsumer(batch->cost))
            break;
        for (const FrameSlice &slice : batch->frames)
            frames += qint64(slice.count);
        handed += batch->cost;
        auto shared = std::make_shared<TraceBatch>(std::move(*batch));
        shared->ticket = FlowTicket(m_flow, shared->cost); // given back once appended
        if (m_callbacks.batch)
            m_callbacks.batch(std::move(shared));
        result.readOctets = m_reader->position();
        if (m_callbacks.progress)
            m_callbacks.progress(result.readOctets, result.fileOctets);
        // Past the budget the trace only counts: reading on would cost the time of the whole
        // file for counters. Loading stops where the trace stopped storing (docs/captures.md §8).
        if ((handed > limits.maxStoredOctets || frames > limits.maxStoredFrames) &&
            !m_reader->atEnd()) {
            result.stoppedAtOctet = m_reader->position();
            result.stopped =
                u"the trace's budget (%1 octets, %2 frames) is filled: the capture was loaded "
                "up to %3; the rest of the file (%4 of its %5 octets) was not read"_s
                    .arg(limits.maxStoredOctets)
                    .arg(limits.maxStoredFrames)
                    .arg(pcapng::blockPlace(m_reader->blockIndex(), m_reader->position()))
                    .arg(result.fileOctets - m_reader->position())
                    .arg(result.fileOctets);
            break;
        }
    }
    result.cancelled = m_cancelled.load(std::memory_order_acquire);
    result.readOctets = m_reader->position();
    result.error = m_reader->error();
    result.annotations = m_reader->annotations();
    result.connection = m_connection;
}

void CaptureLoad::runForeign(CaptureLoadResult &result)
{
    m_file.reset(); // the importer opens the file itself, once for each pass
    ImportOptions options;
    options.stream = m_options.stream;
    options.limits = m_options.limits;
    options.progress = [this, &result](qint64 done, qint64 total) {
        if (m_callbacks.progress)
            m_callbacks.progress(done, total);
        result.readOctets = done / 2; // both passes on one scale
        return !m_cancelled.load(std::memory_order_acquire);
    };
    ImportResult imported = importCapture(m_path, options);
    result.foreign = true;
    result.cancelled = imported.cancelled;
    result.trace = std::move(imported.trace);
    result.connection = std::move(imported.connection);
    result.error = std::move(imported.error);
    result.warnings = std::move(imported.warnings);
    result.streams = std::move(imported.streams);
    result.stream = imported.chosen;
    if (!result.cancelled)
        result.readOctets = result.fileOctets;
}

} // namespace wsi::capture
