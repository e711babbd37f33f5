// SPDX-License-Identifier: GPL-2.0-or-later
#include "jsonbytewriter.h"

#include "jsonlwriter.h"

#include <array>
#include <charconv>
#include <cstring>
#include <chrono>
#include <cmath>

namespace httptap {

namespace {

char hexDigit(unsigned v) { return char(v < 10 ? '0' + v : 'a' + v - 10); }

// The escape of an ASCII character, or nullptr when it stands for itself.
const char* asciiEscape(unsigned char c)
{
    static const char* const controls[0x20] = { "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005",
        "\\u0006", "\\u0007", "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f", "\\u0010", "\\u0011",
        "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017", "\\u0018", "\\u0019", "\\u001a", "\\u001b",
        "\\u001c", "\\u001d", "\\u001e", "\\u001f" };
    if (c < 0x20)
        return controls[c];
    if (c == '"')
        return "\\\"";
    if (c == '\\')
        return "\\\\";
    return nullptr;
}

// Seconds since the epoch in 1970..9999 as "yyyy-MM-ddTHH:mm:ss" (QDateTime's format for those years)
// into text (19 bytes).
bool formatCivilTime(char* text, int64_t secs)
{
    if (secs < 0 || secs >= 253402300800) // 10000-01-01T00:00:00Z
        return false;
    using namespace std::chrono;
    const sys_days day { days { secs / 86400 } };
    const year_month_day ymd { day };
    const int64_t inDay = secs % 86400;
    auto put = [&](int at, int digits, int64_t value) {
        for (int i = digits - 1; i >= 0; --i, value /= 10)
            text[at + i] = char('0' + value % 10);
    };
    put(0, 4, int(ymd.year()));
    text[4] = '-';
    put(5, 2, unsigned(ymd.month()));
    text[7] = '-';
    put(8, 2, unsigned(ymd.day()));
    text[10] = 'T';
    put(11, 2, inDay / 3600);
    text[13] = ':';
    put(14, 2, inDay / 60 % 60);
    text[16] = ':';
    put(17, 2, inDay % 60);
    return true;
}

} // namespace

void JsonByteWriter::grow(size_t n)
{
    // Resize, not reserve: the bytes past m_size are the room the cursor writes into.
    m_out.resize(std::max(m_out.size() * 2, m_size + n + 4096));
}

void JsonByteWriter::integer(int64_t value)
{
    separate();
    char* out = room(24);
    m_size = size_t(std::to_chars(out, out + 24, value).ptr - m_out.data());
}

void JsonByteWriter::number(double value)
{
    if (!std::isfinite(value)) {
        null();
        return;
    }
    // QJsonValue keeps a double that holds an integer (without claiming precision it lacks) as one.
    if (value == std::trunc(value) && std::fabs(value) <= 9007199254740992.0) {
        integer(int64_t(value));
        return;
    }
    separate();
    char* out = room(32);
    m_size = size_t(std::to_chars(out, out + 32, value).ptr - m_out.data()); // shortest round trip
}

void JsonByteWriter::escapedAscii(const char* data, qsizetype size)
{
    qsizetype plain = 0; // start of the run not yet copied
    for (qsizetype i = 0; i < size; ++i) {
        if (const char* escape = asciiEscape(static_cast<unsigned char>(data[i]))) {
            put(data + plain, size_t(i - plain));
            put(escape, std::strlen(escape));
            plain = i + 1;
        }
    }
    put(data + plain, size_t(size - plain));
}

void JsonByteWriter::latin1(std::string_view text)
{
    for (const char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            string(QString::fromLatin1(text.data(), qsizetype(text.size())));
            return;
        }
    }
    separate();
    put('"');
    escapedAscii(text.data(), qsizetype(text.size()));
    put('"');
}

