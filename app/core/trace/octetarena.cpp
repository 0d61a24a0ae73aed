// SPDX-License-Identifier: MIT
#include "trace/octetarena.h"

#include "trace/segmentedvector.h"

#include <algorithm>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace wsi {

namespace {

QByteArray newBlock(qsizetype size)
{
    QByteArray block(size, Qt::Uninitialized);
    if (size >= OctetArena::kPrefaultFrom)
        prefaultPages(block.data(), size_t(size));
    return block;
}

// Keeps kSpare largest blocks mapped ahead, made in a thread of its own: a flood's reader then
// takes a block that is ready instead of spending a tenth of its time zeroing new pages (the
// kernel's part of a first write). Started by the first flood, for the rest of the process; the
// spare blocks are the memory it holds (kSpare × kLargestBlock). A reader that finds none ready
// makes its own and never waits.
class BlockSupply
{
public:
    static constexpr size_t kSpare = 2;

    static BlockSupply &instance()
    {
        static BlockSupply supply;
        return supply;
    }

    QByteArray take()
    {
        std::unique_lock lock(m_mutex);
        if (!m_worker.joinable())
            m_worker = std::thread([this] { run(); });
        QByteArray block;
        if (!m_ready.empty()) {
            block = std::move(m_ready.front());
            m_ready.pop_front();
        }
        lock.unlock();
        m_wake.notify_one();
        return block.isEmpty() ? newBlock(OctetArena::kLargestBlock) : block;
    }

    ~BlockSupply()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_one();
        if (m_worker.joinable())
            m_worker.join();
    }

private:
    BlockSupply() = default;

    void run()
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_wake.wait(lock, [this] { return m_stop || m_ready.size() < kSpare; });
            if (m_stop)
                return;
            lock.unlock();
            QByteArray block = newBlock(OctetArena::kLargestBlock);
            lock.lock();
            m_ready.push_back(std::move(block));
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<QByteArray> m_ready;
    std::thread m_worker;
    bool m_stop = false;
};

} // namespace

char *OctetArena::reserve(qsizetype n)
{
    Q_ASSERT(n > 0);
    if (!m_base || m_block.size() - m_used < n) {
        const qsizetype size = std::max(m_nextSize, n);
        m_nextSize = std::min(m_nextSize * 2, kLargestBlock);
        m_block = size == kLargestBlock ? BlockSupply::instance().take() : newBlock(size);
        // Not shared yet: data() does not copy. Later writes go through this pointer, never
        // through m_block (which would copy the block once views share it).
        m_base = m_block.data();
        m_used = 0;
    }
    m_reserved = n;
    return m_base + m_used;
}

QByteArray OctetArena::commit(qsizetype n)
{
    Q_ASSERT(m_base && n >= 0 && n <= m_reserved);
    m_reserved = 0;
    if (n == 0)
        return {};
    // A second reference to the block's header (the copy counts it), pointing at this read.
    QByteArray::DataPointer view = m_block.data_ptr();
    view.ptr = m_base + m_used;
    view.size = n;
    m_used += n;
    return QByteArray(std::move(view));
}

void OctetArena::release()
{
    m_block = QByteArray();
    m_base = nullptr;
    m_used = 0;
    m_reserved = 0;
}

} // namespace wsi
