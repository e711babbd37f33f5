// SPDX-License-Identifier: GPL-2.0-or-later
// The process picker on a canned process list: columns, the coverage
// doctor's TLS text and tooltip, search across every column, multi-select,
// desktop icons from canned .desktop entries, and the Launch a Command
// dialog's validation.
#include "darkpalette.h"
#include "launchcommanddialog.h"
#include "models/desktopicons.h"
#include "models/processlistmodel.h"
#include "processpickerdialog.h"
#ifdef HTTPTAP_HAVE_INSPECTOR
#include "processcoverage.h"
#include "processinspector.h"
#endif

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QStyle>
#include <QStyleFactory>
#include <QDir>
#include <QFile>
#include <QIcon>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace httptap;
using Process = ProcessListModel::Process;

namespace {

std::vector<Process> cannedProcesses()
{
    Process curl { 4242, QStringLiteral("ada"), QStringLiteral("curl"), QStringLiteral("curl -s https://example.com/"),
        QStringLiteral("/usr/bin/curl"), QStringLiteral("OpenSSL 3.0.11 ✓"),
        QStringLiteral("✓ OpenSSL 3.0.11 — /usr/lib/x86_64-linux-gnu/libssl.so.3"), true };
    Process go { 17, QStringLiteral("root"), QStringLiteral("server"), QStringLiteral("/srv/server --port 443"),
        QStringLiteral("/srv/server"), QStringLiteral("rustls ✗"),
        QStringLiteral("✗ rustls — /srv/server\n    rustls is not supported: its plaintext cannot be read"), false };
    Process ff { 900, QStringLiteral("ada"), QStringLiteral("firefox-esr"), QStringLiteral("/usr/lib/firefox-esr/firefox-esr"),
        QStringLiteral("/usr/lib/firefox-esr/firefox-esr"), QString(), QString(), true };
    return { curl, go, ff };
}

QStringList column(QAbstractItemModel* model, int c)
{
    QStringList out;
    for (int r = 0; r < model->rowCount(); ++r)
        out << model->index(r, c).data().toString();
    return out;
}

} // namespace

class TestProcessPicker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void modelColumns();
    void mergeKeepsRows();
    void searchAndSelect_data();
    void searchAndSelect();
    void desktopIcons();
    void splitCommandLine_data();
    void splitCommandLine();
    void launchValidation_data();
    void launchValidation();
    void launchDialog();
    void addMode();
    void screenshots_data();
    void screenshots();
#ifdef HTTPTAP_HAVE_INSPECTOR
    void coverageRows();
    void inspectsThisProcess();
#endif
};

void TestProcessPicker::modelColumns()
{
    ProcessListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setProcesses(cannedProcesses());
    QCOMPARE(model.columnCount(), 5);
    QStringList titles;
    for (int c = 0; c < model.columnCount(); ++c)
        titles << model.headerData(c, Qt::Horizontal).toString();
    QCOMPARE(titles, QStringList({ "PID", "User", "Name", "TLS", "Command line" }));
    QCOMPARE(column(&model, ProcessListModel::PidColumn), QStringList({ "17", "900", "4242" })); // by pid
    QCOMPARE(column(&model, ProcessListModel::TlsColumn),
        QStringList({ "rustls ✗", "…", "OpenSSL 3.0.11 ✓" }));
    const QModelIndex go = model.index(0, ProcessListModel::TlsColumn);
    QCOMPARE(go.data(Qt::ToolTipRole).toString(), QStringLiteral("✗ rustls — /srv/server\n    rustls is not supported: its plaintext cannot be read"));
    QCOMPARE(go.data(Qt::ForegroundRole).value<QColor>(), QColor(0xd9, 0x3f, 0x3f));
    QVERIFY(!model.index(2, ProcessListModel::TlsColumn).data(Qt::ForegroundRole).isValid());
    QCOMPARE(model.index(2, ProcessListModel::NameColumn).data(Qt::ToolTipRole).toString(), QStringLiteral("/usr/bin/curl"));
    QCOMPARE(model.index(2, 0).data(ProcessListModel::PidRole).toInt(), 4242);
}

