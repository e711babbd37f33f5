// SPDX-License-Identifier: GPL-2.0-or-later
// The detail pane on hand-made flows: highlighted and pretty-printed bodies,
// images, hex, cookies, payload tables, the completeness banner, raw heads,
// the gRPC tab, and 10 MiB bodies opening as a prefix with "Load full body".
#include "bodyview.h"
#include "cookiespage.h"
#include "detailpane.h"
#include "format/xmlindent.h"
#include "grpcpage.h"
#include "highlight/textstyle.h"
#include "models/texttablemodel.h"
#include "payloadpage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QBuffer>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QImage>
#include <QImageReader>
#include <QLabel>
#include <QStyle>
#include <QTableView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

using namespace httptap;

namespace {

Flow makeFlow(const QByteArray& target, const QByteArray& contentType, const QByteArray& body)
{
    Flow f;
    f.id = 1;
    f.httpVersion = "HTTP/1.1";
    f.process = QStringLiteral("curl");
    f.pid = 42;
    f.request.method = "GET";
    f.request.target = target;
    f.request.headers = { { "Host", "api.example.com" } };
    f.request.complete = true;
    f.hasResponse = true;
    f.response.status = 200;
    f.response.reason = "OK";
    f.response.headers = { { "Content-Type", contentType } };
    f.response.body = body;
    f.response.bodySize = uint64_t(body.size());
    f.response.complete = true;
    return f;
}

QByteArray encode(const QImage& image, const char* format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, format);
    return bytes;
}

QColor colorAt(QPlainTextEdit* edit, int line, int column)
{
    const QTextBlock block = edit->document()->findBlockByNumber(line);
    for (const QTextLayout::FormatRange& range : block.layout()->formats())
        if (column >= range.start && column < range.start + range.length)
            return range.format.foreground().color();
    return {};
}

// PNG's chunk CRC (ISO 3309), to forge a header that still checks out.
quint32 crc32(const QByteArray& bytes)
{
    quint32 crc = 0xffffffffu;
    for (const char c : bytes) {
        crc ^= uchar(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xffffffffu;
}

QStringList row(const TextTableModel* model, int r)
{
    return model->rows().value(r);
}

} // namespace

class TestDetailPane : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void jsonKeepsOrderAndIsHighlighted();
    void minifiedXmlIsIndented();
    void invalidJsonShownRaw();
    void textKindsAreHighlighted_data();
    void textKindsAreHighlighted();
    void images_data();
    void images();
    void hugeImageIsNotDecoded();
    void hexView();
    void untrustedTextStaysPlain();
    void cookies();
    void payloadTables();
    void multipartPayload();
    void completenessBanner();
    void rawHeads();
    void grpcTab();
    void largeJsonOpensAsPrefix();
    void largeBinaryOpensAsPrefix();
};

void TestDetailPane::init()
{
    QApplication::setPalette(QApplication::style()->standardPalette());
}

void TestDetailPane::jsonKeepsOrderAndIsHighlighted()
{
    DetailPane pane;
    const Flow f = makeFlow("/u", "application/json; charset=utf-8", R"({"zeta":1.50,"alpha":{"b":[true,null]}})");
    pane.setFlow(&f);
    QCOMPARE(pane.responseText(), QStringLiteral("{\n    \"zeta\": 1.50,\n    \"alpha\": {\n        \"b\": [\n"
                                                 "            true,\n            null\n        ]\n    }\n}\n"));
    BodyView* view = pane.responseView();
    QCOMPARE(view->kind(), BodyKind::Json);
    QVERIFY(view->highlighted());
    QVERIFY(!view->canLoadAll());
    const bool dark = isDarkPalette(view->editor()->palette());
    QCOMPARE(colorAt(view->editor(), 1, 4), styleColor(TextStyle::DataType, dark)); // "zeta"
    QCOMPARE(colorAt(view->editor(), 1, 12), styleColor(TextStyle::DecVal, dark)); // 1.50
    QCOMPARE(colorAt(view->editor(), 4, 12), styleColor(TextStyle::Keyword, dark)); // true
    QVERIFY2(view->info().startsWith(QStringLiteral("JSON, ")), qPrintable(view->info()));
}

