// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Recent DNS lookups per process, from the DnsMessage records of a capture,
// and which one produced a connection's remote address (the DNS phase of
// connection timing, flowtimings.h).
//
// A lookup is the queries one process sent for one name until all of them
// were answered: A and AAAA sent together (glibc's sendmmsg, Go's two
// queries) and retries after a timeout are one lookup, timed from its first
// query. An answer belongs to the query with its id and name. A connection
// matches the latest answer of the same process that carried its remote
// address and arrived before the connection started, at most kDnsMatchWindowNs
// earlier. Bounded: kMaxLookupsPerProcess per process (oldest dropped),
// kMaxDnsProcesses processes, kMaxQueriesPerLookup queries per lookup.

#include "dnsmessageparser.h"

#include <QByteArray>

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

namespace httptap {

namespace record {
struct DnsMessage;
}

inline constexpr uint64_t kDnsMatchWindowNs = 30'000'000'000ull; // 30 s
inline constexpr size_t kMaxLookupsPerProcess = 64;
inline constexpr size_t kMaxDnsProcesses = 4096;
inline constexpr size_t kMaxQueriesPerLookup = 16;

struct DnsMatch {
    uint64_t startNs = 0; // the lookup's first query
    uint64_t endNs = 0; // the answer that carried the address
    QByteArray name;
};

class DnsLookups
{
public:
    // Takes one captured DNS datagram; ignores what does not parse.
    void add(const record::DnsMessage& message);
    // The process exited: its lookups can no longer start connections.
    void forgetProcess(uint32_t pid);
    // The lookup that gave pid the address (family 4 or 6, IPv4 in the first 4 bytes) before connectStartNs.
    std::optional<DnsMatch> find(uint32_t pid, const DnsAddress& address, uint64_t connectStartNs) const;

    size_t processCount() const { return m_processes.size(); }

private:
    struct Query {
        uint16_t id = 0;
        bool answered = false;
    };
    struct Answer {
        uint64_t timeNs = 0;
        std::vector<DnsAddress> addresses;
    };
    struct Lookup {
        QByteArray name;
        uint64_t startNs = 0;
        std::vector<Query> queries;
        std::vector<Answer> answers;
        bool open() const;
    };
    using Lookups = std::deque<Lookup>; // oldest first

    void onQuery(Lookups& lookups, const ParsedDnsMessage& m, uint64_t timeNs);
    static void onAnswer(Lookups& lookups, const ParsedDnsMessage& m, uint64_t timeNs);

    std::unordered_map<uint32_t, Lookups> m_processes;
};

} // namespace httptap
