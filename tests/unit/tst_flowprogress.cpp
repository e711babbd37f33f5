// SPDX-License-Identifier: GPL-2.0-or-later
// FlowAssembler's progress sink from hand-built record streams: open flows
// reported once their request is known and again as they move on, growth
// throttled per flow in capture time, flushProgress() and other connections'
// records reporting what had to wait, the finished flow unchanged by it, and
// when each body chunk arrived.

#include "h2builder.h"
#include "streambuilder.h"

#include <QTest>

using namespace httptap;
using namespace httptap::test;

namespace {

// Ten records of the builder's clock: the throttle interval of these tests.
constexpr uint64_t kInterval = 10 * StreamBuilder::kStepNs;

struct Observed {
    std::vector<Flow> progress;
    std::vector<Flow> finished;
};

// Runs records through an assembler with a progress sink; `afterRecord` may poke it between records.
Observed run(const std::vector<record::Record>& records, bool finish = true,
    const std::function<void(FlowAssembler&, size_t)>& afterRecord = {})
{
    Observed o;
    FlowAssembler assembler([&o](Flow&& f) { o.finished.push_back(std::move(f)); });
    assembler.setProgressSink([&o](const Flow& f) { o.progress.push_back(f); }, kInterval);
    for (size_t i = 0; i < records.size(); ++i) {
        assembler.add(records[i]);
        if (afterRecord)
            afterRecord(assembler, i);
    }
    if (finish)
        assembler.finish();
    return o;
}

QByteArray describeAll(const std::vector<Flow>& flows)
{
    QByteArray out;
    for (const Flow& f : flows) {
        out += describe(f);
        for (const HttpMessage* m : { &f.request, &f.response }) {
            out += "  arrivals " + QByteArray::number(m->bodyArrivals().size()) + (m->bodyArrivalsCapped() ? " capped" : "");
            for (const BodyArrival& a : m->bodyArrivals())
                out += ' ' + QByteArray::number(a.timestampNs) + ':' + QByteArray::number(a.bytes);
            out += '\n';
        }
        out += "  grpc " + QByteArray::number(f.grpc().responseMessages.size()) + " decoded "
            + f.response.decodedBody().toHex() + (f.inProgress ? " open\n" : "\n");
    }
    return out;
}

// What the same records give without a progress sink.
QByteArray withoutSink(const std::vector<record::Record>& records) { return describeAll(assemble(records).flows); }

const QByteArray kGet = "GET /live HTTP/1.1\r\nHost: example.test\r\n\r\n";

// A WebSocket frame with a payload under 126 bytes; the client's are masked (RFC 6455 5.3).
QByteArray wsFrame(uint8_t opcode, const QByteArray& payload, bool fromClient)
{
    static const char kMask[4] = { 0x11, 0x22, 0x33, 0x44 };
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

void chunkedResponse(StreamBuilder& b, TestConnection& c, int chunks)
{
    b.egress(c, kGet);
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < chunks; ++i)
        b.ingress(c, "6\r\ndata:" + QByteArray::number(i % 10) + "\r\n");
    b.ingress(c, "0\r\n\r\n");
}

} // namespace