void TestDetailPane::minifiedXmlIsIndented()
{
    DetailPane pane;
    const Flow f = makeFlow("/feed", "application/atom+xml", R"(<feed><entry id="1"><title>Hi</title></entry></feed>)");
    pane.setFlow(&f);
    QCOMPARE(pane.responseText(), QStringLiteral("<feed>\n  <entry id=\"1\">\n    <title>Hi</title>\n  </entry>\n</feed>\n"));
    QVERIFY(pane.responseView()->highlighted());
    QVERIFY2(pane.responseView()->info().endsWith(QStringLiteral(" — re-indented")), qPrintable(pane.responseView()->info()));
}

void TestDetailPane::invalidJsonShownRaw()
{
    DetailPane pane;
    const Flow f = makeFlow("/u", "application/json", R"({"a":1,)");
    pane.setFlow(&f);
    QCOMPARE(pane.responseText(), QStringLiteral(R"({"a":1,)"));
    QVERIFY2(pane.responseView()->info().contains(QStringLiteral("not valid JSON, shown as sent")),
        qPrintable(pane.responseView()->info()));
}

void TestDetailPane::textKindsAreHighlighted_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<BodyKind>("kind");
    QTest::addColumn<int>("column"); // a character on line 0 and its style
    QTest::addColumn<int>("style");
    QTest::newRow("html") << QByteArray("text/html") << QByteArray("<p class=\"x\">hi</p>") << BodyKind::Html << 3
                          << int(TextStyle::Others);
    QTest::newRow("xml") << QByteArray("application/xml") << QByteArray("<a b=\"1\"/>") << BodyKind::Xml << 5
                         << int(TextStyle::String);
    QTest::newRow("js") << QByteArray("application/javascript") << QByteArray("return 1; // done") << BodyKind::JavaScript
                        << 12 << int(TextStyle::Comment);
    QTest::newRow("css") << QByteArray("text/css") << QByteArray("a { color: red; }") << BodyKind::Css << 4
                         << int(TextStyle::Keyword);
}

void TestDetailPane::textKindsAreHighlighted()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, body);
    QFETCH(BodyKind, kind);
    QFETCH(int, column);
    QFETCH(int, style);
    DetailPane pane;
    const Flow f = makeFlow("/x", type, body);
    pane.setFlow(&f);
    QCOMPARE(pane.responseView()->kind(), kind);
    QCOMPARE(pane.responseText(), QString::fromUtf8(body));
    QVERIFY(pane.responseView()->highlighted());
    QCOMPARE(colorAt(pane.responseView()->editor(), 0, column),
        styleColor(TextStyle(style), isDarkPalette(pane.responseView()->editor()->palette())));
}

void TestDetailPane::images_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("info"); // empty: not shown as an image
    QImage image(24, 16, QImage::Format_RGB32);
    image.fill(QColor(0x33, 0x99, 0xff));
    const QByteArray png = encode(image, "PNG");
    QTest::newRow("png") << QByteArray("image/png") << png << QStringLiteral("PNG image, 24×16, ");
    QTest::newRow("png sent as text") << QByteArray("text/plain") << png << QStringLiteral("PNG image, 24×16, ");
    QTest::newRow("jpeg") << QByteArray("image/jpeg") << encode(image, "JPEG") << QStringLiteral("JPEG image, 24×16, ");
    // Qt writes no GIF: the classic 1×1 one, byte by byte.
    const QByteArray gif = QByteArray::fromHex("47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b");
    QTest::newRow("gif") << QByteArray("image/gif") << gif << QStringLiteral("GIF image, 1×1, ");
    if (QImageReader::supportedImageFormats().contains("webp"))
        QTest::newRow("webp") << QByteArray("image/webp") << encode(image, "WEBP") << QStringLiteral("WEBP image, 24×16, ");
    const QByteArray svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"30\" height=\"20\"><rect width=\"30\" "
                           "height=\"20\" fill=\"red\"/></svg>";
    QTest::newRow("svg") << QByteArray("image/svg+xml") << svg
                         << (QImageReader::supportedImageFormats().contains("svg") ? QStringLiteral("SVG image, 30×20, ")
                                                                                  : QString());
    QTest::newRow("corrupt png") << QByteArray("image/png") << png.left(40) << QString();
}

