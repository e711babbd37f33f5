// SPDX-License-Identifier: GPL-2.0-or-later
// The Statistics window on canned flows: aggregated values checked exactly
// (counts, error rates, nearest-rank percentiles, folded routes, rate bars),
// clicks on a table row and on a rate bar setting the filter and the flow
// table showing only those flows, live and filtered updates, the table model
// under QAbstractItemModelTester, and a screenshot.

#include "filter/flowfilter.h"
#include "mainwindow.h"
#include "models/flowfilterproxy.h"
#include "models/flowstatsengine.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"
#include "models/statstablemodel.h"
#include "statswindow.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QBarSet>
#include <QDir>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStackedBarSeries>
#include <QStyleFactory>
#include <QTest>
#include <QTreeView>

#include <set>

using namespace httptap;

namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kBaseNs = 5'000'000'000'000; // an arbitrary monotonic instant, on a whole second

Flow flow(uint64_t id, const char* method, const char* host, const QByteArray& target, int status, uint64_t latencyMs,
    uint64_t size)
{
    Flow f;
    f.id = id;
    f.connId = id;
    f.pid = 4242;
    f.process = QStringLiteral("curl");
    f.httpVersion = "HTTP/1.1";
    f.request.method = method;
    f.request.target = target;
    f.request.headers = { { "Host", host } };
    f.request.complete = true;
    // Ten requests a second, in id order.
    f.startNs = kBaseNs + (id - 1) * 100 * kMs;
    if (status) {
        f.hasResponse = true;
        f.response.status = status;
        f.response.bodySize = size;
        f.response.complete = true;
        f.responseStartNs = f.startNs + latencyMs * kMs / 2;
        f.endNs = f.startNs + latencyMs * kMs;
    } else {
        f.incomplete = true;
        f.endNs = f.startNs + 30'000 * kMs;
    }
    return f;
}

// 110 flows, ids 1..110, over 11 seconds:
//   1..100   GET  api.example.com /users/N      latency N ms, 100 B, status 500 when N is a multiple of 10, else 200
//   101..104 POST api.example.com /login?next=… 5 ms, 0 B, 302 302 401 401
//   105..107 GET  cdn.example.com /static/app.js 2 ms, 1000 B, 200
//   108..109 GET  cdn.example.com /img/<uuid>    3 ms, 0 B, 404
//   110      GET  slow.example.com /never        no response
std::vector<Flow> cannedFlows()
{
    std::vector<Flow> flows;
    for (uint64_t n = 1; n <= 100; ++n)
        flows.push_back(flow(n, "GET", "api.example.com", "/users/" + QByteArray::number(qulonglong(n)), n % 10 ? 200 : 500, n, 100));
    const int login[] = { 302, 302, 401, 401 };
    for (uint64_t i = 0; i < 4; ++i)
        flows.push_back(flow(101 + i, "POST", "api.example.com", "/login?next=/home", login[i], 5, 0));
    for (uint64_t i = 0; i < 3; ++i)
        flows.push_back(flow(105 + i, "GET", "cdn.example.com", "/static/app.js", 200, 2, 1000));
    flows.push_back(flow(108, "GET", "cdn.example.com", "/img/9f1c2e3d-aaaa-bbbb-cccc-0123456789ab", 404, 3, 0));
    flows.push_back(flow(109, "GET", "cdn.example.com", "/img/0f1c2e3d-aaaa-bbbb-cccc-0123456789AB", 404, 3, 0));
    flows.push_back(flow(110, "GET", "slow.example.com", "/never", 0, 0, 0));
    return flows;
}

FlowStatistics cannedStatistics()
{
    FlowStatsAccumulator accumulator;
    for (const Flow& f : cannedFlows())
        accumulator.add(f);
    return accumulator.summarize();
}

const HostSummary* findHost(const FlowStatistics& s, const QString& host)
{
    for (const HostSummary& h : s.hosts)
        if (h.host == host)
            return &h;
    return nullptr;
}

const EndpointSummary* findEndpoint(const HostSummary& h, const QString& method, const QString& route)
{
    for (const EndpointSummary& e : h.endpoints)
        if (e.method == method && e.route == route)
            return &e;
    return nullptr;
}

void loadCanned(MainWindow& w)
{
    for (Flow& f : cannedFlows())
        w.store()->append(std::move(f));
    w.store()->flush();
    w.proxy()->waitForIdle();
}

