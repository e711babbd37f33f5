// SPDX-License-Identifier: GPL-2.0-or-later
#include "fuzzops.h"

#include <algorithm>
#include <cstring>

namespace httptap::fuzz {

namespace {

constexpr size_t kConnections = 4;

class Cursor
{
public:
    Cursor(const uint8_t* data, size_t size)
        : m_data(data)
        , m_size(size)
    {
    }
    bool atEnd() const { return m_pos >= m_size; }
    uint8_t u8() { return atEnd() ? 0 : m_data[m_pos++]; }
    uint16_t u16()
    {
        const uint16_t lo = u8();
        return static_cast<uint16_t>(lo | u8() << 8);
    }
    // Up to n bytes: fewer when the input ends first.
    std::vector<uint8_t> bytes(size_t n)
    {
        n = std::min(n, m_size - std::min(m_pos, m_size));
        std::vector<uint8_t> out(m_data + m_pos, m_data + m_pos + n);
        m_pos += n;
        return out;
    }

private:
    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos = 0;
};

struct Conn {
    uint64_t offsets[2] = { 0, 0 };
};

record::Data dataRecord(size_t index, uint64_t now, uint8_t c)
{
    record::Data d;
    d.timestampNs = now;
    d.connId = 100 + index;
    d.pid = 1000 + static_cast<uint32_t>(index / 2); // two connections per process: pid events hit both
    d.tid = d.pid;
    d.fd = 3 + static_cast<int32_t>(index);
    d.direction = (c >> 2 & 1) ? record::Direction::Ingress : record::Direction::Egress;
    d.source = (c >> 6 & 1) ? record::Source::OpenSsl : record::Source::Syscall;
    d.family = index == 3 ? 6 : 4;
    if (d.family == 4)
        d.local.addr = d.remote.addr = { 127, 0, 0, 1 };
    else
        d.local.addr[15] = d.remote.addr[15] = 1;
    d.local.port = static_cast<uint16_t>(40000 + index);
    d.remote.port = index == 1 ? 443 : 8080;
    std::memcpy(d.comm.data(), "fuzz", 4);
    return d;
}

} // namespace

std::vector<record::Record> decodeOps(const uint8_t* data, size_t size)
{
    std::vector<record::Record> records;
    if (size >= record::kMagic.size() && std::memcmp(data, record::kMagic.data(), record::kMagic.size()) == 0) {
        record::RecordReader reader;
        reader.feed(data, size);
        while (auto r = reader.next())
            records.push_back(std::move(record::own(*r))); // kept past the next next()
        return records;
    }

    Cursor in(data, size);
    Conn conns[kConnections];
    uint64_t now = 1'000'000'000;
    uint64_t lost = 0;
    while (!in.atEnd()) {
        const uint8_t c = in.u8();
        const size_t index = c >> 3 & 3;
        Conn& conn = conns[index];
        now += 1000;
        switch (c & 3) {
        case 0:
        case 1: {
            record::Data d = dataRecord(index, now, c);
            uint64_t& offset = conn.offsets[static_cast<int>(d.direction)];
            if ((c & 3) == 1)
                offset += uint64_t(in.u8()) * 16;
            d.payload = in.bytes(in.u16());
            d.streamOffset = offset;
            d.callSize = static_cast<uint32_t>(d.payload.size());
            if (c >> 5 & 1) {
                d.flags = record::kDataCallTruncated;
                d.callSize += 64;
            }
            offset += d.callSize;
            records.push_back(std::move(d));
            break;
        }
        case 2: {
            record::ConnClose close;
            close.timestampNs = now;
            close.connId = 100 + index;
            close.pid = 1000 + static_cast<uint32_t>(index / 2);
            close.fd = 3 + static_cast<int32_t>(index);
            records.push_back(close);
            break;
        }
        default: {
            const int what = c >> 2 & 3;
            if (what == 0) {
                record::Lost l;
                l.timestampNs = now;
                lost += in.u8();
                l.lostRecords = lost;
                records.push_back(l);
                break;
            }
            record::Process p;
            p.timestampNs = now;
            p.pid = 1000 + static_cast<uint32_t>(index / 2);
            p.kind = what == 1 ? record::ProcessEventKind::Exit
                : what == 2    ? record::ProcessEventKind::Exec
                               : record::ProcessEventKind::Fork;
            p.parentPid = p.kind == record::ProcessEventKind::Fork ? 1 : 0;
            p.filename = "/usr/bin/fuzz";
            records.push_back(std::move(p));
            break;
        }
        }
    }
    return records;
}

} // namespace httptap::fuzz
