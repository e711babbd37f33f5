// SPDX-License-Identifier: GPL-2.0-or-later
#include "hpackdecoder.h"

#include "hpackhuffman.h"
#include "hpackinteger.h"
#include "http/headerlist.h"
#include "http/headertext.h"
#include "http/recenttexts.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace httptap {

namespace {

// Placeholders are literal fields with an empty name and value, the smallest entries HPACK
// has (32 bytes of overhead each), so kMaxTableSize / 32 of them cover every index a table of
// that size can hold. No real field has an empty name.
constexpr uint32_t kPlaceholderCount = HpackDecoder::kMaxTableSize / 32;

const std::vector<uint8_t>& primingBlock()
{
    static const std::vector<uint8_t> block = [] {
        std::vector<uint8_t> b;
        // Dynamic table size update to kMaxTableSize (5-bit prefix integer).
        b.push_back(0x3f);
        uint32_t v = HpackDecoder::kMaxTableSize - 31;
        while (v >= 128) {
            b.push_back(uint8_t((v & 0x7f) | 0x80));
            v >>= 7;
        }
        b.push_back(uint8_t(v));
        for (uint32_t i = 0; i < kPlaceholderCount; ++i) {
            b.push_back(0x40); // literal with incremental indexing, new name
            b.push_back(0x00); // name length 0
            b.push_back(0x00); // value length 0
        }
        return b;
    }();
    return block;
}

// Addresses of the texts an inflater hands out for the 61 static table entries (RFC 7541
// Appendix A), names and values in turn.
std::vector<const uint8_t*> staticTextAddresses(nghttp2_hd_inflater* inflater)
{
    std::vector<uint8_t> block;
    for (uint8_t index = 1; index <= 61; ++index)
        block.push_back(uint8_t(0x80 | index)); // indexed field
    std::vector<const uint8_t*> at;
    const uint8_t* in = block.data();
    size_t left = block.size();
    while (left > 0) {
        nghttp2_nv nv;
        int flags = 0;
        const ssize_t n = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, left, 1);
        if (n < 0)
            return {};
        in += n;
        left -= size_t(n);
        if (flags & NGHTTP2_HD_INFLATE_EMIT) {
            at.push_back(nv.name);
            at.push_back(nv.name + nv.namelen);
            at.push_back(nv.value);
            at.push_back(nv.value + nv.valuelen);
        }
        if (flags & NGHTTP2_HD_INFLATE_FINAL)
            break;
    }
    nghttp2_hd_inflate_end_headers(inflater);
    return at;
}

// Where nghttp2 keeps the static table's texts: an indexed static field points there, and those
// bytes never change, so a text seen at such an address before is the same text again without
// comparing. Found once: both of two inflaters must hand out the same addresses, lying close
// together (library storage, not per-inflater copies); otherwise the range stays empty.
HpackDecoder::StaticRange staticRange()
{
    using StaticRange = HpackDecoder::StaticRange;
    static const StaticRange range = [] {
        nghttp2_hd_inflater* first = nullptr;
        nghttp2_hd_inflater* second = nullptr;
        StaticRange r;
        if (nghttp2_hd_inflate_new(&first) == 0 && nghttp2_hd_inflate_new(&second) == 0) {
            const std::vector<const uint8_t*> a = staticTextAddresses(first);
            const std::vector<const uint8_t*> b = staticTextAddresses(second);
            if (a.size() == 61 * 4 && a == b) {
                const auto [lo, hi] = std::minmax_element(a.begin(), a.end());
                if (*hi - *lo < 4096)
                    r = StaticRange { uintptr_t(*lo), uintptr_t(*hi) };
            }
        }
        nghttp2_hd_inflate_del(first);
        nghttp2_hd_inflate_del(second);
        return r;
    }();
    return range;
}

// The static table's names by index (1–61; [0] empty), taken from nghttp2 once: a literal named
// by a static index is read without the inflater (readLiteral).
const std::array<QByteArray, 62>& staticNames()
{
    static const std::array<QByteArray, 62> names = [] {
        std::array<QByteArray, 62> out;
        nghttp2_hd_inflater* inflater = nullptr;
        if (nghttp2_hd_inflate_new(&inflater) != 0)
            return out;
        for (uint8_t index = 1; index <= 61; ++index) {
            const uint8_t field = uint8_t(0x80 | index);
            nghttp2_nv nv;
            int flags = 0;
            if (nghttp2_hd_inflate_hd2(inflater, &nv, &flags, &field, 1, 1) == 1 && (flags & NGHTTP2_HD_INFLATE_EMIT))
                out[index] = headerText(reinterpret_cast<const char*>(nv.name), nv.namelen);
            nghttp2_hd_inflate_end_headers(inflater);
        }
        nghttp2_hd_inflate_del(inflater);
        return out;
    }();
    return names;
}

