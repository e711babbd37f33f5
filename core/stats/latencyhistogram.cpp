// SPDX-License-Identifier: GPL-2.0-or-later
#include "stats/latencyhistogram.h"

#include <algorithm>
#include <cmath>

namespace httptap {

namespace {

constexpr double kNsPerUs = 1000.0;

double boundaryNs(int bucket)
{
    return kNsPerUs * std::exp2(double(bucket) / LatencyHistogram::kBucketsPerDoubling);
}

} // namespace

int LatencyHistogram::bucketOf(uint64_t durationNs)
{
    const double us = std::max(1.0, double(durationNs) / kNsPerUs);
    const int bucket = int(std::floor(std::log2(us) * kBucketsPerDoubling));
    return std::clamp(bucket, 0, kBucketCount - 1);
}

uint64_t LatencyHistogram::bucketLowerNs(int bucket)
{
    return bucket <= 0 ? 0 : uint64_t(std::llround(boundaryNs(bucket)));
}

uint64_t LatencyHistogram::bucketUpperNs(int bucket)
{
    return uint64_t(std::llround(boundaryNs(bucket + 1)));
}

void LatencyHistogram::add(uint64_t durationNs)
{
    ++m_buckets[size_t(bucketOf(durationNs))];
    ++m_count;
    m_sumNs += durationNs;
    m_minNs = std::min(m_minNs, durationNs);
    m_maxNs = std::max(m_maxNs, durationNs);
}

void LatencyHistogram::merge(const LatencyHistogram& other)
{
    for (size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_count += other.m_count;
    m_sumNs += other.m_sumNs;
    m_minNs = std::min(m_minNs, other.m_minNs);
    m_maxNs = std::max(m_maxNs, other.m_maxNs);
}

uint64_t LatencyHistogram::percentileNs(double q) const
{
    if (m_count == 0)
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    // The rank of the value wanted, 1-based: the smallest value with at least q of all at or below it.
    const uint64_t rank = std::max<uint64_t>(1, uint64_t(std::ceil(q * double(m_count))));
    if (rank == 1)
        return m_minNs; // the smallest and the largest value are known exactly
    if (rank >= m_count)
        return m_maxNs;
    uint64_t seen = 0;
    for (int bucket = 0; bucket < kBucketCount; ++bucket) {
        seen += m_buckets[size_t(bucket)];
        if (seen >= rank) {
            const double middle = std::sqrt(boundaryNs(bucket) * boundaryNs(bucket + 1));
            return std::clamp(uint64_t(std::llround(middle)), m_minNs, m_maxNs);
        }
    }
    return m_maxNs;
}

} // namespace httptap
