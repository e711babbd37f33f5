// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The media type of a Content-Type value, without parameters and surrounding
// blanks: "text/event-stream; charset=utf-8" → "text/event-stream". A view
// into the value, so the checks made on every flow (event stream? gRPC?)
// allocate nothing; compare it case-insensitively.

#include <QByteArrayView>

namespace httptap {

QByteArrayView mediaType(QByteArrayView contentType);

} // namespace httptap
