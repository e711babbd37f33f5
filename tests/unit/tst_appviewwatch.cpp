// SPDX-License-Identifier: GPL-2.0-or-later
// AppView watch files: every accepted shape (the seed's YAML, JSON, the list
// alone), refused files with their reasons, and the watch applied as the
// seed describes (name blocks events, field/value select properties,
// headers regexes add whole headers).

#include "export/appviewwatch.h"
#include "export/appviewwriter.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace httptap;

namespace {

Flow flow()
{
    Flow f;
    f.connId = 3;
    f.pid = 42;
    f.process = QStringLiteral("curl");
    f.httpVersion = "HTTP/1.1";
    f.local = FlowEndpoint { 4, { 127, 0, 0, 1 }, 40000 };
    f.remote = FlowEndpoint { 4, { 127, 0, 0, 1 }, 8080 };
    f.request.method = "GET";
    f.request.target = "/x";
    f.request.headers = { { "Host", "127.0.0.1:8080" }, { "User-Agent", "curl/7.88.1" },
        { "X-Forwarded-Host", "front.example" }, { "x-forwarded-proto", "https" }, { "Accept", "*/*" } };
    f.hasResponse = true;
    f.response.status = 200;
    f.response.reason = "OK";
    f.response.headers = { { "service", "cribl-edge" }, { "Service", "other" }, { "Content-Length", "2" } };
    f.startNs = f.request.firstByteNs = 1'000'000'000;
    f.response.firstByteNs = 1'002'000'000;
    return f;
}

// The events (not the metrics) a watch lets through, as JSON objects.
QList<QJsonObject> events(const AppViewWatch& watch)
{
    AppViewWriter writer(QStringLiteral("host"));
    writer.setWatch(watch);
    QList<QJsonObject> out;
    for (const QByteArray& line : writer.lines(flow(), QStringLiteral("curl")).split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value("type").toString() == QLatin1String("evt"))
            out.append(o);
    }
    return out;
}

QJsonObject dataOf(const QJsonObject& event) { return event.value("body").toObject().value("data").toObject(); }

AppViewWatch parsed(const QByteArray& text)
{
    QString error;
    const auto watch = AppViewWatch::parse(text, &error);
    if (!watch)
        qFatal("watch refused: %s", qPrintable(error));
    return *watch;
}

} // namespace

class TestAppViewWatch : public QObject
{
    Q_OBJECT
private slots:
    void defaultWatchEmitsEverything();
    void seedExample();
    void shapes_data();
    void shapes();
    void fieldAndValue();
    void noHttpEntryDisablesEvents();
    void refused_data();
    void refused();
    void load();
};

void TestAppViewWatch::defaultWatchEmitsEverything()
{
    // The seed's default entry: name/field/value ".*", no headers.
    const AppViewWatch watch = parsed("event:\n  watch:\n    - type: http\n      name: .*\n      field: .*\n"
                                      "      value: .*\n      headers:\n");
    QVERIFY(watch.isDefault());
    const QList<QJsonObject> ev = events(watch);
    QCOMPARE(ev.size(), 2);
    QCOMPARE(ev[0].value("body").toObject().value("source").toString(), QStringLiteral("http.req"));
    QCOMPARE(ev[1].value("body").toObject().value("source").toString(), QStringLiteral("http.resp"));
    QVERIFY(!dataOf(ev[0]).contains("X-Forwarded-Host"));
    QCOMPARE(events(AppViewWatch()), ev);
}

void TestAppViewWatch::seedExample()
{
    // The seed's example, verbatim: http.req blocked, forwarding headers (any case) and "service"
    // headers starting with "cribl" added.
    const AppViewWatch watch = parsed(R"(event:
  watch:
    - type: http
      name: http.resp
      field: .*
      value: .*
      headers:
        - (?i)X-Forwarded.*  # include forwarding headers (case insensitive)
        - service: cribl.*   # include "service" headers starting with "cribl"
)");
    QCOMPARE(watch.headers.size(), 2);
    QCOMPARE(watch.headers[1].pattern(), QStringLiteral("service: cribl.*"));
    const QList<QJsonObject> ev = events(watch);
    QCOMPARE(ev.size(), 1);
    const QJsonObject data = dataOf(ev[0]);
    QCOMPARE(ev[0].value("body").toObject().value("source").toString(), QStringLiteral("http.resp"));
    QCOMPARE(data.value("X-Forwarded-Host").toString(), QStringLiteral("front.example"));
    QCOMPARE(data.value("x-forwarded-proto").toString(), QStringLiteral("https"));
    QCOMPARE(data.value("service").toString(), QStringLiteral("cribl-edge"));
    QVERIFY(!data.contains("Service")); // "Service: other" does not match "service: cribl.*"
    QVERIFY(!data.contains("Accept"));
    QCOMPARE(data.value("http_status_code").toInt(), 200);
}

