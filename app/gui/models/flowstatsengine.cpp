// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowstatsengine.h"

#include "flowfilterproxy.h"
#include "flowstore.h"

#include <QtConcurrent>

namespace httptap {

FlowStatsEngine::FlowStatsEngine(FlowStore* store, FlowFilterProxy* proxy, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_proxy(proxy)
    , m_filter(proxy->filter())
    , m_accumulator(std::make_shared<FlowStatsAccumulator>())
    , m_statistics(std::make_shared<const FlowStatistics>())
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &FlowStatsEngine::startJob);
    connect(&m_watcher, &QFutureWatcher<Job>::finished, this, &FlowStatsEngine::jobFinished);
    connect(m_store, &FlowStore::flowsAppended, this, &FlowStatsEngine::schedule);
    connect(m_store, &FlowStore::flowsUpdated, this, [this] {
        m_openUpdated = true;
        schedule();
    });
    connect(m_store, &FlowStore::aboutToClear, this, [this] {
        // The job reads stored flows: it must be done before they go.
        cancelRunning();
        if (m_running)
            m_future.waitForFinished();
        m_jobPin.release();
    });
    connect(m_store, &FlowStore::cleared, this, [this] {
        restart();
        m_statistics = std::make_shared<const FlowStatistics>();
        Q_EMIT statisticsChanged();
    });
    // The proxy says so once a new filter is in force (also after a sort: then nothing changed).
    connect(m_proxy, &FlowFilterProxy::filterApplied, this, [this] {
        if (m_proxy->filter().expression() != m_filter.expression())
            restart();
    });
}

FlowStatsEngine::~FlowStatsEngine()
{
    cancelRunning();
    if (m_running)
        m_future.waitForFinished();
}

void FlowStatsEngine::setActive(bool active)
{
    m_active = active;
    schedule();
}

void FlowStatsEngine::cancelRunning()
{
    if (m_cancel)
        m_cancel->store(true);
}

void FlowStatsEngine::restart()
{
    cancelRunning();
    ++m_generation;
    m_filter = m_proxy->filter();
    m_accumulator = std::make_shared<FlowStatsAccumulator>();
    m_counted = 0;
    m_open.clear();
    m_timer.stop();
    // A new question is answered at once, even for an empty store.
    if (m_active && !m_running)
        startJob();
}

void FlowStatsEngine::schedule()
{
    if (m_active && m_proxy->filter().expression() != m_filter.expression()) {
        restart(); // the filterApplied() that announces it is still to come
        return;
    }
    if (!m_active || m_running || m_timer.isActive() || (m_counted >= m_store->size() && !(m_openUpdated && !m_open.empty())))
        return;
    const qint64 since = m_sinceJob.isValid() ? m_sinceJob.elapsed() : kMinIntervalMs;
    m_timer.start(int(std::max<qint64>(0, kMinIntervalMs - since)));
}

void FlowStatsEngine::startJob()
{
    m_timer.stop();
    Job job;
    job.accumulator = m_accumulator;
    job.cancelled = m_cancel = std::make_shared<std::atomic<bool>>(false);
    job.generation = m_generation;
    job.end = m_store->size();
    // The rows still open when last seen, then the new ones.
    std::vector<int> rows = m_open;
    rows.reserve(rows.size() + size_t(job.end - m_counted));
    for (int i = m_counted; i < job.end; ++i)
        rows.push_back(i);
    std::vector<const Flow*> flows;
    flows.reserve(rows.size());
    for (int row : rows)
        flows.push_back(&m_store->at(row));
    m_running = true;
    m_openUpdated = false;
    m_jobPin = m_store->pin();
    m_future = QtConcurrent::run([job = std::move(job), rows = std::move(rows), flows = std::move(flows), filter = m_filter]() mutable {
        FlowStatsAccumulator& accumulator = *job.accumulator;
        for (size_t i = 0; i < flows.size(); ++i) {
            if (i % 4096 == 0 && job.cancelled->load(std::memory_order_relaxed))
                return job;
            if (flows[i]->inProgress)
                job.open.push_back(rows[i]);
            else if (filter.matches(*flows[i]))
                accumulator.add(*flows[i]);
        }
        job.statistics = std::make_shared<const FlowStatistics>(accumulator.summarize());
        return job;
    });
    m_watcher.setFuture(m_future);
}

void FlowStatsEngine::jobFinished()
{
    // waitForIdle() may have taken this result already.
    if (!m_running || !m_future.isFinished())
        return;
    m_running = false;
    m_jobPin.release();
    m_sinceJob.start();
    const Job job = m_future.result();
    if (job.generation == m_generation && job.statistics) {
        m_counted = job.end;
        m_open = job.open;
        m_statistics = job.statistics;
        Q_EMIT statisticsChanged();
    } else if (job.generation != m_generation && m_active) {
        // Stale: the question changed while it ran; answer the new one now.
        startJob();
        return;
    }
    schedule();
}

void FlowStatsEngine::waitForIdle()
{
    while (true) {
        if (m_running) {
            m_future.waitForFinished();
            jobFinished();
        } else if (m_active && (m_counted < m_store->size() || m_timer.isActive())) {
            startJob();
        } else {
            return;
        }
    }
}

} // namespace httptap
