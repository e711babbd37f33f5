// SPDX-License-Identifier: GPL-2.0-or-later
#include "detailpane.h"
#include "guifixture.h"
#include "mainwindow.h"
#include "models/flowfilterproxy.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QStatusBar>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace httptap;
using Model = FlowTableModel;

namespace {

void selectRow(MainWindow& w, int row)
{
    w.flowView()->selectRow(row);
    QCOMPARE(w.selectedFlows().size(), 1);
}

int rowOf(MainWindow& w, const QString& name)
{
    for (int r = 0; r < w.proxy()->rowCount(); ++r)
        if (w.proxy()->index(r, Model::NameColumn).data().toString() == name)
            return r;
    return -1;
}

QString label(MainWindow& w, const char* name)
{
    auto* l = w.findChild<QLabel*>(QLatin1String(name));
    return l ? l->text() : QStringLiteral("<no %1>").arg(QLatin1String(name));
}

void trigger(MainWindow& w, const char* action)
{
    auto* a = w.findChild<QAction*>(QLatin1String(action));
    QVERIFY2(a, action);
    a->trigger();
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void columnsAndMenus();
    void openRawCapture();
    void filterBar_data();
    void filterBar();
    void filterError();
    void quickToggles_data();
    void quickToggles();
    void detailPane();
    void detailEscapesControlCharacters();
    void contextMenuCopy();
    void rawAndHarRoundTrip();
    void sensitiveHarIsAnExplicitChoice();
    void badFileKeepsFlows();
    void screenshots_data();
    void screenshots();

private:
    void load(MainWindow& w)
    {
        QString error;
        QVERIFY2(w.loadRawCapture(test::richCapture(), QStringLiteral("canned"), &error), qPrintable(error));
        w.proxy()->waitForIdle();
    }
};

void TestMainWindow::init()
{
    QApplication::setPalette(QApplication::style()->standardPalette());
}

void TestMainWindow::columnsAndMenus()
{
    MainWindow w;
    QAbstractItemModelTester tester(w.flowView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(w.flowView()->model()->columnCount(), int(Model::COLUMN_COUNT));
    QStringList titles;
    for (int c = 0; c < Model::COLUMN_COUNT; ++c)
        titles << w.flowView()->model()->headerData(c, Qt::Horizontal).toString();
    QCOMPARE(titles, QStringList({ "Name", "Method", "Status", "Domain", "Type", "Size", "Time", "Process", "Protocol",
                         "Remote address", "TLS library", "Initiator", "Waterfall" }));
    QStringList menus;
    for (QAction* a : w.menuBar()->actions())
        menus << a->text();
    QCOMPARE(menus, QStringList({ "&File", "&View", "&Help" }));
    for (const char* name : { "actionOpen", "actionSaveRaw", "actionSaveHar", "actionExportJsonl", "actionQuit",
             "actionClear", "actionCopyUrl", "actionCopyCurl", "actionCopyResponse", "actionStatistics" })
        QVERIFY2(w.findChild<QAction*>(QLatin1String(name)), name);
    QCOMPARE(w.findChild<QAction*>(QStringLiteral("actionQuit"))->shortcut(), QKeySequence(QKeySequence::Quit));
}

void TestMainWindow::openRawCapture()
{
    MainWindow w;
    QString error;
    QVERIFY2(w.openFile(QStringLiteral(HTTPTAP_TEST_DATA_DIR "/http1-conversation.httptap"), &error), qPrintable(error));
    w.proxy()->waitForIdle();
    QCOMPARE(w.flowView()->model()->rowCount(), 6);
    QCOMPARE(label(w, "countLabel"), QStringLiteral("6 / 6 requests"));
    QVERIFY(label(w, "sourceLabel").contains(QStringLiteral("http1-conversation.httptap")));
    QVERIFY(!w.findChild<QLabel*>(QStringLiteral("lostLabel"))->isVisibleTo(&w));
}

void TestMainWindow::filterBar_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("rows");
    QTest::newRow("none") << QString() << test::kRichFlows;
    QTest::newRow("text") << QStringLiteral("logo") << 1;
    QTest::newRow("status") << QStringLiteral("status>=300") << 2;
    QTest::newRow("negated host") << QStringLiteral("-host=cdn.example.com") << 3;
}

void TestMainWindow::filterBar()
{
    QFETCH(QString, text);
    QFETCH(int, rows);
    MainWindow w;
    load(w);
    QTest::keyClicks(w.filterEdit(), text);
    QTRY_COMPARE(w.proxy()->rowCount(), rows); // applied ~150 ms after typing stops, on a worker
    QCOMPARE(label(w, "countLabel"), QStringLiteral("%1 / %2 requests").arg(rows).arg(test::kRichFlows));
    QVERIFY(!w.filterError()->isVisibleTo(&w));
}

void TestMainWindow::filterError()
{
    MainWindow w;
    load(w);
    w.filterEdit()->setText(QStringLiteral("status>=400"));
    w.applyFilter();
    w.proxy()->waitForIdle();
    QCOMPARE(w.proxy()->rowCount(), 1);
    w.filterEdit()->setText(QStringLiteral("status>=400 and (method:GET"));
    w.applyFilter();
    QVERIFY(w.filterError()->isVisibleTo(&w));
    QCOMPARE(w.filterError()->text(), QStringLiteral("filter syntax error at column 17: '(' is never closed"));
    QCOMPARE(w.filterError()->textFormat(), Qt::PlainText);
    QCOMPARE(w.proxy()->rowCount(), 1); // the last good filter stays
    w.filterEdit()->setText(QStringLiteral("status>=400 and (method:GET)"));
    w.applyFilter();
    w.proxy()->waitForIdle();
    QVERIFY(!w.filterError()->isVisibleTo(&w));
    QCOMPARE(w.proxy()->rowCount(), 1);
}

void TestMainWindow::quickToggles_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("toggles");
    QTest::addColumn<QStringList>("names");
    QTest::newRow("json") << QString() << QStringList { "typeJSON" } << QStringList { "/api/users?id=7&sort=name" };
    QTest::newRow("img") << QString() << QStringList { "typeImg" } << QStringList { "/logo.png" };
    QTest::newRow("json or img") << QString() << QStringList { "typeJSON", "typeImg" }
                                 << QStringList { "/api/users?id=7&sort=name", "/logo.png" };
    QTest::newRow("doc") << QString() << QStringList { "typeDoc" } << QStringList { "/missing" };
    QTest::newRow("other") << QString() << QStringList { "typeOther" } << QStringList { "/login", "/evil", "/blob.bin", "/never" };
    QTest::newRow("errors only") << QString() << QStringList { "errorsOnly" } << QStringList { "/missing", "/never" };
    QTest::newRow("errors and text") << QStringLiteral("cdn") << QStringList { "errorsOnly" } << QStringList { "/missing" };
    QTest::newRow("text or-expression kept whole") << QStringLiteral("logo or blob") << QStringList { "typeImg" } << QStringList { "/logo.png" };
}

