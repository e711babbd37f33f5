// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Builds HTTP/2 byte streams for tests: frames of every type, header blocks
// compressed with nghttp2's HPACK deflater (one per direction, as a real
// peer keeps one), padding, CONTINUATION splits, and a canned client/server
// conversation over a TestConnection.

#include "streambuilder.h"

#include <QByteArray>

#include <initializer_list>
#include <utility>

struct nghttp2_hd_deflater;

namespace httptap::test {

using HeaderList = std::vector<std::pair<QByteArray, QByteArray>>;

class HpackEncoder
{
public:
    HpackEncoder();
    ~HpackEncoder();
    HpackEncoder(const HpackEncoder&) = delete;
    HpackEncoder& operator=(const HpackEncoder&) = delete;
    QByteArray encode(const HeaderList& headers);

private:
    nghttp2_hd_deflater* m_deflater = nullptr;
};

namespace h2 {

QByteArray preface();
QByteArray frame(uint8_t type, uint8_t flags, uint32_t stream, const QByteArray& payload);
QByteArray settings(std::initializer_list<std::pair<uint16_t, uint32_t>> values = {}, bool ack = false);
QByteArray data(uint32_t stream, const QByteArray& bytes, bool endStream, int padding = -1);
QByteArray rst(uint32_t stream, uint32_t errorCode);
QByteArray goaway(uint32_t lastStream, uint32_t errorCode, const QByteArray& debug = {});
QByteArray ping(bool ack = false);
QByteArray windowUpdate(uint32_t stream, uint32_t increment);
QByteArray priority(uint32_t stream);
QByteArray u32(uint32_t v);
QByteArray grpcMessage(const QByteArray& payload, bool compressed = false);

} // namespace h2

// One HTTP/2 connection's two encoders and a way to write header blocks.
class H2Peer
{
public:
    // HEADERS (+ CONTINUATIONs when maxFragment is smaller than the block).
    QByteArray headers(HpackEncoder& enc, uint32_t stream, const HeaderList& headers, bool endStream,
        qsizetype maxFragment = 1 << 20, int padding = -1, bool priority = false);
    QByteArray request(uint32_t stream, const HeaderList& headers, bool endStream, qsizetype maxFragment = 1 << 20)
    {
        return this->headers(client, stream, headers, endStream, maxFragment);
    }
    QByteArray response(uint32_t stream, const HeaderList& headers, bool endStream, qsizetype maxFragment = 1 << 20)
    {
        return this->headers(server, stream, headers, endStream, maxFragment);
    }
    QByteArray pushPromise(uint32_t stream, uint32_t promised, const HeaderList& headers);

    HpackEncoder client;
    HpackEncoder server;
};

HeaderList getRequest(const QByteArray& path, const QByteArray& authority = "example.test");

} // namespace httptap::test
