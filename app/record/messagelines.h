// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// httptap-record --messages: one JSON line per WebSocket message, Server-Sent
// Event and gRPC message, written as soon as the assembler reports it — from
// snapshots of open flows (FlowAssembler's progress sink) and finally from the
// finished flow — each exactly once. Remembers, per open flow id, how many of
// each list were written.
//
// A line: {"schema": 1, "type": "websocket" | "sse" | "grpc", "flow_id": 3,
//   "conn_id": 1, "url": "…", "direction": "client" | "server" (who sent it),
//   "index": 0 (its position among the flow's items of that type and direction),
//   "time": "2026-…Z" or null, "message": {…}} where "message" is the object a
// flow line lists (jsonlwriter.h: websocket.messages[], server_sent_events.events[],
// grpc.request_messages[] / response_messages[]).

#include "export/jsonlwriter.h"

#include <unordered_map>

namespace httptap::cli {

class MessageLines
{
public:
    // The lines for what `flow` holds that was not written yet; `finished` forgets the flow afterwards.
    QByteArray take(const Flow& flow, const JsonlWriter& writer, bool finished);

private:
    struct Written {
        qsizetype webSocket = 0;
        qsizetype events = 0;
        qsizetype grpcRequests = 0;
        qsizetype grpcResponses = 0;
    };
    std::unordered_map<uint64_t, Written> m_written;
};

} // namespace httptap::cli