void TestAppViewWatch::shapes_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("JSON, appview.yml shape")
        << QByteArray(R"({"event":{"watch":[{"type":"http","name":"http.req","headers":["^Accept: "]}]}})");
    QTest::newRow("watch list") << QByteArray("watch:\n  - type: http\n    name: http.req\n    headers: ['^Accept: ']\n");
    QTest::newRow("list at the top") << QByteArray("- type: file\n  name: .*\n- type: http\n  name: http.req\n"
                                                   "  headers:\n    - '^Accept: '\n");
    QTest::newRow("one JSON entry") << QByteArray(R"({"type":"http","name":"http.req","headers":["^Accept: "]})");
}

void TestAppViewWatch::shapes()
{
    QFETCH(QByteArray, text);
    const QList<QJsonObject> ev = events(parsed(text));
    QCOMPARE(ev.size(), 1);
    QCOMPARE(ev[0].value("body").toObject().value("source").toString(), QStringLiteral("http.req"));
    QCOMPARE(dataOf(ev[0]).value("Accept").toString(), QStringLiteral("*/*"));
}

void TestAppViewWatch::fieldAndValue()
{
    // Only properties whose name matches field and whose value matches value stay.
    const QList<QJsonObject> ev = events(parsed("- type: http\n  field: ^http_(method|status_code|target)$\n"
                                                "  value: ^(GET|200)$\n"));
    QCOMPARE(ev.size(), 2);
    QCOMPARE(dataOf(ev[0]), (QJsonObject { { "http_method", "GET" } }));
    QCOMPARE(dataOf(ev[1]), (QJsonObject { { "http_method", "GET" }, { "http_status_code", 200 } }));
}

void TestAppViewWatch::noHttpEntryDisablesEvents()
{
    const AppViewWatch watch = parsed("event:\n  watch:\n    - type: file\n      name: .*\n");
    QVERIFY(!watch.eventsEnabled);
    QVERIFY(events(watch).isEmpty());
    QVERIFY(!parsed("- type: http\n  enabled: false\n").eventsEnabled);
    // The metrics stay.
    AppViewWriter writer(QStringLiteral("host"));
    writer.setWatch(watch);
    QVERIFY(writer.lines(flow(), QStringLiteral("curl")).contains("\"_metric\":\"http.req\""));
}

void TestAppViewWatch::refused_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("bad regex") << QByteArray("- type: http\n  name: '(unclosed'\n")
                               << QStringLiteral("watch entry of type http: 'name' is not a valid regular expression");
    QTest::newRow("bad YAML") << QByteArray("event: [watch: {\n") << QStringLiteral("not valid YAML or JSON: line");
    QTest::newRow("no list") << QByteArray("hello: world\n") << QStringLiteral("no watch list found");
    QTest::newRow("entry without type") << QByteArray("- name: .*\n") << QStringLiteral("every watch entry needs a 'type'");
    QTest::newRow("headers not a list") << QByteArray("- type: http\n  headers: x\n")
                                        << QStringLiteral("watch entry of type http: 'headers' must be a list");
    QTest::newRow("field a list") << QByteArray("- type: http\n  field: [a]\n")
                                  << QStringLiteral("watch entry of type http: 'field' must be a regular expression");
}

void TestAppViewWatch::refused()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QString got;
    QVERIFY(!AppViewWatch::parse(text, &got));
    QVERIFY2(got.startsWith(error), qPrintable(got));
}

void TestAppViewWatch::load()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("watch.yml");
    QString error;
    QVERIFY(!AppViewWatch::load(path, &error));
    QVERIFY2(error.startsWith("cannot read " + path), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("- type: http\n  name: http.resp\n");
    file.close();
    const auto watch = AppViewWatch::load(path, &error);
    QVERIFY(watch);
    QCOMPARE(watch->name.pattern(), QStringLiteral("http.resp"));
}

QTEST_APPLESS_MAIN(TestAppViewWatch)
#include "tst_appviewwatch.moc"
