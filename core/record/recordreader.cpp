// SPDX-License-Identifier: GPL-2.0-or-later
#include "recordreader.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace httptap::record {

namespace {

// Bounds-checked little-endian cursor over one record body.
class Cursor
{
public:
    Cursor(const uint8_t* data, size_t size)
        : m_data(data)
        , m_size(size)
    {
    }

    bool ok() const { return m_ok; }
    size_t remaining() const { return m_ok ? m_size - m_pos : 0; }

    uint8_t u8() { return take<uint8_t>(); }
    uint16_t u16() { return take<uint16_t>(); }
    uint32_t u32() { return take<uint32_t>(); }
    uint64_t u64() { return take<uint64_t>(); }

    template<size_t N>
    void bytes(std::array<uint8_t, N>& out) { raw(out.data(), N); }
    template<size_t N>
    void chars(std::array<char, N>& out) { raw(out.data(), N); }

    std::string rest()
    {
        if (!m_ok)
            return {};
        std::string s(reinterpret_cast<const char*>(m_data + m_pos), m_size - m_pos);
        m_pos = m_size;
        return s;
    }

    std::string string(size_t n)
    {
        if (!m_ok || m_size - m_pos < n) {
            m_ok = false;
            return {};
        }
        std::string s(reinterpret_cast<const char*>(m_data + m_pos), n);
        m_pos += n;
        return s;
    }

    std::vector<uint8_t> restBytes()
    {
        if (!m_ok)
            return {};
        std::vector<uint8_t> v(m_data + m_pos, m_data + m_size);
        m_pos = m_size;
        return v;
    }

    // The rest of the body, not copied.
    Payload restView()
    {
        if (!m_ok)
            return {};
        Payload v = Payload::view(m_data + m_pos, m_size - m_pos);
        m_pos = m_size;
        return v;
    }

private:
    // Little-endian on the wire; on a little-endian host one load (a dozen fields per record).
    template<typename T>
    T take()
    {
        if (!m_ok || m_size - m_pos < sizeof(T)) {
            m_ok = false;
            return 0;
        }
        T v = 0;
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(&v, m_data + m_pos, sizeof(T));
        } else {
            for (size_t i = 0; i < sizeof(T); ++i)
                v |= T(T(m_data[m_pos + i]) << (8 * i));
        }
        m_pos += sizeof(T);
        return v;
    }

    void raw(void* out, size_t n)
    {
        if (!m_ok || m_size - m_pos < n) {
            m_ok = false;
            return;
        }
        std::memcpy(out, m_data + m_pos, n);
        m_pos += n;
    }

    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos = 0;
    bool m_ok = true;
};

} // namespace

