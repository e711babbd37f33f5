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
// list that repeats: an HTTP/1 connection's messages mostly share their lists (Http1Parser), and
// HpackBlockCache hands one list to many HTTP/2 responses, while a request with a fresh :path has
// a list of its own. A list is kept (a reference, so its address stays its own) from its second
// sighting on; the first only notes its address, so a list seen once costs one walk and no
// reference. Bounded: kLists lists.
class BodyFieldsCache
{
public:
    struct Fields {
        const QByteArray* contentType; // the first of each, as HttpMessage::header finds it; empty if none
        const QByteArray* contentEncoding;
    };
    static constexpr size_t kLists = 8;

    static Fields find(const HttpHeaders& headers); // the walk, uncached
    Fields lookup(const HttpHeaders& headers);

private:
    struct Entry {
        HttpHeaders list;
        Fields fields {};
    };
    std::array<Entry, kLists> m_entries;
    size_t m_next = 0; // the entry the next kept list replaces
    std::array<const HttpHeader*, kLists> m_sightings {}; // addresses of lists seen once (not held)
    size_t m_nextSighting = 0;
};

// cache: the caller's BodyFieldsCache, if it keeps one.
void decodeBodies(Flow& flow, uint64_t maxDecodedBytes, BodyFieldsCache* cache = nullptr);
// The same with the messages' fields already found by the caller (pointers into their header
// lists, as BodyFieldsCache::find gives them; the response's are not read without a response).
void decodeBodies(Flow& flow, uint64_t maxDecodedBytes, const BodyFieldsCache::Fields& request,
    const BodyFieldsCache::Fields& response);

} // namespace httptap
