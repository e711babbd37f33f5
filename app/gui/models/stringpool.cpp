// SPDX-License-Identifier: GPL-2.0-or-later
#include "stringpool.h"

#include <algorithm>
#include <numeric>

namespace httptap {

uint32_t StringPool::intern(const QString& text)
{
    if (text.isEmpty())
        return 0;
    const auto it = m_ids.constFind(text);
    if (it != m_ids.constEnd())
        return *it;
    const auto id = uint32_t(m_strings.size());
    m_strings.push_back(text);
    m_ids.insert(text, id);
    return id;
}

std::vector<uint32_t> StringPool::ranks() const
{
    std::vector<uint32_t> order(m_strings.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) {
        return m_strings[a].compare(m_strings[b], Qt::CaseInsensitive) < 0;
    });
    std::vector<uint32_t> rank(m_strings.size());
    for (size_t i = 0; i < order.size(); ++i)
        rank[order[i]] = uint32_t(i);
    return rank;
}

void StringPool::clear()
{
    m_strings.assign(1, QString());
    m_ids.clear();
}

} // namespace httptap
