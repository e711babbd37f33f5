// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The media type of a Content-Type value, without parameters and surrounding
// blanks: "text/event-stream; charset=utf-8" → "text/event-stream". A view
// into the value, so the checks made on every flow (event stream? gRPC?)
// allocate nothing; compare it case-insensitively.

#include <QByteArrayView>

namespace httptap {

QByteArrayView mediaType(QByteArrayView contentType);

// The media type is text/event-stream (parameters and case aside). Checked for every response
// (HTTP/1 and HTTP/2 parse an event stream as it arrives), so the values that cannot be one —
// shorter than it, or not starting with a 't' — are ruled out before the media type is parsed.
// The one test for it: Flow::isEventStream, Connection and Http2Connection all use it.
bool isEventStreamType(QByteArrayView contentType);

} // namespace httptap