void TestProcessPicker::mergeKeepsRows()
{
    ProcessListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setProcesses(cannedProcesses());
    QPersistentModelIndex curl = model.index(2, 0);
    auto next = cannedProcesses();
    next.erase(next.begin() + 1); // pid 17 exits
    next[1].tls = QStringLiteral("NSS ✗"); // firefox inspected
    next.push_back({ 5000, QStringLiteral("ada"), QStringLiteral("wget"), QStringLiteral("wget x"), {}, {}, {}, true });
    model.setProcesses(next);
    QCOMPARE(column(&model, ProcessListModel::PidColumn), QStringList({ "900", "4242", "5000" }));
    QCOMPARE(model.index(0, ProcessListModel::TlsColumn).data().toString(), QStringLiteral("NSS ✗"));
    QVERIFY(curl.isValid());
    QCOMPARE(curl.data().toInt(), 4242);
}

void TestProcessPicker::searchAndSelect_data()
{
    QTest::addColumn<QString>("search");
    QTest::addColumn<QList<int>>("pids");
    QTest::newRow("name") << QStringLiteral("CURL") << QList<int> { 4242 };
    QTest::newRow("user") << QStringLiteral("ada") << QList<int> { 4242, 900 };
    QTest::newRow("pid") << QStringLiteral("900") << QList<int> { 900 };
    QTest::newRow("command line") << QStringLiteral("--port 443") << QList<int> { 17 };
    QTest::newRow("tls") << QStringLiteral("openssl") << QList<int> { 4242 };
    QTest::newRow("not capturable") << QStringLiteral("✗") << QList<int> { 17 };
    QTest::newRow("nothing") << QStringLiteral("no such thing") << QList<int> {};
}

void TestProcessPicker::searchAndSelect()
{
    QFETCH(QString, search);
    QFETCH(QList<int>, pids);
    ProcessPickerDialog dialog(nullptr, ProcessPickerDialog::Mode::NewCapture, false);
    QAbstractItemModelTester tester(dialog.view()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    dialog.model()->setProcesses(cannedProcesses());
    dialog.search()->setText(search);
    QCOMPARE(dialog.view()->model()->rowCount(), pids.size());
    dialog.view()->selectAll();
    QList<int> got;
    for (pid_t pid : dialog.selectedPids())
        got << int(pid);
    QCOMPARE(got, pids); // sorted by pid, descending
    QVERIFY(dialog.followChildren());
}

void TestProcessPicker::desktopIcons()
{
    QTemporaryDir dir;
    QDir().mkpath(dir.filePath(QStringLiteral("share/applications")));
    QImage image(16, 16, QImage::Format_ARGB32);
    image.fill(Qt::red);
    const QString png = dir.filePath(QStringLiteral("curl.png"));
    QVERIFY(image.save(png));
    auto write = [&](const char* name, const QByteArray& text) {
        QFile f(dir.filePath(QStringLiteral("share/applications/") + QLatin1String(name)));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    };
    write("org.example.Curl.desktop", "[Desktop Entry]\nType=Application\nName=Curl\nExec=env LANG=C /usr/bin/curl %U\nIcon="
            + png.toUtf8() + "\n[Desktop Action new]\nIcon=other\n");
    write("server.desktop", "[Desktop Entry]\nType=Application\nName=Server\nExec=srv-wrapper\nStartupWMClass=Server\nIcon=server-icon\n");
    write("broken.desktop", "no entry here\nIcon=x\n");
    DesktopIcons icons({ dir.filePath(QStringLiteral("share")) });
    QCOMPARE(icons.iconName(QStringLiteral("/usr/bin/curl"), QStringLiteral("curl")), png);
    QCOMPARE(icons.iconName(QString(), QStringLiteral("server")), QStringLiteral("server-icon")); // by StartupWMClass
    QCOMPARE(icons.iconName(QStringLiteral("/usr/bin/curl (deleted)"), QString()), png);
    QCOMPARE(icons.iconName(QStringLiteral("/usr/bin/wget"), QStringLiteral("wget")), QString());
    QCOMPARE(icons.iconName(QString(), QStringLiteral("broken")), QString());

    ProcessListModel model;
    model.setDesktopIcons(&icons);
    model.setProcesses(cannedProcesses());
    const QIcon icon = model.index(2, ProcessListModel::NameColumn).data(Qt::DecorationRole).value<QIcon>();
    QVERIFY(!icon.isNull());
    QCOMPARE(icon.pixmap(16, 16).toImage().pixelColor(8, 8), QColor(Qt::red));
    QVERIFY(!model.index(1, ProcessListModel::NameColumn).data(Qt::DecorationRole).isValid()); // firefox: no entry here
}

void TestProcessPicker::splitCommandLine_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QStringList>("words");
    QTest::newRow("blanks") << QStringLiteral("  curl\t-s   x ") << QStringList { "curl", "-s", "x" };
    QTest::newRow("single quotes literal") << QStringLiteral("sh -c 'echo \"$HOME\" \\n'")
                                           << QStringList { "sh", "-c", "echo \"$HOME\" \\n" };
    QTest::newRow("double quotes") << QStringLiteral("a \"b c\\\"d\\x\"") << QStringList { "a", "b c\"d\\x" };
    QTest::newRow("backslash") << QStringLiteral("a\\ b c") << QStringList { "a b", "c" };
    QTest::newRow("joined") << QStringLiteral("x'y'\"z\"") << QStringList { "xyz" };
    QTest::newRow("empty word") << QStringLiteral("a '' b") << QStringList { "a", "", "b" };
    QTest::newRow("unclosed") << QStringLiteral("curl 'x") << QStringList {};
}

