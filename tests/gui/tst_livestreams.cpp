// SPDX-License-Identifier: GPL-2.0-or-later
// The window while exchanges are still open, fed canned record streams the
// way a live capture feeds it: a pending row that becomes 200 in place, the
// store keeping replaced versions alive for readers, the filter and sort
// re-evaluating only updated rows, a streaming body growing in the Response
// tab, gRPC messages growing in the Messages tab, and auto-scroll that stops
// when the user scrolls up.
#include "detailpane.h"
#include "guifixture.h"
#include "h2builder.h"
#include "mainwindow.h"
#include "models/flowfilterproxy.h"
#include "models/flowstatsengine.h"
#include "models/flowstore.h"
#include "models/eventlistmodel.h"
#include "models/flowtablemodel.h"
#include "models/messagelistmodel.h"
#include "record/recordwriter.h"
#include "streambuilder.h"
#include "streampage.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QGuiApplication>
#include <QLineEdit>
#include <QPalette>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using namespace httptap;
using namespace httptap::test;
using Model = FlowTableModel;

namespace {

// Encodes a builder's records as they are added, the way the helper's stream arrives in pieces.
class LiveFeed
{
public:
    QByteArray next(const StreamBuilder& b)
    {
        if (!m_started) {
            m_started = true;
            m_writer.writeStreamHeader();
            record::StreamStart start;
            start.monotonicNs = StreamBuilder::kStartNs;
            start.realtimeNs = 1'795'770'000'000'000'000;
            start.producer = "tst_livestreams";
            m_writer.write(start);
        }
        for (; m_sent < b.records().size(); ++m_sent)
            std::visit([this](const auto& r) { m_writer.write(r); }, b.records()[m_sent]);
        const std::vector<uint8_t> bytes = m_writer.take();
        return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()));
    }

private:
    record::RecordWriter m_writer;
    size_t m_sent = 0;
    bool m_started = false;
};

void feed(MainWindow& w, LiveFeed& live, const StreamBuilder& b)
{
    w.feedLiveBytes(live.next(b));
    w.store()->flush();
    w.proxy()->waitForIdle(); // the window's initial filter job may still be out
}

QString cell(const QAbstractItemModel& m, int row, int column) { return m.index(row, column).data().toString(); }

Flow openFlow(uint64_t id, int status, uint64_t size)
{
    Flow f;
    f.id = id;
    f.inProgress = true;
    f.request.method = "GET";
    f.request.target = "/v" + QByteArray::number(qulonglong(id));
    f.request.headers.append(HttpHeader { "Host", "live.test" });
    f.request.complete = true;
    f.hasResponse = status != 0;
    f.response.status = status;
    f.response.bodySize = size;
    return f;
}

const QByteArray kGrpcCall = "application/grpc";

WebSocketMessage wsMessage(bool fromClient, uint8_t opcode, const QByteArray& data, uint64_t timeNs)
{
    WebSocketMessage m;
    m.fromClient = fromClient;
    m.opcode = opcode;
    m.data = data;
    m.size = uint64_t(data.size());
    m.timeNs = timeNs;
    return m;
}

// A WebSocket handshake flow with its first `count` messages of a fixed conversation.
Flow webSocketFlow(int count, bool open)
{
    Flow f;
    f.id = 42;
    f.inProgress = open;
    f.webSocket = true;
    f.pid = 777;
    f.process = QStringLiteral("chat");
    f.httpVersion = "HTTP/1.1";
    f.request.method = "GET";
    f.request.target = "/chat";
    f.request.headers = { { "Host", "ws.test" }, { "Upgrade", "websocket" }, { "Connection", "Upgrade" } };
    f.request.complete = true;
    f.hasResponse = true;
    f.response.status = 101;
    f.response.reason = "Switching Protocols";
    f.response.headers = { { "Upgrade", "websocket" }, { "Connection", "Upgrade" } };
    f.response.complete = true;
    f.startNs = 1'000'000'000;
    f.endNs = f.startNs + 5'000'000;
    for (int i = 0; i < count; ++i) {
        const uint64_t t = f.startNs + uint64_t(i + 1) * 1'000'000;
        if (i == 5) {
            WebSocketMessage close = wsMessage(true, WebSocketMessage::Close, "bye", t);
            close.closeCode = 1000;
            close.closeReason = "bye";
            f.editRare().webSocketMessages.append(close);
        } else if (i == 3) {
            WebSocketMessage bad = wsMessage(false, WebSocketMessage::Text, "caf\xc3(", t);
            bad.note = QStringLiteral("invalid UTF-8 in a text message");
            f.editRare().webSocketMessages.append(bad);
        } else if (i == 2) {
            f.editRare().webSocketMessages.append(wsMessage(false, WebSocketMessage::Binary, QByteArray("\x00\x01\xff", 3), t));
        } else {
            f.editRare().webSocketMessages.append(wsMessage(i % 2 == 0, WebSocketMessage::Text,
                "{\"n\":" + QByteArray::number(i) + ",\"say\":\"hi \x1b[2J\"}", t));
        }
    }
    return f;
}

