// SPDX-License-Identifier: GPL-2.0-or-later
// Opening HAR files: hand-written Chrome-like and Firefox-like fixtures (made
// from the HAR 1.2 spec and the fields those browsers add), our own output
// read back, and refusals that name the entry and the field.

#include "export/harreader.h"
#include "export/harwriter.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace httptap;

namespace {

QByteArray fixture(const char* name)
{
    QFile f(QStringLiteral(HTTPTAP_TEST_DATA_DIR "/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open fixture %s", name);
    return f.readAll();
}

uint64_t epochNs(const char* iso)
{
    return uint64_t(QDateTime::fromString(QLatin1String(iso), Qt::ISODateWithMs).toMSecsSinceEpoch()) * 1'000'000;
}

// JSON with ' for " (moc cannot read raw string literals).
QByteArray q(const char* text) { return QByteArray(text).replace('\'', '"'); }

QByteArray entryWith(const QByteArray& request)
{
    return q("{'log':{'version':'1.2','creator':{'name':'t','version':'1'},'entries':["
             "{'startedDateTime':'2026-11-27T09:00:00Z','time':0,'request':")
        + request
        + q(",'response':{'status':200,'statusText':'OK','httpVersion':'HTTP/1.1','cookies':[],'headers':[],"
            "'content':{'size':0,'mimeType':'text/plain'},'redirectURL':'','headersSize':-1,'bodySize':0},"
            "'cache':{},'timings':{'send':0,'wait':0,'receive':0}}]}}");
}

} // namespace

class TestHarReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chromeLike()
    {
        QString error;
        const auto flows = readHar(fixture("chrome-like.har"), &error);
        QVERIFY2(flows, qPrintable(error));
        QCOMPARE(flows->size(), 3);
        const Flow& a = flows->at(0);
        QCOMPARE(a.id, 1u);
        QCOMPARE(a.httpVersion, QByteArray("HTTP/2"));
        QCOMPARE(a.request.method, QByteArray("GET"));
        QCOMPARE(a.url(), QStringLiteral("https://127.0.0.1:8443/index.html?lang=en&q=a%20b"));
        QCOMPARE(a.request.headers.size(), 7);
        QCOMPARE(a.request.headers.first().name, QByteArray(":authority"));
        QCOMPARE(a.response.status, 200);
        QCOMPARE(a.response.body, QByteArray("<html>h\xc3\xa9llo</html>\n"));
        QVERIFY(a.response.decoded());
        QCOMPARE(a.response.bodySize, 26u);
        QCOMPARE(a.remote.address(), QStringLiteral("::1"));
        QCOMPARE(a.remote.port, 8443);
        QCOMPARE(a.connId, 118u);
        QCOMPARE(a.startNs, epochNs("2026-11-27T09:00:00.012Z"));
        QCOMPARE(a.responseStartNs - a.startNs, 40'250'000u);
        QCOMPARE(a.endNs - a.startNs, 45'250'000u);
        QCOMPARE(CaptureClock().toIsoString(a.startNs), QStringLiteral("2026-11-27T09:00:00.012000Z"));

        const Flow& b = flows->at(1);
        QCOMPARE(b.request.body, QByteArray("{\"name\":\"x\"}\n"));
        QCOMPARE(b.response.body, QByteArray("\x89PNG"));
        QCOMPARE(b.response.status, 201);

        const Flow& c = flows->at(2);
        QVERIFY(!c.hasResponse);
        QVERIFY(c.incomplete);
        QCOMPARE(c.url(), QStringLiteral("http://127.0.0.1:9/unreachable"));
    }

