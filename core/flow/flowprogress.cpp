// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowprogress.h"

#include "bodydecoder.h"

namespace httptap {

ProgressVerdict progressVerdict(
    const ProgressMark& mark, ProgressStage stage, uint64_t signature, uint64_t nowNs, uint64_t intervalNs, bool force)
{
    if (stage == ProgressStage::None)
        return ProgressVerdict::Nothing;
    if (stage > mark.stage)
        return ProgressVerdict::Report;
    if (signature == mark.signature)
        return ProgressVerdict::Nothing;
    // Clocks of different CPUs may step back a little: a time before the last report waits too.
    return force || nowNs >= mark.reportedNs + intervalNs ? ProgressVerdict::Report : ProgressVerdict::Later;
}

uint64_t progressSignature(const HttpMessage* request, const HttpMessage* response, const Flow& flow)
{
    // Streamed items (WebSocket messages, events) count too: they grow without body bytes.
    uint64_t sum = uint64_t(flow.informational().size()) + uint64_t(flow.webSocketMessages().size())
        + uint64_t(flow.serverSentEvents().size()) + flow.streamItemsDropped();
    for (const HttpMessage* m : { request, response }) {
        if (m)
            sum += m->bodySize + uint64_t(m->trailers().size());
    }
    return sum;
}

void prepareSnapshot(Flow& flow, uint64_t maxDecodedBytes)
{
    flow.inProgress = true;
    if (flow.request.body.size() + flow.response.body.size() > kMaxSnapshotDecodeBytes) {
        flow.request.dropSingleArrival();
        flow.response.dropSingleArrival();
        return;
    }
    const QStringList notes = flow.notes;
    decodeBodies(flow, maxDecodedBytes);
    flow.notes = notes;
}

} // namespace httptap