// A WebSocket frame with a payload under 126 bytes; the client's are masked (RFC 6455 5.3).
QByteArray wsFrame(uint8_t opcode, const QByteArray& payload, bool fromClient)
{
    static const char kMask[4] = { 0x5a, 0x0f, 0x33, 0x71 };
    QByteArray out;
    out.append(char(0x80 | opcode));
    out.append(char((fromClient ? 0x80 : 0) | payload.size()));
    if (!fromClient)
        return out + payload;
    out.append(kMask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(char(payload[i] ^ kMask[i & 3]));
    return out;
}

Flow eventStreamFlow(int count, bool open)
{
    Flow f;
    f.id = 7;
    f.inProgress = open;
    f.httpVersion = "HTTP/1.1";
    f.request.method = "GET";
    f.request.target = "/events";
    f.request.headers = { { "Host", "sse.test" }, { "Accept", "text/event-stream" } };
    f.request.complete = true;
    f.hasResponse = true;
    f.response.status = 200;
    f.response.headers = { { "Content-Type", "text/event-stream" } };
    f.startNs = 1'000'000'000;
    for (int i = 0; i < count; ++i) {
        ServerSentEvent e;
        e.timeNs = f.startNs + uint64_t(i + 1) * 2'000'000;
        e.id = QByteArray::number(i + 1);
        e.event = i % 3 == 2 ? "tick" : "";
        e.data = "token " + QByteArray::number(i) + (i == 4 ? "\nsecond line \x07" : "");
        f.response.body += "id: " + e.id + "\ndata: " + e.data + "\n\n";
        f.editRare().serverSentEvents.append(e);
    }
    f.response.bodySize = uint64_t(f.response.body.size());
    f.response.complete = !open;
    return f;
}

void grpcOpen(StreamBuilder& b, TestConnection& c, H2Peer& p)
{
    b.egress(c, h2::preface() + h2::settings());
    b.ingress(c, h2::settings());
    HeaderList call = { { ":method", "POST" }, { ":scheme", "http" }, { ":authority", "grpc.test" },
        { ":path", "/demo.Feed/Watch" }, { "content-type", kGrpcCall } };
    b.egress(c, p.request(1, call, false) + h2::data(1, h2::grpcMessage("subscribe"), false));
    b.ingress(c, p.response(1, { { ":status", "200" }, { "content-type", kGrpcCall } }, false));
}

} // namespace

class TestLiveStreams : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pendingRowUpdatesInPlace();
    void storeKeepsReplacedVersionsWhilePinned();
    void filterAndSortReevaluateUpdatedRows();
    void responseBodyGrowsLive();
    void grpcMessagesGrowLive();
    void autoScrollFollowsUntilScrolledUp();
    void webSocketRowAndMessagesGrowLive();
    void webSocketRecordsGrowLive();
    void eventStreamTabGrowsLive();
    void statisticsCountFlowsOnceFinished();
    void screenshot();
};