void TestMainWindow::quickToggles()
{
    QFETCH(QString, text);
    QFETCH(QStringList, toggles);
    QFETCH(QStringList, names);
    MainWindow w;
    load(w);
    w.filterEdit()->setText(text);
    for (const QString& name : toggles)
        trigger(w, name.toLatin1().constData());
    w.applyFilter();
    w.proxy()->waitForIdle();
    QStringList got;
    for (int r = 0; r < w.proxy()->rowCount(); ++r)
        got << w.proxy()->index(r, Model::NameColumn).data().toString();
    QCOMPARE(got, names);
}

void TestMainWindow::detailPane()
{
    MainWindow w;
    load(w);
    DetailPane* d = w.detailPane();
    selectRow(w, rowOf(w, QStringLiteral("/api/users?id=7&sort=name")));
    const QString headers = d->headersText();
    QVERIFY2(headers.contains(QStringLiteral("Request URL: http://api.example.com/api/users?id=7&sort=name")), qPrintable(headers));
    QVERIFY(headers.contains(QStringLiteral("Status Code: 200 OK")));
    QVERIFY(headers.contains(QStringLiteral("Process: python3 (pid 3100")));
    QVERIFY(headers.indexOf(QStringLiteral("Response Headers")) < headers.indexOf(QStringLiteral("Request Headers")));
    QVERIFY(headers.contains(QStringLiteral("Host: api.example.com\nAccept: application/json\n")));
    QVERIFY(d->payloadText().contains(QStringLiteral("Query String Parameters\n  id: 7\n  sort: name\n")));
    QCOMPARE(d->responseText(),
        QStringLiteral("{\n    \"id\": 7,\n    \"name\": \"Ada\",\n    \"roles\": [\n        \"admin\",\n        \"dev\"\n    ]\n}\n"));
    QVERIFY(d->timingText().contains(QStringLiteral("Started at: 2026-11-27T09:00:00")));
    QVERIFY(d->timingText().contains(QStringLiteral("Waiting (TTFB): 0.001 ms")));
    auto* raw = w.findChild<QCheckBox*>(QStringLiteral("rawRequestHeaders"));
    QVERIFY(raw);
    raw->setChecked(true);
    QVERIFY(d->headersText().endsWith(QStringLiteral("Request Headers (raw)\nGET /api/users?id=7&sort=name HTTP/1.1\nHost: api.example.com\nAccept: application/json\n")));
    raw->setChecked(false);

    selectRow(w, rowOf(w, QStringLiteral("/login")));
    QVERIFY2(d->payloadText().contains(QStringLiteral("Form Data\n  user: ada\n  password: s3cr!t\n")), qPrintable(d->payloadText()));

    selectRow(w, rowOf(w, QStringLiteral("/logo.png")));
    QVERIFY(d->showsImage());
    QVERIFY2(d->responseText().startsWith(QStringLiteral("PNG image, 24×16, ")), qPrintable(d->responseText()));

    selectRow(w, rowOf(w, QStringLiteral("/blob.bin")));
    QVERIFY(!d->showsImage());
    QVERIFY2(d->responseText().startsWith(QStringLiteral("00000000  00 01 02 ff fe 20 62 69")), qPrintable(d->responseText()));

    selectRow(w, rowOf(w, QStringLiteral("/never")));
    QVERIFY(d->headersText().contains(QStringLiteral("Completeness\n  No response was seen.")));
    QCOMPARE(d->responseText(), QStringLiteral("No response was captured."));
    QCOMPARE(d->trailersText(), QStringLiteral("No trailers."));
}

