// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Cookies as the Cookies tab shows them: the request's Cookie header(s)
// split into name/value pairs, and each Set-Cookie of the response parsed
// into its attributes (RFC 6265 §5.2: the first pair is the cookie, the
// attribute names are case-insensitive, unknown attributes are ignored).
// Values are kept as sent (no percent decoding); at most kMaxCookies each.

#include "flow/flow.h"

#include <QByteArray>
#include <QList>

namespace httptap {

struct Cookie {
    QByteArray name;
    QByteArray value;
    bool operator==(const Cookie&) const = default;
};

struct SetCookie {
    QByteArray name;
    QByteArray value;
    QByteArray domain;
    QByteArray path;
    QByteArray expires; // as sent ("Wed, 21 Oct 2026 07:28:00 GMT")
    QByteArray maxAge; // as sent ("3600")
    QByteArray sameSite; // as sent ("Lax", "Strict", "None")
    bool httpOnly = false;
    bool secure = false;
    bool partitioned = false;
    bool operator==(const SetCookie&) const = default;
};

constexpr int kMaxCookies = 1000;

// "a=1; b=2" → {a,1}, {b,2}. A pair without '=' is a value with an empty name (as browsers do).
QList<Cookie> parseCookieHeader(const QByteArray& header);
// Every Cookie header of the request (HTTP/2 may split them into several fields).
QList<Cookie> requestCookies(const HttpMessage& request);
// One Set-Cookie value; nullopt when it has no name=value pair at all.
std::optional<SetCookie> parseSetCookie(const QByteArray& header);
QList<SetCookie> responseCookies(const HttpMessage& response);

} // namespace httptap
