// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The last step before a flow leaves the assembler, for HTTP/1 and HTTP/2
// alike: undo Content-Encoding into HttpMessage::decodedBody (the raw body
// stays as it was) and split gRPC bodies into messages (Flow::grpc).
//
// A corrupt or unsupported coding leaves decoded false and says so in the
// flow's notes; the decoded form never exceeds maxDecodedBytes (then
// decodedTruncated, with a note).

#include "flow.h"

#include <array>

namespace httptap {

// The Content-Type and Content-Encoding fields of a few header lists, found with one walk per
// list: an HTTP/1 connection's messages mostly share their lists (Http1Parser), so one walk
// serves many flows. Holds the lists it knows (their addresses cannot be reused meanwhile).
class BodyFieldsCache
{
public:
    struct Fields {
        const QByteArray* contentType; // the first of each, as HttpMessage::header finds it; empty if none
        const QByteArray* contentEncoding;
    };
    static Fields find(const HttpHeaders& headers); // the walk, uncached
    Fields lookup(const HttpHeaders& headers);

private:
    struct Entry {
        HttpHeaders list;
        Fields fields {};
    };
    static constexpr size_t kLists = 8;
    std::array<Entry, kLists> m_entries;
    size_t m_next = 0;
};

// cache: the caller's BodyFieldsCache, if it keeps one.
void decodeBodies(Flow& flow, uint64_t maxDecodedBytes, BodyFieldsCache* cache = nullptr);
// The same with the messages' fields already found by the caller (pointers into their header
// lists, as BodyFieldsCache::find gives them; the response's are not read without a response).
void decodeBodies(Flow& flow, uint64_t maxDecodedBytes, const BodyFieldsCache::Fields& request,
    const BodyFieldsCache::Fields& response);

} // namespace httptap