void TestDetailPane::images()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, body);
    QFETCH(QString, info);
    DetailPane pane;
    const Flow f = makeFlow("/i", type, body);
    pane.setFlow(&f);
    QCOMPARE(pane.showsImage(), !info.isEmpty());
    if (!info.isEmpty()) {
        QVERIFY2(pane.responseText().startsWith(info), qPrintable(pane.responseText()));
        return;
    }
    if (type == "image/svg+xml") { // no SVG plugin: the XML as highlighted text
        QCOMPARE(pane.responseText(), QString::fromUtf8(indentXml(body)->text));
        QVERIFY(pane.responseView()->highlighted());
        return;
    }
    QVERIFY2(pane.responseView()->info().startsWith(QStringLiteral("Binary, 40 bytes, as hex — Could not decode the PNG image (")),
        qPrintable(pane.responseView()->info()));
    QVERIFY(pane.responseText().startsWith(QStringLiteral("00000000  89 50 4e 47 0d 0a 1a 0a")));
}

void TestDetailPane::hugeImageIsNotDecoded()
{
    // A valid PNG header claiming 100000×100000 pixels: refused before any allocation.
    QImage small(1, 1, QImage::Format_RGB32);
    QByteArray png = encode(small, "PNG");
    png.replace(16, 8, QByteArray::fromHex("000186a0000186a0")); // IHDR width, height
    const quint32 crc = crc32(png.mid(12, 17)); // over "IHDR" and its 13 data bytes
    for (int i = 0; i < 4; ++i)
        png[29 + i] = char(crc >> (24 - 8 * i));
    DetailPane pane;
    const Flow f = makeFlow("/big.png", "image/png", png);
    pane.setFlow(&f);
    QVERIFY(!pane.showsImage());
    QCOMPARE(pane.responseView()->info(),
        QStringLiteral("Binary, 90 bytes, as hex — PNG image 100000×100000: too large to decode (over 67108864 pixels)"));
    QVERIFY(pane.responseText().startsWith(QStringLiteral("00000000  89 50 4e 47")));
}

void TestDetailPane::hexView()
{
    DetailPane pane;
    const Flow f = makeFlow("/blob", "application/octet-stream", QByteArray("\x00\x01\x02\xff\xfe binary\x7f", 13));
    pane.setFlow(&f);
    QCOMPARE(pane.responseText(),
        QStringLiteral("00000000  00 01 02 ff fe 20 62 69  6e 61 72 79 7f") + QString(10, QLatin1Char(' '))
            + QStringLiteral(" ..... binary.\n"));
    QCOMPARE(pane.responseView()->info(), QStringLiteral("Binary, 13 bytes, as hex"));
    QVERIFY(!pane.responseView()->highlighted());
}

void TestDetailPane::untrustedTextStaysPlain()
{
    DetailPane pane;
    const Flow f = makeFlow("/evil", "text/html", "<b>bold</b>\x1b[2J\r\n<img src=x onerror=alert(1)>\xe2\x80\xae");
    pane.setFlow(&f);
    const QString text = pane.responseText();
    QCOMPARE(text, QStringLiteral("<b>bold</b>\\x1b[2J\\r\n<img src=x onerror=alert(1)>\\u202e"));
    // Plain-text widgets only: the editor is a QPlainTextEdit and the info line plain text.
    QCOMPARE(pane.responseView()->findChild<QLabel*>(QStringLiteral("responseBodyInfo"))->textFormat(), Qt::PlainText);
    QCOMPARE(pane.findChild<QLabel*>(QStringLiteral("completenessBanner"))->textFormat(), Qt::PlainText);
}

