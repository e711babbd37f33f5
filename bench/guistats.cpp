// SPDX-License-Identifier: GPL-2.0-or-later
//
// The Statistics window's aggregation with a million flows (issue 13): the
// GUI's FlowStore → FlowFilterProxy → FlowStatsEngine (offscreen), the
// summary applied to the StatsTableModel on the GUI thread as the window
// does. Timed: the whole aggregation from activation to the applied summary;
// again after a new filter (the proxy's own work timed apart); an incremental update for
// 10,000 appended flows (from the store's announcement to the applied summary). Meanwhile a 1 ms timer on the GUI thread measures
// the longest stall of the event loop (the figure that says "no freeze").
// Baseline beside them: the same accumulation as a plain loop.

#include "benchflows.h"
#include "benchutil.h"

#include "filter/flowfilter.h"
#include "models/flowfilterproxy.h"
#include "models/flowstatsengine.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"
#include "models/statstablemodel.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QGuiApplication>
#include <QThread>
#include <QTimer>

#include <cstdlib>

using namespace httptap;
using namespace httptap::bench;

namespace {


// Runs `work` (which spins an event loop) with a 1 ms timer ticking on this thread; returns
// the seconds and the longest gap between two ticks (or to the end) in milliseconds.
std::pair<double, double> measureStall(const std::function<void()>& work)
{
    QElapsedTimer clock;
    double longestGap = 0;
    qint64 lastTick = 0;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        longestGap = std::max(longestGap, double(now - lastTick) / 1e6);
        lastTick = now;
    });
    clock.start();
    ticker.start();
    work();
    const qint64 now = clock.nsecsElapsed();
    longestGap = std::max(longestGap, double(now - lastTick) / 1e6);
    return { double(now) / 1e9, longestGap };
}

// From start() until the engine has counted every stored flow and its summary is applied.
std::pair<double, double> runUntilCounted(FlowStatsEngine& engine, FlowStore& store, const std::function<void()>& start)
{
    return measureStall([&] {
        QEventLoop loop;
        QObject::connect(&engine, &FlowStatsEngine::statisticsChanged, &loop, [&] {
            if (engine.flowsCounted() == store.size() && !engine.isBusy())
                loop.quit();
        });
        start();
        loop.exec();
    });
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const int n = argc > 1 ? std::atoi(argv[1]) : 1'000'000;

    FlowStore store;
    FlowTableModel model(&store);
    FlowFilterProxy proxy;
    proxy.setSourceModel(&model);
    for (int i = 0; i < n; ++i)
        store.append(makeBenchFlow(uint64_t(i)));
    store.flush();
    proxy.waitForIdle();
    QCoreApplication::processEvents();

    FlowStatsEngine engine(&store, &proxy);
    StatsTableModel table;
    // What the window does with each summary, on the GUI thread.
    QObject::connect(&engine, &FlowStatsEngine::statisticsChanged, [&] { table.setStatistics(engine.statistics()); });

    const auto [allSeconds, allStallMs] = runUntilCounted(engine, store, [&] { engine.setActive(true); });
    const auto& s = *engine.statistics();
    int endpoints = 0;
    for (const HostSummary& h : s.hosts)
        endpoints += int(h.endpoints.size());

    FilterError error;
    const auto filter = FlowFilter::compile(QStringLiteral("status>=400 and domain:api.example.test"), &error);
    if (!filter) {
        std::fprintf(stderr, "bench_gui_stats: %s\n", qPrintable(error.toString()));
        return 1;
    }
    // A new filter: first the table's proxy applies it (its own GUI-thread work, measured apart
    // with the engine inactive), then the engine counts again from the start.
    engine.setActive(false);
    const auto [proxySeconds, proxyStallMs] = measureStall([&] {
        proxy.setFilter(*filter);
        QEventLoop loop;
        QObject::connect(&proxy, &FlowFilterProxy::filterApplied, &loop, &QEventLoop::quit);
        loop.exec();
    });
    QThread::msleep(FlowStatsEngine::kMinIntervalMs);
    const auto [filterSeconds, filterStallMs] = runUntilCounted(engine, store, [&] { engine.setActive(true); });
    const double filtered = double(engine.statistics()->overall.requests);

    proxy.setFilter(FlowFilter());
    proxy.waitForIdle();
    engine.waitForIdle();
    // The table's own work for the new rows (FlowTableModel, the proxy) happens in flush(),
    // before the clock starts; the engine's next job is due kMinIntervalMs after its last.
    QThread::msleep(FlowStatsEngine::kMinIntervalMs);
    for (int i = n; i < n + 10'000; ++i)
        store.append(makeBenchFlow(uint64_t(i)));
    store.flush();
    const auto [appendSeconds, appendStallMs] = runUntilCounted(engine, store, [] {});

    // Baseline: the accumulation alone, single-threaded.
    const std::vector<const Flow*> flows = store.snapshot(n);
    double t0 = nowSeconds();
    FlowStatsAccumulator plain;
    for (const Flow* f : flows)
        plain.add(*f);
    const double plainAddSeconds = nowSeconds() - t0;
    t0 = nowSeconds();
    const FlowStatistics summary = plain.summarize();
    const double plainSummarizeSeconds = nowSeconds() - t0;

    result("gui-stats", { { "flows", double(n) }, { "hosts", double(s.hosts.size()) }, { "endpoints", double(endpoints) },
        { "aggregate_ms", allSeconds * 1e3 }, { "aggregate_max_stall_ms", allStallMs },
        { "proxy_filter_ms", proxySeconds * 1e3 }, { "proxy_filter_max_stall_ms", proxyStallMs },
        { "filter_ms", filterSeconds * 1e3 }, { "filter_matched", filtered }, { "filter_max_stall_ms", filterStallMs },
        { "append_10k_ms", appendSeconds * 1e3 }, { "append_max_stall_ms", appendStallMs },
        { "plain_add_ms", plainAddSeconds * 1e3 }, { "plain_summarize_ms", plainSummarizeSeconds * 1e3 },
        { "rss_mb", double(rssBytes()) / 1e6 }, { "check_requests", double(summary.overall.requests) } });
    return 0;
}
