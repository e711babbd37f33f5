// SPDX-License-Identifier: GPL-2.0-or-later
#include "format/bodykind.h"
#include "format/jsonpretty.h"

#include <QTest>

using namespace httptap;

class TestJsonPretty : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keepsKeyOrderAndSpelling();
    void formats_data();
    void formats();
    void invalid_data();
    void invalid();
    void cutOutputStillChecksTheWhole();
    void deepNestingIsRefused();
    void bodyKinds_data();
    void bodyKinds();
};

void TestJsonPretty::keepsKeyOrderAndSpelling()
{
    // QJsonDocument would sort these keys and print 1.50 as 1.5.
    const PrettyJson p = prettyJson(R"({"zeta":1.50,"alpha":{"b":[1,2],"a":"x\"y"},"m":true})");
    QVERIFY(p.valid);
    QVERIFY(p.complete);
    QCOMPARE(p.text, QByteArray("{\n"
                                "    \"zeta\": 1.50,\n"
                                "    \"alpha\": {\n"
                                "        \"b\": [\n"
                                "            1,\n"
                                "            2\n"
                                "        ],\n"
                                "        \"a\": \"x\\\"y\"\n"
                                "    },\n"
                                "    \"m\": true\n"
                                "}\n"));
}

void TestJsonPretty::formats_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("empty object") << QByteArray(" { } ") << QByteArray("{}\n");
    QTest::newRow("empty array in object") << QByteArray(R"({"a":[ ]})") << QByteArray("{\n    \"a\": []\n}\n");
    QTest::newRow("scalar") << QByteArray("  -0.5e+3 ") << QByteArray("-0.5e+3\n");
    QTest::newRow("string with braces") << QByteArray(R"(["{,}:"])") << QByteArray("[\n    \"{,}:\"\n]\n");
    QTest::newRow("unicode escape") << QByteArray(R"({"k":"\u00e9"})") << QByteArray("{\n    \"k\": \"\\u00e9\"\n}\n");
    QTest::newRow("already indented") << QByteArray("{\n  \"a\" : null\n}\n") << QByteArray("{\n    \"a\": null\n}\n");
}

void TestJsonPretty::formats()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    const PrettyJson p = prettyJson(input);
    QVERIFY(p.valid);
    QCOMPARE(p.text, expected);
}

void TestJsonPretty::invalid_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("unclosed") << QByteArray(R"({"a":1)");
    QTest::newRow("trailing comma") << QByteArray(R"([1,2,])");
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})");
    QTest::newRow("bare key") << QByteArray(R"({a:1})");
    QTest::newRow("two values") << QByteArray("1 2");
    QTest::newRow("mismatched") << QByteArray("[1}");
    QTest::newRow("bad literal") << QByteArray("[tru]");
    QTest::newRow("leading zero") << QByteArray("[01]");
    QTest::newRow("raw control in string") << QByteArray("[\"a\x01\"]");
    QTest::newRow("bad escape") << QByteArray(R"(["\x41"])");
    QTest::newRow("short unicode escape") << QByteArray(R"(["\u12"])");
    QTest::newRow("unterminated string") << QByteArray(R"(["abc)");
    QTest::newRow("html") << QByteArray("<html></html>");
}

void TestJsonPretty::invalid()
{
    QFETCH(QByteArray, input);
    QVERIFY(!prettyJson(input).valid);
}

void TestJsonPretty::cutOutputStillChecksTheWhole()
{
    QByteArray big = "[";
    for (int i = 0; i < 10000; ++i)
        big += (i ? "," : "") + QByteArray::number(i);
    big += "]";
    const PrettyJson cut = prettyJson(big, 100);
    QVERIFY(cut.valid);
    QVERIFY(!cut.complete);
    QCOMPARE(cut.text.size(), 100);
    QVERIFY(cut.text.startsWith("[\n    0,\n    1,\n"));
    QVERIFY(!prettyJson(big + "]", 100).valid); // the error is past the cut and still found
    QCOMPARE(prettyJson(big).text.count('\n'), 10002);
}

void TestJsonPretty::deepNestingIsRefused()
{
    const QByteArray deep = QByteArray(600, '[') + QByteArray(600, ']');
    QVERIFY(!prettyJson(deep).valid);
    const QByteArray ok = QByteArray(500, '[') + QByteArray(500, ']');
    QVERIFY(prettyJson(ok).valid);
}

void TestJsonPretty::bodyKinds_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mime");
    QTest::addColumn<BodyKind>("kind");
    QTest::addColumn<QByteArray>("image");
    const QByteArray png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    QTest::newRow("png by type") << png << "image/png" << BodyKind::Image << QByteArray("png");
    QTest::newRow("png mislabelled") << png << "text/plain" << BodyKind::Image << QByteArray("png");
    QTest::newRow("jpeg") << QByteArray("\xff\xd8\xff\xe0\0\x10JFIF", 10) << "" << BodyKind::Image << QByteArray("jpeg");
    QTest::newRow("gif") << QByteArray("GIF89a\x01\0\x01\0", 10) << "image/gif" << BodyKind::Image << QByteArray("gif");
    QTest::newRow("webp") << QByteArray("RIFF\x24\0\0\0WEBPVP8 ", 16) << "image/webp" << BodyKind::Image << QByteArray("webp");
    QTest::newRow("image/png that is html") << QByteArray("<html>no</html>") << "image/png" << BodyKind::Text << QByteArray();
    QTest::newRow("svg by type") << QByteArray("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
                                 << "image/svg+xml" << BodyKind::Svg << QByteArray();
    QTest::newRow("svg unlabelled") << QByteArray("  <svg width=\"1\"/>") << "" << BodyKind::Svg << QByteArray();
    QTest::newRow("json") << QByteArray(R"({"a":1})") << "application/json" << BodyKind::Json << QByteArray();
    QTest::newRow("problem+json") << QByteArray(R"({"a":1})") << "application/problem+json" << BodyKind::Json << QByteArray();
    QTest::newRow("json sniffed") << QByteArray(" [1]") << "" << BodyKind::Json << QByteArray();
    QTest::newRow("html") << QByteArray("<!DOCTYPE html><p>") << "text/html" << BodyKind::Html << QByteArray();
    QTest::newRow("xml") << QByteArray("<a/>") << "application/xml" << BodyKind::Xml << QByteArray();
    QTest::newRow("js") << QByteArray("let a = 1;") << "text/javascript" << BodyKind::JavaScript << QByteArray();
    QTest::newRow("css") << QByteArray("a { color: red }") << "text/css" << BodyKind::Css << QByteArray();
    QTest::newRow("text with escapes") << QByteArray("\x1b[2J\x1b[31mred\x07") << "text/plain" << BodyKind::Text << QByteArray();
    QTest::newRow("binary") << QByteArray("\x00\x01\x02\xff\xfe binary", 12) << "application/octet-stream"
                            << BodyKind::Binary << QByteArray();
    QTest::newRow("utf8 unlabelled") << QByteArray("caf\xc3\xa9") << "" << BodyKind::Text << QByteArray();
    QTest::newRow("empty") << QByteArray() << "text/plain" << BodyKind::Empty << QByteArray();
}

void TestJsonPretty::bodyKinds()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, mime);
    QFETCH(BodyKind, kind);
    QFETCH(QByteArray, image);
    QCOMPARE(classifyBody(body, mime), kind);
    QCOMPARE(imageFormatOf(body), image);
}

QTEST_GUILESS_MAIN(TestJsonPretty)
#include "tst_jsonpretty.moc"
