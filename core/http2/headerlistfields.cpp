// SPDX-License-Identifier: GPL-2.0-or-later
#include "headerlistfields.h"

#include <algorithm>

namespace httptap {

BodyFieldsCache::Fields HeaderListFields::lookup(const HttpHeaders& headers)
{
    if (headers.isEmpty())
        return BodyFieldsCache::find(headers);
    const HttpHeader* at = headers.constData();
    for (const Entry& e : m_entries) {
        if (e.list.constData() == at && e.list.size() == headers.size())
            return e.fields;
    }
    // (An address noted once may since have been freed and reused: then a list is kept a
    // sighting early, which costs nothing but the entry.)
    const auto seen = std::find(m_sightings.begin(), m_sightings.end(), at);
    if (seen == m_sightings.end()) {
        m_sightings[m_nextSighting] = at;
        m_nextSighting = (m_nextSighting + 1) % kLists;
        return BodyFieldsCache::find(headers);
    }
    *seen = nullptr;
    Entry& e = m_entries[m_next];
    m_next = (m_next + 1) % kLists;
    e.list = headers; // shared, not copied: the fields found point into the same data
    e.fields = BodyFieldsCache::find(e.list);
    return e.fields;
}

} // namespace httptap
