// SPDX-License-Identifier: GPL-2.0-or-later
// The JSONL exporter: exact output for known flows (the schema is a contract
// with scripts), clock conversion, byte-to-text rules.

#include "export/jsonbytewriter.h"
#include "export/jsonlwriter.h"
#include "streambuilder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace httptap;

Q_DECLARE_METATYPE(httptap::Flow)
Q_DECLARE_METATYPE(httptap::CaptureClock)

namespace {

constexpr uint64_t kAnchorMono = 5'000'000'000;
constexpr uint64_t kAnchorReal = 1'795'770'000'000'000'000; // 2026-11-27T09:00:00Z

Flow knownFlow()
{
Flow f;
f.id = 1;
f.connId = 3;
f.pid = 1234;
f.tid = 1235;
f.process = QStringLiteral("curl");
f.source = record::Source::Syscall;
f.role = Flow::Role::Client;
f.local = FlowEndpoint { 4, { 127, 0, 0, 1 }, 5555 };
f.remote = FlowEndpoint { 4, { 127, 0, 0, 1 }, 8080 };
f.httpVersion = "HTTP/1.1";
f.request.method = "POST";
f.request.target = "/x?q=1";
f.request.headers = { { "Host", "127.0.0.1:8080" }, { "Content-Length", "3" } };
f.request.body = QByteArray("a\0b", 3);
f.request.bodySize = 3;
f.request.complete = true;
f.hasResponse = true;
f.response.status = 200;
f.response.reason = "OK";
f.response.headers = { { "Transfer-Encoding", "chunked" } };
f.response.editRare().trailers = { { "X-Sum", "9" } };
f.response.body = "hello";
f.response.bodySize = 5;
f.response.complete = true;
HttpMessage info;
info.status = 100;
info.reason = "Continue";
f.editRare().informational.append(info);
f.startNs = kAnchorMono + 123'456'789; // .123456789 s after the anchor
f.responseStartNs = f.startNs + 500'000;
f.endNs = f.startNs + 1'234'000;
return f;
}

} // namespace

class TestJsonlWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void exactLine()
    {
        const JsonlWriter w(CaptureClock(kAnchorMono, kAnchorReal));
        const QByteArray expected = "{\"conn_id\":3,\"duration_ms\":1.234,\"grpc\":null,\"http_version\":\"HTTP/1.1\",\"id\":1,"
                                    "\"incomplete\":false,\"informational\":[{\"headers\":[],\"reason\":\"Continue\","
                                    "\"status\":100}],\"initiator\":null,\"local\":{\"ip\":\"127.0.0.1\",\"port\":5555},\"notes\":[],"
                                    "\"pid\":1234,\"process\":\"curl\",\"pushed_by\":null,\"remote\":{\"ip\":\"127.0.0.1\",\"port\":8080},"
                                    "\"request\":{\"body\":\"YQBi\",\"body_size\":3,\"body_truncated\":false,"
                                    "\"complete\":true,\"content_encoding\":\"\",\"decoded_body\":null,"
                                    "\"decoded_body_size\":null,\"decoded_body_truncated\":false,"
                                    "\"headers\":[[\"Host\",\"127.0.0.1:8080\"],[\"Content-Length\","
                                    "\"3\"]],\"method\":\"POST\",\"target\":\"/x?q=1\",\"trailers\":[],"
                                    "\"url\":\"http://127.0.0.1:8080/x?q=1\"},\"response\":{\"body\":\"aGVsbG8=\","
                                    "\"body_size\":5,\"body_truncated\":false,\"complete\":true,"
                                    "\"content_encoding\":\"\",\"decoded_body\":null,\"decoded_body_size\":null,"
                                    "\"decoded_body_truncated\":false,\"headers\":"
                                    "[[\"Transfer-Encoding\",\"chunked\"]],\"reason\":\"OK\",\"status\":200,"
                                    "\"trailers\":[[\"X-Sum\",\"9\"]]},\"role\":\"client\",\"schema\":1,\"server_sent_events\":null,"
                                    "\"start_time\":\"2026-11-27T09:00:00.123456Z\",\"stream_id\":null,\"tid\":1235,"
                                    "\"timings\":{\"blocked_ms\":null,\"connect_ms\":null,\"connection_reused\":false,"
                                    "\"dns_ms\":null,\"dns_name\":null,\"receive_ms\":0.734,\"send_ms\":0,\"ssl_ms\":null,\"tcp_ms\":null,"
                                    "\"total_ms\":1.234,\"wait_ms\":0.5},\"tls\":\"plaintext\","
                                    "\"truncated\":false,\"ttfb_ms\":0.5,\"url\":\"http://127.0.0.1:8080/x?q=1\",\"websocket\":null}\n";
        QCOMPARE(w.line(knownFlow()), expected);
    }

    void streamsInTheLine()
    {
        const JsonlWriter w(CaptureClock(kAnchorMono, kAnchorReal));
        Flow f = knownFlow();
        f.webSocket = true;
        f.editRare().webSocketExtensions = "permessage-deflate";
        WebSocketMessage text;
        text.timeNs = kAnchorMono + 2'000'000;
        text.opcode = WebSocketMessage::Text;
        text.data = "hi";
        text.size = 2;
        WebSocketMessage close;
        close.timeNs = kAnchorMono + 3'000'000;
        close.fromClient = false;
        close.opcode = WebSocketMessage::Close;
        close.data = QByteArray::fromHex("03e8") + "bye";
        close.size = 5;
        close.closeCode = 1000;
        close.closeReason = "bye";
        close.note = "a note";
        f.editRare().webSocketMessages = { text, close };
        f.editRare().streamItemsDropped = 4;
        const QJsonObject o = w.toJson(f);
        QCOMPARE(QJsonDocument(o.value("websocket").toObject()).toJson(QJsonDocument::Compact),
            QByteArray("{\"extensions\":\"permessage-deflate\",\"messages\":[{\"close_code\":null,\"close_reason\":\"\","
                       "\"compressed\":false,\"data\":\"aGk=\",\"from\":\"client\",\"note\":\"\",\"opcode\":1,\"size\":2,"
                       "\"time\":\"2026-11-27T09:00:00.002000Z\",\"truncated\":false},{\"close_code\":1000,"
                       "\"close_reason\":\"bye\",\"compressed\":false,\"data\":\"A+hieWU=\",\"from\":\"server\","
                       "\"note\":\"a note\",\"opcode\":8,\"size\":5,\"time\":\"2026-11-27T09:00:00.003000Z\","
                       "\"truncated\":false}],\"messages_dropped\":4}"));

        Flow sse = knownFlow();
        sse.response.headers = { { "Content-Type", "text/event-stream" } };
        sse.editRare().serverSentEvents = { ServerSentEvent { kAnchorMono + 1000, "7", "tick", "a\nb", 2500 } };
        QCOMPARE(QJsonDocument(w.toJson(sse).value("server_sent_events").toObject()).toJson(QJsonDocument::Compact),
            QByteArray("{\"events\":[{\"data\":\"a\\nb\",\"event\":\"tick\",\"id\":\"7\",\"retry_ms\":2500,"
                       "\"time\":\"2026-11-27T09:00:00.000001Z\"}],\"events_dropped\":0}"));
        QVERIFY(w.toJson(knownFlow()).value("server_sent_events").isNull());
    }

    void noResponseIpv6Server()
    {
        Flow f = knownFlow();
        f.role = Flow::Role::Server;
        f.source = record::Source::OpenSsl;
        f.local = FlowEndpoint { 6, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 8443 };
        f.remote = FlowEndpoint { 6, { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0, 0, 0, 0, 0, 0x2a }, 40001 };
        f.request.headers.clear();
        f.hasResponse = false;
        f.editRare().informational.clear();
        f.responseStartNs = 0;
        f.incomplete = true;
        f.truncated = true;
        f.notes = QStringList { QStringLiteral("capture ended before a response") };
        const QJsonObject o
            = QJsonDocument::fromJson(JsonlWriter(CaptureClock(kAnchorMono, kAnchorReal)).line(f)).object();
        QCOMPARE(o.value("tls").toString(), QStringLiteral("openssl"));
        QCOMPARE(o.value("role").toString(), QStringLiteral("server"));
        QCOMPARE(o.value("local").toObject().value("ip").toString(), QStringLiteral("::1"));
        QCOMPARE(o.value("local").toObject().value("port").toInt(), 8443);
        QCOMPARE(o.value("remote").toObject().value("ip").toString(), QStringLiteral("fe80::211:0:0:2a"));
        // No Host header: the local (server) address, bracketed.
        QCOMPARE(o.value("url").toString(), QStringLiteral("https://[::1]:8443/x?q=1"));
        QVERIFY(o.value("response").isNull());
        QVERIFY(o.value("ttfb_ms").isNull());
        QCOMPARE(o.value("incomplete").toBool(), true);
        QCOMPARE(o.value("notes").toArray().at(0).toString(), QStringLiteral("capture ended before a response"));
    }

    void unknownEndpointIsNull()
    {
        Flow f = knownFlow();
        f.local = FlowEndpoint {};
        const QJsonObject o = QJsonDocument::fromJson(JsonlWriter().line(f)).object();
        QVERIFY(o.value("local").isNull());
    }

    void wallClock_data()
    {
        QTest::addColumn<uint64_t>("monotonic");
        QTest::addColumn<QString>("expected");
        QTest::newRow("anchor") << kAnchorMono << QStringLiteral("2026-11-27T09:00:00.000000Z");
        QTest::newRow("+1.5s") << kAnchorMono + 1'500'000'000 << QStringLiteral("2026-11-27T09:00:01.500000Z");
        QTest::newRow("sub-microsecond dropped") << kAnchorMono + 999 << QStringLiteral("2026-11-27T09:00:00.000000Z");
        QTest::newRow("before the anchor") << kAnchorMono - 1'000 << QStringLiteral("2026-11-27T08:59:59.999999Z");
        QTest::newRow("next day") << kAnchorMono + 86'400'000'000'000 << QStringLiteral("2026-11-28T09:00:00.000000Z");
    }

    void wallClock()
    {
        QFETCH(uint64_t, monotonic);
        QFETCH(QString, expected);
        const CaptureClock clock
            = CaptureClock::fromStreamStart(record::StreamStart { kAnchorMono, kAnchorReal, 1, "t" });
        QVERIFY(clock.isAnchored());
        QCOMPARE(clock.toIsoString(monotonic), expected);
        QCOMPARE(clock.toRealtimeNs(monotonic), int64_t(kAnchorReal) + (int64_t(monotonic) - int64_t(kAnchorMono)));
    }

    void unanchoredClock()
    {
        QCOMPARE(CaptureClock().toIsoString(1'000'001'000), QStringLiteral("1970-01-01T00:00:01.000001Z"));
        QCOMPARE(CaptureClock::formatRealtime(-1), QStringLiteral("1969-12-31T23:59:59.999999Z"));
    }

    void wireStrings_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("ascii") << QByteArray("text/html") << QStringLiteral("text/html");
        QTest::newRow("utf-8") << QByteArray("caf\xc3\xa9") << QString::fromUtf8("caf\xc3\xa9");
        QTest::newRow("latin-1") << QByteArray("caf\xe9") << QString(QStringLiteral("caf") + QChar(0xe9));
        QTest::newRow("lone continuation") << QByteArray("\x80\xff") << QString(QChar(0x80)) + QChar(0xff);
        QTest::newRow("empty") << QByteArray() << QString();
    }

    void wireStrings()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        QCOMPARE(JsonlWriter::wireString(bytes), expected);
    }

    void nonUtf8Header()
    {
        Flow f = knownFlow();
        f.request.headers = { { "X-Name", "caf\xe9" }, { "X-Ok", "caf\xc3\xa9" } };
        const QByteArray line = JsonlWriter().line(f);
        // Latin-1 é is written as the character U+00E9, i.e. the UTF-8 bytes C3 A9 in the JSON text.
        QVERIFY(line.contains("[[\"X-Name\",\"caf\xc3\xa9\"],[\"X-Ok\",\"caf\xc3\xa9\"]]"));
        QVERIFY(line.endsWith("}\n"));
        QCOMPARE(line.count('\n'), 1);
    }

    void controlCharactersEscaped()
    {
        Flow f = knownFlow();
        f.request.target = "/a\nb";
        const QByteArray line = JsonlWriter().line(f);
        QCOMPARE(line.count('\n'), 1);
        QVERIFY(line.contains("\"target\":\"/a\\nb\""));
    }

    // line() formats straight into bytes; toJson() builds the QJsonObject the schema was defined
    // with. Both must give the same bytes for every kind of flow and every kind of text in it.
    void lineMatchesQJsonDocument_data()
    {
        QTest::addColumn<Flow>("flow");
        QTest::addColumn<CaptureClock>("clock");
        const CaptureClock anchored(kAnchorMono, kAnchorReal);
        QTest::newRow("known") << knownFlow() << anchored;
        QTest::newRow("unanchored clock") << knownFlow() << CaptureClock();
        QTest::newRow("before 1970") << knownFlow() << CaptureClock(kAnchorMono * 4, 1'000);
        QTest::newRow("after 9999") << knownFlow() << CaptureClock(0, 300'000'000'000'000'000);
        Flow f = knownFlow();
        f.role = Flow::Role::Server;
        f.source = record::Source::OpenSsl;
        f.local = FlowEndpoint { 6, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 8443 };
        f.remote = FlowEndpoint {};
        f.hasResponse = false;
        f.responseStartNs = 0;
        f.incomplete = f.truncated = true;
        f.notes = QStringList { QStringLiteral("cut"), QString::fromUtf8("d\xc3\xa9j\xc3\xa0 vu \xf0\x9f\x98\x80") };
        QTest::newRow("server, ipv6, no response, notes") << f << anchored;
        f = knownFlow();
        f.request.headers = { { "X-Latin1", "caf\xe9" }, { "X-Utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
            { "X-Bom", "\xef\xbb\xbf" "bom" }, { "X-Ctl", QByteArray("\x00\x01\x08\x09\x0a\x0c\x0d\x1f\x7f\"\\/", 13) },
            { "X-Surrogate", "\xed\xa0\x80" }, { "X-Overlong", "\xc0\xaf" }, { "X-Nonchar", "\xef\xbf\xbe" },
            { "", "" } };
        f.request.method = "G\xc3\xa9T";
        f.request.target = "/\xff?a=\"b\"\\";
        f.response.reason = "\xe9t\xe9\n";
        f.response.editRare().contentEncoding = "gzip";
        f.response.editRare().decoded = true;
        f.response.editRare().decodedBody = "decoded!";
        f.response.editRare().decodedTruncated = true;
        f.process = QString(QStringLiteral("p")) + QChar(0xd800) + QChar(0xdc00) + QChar(0xdc01) + QChar(0x07ff)
            + QChar(0x0800) + QChar(0xfffd);
        QTest::newRow("text of every kind") << f << anchored;
        for (int size : { 0, 1, 2, 3, 4, 5, 256 }) {
            f = knownFlow();
            for (int i = 0; i < size; ++i)
                f.response.body.append(char(i * 37 + 11));
            f.response.bodySize = uint64_t(size) + 1'000'000'000'000ULL;
            f.response.bodyTruncated = true;
            QTest::addRow("body of %d bytes", size) << f << anchored;
        }
        f = knownFlow();
        f.httpVersion = "HTTP/2";
        f.streamId = 5;
        f.pushedBy = 3;
        f.setup.connectStartNs = f.startNs - 3'000'000;
        f.setup.connectEndNs = f.startNs - 2'000'000;
        f.setup.tlsStartNs = f.startNs - 1'999'999;
        f.setup.tlsEndNs = f.startNs - 1;
        f.endNs = f.startNs + 7'000'000'000'000; // whole milliseconds, and large
        f.responseStartNs = f.startNs + 1;
        QTest::newRow("http/2, set-up timings, exact ms") << f << anchored;
        f.setup = {};
        f.setup.reused = true;
        f.endNs = f.startNs + 123'456'789'123'457;
        QTest::newRow("reused, long") << f << anchored;
        f = knownFlow();
        f.endNs = f.startNs - 5; // clock skew: durations clamp to 0
        QTest::newRow("end before start") << f << anchored;
        f = knownFlow();
        f.httpVersion = "HTTP/\xb2";
        QTest::newRow("odd version bytes") << f << anchored;
        f = knownFlow();
        f.editRare().informational.append(f.informational().first());
        f.editRare().informational.last().headers = { { "Link", "</a.css>; rel=preload" } };
        f.editRare().informational.last().status = 103;
        f.editRare().informational.last().reason = "Early Hints";
        QTest::newRow("two informational") << f << anchored;
        f = knownFlow();
        f.httpVersion = "HTTP/2";
        f.editGrpc().isGrpc = true;
        f.editGrpc().service = "helloworld.Greeter";
        f.editGrpc().method = "SayHello";
        f.editGrpc().status = 0;
        f.editGrpc().message = "ok \xe9";
        f.editGrpc().requestMessages = { GrpcMessage { false, 3, "abc", false, false, kAnchorMono + 5 } };
        f.editGrpc().responseMessages = { GrpcMessage { true, 9, "decompressed", true, false, 0 } };
        QTest::newRow("grpc") << f << anchored;
        f = knownFlow();
        f.webSocket = true;
        f.editRare().webSocketExtensions = "permessage-deflate";
        WebSocketMessage ws;
        ws.timeNs = kAnchorMono + 2'000'000;
        ws.data = "h\xe9";
        ws.size = 2;
        ws.note = QStringLiteral("invalid UTF-8 in a text message");
        f.editRare().webSocketMessages = { ws };
        f.editRare().streamItemsDropped = 2;
        QTest::newRow("websocket") << f << anchored;
        f = knownFlow();
        f.response.headers = { { "Content-Type", "text/event-stream" } };
        f.editRare().serverSentEvents = { ServerSentEvent { kAnchorMono + 1000, "7", "tick", "a\nb", 2500 },
            ServerSentEvent { 0, "", "", "", -1 } };
        QTest::newRow("server-sent events") << f << anchored;
        f = knownFlow();
        f.initiator = initiatorStack();
        QTest::newRow("initiator") << f << anchored;
        // The direct writer formats IPv4 addresses and frame addresses itself: every digit count,
        // a zero address, a stack without a time or a thread name, a frame outside every module.
        f = knownFlow();
        f.local.addr = { 0, 0, 0, 0 };
        f.remote.addr = { 10, 99, 255, 100 };
        auto bare = std::make_shared<InitiatorStack>();
        bare->frames = { StackFrame { 0, {}, 0, {}, 0 }, StackFrame { 0xffffffffffffffff, {}, 0, QStringLiteral("\"q\""), 0 } };
        f.initiator = bare;
        QTest::newRow("addresses and a bare stack") << f << anchored;
    }

    static std::shared_ptr<const InitiatorStack> initiatorStack()
    {
        auto st = std::make_shared<InitiatorStack>();
        st->tid = 1235;
        st->thread = QStringLiteral("fetcher");
        st->timestampNs = kAnchorMono + 1000;
        st->partial = true;
        st->frames = { StackFrame { 0x7f0000030010, QStringLiteral("/usr/lib/x86_64-linux-gnu/libc.so.6"), 0x30010, {}, 0 },
            StackFrame { 0x555500001100, QStringLiteral("/opt/client"), 0x1100, QStringLiteral("fetch_user"), 0x2b } };
        return st;
    }

    // The initiator's exact shape (issue 12): hex addresses, symbol fields only once named.
    void initiatorObject()
    {
        Flow f = knownFlow();
        f.initiator = initiatorStack();
        const JsonlWriter w(CaptureClock(kAnchorMono, kAnchorReal));
        QCOMPARE(QJsonDocument(w.toJson(f).value("initiator").toObject()).toJson(QJsonDocument::Compact),
            QByteArray("{\"frames\":[{\"address\":\"0x7f0000030010\",\"module\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\","
                       "\"offset\":196624},{\"address\":\"0x555500001100\",\"module\":\"/opt/client\",\"offset\":4352,"
                       "\"symbol\":\"fetch_user\",\"symbol_offset\":43}],\"partial\":true,\"thread\":\"fetcher\","
                       "\"tid\":1235,\"time\":\"2026-11-27T09:00:00.000001Z\"}"));
    }

    // Base64 by table pairs against Qt's, for every length remainder and every byte value.
    void base64MatchesQt()
    {
        QByteArray bytes;
        for (int n = 0; n <= 515; ++n) {
            std::string out;
            JsonByteWriter w(out);
            w.base64(bytes);
            w.finish();
            QCOMPARE(QByteArray::fromStdString(out), '"' + bytes.toBase64() + '"');
            bytes.append(char((n * 167 + 13) & 0xff));
        }
    }

    // Addresses as text, spelled out here rather than compared with address(): both writers share
    // formatIpv4.
    void ipv4Text()
    {
        Flow f = knownFlow();
        f.local.addr = { 0, 0, 0, 0 };
        f.remote.addr = { 10, 99, 255, 100 };
        const QByteArray line = JsonlWriter(CaptureClock(kAnchorMono, kAnchorReal)).line(f);
        QVERIFY2(line.contains("\"local\":{\"ip\":\"0.0.0.0\","), line.constData());
        QVERIFY2(line.contains("\"remote\":{\"ip\":\"10.99.255.100\","), line.constData());
        QCOMPARE(f.remote.address(), QStringLiteral("10.99.255.100"));
        f.remote.addr = { 1, 20, 3, 199 };
        QCOMPARE(f.remote.address(), QStringLiteral("1.20.3.199"));
    }

    void lineMatchesQJsonDocument()
    {
        QFETCH(Flow, flow);
        QFETCH(CaptureClock, clock);
        const JsonlWriter w(clock);
        const QByteArray reference = QJsonDocument(w.toJson(flow)).toJson(QJsonDocument::Compact) + '\n';
        QCOMPARE(w.line(flow), reference);
        QByteArray appended = "previous line\n";
        w.appendLine(flow, appended);
        QCOMPARE(appended, "previous line\n" + reference);
    }

    void fromAssembledFlow()
    {
        test::StreamBuilder b;
        test::TestConnection c;
        b.egress(c, "GET /j HTTP/1.1\r\nHost: example.test\r\n\r\n");
        b.ingress(c, QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n") + QByteArray("\xff\x00", 2));
        const test::AssemblyResult r = test::assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        const CaptureClock clock(test::StreamBuilder::kStartNs, kAnchorReal);
        const QJsonObject o = QJsonDocument::fromJson(JsonlWriter(clock).line(r.flows[0])).object();
        QCOMPARE(o.value("url").toString(), QStringLiteral("http://example.test/j"));
        QCOMPARE(o.value("start_time").toString(), QStringLiteral("2026-11-27T09:00:00.000000Z"));
        QCOMPARE(o.value("duration_ms").toDouble(), 0.001);
        QCOMPARE(o.value("ttfb_ms").toDouble(), 0.001);
        QCOMPARE(QByteArray::fromBase64(o.value("response").toObject().value("body").toString().toLatin1()),
            QByteArray("\xff\x00", 2));
    }
};

QTEST_GUILESS_MAIN(TestJsonlWriter)
#include "tst_jsonlwriter.moc"
