// SPDX-License-Identifier: MIT
// The trace's storage: SegmentedVector, frames handed over from the session thread in shared
// blocks (adopted without a copy when they line up), and Trace::append of whole batches.
#include "trace/octetarena.h"
#include "trace/segmentedvector.h"
#include "trace/trace.h"

#include <QElapsedTimer>
#include <QTest>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

using namespace wsi;
using namespace Qt::StringLiterals;

namespace {

using Small = SegmentedVector<QByteArray, 4>; // 16 elements a block: many blocks in a short test

QByteArray item(size_t n)
{
    return QByteArray::number(qulonglong(n));
}

// 512 a block: the producer's first block comes in two pieces of 256.
using Mid = SegmentedVector<QByteArray, 9>;

// Produces `count` elements in batches of 1..maxBatch, as a session does between flushes.
template <typename Producer>
auto produce(Producer &producer, size_t from, size_t count, size_t maxBatch, unsigned seed)
{
    std::mt19937 random(seed);
    std::vector<std::vector<SegmentSlice<QByteArray>>> batches;
    size_t n = from;
    while (n < from + count) {
        const size_t take = std::min<size_t>(1 + random() % maxBatch, from + count - n);
        batches.emplace_back();
        for (size_t i = 0; i < take; ++i, ++n)
            producer.append(item(n), batches.back());
    }
    return batches;
}

FrameRecord frame(quint8 opcode, qint64 timeNs, bool incomplete = false)
{
    FrameRecord f;
    f.opcode = opcode;
    f.timeNs = timeNs;
    f.streamOffset = timeNs;
    f.incomplete = incomplete;
    return f;
}

} // namespace

