// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Route folding: turns a request target into the route it belongs to, so that
// statistics and metrics group "/users/123/orders/9f1c…" and
// "/users/77/orders/a0b2…" under one "/users/{id}/orders/{id}" instead of one
// entry per id (unbounded label cardinality in Prometheus, a useless table in
// the Statistics window).
//
// Rules, applied per '/'-separated segment of the path:
//  - all decimal digits ("123")                                  → {id}
//  - a UUID (8-4-4-4-12 hex digits, either case)                 → {id}
//  - 16 or more hex digits (hashes, object ids, "9f1c2e…")        → {id}
// The query string and fragment are dropped; an absolute-form target
// ("http://host/x?y") keeps only its path; an empty path is "/". Targets that
// are not paths (CONNECT's "host:443", OPTIONS' "*") come back unchanged.
// Plain C++ (no Qt): the recorder's metrics and the window's statistics share it.

#include <string>
#include <string_view>

namespace httptap {

inline constexpr std::string_view kFoldedSegment = "{id}";

std::string foldPath(std::string_view target);

// The path part of a target: no query string, no fragment, no scheme://authority.
std::string_view pathOfTarget(std::string_view target);

// Whether one path segment is an identifier folded into {id}.
bool isIdentifierSegment(std::string_view segment);

} // namespace httptap
