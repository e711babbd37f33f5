// SPDX-License-Identifier: GPL-2.0-or-later
// AppView events and metrics, field by field against the examples of the
// AppView HTTP seed (an HTTP/1.1 and an HTTP/2 curl request to
// nghttp2.org/robots.txt), the order of their keys, metrics, roles, a
// request without a response, and hostile bytes kept valid JSON.

#include "export/appviewwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <arpa/inet.h>

using namespace httptap;

namespace {

// The seed's request left at 1632490879.840472 and its response arrived at 1632490880.010622.
constexpr uint64_t kMono = 5'000'000'000;
constexpr uint64_t kRealRequestNs = 1632490879'840472000ull;
constexpr uint64_t kResponseAfterNs = 170'150'000;
const QString kCmd = QStringLiteral("curl --http1.1 https://nghttp2.org/robots.txt");

FlowEndpoint endpoint6(const char* text, uint16_t port)
{
    FlowEndpoint e;
    e.family = 6;
    inet_pton(AF_INET6, text, e.addr.data());
    e.port = port;
    return e;
}

Flow seedFlow(bool http2)
{
    Flow f;
    f.id = 1;
    f.connId = 867516817554230;
    f.pid = 1730496;
    f.process = QStringLiteral("curl");
    f.source = record::Source::OpenSsl;
    f.role = Flow::Role::Client;
    f.local = endpoint6("2601:cf:4500:f481:27c7:7ea0:8bdd:35c0", 53398);
    f.remote = endpoint6("2400:8902::f03c:91ff:fe69:a454", 443);
    f.request.method = "GET";
    f.request.target = "/robots.txt";
    f.request.complete = true;
    f.response.status = 200;
    f.response.body = QByteArray(62, 'x');
    f.response.bodySize = 62;
    f.response.complete = true;
    if (http2) {
        f.httpVersion = "HTTP/2";
        f.streamId = 1;
        f.request.versionMajor = f.response.versionMajor = 2;
        f.request.versionMinor = f.response.versionMinor = 0;
        f.request.editRare().scheme = "https";
        f.request.editRare().authority = "nghttp2.org";
        f.request.headers = { { ":method", "GET" }, { ":path", "/robots.txt" }, { ":scheme", "https" },
            { ":authority", "nghttp2.org" }, { "user-agent", "curl/7.74.0" }, { "accept", "*/*" } };
        f.response.headers = { { ":status", "200" }, { "content-type", "text/plain" }, { "content-length", "62" } };
    } else {
        f.httpVersion = "HTTP/1.1";
        f.request.headers = { { "Host", "nghttp2.org" }, { "User-Agent", "curl/7.74.0" }, { "Accept", "*/*" } };
        f.response.reason = "OK";
        f.response.headers = { { "Server", "nghttpx" }, { "Content-Type", "text/plain" }, { "Content-Length", "62" } };
    }
    f.hasResponse = true;
    f.startNs = f.request.firstByteNs = f.request.lastByteNs = kMono;
    f.responseStartNs = f.response.firstByteNs = kMono + kResponseAfterNs;
    f.endNs = f.response.lastByteNs = kMono + kResponseAfterNs + 1000;
    return f;
}

AppViewWriter seedWriter()
{
    return AppViewWriter(QStringLiteral("dev01"), CaptureClock(kMono, kRealRequestNs));
}

QList<QJsonObject> parseLines(const QByteArray& text)
{
    QList<QJsonObject> out;
    for (const QByteArray& line : text.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            qFatal("not a JSON object: %s (%s)", line.constData(), qPrintable(error.errorString()));
        out.append(doc.object());
    }
    return out;
}

// Keys of the object "data" in the order they were written (QJsonObject sorts them).
QStringList dataKeyOrder(const QByteArray& line)
{
    const int start = line.indexOf("\"data\":{") + 8;
    QStringList keys;
    int depth = 0;
    bool inString = false, isKey = true;
    QByteArray current;
    for (int i = start; i < line.size() && depth >= 0; ++i) {
        const char c = line[i];
        if (inString) {
            if (c == '\\') {
                current += line[++i];
            } else if (c == '"') {
                inString = false;
                if (isKey && depth == 0)
                    keys.append(QString::fromUtf8(current));
            } else {
                current += c;
            }
        } else if (c == '"') {
            inString = true;
            current.clear();
        } else if (c == ':') {
            isKey = false;
        } else if (c == ',') {
            isKey = true;
        } else if (c == '{') {
            ++depth;
        } else if (c == '}') {
            --depth;
        }
    }
    return keys;
}

QJsonObject seedEnvelope(const QString& source, double time, const QJsonObject& data)
{
    return QJsonObject { { "type", "evt" }, { "id", "dev01-curl-1 https://nghttp2.org/robots.txt" },
        { "_channel", "867516817554230" },
        { "body",
            QJsonObject { { "sourcetype", "http" }, { "_time", time }, { "source", source }, { "host", "dev01" },
                { "proc", "curl" }, { "cmd", kCmd }, { "pid", 1730496 }, { "data", data } } } };
}

} // namespace

