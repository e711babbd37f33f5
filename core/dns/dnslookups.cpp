// SPDX-License-Identifier: GPL-2.0-or-later
#include "dnslookups.h"

#include "record/recordformat.h"

#include <algorithm>

namespace httptap {

bool DnsLookups::Lookup::open() const
{
    return std::any_of(queries.begin(), queries.end(), [](const Query& q) { return !q.answered; });
}

void DnsLookups::add(const record::DnsMessage& message)
{
    const auto parsed = parseDnsMessage(message.payload.data(), message.payload.size());
    if (!parsed || parsed->opcode != 0 || parsed->name.isEmpty())
        return;
    auto it = m_processes.find(message.pid);
    if (it == m_processes.end()) {
        if (parsed->response)
            return; // an answer to nothing we saw asked
        if (m_processes.size() >= kMaxDnsProcesses)
            m_processes.erase(m_processes.begin()); // any: a capture with this many resolving processes is rare
        it = m_processes.emplace(message.pid, Lookups {}).first;
    }
    if (parsed->response)
        onAnswer(it->second, *parsed, message.timestampNs);
    else
        onQuery(it->second, *parsed, message.timestampNs);
}

void DnsLookups::onQuery(Lookups& lookups, const ParsedDnsMessage& m, uint64_t timeNs)
{
    // Joins the name's open lookup (the other address family, or a retry) if it is recent.
    for (auto it = lookups.rbegin(); it != lookups.rend(); ++it) {
        if (it->name != m.name)
            continue;
        if (it->open() && timeNs >= it->startNs && timeNs - it->startNs <= kDnsMatchWindowNs
            && it->queries.size() < kMaxQueriesPerLookup) {
            it->queries.push_back({ m.id, false });
            return;
        }
        break;
    }
    if (lookups.size() >= kMaxLookupsPerProcess)
        lookups.pop_front();
    Lookup l;
    l.name = m.name;
    l.startNs = timeNs;
    l.queries.push_back({ m.id, false });
    lookups.push_back(std::move(l));
}

void DnsLookups::onAnswer(Lookups& lookups, const ParsedDnsMessage& m, uint64_t timeNs)
{
    for (auto it = lookups.rbegin(); it != lookups.rend(); ++it) {
        if (it->name != m.name || timeNs < it->startNs)
            continue;
        for (Query& q : it->queries) {
            if (q.id != m.id || q.answered)
                continue;
            q.answered = true;
            it->answers.push_back({ timeNs, std::vector<DnsAddress>(m.addresses.begin(), m.addresses.end()) });
            return;
        }
    }
}

void DnsLookups::forgetProcess(uint32_t pid) { m_processes.erase(pid); }

std::optional<DnsMatch> DnsLookups::find(uint32_t pid, const DnsAddress& address, uint64_t connectStartNs) const
{
    const auto it = m_processes.find(pid);
    if (it == m_processes.end() || !connectStartNs)
        return std::nullopt;
    std::optional<DnsMatch> best;
    for (const Lookup& l : it->second) {
        for (const Answer& a : l.answers) {
            if (a.timeNs > connectStartNs || connectStartNs - a.timeNs > kDnsMatchWindowNs)
                continue;
            if (std::find(a.addresses.begin(), a.addresses.end(), address) == a.addresses.end())
                continue;
            if (!best || a.timeNs > best->endNs)
                best = DnsMatch { l.startNs, a.timeNs, l.name };
        }
    }
    return best;
}

} // namespace httptap
