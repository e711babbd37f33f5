// SPDX-License-Identifier: GPL-2.0-or-later
#include "streamreassembler.h"

namespace httptap {

StreamReassembler::Slice StreamReassembler::accept(uint64_t offset, size_t size)
{
    Slice slice;
    if (!m_started) {
        m_started = true;
        m_first = offset;
        m_expected = offset;
    }
    if (offset < m_expected) {
        const uint64_t seen = m_expected - offset;
        if (seen >= size) {
            slice.skip = size; // entirely a copy of bytes we already have
            return slice;
        }
        slice.skip = size_t(seen);
    } else if (offset > m_expected) {
        slice.gapBytes = offset - m_expected;
        slice.gapOffset = m_expected;
    }
    slice.size = size - slice.skip;
    // Offsets come from the producer: saturate rather than wrap on a hostile value.
    const uint64_t start = offset + slice.skip;
    m_expected = start + slice.size < start ? UINT64_MAX : start + slice.size;
    return slice;
}

} // namespace httptap
