// SPDX-License-Identifier: GPL-2.0-or-later
// The built-in highlighters on known input: the format at chosen characters
// is exactly the style's colour for the palette (light and dark).
#include "highlight/csshighlighter.h"
#include "highlight/javascripthighlighter.h"
#include "highlight/jsonhighlighter.h"
#include "highlight/xmlhighlighter.h"

#include <QGuiApplication>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>

using namespace httptap;

namespace {

enum class Language { Json, Xml, JavaScript, Css };

// Foreground at (line, column) after highlighting; invalid when the character has no format.
QColor colorAt(const QTextDocument& doc, int line, int column)
{
    const QTextBlock block = doc.findBlockByNumber(line);
    for (const QTextLayout::FormatRange& range : block.layout()->formats())
        if (column >= range.start && column < range.start + range.length)
            return range.format.foreground().color();
    return {};
}

QPalette palette(bool dark)
{
    QPalette p;
    p.setColor(QPalette::Base, dark ? QColor(0x1e, 0x1e, 0x1e) : QColor(Qt::white));
    return p;
}

struct Probe {
    int line;
    QString token; // the first occurrence of this text on the line is probed at its first character
    int style; // TextStyle, or -1 for no format
};

} // namespace

Q_DECLARE_METATYPE(Language)

class TestHighlighters : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void tokens_data();
    void tokens();
    void paletteDecidesDarkOrLight();
};

void TestHighlighters::tokens_data()
{
    QTest::addColumn<Language>("language");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<Probe>>("probes");
    const int none = -1;
    auto s = [](TextStyle style) { return int(style); };

    QTest::newRow("json") << Language::Json
                          << QStringLiteral("{\n    \"name\": \"Ada: \\\"x\\\"\",\n    \"n\": -1.5e3,\n    \"ok\": true,\n    \"x\": null\n}")
                          << QList<Probe> { { 0, "{", none }, { 1, "\"name\"", s(TextStyle::DataType) },
                                 { 1, "\"Ada", s(TextStyle::String) }, { 1, "x\\\"\"", s(TextStyle::String) },
                                 { 2, "\"n\"", s(TextStyle::DataType) }, { 2, "-1.5e3", s(TextStyle::DecVal) },
                                 { 3, "true", s(TextStyle::Keyword) }, { 4, "null", s(TextStyle::Keyword) } };
    QTest::newRow("xml") << Language::Xml
                         << QStringLiteral("<?xml version=\"1.0\"?>\n<root a=\"1\">text a=b <!-- c\nstill --> <b>&amp;</b>\n"
                                           "<![CDATA[<x>]]></root>")
                         << QList<Probe> { { 0, "<?xml", s(TextStyle::Keyword) }, { 0, "version", s(TextStyle::Others) },
                                { 1, "root", s(TextStyle::Keyword) }, { 1, "a=", s(TextStyle::Others) },
                                { 1, "\"1\"", s(TextStyle::String) }, { 1, "text", none }, { 1, "a=b", none },
                                { 1, "<!--", s(TextStyle::Comment) }, { 2, "still", s(TextStyle::Comment) },
                                { 2, "<b>", s(TextStyle::Keyword) }, { 2, "&amp;", s(TextStyle::SpecialString) },
                                { 3, "<x>", s(TextStyle::Comment) }, { 3, "</root", s(TextStyle::Keyword) } };
    QTest::newRow("html") << Language::Xml
                          << QStringLiteral("<!DOCTYPE html>\n<p class='x'\n   id=y>Hi &lt; there</p>")
                          << QList<Probe> { { 0, "DOCTYPE", s(TextStyle::DataType) }, { 1, "<p", s(TextStyle::Keyword) },
                                 { 1, "class", s(TextStyle::Others) }, { 1, "'x'", s(TextStyle::String) },
                                 { 2, "id", s(TextStyle::Others) }, { 2, "Hi", none },
                                 { 2, "&lt;", s(TextStyle::SpecialString) }, { 2, "</p", s(TextStyle::Keyword) } };
    QTest::newRow("javascript") << Language::JavaScript
                                << QStringLiteral("// c \"x\"\nconst s = \"a // b\"; /* multi\nline */ if (x) return 42;\n"
                                                  "let t = `q`; x = undefined;")
                                << QList<Probe> { { 0, "// c", s(TextStyle::Comment) }, { 0, "\"x\"", s(TextStyle::Comment) },
                                       { 1, "const", s(TextStyle::Keyword) }, { 1, "s =", none },
                                       { 1, "\"a // b\"", s(TextStyle::String) }, { 1, "// b", s(TextStyle::String) },
                                       { 1, "/* multi", s(TextStyle::Comment) }, { 2, "line", s(TextStyle::Comment) },
                                       { 2, "if", s(TextStyle::ControlFlow) }, { 2, "return", s(TextStyle::ControlFlow) },
                                       { 2, "42", s(TextStyle::DecVal) }, { 3, "let", s(TextStyle::Keyword) },
                                       { 3, "`q`", s(TextStyle::String) }, { 3, "undefined", s(TextStyle::Constant) } };
    QTest::newRow("css") << Language::Css
                         << QStringLiteral("@media screen {\n  a:hover { color: #fff; margin: 10px 0; }\n  .cls /* c */ {}\n"
                                           "  #main { content: \"a;b\" }\n}")
                         << QList<Probe> { { 0, "@media", s(TextStyle::Import) }, { 1, "a:hover", none },
                                { 1, "color", s(TextStyle::Keyword) }, { 1, "#fff", s(TextStyle::DecVal) },
                                { 1, "margin", s(TextStyle::Keyword) }, { 1, "10px", s(TextStyle::DecVal) },
                                { 2, ".cls", s(TextStyle::Function) }, { 2, "/* c */", s(TextStyle::Comment) },
                                { 3, "#main", s(TextStyle::Function) }, { 3, "\"a;b\"", s(TextStyle::String) } };
}

