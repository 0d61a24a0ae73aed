// SPDX-License-Identifier: MIT
// Opening a capture in a thread of its own (docs/captures.md §8): the first batch is there while
// the reader is still far from the end, the reader waits for a consumer that does not append
// (bounded memory in flight), the trace's budget stops loading with a message that names where,
// damage part-way keeps what was read and names the block, and a foreign capture's streams are
// listed and each opens.
#include "capture/captureload.h"
#include "capture/pcapimport.h"
#include "capturegen.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <deque>
#include <mutex>

using namespace wsi;
using namespace wsi::capture;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kFrameOctets = 60'000; // one packet a frame
constexpr qint64 kFrames = 4'000;       // 240 MB

// What a loader hands over, gathered from its thread for the test's.
struct Collected
{
    std::mutex mutex;
    std::deque<TraceBatchPtr> batches;
    qint64 lastRead = 0;
    qint64 largestBatch = 0;
    qint64 peakInFlight = 0;
    std::shared_ptr<CaptureLoadResult> result;

    CaptureLoad::Callbacks callbacks(const CaptureLoad &load)
    {
        CaptureLoad::Callbacks c;
        c.batch = [this, &load](TraceBatchPtr batch) {
            const std::lock_guard lock(mutex);
            largestBatch = std::max(largestBatch, batch->cost);
            peakInFlight = std::max(peakInFlight, load.flow()->inFlight());
            batches.push_back(std::move(batch));
        };
        c.progress = [this](qint64 read, qint64) {
            const std::lock_guard lock(mutex);
            lastRead = read;
        };
        c.finished = [this](std::shared_ptr<CaptureLoadResult> r) {
            const std::lock_guard lock(mutex);
            result = std::move(r);
        };
        return c;
    }
    TraceBatchPtr take()
    {
        const std::lock_guard lock(mutex);
        if (batches.empty())
            return {};
        TraceBatchPtr b = std::move(batches.front());
        batches.pop_front();
        return b;
    }
    size_t queued()
    {
        const std::lock_guard lock(mutex);
        return batches.size();
    }
    bool done()
    {
        const std::lock_guard lock(mutex);
        return bool(result);
    }
};

// Appends what arrives until the loader has finished.
void consumeAll(Collected &collected, Trace &trace)
{
    while (true) {
        const bool done = collected.done(); // everything was handed over before
        while (TraceBatchPtr b = collected.take())
            trace.append(std::move(*b));
        if (done)
            return;
        QTest::qWait(1);
    }
}

} // namespace

