// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// One captured connection (one connection id and capture source) on its way
// to Flows: two byte streams, the decision which of them carries requests,
// an HTTP/1 parser per stream and the queue of exchanges waiting for their
// responses — or, once HTTP/2 is recognised (client preface on either
// direction, `Upgrade: h2c` answered by 101, or HTTP/2 frames in a
// connection the capture joined late), an Http2Connection that takes over;
// or, once a 101 accepts `Upgrade: websocket`, a WebSocketSession that adds
// every later frame to the handshake's flow, which leaves when the
// connection closes or close frames went both ways.
//
// Invariants:
//  - Exchanges wait in an ExchangeQueue (request order, FIFO pairing, each
//    flow leaves exactly once); each stream's parser points at the exchange
//    its current message belongs to, and lets go of it once it is settled.
//  - Buffering is bounded: at most protocolsniffer::kMaxPrefix bytes per
//    stream before the protocol is known (kMaxHeldBytes of HTTP/2 frames a
//    server sent before the client's preface was seen), kMaxHeldBytes while waiting for an
//    upgrade's answer, kMaxPendingExchanges unanswered requests.

#include "exchangequeue.h"
#include "flow.h"
#include "http/http1parser.h"
#include "http/sseparser.h"
#include "http2/http2connection.h"
#include "streamreassembler.h"
#include "websocket/websocketsession.h"

#include <memory>

namespace httptap {

class Connection : private Http1Parser::Listener, public ProgressSource
{
public:
    using Context = AssemblyContext;
    enum class CloseReason : uint8_t { Closed, CaptureEnded };

    static constexpr size_t kMaxPendingExchanges = 1000;
    static constexpr qsizetype kMaxHeldBytes = 64 * 1024;

    Connection(Context& context, const record::Data& first);
    ~Connection() override;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void add(const record::Data& data);
    // Completes what the end of the stream completes (EOF bodies) and flushes every exchange.
    void close(CloseReason reason);
    uint32_t pid() const { return m_pid; }
    // ProgressSource: the open HTTP/1 exchanges (with the messages their parsers are reading) or HTTP/2 streams.
    bool reportProgress(uint64_t nowNs, bool force) override;

private:
    enum class State : uint8_t {
        Sniffing, // neither stream has shown what it carries yet
        Http, // parsing HTTP/1.x
        Tunnel, // switched protocols (101, CONNECT): further bytes are not HTTP/1
        WebSocket, // 101 to `Upgrade: websocket`: m_ws dissects every further byte into the handshake's flow
        Http2, // m_h2 dissects every further byte
        Ignored, // TLS ciphertext or HTTP/2: not ours to parse, not an error
        Failed, // not HTTP or hostile: given up
        Closed,
    };
    enum class Mode : uint8_t {
        Http, // bytes go to the parser
        Resync, // after lost bytes: waiting for a chunk that starts a message
        AwaitUpgrade, // requests paused after an Upgrade/CONNECT until its response says yes or no
        Stopped,
    };
    struct Side {
        StreamReassembler stream;
        std::unique_ptr<Http1Parser> parser;
        Mode mode = Mode::Http;
        bool requests = false; // carries requests (else responses)
        bool joinedLate = false; // capture began after this stream did
        QByteArray prefix; // bytes before the protocol is known
        bool prefixIsFrames = false; // prefix holds HTTP/2 frames waiting for the other side's preface
        uint64_t prefixTimestampNs = 0;
        QByteArray held; // bytes after an upgrade request, until its answer
        bool heldOverflow = false;
        Exchange* exchange = nullptr; // owner of the message being parsed
        bool resynced = false; // the message in progress began at a resynchronisation point
        uint64_t missingBeforeNext = 0; // bytes lost between messages, reported on the next one
        // The chunk being parsed.
        uint64_t timestampNs = 0;
        uint32_t pid = 0;
        uint32_t tid = 0;
        bool lastCallTruncated = false;
        std::unique_ptr<SseParser> sse; // the response being parsed is an event stream
        // Egress only: the stack of the write being parsed, for the first message that begins in it.
        std::shared_ptr<const InitiatorStack> initiator;
    };

    // Http1Parser::Listener
    void messageBegin(Http1Parser& parser) override;
    Http1Parser::BodyMode headersComplete(Http1Parser& parser) override;
    void messageComplete(Http1Parser& parser, HttpMessage&& message) override;
    void note(Http1Parser& parser, const QString& text, bool truncates) override;
    void bodyData(Http1Parser& parser, const char* data, size_t size) override;

    Side& sideOf(const Http1Parser& parser);
    Side& requestSide() { return m_sides[m_sides[0].requests ? 0 : 1]; }
    Side& responseSide() { return m_sides[m_sides[0].requests ? 1 : 0]; }

    void sniff(Side& side, const uint8_t* data, size_t size, bool gap);
    void startHttp(bool egressCarriesRequests);
    bool sniffHttp2Frames(Side& side, const uint8_t* data, size_t size);
    void startHttp2(Http2Connection::Start start, Side* client);
    void feedHttp2(Side& side, uint64_t gapBytes, const uint8_t* data, size_t size);
    void startWebSocket(Side& responses, const uint8_t* rest, size_t restSize);
    void feedWebSocket(Side& side, uint64_t gapBytes, const uint8_t* data, size_t size);
    void endWebSocket(const QString& reason);
    void replayPrefix(Side& side, bool http2);
    Flow identity() const;
    void process(Side& side, uint64_t gapBytes, uint64_t gapOffset, const uint8_t* data, size_t size);
    void handleGap(Side& side, uint64_t bytes, uint64_t offset);
    void feedParser(Side& side, const uint8_t* data, size_t size);
    void abandonMessage(Side& side, const QString& text, bool truncates);
    void maybeResumeRequests();
    void giveUp(const QString& reason);
    void flushAll(const QString& noResponseNote);
    Exchange& newExchange(const Side& side);

    Context& m_ctx;
    State m_state = State::Sniffing;
    Side m_sides[2]; // indexed by record::Direction
    ExchangeQueue m_exchanges;
    uint64_t m_connId = 0;
    record::Source m_source = record::Source::Syscall;
    uint32_t m_pid = 0;
    std::array<char, record::kCommSize> m_comm {};
    QString m_process;
    FlowEndpoint m_local;
    FlowEndpoint m_remote;
    Flow::Role m_role = Flow::Role::Client;
    std::unique_ptr<Http2Connection> m_h2;
    std::optional<Flow> m_h2cUpgrade; // the request answered by 101 to h2c, waiting to become stream 1
    Exchange* m_wsExchange = nullptr; // the handshake answered by 101 to websocket, held until the end
    std::unique_ptr<WebSocketSession> m_ws;
};

} // namespace httptap