void TestHighlighters::tokens()
{
    QFETCH(Language, language);
    QFETCH(QString, text);
    QFETCH(QList<Probe>, probes);
    for (const bool dark : { false, true }) {
        QTextDocument doc;
        doc.setPlainText(text);
        const QPalette pal = palette(dark);
        QSyntaxHighlighter* h = nullptr;
        switch (language) {
        case Language::Json: h = new JsonHighlighter(&doc, pal); break;
        case Language::Xml: h = new XmlHighlighter(&doc, pal); break;
        case Language::JavaScript: h = new JavaScriptHighlighter(&doc, pal); break;
        case Language::Css: h = new CssHighlighter(&doc, pal); break;
        }
        h->rehighlight();
        for (const Probe& p : probes) {
            const QString line = doc.findBlockByNumber(p.line).text();
            const int column = int(line.indexOf(p.token));
            QVERIFY2(column >= 0, qPrintable(QStringLiteral("'%1' not on line %2").arg(p.token).arg(p.line)));
            const QColor expected = p.style < 0 ? QColor() : styleColor(TextStyle(p.style), dark);
            const QColor got = colorAt(doc, p.line, column);
            QVERIFY2(got == expected,
                qPrintable(QStringLiteral("%1 '%2' on line %3: got %4, expected %5")
                               .arg(dark ? "dark" : "light", p.token).arg(p.line)
                               .arg(got.isValid() ? got.name() : QStringLiteral("none"),
                                   expected.isValid() ? expected.name() : QStringLiteral("none"))));
        }
    }
}

void TestHighlighters::paletteDecidesDarkOrLight()
{
    QVERIFY(!isDarkPalette(palette(false)));
    QVERIFY(isDarkPalette(palette(true)));
    // Breeze's colours: strings red in both, darker on light.
    QCOMPARE(styleColor(TextStyle::String, false), QColor(0xbf, 0x03, 0x03));
    QCOMPARE(styleColor(TextStyle::String, true), QColor(0xf4, 0x4f, 0x4f));
    QVERIFY(textFormat(TextStyle::Keyword, palette(false)).fontWeight() == QFont::Bold);
    QVERIFY(textFormat(TextStyle::Comment, palette(true)).fontItalic());
}

QTEST_MAIN(TestHighlighters)
#include "tst_highlighters.moc"
