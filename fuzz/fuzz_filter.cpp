// SPDX-License-Identifier: GPL-2.0-or-later
//
// The filter language (core/filter): arbitrary text compiled, and when it
// compiles, evaluated against a few flows (request only, full response, gRPC
// over HTTP/2, empty), so parsing, regexes, sizes and comparisons all run.

#include "filter/flowfilter.h"

#include <cstddef>
#include <cstdint>

namespace {

QList<httptap::Flow> sampleFlows()
{
    QList<httptap::Flow> flows(4);
    flows[0].request.method = "GET";
    flows[0].request.target = "/api/items?id=1&q=%20x";
    flows[0].request.headers = { { "Host", "example.com:8080" } };
    flows[0].process = QStringLiteral("curl");
    flows[0].pid = 1234;
    flows[1] = flows[0];
    flows[1].hasResponse = true;
    flows[1].response.status = 404;
    flows[1].response.headers = { { "Content-Type", "application/json; charset=utf-8" }, { "ETag", "\"x\"" } };
    flows[1].response.body = QByteArray(5000, 'x');
    flows[2].request.method = "POST";
    flows[2].request.editRare().scheme = "https";
    flows[2].request.editRare().authority = "grpc.example.com";
    flows[2].request.target = "/pkg.Service/Call";
    flows[2].httpVersion = "HTTP/2";
    flows[2].source = httptap::record::Source::OpenSsl;
    return flows;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const QList<httptap::Flow> flows = sampleFlows();
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    httptap::FilterError error;
    const auto filter = httptap::FlowFilter::compile(text, &error);
    if (!filter) {
        if (error.toString().isEmpty())
            __builtin_trap(); // a refusal always says why
        return 0;
    }
    int matched = 0;
    for (const auto& flow : flows)
        matched += filter->matches(flow);
    return matched < 0 ? 0 : 0;
}