std::optional<Record> decodeRecord(RecordType type, const uint8_t* body, size_t size, std::string* error)
{
    Cursor c(body, size);
    auto finish = [&](auto&& rec, const char* name) -> std::optional<Record> {
        if (!c.ok()) {
            if (error)
                *error = std::string(name) + " record is shorter than its fixed fields";
            return std::nullopt;
        }
        return Record(std::move(rec));
    };

    switch (type) {
    case RecordType::StreamStart: {
        StreamStart r;
        r.monotonicNs = c.u64();
        r.realtimeNs = c.u64();
        r.producerPid = c.u32();
        r.producer = c.rest();
        return finish(std::move(r), "stream-start");
    }
    case RecordType::Data: {
        Data r;
        r.timestampNs = c.u64();
        r.connId = c.u64();
        r.streamOffset = c.u64();
        r.pid = c.u32();
        r.tid = c.u32();
        r.fd = static_cast<int32_t>(c.u32());
        r.callSize = c.u32();
        const uint8_t dir = c.u8();
        const uint8_t src = c.u8();
        r.family = c.u8();
        r.flags = c.u8();
        r.local.port = c.u16();
        r.remote.port = c.u16();
        c.bytes(r.local.addr);
        c.bytes(r.remote.addr);
        c.chars(r.comm);
        if (c.ok() && dir > 1) {
            if (error)
                *error = "data record has an invalid direction " + std::to_string(dir);
            return std::nullopt;
        }
        if (c.ok() && src > static_cast<uint8_t>(Source::GoTls)) {
            if (error)
                *error = "data record has an unknown source " + std::to_string(src);
            return std::nullopt;
        }
        r.direction = static_cast<Direction>(dir);
        r.source = static_cast<Source>(src);
        r.payload = c.restView();
        return finish(std::move(r), "data");
    }
    case RecordType::ConnClose: {
        ConnClose r;
        r.timestampNs = c.u64();
        r.connId = c.u64();
        r.pid = c.u32();
        r.fd = static_cast<int32_t>(c.u32());
        if (c.ok() && c.remaining() >= 44) { // fields appended later; older records end here
            r.flags = c.u32();
            r.family = c.u8();
            c.u8();
            r.local.port = c.u16();
            r.remote.port = c.u16();
            c.u16();
            c.bytes(r.local.addr);
            c.bytes(r.remote.addr);
        }
        return finish(std::move(r), "conn-close");
    }
    case RecordType::Process: {
        Process r;
        r.timestampNs = c.u64();
        const uint32_t kind = c.u32();
        r.pid = c.u32();
        r.parentPid = c.u32();
        r.exitCode = static_cast<int32_t>(c.u32());
        c.chars(r.comm);
        r.filename = c.rest();
        if (c.ok() && (kind < 1 || kind > 3)) {
            if (error)
                *error = "process record has an unknown kind " + std::to_string(kind);
            return std::nullopt;
        }
        r.kind = static_cast<ProcessEventKind>(kind);
        return finish(std::move(r), "process");
    }
    case RecordType::Lost: {
        Lost r;
        r.timestampNs = c.u64();
        r.lostRecords = c.u64();
        return finish(std::move(r), "lost");
    }
    case RecordType::Notice: {
        Notice r;
        r.timestampNs = c.u64();
        r.level = static_cast<NoticeLevel>(std::min<uint32_t>(c.u32(), 2));
        r.pid = c.u32();
        r.text = c.rest();
        return finish(std::move(r), "notice");
    }
    case RecordType::LibraryAttached: {
        LibraryAttached r;
        r.timestampNs = c.u64();
        r.pid = c.u32();
        const uint8_t src = c.u8();
        c.u8();
        c.u16();
        r.source = static_cast<Source>(std::min<uint8_t>(src, static_cast<uint8_t>(Source::GoTls)));
        r.path = c.rest();
        return finish(std::move(r), "library");
    }
    case RecordType::Ready: {
        Ready r;
        r.timestampNs = c.u64();
        return finish(std::move(r), "ready");
    }
    case RecordType::StreamEnd: {
        StreamEnd r;
        r.timestampNs = c.u64();
        return finish(std::move(r), "stream-end");
    }
    case RecordType::ConnPhase: {
        ConnPhase r;
        r.connId = c.u64();
        r.pid = c.u32();
        const uint8_t phase = c.u8();
        c.u8();
        c.u16();
        r.startNs = c.u64();
        r.endNs = c.u64();
        if (c.ok() && (phase < 1 || phase > static_cast<uint8_t>(ConnPhaseKind::TlsHandshake))) {
            if (error)
                error->clear(); // a phase this reader does not know: skipped like an unknown record
            return std::nullopt;
        }
        if (c.ok() && r.endNs < r.startNs) {
            if (error)
                *error = "conn-phase record ends before it starts";
            return std::nullopt;
        }
        r.phase = static_cast<ConnPhaseKind>(phase);
        return finish(std::move(r), "conn-phase");
    }
    case RecordType::DnsMessage: {
        DnsMessage r;
        r.timestampNs = c.u64();
        r.pid = c.u32();
        r.tid = c.u32();
        const uint8_t dir = c.u8();
        r.family = c.u8();
        c.u16();
        r.messageSize = c.u32();
        r.local.port = c.u16();
        r.remote.port = c.u16();
        c.bytes(r.local.addr);
        c.bytes(r.remote.addr);
        if (c.ok() && dir > 1) {
            if (error)
                *error = "dns record has an invalid direction " + std::to_string(dir);
            return std::nullopt;
        }
        if (c.ok() && (c.remaining() > kMaxDnsPayload || c.remaining() > r.messageSize)) {
            if (error)
                *error = "dns record carries more bytes than its message";
            return std::nullopt;
        }
        r.direction = static_cast<Direction>(dir);
        r.payload = c.restBytes();
        return finish(std::move(r), "dns");
    }
    case RecordType::Stack: {
        Stack r;
        r.timestampNs = c.u64();
        r.connId = c.u64();
        r.streamOffset = c.u64();
        r.pid = c.u32();
        r.tid = c.u32();
        const uint8_t src = c.u8();
        r.flags = c.u8();
        c.u16();
        const uint32_t n = c.u32();
        r.caller = c.u64();
        c.chars(r.comm);
        if (c.ok() && src > static_cast<uint8_t>(Source::GoTls)) {
            if (error)
                *error = "stack record has an unknown source " + std::to_string(src);
            return std::nullopt;
        }
        if (c.ok() && (n > kMaxStackFrames || c.remaining() != size_t(n) * 8)) {
            if (error)
                *error = "stack record has " + std::to_string(c.remaining()) + " bytes for " + std::to_string(n)
                    + " frames (at most " + std::to_string(kMaxStackFrames) + ")";
            return std::nullopt;
        }
        r.source = static_cast<Source>(src);
        r.frames.reserve(c.ok() ? n : 0); // n is checked only when the fixed fields were all there
        for (uint32_t i = 0; c.ok() && i < n; ++i)
            r.frames.push_back(c.u64());
        return finish(std::move(r), "stack");
    }
    case RecordType::ModuleMap: {
        ModuleMap r;
        r.timestampNs = c.u64();
        r.pid = c.u32();
        const uint32_t n = c.u32();
        if (c.ok() && n > kMaxModuleMappings) {
            if (error)
                *error = "module-map record lists " + std::to_string(n) + " mappings (at most "
                    + std::to_string(kMaxModuleMappings) + ")";
            return std::nullopt;
        }
        r.mappings.reserve(c.ok() ? n : 0);
        for (uint32_t i = 0; c.ok() && i < n; ++i) {
            ModuleMapping m;
            m.start = c.u64();
            m.end = c.u64();
            m.fileOffset = c.u64();
            m.device = c.u64();
            m.inode = c.u64();
            const uint16_t pathSize = c.u16();
            if (c.ok() && pathSize > kMaxModulePath) {
                if (error)
                    *error = "module-map record has a path of " + std::to_string(pathSize) + " bytes";
                return std::nullopt;
            }
            m.path = c.string(pathSize);
            if (c.ok() && m.end <= m.start) {
                if (error)
                    *error = "module-map record has a mapping that ends before it starts";
                return std::nullopt;
            }
            r.mappings.push_back(std::move(m));
        }
        if (c.ok() && c.remaining() != 0) {
            if (error)
                *error = "module-map record has bytes after its mappings";
            return std::nullopt;
        }
        return finish(std::move(r), "module-map");
    }
    }
    if (error)
        error->clear();
    return std::nullopt;
}