    void firefoxLike()
    {
        QString error;
        const auto flows = readHar(fixture("firefox-like.har"), &error);
        QVERIFY2(flows, qPrintable(error));
        QCOMPARE(flows->size(), 1);
        const Flow& f = flows->first();
        QCOMPARE(f.httpVersion, QByteArray("HTTP/1.1"));
        QCOMPARE(f.startNs, epochNs("2026-11-27T09:00:00.250Z")); // +01:00 in the file
        QCOMPARE(f.request.body, QByteArray("a=1&b=two+words"));
        QCOMPARE(f.request.header("Cookie"), QByteArray("sid=1"));
        QCOMPARE(f.response.status, 303);
        QCOMPARE(f.response.reason, QByteArray("See Other"));
        QCOMPARE(f.response.header("Location"), QByteArray("/done"));
        QCOMPARE(f.remote.address(), QStringLiteral("127.0.0.1"));
        QCOMPARE(f.url(), QStringLiteral("http://127.0.0.1:8080/form"));
    }

    void ourOwnOutputReadsBack()
    {
        Flow f;
        f.connId = 4;
        f.pid = 77;
        f.process = QStringLiteral("wget");
        f.source = record::Source::GnuTls;
        f.httpVersion = "HTTP/1.1";
        f.request.method = "PUT";
        f.request.target = "/a/b?x=1";
        f.request.headers = { { "Host", "localhost:8443" }, { "Authorization", "Bearer t" } };
        f.request.body = QByteArray("\x00\x01\x02", 3);
        f.request.bodySize = 3;
        f.hasResponse = true;
        f.response.status = 204;
        f.response.reason = "No Content";
        f.response.headers = { { "X-A", "1" } };
        f.startNs = 1'000'000'000'000'000'000;
        f.responseStartNs = f.startNs + 2'000'000;
        f.endNs = f.startNs + 3'000'000;
        f.notes = { QStringLiteral("n") };
        HarOptions o;
        o.redact = false;
        QString error;
        const auto back = readHar(harBytes({ f }, CaptureClock(), o), &error);
        QVERIFY2(back, qPrintable(error));
        const Flow& g = back->first();
        QCOMPARE(g.url(), f.url());
        QCOMPARE(g.request.method, f.request.method);
        QCOMPARE(g.request.headers.size(), 2);
        QCOMPARE(g.request.headers[1].value, QByteArray("Bearer t"));
        QCOMPARE(g.request.body, f.request.body);
        QCOMPARE(g.response.status, 204);
        QCOMPARE(g.response.reason, f.response.reason);
        QCOMPARE(g.process, f.process);
        QCOMPARE(g.pid, 77u);
        QCOMPARE(g.source, record::Source::GnuTls);
        QCOMPARE(g.connId, 4u);
        QCOMPARE(g.startNs, f.startNs);
        QCOMPARE(g.endNs, f.endNs);
        QCOMPARE(g.notes, f.notes);
    }

