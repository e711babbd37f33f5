// SPDX-License-Identifier: GPL-2.0-or-later
#include "diff/flowcompare.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QTest>

using namespace httptap;

namespace {

Flow flow(const QByteArray& method, const QByteArray& target, int status, const QByteArray& body = {},
    const HttpHeaders& responseHeaders = {})
{
    Flow f;
    f.httpVersion = "HTTP/1.1";
    f.request.method = method;
    f.request.target = target;
    f.request.headers = { { "Host", "api.example.com" }, { "Accept", "*/*" } };
    f.hasResponse = true;
    f.response.status = status;
    f.response.reason = status == 200 ? "OK" : "Not Found";
    f.response.headers = responseHeaders;
    f.response.body = body;
    f.response.bodySize = uint64_t(body.size());
    return f;
}

QJsonValue json(const char* text)
{
    const auto value = parseJsonBody(text);
    return value ? *value : QJsonValue();
}

} // namespace

class TestFlowCompare : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jsonChangedPaths();
    void comparableLayout();
    void headerOrder();
    void flowComparisonOfJsonBodies();
    void volatileHeadersDoNotCount();
    void captureMatching();
};

void TestFlowCompare::jsonChangedPaths()
{
    using K = JsonChange::Kind;
    const QList<JsonChange> changes = jsonChanges(json(R"({"id":7,"name":"Ada","tags":["a","b"],"meta":{"v":1},"gone":0})"),
        json(R"({"meta":{"v":2,"new":true},"name":"Ada","tags":["a"],"id":"7","a b":1})"));
    const QList<JsonChange> expected { { K::Removed, "$.gone" }, { K::Changed, "$.id" }, { K::Changed, "$.meta.v" },
        { K::Added, "$.meta.new" }, { K::Removed, "$.tags[1]" }, { K::Added, "$[\"a b\"]" } };
    QCOMPARE(changes, expected);
    QCOMPARE(jsonChanges(json(R"({"b":1,"a":2})"), json(R"({"a":2,"b":1})")), QList<JsonChange>());
    QVERIFY(!parseJsonBody("not json").has_value());
    QVERIFY(!parseJsonBody("").has_value());
    QCOMPARE(normalizedJson(json(R"({"b":1,"a":[true]})")), QByteArray("{\n    \"a\": [\n        true\n    ],\n    \"b\": 1\n}\n"));
}

void TestFlowCompare::comparableLayout()
{
    Flow f = flow("POST", "/users?x=1", 200, "line 1\r\nline 2", { { "Content-Type", "text/plain" } });
    f.request.body = "a=1";
    CompareOptions options;
    options.ignoreHeaderOrder = false;
    QCOMPARE(comparableLines(f, options),
        QStringList({ "POST http://api.example.com/users?x=1 HTTP/1.1", "Host: api.example.com", "Accept: */*", "",
            "a=1", "", "HTTP/1.1 200 OK", "Content-Type: text/plain", "", "line 1", "line 2" }));
    Flow binary = flow("GET", "/b", 200, QByteArray("\xff\xfe\x00\x01", 4));
    const QStringList lines = comparableLines(binary, {});
    QCOMPARE(lines.last(),
        QStringLiteral("[binary body: 4 bytes, SHA-256 %1]")
            .arg(QLatin1String(QCryptographicHash::hash(QByteArray("\xff\xfe\x00\x01", 4), QCryptographicHash::Sha256).toHex())));
    Flow pending = flow("GET", "/p", 0);
    pending.hasResponse = false;
    QCOMPARE(comparableLines(pending, {}).last(), QStringLiteral("(no response)"));
}

void TestFlowCompare::headerOrder()
{
    Flow a = flow("GET", "/", 200), b = flow("GET", "/", 200);
    b.request.headers = { { "accept", "*/*" }, { "HOST", "api.example.com" } };
    QCOMPARE(diffCounts(compareFlows(a, b).ops), std::make_pair(0, 0));
    CompareOptions ordered;
    ordered.ignoreHeaderOrder = false;
    QCOMPARE(diffCounts(compareFlows(a, b, ordered).ops), std::make_pair(2, 2));
}

void TestFlowCompare::flowComparisonOfJsonBodies()
{
    const Flow a = flow("GET", "/u", 200, R"({"name":"Ada","id":7})");
    const Flow b = flow("GET", "/u", 200, R"({"id":8,"name":"Ada"})");
    const FlowComparison c = compareFlows(a, b);
    QVERIFY(c.responseJson);
    QVERIFY(!c.requestJson);
    QCOMPARE(c.responseBodyChanges, (QList<JsonChange> { { JsonChange::Kind::Changed, "$.id" } }));
    // Key order does not matter: the only changed line is the id.
    QCOMPARE(diffCounts(c.ops), std::make_pair(1, 1));
    const QList<DiffRow> rows = sideBySide(c.ops);
    int changed = 0;
    for (const DiffRow& row : rows) {
        if (row.kind == DiffRow::Kind::Changed) {
            ++changed;
            QCOMPARE(c.left[row.left], QStringLiteral("    \"id\": 7,"));
            QCOMPARE(c.right[row.right], QStringLiteral("    \"id\": 8,"));
        }
    }
    QCOMPARE(changed, 1);
    CompareOptions raw;
    raw.jsonAware = false;
    QVERIFY(!compareFlows(a, b, raw).responseJson);
}

void TestFlowCompare::volatileHeadersDoNotCount()
{
    const Flow a = flow("GET", "/", 200, "x", { { "Date", "Mon, 01 Jan 2026 00:00:00 GMT" }, { "X-Request-Id", "1" } });
    const Flow b = flow("GET", "/", 200, "x", { { "Date", "Tue, 02 Jan 2026 00:00:00 GMT" }, { "X-Request-Id", "2" } });
    QVERIFY(!flowsDiffer(a, b));
    const Flow c = flow("GET", "/", 200, "x", { { "Date", "Tue" }, { "Cache-Control", "no-store" } });
    QVERIFY(flowsDiffer(a, c));
    QVERIFY(flowsDiffer(a, flow("GET", "/", 404, "x")));
    QVERIFY(flowsDiffer(a, flow("GET", "/", 200, "y")));
}

void TestFlowCompare::captureMatching()
{
    using K = CaptureMatch::Kind;
    const QList<Flow> left { flow("GET", "/a", 200, "1"), flow("GET", "/gone", 200), flow("GET", "/a", 200, "2"),
        flow("POST", "/a", 200), flow("GET", "/same", 200, "s") };
    const QList<Flow> right { flow("GET", "/a", 200, "1"), flow("GET", "/new", 200), flow("GET", "/a", 200, "changed"),
        flow("GET", "/same", 200, "s"), flow("GET", "/a", 200, "third") };
    const QList<CaptureMatch> matches = matchCaptures(left, right);
    const QList<CaptureMatch> expected { { K::Same, 0, 0 }, { K::Added, -1, 1 }, { K::Removed, 1, -1 },
        { K::Changed, 2, 2 }, { K::Removed, 3, -1 }, { K::Same, 4, 3 }, { K::Added, -1, 4 } };
    QCOMPARE(matches, expected);
    QCOMPARE(matchKey(left[3]), QStringLiteral("POST http://api.example.com/a"));
    QCOMPARE(matchCaptures({}, {}), QList<CaptureMatch>());
}

QTEST_GUILESS_MAIN(TestFlowCompare)
#include "tst_flowcompare.moc"
