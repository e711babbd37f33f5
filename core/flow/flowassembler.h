// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Turns a sequence of capture records into Flows.
//
// Records are grouped by connection id; each direction of a connection is
// reassembled by byte offset (a gap, i.e. lost or uncopied bytes, marks the
// affected message truncated and resynchronises at the next message), then
// parsed as HTTP/1.x with llhttp or as HTTP/2 (core/http2). Requests and responses are paired in order
// (pipelining), 1xx responses are kept as informational, HEAD and 304 have no
// body, EOF-delimited bodies end when the connection closes.
//
// A finished flow is handed to the sink exactly once. finish() flushes
// everything still open (marked incomplete) — call it at the end of a stream.
//
// Open flows (optional, setProgressSink): a viewer that wants to show an
// exchange while it is still going on gets copies of it on a second channel,
// each with Flow::inProgress set and the id the finished flow will have:
// first when the request head is known (HTTP/1: with its body, once complete;
// a row can show "pending"), then as the flow moves on — response head,
// response complete while it still waits to leave — and, throttled, as it
// grows (body bytes, 1xx, trailers, WebSocket messages, events): at most once per progress interval of
// capture time per flow, so a 10 MiB body or 10,000 streamed messages cost a
// bounded number of copies (flowprogress.h has the rules). Growth that had to
// wait is reported by a later record or by flushProgress(); call that when
// the stream goes quiet. Snapshots decode Content-Encoding and gRPC while the
// bodies are under 1 MiB. The finished flow still goes once through the
// normal sink, and is exactly what it would be without a progress sink. A
// flow may finish without ever being reported in progress (request and
// response in the same records).
// Never throws; malformed input ends the affected connection's parsing with a
// note on its flow and leaves other connections untouched.

#include "bodyspill.h"
#include "flow.h"
#include "record/recordreader.h"

#include <functional>
#include <memory>

namespace httptap {

struct AssemblerStats {
    uint64_t records = 0;
    uint64_t dataBytes = 0;
    uint64_t connections = 0;
    uint64_t flows = 0;
    uint64_t lostRecords = 0; // latest cumulative count reported by the producer
    uint64_t parseErrors = 0; // connections given up because they were not HTTP/1.x
    uint64_t tlsCiphertextConnections = 0; // plaintext-path connections that carried TLS records
    uint64_t http2Connections = 0; // connections dissected as HTTP/2 (preface, h2c upgrade or mid-stream frames)
    uint64_t http2ProtocolErrors = 0; // HTTP/2 frames ignored as malformed (wrong stream, bad length…)
    uint64_t http2StreamsDropped = 0; // HTTP/2 streams not tracked: too many open at once
};

class FlowAssembler
{
public:
    using FlowSink = std::function<void(Flow&&)>;
    using ProgressSink = std::function<void(const Flow&)>;

    explicit FlowAssembler(FlowSink sink);
    ~FlowAssembler();
    FlowAssembler(const FlowAssembler&) = delete;
    FlowAssembler& operator=(const FlowAssembler&) = delete;

    // Bodies longer than this keep only their first maxBodyBytes (default 16 MiB).
    void setMaxBodyBytes(uint64_t maxBodyBytes);
    // Content-Encoding and compressed gRPC messages decode to at most this many bytes (default 64 MiB).
    void setMaxDecodedBytes(uint64_t maxDecodedBytes);
    // Bodies above a limit leave the heap when their flow leaves: spilled to a file or cut
    // (bodyspill.h). Default: kept on the heap.
    void setLargeBodyPolicy(const LargeBodyPolicy& policy);

    // Snapshots of open flows (see above); intervalNs is capture time between reports of one growing flow.
    void setProgressSink(ProgressSink sink, uint64_t intervalNs = 100'000'000);
    // Reports every open flow that changed since its last snapshot, whatever the interval.
    void flushProgress();

    void add(const record::Record& record);
    // Flushes every open exchange as incomplete (end of capture).
    void finish();

    const AssemblerStats& stats() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace httptap
