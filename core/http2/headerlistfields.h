// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The Content-Type and Content-Encoding fields (BodyFieldsCache::Fields) of
// the header lists of one HTTP/2 connection, found once per list that
// repeats: HpackBlockCache and the side's previous block hand the same list
// to many streams (a server's responses above all), while a request with a
// fresh :path has a list of its own. A list is kept (a reference, so its
// address stays its own) from its second sighting on; the first only notes
// its address, so a list seen once costs one walk and no reference.
//
// Used for the event-stream test at a response's first DATA and for
// decodeBodies when the stream ends. Bounded: kLists lists.

#include "flow/bodydecoder.h"

#include <array>

namespace httptap {

class HeaderListFields
{
public:
    static constexpr size_t kLists = 8;

    BodyFieldsCache::Fields lookup(const HttpHeaders& headers);

private:
    struct Entry {
        HttpHeaders list;
        BodyFieldsCache::Fields fields {};
    };
    std::array<Entry, kLists> m_entries;
    size_t m_next = 0; // the entry the next kept list replaces
    std::array<const HttpHeader*, kLists> m_sightings {}; // addresses of lists seen once (not held)
    size_t m_nextSighting = 0;
};

} // namespace httptap
