// SPDX-License-Identifier: GPL-2.0-or-later
#include "protocolsniffer.h"

#include <algorithm>
#include <cstring>

namespace httptap::protocolsniffer {

namespace {

constexpr char kHttp2Preface[] = "PRI * HTTP/2.0\r\n";
constexpr size_t kHttp2PrefaceLength = sizeof(kHttp2Preface) - 1;
// The longest method llhttp knows is 19 bytes ("VERSION-CONTROL", "BASELINE-CONTROL", ...).
constexpr size_t kMaxMethodLength = 20;

// Whether data[0..size) agrees with the start of `literal`; *full says it covers all of it.
bool agreesWith(const uint8_t* data, size_t size, const char* literal, size_t literalLength, bool* full)
{
    const size_t n = std::min(size, literalLength);
    *full = size >= literalLength;
    return std::memcmp(data, literal, n) == 0;
}

bool isMethodChar(uint8_t c)
{
    // Methods registered with IANA are uppercase letters with '-' and '_'; being strict here
    // keeps binary noise from being mistaken for a request.
    return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

// Request: method characters followed by a space.
Verdict sniffMethod(const uint8_t* data, size_t size)
{
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == ' ')
            return i > 0 ? Verdict::Request : Verdict::Unknown;
        if (!isMethodChar(data[i]) || i >= kMaxMethodLength)
            return Verdict::Unknown;
    }
    return Verdict::NeedMore;
}

} // namespace

Verdict sniff(const uint8_t* data, size_t size)
{
    if (size == 0)
        return Verdict::NeedMore;

    // TLS record: content type 20..23, then protocol version 3.0..3.4 (SSL 3.0 .. TLS 1.3 on the wire).
    if (data[0] >= 0x14 && data[0] <= 0x17) {
        if (size < 3)
            return size == 2 && data[1] != 0x03 ? Verdict::Unknown : Verdict::NeedMore;
        return data[1] == 0x03 && data[2] <= 0x04 ? Verdict::Tls : Verdict::Unknown;
    }

    bool full = false;
    if (agreesWith(data, size, kHttp2Preface, kHttp2PrefaceLength, &full))
        return full ? Verdict::Http2 : Verdict::NeedMore;
    if (agreesWith(data, size, "HTTP/", 5, &full)) {
        if (full)
            return Verdict::Response;
        // "H", "HT"... could still be a method ("HEAD" diverges at the second byte).
        const Verdict method = sniffMethod(data, size);
        return method == Verdict::Unknown ? Verdict::Unknown : Verdict::NeedMore;
    }
    return sniffMethod(data, size);
}

bool looksLikeMessageStart(const uint8_t* data, size_t size, bool request)
{
    if (size == 0)
        return false;
    if (request)
        return sniffMethod(data, std::min(size, kMaxMethodLength + 1)) != Verdict::Unknown;
    bool full = false;
    return agreesWith(data, size, "HTTP/1.", 7, &full);
}

} // namespace httptap::protocolsniffer
