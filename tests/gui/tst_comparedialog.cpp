// SPDX-License-Identifier: GPL-2.0-or-later
// Compare: two canned flows side by side, two canned HAR files request by
// request, and the window's entry points (row menu, File → Compare Captures).
#include "captureio.h"
#include "comparedialog.h"
#include "darkpalette.h"
#include "detailpane.h"
#include "diffview.h"
#include "guifixture.h"
#include "mainwindow.h"
#include "models/flowfilterproxy.h"
#include "models/flowtablemodel.h"
#include "models/texttablemodel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QStyleFactory>
#include <QTableView>
#include <QTabWidget>
#include <QTest>
#include <QTextBlock>

using namespace httptap;

namespace {

Flow jsonFlow(uint64_t id, const QByteArray& body, const HttpHeaders& requestHeaders)
{
    Flow f;
    f.id = id;
    f.httpVersion = "HTTP/1.1";
    f.request.method = "GET";
    f.request.target = "/api/users/7";
    f.request.headers = requestHeaders;
    f.hasResponse = true;
    f.response.status = 200;
    f.response.reason = "OK";
    f.response.headers = { { "Content-Type", "application/json" } };
    f.response.body = body;
    f.response.bodySize = uint64_t(body.size());
    return f;
}

int countRows(const QList<DiffRow>& rows, DiffRow::Kind kind)
{
    return int(std::count_if(rows.begin(), rows.end(), [kind](const DiffRow& r) { return r.kind == kind; }));
}

void saveShot(QWidget& w, const QString& name)
{
    QStringList dirs { QStringLiteral(HTTPTAP_TEST_OUTPUT_DIR) };
    if (qEnvironmentVariableIntValue("HTTPTAP_UPDATE_SCREENSHOTS"))
        dirs << QStringLiteral(HTTPTAP_SCREENSHOT_DIR);
    const QPixmap shot = w.grab();
    for (const QString& dir : dirs) {
        QDir().mkpath(dir);
        QVERIFY2(shot.save(dir + QLatin1Char('/') + name), qPrintable(dir));
    }
    qInfo("screenshot: %s/%s", HTTPTAP_TEST_OUTPUT_DIR, qPrintable(name));
}

} // namespace

class TestCompareDialog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void twoFlows();
    void twoHarFiles();
    void rawCaptures();
    void windowEntryPoints();
    void screenshots_data();
    void screenshots();
};

void TestCompareDialog::init()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(QApplication::style()->standardPalette());
}

void TestCompareDialog::twoFlows()
{
    const Flow a = jsonFlow(1, R"({"id":7,"name":"Ada","roles":["admin"]})", { { "Host", "api.example.com" }, { "Accept", "*/*" } });
    const Flow b = jsonFlow(2, R"({"roles":["admin","dev"],"name":"Ada","id":7})", { { "Accept", "*/*" }, { "Host", "api.example.com" } });
    CompareDialog dialog;
    dialog.setFlows(a, b);
    // Headers in another order and keys in another order are no difference; the new role is.
    QCOMPARE(dialog.summary(), QStringLiteral("1 line(s) removed, 2 added — Response body JSON: +$.roles[1]"));
    const QList<DiffRow>& rows = dialog.diffView()->rows();
    QCOMPARE(countRows(rows, DiffRow::Kind::Changed), 1);
    QCOMPARE(countRows(rows, DiffRow::Kind::Added), 1);
    QCOMPARE(countRows(rows, DiffRow::Kind::Removed), 0);
    const QStringList left = dialog.diffView()->leftEdit()->toPlainText().split(QLatin1Char('\n'));
    const QStringList right = dialog.diffView()->rightEdit()->toPlainText().split(QLatin1Char('\n'));
    QCOMPARE(left.size(), rows.size());
    QCOMPARE(right.size(), rows.size());
    QCOMPARE(left.first(), QStringLiteral("GET http://api.example.com/api/users/7 HTTP/1.1"));
    for (int i = 0; i < rows.size(); ++i) {
        if (rows[i].kind == DiffRow::Kind::Changed) {
            QCOMPARE(left[i], QStringLiteral("        \"admin\""));
            QCOMPARE(right[i], QStringLiteral("        \"admin\","));
        } else if (rows[i].kind == DiffRow::Kind::Added) {
            QCOMPARE(left[i], QString());
            QCOMPARE(right[i], QStringLiteral("        \"dev\""));
        }
    }
    // Every differing row is tinted on both sides, in the row's colour.
    const auto marks = dialog.diffView()->rightEdit()->extraSelections();
    QCOMPARE(marks.size(), 2);
    for (const auto& mark : marks) {
        const DiffRow& r = rows[mark.cursor.block().blockNumber()];
        QCOMPARE(mark.format.background().color(), dialog.diffView()->rowColor(r.kind));
    }

    // With header order significant, the swapped request headers show up too.
    dialog.ignoreHeaderOrder()->setChecked(false);
    QCOMPARE(dialog.summary(), QStringLiteral("2 line(s) removed, 3 added — Response body JSON: +$.roles[1]"));
    // Without JSON awareness the bodies are compared as sent: one long line each.
    dialog.ignoreHeaderOrder()->setChecked(true);
    dialog.jsonAware()->setChecked(false);
    QCOMPARE(dialog.summary(), QStringLiteral("1 line(s) removed, 1 added"));
    QCOMPARE(countRows(dialog.diffView()->rows(), DiffRow::Kind::Changed), 1);
}

