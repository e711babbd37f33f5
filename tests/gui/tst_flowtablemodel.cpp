// SPDX-License-Identifier: GPL-2.0-or-later
#include "captureio.h"
#include "guifixture.h"
#include "models/flowfilterproxy.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace httptap;
using Model = FlowTableModel;

namespace {

void loadRaw(FlowStore& store, const QByteArray& bytes)
{
    RawCaptureParser parser([&store](Flow&& f) { store.append(std::move(f)); });
    QVERIFY(parser.feed(bytes));
    parser.finish();
    store.flush();
}

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QStringList column(const QAbstractItemModel& m, int c)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out << m.index(r, c).data().toString();
    return out;
}

void applyAndWait(FlowFilterProxy& proxy, const QString& text)
{
    FilterError error;
    const auto filter = FlowFilter::compile(text, &error);
    QVERIFY2(filter, qPrintable(error.toString()));
    proxy.setFilter(*filter);
    proxy.waitForIdle();
}

} // namespace

class TestFlowTableModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void compactRows();
    void cannedConversation();
    void cells_data();
    void cells();
    void batchedInserts();
    void badges();
    void sorting_data();
    void sorting();
    void filtering_data();
    void filtering();
    void appendWhileSortedAndFiltered();
    void sortedBatchKeepsSelection();
    void clearUnderTester();
    void load100k();
};

void TestFlowTableModel::compactRows()
{
    QVERIFY(sizeof(FlowRow) <= 64);
}

void TestFlowTableModel::cannedConversation()
{
    FlowStore store;
    Model model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadRaw(store, fileBytes(QStringLiteral(HTTPTAP_TEST_DATA_DIR "/http1-conversation.httptap")));
    QCOMPARE(model.rowCount(), 6);
    QCOMPARE(model.columnCount(), int(Model::COLUMN_COUNT));
    QCOMPARE(model.index(0, Model::NameColumn).data().toString(), QStringLiteral("/one"));
    QCOMPARE(model.index(0, Model::MethodColumn).data().toString(), QStringLiteral("GET"));
    QCOMPARE(model.index(0, Model::StatusColumn).data().toString(), QStringLiteral("200"));
    QCOMPARE(model.index(0, Model::ProtocolColumn).data().toString(), QStringLiteral("HTTP/1.1"));
    QCOMPARE(model.index(0, Model::TlsColumn).data().toString(), QStringLiteral("plaintext"));
    QCOMPARE(model.index(0, Model::ProcessColumn).data().toString(), QStringLiteral("curl (4242)"));
    QCOMPARE(model.index(0, Model::RemoteAddressColumn).data().toString(), QStringLiteral("127.0.0.1:8080"));
    QCOMPARE(model.headerData(Model::NameColumn, Qt::Horizontal).toString(), QStringLiteral("Name"));
    QCOMPARE(model.headerData(Model::TlsColumn, Qt::Horizontal).toString(), QStringLiteral("TLS library"));
}

void TestFlowTableModel::cells_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("text");
    QTest::newRow("name with query") << 0 << int(Model::NameColumn) << QStringLiteral("/api/users?id=7&sort=name");
    QTest::newRow("domain") << 0 << int(Model::DomainColumn) << QStringLiteral("api.example.com");
    QTest::newRow("type json") << 0 << int(Model::TypeColumn) << QStringLiteral("json");
    QTest::newRow("size") << 0 << int(Model::SizeColumn) << QStringLiteral("45 B");
    QTest::newRow("process") << 0 << int(Model::ProcessColumn) << QStringLiteral("python3 (3100)");
    QTest::newRow("post") << 1 << int(Model::MethodColumn) << QStringLiteral("POST");
    QTest::newRow("redirect") << 1 << int(Model::StatusColumn) << QStringLiteral("302");
    QTest::newRow("domain without port") << 2 << int(Model::DomainColumn) << QStringLiteral("cdn.example.com");
    QTest::newRow("type png") << 2 << int(Model::TypeColumn) << QStringLiteral("png");
    QTest::newRow("remote") << 2 << int(Model::RemoteAddressColumn) << QStringLiteral("127.0.0.1:8081");
    QTest::newRow("octet-stream") << 4 << int(Model::TypeColumn) << QStringLiteral("octet-stream");
    QTest::newRow("404") << 5 << int(Model::StatusColumn) << QStringLiteral("404");
    QTest::newRow("no response") << 6 << int(Model::StatusColumn) << QStringLiteral("(none)");
    QTest::newRow("no response size") << 6 << int(Model::SizeColumn) << QString();
    QTest::newRow("time in µs") << 0 << int(Model::TimeColumn) << QStringLiteral("1 µs");
}

