// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowstore.h"

#include <algorithm>

namespace httptap {

FlowStore::Pin::Pin(FlowStore* store)
    : m_store(store)
{
    ++m_store->m_pins;
}

FlowStore::Pin::Pin(Pin&& other) noexcept
    : m_store(std::exchange(other.m_store, nullptr))
{
}


FlowStore::Pin& FlowStore::Pin::operator=(Pin&& other) noexcept
{
    if (this != &other) {
        release();
        m_store = std::exchange(other.m_store, nullptr);
    }
    return *this;
}

FlowStore::Pin::~Pin() { release(); }

void FlowStore::Pin::release()
{
    if (QPointer<FlowStore> store = std::exchange(m_store, nullptr))
        store->unpin();
}

FlowStore::FlowStore(QObject* parent)
    : QObject(parent)
{
    // Wireshark reserves room up front so a burst never reallocates row by row.
    m_flows.reserve(100'000);
    m_timer.setSingleShot(true);
    m_timer.setInterval(50);
    connect(&m_timer, &QTimer::timeout, this, &FlowStore::flush);
}

FlowStore::~FlowStore() = default;

void FlowStore::schedule()
{
    if (!m_timer.isActive())
        m_timer.start();
}

void FlowStore::append(Flow&& flow)
{
    const auto open = m_open.find(flow.id);
    if (open == m_open.end()) {
        if (flow.inProgress)
            m_open.emplace(flow.id, size() + pendingCount());
        m_pending.push_back(std::make_unique<const Flow>(std::move(flow)));
        schedule();
        return;
    }
    const int row = open->second;
    if (!flow.inProgress)
        m_open.erase(open); // finished: later snapshots of it, if any, are stale
    auto version = std::make_unique<const Flow>(std::move(flow));
    if (row >= size())
        m_pending[size_t(row - size())] = std::move(version); // nobody has seen the queued one yet
    else
        m_updates[row] = std::move(version);
    schedule();
}

void FlowStore::flush()
{
    m_timer.stop();
    if (!m_pending.empty()) {
        const int first = size();
        for (auto& flow : m_pending)
            m_flows.push_back(std::move(flow));
        m_pending.clear();
        Q_EMIT flowsAppended(first, size() - 1);
    }
    if (m_updates.empty())
        return;
    std::vector<int> rows;
    rows.reserve(size_t(m_updates.size()));
    for (auto& [row, version] : m_updates) {
        std::unique_ptr<const Flow>& slot = m_flows[size_t(row)];
        if (m_pins > 0)
            m_retired.push_back(std::move(slot));
        slot = std::move(version);
        rows.push_back(row);
    }
    m_updates.clear();
    std::sort(rows.begin(), rows.end());
    Q_EMIT flowsUpdated(rows);
}

void FlowStore::unpin()
{
    if (--m_pins == 0)
        m_retired.clear();
}

void FlowStore::clear()
{
    m_timer.stop();
    m_pending.clear();
    m_updates.clear();
    m_open.clear();
    Q_EMIT aboutToClear();
    m_flows.clear();
    if (m_pins == 0)
        m_retired.clear();
    Q_EMIT cleared();
}

std::vector<const Flow*> FlowStore::snapshot(int count) const
{
    std::vector<const Flow*> result;
    result.reserve(size_t(count));
    for (int i = 0; i < count; ++i)
        result.push_back(m_flows[size_t(i)].get());
    return result;
}

} // namespace httptap
