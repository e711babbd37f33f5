// SPDX-License-Identifier: GPL-2.0-or-later
#include "recordwriter.h"

#include <algorithm>
#include <cstring>

namespace httptap::record {

const char* sourceName(Source source)
{
    switch (source) {
    case Source::Syscall:
        return "plaintext";
    case Source::OpenSsl:
        return "openssl";
    case Source::GnuTls:
        return "gnutls";
    case Source::GoTls:
        return "go";
    }
    return "unknown";
}

std::string commToString(const std::array<char, kCommSize>& comm)
{
    const auto end = std::find(comm.begin(), comm.end(), '\0');
    return std::string(comm.begin(), end);
}

void RecordWriter::writeStreamHeader()
{
    putBytes(kMagic.data(), kMagic.size());
    put16(kVersion);
    put16(kStreamHeaderSize);
    put32(0);
}

std::vector<uint8_t> RecordWriter::take()
{
    std::vector<uint8_t> out;
    out.swap(m_buffer);
    return out;
}

size_t RecordWriter::beginRecord(RecordType type)
{
    const size_t start = m_buffer.size();
    put32(0); // patched by endRecord
    put16(static_cast<uint16_t>(type));
    put16(0);
    return start;
}

void RecordWriter::endRecord(size_t start)
{
    const auto size = static_cast<uint32_t>(m_buffer.size() - start);
    for (int i = 0; i < 4; ++i)
        m_buffer[start + i] = static_cast<uint8_t>(size >> (8 * i));
}

void RecordWriter::put8(uint8_t v)
{
    m_buffer.push_back(v);
}

void RecordWriter::put16(uint16_t v)
{
    for (int i = 0; i < 2; ++i)
        m_buffer.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void RecordWriter::put32(uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        m_buffer.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void RecordWriter::put64(uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        m_buffer.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void RecordWriter::putBytes(const void* data, size_t size)
{
    const auto* p = static_cast<const uint8_t*>(data);
    m_buffer.insert(m_buffer.end(), p, p + size);
}

void RecordWriter::write(const StreamStart& r)
{
    const size_t s = beginRecord(RecordType::StreamStart);
    put64(r.monotonicNs);
    put64(r.realtimeNs);
    put32(r.producerPid);
    putBytes(r.producer.data(), r.producer.size());
    endRecord(s);
}

void RecordWriter::write(const Data& r)
{
    writeData(r, r.payload.data(), static_cast<uint32_t>(r.payload.size()));
}

void RecordWriter::writeData(const Data& r, const uint8_t* payload, uint32_t payloadSize)
{
    const size_t s = beginRecord(RecordType::Data);
    put64(r.timestampNs);
    put64(r.connId);
    put64(r.streamOffset);
    put32(r.pid);
    put32(r.tid);
    put32(static_cast<uint32_t>(r.fd));
    put32(r.callSize);
    put8(static_cast<uint8_t>(r.direction));
    put8(static_cast<uint8_t>(r.source));
    put8(r.family);
    put8(r.flags);
    put16(r.local.port);
    put16(r.remote.port);
    putBytes(r.local.addr.data(), 16);
    putBytes(r.remote.addr.data(), 16);
    putBytes(r.comm.data(), kCommSize);
    putBytes(payload, payloadSize);
    endRecord(s);
}

void RecordWriter::write(const ConnClose& r)
{
    const size_t s = beginRecord(RecordType::ConnClose);
    put64(r.timestampNs);
    put64(r.connId);
    put32(r.pid);
    put32(static_cast<uint32_t>(r.fd));
    put32(r.flags);
    put8(r.family);
    put8(0);
    put16(r.local.port);
    put16(r.remote.port);
    put16(0);
    putBytes(r.local.addr.data(), 16);
    putBytes(r.remote.addr.data(), 16);
    endRecord(s);
}

void RecordWriter::write(const Process& r)
{
    const size_t s = beginRecord(RecordType::Process);
    put64(r.timestampNs);
    put32(static_cast<uint32_t>(r.kind));
    put32(r.pid);
    put32(r.parentPid);
    put32(static_cast<uint32_t>(r.exitCode));
    putBytes(r.comm.data(), kCommSize);
    putBytes(r.filename.data(), r.filename.size());
    endRecord(s);
}

void RecordWriter::write(const Lost& r)
{
    const size_t s = beginRecord(RecordType::Lost);
    put64(r.timestampNs);
    put64(r.lostRecords);
    endRecord(s);
}

void RecordWriter::write(const Notice& r)
{
    const size_t s = beginRecord(RecordType::Notice);
    put64(r.timestampNs);
    put32(static_cast<uint32_t>(r.level));
    put32(r.pid);
    putBytes(r.text.data(), std::min<size_t>(r.text.size(), kMaxRecordSize / 2));
    endRecord(s);
}

void RecordWriter::write(const LibraryAttached& r)
{
    const size_t s = beginRecord(RecordType::LibraryAttached);
    put64(r.timestampNs);
    put32(r.pid);
    put8(static_cast<uint8_t>(r.source));
    put8(0);
    put16(0);
    putBytes(r.path.data(), std::min<size_t>(r.path.size(), 4096));
    endRecord(s);
}

void RecordWriter::write(const Ready& r)
{
    const size_t s = beginRecord(RecordType::Ready);
    put64(r.timestampNs);
    endRecord(s);
}

void RecordWriter::write(const StreamEnd& r)
{
    const size_t s = beginRecord(RecordType::StreamEnd);
    put64(r.timestampNs);
    endRecord(s);
}

void RecordWriter::write(const ConnPhase& r)
{
    const size_t s = beginRecord(RecordType::ConnPhase);
    put64(r.connId);
    put32(r.pid);
    put8(static_cast<uint8_t>(r.phase));
    put8(0);
    put16(0);
    put64(r.startNs);
    put64(r.endNs);
    endRecord(s);
}

void RecordWriter::write(const DnsMessage& r)
{
    const size_t s = beginRecord(RecordType::DnsMessage);
    put64(r.timestampNs);
    put32(r.pid);
    put32(r.tid);
    put8(static_cast<uint8_t>(r.direction));
    put8(r.family);
    put16(0);
    put32(r.messageSize);
    put16(r.local.port);
    put16(r.remote.port);
    putBytes(r.local.addr.data(), r.local.addr.size());
    putBytes(r.remote.addr.data(), r.remote.addr.size());
    putBytes(r.payload.data(), std::min<size_t>(r.payload.size(), kMaxDnsPayload));
    endRecord(s);
}

void RecordWriter::write(const Stack& r)
{
    const size_t s = beginRecord(RecordType::Stack);
    const uint32_t n = static_cast<uint32_t>(std::min(r.frames.size(), kMaxStackFrames));
    put64(r.timestampNs);
    put64(r.connId);
    put64(r.streamOffset);
    put32(r.pid);
    put32(r.tid);
    put8(static_cast<uint8_t>(r.source));
    put8(r.flags);
    put16(0);
    put32(n);
    put64(r.caller);
    putBytes(r.comm.data(), kCommSize);
    for (uint32_t i = 0; i < n; ++i)
        put64(r.frames[i]);
    endRecord(s);
}

void RecordWriter::write(const ModuleMap& r)
{
    const size_t s = beginRecord(RecordType::ModuleMap);
    const uint32_t n = static_cast<uint32_t>(std::min(r.mappings.size(), kMaxModuleMappings));
    put64(r.timestampNs);
    put32(r.pid);
    put32(n);
    for (uint32_t i = 0; i < n; ++i) {
        const ModuleMapping& m = r.mappings[i];
        const auto pathSize = static_cast<uint16_t>(std::min(m.path.size(), kMaxModulePath));
        put64(m.start);
        put64(m.end);
        put64(m.fileOffset);
        put64(m.device);
        put64(m.inode);
        put16(pathSize);
        putBytes(m.path.data(), pathSize);
    }
    endRecord(s);
}

} // namespace httptap::record
