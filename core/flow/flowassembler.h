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
// Never throws; malformed input ends the affected connection's parsing with a
// note on its flow and leaves other connections untouched.

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

    explicit FlowAssembler(FlowSink sink);
    ~FlowAssembler();
    FlowAssembler(const FlowAssembler&) = delete;
    FlowAssembler& operator=(const FlowAssembler&) = delete;

    // Bodies longer than this keep only their first maxBodyBytes (default 16 MiB).
    void setMaxBodyBytes(uint64_t maxBodyBytes);
    // Content-Encoding and compressed gRPC messages decode to at most this many bytes (default 64 MiB).
    void setMaxDecodedBytes(uint64_t maxDecodedBytes);

    void add(const record::Record& record);
    // Flushes every open exchange as incomplete (end of capture).
    void finish();

    const AssemblerStats& stats() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace httptap
