// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Derived properties of a Flow that the filter language and the flow table
// both use, computed the same way in both so a column and a filter on it
// never disagree. Cheap: no URL parsing, no allocation beyond the result.

#include "flow/flow.h"

namespace httptap {

// Host the request was addressed to, lower case, without port or brackets:
// :authority (HTTP/2), the Host header, an absolute target, else the server address.
QString flowHost(const Flow& flow);
// Path and query of the request ("/api/x?y=1"); the target as sent for CONNECT and "*".
QString flowPath(const Flow& flow);
// Response media type without parameters, lower case ("application/json"); empty without one.
QString flowMimeType(const Flow& flow);
// Short resource type from the media type, as a browser's Type column shows it:
// "json", "html", "script", "css", "png", "grpc", "text", "octet-stream", … ; empty without one.
QString flowResourceType(const Flow& flow);
// "HTTP/1.1", "HTTP/1.0", "h2" (over TLS), "h2c" (cleartext HTTP/2), "gRPC".
QString flowProtocol(const Flow& flow);
// How the bytes were read: "plaintext", "openssl", "gnutls", "go".
QString flowTlsLibrary(const Flow& flow);
// Scheme of the URL: "http" or "https" (HTTP/2 :scheme when present).
QString flowScheme(const Flow& flow);
// Response body size as observed on the wire (0 without a response).
uint64_t flowResponseSize(const Flow& flow);

} // namespace httptap
