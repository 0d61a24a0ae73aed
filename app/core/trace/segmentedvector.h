// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

#if defined(Q_OS_LINUX)
#include <sys/mman.h>
#endif

#include <algorithm>
#include <iterator>
#include <memory>
#include <new>
#include <vector>

namespace wsi {

// Maps the whole pages inside [data, data + bytes) writable now, in one call, instead of one page
// fault per 4 KiB page on first write. For memory that is about to be filled.
inline void prefaultPages([[maybe_unused]] void *data, [[maybe_unused]] size_t bytes)
{
#if defined(Q_OS_LINUX) && defined(MADV_POPULATE_WRITE)
    constexpr uintptr_t page = 4096;
    const auto start = reinterpret_cast<uintptr_t>(data);
    const uintptr_t begin = (start + page - 1) & ~(page - 1);
    const uintptr_t end = (start + bytes) & ~(page - 1);
    if (end > begin)
        ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_POPULATE_WRITE);
#endif
}

// Raw storage for up to capacity() elements, constructed in order by one writer. A block can be
// shared: a producer thread fills it and a SegmentedVector in another thread adopts the elements
// already published to it (see SegmentedVector::appendSlice), so a flood of records is written
// once, by the producer, and never copied. Destroys the elements its writer constructed.
template <typename T>
class SegmentBlock
{
public:
    explicit SegmentBlock(size_t capacity)
        : m_data(
              static_cast<T *>(::operator new(capacity * sizeof(T), std::align_val_t(alignof(T))))),
          m_capacity(capacity)
    {
    }
    ~SegmentBlock()
    {
        std::destroy_n(m_data, m_constructed);
        ::operator delete(m_data, std::align_val_t(alignof(T)));
    }
    SegmentBlock(const SegmentBlock &) = delete;
    SegmentBlock &operator=(const SegmentBlock &) = delete;

    [[nodiscard]] size_t capacity() const { return m_capacity; }
    // Elements constructed so far. Only the writer's thread may read this while it writes.
    [[nodiscard]] size_t constructed() const { return m_constructed; }
    [[nodiscard]] bool isFull() const { return m_constructed == m_capacity; }
    [[nodiscard]] T *data() { return m_data; }
    [[nodiscard]] const T *data() const { return m_data; }

    // Constructs the next element; the block must not be full.
    T &append(T &&value)
    {
        Q_ASSERT(m_constructed < m_capacity);
        T *slot = ::new (static_cast<void *>(m_data + m_constructed)) T(std::move(value));
        ++m_constructed;
        return *slot;
    }

    // Maps the whole block in one call instead of one page fault per 4 KiB page as it fills
    // (15 % faster on a flood of small frames). Only for blocks that are sure to fill.
    void prefault() { prefaultPages(m_data, m_capacity * sizeof(T)); }

private:
    T *m_data;
    size_t m_capacity;
    size_t m_constructed = 0;
};

// Elements [first, first + count) of a block filled by a producer, handed to a consumer.
template <typename T>
struct SegmentSlice
{
    std::shared_ptr<SegmentBlock<T>> block;
    size_t first = 0;
    size_t count = 0;
};

// Fills shared blocks laid out like a SegmentedVector<T, BlockShift> that starts empty: element
// n of the producer lands where the vector's element n belongs, so the vector can adopt whole
// blocks instead of copying them. The first logical block is filled in pieces that double in
// size (a short sequence stays small); every later block is one piece, aligned.
template <typename T, int BlockShift>
class SegmentProducer
{
public:
    static constexpr size_t kBlockSize = size_t(1) << BlockShift;
    static constexpr size_t kFirstPiece = std::min<size_t>(256, kBlockSize);