void TestProcessPicker::splitCommandLine()
{
    QFETCH(QString, line);
    QFETCH(QStringList, words);
    QCOMPARE(LaunchCommandDialog::splitCommandLine(line), words);
}

void TestProcessPicker::launchValidation_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("directory");
    QTest::addColumn<QString>("problem");
    const QString tmp = QDir::tempPath();
    QTest::newRow("ok") << QStringLiteral("curl -s 'http://127.0.0.1/a b'") << tmp << QString();
    QTest::newRow("absolute") << QStringLiteral("/bin/sh -c 'exit 0'") << tmp << QString();
    QTest::newRow("empty") << QStringLiteral("   ") << tmp
                           << QStringLiteral("Type the command to run, for example: curl -s https://example.com/");
    QTest::newRow("unknown program") << QStringLiteral("no-such-program-httptap --x") << tmp
                                     << QStringLiteral("No program called no-such-program-httptap in PATH. Give its full path, or check its name.");
    QTest::newRow("unclosed quote") << QStringLiteral("curl 'http://x") << tmp << QStringLiteral("A quote is never closed.");
    QTest::newRow("missing path") << QStringLiteral("/nonexistent/tool") << tmp << QStringLiteral("/nonexistent/tool does not exist.");
    static QTemporaryDir dir;
    const QString plain = dir.filePath(QStringLiteral("plain.txt"));
    QFile file(plain);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    QTest::newRow("not executable") << plain << tmp << QStringLiteral("%1 is not an executable program.").arg(plain);
    QTest::newRow("directory as program") << QStringLiteral("/usr/bin") << tmp
                                          << QStringLiteral("/usr/bin is not an executable program.");
    QTest::newRow("relative directory") << QStringLiteral("curl") << QStringLiteral("some/dir")
                                        << QStringLiteral("The working directory must be an absolute path.");
    QTest::newRow("missing directory") << QStringLiteral("curl") << QStringLiteral("/nonexistent/dir")
                                       << QStringLiteral("The working directory /nonexistent/dir does not exist.");
}

