// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A message body's first arrival, held back from the message's list: most
// bodies arrive in one capture record (HTTP/1) or DATA frame (HTTP/2), and a
// single arrival is dropped when the flow leaves the assembler anyway
// (HttpMessage::dropSingleArrival), so listing it would only allocate the list
// to free it again. The held arrival goes into the message once a second one
// comes at another time, or once the message goes on past it.

#include "flow.h"

namespace httptap {

class HeldArrival
{
public:
    void clear() { *this = HeldArrival(); }

    // `bytes` of m's body arrived at timestampNs.
    void note(HttpMessage& m, uint64_t timestampNs, uint64_t bytes)
    {
        if (bytes == 0)
            return;
        if (!m_listed) {
            if (m_held.bytes == 0) {
                m_held = BodyArrival { timestampNs, bytes };
                return;
            }
            if (m_held.timestampNs == timestampNs) {
                m_held.bytes += bytes; // the same record, split by framing
                return;
            }
            listIn(m);
            m_listed = true;
        }
        m.noteBodyArrival(timestampNs, bytes);
    }

    // m goes on at nowNs (more bytes, or its end): an arrival held from before then says
    // something the message's first and last byte times do not, and is listed in m for good.
    void listIfBefore(HttpMessage& m, uint64_t nowNs)
    {
        if (!m_listed && m_held.bytes > 0 && m_held.timestampNs != nowNs) {
            listIn(m);
            m_listed = true;
        }
    }

    // Lists a still-held arrival in `into` (the message, or a snapshot's copy of it) where it
    // says more than into.lastByteNs, without counting it as listed.
    void listInCopy(HttpMessage& into) const
    {
        if (!m_listed && m_held.bytes > 0 && m_held.timestampNs != into.lastByteNs)
            listIn(into);
    }

private:
    void listIn(HttpMessage& m) const { m.noteBodyArrival(m_held.timestampNs, m_held.bytes); }

    BodyArrival m_held; // bytes == 0: none held
    bool m_listed = false; // the first arrival is in the message's list; later ones go straight there
};

} // namespace httptap
