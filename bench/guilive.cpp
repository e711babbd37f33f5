// SPDX-License-Identifier: GPL-2.0-or-later
//
// Live updates (issue 10, item 5): flows arrive at 10,000 a second for 10 s
// on top of 100,000 already in the window, the way a live capture hands them
// over — FlowStore::append on the GUI thread as the stream is read, one open
// snapshot first for every tenth flow (updated in place when it finishes), the
// store batching every ~50 ms into FlowTableModel → FlowFilterProxy → a
// QTableView shown offscreen (the window's settings: uniform rows, the
// waterfall column, auto-scroll to the newest row). A 1 ms timer on the GUI
// thread records the longest gap between its ticks: the worst stall of the
// event loop (goal ≤ 50 ms); beside it the most CPU time the GUI thread spent
// between two ticks, which tells its own work from waiting for a CPU on a busy
// machine. Three runs: unsorted and unfiltered (the window
// as it opens), sorted by size, and filtered (`status>=400`).
//
// Usage: bench_gui_live [existing flows] [seconds per run] [flows a second]

#include "benchflows.h"
#include "benchutil.h"

#include "filter/flowfilter.h"
#include "models/flowfilterproxy.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"
#include "waterfalldelegate.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHeaderView>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <vector>

using namespace httptap;
using namespace httptap::bench;