void TestProcessPicker::launchValidation()
{
    QFETCH(QString, command);
    QFETCH(QString, directory);
    QFETCH(QString, problem);
    QCOMPARE(LaunchCommandDialog::problem(command, directory), problem);
}

void TestProcessPicker::launchDialog()
{
    LaunchCommandDialog dialog;
    QVERIFY(!dialog.launchButton()->isEnabled());
    QCOMPARE(dialog.problemLabel()->text(), QString()); // nothing typed is not an error yet
    dialog.directoryEdit()->setText(QDir::tempPath());
    dialog.commandEdit()->setText(QStringLiteral("no-such-program-httptap"));
    QVERIFY(!dialog.launchButton()->isEnabled());
    QVERIFY(dialog.problemLabel()->text().startsWith(QStringLiteral("No program called")));
    dialog.commandEdit()->setText(QStringLiteral("curl -s -H 'X-A: b c' http://127.0.0.1:1/"));
    QVERIFY(dialog.launchButton()->isEnabled());
    QCOMPARE(dialog.problemLabel()->text(), QString());
    QCOMPARE(dialog.arguments(), QStringList({ "curl", "-s", "-H", "X-A: b c", "http://127.0.0.1:1/" }));
    QCOMPARE(dialog.workingDirectory(), QDir::tempPath());
    QVERIFY(dialog.followChildren());

    ProcessPickerDialog picker(nullptr, ProcessPickerDialog::Mode::NewCapture, false);
    QVERIFY(picker.launchButton());
    QCOMPARE(picker.launchButton()->text(), QStringLiteral("Launch a Command…"));
    QVERIFY(picker.launchArguments().isEmpty());
}

void TestProcessPicker::addMode()
{
    ProcessPickerDialog dialog(nullptr, ProcessPickerDialog::Mode::AddToCapture, false);
    QCOMPARE(dialog.windowTitle(), QStringLiteral("Add Processes to the Capture"));
    QVERIFY(!dialog.launchButton());
    dialog.model()->setProcesses(cannedProcesses());
    dialog.view()->selectRow(0);
    QCOMPARE(dialog.selectedPids(), std::vector<pid_t> { 4242 });
}

void TestProcessPicker::screenshots_data()
{
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("dark") << true;
}

// docs/screenshots is rewritten only with HTTPTAP_UPDATE_SCREENSHOTS=1 (tools/screenshots.sh).
void TestProcessPicker::screenshots()
{
    QFETCH(bool, dark);
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(dark ? darkPalette() : QApplication::style()->standardPalette());
    QStringList dirs { QStringLiteral(HTTPTAP_TEST_OUTPUT_DIR) };
    if (qEnvironmentVariableIntValue("HTTPTAP_UPDATE_SCREENSHOTS"))
        dirs << QStringLiteral(HTTPTAP_SCREENSHOT_DIR);
    const QString suffix = dark ? QStringLiteral("-dark.png") : QStringLiteral("-light.png");
    auto save = [&](QWidget& widget, const QString& name) {
        widget.show();
        QVERIFY(QTest::qWaitForWindowExposed(&widget));
        const QPixmap shot = widget.grab();
        for (const QString& dir : dirs) {
            QDir().mkpath(dir);
            QVERIFY2(shot.save(dir + QLatin1Char('/') + name + suffix), qPrintable(dir));
        }
    };

    ProcessPickerDialog picker(nullptr, ProcessPickerDialog::Mode::NewCapture, false);
    auto processes = cannedProcesses();
    processes[2].tls = QStringLiteral("NSS ✗");
    processes[2].tlsCapturable = false;
    processes.push_back({ 3100, QStringLiteral("ada"), QStringLiteral("python3"),
        QStringLiteral("python3 -m http.server 8000"), QStringLiteral("/usr/bin/python3.11"),
        QStringLiteral("OpenSSL 3.0.11 ✓"), {}, true });
    processes.push_back({ 3107, QStringLiteral("ada"), QStringLiteral("node"), QStringLiteral("node server.js"),
        QStringLiteral("/usr/bin/node"), QStringLiteral("OpenSSL 3.0.13 (built in) ✓"), {}, true });
    processes.push_back({ 1, QStringLiteral("root"), QStringLiteral("systemd"), QStringLiteral("/sbin/init"),
        QStringLiteral("/usr/lib/systemd/systemd"), QStringLiteral("none (plaintext only)"), {}, true });
    picker.model()->setProcesses(processes);
    picker.view()->selectRow(1);
    picker.resize(900, 360);
    save(picker, QStringLiteral("picker"));

    LaunchCommandDialog launch;
    launch.commandEdit()->setText(QStringLiteral("curl -s https://example.com/"));
    launch.directoryEdit()->setText(QStringLiteral("/tmp"));
    save(launch, QStringLiteral("launch"));
    QApplication::setPalette(QApplication::style()->standardPalette());
}