// Flow ids the flow table shows, in table order.
QList<uint64_t> shownIds(MainWindow& w)
{
    QList<uint64_t> ids;
    for (int row = 0; row < w.proxy()->rowCount(); ++row)
        ids << w.store()->at(w.proxy()->index(row, 0).data(FlowTableModel::FlowIndexRole).toInt()).id;
    std::sort(ids.begin(), ids.end());
    return ids;
}

QList<uint64_t> idRange(uint64_t first, uint64_t last)
{
    QList<uint64_t> ids;
    for (uint64_t id = first; id <= last; ++id)
        ids << id;
    return ids;
}

void settle(MainWindow& w)
{
    w.proxy()->waitForIdle();
    w.statsWindow()->engine()->waitForIdle();
}

QModelIndex rowForName(QAbstractItemModel* model, const QString& name)
{
    const QModelIndexList hits = model->match(model->index(0, 0), Qt::DisplayRole, name, 1,
        Qt::MatchExactly | Qt::MatchRecursive);
    return hits.isEmpty() ? QModelIndex() : hits.first();
}

} // namespace

class TestStatsWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void percentiles_data();
    void percentiles();
    void aggregatedValues();
    void rateBars();
    void latencyBins();
    void tableModel();
    void tableSortsWithinHosts();
    void escapesCapturedText();
    void overflowRowsAreBounded();
    void clickRowFiltersFlowTable();
    void clickBarFiltersFlowTable();
    void clickLatencyBarFiltersFlowTable();
    void followsFilterAndLiveFlows();
    void screenshot();
};

void TestStatsWindow::percentiles_data()
{
    QTest::addColumn<QList<qulonglong>>("values");
    QTest::addColumn<qulonglong>("p50");
    QTest::addColumn<qulonglong>("p95");
    QTest::addColumn<qulonglong>("p99");
    QList<qulonglong> hundred;
    for (qulonglong v = 100; v >= 1; --v) // reversed: the function must not rely on order
        hundred << v;
    QTest::newRow("1..100") << hundred << 50ull << 95ull << 99ull;
    QTest::newRow("one value") << QList<qulonglong> { 7 } << 7ull << 7ull << 7ull;
    QTest::newRow("four values") << QList<qulonglong> { 4, 1, 3, 2 } << 2ull << 4ull << 4ull;
    QTest::newRow("ties") << QList<qulonglong> { 5, 5, 5, 1, 9 } << 5ull << 9ull << 9ull;
    QList<qulonglong> thousand;
    for (qulonglong v = 1; v <= 1000; ++v)
        thousand << (v * 7919) % 1000 + 1; // 1..1000, shuffled
    QTest::newRow("1..1000 shuffled") << thousand << 500ull << 950ull << 990ull;
}

void TestStatsWindow::percentiles()
{
    QFETCH(QList<qulonglong>, values);
    QFETCH(qulonglong, p50);
    QFETCH(qulonglong, p95);
    QFETCH(qulonglong, p99);
    std::vector<uint64_t> v(values.begin(), values.end());
    const LatencySummary s = latencyPercentiles(v);
    QCOMPARE(s.samples, uint64_t(values.size()));
    QCOMPARE(s.p50Ns, p50);
    QCOMPARE(s.p95Ns, p95);
    QCOMPARE(s.p99Ns, p99);
    std::vector<uint64_t> empty;
    QCOMPARE(latencyPercentiles(empty).samples, 0u);
}

