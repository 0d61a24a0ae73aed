// SPDX-License-Identifier: MIT
#pragma once

#include "capture/capturerecords.h"
#include "capture/pcapimport.h"
#include "capture/pcapng.h"
#include "capture/tcppackets.h"
#include "trace/closing.h"
#include "trace/trace.h"

#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

class QIODevice;

// A connection's trace as a pcapng capture (docs/captures.md): the octets as synthetic TCP
// packets that Wireshark dissects, the inspector's records in custom blocks beside them, in the
// trace's order, so that reading the file back gives the same trace.
namespace wsi::capture {

// Writes a capture as the connection runs: begin(), then every batch before the trace takes it
// (or a whole trace), annotations at any time. Each call writes whole blocks; flush() hands them
// to the file, so a crash loses nothing flushed.
class CaptureWriter
{
public:
    explicit CaptureWriter(QIODevice *device);

    bool begin(const ConnectionRecord &connection);
    bool append(const TraceBatch &batch);
    // The records of `trace` from entry `from` on.
    bool append(const Trace &trace, qsizetype from = 0);
    bool append(const OctetChunk &chunk);
    bool append(const FrameRecord &frame);
    bool append(const TraceEvent &event);
    bool annotate(const AnnotationRecord &annotation);
    bool flush();

    [[nodiscard]] QString errorString() const;
    [[nodiscard]] qint64 written() const { return m_out.written(); }

private:
    bool openTcp(qint64 timeNs, const QString &peer);
    bool packets(qint64 timeNs, Direction direction, const QList<SyntheticPacket> &list,
                 const std::optional<ChunkFacts> &facts);
    [[nodiscard]] quint64 timestamp(qint64 timeNs) const;

    QIODevice *m_device;
    pcapng::Writer m_out;
    std::unique_ptr<TcpPacketWriter> m_tcp;
    qint64 m_startNs = 0; // the connection's start, in nanoseconds since 1970
    bool m_tcpClosed = false;
    QString m_error;
};

// A CaptureWriter on a file of its own: created (or truncated) by begin(), flushed after every
// call, so that what was handed over is in the file even if the program then dies.
class CaptureRecorder
{
public:
    explicit CaptureRecorder(const QString &path);
    bool begin(const ConnectionRecord &connection);
    bool append(const TraceBatch &batch);
    bool append(const std::vector<TraceRecord> &records);
    bool annotate(const AnnotationRecord &annotation);
    // Flushes and closes the file.
    bool finish();
    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] qint64 written() const { return m_writer.written(); }
    [[nodiscard]] QString path() const { return m_file.fileName(); }

private:
    bool check(bool ok);

    QFile m_file;
    CaptureWriter m_writer;
    QString m_error;
};

// A CaptureRecorder that writes in a thread of its own, for a session that records while it
// reads (the window's recording): append() copies the batch's records (a read's octets are
// shared with the trace, not copied) and returns at once; the thread writes and flushes the
// batches in order. So the session reads on while the previous batch goes to the file (a flood
// recorded in the session's own thread ran at a third of its speed).
//
// Bounded: while kMaxQueued of records' cost waits, append() waits for the thread. After a
// write failed, append() and annotate() return false and errorString() says why; written()
// counts what reached the file. The destructor finishes.
class BackgroundRecorder
{
public:
    static constexpr qint64 kMaxQueued = 4ll * 1024 * 1024;

    explicit BackgroundRecorder(const QString &path);
    ~BackgroundRecorder();
    BackgroundRecorder(const BackgroundRecorder &) = delete;
    BackgroundRecorder &operator=(const BackgroundRecorder &) = delete;

    // In the caller's thread: the file is created and its first blocks written.
    bool begin(const ConnectionRecord &connection);
    bool append(const TraceBatch &batch);
    bool annotate(const AnnotationRecord &annotation);
    // Waits until everything handed over is written, then closes the file.
    bool finish();
    [[nodiscard]] QString errorString() const;
    [[nodiscard]] qint64 written() const { return m_written.load(std::memory_order_relaxed); }
    [[nodiscard]] QString path() const { return m_path; }

private:
    struct Job
    {
        std::vector<TraceRecord> records;
        std::optional<AnnotationRecord> annotation;
        qint64 cost = 0;
    };
    bool enqueue(Job &&job);
    void run();

