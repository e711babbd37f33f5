// SPDX-License-Identifier: GPL-2.0-or-later
#include "filter/flowfields.h"
#include "filter/flowfilter.h"

#include <QTest>

using namespace httptap;

namespace {

Flow makeFlow(uint64_t id, const char* method, const char* host, const char* target, int status, const char* type,
    uint64_t size, const char* process, uint32_t pid, record::Source source = record::Source::Syscall)
{
    Flow f;
    f.id = id;
    f.pid = pid;
    f.process = QString::fromLatin1(process);
    f.source = source;
    f.httpVersion = "HTTP/1.1";
    f.request.method = method;
    f.request.target = target;
    f.request.headers = { { "Host", host }, { "Accept", "*/*" } };
    if (status) {
        f.hasResponse = true;
        f.response.status = status;
        f.response.bodySize = size;
        if (*type)
            f.response.headers.append(HttpHeader { "Content-Type", type });
        f.response.headers.append(HttpHeader { "ETag", "\"x\"" });
    }
    return f;
}

// 1 GET api.stripe.com json 200 · 2 POST api.stripe.com 402 · 3 GET www.example.com html 200 ·
// 4 GET cdn.example.com png 404 · 5 DELETE localhost:8080 500 (python) · 6 GET no response
const QList<Flow>& flows()
{
    static const QList<Flow> all = {
        makeFlow(1, "GET", "api.stripe.com", "/v1/charges?limit=3", 200, "application/json; charset=utf-8", 2048, "curl", 100, record::Source::OpenSsl),
        makeFlow(2, "POST", "api.stripe.com", "/v1/charges", 402, "application/json", 120, "curl", 100, record::Source::OpenSsl),
        makeFlow(3, "GET", "www.example.com", "/index.html", 200, "text/html", 50000, "firefox", 200),
        makeFlow(4, "GET", "cdn.example.com", "/logo.png", 404, "image/png", 0, "firefox", 201),
        makeFlow(5, "DELETE", "localhost:8080", "/items/7", 500, "", 10, "python3", 300),
        makeFlow(6, "GET", "[::1]:9000", "/pending", 0, "", 0, "python3", 300),
    };
    // Durations (the Time column): 1 ms, 15 ms, 25 ms, 2 s, 0.5 ms, none.
    static const QList<Flow> timed = [] {
        QList<Flow> flows = all;
        const uint64_t durations[] = { 1'000'000, 15'000'000, 25'000'000, 2'000'000'000, 500'000, 0 };
        for (qsizetype i = 0; i < flows.size(); ++i) {
            flows[i].startNs = 1'000'000'000;
            flows[i].endNs = flows[i].startNs + durations[i];
        }
        return flows;
    }();
    return timed;
}

} // namespace

class TestFlowFilter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matches_data();
    void matches();
    void refuses_data();
    void refuses();
    void fields();
};