void TestStatsWindow::aggregatedValues()
{
    const FlowStatistics s = cannedStatistics();
    QCOMPARE(s.overall.requests, 110u);
    QCOMPARE(s.overall.errors, 15u); // 10 × 500, 2 × 401, 2 × 404, 1 without a response
    QCOMPARE(s.overall.bytes, 100u * 100 + 3 * 1000);
    // Sorted latencies: 1, 2 2 2 2, 3 3 3, 4, 5 ×5, then 6..100 at ranks 15..109.
    QCOMPARE(s.overall.latency.samples, 109u);
    QCOMPARE(s.overall.latency.p50Ns, 46 * kMs); // rank 55
    QCOMPARE(s.overall.latency.p95Ns, 95 * kMs); // rank 104
    QCOMPARE(s.overall.latency.p99Ns, 99 * kMs); // rank 108
    const std::array<uint64_t, kStatusClassCount> classes = { 93, 2, 4, 10, 1 };
    QVERIFY(s.classes == classes);

    QCOMPARE(s.hosts.size(), size_t(3));
    const HostSummary* api = findHost(s, QStringLiteral("api.example.com"));
    QVERIFY(api);
    QCOMPARE(api->traffic.requests, 104u);
    QCOMPARE(api->traffic.errors, 12u);
    // 1..4, 5 ×5, then 6..100 at ranks 10..104.
    QCOMPARE(api->traffic.latency.p50Ns, 48 * kMs);
    QCOMPARE(api->traffic.latency.p95Ns, 95 * kMs);
    QCOMPARE(api->traffic.latency.p99Ns, 99 * kMs);
    QCOMPARE(api->endpoints.size(), size_t(2));
    const EndpointSummary* users = findEndpoint(*api, QStringLiteral("GET"), QStringLiteral("/users/{id}"));
    QVERIFY(users);
    QCOMPARE(users->traffic.requests, 100u);
    QCOMPARE(users->traffic.errors, 10u);
    QCOMPARE(users->traffic.errorRate(), 0.1);
    QCOMPARE(users->traffic.bytes, 10000u);
    QCOMPARE(users->traffic.latency.p50Ns, 50 * kMs);
    QCOMPARE(users->traffic.latency.p95Ns, 95 * kMs);
    QCOMPARE(users->traffic.latency.p99Ns, 99 * kMs);
    const EndpointSummary* login = findEndpoint(*api, QStringLiteral("POST"), QStringLiteral("/login"));
    QVERIFY(login);
    QCOMPARE(login->traffic.requests, 4u);
    QCOMPARE(login->traffic.errors, 2u);
    QCOMPARE(login->traffic.latency.p99Ns, 5 * kMs);

    const HostSummary* cdn = findHost(s, QStringLiteral("cdn.example.com"));
    QVERIFY(cdn);
    const EndpointSummary* img = findEndpoint(*cdn, QStringLiteral("GET"), QStringLiteral("/img/{id}"));
    QVERIFY(img); // both UUIDs, either case, fold into one route
    QCOMPARE(img->traffic.requests, 2u);
    QCOMPARE(img->traffic.errorRate(), 1.0);
    QVERIFY(findEndpoint(*cdn, QStringLiteral("GET"), QStringLiteral("/static/app.js")));

    const HostSummary* slow = findHost(s, QStringLiteral("slow.example.com"));
    QVERIFY(slow);
    QCOMPARE(slow->traffic.requests, 1u);
    QCOMPARE(slow->traffic.errors, 1u);
    QCOMPARE(slow->traffic.latency.samples, 0u);
}