class tst_CaptureLoad : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_large;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_large = m_dir.filePath(u"large.pcapng"_s);
        QString error;
        QVERIFY2(test::writeFloodCapture(m_large, kFrames, kFrameOctets, &error),
                 qPrintable(error));
        QVERIFY(QFileInfo(m_large).size() > kFrames * kFrameOctets);
    }

    // The first frames are in the trace while the reader is far from the end; a consumer that
    // does not append holds the reader back, with no more in flight than the flow's bound.
    void firstBatchBeforeTheEnd()
    {
        CaptureLoad load(m_large);
        QVERIFY2(load.open(), qPrintable(load.error()));
        QVERIFY(!load.isForeign());
        QCOMPARE(load.connection().url, u"ws://127.0.0.1:9001/flood"_s);
        Collected collected;
        load.start(collected.callbacks(load));

        // Nothing is appended: the reader must stop and wait.
        QTRY_VERIFY(load.isWaiting());
        QVERIFY(collected.queued() > 0);
        const qint64 bound = load.options().pauseAt + collected.largestBatch;
        QVERIFY2(load.flow()->inFlight() <= bound,
                 qPrintable(u"%1 in flight, bound %2"_s.arg(load.flow()->inFlight()).arg(bound)));
        QVERIFY(collected.largestBatch <= load.options().batchCost + kFrameOctets + 1024);
        const qint64 fileSize = QFileInfo(m_large).size();
        {
            const std::lock_guard lock(collected.mutex);
            QVERIFY2(collected.lastRead < fileSize / 4,
                     qPrintable(u"read %1 of %2"_s.arg(collected.lastRead).arg(fileSize)));
            QVERIFY(!collected.result);
        }

        // The first batch goes into a trace: its frames are the file's first ones.
        Trace trace;
        TraceBatchPtr first = collected.take();
        QVERIFY(first);
        trace.append(std::move(*first));
        QVERIFY(trace.frames().size() > 0);
        const FrameRecord &frame = trace.frames()[0];
        QCOMPARE(frame.opcode, quint8(2));
        QCOMPARE(frame.payloadLength, quint64(kFrameOctets - 10));
        QCOMPARE(trace.framePayload(frame, 4), QByteArray("aaaa"));
        QCOMPARE(trace.state(), SessionState::Open);
        QVERIFY(!collected.done());

        // Appending lets it go on, one batch at a time, never more in flight than the bound
        // and never far ahead of what was appended.
        for (int i = 0; i < 40; ++i) {
            QTRY_VERIFY(collected.queued() > 0);
            TraceBatchPtr b = collected.take();
            trace.append(std::move(*b));
            const std::lock_guard lock(collected.mutex);
            QVERIFY(collected.lastRead <=
                    qint64(trace.frames().size() + 1) * (kFrameOctets + 200) + 2 * bound);
        }
        QVERIFY(trace.frames().size() > 40);
        QVERIFY(collected.peakInFlight <= bound);

        // Cancelled: the reader ends before the end of the file, and says so.
        load.cancel();
        QTRY_VERIFY(collected.done());
        load.wait();
        QVERIFY(collected.result->cancelled);
        QVERIFY(collected.result->readOctets < fileSize);
        QVERIFY(collected.result->error.isEmpty());
    }

    // Past the trace's budget loading stops: the message names the block and octet where, the
    // trace holds no more than its budget, and the rest of the file was not read.
    void budgetStopsLoading()
    {
        CaptureLoadOptions options;
        options.limits.maxStoredOctets = 32ll * 1024 * 1024;
        CaptureLoad load(m_large, options);
        QVERIFY(load.open());
        Collected collected;
        load.start(collected.callbacks(load));
        Trace trace(options.limits);
        consumeAll(collected, trace);
        load.wait();
        const CaptureLoadResult &r = *collected.result;
        QVERIFY(!r.cancelled);
        QVERIFY(r.error.isEmpty());
        QVERIFY2(r.stopped.contains(u"budget"_s), qPrintable(r.stopped));
        QVERIFY2(r.stopped.contains(QRegularExpression(u"up to block \\d+ \\(at octet \\d+\\)"_s)),
                 qPrintable(r.stopped));
        const qint64 fileSize = QFileInfo(m_large).size();
        QVERIFY(r.stoppedAtOctet > 0 && r.stoppedAtOctet < fileSize / 2);
        QVERIFY(r.stopped.contains(QString::number(r.stoppedAtOctet)));
        QVERIFY(r.stopped.contains(QString::number(fileSize - r.stoppedAtOctet)));
        QVERIFY(trace.limitReached());
        QVERIFY(!storageStopText(trace).isEmpty());
        QVERIFY2(trace.storedCost() <= options.limits.maxStoredOctets + 64 * 1024,
                 qPrintable(QString::number(trace.storedCost())));
        // The frames stored are the file's first ones, in order.
        QVERIFY(trace.frames().size() > 400);
        QCOMPARE(trace.frames()[1].streamOffset, kFrameOctets);
    }

    // Read to the end, the trace is the one loadCapture() reads at once.
    void wholeFileAsLoadCapture()
    {
        const QString path = m_dir.filePath(u"small.pcapng"_s);
        QString error;
        QVERIFY(test::writeFloodCapture(path, 300, 5000, &error));
        CaptureLoadOptions options;
        options.batchRecords = 7; // many batches
        CaptureLoad load(path, options);
        QVERIFY(load.open());
        Collected collected;
        load.start(collected.callbacks(load));
        Trace trace;
        consumeAll(collected, trace);
        const CaptureLoadResult &r = *collected.result;
        QVERIFY(r.error.isEmpty() && r.stopped.isEmpty() && !r.cancelled);
        QCOMPARE(r.readOctets, QFileInfo(path).size());
        const LoadedCapture whole = loadCapture(path);
        QCOMPARE(trace.entries().size(), whole.trace->entries().size());
        QCOMPARE(trace.frames().size(), size_t(300));
        QCOMPARE(trace.octetCount(Direction::Rx), whole.trace->octetCount(Direction::Rx));
        QCOMPARE(trace.state(), SessionState::Closed);
        QCOMPARE(trace.framePayload(trace.frames()[299], 3), QByteArray("nnn")); // 299 % 26
    }

    // Damage part-way: what was read stays, the message names the block and its offset.
    void damagePartWay()
    {
        const QString path = m_dir.filePath(u"damaged.pcapng"_s);
        QString error;
        QVERIFY(test::writeFloodCapture(path, 200, 5000, &error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(f.size() / 2 + 333)); // cut inside a block
        f.close();
        CaptureLoad load(path);
        QVERIFY(load.open());
        Collected collected;
        load.start(collected.callbacks(load));
        Trace trace;
        consumeAll(collected, trace);
        const CaptureLoadResult &r = *collected.result;
        QVERIFY2(r.error.contains(QRegularExpression(u"^block \\d+ \\(at octet \\d+\\)"_s)),
                 qPrintable(r.error));
        QVERIFY(trace.frames().size() > 80 && trace.frames().size() < 110);
    }

    // A foreign file is not a capture at all: refused at open(), in the importer's words.
    void notACapture()
    {
        const QString path = m_dir.filePath(u"junk.pcapng"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a capture at all");
        f.close();
        CaptureLoad load(path);
        QVERIFY(!load.open());
        QVERIFY2(load.error().contains(u"not a capture"_s), qPrintable(load.error()));
    }

    // Another tool's capture with two TCP streams: both listed, each opens on its own.
    void foreignStreams()
    {
        const QString path = m_dir.filePath(u"two.pcapng"_s);
        QString error;
        QVERIFY(test::writeTwoStreamCapture(path, {"one", "two"}, &error));
        const std::optional<CaptureStreams> listed = listCaptureStreams(path, &error);
        QVERIFY2(listed, qPrintable(error));
        QCOMPARE(listed->streams.size(), 2);
        for (int i = 0; i < 2; ++i) {
            QVERIFY(listed->streams[i].webSocket);
            QCOMPARE(listed->streams[i].summary.client.port, quint16(40001 + i));
            QCOMPARE(listed->streams[i].summary.server.port, quint16(80));
        }
        QVERIFY(listed->damage.isEmpty());

        for (int stream : {0, 1}) {
            CaptureLoadOptions options;
            options.stream = stream;
            CaptureLoad load(path, options);
            QVERIFY(load.open());
            QVERIFY(load.isForeign());
            Collected collected;
            load.start(collected.callbacks(load));
            QTRY_VERIFY(collected.done());
            const CaptureLoadResult &r = *collected.result;
            QVERIFY2(r.trace, qPrintable(r.error));
            QVERIFY(r.foreign);
            QCOMPARE(r.stream, stream);
            QCOMPARE(r.streams.size(), 2);
            QList<QByteArray> texts;
            for (const FrameRecord &f : r.trace->frames()) {
                if (f.opcode == 1)
                    texts << r.trace->framePayload(f);
            }
            QCOMPARE(texts, QList<QByteArray>{stream == 0 ? "one" : "two"});
            QVERIFY(!r.warnings.filter(u"2 TCP streams"_s).isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(tst_CaptureLoad)
#include "tst_captureload.moc"