void TestFlowTableModel::cells()
{
    QFETCH(int, row);
    QFETCH(int, column);
    QFETCH(QString, text);
    FlowStore store;
    Model model(&store);
    loadRaw(store, test::richCapture());
    QCOMPARE(model.rowCount(), test::kRichFlows);
    QCOMPARE(model.index(row, column).data().toString(), text);
}

void TestFlowTableModel::batchedInserts()
{
    FlowStore store;
    Model model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (uint64_t i = 1; i <= 500; ++i)
        store.append(test::syntheticFlow(i));
    QCOMPARE(model.rowCount(), 0); // nothing before the batch timer fires
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 500, 1000);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 0);
    QCOMPARE(inserted.first().at(2).toInt(), 499);
}

void TestFlowTableModel::badges()
{
    FlowStore store;
    Model model(&store);
    loadRaw(store, test::richCapture());
    const QModelIndex whole = model.index(0, Model::NameColumn);
    QCOMPARE(whole.data(Model::CompletenessRole).toInt(), int(Model::Whole));
    QVERIFY(whole.data(Qt::DecorationRole).isNull());
    const QModelIndex never = model.index(6, Model::NameColumn);
    const int bits = never.data(Model::CompletenessRole).toInt();
    QVERIFY(bits & Model::NoResponse);
    QVERIFY(bits & Model::Incomplete);
    QVERIFY(!never.data(Qt::DecorationRole).value<QIcon>().isNull());
    const QString tip = never.data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(QStringLiteral("No response was seen.")), qPrintable(tip));
    QVERIFY2(tip.startsWith(QStringLiteral("http://slow.example.com:9000/never")), qPrintable(tip));
}

void TestFlowTableModel::sorting_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("order");
    QTest::addColumn<QStringList>("names");
    QTest::newRow("status asc") << int(Model::StatusColumn) << int(Qt::AscendingOrder)
                                << QStringList { "/never", "/api/users?id=7&sort=name", "/logo.png", "/evil", "/blob.bin", "/login", "/missing" };
    QTest::newRow("status desc") << int(Model::StatusColumn) << int(Qt::DescendingOrder)
                                 << QStringList { "/missing", "/login", "/api/users?id=7&sort=name", "/logo.png", "/evil", "/blob.bin", "/never" };
    QTest::newRow("name asc") << int(Model::NameColumn) << int(Qt::AscendingOrder)
                              << QStringList { "/api/users?id=7&sort=name", "/blob.bin", "/evil", "/login", "/logo.png", "/missing", "/never" };
    QTest::newRow("domain asc") << int(Model::DomainColumn) << int(Qt::AscendingOrder)
                                << QStringList { "/api/users?id=7&sort=name", "/login", "/logo.png", "/evil", "/blob.bin", "/missing", "/never" };
    QTest::newRow("unsorted") << -1 << int(Qt::AscendingOrder)
                              << QStringList { "/api/users?id=7&sort=name", "/login", "/logo.png", "/evil", "/blob.bin", "/missing", "/never" };
}

void TestFlowTableModel::sorting()
{
    QFETCH(int, column);
    QFETCH(int, order);
    QFETCH(QStringList, names);
    FlowStore store;
    Model model(&store);
    FlowFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadRaw(store, test::richCapture());
    proxy.sort(column, Qt::SortOrder(order));
    proxy.waitForIdle();
    QCOMPARE(column == -1 ? column : proxy.sortColumn(), column);
    QCOMPARE(::column(proxy, Model::NameColumn), names);
}

