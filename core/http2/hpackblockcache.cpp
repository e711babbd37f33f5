// SPDX-License-Identifier: GPL-2.0-or-later
#include "hpackblockcache.h"

#include "hpackinteger.h"
#include "http/headertext.h"

#include <algorithm>
#include <cstring>

namespace httptap {

namespace {

// Skips a string literal (5.2): the Huffman bit, a 7-bit-prefix length, the octets.
bool skipString(const uint8_t* block, size_t size, size_t& i)
{
    size_t length = 0;
    if (!hpack::readInteger(block, size, i, 0x7f, length) || length > size - i)
        return false;
    i += length;
    return true;
}

} // namespace

bool HpackBlockCache::keepsTable(const uint8_t* block, size_t size)
{
    if (size == 0)
        return false;
    size_t i = 0;
    while (i < size) {
        const uint8_t first = block[i];
        if (first & 0x80) { // indexed field (6.1)
            size_t index = 0;
            if (!hpack::readInteger(block, size, i, 0x7f, index))
                return false;
            continue;
        }
        if (first & 0x60) // 01: literal with incremental indexing (6.2.1); 001: table size update (6.3)
            return false;
        // 0000 / 0001: literal without indexing / never indexed (6.2.2, 6.2.3), a 4-bit name index.
        size_t nameIndex = 0;
        if (!hpack::readInteger(block, size, i, 0x0f, nameIndex))
            return false;
        if (nameIndex == 0 && !skipString(block, size, i))
            return false;
        if (!skipString(block, size, i))
            return false;
    }
    return true;
}

const HpackBlockCache::Entry* HpackBlockCache::find(const uint8_t* block, size_t size) const
{
    for (const Entry& e : m_entries) {
        // (sameBytes: the ends compared inline first, so a block of another stream costs no call.)
        if (e.size == size && e.generation == m_generation
            && sameBytes(reinterpret_cast<const char*>(e.bytes.data()), reinterpret_cast<const char*>(block), size))
            return &e;
    }
    return nullptr;
}

void HpackBlockCache::keep(const uint8_t* block, size_t size, const HttpHeaders& headers, int unknownFields,
    int droppedFields)
{
    if (size == 0 || size > kMaxBlock)
        return;
    // Eight octets at a time (most blocks never repeat, and every one is fingerprinted).
    uint64_t fingerprint = size * 0x9e3779b97f4a7c15ull;
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t word;
        std::memcpy(&word, block + i, 8);
        fingerprint = (fingerprint ^ word) * 0x100000001b3ull;
        fingerprint ^= fingerprint >> 29;
    }
    for (; i < size; ++i)
        fingerprint = (fingerprint ^ block[i]) * 0x100000001b3ull;
    fingerprint |= 1; // 0 marks an empty sighting
    const auto seen = std::find(m_sightings.begin(), m_sightings.end(), fingerprint);
    if (seen == m_sightings.end()) {
        m_sightings[m_nextSighting] = fingerprint;
        m_nextSighting = (m_nextSighting + 1) % kEntries;
        return;
    }
    *seen = 0;
    Entry& e = m_entries[m_next];
    m_next = (m_next + 1) % kEntries;
    std::memcpy(e.bytes.data(), block, size);
    e.size = size;
    e.generation = m_generation;
    e.headers = headers; // shared, not copied
    e.unknownFields = unknownFields;
    e.droppedFields = droppedFields;
}

} // namespace httptap
