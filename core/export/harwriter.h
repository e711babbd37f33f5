// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// HAR 1.2 export (http://www.softwareishard.com/blog/har-12-spec/), valid for
// the har-validator npm package. One entry per flow, in the order given.
//
// Choices where the spec leaves room, following what browsers write:
// - httpVersion: "HTTP/1.0", "HTTP/1.1", or "h2" for HTTP/2 (Chrome's form).
// - HTTP/2 pseudo-headers (":method", ":path"…) stay in request and response
//   headers, in wire order, as Chrome exports them; headersSize is -1 for
//   HTTP/2 (HPACK-compressed, no text size) and the exact text size for HTTP/1.
// - A request without a response: response.status 0, statusText "",
//   httpVersion "", content.mimeType "x-unknown", headersSize and bodySize -1
//   (the convention of browsers for requests that never got an answer).
// - timings (core/flow/flowtimings.h): connect = TCP connect through the end
//   of the TLS handshake and ssl = the handshake, both timed in the kernel, on
//   a connection's first flow only (later ones: -1 and `_connectionReused`);
//   dns = the process's lookup whose answer carried the remote address (first
//   query to that answer; its name in `_dnsName`), -1 when none was seen;
//   blocked = set-up end to the first request byte, plus DNS answer to connect;
//   send = first to last request byte, wait = last request byte to first
//   response byte, receive = first to last response byte; milliseconds with
//   microsecond precision; time is their sum (ssl excluded, as HAR 1.2 says);
//   startedDateTime is the DNS start, else the set-up's start, when there is one.
// - content.text is the decoded body (Content-Encoding undone); size is the
//   decoded size, compression the bytes saved, bodySize the bytes on the wire.
//   Text (a textual or absent mimeType, valid UTF-8, no NUL) is written as is,
//   anything else as base64 with encoding "base64". postData has no encoding
//   field in HAR 1.2: a binary request body is base64 with "_encoding": "base64".
// - queryString and form params are percent-decoded, '+' read as a space.
// - Custom fields (prefixed "_"): entry _process, _pid, _tls ("plaintext",
//   "openssl", "gnutls", "go"), _connectionId, _role, _streamId, _pushedBy,
//   _truncated, _incomplete, _notes, _grpc, _redacted (names of the headers and
//   JSON fields whose values were replaced); request/response
//   _bodyTruncated.
// - WebSocket messages the way Chrome writes them: entry _resourceType
//   "websocket" and _webSocketMessages [{type "send" (client to server) or
//   "receive", time (seconds since the epoch, fractional), opcode, data}];
//   data is the text for a text message that is valid UTF-8, base64 for
//   everything else (binary, close, ping, pong; a text message that is not
//   UTF-8 also gets "_encoding": "base64"). _truncated, _compressed and _note
//   are added when they say something. Message data is never redacted.
// - The initiator stack (issue 12) as Chrome writes a script initiator: entry
//   _initiator {type "other", stack {callFrames [{functionName (the symbol,
//   empty when not named), url (the module's path), lineNumber -1,
//   columnNumber -1, _address ("0x…"), _offset (file offset in the module),
//   _symbolOffset (when named)}]}, _tid, _thread, _partial}; innermost first.
// - Redaction is on by default (HarOptions::redact): see redaction.h.

#include "flow/captureclock.h"
#include "flow/flow.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace httptap {

struct HarOptions {
    bool redact = true; // replace sensitive values by "[REDACTED]" (redaction.h)
    QStringList redactHeaders; // header names (wildcards allowed) added to the default four
    QStringList redactJsonFields; // JSON body field names (wildcards allowed) to redact
    QString creatorVersion; // log.creator.version; empty: httptap's own version
};

QJsonObject harEntry(const Flow& flow, const CaptureClock& clock, const HarOptions& options = {});
QJsonObject harDocument(const QList<Flow>& flows, const CaptureClock& clock, const HarOptions& options = {});
// The document as indented UTF-8 JSON.
QByteArray harBytes(const QList<Flow>& flows, const CaptureClock& clock, const HarOptions& options = {});

} // namespace httptap
