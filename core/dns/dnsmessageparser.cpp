// SPDX-License-Identifier: GPL-2.0-or-later
#include "dnsmessageparser.h"

#include <algorithm>

namespace httptap {

namespace {

constexpr size_t kHeaderSize = 12;
constexpr int kMaxNameBytes = 255; // RFC 1035 §2.3.4
constexpr uint16_t kClassIn = 1;

class Reader
{
public:
    Reader(const uint8_t* data, size_t size)
        : m_data(data)
        , m_size(size)
    {
    }

    size_t pos() const { return m_pos; }
    bool has(size_t n) const { return m_size - m_pos >= n; }

    uint16_t u16()
    {
        const uint16_t v = uint16_t(m_data[m_pos] << 8 | m_data[m_pos + 1]);
        m_pos += 2;
        return v;
    }

    void skip(size_t n) { m_pos += n; }
    const uint8_t* here() const { return m_data + m_pos; }

    // A possibly compressed name starting here; the reader moves past it (past
    // the first pointer, if any). nullopt if it is malformed or runs off the end.
    std::optional<QByteArray> name()
    {
        QByteArray out;
        size_t at = m_pos;
        size_t resumeAt = 0; // where the reader continues: after the first pointer
        size_t limit = m_pos; // a pointer must go strictly before the label that holds it
        for (;;) {
            if (at >= m_size)
                return std::nullopt;
            const uint8_t len = m_data[at];
            if ((len & 0xc0) == 0xc0) {
                if (at + 1 >= m_size)
                    return std::nullopt;
                const size_t target = size_t(len & 0x3f) << 8 | m_data[at + 1];
                if (!resumeAt)
                    resumeAt = at + 2;
                if (target >= limit)
                    return std::nullopt; // forward or self pointer: could loop
                limit = target;
                at = target;
                continue;
            }
            if (len & 0xc0)
                return std::nullopt; // extended label types (RFC 6891 obsoleted them)
            if (len == 0) {
                m_pos = resumeAt ? resumeAt : at + 1;
                return out;
            }
            if (at + 1 + len > m_size || out.size() + len + 1 > kMaxNameBytes)
                return std::nullopt;
            if (!out.isEmpty())
                out.append('.');
            out.append(reinterpret_cast<const char*>(m_data + at + 1), len);
            at += 1 + len;
        }
    }

private:
    const uint8_t* m_data;
    size_t m_size;
    size_t m_pos = 0;
};

} // namespace

std::optional<ParsedDnsMessage> parseDnsMessage(const uint8_t* data, size_t size)
{
    if (!data || size < kHeaderSize)
        return std::nullopt;
    Reader r(data, size);
    ParsedDnsMessage m;
    m.id = r.u16();
    const uint16_t flags = r.u16();
    m.response = flags & 0x8000;
    m.opcode = (flags >> 11) & 0xf;
    m.truncated = flags & 0x0200;
    m.rcode = flags & 0xf;
    const uint16_t qdcount = r.u16();
    const uint16_t ancount = r.u16();
    r.skip(4); // NSCOUNT, ARCOUNT: not needed
    if (qdcount == 0)
        return std::nullopt;

    auto question = r.name();
    if (!question || !r.has(4))
        return std::nullopt;
    m.name = question->toLower();
    m.qtype = r.u16();
    r.skip(2); // QCLASS
    // Further questions (never sent in practice) are skipped.
    for (int i = 1; i < qdcount; ++i) {
        if (!r.name() || !r.has(4)) {
            m.truncated = true;
            return m;
        }
        r.skip(4);
    }

    for (int i = 0; i < ancount && i < kMaxDnsAnswers; ++i) {
        const auto owner = r.name();
        if (!owner || !r.has(10)) {
            m.truncated = true;
            break;
        }
        const uint16_t type = r.u16();
        const uint16_t klass = r.u16();
        r.skip(4); // TTL
        const uint16_t rdlength = r.u16();
        if (!r.has(rdlength)) {
            m.truncated = true;
            break;
        }
        const size_t rdataEnd = r.pos() + rdlength;
        if (klass == kClassIn && type == kDnsTypeA && rdlength == 4) {
            DnsAddress a { 4, {} };
            std::copy(r.here(), r.here() + 4, a.addr.begin());
            m.addresses.append(a);
        } else if (klass == kClassIn && type == kDnsTypeAaaa && rdlength == 16) {
            DnsAddress a { 6, {} };
            std::copy(r.here(), r.here() + 16, a.addr.begin());
            m.addresses.append(a);
        } else if (type == kDnsTypeCname) {
            Reader target = r;
            if (const auto alias = target.name(); alias && target.pos() <= rdataEnd)
                m.aliases.append(alias->toLower());
        }
        r.skip(rdlength);
    }
    return m;
}

} // namespace httptap