Record& own(Record& record)
{
    if (auto* data = std::get_if<Data>(&record))
        data->payload.own();
    return record;
}

void RecordReader::fail(std::string message)
{
    m_state = State::Error;
    m_error = "corrupt capture stream at byte " + std::to_string(m_consumed) + ": " + std::move(message);
}

void RecordReader::compact()
{
    // Drop decoded bytes once they dominate the buffer, keeping appends amortized O(1).
    if (m_pos > 0 && (m_pos >= m_buffer.size() / 2 || m_pos > (1u << 20))) {
        m_buffer.erase(m_buffer.begin(), m_buffer.begin() + static_cast<ptrdiff_t>(m_pos));
        m_pos = 0;
    }
}

void RecordReader::releaseInput()
{
    m_input = nullptr;
    m_inputSize = 0;
    m_inputPos = 0;
}

// How many more bytes the buffered stream header or record needs to be whole (0 when it is,
// when nothing is buffered, or when its size field is invalid: next() reports that).
size_t RecordReader::missingBytes() const
{
    const size_t avail = m_buffer.size() - m_pos;
    if (avail == 0)
        return 0;
    const uint8_t* p = m_buffer.data() + m_pos;
    if (m_state == State::NeedHeader) {
        if (avail < kStreamHeaderSize)
            return kStreamHeaderSize - avail;
        const uint16_t headerSize = uint16_t(p[10] | (p[11] << 8));
        return headerSize > avail && headerSize <= 4096 ? headerSize - avail : 0;
    }
    if (avail < kRecordHeaderSize)
        return kRecordHeaderSize - avail;
    const uint32_t size = uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
    return size > avail && size <= kMaxRecordSize ? size - avail : 0;
}

void RecordReader::feed(const uint8_t* data, size_t size)
{
    if (m_state == State::Error || size == 0)
        return;
    if (m_inputPos < m_inputSize) {
        // Fed again before next() ran out: the rest of the last piece is still valid (the
        // contract); keep it and this whole piece.
        compact();
        m_buffer.insert(m_buffer.end(), m_input + m_inputPos, m_input + m_inputSize);
        m_buffer.insert(m_buffer.end(), data, data + size);
        releaseInput();
        return;
    }
    releaseInput();
    if (m_pos == m_buffer.size()) {
        m_buffer.clear(); // capacity kept for the next cut record
        m_pos = 0;
    }
    // A record cut at the end of the last piece: copy only the bytes that complete it
    // (its 8-byte header first, then the rest its size asks for), then borrow the rest.
    size_t taken = 0;
    while (taken < size) {
        const size_t missing = missingBytes();
        if (missing == 0)
            break;
        const size_t n = std::min(missing, size - taken);
        m_buffer.insert(m_buffer.end(), data + taken, data + taken + n);
        taken += n;
    }
    m_input = data + taken;
    m_inputSize = size - taken;
}

