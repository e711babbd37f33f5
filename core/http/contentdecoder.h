// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Undoes HTTP content codings (RFC 9110 8.4): gzip (and x-gzip), deflate
// (zlib, or raw deflate as some servers send it), br and zstd, with zlib,
// brotli and zstd. Also used for compressed gRPC messages.
//
// Invariants: never more than `limit` bytes of output (decompression bombs
// stop there, marked truncated); output grows in bounded steps, never sized
// from the input's claims; corrupt input is an error with whatever was
// decoded before it, never an exception or a crash.

#include <QByteArray>
#include <QString>

#include <cstdint>

namespace httptap::contentdecoder {

enum class Coding : uint8_t { Identity, Gzip, Deflate, Brotli, Zstd, Unsupported };

Coding codingFromName(const QByteArray& name); // case-insensitive, trimmed

struct Result {
    QByteArray data; // decoded bytes (partial when !complete or on error)
    bool ok = true; // false: the input is corrupt (or the coding unsupported); see error
    bool limitReached = false; // output stopped at the limit
    bool inputEnded = false; // the input stopped before the coded stream ended (a truncated body)
    QString error;
};

Result decode(Coding coding, const QByteArray& input, uint64_t limit);
// A Content-Encoding value: codings are listed in the order applied, so they are undone in reverse.
Result decodeContent(const QByteArray& contentEncoding, const QByteArray& body, uint64_t limit);

} // namespace httptap::contentdecoder
