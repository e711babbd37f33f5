// SPDX-License-Identifier: GPL-2.0-or-later
#include "recenttexts.h"

#include "headertext.h"

#include <cstdint>
#include <cstring>

namespace httptap {

namespace {

// The slot a text may live in: its length and its first and last eight bytes, mixed. One
// candidate to compare instead of a search of every slot (this runs for most spans of every
// message), and a text seen once (a unique URL) evicts one slot, not the oldest of all.
size_t slotOf(const char* at, size_t size, size_t count)
{
    uint64_t h = size;
    if (size >= 8) {
        uint64_t head, tail;
        std::memcpy(&head, at, 8);
        std::memcpy(&tail, at + size - 8, 8);
        h ^= head * 0x9E3779B97F4A7C15ull;
        h ^= tail * 0xC2B2AE3D27D4EB4Full;
    } else {
        for (size_t i = 0; i < size; ++i)
            h = h * 131 + static_cast<unsigned char>(at[i]);
    }
    h *= 0x9E3779B97F4A7C15ull;
    return size_t(h >> 32) % count;
}

} // namespace

QByteArray RecentTexts::text(const char* at, size_t size)
{
    // Most texts are common ones (header names above all): static storage, no search of the slots.
    QByteArray common = commonHeaderText(at, size);
    if (!common.isNull())
        return common;
    if (size == 0)
        return QByteArray();
    QByteArray& slot = m_slots[slotOf(at, size, kSlots)];
    if (size_t(slot.size()) == size && sameBytes(slot.constData(), at, size))
        return slot;
    QByteArray made(at, qsizetype(size));
    if (size <= kMaxRemembered) // a long text is not kept alive
        slot = QByteArray(made); // (a copy and a move: inline, unlike copy assignment)
    return made;
}

void RecentTexts::clear()
{
    for (QByteArray& slot : m_slots)
        slot = QByteArray();
}

} // namespace httptap
