// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Decides from the first bytes of one direction of a connection what it
// carries. Only HTTP/1.x is dissected; the other verdicts let the assembler
// drop a connection quietly (TLS ciphertext seen at the syscall layer is
// captured again, decrypted, by the TLS probes) or count it (HTTP/2 until it
// is supported, anything else as a parse error).
//
// The sniffer needs only a short prefix (kMaxPrefix bytes at most); it never
// looks further, so a caller buffers at most that much per direction.

#include <cstddef>
#include <cstdint>

namespace httptap::protocolsniffer {

enum class Verdict {
    NeedMore, // the bytes so far are consistent with several answers
    Request, // "METHOD " — an HTTP/1.x request
    Response, // "HTTP/" — an HTTP/1.x response
    Tls, // a TLS record header (handshake, application data, alert, change cipher spec)
    Http2, // the HTTP/2 client connection preface
    Unknown, // none of the above
};

inline constexpr size_t kMaxPrefix = 32;

Verdict sniff(const uint8_t* data, size_t size);

// Whether a chunk that arrives after lost bytes can be where a message starts,
// judged on the chunk's first bytes only (a short chunk that agrees so far counts).
// Used to resynchronise the parser at the next message after a gap.
bool looksLikeMessageStart(const uint8_t* data, size_t size, bool request);

} // namespace httptap::protocolsniffer