    CaptureRecorder m_recorder; // the thread's, once it runs
    const QString m_path;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake; // a job came, or the end
    std::condition_variable m_room; // a job was written
    std::deque<Job> m_queue;
    qint64 m_queued = 0;
    bool m_running = false; // begin() started the thread
    bool m_stop = false;
    bool m_finished = false;
    QString m_error;
    std::atomic<qint64> m_written{0};
    std::thread m_thread;
};

// What `wsinspector-cli send` was told beyond the connection: the closing verdict's expectation
// (--expect…) and the agent's name, so that `report` judges the capture as the live run did.
struct SendFacts
{
    ExpectedCloseOverride expectation;
    QString agent;
};
[[nodiscard]] AnnotationRecord sendFactsAnnotation(const SendFacts &facts);
// The facts of the first "send" annotation (none: nothing stated).
[[nodiscard]] SendFacts sendFactsOf(const QList<AnnotationRecord> &annotations);

// Reads a capture back, a batch at a time, so that a large file shows its first frames at once.
class CaptureReader
{
public:
    explicit CaptureReader(QIODevice *device);

    // Reads up to the connection record. False with error() when the file is not a capture of
    // the inspector (or not pcapng at all).
    bool open();
    [[nodiscard]] const ConnectionRecord &connection() const { return m_connection; }
    // The next records in the trace's order, at most `maxRecords`, and no more once their cost
    // (recordCost()) reaches `maxCost` (≥ 0), so that a batch of large chunks stays small;
    // nothing at the end of the file or on an error (error() then says it; the batches before
    // it are good).
    [[nodiscard]] std::optional<TraceBatch> next(int maxRecords = 4096, qint64 maxCost = -1);
    [[nodiscard]] const QList<AnnotationRecord> &annotations() const { return m_annotations; }
    [[nodiscard]] const QString &error() const { return m_error; }
    [[nodiscard]] bool atEnd() const { return m_atEnd; }
    // Where the next batch would begin in the file: octets read, and the next block's index
    // (pcapng::blockPlace()).
    [[nodiscard]] qint64 position() const { return m_in.position(); }
    [[nodiscard]] int blockIndex() const { return m_in.blockIndex(); }

private:
    bool handle(const pcapng::Block &block, TraceBatch &batch);
    bool fail(const pcapng::Block *block, const QString &what);

    pcapng::Reader m_in;
    ConnectionRecord m_connection;
    QList<AnnotationRecord> m_annotations;
    std::optional<OctetChunk> m_chunk; // a chunk whose later packets may follow
    QList<quint16> m_linkTypes;
    qint64 m_startNs = 0;
    QString m_error;
    bool m_atEnd = false;
};

// True when the pcapng file on `device` (read from its current position) is the inspector's: its
// connection record comes before any packet. A file damaged before that is taken for the
// inspector's, whose reader names the damage.
[[nodiscard]] bool isInspectorCapture(QIODevice *device);

// The whole trace of a capture (the CLI's report, the tests). Nothing, with `error`, when the
// file cannot be read; a trace read up to a damaged block also comes with `error` set. A file
// that is not the inspector's (a pcapng without its connection record, or a classic pcap) is
// opened by importCapture() as a read-only connection rebuilt from the octets
// (docs/captures.md §5).
struct LoadedCapture
{
    ConnectionRecord connection;
    std::unique_ptr<Trace> trace;
    QList<AnnotationRecord> annotations;
    QString error;        // empty when the whole file was read
    bool foreign = false; // made by another tool: rebuilt from its octets
    QStringList warnings; // foreign: what the file lacks (damage, missing octets, other streams)
    QList<ImportedStream> streams; // foreign: the file's TCP streams
    int stream = -1;               // foreign: the index of the one in the trace
};
// stream: of a foreign capture, the TCP stream to open (ImportOptions::stream); unset: chosen
// automatically. Ignored for the inspector's own files.
[[nodiscard]] LoadedCapture loadCapture(const QString &path,
                                        const Trace::Limits &limits = Trace::Limits(),
                                        std::optional<int> stream = std::nullopt);
// Writes a whole trace at once, atomically (a temporary file renamed over `path`).
bool saveCapture(const QString &path, const ConnectionRecord &connection, const Trace &trace,
                 const QList<AnnotationRecord> &annotations, QString *error);

} // namespace wsi::capture
