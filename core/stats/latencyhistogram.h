// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// LatencyHistogram: counts durations in logarithmic buckets (8 per doubling,
// from 1 µs to ~268 s) so percentiles of millions of flows cost a fixed
// 1.8 KB and one pass over 224 counters, and histograms merge by addition
// (per endpoint → per host → overall). A percentile is the geometric middle
// of the bucket it falls in, clamped to the exact minimum and maximum seen:
// within ±4.5% of the true value (exact for the first and the last rank). Durations under 1 µs count as 1 µs, those
// over the last bucket in the last bucket. Plain C++ (no Qt).

#include <array>
#include <cstddef>
#include <cstdint>

namespace httptap {

class LatencyHistogram
{
public:
    static constexpr int kBucketsPerDoubling = 8;
    static constexpr int kBucketCount = 28 * kBucketsPerDoubling; // up to 2^28 µs

    void add(uint64_t durationNs);
    void merge(const LatencyHistogram& other);
    void clear() { *this = {}; }

    uint64_t count() const { return m_count; }
    uint64_t minNs() const { return m_count ? m_minNs : 0; }
    uint64_t maxNs() const { return m_maxNs; }
    double meanNs() const { return m_count ? double(m_sumNs) / double(m_count) : 0.0; }

    // q in [0, 1] (0.5, 0.95, 0.99); 0 when empty.
    uint64_t percentileNs(double q) const;

    uint64_t bucketCount(int bucket) const { return m_buckets[size_t(bucket)]; }
    static uint64_t bucketLowerNs(int bucket); // inclusive
    static uint64_t bucketUpperNs(int bucket); // exclusive
    static int bucketOf(uint64_t durationNs);

private:
    std::array<uint64_t, kBucketCount> m_buckets {};
    uint64_t m_count = 0;
    uint64_t m_sumNs = 0;
    uint64_t m_minNs = UINT64_MAX;
    uint64_t m_maxNs = 0;
};

} // namespace httptap
