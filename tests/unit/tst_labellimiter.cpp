// SPDX-License-Identifier: GPL-2.0-or-later
// LabelLimiter: labels as documented, and every cap folding into "other".

#include "stats/labellimiter.h"

#include <QTest>

using namespace httptap;

class TestLabelLimiter : public QObject
{
    Q_OBJECT
private slots:
    void labels();
    void valueCaps();
    void labelSetCap();
    void longValuesAreCut();
};

void TestLabelLimiter::labels()
{
    LabelLimiter limiter;
    const MetricLabels l = limiter.limit("curl", "GET", 404, "api.example.com", "/users/123/orders?x=1");
    QCOMPARE(l, (MetricLabels { "curl", "GET", "404", "api.example.com", "/users/{id}/orders" }));
    QCOMPARE(limiter.limit("curl", "BREW", 0, "h", "/").method, std::string("other"));
    QCOMPARE(limiter.limit("curl", "get", 200, "h", "/").method, std::string("other")); // methods are case-sensitive
    QCOMPARE(limiter.limit("curl", "PATCH", 0, "h", "/").status, std::string("none"));
    QCOMPARE(limiter.limit("curl", "GET", 999, "h", "/").status, std::string("other"));
    QCOMPARE(limiter.valuesFolded(), 0u);
    QCOMPARE(limiter.labelSets(), 5u);
}

void TestLabelLimiter::valueCaps()
{
    LabelLimiter limiter(LabelLimiter::Caps { 2, 2, 3, 1000 });
    QCOMPARE(limiter.limit("a", "GET", 200, "h1", "/x").process, std::string("a"));
    QCOMPARE(limiter.limit("b", "GET", 200, "h1", "/x").process, std::string("b"));
    QCOMPARE(limiter.limit("c", "GET", 200, "h1", "/x").process, std::string("other"));
    QCOMPARE(limiter.limit("a", "GET", 200, "h1", "/x").process, std::string("a")); // seen before: kept
    QCOMPARE(limiter.limit("a", "GET", 200, "h2", "/x").host, std::string("h2"));
    QCOMPARE(limiter.limit("a", "GET", 200, "h3", "/x").host, std::string("other"));
    // Routes are capped per host.
    for (const char* route : { "/y", "/z" })
        QCOMPARE(limiter.limit("a", "GET", 200, "h1", route).route, std::string(route));
    QCOMPARE(limiter.limit("a", "GET", 200, "h1", "/w").route, std::string("other"));
    QCOMPARE(limiter.limit("a", "GET", 200, "h2", "/w").route, std::string("/w"));
    // Folded ids never count against the cap.
    QCOMPARE(limiter.limit("a", "GET", 200, "h1", "/x/1").route, std::string("other"));
    QCOMPARE(limiter.valuesFolded(), 4u);
}

void TestLabelLimiter::labelSetCap()
{
    LabelLimiter limiter(LabelLimiter::Caps { 64, 64, 1000, 3 });
    for (const char* route : { "/a", "/b", "/c" })
        QCOMPARE(limiter.limit("p", "GET", 200, "h", route).route, std::string(route));
    const MetricLabels overflow = limiter.limit("p", "GET", 500, "h", "/d");
    QCOMPARE(overflow, (MetricLabels { "other", "other", "500", "other", "other" }));
    QCOMPARE(limiter.limit("q", "POST", 500, "g", "/e"), overflow);
    QCOMPARE(limiter.limit("p", "GET", 200, "h", "/a").route, std::string("/a")); // existing sets stay
    QCOMPARE(limiter.setsFolded(), 2u);
    QCOMPARE(limiter.labelSets(), 4u);
}

void TestLabelLimiter::longValuesAreCut()
{
    LabelLimiter limiter;
    const std::string longHost(300, 'h');
    QCOMPARE(limiter.limit("p", "GET", 200, longHost, "/").host.size(), LabelLimiter::kMaxValueBytes);
    // 99 ASCII bytes then "é" (2 bytes) straddling the limit: cut before it, never inside.
    const std::string utf8 = std::string(99, 'r') + "\xc3\xa9" + "tail";
    QCOMPARE(limiter.limit(utf8, "GET", 200, "h", "/").process, std::string(99, 'r'));
}

QTEST_APPLESS_MAIN(TestLabelLimiter)
#include "tst_labellimiter.moc"