class TestTrace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void arenaReadsShareOneBlockUntilItIsFull()
    {
        OctetArena arena;
        std::vector<QByteArray> views;
        qsizetype written = 0;
        // 1000-octet reads: the first block (kFirstBlock) takes 16 of them, the next one twice
        // as many, and so on.
        for (int i = 0; i < 100; ++i) {
            char *room = arena.reserve(1000);
            std::memset(room, 'a' + i % 26, 1000);
            views.push_back(arena.commit(1000));
            written += 1000;
        }
        QCOMPARE(views.front().size(), qsizetype(1000));
        // The views are the octets where they were read: each follows the previous one in
        // memory while a block has room, i.e. nothing was copied.
        int contiguous = 0;
        for (size_t i = 1; i < views.size(); ++i) {
            if (views[i].constData() == views[i - 1].constData() + 1000)
                ++contiguous;
            QCOMPARE(views[i], QByteArray(1000, char('a' + int(i) % 26)));
        }
        // Blocks of 16, 32, 64 KiB…: 16 + 32 + 65 reads, so only the first read of each new
        // block starts elsewhere.
        QCOMPARE(contiguous, 100 - 3);
        QCOMPARE(arena.blockSize(), 4 * OctetArena::kFirstBlock);
        // Counted by their size in the trace's budget, not by the block they share.
        OctetChunk c;
        c.size = 1000;
        c.data = views[5];
        QVERIFY(recordCost(c) < 1000 + 200);
        QCOMPARE(written, qsizetype(100000));
    }

    void arenaViewsOutliveTheArenaAndCopyWhenChanged()
    {
        std::vector<QByteArray> views;
        {
            OctetArena arena;
            for (int i = 0; i < 3; ++i) {
                std::memset(arena.reserve(10), '0' + i, 10);
                views.push_back(arena.commit(10));
            }
            // A read that returned nothing leaves the room for the next one.
            (void)arena.reserve(10);
            QVERIFY(arena.commit(0).isNull());
            std::memset(arena.reserve(10), 'x', 10);
            views.push_back(arena.commit(10));
            QCOMPARE(views[3].constData(), views[2].constData() + 10);
        }
        // Changing a view writes its own copy: its neighbours keep their octets.
        views[1].append("tail");
        views[1][0] = 'Z';
        QCOMPARE(views[0], QByteArray(10, '0'));
        QCOMPARE(views[1], QByteArray("Z111111111tail"));
        QCOMPARE(views[2], QByteArray(10, '2'));
        QCOMPARE(views[3], QByteArray(10, 'x'));
        // The last view left on a block may grow in place: what follows it is nobody's now.
        views.erase(views.begin(), views.begin() + 3);
        views[0].append(QByteArray(100, 'y'));
        QCOMPARE(views[0], QByteArray(10, 'x') + QByteArray(100, 'y'));
    }

    void arenaBlocksGrowToTheLargestAndFitAnyRead()
    {
        OctetArena arena;
        // A read larger than the next block size gets a block of its own size.
        (void)arena.reserve(100000);
        QCOMPARE(arena.blockSize(), qsizetype(100000));
        (void)arena.commit(100000);
        qsizetype size = 0;
        for (int i = 0; i < 200; ++i) {
            (void)arena.reserve(65536);
            (void)arena.commit(65536);
            size = std::max(size, arena.blockSize());
        }
        QCOMPARE(size, OctetArena::kLargestBlock);
    }

    void pushBackIndexesEveryElement()
    {
        Small v;
        QVERIFY(v.empty());
        for (size_t n = 0; n < 1000; ++n)
            v.push_back(item(n));
        QCOMPARE(v.size(), size_t(1000));
        for (size_t n = 0; n < 1000; ++n)
            QCOMPARE(v[n], item(n));
        QCOMPARE(v.front(), item(0));
        QCOMPARE(v.back(), item(999));
        size_t n = 0;
        for (const QByteArray &value : v)
            QCOMPARE(value, item(n++));
        QCOMPARE(n, size_t(1000));
        QCOMPARE(v.end() - v.begin(), std::ptrdiff_t(1000));
        v.clear();
        QCOMPARE(v.size(), size_t(0));
    }

    void copiesAreIndependent()
    {
        Small a;
        for (size_t n = 0; n < 40; ++n)
            a.push_back(item(n));
        Small b = a;
        b.push_back(item(40));
        b[0] = "changed";
        QCOMPARE(a.size(), size_t(40));
        QCOMPARE(a[0], item(0));
        QCOMPARE(b.size(), size_t(41));
        QCOMPARE(b[40], item(40));
        Small moved = std::move(b);
        QCOMPARE(moved.size(), size_t(41));
        QCOMPARE(moved[0], QByteArray("changed"));
    }

    // A producer's elements arrive in the consumer in order, whatever the batch sizes; every
    // block after the first is adopted, not copied (the consumer's element is the producer's).
    void alignedSlicesAreAdoptedWithoutCopy_data()
    {
        QTest::addColumn<int>("maxBatch");
        QTest::newRow("one at a time") << 1;
        QTest::newRow("small batches") << 5;
        QTest::newRow("larger than a block") << 700;
    }
    void alignedSlicesAreAdoptedWithoutCopy()
    {
        QFETCH(int, maxBatch);
        Mid::Producer producer;
        const size_t total = 10 * Mid::kBlockSize + 7;
        const auto batches = produce(producer, 0, total, size_t(maxBatch), 7);
        QCOMPARE(producer.produced(), total);
        Mid v;
        size_t adopted = 0;
        for (const auto &batch : batches) {
            for (const Mid::Slice &slice : batch) {
                const size_t at = v.size();
                v.appendSlice(slice);
                QCOMPARE(v.size(), at + slice.count);
                for (size_t i = 0; i < slice.count; ++i) {
                    if (&v[at + i] == slice.block->data() + slice.first + i)
                        ++adopted;
                }
            }
        }
        QCOMPARE(v.size(), total);
        for (size_t n = 0; n < total; ++n)
            QCOMPARE(v[n], item(n));
        // The first block is filled in pieces that double (a short sequence stays small) and is
        // copied; every element after it is the producer's own.
        QCOMPARE(adopted, total - Mid::kBlockSize);
        // With blocks no larger than the first piece, even the first is adopted.
        Small::Producer small;
        Small w;
        size_t adoptedSmall = 0;
        for (const auto &batch : produce(small, 0, 100, size_t(maxBatch), 5)) {
            for (const Small::Slice &slice : batch) {
                const size_t at = w.size();
                w.appendSlice(slice);
                for (size_t i = 0; i < slice.count; ++i)
                    adoptedSmall += &w[at + i] == slice.block->data() + slice.first + i ? 1 : 0;
            }
        }
        QCOMPARE(w.size(), size_t(100));
        QCOMPARE(adoptedSmall, size_t(100));
        for (size_t n = 0; n < 100; ++n)
            QCOMPARE(w[n], item(n));
    }

    // A consumer that already holds elements of its own does not line up: everything is moved
    // over, nothing lost, nothing out of order.
    void misalignedSlicesAreMoved()
    {
        Small v;
        for (size_t n = 0; n < 5; ++n)
            v.push_back("own " + item(n));
        Small::Producer producer;
        const auto batches = produce(producer, 0, 5 * Small::kBlockSize, 9, 3);
        for (const auto &batch : batches)
            for (const Small::Slice &slice : batch)
                v.appendSlice(slice);
        QCOMPARE(v.size(), 5 + 5 * Small::kBlockSize);
        QCOMPARE(v[4], QByteArray("own 4"));
        for (size_t n = 0; n < 5 * Small::kBlockSize; ++n)
            QCOMPARE(v[5 + n], item(n));
    }

    // An element appended by the consumer itself after an adopted, partly filled block: the
    // block stays the producer's (its elements are copied, not taken), later slices of it are
    // copied too, and the order holds.
    void ownAppendAfterAdoptedBlockCopies()
    {
        Small::Producer producer;
        Small v;
        for (const auto &batch : produce(producer, 0, Small::kBlockSize, 4, 1))
            for (const Small::Slice &slice : batch)
                v.appendSlice(slice);
        std::vector<Small::Slice> first;
        for (size_t n = 0; n < 5; ++n)
            producer.append(item(100 + n), first);
        QCOMPARE(first.size(), size_t(1));
        v.appendSlice(first.front());
        QCOMPARE(&v[Small::kBlockSize], first.front().block->data()); // adopted
        v.push_back("mine");
        QVERIFY(&v[Small::kBlockSize] != first.front().block->data()); // now a copy
        QCOMPARE(first.front().block->data()[0], item(100)); // the producer's is untouched
        std::vector<Small::Slice> second;
        for (size_t n = 5; n < 9; ++n)
            producer.append(item(100 + n), second);
        QCOMPARE(second.front().block, first.front().block);
        v.appendSlice(second.front());
        const size_t base = Small::kBlockSize;
        QCOMPARE(v.size(), base + 10);
        for (size_t n = 0; n < 5; ++n)
            QCOMPARE(v[base + n], item(100 + n));
        QCOMPARE(v[base + 5], QByteArray("mine"));
        for (size_t n = 5; n < 9; ++n)
            QCOMPARE(v[base + 1 + n], item(100 + n));
    }

    void sliceLimitTakesOnlyThatMany()
    {
        Small::Producer producer;
        std::vector<Small::Slice> slices;
        for (size_t n = 0; n < 10; ++n)
            producer.append(item(n), slices);
        Small v;
        for (const Small::Slice &slice : slices)
            v.appendSlice(slice, 3);
        QCOMPARE(v.size(), size_t(3 * slices.size()));
        QCOMPARE(v[0], item(0));
    }

    // The producer in another thread, the consumer in this one, slices crossing under a mutex as
    // the session's batches do (SessionHost): the producer goes on filling a block while the
    // consumer reads the elements handed over from it.
    void producerInAnotherThread()
    {
        using Records = SegmentedVector<FrameRecord, 10>;
        constexpr qint64 kTotal = 20000;
        Records v;
        std::mutex mutex;
        std::deque<std::vector<Records::Slice>> handedOver;
        std::jthread producerThread([&] { // joined also when a check below fails
            Records::Producer producer;
            std::vector<Records::Slice> batch;
            for (qint64 n = 0; n < kTotal; ++n) {
                FrameRecord f = frame(1, n);
                f.payload = item(size_t(n));
                producer.append(std::move(f), batch);
                if (n % 777 == 776 || n == kTotal - 1) {
                    const std::lock_guard lock(mutex);
                    handedOver.push_back(std::exchange(batch, {}));
                }
            }
        });
        const auto takeHandedOver = [&] {
            std::deque<std::vector<Records::Slice>> taken;
            {
                const std::lock_guard lock(mutex);
                taken.swap(handedOver);
            }
            for (const std::vector<Records::Slice> &slices : taken) {
                for (const Records::Slice &slice : slices)
                    v.appendSlice(slice);
            }
            return v.size();
        };
        QTRY_COMPARE_WITH_TIMEOUT(takeHandedOver(), size_t(kTotal), 10000);
        producerThread.join();
        for (qint64 n = 0; n < kTotal; ++n) {
            QCOMPARE(v[size_t(n)].timeNs, n);
            QCOMPARE(v[size_t(n)].payload, item(size_t(n)));
        }
    }

    // Trace::append of a batch whose frames interleave with chunks and events: the entries keep
    // the order, every frame is counted, indices point at the right records.
    void batchKeepsOrderAndCounts()
    {
        FrameProducer producer;
        Trace trace;
        qint64 t = 0;
        constexpr int kBatches = 40;
        constexpr int kPerBatch = 5000; // 200,000 frames: several adopted blocks
        for (int b = 0; b < kBatches; ++b) {
            TraceBatch batch;
            for (int i = 0; i < kPerBatch; ++i) {
                if (i % 1000 == 0) {
                    OctetChunk chunk;
                    chunk.direction = Direction::Rx;
                    chunk.timeNs = t;
                    chunk.data = "x";
                    chunk.size = 1;
                    batch.add(std::move(chunk));
                }
                if (i == 10) {
                    TraceEvent e;
                    e.kind = TraceEvent::Kind::Note;
                    e.timeNs = t;
                    batch.add(std::move(e));
                }
                batch.add(frame(i % 3 == 0 ? 2 : 1, ++t), producer);
            }
            trace.append(std::move(batch));
        }
        const qint64 total = qint64(kBatches) * kPerBatch;
        QCOMPARE(qint64(trace.frames().size()), total);
        QCOMPARE(trace.frameCount(Direction::Rx), total);
        QCOMPARE(trace.lastTimeNs(), t);
        const WireStatistics &stats = trace.statistics();
        QCOMPARE(stats.rxFrames.at(2) + stats.rxFrames.at(1), total);
        QCOMPARE(stats.rxFrames.at(2), qint64(kBatches) * ((kPerBatch + 2) / 3));
        qint64 frames = 0;
        qint64 chunks = 0;
        qint64 events = 0;
        qint64 lastTime = 0;
        for (const Trace::Entry &entry : trace.entries()) {
            switch (entry.type) {
            case RecordKind::Frame: {
                QCOMPARE(qint64(entry.index), frames);
                const FrameRecord &f = trace.frames()[entry.index];
                QCOMPARE(f.timeNs, ++frames);
                QVERIFY(f.timeNs > lastTime);
                lastTime = f.timeNs;
                break;
            }
            case RecordKind::Chunk:
                QCOMPARE(trace.chunks()[entry.index].timeNs, lastTime);
                ++chunks;
                break;
            case RecordKind::Event:
                QCOMPARE(trace.events()[entry.index].timeNs, lastTime);
                ++events;
                break;
            }
        }
        QCOMPARE(frames, total);
        QCOMPARE(chunks, qint64(kBatches) * 5);
        QCOMPARE(events, qint64(kBatches));
    }

    // Past the frame limit frames are counted, not kept, and the trace says so once, also when
    // the limit falls inside a batch.
    void frameLimitInsideBatch()
    {
        Trace::Limits limits;
        limits.maxStoredFrames = 70000; // inside the second block
        Trace trace(limits);
        FrameProducer producer;
        qint64 t = 0;
        for (int b = 0; b < 4; ++b) {
            TraceBatch batch;
            for (int i = 0; i < 30000; ++i)
                batch.add(frame(1, ++t, i == 29999 && b == 3), producer);
            trace.append(std::move(batch));
        }
        QCOMPARE(qint64(trace.frames().size()), limits.maxStoredFrames);
        QCOMPARE(trace.frames()[69999].timeNs, 70000);
        QCOMPARE(trace.frameCount(Direction::Rx), 120000 - 1); // the incomplete one is not counted
        QVERIFY(trace.limitReached());
        int notes = 0;
        for (const TraceEvent &e : trace.events())
            notes += e.kind == TraceEvent::Kind::TraceLimitReached ? 1 : 0;
        QCOMPARE(notes, 1);
        QCOMPARE(trace.lastTimeNs(), t);
    }

    // One budget for everything stored: chunks are stored while their recordCost() fits, then
    // counted only; storage stops once, at the first octet not stored, which the trace says.
    // Statistics and totals stay exact; the events that decide the verdict are still kept.
    void budgetStopsStorageAndCounts()
    {
        Trace::Limits limits;
        limits.maxStoredOctets = 1024 * 1024;
        Trace trace(limits);
        constexpr int kChunks = 1000;
        constexpr qint64 kSize = 4096;
        qint64 offset = 0;
        for (int i = 0; i < kChunks; ++i) {
            OctetChunk c;
            c.timeNs = i;
            c.direction = Direction::Rx;
            c.streamOffset = offset;
            c.size = kSize;
            c.data = QByteArray(kSize, 'a');
            offset += kSize;
            trace.append(TraceRecord(std::move(c)));
        }
        QVERIFY(trace.limitReached());
        QVERIFY(trace.storedCost() <= limits.maxStoredOctets + 1024);
        QCOMPARE(trace.octetCount(Direction::Rx), kChunks * kSize);
        QCOMPARE(trace.statistics().rxOctets.at(kSize), qint64(kChunks));
        const qint64 stored = qint64(trace.chunks().size());
        QVERIFY(stored > 200 && stored < 256); // 1 MiB of 4 KiB chunks and their records
        const std::optional<Trace::StorageStop> stop = trace.storageStop();
        QVERIFY(stop);
        QCOMPARE(stop->direction, Direction::Rx);
        QCOMPARE(stop->streamOffset, stored * kSize);
        QCOMPARE(stop->limit, u"budget"_s);
        QCOMPARE(storageStopText(trace),
                 u"at RX octet %1: the trace budget of 1048576 octets is spent; later octets "
                 "and frames are counted, not stored"_s.arg(stored * kSize));
        // Once, whatever follows.
        int notes = 0;
        for (const TraceEvent &e : trace.events())
            notes += e.kind == TraceEvent::Kind::TraceLimitReached ? 1 : 0;
        QCOMPARE(notes, 1);

        // Past the stop: a server's close frames, as many as it likes, are kept up to an
        // allowance; the end of the connection is always kept.
        for (int i = 0; i < 5000; ++i) {
            TraceEvent e;
            e.kind = TraceEvent::Kind::CloseReceived;
            e.code = 1000;
            trace.append(TraceRecord(std::move(e)));
        }
        TraceEvent closed;
        closed.kind = TraceEvent::Kind::TcpClosed;
        closed.tcpEnd = TcpEnd::PeerFin;
        trace.append(TraceRecord(std::move(closed)));
        QVERIFY(trace.events().size() < 1100);
        QCOMPARE(trace.events()[trace.events().size() - 1].kind, TraceEvent::Kind::TcpClosed);
        QCOMPARE(qint64(trace.chunks().size()), stored);
    }

    // A flood of tiny frames in batches (blocks adopted whole while they fit): their records
    // spend the budget too, every frame is counted by opcode, and a rule-breaking frame of ours
    // is kept past the stop (it decides the closing verdict).
    void tinyFramesSpendTheBudget()
    {
        Trace::Limits limits;
        limits.maxStoredOctets = 4 * 1024 * 1024;
        Trace trace(limits);
        FrameProducer producer;
        qint64 t = 0;
        constexpr int kBatches = 20;
        constexpr int kPerBatch = 20000;
        for (int b = 0; b < kBatches; ++b) {
            TraceBatch batch;
            for (int i = 0; i < kPerBatch; ++i)
                batch.add(frame(2, ++t), producer);
            trace.append(std::move(batch));
        }
        QVERIFY(trace.limitReached());
        // The budget, plus the one event that says where storage stopped.
        QVERIFY(trace.storedCost() <= limits.maxStoredOctets + 1024);
        const qint64 perFrame = recordCost(frame(2, 0));
        QVERIFY(qint64(trace.frames().size()) <= limits.maxStoredOctets / perFrame);
        QVERIFY(qint64(trace.frames().size()) > limits.maxStoredOctets / perFrame / 2);
        QCOMPARE(trace.frameCount(Direction::Rx), qint64(kBatches) * kPerBatch);
        QCOMPARE(trace.statistics().rxFrames.at(2), qint64(kBatches) * kPerBatch);

        FrameRecord ours = frame(1, ++t);
        ours.direction = Direction::Tx;
        ours.violations = Violation::RsvWithoutExtension;
        const size_t before = trace.frames().size();
        trace.append(TraceRecord(ours));
        QCOMPARE(trace.frames().size(), before + 1);
        FrameRecord plain = frame(1, ++t);
        plain.direction = Direction::Tx;
        trace.append(TraceRecord(plain));
        QCOMPARE(trace.frames().size(), before + 1); // counted only
        QCOMPARE(trace.frameCount(Direction::Tx), 2);
    }

    // The session's flow control: a batch's cost is in flight from its ticket until it is
    // appended; the wake-up runs once, when the cost falls to the resume mark.
    void flowTicketsReleaseOnAppend()
    {
        auto flow = std::make_shared<TraceFlow>();
        int wakes = 0;
        flow->setWake([&wakes] { ++wakes; });
        Trace trace;
        std::vector<TraceBatch> batches(4);
        for (TraceBatch &batch : batches) {
            OctetChunk c;
            c.direction = Direction::Rx;
            c.size = 1000;
            c.data = QByteArray(1000, 'b');
            batch.add(std::move(c));
            batch.ticket = FlowTicket(flow, batch.cost);
        }
        const qint64 each = batches[0].cost;
        QVERIFY(each > 1000);
        QCOMPARE(flow->inFlight(), 4 * each);
        QVERIFY(!flow->pauseAbove(4 * each, each));
        QVERIFY(flow->pauseAbove(4 * each - 1, each));
        trace.append(std::move(batches[0]));
        trace.append(std::move(batches[1]));
        QCOMPARE(flow->inFlight(), 2 * each);
        QCOMPARE(wakes, 0);
        trace.append(std::move(batches[2]));
        QCOMPARE(wakes, 1);
        batches.clear(); // a batch dropped unappended gives its cost back too
        QCOMPARE(flow->inFlight(), 0);
        QCOMPARE(wakes, 1);
        QCOMPARE(trace.octetCount(Direction::Rx), 3000);
    }

    // A wake-up running in a consumer's thread when the producer clears it (ClientSession's
    // destructor: setWake({})): setWake() returns only once that wake-up is over, so it never
    // runs on into a producer that is gone.
    void setWakeWaitsForARunningWakeUp()
    {
        TraceFlow flow;
        std::atomic<bool> entered = false;
        std::atomic<bool> done = false;
        flow.setWake([&] {
            entered = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            done = true;
        });
        flow.charge(100);
        QVERIFY(flow.pauseAbove(50, 10));
        std::jthread consumer([&flow] { flow.release(100); });
        QElapsedTimer clock;
        clock.start();
        while (!entered && clock.elapsed() < 10000)
            std::this_thread::yield();
        QVERIFY(entered);
        flow.setWake({});
        QVERIFY(done);
    }

    // A trace cleared while the session goes on (a new connection in the same window) still
    // receives every later frame, in order.
    void clearedTraceKeepsReceiving()
    {
        FrameProducer producer;
        Trace trace;
        qint64 t = 0;
        const auto feed = [&](int count) {
            TraceBatch batch;
            for (int i = 0; i < count; ++i)
                batch.add(frame(1, ++t), producer);
            trace.append(std::move(batch));
        };
        feed(100000);
        trace.clear();
        feed(100000);
        QCOMPARE(trace.frames().size(), size_t(100000));
        for (size_t i = 0; i < trace.frames().size(); ++i)
            QCOMPARE(trace.frames()[i].timeNs, qint64(100001 + i));
        const Trace copy = trace;
        QCOMPARE(copy.frames().size(), trace.frames().size());
        QCOMPARE(copy.frames().back().timeNs, t);
    }
};

QTEST_GUILESS_MAIN(TestTrace)
#include "tst_trace.moc"
