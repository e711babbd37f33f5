// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A Flow is one HTTP exchange as httptap shows it: a request, its response
// (if one was seen), who sent it and when. Flows are produced by
// FlowAssembler from capture records and are plain values: copyable, no
// QObject, safe to hand between threads.
//
// Bodies are stored as they crossed the wire after transfer decoding (chunked
// framing removed, Content-Encoding still applied). A body longer than the
// assembler's limit keeps its first bytes, with bodyTruncated set and bodySize
// holding the full observed length. When a Content-Encoding was applied, the
// decoded form is kept next to it (decodedBody); the raw bytes stay in body.
//
// HTTP/2: pseudo-headers (":method", ":path", ":status"…) stay in headers, in
// wire order, as a browser shows them; they are also copied to method,
// target (:path) and status, and scheme() / authority() read them from
// headers. reason is empty.
//
// Memory: a capture keeps every flow, so the parts few flows have (a
// message's trailers, a HAR's scheme/authority, Content-Encoding and decoded
// body; a flow's gRPC details) live in blocks allocated only when present
// (lazypart.h): read them through the const accessors (an absent part reads
// empty), write them through editRare() / editGrpc().

#include "lazypart.h"
#include "record/recordformat.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>

namespace httptap {

struct HttpHeader {
    QByteArray name; // original case
    QByteArray value;
};
using HttpHeaders = QList<HttpHeader>;

// Body bytes that arrived together (one capture record's worth), for the Timing pane.
struct BodyArrival {
    uint64_t timestampNs = 0; // CLOCK_MONOTONIC
    uint64_t bytes = 0;
};

struct HttpMessage {
    // Request side.
    QByteArray method;
    QByteArray target; // request-target exactly as sent ("/a?b", "http://h/x", "h:443")
    // Response side.
    QByteArray reason;
    int status = 0;

    int versionMajor = 1;
    int versionMinor = 1;
    bool bodyTruncated = false; // body holds fewer bytes than were sent (limit, gap or cut)
    bool complete = false; // the parser saw the message end
    HttpHeaders headers; // in original order and case
    QByteArray body;
    uint64_t bodySize = 0; // bytes of body observed (may exceed body.size())
    uint64_t firstByteNs = 0; // CLOCK_MONOTONIC of the first byte
    uint64_t lastByteNs = 0;
    // When the body arrived, one entry per capture record (HTTP/1) or DATA frame (HTTP/2) that
    // carried body bytes, the first kMaxBodyArrivals of them. Left empty when the whole body came
    // at once: one entry says no more than firstByteNs/lastByteNs.
    static constexpr qsizetype kMaxBodyArrivals = 1000;
    const QList<BodyArrival>& bodyArrivals() const { return m_arrivals.get().list; }
    bool bodyArrivalsCapped() const { return m_arrivals.get().capped; } // more body arrived than listed
    void noteBodyArrival(uint64_t timestampNs, uint64_t bytes);
    void dropSingleArrival(); // called when a flow leaves the assembler

    // The parts few messages have, allocated when first written (editRare()).
    struct Rare {
        QByteArray scheme; // set from a HAR's URL; else scheme() reads HTTP/2's :scheme (HTTP/1: the connection decides)
        QByteArray authority; // set from a HAR's URL; else authority() reads HTTP/2's :authority (HTTP/1 has Host)
        HttpHeaders trailers; // chunked trailers (HTTP/1) or the trailing header block (HTTP/2), if any
        // Content-Encoding undone, filled when the flow leaves the assembler.
        QByteArray contentEncoding; // the Content-Encoding header as sent ("gzip", "deflate, br"); empty when none
        QByteArray decodedBody; // body with every coding undone; valid when decoded
        bool decoded = false; // decodedBody holds the decoded form (perhaps partial: decodedTruncated)
        bool decodedTruncated = false; // decoded form incomplete: size cap, truncated raw body, or corrupt data
    };
    // Set in the rare block (a HAR's URL), else HTTP/2's pseudo-header in headers: every HTTP/2
    // request has both, and copying them out allocated the rare block per stream.
    const QByteArray& scheme() const { return rareOrPseudo(m_rare.get().scheme, ":scheme"); }
    const QByteArray& authority() const { return rareOrPseudo(m_rare.get().authority, ":authority"); }
    const HttpHeaders& trailers() const { return m_rare.get().trailers; }
    const QByteArray& contentEncoding() const { return m_rare.get().contentEncoding; }
    const QByteArray& decodedBody() const { return m_rare.get().decodedBody; }
    bool decoded() const { return m_rare.get().decoded; }
    bool decodedTruncated() const { return m_rare.get().decodedTruncated; }
    Rare& editRare() { return m_rare.edit(); }

