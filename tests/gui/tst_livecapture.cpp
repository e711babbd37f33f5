// SPDX-License-Identifier: GPL-2.0-or-later
// End to end: the window captures a real curl run through the real helper
// (direct mode, as root), and the table shows the flow. Run under xvfb-run by
// ctest. Like every capture test it fails, never skips, without root or BPF.
#include "livecapture.h"
#include "mainwindow.h"
#include "models/flowfilterproxy.h"
#include "models/flowtablemodel.h"
#include "processpickerdialog.h"
#include "models/processlistmodel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace httptap;
using Model = FlowTableModel;

class TestLiveCapture : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pickerListsProcesses();
    void capturesCurl();
    void addsProcessWhileRecording();
    void refusesWithoutProcesses();
};

void TestLiveCapture::pickerListsProcesses()
{
    ProcessPickerDialog dialog;
    QAbstractItemModelTester tester(dialog.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(dialog.model()->rowCount() > 1);
    dialog.search()->setText(QString::number(::getpid()));
    QVERIFY(dialog.view()->model()->rowCount() >= 1);
    dialog.view()->selectRow(0);
    QVERIFY(!dialog.selectedPids().empty());
    QVERIFY(dialog.followChildren());
    dialog.model()->refresh(); // merged by pid: still consistent under the tester
    dialog.search()->setText(QStringLiteral("sh"));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    // The real process list, for a look; docs/screenshots has the canned one (tst_processpicker).
    QVERIFY(dialog.grab().save(QStringLiteral(HTTPTAP_TEST_OUTPUT_DIR "/picker.png")));
}

void TestLiveCapture::capturesCurl()
{
    QVERIFY2(::geteuid() == 0, "the end-to-end capture needs root (direct mode)");
    QTemporaryDir root;
    QFile file(root.filePath(QStringLiteral("hello.txt")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("hello from httptap\n");
    file.close();
    // Port 0: the server picks a free one and says which ("Serving HTTP on 127.0.0.1 port N").
    QProcess server;
    server.start(QStringLiteral("python3"), { QStringLiteral("-u"), QStringLiteral("-m"), QStringLiteral("http.server"),
                                                 QStringLiteral("0"), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                                                 QStringLiteral("--directory"), root.path() });
    QVERIFY(server.waitForStarted());
    QByteArray banner;
    QTRY_VERIFY_WITH_TIMEOUT((banner += server.readAllStandardOutput()).contains(" port "), 10000);
    const quint16 port = quint16(banner.mid(banner.indexOf(" port ") + 6).split(' ').first().toUInt());
    QVERIFY(port != 0);
    // A shell that keeps starting curl: its children are followed, and it does not matter how
    // long the probes take to attach.
    QProcess client;
    client.start(QStringLiteral("sh"), { QStringLiteral("-c"),
                                           QStringLiteral("for i in $(seq 60); do curl -s -o /dev/null http://127.0.0.1:%1/hello.txt; sleep 0.25; done").arg(port) });
    QVERIFY(client.waitForStarted());

    MainWindow w;
    w.show();
    QString error;
    QVERIFY2(w.startCapture({ pid_t(client.processId()) }, true, &error), qPrintable(error));
    QVERIFY(w.liveCapture()->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(w.proxy()->rowCount() >= 1, 20000);
    const QModelIndex row = w.proxy()->index(0, 0);
    QCOMPARE(row.siblingAtColumn(Model::NameColumn).data().toString(), QStringLiteral("/hello.txt"));
    QCOMPARE(row.siblingAtColumn(Model::StatusColumn).data().toString(), QStringLiteral("200"));
    QCOMPARE(row.siblingAtColumn(Model::MethodColumn).data().toString(), QStringLiteral("GET"));
    QVERIFY(row.siblingAtColumn(Model::ProcessColumn).data().toString().startsWith(QStringLiteral("curl (")));
    QCOMPARE(row.siblingAtColumn(Model::RemoteAddressColumn).data().toString(), QStringLiteral("127.0.0.1:%1").arg(port));
    QCOMPARE(w.findChild<QLabel*>(QStringLiteral("sourceLabel"))->text(),
        QStringLiteral("Capturing sh (%1) and children").arg(client.processId()));

    w.stopCapture();
    QTRY_VERIFY_WITH_TIMEOUT(!w.liveCapture()->isRunning(), 10000);
    QVERIFY2(w.findChild<QLabel*>(QStringLiteral("errorLabel"))->text().isEmpty(),
        qPrintable(w.findChild<QLabel*>(QStringLiteral("errorLabel"))->text()));
    const int flows = w.proxy()->rowCount();
    QVERIFY(flows >= 1);
    // The flows stay after the capture, and the raw stream can be saved and reopened.
    QString path = root.filePath(QStringLiteral("live.httptap"));
    QVERIFY2(w.saveRawCapture(path, &error), qPrintable(error));
    MainWindow reopened;
    QVERIFY2(reopened.openFile(path, &error), qPrintable(error));
    QCOMPARE(reopened.store()->size(), w.store()->size());

    client.kill();
    server.kill();
    client.waitForFinished();
    server.waitForFinished();
}

// Add Process… as root: the helper's --control-stdin. The capture starts on an idle process; the
// shell running curl is added afterwards, and its flows arrive.
void TestLiveCapture::addsProcessWhileRecording()
{
    QVERIFY2(::geteuid() == 0, "the end-to-end capture needs root (direct mode)");
    QTemporaryDir root;
    QFile file(root.filePath(QStringLiteral("added.txt")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("added later\n");
    file.close();
    QProcess server;
    server.start(QStringLiteral("python3"), { QStringLiteral("-u"), QStringLiteral("-m"), QStringLiteral("http.server"),
                                                 QStringLiteral("0"), QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                                                 QStringLiteral("--directory"), root.path() });
    QVERIFY(server.waitForStarted());
    QByteArray banner;
    QTRY_VERIFY_WITH_TIMEOUT((banner += server.readAllStandardOutput()).contains(" port "), 10000);
    const quint16 port = quint16(banner.mid(banner.indexOf(" port ") + 6).split(' ').first().toUInt());
    QProcess idle;
    idle.start(QStringLiteral("sleep"), { QStringLiteral("120") });
    QVERIFY(idle.waitForStarted());

    MainWindow w;
    QString error;
    QVERIFY2(w.startCapture({ pid_t(idle.processId()) }, true, &error), qPrintable(error));
    QVERIFY(w.findChild<QAction*>(QStringLiteral("actionAddProcess"))->isEnabled());
    QProcess client;
    client.start(QStringLiteral("sh"), { QStringLiteral("-c"),
                                           QStringLiteral("for i in $(seq 60); do curl -s -o /dev/null http://127.0.0.1:%1/added.txt; sleep 0.25; done").arg(port) });
    QVERIFY(client.waitForStarted());
    QVERIFY2(w.addProcesses({ pid_t(client.processId()) }, &error), qPrintable(error));
    QCOMPARE(w.findChild<QLabel*>(QStringLiteral("sourceLabel"))->text(),
        QStringLiteral("Capturing sleep (%1) and children, sh (%2)").arg(idle.processId()).arg(client.processId()));
    QTRY_VERIFY_WITH_TIMEOUT(w.proxy()->rowCount() >= 1, 30000);
    const QModelIndex row = w.proxy()->index(0, 0);
    QCOMPARE(row.siblingAtColumn(Model::NameColumn).data().toString(), QStringLiteral("/added.txt"));
    QCOMPARE(row.siblingAtColumn(Model::StatusColumn).data().toString(), QStringLiteral("200"));
    QVERIFY(row.siblingAtColumn(Model::ProcessColumn).data().toString().startsWith(QStringLiteral("curl (")));
    w.stopCapture();
    QTRY_VERIFY_WITH_TIMEOUT(!w.liveCapture()->isRunning(), 10000);
    QCOMPARE(w.errorText(), QString());
    for (QProcess* p : { &client, &idle, &server }) {
        p->kill();
        p->waitForFinished();
    }
}

void TestLiveCapture::refusesWithoutProcesses()
{
    MainWindow w;
    QString error;
    QVERIFY(!w.startCapture({}, true, &error));
    QCOMPARE(error, QStringLiteral("Choose at least one process to capture."));
    QCOMPARE(w.findChild<QLabel*>(QStringLiteral("errorLabel"))->text(), error);
}

QTEST_MAIN(TestLiveCapture)
#include "tst_livecapture.moc"