void TestMainWindow::detailEscapesControlCharacters()
{
    MainWindow w;
    load(w);
    selectRow(w, rowOf(w, QStringLiteral("/evil")));
    const QString headers = w.detailPane()->headersText();
    QVERIFY2(headers.contains(QStringLiteral("X-Evil: a\\x9b2J \\u202ereversed")), qPrintable(headers));
    const QString body = w.detailPane()->responseText();
    QCOMPARE(body, QStringLiteral("line one\\r\n\\x1b[2J\\x1b[31mred\\x07 bell"));
    for (const QChar c : headers + body)
        QVERIFY(c.unicode() >= 0x20 || c == u'\n');
    QVERIFY(!headers.contains(QChar(0x202e)) && !headers.contains(QChar(0x9b)));
}

void TestMainWindow::contextMenuCopy()
{
    MainWindow w;
    load(w);
    QClipboard* clipboard = QGuiApplication::clipboard();
    selectRow(w, rowOf(w, QStringLiteral("/api/users?id=7&sort=name")));
    trigger(w, "actionCopyUrl");
    QCOMPARE(clipboard->text(), QStringLiteral("http://api.example.com/api/users?id=7&sort=name"));
    trigger(w, "actionCopyCurl");
    QVERIFY2(clipboard->text().startsWith(QStringLiteral("curl 'http://api.example.com/api/users?id=7&sort=name'")),
        qPrintable(clipboard->text()));
    trigger(w, "actionCopyResponse");
    QCOMPARE(clipboard->text(), QStringLiteral(R"({"id":7,"name":"Ada","roles":["admin","dev"]})"));
    selectRow(w, rowOf(w, QStringLiteral("/blob.bin")));
    trigger(w, "actionCopyResponse");
    QCOMPARE(clipboard->mimeData()->data(QStringLiteral("application/octet-stream")), QByteArray("\x00\x01\x02\xff\xfe binary", 12));
    w.flowView()->selectAll();
    trigger(w, "actionCopyUrl");
    QCOMPARE(clipboard->text().split(QLatin1Char('\n')).size(), test::kRichFlows);
}

