// SPDX-License-Identifier: GPL-2.0-or-later
#include "mainwindow.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QMenuBar>
#include <QStatusBar>
#include <QTableView>
#include <QTest>

using httptap::MainWindow;

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void columns_data();
    void columns();
    void model();
    void menusAndStatus();
    void screenshot();
};

void TestMainWindow::columns_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("title");
    QTest::newRow("method") << int(MainWindow::Column::Method) << QStringLiteral("Method");
    QTest::newRow("url") << int(MainWindow::Column::Url) << QStringLiteral("URL");
    QTest::newRow("status") << int(MainWindow::Column::Status) << QStringLiteral("Status");
    QTest::newRow("type") << int(MainWindow::Column::Type) << QStringLiteral("Type");
    QTest::newRow("size") << int(MainWindow::Column::Size) << QStringLiteral("Size");
    QTest::newRow("time") << int(MainWindow::Column::Time) << QStringLiteral("Time");
    QTest::newRow("process") << int(MainWindow::Column::Process) << QStringLiteral("Process");
}

void TestMainWindow::columns()
{
    QFETCH(int, column);
    QFETCH(QString, title);
    MainWindow window;
    const QAbstractItemModel* model = window.flowView()->model();
    QCOMPARE(model->columnCount(), int(MainWindow::Column::COLUMN_COUNT));
    QCOMPARE(model->headerData(column, Qt::Horizontal).toString(), title);
}

void TestMainWindow::model()
{
    MainWindow window;
    QAbstractItemModelTester tester(window.flowView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(window.flowView()->model()->rowCount(), 0);
}

void TestMainWindow::menusAndStatus()
{
    MainWindow window;
    QCOMPARE(window.windowTitle(), QStringLiteral("httptap"));

    QStringList menus;
    for (QAction* action : window.menuBar()->actions())
        menus << action->text();
    QCOMPARE(menus, QStringList({ QStringLiteral("&File"), QStringLiteral("&Help") }));

    auto* quit = window.findChild<QAction*>(QStringLiteral("actionQuit"));
    QVERIFY(quit);
    QCOMPARE(quit->shortcut(), QKeySequence(QKeySequence::Quit));
    QVERIFY(window.findChild<QAction*>(QStringLiteral("actionAbout")));

    const QString status = window.statusBar()->currentMessage();
    QVERIFY2(status.contains(QStringLiteral("issues 5 and 9")), qPrintable(status));
    QVERIFY2(status.contains(QStringLiteral("httptap-record")), qPrintable(status));
}

void TestMainWindow::screenshot()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QPixmap shot = window.grab();
    QCOMPARE(shot.size(), window.size() * shot.devicePixelRatio());
    const QString path = QStringLiteral(HTTPTAP_TEST_OUTPUT_DIR "/mainwindow.png");
    QVERIFY2(shot.save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
