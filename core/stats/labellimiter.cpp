// SPDX-License-Identifier: GPL-2.0-or-later
#include "stats/labellimiter.h"

#include "stats/routefolding.h"

#include <array>

namespace httptap {

namespace {

std::string cut(std::string_view value)
{
    if (value.size() <= LabelLimiter::kMaxValueBytes)
        return std::string(value);
    // Do not cut inside a UTF-8 sequence: back up to the start of the character.
    size_t end = LabelLimiter::kMaxValueBytes;
    while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80)
        --end;
    return std::string(value.substr(0, end));
}

std::string methodLabel(std::string_view method)
{
    static constexpr std::array<std::string_view, 9> kMethods { "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
        "OPTIONS", "TRACE", "PATCH" };
    for (std::string_view m : kMethods)
        if (m == method)
            return std::string(m);
    return std::string(LabelLimiter::kOther);
}

std::string statusLabel(int status)
{
    if (status == 0)
        return "none";
    if (status < 100 || status > 599)
        return std::string(LabelLimiter::kOther);
    return std::to_string(status);
}

} // namespace

std::string LabelLimiter::capped(std::set<std::string>& seen, size_t cap, std::string value)
{
    if (seen.count(value))
        return value;
    if (seen.size() >= cap) {
        ++m_valuesFolded;
        return std::string(kOther);
    }
    seen.insert(value);
    return value;
}

MetricLabels LabelLimiter::limit(std::string_view process, std::string_view method, int status,
    std::string_view host, std::string_view target)
{
    MetricLabels labels;
    labels.method = methodLabel(method);
    labels.status = statusLabel(status);
    labels.process = capped(m_processes, m_caps.processes, cut(process));
    labels.host = capped(m_hosts, m_caps.hosts, cut(host));
    labels.route = capped(m_routes[labels.host], m_caps.routesPerHost, cut(foldPath(target)));

    if (m_sets.count(labels))
        return labels;
    if (m_sets.size() < m_caps.labelSets) {
        m_sets.insert(labels);
        return labels;
    }
    ++m_setsFolded;
    const std::string other(kOther);
    MetricLabels overflow { other, other, labels.status, other, other };
    m_sets.insert(overflow); // one per status at most: still bounded, and error rates stay right
    return overflow;
}

} // namespace httptap
