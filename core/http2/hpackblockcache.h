// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Header blocks an HPACK decoder decoded lately that left its dynamic table as
// it was: blocks of indexed fields and literals without indexing only (no
// literal with incremental indexing, no table size update). Such a block's
// fields depend on nothing but its bytes and the table, so while the table
// stays the same the same bytes are the same fields, and the block is
// answered with the list decoded before — without the inflater, the texts'
// lookups or a new list. A server's responses are mostly such blocks once its
// table holds their fields (nghttp2's encoder, for one, never indexes
// Content-Length or :path), and they repeat.
//
// Staleness: the decoder calls tableChanged() for every other block (and on
// any reset); a kept block is only found in the generation it was kept in.
// Bounded: kEntries blocks of at most kMaxBlock bytes each.

#include "flow/flow.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace httptap {

class HpackBlockCache
{
public:
    static constexpr size_t kEntries = 8;
    static constexpr size_t kMaxBlock = 64;

    struct Entry {
        std::array<uint8_t, kMaxBlock> bytes {};
        size_t size = 0;
        uint64_t generation = 0; // 0: empty
        HttpHeaders headers;
        int unknownFields = 0;
        int droppedFields = 0;
    };

    // Whether decoding the block leaves the table unchanged, read from its field representations
    // (RFC 7541 6), at any length (only blocks up to kMaxBlock are kept). False for an empty block
    // or one cut short.
    static bool keepsTable(const uint8_t* block, size_t size);

    // The table may differ from now on: every kept block is stale.
    void tableChanged() { ++m_generation; }
    // Changes whenever the table may have (tableChanged()); never 0.
    uint64_t generation() const { return m_generation; }
    // The same bytes kept in this generation, or null.
    const Entry* find(const uint8_t* block, size_t size) const;
    // Keeps a block that keepsTable() and the inflater decoded without error — from its second
    // sighting on: the first only notes the block's fingerprint, so blocks that never repeat (a
    // request with a unique :path) cost a hash, not an entry and the list it holds.
    void keep(const uint8_t* block, size_t size, const HttpHeaders& headers, int unknownFields, int droppedFields);

private:
    std::array<Entry, kEntries> m_entries;
    size_t m_next = 0; // the entry the next keep() replaces
    std::array<uint64_t, kEntries> m_sightings {}; // fingerprints of blocks seen once
    size_t m_nextSighting = 0;
    uint64_t m_generation = 1;
};

} // namespace httptap
