// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowtimings.h"

#include <algorithm>

namespace httptap {

FlowPhases flowPhases(const Flow& flow)
{
    FlowPhases p;
    const uint64_t start = flow.startNs;
    const uint64_t end = std::max(flow.endNs, start);
    const uint64_t requestEnd = std::clamp(flow.request.lastByteNs, start, end);
    p.send = int64_t(requestEnd - start);
    if (flow.responseStartNs) {
        const uint64_t responseStart = std::clamp(flow.responseStartNs, requestEnd, end);
        p.wait = int64_t(responseStart - requestEnd);
        p.receive = int64_t(end - responseStart);
    } else {
        p.wait = int64_t(end - requestEnd);
    }
    p.beginNs = start;
    p.endNs = end;

    // Set-up phases only when they lie before the request (clocks are one
    // monotonic clock, but records from a file are untrusted).
    const ConnectionSetup& s = flow.setup;
    const bool tcp = s.connectStartNs && s.connectEndNs >= s.connectStartNs && s.connectEndNs <= start;
    const bool tls = s.tlsStartNs && s.tlsEndNs >= s.tlsStartNs && s.tlsEndNs <= start
        && (!tcp || s.tlsStartNs >= s.connectEndNs);
    if (!tcp && !tls)
        return p;
    const uint64_t setupStart = tcp ? s.connectStartNs : s.tlsStartNs;
    const uint64_t setupEnd = tls ? s.tlsEndNs : s.connectEndNs;
    if (tcp)
        p.tcp = int64_t(s.connectEndNs - s.connectStartNs);
    if (tls)
        p.ssl = int64_t(s.tlsEndNs - s.tlsStartNs);
    p.connect = int64_t(setupEnd - setupStart);
    p.blocked = int64_t(start - setupEnd);
    p.setupStartNs = setupStart;
    p.beginNs = setupStart;

    // The lookup that produced the address, if it ended before the set-up began.
    if (s.dnsStartNs && s.dnsEndNs >= s.dnsStartNs && s.dnsEndNs <= setupStart) {
        p.dns = int64_t(s.dnsEndNs - s.dnsStartNs);
        p.dnsToConnect = int64_t(setupStart - s.dnsEndNs);
        p.blocked += p.dnsToConnect;
        p.beginNs = s.dnsStartNs;
    }
    return p;
}

} // namespace httptap
