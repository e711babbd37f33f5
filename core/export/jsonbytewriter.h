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

#include <cstdint>
#include <string>
#include <string_view>

namespace httptap {

class JsonByteWriter
{
public:
    // Appends to out (a std::string: its appends are inlined, QByteArray's are calls that
    // showed up at ~9 % of httptap-record).
    explicit JsonByteWriter(std::string& out)
        : m_out(out)
    {
    }

    // The small, frequent calls are inline: a line has about 65 keys.
    void beginObject() { open('{'); }
    void endObject() { close('}'); }
    void beginArray() { open('['); }
    void endArray() { close(']'); }
    // The next member's key, in an object (a plain ASCII name: not escaped).
    void key(std::string_view name)
    {
        separate();
        m_out.push_back('"');
        m_out.append(name);
        m_out.append("\":", 2);
        m_afterKey = true;
    }

    void null()
    {
        separate();
        m_out.append("null", 4);
    }
    void boolean(bool value)
    {
        separate();
        if (value)
            m_out.append("true", 4);
        else
            m_out.append("false", 5);
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
    void open(char bracket)
    {
        separate();
        m_out.push_back(bracket);
        if (m_depth < kMaxDepth - 1)
            ++m_depth;
        m_hasMember[m_depth] = false;
    }
    void close(char bracket)
    {
        m_out.push_back(bracket);
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
        if (m_depth > 0 && m_hasMember[m_depth])
            m_out.push_back(',');
        m_hasMember[m_depth] = true;
    }
    void escapedAscii(const char* data, qsizetype size);

    std::string& m_out;
    // Per open object or array: has it a member yet? Documents here are at most a few levels deep.
    static constexpr int kMaxDepth = 32;
    bool m_hasMember[kMaxDepth] {};
    int m_depth = 0;
    bool m_afterKey = false;
};

} // namespace httptap
