// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The exchanges of one connection that have not left yet, in the order their
// requests began, and the rules for letting them leave.
//
// Invariants:
//  - HTTP/1 answers in order, so the first exchange without a final response
//    is the one the next response belongs to (firstUnanswered()).
//  - An exchange leaves through the sink when its request and its final
//    response are both settled (done, cut short or given up), and only from
//    the front, so flows of one connection leave in request order.
//  - Each exchange lives in its own heap block: references to it stay valid
//    while others are appended or leave, so a parser may hold on to "its"
//    exchange across calls until that exchange is settled. Blocks of
//    exchanges that left are reused (a few per connection), so a
//    keep-alive connection allocates none per exchange.

#include "bodydecoder.h"
#include "flow.h"
#include "flowassembler.h"
#include "flowprogress.h"
#include "initiatorstacks.h"

#include <deque>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

namespace httptap {

// What every connection shares with its assembler.
struct AssemblyContext {
    FlowAssembler::FlowSink sink;
    AssemblerStats stats;
    uint64_t lastFlowId = 0;
    uint64_t maxBodyBytes = 16u << 20;
    uint64_t maxDecodedBytes = 64u << 20;

    FlowAssembler::ProgressSink progressSink; // empty: nobody wants open flows
    uint64_t progressIntervalNs = 100'000'000;
    std::unordered_set<ProgressSource*> progressPending; // sources with changed flows waiting for their interval
    uint64_t lastTimestampNs = 0; // newest record's time
    uint64_t lastProgressSweepNs = 0;
    InitiatorStacks stacks; // Stack records waiting for the message each one starts
};

struct Exchange {
    Flow flow;
    QByteArray method; // known once the request's headers are, before the request completes
    bool requestDone = false;
    bool responseDone = false;
    bool held = false; // settled, but more belongs to it (a WebSocket's messages): stays until released
    ProgressMark progress;

    void addNote(const QString& text, bool truncates);
};

class ExchangeQueue
{
public:
    explicit ExchangeQueue(AssemblyContext& context)
        : m_ctx(context)
    {
    }

    // A new exchange with the next flow id; the caller fills in who and when.
    Exchange& append();
    // Puts back a flow taken with takeBack(), keeping its id.
    Exchange& appendTaken(Flow&& flow);
    Exchange* firstUnanswered();
    bool allAnswered() const;
    size_t size() const { return m_exchanges.size(); }

    // Removes the newest exchange without letting it leave (its flow continues elsewhere: h2c).
    // Returns nothing when `exchange` is not the newest.
    std::optional<Flow> takeBack(const Exchange& exchange);
    // Lets every settled exchange at the front leave (not one held open).
    void flushReady();
    // Settles and lets leave every exchange: those without a final response get `noResponseNote`.
    void flushAll(const QString& noResponseNote);
    // Gives waiting flows whose addresses were unknown the ones learnt later
    // (a TLS library whose socket is found only after its first bytes).
    void fillUnknownEndpoints(const FlowEndpoint& local, const FlowEndpoint& remote);

    // A message a parser is still reading (its head complete) and the exchange it belongs to.
    struct PartialMessage {
        const Exchange* exchange = nullptr;
        const HttpMessage* message = nullptr;
    };
    // Hands snapshots of the exchanges whose progress is due to the context's progress sink
    // (see flowprogress.h); returns whether a changed one waits for its interval.
    bool reportProgress(uint64_t nowNs, bool force, PartialMessage request, PartialMessage response);

private:
    static constexpr size_t kMaxSpare = 2;

    Exchange& emplaceBack();
    void recycle(std::unique_ptr<Exchange> exchange);
    void emitFlow(Exchange& exchange);

    AssemblyContext& m_ctx;
    std::deque<std::unique_ptr<Exchange>> m_exchanges;
    std::vector<std::unique_ptr<Exchange>> m_spare; // exchanges that left, reset, for the next ones
    BodyFieldsCache m_bodyFields; // the flows' header lists are mostly shared: each walked once
};

} // namespace httptap