void TestFlowFilter::matches_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QList<int>>("ids");
    const QList<int> all = { 1, 2, 3, 4, 5, 6 };
    QTest::newRow("empty") << QString() << all;
    QTest::newRow("blank") << QStringLiteral("   ") << all;
    QTest::newRow("free text") << QStringLiteral("charges") << QList<int> { 1, 2 };
    QTest::newRow("free text case") << QStringLiteral("CHARGES?LIMIT") << QList<int> { 1 };
    QTest::newRow("quoted") << QStringLiteral("\"limit=3\"") << QList<int> { 1 };
    QTest::newRow("query text with =") << QStringLiteral("limit=3") << QList<int> { 1 };
    QTest::newRow("url with colon") << QStringLiteral("https://api.stripe.com/v1") << QList<int> { 1, 2 };
    QTest::newRow("host=") << QStringLiteral("host=api.stripe.com") << QList<int> { 1, 2 };
    QTest::newRow("host= no subdomain") << QStringLiteral("host=stripe.com") << QList<int> {};
    QTest::newRow("domain: subdomains") << QStringLiteral("domain:example.com") << QList<int> { 3, 4 };
    QTest::newRow("domain: wildcard") << QStringLiteral("domain:*.example.com") << QList<int> { 3, 4 };
    QTest::newRow("domain: wildcard prefix") << QStringLiteral("domain:cdn.*") << QList<int> { 4 };
    QTest::newRow("host port stripped") << QStringLiteral("host=localhost") << QList<int> { 5 };
    QTest::newRow("host ipv6") << QStringLiteral("host=::1") << QList<int> { 6 };
    QTest::newRow("method") << QStringLiteral("method:post") << QList<int> { 2 };
    QTest::newRow("method=") << QStringLiteral("method=DELETE") << QList<int> { 5 };
    QTest::newRow("method!=") << QStringLiteral("method!=GET") << QList<int> { 2, 5 };
    QTest::newRow("status-code") << QStringLiteral("status-code:404") << QList<int> { 4 };
    QTest::newRow("status>=400") << QStringLiteral("status>=400") << QList<int> { 2, 4, 5 };
    QTest::newRow("status<300") << QStringLiteral("status<300") << QList<int> { 1, 3, 6 };
    QTest::newRow("status class") << QStringLiteral("status:4xx") << QList<int> { 2, 4 };
    QTest::newRow("status!=200") << QStringLiteral("status!=200") << QList<int> { 2, 4, 5, 6 };
    QTest::newRow("seed syntax") << QStringLiteral("host=api.stripe.com and status>=400") << QList<int> { 2 };
    QTest::newRow("mime-type") << QStringLiteral("mime-type:json") << QList<int> { 1, 2 };
    QTest::newRow("mime-type=") << QStringLiteral("mime-type=image/png") << QList<int> { 4 };
    QTest::newRow("larger-than") << QStringLiteral("larger-than:1k") << QList<int> { 1, 3 };
    QTest::newRow("larger-than bytes") << QStringLiteral("larger-than:2048") << QList<int> { 3 };
    QTest::newRow("size<=") << QStringLiteral("size<=10") << QList<int> { 4, 5, 6 };
    QTest::newRow("has-response-header") << QStringLiteral("has-response-header:etag") << QList<int> { 1, 2, 3, 4, 5 };
    QTest::newRow("has-response-header other") << QStringLiteral("has-response-header:x-nope") << QList<int> {};
    QTest::newRow("scheme") << QStringLiteral("scheme:https") << QList<int> { 1, 2 };
    QTest::newRow("process") << QStringLiteral("process:fire") << QList<int> { 3, 4 };
    QTest::newRow("process=") << QStringLiteral("process=python3") << QList<int> { 5, 6 };
    QTest::newRow("pid") << QStringLiteral("pid:300") << QList<int> { 5, 6 };
    QTest::newRow("id range") << QStringLiteral("id>=2 id<=4") << QList<int> { 2, 3, 4 };
    QTest::newRow("id=") << QStringLiteral("id=6") << QList<int> { 6 };
    QTest::newRow("route folds ids") << QStringLiteral("route=\"/items/{id}\"") << QList<int> { 5 };
    QTest::newRow("route drops the query") << QStringLiteral("route=/v1/charges") << QList<int> { 1, 2 };
    QTest::newRow("route:") << QStringLiteral("route:{id}") << QList<int> { 5 };
    QTest::newRow("time>= ms") << QStringLiteral("time>=20ms") << QList<int> { 3, 4 };
    QTest::newRow("time range") << QStringLiteral("time>=1500us time<0.04s") << QList<int> { 2, 3 };
    QTest::newRow("time bare is ms") << QStringLiteral("time<2") << QList<int> { 1, 5, 6 };
    QTest::newRow("pid>") << QStringLiteral("pid>150") << QList<int> { 3, 4, 5, 6 };
    QTest::newRow("type") << QStringLiteral("type:png") << QList<int> { 4 };
    QTest::newRow("negation") << QStringLiteral("-domain:example.com") << QList<int> { 1, 2, 5, 6 };
    QTest::newRow("negated text") << QStringLiteral("-charges") << QList<int> { 3, 4, 5, 6 };
    QTest::newRow("not") << QStringLiteral("not method:GET") << QList<int> { 2, 5 };
    QTest::newRow("regex") << QStringLiteral("/v1\\/ch.rges$/") << QList<int> { 2 };
    QTest::newRow("negated regex") << QStringLiteral("-/\\.(png|html)$/") << QList<int> { 1, 2, 5, 6 };
    QTest::newRow("field regex") << QStringLiteral("host:/^(api|cdn)\\./") << QList<int> { 1, 2, 4 };
    QTest::newRow("path not a regex") << QStringLiteral("/v1/charges") << QList<int> { 1, 2 };
    QTest::newRow("or") << QStringLiteral("status:404 or status:500") << QList<int> { 4, 5 };
    QTest::newRow("|| and &&") << QStringLiteral("status:404 || method:POST && scheme:https") << QList<int> { 2, 4 };
    QTest::newRow("implicit and") << QStringLiteral("domain:example.com status:200") << QList<int> { 3 };
    QTest::newRow("precedence") << QStringLiteral("method:POST or method:GET and status:404") << QList<int> { 2, 4 };
    QTest::newRow("parentheses") << QStringLiteral("(method:POST or method:GET) and status>=400") << QList<int> { 2, 4 };
    QTest::newRow("nested") << QStringLiteral("not (process:curl or (pid:300 and -status:500))") << QList<int> { 3, 4, 5 };
    QTest::newRow("keywords any case") << QStringLiteral("method:POST OR method:DELETE") << QList<int> { 2, 5 };
    QTest::newRow("quoted keyword is text") << QStringLiteral("\"or\"") << QList<int> {};
    QTest::newRow("quoted field value") << QStringLiteral("process=\"python3\"") << QList<int> { 5, 6 };
}

void TestFlowFilter::matches()
{
    QFETCH(QString, expression);
    QFETCH(QList<int>, ids);
    FilterError error;
    const auto filter = FlowFilter::compile(expression, &error);
    QVERIFY2(filter, qPrintable(error.toString()));
    QList<int> got;
    for (const Flow& f : flows())
        if (filter->matches(f))
            got << int(f.id);
    QCOMPARE(got, ids);
}

