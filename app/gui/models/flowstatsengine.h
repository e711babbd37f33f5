// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Keeps FlowStatistics up to date for the flows the table's filter accepts,
// off the GUI thread.
//
// A QtConcurrent job feeds the flows not yet counted (pointers taken from the
// FlowStore, which never moves or changes a stored flow) through the proxy's
// current FlowFilter into a FlowStatsAccumulator and summarizes it; the
// summary replaces the previous one in one go (statisticsChanged()). Only one
// job runs at a time: it owns the accumulator while it runs. Appended flows
// are counted incrementally by the next job (at most one every
// kMinIntervalMs); a new filter or a cleared store starts over with a new
// accumulator, and a job made stale by that is cancelled (it checks every
// few thousand flows) and its result dropped. Before the store clears, a
// running job is waited for, as FlowStore requires.
//
// A snapshot of an exchange still open (Flow::inProgress) is not counted: its
// row is kept aside and looked at again by each later job, and counted once
// its finished version has replaced it (FlowStore::flowsUpdated starts one).
// A job holds a FlowStore::Pin, so versions replaced while it reads them stay
// alive until it ends.
//
// Inactive (the window hidden), nothing runs; activating catches up.

#include "filter/flowfilter.h"
#include "flowstatistics.h"
#include "flowstore.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace httptap {

class FlowFilterProxy;
class FlowStore;

class FlowStatsEngine : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMinIntervalMs = 250;

    FlowStatsEngine(FlowStore* store, FlowFilterProxy* proxy, QObject* parent = nullptr);
    ~FlowStatsEngine() override;

    void setActive(bool active);
    bool isActive() const { return m_active; }
    // The latest summary (never null); for the filter filter() and the first flowsCounted() flows.
    const std::shared_ptr<const FlowStatistics>& statistics() const { return m_statistics; }
    const FlowFilter& filter() const { return m_filter; }
    int flowsCounted() const { return m_counted; }
    bool isBusy() const { return m_running || m_timer.isActive(); }
    // Runs jobs until every stored flow is counted; for tests, benchmarks and shutdown.
    void waitForIdle();

Q_SIGNALS:
    void statisticsChanged();

private:
    struct Job {
        std::shared_ptr<FlowStatsAccumulator> accumulator;
        std::shared_ptr<std::atomic<bool>> cancelled;
        quint64 generation = 0;
        int end = 0; // store index the job counted up to
        std::vector<int> open; // rows skipped as still open, to look at again
        std::shared_ptr<const FlowStatistics> statistics; // null when cancelled
    };

    void restart();
    void schedule();
    void startJob();
    void jobFinished();
    void cancelRunning();

    FlowStore* m_store;
    FlowFilterProxy* m_proxy;
    bool m_active = false;
    FlowFilter m_filter;
    std::shared_ptr<FlowStatsAccumulator> m_accumulator;
    std::shared_ptr<const FlowStatistics> m_statistics;
    int m_counted = 0; // store flows the accumulator has seen (those of the running job included once it ends)
    std::vector<int> m_open; // rows below m_counted not counted yet: open exchanges
    bool m_openUpdated = false; // the store replaced flows since the last job started: open rows may have finished
    FlowStore::Pin m_jobPin; // keeps the versions the running job reads
    quint64 m_generation = 0;
    bool m_running = false;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    QFuture<Job> m_future;
    QFutureWatcher<Job> m_watcher;
    QTimer m_timer; // spaces jobs kMinIntervalMs apart
    QElapsedTimer m_sinceJob; // since the last job ended
};

} // namespace httptap
