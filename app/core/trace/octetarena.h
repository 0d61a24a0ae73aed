// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>

namespace wsi {

// Where a reader's octets are kept: each read lands straight in a large block, and the read's
// chunk (OctetChunk::data) shares that block instead of owning a copy. So the octets a session
// receives are copied once, from the socket into the block, and never again on their way into
// the trace (README, "Speed").
//
// Blocks grow from kFirstBlock by doubling up to kLargestBlock, so a short connection keeps a
// few KiB and a flood gets few, large blocks; at most half of what was stored is unused block
// tail. Blocks of kPrefaultFrom octets or more are mapped in one call before the first read
// lands in them (prefaultPages), not faulted page by page as the reads fill them.
//
// A chunk's QByteArray is a view on its block: the block lives as long as any view does, and a
// view that is changed copies its own octets first (Qt's copy-on-write), so the views never
// overlap in what they may write. recordCost() counts a view by its size.
//
// One writer thread. The views may be read and destroyed in any thread.
class OctetArena
{
public:
    static constexpr qsizetype kFirstBlock = 16 * 1024;
    static constexpr qsizetype kLargestBlock = 4 * 1024 * 1024;
    static constexpr qsizetype kPrefaultFrom = 1024 * 1024;

    // Room for `n` contiguous octets (n > 0), valid until the next reserve() or release().
    [[nodiscard]] char *reserve(qsizetype n);
    // The first `n` octets (n ≤ the last reserve's) of the room reserve() gave, as a view.
    [[nodiscard]] QByteArray commit(qsizetype n);
    // Lets the current block go; the views keep it alive as long as they need it.
    void release();

    [[nodiscard]] qsizetype blockSize() const { return m_block.size(); }

private:
    QByteArray m_block; // shared by the views; written only through m_base
    char *m_base = nullptr;
    qsizetype m_used = 0;
    qsizetype m_reserved = 0;
    qsizetype m_nextSize = kFirstBlock;
};

} // namespace wsi
