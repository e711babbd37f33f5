// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// LabelLimiter: keeps the label sets of httptap's Prometheus metrics bounded,
// whatever the traffic (one series per label set; a series per user id or per
// random Host header would grow the recorder and every Prometheus that
// scrapes it without limit).
//
// Labels: process, method, status, host, route.
//  - method: the nine RFC 9110/5789 methods as sent, anything else "other";
//  - status: the response code ("200") for 100–599, "none" without a response;
//  - route: the target folded by foldPath() ("/users/{id}");
//  - values are cut to 100 bytes; bytes that are not UTF-8 never reach here
//    (the caller decodes them).
// Caps, first come first served: 64 processes, 64 hosts, 128 routes per host
// and 2,000 label sets. A value over its cap becomes "other"; a label set over
// the last cap becomes an overflow set, every label "other" but status (so
// error rates stay right; at most one more set per status). valuesFolded()
// and setsFolded() say how often each happened. Plain C++ (no Qt).

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace httptap {

struct MetricLabels {
    std::string process;
    std::string method;
    std::string status;
    std::string host;
    std::string route;
    auto operator<=>(const MetricLabels&) const = default;
};

class LabelLimiter
{
public:
    struct Caps {
        size_t processes = 64;
        size_t hosts = 64;
        size_t routesPerHost = 128;
        size_t labelSets = 2000;
    };
    static constexpr std::string_view kOther = "other";
    static constexpr size_t kMaxValueBytes = 100;

    LabelLimiter() = default;
    explicit LabelLimiter(Caps caps)
        : m_caps(caps)
    {
    }

    // method as sent, status 0 without a response, target as sent (folded here).
    MetricLabels limit(std::string_view process, std::string_view method, int status, std::string_view host,
        std::string_view target);

    uint64_t valuesFolded() const { return m_valuesFolded; } // a value became "other"
    uint64_t setsFolded() const { return m_setsFolded; } // a label set became the overflow set
    size_t labelSets() const { return m_sets.size(); }

private:
    std::string capped(std::set<std::string>& seen, size_t cap, std::string value);

    Caps m_caps;
    std::set<std::string> m_processes;
    std::set<std::string> m_hosts;
    std::map<std::string, std::set<std::string>> m_routes; // by host
    std::set<MetricLabels> m_sets;
    uint64_t m_valuesFolded = 0;
    uint64_t m_setsFolded = 0;
};

} // namespace httptap