class TestAppViewWriter : public QObject
{
    Q_OBJECT
private slots:
    void seedEvents_data();
    void seedEvents();
    void metrics();
    void serverRole();
    void requestWithoutResponse();
    void eventId();
    void hostileBytesStayJson();
};

void TestAppViewWriter::seedEvents_data()
{
    QTest::addColumn<bool>("http2");
    QTest::newRow("HTTP/1.1") << false;
    QTest::newRow("HTTP/2") << true;
}

void TestAppViewWriter::seedEvents()
{
    QFETCH(bool, http2);
    const Flow flow = seedFlow(http2);
    const AppViewWriter writer = seedWriter();
    const QString flavor = http2 ? QStringLiteral("2.0") : QStringLiteral("1.1");

    // The seed's "HTTP Request Events" example, with the flavor of this flow.
    const QByteArray reqLine = writer.requestEvent(flow, kCmd);
    QVERIFY(reqLine.endsWith('\n') && reqLine.count('\n') == 1);
    const QJsonObject req = parseLines(reqLine).value(0);
    const QJsonObject reqData { { "http_method", "GET" }, { "http_target", "/robots.txt" }, { "http_flavor", flavor },
        { "http_scheme", "https" }, { "http_host", "nghttp2.org" }, { "http_user_agent", "curl/7.74.0" },
        { "net_transport", "IP.TCP" }, { "net_peer_ip", "2400:8902::f03c:91ff:fe69:a454" }, { "net_peer_port", 443 },
        { "net_host_ip", "2601:cf:4500:f481:27c7:7ea0:8bdd:35c0" }, { "net_host_port", 53398 } };
    QCOMPARE(req, seedEnvelope("http.req", 1632490879.840472, reqData));
    QCOMPARE(dataKeyOrder(reqLine),
        QStringList({ "http_method", "http_target", "http_flavor", "http_scheme", "http_host", "http_user_agent",
            "net_transport", "net_peer_ip", "net_peer_port", "net_host_ip", "net_host_port" }));
    // Envelope keys in the seed's order, and _time with its six decimals.
    const QByteArray envelope = "{\"type\":\"evt\",\"id\":\"dev01-curl-1 https://nghttp2.org/robots.txt\","
                                "\"_channel\":\"867516817554230\",\"body\":{\"sourcetype\":\"http\","
                                "\"_time\":1632490879.840472,\"source\":\"http.req\",\"host\":\"dev01\","
                                "\"proc\":\"curl\",\"cmd\":\"curl --http1.1 https://nghttp2.org/robots.txt\","
                                "\"pid\":1730496,\"data\":{";
    QVERIFY2(reqLine.startsWith(envelope), reqLine.constData());

    // The seed's "HTTP Response Events" example. curl sent the request, so the duration is
    // http_client_duration, as the seed's text says (its example shows the server's name).
    const QByteArray respLine = writer.responseEvent(flow, kCmd);
    const QJsonObject resp = parseLines(respLine).value(0);
    const QJsonObject respData { { "http_method", "GET" }, { "http_target", "/robots.txt" }, { "http_scheme", "https" },
        { "http_flavor", flavor }, { "http_status_code", 200 }, { "http_status_text", "OK" },
        { "http_client_duration", 170 }, { "http_host", "nghttp2.org" }, { "http_user_agent", "curl/7.74.0" },
        { "net_transport", "IP.TCP" }, { "net_peer_ip", "2400:8902::f03c:91ff:fe69:a454" }, { "net_peer_port", 443 },
        { "net_host_ip", "2601:cf:4500:f481:27c7:7ea0:8bdd:35c0" }, { "net_host_port", 53398 },
        { "http_response_content_length", 62 } };
    QCOMPARE(resp, seedEnvelope("http.resp", 1632490880.010622, respData));
    QCOMPARE(dataKeyOrder(respLine),
        QStringList({ "http_method", "http_target", "http_scheme", "http_flavor", "http_status_code",
            "http_status_text", "http_client_duration", "http_host", "http_user_agent", "net_transport", "net_peer_ip",
            "net_peer_port", "net_host_ip", "net_host_port", "http_response_content_length" }));

    // lines(): both events, then the metrics.
    const QList<QJsonObject> all = parseLines(writer.lines(flow, kCmd));
    QCOMPARE(all.size(), 5);
    QCOMPARE(all[0], req);
    QCOMPARE(all[1], resp);
    QCOMPARE(all[2].value("type").toString(), QStringLiteral("metric"));
}