void TestStatsWindow::rateBars()
{
    const FlowStatistics s = cannedStatistics();
    // 11 seconds of traffic: one-second bars starting at the first request's second.
    QCOMPARE(s.originNs, kBaseNs);
    QCOMPARE(s.barNs, 1'000'000'000u);
    QCOMPARE(s.bars.size(), size_t(11));
    const std::array<uint32_t, kStatusClassCount> first = { 9, 0, 0, 1, 0 };
    QVERIFY(s.bars[0].counts == first);
    QCOMPARE(s.bars[0].firstId, 1u);
    QCOMPARE(s.bars[0].lastId, 10u);
    const std::array<uint32_t, kStatusClassCount> last = { 3, 2, 4, 0, 1 };
    QVERIFY(s.bars[10].counts == last);
    QCOMPARE(s.bars[10].firstId, 101u);
    QCOMPARE(s.bars[10].lastId, 110u);

    // Ten minutes of traffic: bars of 10 s (the first round width that gives ≤ 60 bars).
    FlowStatsAccumulator longer;
    for (uint64_t i = 0; i < 600; ++i) {
        Flow f = flow(i + 1, "GET", "h", "/", 200, 1, 0);
        f.startNs = kBaseNs + 3'000'000'000 + i * 1'000'000'000;
        longer.add(f);
    }
    const FlowStatistics l = longer.summarize();
    QCOMPARE(l.barNs, 10'000'000'000u);
    QCOMPARE(l.originNs, kBaseNs); // bar edges on multiples of the width
    QCOMPARE(l.bars.size(), size_t(61));
    QCOMPARE(l.bars[0].counts[0], 7u); // seconds 3..9
    QCOMPARE(l.bars[1].counts[0], 10u);
}

void TestStatsWindow::latencyBins()
{
    QCOMPARE(latencyBinLabel(0), QStringLiteral("< 100 µs"));
    QCOMPARE(latencyBinLabel(2), QStringLiteral("200–500 µs"));
    QCOMPARE(latencyBinLabel(3), QStringLiteral("500 µs–1 ms"));
    QCOMPARE(latencyBinLabel(kLatencyBinCount - 1), QStringLiteral("≥ 10 s"));
    QCOMPARE(latencyBinOf(99'999), 0);
    QCOMPARE(latencyBinOf(100'000), 1);
    QCOMPARE(latencyBinLabel(latencyBinOf(1 * kMs)), QStringLiteral("1–2 ms"));
    QCOMPARE(latencyBinOf(20'000 * kMs), kLatencyBinCount - 1);

    const FlowStatistics s = cannedStatistics();
    const EndpointSummary* users = findEndpoint(*findHost(s, QStringLiteral("api.example.com")), QStringLiteral("GET"),
        QStringLiteral("/users/{id}"));
    QVERIFY(users);
    // 1 | 2 3 4 | 5..9 | 10..19 | 20..49 | 50..99 | 100 ms
    const QList<QPair<uint64_t, uint32_t>> expected = { { 1, 1 }, { 2, 3 }, { 5, 5 }, { 10, 10 }, { 20, 30 }, { 50, 50 }, { 100, 1 } };
    uint32_t sum = 0;
    for (const auto& [ms, count] : expected) {
        QCOMPARE(users->traffic.bins[size_t(latencyBinOf(ms * kMs))], count);
        sum += count;
    }
    uint32_t all = 0;
    for (uint32_t c : users->traffic.bins)
        all += c;
    QCOMPARE(all, sum);
}

void TestStatsWindow::tableModel()
{
    StatsTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStatistics(std::make_shared<const FlowStatistics>(cannedStatistics()));
    QCOMPARE(model.rowCount(), 3);
    // Default order: most requests first.
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("api.example.com"));
    const QModelIndex api = model.index(0, 0);
    QCOMPARE(model.rowCount(api), 2);
    const QModelIndex users = model.index(0, 0, api);
    QCOMPARE(users.data().toString(), QStringLiteral("GET /users/{id}"));
    QCOMPARE(users.parent(), api);
    QCOMPARE(users.siblingAtColumn(StatsTableModel::RequestsColumn).data().toString(), QStringLiteral("100"));
    QCOMPARE(users.siblingAtColumn(StatsTableModel::ErrorRateColumn).data().toString(), QStringLiteral("10.0 %"));
    QCOMPARE(users.siblingAtColumn(StatsTableModel::P50Column).data().toString(), QStringLiteral("50 ms"));
    QCOMPARE(users.siblingAtColumn(StatsTableModel::P95Column).data().toString(), QStringLiteral("95 ms"));
    QCOMPARE(users.siblingAtColumn(StatsTableModel::P99Column).data().toString(), QStringLiteral("99 ms"));
    QCOMPARE(users.siblingAtColumn(StatsTableModel::BytesColumn).data().toString(), QStringLiteral("10.0 kB"));
    QCOMPARE(users.data(StatsTableModel::FilterRole).toString(),
        QStringLiteral("host=\"api.example.com\" method=\"GET\" route=\"/users/{id}\""));
    QCOMPARE(api.data(StatsTableModel::FilterRole).toString(), QStringLiteral("host=\"api.example.com\""));
    QCOMPARE(api.siblingAtColumn(StatsTableModel::ErrorRateColumn).data().toString(), QStringLiteral("11.5 %"));
    const QModelIndex slow = rowForName(&model, QStringLiteral("slow.example.com"));
    QVERIFY(slow.isValid());
    QCOMPARE(slow.siblingAtColumn(StatsTableModel::P50Column).data().toString(), QStringLiteral("—"));
    QCOMPARE(model.indexForKey(users.data(StatsTableModel::KeyRole).toString()), users);

    for (int column = 0; column < StatsTableModel::COLUMN_COUNT; ++column) {
        model.sort(column, Qt::AscendingOrder);
        model.sort(column, Qt::DescendingOrder);
    }
    model.setStatistics(std::make_shared<const FlowStatistics>());
    QCOMPARE(model.rowCount(), 0);
}

void TestStatsWindow::tableSortsWithinHosts()
{
    StatsTableModel model;
    model.setStatistics(std::make_shared<const FlowStatistics>(cannedStatistics()));
    const QPersistentModelIndex login = rowForName(&model, QStringLiteral("POST /login"));
    QVERIFY(login.isValid());
    model.sort(StatsTableModel::P99Column, Qt::AscendingOrder);
    // Hosts by their p99: slow (none) < cdn (3 ms) < api (99 ms); endpoints within api: login (5 ms) < users.
    QStringList hosts;
    for (int row = 0; row < model.rowCount(); ++row)
        hosts << model.index(row, 0).data().toString();
    QCOMPARE(hosts, QStringList({ QStringLiteral("slow.example.com"), QStringLiteral("cdn.example.com"), QStringLiteral("api.example.com") }));
    const QModelIndex api = model.index(2, 0);
    QCOMPARE(model.index(0, 0, api).data().toString(), QStringLiteral("POST /login"));
    QCOMPARE(model.index(1, 0, api).data().toString(), QStringLiteral("GET /users/{id}"));
    // A persistent index follows its row.
    QCOMPARE(QModelIndex(login), model.index(0, 0, api));
    model.sort(StatsTableModel::NameColumn, Qt::AscendingOrder);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("api.example.com"));
    QCOMPARE(QModelIndex(login).data().toString(), QStringLiteral("POST /login"));
}

void TestStatsWindow::escapesCapturedText()
{
    FlowStatsAccumulator accumulator;
    accumulator.add(flow(1, "GE\x1bT", "evil.example\x1b[2J", "/a\x07/\xe2\x80\xae" "b", 200, 1, 0));
    StatsTableModel model;
    model.setStatistics(std::make_shared<const FlowStatistics>(accumulator.summarize()));
    const QString host = model.index(0, 0).data().toString();
    const QString endpoint = model.index(0, 0, model.index(0, 0)).data().toString();
    QCOMPARE(host, QStringLiteral("evil.example\\x1b[2j")); // flowHost lower-cases
    QCOMPARE(endpoint, QStringLiteral("GE\\x1bT /a\\x07/\\u202eb"));
    // The filter phrase keeps the raw text, quoted, and selects the flow again.
    const QString phrase = model.index(0, 0, model.index(0, 0)).data(StatsTableModel::FilterRole).toString();
    FilterError error;
    const auto filter = FlowFilter::compile(phrase, &error);
    QVERIFY2(filter, qPrintable(error.toString()));
    QVERIFY(filter->matches(flow(1, "GE\x1bT", "evil.example\x1b[2J", "/a\x07/\xe2\x80\xae" "b", 200, 1, 0)));
    QVERIFY(!filter->matches(flow(1, "GET", "evil.example\x1b[2J", "/a\x07/\xe2\x80\xae" "b", 200, 1, 0)));
}

void TestStatsWindow::overflowRowsAreBounded()
{
    FlowStatsAccumulator accumulator;
    const int routes = FlowStatsAccumulator::kMaxEndpoints + 100;
    for (int i = 0; i < routes; ++i)
        accumulator.add(flow(uint64_t(i + 1), "GET", "api", "/word" + QByteArray::number(i) + "x", 200, 1, 0));
    for (int i = 0; i < FlowStatsAccumulator::kMaxHosts + 5; ++i)
        accumulator.add(flow(uint64_t(routes + i + 1), "GET", "h" + QByteArray::number(i), "/", 200, 1, 0));
    const FlowStatistics s = accumulator.summarize();
    QCOMPARE(s.hosts.size(), size_t(FlowStatsAccumulator::kMaxHosts + 1));
    QVERIFY(s.hosts.back().overflow);
    QCOMPARE(s.hosts.back().traffic.requests, 6u); // h494..h499 (the first host is "api")
    const HostSummary& api = s.hosts.front();
    QCOMPARE(api.endpoints.size(), size_t(FlowStatsAccumulator::kMaxEndpoints + 1));
    QVERIFY(api.endpoints.back().overflow);
    QCOMPARE(api.endpoints.back().traffic.requests, 100u);
    QCOMPARE(s.overall.requests, uint64_t(routes + FlowStatsAccumulator::kMaxHosts + 5));
    StatsTableModel model;
    model.setStatistics(std::make_shared<const FlowStatistics>(s));
    const QModelIndex other = rowForName(&model, QStringLiteral("(other hosts)"));
    QVERIFY(other.isValid());
    QCOMPARE(other.data(StatsTableModel::FilterRole).toString(), QString()); // nothing to filter by
}

void TestStatsWindow::clickRowFiltersFlowTable()
{
    MainWindow w;
    loadCanned(w);
    w.show();
    StatsWindow* stats = w.showStatistics();
    QVERIFY(QTest::qWaitForWindowExposed(stats));
    settle(w);
    QCOMPARE(stats->engine()->statistics()->overall.requests, 110u);
    QTreeView* view = stats->tableView();
    const QModelIndex users = rowForName(view->model(), QStringLiteral("GET /users/{id}"));
    QVERIFY(users.isValid());
    view->scrollTo(users);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(users).center());
    QCOMPARE(w.filterEdit()->text(), QStringLiteral("host=\"api.example.com\" method=\"GET\" route=\"/users/{id}\""));
    settle(w);
    QVERIFY(w.filterError()->isHidden());
    QCOMPARE(shownIds(w), idRange(1, 100));
    // The window follows: now only that endpoint.
    QCOMPARE(stats->engine()->statistics()->overall.requests, 100u);
    QCOMPARE(stats->tableModel()->rowCount(), 1);
    QVERIFY(stats->summaryLabel()->text().startsWith(QStringLiteral("100 requests · 10 errors (10.0 %)")));

    // A host row narrows further ("and"); Back undoes one click at a time.
    const QModelIndex api = rowForName(view->model(), QStringLiteral("api.example.com"));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(api).center());
    QCOMPARE(w.filterEdit()->text(),
        QStringLiteral("(host=\"api.example.com\" method=\"GET\" route=\"/users/{id}\") and host=\"api.example.com\""));
    settle(w);
    QCOMPARE(shownIds(w), idRange(1, 100));
    QTest::mouseClick(stats->backButton(), Qt::LeftButton);
    QTest::mouseClick(stats->backButton(), Qt::LeftButton);
    QCOMPARE(w.filterEdit()->text(), QString());
    QVERIFY(!stats->backButton()->isEnabled());
    settle(w);
    QCOMPARE(w.proxy()->rowCount(), 110);
    QCOMPARE(stats->engine()->statistics()->overall.requests, 110u);

    // With a filter typed by the user, a click keeps it.
    w.filterEdit()->setText(QStringLiteral("domain:example.com"));
    w.applyFilter();
    settle(w);
    const QModelIndex img = rowForName(view->model(), QStringLiteral("GET /img/{id}"));
    QVERIFY(img.isValid());
    view->scrollTo(img);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(img).center());
    QCOMPARE(w.filterEdit()->text(),
        QStringLiteral("(domain:example.com) and host=\"cdn.example.com\" method=\"GET\" route=\"/img/{id}\""));
    settle(w);
    QCOMPARE(shownIds(w), QList<uint64_t>({ 108, 109 }));
}

void TestStatsWindow::clickBarFiltersFlowTable()
{
    MainWindow w;
    loadCanned(w);
    w.show();
    StatsWindow* stats = w.showStatistics();
    QVERIFY(QTest::qWaitForWindowExposed(stats));
    settle(w);
    QStackedBarSeries* series = stats->rateSeries();
    const QList<QBarSet*> sets = series->barSets();
    QCOMPARE(sets.size(), kStatusClassCount);
    QCOMPARE(sets[int(StatusClass::ClientError)]->label(), QStringLiteral("4xx"));
    // Bars are requests per second: the last second had 4 × 4xx.
    QCOMPARE(sets[int(StatusClass::ClientError)]->count(), 11);
    QCOMPARE(sets[int(StatusClass::ClientError)]->at(10), 4.0);
    QCOMPARE(sets[int(StatusClass::Success)]->at(0), 9.0);
    QCOMPARE(stats->rateBarFilter(10, int(StatusClass::ClientError)), QStringLiteral("id>=101 id<=110 status:4xx"));
    QCOMPARE(stats->rateBarFilter(0, int(StatusClass::ClientError)), QString()); // an empty segment
    Q_EMIT series->clicked(10, sets[int(StatusClass::ClientError)]);
    QCOMPARE(w.filterEdit()->text(), QStringLiteral("id>=101 id<=110 status:4xx"));
    settle(w);
    QCOMPARE(shownIds(w), QList<uint64_t>({ 103, 104, 108, 109 }));

    QTest::mouseClick(stats->backButton(), Qt::LeftButton);
    settle(w);
    Q_EMIT series->clicked(0, sets[int(StatusClass::ServerError)]);
    QCOMPARE(w.filterEdit()->text(), QStringLiteral("id>=1 id<=10 status>=500"));
    settle(w);
    QCOMPARE(shownIds(w), QList<uint64_t>({ 10 }));
    QTest::mouseClick(stats->backButton(), Qt::LeftButton);
    settle(w);
    Q_EMIT series->clicked(10, sets[int(StatusClass::NoResponse)]);
    settle(w);
    QCOMPARE(shownIds(w), QList<uint64_t>({ 110 }));
    QTest::mouseClick(stats->backButton(), Qt::LeftButton);
    settle(w);
    Q_EMIT series->clicked(10, sets[int(StatusClass::Success)]);
    settle(w);
    QCOMPARE(shownIds(w), QList<uint64_t>({ 105, 106, 107 }));
}

void TestStatsWindow::clickLatencyBarFiltersFlowTable()
{
    QCOMPARE(latencyBinFilter(latencyBinOf(5 * kMs)), QStringLiteral("time>=5ms time<10ms status>=1"));
    QCOMPARE(latencyBinFilter(0), QStringLiteral("time<100us status>=1"));
    QCOMPARE(latencyBinFilter(kLatencyBinCount - 1), QStringLiteral("time>=10s status>=1"));

    MainWindow w;
    loadCanned(w);
    w.show();
    StatsWindow* stats = w.showStatistics();
    QVERIFY(QTest::qWaitForWindowExposed(stats));
    settle(w);
    // Bins 1–2 ms (top) to 100–200 ms (bottom, bar 0): 7 bars, and no selected row yet.
    QHorizontalBarSeries* series = stats->latencySeries();
    QCOMPARE(series->barSets().size(), 1);
    QBarSet* all = series->barSets().first();
    QCOMPARE(all->count(), 7);
    QCOMPARE(all->at(1), 100.0 * 50 / 109); // 50–100 ms: users 50..99
    Q_EMIT series->clicked(1, all);
    QCOMPARE(w.filterEdit()->text(), QStringLiteral("time>=50ms time<100ms status>=1"));
    settle(w);
    QCOMPARE(shownIds(w), idRange(50, 99));
    QTest::mouseClick(stats->backButton(), Qt::LeftButton);
    settle(w);

    // With a row selected, its own bars filter by that row too.
    QTreeView* view = stats->tableView();
    const QModelIndex login = rowForName(view->model(), QStringLiteral("POST /login"));
    QVERIFY(login.isValid());
    view->setCurrentIndex(login);
    QCOMPARE(series->barSets().size(), 2);
    QBarSet* selected = series->barSets().last();
    QCOMPARE(selected->label(), QStringLiteral("POST /login"));
    QCOMPARE(selected->at(4), 100.0); // 5–10 ms (bar 4 from the bottom): all four
    QCOMPARE(stats->latencyLabel()->text(),
        QStringLiteral("All requests: p50 46 ms · p95 95 ms · p99 99 ms\nPOST /login: p50 5 ms · p95 5 ms · p99 5 ms"));
    Q_EMIT series->clicked(4, selected);
    QCOMPARE(w.filterEdit()->text(),
        QStringLiteral("host=\"api.example.com\" method=\"POST\" route=\"/login\" time>=5ms time<10ms status>=1"));
    settle(w);
    QCOMPARE(shownIds(w), idRange(101, 104));
}

void TestStatsWindow::followsFilterAndLiveFlows()
{
    MainWindow w;
    w.store()->setBatchInterval(0);
    StatsWindow* stats = w.showStatistics();
    QVERIFY(QTest::qWaitForWindowExposed(stats));
    FlowStatsEngine* engine = stats->engine();
    settle(w);
    QCOMPARE(engine->statistics()->overall.requests, 0u);
    // Flows arriving while the window is open are counted incrementally.
    std::vector<Flow> flows = cannedFlows();
    for (size_t i = 0; i < 50; ++i)
        w.store()->append(Flow(flows[i]));
    w.store()->flush();
    settle(w);
    QCOMPARE(engine->flowsCounted(), 50);
    QCOMPARE(engine->statistics()->overall.requests, 50u);
    for (size_t i = 50; i < flows.size(); ++i)
        w.store()->append(Flow(flows[i]));
    w.store()->flush();
    settle(w);
    QCOMPARE(engine->flowsCounted(), 110);
    QCOMPARE(engine->statistics()->overall.requests, 110u);
    QCOMPARE(engine->statistics()->overall.latency.p50Ns, 46 * kMs); // the same as counted at once

    // A snapshot of an exchange still open is not counted (its finished version will be).
    Flow open = flow(200, "GET", "api.example.com", "/users/1", 0, 0, 0);
    open.inProgress = true;
    w.store()->append(std::move(open));
    w.store()->flush();
    settle(w);
    QCOMPARE(engine->flowsCounted(), 111);
    QCOMPARE(engine->statistics()->overall.requests, 110u);

    // The table's toggles are part of the filter the window follows.
    w.findChild<QAction*>(QStringLiteral("errorsOnly"))->setChecked(true);
    settle(w);
    QCOMPARE(engine->statistics()->overall.requests, 15u);
    QCOMPARE(engine->statistics()->overall.errors, 15u);
    QVERIFY(stats->summaryLabel()->text().contains(QStringLiteral("filter: ")));
    w.findChild<QAction*>(QStringLiteral("errorsOnly"))->setChecked(false);
    settle(w);
    QCOMPARE(engine->statistics()->overall.requests, 110u);

    // Hidden, it does no work; shown again, it catches up.
    stats->hide();
    w.store()->append(flow(111, "GET", "late.example.com", "/x", 200, 1, 0));
    w.store()->flush();
    settle(w);
    QCOMPARE(engine->flowsCounted(), 111);
    stats->show();
    settle(w);
    QCOMPARE(engine->flowsCounted(), 112);
    QCOMPARE(engine->statistics()->overall.requests, 111u);

    w.clearFlows();
    settle(w);
    QCOMPARE(engine->statistics()->overall.requests, 0u);
    QCOMPARE(stats->tableModel()->rowCount(), 0);
}

void TestStatsWindow::screenshot()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(QApplication::style()->standardPalette());
    MainWindow w;
    // Three minutes of an API: routes with ids, a slow search, a flaky upload, a CDN.
    struct Route {
        const char* method;
        const char* host;
        const char* path;
        int weight;
        uint64_t typicalMs;
        int errorEvery; // one in N fails (0: never)
        int errorStatus;
    };
    const Route routes[] = { { "GET", "api.shop.example", "/v1/products/%1", 30, 18, 0, 0 },
        { "GET", "api.shop.example", "/v1/search?q=%1", 12, 140, 40, 503 },
        { "POST", "api.shop.example", "/v1/cart/%1/items", 8, 35, 25, 409 },
        { "GET", "api.shop.example", "/v1/users/%1/orders", 6, 60, 0, 0 },
        { "PUT", "uploads.shop.example", "/files/%1", 3, 900, 6, 500 },
        { "GET", "cdn.shop.example", "/assets/%1/hero.webp", 25, 4, 50, 404 },
        { "GET", "auth.shop.example", "/session", 5, 9, 15, 401 } };
    int totalWeight = 0;
    for (const Route& r : routes)
        totalWeight += r.weight;
    uint64_t seed = 12345;
    auto next = [&seed] { seed = seed * 6364136223846793005ull + 1442695040888963407ull; return seed >> 33; };
    uint64_t t = kBaseNs;
    for (uint64_t id = 1; id <= 4000; ++id) {
        // Load rises and falls over three minutes.
        const double phase = double(t - kBaseNs) / 180e9;
        const uint64_t gapMs = uint64_t(12.0 + 80.0 * std::abs(phase - 0.5));
        t += (gapMs + next() % 30) * kMs;
        int pick = int(next() % uint64_t(totalWeight));
        const Route* r = routes;
        while (pick >= r->weight)
            pick -= (r++)->weight;
        const QByteArray target = QByteArray(r->path).replace("%1", QByteArray::number(qulonglong(1000 + next() % 9000)));
        const bool failed = r->errorEvery && next() % uint64_t(r->errorEvery) == 0;
        // Roughly log-normal: most near the typical value, a long tail.
        const double spread = 0.4 + double(next() % 1000) / 1000.0 * 1.2;
        const uint64_t latency = std::max<uint64_t>(1, uint64_t(double(r->typicalMs) * spread * (next() % 20 == 0 ? 4.0 : 1.0)));
        Flow f = flow(id, r->method, r->host, target, failed ? r->errorStatus : 200, latency, 200 + next() % 30000);
        f.startNs = t;
        f.endNs = t + latency * kMs;
        if (next() % 400 == 0) {
            f.hasResponse = false;
            f.incomplete = true;
        }
        w.store()->append(std::move(f));
    }
    w.store()->flush();
    w.proxy()->waitForIdle();
    StatsWindow* stats = w.showStatistics();
    QVERIFY(QTest::qWaitForWindowExposed(stats));
    settle(w);
    QCOMPARE(stats->engine()->statistics()->overall.requests, 4000u);
    const QModelIndex search = rowForName(stats->tableView()->model(), QStringLiteral("GET /v1/search"));
    QVERIFY(search.isValid());
    stats->tableView()->setCurrentIndex(search);
    QTest::qWait(50);
    const QPixmap shot = stats->grab();
    QStringList dirs { QStringLiteral(HTTPTAP_TEST_OUTPUT_DIR) };
    if (qEnvironmentVariableIntValue("HTTPTAP_UPDATE_SCREENSHOTS"))
        dirs << QStringLiteral(HTTPTAP_SCREENSHOT_DIR);
    for (const QString& dir : dirs) {
        QDir().mkpath(dir);
        QVERIFY2(shot.save(dir + QStringLiteral("/statistics.png")), qPrintable(dir));
    }
    qInfo("screenshot: %s/statistics.png", HTTPTAP_TEST_OUTPUT_DIR);
}

QTEST_MAIN(TestStatsWindow)
#include "tst_statswindow.moc"
