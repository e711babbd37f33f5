// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Compressed test bodies: zlib's deflate with the wrapper windowBits selects (15 + 16: gzip, 15:
// zlib, -15: raw deflate), as servers send them.

#include <QByteArray>

#include <zlib.h>

namespace httptap::test {

inline QByteArray zlibEncode(const QByteArray& in, int windowBits)
{
    z_stream z {};
    deflateInit2(&z, 6, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(qsizetype(deflateBound(&z, uLong(in.size())) + 64), Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.constData()));
    z.avail_in = uInt(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(qsizetype(z.total_out));
    deflateEnd(&z);
    return out;
}

inline QByteArray gzipEncode(const QByteArray& in) { return zlibEncode(in, 15 + 16); }

} // namespace httptap::test
