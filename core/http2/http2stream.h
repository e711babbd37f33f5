// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Internals of Http2Connection shared by its two source files: the state of
// one stream (its flow in the making) and of one direction (framing, HPACK,
// the header block being gathered). Not part of core's interface.

#include "http2connection.h"
#include "flow/heldarrival.h"
#include "http/sseparser.h"
#include "websocket/websocketsession.h"

namespace httptap {

struct Http2Connection::Stream {
    uint32_t id = 0;
    Flow flow;
    bool requestHeadersSeen = false;
    bool haveFinalResponse = false;
    bool requestEnded = false;
    bool responseEnded = false;
    bool reset = false;
    bool bodyLimitNoted[2] = { false, false };
    ProgressMark progress;
    bool eventStreamChecked = false; // whether the response is an event stream was decided at its first DATA
    // The response's Content-Type / Content-Encoding, found at its first DATA (for the event-stream
    // test) and used again when the stream ends, while its list is the one they were found in.
    BodyFieldsCache::Fields responseFields {};
    const HttpHeader* responseFieldsList = nullptr;
    std::unique_ptr<SseParser> sse;
    std::unique_ptr<WebSocketSession> webSocket; // RFC 8441: an extended CONNECT for websocket, accepted

    void addNote(const QString& text, bool truncates)
    {
        if (!flow.notes.contains(text))
            flow.notes.append(text);
        flow.truncated = flow.truncated || truncates;
    }
    // `last`: the frame ends the stream (END_STREAM). `fields`: the connection's cache of response lists' fields.
    void appendBody(HttpMessage& m, const uint8_t* data, size_t size, uint64_t limit, uint64_t arrivalNs, bool last,
        BodyFieldsCache& fields);
    // The response's fields (responseFields while its list is the same, else looked up now).
    const BodyFieldsCache::Fields& fieldsOfResponse(BodyFieldsCache& fields);
    // Lists a held arrival in f (the stream's flow or a snapshot of it) where it says more than
    // the message's lastByteNs (trailers came later): gRPC stamps its messages from the list.
    void listHeldArrivals(Flow& f) const;
    HeldArrival heldArrivals[2]; // request, response: a body that came at once lists none
};

struct Http2Connection::Side final : Http2FrameReader::Listener {
    Side(Http2Connection* connection, record::Direction dir, bool tableKnown)
        : conn(connection)
        , direction(dir)
        , reader(this)
        , hpack(tableKnown)
    {
    }

    void frame(const http2::FrameHeader& header, const uint8_t* payload) override
    {
        conn->onFrame(*this, header, payload);
    }
    void frameDamaged(const http2::FrameHeader& header, const uint8_t* partial, size_t size, bool oversized) override
    {
        conn->onFrameDamaged(*this, header, partial, size, oversized);
    }
    void framingLost(const QString& reason) override { conn->onFramingLost(*this, reason); }

    bool ended(const Stream& s) const { return client ? s.requestEnded : s.responseEnded; }
    // Forgets a header block in progress; the HPACK table no longer matches the peer's.
    void dropBlock(const QString& why);

    Http2Connection* conn;
    record::Direction direction;
    Http2FrameReader reader;
    HpackDecoder hpack;
    bool client = false; // this direction carries requests (valid once the roles are known)
    uint64_t timestampNs = 0;
    uint32_t pid = 0;
    uint32_t tid = 0;
    QString gapNote;

    // The header block being gathered (HEADERS or PUSH_PROMISE, then CONTINUATIONs).
    bool inBlock = false;
    bool blockEndStream = false;
    bool blockOverflow = false;
    http2::FrameType blockType = http2::FrameType::Headers;
    uint32_t blockStream = 0;
    uint32_t promisedStream = 0;
    QByteArray block; // a block split over frames, gathered (one in a single frame is decoded in place)
    // This side's last block of each kind, shared with its flow: the next block of the kind that
    // repeats it field for field shares its list (HpackDecoder::decode).
    enum class BlockKind : uint8_t { Head, Trailers, Promise };
    HttpHeaders previousBlock[3];
};

} // namespace httptap
