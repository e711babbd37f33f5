// SPDX-License-Identifier: GPL-2.0-or-later
#include "http/formdata.h"

#include <QTest>

using namespace httptap;

namespace {

FormField pair(const QByteArray& name, const QByteArray& value)
{
    FormField field;
    field.name = name;
    field.value = value;
    return field;
}

} // namespace

class TestFormData : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void urlEncoded();
    void boundary_data();
    void boundary();
    void multipart();
    void multipartBareNewlines();
    void multipartRefused_data();
    void multipartRefused();
};

void TestFormData::urlEncoded()
{
    QCOMPARE(parseUrlEncoded("user=ada&password=s3cr%21t&q=a+b%2Bc&flag&=v&&e="),
        (QList<FormField> { pair("user", "ada"), pair("password", "s3cr!t"), pair("q", "a b+c"), pair("flag", ""),
            pair("", "v"), pair("e", "") }));
    // Bytes stay bytes: %FF is not forced into UTF-8.
    QCOMPARE(parseUrlEncoded("b=%FF%00").first().value, QByteArray("\xff\x00", 2));
}

void TestFormData::boundary_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("boundary");
    QTest::newRow("token") << QByteArray("multipart/form-data; boundary=----abc123") << QByteArray("----abc123");
    QTest::newRow("quoted") << QByteArray("multipart/form-data; charset=utf-8; Boundary=\"a b\"") << QByteArray("a b");
    QTest::newRow("none") << QByteArray("multipart/form-data") << QByteArray();
}

void TestFormData::boundary()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, boundary);
    QCOMPARE(multipartBoundary(contentType), boundary);
}

void TestFormData::multipart()
{
    const QByteArray body = "preamble\r\n"
                            "--XyZ\r\n"
                            "Content-Disposition: form-data; name=\"title\"\r\n"
                            "\r\n"
                            "Hello, world\r\n"
                            "--XyZ\r\n"
                            "Content-Disposition: form-data; name=\"upload\"; filename=\"a.bin\"\r\n"
                            "Content-Type: application/octet-stream\r\n"
                            "\r\n"
        + QByteArray("\x00\x01\r\n--X\r\n", 9)
        + "--XyZ\r\n"
                            "Content-Disposition: form-data; name=\"empty\"\r\n"
                            "\r\n"
                            "\r\n"
                            "--XyZ--\r\n";
    QString error;
    const auto fields = parseMultipart(body, "XyZ", &error);
    QVERIFY2(fields, qPrintable(error));
    QCOMPARE(fields->size(), 3);
    QCOMPARE(fields->at(0), (FormField { "title", "Hello, world", {}, {}, false }));
    QCOMPARE(fields->at(1), (FormField { "upload", QByteArray("\x00\x01\r\n--X", 7), "a.bin", "application/octet-stream", true }));
    QCOMPARE(fields->at(2), (FormField { "empty", "", {}, {}, false }));
}

void TestFormData::multipartBareNewlines()
{
    const auto fields = parseMultipart("--b\nContent-Disposition: form-data; name=\"x\"\n\n1\n--b--\n", "b");
    QVERIFY(fields);
    QCOMPARE(*fields, (QList<FormField> { pair("x", "1") }));
}

void TestFormData::multipartRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("boundary");
    QTest::addColumn<QString>("error");
    QTest::newRow("no boundary") << QByteArray("x") << QByteArray() << "the Content-Type has no usable boundary parameter";
    QTest::newRow("never occurs") << QByteArray("abc") << QByteArray("b") << "the boundary never occurs in the body";
    QTest::newRow("headers never end") << QByteArray("--b\r\nContent-Disposition: form-data") << QByteArray("b")
                                       << "part 1: its headers never end";
    QTest::newRow("cut body") << QByteArray("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue")
                              << QByteArray("b") << "part 1: the body ends before the closing boundary";
    QTest::newRow("junk after boundary") << QByteArray("--bjunk") << QByteArray("b") << "part 1: no line break after the boundary";
}

void TestFormData::multipartRefused()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, boundary);
    QFETCH(QString, error);
    QString why;
    QVERIFY(!parseMultipart(body, boundary, &why));
    QCOMPARE(why, error);
}

QTEST_GUILESS_MAIN(TestFormData)
#include "tst_formdata.moc"
