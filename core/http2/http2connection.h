// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// One HTTP/2 connection on its way to Flows: a frame reader and an HPACK
// decoder per direction, and the open streams, each becoming one Flow.
//
// How a connection gets here (Connection decides, see connection.h): the
// client preface on either direction (h2 over TLS with ALPN, h2c with prior
// knowledge; the direction that sends it is the client), an HTTP/1.1
// `Upgrade: h2c` answered by 101 (the upgrade request becomes stream 1), or
// frames seen mid-connection (capture began after the connection did; the
// client is whichever side sends a request header block first).
//
// Streams → flows: pseudo-headers stay in HttpMessage::headers in wire order
// (as a browser shows them) and are also copied to method / target (:path) /
// scheme / authority / status. A second header block is a trailer block
// (HttpMessage::trailers); 1xx blocks are informational. RST_STREAM and
// GOAWAY mark the affected flows incomplete with the error code's name.
// PUSH_PROMISE creates the pushed stream's flow, its request taken from the
// promise, linked to the parent by Flow::pushedBy.
//
// Invariants:
//  - A flow leaves exactly once: when both of its halves ended (END_STREAM),
//    when it is reset, refused by GOAWAY, or at close().
//  - At most kMaxOpenStreams streams are tracked at a time; header blocks
//    are gathered up to kMaxHeaderBlock bytes; bodies are kept up to the
//    assembler's maxBodyBytes. Protocol errors (frames on the wrong stream,
//    bad lengths, HPACK failures) are noted on the flows they touch and never
//    end the dissection of other streams.

#include "flow/bodydecoder.h"
#include "flow/exchangequeue.h"
#include "hpackdecoder.h"
#include "http2framereader.h"

#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace httptap {

class Http2Connection
{
public:
    static constexpr size_t kMaxOpenStreams = 10000;
    static constexpr qsizetype kMaxHeaderBlock = 1 << 20;

    enum class Start : uint8_t {
        Preface, // the client's direction begins with the connection preface
        Upgrade, // HTTP/1.1 Upgrade: h2c; the client's direction begins with the preface
        MidStream, // bytes from the middle of the connection: roles and HPACK tables unknown
    };

    // `identity` supplies connId, process, source, endpoints for every flow (see identity()).
    // clientDirection: which direction carries requests; unknown only for MidStream.
    Http2Connection(AssemblyContext& context, const Flow& identity, Start start,
        std::optional<record::Direction> clientDirection);
    ~Http2Connection();
    Http2Connection(const Http2Connection&) = delete;
    Http2Connection& operator=(const Http2Connection&) = delete;

    Flow& identity() { return m_identity; }

    // New bytes of one direction, after `gapBytes` missing bytes.
    void feed(record::Direction direction, uint64_t gapBytes, const uint8_t* data, size_t size, uint64_t timestampNs,
        uint32_t pid, uint32_t tid);
    // The HTTP/1.1 request that asked for `Upgrade: h2c` (its 101 in informational) becomes stream 1.
    void adoptUpgradeRequest(Flow&& flow);
    // The stack of the egress write about to be fed: the first HEADERS this process sends in it
    // (a request's, or a response's head) gives it to that stream's flow. Null disarms.
    void armInitiator(std::shared_ptr<const InitiatorStack> stack) { m_armedInitiator = std::move(stack); }
    // Flushes every open stream as incomplete.
    void close(bool captureEnded);
    // Snapshots of changed open streams to the progress sink (see ProgressSource::reportProgress).
    bool reportProgress(uint64_t nowNs, bool force);

private:
    struct Stream;
    struct Side;
    friend struct Side;

    void onFrame(Side& side, const http2::FrameHeader& h, const uint8_t* payload);
    void onFrameDamaged(Side& side, const http2::FrameHeader& h, const uint8_t* partial, size_t size, bool oversized);
    void onFramingLost(Side& side, const QString& reason);

    void onData(Side& side, const http2::FrameHeader& h, const uint8_t* payload, uint64_t missing);
    void onHeaderFragment(Side& side, const http2::FrameHeader& h, const uint8_t* payload);
    void onHeaderBlock(Side& side, const uint8_t* block, size_t size);
    void applyHeaders(Side& side, Stream& stream, HttpHeaders&& headers, bool endStream);
    void onPushPromise(Side& side, Stream& pushed, HttpHeaders&& headers);
    void onRstStream(Side& side, uint32_t streamId, uint32_t errorCode);
    void onSettings(Side& side, const http2::FrameHeader& h, const uint8_t* payload);
    void onGoAway(Side& side, const uint8_t* payload, uint32_t length);
    bool decideRoles(Side& side, const HttpHeaders& headers, bool pushPromise);

    Stream* findStream(uint32_t id);
    Stream* openStream(Side& side, uint32_t id);
    void endHalf(Side& side, Stream& stream);
    void finishStream(uint32_t id, const QString& incompleteNote = {});
    void noteConnection(const QString& text);
    void emitFlow(Stream& stream);
    HttpMessage& messageOf(Side& side, Stream& stream);
    void settle(Flow& flow) const;
    void changed(const Stream& stream);

    AssemblyContext& m_ctx;
    Flow m_identity;
    std::shared_ptr<const InitiatorStack> m_armedInitiator;
    std::unique_ptr<Side> m_sides[2]; // indexed by record::Direction
    std::optional<record::Direction> m_clientDirection;
    std::unordered_map<uint32_t, std::unique_ptr<Stream>> m_streams;
    uint64_t m_droppedStreams = 0;
    std::unordered_set<uint32_t> m_changedStreams; // open streams with progress not yet reported
    BodyFieldsCache m_responseFields; // Content-Type / Content-Encoding of repeated response lists
};

} // namespace httptap
