// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The flows the GUI benchmarks fill the window's models with (bench_gui_table,
// bench_gui_stats, bench_gui_live): one generator, so their figures describe
// the same table. Flow i is a finished HTTP/1.1 exchange of process "bench";
// four hosts (api., www., v2.api., cdn.example.test), five routes with ids
// that rarely repeat, GET or POST (every fifth), statuses 200/201/304/404/500
// (a quarter 4xx/5xx), one flow in 101 without a response, bodies 0–100,000
// bytes, a thousand requests a second with latencies of 0.1–200 ms.

#include "flow/flow.h"

#include <cstdint>

namespace httptap::bench {

inline Flow makeBenchFlow(uint64_t i)
{
    static const char* kHosts[] = { "api.example.test", "www.example.test", "v2.api.example.test", "cdn.example.test" };
    static const char* kRoutes[] = { "/users/", "/orders/", "/items/", "/search?q=", "/static/app.js?v=" };
    static const int kStatus[] = { 200, 200, 200, 304, 404, 500, 201, 200 };
    Flow f;
    f.id = i + 1;
    f.connId = i / 10 + 1;
    f.pid = 4242;
    f.process = QStringLiteral("bench");
    f.httpVersion = QByteArrayLiteral("HTTP/1.1");
    f.request.method = i % 5 ? QByteArrayLiteral("GET") : QByteArrayLiteral("POST");
    f.request.target = kRoutes[i % 5] + QByteArray::number(qulonglong(i * 2654435761u % 1000000));
    f.request.headers.append(HttpHeader { QByteArrayLiteral("Host"), QByteArray(kHosts[i % 4]) });
    f.request.complete = true;
    f.hasResponse = i % 101 != 0;
    f.response.status = kStatus[(i * 7) % 8];
    f.response.bodySize = (i * 2654435761u) % 100000;
    f.response.headers.append(HttpHeader { QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json") });
    f.response.complete = true;
    f.startNs = 1'000'000'000 + i * 1'000'000;
    f.endNs = f.startNs + 100'000 + (i * 104729) % 200'000'000;
    return f;
}

} // namespace httptap::bench
