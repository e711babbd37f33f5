// SPDX-License-Identifier: GPL-2.0-or-later
// FlowAssembler from hand-built record streams: HTTP/1 semantics (keep-alive,
// pipelining, bodies, 1xx, upgrades), capture artefacts (chunking, overlap,
// gaps, lost records) and hostile input.

#include "streambuilder.h"

#include "http/http1parser.h"
#include "record/recordreader.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTest>

#include <array>
#include <cstring>
#include <set>

using namespace httptap;
using namespace httptap::test;
using record::Direction;

namespace {

const QByteArray kGet = "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n";
const QByteArray kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

HttpHeaders headers(std::initializer_list<std::pair<QByteArray, QByteArray>> list)
{
HttpHeaders out;
for (const auto& [n, v] : list)
    out.append(HttpHeader { n, v });
return out;
}

bool sameHeaders(const HttpHeaders& a, const HttpHeaders& b)
{
if (a.size() != b.size())
    return false;
for (qsizetype i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].value != b[i].value)
        return false;
}
return true;
}

QByteArray allDescribed(const AssemblyResult& r)
{
std::vector<const Flow*> sorted;
for (const Flow& f : r.flows)
    sorted.push_back(&f);
std::sort(sorted.begin(), sorted.end(), [](const Flow* a, const Flow* b) { return a->id < b->id; });
QByteArray out;
for (const Flow* f : sorted)
    out += describe(*f);
return out;
}

bool notesContain(const Flow& f, const QString& text)
{
for (const QString& n : f.notes) {
    if (n.contains(text))
        return true;
}
return false;
}