// A plain save redacts credentials; keeping them takes the explicitly named action.
void TestMainWindow::sensitiveHarIsAnExplicitChoice()
{
    QTemporaryDir dir;
    const QString input = dir.filePath(QStringLiteral("in.har"));
    QFile in(input);
    QVERIFY(in.open(QIODevice::WriteOnly));
    in.write(R"({"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[{
        "startedDateTime":"2026-11-27T09:00:00.000Z","time":1,
        "request":{"method":"GET","url":"https://api.example.com/me","httpVersion":"HTTP/1.1","cookies":[],
          "headers":[{"name":"Authorization","value":"Bearer s3cr3t-token"}],"queryString":[],"headersSize":-1,"bodySize":0},
        "response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1","cookies":[],
          "headers":[{"name":"Set-Cookie","value":"sid=abc123"}],"content":{"size":2,"mimeType":"text/plain","text":"ok"},
          "redirectURL":"","headersSize":-1,"bodySize":2},
        "cache":{},"timings":{"send":0,"wait":1,"receive":0}}]}})");
    in.close();
    MainWindow w;
    QString error;
    QVERIFY2(w.openFile(input, &error), qPrintable(error));
    const QString redacted = dir.filePath(QStringLiteral("redacted.har"));
    const QString sensitive = dir.filePath(QStringLiteral("sensitive.har"));
    QVERIFY2(w.saveHar(redacted, &error), qPrintable(error));
    QVERIFY2(w.saveHar(sensitive, &error, true), qPrintable(error));
    QFile r(redacted), s(sensitive);
    QVERIFY(r.open(QIODevice::ReadOnly) && s.open(QIODevice::ReadOnly));
    const QByteArray redactedBytes = r.readAll(), sensitiveBytes = s.readAll();
    QVERIFY(!redactedBytes.contains("s3cr3t-token"));
    QVERIFY(!redactedBytes.contains("abc123"));
    QVERIFY(sensitiveBytes.contains("Bearer s3cr3t-token"));
    QVERIFY(sensitiveBytes.contains("sid=abc123"));
    QVERIFY(w.findChild<QAction*>(QStringLiteral("actionSaveHarSensitive")));
    QVERIFY(w.findChild<QAction*>(QStringLiteral("actionCopyCurl"))->text().contains(QStringLiteral("credentials")));
}

