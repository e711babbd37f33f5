// SPDX-License-Identifier: GPL-2.0-or-later
// Where a flow's time went: ConnPhase records attached to a connection's first
// flow (later ones reused), the phase arithmetic (flowtimings.h) and its HAR
// and JSONL forms, from canned record streams.
#include "streambuilder.h"

#include "export/harreader.h"
#include "export/harwriter.h"
#include "export/jsonlwriter.h"
#include "dns/dnslookups.h"
#include "flow/flowtimings.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace httptap;
using namespace httptap::test;
using record::ConnPhase;
using record::ConnPhaseKind;

namespace {

constexpr uint64_t kConnectStart = 900'000'000;
constexpr uint64_t kConnectEnd = 905'000'000; // 5 ms TCP
constexpr uint64_t kTlsStart = 905'500'000;
constexpr uint64_t kTlsEnd = 950'000'000; // 44.5 ms handshake

// Two requests on one connection, with its set-up phases, and one request on a
// second connection whose set-up was not observed.
AssemblyResult twoConnections(bool withPhases = true)
{
    StreamBuilder b;
    TestConnection c;
    c.id = 7;
    c.source = record::Source::OpenSsl;
    if (withPhases) {
        b.add(ConnPhase { 7, c.pid, ConnPhaseKind::Connect, kConnectStart, kConnectEnd });
        b.add(ConnPhase { 7, c.pid, ConnPhaseKind::TlsHandshake, kTlsStart, kTlsEnd });
    }
    b.egress(c, "GET /first HTTP/1.1\r\nHost: a.test\r\n\r\n");
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
    b.ingress(c, "ok");
    b.egress(c, "GET /second HTTP/1.1\r\nHost: a.test\r\n\r\n");
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    TestConnection other;
    other.id = 8;
    b.egress(other, "GET /other HTTP/1.1\r\nHost: b.test\r\n\r\n");
    b.ingress(other, "HTTP/1.1 204 No Content\r\n\r\n");
    b.close(c);
    b.close(other);
    return assemble(b.records());
}

// DNS: a query for A and one for AAAA sent together, answered 180 ms later (A first).
constexpr uint64_t kDnsStart = 700'000'000;
constexpr uint64_t kAnswerA = 880'000'000;
constexpr uint64_t kAnswerAaaa = 881'000'000;

// The lookup for api.httptap.test by `pid` (A answer: `a`; AAAA answer: ::1), then the set-up
// and two requests on one connection to 127.0.0.1 from TestConnection's pid.
AssemblyResult resolvedConnection(uint32_t resolverPid = 4242, std::vector<uint8_t> a = { 127, 0, 0, 1 },
    uint64_t answerA = kAnswerA)
{
    StreamBuilder b;
    std::vector<uint8_t> v6(16, 0);
    v6[15] = 1;
    b.add(dnsMessage(kDnsStart, resolverPid, dnsDatagram(0x1111, false, "api.httptap.test", 1, {}), false));
    b.add(dnsMessage(kDnsStart + 1000, resolverPid, dnsDatagram(0x2222, false, "api.httptap.test", 28, {}), false));
    b.add(dnsMessage(answerA, resolverPid, dnsDatagram(0x1111, true, "api.httptap.test", 1, a), true));
    b.add(dnsMessage(kAnswerAaaa, resolverPid, dnsDatagram(0x2222, true, "api.httptap.test", 28, v6), true));
    TestConnection c;
    c.id = 7;
    b.add(ConnPhase { 7, c.pid, ConnPhaseKind::Connect, kConnectStart, kConnectEnd });
    b.egress(c, "GET /first HTTP/1.1\r\nHost: api.httptap.test\r\n\r\n");
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    b.egress(c, "GET /second HTTP/1.1\r\nHost: api.httptap.test\r\n\r\n");
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    b.close(c);
    return assemble(b.records());
}

const Flow& byTarget(const AssemblyResult& r, const QByteArray& target)
{
    for (const Flow& f : r.flows) {
        if (f.request.target == target)
            return f;
    }
    qFatal("no flow for %s", target.constData());
}

} // namespace