    // Constructs `value` as the producer's next element and records it in `slices` (the slice
    // list of the batch being filled): the last slice grows when it is in the same block.
    void append(T &&value, std::vector<SegmentSlice<T>> &slices)
    {
        if (!m_block || m_block->isFull()) {
            const size_t capacity =
                m_next < kBlockSize ? std::max(kFirstPiece, m_next) : kBlockSize;
            m_block = std::make_shared<SegmentBlock<T>>(capacity);
            if (m_next >= kBlockSize) // a flood: this block will fill
                m_block->prefault();
        }
        const size_t slot = m_block->constructed();
        m_block->append(std::move(value));
        ++m_next;
        if (!slices.empty() && slices.back().block == m_block &&
            slices.back().first + slices.back().count == slot) {
            ++slices.back().count;
        } else {
            slices.push_back({m_block, slot, 1});
        }
    }

    [[nodiscard]] size_t produced() const { return m_next; }

private:
    std::shared_ptr<SegmentBlock<T>> m_block;
    size_t m_next = 0;
};

// An append-only sequence stored in fixed-size blocks: appending never moves earlier elements
// (except while the first block grows), indexing is O(1). The trace grows by millions of records
// under a flood; a std::vector would copy all of them at every doubling.
//
// Blocks filled by a SegmentProducer in another thread are adopted without a copy when they line
// up (appendSlice); the vector then reads only the elements handed to it, and never writes into
// a block it did not allocate.
template <typename T, int BlockShift = 14>
class SegmentedVector
{
public:
    static constexpr size_t kBlockSize = size_t(1) << BlockShift;
    using Block = SegmentBlock<T>;
    using Slice = SegmentSlice<T>;
    using Producer = SegmentProducer<T, BlockShift>;

    class const_iterator
    {
    public:
        using iterator_category = std::random_access_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = const T *;
        using reference = const T &;

        const_iterator() = default;
        const_iterator(const SegmentedVector *v, size_t i) : m_v(v), m_i(i) {}
        reference operator*() const { return (*m_v)[m_i]; }
        pointer operator->() const { return &(*m_v)[m_i]; }
        reference operator[](difference_type n) const { return (*m_v)[size_t(m_i + n)]; }
        const_iterator &operator++()
        {
            ++m_i;
            return *this;
        }
        const_iterator operator++(int)
        {
            auto t = *this;
            ++m_i;
            return t;
        }
        const_iterator &operator--()
        {
            --m_i;
            return *this;
        }
        const_iterator operator--(int)
        {
            auto t = *this;
            --m_i;
            return t;
        }
        const_iterator &operator+=(difference_type n)
        {
            m_i = size_t(difference_type(m_i) + n);
            return *this;
        }
        const_iterator &operator-=(difference_type n)
        {
            m_i = size_t(difference_type(m_i) - n);
            return *this;
        }
        friend const_iterator operator+(const_iterator a, difference_type n) { return a += n; }
        friend const_iterator operator+(difference_type n, const_iterator a) { return a += n; }
        friend const_iterator operator-(const_iterator a, difference_type n) { return a -= n; }
        friend difference_type operator-(const const_iterator &a, const const_iterator &b)
        {
            return difference_type(a.m_i) - difference_type(b.m_i);
        }
        friend bool operator==(const const_iterator &a, const const_iterator &b)
        {
            return a.m_i == b.m_i;
        }
        friend auto operator<=>(const const_iterator &a, const const_iterator &b)
        {
            return a.m_i <=> b.m_i;
        }

    private:
        const SegmentedVector *m_v = nullptr;
        size_t m_i = 0;
    };

    SegmentedVector() = default;
    SegmentedVector(SegmentedVector &&) noexcept = default;
    SegmentedVector &operator=(SegmentedVector &&) noexcept = default;
    // A copy shares no block (blocks are filled in place).
    SegmentedVector(const SegmentedVector &other) { *this = other; }
    SegmentedVector &operator=(const SegmentedVector &other)
    {
        if (this != &other) {
            clear();
            for (size_t i = 0; i < other.size(); ++i)
                push_back(T(other[i]));
        }
        return *this;
    }