// A conversation exercising most of the parser: keep-alive, a POST body, a
// chunked response with trailers, a 100-continue, a HEAD and a 304.
void conversation(StreamBuilder& b, TestConnection& c)
{
b.egress(c, "GET /one HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\n");
b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Multi: a, b\r\n\r\nhello");
b.egress(c, "POST /two HTTP/1.1\r\nHost: example.test\r\nContent-Length: 11\r\n\r\nhello=world");
b.ingress(c,
    "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
    "4\r\nwiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Sum: 42\r\n\r\n");
b.egress(c, "PUT /three HTTP/1.1\r\nHost: example.test\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
b.ingress(c, "HTTP/1.1 100 Continue\r\n\r\n");
b.egress(c, "abc");
b.ingress(c, "HTTP/1.1 204 No Content\r\n\r\n");
b.egress(c, "HEAD /four HTTP/1.1\r\nHost: example.test\r\n\r\n");
b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
b.egress(c, "GET /five HTTP/1.1\r\nHost: example.test\r\nIf-None-Match: \"x\"\r\n\r\n");
b.ingress(c, "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 99\r\n\r\n");
b.egress(c, "GET /six HTTP/1.0\r\n\r\n");
b.ingress(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
b.close(c);
}

} // namespace

class TestFlowAssembler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepAlive()
    {
        StreamBuilder b;
        TestConnection c;
        for (int i = 0; i < 3; ++i) {
            b.egress(c, "GET /" + QByteArray::number(i) + " HTTP/1.1\r\nHost: example.test\r\nX-Empty:\r\n\r\n");
            b.ingress(
                c, "HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(i + 1) + "\r\n\r\n" + repeat('x', i + 1));
        }
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(3));
        for (int i = 0; i < 3; ++i) {
            const Flow& f = r.flows[size_t(i)];
            QCOMPARE(f.id, uint64_t(i + 1));
            QCOMPARE(f.connId, uint64_t(1));
            QCOMPARE(f.pid, 4242u);
            QCOMPARE(f.tid, 4243u);
            QCOMPARE(f.process, QStringLiteral("curl"));
            QCOMPARE(f.role, Flow::Role::Client);
            QCOMPARE(f.httpVersion, QByteArray("HTTP/1.1"));
            QCOMPARE(f.request.method, QByteArray("GET"));
            QCOMPARE(f.request.target, "/" + QByteArray::number(i));
            QVERIFY(sameHeaders(f.request.headers, headers({ { "Host", "example.test" }, { "X-Empty", "" } })));
            QVERIFY(f.request.complete);
            QVERIFY(f.hasResponse);
            QCOMPARE(f.response.status, 200);
            QCOMPARE(f.response.reason, QByteArray("OK"));
            QCOMPARE(f.response.body, repeat('x', i + 1));
            QCOMPARE(f.response.bodySize, uint64_t(i + 1));
            QVERIFY(f.response.complete);
            QVERIFY(!f.truncated);
            QVERIFY(!f.incomplete);
            QVERIFY(f.notes.isEmpty());
            QCOMPARE(f.url(), "http://example.test/" + QString::number(i));
            // Each chunk is one step later than the one before (request, response, ...).
            const uint64_t t0 = StreamBuilder::kStartNs + uint64_t(2 * i) * StreamBuilder::kStepNs;
            QCOMPARE(f.startNs, t0);
            QCOMPARE(f.request.firstByteNs, t0);
            QCOMPARE(f.request.lastByteNs, t0);
            QCOMPARE(f.responseStartNs, t0 + StreamBuilder::kStepNs);
            QCOMPARE(f.endNs, t0 + StreamBuilder::kStepNs);
        }
        QCOMPARE(r.stats.flows, uint64_t(3));
        QCOMPARE(r.stats.connections, uint64_t(1));
        QCOMPARE(r.stats.parseErrors, uint64_t(0));
    }

    // Initiator stacks (issue 12): a Stack record precedes the write that starts a message and is
    // filed under that write's egress offset; frames are placed with the pid's ModuleMap.
    static record::ModuleMap clientMap(uint32_t pid)
    {
        record::ModuleMap m;
        m.pid = pid;
        m.mappings.push_back({ 0x555500001000, 0x555500002000, 0x1000, 1, 10, "/opt/client" });
        m.mappings.push_back({ 0x7f0000028000, 0x7f00001bd000, 0x28000, 1, 11, "/usr/lib/x86_64-linux-gnu/libc.so.6" });
        return m;
    }

    static record::Stack stackFor(const TestConnection& c, std::vector<uint64_t> frames, uint64_t caller = 0)
    {
        record::Stack st;
        st.connId = c.id;
        st.source = c.source;
        st.streamOffset = c.offsets[0];
        st.pid = c.pid;
        st.tid = c.tid;
        std::memcpy(st.comm.data(), "fetcher", 7);
        st.frames = std::move(frames);
        if (caller) {
            st.flags = record::kStackAtSyscall;
            st.caller = caller;
        }
        return st;
    }

    void initiatorKeepAlive()
    {
        StreamBuilder b;
        TestConnection c;
        b.add(clientMap(c.pid));
        for (int i = 0; i < 3; ++i) {
            // write() in libc, the client's function at 0x1100 + i (the caller found at the stack
            // pointer), main, libc's start routine.
            b.add(stackFor(c, { 0x7f0000030010, 0x555500001500, 0x7f0000029d90 }, 0x555500001100 + uint64_t(i)));
            b.egress(c, "GET /" + QByteArray::number(i) + " HTTP/1.1\r\nHost: h\r\n\r\n");
            b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
        }
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(3));
        for (int i = 0; i < 3; ++i) {
            const Flow& f = r.flows[size_t(i)];
            QVERIFY(f.initiator);
            const InitiatorStack& st = *f.initiator;
            QCOMPARE(st.tid, 4243u);
            QCOMPARE(st.thread, QStringLiteral("fetcher"));
            QVERIFY(!st.partial);
            QCOMPARE(st.frames.size(), 4);
            QCOMPARE(st.frames[0].module, QStringLiteral("/usr/lib/x86_64-linux-gnu/libc.so.6"));
            QCOMPARE(st.frames[0].moduleOffset, uint64_t(0x30010));
            QCOMPARE(st.frames[1].address, uint64_t(0x555500001100 + i)); // this request's own stack
            QCOMPARE(st.frames[1].module, QStringLiteral("/opt/client"));
            QCOMPARE(st.frames[1].moduleOffset, uint64_t(0x1100 + i));
            QCOMPARE(st.frames[2].moduleOffset, uint64_t(0x1500));
            QCOMPARE(st.frames[3].moduleOffset, uint64_t(0x29d90));
            QVERIFY(st.frames[3].symbol.isEmpty());
        }
    }

    // One stack per message the process starts sending: in a pipeline only the first write follows
    // an answer; the stack goes to the request that begins at its offset, never to the others.
    void initiatorPipeline()
    {
        StreamBuilder b;
        TestConnection c;
        b.add(clientMap(c.pid));
        b.add(stackFor(c, { 0x7f0000030010, 0x555500001500, 0x7f0000029d90 }));
        b.egress(c, "GET /first HTTP/1.1\r\nHost: h\r\n\r\nGET /second HTTP/1.1\r\nHost: h\r\n\r\n");
        b.egress(c, "GET /third HTTP/1.1\r\nHost: h\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthree");
        b.add(stackFor(c, { 0x7f0000030010, 0x555500001600, 0x7f0000029d90 }));
        b.egress(c, "GET /fourth HTTP/1.1\r\nHost: h\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfour");
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(4));
        QVERIFY(r.flows[0].initiator);
        QCOMPARE(r.flows[0].initiator->frames[1].moduleOffset, uint64_t(0x1500));
        QVERIFY(!r.flows[1].initiator);
        QVERIFY(!r.flows[2].initiator);
        QCOMPARE(r.flows[3].request.target, QByteArray("/fourth"));
        QVERIFY(r.flows[3].initiator);
        QCOMPARE(r.flows[3].initiator->frames[1].moduleOffset, uint64_t(0x1600));
    }

    // Server role: the stack of the thread writing the response; a fork runs its parent's code;
    // a walk that leaves every mapping (no frame pointers) is cut there and partial.
    void initiatorServerForkAndPartial()
    {
        StreamBuilder b;
        TestConnection parentConn;
        b.add(clientMap(parentConn.pid));
        record::Process fork;
        fork.kind = record::ProcessEventKind::Fork;
        fork.pid = 5000;
        fork.parentPid = parentConn.pid;
        b.add(fork);
        TestConnection c;
        c.id = 9;
        c.pid = 5000;
        c.tid = 5000;
        b.ingress(c, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
        b.add(stackFor(c, { 0x7f0000030010, 0x555500001700, 0x00007ffd12345678, 0x555500001800 }));
        b.egress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        const Flow& f = r.flows[0];
        QCOMPARE(f.role, Flow::Role::Server);
        QVERIFY(f.initiator);
        QVERIFY(f.initiator->partial);
        QCOMPARE(f.initiator->frames.size(), 2); // the stack address and what follows it are dropped
        QCOMPARE(f.initiator->frames[1].module, QStringLiteral("/opt/client"));
        QCOMPARE(f.initiator->frames[1].moduleOffset, uint64_t(0x1700));
    }

    // A stack at Go's TLS Write ends in the Go binary (runtime.goexit): whole. The same frames from the
    // syscall path cannot be told from a C program's walk that stopped early: partial.
    void initiatorGoWhole()
    {
        for (const record::Source source : { record::Source::GoTls, record::Source::Syscall }) {
            StreamBuilder b;
            TestConnection c;
            c.source = source;
            record::ModuleMap m;
            m.pid = c.pid;
            m.mappings.push_back({ 0x400000, 0x800000, 0, 1, 12, "/opt/goclient" });
            b.add(m);
            b.add(stackFor(c, { 0x594989, 0x5c26c2, 0x465441 }));
            b.egress(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
            const AssemblyResult r = assemble(b.records());
            QCOMPARE(r.flows.size(), size_t(1));
            QVERIFY(r.flows[0].initiator);
            QCOMPARE(r.flows[0].initiator->frames.size(), 3);
            QCOMPARE(r.flows[0].initiator->partial, source != record::Source::GoTls);
        }
    }

    // A stack whose message never came (its Data lost) is not given to a later message.
    void initiatorStaleStackDropped()
    {
        StreamBuilder b;
        TestConnection c;
        b.add(clientMap(c.pid));
        b.add(stackFor(c, { 0x7f0000030010, 0x555500001500 }));
        b.skip(c, record::Direction::Egress, 30); // the first request's bytes were lost
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
        b.egress(c, "GET /later HTTP/1.1\r\nHost: h\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\ny");
        const AssemblyResult r = assemble(b.records());
        for (const Flow& f : r.flows)
            QVERIFY2(!f.initiator, f.request.target.constData());
    }

    void pipelined()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "GET /first HTTP/1.1\r\nHost: h\r\n\r\nGET /second HTTP/1.1\r\nHost: h\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none");
        b.ingress(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\ntwo");
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        QCOMPARE(r.flows[0].request.target, QByteArray("/first"));
        QCOMPARE(r.flows[0].response.body, QByteArray("one"));
        QCOMPARE(r.flows[1].request.target, QByteArray("/second"));
        QCOMPARE(r.flows[1].response.status, 404);
        QCOMPARE(r.flows[1].response.reason, QByteArray("Not Found"));
        QCOMPARE(r.flows[1].response.body, QByteArray("two"));
    }

    void conversationSemantics()
    {
        StreamBuilder b;
        TestConnection c;
        conversation(b, c);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(6));
        QCOMPARE(r.stats.parseErrors, uint64_t(0));

        const Flow* get = r.byId(1);
        QVERIFY(sameHeaders(get->response.headers, headers({ { "Content-Length", "5" }, { "X-Multi", "a, b" } })));

        const Flow* post = r.byId(2);
        QCOMPARE(post->request.method, QByteArray("POST"));
        QCOMPARE(post->request.body, QByteArray("hello=world"));
        QCOMPARE(post->request.bodySize, uint64_t(11));
        QCOMPARE(post->response.status, 201);
        QCOMPARE(post->response.body, QByteArray("wikipedia in \r\n\r\nchunks."));
        QCOMPARE(post->response.bodySize, uint64_t(24));
        QVERIFY(sameHeaders(post->response.trailers(), headers({ { "X-Sum", "42" } })));
        QVERIFY(post->response.complete);

        const Flow* put = r.byId(3);
        QCOMPARE(put->informational().size(), 1);
        QCOMPARE(put->informational()[0].status, 100);
        QCOMPARE(put->informational()[0].reason, QByteArray("Continue"));
        QCOMPARE(put->request.body, QByteArray("abc"));
        QCOMPARE(put->response.status, 204);
        // The first response byte is the 100's, sent before the request body.
        QVERIFY(put->responseStartNs < put->request.lastByteNs);
        QVERIFY(!put->incomplete);

        const Flow* head = r.byId(4);
        QCOMPARE(head->request.method, QByteArray("HEAD"));
        QCOMPARE(head->response.status, 200);
        QCOMPARE(head->response.header("content-length"), QByteArray("1234"));
        QCOMPARE(head->response.bodySize, uint64_t(0));
        QVERIFY(head->response.complete);

        const Flow* notModified = r.byId(5);
        QCOMPARE(notModified->response.status, 304);
        QVERIFY(notModified->response.body.isEmpty());
        QVERIFY(notModified->response.complete);

        const Flow* eof = r.byId(6);
        QCOMPARE(eof->httpVersion, QByteArray("HTTP/1.0"));
        QCOMPARE(eof->response.body, QByteArray("until the end"));
        QVERIFY(eof->response.complete);
        QVERIFY(!eof->incomplete);
        // No Host header: the server address stands in.
        QCOMPARE(eof->url(), QStringLiteral("http://127.0.0.1:8080/six"));
    }

    void chunkedRequestUpload()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
        b.egress(c, "5\r\nfirst\r\n");
        b.egress(c, "6\r\nsecond\r\n0\r\nX-Check: ok\r\nX-Other: 1\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QCOMPARE(r.flows[0].request.body, QByteArray("firstsecond"));
        QCOMPARE(r.flows[0].request.bodySize, uint64_t(11));
        QVERIFY(sameHeaders(r.flows[0].request.trailers(), headers({ { "X-Check", "ok" }, { "X-Other", "1" } })));
        QCOMPARE(r.flows[0].request.lastByteNs, StreamBuilder::kStartNs + 2 * StreamBuilder::kStepNs);
    }

    void eofBodyCompletedByClose_data()
    {
        QTest::addColumn<bool>("explicitClose");
        QTest::newRow("ConnClose") << true;
        QTest::newRow("finish()") << false;
    }

    void eofBodyCompletedByClose()
    {
        QFETCH(bool, explicitClose);
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        b.ingress(c, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npart one, ");
        b.ingress(c, "part two");
        if (explicitClose)
            b.close(c);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QCOMPARE(r.flows[0].response.body, QByteArray("part one, part two"));
        QVERIFY(r.flows[0].response.complete);
        QVERIFY(!r.flows[0].incomplete);
        QCOMPARE(r.flows[0].endNs, StreamBuilder::kStartNs + 2 * StreamBuilder::kStepNs);
    }

    // A protocol httptap does not dissect (WebSocket is: tst_websocket).
    void upgrade101()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "GET /irc HTTP/1.1\r\nHost: h\r\nUpgrade: IRC/6.9\r\nConnection: Upgrade\r\n\r\n\x81\x05hello");
        b.ingress(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: IRC/6.9\r\nConnection: Upgrade\r\n\r\n\x81\x02hi");
        b.egress(c, QByteArray("\x88\x00", 2));
        b.ingress(c, QByteArray("\x88\x00\x01\x02", 4));
        b.close(c);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        const Flow& f = r.flows[0];
        QCOMPARE(f.response.status, 101);
        QVERIFY(f.response.complete);
        QVERIFY(!f.incomplete);
        QVERIFY(notesContain(f, QStringLiteral("switched protocols to IRC/6.9")));
        QCOMPARE(r.stats.parseErrors, uint64_t(0));
    }

    void upgradeRefused()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "GET /maybe HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n");
        b.egress(c, "GET /next HTTP/1.1\r\nHost: h\r\n\r\n"); // pipelined before the answer
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno");
        b.ingress(c, kOk);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        QCOMPARE(r.flows[0].response.body, QByteArray("no"));
        QCOMPARE(r.flows[1].request.target, QByteArray("/next"));
        QCOMPARE(r.flows[1].response.body, QByteArray("hello"));
        QCOMPARE(r.stats.parseErrors, uint64_t(0));
    }

    void connectTunnel()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 Connection established\r\n\r\n");
        b.egress(c, QByteArray("\x16\x03\x01\x00\x05hello", 10));
        b.ingress(c, QByteArray("\x16\x03\x03\x00\x02hi", 7));
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QCOMPARE(r.flows[0].request.method, QByteArray("CONNECT"));
        QCOMPARE(r.flows[0].url(), QStringLiteral("example.test:443"));
        QCOMPARE(r.flows[0].response.status, 200);
        QVERIFY(!r.flows[0].incomplete);
        QCOMPARE(r.stats.parseErrors, uint64_t(0));
    }

    void requestWithoutResponse_data()
    {
        QTest::addColumn<bool>("explicitClose");
        QTest::addColumn<QString>("note");
        QTest::newRow("ConnClose") << true << QStringLiteral("connection closed before a response");
        QTest::newRow("finish()") << false << QStringLiteral("capture ended before a response");
    }

    void requestWithoutResponse()
    {
        QFETCH(bool, explicitClose);
        QFETCH(QString, note);
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        if (explicitClose)
            b.close(c);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        const Flow& f = r.flows[0];
        QVERIFY(f.request.complete);
        QVERIFY(!f.hasResponse);
        QVERIFY(f.incomplete);
        QVERIFY(!f.truncated);
        QCOMPARE(f.notes, QStringList { note });
        QCOMPARE(f.responseStartNs, uint64_t(0));
        QCOMPARE(f.endNs, f.startNs);
    }

    void processExitClosesConnections()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        record::Process exit;
        exit.kind = record::ProcessEventKind::Exit;
        exit.pid = c.pid;
        b.add(exit);
        AssemblyResult r;
        FlowAssembler assembler([&r](Flow&& f) { r.flows.push_back(std::move(f)); });
        for (const record::Record& rec : b.records())
            assembler.add(rec);
        QCOMPARE(r.flows.size(), size_t(1)); // before finish()
        QVERIFY(notesContain(r.flows[0], QStringLiteral("connection closed before a response")));
    }

    void serverRole()
    {
        StreamBuilder b;
        TestConnection c;
        c.comm = "nginx";
        c.local = { { 10, 0, 0, 1 }, 80 };
        c.remote = { { 10, 0, 0, 2 }, 51000 };
        b.ingress(c, "GET /srv HTTP/1.1\r\nUser-Agent: t\r\n\r\n");
        b.egress(c, kOk);
        b.ingress(c, "DELETE /srv/1 HTTP/1.1\r\nHost: api.test\r\n\r\n");
        b.egress(c, "HTTP/1.1 204 No Content\r\n\r\n");
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        QCOMPARE(r.flows[0].role, Flow::Role::Server);
        QCOMPARE(r.flows[0].process, QStringLiteral("nginx"));
        QCOMPARE(r.flows[0].response.body, QByteArray("hello"));
        // No Host: the local (server) address, default port omitted.
        QCOMPARE(r.flows[0].url(), QStringLiteral("http://10.0.0.1/srv"));
        QCOMPARE(r.flows[1].request.method, QByteArray("DELETE"));
        QCOMPARE(r.flows[1].url(), QStringLiteral("http://api.test/srv/1"));
    }

    void responseSeenFirstDecidesRole()
    {
        StreamBuilder b;
        TestConnection c;
        // Capture joined between the request and the response: the response arrives first.
        b.ingress(c, "HT");
        b.ingress(c, "TP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        b.egress(c, kGet);
        b.ingress(c, kOk);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        QCOMPARE(r.flows[0].role, Flow::Role::Client);
        QVERIFY(notesContain(r.flows[0], QStringLiteral("response without a captured request")));
        QCOMPARE(r.flows[1].request.target, QByteArray("/a"));
        QCOMPARE(r.flows[1].response.body, QByteArray("hello"));
    }

    void everySplitGivesTheSameFlows()
    {
        StreamBuilder b;
        TestConnection c;
        conversation(b, c);
        // Reference: each direction as one chunk (requests all before responses: pipelined).
        QByteArray streams[2];
        for (const record::Record& rec : b.records()) {
            if (const auto* d = std::get_if<record::Data>(&rec))
                streams[size_t(d->direction)].append(
                    reinterpret_cast<const char*>(d->payload.data()), qsizetype(d->payload.size()));
        }
        auto build = [&](qsizetype splitEgress, qsizetype splitIngress, size_t piece) {
            StreamBuilder s;
            TestConnection sc;
            for (int dir = 0; dir < 2; ++dir) {
                const qsizetype split = dir == 0 ? splitEgress : splitIngress;
                const Direction d = Direction(dir);
                if (split > 0)
                    s.data(sc, d, streams[dir].left(split));
                s.data(sc, d, streams[dir].mid(split));
            }
            s.close(sc);
            return allDescribed(assemble(piece ? rechunk(s.records(), piece) : s.records()));
        };
        const QByteArray reference = build(0, 0, 0);
        QVERIFY(reference.contains("flow 6"));
        QVERIFY(!reference.contains("incomplete"));
        for (qsizetype k = 1; k < streams[0].size(); ++k)
            QCOMPARE(build(k, 0, 0), reference);
        for (qsizetype k = 1; k < streams[1].size(); ++k)
            QCOMPARE(build(0, k, 0), reference);
        QCOMPARE(build(0, 0, 1), reference);
        // Interleaved as captured, then one byte per record.
        const QByteArray interleaved = allDescribed(assemble(rechunk(b.records(), 1)));
        QCOMPARE(interleaved, allDescribed(assemble(b.records())));
    }

    void overlappingChunks()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        b.ingress(c, kOk.left(20));
        // A re-read that repeats 10 bytes already delivered, then a chunk wholly seen before.
        c.offsets[1] -= 10;
        b.ingress(c, kOk.mid(10, 20));
        c.offsets[1] -= 20;
        b.ingress(c, kOk.mid(10, 20));
        b.ingress(c, kOk.mid(30));
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QCOMPARE(r.flows[0].response.body, QByteArray("hello"));
        QVERIFY(!r.flows[0].truncated);
    }

    void garbageConnectionInterleaved()
    {
        StreamBuilder b;
        TestConnection good;
        TestConnection noise;
        noise.id = 2;
        QRandomGenerator rng(1234);
        for (int i = 0; i < 3; ++i) {
            QByteArray junk(64, '\0');
            for (char& ch : junk)
                ch = char(rng.bounded(256));
            junk[0] = '\x01'; // neither a TLS record type nor a method character
            b.egress(noise, junk);
            b.egress(good, kGet);
            b.ingress(noise, junk);
            b.ingress(good, kOk);
        }
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(3));
        for (const Flow& f : r.flows) {
            QCOMPARE(f.connId, uint64_t(1));
            QCOMPARE(f.response.body, QByteArray("hello"));
            QVERIFY(!f.incomplete);
        }
        QCOMPARE(r.stats.parseErrors, uint64_t(1));
        QCOMPARE(r.stats.connections, uint64_t(2));
    }

    void garbageAfterGoodExchange()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        b.ingress(c, kOk);
        b.egress(c, "GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
        b.ingress(c, "HTTP/1.1 2\x01\x02 broken\r\n\r\n");
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        QVERIFY(!r.flows[0].incomplete);
        QCOMPARE(r.flows[1].request.target, QByteArray("/b"));
        QVERIFY(r.flows[1].incomplete);
        QVERIFY(notesContain(r.flows[1], QStringLiteral("gave up parsing this connection")));
        QCOMPARE(r.stats.parseErrors, uint64_t(1));
    }

    void gapInContentLengthBody()
    {
        StreamBuilder b;
        TestConnection c;
        const QByteArray body = repeat('a', 300) + repeat('b', 200) + repeat('c', 500);
        const QByteArray head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
        b.egress(c, kGet);
        b.ingress(c, head + body.left(300));
        b.skip(c, Direction::Ingress, 200);
        b.ingress(c, body.mid(500));
        b.egress(c, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
        b.ingress(c, kOk);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        const Flow& f = r.flows[0];
        QCOMPARE(f.response.bodySize, uint64_t(1000));
        QCOMPARE(f.response.body, body.left(300)); // nothing stored after the hole
        QVERIFY(f.response.bodyTruncated);
        QVERIFY(f.response.complete);
        QVERIFY(f.truncated);
        QVERIFY(!f.incomplete);
        QCOMPARE(f.notes,
            QStringList {
                QStringLiteral("200 bytes missing at offset %1 (lost or not copied)").arg(head.size() + 300) });
        QCOMPARE(r.flows[1].request.target, QByteArray("/after"));
        QCOMPARE(r.flows[1].response.body, QByteArray("hello"));
        QVERIFY(!r.flows[1].truncated);
    }

    void gapAfterTruncatedCall()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        b.data(c, Direction::Ingress, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + repeat('x', 10),
            record::kDataCallTruncated);
        b.skip(c, Direction::Ingress, 90);
        b.egress(c, kGet);
        b.data(c, Direction::Ingress, kOk.left(10), record::kDataCallTruncated);
        b.close(c); // the rest of that call never shows up as a gap
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        QCOMPARE(r.flows[0].notes, QStringList { QStringLiteral("90 bytes missing at offset 50 (not copied)") });
        QVERIFY(r.flows[0].response.complete);
        QCOMPARE(r.flows[0].response.bodySize, uint64_t(100));
        QVERIFY(r.flows[1].truncated);
        QVERIFY(r.flows[1].incomplete);
        QVERIFY(notesContain(r.flows[1], QStringLiteral("the last call was not copied in full")));
    }

    void sendfileBodyNotCopied()
    {
        // A server writes headers, then sendfile()s the body: the producer reports the body's
        // bytes as an empty, truncated chunk with their count in callSize.
        StreamBuilder b;
        TestConnection c;
        b.ingress(c, kGet);
        b.egress(c, "HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n");
        record::Data uncopied = std::get<record::Data>(b.records().back());
        uncopied.streamOffset = c.offsets[0];
        uncopied.payload = record::Payload();
        uncopied.callSize = 4096;
        uncopied.flags = record::kDataCallTruncated;
        b.add(uncopied);
        c.offsets[0] += 4096;
        b.ingress(c, kGet);
        b.egress(c, kOk);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        const Flow& f = r.flows[0];
        QCOMPARE(f.role, Flow::Role::Server);
        QVERIFY(f.response.complete);
        QCOMPARE(f.response.bodySize, uint64_t(4096));
        QVERIFY(f.response.body.isEmpty());
        QVERIFY(f.truncated);
        QVERIFY(!f.incomplete);
        QVERIFY(notesContain(f, QStringLiteral("4096 bytes missing at offset 41 (not copied)")));
        QCOMPARE(r.flows[1].response.body, QByteArray("hello"));
    }

    void gapEndingAtBodyEnd()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123");
        b.skip(c, Direction::Ingress, 6);
        b.egress(c, kGet);
        b.ingress(c, kOk);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        QCOMPARE(r.flows[0].response.bodySize, uint64_t(10));
        QCOMPARE(r.flows[0].response.body, QByteArray("0123"));
        QVERIFY(r.flows[0].response.complete);
        QCOMPARE(r.flows[1].response.body, QByteArray("hello"));
    }

    void gapInChunk()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        b.ingress(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123");
        b.skip(c, Direction::Ingress, 8);
        b.ingress(c, "cdef\r\n3\r\nxyz\r\n0\r\n\r\n");
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QCOMPARE(r.flows[0].response.bodySize, uint64_t(19));
        QCOMPARE(r.flows[0].response.body, QByteArray("0123"));
        QVERIFY(r.flows[0].response.complete);
        QVERIFY(r.flows[0].truncated);
    }

    void gapInHeadersResyncs()
    {
        StreamBuilder b;
        TestConnection c;
        const QByteArray first = "GET /lost HTTP/1.1\r\nHost: h\r\nX-Long: 0123456789\r\n\r\n";
        b.egress(c, first.left(25));
        b.skip(c, Direction::Egress, uint64_t(first.size() - 25));
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
        b.egress(c, "GET /found HTTP/1.1\r\nHost: h\r\n\r\n");
        b.ingress(c, kOk);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        const Flow& lost = *r.byId(1);
        QVERIFY(lost.truncated);
        QVERIFY(lost.incomplete);
        QCOMPARE(lost.request.target, QByteArray("/lost"));
        QVERIFY(!lost.request.complete);
        QCOMPARE(lost.response.body, QByteArray("first"));
        const Flow& found = *r.byId(2);
        QCOMPARE(found.request.target, QByteArray("/found"));
        QCOMPARE(found.response.body, QByteArray("hello"));
        QVERIFY(!found.truncated);
        QCOMPARE(r.stats.parseErrors, uint64_t(0));
    }

    // A socket that predates the capture starts at offset 0 in the kernel's
    // books but mid-stream in truth: the producer flags it, and the tail of an
    // old response must not be taken for the start of a message.
    void joinedLateConnectionResyncs()
    {
        StreamBuilder b;
        TestConnection c;
        b.data(c, Direction::Ingress, "rest of an old body\r\n", record::kDataJoinedLate);
        b.data(c, Direction::Egress, "GET /new HTTP/1.1\r\nHost: h\r\n\r\n", record::kDataJoinedLate);
        b.data(c, Direction::Ingress, kOk, record::kDataJoinedLate);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QCOMPARE(r.flows[0].request.target, QByteArray("/new"));
        QCOMPARE(r.flows[0].response.status, 200);
        QCOMPARE(r.flows[0].response.body, QByteArray("hello"));
        QCOMPARE(r.stats.parseErrors, uint64_t(0));
    }

    void gapBetweenMessagesIsReportedOnTheNext()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        b.ingress(c, kOk);
        b.skip(c, Direction::Egress, 40); // a whole request lost
        b.egress(c, "GET /c HTTP/1.1\r\nHost: h\r\n\r\n");
        b.ingress(c, kOk);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        QVERIFY(r.flows[1].truncated);
        QVERIFY(notesContain(r.flows[1], QStringLiteral("40 bytes missing before this message")));
    }

    void joinedMidStream()
    {
        StreamBuilder b;
        TestConnection c;
        c.offsets[0] = 5000;
        c.offsets[1] = 9000;
        b.ingress(c, "tail of an old body that started before the capture");
        b.egress(c, kGet);
        b.ingress(c, kOk);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QCOMPARE(r.flows[0].response.body, QByteArray("hello"));
        QCOMPARE(r.stats.parseErrors, uint64_t(0));
    }

    void tlsOnSyscallIgnored()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
        b.ingress(c, QByteArray("\x16\x03\x03\x00\x7a\x02", 6));
        b.egress(c, QByteArray("\x17\x03\x03\x00\x20", 5) + repeat('\x99', 32));
        const AssemblyResult r = assemble(b.records());
        QVERIFY(r.flows.empty());
        QCOMPARE(r.stats.tlsCiphertextConnections, uint64_t(1));
        QCOMPARE(r.stats.parseErrors, uint64_t(0));
    }

    void tlsRecordsOnTlsSourceAreErrors()
    {
        StreamBuilder b;
        TestConnection c;
        c.source = record::Source::OpenSsl;
        b.egress(c, QByteArray("\x16\x03\x01\x02\x00", 5));
        const AssemblyResult r = assemble(b.records());
        QVERIFY(r.flows.empty());
        QCOMPARE(r.stats.tlsCiphertextConnections, uint64_t(0));
        QCOMPARE(r.stats.parseErrors, uint64_t(1));
    }

    void sameConnIdTwoSources()
    {
        StreamBuilder b;
        TestConnection cipher;
        TestConnection plain;
        plain.source = record::Source::OpenSsl;
        b.egress(cipher, QByteArray("\x17\x03\x03\x00\x10", 5) + repeat('\x55', 16));
        b.egress(plain, kGet);
        b.ingress(cipher, QByteArray("\x17\x03\x03\x00\x10", 5) + repeat('\x66', 16));
        b.ingress(plain, kOk);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QCOMPARE(r.flows[0].source, record::Source::OpenSsl);
        QCOMPARE(r.flows[0].url(), QStringLiteral("https://example.test/a"));
        QCOMPARE(r.stats.tlsCiphertextConnections, uint64_t(1));
    }

    void http2PrefaceIgnored()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        b.ingress(c, QByteArray("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9));
        const AssemblyResult r = assemble(b.records());
        QVERIFY(r.flows.empty());
        QCOMPARE(r.stats.http2Connections, uint64_t(1));
        QCOMPARE(r.stats.parseErrors, uint64_t(0));
    }

    void maxBodyLimit()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + repeat('q', 60));
        b.egress(c, repeat('r', 40));
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        const AssemblyResult r = assemble(b.records(), 10);
        QCOMPARE(r.flows.size(), size_t(1));
        const Flow& f = r.flows[0];
        QCOMPARE(f.request.body, repeat('q', 10));
        QCOMPARE(f.request.bodySize, uint64_t(100));
        QVERIFY(f.request.bodyTruncated);
        QVERIFY(f.request.complete);
        QCOMPARE(f.response.body, QByteArray("hello"));
        QVERIFY(!f.response.bodyTruncated);
        QVERIFY(f.truncated);
        QVERIFY(!f.incomplete);
        QCOMPARE(f.notes, QStringList { QStringLiteral("body larger than 10 bytes; kept the first 10 bytes") });
    }

    void headerValueSplitAcrossChunks()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "GET /s HTTP/1.1\r\nHo");
        b.egress(c, "st: exa");
        b.egress(c, "mple.test\r\nX-A: 1\r");
        b.egress(c, "\n\r\n");
        b.ingress(c, kOk);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QVERIFY(sameHeaders(r.flows[0].request.headers, headers({ { "Host", "example.test" }, { "X-A", "1" } })));
        QCOMPARE(r.flows[0].request.lastByteNs, StreamBuilder::kStartNs + 3 * StreamBuilder::kStepNs);
    }

    // Messages of a connection that repeat the previous one's fields share its list; any
    // difference (a value, one field fewer or more, spans split across records) gets a list of
    // its own with exactly the fields sent.
    void repeatedHeadersAcrossMessages()
    {
        StreamBuilder b;
        TestConnection c;
        const QByteArray ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        b.egress(c, "GET /1 HTTP/1.1\r\nHost: hello.test\r\nAccept: b\r\nX-Id: 1\r\n\r\n");
        b.ingress(c, ok);
        b.egress(c, "GET /2 HTTP/1.1\r\nHost: hello.test\r\nAccept: b\r\nX-Id: 1\r\n\r\n");
        b.ingress(c, ok);
        b.egress(c, "GET /3 HTTP/1.1\r\nHost: hello.test\r\nAccept: c\r\nX-Id: 1\r\n\r\n");
        b.ingress(c, ok);
        b.egress(c, "GET /4 HTTP/1.1\r\nHost: hello.test\r\nAccept: c\r\n\r\n");
        b.ingress(c, ok);
        b.egress(c, "GET /5 HTTP/1.1\r\nHost: hello.test\r\nAccept: c\r\nX-More: m\r\n\r\n");
        b.ingress(c, ok);
        // The previous values again, but arriving in pieces: "hel" + "lo.test", and "c" + "d".
        b.egress(c, "GET /6 HTTP/1.1\r\nHost: hel");
        b.egress(c, "lo.test\r\nAccept: c");
        b.egress(c, "d\r\nX-More: m\r\n\r\n");
        b.ingress(c, ok);
        b.egress(c, "GET /7 HTTP/1.1\r\nHost: hello.test\r\nAccept: cd\r\nX-More: m\r\n\r\n");
        b.ingress(c, ok);
        // Pieces that first equal the previous texts ("cd", "X-More") and then go on.
        b.egress(c, "GET /8 HTTP/1.1\r\nHost: hello.test\r\nAccept: cd");
        b.egress(c, "e\r\nX-More");
        b.egress(c, "X: m\r\n\r\n");
        b.ingress(c, ok);
        // Empty values, which may come without a span.
        b.egress(c, "GET /9 HTTP/1.1\r\nHost: hello.test\r\nX-Empty:\r\n\r\n");
        b.ingress(c, ok);
        b.egress(c, "GET /10 HTTP/1.1\r\nHost: hello.test\r\nX-Empty:\r\n\r\n");
        b.ingress(c, ok);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(10));
        const HttpHeaders expected[] = {
            headers({ { "Host", "hello.test" }, { "Accept", "b" }, { "X-Id", "1" } }),
            headers({ { "Host", "hello.test" }, { "Accept", "b" }, { "X-Id", "1" } }),
            headers({ { "Host", "hello.test" }, { "Accept", "c" }, { "X-Id", "1" } }),
            headers({ { "Host", "hello.test" }, { "Accept", "c" } }),
            headers({ { "Host", "hello.test" }, { "Accept", "c" }, { "X-More", "m" } }),
            headers({ { "Host", "hello.test" }, { "Accept", "cd" }, { "X-More", "m" } }),
            headers({ { "Host", "hello.test" }, { "Accept", "cd" }, { "X-More", "m" } }),
            headers({ { "Host", "hello.test" }, { "Accept", "cde" }, { "X-MoreX", "m" } }),
            headers({ { "Host", "hello.test" }, { "X-Empty", "" } }),
            headers({ { "Host", "hello.test" }, { "X-Empty", "" } }),
        };
        for (size_t i = 0; i < 10; ++i) {
            const Flow& f = r.flows[i];
            QCOMPARE(f.request.target, "/" + QByteArray::number(qulonglong(i + 1)));
            QVERIFY2(sameHeaders(f.request.headers, expected[i]), f.request.target.constData());
            QVERIFY(sameHeaders(f.response.headers, headers({ { "Content-Length", "0" } })));
            QCOMPARE(f.request.headers.capacity(), f.request.headers.size()); // kept at its exact size
        }
        // One list for a repeat, its own for a change.
        QCOMPARE(r.flows[1].request.headers.constData(), r.flows[0].request.headers.constData());
        QVERIFY(r.flows[2].request.headers.constData() != r.flows[1].request.headers.constData());
        QCOMPARE(r.flows[6].request.headers.constData(), r.flows[5].request.headers.constData());
        QCOMPARE(r.flows[6].response.headers.constData(), r.flows[0].response.headers.constData());
        QCOMPARE(r.flows[9].request.headers.constData(), r.flows[8].request.headers.constData());
    }

    // A message that leaves the previous one's fields but goes on as an earlier message did
    // (responses cycling through a few lengths) shares that message's list; one that leaves
    // every recent list still gets exactly the fields sent.
    void recentHeaderListsAcrossMessages()
    {
        StreamBuilder b;
        TestConnection c;
        const auto ok = [](int n) {
            return "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: " + QByteArray::number(n) + "\r\n\r\n"
                + repeat('x', n);
        };
        const QByteArray noContent = "HTTP/1.1 204 No Content\r\nServer: s\r\n\r\n";
        const QByteArray responses[] = {
            ok(1), ok(2), ok(1), ok(2), noContent, ok(1), noContent, ok(3),
            "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: 1\r\nX-Extra: e\r\n\r\nx",
        };
        for (size_t i = 0; i < std::size(responses); ++i) {
            b.egress(c, "GET /" + QByteArray::number(qulonglong(i + 1)) + " HTTP/1.1\r\nHost: h\r\n\r\n");
            b.ingress(c, responses[i]);
        }
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), std::size(responses));
        const auto withLength = [](const char* n) { return headers({ { "Server", "s" }, { "Content-Length", n } }); };
        const HttpHeaders expected[] = {
            withLength("1"), withLength("2"), withLength("1"), withLength("2"), headers({ { "Server", "s" } }),
            withLength("1"), headers({ { "Server", "s" } }), withLength("3"),
            headers({ { "Server", "s" }, { "Content-Length", "1" }, { "X-Extra", "e" } }),
        };
        for (size_t i = 0; i < std::size(responses); ++i) {
            const Flow& f = r.flows[i];
            QCOMPARE(f.request.target, "/" + QByteArray::number(qulonglong(i + 1)));
            QVERIFY2(sameHeaders(f.response.headers, expected[i]), f.request.target.constData());
            QCOMPARE(f.response.headers.capacity(), f.response.headers.size());
            QCOMPARE(f.response.body, repeat('x', int(f.response.header("Content-Length").toInt())));
        }
        QCOMPARE(r.flows[2].response.headers.constData(), r.flows[0].response.headers.constData());
        QCOMPARE(r.flows[3].response.headers.constData(), r.flows[1].response.headers.constData());
        QCOMPARE(r.flows[5].response.headers.constData(), r.flows[0].response.headers.constData());
        QCOMPARE(r.flows[6].response.headers.constData(), r.flows[4].response.headers.constData()); // fewer fields
        for (size_t i : { 0, 1, 4 })
            QVERIFY(r.flows[7].response.headers.constData() != r.flows[i].response.headers.constData());
        QVERIFY(r.flows[8].response.headers.constData() != r.flows[0].response.headers.constData());
    }

    // A header block that repeats a recent message's byte for byte takes that message's list
    // without a callback per field (Http1Parser::takeRecentBlock); a block that differs anywhere
    // (one byte, one more field, split across records) is still parsed field by field, and
    // trailers after a repeated block are read as usual.
    void repeatedHeaderBlocks()
    {
        StreamBuilder b;
        TestConnection c;
        const QByteArray chunked = "HTTP/1.1 200 OK\r\nServer: s\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   "3\r\nabc\r\n0\r\nX-Sum: ";
        const QByteArray requests[] = {
            "GET /1 HTTP/1.1\r\nHost: h\r\nX-Id: 1\r\n\r\n",
            "GET /2 HTTP/1.1\r\nHost: h\r\nX-Id: 1\r\n\r\n", // the same block
            "GET /3 HTTP/1.1\r\nHost: h\r\nX-Id: 2\r\n\r\n", // the same length, one byte differs
            "GET /4 HTTP/1.1\r\nHost: h\r\nX-Id: 1\r\nX-More: m\r\n\r\n", // an earlier block, then more
            "GET /5 HTTP/1.1\r\nHost: h\r\nX-Id: 1\r\n\r\n", // the first block again
        };
        for (size_t i = 0; i < std::size(requests); ++i) {
            b.egress(c, requests[i]);
            b.ingress(c, chunked + QByteArray::number(qulonglong(i + 1)) + "\r\n\r\n");
        }
        // The first block once more, in two records: parsed field by field, the same fields.
        b.egress(c, "GET /6 HTTP/1.1\r\nHost: h\r\nX-");
        b.egress(c, "Id: 1\r\n\r\n");
        b.ingress(c, chunked + "6\r\n\r\n");
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(6));
        const HttpHeaders expected[] = {
            headers({ { "Host", "h" }, { "X-Id", "1" } }),
            headers({ { "Host", "h" }, { "X-Id", "1" } }),
            headers({ { "Host", "h" }, { "X-Id", "2" } }),
            headers({ { "Host", "h" }, { "X-Id", "1" }, { "X-More", "m" } }),
            headers({ { "Host", "h" }, { "X-Id", "1" } }),
            headers({ { "Host", "h" }, { "X-Id", "1" } }),
        };
        const HttpHeaders responseHeaders = headers({ { "Server", "s" }, { "Transfer-Encoding", "chunked" } });
        for (size_t i = 0; i < std::size(expected); ++i) {
            const Flow& f = r.flows[i];
            const QByteArray n = QByteArray::number(qulonglong(i + 1));
            QCOMPARE(f.request.target, "/" + n);
            QVERIFY2(sameHeaders(f.request.headers, expected[i]), f.request.target.constData());
            QVERIFY2(sameHeaders(f.response.headers, responseHeaders), f.request.target.constData());
            QVERIFY2(sameHeaders(f.response.trailers(), headers({ { "X-Sum", n } })), f.request.target.constData());
            QCOMPARE(f.response.body, QByteArray("abc"));
            QVERIFY(f.request.complete && f.response.complete && !f.truncated);
        }
        for (size_t i : { 1, 4, 5 })
            QCOMPARE(r.flows[i].request.headers.constData(), r.flows[0].request.headers.constData());
        for (size_t i = 1; i < std::size(expected); ++i)
            QCOMPARE(r.flows[i].response.headers.constData(), r.flows[0].response.headers.constData());
    }

    // A message that starts a record and repeats a recent header block: llhttp reads the start
    // line and then only the block's framing lines (Http1Parser::feedRepeatedHead). Its verdict
    // must be the whole block's: body lengths, chunking, HEAD, keep-alive, a refused upgrade, and
    // the bytes after the block where parsing goes on.
    void repeatedBlocksReadByTheirFramingLines()
    {
        StreamBuilder b;
        TestConnection c;
        const QByteArray length3 = "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: 3\r\n\r\nabc";
        const QByteArray chunked = "HTTP/1.1 200 OK\r\nServer: s\r\nTransfer-Encoding: chunked\r\n\r\n"
                                   "3\r\nxyz\r\n2\r\n!!\r\n0\r\n\r\n";
        const QByteArray empty = "HTTP/1.1 200 OK\r\nServer: s\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n";
        const QByteArray head = "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: 10\r\n\r\n";
        const QByteArray refused = "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: 2\r\n\r\nno";
        const QByteArray block = "Host: h\r\nAccept: */*\r\n\r\n";
        const QByteArray upgrade = "Host: h\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n";
        struct Step {
            QByteArray request;
            QByteArray response;
            QByteArray body;
        };
        const Step steps[] = {
            { "GET /0 HTTP/1.1\r\n" + block, length3, "abc" },
            { "GET /1 HTTP/1.1\r\n" + block, chunked, "xyz!!" },
            { "GET /2 HTTP/1.1\r\n" + block, empty, "" },
            { "GET /3 HTTP/1.1\r\n" + block, length3, "abc" },
            { "GET /4 HTTP/1.1\r\n" + block, chunked, "xyz!!" },
            { "GET /5 HTTP/1.1\r\n" + block, empty, "" },
            { "HEAD /6 HTTP/1.1\r\n" + block, head, "" },
            { "HEAD /7 HTTP/1.1\r\n" + block, head, "" },
            { "GET /8 HTTP/1.1\r\n" + upgrade, refused, "no" },
            { "GET /9 HTTP/1.1\r\n" + upgrade, refused, "no" },
            { "POST /10 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody", length3, "abc" },
            { "POST /11 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody", length3, "abc" },
        };
        for (const Step& step : steps) {
            b.egress(c, step.request);
            b.ingress(c, step.response);
        }
        // Two messages in one record each way: the second does not start its record.
        b.egress(c, "GET /12 HTTP/1.1\r\n" + block + "GET /13 HTTP/1.1\r\n" + block);
        b.ingress(c, chunked + length3);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.stats.parseErrors, uint64_t(0));
        QCOMPARE(r.flows.size(), std::size(steps) + 2);
        for (size_t i = 0; i < r.flows.size(); ++i) {
            const Flow& f = r.flows[i];
            const QByteArray n = QByteArray::number(qulonglong(i));
            QCOMPARE(f.request.target, "/" + n);
            QVERIFY2(f.request.complete && f.response.complete && !f.incomplete && !f.truncated, n.constData());
            QCOMPARE(f.response.status, 200);
            const QByteArray body = i < std::size(steps) ? steps[i].body : QByteArray(i == 12 ? "xyz!!" : "abc");
            QCOMPARE(f.response.body, body);
            QCOMPARE(f.request.body, QByteArray(i == 10 || i == 11 ? "body" : ""));
        }
        QCOMPARE(r.flows[7].response.header("Content-Length"), QByteArray("10"));
        QCOMPARE(r.flows[9].request.header("Upgrade"), QByteArray("h2c"));
        QCOMPARE(r.flows[13].request.headers.constData(), r.flows[0].request.headers.constData());
    }

    // The same fast path against the slow one on a long random keep-alive conversation: each
    // message in a record of its own (repeated blocks read by their framing lines), and the same
    // records cut into 5-byte pieces (every block parsed field by field) make the same flows.
    void repeatedBlocksMatchFieldByField()
    {
        QRandomGenerator random(20261128);
        const QByteArray requestBlocks[] = {
            "Host: h\r\nAccept: */*\r\n",
            "Host: h\r\nUser-Agent: t/1\r\nAccept: */*\r\nConnection: keep-alive\r\n",
            "host: h\r\nx-trace: 1\r\n",
        };
        const QByteArray responseBlocks[] = {
            "Server: s\r\nContent-Type: text/plain\r\n",
            "Server: s\r\nConnection: keep-alive\r\nCache-Control: no-store\r\n",
            "server: s\r\n",
        };
        const auto pick = [&](int n) { return int(random.bounded(n)); };
        StreamBuilder b;
        TestConnection c;
        int exchanges = 0;
        for (; exchanges < 400; ++exchanges) {
            const int kind = pick(8); // 0-4 GET, 5 HEAD, 6 POST with a length, 7 POST chunked
            const QByteArray method = kind == 5 ? "HEAD" : kind >= 6 ? "POST" : "GET";
            QByteArray request = method + " /" + QByteArray::number(exchanges) + " HTTP/1.1\r\n"
                + requestBlocks[pick(3)];
            if (kind == 6)
                request += "Content-Length: 4\r\n\r\nbody";
            else if (kind == 7)
                request += "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n";
            else
                request += "\r\n";
            b.egress(c, request);
            const int shape = pick(6);
            QByteArray head = shape == 4 ? QByteArray("HTTP/1.1 204 No Content\r\n")
                : shape == 5             ? QByteArray("HTTP/1.1 304 Not Modified\r\n")
                                         : QByteArray("HTTP/1.1 200 OK\r\n");
            head += responseBlocks[pick(3)];
            const int length = std::array { 0, 1, 5, 100 }[size_t(pick(4))];
            QByteArray body = repeat(char('a' + exchanges % 26), length);
            if (shape == 0 || shape == 1) {
                head += "Content-Length: " + QByteArray::number(length) + "\r\n\r\n";
            } else if (shape == 2) {
                head += "Transfer-Encoding: chunked\r\n\r\n";
                body = length ? QByteArray::number(length, 16) + "\r\n" + body + "\r\n0\r\n\r\n"
                              : QByteArray("0\r\n\r\n");
            } else if (shape == 3) {
                head += "Transfer-Encoding: chunked\r\n\r\n";
                body = "3\r\nxyz\r\n0\r\nX-Sum: " + QByteArray::number(exchanges % 7) + "\r\n\r\n";
            } else {
                head += "Content-Length: 50\r\n\r\n"; // 204 / 304: no body whatever it says
                body.clear();
            }
            if (kind == 5 && shape < 2) // a HEAD response declares a length it does not send
                body.clear();
            if (kind == 5 && (shape == 2 || shape == 3)) {
                head.replace("Transfer-Encoding: chunked", "Content-Length: 9");
                body.clear();
            }
            b.ingress(c, head + body);
        }
        b.close(c);
        const AssemblyResult whole = assemble(b.records());
        QCOMPARE(whole.stats.parseErrors, uint64_t(0));
        QCOMPARE(whole.flows.size(), size_t(exchanges));
        for (const Flow& f : whole.flows)
            QVERIFY2(f.request.complete && f.response.complete && !f.incomplete, describe(f).constData());
        QCOMPARE(allDescribed(whole), allDescribed(assemble(rechunk(b.records(), 5))));
    }

    // decodeBodies finds Content-Type and Content-Encoding once per shared header list
    // (BodyFieldsCache, 8 lists a connection): every flow still gets its own message's fields,
    // also when more lists cycle than the cache holds.
    void bodyFieldsOfSharedLists()
    {
        StreamBuilder b;
        TestConnection c;
        const auto response = [](int k) {
            QByteArray head = "HTTP/1.1 200 OK\r\nX-N: " + QByteArray::number(k) + "\r\n";
            if (k % 2 == 0)
                head += "Content-Encoding: identity\r\n";
            head += k == 3 ? "Content-Type: application/grpc\r\n" : "Content-Type: text/plain\r\n";
            return head + "Content-Length: 0\r\n\r\n";
        };
        // Five lists twice (shared: the cache's entries found again), then ten in turn (evicted).
        constexpr int kFlows = 40;
        const auto kind = [](int i) { return i < 10 ? i % 5 : i % 10; };
        for (int i = 0; i < kFlows; ++i) {
            b.egress(c, "GET /" + QByteArray::number(i) + " HTTP/1.1\r\nHost: h\r\n\r\n");
            b.ingress(c, response(kind(i)));
        }
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(kFlows));
        for (int i = 0; i < kFlows; ++i) {
            const Flow& f = r.flows[size_t(i)];
            const int k = kind(i);
            QCOMPARE(f.response.header("X-N"), QByteArray::number(k));
            QCOMPARE(f.response.contentEncoding(), k % 2 == 0 ? QByteArray("identity") : QByteArray());
            QCOMPARE(f.request.contentEncoding(), QByteArray());
            QCOMPARE(f.grpc().isGrpc, k == 3);
        }
        QCOMPARE(r.flows[5].response.headers.constData(), r.flows[0].response.headers.constData());
        QCOMPARE(r.flows[8].response.headers.constData(), r.flows[3].response.headers.constData());
    }

    void lostRecordsStat()
    {
        AssemblyResult r;
        FlowAssembler assembler([&r](Flow&& f) { r.flows.push_back(std::move(f)); });
        assembler.add(record::Lost { 1, 5 });
        assembler.add(record::Lost { 2, 9 });
        assembler.add(record::Lost { 3, 7 });
        QCOMPARE(assembler.stats().lostRecords, uint64_t(9));
        QCOMPARE(assembler.stats().records, uint64_t(3));
    }

    void hostileManyHeaders()
    {
        StreamBuilder b;
        TestConnection c;
        TestConnection other;
        other.id = 2;
        QByteArray req = "GET /many HTTP/1.1\r\n";
        for (int i = 0; i < 5000; ++i)
            req += "X-H" + QByteArray::number(i) + ": v\r\n";
        req += "\r\n";
        b.egress(c, req);
        b.egress(other, kGet);
        b.ingress(c, kOk);
        b.ingress(other, kOk);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        const Flow& f = *r.byId(1);
        QVERIFY(f.incomplete);
        QVERIFY(notesContain(f, QStringLiteral("more than 1000 header fields")));
        QVERIFY(f.request.headers.size() <= 1000);
        QVERIFY(!r.byId(2)->incomplete);
        QCOMPARE(r.stats.parseErrors, uint64_t(1));
    }

    void hostileLongHeaderLine()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "GET /long HTTP/1.1\r\nX-Big: ");
        for (int i = 0; i < 32; ++i)
            b.egress(c, repeat('z', 64 * 1024)); // 2 MiB in one header value
        b.egress(c, "\r\n\r\n");
        b.close(c);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        QVERIFY(r.flows[0].incomplete);
        QVERIFY(notesContain(r.flows[0], QStringLiteral("headers longer than")));
        qsizetype kept = 0;
        for (const HttpHeader& h : r.flows[0].request.headers)
            kept += h.value.size();
        QVERIFY(kept <= qsizetype(Http1Parser::kMaxHeaderBytes));
    }

    void hostileHugeContentLength()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "POST /huge HTTP/1.1\r\nHost: h\r\nContent-Length: 18446744073709551000\r\n\r\ntiny");
        b.skip(c, Direction::Egress, uint64_t(1) << 62); // and an absurd gap inside it
        b.egress(c, "more");
        b.close(c);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        const Flow& f = r.flows[0];
        QVERIFY(f.incomplete);
        QVERIFY(f.truncated);
        QVERIFY(!f.request.complete);
        QCOMPARE(f.request.body, QByteArray("tiny"));
        QCOMPARE(f.request.bodySize, (uint64_t(1) << 62) + 8);
    }

    void hostileOffsets()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kGet);
        c.offsets[0] = UINT64_MAX - 3;
        b.egress(c, kGet);
        c.offsets[0] = 0;
        b.egress(c, kGet);
        b.ingress(c, kOk);
        const AssemblyResult r = assemble(b.records());
        QVERIFY(!r.flows.empty());
        QCOMPARE(r.flows[0].response.body, QByteArray("hello"));
    }

    void manyPendingRequests()
    {
        StreamBuilder b;
        TestConnection c;
        QByteArray many;
        for (int i = 0; i < 1100; ++i)
            many += "GET /p HTTP/1.1\r\n\r\n";
        b.egress(c, many);
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1000));
        QCOMPARE(r.stats.parseErrors, uint64_t(1));
        QVERIFY(notesContain(r.flows.back(), QStringLiteral("more than 1000 requests without a response")));
    }

    void randomDamageNeverBreaks()
    {
        // Seeded mutations of a valid conversation: flipped bytes, cut chunks, shifted offsets.
        // Nothing may crash, hang or produce a flow twice; ids stay unique.
        StreamBuilder b;
        TestConnection c;
        conversation(b, c);
        const std::vector<record::Record> original = rechunk(b.records(), 23);
        QRandomGenerator rng(20261127);
        const int rounds = qEnvironmentVariableIsSet("HTTPTAP_DAMAGE_ROUNDS")
            ? qEnvironmentVariableIntValue("HTTPTAP_DAMAGE_ROUNDS")
            : 400;
        for (int round = 0; round < rounds; ++round) {
            std::vector<record::Record> damaged = original;
            for (record::Record& rec : damaged) {
                auto* d = std::get_if<record::Data>(&rec);
                if (!d || d->payload.empty())
                    continue;
                const quint32 roll = rng.bounded(100u);
                if (roll < 8) {
                    std::vector<uint8_t> bytes = d->payload.toVector();
                    bytes[rng.bounded(quint32(bytes.size()))] = uint8_t(rng.bounded(256u));
                    d->payload = bytes;
                } else if (roll < 12)
                    d->payload.truncate(rng.bounded(quint32(d->payload.size())));
                else if (roll < 14)
                    d->streamOffset += rng.bounded(64u);
                else if (roll < 16)
                    d->streamOffset -= std::min<uint64_t>(d->streamOffset, rng.bounded(64u));
                else if (roll < 17)
                    d->direction = Direction(1 - int(d->direction));
            }
            const AssemblyResult r = assemble(damaged, 64);
            std::set<uint64_t> ids;
            for (const Flow& f : r.flows)
                QVERIFY(ids.insert(f.id).second);
            QCOMPARE(r.stats.flows, uint64_t(r.flows.size()));
        }
    }

    void cannedStreamFromDisk()
    {
        const QString path = QStringLiteral(HTTPTAP_TEST_DATA_DIR "/http1-conversation.httptap");
        if (qEnvironmentVariableIsSet("HTTPTAP_REGENERATE_TEST_DATA")) {
            StreamBuilder b;
            TestConnection c;
            conversation(b, c);
            const std::vector<uint8_t> bytes = b.encode();
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()));
        }
        QFile in(path);
        QVERIFY2(in.open(QIODevice::ReadOnly), qPrintable(path));
        const QByteArray bytes = in.readAll();
        QVERIFY(bytes.size() < 64 * 1024);
        record::RecordReader reader;
        reader.feed(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
        std::vector<Flow> flows;
        FlowAssembler assembler([&flows](Flow&& f) { flows.push_back(std::move(f)); });
        bool sawStart = false;
        while (auto rec = reader.next()) {
            sawStart = sawStart || std::holds_alternative<record::StreamStart>(*rec);
            assembler.add(*rec); // StreamEnd at the end flushes
        }
        QCOMPARE(reader.state(), record::RecordReader::State::Records);
        QCOMPARE(reader.pending(), size_t(0));
        QVERIFY(sawStart);
        QCOMPARE(flows.size(), size_t(6));
        QCOMPARE(flows[0].request.target, QByteArray("/one"));
        QCOMPARE(flows[1].response.body, QByteArray("wikipedia in \r\n\r\nchunks."));
        QCOMPARE(flows[2].informational().size(), 1);
        QCOMPARE(flows[5].response.body, QByteArray("until the end"));
    }
};

QTEST_GUILESS_MAIN(TestFlowAssembler)
#include "tst_flowassembler.moc"