void TestFlowTableModel::filtering_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QStringList>("names");
    QTest::newRow("all") << QString() << QStringList { "/api/users?id=7&sort=name", "/login", "/logo.png", "/evil", "/blob.bin", "/missing", "/never" };
    QTest::newRow("errors") << QStringLiteral("status>=400") << QStringList { "/missing" };
    QTest::newRow("domain") << QStringLiteral("domain:api.example.com") << QStringList { "/api/users?id=7&sort=name", "/login" };
    QTest::newRow("process and not") << QStringLiteral("process:python3 -method:POST") << QStringList { "/api/users?id=7&sort=name" };
    QTest::newRow("mime or") << QStringLiteral("mime-type:image or mime-type:octet") << QStringList { "/logo.png", "/blob.bin" };
    QTest::newRow("regex") << QStringLiteral("/l.g/") << QStringList { "/login", "/logo.png" };
    QTest::newRow("none") << QStringLiteral("host=nowhere") << QStringList {};
}

void TestFlowTableModel::filtering()
{
    QFETCH(QString, expression);
    QFETCH(QStringList, names);
    FlowStore store;
    Model model(&store);
    FlowFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadRaw(store, test::richCapture());
    QSignalSpy applied(&proxy, &FlowFilterProxy::filterApplied);
    applyAndWait(proxy, expression);
    QVERIFY(applied.count() >= 1);
    QCOMPARE(::column(proxy, Model::NameColumn), names);
    for (int r = 0; r < proxy.rowCount(); ++r) {
        const QModelIndex source = proxy.mapToSource(proxy.index(r, 0));
        QCOMPARE(proxy.mapFromSource(source).row(), r);
    }
}

void TestFlowTableModel::appendWhileSortedAndFiltered()
{
    FlowStore store;
    Model model(&store);
    FlowFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (uint64_t i = 1; i <= 200; ++i)
        store.append(test::syntheticFlow(i));
    store.flush();
    applyAndWait(proxy, QStringLiteral("method:GET"));
    proxy.sort(Model::SizeColumn, Qt::DescendingOrder);
    proxy.waitForIdle();
    for (uint64_t i = 201; i <= 400; ++i) {
        store.append(test::syntheticFlow(i));
        if (i % 50 == 0)
            store.flush();
    }
    int expected = 0;
    for (uint64_t i = 1; i <= 400; ++i)
        expected += test::syntheticFlow(i).request.method == "GET";
    QCOMPARE(proxy.rowCount(), expected);
    qulonglong previous = ~0ull;
    for (int r = 0; r < proxy.rowCount(); ++r) {
        const QModelIndex i = proxy.index(r, Model::SizeColumn);
        QCOMPARE(proxy.index(r, Model::MethodColumn).data().toString(), QStringLiteral("GET"));
        const qulonglong size = i.data(Model::SortRole).toULongLong();
        QVERIFY2(size <= previous, qPrintable(QString::number(r)));
        previous = size;
    }
}

