// SPDX-License-Identifier: GPL-2.0-or-later
// LatencyHistogram: bucket edges, percentiles within the documented error, merging.

#include "stats/latencyhistogram.h"

#include <QTest>

using namespace httptap;

class TestLatencyHistogram : public QObject
{
    Q_OBJECT
private slots:
    void empty();
    void buckets();
    void percentilesOfAKnownSet();
    void singleValueIsExact();
    void merge();
};

void TestLatencyHistogram::empty()
{
    LatencyHistogram h;
    QCOMPARE(h.count(), 0u);
    QCOMPARE(h.percentileNs(0.5), 0u);
    QCOMPARE(h.minNs(), 0u);
    QCOMPARE(h.maxNs(), 0u);
}

void TestLatencyHistogram::buckets()
{
    QCOMPARE(LatencyHistogram::bucketOf(0), 0);
    QCOMPARE(LatencyHistogram::bucketOf(999), 0);
    QCOMPARE(LatencyHistogram::bucketOf(1000), 0);
    QCOMPARE(LatencyHistogram::bucketOf(2000), 8); // one doubling = 8 buckets
    QCOMPARE(LatencyHistogram::bucketOf(1'024'000), 80); // 2^10 µs
    QCOMPARE(LatencyHistogram::bucketOf(UINT64_MAX), LatencyHistogram::kBucketCount - 1);
    QCOMPARE(LatencyHistogram::bucketLowerNs(8), 2000u);
    QCOMPARE(LatencyHistogram::bucketUpperNs(7), 2000u);
    // Every value falls inside its bucket's edges.
    for (uint64_t ns : { 1500ull, 3'333'333ull, 250'000'000ull, 7'000'000'000ull }) {
        const int b = LatencyHistogram::bucketOf(ns);
        QVERIFY2(LatencyHistogram::bucketLowerNs(b) <= ns && ns < LatencyHistogram::bucketUpperNs(b),
            qPrintable(QString::number(ns)));
    }
}

void TestLatencyHistogram::percentilesOfAKnownSet()
{
    // 1 ms … 100 ms in 1 ms steps: p50 = 50 ms, p95 = 95 ms, p99 = 99 ms.
    LatencyHistogram h;
    for (uint64_t ms = 1; ms <= 100; ++ms)
        h.add(ms * 1'000'000);
    QCOMPARE(h.count(), 100u);
    QCOMPARE(h.minNs(), 1'000'000u);
    QCOMPARE(h.maxNs(), 100'000'000u);
    QCOMPARE(h.meanNs(), 50'500'000.0);
    for (auto [q, expected] : { std::pair { 0.5, 50e6 }, { 0.95, 95e6 }, { 0.99, 99e6 } }) {
        const double got = double(h.percentileNs(q));
        QVERIFY2(std::abs(got - expected) / expected <= 0.045, qPrintable(QStringLiteral("q %1: %2").arg(q).arg(got)));
    }
    QCOMPARE(h.percentileNs(1.0), 100'000'000u); // clamped to the maximum
    QCOMPARE(h.percentileNs(0.0), 1'000'000u); // clamped to the minimum
}

void TestLatencyHistogram::singleValueIsExact()
{
    LatencyHistogram h;
    h.add(12'345'678);
    QCOMPARE(h.percentileNs(0.5), 12'345'678u);
    QCOMPARE(h.percentileNs(0.99), 12'345'678u);
}

void TestLatencyHistogram::merge()
{
    LatencyHistogram fast, slow, all;
    for (int i = 0; i < 90; ++i) {
        fast.add(1'000'000);
        all.add(1'000'000);
    }
    for (int i = 0; i < 10; ++i) {
        slow.add(500'000'000);
        all.add(500'000'000);
    }
    LatencyHistogram merged = fast;
    merged.merge(slow);
    QCOMPARE(merged.count(), 100u);
    QCOMPARE(merged.minNs(), 1'000'000u);
    QCOMPARE(merged.maxNs(), 500'000'000u);
    for (int b = 0; b < LatencyHistogram::kBucketCount; ++b)
        QCOMPARE(merged.bucketCount(b), all.bucketCount(b));
    QCOMPARE(merged.percentileNs(0.9), all.percentileNs(0.9));
    QCOMPARE(merged.percentileNs(0.95), 500'000'000u); // clamped to the maximum seen
    fast.clear();
    QCOMPARE(fast.count(), 0u);
}

QTEST_APPLESS_MAIN(TestLatencyHistogram)
#include "tst_latencyhistogram.moc"