namespace {

// CPU time of the calling thread: a gap between ticks that the GUI thread spent working, as
// opposed to waiting for a CPU on a busy machine.
double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

struct LiveRun {
    double seconds = 0;
    uint64_t flows = 0;
    double maxStallMs = 0;
    double p99GapMs = 0;
    double maxBusyMs = 0; // the most GUI-thread CPU time between two ticks
    int rowsShown = 0;
    bool atBottom = false;
};

// Feeds flows from `next` on at `rate` a second for `seconds`, while a 1 ms timer measures the gaps.
LiveRun feed(FlowStore& store, QTableView& view, uint64_t& next, double seconds, double rate)
{
    LiveRun run;
    QElapsedTimer clock;
    std::vector<double> gaps;
    gaps.reserve(size_t(seconds * 1100));
    qint64 lastTick = 0;
    double lastCpu = threadCpuMs();
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        const double cpu = threadCpuMs();
        gaps.push_back(double(now - lastTick) / 1e6);
        run.maxBusyMs = std::max(run.maxBusyMs, cpu - lastCpu);
        lastTick = now;
        lastCpu = cpu;
    });
    // The reader's side: whatever arrived since the last turn, as readyRead would deliver it.
    std::vector<uint64_t> open; // flows shown as open snapshots, finished on the next turn
    const uint64_t first = next;
    QTimer reader;
    reader.setTimerType(Qt::PreciseTimer);
    reader.setInterval(2);
    QEventLoop loop;
    QObject::connect(&reader, &QTimer::timeout, [&] {
        const double elapsed = double(clock.nsecsElapsed()) / 1e9;
        for (uint64_t i : open)
            store.append(makeBenchFlow(i));
        open.clear();
        const uint64_t due = first + uint64_t(std::min(elapsed, seconds) * rate);
        for (; next < due; ++next) {
            Flow f = makeBenchFlow(next);
            if (next % 10 == 0) {
                f.inProgress = true;
                f.hasResponse = false;
                open.push_back(next);
            }
            store.append(std::move(f));
        }
        if (elapsed >= seconds) {
            for (uint64_t i : open)
                store.append(makeBenchFlow(i));
            loop.quit();
        }
    });
    clock.start();
    ticker.start();
    reader.start();
    loop.exec();
    store.flush();
    QCoreApplication::processEvents();
    const qint64 end = clock.nsecsElapsed();
    gaps.push_back(double(end - lastTick) / 1e6);
    run.maxBusyMs = std::max(run.maxBusyMs, threadCpuMs() - lastCpu);
    run.seconds = double(end) / 1e9;
    run.flows = next - first;
    std::sort(gaps.begin(), gaps.end());
    run.maxStallMs = gaps.back();
    run.p99GapMs = gaps[size_t(double(gaps.size() - 1) * 0.99)];
    run.rowsShown = view.model()->rowCount();
    run.atBottom = view.verticalScrollBar()->value() == view.verticalScrollBar()->maximum();
    return run;
}

} // namespace

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int existing = argc > 1 ? std::atoi(argv[1]) : 100'000;
    const double seconds = argc > 2 ? std::atof(argv[2]) : 10.0;
    const double rate = argc > 3 ? std::atof(argv[3]) : 10'000.0;

    FlowStore store;
    FlowTableModel model(&store);
    FlowFilterProxy proxy;
    proxy.setSourceModel(&model);
    // The main window's table (mainwindow.cpp), offscreen.
    QTableView view;
    view.setModel(&proxy);
    view.setSelectionBehavior(QAbstractItemView::SelectRows);
    view.setWordWrap(false);
    view.setShowGrid(false);
    view.setAlternatingRowColors(true);
    view.verticalHeader()->hide();
    view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view.verticalHeader()->setDefaultSectionSize(view.fontMetrics().height() + 6);
    view.horizontalHeader()->setSortIndicatorClearable(true);
    view.horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    view.setSortingEnabled(true);
    new WaterfallDelegate(&view, FlowTableModel::WaterfallColumn, &store);
    bool follow = true;
    QScrollBar* vertical = view.verticalScrollBar();
    QObject::connect(vertical, &QScrollBar::valueChanged, [&](int value) { follow = value >= vertical->maximum(); });
    QObject::connect(vertical, &QScrollBar::rangeChanged, [&](int, int maximum) {
        if (follow)
            vertical->setValue(maximum);
    });
    view.resize(1400, 900);
    view.show();

    uint64_t next = 0;
    for (; next < uint64_t(existing); ++next)
        store.append(makeBenchFlow(next));
    store.flush();
    proxy.waitForIdle();
    QCoreApplication::processEvents();
    vertical->setValue(vertical->maximum());

    const LiveRun plain = feed(store, view, next, seconds, rate);

    view.sortByColumn(FlowTableModel::SizeColumn, Qt::DescendingOrder);
    proxy.waitForIdle();
    QCoreApplication::processEvents();
    const LiveRun sorted = feed(store, view, next, seconds, rate);

    view.horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    FilterError error;
    const auto filter = FlowFilter::compile(QStringLiteral("status>=400"), &error);
    if (!filter) {
        std::fprintf(stderr, "bench_gui_live: %s\n", qPrintable(error.toString()));
        return 1;
    }
    proxy.setFilter(*filter);
    proxy.waitForIdle();
    QCoreApplication::processEvents();
    vertical->setValue(vertical->maximum());
    const LiveRun filtered = feed(store, view, next, seconds, rate);

    result("gui-live", { { "existing", double(existing) }, { "rate", rate },
        { "flows_s", double(plain.flows) / plain.seconds }, { "max_stall_ms", plain.maxStallMs },
        { "p99_gap_ms", plain.p99GapMs }, { "max_busy_ms", plain.maxBusyMs }, { "at_bottom", double(plain.atBottom) },
        { "sorted_flows_s", double(sorted.flows) / sorted.seconds }, { "sorted_max_stall_ms", sorted.maxStallMs },
        { "sorted_p99_gap_ms", sorted.p99GapMs }, { "sorted_max_busy_ms", sorted.maxBusyMs }, { "filtered_flows_s", double(filtered.flows) / filtered.seconds },
        { "filtered_max_stall_ms", filtered.maxStallMs }, { "filtered_p99_gap_ms", filtered.p99GapMs },
        { "filtered_max_busy_ms", filtered.maxBusyMs },
        { "filtered_rows", double(filtered.rowsShown) }, { "flows_total", double(store.size()) },
        { "rss_mb", double(rssBytes()) / 1e6 } });
    return 0;
}