// A live batch into a sorted table arrives as one insert and one layout change: the rows land in
// order (ties in arrival order), and what the view holds (selection, current row) stays on its flow.
void TestFlowTableModel::sortedBatchKeepsSelection()
{
    FlowStore store;
    Model model(&store);
    FlowFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (uint64_t i = 1; i <= 100; ++i) {
        Flow f = test::syntheticFlow(i);
        f.response.bodySize = i % 10 * 1000; // ten rows share each size
        store.append(std::move(f));
    }
    store.flush();
    proxy.sort(Model::SizeColumn, Qt::DescendingOrder);
    proxy.waitForIdle();
    const QPersistentModelIndex kept(proxy.index(37, Model::NameColumn));
    const QPersistentModelIndex last(proxy.index(99, Model::SizeColumn));
    const int keptFlow = kept.data(Model::FlowIndexRole).toInt();
    const int lastFlow = last.data(Model::FlowIndexRole).toInt();
    QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);
    QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
    for (uint64_t i = 101; i <= 400; ++i) {
        Flow f = test::syntheticFlow(i);
        f.response.bodySize = i % 7 * 1000 + 500 * (i % 2);
        store.append(std::move(f));
    }
    store.flush();
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(layout.count(), 1);
    QCOMPARE(proxy.rowCount(), 400);
    QVERIFY(kept.isValid());
    QCOMPARE(kept.data(Model::FlowIndexRole).toInt(), keptFlow);
    QCOMPARE(kept.column(), int(Model::NameColumn));
    QCOMPARE(last.data(Model::FlowIndexRole).toInt(), lastFlow);
    QCOMPARE(last.column(), int(Model::SizeColumn));
    for (int r = 0; r + 1 < proxy.rowCount(); ++r) {
        const qulonglong size = proxy.index(r, Model::SizeColumn).data(Model::SortRole).toULongLong();
        const qulonglong next = proxy.index(r + 1, Model::SizeColumn).data(Model::SortRole).toULongLong();
        QVERIFY2(size >= next, qPrintable(QString::number(r)));
        if (size == next)
            QVERIFY2(proxy.index(r, 0).data(Model::FlowIndexRole).toInt()
                    < proxy.index(r + 1, 0).data(Model::FlowIndexRole).toInt(),
                qPrintable(QString::number(r)));
    }
    for (int r = 0; r < proxy.rowCount(); ++r)
        QCOMPARE(proxy.mapFromSource(proxy.mapToSource(proxy.index(r, 0))).row(), r);
}

void TestFlowTableModel::clearUnderTester()
{
    FlowStore store;
    Model model(&store);
    FlowFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (uint64_t i = 1; i <= 3000; ++i)
        store.append(test::syntheticFlow(i));
    store.flush();
    proxy.sort(Model::NameColumn, Qt::AscendingOrder); // a job in flight while the store clears
    store.clear();
    proxy.waitForIdle();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(proxy.rowCount(), 0);
    store.append(test::syntheticFlow(1));
    store.flush();
    proxy.waitForIdle();
    QCOMPARE(proxy.rowCount(), 1);
}

void TestFlowTableModel::load100k()
{
    constexpr int kRows = 100'000;
    FlowStore store;
    Model model(&store);
    FlowFilterProxy proxy;
    proxy.setSourceModel(&model);
    std::vector<Flow> flows;
    flows.reserve(kRows);
    for (int i = 1; i <= kRows; ++i)
        flows.push_back(test::syntheticFlow(uint64_t(i)));
    QElapsedTimer timer;
    timer.start();
    for (Flow& f : flows)
        store.append(std::move(f));
    store.flush();
    const qint64 appendMs = timer.restart();
    QCOMPARE(proxy.rowCount(), kRows);
    applyAndWait(proxy, QStringLiteral("status>=400 or method:POST"));
    const qint64 filterMs = timer.restart();
    proxy.sort(Model::SizeColumn, Qt::DescendingOrder);
    proxy.waitForIdle();
    const qint64 sortMs = timer.restart();
    proxy.sort(Model::NameColumn, Qt::AscendingOrder);
    proxy.waitForIdle();
    const qint64 textSortMs = timer.restart();
    for (int r = 0; r < proxy.rowCount(); r += 97)
        for (int c = 0; c < Model::COLUMN_COUNT; ++c)
            (void)proxy.index(r, c).data();
    const qint64 dataMs = timer.restart();
    qInfo("100k rows: append+rows %lld ms, filter %lld ms (%d shown), numeric sort %lld ms, text sort %lld ms, "
          "data() sample %lld ms",
        appendMs, filterMs, proxy.rowCount(), sortMs, textSortMs, dataMs);
    QVERIFY(proxy.rowCount() > 0 && proxy.rowCount() < kRows);
    QVERIFY2(appendMs < 3000, "appending 100k flows took too long");
    QVERIFY2(filterMs < 3000 && sortMs < 3000 && textSortMs < 5000, "filter/sort too slow");
}

QTEST_MAIN(TestFlowTableModel)
#include "tst_flowtablemodel.moc"
