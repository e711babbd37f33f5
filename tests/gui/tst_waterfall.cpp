// SPDX-License-Identifier: GPL-2.0-or-later
// The Waterfall column and the Timing tab (issue 12), offscreen, from a
// canned capture with kernel-timed set-up phases: the column's axis spans the
// visible rows and its bars use the phases' colours; the Timing tab lists
// each phase with its duration, and "connection reused" for later flows.
#include "detailpane.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"
#include "phasesegments.h"
#include "streambuilder.h"
#include "timingview.h"
#include "waterfalldelegate.h"

#include <QApplication>
#include <QHeaderView>
#include <QImage>
#include <QTableView>
#include <QTest>

using namespace httptap;
using namespace httptap::test;
using record::ConnPhase;
using record::ConnPhaseKind;

namespace {

constexpr uint64_t kConnectStart = 900'000'000;
constexpr uint64_t kConnectEnd = 905'000'000;
constexpr uint64_t kTlsStart = 905'500'000;
constexpr uint64_t kTlsEnd = 950'000'000;

std::vector<Flow> keepAliveFlows()
{
    StreamBuilder b;
    TestConnection c;
    c.source = record::Source::OpenSsl;
    b.add(ConnPhase { c.id, c.pid, ConnPhaseKind::Connect, kConnectStart, kConnectEnd });
    b.add(ConnPhase { c.id, c.pid, ConnPhaseKind::TlsHandshake, kTlsStart, kTlsEnd });
    b.egress(c, "GET /first HTTP/1.1\r\nHost: a.test\r\n\r\n");
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    b.egress(c, "GET /second HTTP/1.1\r\nHost: a.test\r\n\r\n");
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    b.close(c);
    return assemble(b.records()).flows;
}

// A lookup of api.httptap.test (180 ms), then the same set-up and one request to its address.
constexpr uint64_t kDnsStart = 700'000'000;
constexpr uint64_t kDnsEnd = 880'000'000;

std::vector<Flow> resolvedFlow()
{
    StreamBuilder b;
    TestConnection c;
    c.source = record::Source::OpenSsl;
    b.add(dnsMessage(kDnsStart, c.pid, dnsDatagram(1, false, "api.httptap.test", 1, {}), false));
    b.add(dnsMessage(kDnsEnd, c.pid, dnsDatagram(1, true, "api.httptap.test", 1, { 127, 0, 0, 1 }), true));
    b.add(ConnPhase { c.id, c.pid, ConnPhaseKind::Connect, kConnectStart, kConnectEnd });
    b.add(ConnPhase { c.id, c.pid, ConnPhaseKind::TlsHandshake, kTlsStart, kTlsEnd });
    b.egress(c, "GET /first HTTP/1.1\r\nHost: api.httptap.test\r\n\r\n");
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    b.close(c);
    return assemble(b.records()).flows;
}

} // namespace