// HPACK hands out bytes as uint8_t; the shared comparison (headertext.h) takes chars.
bool sameBytes(const char* a, const uint8_t* b, size_t n)
{
    return httptap::sameBytes(a, reinterpret_cast<const char*>(b), n);
}

} // namespace

const QByteArray HpackDecoder::kUnknownName = QByteArrayLiteral("<unknown>");
const QByteArray HpackDecoder::kUnknownValue = QByteArrayLiteral("<unknown>");

HpackDecoder::HpackDecoder(bool tableKnown)
    : m_static(staticRange())
{
    reset(tableKnown);
}

HpackDecoder::~HpackDecoder()
{
    nghttp2_hd_inflate_del(m_inflater);
}

void HpackDecoder::reset(bool known)
{
    m_blocks.tableChanged();
    if (m_inflater)
        nghttp2_hd_inflate_del(m_inflater);
    m_inflater = nullptr;
    m_tableKnown = known;
    if (nghttp2_hd_inflate_new(&m_inflater) != 0) {
        m_inflater = nullptr; // out of memory: decode() reports every block as failed
        return;
    }
    // We are an observer: accept any table size up to our cap whatever the SETTINGS said
    // (a SETTINGS frame may have been missed), so a size update never fails a block.
    nghttp2_hd_inflate_change_table_size(m_inflater, kMaxTableSize);
    if (known)
        return;
    const std::vector<uint8_t>& block = primingBlock();
    const uint8_t* in = block.data();
    size_t left = block.size();
    for (;;) {
        nghttp2_nv nv;
        int flags = 0;
        const ssize_t n = nghttp2_hd_inflate_hd2(m_inflater, &nv, &flags, in, left, 1);
        if (n < 0)
            break;
        in += n;
        left -= size_t(n);
        if (flags & NGHTTP2_HD_INFLATE_FINAL)
            break;
        if (left == 0 && !(flags & NGHTTP2_HD_INFLATE_EMIT))
            break;
    }
    nghttp2_hd_inflate_end_headers(m_inflater);
}

void HpackDecoder::invalidate() { reset(false); }

// The hit path is small enough to inline into decode(); a miss goes out of line.
inline QByteArray HpackDecoder::text(const uint8_t* at, size_t size)
{
    Seen& seen = m_seen[((reinterpret_cast<uintptr_t>(at) ^ size) * 0x9e3779b97f4a7c15ull) >> 58]; // 64 slots
    if (seen.at == at && size_t(seen.text.size()) == size
        && ((uintptr_t(at) >= m_static.begin && uintptr_t(at) + size <= m_static.end)
            || sameBytes(seen.text.constData(), at, size)))
        return seen.text;
    return remember(seen, at, size);
}

QByteArray HpackDecoder::remember(Seen& seen, const uint8_t* at, size_t size)
{
    seen.at = at;
    seen.text = m_recent.text(reinterpret_cast<const char*>(at), size);
    return seen.text;
}

