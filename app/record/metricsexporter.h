// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// httptap-record --metrics-listen ADDR:PORT: the flows as Prometheus metrics,
// served at http://ADDR:PORT/metrics (prometheus-cpp's exposer, its own
// threads; every update here is a lock-free increment):
//
//   httptap_http_requests_total{process,method,status,host,route}           counter
//   httptap_http_request_duration_seconds{process,method,status,host,route} histogram: first request
//       byte to last response byte; buckets kDurationBuckets (1 ms … 10 s); flows with a response only
//   httptap_http_request_bytes_total{…}, httptap_http_response_bytes_total{…}  body bytes seen
//       (after de-chunking, before content decoding)
//   httptap_flows_incomplete_total, httptap_flows_truncated_total           capture health: flows
//       that did not finish / miss captured bytes
//   httptap_capture_lost_records_total       records the kernel ring buffer could not take
//   httptap_metrics_labels_folded_total{kind="value"|"set"}   labels LabelLimiter turned into "other"
//
// Labels are bounded by LabelLimiter (core/stats/labellimiter.h): folded
// routes, capped values, an "other" bucket. status is the exact code ("404",
// "none" without a response): class queries are status=~"5..".

#include "flow/flow.h"
#include "stats/labellimiter.h"

#include <memory>
#include <string>
#include <vector>

namespace prometheus {
class Counter;
class Exposer;
class Registry;
template <typename T>
class Family;
class Histogram;
} // namespace prometheus

namespace httptap::cli {

class MetricsExporter
{
public:
    static const std::vector<double> kDurationBuckets;

    // Serves /metrics on listen ("127.0.0.1:9464", IPv4 only; port 0 picks a free one), or
    // returns nullptr with *error saying why (address in use, not an address of this machine).
    static std::unique_ptr<MetricsExporter> start(const std::string& listen, std::string* error);
    ~MetricsExporter();

    std::string url() const; // "http://127.0.0.1:9464/metrics", with the port actually bound

    void add(const Flow& flow);
    void setLostRecords(uint64_t cumulative);

private:
    MetricsExporter() = default;

    std::unique_ptr<prometheus::Exposer> m_exposer;
    std::shared_ptr<prometheus::Registry> m_registry;
    std::string m_host;
    prometheus::Family<prometheus::Counter>* m_requests = nullptr;
    prometheus::Family<prometheus::Histogram>* m_durations = nullptr;
    prometheus::Family<prometheus::Counter>* m_requestBytes = nullptr;
    prometheus::Family<prometheus::Counter>* m_responseBytes = nullptr;
    prometheus::Counter* m_incomplete = nullptr;
    prometheus::Counter* m_truncated = nullptr;
    prometheus::Counter* m_lost = nullptr;
    prometheus::Counter* m_valuesFolded = nullptr;
    prometheus::Counter* m_setsFolded = nullptr;
    uint64_t m_lostSeen = 0;
    LabelLimiter m_limiter;
};

} // namespace httptap::cli
