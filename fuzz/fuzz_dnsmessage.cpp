// SPDX-License-Identifier: GPL-2.0-or-later
//
// The DNS message parser (core/dns/dnsmessageparser.h) on arbitrary bytes, and
// the lookups it feeds (core/dns/dnslookups.h): the input is taken as a query
// and then, with the QR bit set, as its answer, and a connection to each
// answered address is matched, so what a hostile datagram can put into a
// lookup is exercised too.

#include "dns/dnslookups.h"
#include "record/recordformat.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const auto parsed = httptap::parseDnsMessage(data, size);
    if (parsed && parsed->name.size() > 255)
        __builtin_trap(); // names are capped at 255 bytes
    httptap::DnsLookups lookups;
    httptap::record::DnsMessage m;
    m.pid = 1;
    m.timestampNs = 1000;
    m.payload.assign(data, data + size);
    m.messageSize = uint32_t(size);
    if (size > 2)
        m.payload[2] &= 0x7f; // a query
    lookups.add(m);
    m.timestampNs = 2000;
    m.direction = httptap::record::Direction::Ingress;
    if (size > 2)
        m.payload[2] |= 0x80; // its answer
    lookups.add(m);
    if (parsed) {
        for (const auto& address : parsed->addresses) {
            const auto match = lookups.find(1, address, 3000);
            if (match && (match->endNs < match->startNs || match->endNs > 3000))
                __builtin_trap();
        }
    }
    return 0;
}