void JsonByteWriter::string(QStringView text)
{
    separate();
    put('"');
    const char16_t* p = text.utf16();
    const char16_t* const end = p + text.size();
    while (p != end) {
        const char16_t c = *p++;
        if (c < 0x80) {
            if (const char* escape = asciiEscape(static_cast<unsigned char>(c)))
                put(escape, std::strlen(escape));
            else
                put(char(c));
        } else if (c < 0x800) {
            const char bytes[2] = { char(0xc0 | (c >> 6)), char(0x80 | (c & 0x3f)) };
            put(bytes, 2);
        } else if (QChar::isHighSurrogate(c) && p != end && QChar::isLowSurrogate(*p)) {
            const char32_t u = QChar::surrogateToUcs4(c, *p++);
            const char bytes[4] = { char(0xf0 | (u >> 18)), char(0x80 | ((u >> 12) & 0x3f)),
                char(0x80 | ((u >> 6) & 0x3f)), char(0x80 | (u & 0x3f)) };
            put(bytes, 4);
        } else if (QChar::isSurrogate(c)) {
            const char escape[6] = { '\\', 'u', hexDigit(c >> 12), hexDigit((c >> 8) & 0xf), hexDigit((c >> 4) & 0xf),
                hexDigit(c & 0xf) };
            put(escape, 6);
        } else {
            const char bytes[3] = { char(0xe0 | (c >> 12)), char(0x80 | ((c >> 6) & 0x3f)), char(0x80 | (c & 0x3f)) };
            put(bytes, 3);
        }
    }
    put('"');
}

void JsonByteWriter::wireString(const QByteArray& bytes)
{
    for (const char c : bytes) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            // Not ASCII: decoding decides (UTF-8 or Latin-1, a leading BOM dropped), as JsonlWriter::wireString.
            string(JsonlWriter::wireString(bytes));
            return;
        }
    }
    separate();
    put('"');
    escapedAscii(bytes.constData(), bytes.size());
    put('"');
}

void JsonByteWriter::base64(const QByteArray& bytes)
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    separate();
    put('"');
    const auto* in = reinterpret_cast<const unsigned char*>(bytes.constData());
    const qsizetype n = bytes.size();
    const size_t encoded = size_t(n + 2) / 3 * 4;
    char* out = room(encoded);
    m_size += encoded;
    // Two output characters per lookup (12 bits at a time): bodies are most of a line's bytes.
    static constexpr auto kPairs = [] {
        std::array<char, 2 * 4096> pairs {};
        for (int v = 0; v < 4096; ++v) {
            pairs[size_t(2 * v)] = kAlphabet[v >> 6];
            pairs[size_t(2 * v + 1)] = kAlphabet[v & 0x3f];
        }
        return pairs;
    }();
    qsizetype i = 0;
    for (; i + 3 <= n; i += 3) {
        const uint32_t v = uint32_t(in[i]) << 16 | uint32_t(in[i + 1]) << 8 | in[i + 2];
        std::memcpy(out, &kPairs[size_t(2 * (v >> 12))], 2);
        std::memcpy(out + 2, &kPairs[size_t(2 * (v & 0xfff))], 2);
        out += 4;
    }
    if (i < n) {
        const uint32_t v = uint32_t(in[i]) << 16 | (i + 1 < n ? uint32_t(in[i + 1]) << 8 : 0);
        *out++ = kAlphabet[v >> 18];
        *out++ = kAlphabet[(v >> 12) & 0x3f];
        *out++ = i + 1 < n ? kAlphabet[(v >> 6) & 0x3f] : '=';
        *out++ = '=';
    }
    put('"');
}

void JsonByteWriter::isoTime(const CaptureClock& clock, uint64_t monotonicNs)
{
    const int64_t ns = clock.toRealtimeNs(monotonicNs);
    separate();
    put('"');
    char text[19 + 8];
    if (ns >= 0 && formatCivilTime(text, ns / 1000000000)) {
        char* frac = text + 19;
        frac[0] = '.';
        int64_t micros = ns % 1000000000 / 1000;
        for (int i = 6; i >= 1; --i, micros /= 10)
            frac[i] = char('0' + micros % 10);
        frac[7] = 'Z';
        put(text, sizeof text);
    } else {
        // Before 1970 or after 9999: rare enough for QDateTime's formatting (ASCII only).
        const QByteArray latin1 = CaptureClock::formatRealtime(ns).toLatin1();
        put(latin1.constData(), size_t(latin1.size()));
    }
    put('"');
}

void JsonByteWriter::raw(const QByteArray& json)
{
    separate();
    put(json.constData(), size_t(json.size()));
}

} // namespace httptap
