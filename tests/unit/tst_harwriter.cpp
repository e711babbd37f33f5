// SPDX-License-Identifier: GPL-2.0-or-later
// HAR 1.2 export: exact entries for known flows (HTTP/1 with cookies, forms,
// compression; HTTP/2; binary bodies; no response; gRPC), redaction on and
// off, the document frame. Validity against har-validator is checked on real
// captures in tests/capture/test_exports.py.

#include "export/harwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace httptap;

namespace {

constexpr uint64_t kAnchorMono = 5'000'000'000;
constexpr uint64_t kAnchorReal = 1'795'770'000'000'000'000; // 2026-11-27T09:00:00Z
const CaptureClock kClock(kAnchorMono, kAnchorReal);

QJsonObject json(const char* text)
{
    QJsonParseError e {};
    const QJsonDocument d = QJsonDocument::fromJson(text, &e);
    if (e.error != QJsonParseError::NoError)
        qFatal("bad expected JSON: %s at %d", qPrintable(e.errorString()), e.offset);
    return d.object();
}

Flow http1Flow()
{
    Flow f;
    f.id = 1;
    f.connId = 7;
    f.pid = 1234;
    f.process = QStringLiteral("curl");
    f.source = record::Source::OpenSsl;
    f.local = FlowEndpoint { 4, { 127, 0, 0, 1 }, 5555 };
    f.remote = FlowEndpoint { 4, { 127, 0, 0, 1 }, 8443 };
    f.httpVersion = "HTTP/1.1";
    f.request.method = "POST";
    f.request.target = "/login?next=%2Fhome&a+b=c";
    f.request.headers = { { "Host", "127.0.0.1:8443" }, { "Authorization", "Basic dTpw" },
        { "Cookie", "sid=abc; theme=dark" }, { "Content-Type", "application/x-www-form-urlencoded" },
        { "Content-Length", "19" } };
    f.request.body = "user=me&pass=s%21+x";
    f.request.bodySize = 19;
    f.request.complete = true;
    f.request.lastByteNs = kAnchorMono + 1'000'000;
    f.hasResponse = true;
    f.response.status = 302;
    f.response.reason = "Found";
    f.response.headers = { { "Set-Cookie", "sid=new; Path=/; HttpOnly; Secure" }, { "Location", "/home" },
        { "Content-Type", "text/html" }, { "Content-Encoding", "gzip" }, { "Content-Length", "4" } };
    f.response.body = "gzip";
    f.response.bodySize = 4;
    f.response.editRare().contentEncoding = "gzip";
    f.response.editRare().decoded = true;
    f.response.editRare().decodedBody = "<p>moved</p>";
    f.response.complete = true;
    f.startNs = kAnchorMono;
    f.responseStartNs = kAnchorMono + 3'500'000;
    f.endNs = kAnchorMono + 3'750'250;
    return f;
}

} // namespace

class TestHarWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void http1EntryRedacted()
    {
        const QJsonObject expected = json("{\n"
            "          \"startedDateTime\": \"2026-11-27T09:00:00.000000Z\", \"time\": 3.75,\n"
            "          \"timings\": {\"blocked\": -1, \"dns\": -1, \"connect\": -1, \"ssl\": -1, \"send\": 1, \"wait\": 2.5, \"receive\": 0.25},\n"
            "          \"request\": {\"method\": \"POST\", \"url\": \"https://127.0.0.1:8443/login?next=%2Fhome&a+b=c\", \"httpVersion\": \"HTTP/1.1\",\n"
            "            \"cookies\": [{\"name\": \"sid\", \"value\": \"[REDACTED]\"}, {\"name\": \"theme\", \"value\": \"[REDACTED]\"}],\n"
            "            \"headers\": [{\"name\": \"Host\", \"value\": \"127.0.0.1:8443\"}, {\"name\": \"Authorization\", \"value\": \"[REDACTED]\"},\n"
            "                        {\"name\": \"Cookie\", \"value\": \"[REDACTED]\"},\n"
            "                        {\"name\": \"Content-Type\", \"value\": \"application/x-www-form-urlencoded\"},\n"
            "                        {\"name\": \"Content-Length\", \"value\": \"19\"}],\n"
            "            \"queryString\": [{\"name\": \"next\", \"value\": \"/home\"}, {\"name\": \"a b\", \"value\": \"c\"}],\n"
            "            \"postData\": {\"mimeType\": \"application/x-www-form-urlencoded\", \"text\": \"user=me&pass=s%21+x\",\n"
            "                         \"params\": [{\"name\": \"user\", \"value\": \"me\"}, {\"name\": \"pass\", \"value\": \"s! x\"}]},\n"
            "            \"headersSize\": 190, \"bodySize\": 19},\n"
            "          \"response\": {\"status\": 302, \"statusText\": \"Found\", \"httpVersion\": \"HTTP/1.1\",\n"
            "            \"cookies\": [{\"name\": \"sid\", \"value\": \"[REDACTED]\", \"path\": \"/\", \"httpOnly\": true, \"secure\": true}],\n"
            "            \"headers\": [{\"name\": \"Set-Cookie\", \"value\": \"[REDACTED]\"}, {\"name\": \"Location\", \"value\": \"/home\"},\n"
            "                        {\"name\": \"Content-Type\", \"value\": \"text/html\"}, {\"name\": \"Content-Encoding\", \"value\": \"gzip\"},\n"
            "                        {\"name\": \"Content-Length\", \"value\": \"4\"}],\n"
            "            \"content\": {\"size\": 12, \"compression\": 8, \"mimeType\": \"text/html\", \"text\": \"<p>moved</p>\"},\n"
            "            \"redirectURL\": \"/home\", \"headersSize\": 154, \"bodySize\": 4},\n"
            "          \"cache\": {}, \"serverIPAddress\": \"127.0.0.1\", \"connection\": \"7\",\n"
            "          \"_process\": \"curl\", \"_pid\": 1234, \"_tls\": \"openssl\", \"_connectionId\": 7, \"_role\": \"client\",\n"
            "          \"_truncated\": false, \"_incomplete\": false, \"_notes\": [],\n"
            "          \"_redacted\": [\"Authorization\", \"Cookie\", \"Set-Cookie\"]\n"
            "        }");
        const QJsonObject actual = harEntry(http1Flow(), kClock);
        for (auto it = expected.begin(); it != expected.end(); ++it)
            QVERIFY2(actual.value(it.key()) == it.value(),
                qPrintable(it.key() + QLatin1String(": ") + QJsonDocument(QJsonObject { { it.key(), actual.value(it.key()) } }).toJson(QJsonDocument::Compact)));
        QCOMPARE(actual, expected);
    }

    void unredactedKeepsValues()
    {
        HarOptions o;
        o.redact = false;
        const QJsonObject e = harEntry(http1Flow(), kClock, o);
        QCOMPARE(e.value("request")["headers"][1]["value"].toString(), QStringLiteral("Basic dTpw"));
        QCOMPARE(e.value("request")["cookies"][0]["value"].toString(), QStringLiteral("abc"));
        QCOMPARE(e.value("response")["cookies"][0]["value"].toString(), QStringLiteral("new"));
        QVERIFY(!e.contains("_redacted"));
    }

    void configurableRedaction()
    {
        Flow f = http1Flow();
        f.request.headers.append(HttpHeader { "X-Api-Token", "t0k" });
        f.request.headers[3].value = "application/json";
        f.request.body = "{\"user\":\"me\",\"password\":\"pw\",\"nested\":[{\"Password\":\"x\"}]}";
        HarOptions o;
        o.redactHeaders = { QStringLiteral("x-*-token") };
        o.redactJsonFields = { QStringLiteral("password") };
        const QJsonObject e = harEntry(f, kClock, o);
        QCOMPARE(e.value("request")["headers"][5]["value"].toString(), QStringLiteral("[REDACTED]"));
        QCOMPARE(e.value("request")["postData"]["text"].toString(),
            QStringLiteral("{\"nested\":[{\"Password\":\"[REDACTED]\"}],\"password\":\"[REDACTED]\",\"user\":\"me\"}"));
        QCOMPARE(e.value("_redacted").toArray(),
            QJsonArray({ "Authorization", "Cookie", "X-Api-Token", "Password", "password", "Set-Cookie" }));
    }

    void http2BinaryBody()
    {
        Flow f;
        f.id = 2;
        f.connId = 9;
        f.source = record::Source::Syscall;
        f.httpVersion = "HTTP/2";
        f.streamId = 3;
        f.request.method = "PUT";
        f.request.target = "/up";
        f.request.editRare().scheme = "http";
        f.request.editRare().authority = "[::1]:8080";
        f.request.headers = { { ":method", "PUT" }, { ":path", "/up" }, { ":scheme", "http" },
            { ":authority", "[::1]:8080" }, { "content-type", "application/octet-stream" } };
        f.request.body = QByteArray("\x00\xff", 2);
        f.request.bodySize = 2;
        f.hasResponse = true;
        f.response.status = 200;
        f.response.headers = { { ":status", "200" }, { "content-type", "image/png" } };
        f.response.body = QByteArray("\x89PNG", 4);
        f.response.bodySize = 4;
        f.remote = FlowEndpoint { 6, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 8080 };
        f.startNs = kAnchorMono;
        f.endNs = kAnchorMono + 1000;
        f.responseStartNs = kAnchorMono + 1000;
        const QJsonObject e = harEntry(f, kClock);
        QCOMPARE(e.value("request")["httpVersion"].toString(), QStringLiteral("h2"));
        QCOMPARE(e.value("request")["headersSize"].toInt(), -1);
        QCOMPARE(e.value("request")["headers"].toArray().size(), 5);
        QCOMPARE(e.value("request")["postData"].toObject(),
            json("{\"mimeType\": \"application/octet-stream\", \"params\": [], \"text\": \"AP8=\", \"_encoding\": \"base64\"}"));
        QCOMPARE(e.value("response")["content"].toObject(),
            json("{\"size\": 4, \"mimeType\": \"image/png\", \"text\": \"iVBORw==\", \"encoding\": \"base64\"}"));
        QCOMPARE(e.value("response")["statusText"].toString(), QString());
        QCOMPARE(e.value("serverIPAddress").toString(), QStringLiteral("::1"));
        QCOMPARE(e.value("_streamId").toInt(), 3);
        QCOMPARE(e.value("time").toDouble(), 0.001);
    }

    void noResponse()
    {
        Flow f = http1Flow();
        f.hasResponse = false;
        f.response = {};
        f.responseStartNs = 0;
        f.incomplete = true;
        f.notes = { QStringLiteral("connection closed before a response") };
        const QJsonObject e = harEntry(f, kClock);
        QCOMPARE(e.value("response").toObject(),
            json("{\"status\": 0, \"statusText\": \"\", \"httpVersion\": \"\", \"cookies\": [], \"headers\": [],\n"
            "                     \"content\": {\"size\": 0, \"mimeType\": \"x-unknown\"}, \"redirectURL\": \"\", \"headersSize\": -1,\n"
            "                     \"bodySize\": -1}"));
        QCOMPARE(e.value("timings")["wait"].toDouble(), 2.75);
        QCOMPARE(e.value("time").toDouble(), 3.75);
        QCOMPARE(e.value("_incomplete").toBool(), true);
        QCOMPARE(e.value("_notes").toArray(), QJsonArray({ "connection closed before a response" }));
    }

    void grpcAndTruncation()
    {
        Flow f = http1Flow();
        f.editGrpc().isGrpc = true;
        f.editGrpc().service = "a.B";
        f.editGrpc().method = "C";
        f.editGrpc().status = 0;
        f.editGrpc().responseMessages.append(GrpcMessage { false, 2, "hi", false, false });
        f.response.bodyTruncated = true;
        f.truncated = true;
        const QJsonObject e = harEntry(f, kClock);
        QCOMPARE(e.value("_grpc").toObject(),
            json("{\"service\": \"a.B\", \"method\": \"C\", \"encoding\": \"\", \"status\": 0, \"message\": \"\",\n"
            "                     \"requestMessages\": [], \"responseMessages\": [{\"compressed\": false, \"length\": 2, \"data\": \"aGk=\",\n"
            "                     \"decompressed\": false, \"truncated\": false}]}"));
        QCOMPARE(e.value("response")["_bodyTruncated"].toBool(), true);
        QCOMPARE(e.value("_truncated").toBool(), true);
    }

    void document()
    {
        HarOptions o;
        o.creatorVersion = QStringLiteral("9.9");
        const QJsonObject doc = harDocument({ http1Flow(), http1Flow() }, kClock, o);
        QCOMPARE(doc.value("log")["version"].toString(), QStringLiteral("1.2"));
        QCOMPARE(doc.value("log")["creator"].toObject(), json("{\"name\": \"httptap\", \"version\": \"9.9\"}"));
        QCOMPARE(doc.value("log")["entries"].toArray().size(), 2);
        const QJsonDocument parsed = QJsonDocument::fromJson(harBytes({ http1Flow() }, kClock));
        QCOMPARE(parsed.object().value("log")["entries"].toArray().size(), 1);
        QVERIFY(harBytes({}, kClock).startsWith("{\n    \"log\": {\n"));
    }
};

QTEST_GUILESS_MAIN(TestHarWriter)
#include "tst_harwriter.moc"
