// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Bookkeeping for FlowAssembler's progress sink (see flowassembler.h): which
// open flows changed since they were last reported, and when to report them.
//
// A flow is reported at once when it reaches a new stage (request head seen,
// request complete, response head seen, response complete): at most four
// times. While it only grows (body bytes, 1xx, trailers), it is reported at
// most once per interval of capture time, so a 10 MiB body or thousands of
// streamed messages cost a bounded number of copies. A source holding a
// changed flow that had to wait stays in the context's pending set, so a
// later record on any connection, or FlowAssembler::flushProgress(), reports
// it.

#include "flow.h"

namespace httptap {

enum class ProgressStage : uint8_t { None, RequestHead, RequestDone, ResponseHead, ResponseDone };

// What was last reported of one open flow.
struct ProgressMark {
    ProgressStage stage = ProgressStage::None;
    uint64_t signature = 0;
    uint64_t reportedNs = 0;
};

// Holds open flows: a connection.
class ProgressSource
{
public:
    // Reports the open flows whose progress is due at nowNs (every changed one when force).
    // Returns whether a changed flow is still waiting for its interval.
    virtual bool reportProgress(uint64_t nowNs, bool force) = 0;

protected:
    ~ProgressSource() = default;
};

enum class ProgressVerdict : uint8_t { Nothing, Report, Later };

ProgressVerdict progressVerdict(
    const ProgressMark& mark, ProgressStage stage, uint64_t signature, uint64_t nowNs, uint64_t intervalNs, bool force);

// How much of an exchange has been seen; grows with every body byte, 1xx response, trailer,
// WebSocket message and server-sent event (each part only grows, so their sum changes whenever
// one of them does).
uint64_t progressSignature(const HttpMessage* request, const HttpMessage* response, const Flow& flow);

// Turns a copy of an open flow into what the progress sink gets: inProgress set, Content-Encoding
// and gRPC decoded while the bodies are small (kMaxSnapshotDecodeBytes), without the notes an
// unfinished body would earn (a compressed stream that "ends early" has simply not ended yet).
inline constexpr qsizetype kMaxSnapshotDecodeBytes = 1 << 20;
void prepareSnapshot(Flow& flow, uint64_t maxDecodedBytes);

} // namespace httptap
