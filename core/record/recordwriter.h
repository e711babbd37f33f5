// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Encodes records into the capture stream format (recordformat.h). The writer
// only appends to an in-memory buffer; the owner decides when and where to
// flush it (a pipe, a D-Bus-passed fd, a file), so encoding never blocks.

#include "recordformat.h"

#include <cstdint>
#include <vector>

namespace httptap::record {

class RecordWriter
{
public:
    // Appends the stream header; call once before any record.
    void writeStreamHeader();

    void write(const StreamStart& r);
    void write(const Data& r);
    // Same as write(Data) but with the payload given separately, so the helper
    // can encode straight from the kernel's buffer without a copy.
    void writeData(const Data& header, const uint8_t* payload, uint32_t payloadSize);
    void write(const ConnClose& r);
    void write(const Process& r);
    void write(const Lost& r);
    void write(const Notice& r);
    void write(const LibraryAttached& r);
    void write(const Ready& r);
    void write(const StreamEnd& r);
    void write(const ConnPhase& r);
    void write(const DnsMessage& r);
    // Frames beyond kMaxStackFrames and mappings beyond kMaxModuleMappings are dropped, paths cut at kMaxModulePath.
    void write(const Stack& r);
    void write(const ModuleMap& r);

    const std::vector<uint8_t>& buffer() const { return m_buffer; }
    std::vector<uint8_t> take();
    void clear() { m_buffer.clear(); }

private:
    size_t beginRecord(RecordType type);
    void endRecord(size_t start);
    void put8(uint8_t v);
    void put16(uint16_t v);
    void put32(uint32_t v);
    void put64(uint64_t v);
    void putBytes(const void* data, size_t size);

    std::vector<uint8_t> m_buffer;
};

} // namespace httptap::record
