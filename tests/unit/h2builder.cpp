// SPDX-License-Identifier: GPL-2.0-or-later
#include "h2builder.h"

#include <nghttp2/nghttp2.h>

#include <vector>

namespace httptap::test {

HpackEncoder::HpackEncoder() { nghttp2_hd_deflate_new(&m_deflater, 4096); }

HpackEncoder::~HpackEncoder() { nghttp2_hd_deflate_del(m_deflater); }

QByteArray HpackEncoder::encode(const HeaderList& headers)
{
    std::vector<nghttp2_nv> nva;
    for (const auto& [name, value] : headers) {
        nva.push_back(nghttp2_nv { reinterpret_cast<uint8_t*>(const_cast<char*>(name.constData())),
            reinterpret_cast<uint8_t*>(const_cast<char*>(value.constData())), size_t(name.size()),
            size_t(value.size()), NGHTTP2_NV_FLAG_NONE });
    }
    QByteArray out(qsizetype(nghttp2_hd_deflate_bound(m_deflater, nva.data(), nva.size())), Qt::Uninitialized);
    const ssize_t n = nghttp2_hd_deflate_hd(
        m_deflater, reinterpret_cast<uint8_t*>(out.data()), size_t(out.size()), nva.data(), nva.size());
    out.resize(n < 0 ? 0 : qsizetype(n));
    return out;
}

namespace h2 {

QByteArray preface() { return QByteArrayLiteral("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"); }

QByteArray u32(uint32_t v)
{
    QByteArray b(4, Qt::Uninitialized);
    b[0] = char(v >> 24);
    b[1] = char(v >> 16);
    b[2] = char(v >> 8);
    b[3] = char(v);
    return b;
}

QByteArray frame(uint8_t type, uint8_t flags, uint32_t stream, const QByteArray& payload)
{
    const uint32_t len = uint32_t(payload.size());
    QByteArray f;
    f.append(char(len >> 16)).append(char(len >> 8)).append(char(len));
    f.append(char(type)).append(char(flags));
    f.append(u32(stream));
    f.append(payload);
    return f;
}

QByteArray settings(std::initializer_list<std::pair<uint16_t, uint32_t>> values, bool ack)
{
    QByteArray p;
    for (const auto& [id, v] : values)
        p.append(char(id >> 8)).append(char(id)).append(u32(v));
    return frame(4, ack ? 1 : 0, 0, p);
}

QByteArray data(uint32_t stream, const QByteArray& bytes, bool endStream, int padding)
{
    QByteArray p;
    uint8_t flags = endStream ? 1 : 0;
    if (padding >= 0) {
        flags |= 0x8;
        p.append(char(padding));
    }
    p.append(bytes);
    if (padding > 0)
        p.append(QByteArray(padding, '\0'));
    return frame(0, flags, stream, p);
}

QByteArray rst(uint32_t stream, uint32_t errorCode) { return frame(3, 0, stream, u32(errorCode)); }

QByteArray goaway(uint32_t lastStream, uint32_t errorCode, const QByteArray& debug)
{
    return frame(7, 0, 0, u32(lastStream) + u32(errorCode) + debug);
}

QByteArray ping(bool ack) { return frame(6, ack ? 1 : 0, 0, QByteArray(8, 'p')); }

QByteArray windowUpdate(uint32_t stream, uint32_t increment) { return frame(8, 0, stream, u32(increment)); }

QByteArray priority(uint32_t stream) { return frame(2, 0, stream, u32(0) + QByteArray(1, char(15))); }

QByteArray grpcMessage(const QByteArray& payload, bool compressed)
{
    return QByteArray(1, char(compressed ? 1 : 0)) + u32(uint32_t(payload.size())) + payload;
}

} // namespace h2

QByteArray H2Peer::headers(HpackEncoder& enc, uint32_t stream, const HeaderList& headers, bool endStream,
    qsizetype maxFragment, int padding, bool priority)
{
    const QByteArray block = enc.encode(headers);
    QByteArray out;
    QByteArray first = block.left(maxFragment);
    const bool single = first.size() == block.size();
    uint8_t flags = uint8_t((endStream ? 0x1 : 0) | (single ? 0x4 : 0));
    QByteArray payload;
    if (padding >= 0) {
        flags |= 0x8;
        payload.append(char(padding));
    }
    if (priority) {
        flags |= 0x20;
        payload.append(h2::u32(0)).append(char(15));
    }
    payload.append(first);
    if (padding > 0)
        payload.append(QByteArray(padding, '\0'));
    out += h2::frame(1, flags, stream, payload);
    for (qsizetype pos = first.size(); pos < block.size(); pos += maxFragment) {
        const QByteArray part = block.mid(pos, maxFragment);
        const bool last = pos + part.size() >= block.size();
        out += h2::frame(9, last ? 0x4 : 0, stream, part);
    }
    return out;
}

QByteArray H2Peer::pushPromise(uint32_t stream, uint32_t promised, const HeaderList& headers)
{
    return h2::frame(5, 0x4, stream, h2::u32(promised) + server.encode(headers));
}

HeaderList getRequest(const QByteArray& path, const QByteArray& authority)
{
    return { { ":method", "GET" }, { ":scheme", "https" }, { ":authority", authority }, { ":path", path },
        { "user-agent", "test/1" }, { "accept", "*/*" } };
}

} // namespace httptap::test
