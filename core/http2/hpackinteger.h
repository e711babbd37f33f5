// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// An HPACK integer with an N-bit prefix (RFC 7541 5.1), as HpackBlockCache and HpackDecoder read
// them from a header block without nghttp2's inflater.

#include <cstddef>
#include <cstdint>

namespace httptap::hpack {

// The integer at in[pos] (prefixMask: the prefix's bits, 0x7f for a 7-bit prefix) into value,
// pos moved past it; false if cut short or larger than any length or index within a block could be.
inline bool readInteger(const uint8_t* in, size_t size, size_t& pos, uint8_t prefixMask, size_t& value)
{
    if (pos >= size)
        return false;
    value = in[pos++] & prefixMask;
    if (value < prefixMask)
        return true;
    for (int shift = 0; shift <= 28; shift += 7) {
        if (pos >= size)
            return false;
        const uint8_t b = in[pos++];
        value += size_t(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

} // namespace httptap::hpack
