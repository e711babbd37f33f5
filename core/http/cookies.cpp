// SPDX-License-Identifier: GPL-2.0-or-later
#include "cookies.h"

namespace httptap {

namespace {

Cookie splitPair(const QByteArray& pair)
{
    const qsizetype eq = pair.indexOf('=');
    if (eq < 0)
        return { {}, pair.trimmed() };
    return { pair.left(eq).trimmed(), pair.mid(eq + 1).trimmed() };
}

} // namespace

QList<Cookie> parseCookieHeader(const QByteArray& header)
{
    QList<Cookie> cookies;
    for (const QByteArray& part : header.split(';')) {
        if (cookies.size() >= kMaxCookies)
            break;
        if (part.trimmed().isEmpty())
            continue;
        cookies << splitPair(part);
    }
    return cookies;
}

QList<Cookie> requestCookies(const HttpMessage& request)
{
    QList<Cookie> cookies;
    for (const HttpHeader& h : request.headers)
        if (h.name.compare("cookie", Qt::CaseInsensitive) == 0)
            cookies += parseCookieHeader(h.value);
    return cookies.mid(0, kMaxCookies);
}

std::optional<SetCookie> parseSetCookie(const QByteArray& header)
{
    const QList<QByteArray> parts = header.split(';');
    const QByteArray first = parts.value(0).trimmed();
    if (first.isEmpty())
        return std::nullopt;
    SetCookie cookie;
    const Cookie pair = splitPair(first);
    cookie.name = pair.name;
    cookie.value = pair.value;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const Cookie attribute = splitPair(parts[i]);
        // splitPair puts a bare word ("Secure") in value with an empty name.
        const QByteArray name = (attribute.name.isEmpty() ? attribute.value : attribute.name).toLower();
        const QByteArray value = attribute.name.isEmpty() ? QByteArray() : attribute.value;
        if (name == "domain")
            cookie.domain = value;
        else if (name == "path")
            cookie.path = value;
        else if (name == "expires")
            cookie.expires = value;
        else if (name == "max-age")
            cookie.maxAge = value;
        else if (name == "samesite")
            cookie.sameSite = value;
        else if (name == "httponly")
            cookie.httpOnly = true;
        else if (name == "secure")
            cookie.secure = true;
        else if (name == "partitioned")
            cookie.partitioned = true;
    }
    return cookie;
}

QList<SetCookie> responseCookies(const HttpMessage& response)
{
    QList<SetCookie> cookies;
    for (const HttpHeader& h : response.headers) {
        if (cookies.size() >= kMaxCookies)
            break;
        if (h.name.compare("set-cookie", Qt::CaseInsensitive) != 0)
            continue;
        if (auto cookie = parseSetCookie(h.value))
            cookies << *cookie;
    }
    return cookies;
}

} // namespace httptap
