// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// HPACK (RFC 7541) for one direction of an HTTP/2 connection, on nghttp2's
// inflater. Decodes whole header blocks into name/value pairs in wire order.
//
// When the dynamic table is unknown (capture began mid-connection, or an
// earlier block was lost or failed to decode) the inflater is primed with
// placeholder entries: every index the peer could still refer to resolves to
// a placeholder, while entries added from now on decode normally (the peer's
// table is a prefix of ours). Placeholders come out as kUnknownName /
// kUnknownValue and are counted in Result::unknownFields, so the caller can
// mark what could not be decoded without failing the connection.
//
// Texts: a field's name and value come out as QByteArrays shared with earlier
// fields wherever possible (static storage for common texts, RecentTexts for
// this side's repeats), looked up first by where nghttp2 keeps the bytes: an
// indexed field points into its table entry, which stays put while the entry
// lives, so a repeated field is found with one compare (the bytes are
// compared: an address alone proves nothing once an entry is evicted — except
// in nghttp2's static table, whose texts never change).
//
// Repeats: while a block's fields match the previous block's (the caller's
// choice, e.g. this side's previous request head) they are only compared and
// counted, never looked up or copied; at the first difference the block gets
// a list of its own holding the matched fields, and if all match the two
// blocks share one list.
//
// Blocks that leave the table as it was (indexed fields and literals without
// indexing only) and repeat one decoded lately, the table unchanged since,
// get that block's list without being inflated (HpackBlockCache). In other
// such blocks an indexed field whose index was decoded before in the same
// table generation is taken as decoded then, without the inflater: within a
// generation an index always names the same field.
//
// Invariants: at most kMaxFields fields and kMaxBytes of names and values are
// stored per block; the rest is still inflated (the table must stay in step)
// but dropped and counted. A block nghttp2 rejects leaves the decoder primed
// again, never unusable.

#include "flow/flow.h"
#include "hpackblockcache.h"
#include "http/recenttexts.h"

#include <array>
#include <vector>
#include <cstdint>
#include <memory>

struct nghttp2_hd_inflater;

namespace httptap {

class HpackDecoder
{
public:
    static constexpr int kMaxFields = 1000;
    static constexpr qsizetype kMaxBytes = 1 << 20;
    // Largest dynamic table we follow (common peers use 4 KiB, browsers 64 KiB); a larger size
    // update fails its block. Also bounds the placeholders: kMaxTableSize / 32 entries.
    static constexpr uint32_t kMaxTableSize = 64 * 1024;
    // A literal read without the inflater decodes into at most this much scratch room (its Huffman
    // name and value); a longer one is left to the inflater, so the room stays small.
    static constexpr size_t kMaxLiteralText = 16 * 1024;
    static const QByteArray kUnknownName; // "<unknown>"
    static const QByteArray kUnknownValue;

    struct Result {
        bool ok = true; // false: nghttp2 rejected the block (fields before the error are kept)
        int unknownFields = 0; // fields that referred to table entries from before we knew the table
        int droppedFields = 0; // fields over the per-block limits
        const char* error = nullptr;
    };

    explicit HpackDecoder(bool tableKnown = true);
    ~HpackDecoder();
    HpackDecoder(const HpackDecoder&) = delete;
    HpackDecoder& operator=(const HpackDecoder&) = delete;

    // Decodes the block into out (replaced), a list of exactly its fields. Where the fields repeat
    // `previous` one for one (same names and values in the same order; HPACK makes a side's
    // repeated blocks the normal case) out shares previous's list instead (implicit sharing).
    Result decode(const uint8_t* block, size_t size, const HttpHeaders& previous, HttpHeaders& out);
    // A block was lost: forget the table and prime with placeholders.
    void invalidate();
    bool tableKnown() const { return m_tableKnown; }

    // Where nghttp2 keeps its static table's texts (empty when that could not be established).
    struct StaticRange {
        uintptr_t begin = 0;
        uintptr_t end = 0;
    };

private:
    // Texts recently handed out, by the address nghttp2 gave them at (direct-mapped).
    struct Seen {
        const uint8_t* at = nullptr;
        QByteArray text;
    };
    static constexpr size_t kSeenSlots = 64; // the slot index is a hash's top 6 bits

    void reset(bool known);
    Result inflate(const uint8_t* block, size_t size, bool keepsTable, const HttpHeaders& previous, HttpHeaders& out);

    // Fields of indexed representations decoded in blocks that kept the table, by index (static
    // 1–61 and the first dynamic entries), valid in their table generation only.
    struct IndexedField {
        uint64_t generation = 0;
        HttpHeader field;
    };
    static constexpr size_t kIndexedFields = 96;
    // A literal without indexing or never indexed (RFC 7541 6.2.2, 6.2.3) in a block that keeps the
    // table, read without the inflater: such a field changes no table, so the inflater stays in
    // step without seeing it. The name comes from the static table, an indexed field of this
    // generation (m_indexed) or the literal; the value as sent or Huffman-decoded (into
    // m_literalText). The octets it took, or 0 when the inflater must read it (a name index not
    // known here, an empty name, a string cut short or not valid Huffman).
    struct Literal {
        const uint8_t* name = nullptr;
        size_t nameSize = 0;
        const uint8_t* value = nullptr;
        size_t valueSize = 0;
        const QByteArray* knownName = nullptr; // the name's text when it came from a table
    };
    size_t readLiteral(const uint8_t* in, size_t size, uint64_t generation, Literal& out);
    QByteArray text(const uint8_t* at, size_t size);
    [[gnu::noinline]] QByteArray remember(Seen& seen, const uint8_t* at, size_t size);

    nghttp2_hd_inflater* m_inflater = nullptr;
    bool m_tableKnown = true;
    RecentTexts m_recent; // texts this side sent before, shared instead of copied again
    std::array<Seen, kSeenSlots> m_seen;
    StaticRange m_static;
    HpackBlockCache m_blocks;
    std::unique_ptr<std::array<IndexedField, kIndexedFields>> m_indexed; // allocated with the first such block
    std::vector<char> m_literalText; // Huffman-decoded name and value of the literal readLiteral read last
};

} // namespace httptap
