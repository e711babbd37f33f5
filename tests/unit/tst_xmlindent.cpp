// SPDX-License-Identifier: GPL-2.0-or-later
#include "format/xmlindent.h"

#include <QTest>

using namespace httptap;

class TestXmlIndent : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void minified();
    void keptAsSent_data();
    void keptAsSent();
    void cutShortAndCapped();
};

void TestXmlIndent::minified()
{
    const auto out = indentXml(R"(<?xml version="1.0"?><feed a="x>y"><!-- c --><entry id='1'><title>Hi &amp; bye</title>)"
                               R"(<link href="/a"/><empty></empty><![CDATA[<raw>]]></entry></feed>)");
    QVERIFY(out);
    QVERIFY(out->complete);
    QCOMPARE(out->text, QByteArray("<?xml version=\"1.0\"?>\n"
                                   "<feed a=\"x>y\">\n"
                                   "  <!-- c -->\n"
                                   "  <entry id='1'>\n"
                                   "    <title>Hi &amp; bye</title>\n"
                                   "    <link href=\"/a\"/>\n"
                                   "    <empty></empty>\n"
                                   "    <![CDATA[<raw>]]>\n"
                                   "  </entry>\n"
                                   "</feed>\n"));
}

void TestXmlIndent::keptAsSent_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::newRow("already in lines") << QByteArray("<a>\n  <b/>\n</a>\n");
    QTest::newRow("not markup") << QByteArray("hello <b>");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("one element") << QByteArray("<a b=\"1\"/>");
}

void TestXmlIndent::keptAsSent()
{
    QFETCH(QByteArray, input);
    QVERIFY(!indentXml(input).has_value());
}

void TestXmlIndent::cutShortAndCapped()
{
    const auto cut = indentXml("<a><b>1</b><c attr=\"never closed");
    QVERIFY(cut);
    QCOMPARE(cut->text, QByteArray("<a>\n  <b>1</b>\n  <c attr=\"never closed\n"));
    // Deep nesting indents at most 64 levels.
    const auto deep = indentXml(QByteArray(100 * 3, 'x').replace("xxx", "<d>"));
    QVERIFY(deep);
    QCOMPARE(deep->text.split('\n').at(99), QByteArray(128, ' ') + "<d>");
    QByteArray many = "<r>";
    for (int i = 0; i < 1000; ++i)
        many += "<i>" + QByteArray::number(i) + "</i>";
    many += "</r>";
    const auto capped = indentXml(many, 50);
    QVERIFY(capped);
    QVERIFY(!capped->complete);
    QCOMPARE(capped->text.size(), 50);
    QVERIFY(capped->text.startsWith("<r>\n  <i>0</i>\n  <i>1</i>\n"));
}

QTEST_GUILESS_MAIN(TestXmlIndent)
#include "tst_xmlindent.moc"
