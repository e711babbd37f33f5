// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The flow assembler fuzzer's input format: a tiny structured encoding of a
// record sequence, so that mutations keep byte offsets consistent and the
// fuzzer spends its time inside HTTP/1, HTTP/2, gRPC and the content decoders
// rather than in record validation (fuzz_recordreader covers that).
//
// An input is a sequence of operations; each starts with a control byte c:
//   c & 3 == 0  data: u16 length (LE), then that many payload bytes
//   c & 3 == 1  data after a gap: u8 g, u16 length, payload; g*16 bytes of the
//               direction are skipped first (as lost records leave them)
//   c & 3 == 2  the connection closes
//   c & 3 == 3  a non-data record: (c >> 2) & 3 picks lost-count / exit of the
//               connection's process / exec / fork
// and for data: bit 2 = direction (0 egress, 1 ingress), bits 3-4 = connection
// (0-3, each with its own pid and ports), bit 5 = the call was truncated after
// this chunk, bit 6 = captured from TLS rather than a syscall.
// A length running past the input is cut to what is left. tools in fuzz/seeds.py
// write captures in this format.
//
// An input that starts with the record stream magic is instead decoded as a
// record stream (so real captures are seeds too).

#include "record/recordreader.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace httptap::fuzz {

std::vector<record::Record> decodeOps(const uint8_t* data, size_t size);

} // namespace httptap::fuzz
