// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// gRPC over HTTP/2 (the gRPC "PROTOCOL-HTTP2" spec): bodies of
// application/grpc* streams are length-prefixed messages (1 byte compressed
// flag, 4 bytes big-endian length, payload), compressed with grpc-encoding
// when the flag says so; the call's outcome is grpc-status / grpc-message in
// the trailers, or in the headers of a trailers-only response.
//
// Invariants: at most kMaxMessages messages per body are listed (the body
// stays whole in HttpMessage::body); a decompressed message never exceeds
// the caller's limit; a malformed prefix ends the split with a note.

#include "flow/flow.h"

namespace httptap::grpc {

inline constexpr qsizetype kMaxMessages = 100000;

bool isGrpcContentType(const QByteArray& contentType);
// Messages of one body; notes get why the list ends early or a message is damaged.
QList<GrpcMessage> splitMessages(const QByteArray& body, bool bodyTruncated, const QByteArray& encoding,
    uint64_t limit, QStringList* notes);
// Fills flow.grpc() when the flow is a gRPC call.
void annotate(Flow& flow, uint64_t limit);
// The same, given the Content-Type that decides it (the response's, else the request's), when the
// caller has already looked it up.
void annotate(Flow& flow, uint64_t limit, const QByteArray& contentType);

} // namespace httptap::grpc