#ifdef HTTPTAP_HAVE_INSPECTOR
void TestProcessPicker::coverageRows()
{
    helper::ProcessInfo info;
    info.pid = 77;
    info.user = "ada";
    info.name = "evil\x1b[2J";
    info.commandLine = "node app.js";
    info.executable = "/usr/bin/node";
    info.inspected = true;
    helper::TlsImplementation openssl;
    openssl.name = "OpenSSL";
    openssl.version = "3.0.11";
    openssl.path = "/usr/bin/node";
    openssl.embedded = true;
    openssl.capturable = true;
    openssl.reason = "SSL_read/SSL_write found by their symbols";
    helper::TlsImplementation go;
    go.kind = helper::TlsImplementation::Kind::Go;
    go.name = "Go crypto/tls";
    go.version = "go1.19.8";
    go.path = "/usr/bin/helper";
    go.stripped = true;
    go.capturable = false;
    go.reason = "no function table";
    info.tls = { openssl, go };
    const Process row = processRow(info);
    QCOMPARE(row.pid, pid_t(77));
    QCOMPARE(row.name, QStringLiteral("evil\\x1b[2J"));
    QCOMPARE(row.tls, QStringLiteral("OpenSSL 3.0.11 ✓, Go crypto/tls go1.19.8 (stripped) ✗"));
    QCOMPARE(row.tlsDetails, QStringLiteral("✓ OpenSSL 3.0.11 (built in) — /usr/bin/node\n    SSL_read/SSL_write found by their symbols\n"
                                            "✗ Go crypto/tls go1.19.8 (stripped) — /usr/bin/helper\n    no function table"));
    QVERIFY(!row.tlsCapturable);

    info.tls.clear();
    QCOMPARE(processRow(info).tls, QStringLiteral("none (plaintext only)"));
    QVERIFY(processRow(info).tlsCapturable);
    info.inspected = false;
    QCOMPARE(processRow(info).tls, QStringLiteral("unknown"));
    QVERIFY(processRow(info).tlsDetails.contains(QStringLiteral("Run httptap as root")));
}

// The picker's worker fills the TLS column for this very process (it links Qt, so no TLS library
// unless the system's Qt pulled one in; either way the column is no longer "…").
void TestProcessPicker::inspectsThisProcess()
{
    ProcessPickerDialog dialog;
    QAbstractItemModelTester tester(dialog.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.inspecting(), 60000);
    dialog.search()->setText(QString::number(::getpid()));
    int row = -1;
    for (int r = 0; r < dialog.proxy()->rowCount(); ++r)
        if (dialog.proxy()->index(r, ProcessListModel::PidColumn).data().toInt() == ::getpid())
            row = r;
    QVERIFY(row >= 0);
    const QString tls = dialog.proxy()->index(row, ProcessListModel::TlsColumn).data().toString();
    QVERIFY2(tls != QStringLiteral("…") && !tls.isEmpty(), qPrintable(tls));
    QCOMPARE(dialog.proxy()->index(row, ProcessListModel::NameColumn).data().toString(), QStringLiteral("tst_processpick"));
}
#endif

QTEST_MAIN(TestProcessPicker)
#include "tst_processpicker.moc"
