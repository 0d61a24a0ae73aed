// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

#if defined(Q_OS_LINUX)
#include <sys/mman.h>
#endif

#include <iterator>
#include <memory>
#include <vector>

namespace wsi {

// An append-only sequence stored in fixed-size blocks: appending never moves earlier elements
// (no reallocation copies, stable addresses), indexing is O(1). The trace grows by millions of
// records under a flood; a std::vector would copy all of them at every doubling.
template <typename T, int BlockShift = 14>
class SegmentedVector
{
public:
    static constexpr size_t kBlockSize = size_t(1) << BlockShift;

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
        const_iterator &operator++() { ++m_i; return *this; }
        const_iterator operator++(int) { auto t = *this; ++m_i; return t; }
        const_iterator &operator--() { --m_i; return *this; }
        const_iterator operator--(int) { auto t = *this; --m_i; return t; }
        const_iterator &operator+=(difference_type n) { m_i = size_t(difference_type(m_i) + n); return *this; }
        const_iterator &operator-=(difference_type n) { m_i = size_t(difference_type(m_i) - n); return *this; }
        friend const_iterator operator+(const_iterator a, difference_type n) { return a += n; }
        friend const_iterator operator+(difference_type n, const_iterator a) { return a += n; }
        friend const_iterator operator-(const_iterator a, difference_type n) { return a -= n; }
        friend difference_type operator-(const const_iterator &a, const const_iterator &b)
        {
            return difference_type(a.m_i) - difference_type(b.m_i);
        }
        friend bool operator==(const const_iterator &a, const const_iterator &b) { return a.m_i == b.m_i; }
        friend auto operator<=>(const const_iterator &a, const const_iterator &b) { return a.m_i <=> b.m_i; }

    private:
        const SegmentedVector *m_v = nullptr;
        size_t m_i = 0;
    };

    [[nodiscard]] size_t size() const { return m_size; }
    [[nodiscard]] bool empty() const { return m_size == 0; }
    [[nodiscard]] const T &operator[](size_t i) const
    {
        return m_blocks[i >> BlockShift][i & (kBlockSize - 1)];
    }
    [[nodiscard]] T &operator[](size_t i) { return m_blocks[i >> BlockShift][i & (kBlockSize - 1)]; }
    [[nodiscard]] const T &front() const { return (*this)[0]; }
    [[nodiscard]] const T &back() const { return (*this)[m_size - 1]; }
    [[nodiscard]] const_iterator begin() const { return {this, 0}; }
    [[nodiscard]] const_iterator end() const { return {this, m_size}; }

    void push_back(T &&value)
    {
        // A new block when the last is full. The first block grows by doubling, so a small
        // trace stays small; once a second block is needed the sequence is clearly large, and
        // every further block is reserved whole (no regrowth copies, huge pages where possible).
        if ((m_size & (kBlockSize - 1)) == 0) {
            m_blocks.emplace_back();
            if (m_blocks.size() > 1) {
                m_blocks.back().reserve(kBlockSize);
                adviseHugePages(m_blocks.back().data(), kBlockSize * sizeof(T));
            }
        }
        m_blocks.back().push_back(std::move(value));
        ++m_size;
    }
    void push_back(const T &value) { push_back(T(value)); }
    void clear()
    {
        m_blocks.clear();
        m_size = 0;
    }

private:
    // Transparent huge pages for the whole 2 MiB pages inside a large block: a flood of millions
    // of records then costs a few hundred page faults instead of hundreds of thousands.
    static void adviseHugePages([[maybe_unused]] void *data, [[maybe_unused]] size_t bytes)
    {
#if defined(Q_OS_LINUX) && defined(MADV_HUGEPAGE)
        constexpr uintptr_t huge = uintptr_t(2) << 20;
        const uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + huge - 1) & ~(huge - 1);
        const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(huge - 1);
        if (end > begin)
            ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
#endif
    }

    std::vector<std::vector<T>> m_blocks;
    size_t m_size = 0;
};

} // namespace wsi