void TestAppViewWriter::metrics()
{
    Flow flow = seedFlow(false);
    flow.request.method = "POST";
    flow.request.headers.append(HttpHeader { "Content-Length", "11" });
    const QList<QJsonObject> lines = parseLines(seedWriter().metrics(flow));
    auto metric = [](const char* name, const char* type, qint64 value, const char* unit) {
        // The seed's "HTTP Metrics" example shape.
        return QJsonObject { { "type", "metric" },
            { "body",
                QJsonObject { { "_metric", name }, { "_metric_type", type }, { "_time", 1632490880.010622 },
                    { "_value", value }, { "host", "dev01" }, { "http_status_code", 200 },
                    { "http_target", "/robots.txt" }, { "pid", 1730496 }, { "proc", "curl" }, { "unit", unit } } } };
    };
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], metric("http.req", "counter", 1, "request"));
    QCOMPARE(lines[1], metric("http.duration.client", "timer", 170, "millisecond"));
    QCOMPARE(lines[2], metric("http.req.content_length", "counter", 11, "byte"));
    QCOMPARE(lines[3], metric("http.resp.content_length", "counter", 62, "byte"));
}

void TestAppViewWriter::serverRole()
{
    Flow flow = seedFlow(false);
    flow.role = Flow::Role::Server;
    flow.process = QStringLiteral("nginx");
    flow.request.headers.append(HttpHeader { "X-Forwarded-For", "203.0.113.7" });
    flow.request.headers.append(HttpHeader { "X-AppView", "canada" });
    const AppViewWriter writer = seedWriter();
    const QJsonObject data = parseLines(writer.responseEvent(flow, QStringLiteral("nginx: worker process")))
                                 .value(0)
                                 .value("body")
                                 .toObject()
                                 .value("data")
                                 .toObject();
    QCOMPARE(data.value("http_server_duration").toInt(), 170);
    QVERIFY(!data.contains("http_client_duration"));
    QCOMPARE(data.value("http_client_ip").toString(), QStringLiteral("203.0.113.7"));
    QCOMPARE(data.value("x-appview").toString(), QStringLiteral("canada"));
    const QList<QJsonObject> metrics = parseLines(writer.metrics(flow));
    QCOMPARE(metrics[1].value("body").toObject().value("_metric").toString(), QStringLiteral("http.duration.server"));
    QCOMPARE(metrics[1].value("body").toObject().value("proc").toString(), QStringLiteral("nginx"));
}

void TestAppViewWriter::requestWithoutResponse()
{
    Flow flow = seedFlow(false);
    flow.hasResponse = false;
    flow.response = {};
    flow.incomplete = true;
    const AppViewWriter writer = seedWriter();
    QVERIFY(writer.responseEvent(flow, kCmd).isEmpty());
    const QList<QJsonObject> lines = parseLines(writer.lines(flow, kCmd));
    QCOMPARE(lines.size(), 2); // http.req event and the http.req counter, without a status
    QCOMPARE(lines[0].value("body").toObject().value("source").toString(), QStringLiteral("http.req"));
    const QJsonObject counter = lines[1].value("body").toObject();
    QCOMPARE(counter.value("_metric").toString(), QStringLiteral("http.req"));
    QVERIFY(!counter.contains("http_status_code"));
    QCOMPARE(counter.value("_time").toDouble(), 1632490879.840472);
}

void TestAppViewWriter::eventId()
{
    // Both ids of the seed: the host, the process and the last 32 characters of the command.
    QCOMPARE(AppViewWriter::eventId("dev01", "curl", "curl -Lso /dev/null --http1.1 http://nghttp2.org/robots.txt"),
        QStringLiteral("dev01-curl-.1 http://nghttp2.org/robots.txt"));
    QCOMPARE(AppViewWriter::eventId("dev01", "curl", kCmd), QStringLiteral("dev01-curl-1 https://nghttp2.org/robots.txt"));
    QCOMPARE(AppViewWriter::eventId("h", "p", "short"), QStringLiteral("h-p-short"));
}

void TestAppViewWriter::hostileBytesStayJson()
{
    Flow flow = seedFlow(false);
    flow.request.target = QByteArray("/a\"b\\c\x01\x7f\xff", 9);
    flow.request.headers[1].value = "agent\r\n\"x\"";
    flow.process = QStringLiteral("we\"ird\n");
    const QList<QJsonObject> lines = parseLines(seedWriter().lines(flow, QStringLiteral("cmd \"quoted\"\t")));
    QCOMPARE(lines.size(), 5);
    const QJsonObject body = lines[0].value("body").toObject();
    QCOMPARE(body.value("data").toObject().value("http_target").toString(), QString::fromLatin1("/a\"b\\c\x01\x7f\xff", 9));
    QCOMPARE(body.value("data").toObject().value("http_user_agent").toString(), QStringLiteral("agent\r\n\"x\""));
    QCOMPARE(body.value("proc").toString(), QStringLiteral("we\"ird\n"));
    QCOMPARE(body.value("cmd").toString(), QStringLiteral("cmd \"quoted\"\t"));
}

QTEST_APPLESS_MAIN(TestAppViewWriter)
#include "tst_appviewwriter.moc"
