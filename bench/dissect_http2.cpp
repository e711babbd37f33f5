// SPDX-License-Identifier: GPL-2.0-or-later
//
// HTTP/2 dissection throughput (issue 10, item 3).
//
//   bench_dissect_http2 [N]   N streams (default 1,000,000) on connections of
//       100 streams each, mixed response sizes, as a client-side capture
//       record stream through core (RecordReader → FlowAssembler → Flow),
//       against nghttp2 alone on the same bytes.
//
// The nghttp2 baseline: nghttp2_session cannot consume a captured client's
// two directions without being one of the peers, so "nghttp2 alone" is what
// a minimal dissector must do with it — walk the frame headers of each
// direction and inflate every header block with nghttp2_hd_inflate_hd2 (one
// inflater per direction, as the peer's encoder requires); DATA is skipped.
// Header blocks come from the test suite's HPACK builder (tests/unit/h2builder).

#include "benchutil.h"

#include "../tests/unit/h2builder.h"
#include "flow/flowassembler.h"
#include "record/recordreader.h"
#include "record/recordwriter.h"

#include <nghttp2/nghttp2.h>

#include <cstdlib>
#include <vector>

using namespace httptap;
using namespace httptap::bench;

namespace {

constexpr int kStreamsPerConnection = 100;
constexpr int kBatchConnections = 100;

struct Batch {
    std::vector<uint8_t> records;
    std::vector<QByteArray> egress;
    std::vector<QByteArray> ingress;
    uint64_t wireBytes = 0;
};

Batch makeBatch(uint64_t firstConnection, int count)
{
    static const QByteArray kBody(8192, 'b');
    static const int kSizes[] = { 0, 200, 1500, 8192, 64 };
    Batch b;
    record::RecordWriter w;
    uint64_t ts = 1'000'000'000 + firstConnection * 1000;
    for (int c = 0; c < count; ++c) {
        const uint64_t conn = firstConnection + c + 1;
        test::H2Peer peer;
        QByteArray out, in;
        auto send = [&](QByteArray& stream, record::Direction dir, const QByteArray& bytes) {
            record::Data d = dataRecord(conn, dir, stream.size(), ts++);
            w.writeData(d, reinterpret_cast<const uint8_t*>(bytes.constData()), bytes.size());
            stream += bytes;
        };
        send(out, record::Direction::Egress, test::h2::preface() + test::h2::settings());
        send(in, record::Direction::Ingress, test::h2::settings() + test::h2::settings({}, true));
        for (int s = 0; s < kStreamsPerConnection; ++s) {
            const uint32_t id = 2 * s + 1;
            const uint64_t n = (conn - 1) * kStreamsPerConnection + s;
            send(out, record::Direction::Egress,
                peer.request(id, test::getRequest("/api/items/" + QByteArray::number(qulonglong(n))), true));
            const int size = kSizes[n % 5];
            test::HeaderList head { { ":status", "200" }, { "server", "nginx" },
                { "content-type", "application/json" }, { "content-length", QByteArray::number(size) } };
            send(in, record::Direction::Ingress,
                peer.response(id, head, size == 0) + (size ? test::h2::data(id, kBody.left(size), true) : QByteArray()));
        }
        w.write(record::ConnClose { ts++, conn, 4242, 7 });
        b.wireBytes += out.size() + in.size();
        b.egress.push_back(std::move(out));
        b.ingress.push_back(std::move(in));
    }
    b.records = w.take();
    return b;
}

// Frame walk + HPACK inflation of one direction; false on a malformed stream.
bool nghttp2Walk(const QByteArray& bytes, bool client, uint64_t* fields)
{
    nghttp2_hd_inflater* inflater = nullptr;
    if (nghttp2_hd_inflate_new(&inflater) != 0)
        return false;
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.constData());
    size_t pos = client ? 24 : 0, size = bytes.size();
    bool ok = true;
    while (ok && pos + 9 <= size) {
        const size_t len = (size_t(p[pos]) << 16) | (size_t(p[pos + 1]) << 8) | p[pos + 2];
        const uint8_t type = p[pos + 3], flags = p[pos + 4];
        const uint8_t* payload = p + pos + 9;
        if (pos + 9 + len > size)
            break;
        if (type == 1 /* HEADERS */) {
            size_t skip = 0, padding = 0;
            if (flags & 0x8) {
                padding = payload[0];
                skip = 1;
            }
            if (flags & 0x20)
                skip += 5;
            const uint8_t* in = payload + skip;
            size_t left = len - skip - padding;
            for (;;) {
                nghttp2_nv nv;
                int out = 0;
                const ssize_t used = nghttp2_hd_inflate_hd2(inflater, &nv, &out, in, left, 1);
                if (used < 0) {
                    ok = false;
                    break;
                }
                in += used;
                left -= size_t(used);
                if (out & NGHTTP2_HD_INFLATE_EMIT)
                    ++*fields;
                if (out & NGHTTP2_HD_INFLATE_FINAL) {
                    nghttp2_hd_inflate_end_headers(inflater);
                    break;
                }
                if (used == 0 && !(out & NGHTTP2_HD_INFLATE_EMIT))
                    break;
            }
        }
        pos += 9 + len;
    }
    nghttp2_hd_inflate_del(inflater);
    return ok && pos == size;
}

} // namespace

int main(int argc, char** argv)
{
    const uint64_t streams = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
    const uint64_t connections = (streams + kStreamsPerConnection - 1) / kStreamsPerConnection;
    uint64_t flows = 0, fields = 0, wire = 0;
    FlowAssembler assembler([&](Flow&&) { ++flows; });
    record::RecordReader reader;
    {
        record::RecordWriter w;
        w.writeStreamHeader();
        w.write(record::StreamStart { 1'000'000'000, 1'700'000'000'000'000'000ull, 1, "bench" });
        const std::vector<uint8_t> prologue = w.take(); // borrowed by the reader until next() runs out
        reader.feed(prologue);
        while (reader.next()) { }
    }
    double coreSeconds = 0, baseSeconds = 0;
    bool ok = true;
    for (uint64_t first = 0; first < connections; first += kBatchConnections) {
        const Batch batch = makeBatch(first, int(std::min<uint64_t>(kBatchConnections, connections - first)));
        wire += batch.wireBytes;
        const double t0 = threadCpuSeconds();
        for (size_t i = 0; i < batch.egress.size(); ++i) {
            ok &= nghttp2Walk(batch.egress[i], true, &fields);
            ok &= nghttp2Walk(batch.ingress[i], false, &fields);
        }
        const double t1 = threadCpuSeconds();
        baseSeconds += t1 - t0;
        feedInPieces(reader, batch.records, [&](const record::Record& rec) { assembler.add(rec); });
        coreSeconds += threadCpuSeconds() - t1;
    }
    assembler.finish();
    if (!ok || flows != connections * kStreamsPerConnection) {
        std::fprintf(stderr, "bench_dissect_http2: nghttp2 ok=%d, %llu flows for %llu streams\n", ok,
            static_cast<unsigned long long>(flows), static_cast<unsigned long long>(connections * kStreamsPerConnection));
        return 1;
    }
    const double mb = wire / 1e6;
    result("http2-dissect", { { "streams", double(flows) }, { "wire_mb", mb }, { "core_s", coreSeconds },
        { "core_mb_s", mb / coreSeconds }, { "core_flows_s", flows / coreSeconds }, { "nghttp2_s", baseSeconds },
        { "nghttp2_mb_s", mb / baseSeconds }, { "header_fields", double(fields) }, { "ratio", baseSeconds / coreSeconds } });
    return 0;
}