void TestLiveStreams::pendingRowUpdatesInPlace()
{
    MainWindow w;
    QAbstractItemModelTester modelTester(w.flowModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(w.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    StreamBuilder b;
    TestConnection c;
    LiveFeed live;
    b.egress(c, "GET /slow HTTP/1.1\r\nHost: live.test\r\n\r\n");
    feed(w, live, b);
    QCOMPARE(w.proxy()->rowCount(), 1);
    QCOMPARE(cell(*w.proxy(), 0, Model::NameColumn), QStringLiteral("/slow"));
    QCOMPARE(cell(*w.proxy(), 0, Model::StatusColumn), QStringLiteral("(pending)"));
    QCOMPARE(cell(*w.proxy(), 0, Model::TimeColumn), QStringLiteral("(pending)"));
    const QColor grey = QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
    QCOMPARE(w.proxy()->index(0, Model::MethodColumn).data(Qt::ForegroundRole).value<QColor>(), grey);
    // Pending is not a failure: no badge.
    QCOMPARE(w.proxy()->index(0, 0).data(Model::CompletenessRole).toInt(), 0);
    QVERIFY(w.store()->at(0).inProgress);

    w.flowView()->selectRow(0);
    QVERIFY(w.detailPane()->responseText().contains(QStringLiteral("Waiting for the response")));

    QSignalSpy inserted(w.proxy(), &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(w.proxy(), &QAbstractItemModel::dataChanged);
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
    feed(w, live, b);
    QCOMPARE(w.proxy()->rowCount(), 1);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(cell(*w.proxy(), 0, Model::StatusColumn), QStringLiteral("200"));
    QCOMPARE(cell(*w.proxy(), 0, Model::SizeColumn), QStringLiteral("5 B"));
    QVERIFY(cell(*w.proxy(), 0, Model::TimeColumn).endsWith(QStringLiteral("µs")));
    QVERIFY(!w.proxy()->index(0, Model::MethodColumn).data(Qt::ForegroundRole).isValid());
    QVERIFY(!w.store()->at(0).inProgress);
    QCOMPARE(w.store()->openCount(), 0);
    // The selection stays on the row, and the detail pane shows the finished flow.
    QCOMPARE(w.selectedFlows().size(), 1);
    QCOMPARE(w.detailPane()->responseText(), QStringLiteral("hello"));
}

void TestLiveStreams::storeKeepsReplacedVersionsWhilePinned()
{
    FlowStore store;
    Model model(&store);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    store.append(openFlow(1, 0, 0));
    store.append(openFlow(2, 0, 0));
    store.flush();
    QCOMPARE(store.size(), 2);
    QCOMPARE(store.openCount(), 2);

    // Versions arriving before their row was stored replace it in the queue: one row, newest version.
    store.append(openFlow(3, 0, 0));
    store.append(openFlow(3, 200, 10));
    QSignalSpy appended(&store, &FlowStore::flowsAppended);
    QSignalSpy updated(&store, &FlowStore::flowsUpdated);
    store.flush();
    QCOMPARE(store.size(), 3);
    QCOMPARE(store.at(2).response.status, 200);
    QCOMPARE(updated.count(), 0);

    FlowStore::Pin pin = store.pin();
    const Flow* old = &store.at(1);
    store.append(openFlow(2, 200, 100));
    Flow done = openFlow(2, 200, 300);
    done.inProgress = false;
    store.append(std::move(done)); // the same batch: announced once, with the newest version
    store.flush();
    QCOMPARE(updated.count(), 1);
    QCOMPARE(updated.first().first().value<std::vector<int>>(), std::vector<int>({ 1 }));
    QCOMPARE(store.at(1).response.bodySize, 300u);
    QVERIFY(!store.at(1).inProgress);
    QCOMPARE(cell(model, 1, Model::StatusColumn), QStringLiteral("200"));
    // The version a reader may still hold is alive and unchanged until the pin goes.
    QCOMPARE(store.retiredCount(), 1);
    QVERIFY(old->inProgress);
    QCOMPARE(old->response.status, 0);
    pin.release();
    QCOMPARE(store.retiredCount(), 0);

    // Without a pin a replaced version is freed at once.
    store.append(openFlow(1, 204, 0));
    store.flush();
    QCOMPARE(store.retiredCount(), 0);
    QCOMPARE(store.openCount(), 2);
    QCOMPARE(model.rowCount(), 3);
}

void TestLiveStreams::filterAndSortReevaluateUpdatedRows()
{
    FlowStore store;
    Model model(&store);
    FlowFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (uint64_t id = 1; id <= 5; ++id)
        store.append(openFlow(id, id == 3 ? 0 : 200, id * 100));
    store.flush();
    FilterError error;
    proxy.setFilter(*FlowFilter::compile(QStringLiteral("status>=200"), &error));
    proxy.sort(Model::SizeColumn, Qt::AscendingOrder);
    proxy.waitForIdle();
    QCOMPARE(proxy.rowCount(), 4); // the pending one has no status yet
    QCOMPARE(cell(proxy, 0, Model::NameColumn), QStringLiteral("/v1"));

    // The pending row gets its response: it now matches, and lands at its sorted place.
    QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&proxy, &QAbstractItemModel::modelReset);
    store.append(openFlow(3, 200, 250));
    store.flush();
    QCOMPARE(proxy.rowCount(), 5);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(reset.count(), 0);
    QStringList names;
    for (int r = 0; r < proxy.rowCount(); ++r)
        names << cell(proxy, r, Model::NameColumn);
    QCOMPARE(names, QStringList({ "/v1", "/v2", "/v3", "/v4", "/v5" }));

    // A row that grows past its neighbours moves (selection-preserving), one that stops matching leaves.
    QSignalSpy moved(&proxy, &QAbstractItemModel::rowsMoved);
    QSignalSpy removed(&proxy, &QAbstractItemModel::rowsRemoved);
    store.append(openFlow(1, 200, 1000));
    store.append(openFlow(4, 200, 450));
    store.flush();
    QCOMPARE(moved.count(), 1);
    QCOMPARE(removed.count(), 0);
    names.clear();
    for (int r = 0; r < proxy.rowCount(); ++r)
        names << cell(proxy, r, Model::NameColumn);
    QCOMPARE(names, QStringList({ "/v2", "/v3", "/v4", "/v5", "/v1" }));
    proxy.setFilter(*FlowFilter::compile(QStringLiteral("status>=200 and status<400"), &error));
    proxy.waitForIdle();
    QCOMPARE(proxy.rowCount(), 5);
    store.append(openFlow(5, 500, 500));
    store.flush();
    QCOMPARE(removed.count(), 1);
    QCOMPARE(proxy.rowCount(), 4);
    QVERIFY(!proxy.mapFromSource(model.index(4, 0)).isValid());

    // An update while a sort job runs on a snapshot: the pinned version stays readable, and
    // the row is re-evaluated with its newest version once the job's result is in.
    proxy.sort(Model::SizeColumn, Qt::DescendingOrder);
    store.append(openFlow(2, 200, 5000));
    store.flush();
    proxy.waitForIdle();
    QCOMPARE(cell(proxy, 0, Model::NameColumn), QStringLiteral("/v2"));
    QCOMPARE(store.retiredCount(), 0);
}

void TestLiveStreams::responseBodyGrowsLive()
{
    MainWindow w;
    StreamBuilder b;
    TestConnection c;
    LiveFeed live;
    b.egress(c, "GET /events HTTP/1.1\r\nHost: live.test\r\n\r\n");
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
    feed(w, live, b);
    w.flowView()->selectRow(0);
    DetailPane* pane = w.detailPane();
    QCOMPARE(pane->responseText(), QStringLiteral("Waiting for the body…"));

    QString expected;
    for (int i = 0; i < 30; ++i) {
        const QByteArray event = "data: tick " + QByteArray::number(i) + (i == 7 ? " \x1b[31mred\x07" : "") + "\n\n";
        b.ingress(c, QByteArray::number(event.size(), 16) + "\r\n" + event + "\r\n");
        expected += QString::fromLatin1(event).replace(QStringLiteral("\x1b"), QStringLiteral("\\x1b")).replace(QStringLiteral("\x07"), QStringLiteral("\\x07"));
        if (i % 10 == 9)
            feed(w, live, b);
    }
    // Growth within 100 ms of capture time waits; the window reports it when the stream is quiet.
    QTRY_VERIFY(pane->responseText().contains(QStringLiteral("tick 29")));
    QCOMPARE(w.proxy()->rowCount(), 1);
    QVERIFY(w.store()->at(0).inProgress);
    QVERIFY(pane->responseText().startsWith(QStringLiteral("data: tick 0\n\ndata: tick 1\n")));
    QVERIFY(pane->responseText().contains(QStringLiteral("tick 7 \\x1b[31mred\\x07")));
    QVERIFY(expected.startsWith(pane->responseText()));
    // Core parses the event stream as it arrives: the EventStream tab and the row count its events.
    QTRY_COMPARE(pane->eventsModel()->rowCount(), 30);
    QVERIFY(pane->tabs()->isTabVisible(pane->tabs()->indexOf(pane->eventsPage())));
    QCOMPARE(pane->eventsModel()->index(7, EventListModel::DataColumn).data().toString(),
        QStringLiteral("tick 7 \\x1b[31mred\\x07"));
    QCOMPARE(cell(*w.proxy(), 0, Model::StatusColumn), QStringLiteral("200 · 30 events"));

    // The end of the stream: the finished flow replaces the open one, body whole.
    b.ingress(c, "0\r\n\r\n");
    feed(w, live, b);
    QVERIFY(!w.store()->at(0).inProgress);
    QCOMPARE(pane->responseText(), expected);
    QCOMPARE(w.store()->at(0).response.bodyArrivals().size(), 30);
    QVERIFY(pane->timingText().contains(QStringLiteral("Response body arrived in 30 parts")));
}

void TestLiveStreams::grpcMessagesGrowLive()
{
    MainWindow w;
    StreamBuilder b;
    TestConnection c;
    H2Peer p;
    LiveFeed live;
    grpcOpen(b, c, p);
    for (int i = 0; i < 3; ++i)
        b.ingress(c, h2::data(1, h2::grpcMessage("tick " + QByteArray::number(i)), false));
    feed(w, live, b);
    QCOMPARE(w.proxy()->rowCount(), 1);
    QCOMPARE(cell(*w.proxy(), 0, Model::ProtocolColumn), QStringLiteral("gRPC"));
    w.flowView()->selectRow(0);
    DetailPane* pane = w.detailPane();
    MessageListModel* messages = pane->messagesModel();
    QAbstractItemModelTester tester(messages, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTabWidget* tabs = pane->tabs();
    QVERIFY(tabs->isTabVisible(tabs->indexOf(pane->messagesPage())));
    // The growth since the response head waits for its interval; the window flushes a quiet stream.
    QTRY_COMPARE(messages->rowCount(), 4);
    QCOMPARE(messages->index(0, MessageListModel::DirectionColumn).data().toString(), QStringLiteral("↑"));
    QCOMPARE(messages->index(0, MessageListModel::DataColumn).data().toString(), QStringLiteral("subscribe"));
    QCOMPARE(messages->index(3, MessageListModel::DirectionColumn).data().toString(), QStringLiteral("↓"));
    QCOMPARE(messages->index(3, MessageListModel::LengthColumn).data().toString(), QStringLiteral("6"));

    QSignalSpy reset(messages, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(messages, &QAbstractItemModel::rowsInserted);
    for (int i = 3; i < 6; ++i)
        b.ingress(c, h2::data(1, h2::grpcMessage("tick " + QByteArray::number(i) + ": \x1b]0;pwned then more text"), false));
    feed(w, live, b);
    QTRY_COMPARE(messages->rowCount(), 7);
    QCOMPARE(reset.count(), 0);
    QVERIFY(inserted.count() >= 1);
    QCOMPARE(messages->index(6, MessageListModel::DataColumn).data().toString(), QStringLiteral("tick 5: \\x1b]0;pwned then more text"));

    // The filter box narrows the list; the selected message is shown whole, as text or hex.
    pane->messagesPage()->filter()->setText(QStringLiteral("TICK 4"));
    QCOMPARE(pane->messagesPage()->view()->model()->rowCount(), 1);
    pane->messagesPage()->view()->selectRow(0);
    QCOMPARE(pane->messagesPage()->itemText(), QStringLiteral("tick 4: \\x1b]0;pwned then more text"));
    pane->messagesPage()->hex()->setChecked(true);
    QVERIFY(pane->messagesPage()->itemText().startsWith(QStringLiteral("00000000  74 69 63 6b 20 34 3a 20  1b 5d 30 3b")));
    pane->messagesPage()->filter()->clear();
    QCOMPARE(pane->messagesPage()->view()->model()->rowCount(), 7);

    // A plain flow has no Messages tab.
    StreamBuilder plain;
    TestConnection pc;
    pc.id = 9;
    plain.egress(pc, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    plain.ingress(pc, "HTTP/1.1 204 No Content\r\n\r\n");
    for (const record::Record& r : plain.records())
        b.add(r);
    feed(w, live, b);
    QCOMPARE(w.proxy()->rowCount(), 2);
    w.flowView()->selectRow(1);
    QVERIFY(!tabs->isTabVisible(tabs->indexOf(pane->messagesPage())));
}

void TestLiveStreams::autoScrollFollowsUntilScrolledUp()
{
    MainWindow w;
    w.resize(900, 400);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    StreamBuilder b;
    LiveFeed live;
    auto addExchanges = [&b](uint64_t connection, int count) {
        TestConnection c;
        c.id = connection;
        for (int i = 0; i < count; ++i) {
            b.egress(c, "GET /n" + QByteArray::number(i) + " HTTP/1.1\r\nHost: s\r\n\r\n");
            b.ingress(c, "HTTP/1.1 204 No Content\r\n\r\n");
        }
    };
    QScrollBar* bar = w.flowView()->verticalScrollBar();
    addExchanges(1, 100);
    feed(w, live, b);
    QTRY_VERIFY(bar->maximum() > 0);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(w.followsNewRows());

    // Scrolled up: new rows do not move the view.
    bar->setValue(0);
    QVERIFY(!w.followsNewRows());
    const int maximumBefore = bar->maximum();
    addExchanges(2, 50);
    feed(w, live, b);
    QTRY_VERIFY(bar->maximum() > maximumBefore);
    QCoreApplication::processEvents();
    QCOMPARE(bar->value(), 0);

    // Back at the bottom: following again.
    bar->setValue(bar->maximum());
    QVERIFY(w.followsNewRows());
    const int maximumThen = bar->maximum();
    addExchanges(3, 50);
    feed(w, live, b);
    QTRY_VERIFY(bar->maximum() > maximumThen);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QCOMPARE(w.proxy()->rowCount(), 200);
}

void TestLiveStreams::webSocketRowAndMessagesGrowLive()
{
    MainWindow w;
    QAbstractItemModelTester proxyTester(w.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    w.store()->append(webSocketFlow(2, true));
    w.store()->flush();
    w.proxy()->waitForIdle();
    QCOMPARE(w.proxy()->rowCount(), 1);
    QCOMPARE(cell(*w.proxy(), 0, Model::StatusColumn), QStringLiteral("101 · 2 msgs"));
    QCOMPARE(cell(*w.proxy(), 0, Model::TimeColumn), QStringLiteral("(pending)"));
    QVERIFY(w.proxy()->index(0, Model::StatusColumn).data(Qt::ForegroundRole).isValid());
    w.flowView()->selectRow(0);
    DetailPane* pane = w.detailPane();
    MessageListModel* messages = pane->messagesModel();
    QAbstractItemModelTester tester(messages, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTabWidget* tabs = pane->tabs();
    QVERIFY(tabs->isTabVisible(tabs->indexOf(pane->messagesPage())));
    QVERIFY(!tabs->isTabVisible(tabs->indexOf(pane->eventsPage())));
    QCOMPARE(messages->rowCount(), 2);
    QCOMPARE(messages->index(0, MessageListModel::DirectionColumn).data().toString(), QStringLiteral("↑"));
    QCOMPARE(messages->index(1, MessageListModel::DirectionColumn).data().toString(), QStringLiteral("↓"));
    QCOMPARE(messages->index(0, MessageListModel::TimeColumn).data().toString(), QStringLiteral("1.000 ms"));
    QCOMPARE(messages->index(0, MessageListModel::KindColumn).data().toString(), QStringLiteral("text"));
    QCOMPARE(messages->index(0, MessageListModel::DataColumn).data().toString(), QStringLiteral("{\"n\":0,\"say\":\"hi \\x1b[2J\"}"));

    // More messages: the row updates in place, the list appends.
    QSignalSpy reset(messages, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(w.proxy(), &QAbstractItemModel::rowsInserted);
    w.store()->append(webSocketFlow(5, true));
    w.store()->flush();
    QCOMPARE(w.proxy()->rowCount(), 1);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(cell(*w.proxy(), 0, Model::StatusColumn), QStringLiteral("101 · 5 msgs"));
    QCOMPARE(messages->rowCount(), 5);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(messages->index(2, MessageListModel::KindColumn).data().toString(), QStringLiteral("binary"));
    QCOMPARE(messages->index(2, MessageListModel::DataColumn).data().toString(), QStringLiteral("00 01 ff"));
    QCOMPARE(messages->index(3, MessageListModel::KindColumn).data().toString(), QStringLiteral("text ⚠"));
    QVERIFY(messages->index(3, MessageListModel::DataColumn).data(Qt::ToolTipRole).toString().contains(
        QStringLiteral("invalid UTF-8")));
    StreamPage* page = pane->messagesPage();
    page->view()->selectRow(3);
    QCOMPARE(page->itemText(), QStringLiteral("[invalid UTF-8 in a text message]\ncaf\uFFFD("));

    // Closed: the finished flow, no longer pending, with the close frame listed.
    w.store()->append(webSocketFlow(6, false));
    w.store()->flush();
    QCOMPARE(cell(*w.proxy(), 0, Model::StatusColumn), QStringLiteral("101 · 6 msgs"));
    QVERIFY(cell(*w.proxy(), 0, Model::TimeColumn) != QStringLiteral("(pending)"));
    QVERIFY(!w.proxy()->index(0, Model::MethodColumn).data(Qt::ForegroundRole).isValid());
    QCOMPARE(messages->index(5, MessageListModel::KindColumn).data().toString(), QStringLiteral("close 1000"));
    QCOMPARE(messages->index(5, MessageListModel::DataColumn).data().toString(), QStringLiteral("bye"));
    page->filter()->setText(QStringLiteral("\"n\":4"));
    QCOMPARE(page->view()->model()->rowCount(), 1);
}

void TestLiveStreams::webSocketRecordsGrowLive()
{
    MainWindow w;
    StreamBuilder b;
    TestConnection c;
    LiveFeed live;
    b.egress(c, "GET /socket HTTP/1.1\r\nHost: ws.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    b.ingress(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
    b.egress(c, wsFrame(0x1, "hello", true));
    b.ingress(c, wsFrame(0x1, "welcome", false));
    b.ingress(c, wsFrame(0x2, QByteArray("\x01\x02", 2), false));
    feed(w, live, b);
    QCOMPARE(w.proxy()->rowCount(), 1);
    // The messages after the 101 wait for their interval; the window reports a quiet stream.
    QTRY_COMPARE(cell(*w.proxy(), 0, Model::StatusColumn), QStringLiteral("101 · 3 msgs"));
    QCOMPARE(cell(*w.proxy(), 0, Model::TimeColumn), QStringLiteral("(pending)"));
    w.flowView()->selectRow(0);
    DetailPane* pane = w.detailPane();
    MessageListModel* messages = pane->messagesModel();
    QAbstractItemModelTester tester(messages, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(messages->rowCount(), 3);
    QCOMPARE(messages->index(0, MessageListModel::DataColumn).data().toString(), QStringLiteral("hello"));
    QCOMPARE(messages->index(0, MessageListModel::DirectionColumn).data().toString(), QStringLiteral("↑"));
    QCOMPARE(messages->index(2, MessageListModel::KindColumn).data().toString(), QStringLiteral("binary"));

    QSignalSpy reset(messages, &QAbstractItemModel::modelReset);
    for (int i = 0; i < 4; ++i)
        b.ingress(c, wsFrame(0x1, "tick " + QByteArray::number(i), false));
    feed(w, live, b);
    QTRY_COMPARE(messages->rowCount(), 7);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(messages->index(6, MessageListModel::DataColumn).data().toString(), QStringLiteral("tick 3"));

    // The connection closes: the row is final, no longer pending.
    b.close(c);
    feed(w, live, b);
    QCOMPARE(w.proxy()->rowCount(), 1);
    QVERIFY(!w.store()->at(0).inProgress);
    QCOMPARE(cell(*w.proxy(), 0, Model::StatusColumn), QStringLiteral("101 · 7 msgs"));
    QVERIFY(cell(*w.proxy(), 0, Model::TimeColumn) != QStringLiteral("(pending)"));
    QCOMPARE(messages->rowCount(), 7);
}

void TestLiveStreams::eventStreamTabGrowsLive()
{
    MainWindow w;
    w.store()->append(eventStreamFlow(3, true));
    w.store()->flush();
    w.proxy()->waitForIdle();
    QCOMPARE(cell(*w.proxy(), 0, Model::StatusColumn), QStringLiteral("200 · 3 events"));
    w.flowView()->selectRow(0);
    DetailPane* pane = w.detailPane();
    EventListModel* events = pane->eventsModel();
    QAbstractItemModelTester tester(events, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTabWidget* tabs = pane->tabs();
    QVERIFY(tabs->isTabVisible(tabs->indexOf(pane->eventsPage())));
    QVERIFY(!tabs->isTabVisible(tabs->indexOf(pane->messagesPage())));
    QCOMPARE(events->rowCount(), 3);
    QCOMPARE(events->index(0, EventListModel::IdColumn).data().toString(), QStringLiteral("1"));
    QCOMPARE(events->index(0, EventListModel::TypeColumn).data().toString(), QStringLiteral("message"));
    QCOMPARE(events->index(2, EventListModel::TypeColumn).data().toString(), QStringLiteral("tick"));
    QCOMPARE(events->index(1, EventListModel::DataColumn).data().toString(), QStringLiteral("token 1"));
    QCOMPARE(events->index(1, EventListModel::TimeColumn).data().toString(), QStringLiteral("4.000 ms"));

    QSignalSpy reset(events, &QAbstractItemModel::modelReset);
    w.store()->append(eventStreamFlow(6, true));
    w.store()->flush();
    QCOMPARE(events->rowCount(), 6);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(events->index(4, EventListModel::DataColumn).data().toString(), QStringLiteral("token 4\\nsecond line \\x07"));
    pane->eventsPage()->view()->selectRow(4);
    QCOMPARE(pane->eventsPage()->itemText(), QStringLiteral("token 4\nsecond line \\x07"));
    // The Response tab shows the raw stream growing too.
    QVERIFY(pane->responseText().startsWith(QStringLiteral("id: 1\ndata: token 0\n\nid: 2\n")));
    QVERIFY(pane->responseText().contains(QStringLiteral("id: 6\ndata: token 5")));
}

void TestLiveStreams::statisticsCountFlowsOnceFinished()
{
    FlowStore store;
    Model model(&store);
    FlowFilterProxy proxy;
    proxy.setSourceModel(&model);
    FlowStatsEngine engine(&store, &proxy);
    engine.setActive(true);
    Flow done = openFlow(1, 200, 10);
    done.inProgress = false;
    store.append(std::move(done));
    store.append(openFlow(2, 0, 0));
    store.flush();
    engine.waitForIdle();
    QCOMPARE(engine.statistics()->overall.requests, 1u);
    // The open flow finishes by an update alone (no new row): the engine counts it, reading under a pin.
    Flow finished = openFlow(2, 404, 20);
    finished.inProgress = false;
    store.append(std::move(finished));
    store.flush();
    QCOMPARE(store.size(), 2);
    QTRY_COMPARE(engine.statistics()->overall.requests, 2u);
    QCOMPARE(engine.statistics()->overall.errors, 1u);
    QCOMPARE(store.retiredCount(), 0);
}

void TestLiveStreams::screenshot()
{
    MainWindow w;
    QVERIFY(w.loadRawCapture(richCapture(), QStringLiteral("live")));
    StreamBuilder b;
    TestConnection c;
    c.id = 50;
    LiveFeed live;
    b.egress(c, "GET /slow/report HTTP/1.1\r\nHost: api.example.com\r\n\r\n");
    feed(w, live, b);
    w.store()->append(eventStreamFlow(12, true));
    w.store()->append(webSocketFlow(6, true));
    w.store()->flush();
    w.proxy()->waitForIdle();
    w.resize(1280, 720);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.flowView()->selectRow(w.proxy()->rowCount() - 1);
    DetailPane* pane = w.detailPane();
    pane->tabs()->setCurrentWidget(pane->messagesPage());
    pane->messagesPage()->view()->selectRow(0);
    QTest::qWait(50);
    const QPixmap shot = w.grab();
    QStringList dirs { QStringLiteral(HTTPTAP_TEST_OUTPUT_DIR) };
    if (qEnvironmentVariableIntValue("HTTPTAP_UPDATE_SCREENSHOTS"))
        dirs << QStringLiteral(HTTPTAP_SCREENSHOT_DIR);
    for (const QString& dir : dirs)
        QVERIFY2(shot.save(dir + QStringLiteral("/live-messages.png")), qPrintable(dir));
    QCOMPARE(cell(*w.proxy(), w.proxy()->rowCount() - 1, Model::StatusColumn), QStringLiteral("101 · 6 msgs"));
}

QTEST_MAIN(TestLiveStreams)
#include "tst_livestreams.moc"