void TestDetailPane::cookies()
{
    Flow f = makeFlow("/", "text/plain", "ok");
    f.request.headers << HttpHeader { "Cookie", "sid=abc123; theme=dark" };
    f.response.headers << HttpHeader { "Set-Cookie", "sid=new; Path=/; Domain=example.com; Max-Age=3600; HttpOnly; Secure; SameSite=Lax" }
                       << HttpHeader { "Set-Cookie", "pref=1" };
    DetailPane pane;
    pane.setFlow(&f);
    CookiesPage* page = pane.cookiesPage();
    QAbstractItemModelTester t1(page->requestModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(page->responseModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(page->requestModel()->rowCount(), 2);
    QCOMPARE(row(page->requestModel(), 0), QStringList({ "sid", "abc123" }));
    QCOMPARE(row(page->requestModel(), 1), QStringList({ "theme", "dark" }));
    QCOMPARE(page->responseModel()->rowCount(), 2);
    QCOMPARE(row(page->responseModel(), 0), QStringList({ "sid", "new", "example.com", "/", "Max-Age=3600", "✓", "✓", "Lax" }));
    QCOMPARE(row(page->responseModel(), 1), QStringList({ "pref", "1", "", "", "Session", "", "", "" }));
    QCOMPARE(page->responseModel()->headerData(4, Qt::Horizontal).toString(), QStringLiteral("Expires / Max-Age"));
    // A cookie value that looks like markup stays text, in the cell and in its tooltip.
    f.request.headers << HttpHeader { "Cookie", "x=<b>bold</b>" };
    pane.setFlow(&f);
    const QModelIndex markup = page->requestModel()->index(2, 1);
    QCOMPARE(markup.data().toString(), QStringLiteral("<b>bold</b>"));
    QCOMPARE(markup.data(Qt::ToolTipRole).toString(), QStringLiteral("<p style='white-space:pre-wrap'>&lt;b&gt;bold&lt;/b&gt;</p>"));
}

void TestDetailPane::payloadTables()
{
    Flow f = makeFlow("/search?q=a+b%21&lang=en&flag", "text/plain", "ok");
    f.request.method = "POST";
    f.request.headers << HttpHeader { "Content-Type", "application/json" };
    f.request.body = R"({"b":2,"a":[1]})";
    f.request.bodySize = uint64_t(f.request.body.size());
    DetailPane pane;
    pane.setFlow(&f);
    PayloadPage* page = pane.payloadPage();
    QAbstractItemModelTester tester(page->queryModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(page->queryModel()->rows(), (QList<QStringList> { { "q", "a b!" }, { "lang", "en" }, { "flag", "" } }));
    QCOMPARE(page->formModel()->rowCount(), 0);
    QCOMPARE(page->body()->text(), QStringLiteral("{\n    \"b\": 2,\n    \"a\": [\n        1\n    ]\n}\n"));
    QVERIFY(page->body()->highlighted());
    QCOMPARE(pane.payloadText(), QStringLiteral("Query String Parameters\n  q: a b!\n  lang: en\n  flag: \n\nRequest Payload\n")
            + page->body()->text());

    Flow form = makeFlow("/login", "text/plain", "ok");
    form.request.method = "POST";
    form.request.headers << HttpHeader { "Content-Type", "application/x-www-form-urlencoded; charset=UTF-8" };
    form.request.body = "user=ada&password=s3cr%21t&note=a+b";
    pane.setFlow(&form);
    QCOMPARE(page->formModel()->rows(),
        (QList<QStringList> { { "user", "ada" }, { "password", "s3cr!t" }, { "note", "a b" } }));
    QCOMPARE(pane.payloadText(), QStringLiteral("Form Data\n  user: ada\n  password: s3cr!t\n  note: a b\n"));

    Flow none = makeFlow("/", "text/plain", "ok");
    pane.setFlow(&none);
    QCOMPARE(pane.payloadText(), QStringLiteral("This request has no payload."));
}

void TestDetailPane::multipartPayload()
{
    Flow f = makeFlow("/upload", "text/plain", "ok");
    f.request.method = "POST";
    f.request.headers << HttpHeader { "Content-Type", "multipart/form-data; boundary=----B" };
    f.request.body = "------B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHoliday\r\n"
                     "------B\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.png\"\r\n"
                     "Content-Type: image/png\r\n\r\n\x89PNG...\r\n------B--\r\n";
    DetailPane pane;
    pane.setFlow(&f);
    QCOMPARE(pane.payloadPage()->formModel()->rows(),
        (QList<QStringList> { { "title", "Holiday", "", "" }, { "photo", "(file, 7 bytes)", "a.png", "image/png" } }));

    f.request.body = "------B\r\nContent-Disposition: form-data; name=\"cut";
    pane.setFlow(&f);
    QVERIFY2(pane.payloadText().contains(QStringLiteral("Form Data (cannot be split: part 1: its headers never end)")) ||
            pane.payloadText().contains(QStringLiteral("Request Payload")),
        qPrintable(pane.payloadText()));
    QVERIFY(pane.payloadText().contains(QStringLiteral("Request Payload\n------B")));
}

void TestDetailPane::completenessBanner()
{
    DetailPane pane;
    Flow whole = makeFlow("/", "text/plain", "ok");
    pane.setFlow(&whole);
    QCOMPARE(pane.bannerText(), QString());
    QVERIFY(pane.findChild<QLabel*>(QStringLiteral("completenessBanner"))->isHidden());

    Flow cut = makeFlow("/big", "text/plain", "0123456789");
    cut.response.bodySize = 5000;
    cut.response.bodyTruncated = true;
    cut.truncated = true;
    cut.notes = { QStringLiteral("3 events lost on this connection"), QStringLiteral("stream began before the capture; its headers were not seen") };
    pane.setFlow(&cut);
    QCOMPARE(pane.bannerText(), QStringLiteral("This exchange is not whole:\n"
                                               "Some bytes were not captured.\n"
                                               "3 events lost on this connection\n"
                                               "stream began before the capture; its headers were not seen\n"
                                               "Response body: 10 of 5000 bytes captured."));
    QVERIFY(!pane.findChild<QLabel*>(QStringLiteral("completenessBanner"))->isHidden());
    QVERIFY(pane.responseView()->info().contains(QStringLiteral("body cut: 10 of 5000 bytes captured")));

    Flow pending = makeFlow("/never", "", "");
    pending.hasResponse = false;
    pending.incomplete = true;
    pane.setFlow(&pending);
    QVERIFY2(pane.bannerText().startsWith(QStringLiteral("This exchange is not whole:\nNo response was seen.")), qPrintable(pane.bannerText()));
    pane.clear();
    QCOMPARE(pane.bannerText(), QString());
}

void TestDetailPane::rawHeads()
{
    Flow f = makeFlow("/a?b=1", "text/plain", "ok");
    f.request.headers = { { "Host", "api.example.com" }, { "X-Odd", "a\x1b[31m" } };
    DetailPane pane;
    pane.setFlow(&f);
    const QString parsed = pane.headersText();
    QVERIFY(parsed.contains(QStringLiteral("\nResponse Headers\nContent-Type: text/plain\n")));
    QVERIFY(parsed.contains(QStringLiteral("\nRequest Headers\nHost: api.example.com\nX-Odd: a\\x1b[31m\n")));
    pane.findChild<QCheckBox*>(QStringLiteral("rawResponseHeaders"))->setChecked(true);
    QVERIFY2(pane.headersText().contains(QStringLiteral("\nResponse Headers (raw)\nHTTP/1.1 200 OK\nContent-Type: text/plain\n")),
        qPrintable(pane.headersText()));
    QVERIFY(pane.headersText().contains(QStringLiteral("\nRequest Headers\nHost:")));
    pane.findChild<QCheckBox*>(QStringLiteral("rawRequestHeaders"))->setChecked(true);
    QVERIFY(pane.headersText().endsWith(QStringLiteral("\nRequest Headers (raw)\nGET /a?b=1 HTTP/1.1\nHost: api.example.com\nX-Odd: a\\x1b[31m\n")));

    Flow h2 = f;
    h2.httpVersion = "HTTP/2";
    h2.request.headers = { { ":method", "GET" }, { ":path", "/a" } };
    pane.setFlow(&h2);
    QVERIFY(pane.headersText().endsWith(QStringLiteral("\nRequest Headers (raw)\n(HTTP/2 header block, decoded)\n:method: GET\n:path: /a\n")));
}

void TestDetailPane::grpcTab()
{
    Flow f = makeFlow("/helloworld.Greeter/SayHello", "application/grpc", QByteArray());
    f.httpVersion = "HTTP/2";
    f.editGrpc().isGrpc = true;
    f.editGrpc().service = "helloworld.Greeter";
    f.editGrpc().method = "SayHello";
    f.editGrpc().status = 0;
    f.editGrpc().requestMessages = { GrpcMessage { false, 7, QByteArray("\x0a\x05world", 7), false, false } };
    f.editGrpc().responseMessages = { GrpcMessage { true, 30, QByteArray("\x0a\x0bHello world", 13), true, false },
        GrpcMessage { false, 100, QByteArray("\x0a\x02", 2), false, true } };
    DetailPane pane;
    QTabWidget* tabs = pane.tabs();
    pane.setFlow(&f);
    const int grpcTab = tabs->indexOf(pane.grpcPage());
    QVERIFY(tabs->isTabVisible(grpcTab));
    QCOMPARE(tabs->tabText(grpcTab), QStringLiteral("gRPC"));
    GrpcPage* page = pane.grpcPage();
    QAbstractItemModelTester tester(page->messagesModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(page->summary(), QStringLiteral("helloworld.Greeter/SayHello — status 0"));
    QCOMPARE(page->messagesModel()->rows(),
        (QList<QStringList> { { "→ request", "1", "7", "no", "whole" }, { "← response", "1", "30", "yes, inflated to 13", "whole" },
            { "← response", "2", "100", "no", "cut: 2 bytes" } }));
    QCOMPARE(page->payload()->text(), QStringLiteral("00000000  0a 05 77 6f 72 6c 64 ") + QString(28, QLatin1Char(' ')) + QStringLiteral(" ..world\n"));
    page->messagesView()->selectRow(2);
    QVERIFY(page->payload()->info().contains(QStringLiteral("body cut: 2 of 100 bytes captured")));

    Flow plain = makeFlow("/", "text/plain", "ok");
    pane.setFlow(&plain);
    QVERIFY(!tabs->isTabVisible(grpcTab));
}

void TestDetailPane::largeJsonOpensAsPrefix()
{
    // 10 MiB of JSON: an array of objects, compact as servers send it.
    QByteArray big = "[";
    for (int i = 0; big.size() < (10 << 20); ++i)
        big += (i ? "," : "") + QByteArray(R"({"id":)") + QByteArray::number(i) + R"(,"name":"user )" + QByteArray::number(i)
            + R"(","tags":["a","b"],"active":true})";
    big += "]";
    const Flow f = makeFlow("/all", "application/json", big);
    DetailPane pane;
    pane.resize(900, 600);
    pane.tabs()->setCurrentWidget(pane.responseView());
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QElapsedTimer timer;
    timer.start();
    pane.setFlow(&f);
    const qint64 shownMs = timer.elapsed();
    BodyView* view = pane.responseView();
    QVERIFY(view->canLoadAll());
    auto* button = view->findChild<QPushButton*>(QStringLiteral("responseBodyLoadAll"));
    QVERIFY(button && button->isVisible());
    QVERIFY2(view->info().contains(QStringLiteral("first 256.0 KiB shown")), qPrintable(view->info()));
    const QString prefix = view->text();
    QVERIFY(prefix.startsWith(QStringLiteral("[\n    {\n        \"id\": 0,\n        \"name\": \"user 0\",\n")));
    QVERIFY(prefix.size() <= BodyView::kPreviewBytes);
    QVERIFY(view->highlighted());

    timer.restart();
    QTest::mouseClick(button, Qt::LeftButton);
    // Formatted on a worker, inserted a slice per event loop turn: the window keeps handling events.
    QVERIFY(view->isLoading());
    qint64 longestTurnMs = 0;
    QElapsedTimer turn;
    while (view->isLoading()) {
        turn.start();
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        longestTurnMs = std::max(longestTurnMs, turn.elapsed());
    } // a load that never ends is caught by ctest's timeout, not by a time limit here
    const qint64 allMs = timer.elapsed();
    QVERIFY(!view->canLoadAll());
    const QString all = view->text();
    QVERIFY(all.size() > 10 << 20);
    QVERIFY(all.endsWith(QStringLiteral("        \"active\": true\n    }\n]\n")));
    QVERIFY2(view->info().contains(QStringLiteral("too large to colour")), qPrintable(view->info()));
    qInfo("10 MiB JSON body: prefix shown in %lld ms, the whole body (%lld characters) in %lld ms, "
          "longest event loop turn meanwhile %lld ms",
        shownMs, qint64(all.size()), allMs, longestTurnMs);
}

void TestDetailPane::largeBinaryOpensAsPrefix()
{
    QByteArray binary(10 << 20, '\0');
    for (int i = 0; i < binary.size(); i += 4096)
        binary[i] = char(0xff);
    const Flow f = makeFlow("/blob", "application/octet-stream", binary);
    DetailPane pane;
    QElapsedTimer timer;
    timer.start();
    pane.setFlow(&f);
    qInfo("10 MiB binary body: hex prefix shown in %lld ms", timer.elapsed());
    BodyView* view = pane.responseView();
    QVERIFY(view->canLoadAll());
    QCOMPARE(view->info(), QStringLiteral("Binary, 10.0 MiB, as hex — first 64.0 KiB shown"));
    QCOMPARE(view->text().count(QLatin1Char('\n')), (64 << 10) / 16);
    QVERIFY(view->text().startsWith(QStringLiteral("00000000  ff 00 00")));
}

QTEST_MAIN(TestDetailPane)
#include "tst_detailpane.moc"
