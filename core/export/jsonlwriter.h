// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// JSONL export: one flow per line, one compact JSON object per flow, in the
// order the caller passes them. The schema below is stable: fields may be
// added, existing ones keep their name, type and meaning.
//
// {
//   "schema": 1,                   version of this schema (kJsonlSchemaVersion); raised only for a
//                                  change that is not an addition. docs/jsonl.schema.json has it
//                                  as a JSON Schema, and a capture test checks every line against it.
//   "id": 1,                       flow id (1, 2, 3… in the order requests started)
//   "conn_id": 3,                  connection id from the capture
//   "pid": 1234, "tid": 1234,      traced process and thread that sent/received the request
//   "process": "curl",             process name (comm)
//   "tls": "plaintext",            how the bytes were captured: "plaintext" (syscalls),
//                                  "openssl", "gnutls" or "go" (TLS library probes)
//   "role": "client",              "client": the traced process sent the request;
//                                  "server": it received the request
//   "http_version": "HTTP/1.1",    "HTTP/1.0", "HTTP/1.1" or "HTTP/2"
//   "stream_id": 1,                HTTP/2 stream id; null for HTTP/1
//   "pushed_by": 3,                HTTP/2 server push: id of the flow whose PUSH_PROMISE announced
//                                  this one; null otherwise
//   "local":  {"ip": "127.0.0.1", "port": 5555} or null when unknown,
//   "remote": {"ip": "::1", "port": 8080}       or null when unknown (IPv6 without brackets),
//   "url": "http://127.0.0.1:8080/x",
//   "start_time": "2026-11-27T09:00:00.123456Z",  first request byte, UTC, microseconds
//   "duration_ms": 1.234,          first request byte to last byte of the exchange
//   "ttfb_ms": 0.5,                first request byte to first response byte; null without response
//   "request": {
//     "method": "GET", "target": "/x", "url": "http://…",
//     "headers": [["Host", "127.0.0.1:8080"], …],   name/value pairs, wire order and case
//     "trailers": [],                              chunked trailers, same shape
//     "body_size": 0,              body bytes seen after de-chunking (may exceed the stored body)
//     "body": "",                  stored body, base64 (RFC 4648, with padding), always present
//     "body_truncated": false,     the stored body lacks bytes (size limit, lost bytes, cut stream)
//     "complete": true,            the parser saw the end of the message
//     "content_encoding": "gzip",  the Content-Encoding header as sent; "" when none
//     "decoded_body": "…" or null, the body with every content coding undone, base64; null when
//                                  there was nothing to undo or decoding failed (see notes)
//     "decoded_body_size": 1234 or null,
//     "decoded_body_truncated": false  decoded form incomplete (size cap, cut body, corrupt tail)
//   },
//   HTTP/2: headers keep the pseudo-headers (":method", ":path", ":status"…) first, in wire
//   order; "target" is :path; "reason" is ""; "trailers" is the trailing header block.
//   "response": {"status": 200, "reason": "OK", "headers": […], "trailers": […],
//                "body_size": 5, "body": "aGVsbG8=", "body_truncated": false, "complete": true,
//                "content_encoding": "", "decoded_body": null, "decoded_body_size": null,
//                "decoded_body_truncated": false}
//               or null when no response was seen,
//   "grpc": null, or for content-type application/grpc*:
//     {"service": "helloworld.Greeter", "method": "SayHello", "encoding": "gzip" or "",
//      "status": 0 or null (grpc-status from trailers, or headers of a trailers-only response),
//      "message": "…" (grpc-message, percent-decoded),
//      "request_messages": [{"compressed": false, "length": 7, "data": "base64",
//                            "decompressed": false, "truncated": false,
//                            "time": "2026-…Z" or null (when the message was complete)}, …],
//      "response_messages": […]}     data is decompressed when "decompressed" is true
//   "websocket": null, or for a WebSocket handshake (HTTP/1.1 101, HTTP/2 extended CONNECT):
//     {"extensions": "permessage-deflate; …" (Sec-WebSocket-Extensions of the answer, or ""),
//      "messages": [{"from": "client" or "server", "time": "2026-…Z", "opcode": 1,
//                    (1 text, 2 binary, 8 close, 9 ping, 10 pong; others as sent)
//                    "compressed": false (permessage-deflate: data is inflated), "size": 5
//                    (payload bytes on the wire), "data": "base64" (unmasked, joined, inflated),
//                    "truncated": false, "close_code": 1000 or null, "close_reason": "",
//                    "note": "" (what was malformed, e.g. "invalid UTF-8 in a text message")}, …],
//      "messages_dropped": 0}       messages not listed: beyond the flow's limit or the line's
//                                   (kMaxJsonlStreamItems)
//   "server_sent_events": null, or for a text/event-stream response:
//     {"events": [{"time": "2026-…Z", "id": "", "event": "" ("" is "message"), "data": "…"
//                  (data lines joined with "\n"), "retry_ms": 3000 or null}, …],
//      "events_dropped": 0}
//   "informational": [{"status": 100, "reason": "Continue", "headers": […]}],  1xx responses
//   "truncated": false,            some captured bytes of this exchange are missing
//   "incomplete": false,           the exchange did not finish (no response, cut mid-message)
//   "notes": ["…"]                 human-readable reasons for truncated / incomplete
// }
//
// Header names, values, reason phrases, method and target are bytes on the
// wire. They are written as the string they spell in UTF-8 when they are
// valid UTF-8, otherwise each byte becomes the character with the same code
// (Latin-1), so every byte value survives. Bodies are always base64, whatever
// their content type. Keys within an object are in alphabetical order
// (QJsonDocument's order); consumers should not depend on it.

#include "flow/captureclock.h"
#include "flow/flow.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace httptap {

inline constexpr int kJsonlSchemaVersion = 1;
// WebSocket messages or Server-Sent Events written in one flow's line; the rest are counted.
inline constexpr qsizetype kMaxJsonlStreamItems = 10000;

class JsonlWriter
{
public:
    explicit JsonlWriter(const CaptureClock& clock = {});

    void setClock(const CaptureClock& clock) { m_clock = clock; }
    const CaptureClock& clock() const { return m_clock; }

    // One line: a compact JSON object followed by '\n'.
    QByteArray line(const Flow& flow) const;
    // The same line appended to out, formatted straight into it (no QJsonObject: the fast path
    // httptap-record writes with). Byte-identical to QJsonDocument(toJson(flow)).toJson(Compact) + '\n'.
    void appendLine(const Flow& flow, QByteArray& out) const;
    QJsonObject toJson(const Flow& flow) const;

    // UTF-8 when valid, Latin-1 otherwise (see the schema note above).
    static QString wireString(const QByteArray& bytes);

    // The objects listed in a flow's line (also the body of `--messages` lines).
    static QJsonObject webSocketMessageJson(const WebSocketMessage& message, const CaptureClock& clock);
    static QJsonObject serverSentEventJson(const ServerSentEvent& event, const CaptureClock& clock);
    static QJsonObject grpcMessageJson(const GrpcMessage& message, const CaptureClock& clock);

private:
    CaptureClock m_clock;
};

} // namespace httptap
