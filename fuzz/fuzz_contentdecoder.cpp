// SPDX-License-Identifier: GPL-2.0-or-later
//
// Content decoders (gzip, deflate, br, zstd, stacked codings) and gRPC message
// framing on arbitrary bytes. The first byte picks the coding (or a stack of
// two) and the output limit, so both the corrupt-input and the bomb paths run.

#include "grpc/grpcmessages.h"
#include "http/contentdecoder.h"

#include <QStringList>

#include <cstddef>
#include <cstdint>

namespace {

const char* const kEncodings[] = { "gzip", "deflate", "br", "zstd", "gzip, br", "br, gzip", "deflate, zstd",
    "x-gzip", "identity", "gzip, gzip" };

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t selector = data[0];
    const QByteArray input(reinterpret_cast<const char*>(data + 1), static_cast<qsizetype>(size - 1));
    // Small limits reach the "limit reached" path; 1 MiB leaves room for real bodies.
    const uint64_t limit = (selector & 0x80) ? 1 << 20 : 1 + (selector & 0x0f) * 97;
    const char* encoding = kEncodings[(selector >> 4 & 0x07) % std::size(kEncodings)];

    auto result = httptap::contentdecoder::decodeContent(QByteArray(encoding), input, limit);
    if (static_cast<uint64_t>(result.data.size()) > limit)
        __builtin_trap(); // the documented bound
    result = httptap::contentdecoder::decode(
        static_cast<httptap::contentdecoder::Coding>(selector % 6), input, limit);
    if (static_cast<uint64_t>(result.data.size()) > limit)
        __builtin_trap();

    QStringList notes;
    const auto messages = httptap::grpc::splitMessages(input, selector & 1, QByteArray(encoding), limit, &notes);
    return messages.isEmpty() ? 0 : 0;
}
