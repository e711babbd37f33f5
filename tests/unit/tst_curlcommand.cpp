// SPDX-License-Identifier: GPL-2.0-or-later
// Copy as cURL: exact commands for known requests (quoting, method inference,
// skipped and suppressed headers, bodies, HTTP versions). That the commands
// replay byte for byte is checked against a real server in
// tests/capture/test_exports.py.

#include "export/curlcommand.h"

#include <QTest>

using namespace httptap;

namespace {

Flow request(const QByteArray& method, const QByteArray& target, const HttpHeaders& headers,
    const QByteArray& body = {}, const QByteArray& version = "HTTP/1.1", record::Source source = record::Source::Syscall)
{
    Flow f;
    f.httpVersion = version;
    f.source = source;
    f.request.method = method;
    f.request.target = target;
    f.request.headers = headers;
    f.request.body = body;
    f.request.bodySize = uint64_t(body.size());
    f.request.complete = true;
    if (version == "HTTP/2") {
        f.request.editRare().scheme = source == record::Source::Syscall ? "http" : "https";
        f.request.editRare().authority = "127.0.0.1:8443";
    }
    return f;
}

const HttpHeaders kCurlHeaders { { "Host", "127.0.0.1:8080" }, { "User-Agent", "curl/7.88.1" }, { "Accept", "*/*" } };

HttpHeaders with(HttpHeaders base, const HttpHeaders& more)
{
    base.append(more);
    return base;
}

} // namespace

class TestCurlCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void command_data()
    {
        QTest::addColumn<Flow>("flow");
        QTest::addColumn<QString>("expected");
        const QString j = QStringLiteral(" \\\n  ");

        QTest::newRow("get with query") << request("GET", "/search?q=a%20b&n=1", kCurlHeaders)
                                        << "curl 'http://127.0.0.1:8080/search?q=a%20b&n=1'" + j
                + "-H 'User-Agent: curl/7.88.1'" + j + "-H 'Accept: */*'" + j + "--http1.1";
        QTest::newRow("brackets need --globoff") << request("GET", "/a?x[]=1&y={2}", kCurlHeaders)
                                                 << "curl 'http://127.0.0.1:8080/a?x[]=1&y={2}'" + j + "--globoff" + j
                + "-H 'User-Agent: curl/7.88.1'" + j + "-H 'Accept: */*'" + j + "--http1.1";
        QTest::newRow("post json")
            << request("POST", "/api",
                   with(kCurlHeaders, { { "Content-Type", "application/json" }, { "Content-Length", "13" } }),
                   "{\"a\":\"b c\"}\n")
            << "curl 'http://127.0.0.1:8080/api'" + j + "-H 'User-Agent: curl/7.88.1'" + j + "-H 'Accept: */*'" + j
                + "-H 'Content-Type: application/json'" + j + "--data-raw $'{\"a\":\"b c\"}\\n'" + j + "--http1.1";
        QTest::newRow("put, quote and bang")
            << request("PUT", "/x", with(kCurlHeaders, { { "X-Q", "it's \"quoted\"!" }, { "Content-Type", "text/plain" } }),
                   "don't!")
            << "curl 'http://127.0.0.1:8080/x'" + j + "-X 'PUT'" + j + "-H 'User-Agent: curl/7.88.1'" + j
                + "-H 'Accept: */*'" + j + "-H $'X-Q: it\\'s \"quoted\"!'" + j + "-H 'Content-Type: text/plain'" + j
                + "--data-raw $'don\\'t!'" + j + "--http1.1";
        QTest::newRow("post without body") << request("POST", "/empty", kCurlHeaders)
                                           << "curl 'http://127.0.0.1:8080/empty'" + j + "-X 'POST'" + j
                + "-H 'User-Agent: curl/7.88.1'" + j + "-H 'Accept: */*'" + j + "--http1.1";
        QTest::newRow("head") << request("HEAD", "/", kCurlHeaders)
                              << "curl 'http://127.0.0.1:8080/'" + j + "--head" + j + "-H 'User-Agent: curl/7.88.1'" + j
                + "-H 'Accept: */*'" + j + "--http1.1";
        QTest::newRow("accept-encoding becomes --compressed, empty header, missing defaults")
            << request("GET", "/", { { "Host", "h:1" }, { "Accept-Encoding", "gzip" }, { "X-Empty", "" } })
            << "curl 'http://h:1/'" + j + "-H 'X-Empty;'" + j + "-H 'User-Agent:'" + j + "-H 'Accept:'" + j
                + "--compressed" + j + "--http1.1";
        QTest::newRow("unicode")
            << request("POST", "/u", with(kCurlHeaders, { { "Content-Type", "text/plain; charset=utf-8" } }),
                   "h\xc3\xa9llo \xe2\x82\xac")
            << "curl 'http://127.0.0.1:8080/u'" + j + "-H 'User-Agent: curl/7.88.1'" + j + "-H 'Accept: */*'" + j
                + "-H 'Content-Type: text/plain; charset=utf-8'" + j + QString::fromUtf8("--data-raw 'h\xc3\xa9llo \xe2\x82\xac'")
                + j + "--http1.1";
        QTest::newRow("form without content type")
            << request("POST", "/f", kCurlHeaders, "a=1&b=%26")
            << "curl 'http://127.0.0.1:8080/f'" + j + "-H 'User-Agent: curl/7.88.1'" + j + "-H 'Accept: */*'" + j
                + "-H 'Content-Type:'" + j + "--data-raw 'a=1&b=%26'" + j + "--http1.1";
        QTest::newRow("binary body through printf")
            << request("POST", "/bin", with(kCurlHeaders, { { "Content-Type", "application/octet-stream" } }),
                   QByteArray("\x00\x01%\\'A\xff", 7))
            << "# the request body (7 bytes, binary) is fed to curl by bash's printf\n"
                   "curl 'http://127.0.0.1:8080/bin'"
                + j + "-H 'User-Agent: curl/7.88.1'" + j + "-H 'Accept: */*'" + j
                + "-H 'Content-Type: application/octet-stream'" + j
                + "--data-binary @<(printf '\\x00\\x01%%\\\\\\x27A\\xff')" + j + "--http1.1";
        QTest::newRow("h2 over TLS, pseudo-headers skipped")
            << request("GET", "/h2",
                   { { ":method", "GET" }, { ":path", "/h2" }, { ":scheme", "https" }, { ":authority", "127.0.0.1:8443" },
                       { "user-agent", "curl/7.88.1" }, { "accept", "*/*" } },
                   {}, "HTTP/2", record::Source::OpenSsl)
            << "curl 'https://127.0.0.1:8443/h2'" + j + "-H 'user-agent: curl/7.88.1'" + j + "-H 'accept: */*'" + j
                + "--http2";
        QTest::newRow("h2c") << request("DELETE", "/x", { { "user-agent", "u" }, { "accept", "a" } }, {}, "HTTP/2")
                             << "curl 'http://127.0.0.1:8443/x'" + j + "-X 'DELETE'" + j + "-H 'user-agent: u'" + j
                + "-H 'accept: a'" + j + "--http2-prior-knowledge";
        QTest::newRow("http/1.0 and a control character")
            << request("GET", "/", { { "Host", "h" }, { "User-Agent", "a\tb" }, { "Accept", "*/*" } }, {}, "HTTP/1.0")
            << "curl 'http://h/'" + j + "-H $'User-Agent: a\\tb'" + j + "-H 'Accept: */*'" + j + "--http1.0";
    }

    void command()
    {
        QFETCH(Flow, flow);
        QFETCH(QString, expected);
        QCOMPARE(curlCommand(flow), expected);
    }

    void binaryBodyToFile()
    {
        Flow f = request("POST", "/bin", kCurlHeaders, QByteArray("\x00\x01", 2));
        CurlOptions o;
        o.binaryBodyToFile = true;
        o.bodyFilePath = QStringLiteral("/tmp/body 1.bin");
        const QString j = QStringLiteral(" \\\n  ");
        QCOMPARE(curlCommand(f, o),
            "# the request body (2 bytes, binary) is read from /tmp/body 1.bin\n"
            "curl 'http://127.0.0.1:8080/bin'"
                + j + "-H 'User-Agent: curl/7.88.1'" + j + "-H 'Accept: */*'" + j + "-H 'Content-Type:'" + j
                + "--data-binary @'/tmp/body 1.bin'" + j + "--http1.1");
    }

    void largeBodySuppressesExpect()
    {
        const QString cmd = curlCommand(request("POST", "/big", kCurlHeaders, QByteArray(2000, 'x')));
        QVERIFY(cmd.contains(QStringLiteral("-H 'Expect:'")));
    }

    void truncatedBodyIsAnnounced()
    {
        Flow f = request("POST", "/cut", kCurlHeaders, "abc");
        f.request.bodySize = 10;
        f.request.bodyTruncated = true;
        QVERIFY(curlCommand(f).startsWith(QStringLiteral("# the captured request body was cut: this sends 3 of its 10 bytes\n")));
    }

    void quoting_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << QByteArray("a b") << "'a b'";
        QTest::newRow("dollar and backtick stay literal") << QByteArray("$HOME `x`") << "'$HOME `x`'";
        QTest::newRow("newline") << QByteArray("a\nb") << "$'a\\nb'";
        QTest::newRow("backslash in ansi-c") << QByteArray("a\\b'") << "$'a\\\\b\\''";
        QTest::newRow("invalid utf-8") << QByteArray("\xc3(") << "$'\\xc3('";
        QTest::newRow("del") << QByteArray("\x7f") << "$'\\x7f'";
    }

    void quoting()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        QCOMPARE(curlShellQuote(bytes), expected);
    }
};

QTEST_GUILESS_MAIN(TestCurlCommand)
#include "tst_curlcommand.moc"