size_t HpackDecoder::readLiteral(const uint8_t* in, size_t size, uint64_t generation, Literal& out)
{
    size_t pos = 0, nameIndex = 0;
    if (!hpack::readInteger(in, size, pos, 0x0f, nameIndex))
        return 0;
    // A string literal (5.2): where its octets lie, and whether they are Huffman-coded.
    struct String {
        const uint8_t* at = nullptr;
        size_t size = 0;
        bool huffman = false;
    };
    auto readString = [&](String& s) {
        if (pos >= size)
            return false;
        s.huffman = in[pos] & 0x80;
        if (!hpack::readInteger(in, size, pos, 0x7f, s.size) || s.size > size - pos)
            return false;
        s.at = in + pos;
        pos += s.size;
        return true;
    };
    String name, value;
    const QByteArray* known = nullptr;
    if (nameIndex == 0) {
        if (!readString(name) || name.size == 0)
            return 0;
    } else if (nameIndex <= 61) {
        known = &staticNames()[nameIndex];
    } else if (nameIndex < kIndexedFields && m_indexed && (*m_indexed)[nameIndex].generation == generation) {
        known = &(*m_indexed)[nameIndex].field.name;
    } else {
        return 0;
    }
    if (known && known->isEmpty())
        return 0;
    if (!readString(value))
        return 0;
    const size_t nameRoom = name.huffman ? hpack::huffmanDecodedBound(name.size) : 0;
    const size_t valueRoom = value.huffman ? hpack::huffmanDecodedBound(value.size) : 0;
    if (nameRoom + valueRoom > kMaxLiteralText)
        return 0; // the scratch buffer stays small for the connection's life; the inflater reads long ones
    if (nameRoom + valueRoom > m_literalText.size())
        m_literalText.resize(nameRoom + valueRoom);
    auto decoded = [&](const String& s, char* room, const uint8_t*& at, size_t& n) {
        if (!s.huffman) {
            at = s.at;
            n = s.size;
            return true;
        }
        const std::ptrdiff_t length = hpack::huffmanDecode(s.at, s.size, room);
        at = reinterpret_cast<const uint8_t*>(room);
        n = size_t(length);
        return length >= 0;
    };
    out.knownName = known;
    if (known) {
        out.name = reinterpret_cast<const uint8_t*>(known->constData());
        out.nameSize = size_t(known->size());
    } else if (!decoded(name, m_literalText.data(), out.name, out.nameSize) || out.nameSize == 0) {
        return 0;
    }
    if (!decoded(value, m_literalText.data() + nameRoom, out.value, out.valueSize))
        return 0;
    return pos;
}

namespace {

// The previous block's fields matched so far become the start of a list of this block's own,
// with room for as many fields as that block had (a connection's blocks mostly keep their shape).
void divergeFrom(const HttpHeaders& previous, qsizetype same, HttpHeaders& out)
{
    out.reserve(std::max(same + 1, std::min<qsizetype>(previous.size(), 64)));
    out.append(previous.constBegin(), previous.constBegin() + same);
}

bool sameText(const QByteArray& text, const uint8_t* at, size_t size)
{
    return size_t(text.size()) == size && sameBytes(text.constData(), at, size);
}

} // namespace

HpackDecoder::Result HpackDecoder::decode(const uint8_t* block, size_t size, const HttpHeaders& previous, HttpHeaders& out)
{
    // A block that leaves the table as it was and was decoded before against this same table:
    // the same fields again, as the same list.
    const bool keepsTable = HpackBlockCache::keepsTable(block, size);
    if (keepsTable) {
        if (const HpackBlockCache::Entry* kept = size <= HpackBlockCache::kMaxBlock ? m_blocks.find(block, size) : nullptr) {
            out = kept->headers;
            Result result;
            result.unknownFields = kept->unknownFields;
            result.droppedFields = kept->droppedFields;
            return result;
        }
    } else {
        m_blocks.tableChanged();
    }
    const Result result = inflate(block, size, keepsTable, previous, out);
    if (keepsTable && result.ok)
        m_blocks.keep(block, size, out, result.unknownFields, result.droppedFields);
    return result;
}