    [[nodiscard]] size_t size() const { return m_size; }
    [[nodiscard]] bool empty() const { return m_size == 0; }
    [[nodiscard]] const T &operator[](size_t i) const
    {
        return m_data[i >> BlockShift][i & (kBlockSize - 1)];
    }
    [[nodiscard]] T &operator[](size_t i) { return m_data[i >> BlockShift][i & (kBlockSize - 1)]; }
    [[nodiscard]] const T &front() const { return (*this)[0]; }
    [[nodiscard]] const T &back() const { return (*this)[m_size - 1]; }
    [[nodiscard]] const_iterator begin() const { return {this, 0}; }
    [[nodiscard]] const_iterator end() const { return {this, m_size}; }

    void push_back(T &&value)
    {
        const size_t offset = m_size & (kBlockSize - 1);
        if (offset == 0) {
            // A new block. The first grows by doubling, so a small sequence stays small; once a
            // second is needed the sequence is clearly large, and every further block is
            // allocated whole. No transparent huge pages: on a virtual machine a fresh 2 MiB page
            // often has to be faulted in by the host as well, which made floods 2 × slower in
            // one run of three; 4 KiB pages come from memory the guest just freed.
            const bool first = m_blocks.empty();
            addBlock(std::make_shared<Block>(first ? std::min<size_t>(16, kBlockSize) : kBlockSize),
                     true);
            if (!first)
                m_blocks.back()->prefault();
        } else if (!m_owned.back() || m_blocks.back()->isFull()) {
            // The last block was adopted (its producer owns the free slots) or is a full first
            // block: continue in a block of our own. Elements of an adopted block are copied,
            // not moved: the block is not ours to change.
            const bool adopted = !m_owned.back();
            auto own =
                std::make_shared<Block>(adopted ? kBlockSize : std::min(offset * 2, kBlockSize));
            T *from = m_blocks.back()->data();
            for (size_t i = 0; i < offset; ++i)
                own->append(adopted ? T(from[i]) : std::move(from[i]));
            m_blocks.pop_back();
            m_data.pop_back();
            m_owned.pop_back();
            addBlock(std::move(own), true);
        }
        m_blocks.back()->append(std::move(value));
        ++m_size;
    }
    void push_back(const T &value) { push_back(T(value)); }

    // Appends the elements of a producer's slice. Adopted without a copy when the slice starts
    // a block of full size where this vector's next block starts, or continues the block adopted
    // last; otherwise moved element by element. At most `limit` elements are taken.
    void appendSlice(const Slice &slice, size_t limit = size_t(-1))
    {
        const size_t count = std::min(slice.count, limit);
        if (count == 0)
            return;
        const size_t offset = m_size & (kBlockSize - 1);
        if (offset != 0 && !m_owned.back() && m_blocks.back() == slice.block &&
            slice.first == offset) {
            m_size += count; // the producer wrote them into the block adopted last
            return;
        }
        if (offset == 0 && slice.first == 0 && slice.block->capacity() == kBlockSize) {
            addBlock(slice.block, false);
            m_size += count;
            return;
        }
        T *from = slice.block->data() + slice.first;
        for (size_t i = 0; i < count; ++i)
            push_back(std::move(from[i]));
    }

    void clear()
    {
        m_blocks.clear();
        m_data.clear();
        m_owned.clear();
        m_size = 0;
    }

private:
    void addBlock(std::shared_ptr<Block> block, bool owned)
    {
        m_data.push_back(block->data());
        m_blocks.push_back(std::move(block));
        m_owned.push_back(owned);
    }

    std::vector<std::shared_ptr<Block>> m_blocks;
    std::vector<T *> m_data;   // m_blocks[k]->data(), one load less per index
    std::vector<bool> m_owned; // false: adopted from a producer, which owns its free slots
    size_t m_size = 0;
};

} // namespace wsi
