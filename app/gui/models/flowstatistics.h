// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// What the Statistics window shows, aggregated from flows: requests per
// second by status class, the latency distribution with exact percentiles,
// and per host and endpoint (method + folded route, see stats/routefolding.h)
// counts, error rate, latency percentiles and bytes.
//
// FlowStatsAccumulator takes flows one by one (add()) and can be summarized
// at any point; it is plain data, used by one thread at a time (a worker),
// and keeps no pointer to a Flow. summarize() gives an immutable
// FlowStatistics that the GUI thread reads while the worker goes on.
//
// Percentiles are nearest-rank over every latency seen (no approximation):
// p-th percentile = the ceil(p/100 · n)-th smallest. Latency is the Time
// column's: first request byte to last byte, for flows with a response.
// An error is a status ≥ 400 or no response (the "Errors only" toggle).

#include "flow/flow.h"

#include <QString>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace httptap {

enum class StatusClass : uint8_t { Success, Redirect, ClientError, ServerError, NoResponse };
constexpr int kStatusClassCount = 5;
// 1xx and 2xx are Success; ≥ 500 is ServerError; no response (status 0) is NoResponse.
StatusClass statusClassOf(const Flow& flow);
QString statusClassName(StatusClass c); // "2xx", "3xx", "4xx", "5xx", "no response"

// Latency histogram bins, 1-2-5 steps: < 100 µs, 100–200 µs, …, 5–10 s, ≥ 10 s.
constexpr int kLatencyBinCount = 17;
int latencyBinOf(uint64_t ns);
uint64_t latencyBinLowerNs(int bin); // inclusive; 0 for the first
QString latencyBinLabel(int bin); // "< 100 µs", "1–2 ms", "≥ 10 s"
using LatencyBins = std::array<uint32_t, kLatencyBinCount>;

struct LatencySummary {
    uint64_t samples = 0; // flows with a latency (with a response)
    uint64_t p50Ns = 0;
    uint64_t p95Ns = 0;
    uint64_t p99Ns = 0;
};

struct TrafficSummary {
    uint64_t requests = 0;
    uint64_t errors = 0; // status ≥ 400 or no response
    uint64_t bytes = 0; // response body bytes, as the Size column
    LatencySummary latency;
    LatencyBins bins {};
    double errorRate() const { return requests ? double(errors) / double(requests) : 0.0; }
};

struct EndpointSummary {
    QString method; // raw captured text: escape before display
    QString route; // folded path ("/users/{id}"); empty for the overflow row
    bool overflow = false; // "other routes": endpoints beyond the cap, counted together
    TrafficSummary traffic;
};

struct HostSummary {
    QString host; // raw; empty for the overflow row
    bool overflow = false; // "other hosts": hosts beyond the cap
    TrafficSummary traffic;
    std::vector<EndpointSummary> endpoints;
};

// Requests started within one bar of the rate chart.
struct RateBar {
    std::array<uint32_t, kStatusClassCount> counts {};
    uint64_t firstId = 0; // smallest and largest Flow::id in the bar (ids follow start order)
    uint64_t lastId = 0;
};

struct FlowStatistics {
    TrafficSummary overall;
    std::array<uint64_t, kStatusClassCount> classes {};
    // Rate chart: bar i covers [originNs + i·barNs, originNs + (i+1)·barNs) of Flow::startNs.
    uint64_t originNs = 0;
    uint64_t barNs = 1'000'000'000;
    std::vector<RateBar> bars;
    std::vector<HostSummary> hosts; // in first-seen order
};

class FlowStatsAccumulator
{
public:
    // Beyond these, new hosts / endpoints are counted in one overflow row (hostile traffic
    // can make every request a new route; the table stays bounded).
    static constexpr int kMaxHosts = 500;
    static constexpr int kMaxEndpoints = 5000;
    // The rate chart has at most this many bars; each is a whole number of seconds.
    static constexpr int kMaxBars = 60;

    void add(const Flow& flow);
    uint64_t count() const { return m_overall.requests; }
    // Reorders the stored latencies (nth_element), hence not const.
    FlowStatistics summarize();

private:
    struct Totals {
        uint64_t requests = 0;
        uint64_t errors = 0;
        uint64_t bytes = 0;
        LatencyBins bins {};
        void add(bool error, uint64_t bytes, bool hasLatency, uint64_t latencyNs);
    };
    struct Endpoint {
        QString method;
        QString route;
        bool overflow = false;
        Totals totals;
        std::vector<uint64_t> latencies;
    };
    struct Host {
        QString host;
        bool overflow = false;
        Totals totals;
        std::unordered_map<std::string, int> endpointIndex; // "METHOD route" (raw bytes) → endpoints
        std::vector<Endpoint> endpoints;
        int overflowEndpoint = -1;
    };
    struct Second {
        std::array<uint32_t, kStatusClassCount> counts {};
        uint64_t firstId = UINT64_MAX;
        uint64_t lastId = 0;
    };

    Host& hostFor(const QString& host);
    // key is "METHOD folded-route"; the QStrings are made once per new endpoint.
    Endpoint& endpointFor(Host& host, const std::string& key, size_t methodLength);
    static TrafficSummary summary(const Totals& totals, LatencySummary latency);

    Totals m_overall;
    std::array<uint64_t, kStatusClassCount> m_classes {};
    std::unordered_map<QString, int> m_hostIndex;
    std::vector<Host> m_hosts;
    int m_overflowHost = -1;
    int m_endpointCount = 0;
    std::map<uint64_t, Second> m_seconds; // by startNs / 1e9
};

// Nearest-rank percentiles of the values, which are reordered.
LatencySummary latencyPercentiles(std::vector<uint64_t>& values);

// Phrases of the filter language (core/filter) that select what a row or bar shows.
QString endpointFilter(const QString& host, const QString& method, const QString& route);
QString hostFilter(const QString& host);
QString statusClassFilter(StatusClass c);
// Flows whose id is in [firstId, lastId]: the requests started within one bar.
QString idRangeFilter(uint64_t firstId, uint64_t lastId);
// Flows with a response whose latency falls in the bin: "time>=1ms time<2ms status>=1".
QString latencyBinFilter(int bin);

} // namespace httptap
