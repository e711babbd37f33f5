// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowstore.h"

namespace httptap {

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

void FlowStore::append(Flow&& flow)
{
    m_pending.push_back(std::make_unique<const Flow>(std::move(flow)));
    if (!m_timer.isActive())
        m_timer.start();
}

void FlowStore::flush()
{
    m_timer.stop();
    if (m_pending.empty())
        return;
    const int first = size();
    for (auto& flow : m_pending)
        m_flows.push_back(std::move(flow));
    m_pending.clear();
    Q_EMIT flowsAppended(first, size() - 1);
}

void FlowStore::clear()
{
    m_timer.stop();
    m_pending.clear();
    Q_EMIT aboutToClear();
    m_flows.clear();
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