class TestWaterfall : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void columnPaintsPhasesOnVisibleRange()
    {
        FlowStore store;
        FlowTableModel model(&store);
        for (Flow& f : keepAliveFlows())
            store.append(std::move(f));
        store.flush();
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.headerData(FlowTableModel::WaterfallColumn, Qt::Horizontal).toString(), QStringLiteral("Waterfall"));
        QVERIFY(model.index(0, FlowTableModel::WaterfallColumn).data().toString().isEmpty());
        const QString tip = model.index(0, FlowTableModel::WaterfallColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("Initial connection: 5 ms\nSSL: ")), qPrintable(tip));
        QVERIFY2(model.index(1, FlowTableModel::WaterfallColumn).data(Qt::ToolTipRole).toString().contains(
                     QStringLiteral("Connection reused")), qPrintable(tip));

        QTableView view;
        view.setModel(&model);
        view.resize(900, 200);
        for (int c = 0; c < FlowTableModel::WaterfallColumn; ++c)
            view.setColumnHidden(c, c != FlowTableModel::NameColumn);
        view.horizontalHeader()->resizeSection(FlowTableModel::WaterfallColumn, 400);
        auto* delegate = new WaterfallDelegate(&view, FlowTableModel::WaterfallColumn, &store);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_COMPARE(delegate->rangeStartNs(), kConnectStart);
        QCOMPARE(delegate->rangeEndNs(), store.at(1).endNs);

        // The first row's bar starts with the orange TCP connect and holds the purple TLS handshake.
        const QImage image = view.viewport()->grab().toImage();
        const QRect cell = view.visualRect(model.index(0, FlowTableModel::WaterfallColumn));
        const int y = cell.center().y();
        bool orange = false, purple = false;
        for (int x = cell.left(); x <= cell.right(); ++x) {
            const QColor c = image.pixelColor(x, y);
            orange |= c == QColor(0xf0, 0x9a, 0x2c);
            purple |= c == QColor(0xa8, 0x5c, 0xd6);
        }
        QVERIFY(orange);
        QVERIFY(purple);
        // The reused connection's row has no set-up colours.
        const QRect cell2 = view.visualRect(model.index(1, FlowTableModel::WaterfallColumn));
        for (int x = cell2.left(); x <= cell2.right(); ++x) {
            const QColor c = image.pixelColor(x, cell2.center().y());
            QVERIFY(c != QColor(0xa8, 0x5c, 0xd6) && c != QColor(0xf0, 0x9a, 0x2c));
        }
    }

    // The DNS lookup comes first, in teal; the wait between its answer and connect() is not a segment.
    void dnsLookupShown()
    {
        const std::vector<Flow> flows = resolvedFlow();
        QCOMPARE(flows.size(), size_t(1));
        DetailPane pane;
        pane.setFlow(&flows[0]);
        auto* chart = pane.findChild<TimingView*>(QStringLiteral("timingView"));
        QVERIFY(chart);
        QStringList names;
        for (const PhaseSegment& s : chart->segments())
            names << s.name;
        QCOMPARE(names, QStringList({ "DNS lookup", "Initial connection", "SSL", "Stalled", "Request sent",
                            "Waiting for server response", "Content download" }));
        const PhaseSegment& dns = chart->segments()[0];
        QCOMPARE(dns.fromNs, kDnsStart);
        QCOMPARE(dns.toNs, kDnsEnd);
        QCOMPARE(dns.color, QColor(0x1f, 0xa3, 0x9a));
        QCOMPARE(chart->segments()[1].fromNs, kConnectStart);
        QCOMPARE(chart->segments()[3].fromNs, kTlsEnd); // stalled: after set-up only
        QCOMPARE(chart->segments()[3].toNs, flows[0].startNs);
        QVERIFY2(pane.timingText().contains(QStringLiteral("DNS lookup (api.httptap.test): 180.000 ms\n")),
            qPrintable(pane.timingText()));

        FlowStore store;
        FlowTableModel model(&store);
        for (const Flow& f : flows)
            store.append(Flow(f));
        store.flush();
        const QString tip = model.index(0, FlowTableModel::WaterfallColumn).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("DNS lookup: 180 ms\nInitial connection: 5 ms\n")), qPrintable(tip));
    }

    void timingTabListsPhases()
    {
        const std::vector<Flow> flows = keepAliveFlows();
        DetailPane pane;
        pane.setFlow(&flows[0]);
        auto* chart = pane.findChild<TimingView*>(QStringLiteral("timingView"));
        QVERIFY(chart);
        QStringList names;
        for (const PhaseSegment& s : chart->segments())
            names << s.name;
        QCOMPARE(names, QStringList({ "Initial connection", "SSL", "Stalled", "Request sent",
                            "Waiting for server response", "Content download" }));
        QCOMPARE(chart->segments()[0].toNs - chart->segments()[0].fromNs, kConnectEnd - kConnectStart);
        QCOMPARE(chart->segments()[1].fromNs, kTlsStart);
        QCOMPARE(chart->segments()[1].toNs, kTlsEnd);
        QVERIFY2(pane.timingText().contains(QStringLiteral("Initial connection (TCP): 5.000 ms\n")), qPrintable(pane.timingText()));
        QVERIFY(pane.timingText().contains(QStringLiteral("SSL handshake: 44.500 ms\n")));
        QVERIFY(!pane.timingText().contains(QStringLiteral("Connection reused")));

        pane.setFlow(&flows[1]);
        QVERIFY(pane.timingText().contains(QStringLiteral("Connection reused")));
        QCOMPARE(chart->segments().front().name, QStringLiteral("Request sent"));
        QVERIFY(pane.timingText().contains(QStringLiteral("SSL handshake: —\n")));
    }
};

QTEST_MAIN(TestWaterfall)
#include "tst_waterfall.moc"