    // First value, case-insensitive. A view: looking up a literal name allocates nothing.
    QByteArray header(QByteArrayView name) const;

private:
    const QByteArray& rareOrPseudo(const QByteArray& rare, QByteArrayView pseudoName) const;
    struct Arrivals {
        QList<BodyArrival> list;
        bool capped = false;
    };
    LazyPart<Rare> m_rare;
    LazyPart<Arrivals> m_arrivals; // allocated while a body arrives in pieces; freed if it came at once
};

// One gRPC message: a 5-byte prefix (compressed flag, length) and its payload.
struct GrpcMessage {
    bool compressed = false; // the flag in the prefix
    uint32_t length = 0; // payload length as declared in the prefix
    QByteArray data; // the payload; decompressed when compressed (if that failed, the raw payload)
    bool decompressed = false; // data is the decompressed form of a compressed payload
    bool truncated = false; // fewer payload bytes than declared (body cut, limit), or decompression failed
    uint64_t timeNs = 0; // CLOCK_MONOTONIC of the record that completed the message (0 if unknown)
};

// gRPC over HTTP/2 (content-type application/grpc*); filled when the flow leaves the assembler.
struct GrpcInfo {
    bool isGrpc = false;
    QByteArray service; // "helloworld.Greeter" from :path "/helloworld.Greeter/SayHello"
    QByteArray method; // "SayHello"
    QByteArray encoding; // grpc-encoding of the response (or request), e.g. "gzip"; empty for identity
    QList<GrpcMessage> requestMessages;
    QList<GrpcMessage> responseMessages;
    int status = -1; // grpc-status from the trailers (or the headers of a trailers-only response); -1 if none
    QByteArray message; // grpc-message, percent-decoded
};

// One WebSocket message (RFC 6455): a data message (text or binary, its
// fragments joined) or a control frame (close, ping, pong). Masking is removed
// and permessage-deflate undone; data is capped (size says how much was sent).
struct WebSocketMessage {
    enum Opcode : uint8_t { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };

    uint64_t timeNs = 0; // CLOCK_MONOTONIC of the record that completed the message
    bool fromClient = true; // direction: sent by the client (else by the server)
    uint8_t opcode = Text; // of the first frame: Text, Binary, Close, Ping, Pong (or a reserved one)
    bool compressed = false; // RSV1 set (permessage-deflate): data holds the inflated form
    QByteArray data; // payload, unmasked, joined and inflated (Close: as sent, code and reason)
    uint64_t size = 0; // payload bytes as sent on the wire (all fragments, before inflating)
    bool truncated = false; // data holds less than the message: a cap, lost bytes, or bad deflate data
    int closeCode = -1; // Close: the status code (1000, 1001…); -1 when the frame carried none
    QByteArray closeReason; // Close: the reason text as sent
    QString note; // what was wrong with it, in words (invalid UTF-8, bad deflate data, reserved opcode…); empty if fine
};

// One Server-Sent Event (WHATWG HTML, "event stream interpretation"), as
// dispatched: data lines joined with "\n", the last event id in force.
struct ServerSentEvent {
    uint64_t timeNs = 0; // CLOCK_MONOTONIC of the record that completed the event (its blank line)
    QByteArray id; // the last event ID at dispatch (empty if none was ever set)
    QByteArray event; // the event type; empty means "message"
    QByteArray data; // data lines joined with "\n" (no trailing newline)
    int retryMs = -1; // a retry field seen since the previous event; -1 if none
};

// "a.b.c.d" of an IPv4 address into out (at least 15 bytes); returns the length. Exporters use it
// to write addresses without a QString.
int formatIpv4(const uint8_t* addr, char* out);

struct FlowEndpoint {
    uint8_t family = 0; // 0 unknown, 4, 6
    std::array<uint8_t, 16> addr {};
    uint16_t port = 0;
    QString toString() const; // "127.0.0.1:80", "[::1]:443", "" when unknown
    QString address() const; // "127.0.0.1", "::1"
};

// The connection's set-up as timed in the kernel (ConnPhase records). Only the
// first flow of a connection carries it; later flows have reused set.
struct ConnectionSetup {
    uint64_t connectStartNs = 0; // connect() called (0: not observed)
    uint64_t connectEndNs = 0; // TCP established
    uint64_t tlsStartNs = 0; // first TLS record on the socket (0: not observed)
    uint64_t tlsEndNs = 0; // last handshake record before the first plaintext
    bool reused = false; // the connection carried earlier flows: no set-up on this one
    // DNS resolution that produced the remote address, matched by the process and the answer's
    // addresses (DnsMessage records; 0: not observed — /etc/hosts, cached, or an IP literal).
    uint64_t dnsStartNs = 0; // first query sent
    uint64_t dnsEndNs = 0; // the answer that carried the remote address arrived
    QByteArray dnsName; // the name asked for ("api.example.test")
};

// One frame of an initiator stack. The capture side fills address, module and
// moduleOffset (file offset in the module, from the helper's ModuleMap
// records); symbolization in the unprivileged app fills symbol/symbolOffset.
struct StackFrame {
    uint64_t address = 0; // instruction pointer in the traced process
    QString module; // path of the mapped file ("/usr/lib/x86_64-linux-gnu/libc.so.6"); empty if unmapped
    uint64_t moduleOffset = 0; // file offset of address within module
    QString symbol; // function name, empty until symbolized (or when no symbol covers it)
    uint64_t symbolOffset = 0; // address - symbol start
};

// Who sent the message: the user-space call stack of the thread that started
// writing it, captured once per message in the kernel (issue 12).
struct InitiatorStack {
    uint32_t tid = 0;
    QString thread; // the thread's name (comm) at the time
    uint64_t timestampNs = 0;
    bool partial = false; // the frame-pointer walk stopped early (code without frame pointers)
    QList<StackFrame> frames; // innermost first
};

struct Flow {
    enum class Role : uint8_t {
        Client, // the traced process sent the request
        Server, // the traced process received the request
    };