class TestFlowTimings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstFlowCarriesSetup()
    {
        const AssemblyResult r = twoConnections();
        QCOMPARE(r.flows.size(), size_t(3));
        const Flow& first = byTarget(r, "/first");
        QCOMPARE(first.setup.connectStartNs, kConnectStart);
        QCOMPARE(first.setup.connectEndNs, kConnectEnd);
        QCOMPARE(first.setup.tlsStartNs, kTlsStart);
        QCOMPARE(first.setup.tlsEndNs, kTlsEnd);
        QVERIFY(!first.setup.reused);

        const Flow& second = byTarget(r, "/second");
        QVERIFY(second.setup.reused);
        QCOMPARE(second.setup.connectStartNs, uint64_t(0));
        QCOMPARE(second.setup.tlsStartNs, uint64_t(0));

        const Flow& other = byTarget(r, "/other");
        QVERIFY(!other.setup.reused);
        QCOMPARE(other.setup.connectStartNs, uint64_t(0));
    }

    void phasesAddUp()
    {
        const AssemblyResult r = twoConnections();
        const Flow& first = byTarget(r, "/first");
        const FlowPhases p = flowPhases(first);
        // StreamBuilder: records 1 µs apart from 1 s on; the phases come first and take no step.
        QCOMPARE(p.tcp, int64_t(kConnectEnd - kConnectStart));
        QCOMPARE(p.ssl, int64_t(kTlsEnd - kTlsStart));
        QCOMPARE(p.connect, int64_t(kTlsEnd - kConnectStart));
        QCOMPARE(p.blocked, int64_t(first.startNs - kTlsEnd));
        QCOMPARE(p.dns, int64_t(-1));
        QCOMPARE(p.send, int64_t(0)); // one write
        QCOMPARE(p.wait, int64_t(first.responseStartNs - first.request.lastByteNs));
        QCOMPARE(p.wait, int64_t(StreamBuilder::kStepNs));
        QCOMPARE(p.receive, int64_t(StreamBuilder::kStepNs)); // head, then body one step later
        QCOMPARE(p.beginNs, kConnectStart);
        QCOMPARE(p.endNs, first.endNs);
        QCOMPARE(uint64_t(p.blocked + p.connect + p.send + p.wait + p.receive), p.totalNs());

        const FlowPhases reused = flowPhases(byTarget(r, "/second"));
        QCOMPARE(reused.connect, int64_t(-1));
        QCOMPARE(reused.ssl, int64_t(-1));
        QCOMPARE(reused.blocked, int64_t(-1));
        QCOMPARE(uint64_t(reused.send + reused.wait + reused.receive), reused.totalNs());
    }

    // Set-up phases that do not lie before the request (a hostile file) are not shown.
    void implausibleSetupIgnored()
    {
        Flow f;
        f.startNs = 1000;
        f.request.lastByteNs = 1000;
        f.endNs = 3000;
        f.setup.connectStartNs = 500;
        f.setup.connectEndNs = 2000; // after the request started
        const FlowPhases p = flowPhases(f);
        QCOMPARE(p.connect, int64_t(-1));
        QCOMPARE(p.beginNs, uint64_t(1000));
        QCOMPARE(p.wait, int64_t(2000));
    }

    void harTimings()
    {
        const AssemblyResult r = twoConnections();
        const CaptureClock clock(0, 1'700'000'000'000'000'000ull);
        const QJsonObject first = harEntry(byTarget(r, "/first"), clock);
        const QJsonObject t = first.value(QStringLiteral("timings")).toObject();
        QCOMPARE(t.value(QStringLiteral("dns")).toDouble(), -1.0);
        QCOMPARE(t.value(QStringLiteral("connect")).toDouble(), 50.0);
        QCOMPARE(t.value(QStringLiteral("ssl")).toDouble(), 44.5);
        QCOMPARE(t.value(QStringLiteral("send")).toDouble(), 0.0);
        QCOMPARE(t.value(QStringLiteral("wait")).toDouble(), 0.001);
        QCOMPARE(t.value(QStringLiteral("receive")).toDouble(), 0.001);
        const double blocked = t.value(QStringLiteral("blocked")).toDouble();
        QVERIFY(blocked >= 0);
        // time is the sum of the phases, ssl excluded (it is part of connect).
        QCOMPARE(first.value(QStringLiteral("time")).toDouble(), blocked + 50.0 + 0.0 + 0.001 + 0.001);
        QCOMPARE(first.value(QStringLiteral("startedDateTime")).toString(), clock.toIsoString(kConnectStart));
        QVERIFY(!first.contains(QStringLiteral("_connectionReused")));

        const QJsonObject second = harEntry(byTarget(r, "/second"), clock);
        const QJsonObject t2 = second.value(QStringLiteral("timings")).toObject();
        for (const char* name : { "blocked", "dns", "connect", "ssl" })
            QCOMPARE(t2.value(QLatin1String(name)).toDouble(), -1.0);
        QVERIFY(second.value(QStringLiteral("_connectionReused")).toBool());
    }

    void harRoundTrip()
    {
        const AssemblyResult r = twoConnections();
        const CaptureClock clock(0, 1'700'000'000'000'000'000ull);
        QList<Flow> flows;
        flows.append(byTarget(r, "/first"));
        flows.append(byTarget(r, "/second"));
        const QByteArray har = QJsonDocument(harDocument(flows, clock)).toJson();
        QString error;
        const auto back = readHar(har, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(back->size(), qsizetype(2));
        const FlowPhases before = flowPhases(flows[0]);
        const FlowPhases after = flowPhases((*back)[0]);
        // HAR keeps milliseconds to the microsecond.
        QCOMPARE(after.connect / 1000, before.connect / 1000);
        QCOMPARE(after.ssl / 1000, before.ssl / 1000);
        QCOMPARE(after.totalNs() / 1000, before.totalNs() / 1000);
        QVERIFY((*back)[1].setup.reused);
    }

    void jsonlTimings()
    {
        const AssemblyResult r = twoConnections();
        const JsonlWriter writer;
        const QJsonObject t = writer.toJson(byTarget(r, "/first")).value(QStringLiteral("timings")).toObject();
        QCOMPARE(t.value(QStringLiteral("tcp_ms")).toDouble(), 5.0);
        QCOMPARE(t.value(QStringLiteral("ssl_ms")).toDouble(), 44.5);
        QCOMPARE(t.value(QStringLiteral("connect_ms")).toDouble(), 50.0);
        QVERIFY(t.value(QStringLiteral("dns_ms")).isNull());
        QCOMPARE(t.value(QStringLiteral("connection_reused")).toBool(), false);
        const double sum = t.value(QStringLiteral("blocked_ms")).toDouble() + t.value(QStringLiteral("connect_ms")).toDouble()
            + t.value(QStringLiteral("send_ms")).toDouble() + t.value(QStringLiteral("wait_ms")).toDouble()
            + t.value(QStringLiteral("receive_ms")).toDouble();
        QVERIFY(qAbs(sum - t.value(QStringLiteral("total_ms")).toDouble()) < 1e-9);

        const QJsonObject t2 = writer.toJson(byTarget(r, "/second")).value(QStringLiteral("timings")).toObject();
        QVERIFY(t2.value(QStringLiteral("connect_ms")).isNull());
        QVERIFY(t2.value(QStringLiteral("ssl_ms")).isNull());
        QCOMPARE(t2.value(QStringLiteral("connection_reused")).toBool(), true);
    }

    // The lookup whose answer carried the remote address, timed from the first of its two queries.
    void dnsMatched()
    {
        const AssemblyResult r = resolvedConnection();
        const Flow& first = byTarget(r, "/first");
        QCOMPARE(first.setup.dnsStartNs, kDnsStart);
        QCOMPARE(first.setup.dnsEndNs, kAnswerA);
        QCOMPARE(first.setup.dnsName, QByteArray("api.httptap.test"));
        const FlowPhases p = flowPhases(first);
        QCOMPARE(p.dns, int64_t(kAnswerA - kDnsStart));
        QCOMPARE(p.dnsToConnect, int64_t(kConnectStart - kAnswerA));
        QCOMPARE(p.blocked, int64_t(kConnectStart - kAnswerA) + int64_t(first.startNs - kConnectEnd));
        QCOMPARE(p.beginNs, kDnsStart);
        QCOMPARE(p.setupStartNs, kConnectStart);
        QCOMPARE(uint64_t(p.blocked + p.dns + p.connect + p.send + p.wait + p.receive), p.totalNs());

        const Flow& second = byTarget(r, "/second");
        QVERIFY(second.setup.reused);
        QCOMPARE(second.setup.dnsStartNs, uint64_t(0));
        QCOMPARE(flowPhases(second).dns, int64_t(-1));
    }

    // No match: the answer named another address, came from another process, or arrived after connect().
    void dnsNotMatched_data()
    {
        QTest::addColumn<uint32_t>("resolverPid");
        QTest::addColumn<QByteArray>("address");
        QTest::addColumn<uint64_t>("answerNs");
        QTest::newRow("other address") << uint32_t(4242) << QByteArray("\x0a\x00\x00\x01", 4) << kAnswerA;
        QTest::newRow("other process") << uint32_t(999) << QByteArray("\x7f\x00\x00\x01", 4) << kAnswerA;
        QTest::newRow("answer after connect") << uint32_t(4242) << QByteArray("\x7f\x00\x00\x01", 4) << kConnectStart + 1;
    }

    void dnsNotMatched()
    {
        QFETCH(uint32_t, resolverPid);
        QFETCH(QByteArray, address);
        QFETCH(uint64_t, answerNs);
        const AssemblyResult r = resolvedConnection(resolverPid, std::vector<uint8_t>(address.begin(), address.end()), answerNs);
        const Flow& first = byTarget(r, "/first");
        QCOMPARE(first.setup.dnsStartNs, uint64_t(0));
        QVERIFY(first.setup.dnsName.isEmpty());
        const FlowPhases p = flowPhases(first);
        QCOMPARE(p.dns, int64_t(-1));
        QCOMPARE(p.beginNs, kConnectStart);
        QCOMPARE(uint64_t(p.blocked + p.connect + p.send + p.wait + p.receive), p.totalNs());
    }

    // A lookup older than the matching window does not count.
    void dnsWindow()
    {
        DnsLookups lookups;
        lookups.add(dnsMessage(1'000, 5, dnsDatagram(1, false, "a.test", 1, {}), false));
        lookups.add(dnsMessage(2'000, 5, dnsDatagram(1, true, "a.test", 1, { 10, 0, 0, 1 }), true));
        const DnsAddress address { 4, { 10, 0, 0, 1 } };
        QVERIFY(lookups.find(5, address, 2'000 + kDnsMatchWindowNs));
        QVERIFY(!lookups.find(5, address, 2'001 + kDnsMatchWindowNs));
        QVERIFY(!lookups.find(5, address, 1'999));
        // An answer with an id nobody asked for is not a lookup.
        lookups.add(dnsMessage(3'000, 5, dnsDatagram(2, true, "a.test", 1, { 10, 0, 0, 2 }), true));
        QVERIFY(!lookups.find(5, DnsAddress { 4, { 10, 0, 0, 2 } }, 4'000));
        lookups.forgetProcess(5);
        QVERIFY(!lookups.find(5, address, 3'000));
    }

    // Bounded: a process's oldest lookups give way to new ones.
    void dnsLookupsBounded()
    {
        DnsLookups lookups;
        for (uint16_t i = 0; i < kMaxLookupsPerProcess + 10; ++i) {
            const QByteArray name = "n" + QByteArray::number(i) + ".test";
            lookups.add(dnsMessage(1'000 + i * 10, 5, dnsDatagram(i, false, name.constData(), 1, {}), false));
            lookups.add(dnsMessage(1'005 + i * 10, 5, dnsDatagram(i, true, name.constData(), 1, { 10, 0, uint8_t(i >> 8), uint8_t(i) }), true));
        }
        QVERIFY(!lookups.find(5, DnsAddress { 4, { 10, 0, 0, 0 } }, 100'000));
        const auto last = lookups.find(5, DnsAddress { 4, { 10, 0, 0, uint8_t(kMaxLookupsPerProcess + 9) } }, 100'000);
        QVERIFY(last);
        QCOMPARE(last->name, "n" + QByteArray::number(int(kMaxLookupsPerProcess + 9)) + ".test");
    }

    void dnsInExports()
    {
        const AssemblyResult r = resolvedConnection();
        const Flow& first = byTarget(r, "/first");
        const CaptureClock clock(0, 1'700'000'000'000'000'000ull);
        const QJsonObject entry = harEntry(first, clock);
        const QJsonObject t = entry.value(QStringLiteral("timings")).toObject();
        QCOMPARE(t.value(QStringLiteral("dns")).toDouble(), 180.0);
        QCOMPARE(entry.value(QStringLiteral("_dnsName")).toString(), QStringLiteral("api.httptap.test"));
        QCOMPARE(entry.value(QStringLiteral("startedDateTime")).toString(), clock.toIsoString(kDnsStart));
        double sum = 0;
        for (const char* name : { "blocked", "dns", "connect", "send", "wait", "receive" })
            sum += t.value(QLatin1String(name)).toDouble();
        QVERIFY(qAbs(sum - entry.value(QStringLiteral("time")).toDouble()) < 1e-6);

        const JsonlWriter writer;
        const QJsonObject j = writer.toJson(first).value(QStringLiteral("timings")).toObject();
        QCOMPARE(j.value(QStringLiteral("dns_ms")).toDouble(), 180.0);
        QCOMPARE(j.value(QStringLiteral("dns_name")).toString(), QStringLiteral("api.httptap.test"));
        // The line httptap-record writes (formatted straight into bytes) says the same.
        const QJsonObject line = QJsonDocument::fromJson(writer.line(first)).object().value(QStringLiteral("timings")).toObject();
        QCOMPARE(line, j);
        QVERIFY(writer.toJson(byTarget(r, "/second")).value(QStringLiteral("timings")).toObject().value(QStringLiteral("dns_name")).isNull());

        QList<Flow> flows { first };
        QString error;
        const auto back = readHar(QJsonDocument(harDocument(flows, clock)).toJson(), &error);
        QVERIFY2(back, qPrintable(error));
        const FlowPhases before = flowPhases(first);
        const FlowPhases after = flowPhases((*back)[0]);
        QCOMPARE(after.dns / 1000, before.dns / 1000);
        QCOMPARE(after.totalNs() / 1000, before.totalNs() / 1000);
        QCOMPARE((*back)[0].setup.dnsName, QByteArray("api.httptap.test"));
    }

    // Without ConnPhase records (--no-timing, older producers) nothing changes but the reused mark.
    void withoutPhases()
    {
        const AssemblyResult r = twoConnections(false);
        const Flow& first = byTarget(r, "/first");
        QCOMPARE(flowPhases(first).connect, int64_t(-1));
        QCOMPARE(flowPhases(first).beginNs, first.startNs);
        QVERIFY(byTarget(r, "/second").setup.reused);
    }
};

QTEST_GUILESS_MAIN(TestFlowTimings)
#include "tst_flowtimings.moc"
