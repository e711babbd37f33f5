// SPDX-License-Identifier: GPL-2.0-or-later
// The flow table's actions: every row-menu copy (clipboard contents), Save
// Selection as HAR, the status bar's totals, the column chooser, columns and
// sort remembered through QSettings, and the table dump used by scripts.
#include "guifixture.h"
#include "mainwindow.h"
#include "models/flowfilterproxy.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace httptap;
using Model = FlowTableModel;

namespace {

int rowOf(MainWindow& w, const QString& name)
{
    for (int r = 0; r < w.proxy()->rowCount(); ++r)
        if (w.proxy()->index(r, Model::NameColumn).data().toString() == name)
            return r;
    return -1;
}

void selectRows(MainWindow& w, const QStringList& names)
{
    w.flowView()->clearSelection();
    for (const QString& name : names) {
        const int row = rowOf(w, name);
        QVERIFY2(row >= 0, qPrintable(name));
        w.flowView()->selectionModel()->select(w.proxy()->index(row, 0),
            QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
    QCOMPARE(w.selectedFlows().size(), names.size());
}

void trigger(MainWindow& w, const char* action)
{
    auto* a = w.findChild<QAction*>(QLatin1String(action));
    QVERIFY2(a, action);
    a->trigger();
}

QString clip()
{
    return QGuiApplication::clipboard()->text();
}

QStringList visibleTitles(MainWindow& w)
{
    const QHeaderView* header = w.flowView()->horizontalHeader();
    QStringList titles;
    for (int visual = 0; visual < header->count(); ++visual) {
        const int column = header->logicalIndex(visual);
        if (!header->isSectionHidden(column))
            titles << w.flowModel()->headerData(column, Qt::Horizontal).toString();
    }
    return titles;
}

} // namespace

class TestTableActions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void copyActions();
    void copyAllVisibleAsCurl();
    void copyHarEntry();
    void saveSelectionAsHar();
    void statusBarTotals();
    void columnChooser();
    void settingsRoundTrip();
    void dumpTable();

private:
    void load(MainWindow& w)
    {
        QString error;
        QVERIFY2(w.loadRawCapture(test::richCapture(), QStringLiteral("canned"), &error), qPrintable(error));
        w.proxy()->waitForIdle();
        QCOMPARE(w.proxy()->rowCount(), test::kRichFlows);
    }
};

void TestTableActions::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // QSettings go to ~/.qttest, never the user's
}

