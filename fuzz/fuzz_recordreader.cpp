// SPDX-License-Identifier: GPL-2.0-or-later
//
// The record stream reader on arbitrary bytes, fed in pieces: the first input
// byte picks the piece size, so chunk boundaries land everywhere (a record
// header split from its body, a stream header split in two).
//
// Each piece lives in its own heap block, freed once next() has run out, and
// every payload byte is read: a record that still viewed a freed piece (the
// reader borrows what it is fed) is a use after free ASan reports.

#include "record/recordreader.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t piece = 1 + data[0] % 64;
    ++data;
    --size;

    httptap::record::RecordReader reader;
    size_t records = 0;
    for (size_t at = 0; at < size; at += piece) {
        const size_t n = size - at < piece ? size - at : piece;
        auto copy = std::make_unique<uint8_t[]>(n);
        std::memcpy(copy.get(), data + at, n);
        reader.feed(copy.get(), n);
        while (auto record = reader.next()) {
            ++records;
            if (const auto* d = std::get_if<httptap::record::Data>(&*record)) {
                unsigned sum = 0;
                for (uint8_t byte : d->payload)
                    sum += byte;
                if (sum > 255u * httptap::record::kMaxRecordSize)
                    __builtin_trap();
            }
        }
        copy.reset();
        if (reader.state() == httptap::record::RecordReader::State::Error)
            break;
    }
    // The reader's own invariants: it never claims to have consumed more than it was given.
    if (reader.consumed() > size)
        __builtin_trap();
    return records > 0 ? 0 : 0;
}