void TestFlowFilter::refuses_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");
    QTest::newRow("unclosed paren") << QStringLiteral("method:GET and (status:200") << 16 << QStringLiteral("'(' is never closed");
    QTest::newRow("stray paren") << QStringLiteral("status:200)") << 11 << QStringLiteral("unexpected ')'");
    QTest::newRow("leading and") << QStringLiteral("and status:200") << 1 << QStringLiteral("'and' needs a term on its left");
    QTest::newRow("trailing or") << QStringLiteral("status:200 or") << 14 << QStringLiteral("expected a term after 'or'");
    QTest::newRow("trailing not") << QStringLiteral("not") << 4 << QStringLiteral("expected a term after 'not'");
    QTest::newRow("open paren at end") << QStringLiteral("a and (") << 8 << QStringLiteral("expected a term after '('");
    QTest::newRow("empty parens") << QStringLiteral("()") << 2 << QStringLiteral("unexpected ')'");
    QTest::newRow("missing value") << QStringLiteral("status>= 400") << 9 << QStringLiteral("expected a value after 'status>='");
    QTest::newRow("bad status") << QStringLiteral("status>=abc") << 9 << QStringLiteral("status needs a number, not 'abc'");
    QTest::newRow("bad size") << QStringLiteral("larger-than:lots") << 13 << QStringLiteral("larger-than needs a number of bytes such as 1024 or 10k, not 'lots'");
    QTest::newRow("larger-than op") << QStringLiteral("larger-than>5") << 1 << QStringLiteral("larger-than takes ':'");
    QTest::newRow("class with >") << QStringLiteral("status>4xx") << 8 << QStringLiteral("a status class such as 4xx takes ':', '=' or '!='");
    QTest::newRow("string compared") << QStringLiteral("method>=GET") << 1 << QStringLiteral("'>=' compares numbers; method takes ':', '=' or '!='");
    QTest::newRow("unknown field") << QStringLiteral("stauts>=400") << 1 << QStringLiteral("unknown field 'stauts'");
    QTest::newRow("bad regex") << QStringLiteral("/a(b/") << 5 << QStringLiteral("invalid regular expression");
    QTest::newRow("unterminated quote") << QStringLiteral("host=\"a b") << 6 << QStringLiteral("unterminated quoted text");
    QTest::newRow("bad time") << QStringLiteral("time>=fast") << 7 << QStringLiteral("time needs a duration such as 250ms, 1.5s or 800us, not 'fast'");
    QTest::newRow("pid regex") << QStringLiteral("pid:/1/") << 5 << QStringLiteral("pid takes a number, not a regular expression");
    QTest::newRow("too deep") << QString(QStringLiteral("(").repeated(100) + QStringLiteral("a") + QStringLiteral(")").repeated(100)) << 66 << QStringLiteral("expression nested too deeply");
}

void TestFlowFilter::refuses()
{
    QFETCH(QString, expression);
    QFETCH(int, column);
    QFETCH(QString, message);
    FilterError error;
    QVERIFY(!FlowFilter::compile(expression, &error));
    QVERIFY2(error.message.startsWith(message), qPrintable(error.message));
    QCOMPARE(error.column, column);
    QVERIFY(error.toString().startsWith(QStringLiteral("filter syntax error at column %1: ").arg(column)));
}

void TestFlowFilter::fields()
{
    const QList<Flow>& f = flows();
    QCOMPARE(flowHost(f[0]), QStringLiteral("api.stripe.com"));
    QCOMPARE(flowHost(f[5]), QStringLiteral("::1"));
    QCOMPARE(flowPath(f[0]), QStringLiteral("/v1/charges?limit=3"));
    QCOMPARE(flowMimeType(f[0]), QStringLiteral("application/json"));
    QCOMPARE(flowResourceType(f[0]), QStringLiteral("json"));
    QCOMPARE(flowResourceType(f[2]), QStringLiteral("html"));
    QCOMPARE(flowResourceType(f[3]), QStringLiteral("png"));
    QCOMPARE(flowProtocol(f[0]), QStringLiteral("HTTP/1.1"));
    QCOMPARE(flowTlsLibrary(f[0]), QStringLiteral("openssl"));
    Flow h2 = f[0];
    h2.httpVersion = "HTTP/2";
    QCOMPARE(flowProtocol(h2), QStringLiteral("h2"));
    h2.source = record::Source::Syscall;
    QCOMPARE(flowProtocol(h2), QStringLiteral("h2c"));
    h2.editGrpc().isGrpc = true;
    QCOMPARE(flowProtocol(h2), QStringLiteral("gRPC"));
    Flow absolute = f[0];
    absolute.request.target = "http://proxy.example:3128/x?y";
    QCOMPARE(flowHost(absolute), QStringLiteral("proxy.example"));
    QCOMPARE(flowPath(absolute), QStringLiteral("/x?y"));
}

QTEST_GUILESS_MAIN(TestFlowFilter)
#include "tst_flowfilter.moc"