void TestTableActions::copyActions()
{
    MainWindow w;
    QAbstractItemModelTester tester(w.flowView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    load(w);
    selectRows(w, { QStringLiteral("/api/users?id=7&sort=name") });
    trigger(w, "actionCopyRequestHeaders");
    QCOMPARE(clip(), QStringLiteral("GET /api/users?id=7&sort=name HTTP/1.1\r\nHost: api.example.com\r\nAccept: application/json\r\n"));
    trigger(w, "actionCopyResponseHeaders");
    QCOMPARE(clip(), QStringLiteral("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 45\r\n"));
    trigger(w, "actionCopyResponse");
    QCOMPARE(clip(), QStringLiteral(R"({"id":7,"name":"Ada","roles":["admin","dev"]})"));

    // Several rows: one block each, in view order.
    selectRows(w, { QStringLiteral("/api/users?id=7&sort=name"), QStringLiteral("/login") });
    trigger(w, "actionCopyUrl");
    QCOMPARE(clip(), QStringLiteral("http://api.example.com/api/users?id=7&sort=name\nhttp://api.example.com/login"));
    trigger(w, "actionCopyResponseHeaders");
    QCOMPARE(clip(), QStringLiteral("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 45\r\n\r\n"
                                    "HTTP/1.1 302 Found\r\nLocation: /home\r\nContent-Length: 0\r\n"));
    trigger(w, "actionCopyCurl");
    const QStringList commands = clip().split(QStringLiteral(" ;\n"));
    QCOMPARE(commands.size(), 2);
    QVERIFY2(commands[1].startsWith(QStringLiteral("curl 'http://api.example.com/login'")), qPrintable(commands[1]));
    QVERIFY2(commands[1].contains(QStringLiteral("--data-raw 'user=ada&password=s3cr%21t'")), qPrintable(commands[1]));

    // A request never answered has no response head to copy.
    selectRows(w, { QStringLiteral("/never") });
    trigger(w, "actionCopyResponseHeaders");
    QCOMPARE(clip(), QString());
    trigger(w, "actionCopyRequestHeaders");
    QCOMPARE(clip(), QStringLiteral("GET /never HTTP/1.1\r\nHost: slow.example.com:9000\r\n"));
}

void TestTableActions::copyAllVisibleAsCurl()
{
    MainWindow w;
    load(w);
    w.filterEdit()->setText(QStringLiteral("host=cdn.example.com"));
    w.applyFilter();
    w.proxy()->waitForIdle();
    QCOMPARE(w.proxy()->rowCount(), 4);
    selectRows(w, { QStringLiteral("/logo.png") }); // the selection does not matter
    trigger(w, "actionCopyAllCurl");
    const QStringList commands = clip().split(QStringLiteral(" ;\n"));
    QCOMPARE(commands.size(), 4);
    const QStringList paths { "/logo.png", "/evil", "/blob.bin", "/missing" };
    for (int i = 0; i < 4; ++i)
        QVERIFY2(commands[i].startsWith(QStringLiteral("curl 'http://cdn.example.com:8081%1'").arg(paths[i])),
            qPrintable(commands[i]));
}

void TestTableActions::copyHarEntry()
{
    MainWindow w;
    load(w);
    selectRows(w, { QStringLiteral("/api/users?id=7&sort=name") });
    trigger(w, "actionCopyHarEntry");
    const QJsonObject entry = QJsonDocument::fromJson(clip().toUtf8()).object();
    QCOMPARE(entry.value(QStringLiteral("request")).toObject().value(QStringLiteral("url")).toString(),
        QStringLiteral("http://api.example.com/api/users?id=7&sort=name"));
    QCOMPARE(entry.value(QStringLiteral("request")).toObject().value(QStringLiteral("method")).toString(), QStringLiteral("GET"));
    const QJsonObject response = entry.value(QStringLiteral("response")).toObject();
    QCOMPARE(response.value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(response.value(QStringLiteral("content")).toObject().value(QStringLiteral("text")).toString(),
        QStringLiteral(R"({"id":7,"name":"Ada","roles":["admin","dev"]})"));

    selectRows(w, { QStringLiteral("/logo.png"), QStringLiteral("/missing") });
    trigger(w, "actionCopyHarEntry");
    const QJsonArray entries = QJsonDocument::fromJson(clip().toUtf8()).array();
    QCOMPARE(entries.size(), 2);
    QCOMPARE(entries[1].toObject().value(QStringLiteral("response")).toObject().value(QStringLiteral("status")).toInt(), 404);
    QCOMPARE(entries[0].toObject().value(QStringLiteral("response")).toObject().value(QStringLiteral("content")).toObject()
                 .value(QStringLiteral("encoding")).toString(),
        QStringLiteral("base64"));
}

void TestTableActions::saveSelectionAsHar()
{
    QTemporaryDir dir;
    MainWindow w;
    load(w);
    QVERIFY(w.findChild<QAction*>(QStringLiteral("actionSaveSelectionHar")));
    const QString path = dir.filePath(QStringLiteral("selection.har"));
    QString error;
    w.flowView()->clearSelection();
    QVERIFY(!w.saveSelectionHar(path, &error));
    QCOMPARE(error, QStringLiteral("No flow is selected: select rows in the table first."));
    selectRows(w, { QStringLiteral("/login"), QStringLiteral("/missing") });
    QVERIFY2(w.saveSelectionHar(path, &error), qPrintable(error));
    MainWindow reopened;
    QVERIFY2(reopened.openFile(path, &error), qPrintable(error));
    QCOMPARE(reopened.store()->size(), 2);
    QCOMPARE(reopened.store()->at(0).url(), QStringLiteral("http://api.example.com/login"));
    QCOMPARE(reopened.store()->at(1).url(), QStringLiteral("http://cdn.example.com:8081/missing"));
    QCOMPARE(reopened.store()->at(1).response.body, QByteArray("<h1>not here</h1>"));
}

void TestTableActions::statusBarTotals()
{
    MainWindow w;
    load(w);
    uint64_t bytes = 0;
    for (int i = 0; i < w.store()->size(); ++i)
        bytes += uint64_t(w.store()->at(i).request.body.size() + w.store()->at(i).response.body.size());
    // JSON 45 + form 26 + evil 28 + blob 12 + 404 page 17, and the PNG.
    const Flow& png = w.store()->at(2);
    QCOMPARE(png.request.target, QByteArray("/logo.png"));
    QCOMPARE(bytes, uint64_t(45 + 26 + 28 + 12 + 17 + png.response.body.size()));
    auto* data = w.findChild<QLabel*>(QStringLiteral("dataLabel"));
    QCOMPARE(data->text(), QStringLiteral("%1 transferred").arg(QLocale().formattedDataSize(qint64(bytes))));
    auto* incomplete = w.findChild<QLabel*>(QStringLiteral("incompleteLabel"));
    QCOMPARE(incomplete->text(), QStringLiteral("1 incomplete"));
    QVERIFY(incomplete->isVisibleTo(&w));
    QCOMPARE(w.findChild<QLabel*>(QStringLiteral("lostLabel"))->text(), QStringLiteral("3 event(s) lost"));
    QCOMPARE(w.findChild<QLabel*>(QStringLiteral("countLabel"))->text(), QStringLiteral("7 / 7 requests"));
    w.clearFlows();
    QCOMPARE(data->text(), QStringLiteral("%1 transferred").arg(QLocale().formattedDataSize(0)));
    QVERIFY(!incomplete->isVisibleTo(&w));
}

void TestTableActions::columnChooser()
{
    MainWindow w;
    load(w);
    std::unique_ptr<QMenu> menu(w.createColumnMenu(nullptr));
    QStringList entries;
    for (QAction* a : menu->actions())
        if (a->isCheckable()) {
            entries << a->text();
            QVERIFY(a->isChecked());
        }
    QCOMPARE(entries, QStringList({ "Name", "Method", "Status", "Domain", "Type", "Size", "Time", "Process", "Protocol",
                          "Remote address", "TLS library", "Initiator", "Waterfall" }));
    auto entry = [&](const QString& text) {
        for (QAction* a : menu->actions())
            if (a->text() == text)
                return a;
        return static_cast<QAction*>(nullptr);
    };
    entry(QStringLiteral("Domain"))->setChecked(false);
    entry(QStringLiteral("TLS library"))->setChecked(false);
    QCOMPARE(visibleTitles(w), QStringList({ "Name", "Method", "Status", "Type", "Size", "Time", "Process", "Protocol",
                                    "Remote address", "Initiator", "Waterfall" }));
    // A fresh menu shows the current choice.
    menu.reset(w.createColumnMenu(nullptr));
    QVERIFY(!entry(QStringLiteral("Domain"))->isChecked());
    QVERIFY(entry(QStringLiteral("Method"))->isChecked());
    entry(QStringLiteral("Domain"))->setChecked(true);
    QVERIFY(!w.flowView()->horizontalHeader()->isSectionHidden(Model::DomainColumn));
    QVERIFY(w.flowView()->horizontalHeader()->sectionSize(Model::DomainColumn) >= 20);
    // The last visible column cannot be hidden.
    for (QAction* a : menu->actions())
        if (a->isCheckable())
            a->setChecked(false);
    QCOMPARE(visibleTitles(w).size(), 1);
    auto* reset = menu->findChild<QAction*>(QStringLiteral("actionResetColumns"));
    QVERIFY(reset);
    reset->trigger();
    QCOMPARE(visibleTitles(w).size(), int(Model::COLUMN_COUNT));
}

void TestTableActions::settingsRoundTrip()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("httptap.conf"));
    {
        MainWindow w;
        load(w);
        QHeaderView* header = w.flowView()->horizontalHeader();
        header->setSectionHidden(Model::ProtocolColumn, true);
        header->moveSection(header->visualIndex(Model::StatusColumn), 0);
        header->resizeSection(Model::NameColumn, 333);
        w.flowView()->sortByColumn(Model::SizeColumn, Qt::DescendingOrder);
        QSettings settings(file, QSettings::IniFormat);
        w.saveSettings(settings);
    }
    QSettings settings(file, QSettings::IniFormat);
    QCOMPARE(settings.value(QStringLiteral("flowTable/hidden")).toStringList(), QStringList { QStringLiteral("Protocol") });
    QCOMPARE(settings.value(QStringLiteral("flowTable/sortColumn")).toString(), QStringLiteral("Size"));
    MainWindow w;
    w.restoreSettings(settings);
    load(w);
    QHeaderView* header = w.flowView()->horizontalHeader();
    QCOMPARE(visibleTitles(w), QStringList({ "Status", "Name", "Method", "Domain", "Type", "Size", "Time", "Process",
                                    "Remote address", "TLS library", "Initiator", "Waterfall" }));
    QCOMPARE(header->sectionSize(Model::NameColumn), 333);
    QCOMPARE(header->sortIndicatorSection(), int(Model::SizeColumn));
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    w.proxy()->waitForIdle();
    // The biggest body first: the PNG.
    QCOMPARE(w.proxy()->index(0, Model::NameColumn).data().toString(), QStringLiteral("/logo.png"));

    // Unknown titles (a column of another version) are ignored; an empty file changes nothing.
    QSettings other(dir.filePath(QStringLiteral("other.conf")), QSettings::IniFormat);
    other.setValue(QStringLiteral("flowTable/order"), QStringList { QStringLiteral("Gone"), QStringLiteral("Time") });
    other.setValue(QStringLiteral("flowTable/hidden"), QStringList { QStringLiteral("Gone") });
    MainWindow fresh;
    fresh.restoreSettings(other);
    QCOMPARE(visibleTitles(fresh).first(), QStringLiteral("Time"));
    QCOMPARE(visibleTitles(fresh).size(), int(Model::COLUMN_COUNT));
}

void TestTableActions::dumpTable()
{
    QTemporaryDir dir;
    MainWindow w;
    load(w);
    w.filterEdit()->setText(QStringLiteral("status>=400"));
    w.applyFilter();
    w.proxy()->waitForIdle();
    const QString path = dir.filePath(QStringLiteral("table.jsonl"));
    QString error;
    QVERIFY2(w.dumpTable(path, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QCOMPARE(lines.size(), 2); // one row and the final newline
    const QJsonObject row = QJsonDocument::fromJson(lines[0]).object();
    QCOMPARE(row.value(QStringLiteral("Name")).toString(), QStringLiteral("/missing"));
    QCOMPARE(row.value(QStringLiteral("Method")).toString(), QStringLiteral("GET"));
    QCOMPARE(row.value(QStringLiteral("Status")).toString(), QStringLiteral("404"));
    QCOMPARE(row.value(QStringLiteral("Domain")).toString(), QStringLiteral("cdn.example.com"));
    QCOMPARE(row.value(QStringLiteral("Size")).toString(), QStringLiteral("17 B"));
}

QTEST_MAIN(TestTableActions)
#include "tst_tableactions.moc"
