// SPDX-License-Identifier: GPL-2.0-or-later
//
// HTTP/1.1 dissection throughput and memory per flow (issue 10, items 3 and 4).
//
//   bench_dissect_http1 throughput [N]   N keep-alive transactions (default
//       1,000,000; mixed sizes, Content-Length and chunked) as a capture
//       record stream through core (RecordReader → FlowAssembler → Flow)
//       against llhttp alone (no callbacks) on the same bytes.
//   bench_dissect_http1 memory [N]       N small flows kept in memory: RSS per
//       flow beyond the bytes captured.
//
// The stream is generated in batches of connections, so the generator's own
// memory stays small; only feeding core (or llhttp) is timed.

#include "benchutil.h"

#include "flow/flowassembler.h"
#include "record/recordreader.h"
#include "record/recordwriter.h"

#include <llhttp.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace httptap;
using namespace httptap::bench;

namespace {

constexpr int kPerConnection = 100; // keep-alive transactions per connection
constexpr int kBatchConnections = 100;

struct Exchange {
    std::string request;
    std::string response;
};

// Transaction i of the mix: five response shapes, cycling.
Exchange exchange(uint64_t i, bool small)
{
    Exchange e;
    e.request = "GET /api/items/" + std::to_string(i) + "?page=2 HTTP/1.1\r\nHost: api.example.test\r\n"
        "User-Agent: bench/1.0\r\nAccept: application/json\r\nAccept-Encoding: identity\r\n\r\n";
    static const std::string kBody(8192, 'b');
    std::string head = "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Fri, 27 Nov 2026 10:00:00 GMT\r\n"
                       "Content-Type: application/json\r\nCache-Control: no-store\r\n";
    if (small) {
        e.response = head + "Content-Length: 16\r\n\r\n" + kBody.substr(0, 16);
        return e;
    }
    switch (i % 5) {
    case 0:
        e.response = head + "Content-Length: 0\r\n\r\n";
        break;
    case 1:
        e.response = head + "Content-Length: 200\r\n\r\n" + kBody.substr(0, 200);
        break;
    case 2:
        e.response = head + "Content-Length: 1500\r\n\r\n" + kBody.substr(0, 1500);
        break;
    case 3:
        e.response = head + "Content-Length: 8192\r\n\r\n" + kBody;
        break;
    default: // chunked, three chunks
        e.response = head + "Transfer-Encoding: chunked\r\n\r\n400\r\n" + kBody.substr(0, 1024) + "\r\n100\r\n"
            + kBody.substr(0, 256) + "\r\n10\r\n" + kBody.substr(0, 16) + "\r\n0\r\n\r\n";
    }
    return e;
}

// One batch: connections [first, first + count), each a client writing its
// requests and reading its responses, one record per message, then closed.
struct Batch {
    std::vector<uint8_t> records; // encoded, no stream header
    std::vector<std::string> egress; // per connection, the bytes llhttp parses
    std::vector<std::string> ingress;
    uint64_t wireBytes = 0;
};

Batch makeBatch(uint64_t firstConnection, int count, int perConnection, bool small)
{
    Batch b;
    record::RecordWriter w;
    uint64_t ts = 1'000'000'000 + firstConnection * 1000;
    for (int c = 0; c < count; ++c) {
        const uint64_t conn = firstConnection + c + 1;
        std::string out, in;
        for (int t = 0; t < perConnection; ++t) {
            const Exchange e = exchange((conn - 1) * perConnection + t, small);
            record::Data req = dataRecord(conn, record::Direction::Egress, out.size(), ts++);
            w.writeData(req, reinterpret_cast<const uint8_t*>(e.request.data()), e.request.size());
            record::Data resp = dataRecord(conn, record::Direction::Ingress, in.size(), ts++);
            w.writeData(resp, reinterpret_cast<const uint8_t*>(e.response.data()), e.response.size());
            out += e.request;
            in += e.response;
        }
        w.write(record::ConnClose { ts++, conn, 4242, 7 });
        b.wireBytes += out.size() + in.size();
        b.egress.push_back(std::move(out));
        b.ingress.push_back(std::move(in));
    }
    b.records = w.take();
    return b;
}

std::vector<uint8_t> streamPrologue()
{
    record::RecordWriter w;
    w.writeStreamHeader();
    w.write(record::StreamStart { 1'000'000'000, 1'700'000'000'000'000'000ull, 1, "bench" });
    return w.take();
}

// llhttp alone: a parser per direction, no callbacks; true if every byte parsed.
bool llhttpParse(const std::string& bytes, llhttp_type_t type, const llhttp_settings_t& settings)
{
    llhttp_t parser;
    llhttp_init(&parser, type, &settings);
    return llhttp_execute(&parser, bytes.data(), bytes.size()) == HPE_OK;
}

int throughput(uint64_t transactions)
{
    const uint64_t connections = (transactions + kPerConnection - 1) / kPerConnection;
    llhttp_settings_t settings;
    llhttp_settings_init(&settings);

    uint64_t flows = 0;
    FlowAssembler assembler([&](Flow&&) { ++flows; });
    record::RecordReader reader;
    const std::vector<uint8_t> prologue = streamPrologue(); // borrowed by the reader until next() runs out
    reader.feed(prologue);
    while (reader.next()) { }

    double coreSeconds = 0, llhttpSeconds = 0;
    uint64_t wire = 0, recordBytes = 0;
    bool llhttpOk = true;
    for (uint64_t first = 0; first < connections; first += kBatchConnections) {
        const int count = static_cast<int>(std::min<uint64_t>(kBatchConnections, connections - first));
        const Batch batch = makeBatch(first, count, kPerConnection, false);
        wire += batch.wireBytes;
        recordBytes += batch.records.size();

        double t0 = threadCpuSeconds();
        for (size_t i = 0; i < batch.egress.size(); ++i) {
            llhttpOk &= llhttpParse(batch.egress[i], HTTP_REQUEST, settings);
            llhttpOk &= llhttpParse(batch.ingress[i], HTTP_RESPONSE, settings);
        }
        double t1 = threadCpuSeconds();
        llhttpSeconds += t1 - t0;

        feedInPieces(reader, batch.records, [&](const record::Record& rec) { assembler.add(rec); });
        coreSeconds += threadCpuSeconds() - t1;
    }
    assembler.finish();
    if (!llhttpOk || flows != connections * kPerConnection) {
        std::fprintf(stderr, "bench_dissect_http1: llhttp ok=%d, %llu flows for %llu transactions\n", llhttpOk,
            static_cast<unsigned long long>(flows), static_cast<unsigned long long>(connections * kPerConnection));
        return 1;
    }
    const double mb = wire / 1e6;
    result("http1-dissect", { { "transactions", double(flows) }, { "wire_mb", mb },
        { "record_mb", recordBytes / 1e6 }, { "core_s", coreSeconds }, { "core_mb_s", mb / coreSeconds },
        { "core_flows_s", flows / coreSeconds }, { "llhttp_s", llhttpSeconds }, { "llhttp_mb_s", mb / llhttpSeconds },
        { "llhttp_msgs_s", 2.0 * flows / llhttpSeconds }, { "ratio", llhttpSeconds / coreSeconds } });
    return 0;
}

int memory(uint64_t count)
{
    // Small flows, kept as the GUI's FlowStore keeps them: each Flow in its own heap block, a
    // pointer to it in a vector. (The GUI adds a FlowRow of 48 bytes in its table model and a copy
    // in the filter proxy; bench/README.md.)
    std::vector<std::unique_ptr<const Flow>> kept;
    kept.reserve(count); // the vector's own slots are counted below, like any flow store's
    uint64_t capturedBytes = 0;
    FlowAssembler assembler([&](Flow&& f) {
        capturedBytes += f.request.body.size() + f.response.body.size();
        kept.push_back(std::make_unique<const Flow>(std::move(f)));
    });
    record::RecordReader reader;
    const std::vector<uint8_t> prologue = streamPrologue(); // borrowed by the reader until next() runs out
    reader.feed(prologue);
    while (reader.next()) { }
    const uint64_t before = rssBytes();
    const uint64_t heapBefore = heapBytes();
    const int perConnection = 10;
    uint64_t wire = 0;
    for (uint64_t first = 0; first * perConnection < count; first += kBatchConnections) {
        const uint64_t left = (count - first * perConnection + perConnection - 1) / perConnection;
        const int n = static_cast<int>(std::min<uint64_t>(kBatchConnections, left));
        Batch batch = makeBatch(first, n, perConnection, true);
        wire += batch.wireBytes;
        feedInPieces(reader, batch.records, [&](const record::Record& rec) { assembler.add(rec); });
    }
    assembler.finish();
    const uint64_t after = rssBytes();
    const uint64_t heapAfter = heapBytes();
    // "Beyond the captured bytes": everything core keeps, less the bytes the capture carried.
    const double perFlow = (double(after) - double(before) - double(wire)) / kept.size();
    result("memory", { { "flows", double(kept.size()) }, { "rss_delta_mb", (after - before) / 1e6 },
        { "body_bytes_mb", capturedBytes / 1e6 }, { "wire_mb", wire / 1e6 },
        { "wire_bytes_per_flow", double(wire) / kept.size() }, { "sizeof_flow", double(sizeof(Flow)) },
        { "rss_per_flow", double(after - before) / kept.size() },
        { "heap_per_flow", (double(heapAfter) - double(heapBefore)) / kept.size() }, { "bytes_per_flow", perFlow } });
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    const std::string mode = argc > 1 ? argv[1] : "throughput";
    const uint64_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1'000'000;
    if (mode == "throughput")
        return throughput(n);
    if (mode == "memory")
        return memory(n);
    std::fprintf(stderr, "usage: bench_dissect_http1 throughput|memory [N]\n");
    return 2;
}