    // _initiator (issue 12) in Chrome's callFrames shape, with our fields, read back exactly.
    void initiatorReadsBack()
    {
        Flow f;
        f.httpVersion = "HTTP/1.1";
        f.request.method = "GET";
        f.request.target = "/";
        f.request.headers = { { "Host", "localhost" } };
        f.startNs = f.endNs = 1'000'000'000;
        auto stack = std::make_shared<InitiatorStack>();
        stack->tid = 4243;
        stack->thread = QStringLiteral("fetcher");
        stack->partial = true;
        stack->frames = { StackFrame { 0x7f0000030010, QStringLiteral("/usr/lib/x86_64-linux-gnu/libc.so.6"), 0x30010, {}, 0 },
            StackFrame { 0x555500001100, QStringLiteral("/opt/client"), 0x1100, QStringLiteral("fetch_user"), 0x2b } };
        f.initiator = stack;
        const QByteArray har = harBytes({ f }, CaptureClock(), HarOptions {});
        const QJsonObject entry = QJsonDocument::fromJson(har)["log"]["entries"][0].toObject();
        const QJsonObject initiator = entry.value(QStringLiteral("_initiator")).toObject();
        QCOMPARE(initiator.value(QStringLiteral("type")).toString(), QStringLiteral("other"));
        const QJsonObject frame = initiator["stack"]["callFrames"][1].toObject();
        QCOMPARE(frame.value(QStringLiteral("functionName")).toString(), QStringLiteral("fetch_user"));
        QCOMPARE(frame.value(QStringLiteral("url")).toString(), QStringLiteral("/opt/client"));
        QCOMPARE(frame.value(QStringLiteral("lineNumber")).toInt(), -1);
        QCOMPARE(frame.value(QStringLiteral("_address")).toString(), QStringLiteral("0x555500001100"));
        QString error;
        const auto back = readHar(har, &error);
        QVERIFY2(back, qPrintable(error));
        const Flow& g = back->first();
        QVERIFY(g.initiator);
        QCOMPARE(g.initiator->tid, 4243u);
        QCOMPARE(g.initiator->thread, QStringLiteral("fetcher"));
        QVERIFY(g.initiator->partial);
        QCOMPARE(g.initiator->frames.size(), 2);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(g.initiator->frames[i].address, stack->frames[i].address);
            QCOMPARE(g.initiator->frames[i].module, stack->frames[i].module);
            QCOMPARE(g.initiator->frames[i].moduleOffset, stack->frames[i].moduleOffset);
            QCOMPARE(g.initiator->frames[i].symbol, stack->frames[i].symbol);
            QCOMPARE(g.initiator->frames[i].symbolOffset, stack->frames[i].symbolOffset);
        }
        // A browser's script initiator has no native stack of ours: not read as one.
        const auto chrome = readHar(fixture("chrome-like.har"), &error);
        QVERIFY2(chrome, qPrintable(error));
        QVERIFY(!chrome->first().initiator);
    }

    void webSocketMessagesReadBack()
    {
        Flow f;
        f.httpVersion = "HTTP/1.1";
        f.request.method = "GET";
        f.request.target = "/chat";
        f.request.headers = { { "Host", "localhost:8080" }, { "Upgrade", "websocket" } };
        f.hasResponse = true;
        f.response.status = 101;
        f.startNs = 1'000'000'000'000'000'000;
        f.webSocket = true;
        auto message = [&](bool fromClient, uint8_t opcode, const QByteArray& data, uint64_t atMs) {
            WebSocketMessage m;
            m.fromClient = fromClient;
            m.opcode = opcode;
            m.data = data;
            m.size = uint64_t(data.size());
            m.timeNs = f.startNs + atMs * 1'000'000;
            return m;
        };
        f.editRare().webSocketMessages = { message(true, WebSocketMessage::Text, "hello \xe2\x9c\x93", 1),
            message(false, WebSocketMessage::Binary, QByteArray("\x00\xff\x10", 3), 2),
            message(false, WebSocketMessage::Text, "not \xff UTF-8", 3),
            message(true, WebSocketMessage::Close, QByteArray("\x03\xe8" "bye", 5), 4) };
        f.editRare().webSocketMessages[1].compressed = true;
        const QByteArray har = harBytes({ f }, CaptureClock(), HarOptions {});
        const QJsonObject entry
            = QJsonDocument::fromJson(har).object()["log"].toObject()["entries"].toArray()[0].toObject();
        QCOMPARE(entry["_resourceType"].toString(), QStringLiteral("websocket"));
        const QJsonArray written = entry["_webSocketMessages"].toArray();
        QCOMPARE(written.size(), 4);
        // Chrome's shape: type, time in epoch seconds, opcode, data (text as is, binary in base64).
        QCOMPARE(written[0].toObject()["type"].toString(), QStringLiteral("send"));
        QCOMPARE(written[0].toObject()["time"].toDouble(), 1'000'000'000.001);
        QCOMPARE(written[0].toObject()["opcode"].toInt(), 1);
        QCOMPARE(written[0].toObject()["data"].toString(), QStringLiteral("hello \u2713"));
        QCOMPARE(written[1].toObject()["type"].toString(), QStringLiteral("receive"));
        QCOMPARE(written[1].toObject()["data"].toString(), QStringLiteral("AP8Q"));
        QCOMPARE(written[2].toObject()["_encoding"].toString(), QStringLiteral("base64"));

        QString error;
        const auto back = readHar(har, &error);
        QVERIFY2(back, qPrintable(error));
        const Flow& g = back->first();
        QVERIFY(g.isWebSocket());
        QCOMPARE(g.webSocketMessages().size(), 4);
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(g.webSocketMessages()[i].fromClient, f.webSocketMessages()[i].fromClient);
            QCOMPARE(g.webSocketMessages()[i].opcode, f.webSocketMessages()[i].opcode);
            QCOMPARE(g.webSocketMessages()[i].data, f.webSocketMessages()[i].data);
            QVERIFY(qAbs(qint64(g.webSocketMessages()[i].timeNs - f.webSocketMessages()[i].timeNs)) < 1000);
        }
        QVERIFY(g.webSocketMessages()[1].compressed);
        QCOMPARE(g.webSocketMessages()[3].closeCode, 1000);
        QCOMPARE(g.webSocketMessages()[3].closeReason, QByteArray("bye"));
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("error");
        QTest::newRow("not json") << QByteArray("GET / HTTP/1.1") << "not a HAR file: not JSON (illegal value at byte 1)";
        QTest::newRow("no log") << QByteArray("{\"entries\":[]}") << "not a HAR file: missing log";
        QTest::newRow("no entries") << QByteArray("{\"log\":{\"version\":\"1.2\"}}") << "not a HAR file: missing log.entries";
        QTest::newRow("entry not an object") << QByteArray("{\"log\":{\"entries\":[3]}}") << "entry 1: not an object";
        QTest::newRow("no url") << entryWith(q("{'method':'GET','headers':[]}")) << "entry 1: request.url is missing";
        QTest::newRow("no method") << entryWith(q("{'url':'http://a/','headers':[]}"))
                                   << "entry 1: request.method is missing";
        QTest::newRow("relative url") << entryWith(q("{'method':'GET','url':'/x','headers':[]}"))
                                      << "entry 1: request.url is not an absolute URL: /x";
        QTest::newRow("headers not a list") << entryWith(q("{'method':'GET','url':'http://a/','headers':{}}"))
                                            << "entry 1: request.headers is not a list";
        QTest::newRow("nameless header")
            << entryWith(q("{'method':'GET','url':'http://a/','headers':[{'value':'x'}]}"))
            << "entry 1: request.headers[0].name is missing";
        QByteArray third = entryWith(q("{'method':'GET','url':'http://a/','headers':[]}"));
        const QByteArray good = third.mid(third.indexOf("[{") + 1, third.lastIndexOf("}]") - third.indexOf("[{"));
        const QByteArray bad = QByteArray(good).replace("\"url\":\"http://a/\",", "");
        third.replace(good, good + ',' + good + ',' + bad);
        QTest::newRow("third entry") << third << "entry 3: request.url is missing";
        QTest::newRow("bad date")
            << QByteArray(entryWith(q("{'method':'GET','url':'http://a/','headers':[]}")))
                   .replace("2026-11-27T09:00:00Z", "yesterday")
            << "entry 1: startedDateTime is not an ISO 8601 date: yesterday";
    }

    void refusals()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, error);
        QString message;
        QVERIFY(!readHar(bytes, &message));
        QCOMPARE(message, error);
    }

    void caps()
    {
        QByteArray headers = "[";
        for (int i = 0; i <= kHarMaxHeaders; ++i)
            headers += QByteArray(i ? "," : "") + q("{'name':'a','value':'b'}");
        headers += "]";
        QString message;
        const QByteArray request = "{\"method\":\"GET\",\"url\":\"http://a/\",\"headers\":" + headers + "}";
        QVERIFY(!readHar(entryWith(request), &message));
        QCOMPARE(message, QStringLiteral("entry 1: request.headers has more than 10000 headers"));
        QVERIFY(!readHar(QByteArray(kHarMaxBytes + 1, ' '), &message));
        QCOMPARE(message, QStringLiteral("the file is larger than 512 MiB"));
    }
};

QTEST_GUILESS_MAIN(TestHarReader)
#include "tst_harreader.moc"
