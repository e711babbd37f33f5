// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A Flow is one HTTP exchange as httptap shows it: a request, its response
// (if one was seen), who sent it and when. Flows are produced by
// FlowAssembler from capture records and are plain values: copyable, no
// QObject, safe to hand between threads.
//
// Bodies are stored as they crossed the wire after transfer decoding (chunked
// framing removed, Content-Encoding still applied). A body longer than the
// assembler's limit keeps its first bytes, with bodyTruncated set and bodySize
// holding the full observed length.

#include "record/recordformat.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>

namespace httptap {

struct HttpHeader {
    QByteArray name; // original case
    QByteArray value;
};
using HttpHeaders = QList<HttpHeader>;

struct HttpMessage {
    // Request side.
    QByteArray method;
    QByteArray target; // request-target exactly as sent ("/a?b", "http://h/x", "h:443")
    // Response side.
    int status = 0;
    QByteArray reason;

    int versionMajor = 1;
    int versionMinor = 1;
    HttpHeaders headers; // in original order and case
    HttpHeaders trailers; // chunked trailers, if any
    QByteArray body;
    uint64_t bodySize = 0; // bytes of body observed (may exceed body.size())
    bool bodyTruncated = false; // body holds fewer bytes than were sent (limit, gap or cut)
    bool complete = false; // the parser saw the message end
    uint64_t firstByteNs = 0; // CLOCK_MONOTONIC of the first byte
    uint64_t lastByteNs = 0;

    QByteArray header(const QByteArray& name) const; // first value, case-insensitive
};

struct FlowEndpoint {
    uint8_t family = 0; // 0 unknown, 4, 6
    std::array<uint8_t, 16> addr {};
    uint16_t port = 0;
    QString toString() const; // "127.0.0.1:80", "[::1]:443", "" when unknown
    QString address() const; // "127.0.0.1", "::1"
};

struct Flow {
    enum class Role : uint8_t {
        Client, // the traced process sent the request
        Server, // the traced process received the request
    };

    uint64_t id = 0; // 1, 2, 3… in the order flows were started
    uint64_t connId = 0;
    uint32_t pid = 0;
    uint32_t tid = 0;
    QString process; // comm of the process
    record::Source source = record::Source::Syscall; // how the bytes were captured
    Role role = Role::Client;
    FlowEndpoint local;
    FlowEndpoint remote;

    QByteArray httpVersion; // "HTTP/1.1", "HTTP/1.0"
    HttpMessage request;
    bool hasResponse = false;
    HttpMessage response;
    QList<HttpMessage> informational; // 1xx responses before the final one

    uint64_t startNs = 0; // first request byte
    uint64_t responseStartNs = 0; // first response byte (0 if none)
    uint64_t endNs = 0; // last byte of the exchange

    bool truncated = false; // some captured bytes are missing (lost records, limits, cut stream)
    bool incomplete = false; // the exchange did not finish (no response, connection closed mid-message)
    QStringList notes; // why truncated / incomplete, in words for the user

    bool isTls() const { return source != record::Source::Syscall; }
    QString scheme() const { return isTls() ? QStringLiteral("https") : QStringLiteral("http"); }
    // Absolute URL: scheme://host[:port]/target, host from the Host header or the server address.
    QString url() const;
};

} // namespace httptap
