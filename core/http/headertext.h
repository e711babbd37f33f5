// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Header names and values as QByteArrays without an allocation for the texts
// most messages carry ("Content-Type", "content-length", "keep-alive",
// "application/json"…): those come from static storage, which QByteArray
// copies and frees without touching the heap. Every header used to cost two
// allocations (name and value); with a million flows in memory that was most
// of the memory per flow (issue 10, bench/dissect_http1.cpp memory).
// The result equals the input byte for byte; appending to it detaches as usual.

#include <QByteArray>
#include <QByteArrayView>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace httptap {

// Equal bytes, for short texts (header names and values): two overlapping loads per side
// instead of a call to memcmp (which measured as much as the rest of a lookup).
inline bool sameBytes(const char* a, const char* b, size_t n)
{
    if (n >= 8) {
        uint64_t x, y, u, v;
        std::memcpy(&x, a, 8);
        std::memcpy(&y, b, 8);
        std::memcpy(&u, a + n - 8, 8);
        std::memcpy(&v, b + n - 8, 8);
        return x == y && u == v && (n <= 16 || std::memcmp(a + 8, b + 8, n - 16) == 0);
    }
    if (n >= 4) {
        uint32_t x, y, u, v;
        std::memcpy(&x, a, 4);
        std::memcpy(&y, b, 4);
        std::memcpy(&u, a + n - 4, 4);
        std::memcpy(&v, b + n - 4, 4);
        return x == y && u == v;
    }
    for (size_t i = 0; i < n; ++i) {
        if (a[i] != b[i])
            return false;
    }
    return true;
}

// Header names compared as HTTP compares them: ASCII letters in either case. Inline: lookups
// run several times for every flow, and a call to qstrnicmp (Latin-1 folding) cost more than
// the comparison.
inline bool sameNameIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        const unsigned char x = static_cast<unsigned char>(a[i]);
        const unsigned char y = static_cast<unsigned char>(b[i]);
        if (x == y)
            continue;
        const unsigned char lower = x | 0x20;
        if (lower != (y | 0x20) || lower < 'a' || lower > 'z')
            return false;
    }
    return true;
}

QByteArray headerText(const char* at, size_t size);
// The static copy of a common text; a null QByteArray when the text is not one of them.
QByteArray commonHeaderText(const char* at, size_t size);

} // namespace httptap
