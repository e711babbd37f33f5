// SPDX-License-Identifier: GPL-2.0-or-later
#include "hpackhuffman.h"

#include <QtEndian>

#include <array>
#include <cstring>
#include <utility>

namespace httptap::hpack {

namespace {

constexpr int kSymbols = 257; // the octets and EOS
constexpr int kEos = 256;
constexpr int kMaxLength = 30;

// Code length of each symbol (RFC 7541 Appendix B). The code is canonical — codes of one length
// are consecutive, in symbol order, after the shorter ones — so the lengths define it.
constexpr uint8_t kCodeLength[kSymbols] = {
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
    5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
    13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
    15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
    30,
};

// The next kFastBits bits give, with one look-up, the one or two symbols whose codes lie whole
// within them: the printable characters' codes are mostly 5–8 bits, so a look-up usually yields two.
constexpr int kFastBits = 12;

struct Code {
    std::array<uint32_t, kMaxLength + 1> firstCode {}; // the first code of each length
    std::array<uint16_t, kMaxLength + 1> count {}; // codes of each length
    std::array<uint16_t, kMaxLength + 1> firstIndex {}; // where in bySymbol the length's symbols start
    std::array<uint16_t, kSymbols> bySymbol {}; // symbols ordered by (length, symbol)
    struct Fast {
        uint8_t symbols[2] = { 0, 0 };
        uint8_t firstLength = 0; // 0: the bits begin a code longer than kFastBits
        uint8_t bothLength = 0; // 0: no second code lies whole within the bits
    };
    std::array<Fast, 1 << kFastBits> fast {};

    // The symbol whose code begins the `have` low bits of `bits`, and its length; length 0 if
    // none lies whole within them.
    std::pair<uint16_t, int> match(uint64_t bits, int have, int longest = kMaxLength) const
    {
        for (int length = 1; length <= longest && length <= have; ++length) {
            const uint32_t value = uint32_t(bits >> (have - length)) & ((1u << length) - 1);
            if (value >= firstCode[length] && value - firstCode[length] < count[length])
                return { bySymbol[firstIndex[length] + (value - firstCode[length])], length };
        }
        return { 0, 0 };
    }
};

Code makeCode()
{
    Code c;
    for (int s = 0; s < kSymbols; ++s)
        ++c.count[kCodeLength[s]];
    uint16_t index = 0;
    uint32_t code = 0;
    for (int length = 1; length <= kMaxLength; ++length) {
        c.firstIndex[length] = index;
        for (int s = 0; s < kSymbols; ++s) {
            if (kCodeLength[s] == length)
                c.bySymbol[index++] = uint16_t(s);
        }
        c.firstCode[length] = code;
        code = (code + c.count[length]) << 1;
    }
    for (uint32_t bits = 0; bits < (1u << kFastBits); ++bits) {
        const auto [first, firstLength] = c.match(bits, kFastBits);
        if (firstLength == 0)
            continue;
        Code::Fast& f = c.fast[bits];
        f.symbols[0] = uint8_t(first);
        f.firstLength = uint8_t(firstLength);
        const auto [second, secondLength] = c.match(bits, kFastBits - firstLength);
        if (secondLength != 0) {
            f.symbols[1] = uint8_t(second);
            f.bothLength = uint8_t(firstLength + secondLength);
        }
    }
    return c;
}

const Code& code()
{
    static const Code c = makeCode();
    return c;
}

} // namespace

std::ptrdiff_t huffmanDecode(const uint8_t* in, size_t size, char* out)
{
    const Code& c = code();
    uint64_t bits = 0; // the unread bits, most significant first: the top `have` bits count
    int have = 0;
    size_t pos = 0;
    char* o = out;
    for (;;) {
        if (have < 32) {
            if (size - pos >= 8) {
                // Eight octets at once; what lies past the whole octets taken is the next octets'
                // bits, set again (to the same values) when they are taken.
                uint64_t word;
                std::memcpy(&word, in + pos, 8);
                bits |= qFromBigEndian(word) >> have;
                const int taken = (63 - have) >> 3;
                pos += size_t(taken);
                have += taken * 8;
            } else {
                for (; have <= 56 && pos < size; ++pos, have += 8)
                    bits |= uint64_t(in[pos]) << (56 - have);
            }
        }
        if (have < kFastBits)
            break;
        // Two symbols, or one, in a look-up: written whether or not the second is there.
        const Code::Fast f = c.fast[bits >> (64 - kFastBits)];
        if (f.firstLength == 0) {
            // A code longer than kFastBits (with 30 bits or more one always lies whole within them).
            const auto [symbol, length] = c.match(bits >> (64 - have), have);
            if (length == 0 || symbol == kEos)
                return -1;
            *o++ = char(symbol);
            bits <<= length;
            have -= length;
            continue;
        }
        const int length = f.bothLength ? f.bothLength : f.firstLength;
        o[0] = char(f.symbols[0]);
        o[1] = char(f.symbols[1]);
        o += f.bothLength ? 2 : 1;
        bits <<= length;
        have -= length;
    }
    // Fewer than kFastBits bits left: the last symbols, then the padding. Past the input's end the
    // bits are taken as ones, as padding is, and a code found must lie within the bits there are.
    while (have > 0) {
        const uint32_t next = uint32_t(bits >> (64 - kFastBits)) | ((1u << kFastBits) - 1) >> have;
        const Code::Fast f = c.fast[next];
        if (f.firstLength == 0 || f.firstLength > have)
            break;
        *o++ = char(f.symbols[0]);
        bits <<= f.firstLength;
        have -= f.firstLength;
    }
    // Padding: fewer than 8 bits, all ones (the start of EOS).
    if (have >= 8 || (have > 0 && (bits >> (64 - have)) != (uint64_t(1) << have) - 1))
        return -1;
    return o - out;
}

} // namespace httptap::hpack
