// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Both directions of one WebSocket (after an HTTP/1.1 101 or on an HTTP/2
// extended CONNECT stream), their messages appended to the handshake's flow.
//
// Invariants:
//  - The flow keeps at most Flow::kMaxStreamItems messages and at most
//    kMaxKeptBytesPerFlow bytes of their data; beyond that messages are
//    counted (streamItemsDropped) or kept without data (truncated).
//  - A direction whose framing is lost stops with one note on the flow; the
//    other direction goes on.

#include "websocketmessageassembler.h"

#include <memory>

namespace httptap {

class WebSocketSession
{
public:
    static constexpr uint64_t kMaxKeptBytesPerFlow = 256u << 20;

    // `flow` must outlive the session (it is the exchange the session writes into).
    WebSocketSession(Flow& flow, uint64_t maxMessageBytes);
    ~WebSocketSession();

    // Bytes of one direction; `lost` bytes before them were not captured.
    void feed(bool fromClient, uint64_t lost, const uint8_t* data, size_t size, uint64_t timeNs);
    // The direction's bytes cannot be followed from here on (a reason for the user).
    void abandon(bool fromClient, const QString& reason);
    // The connection or stream ended: messages in progress go out truncated.
    void finish(const QString& reason, uint64_t timeNs);
    // Close frames went both ways: nothing more belongs to this WebSocket.
    bool closedBothWays() const;

private:
    void append(WebSocketMessage&& message);
    void noteFailure(bool fromClient);

    Flow& m_flow;
    std::unique_ptr<WebSocketMessageAssembler> m_sides[2]; // [0] client, [1] server
    bool m_failureNoted[2] = { false, false };
    bool m_abandoned[2] = { false, false };
    uint64_t m_keptBytes = 0;
};

} // namespace httptap
