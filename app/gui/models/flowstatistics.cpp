// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowstatistics.h"

#include "filter/flowfields.h"
#include "stats/routefolding.h"

#include <algorithm>

namespace httptap {

namespace {

// Upper edges of the latency bins (the last bin has none).
constexpr std::array<uint64_t, kLatencyBinCount - 1> kBinEdgesNs = { 100'000, 200'000, 500'000, 1'000'000,
    2'000'000, 5'000'000, 10'000'000, 20'000'000, 50'000'000, 100'000'000, 200'000'000, 500'000'000,
    1'000'000'000, 2'000'000'000, 5'000'000'000, 10'000'000'000 };

QString edgeText(uint64_t ns)
{
    if (ns < 1'000'000)
        return QStringLiteral("%1 µs").arg(ns / 1000);
    if (ns < 1'000'000'000)
        return QStringLiteral("%1 ms").arg(ns / 1'000'000);
    return QStringLiteral("%1 s").arg(ns / 1'000'000'000);
}

// A "quoted" value of the filter language.
QString quoted(const QString& text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

// Bars of whole, round numbers of seconds, so that kMaxBars cover the span.
uint64_t barSeconds(uint64_t spanSeconds, int maxBars)
{
    static const uint64_t steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400 };
    for (uint64_t s : steps)
        if (spanSeconds <= s * uint64_t(maxBars))
            return s;
    return (spanSeconds + uint64_t(maxBars) - 1) / uint64_t(maxBars);
}

} // namespace

StatusClass statusClassOf(const Flow& flow)
{
    // The status the filter language sees: 0 without a response.
    const int status = flow.hasResponse ? flow.response.status : 0;
    if (status <= 0)
        return StatusClass::NoResponse;
    if (status < 300)
        return StatusClass::Success;
    if (status < 400)
        return StatusClass::Redirect;
    if (status < 500)
        return StatusClass::ClientError;
    return StatusClass::ServerError;
}

QString statusClassName(StatusClass c)
{
    switch (c) {
    case StatusClass::Success:
        return QStringLiteral("2xx");
    case StatusClass::Redirect:
        return QStringLiteral("3xx");
    case StatusClass::ClientError:
        return QStringLiteral("4xx");
    case StatusClass::ServerError:
        return QStringLiteral("5xx");
    case StatusClass::NoResponse:
        break;
    }
    return QStringLiteral("no response");
}

int latencyBinOf(uint64_t ns)
{
    return int(std::upper_bound(kBinEdgesNs.begin(), kBinEdgesNs.end(), ns) - kBinEdgesNs.begin());
}

uint64_t latencyBinLowerNs(int bin)
{
    return bin <= 0 ? 0 : kBinEdgesNs[size_t(std::min(bin, kLatencyBinCount - 1) - 1)];
}

QString latencyBinLabel(int bin)
{
    if (bin <= 0)
        return QStringLiteral("< ") + edgeText(kBinEdgesNs.front());
    if (bin >= kLatencyBinCount - 1)
        return QStringLiteral("≥ ") + edgeText(kBinEdgesNs.back());
    const uint64_t low = kBinEdgesNs[size_t(bin - 1)];
    const uint64_t high = kBinEdgesNs[size_t(bin)];
    // "100–200 µs", "500 µs–1 ms": the unit once when both ends share it.
    const QString lowText = edgeText(low);
    const QString highText = edgeText(high);
    const QString unit = highText.section(QLatin1Char(' '), 1);
    if (lowText.section(QLatin1Char(' '), 1) == unit)
        return lowText.section(QLatin1Char(' '), 0, 0) + QStringLiteral("–") + highText;
    return lowText + QStringLiteral("–") + highText;
}

LatencySummary latencyPercentiles(std::vector<uint64_t>& values)
{
    LatencySummary s;
    s.samples = values.size();
    if (values.empty())
        return s;
    const size_t n = values.size();
    // Each nth_element leaves everything after its position no smaller, so the next one
    // only looks at that tail.
    auto at = [&](size_t percent, size_t from) {
        const size_t rank = std::max<size_t>(1, (n * percent + 99) / 100);
        const size_t index = std::max(rank - 1, from);
        std::nth_element(values.begin() + ptrdiff_t(from), values.begin() + ptrdiff_t(index), values.end());
        return index;
    };
    const size_t i50 = at(50, 0);
    s.p50Ns = values[i50];
    const size_t i95 = at(95, i50);
    s.p95Ns = values[i95];
    s.p99Ns = values[at(99, i95)];
    return s;
}

void FlowStatsAccumulator::Totals::add(bool error, uint64_t size, bool hasLatency, uint64_t latencyNs)
{
    ++requests;
    errors += error ? 1 : 0;
    bytes += size;
    if (hasLatency)
        ++bins[size_t(latencyBinOf(latencyNs))];
}

FlowStatsAccumulator::Host& FlowStatsAccumulator::hostFor(const QString& host)
{
    if (const auto it = m_hostIndex.find(host); it != m_hostIndex.end())
        return m_hosts[size_t(it->second)];
    if (int(m_hosts.size()) >= kMaxHosts) {
        if (m_overflowHost < 0) {
            m_overflowHost = int(m_hosts.size());
            m_hosts.push_back({});
            m_hosts.back().overflow = true;
        }
        return m_hosts[size_t(m_overflowHost)];
    }
    m_hostIndex.emplace(host, int(m_hosts.size()));
    m_hosts.push_back({});
    m_hosts.back().host = host;
    return m_hosts.back();
}

FlowStatsAccumulator::Endpoint& FlowStatsAccumulator::endpointFor(Host& host, const std::string& key, size_t methodLength)
{
    if (host.overflow) {
        // One row for everything of the hosts beyond the cap.
        if (host.endpoints.empty()) {
            host.endpoints.push_back({});
            host.endpoints.back().overflow = true;
        }
        return host.endpoints.front();
    }
    if (const auto it = host.endpointIndex.find(key); it != host.endpointIndex.end())
        return host.endpoints[size_t(it->second)];
    if (m_endpointCount >= kMaxEndpoints) {
        if (host.overflowEndpoint < 0) {
            host.overflowEndpoint = int(host.endpoints.size());
            host.endpoints.push_back({});
            host.endpoints.back().overflow = true;
        }
        return host.endpoints[size_t(host.overflowEndpoint)];
    }
    ++m_endpointCount;
    host.endpointIndex.emplace(key, int(host.endpoints.size()));
    host.endpoints.push_back({});
    host.endpoints.back().method = QString::fromLatin1(key.data(), qsizetype(methodLength));
    host.endpoints.back().route = QString::fromStdString(key.substr(methodLength + 1));
    return host.endpoints.back();
}

void FlowStatsAccumulator::add(const Flow& flow)
{
    const StatusClass cls = statusClassOf(flow);
    const bool error = cls == StatusClass::ClientError || cls == StatusClass::ServerError || cls == StatusClass::NoResponse;
    const uint64_t size = flowResponseSize(flow);
    const bool hasLatency = flow.hasResponse;
    const uint64_t latency = flow.endNs > flow.startNs ? flow.endNs - flow.startNs : 0;

    m_overall.add(error, size, hasLatency, latency);
    ++m_classes[size_t(cls)];
    Host& host = hostFor(flowHost(flow));
    host.totals.add(error, size, hasLatency, latency);
    const QByteArray& target = flow.request.target;
    const QByteArray& method = flow.request.method;
    std::string key(method.constData(), size_t(method.size()));
    key += ' ';
    key += foldPath(std::string_view(target.constData(), size_t(target.size())));
    Endpoint& endpoint = endpointFor(host, key, size_t(method.size()));
    endpoint.totals.add(error, size, hasLatency, latency);
    if (hasLatency)
        endpoint.latencies.push_back(latency);

    Second& second = m_seconds[flow.startNs / 1'000'000'000];
    ++second.counts[size_t(cls)];
    second.firstId = std::min(second.firstId, flow.id);
    second.lastId = std::max(second.lastId, flow.id);
}

TrafficSummary FlowStatsAccumulator::summary(const Totals& totals, LatencySummary latency)
{
    TrafficSummary s;
    s.requests = totals.requests;
    s.errors = totals.errors;
    s.bytes = totals.bytes;
    s.bins = totals.bins;
    s.latency = latency;
    return s;
}

FlowStatistics FlowStatsAccumulator::summarize()
{
    FlowStatistics result;
    result.classes = m_classes;
    std::vector<uint64_t> all;
    all.reserve(m_overall.requests);
    std::vector<uint64_t> perHost;
    result.hosts.reserve(m_hosts.size());
    for (Host& host : m_hosts) {
        HostSummary h;
        h.host = host.host;
        h.overflow = host.overflow;
        perHost.clear();
        h.endpoints.reserve(host.endpoints.size());
        for (Endpoint& endpoint : host.endpoints) {
            perHost.insert(perHost.end(), endpoint.latencies.begin(), endpoint.latencies.end());
            h.endpoints.push_back({ endpoint.method, endpoint.route, endpoint.overflow,
                summary(endpoint.totals, latencyPercentiles(endpoint.latencies)) });
        }
        all.insert(all.end(), perHost.begin(), perHost.end());
        h.traffic = summary(host.totals, latencyPercentiles(perHost));
        result.hosts.push_back(std::move(h));
    }
    result.overall = summary(m_overall, latencyPercentiles(all));

    if (!m_seconds.empty()) {
        const uint64_t firstSecond = m_seconds.begin()->first;
        const uint64_t lastSecond = m_seconds.rbegin()->first;
        const uint64_t width = barSeconds(lastSecond - firstSecond + 1, kMaxBars);
        const uint64_t origin = firstSecond / width * width; // round bar edges
        result.originNs = origin * 1'000'000'000;
        result.barNs = width * 1'000'000'000;
        result.bars.resize(size_t((lastSecond - origin) / width + 1));
        for (const auto& [second, counts] : m_seconds) {
            RateBar& bar = result.bars[size_t((second - origin) / width)];
            for (int c = 0; c < kStatusClassCount; ++c)
                bar.counts[size_t(c)] += counts.counts[size_t(c)];
            bar.firstId = bar.firstId ? std::min(bar.firstId, counts.firstId) : counts.firstId;
            bar.lastId = std::max(bar.lastId, counts.lastId);
        }
    }
    return result;
}

QString endpointFilter(const QString& host, const QString& method, const QString& route)
{
    return QStringLiteral("host=%1 method=%2 route=%3").arg(quoted(host), quoted(method), quoted(route));
}

QString hostFilter(const QString& host)
{
    return QStringLiteral("host=%1").arg(quoted(host));
}

QString statusClassFilter(StatusClass c)
{
    switch (c) {
    case StatusClass::Success:
        return QStringLiteral("(status>=1 and status<=299)");
    case StatusClass::Redirect:
        return QStringLiteral("status:3xx");
    case StatusClass::ClientError:
        return QStringLiteral("status:4xx");
    case StatusClass::ServerError:
        return QStringLiteral("status>=500");
    case StatusClass::NoResponse:
        break;
    }
    return QStringLiteral("status=0");
}

QString idRangeFilter(uint64_t firstId, uint64_t lastId)
{
    return QStringLiteral("id>=%1 id<=%2").arg(firstId).arg(lastId);
}

} // namespace httptap

namespace httptap {

QString latencyBinFilter(int bin)
{
    // Edges as the filter language writes durations: 100us, 5ms, 2s.
    auto edge = [](uint64_t ns) {
        if (ns < 1'000'000)
            return QStringLiteral("%1us").arg(ns / 1000);
        if (ns < 1'000'000'000)
            return QStringLiteral("%1ms").arg(ns / 1'000'000);
        return QStringLiteral("%1s").arg(ns / 1'000'000'000);
    };
    QStringList terms;
    if (bin > 0)
        terms << QStringLiteral("time>=") + edge(latencyBinLowerNs(bin));
    if (bin < kLatencyBinCount - 1)
        terms << QStringLiteral("time<") + edge(latencyBinLowerNs(bin + 1));
    terms << QStringLiteral("status>=1");
    return terms.join(QLatin1Char(' '));
}

} // namespace httptap
