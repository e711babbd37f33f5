// SPDX-License-Identifier: GPL-2.0-or-later
#include "headertext.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

namespace httptap {

namespace {

// Names in the case HTTP/1 peers send them and the lower case of HTTP/2,
// and values that recur on most connections.
constexpr const char* kCommon[] = {
    "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Connection", "Content-Type",
    "Content-Length", "Transfer-Encoding", "Content-Encoding", "Date", "Server", "Cache-Control", "ETag",
    "Last-Modified", "Expires", "Vary", "Location", "Cookie", "Set-Cookie", "Authorization", "Referer", "Origin",
    "Pragma", "Keep-Alive", "Upgrade", "Accept-Ranges", "Age", "X-Forwarded-For", "X-Request-Id",
    "If-None-Match", "If-Modified-Since", "Strict-Transport-Security", "X-Content-Type-Options",
    "Access-Control-Allow-Origin", "Content-Security-Policy", "X-Frame-Options", "Via", "Te", "TE",
    "host", "user-agent", "accept", "accept-encoding", "accept-language", "connection", "content-type",
    "content-length", "transfer-encoding", "content-encoding", "date", "server", "cache-control", "etag",
    "last-modified", "expires", "vary", "location", "cookie", "set-cookie", "authorization", "referer", "origin",
    "pragma", "keep-alive", "upgrade", "accept-ranges", "age", "x-forwarded-for", "x-request-id", "if-none-match",
    "if-modified-since", "strict-transport-security", "x-content-type-options", "access-control-allow-origin",
    "content-security-policy", "x-frame-options", "via", "te", "grpc-status", "grpc-message", "grpc-encoding",
    "grpc-accept-encoding", ":method", ":path", ":scheme", ":authority", ":status", "GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "OK", "Not Modified", "Not Found", "/", "https",
    "http", "200", "204", "304", "404", "close", "chunked", "gzip", "br", "deflate", "zstd", "identity",
    "gzip, deflate", "gzip, deflate, br", "*/*", "nginx", "bytes", "no-cache", "no-store", "trailers",
    "application/json", "application/grpc", "text/html", "text/plain", "text/html; charset=utf-8",
    "application/json; charset=utf-8", "text/plain; charset=utf-8", "application/octet-stream", "0",
};

constexpr size_t kMaxLength = 40;

// Buckets by length and first byte: mostly one candidate, often none, for any input (this runs
// for every name and value of every message).
constexpr size_t kBuckets = 1024;

size_t bucketOf(size_t size, unsigned char first) { return (size * 131 + first) % kBuckets; }

struct Table {
    std::array<std::vector<QByteArray>, kBuckets> buckets;
    Table()
    {
        for (const char* text : kCommon) {
            const size_t n = std::strlen(text);
            if (n > 0 && n <= kMaxLength) // static: never freed
                buckets[bucketOf(n, static_cast<unsigned char>(text[0]))].push_back(
                    QByteArray::fromRawData(text, qsizetype(n)));
        }
    }
};

const Table& table()
{
    static const Table t;
    return t;
}

} // namespace

QByteArray commonHeaderText(const char* at, size_t size)
{
    if (size > 0 && size <= kMaxLength) {
        for (const QByteArray& known : table().buckets[bucketOf(size, static_cast<unsigned char>(at[0]))]) {
            if (size_t(known.size()) == size && sameBytes(known.constData(), at, size))
                return known;
        }
    }
    return {};
}

QByteArray headerText(const char* at, size_t size)
{
    QByteArray known = commonHeaderText(at, size);
    return known.isNull() ? QByteArray(at, qsizetype(size)) : known;
}

} // namespace httptap