std::optional<Record> RecordReader::decodeAt(const uint8_t* p, size_t avail, Step& step, size_t& used)
{
    step = Step::NeedMore;
    if (m_state == State::NeedHeader) {
        if (avail < kStreamHeaderSize) {
            // Reject a wrong magic as early as possible so "not a capture file" is immediate.
            if (avail > 0 && std::memcmp(p, kMagic.data(), std::min(avail, kMagic.size())) != 0) {
                fail("not an httptap capture stream (bad magic)");
                step = Step::Failed;
            }
            return std::nullopt;
        }
        step = Step::Failed;
        if (std::memcmp(p, kMagic.data(), kMagic.size()) != 0) {
            fail("not an httptap capture stream (bad magic)");
            return std::nullopt;
        }
        const uint16_t version = uint16_t(p[8] | (p[9] << 8));
        const uint16_t headerSize = uint16_t(p[10] | (p[11] << 8));
        if (version != kVersion) {
            fail("unsupported stream version " + std::to_string(version) + " (this build reads version "
                + std::to_string(kVersion) + ")");
            return std::nullopt;
        }
        if (headerSize < kStreamHeaderSize || headerSize > 4096) {
            fail("invalid stream header size " + std::to_string(headerSize));
            return std::nullopt;
        }
        step = Step::NeedMore;
        if (avail < headerSize)
            return std::nullopt;
        m_version = version;
        m_state = State::Records;
        used = headerSize;
        step = Step::Skipped;
        return std::nullopt;
    }

    if (avail < kRecordHeaderSize)
        return std::nullopt;
    const uint32_t size = uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
    const auto type = static_cast<RecordType>(uint16_t(p[4] | (p[5] << 8)));
    if (size < kRecordHeaderSize || size > kMaxRecordSize) {
        fail("record size " + std::to_string(size) + " is outside 8.." + std::to_string(kMaxRecordSize));
        step = Step::Failed;
        return std::nullopt;
    }
    if (avail < size)
        return std::nullopt;

    std::string error;
    auto rec = decodeRecord(type, p + kRecordHeaderSize, size - kRecordHeaderSize, &error);
    if (!rec && !error.empty()) {
        fail(error);
        step = Step::Failed;
        return std::nullopt;
    }
    used = size;
    if (!rec) {
        ++m_skipped; // unknown type from a newer producer
        step = Step::Skipped;
        return std::nullopt;
    }
    step = Step::Record;
    return rec;
}

std::optional<Record> RecordReader::next()
{
    for (;;) {
        if (m_state == State::Error)
            return std::nullopt;
        const bool buffered = m_pos < m_buffer.size();
        if (!buffered && !m_buffer.empty()) {
            m_buffer.clear(); // the view of its last record expires with this call
            m_pos = 0;
        }
        const uint8_t* p = buffered ? m_buffer.data() + m_pos : m_input + m_inputPos;
        const size_t avail = buffered ? m_buffer.size() - m_pos : m_inputSize - m_inputPos;
        Step step = Step::NeedMore;
        size_t used = 0;
        auto rec = decodeAt(p, avail, step, used);
        switch (step) {
        case Step::Failed:
            return std::nullopt;
        case Step::NeedMore:
            if (buffered) {
                if (m_inputPos == m_inputSize)
                    return std::nullopt;
                // The buffered record goes on in the borrowed bytes (fed twice without running
                // next() out, or its size field was bad): decode on from one buffer.
                m_buffer.insert(m_buffer.end(), m_input + m_inputPos, m_input + m_inputSize);
                releaseInput();
                continue;
            }
            // Keep the cut record: the caller may reuse its buffer once next() returns nullopt.
            m_buffer.assign(p, p + avail);
            m_pos = 0;
            releaseInput();
            return std::nullopt;
        case Step::Skipped:
        case Step::Record:
            (buffered ? m_pos : m_inputPos) += used;
            m_consumed += used;
            if (step == Step::Record)
                return rec;
            continue;
        }
    }
}

} // namespace httptap::record