class TestFlowProgress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestWithoutResponseIsOnePendingSnapshot()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        Observed o = run(b.records(), false);
        QCOMPARE(o.progress.size(), size_t(1));
        QCOMPARE(o.finished.size(), size_t(0));
        const Flow& pending = o.progress[0];
        QVERIFY(pending.inProgress);
        QCOMPARE(pending.id, 1u);
        QCOMPARE(pending.request.method, QByteArray("GET"));
        QCOMPARE(pending.request.target, QByteArray("/live"));
        QVERIFY(pending.request.complete);
        QVERIFY(!pending.hasResponse);
        QCOMPARE(pending.httpVersion, QByteArray("HTTP/1.1"));
        QCOMPARE(pending.url(), QStringLiteral("http://example.test/live"));

        // Its response completes it: one more record, the finished flow with the same id.
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        o = run(b.records(), false);
        QCOMPARE(o.progress.size(), size_t(1));
        QCOMPARE(o.finished.size(), size_t(1));
        QCOMPARE(o.finished[0].id, 1u);
        QVERIFY(!o.finished[0].inProgress);
        QCOMPARE(o.finished[0].response.status, 200);
        QCOMPARE(o.finished[0].response.body, QByteArray("ok"));
    }

    void closeWithoutResponseFinishesIt()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        b.close(c);
        const Observed o = run(b.records(), false);
        QCOMPARE(o.progress.size(), size_t(1));
        QCOMPARE(o.finished.size(), size_t(1));
        QCOMPARE(o.finished[0].id, o.progress[0].id);
        QVERIFY(o.finished[0].incomplete);
        QVERIFY(o.finished[0].notes.contains(QStringLiteral("connection closed before a response")));
    }

    void exchangeInOneGoIsNeverReportedOpen()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        b.ingress(c, "HTTP/1.1 204 No Content\r\n\r\n");
        const Observed o = run(b.records());
        // The request alone was reported, the finished exchange was not.
        QCOMPARE(o.progress.size(), size_t(1));
        QVERIFY(!o.progress[0].hasResponse);
        QCOMPARE(o.finished.size(), size_t(1));
    }

    void streamedResponseIsThrottled()
    {
        StreamBuilder b;
        TestConnection c;
        constexpr int kChunks = 1000;
        chunkedResponse(b, c, kChunks);
        const Observed o = run(b.records());
        QCOMPARE(o.finished.size(), size_t(1));
        // The request, the response head, then at most one per interval of the 1000 chunk records.
        QVERIFY2(o.progress.size() >= 2 + kChunks / 10 - 1, QByteArray::number(o.progress.size()).constData());
        QVERIFY2(o.progress.size() <= 2 + kChunks / 10 + 1, QByteArray::number(o.progress.size()).constData());
        QVERIFY(!o.progress[0].hasResponse);
        QCOMPARE(o.progress[1].response.status, 200);
        QCOMPARE(o.progress[1].response.bodySize, 0u);
        uint64_t previous = 0;
        for (size_t i = 1; i < o.progress.size(); ++i) {
            const Flow& f = o.progress[i];
            QVERIFY(f.inProgress);
            QCOMPARE(f.id, 1u);
            QVERIFY(!f.response.complete);
            QVERIFY(f.response.bodySize >= previous);
            QCOMPARE(f.response.body.size(), qsizetype(f.response.bodySize));
            if (i > 1)
                QVERIFY(f.response.body.startsWith("data:0data:1"));
            previous = f.response.bodySize;
        }
        QVERIFY(previous >= uint64_t(kChunks - 10) * 6);
        const Flow& done = o.finished[0];
        QCOMPARE(done.response.bodySize, uint64_t(kChunks) * 6);
        QVERIFY(done.response.complete);
        QCOMPARE(done.response.bodyArrivals().size(), qsizetype(kChunks));
        QVERIFY(!done.response.bodyArrivalsCapped());
        QCOMPARE(done.response.bodyArrivals()[0].timestampNs, StreamBuilder::kStartNs + 2 * StreamBuilder::kStepNs);
        QCOMPARE(done.response.bodyArrivals()[0].bytes, 6u);
        QCOMPARE(done.response.bodyArrivals()[999].timestampNs, StreamBuilder::kStartNs + 1001 * StreamBuilder::kStepNs);
        QCOMPARE(describeAll(o.finished), withoutSink(b.records()));
    }

    void arrivalsAreBounded()
    {
        StreamBuilder b;
        TestConnection c;
        chunkedResponse(b, c, 1500);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QCOMPARE(r.flows[0].response.bodySize, 9000u);
        QCOMPARE(r.flows[0].response.bodyArrivals().size(), HttpMessage::kMaxBodyArrivals);
        QVERIFY(r.flows[0].response.bodyArrivalsCapped());
        // A body that came in one record lists nothing: firstByteNs says it all.
        StreamBuilder one;
        TestConnection c1;
        one.egress(c1, kGet);
        one.ingress(c1, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        QVERIFY(assemble(one.records()).flows[0].response.bodyArrivals().isEmpty());
    }

    void flushProgressReportsWhatWaited()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
        b.ingress(c, "0123456789");
        b.ingress(c, "abcdefghij");
        const Observed quiet = run(b.records(), false);
        // The request and the response head; the body bytes wait for their interval.
        QCOMPARE(quiet.progress.size(), size_t(2));
        QCOMPARE(quiet.progress.back().response.bodySize, 0u);
        const Observed flushed = run(b.records(), false, [&](FlowAssembler& a, size_t i) {
            if (i + 1 == b.records().size())
                a.flushProgress();
        });
        QCOMPARE(flushed.progress.size(), size_t(3));
        QCOMPARE(flushed.progress.back().response.body, QByteArray("0123456789abcdefghij"));
        QCOMPARE(flushed.finished.size(), size_t(0));
    }

    void otherConnectionsRecordsReportWhatWaited()
    {
        StreamBuilder b;
        TestConnection c;
        TestConnection other;
        other.id = 2;
        other.local.port = 40001;
        b.egress(c, kGet);
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
        b.ingress(c, "0123456789");
        // Nothing more on c; twenty records on another connection move the clock on.
        for (int i = 0; i < 20; ++i)
            b.egress(other, "GET /x" + QByteArray::number(i) + " HTTP/1.1\r\nHost: b\r\n\r\n");
        const Observed o = run(b.records(), false);
        std::vector<const Flow*> ofFirst;
        for (const Flow& f : o.progress) {
            if (f.id == 1)
                ofFirst.push_back(&f);
        }
        QCOMPARE(ofFirst.size(), size_t(3));
        QCOMPARE(ofFirst.back()->response.body, QByteArray("0123456789"));
    }

    void finishedFlowsUnchangedByProgress()
    {
        // A keep-alive conversation with a chunked response, a 100-continue and pipelining, cut into small pieces.
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        b.ingress(c, "HTTP/1.1 100 Continue\r\n\r\n");
        b.egress(c, "abc");
        b.ingress(c, "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\nX-T: 1\r\n\r\n");
        b.egress(c, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo");
        b.egress(c, kGet);
        const std::vector<record::Record> records = rechunk(b.records(), 7);
        const Observed o = run(records);
        QCOMPARE(o.finished.size(), size_t(4));
        QCOMPARE(describeAll(o.finished), withoutSink(records));
        // Every flow was seen open first, under the id it finished with.
        for (const Flow& f : o.finished) {
            const auto seen = std::find_if(
                o.progress.begin(), o.progress.end(), [&f](const Flow& p) { return p.id == f.id && p.inProgress; });
            QVERIFY2(seen != o.progress.end(), QByteArray::number(f.id).constData());
        }
    }

    void http2StreamProgress()
    {
        StreamBuilder b;
        TestConnection c;
        c.source = record::Source::OpenSsl;
        c.remote.port = 443;
        H2Peer p;
        b.egress(c, h2::preface() + h2::settings());
        b.ingress(c, h2::settings());
        b.egress(c, p.request(1, getRequest("/events"), true));
        b.ingress(c, p.response(1, { { ":status", "200" }, { "content-type", "text/event-stream" } }, false));
        for (int i = 0; i < 100; ++i)
            b.ingress(c, h2::data(1, "data: " + QByteArray::number(i) + "\n\n", false));
        b.egress(c, p.request(3, getRequest("/other"), true));
        const Observed open = run(b.records(), false);
        QCOMPARE(open.finished.size(), size_t(0));
        QVERIFY(open.progress.size() >= 2 + 100 / 10 - 1);
        QVERIFY(open.progress.size() <= 3 + 100 / 10 + 1);
        const Flow& first = open.progress[0];
        QCOMPARE(first.streamId, 1u);
        QCOMPARE(first.httpVersion, QByteArray("HTTP/2"));
        QCOMPARE(first.request.target, QByteArray("/events"));
        QVERIFY(!first.hasResponse);
        QCOMPARE(open.progress[1].response.status, 200);
        QCOMPARE(open.progress.back().streamId, 3u);
        QVERIFY(!open.progress.back().hasResponse);

        b.ingress(c, h2::data(1, "", true));
        b.ingress(c, p.response(3, { { ":status", "404" } }, true));
        const Observed done = run(b.records());
        QCOMPARE(done.finished.size(), size_t(2));
        QCOMPARE(done.finished[0].response.bodyArrivals().size(), 100);
        QCOMPARE(done.finished[0].response.bodyArrivals()[0].bytes, 9u);
        QCOMPARE(describeAll(done.finished), withoutSink(b.records()));
    }

    void webSocketStaysOpenWhileMessagesGrow()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "GET /chat HTTP/1.1\r\nHost: example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        b.ingress(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
        for (int i = 0; i < 50; ++i) {
            if (i % 2 == 0)
                b.egress(c, wsFrame(0x1, "ask " + QByteArray::number(i), true));
            else
                b.ingress(c, wsFrame(0x1, "answer " + QByteArray::number(i), false));
        }
        const Observed open = run(b.records(), false);
        QCOMPARE(open.finished.size(), size_t(0));
        // Request, 101, then the messages at most once per interval (50 records: about 5).
        QVERIFY2(open.progress.size() >= 2 + 50 / 10 - 1, QByteArray::number(open.progress.size()).constData());
        QVERIFY2(open.progress.size() <= 2 + 50 / 10 + 1, QByteArray::number(open.progress.size()).constData());
        QCOMPARE(open.progress[1].response.status, 101);
        QVERIFY(open.progress[1].webSocket);
        const Flow& latest = open.progress.back();
        QVERIFY(latest.inProgress);
        QVERIFY(latest.webSocketMessages().size() >= 40);
        QCOMPARE(latest.webSocketMessages()[0].data, QByteArray("ask 0"));
        QVERIFY(latest.webSocketMessages()[0].fromClient);
        QCOMPARE(latest.webSocketMessages()[1].data, QByteArray("answer 1"));

        b.close(c);
        const Observed done = run(b.records(), false);
        QCOMPARE(done.finished.size(), size_t(1));
        QCOMPARE(done.finished[0].id, done.progress[0].id);
        QCOMPARE(done.finished[0].webSocketMessages().size(), 50);
        QVERIFY(!done.finished[0].inProgress);
        QCOMPARE(describeAll(done.finished), withoutSink(b.records()));
    }

    void snapshotDecodesSmallBodiesWithoutNotes()
    {
        // gRPC server streaming: messages listed while the stream is open.
        StreamBuilder b;
        TestConnection c;
        H2Peer p;
        b.egress(c, h2::preface() + h2::settings());
        HeaderList call = { { ":method", "POST" }, { ":scheme", "http" }, { ":authority", "g.test" },
            { ":path", "/demo.Feed/Watch" }, { "content-type", "application/grpc" } };
        b.egress(c, p.request(1, call, false) + h2::data(1, h2::grpcMessage("sub"), true));
        b.ingress(c, p.response(1, { { ":status", "200" }, { "content-type", "application/grpc" } }, false));
        for (int i = 0; i < 30; ++i)
            b.ingress(c, h2::data(1, h2::grpcMessage("tick" + QByteArray::number(i)), false));
        const Observed o = run(b.records(), false, [](FlowAssembler& a, size_t) { a.flushProgress(); });
        const Flow& last = o.progress.back();
        QVERIFY(last.inProgress);
        QVERIFY(last.grpc().isGrpc);
        QCOMPARE(last.grpc().requestMessages.size(), 1);
        QCOMPARE(last.grpc().responseMessages.size(), 30);
        QCOMPARE(last.grpc().responseMessages[29].data, QByteArray("tick29"));
        QVERIFY(last.notes.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestFlowProgress)
#include "tst_flowprogress.moc"