HpackDecoder::Result HpackDecoder::inflate(
    const uint8_t* block, size_t size, bool keepsTable, const HttpHeaders& previous, HttpHeaders& out)
{
    Result result;
    out = HttpHeaders();
    if (!m_inflater) {
        result.ok = false;
        result.error = "out of memory";
        return result;
    }
    // While every field so far repeats previous's field at the same place, sameSoFar holds and
    // the fields are only counted (same); out stays empty until they differ (divergeFrom).
    bool sameSoFar = !previous.isEmpty();
    qsizetype same = 0;
    // A list grown by appending is copied to its exact size once the block ends.
    auto finish = [&] {
        if (sameSoFar) {
            if (same == previous.size()) {
                out = previous;
                return;
            }
            divergeFrom(previous, same, out);
        }
        if (out.capacity() != out.size())
            out = exactHeaders(out);
    };
    qsizetype storedBytes = 0;
    // One field, in wire order: only counted while it repeats previous's, else stored (`ready`: its
    // texts when already made). Returns the field as stored, or null when over the limits.
    auto add = [&](const uint8_t* name, size_t namelen, const uint8_t* value, size_t valuelen,
                   const HttpHeader* ready, const Literal* literal = nullptr) -> const HttpHeader* {
        const bool unknown = namelen == 0;
        if (unknown)
            ++result.unknownFields;
        const qsizetype bytes = qsizetype(namelen + valuelen);
        // (A placeholder's empty name never equals a stored name: kUnknownName is not empty.)
        const bool repeated = sameSoFar && same < previous.size() && sameText(previous.at(same).name, name, namelen)
            && sameText(previous.at(same).value, value, valuelen);
        if (repeated) {
            storedBytes += bytes; // within the limits: previous kept these very fields
            return &previous.at(same++);
        }
        if (std::exchange(sameSoFar, false))
            divergeFrom(previous, same, out);
        if (out.size() >= kMaxFields || storedBytes + bytes > kMaxBytes) {
            ++result.droppedFields;
            return nullptr;
        }
        storedBytes += bytes;
        if (ready)
            out.emplace_back(*ready);
        else if (literal) // (its bytes lie in the block or a scratch buffer: no address to look them up by)
            out.emplace_back(HttpHeader { literal->knownName ? *literal->knownName : m_recent.text(reinterpret_cast<const char*>(name), namelen),
                m_recent.text(reinterpret_cast<const char*>(value), valuelen) });
        else // a placeholder's value is empty; a literal value with an unknown name is real
            out.emplace_back(HttpHeader { unknown ? kUnknownName : text(name, namelen),
                unknown && valuelen == 0 ? kUnknownValue : text(value, valuelen) });
        return &out.back();
    };
    if (keepsTable && !m_indexed)
        m_indexed = std::make_unique<std::array<IndexedField, kIndexedFields>>();
    const uint64_t generation = m_blocks.generation();
    const uint8_t* in = block;
    size_t left = size;
    bool inflated = false; // whether the inflater read any of this block
    for (;;) {
        if (left == 0 && !inflated && keepsTable) {
            // Every field was read here: the inflater, never asked, is still between blocks.
            finish();
            return result;
        }
        // An indexed field (RFC 7541 6.1; one byte for indices below 127) in a block that keeps the table.
        const size_t index = keepsTable && left > 0 && (*in & 0x80) && *in != 0xff ? size_t(*in & 0x7f) : 0;
        if (index > 0 && index < kIndexedFields && (*m_indexed)[index].generation == generation) {
            const HttpHeader& known = (*m_indexed)[index].field;
            add(reinterpret_cast<const uint8_t*>(known.name.constData()), size_t(known.name.size()),
                reinterpret_cast<const uint8_t*>(known.value.constData()), size_t(known.value.size()), &known);
            ++in;
            --left;
            continue; // (once the inflater has read part of the block it is asked, with nothing left, for FINAL)
        }
        // A literal without indexing or never indexed (0000 / 0001) in a block that keeps the table.
        Literal literal;
        const size_t taken = keepsTable && left > 0 && (*in & 0xe0) == 0 ? readLiteral(in, left, generation, literal) : 0;
        if (taken > 0) {
            add(literal.name, literal.nameSize, literal.value, literal.valueSize, nullptr, &literal);
            in += taken;
            left -= taken;
            continue;
        }
        inflated = true;
        nghttp2_nv nv;
        int flags = 0;
        const ssize_t n = nghttp2_hd_inflate_hd2(m_inflater, &nv, &flags, in, left, 1);
        if (n < 0) {
            result.ok = false;
            result.error = nghttp2_strerror(int(n));
            // The table is now unknown: whatever the failed block would have added is missing.
            reset(false);
            finish(); // the fields before the error are kept
            return result;
        }
        in += n;
        left -= size_t(n);
        if (flags & NGHTTP2_HD_INFLATE_EMIT) {
            const HttpHeader* stored = add(nv.name, nv.namelen, nv.value, nv.valuelen, nullptr);
            if (stored && index > 0 && index < kIndexedFields && n == 1 && nv.namelen > 0)
                (*m_indexed)[index] = IndexedField { generation, *stored };
        }
        // nghttp2 reports FINAL once all input is consumed with in_final set; the second test is a safeguard.
        if ((flags & NGHTTP2_HD_INFLATE_FINAL) || (left == 0 && !(flags & NGHTTP2_HD_INFLATE_EMIT))) {
            nghttp2_hd_inflate_end_headers(m_inflater);
            finish();
            return result;
        }
    }
}

} // namespace httptap
