// SPDX-License-Identifier: GPL-2.0-or-later
//
// The flow table with a million rows (issue 10, item 5): 1,000,000 flows in
// the GUI's FlowStore → FlowTableModel → FlowFilterProxy (offscreen), then
// the filter `status>=400 and domain:api.example.test` and a sort by size, each timed
// from the call to the applied result (waitForIdle). Goals: filter ≤ 200 ms,
// sort ≤ 1 s. Baseline beside them: the same predicate and the same sort
// key as a plain loop and std::sort over the flows, single-threaded.
//
// Live updates (issue 11): the last 10,000 flows are loaded open
// (Flow::inProgress); then 10,000 newer versions of them (grown bodies, still
// open) are applied with the filter and sort active, and 10,000 finished
// versions with neither — each timed from the appends to the applied batch
// (store flush: rows rebuilt, dataChanged, the proxy re-evaluating those rows).

#include "benchflows.h"
#include "benchutil.h"

#include "filter/flowfilter.h"
#include "models/flowfilterproxy.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"

#include <QGuiApplication>

#include <algorithm>
#include <cstdlib>

using namespace httptap;
using namespace httptap::bench;

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const int n = argc > 1 ? std::atoi(argv[1]) : 1'000'000;

    FlowStore store;
    FlowTableModel model(&store);
    FlowFilterProxy proxy;
    proxy.setSourceModel(&model);
    double t0 = nowSeconds();
    const int open = std::min(n, 10'000);
    for (int i = 0; i < n; ++i) {
        Flow f = makeBenchFlow(uint64_t(i));
        f.inProgress = i >= n - open;
        store.append(std::move(f));
    }
    store.flush();
    proxy.waitForIdle();
    QCoreApplication::processEvents();
    const double loadSeconds = nowSeconds() - t0;

    FilterError error;
    const auto filter = FlowFilter::compile(QStringLiteral("status>=400 and domain:api.example.test"), &error);
    if (!filter) {
        std::fprintf(stderr, "bench_gui_table: %s\n", qPrintable(error.toString()));
        return 1;
    }
    t0 = nowSeconds();
    proxy.setFilter(*filter);
    proxy.waitForIdle();
    const double filterSeconds = nowSeconds() - t0;
    const int matched = proxy.rowCount();

    t0 = nowSeconds();
    proxy.sort(FlowTableModel::SizeColumn, Qt::DescendingOrder);
    proxy.waitForIdle();
    const double sortSeconds = nowSeconds() - t0;

    // Baselines: the same work with nothing around it.
    const std::vector<const Flow*> flows = store.snapshot(store.size());
    t0 = nowSeconds();
    std::vector<uint32_t> rows;
    for (uint32_t i = 0; i < flows.size(); ++i) {
        if (filter->matches(*flows[i]))
            rows.push_back(i);
    }
    const double plainFilterSeconds = nowSeconds() - t0;
    t0 = nowSeconds();
    std::stable_sort(rows.begin(), rows.end(),
        [&](uint32_t a, uint32_t b) { return flows[a]->response.bodySize > flows[b]->response.bodySize; });
    const double plainSortSeconds = nowSeconds() - t0;

    // 10,000 in-place updates of open rows among a million, filtered and sorted, then finished, neither.
    auto applyUpdates = [&](bool finished) {
        const double start = nowSeconds();
        for (int i = n - open; i < n; ++i) {
            Flow f = makeBenchFlow(uint64_t(i));
            f.inProgress = !finished;
            f.response.bodySize += finished ? 2000 : 1000;
            f.response.status = finished ? 500 : f.response.status;
            store.append(std::move(f));
        }
        store.flush();
        QCoreApplication::processEvents();
        return nowSeconds() - start;
    };
    const double updateSortedSeconds = applyUpdates(false);
    proxy.setFilter(FlowFilter());
    proxy.sort(-1);
    proxy.waitForIdle();
    const double updateFinishedSeconds = applyUpdates(true);
    const int shownAfter = proxy.rowCount();

    result("gui-table", { { "flows", double(store.size()) }, { "load_s", loadSeconds }, { "matched", double(matched) },
        { "filter_ms", filterSeconds * 1e3 }, { "sort_ms", sortSeconds * 1e3 },
        { "updates", double(open) }, { "update_filtered_sorted_ms", updateSortedSeconds * 1e3 },
        { "update_finish_ms", updateFinishedSeconds * 1e3 }, { "rows_after_updates", double(shownAfter) },
        { "plain_filter_ms", plainFilterSeconds * 1e3 }, { "plain_matched", double(rows.size()) },
        { "plain_sort_ms", plainSortSeconds * 1e3 } });
    return 0;
}
