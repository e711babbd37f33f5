// SPDX-License-Identifier: GPL-2.0-or-later
// Server-Sent Events: the WHATWG examples and rules (multi-line data, ids kept
// and cleared, comments, CR/LF/CRLF line ends split anywhere, a BOM, retry,
// an unterminated last event), bounds, lost bytes, and event streams through
// the assembler: chunked HTTP/1.1 with each event's arrival time, gzip-encoded
// (parsed when the flow leaves), and HTTP/2.

#include "h2builder.h"
#include "streambuilder.h"
#include "zlibencode.h"

#include "http/mediatype.h"
#include "http/sseparser.h"

#include <QTest>

using namespace httptap;
using namespace httptap::test;

namespace {

QByteArray describeEvents(const QList<ServerSentEvent>& events)
{
    QByteArray out;
    for (const ServerSentEvent& e : events) {
        out += "[id '" + e.id + "' event '" + e.event + "' retry " + QByteArray::number(e.retryMs) + " data '" + e.data
            + "']";
    }
    return out;
}

// Fed one byte at a time and whole: both must give `expected`.
void checkStream(const QByteArray& stream, const QByteArray& expected)
{
    QCOMPARE(describeEvents(SseParser::parseAll(stream, 1)), expected);
    QList<ServerSentEvent> bytewise;
    SseParser parser([&bytewise](ServerSentEvent&& e) { bytewise.append(std::move(e)); });
    for (char c : stream)
        parser.feed(&c, 1, 1);
    QCOMPARE(describeEvents(bytewise), expected);
}

} // namespace

class TestSseParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eventStreamTypes_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<bool>("eventStream");
        QTest::newRow("plain") << QByteArray("text/event-stream") << true;
        QTest::newRow("case") << QByteArray("Text/Event-STREAM") << true;
        QTest::newRow("parameters") << QByteArray("text/event-stream; charset=utf-8") << true;
        QTest::newRow("blanks") << QByteArray(" \ttext/event-stream ;charset=utf-8") << true;
        QTest::newRow("trailing blank") << QByteArray("text/event-stream ") << true;
        QTest::newRow("empty") << QByteArray() << false;
        QTest::newRow("json") << QByteArray("application/json") << false;
        QTest::newRow("html with parameters") << QByteArray("text/html; charset=utf-8") << false;
        QTest::newRow("one short") << QByteArray("text/event-strea") << false;
        QTest::newRow("one long") << QByteArray("text/event-streams") << false;
        QTest::newRow("prefixed") << QByteArray("xtext/event-stream") << false;
        QTest::newRow("blanks only") << QByteArray("                    ") << false;
    }

    void eventStreamTypes()
    {
        // The one event-stream test (Flow::isEventStream, HTTP/1 and HTTP/2 all use it).
        QFETCH(QByteArray, contentType);
        QFETCH(bool, eventStream);
        QCOMPARE(isEventStreamType(contentType), eventStream);
    }

    void whatwgRules_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("multi-line data") << QByteArray("data: YHOO\ndata: +2\ndata: 10\n\n")
                                         << QByteArray("[id '' event '' retry -1 data 'YHOO\n+2\n10']");
        QTest::newRow("ids and comments")
            << QByteArray(": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n")
            << QByteArray("[id '1' event '' retry -1 data 'first event'][id '' event '' retry -1 data 'second event']"
                          "[id '' event '' retry -1 data ' third event']");
        QTest::newRow("empty data and unterminated last")
            << QByteArray("data\n\ndata\ndata\n\ndata:") << QByteArray("[id '' event '' retry -1 data '']"
                                                                       "[id '' event '' retry -1 data '\n']");
        QTest::newRow("one space removed") << QByteArray("data:test\n\ndata: test\n\n")
                                           << QByteArray("[id '' event '' retry -1 data 'test'][id '' event '' retry -1 data 'test']");
        QTest::newRow("CRLF and CR") << QByteArray("event: tick\r\ndata: a\r\rdata: b\r\n\r\n")
                                     << QByteArray("[id '' event 'tick' retry -1 data 'a'][id '' event '' retry -1 data 'b']");
        QTest::newRow("BOM") << QByteArray("\xef\xbb\xbf" "data: after bom\n\n")
                             << QByteArray("[id '' event '' retry -1 data 'after bom']");
        QTest::newRow("retry") << QByteArray("retry: 2500\ndata: x\n\nretry: soon\ndata: y\n\n")
                               << QByteArray("[id '' event '' retry 2500 data 'x'][id '' event '' retry -1 data 'y']");
        static const char withNul[] = "id: 7\ndata: a\n\nid: b\0ad\ndata: b\n\n";
        QTest::newRow("id kept, NUL ignored") << QByteArray(withNul, sizeof(withNul) - 1)
                                              << QByteArray("[id '7' event '' retry -1 data 'a'][id '7' event '' retry -1 data 'b']");
        QTest::newRow("event without data is dropped") << QByteArray("event: lonely\n\ndata: z\n\n")
                                                       << QByteArray("[id '' event '' retry -1 data 'z']");
        QTest::newRow("unknown fields") << QByteArray("foo: bar\ndata: q\nDATA: no\n\n")
                                        << QByteArray("[id '' event '' retry -1 data 'q']");
    }

    void whatwgRules()
    {
        QFETCH(QByteArray, stream);
        QFETCH(QByteArray, expected);
        checkStream(stream, expected);
    }

    void linesAndDataAreBounded()
    {
        const QByteArray longLine = "data: " + QByteArray(SseParser::kMaxLineBytes + 100, 'l') + "\n\n";
        const QList<ServerSentEvent> events = SseParser::parseAll(longLine, 1);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].data.size(), SseParser::kMaxLineBytes - 6);
    }

    void lostBytesResumeAfterTheNextBlankLine()
    {
        QList<ServerSentEvent> events;
        SseParser parser([&events](ServerSentEvent&& e) { events.append(std::move(e)); });
        parser.feed(QByteArray("data: one\n\ndata: tw"), 1);
        parser.gap();
        parser.feed(QByteArray("o, cut\n\ndata: three\n\n"), 2);
        QCOMPARE(describeEvents(events), QByteArray("[id '' event '' retry -1 data 'one'][id '' event '' retry -1 data 'three']"));
        QCOMPARE(events[1].timeNs, uint64_t(2));
    }

    void chunkedResponseThroughTheAssembler()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "GET /events HTTP/1.1\r\nHost: example.test\r\nAccept: text/event-stream\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n");
        const uint64_t firstChunkNs = b.now();
        b.ingress(c, "e\r\nid: 1\ndata: a\n\r\n"); // the event is not complete: no blank line yet
        const uint64_t completingNs = b.now();
        b.ingress(c, "1\r\n\n\r\n");
        b.ingress(c, "20\r\n: keep-alive\nevent: up\ndata: b\n\n\r\n0\r\n\r\n");
        const uint64_t lastNs = b.now() - StreamBuilder::kStepNs;
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        const Flow& f = r.flows[0];
        QVERIFY(f.isEventStream());
        QCOMPARE(describeEvents(f.serverSentEvents()),
            QByteArray("[id '1' event '' retry -1 data 'a'][id '1' event 'up' retry -1 data 'b']"));
        QVERIFY(f.serverSentEvents()[0].timeNs > firstChunkNs);
        QCOMPARE(f.serverSentEvents()[0].timeNs, completingNs);
        QCOMPARE(f.serverSentEvents()[1].timeNs, lastNs);
        // Any record boundary gives the same events.
        for (size_t piece : { 1, 3, 7 }) {
            const AssemblyResult cut = assemble(rechunk(b.records(), piece));
            QCOMPARE(describeEvents(cut.flows[0].serverSentEvents()), describeEvents(f.serverSentEvents()));
        }
    }

    void gzipEncodedStreamIsParsedWhenTheFlowLeaves()
    {
        StreamBuilder b;
        TestConnection c;
        const QByteArray body = gzipEncode("data: zipped\n\nevent: two\ndata: x\ndata: y\n\n");
        b.egress(c, "GET /events HTTP/1.1\r\nHost: example.test\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip\r\nContent-Length: "
                + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(describeEvents(r.flows[0].serverSentEvents()),
            QByteArray("[id '' event '' retry -1 data 'zipped'][id '' event 'two' retry -1 data 'x\ny']"));
        QCOMPARE(r.flows[0].serverSentEvents()[0].timeNs, r.flows[0].response.lastByteNs);
    }

    void otherTypesAreNotParsed()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "GET /x HTTP/1.1\r\nHost: example.test\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\ndata: a\n\n");
        const AssemblyResult r = assemble(b.records());
        QVERIFY(!r.flows[0].isEventStream());
        QVERIFY(r.flows[0].serverSentEvents().isEmpty());
    }

    void http2DataFrames()
    {
        StreamBuilder b;
        TestConnection c;
        H2Peer p;
        b.egress(c, h2::preface() + h2::settings() + p.request(1, getRequest("/events"), true));
        b.ingress(c, h2::settings() + p.response(1, { { ":status", "200" }, { "content-type", "text/event-stream" } }, false));
        b.ingress(c, h2::data(1, "data: first\n\n", false));
        b.ingress(c, h2::data(1, "data: second\n\n", true));
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QCOMPARE(describeEvents(r.flows[0].serverSentEvents()),
            QByteArray("[id '' event '' retry -1 data 'first'][id '' event '' retry -1 data 'second']"));
        QVERIFY(r.flows[0].serverSentEvents()[0].timeNs < r.flows[0].serverSentEvents()[1].timeNs);
    }
};

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
