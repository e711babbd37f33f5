// SPDX-License-Identifier: GPL-2.0-or-later
#include "http/cookies.h"

#include <QTest>

using namespace httptap;

class TestCookies : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cookieHeader();
    void requestCookiesFromSeveralHeaders();
    void setCookieAttributes();
    void setCookieOddities();
    void responseCookies();
};

void TestCookies::cookieHeader()
{
    QCOMPARE(parseCookieHeader("sid=abc123; theme=dark;  empty=; lang=en-GB"),
        (QList<Cookie> { { "sid", "abc123" }, { "theme", "dark" }, { "empty", "" }, { "lang", "en-GB" } }));
    QCOMPARE(parseCookieHeader("a=b=c; novalue"), (QList<Cookie> { { "a", "b=c" }, { "", "novalue" } }));
    QCOMPARE(parseCookieHeader(" ; ;"), QList<Cookie>());
    QByteArray many;
    for (int i = 0; i < 3000; ++i)
        many += "c" + QByteArray::number(i) + "=1;";
    QCOMPARE(parseCookieHeader(many).size(), kMaxCookies);
}

void TestCookies::requestCookiesFromSeveralHeaders()
{
    HttpMessage request;
    request.headers = { { ":method", "GET" }, { "cookie", "a=1" }, { "accept", "*/*" }, { "Cookie", "b=2; c=3" } };
    QCOMPARE(requestCookies(request), (QList<Cookie> { { "a", "1" }, { "b", "2" }, { "c", "3" } }));
}

void TestCookies::setCookieAttributes()
{
    const auto c = parseSetCookie(
        "id=a3fWa; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Max-Age=3600; Domain=example.com; Path=/docs; "
        "Secure; HttpOnly; SameSite=Lax; Partitioned; Unknown=ignored");
    QVERIFY(c);
    SetCookie expected;
    expected.name = "id";
    expected.value = "a3fWa";
    expected.expires = "Wed, 21 Oct 2026 07:28:00 GMT";
    expected.maxAge = "3600";
    expected.domain = "example.com";
    expected.path = "/docs";
    expected.secure = true;
    expected.httpOnly = true;
    expected.sameSite = "Lax";
    expected.partitioned = true;
    QCOMPARE(*c, expected);
}

void TestCookies::setCookieOddities()
{
    // Attribute names are case-insensitive; spaces around '=' are trimmed; a quoted value stays as sent.
    const auto c = parseSetCookie("  token = \"q v\" ;  secure ; HTTPONLY ; samesite = Strict ; path=/");
    QVERIFY(c);
    QCOMPARE(c->name, QByteArray("token"));
    QCOMPARE(c->value, QByteArray("\"q v\""));
    QVERIFY(c->secure && c->httpOnly);
    QCOMPARE(c->sameSite, QByteArray("Strict"));
    QCOMPARE(c->path, QByteArray("/"));
    QVERIFY(c->domain.isEmpty() && c->expires.isEmpty() && c->maxAge.isEmpty());
    QVERIFY(!parseSetCookie("").has_value());
    QVERIFY(!parseSetCookie(" ; Secure").has_value());
    const auto bare = parseSetCookie("justavalue");
    QVERIFY(bare);
    QCOMPARE(bare->name, QByteArray());
    QCOMPARE(bare->value, QByteArray("justavalue"));
}

void TestCookies::responseCookies()
{
    HttpMessage response;
    response.headers = { { "Set-Cookie", "a=1; Path=/" }, { "Content-Type", "text/html" }, { "set-cookie", "b=2; Secure" },
        { "Set-Cookie", "" } };
    const QList<SetCookie> cookies = httptap::responseCookies(response);
    QCOMPARE(cookies.size(), 2);
    QCOMPARE(cookies[0].name, QByteArray("a"));
    QCOMPARE(cookies[0].path, QByteArray("/"));
    QCOMPARE(cookies[1].name, QByteArray("b"));
    QVERIFY(cookies[1].secure);
}

QTEST_GUILESS_MAIN(TestCookies)
#include "tst_cookies.moc"