void TestMainWindow::rawAndHarRoundTrip()
{
    QTemporaryDir dir;
    MainWindow w;
    load(w);
    QCOMPARE(label(w, "lostLabel"), QStringLiteral("3 event(s) lost"));
    QVERIFY(w.findChild<QLabel*>(QStringLiteral("lostLabel"))->isVisibleTo(&w));
    QStringList urls;
    for (int i = 0; i < w.store()->size(); ++i)
        urls << w.store()->at(i).url();
    QString error;
    const QString raw = dir.filePath(QStringLiteral("x.httptap"));
    const QString har = dir.filePath(QStringLiteral("x.har"));
    const QString jsonl = dir.filePath(QStringLiteral("x.jsonl"));
    QVERIFY2(w.saveRawCapture(raw, &error), qPrintable(error));
    QVERIFY2(w.saveHar(har, &error), qPrintable(error));
    QVERIFY2(w.exportJsonl(jsonl, &error), qPrintable(error));
    QFile lines(jsonl);
    QVERIFY(lines.open(QIODevice::ReadOnly));
    QCOMPARE(lines.readAll().count('\n'), test::kRichFlows);

    MainWindow fromRaw;
    QVERIFY2(fromRaw.openFile(raw, &error), qPrintable(error));
    QCOMPARE(fromRaw.store()->size(), test::kRichFlows);
    QCOMPARE(fromRaw.store()->at(2).response.body, w.store()->at(2).response.body);

    MainWindow fromHar;
    QVERIFY2(fromHar.openFile(har, &error), qPrintable(error));
    fromHar.proxy()->waitForIdle();
    QCOMPARE(fromHar.flowView()->model()->rowCount(), test::kRichFlows);
    QStringList harUrls;
    for (int i = 0; i < fromHar.store()->size(); ++i)
        harUrls << fromHar.store()->at(i).url();
    QCOMPARE(harUrls, urls);
    QCOMPARE(fromHar.store()->at(2).response.body, w.store()->at(2).response.body); // the PNG, via base64
    QVERIFY(label(fromHar, "sourceLabel").contains(QStringLiteral("x.har")));
    QVERIFY(!fromHar.saveRawCapture(dir.filePath(QStringLiteral("y.httptap")), &error));
}

void TestMainWindow::badFileKeepsFlows()
{
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("bad.har"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"log\": [1, 2");
    f.close();
    MainWindow w;
    load(w);
    QString error;
    QVERIFY(!w.openFile(bad, &error));
    QVERIFY2(error.startsWith(QStringLiteral("Cannot open bad.har: ")), qPrintable(error));
    QCOMPARE(label(w, "errorLabel"), error);
    QCOMPARE(w.store()->size(), test::kRichFlows);
    QVERIFY(!w.openFile(dir.filePath(QStringLiteral("absent.httptap")), &error));
    QCOMPARE(w.store()->size(), test::kRichFlows);
}

void TestMainWindow::screenshots_data()
{
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("dark") << true;
}

void TestMainWindow::screenshots()
{
    QFETCH(bool, dark);
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette palette = QApplication::style()->standardPalette();
    if (dark) {
        palette.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        palette.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
        palette.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
        palette.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
        palette.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
        palette.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
        palette.setColor(QPalette::ButtonText, QColor(0xe0, 0xe0, 0xe0));
        palette.setColor(QPalette::Highlight, QColor(0x2f, 0x65, 0xca));
        palette.setColor(QPalette::HighlightedText, Qt::white);
        palette.setColor(QPalette::PlaceholderText, QColor(0x90, 0x90, 0x90));
        for (const auto role : { QPalette::WindowText, QPalette::Text, QPalette::ButtonText })
            palette.setColor(QPalette::Disabled, role, QColor(0x80, 0x80, 0x80));
    }
    QApplication::setPalette(palette);
    MainWindow w;
    load(w);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    selectRow(w, rowOf(w, QStringLiteral("/api/users?id=7&sort=name")));
    w.detailPane()->tabs()->setCurrentIndex(2);
    QTest::qWait(50);
    const QPixmap shot = w.grab();
    const QString name = dark ? QStringLiteral("mainwindow-dark.png") : QStringLiteral("mainwindow-light.png");
    // docs/screenshots is rewritten only on request (HTTPTAP_UPDATE_SCREENSHOTS=1): a test
    // run must not dirty the source tree.
    QStringList dirs { QStringLiteral(HTTPTAP_TEST_OUTPUT_DIR) };
    if (qEnvironmentVariableIntValue("HTTPTAP_UPDATE_SCREENSHOTS"))
        dirs << QStringLiteral(HTTPTAP_SCREENSHOT_DIR);
    for (const QString& dir : dirs) {
        QDir().mkpath(dir);
        QVERIFY2(shot.save(dir + QLatin1Char('/') + name), qPrintable(dir));
    }
    qInfo("screenshot: %s/%s", HTTPTAP_TEST_OUTPUT_DIR, qPrintable(name));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
