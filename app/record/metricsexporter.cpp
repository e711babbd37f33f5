// SPDX-License-Identifier: GPL-2.0-or-later
#include "metricsexporter.h"

#include "export/jsonlwriter.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <stdexcept>

namespace httptap::cli {

// Local services answer in about a millisecond, remote APIs in tens to hundreds: 1 ms … 10 s.
const std::vector<double> MetricsExporter::kDurationBuckets { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1, 2.5, 5, 10 };

namespace {

std::string utf8(const QByteArray& wire) { return JsonlWriter::wireString(wire).toStdString(); }

// The Host the client asked for (HTTP/2 :authority, else the Host header), lower case; without
// one, the server's address.
std::string hostLabel(const Flow& flow)
{
    QByteArray host = flow.request.authority().isEmpty() ? flow.request.header("host").trimmed() : flow.request.authority();
    if (!host.isEmpty())
        return utf8(host.toLower());
    const FlowEndpoint& server = flow.role == Flow::Role::Client ? flow.remote : flow.local;
    return server.family ? server.toString().toStdString() : std::string("none");
}

} // namespace

std::unique_ptr<MetricsExporter> MetricsExporter::start(const std::string& listen, std::string* error)
{
    std::unique_ptr<MetricsExporter> m(new MetricsExporter);
    try {
        m->m_exposer = std::make_unique<prometheus::Exposer>(listen, 2);
    } catch (const std::exception& e) {
        *error = "cannot serve metrics on " + listen + " (" + e.what()
            + "): is the port in use, or the address not one of this machine? Choose another with --metrics-listen";
        return nullptr;
    }
    const auto ports = m->m_exposer->GetListeningPorts();
    const size_t colon = listen.rfind(':');
    m->m_host = listen.substr(0, colon) + ":" + std::to_string(ports.empty() ? 0 : ports.front());
    m->m_registry = std::make_shared<prometheus::Registry>();
    auto& r = *m->m_registry;
    m->m_requests = &prometheus::BuildCounter()
                         .Name("httptap_http_requests_total")
                         .Help("HTTP requests seen by httptap (one per flow)")
                         .Register(r);
    m->m_durations = &prometheus::BuildHistogram()
                          .Name("httptap_http_request_duration_seconds")
                          .Help("Time from the first request byte to the last response byte")
                          .Register(r);
    m->m_requestBytes = &prometheus::BuildCounter()
                             .Name("httptap_http_request_bytes_total")
                             .Help("Request body bytes (after de-chunking, before content decoding)")
                             .Register(r);
    m->m_responseBytes = &prometheus::BuildCounter()
                              .Name("httptap_http_response_bytes_total")
                              .Help("Response body bytes (after de-chunking, before content decoding)")
                              .Register(r);
    m->m_incomplete = &prometheus::BuildCounter()
                           .Name("httptap_flows_incomplete_total")
                           .Help("Flows that did not finish (no response, connection closed mid-message)")
                           .Register(r)
                           .Add({});
    m->m_truncated = &prometheus::BuildCounter()
                          .Name("httptap_flows_truncated_total")
                          .Help("Flows missing captured bytes (lost records, limits, cut stream)")
                          .Register(r)
                          .Add({});
    m->m_lost = &prometheus::BuildCounter()
                     .Name("httptap_capture_lost_records_total")
                     .Help("Capture records the kernel ring buffer could not take")
                     .Register(r)
                     .Add({});
    auto& folded = prometheus::BuildCounter()
                       .Name("httptap_metrics_labels_folded_total")
                       .Help("Label values (kind=value) and label sets (kind=set) over their cap, counted as other")
                       .Register(r);
    m->m_valuesFolded = &folded.Add({ { "kind", "value" } });
    m->m_setsFolded = &folded.Add({ { "kind", "set" } });
    m->m_exposer->RegisterCollectable(m->m_registry);
    return m;
}

MetricsExporter::~MetricsExporter() = default;

std::string MetricsExporter::url() const
{
    return "http://" + m_host + "/metrics";
}

void MetricsExporter::add(const Flow& flow)
{
    const uint64_t valuesBefore = m_limiter.valuesFolded();
    const uint64_t setsBefore = m_limiter.setsFolded();
    const MetricLabels l = m_limiter.limit(flow.process.toStdString(), utf8(flow.request.method),
        flow.hasResponse ? flow.response.status : 0, hostLabel(flow), utf8(flow.request.target));
    m_valuesFolded->Increment(double(m_limiter.valuesFolded() - valuesBefore));
    m_setsFolded->Increment(double(m_limiter.setsFolded() - setsBefore));

    const prometheus::Labels labels { { "process", l.process }, { "method", l.method }, { "status", l.status },
        { "host", l.host }, { "route", l.route } };
    m_requests->Add(labels).Increment();
    m_requestBytes->Add(labels).Increment(double(flow.request.bodySize));
    if (flow.hasResponse) {
        m_responseBytes->Add(labels).Increment(double(flow.response.bodySize));
        if (flow.endNs > flow.startNs)
            m_durations->Add(labels, kDurationBuckets).Observe(double(flow.endNs - flow.startNs) / 1e9);
    }
    if (flow.incomplete)
        m_incomplete->Increment();
    if (flow.truncated)
        m_truncated->Increment();
}

void MetricsExporter::setLostRecords(uint64_t cumulative)
{
    if (cumulative > m_lostSeen) {
        m_lost->Increment(double(cumulative - m_lostSeen));
        m_lostSeen = cumulative;
    }
}

} // namespace httptap::cli
