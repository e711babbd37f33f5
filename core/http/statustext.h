// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The reason phrase of an HTTP status code as RFC 9110 names it ("Not Found"),
// for HTTP/2 responses, which carry no reason phrase. "" for codes it does not name.

namespace httptap {

const char* httpStatusText(int status);

} // namespace httptap