void TestCompareDialog::twoHarFiles()
{
    QString error;
    const auto before = readCaptureFile(QStringLiteral(HTTPTAP_TEST_DATA_DIR "/compare-before.har"), &error);
    QVERIFY2(before, qPrintable(error));
    const auto after = readCaptureFile(QStringLiteral(HTTPTAP_TEST_DATA_DIR "/compare-after.har"), &error);
    QVERIFY2(after, qPrintable(error));
    CompareDialog dialog;
    QAbstractItemModelTester tester(dialog.pairsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    dialog.setCaptures(*before, *after, QStringLiteral("before.har"), QStringLiteral("after.har"));
    QCOMPARE(dialog.captureCounts(), QStringLiteral("before.har → after.har: 1 added, 1 removed, 1 changed, 2 same"));
    QCOMPARE(dialog.pairsModel()->rows(),
        (QList<QStringList> { { "changed", "GET", "http://api.example.com/api/users/1", "200" },
            { "removed", "GET", "http://api.example.com/api/old", "200" },
            { "same", "GET", "http://api.example.com/static/app.js", "200" },
            { "added", "GET", "http://api.example.com/api/new", "404" },
            { "same", "POST", "http://api.example.com/api/login", "200" } }));
    // The first difference is on show: the users' new role (and the Date header).
    QCOMPARE(dialog.summary(), QStringLiteral("2 line(s) removed, 3 added — Response body JSON: +$.roles[1]"));
    dialog.selectPair(1);
    QCOMPARE(dialog.summary(), QStringLiteral("Only in before.har."));
    QCOMPARE(dialog.diffView()->rightEdit()->toPlainText().trimmed(), QString());
    QVERIFY(dialog.diffView()->leftEdit()->toPlainText().startsWith(QStringLiteral("GET http://api.example.com/api/old HTTP/1.1")));
    dialog.selectPair(2);
    // Only the Date header differs, and the diff shows it: the list calls the pair "same".
    QCOMPARE(dialog.summary(), QStringLiteral("1 line(s) removed, 1 added"));
    dialog.selectPair(4);
    QCOMPARE(dialog.summary(),
        QStringLiteral("1 line(s) removed, 1 added — Request body: same JSON — Response body: same JSON"));
}

void TestCompareDialog::rawCaptures()
{
    // A raw capture (record stream) against itself: every request paired, nothing different.
    QString error;
    const auto raw = readCaptureFile(QStringLiteral(HTTPTAP_TEST_DATA_DIR "/http1-conversation.httptap"), &error);
    QVERIFY2(raw, qPrintable(error));
    QCOMPARE(raw->size(), 6);
    CompareDialog dialog;
    dialog.setCaptures(*raw, *raw, QStringLiteral("a.httptap"), QStringLiteral("b.httptap"));
    QCOMPARE(dialog.captureCounts(), QStringLiteral("a.httptap → b.httptap: 0 added, 0 removed, 0 changed, 6 same"));
    QCOMPARE(dialog.summary(), QStringLiteral("No differences"));
    // Against the HAR: nothing in common, so everything is removed or added.
    const auto har = readCaptureFile(QStringLiteral(HTTPTAP_TEST_DATA_DIR "/compare-after.har"), &error);
    QVERIFY2(har, qPrintable(error));
    dialog.setCaptures(*raw, *har, QStringLiteral("a.httptap"), QStringLiteral("after.har"));
    QCOMPARE(dialog.captureCounts(), QStringLiteral("a.httptap → after.har: 4 added, 6 removed, 0 changed, 0 same"));
}

void TestCompareDialog::windowEntryPoints()
{
    MainWindow w;
    QString error;
    QVERIFY2(w.loadRawCapture(test::richCapture(), QStringLiteral("canned"), &error), qPrintable(error));
    w.proxy()->waitForIdle();
    auto* compare = w.findChild<QAction*>(QStringLiteral("actionCompare"));
    QVERIFY(compare);
    QVERIFY(w.findChild<QAction*>(QStringLiteral("actionCompareCaptures")));
    w.flowView()->selectRow(0);
    emit w.contextMenu()->aboutToShow();
    QVERIFY(!compare->isEnabled());
    w.flowView()->selectionModel()->select(w.proxy()->index(1, 0),
        QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QCOMPARE(w.selectedFlows().size(), 2);
    emit w.contextMenu()->aboutToShow();
    QVERIFY(compare->isEnabled());
    compare->trigger();
    auto* dialog = w.findChild<CompareDialog*>();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY2(dialog->diffView()->leftEdit()->toPlainText().startsWith(QStringLiteral("GET http://api.example.com/api/users?id=7&sort=name")),
        qPrintable(dialog->diffView()->leftEdit()->toPlainText().left(80)));
    QVERIFY(dialog->diffView()->rightEdit()->toPlainText().startsWith(QStringLiteral("POST http://api.example.com/login")));
    dialog->close();

    QVERIFY2(w.compareCaptures(QStringLiteral(HTTPTAP_TEST_DATA_DIR "/compare-before.har"),
                 QStringLiteral(HTTPTAP_TEST_DATA_DIR "/compare-after.har"), &error),
        qPrintable(error));
    QTRY_VERIFY(w.findChildren<CompareDialog*>().size() == 1); // the first one deleted itself on close
    QCOMPARE(w.findChild<CompareDialog*>()->matches().size(), 5);
    QVERIFY(!w.compareCaptures(QStringLiteral(HTTPTAP_TEST_DATA_DIR "/compare-before.har"),
        QStringLiteral("/nonexistent/absent.har"), &error));
    QVERIFY2(error.startsWith(QStringLiteral("Cannot open absent.har: ")), qPrintable(error));
    QCOMPARE(w.store()->size(), test::kRichFlows); // the window's flows stay
}

void TestCompareDialog::screenshots_data()
{
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("dark") << true;
}

void TestCompareDialog::screenshots()
{
    QFETCH(bool, dark);
    if (dark)
        QApplication::setPalette(darkPalette());
    QString error;
    const auto before = readCaptureFile(QStringLiteral(HTTPTAP_TEST_DATA_DIR "/compare-before.har"), &error);
    const auto after = readCaptureFile(QStringLiteral(HTTPTAP_TEST_DATA_DIR "/compare-after.har"), &error);
    QVERIFY2(before && after, qPrintable(error));
    CompareDialog dialog;
    dialog.setCaptures(*before, *after, QStringLiteral("before.har"), QStringLiteral("after.har"));
    dialog.resize(1100, 640);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::qWait(50);
    saveShot(dialog, dark ? QStringLiteral("compare-dark.png") : QStringLiteral("compare-light.png"));

    // The detail pane with a highlighted JSON body.
    DetailPane pane;
    Flow f = jsonFlow(3, R"({"id":7,"name":"Ada Lovelace","active":true,"score":97.5,"roles":["admin","dev"],"manager":null,)"
                         R"("address":{"city":"London","zip":"NW1"}})",
        { { "Host", "api.example.com" }, { "Accept", "application/json" }, { "Cookie", "sid=abc123; theme=dark" } });
    f.response.headers << HttpHeader { "Set-Cookie", "sid=new; Path=/; HttpOnly; Secure; SameSite=Lax" };
    pane.setFlow(&f);
    pane.tabs()->setCurrentIndex(2);
    pane.resize(620, 520);
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    QTest::qWait(50);
    saveShot(pane, dark ? QStringLiteral("detailpane-dark.png") : QStringLiteral("detailpane-light.png"));
}

QTEST_MAIN(TestCompareDialog)
#include "tst_comparedialog.moc"
