// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The Huffman code of HPACK string literals (RFC 7541 5.2, Appendix B),
// decoding only: HpackDecoder reads the literals of blocks that leave the
// table as it was itself, without nghttp2's inflater (a :path that differs in
// every request is the usual one; nghttp2 keeps no public Huffman decoder).
//
// Strict as the RFC asks: padding longer than 7 bits, padding other than the
// most significant bits of EOS, or EOS inside the string fail the string.

#include <cstddef>
#include <cstdint>

namespace httptap::hpack {

// The room huffmanDecode needs for a string of `size` octets: the most it decodes to (the shortest
// code is 5 bits), and one octet more that it may write past the last symbol.
constexpr size_t huffmanDecodedBound(size_t size) { return size * 8 / 5 + 1; }

// Decodes `size` octets into out (room for huffmanDecodedBound(size) octets): the decoded length,
// or -1 when the string is not valid.
std::ptrdiff_t huffmanDecode(const uint8_t* in, size_t size, char* out);

} // namespace httptap::hpack
