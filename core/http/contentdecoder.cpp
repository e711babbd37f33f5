// SPDX-License-Identifier: GPL-2.0-or-later
#include "contentdecoder.h"

#include <brotli/decode.h>
#include <zlib.h>
#include <zstd.h>

#include <QList>

#include <algorithm>

namespace httptap::contentdecoder {

namespace {

constexpr size_t kStep = 64 * 1024;

// Grows out by at most kStep (or what the limit leaves); returns the writable span.
char* grow(QByteArray& out, uint64_t limit, size_t* avail)
{
    const uint64_t room = limit - uint64_t(out.size());
    const size_t n = size_t(std::min<uint64_t>(kStep, room));
    const qsizetype old = out.size();
    out.resize(old + qsizetype(n));
    *avail = n;
    return out.data() + old;
}

Result zlibDecode(const QByteArray& in, uint64_t limit, int windowBits)
{
    Result r;
    z_stream z {};
    if (inflateInit2(&z, windowBits) != Z_OK) {
        r.ok = false;
        r.error = QStringLiteral("zlib could not start");
        return r;
    }
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.constData()));
    z.avail_in = uInt(in.size());
    for (;;) {
        if (uint64_t(r.data.size()) >= limit) {
            r.limitReached = true;
            break;
        }
        size_t avail = 0;
        char* outp = grow(r.data, limit, &avail);
        z.next_out = reinterpret_cast<Bytef*>(outp);
        z.avail_out = uInt(avail);
        const int rc = inflate(&z, Z_NO_FLUSH);
        r.data.resize(r.data.size() - qsizetype(z.avail_out));
        if (rc == Z_STREAM_END) {
            // gzip allows several members back to back (RFC 1952 2.2).
            if (windowBits > 15 && z.avail_in > 0) {
                inflateReset(&z);
                continue;
            }
            break;
        }
        if (rc == Z_BUF_ERROR || (rc == Z_OK && z.avail_in == 0 && z.avail_out > 0)) {
            r.inputEnded = true;
            break;
        }
        if (rc != Z_OK) {
            r.ok = false;
            r.error = QString::fromLatin1(z.msg ? z.msg : "corrupt data");
            break;
        }
    }
    inflateEnd(&z);
    return r;
}

Result brotliDecode(const QByteArray& in, uint64_t limit)
{
    Result r;
    BrotliDecoderState* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
    if (!state) {
        r.ok = false;
        r.error = QStringLiteral("brotli could not start");
        return r;
    }
    size_t availIn = size_t(in.size());
    const uint8_t* nextIn = reinterpret_cast<const uint8_t*>(in.constData());
    for (;;) {
        if (uint64_t(r.data.size()) >= limit) {
            r.limitReached = true;
            break;
        }
        size_t avail = 0;
        uint8_t* nextOut = reinterpret_cast<uint8_t*>(grow(r.data, limit, &avail));
        const BrotliDecoderResult rc = BrotliDecoderDecompressStream(state, &availIn, &nextIn, &avail, &nextOut, nullptr);
        r.data.resize(r.data.size() - qsizetype(avail));
        if (rc == BROTLI_DECODER_RESULT_SUCCESS)
            break;
        if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
            r.inputEnded = true;
            break;
        }
        if (rc == BROTLI_DECODER_RESULT_ERROR) {
            r.ok = false;
            r.error = QString::fromLatin1(BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state)));
            break;
        }
    }
    BrotliDecoderDestroyInstance(state);
    return r;
}

Result zstdDecode(const QByteArray& in, uint64_t limit)
{
    Result r;
    ZSTD_DStream* ds = ZSTD_createDStream();
    if (!ds) {
        r.ok = false;
        r.error = QStringLiteral("zstd could not start");
        return r;
    }
    // RFC 8878 asks HTTP decoders to accept windows up to 8 MiB; more would let a sender
    // make us allocate up to 2 GiB before a single byte comes out.
    ZSTD_DCtx_setParameter(ds, ZSTD_d_windowLogMax, 23);
    ZSTD_inBuffer input { in.constData(), size_t(in.size()), 0 };
    size_t rc = 1;
    for (;;) {
        if (uint64_t(r.data.size()) >= limit) {
            r.limitReached = true;
            break;
        }
        size_t avail = 0;
        char* outp = grow(r.data, limit, &avail);
        ZSTD_outBuffer output { outp, avail, 0 };
        rc = ZSTD_decompressStream(ds, &output, &input);
        r.data.resize(r.data.size() - qsizetype(avail - output.pos));
        if (ZSTD_isError(rc)) {
            r.ok = false;
            r.error = QString::fromLatin1(ZSTD_getErrorName(rc));
            break;
        }
        if (rc == 0 && input.pos == input.size)
            break; // frame complete and no more input
        if (input.pos == input.size && output.pos < output.size) {
            r.inputEnded = rc != 0;
            break;
        }
    }
    ZSTD_freeDStream(ds);
    return r;
}

} // namespace

Coding codingFromName(const QByteArray& name)
{
    const QByteArray n = name.trimmed().toLower();
    if (n.isEmpty() || n == "identity")
        return Coding::Identity;
    if (n == "gzip" || n == "x-gzip")
        return Coding::Gzip;
    if (n == "deflate")
        return Coding::Deflate;
    if (n == "br")
        return Coding::Brotli;
    if (n == "zstd")
        return Coding::Zstd;
    return Coding::Unsupported;
}

Result decode(Coding coding, const QByteArray& input, uint64_t limit)
{
    switch (coding) {
    case Coding::Identity: {
        Result r;
        r.data = input.left(qsizetype(std::min<uint64_t>(limit, uint64_t(input.size()))));
        r.limitReached = uint64_t(input.size()) > limit;
        return r;
    }
    case Coding::Gzip:
        return zlibDecode(input, limit, 15 + 16);
    case Coding::Deflate: {
        // "deflate" means zlib-wrapped (RFC 9110 8.4.1.2), but servers have long sent raw deflate.
        Result r = zlibDecode(input, limit, 15);
        if (!r.ok && r.data.isEmpty())
            r = zlibDecode(input, limit, -15);
        return r;
    }
    case Coding::Brotli:
        return brotliDecode(input, limit);
    case Coding::Zstd:
        return zstdDecode(input, limit);
    case Coding::Unsupported:
        break;
    }
    Result r;
    r.ok = false;
    r.error = QStringLiteral("unsupported content coding");
    return r;
}

Result decodeContent(const QByteArray& contentEncoding, const QByteArray& body, uint64_t limit)
{
    QList<QByteArray> codings = contentEncoding.split(',');
    Result r;
    r.data = body;
    for (auto it = codings.crbegin(); it != codings.crend(); ++it) {
        const Coding coding = codingFromName(*it);
        if (coding == Coding::Identity)
            continue;
        if (coding == Coding::Unsupported) {
            r.ok = false;
            r.error = QStringLiteral("content coding \"%1\" is not supported").arg(QString::fromLatin1(it->trimmed()));
            return r;
        }
        Result step = decode(coding, r.data, limit);
        // An inner coding decoded from a cut or capped outer result is itself cut.
        step.inputEnded = step.inputEnded || r.inputEnded;
        step.limitReached = step.limitReached || r.limitReached;
        if (!step.ok)
            step.error = QString::fromLatin1(it->trimmed()) + QStringLiteral(": ") + step.error;
        r = std::move(step);
        if (!r.ok)
            return r;
    }
    return r;
}

} // namespace httptap::contentdecoder
