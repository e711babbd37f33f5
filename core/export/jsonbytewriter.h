// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Compact JSON written straight into a byte buffer, for exporters that write
// many small documents (JSONL: one line per flow, tens of thousands a second)
// and cannot afford a QJsonObject per document. The bytes are exactly those
// QJsonDocument::toJson(Compact) writes for the same values, so both paths can
// be compared byte for byte (tst_jsonlwriter):
// - strings: '"', '\\' and the controls below 0x20 escaped as RFC 8259 says
//   (\b \f \n \r \t, else \u00xx in lower-case hex), everything else UTF-8;
//   a lone UTF-16 surrogate becomes \udxxx;
// - numbers: a double that holds an integer up to 2^53 as an integer, other
//   finite doubles in the shortest form that reads back the same value
//   (1e-06, 0.734), infinities and NaN as null.
// The caller writes keys in the order QJsonObject keeps them (sorted); this
// class does not sort. Commas are placed by the writer.

#include "flow/captureclock.h"

#include <QByteArray>
#include <QStringView>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace httptap {

class JsonByteWriter
{
public:
    // Appends to out. The writer formats through a cursor into out's own storage (grown ahead,
    // trimmed by finish()): std::string's appends are out-of-line calls, and a line's ~65 keys and
    // values made them ~15 % of httptap-record.
    explicit JsonByteWriter(std::string& out)
        : m_out(out)
        , m_size(out.size())
    {
    }
    ~JsonByteWriter() { finish(); }
    JsonByteWriter(const JsonByteWriter&) = delete;
    JsonByteWriter& operator=(const JsonByteWriter&) = delete;

    // Trims out to the bytes written so far; out is complete only after this (or the destructor).
    void finish() { m_out.resize(m_size); }
    // The newline that ends a JSON Lines record.
    void endLine() { put('\n'); }

    void beginObject() { open('{'); }
    void endObject() { close('}'); }
    void beginArray() { open('['); }
    void endArray() { close(']'); }
    // The next member's key, in an object (a plain ASCII name: not escaped).
    void key(std::string_view name)
    {
        char* out = room(name.size() + 4);
        if (takeMemberSlot())
            *out++ = ',';
        *out++ = '"';
        std::memcpy(out, name.data(), name.size());
        out += name.size();
        *out++ = '"';
        *out++ = ':';
        m_size = size_t(out - m_out.data());
        m_afterKey = true;
    }

    void null()
    {
        separate();
        put("null", 4);
    }
    void boolean(bool value)
    {
        separate();
        if (value)
            put("true", 4);
        else
            put("false", 5);
    }
    void integer(int64_t value);
    void number(double value);
    void string(QStringView text);
    void latin1(std::string_view text); // each byte the character with its code (QString::fromLatin1)
    // Bytes on the wire as JsonlWriter::wireString spells them (UTF-8 when valid, else Latin-1).
    void wireString(const QByteArray& bytes);
    // RFC 4648 base64 with padding, as QByteArray::toBase64() writes it.
    void base64(const QByteArray& bytes);
    // CaptureClock::toIsoString(monotonicNs) as a string.
    void isoTime(const CaptureClock& clock, uint64_t monotonicNs);
    // A value already serialized as compact JSON (QJsonDocument::toJson(Compact)).
    void raw(const QByteArray& json);

private:
    // Space for n more bytes at the cursor (m_out.data() + m_size); the caller moves m_size.
    char* room(size_t n)
    {
        if (m_out.size() - m_size < n)
            grow(n);
        return m_out.data() + m_size;
    }
    void grow(size_t n);
    void put(const char* data, size_t n)
    {
        std::memcpy(room(n), data, n);
        m_size += n;
    }
    void put(char c)
    {
        *room(1) = c;
        ++m_size;
    }
    void open(char bracket)
    {
        separate();
        put(bracket);
        if (m_depth < kMaxDepth - 1)
            ++m_depth;
        m_hasMember[m_depth] = false;
    }
    void close(char bracket)
    {
        put(bracket);
        if (m_depth > 0)
            --m_depth;
    }
    // The comma before a value in an array, or before a key.
    void separate()
    {
        if (m_afterKey) {
            m_afterKey = false;
            return;
        }
        if (takeMemberSlot())
            put(',');
    }
    // Counts a member of the open object or array; true when one came before it (a comma is due).
    bool takeMemberSlot()
    {
        const bool after = m_depth > 0 && m_hasMember[m_depth];
        m_hasMember[m_depth] = true;
        return after;
    }
    void escapedAscii(const char* data, qsizetype size);

    std::string& m_out; // [0, m_size) written; the rest is room, trimmed by finish()
    size_t m_size;
    // Per open object or array: has it a member yet? Documents here are at most a few levels deep.
    static constexpr int kMaxDepth = 32;
    bool m_hasMember[kMaxDepth] {};
    int m_depth = 0;
    bool m_afterKey = false;
};

} // namespace httptap
