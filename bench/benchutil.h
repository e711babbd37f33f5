// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Small shared pieces of the dissection benchmarks: a clock, RSS, the Data
// record every generator fills, and one JSON line per result (bench/run.py
// reads them). Header-only: each benchmark is one program.

#include "record/recordformat.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>
#include <ctime>
#include <malloc.h>
#include <unistd.h>

namespace httptap::bench {

inline double nowSeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU time of the calling thread: the dissection benchmarks time core and its baseline with
// it, so time spent waiting for a CPU on a loaded machine counts for neither side.
inline double threadCpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

inline uint64_t rssBytes()
{
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        std::fclose(f);
    }
    return static_cast<uint64_t>(resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

// Bytes malloc has handed out and not had back (its own chunk headers included): what the
// heap holds, without the free pages RSS also counts.
inline uint64_t heapBytes()
{
    const struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

// A client-side capture of connection connId (syscall source, 127.0.0.1).
inline record::Data dataRecord(uint64_t connId, record::Direction direction, uint64_t offset, uint64_t ts)
{
    record::Data d;
    d.timestampNs = ts;
    d.connId = connId;
    d.streamOffset = offset;
    d.pid = 4242;
    d.tid = 4242;
    d.fd = 7;
    d.direction = direction;
    d.family = 4;
    d.local = { { 127, 0, 0, 1 }, static_cast<uint16_t>(30000 + connId % 30000) };
    d.remote = { { 127, 0, 0, 1 }, 8080 };
    d.comm = { 'b', 'e', 'n', 'c', 'h' };
    return d;
}

// Feeds an encoded stream as httptap-record does: in pipe-sized pieces, each
// decoded at once (not one huge buffer, which would time page faults instead).
template<typename Reader, typename Sink>
void feedInPieces(Reader& reader, const std::vector<uint8_t>& bytes, Sink&& sink)
{
    constexpr size_t kPiece = 64 * 1024;
    for (size_t pos = 0; pos < bytes.size(); pos += kPiece) {
        reader.feed(bytes.data() + pos, std::min(kPiece, bytes.size() - pos));
        while (auto rec = reader.next())
            sink(*rec);
    }
}

// {"bench": name, key: value, ...} on stdout; values are numbers.
inline void result(const char* name, std::initializer_list<std::pair<const char*, double>> values)
{
    std::string line = std::string("{\"bench\": \"") + name + "\"";
    char buf[64];
    for (const auto& [key, value] : values) {
        std::snprintf(buf, sizeof(buf), "%.6g", value);
        line += std::string(", \"") + key + "\": " + buf;
    }
    std::printf("%s}\n", line.c_str());
    std::fflush(stdout);
}

} // namespace httptap::bench
