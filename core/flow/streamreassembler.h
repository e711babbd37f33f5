// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Tracks one direction of a connection by byte offset and tells, for each
// captured chunk, which of its bytes are new and how many bytes went missing
// before it.
//
// Chunks are expected in stream order. A chunk that starts before the expected
// offset overlaps bytes already seen (a retransmitted or re-read copy): those
// bytes are skipped. A chunk that starts after it means bytes were lost in
// transit (ring buffer full) or never copied (call larger than the probe's copy
// limit): the gap is reported once and the stream continues after it. No bytes
// are buffered here, so memory stays constant whatever offsets a producer sends.

#include <cstddef>
#include <cstdint>

namespace httptap {

class StreamReassembler
{
public:
    struct Slice {
        size_t skip = 0; // leading bytes of the chunk that were already seen
        size_t size = 0; // new bytes, starting at chunk + skip
        uint64_t gapBytes = 0; // bytes missing before the new bytes
        uint64_t gapOffset = 0; // stream offset where the missing bytes start
    };

    // Accounts a chunk of `size` bytes at stream offset `offset`. The first chunk
    // seen defines the start of what we know of the stream (capture may begin
    // in the middle of a connection), so it never reports a gap.
    Slice accept(uint64_t offset, size_t size);

    bool started() const { return m_started; }
    uint64_t expected() const { return m_expected; }
    // Offset of the first byte this direction ever showed (0 for a connection seen from its start).
    uint64_t firstOffset() const { return m_first; }

private:
    bool m_started = false;
    uint64_t m_expected = 0;
    uint64_t m_first = 0;
};

} // namespace httptap