    uint64_t id = 0; // 1, 2, 3… in the order flows were started
    uint64_t connId = 0;
    uint32_t pid = 0;
    uint32_t tid = 0;
    QString process; // comm of the process
    record::Source source = record::Source::Syscall; // how the bytes were captured
    Role role = Role::Client;
    // (Small fields sit together: no padding between them. A capture keeps every flow.)
    bool hasResponse = false; // response holds a final response
    bool webSocket = false; // a WebSocket handshake, see below
    FlowEndpoint local;
    FlowEndpoint remote;
    uint32_t streamId = 0; // HTTP/2 stream id; 0 for HTTP/1

    QByteArray httpVersion; // "HTTP/1.1", "HTTP/1.0", "HTTP/2"
    HttpMessage request;
    HttpMessage response;
    uint64_t pushedBy = 0; // HTTP/2 server push: id of the flow whose PUSH_PROMISE announced this one
    // gRPC details (an empty GrpcInfo for other flows); editGrpc() allocates them.
    const GrpcInfo& grpc() const { return m_grpc.get(); }
    GrpcInfo& editGrpc() { return m_grpc.edit(); }

    // WebSocket: the request asked to upgrade (HTTP/1.1 `Upgrade: websocket`, or an
    // HTTP/2 extended CONNECT with `:protocol: websocket`) and the answer accepted (101, 2xx).
    // The handshake is this flow; its messages are attached to it in order of arrival,
    // both directions interleaved, and the flow stays open until the connection (or the
    // HTTP/2 stream) closes. At most kMaxStreamItems are kept; later ones are only counted.
    // (webSocket, above, says it is one.)
    static constexpr qsizetype kMaxStreamItems = 100000;

    // The parts few flows have, allocated when first written (editRare()); read them below.
    struct Rare {
        QList<HttpMessage> informational; // 1xx responses before the final one
        QByteArray webSocketExtensions; // Sec-WebSocket-Extensions of the answer ("permessage-deflate; …")
        QList<WebSocketMessage> webSocketMessages;
        // Server-Sent Events: a response with Content-Type text/event-stream, parsed as it arrives.
        QList<ServerSentEvent> serverSentEvents;
        uint64_t streamItemsDropped = 0; // messages or events beyond kMaxStreamItems (counted, not kept)
    };
    const QList<HttpMessage>& informational() const { return m_rare.get().informational; }
    const QByteArray& webSocketExtensions() const { return m_rare.get().webSocketExtensions; }
    const QList<WebSocketMessage>& webSocketMessages() const { return m_rare.get().webSocketMessages; }
    const QList<ServerSentEvent>& serverSentEvents() const { return m_rare.get().serverSentEvents; }
    uint64_t streamItemsDropped() const { return m_rare.get().streamItemsDropped; }
    Rare& editRare() { return m_rare.edit(); }

    uint64_t startNs = 0; // first request byte
    uint64_t responseStartNs = 0; // first response byte (0 if none)
    uint64_t endNs = 0; // last byte of the exchange
    ConnectionSetup setup; // TCP connect and TLS handshake before this flow (flowtimings.h)
    // The stack of the thread that wrote the request (client role) or the response (server role);
    // null when stacks were off or not captured. Shared: stacks are immutable once attached.
    std::shared_ptr<const InitiatorStack> initiator;

    // A snapshot of an exchange still open (FlowAssembler's progress sink): the same id comes
    // again, later snapshots and finally the finished flow, which never has this set.
    bool inProgress = false;

    bool truncated = false; // some captured bytes are missing (lost records, limits, cut stream)
    bool incomplete = false; // the exchange did not finish (no response, connection closed mid-message)
    QStringList notes; // why truncated / incomplete, in words for the user

    bool isWebSocket() const { return webSocket; }
    bool isEventStream() const; // the response's Content-Type is text/event-stream
    bool isTls() const { return source != record::Source::Syscall; }
    QString scheme() const { return isTls() ? QStringLiteral("https") : QStringLiteral("http"); }
    // Absolute URL: scheme://host[:port]/target. Scheme from :scheme (HTTP/2) or the capture
    // source, host from :authority (HTTP/2), the Host header, or the server address.
    QString url() const;

private:
    LazyPart<GrpcInfo> m_grpc;
    LazyPart<Rare> m_rare;
};

} // namespace httptap
