// SPDX-License-Identifier: GPL-2.0-or-later
// Capture failures as the window shows them, faked at the LiveCapture
// boundary: a helper that does not exist, one that cannot load BPF (its
// Error Notice, as the real helper writes it), one that dies mid-capture, a
// process that has exited, and the service's refusals. Each is one clear
// sentence with what to do; the flows already captured stay; a new capture
// can start afterwards. Direct mode needs root, as in CI.
#include "guifixture.h"
#include "livecapture.h"
#include "mainwindow.h"
#include "models/flowfilterproxy.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"
#include "serviceclient.h"
#include "streambuilder.h"

#include <QAction>
#include <QFile>
#include <QLabel>
#include <QTemporaryDir>
#include <QTest>

#include <sys/wait.h>
#include <unistd.h>

using namespace httptap;
using Failure = client::ServiceClient::Failure;

namespace {

QByteArray bytes(const std::vector<uint8_t>& v)
{
    return QByteArray(reinterpret_cast<const char*>(v.data()), qsizetype(v.size()));
}

// One GET /one answered 200, as the start of a capture that never ends (no StreamEnd).
QByteArray oneFlowNoEnd()
{
    test::StreamBuilder b;
    test::TestConnection c;
    b.add(record::Ready { b.now() });
    b.egress(c, "GET /one HTTP/1.1\r\nHost: a.example\r\n\r\n");
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    QByteArray stream = bytes(b.encode());
    record::RecordReader reader;
    reader.feed(reinterpret_cast<const uint8_t*>(stream.constData()), size_t(stream.size()));
    uint64_t before = 0;
    while (auto r = reader.next()) {
        if (std::holds_alternative<record::StreamEnd>(*r))
            return stream.left(qsizetype(before));
        before = reader.consumed();
    }
    return {};
}

// What the helper writes when the kernel refuses: an Error Notice, StreamEnd, exit status 1.
QByteArray bpfRefused()
{
    test::StreamBuilder b;
    b.add(record::Notice { b.now(), record::NoticeLevel::Error, 0,
        "this kernel has no BTF type information (/sys/kernel/btf/vmlinux is missing)" });
    return bytes(b.encode());
}

// A stand-in helper: prints the stream file, then runs `then` (exit 1, kill itself…).
QString fakeHelper(const QTemporaryDir& dir, const QString& name, const QByteArray& stream, const QByteArray& then)
{
    QFile data(dir.filePath(name + QStringLiteral(".stream")));
    if (!data.open(QIODevice::WriteOnly) || data.write(stream) != stream.size())
        return {};
    data.close();
    const QString path = dir.filePath(name);
    QFile script(path);
    if (!script.open(QIODevice::WriteOnly))
        return {};
    script.write("#!/bin/sh\ncat '" + data.fileName().toUtf8() + "'\n" + then + "\n");
    script.close();
    script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

pid_t exitedPid()
{
    const pid_t pid = ::fork();
    if (pid == 0)
        _exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

// Gone or a zombie: it has stopped running (whoever reaps it).
bool stopped(pid_t pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return true;
    const QByteArray text = stat.readAll();
    return text.mid(text.lastIndexOf(')') + 2, 1) == "Z";
}

bool recordEnabled(MainWindow& w)
{
    return w.findChild<QAction*>(QStringLiteral("actionRecord"))->isEnabled();
}

} // namespace

class TestCaptureErrors : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void processExited();
    void helperMissing();
    void bpfUnavailable();
    void helperDiesMidCapture();
    void launchWithoutHelperNeverRuns();
    void serviceRefusals_data();
    void serviceRefusals();
    void addWithoutCapture();

private:
    QTemporaryDir m_dir;
};

void TestCaptureErrors::initTestCase()
{
    QVERIFY2(::geteuid() == 0, "direct mode (the helper as a child) needs root, as in CI");
    QVERIFY(m_dir.isValid());
}

void TestCaptureErrors::processExited()
{
    MainWindow w;
    const pid_t gone = exitedPid();
    QString error;
    QVERIFY(!w.startCapture({ gone }, true, &error));
    QCOMPARE(error, QStringLiteral("Process %1 is no longer running. Open Record… again and choose a running process, "
                                   "or launch the program under capture.").arg(gone));
    QCOMPARE(w.errorText(), error);
    QVERIFY(recordEnabled(w));
}

void TestCaptureErrors::helperMissing()
{
    MainWindow w;
    QString error;
    QVERIFY2(w.loadRawCapture(test::richCapture(), QStringLiteral("canned"), &error), qPrintable(error));
    w.liveCapture()->setHelperPath(QStringLiteral("/nonexistent/httptap-helper"));
    QVERIFY(!w.startCapture({ ::getpid() }, true, &error));
    QCOMPARE(error, QStringLiteral("Cannot find httptap-helper (looked at /nonexistent/httptap-helper). Is httptap "
                                   "installed completely? Reinstall the package, or run ./x setup as root."));
    QCOMPARE(w.errorText(), error);
    QVERIFY(!w.liveCapture()->isRunning());
    QVERIFY(recordEnabled(w));
}

void TestCaptureErrors::bpfUnavailable()
{
    MainWindow w;
    w.liveCapture()->setHelperPath(fakeHelper(m_dir, QStringLiteral("nobpf"), bpfRefused(), "exit 1"));
    QString error;
    QVERIFY2(w.startCapture({ ::getpid() }, true, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(!w.liveCapture()->isRunning(), 20000);
    QCOMPARE(w.errorText(), QStringLiteral("The capture failed: this kernel has no BTF type information "
                                           "(/sys/kernel/btf/vmlinux is missing)"));
    QVERIFY(recordEnabled(w));
    QVERIFY(!w.findChild<QAction*>(QStringLiteral("actionStop"))->isEnabled());
}

void TestCaptureErrors::helperDiesMidCapture()
{
    MainWindow w;
    w.liveCapture()->setHelperPath(fakeHelper(m_dir, QStringLiteral("dies"), oneFlowNoEnd(), "kill -9 $$"));
    QString error;
    QVERIFY2(w.startCapture({ ::getpid() }, true, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(!w.liveCapture()->isRunning(), 20000);
    QCOMPARE(w.errorText(), QStringLiteral("The capture helper stopped unexpectedly. The flows captured so far are "
                                           "kept; press Record to capture again."));
    // The flow seen before the crash stays, and Save Raw Capture still has its bytes.
    QCOMPARE(w.store()->size(), 1);
    QCOMPARE(w.store()->at(0).request.target, QByteArray("/one"));
    QCOMPARE(w.store()->at(0).response.status, 200);
    QVERIFY(w.saveRawCapture(m_dir.filePath(QStringLiteral("kept.httptap")), &error));
    QVERIFY(recordEnabled(w));

    // And capturing again works: a helper that ends cleanly this time.
    test::StreamBuilder b;
    test::TestConnection c;
    b.egress(c, "GET /again HTTP/1.1\r\nHost: a.example\r\n\r\n");
    b.ingress(c, "HTTP/1.1 204 No Content\r\n\r\n");
    w.liveCapture()->setHelperPath(fakeHelper(m_dir, QStringLiteral("clean"), bytes(b.encode()), "exit 0"));
    QVERIFY2(w.startCapture({ ::getpid() }, true, &error), qPrintable(error));
    QCOMPARE(w.errorText(), QString());
    QTRY_VERIFY_WITH_TIMEOUT(!w.liveCapture()->isRunning(), 20000);
    QCOMPARE(w.errorText(), QString());
    QCOMPARE(w.store()->size(), 1);
    QCOMPARE(w.store()->at(0).request.target, QByteArray("/again"));
}

// A launched command is released only on the helper's Ready: when the helper fails first, the
// command never runs.
void TestCaptureErrors::launchWithoutHelperNeverRuns()
{
    const QString marker = m_dir.filePath(QStringLiteral("ran"));
    MainWindow w;
    w.liveCapture()->setHelperPath(fakeHelper(m_dir, QStringLiteral("nobpf2"), bpfRefused(), "exit 1"));
    QString error;
    QVERIFY2(w.startCommand({ QStringLiteral("/usr/bin/touch"), marker }, m_dir.path(), true, &error), qPrintable(error));
    const pid_t pid = w.liveCapture()->commandPid();
    QVERIFY(pid > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!w.liveCapture()->isRunning(), 20000);
    QVERIFY(w.errorText().startsWith(QStringLiteral("The capture failed: this kernel has no BTF")));
    QTRY_VERIFY_WITH_TIMEOUT(stopped(pid), 20000); // it left at its gate
    QVERIFY(!QFile::exists(marker));

    // With a helper that says Ready, the command runs (in its working directory).
    test::StreamBuilder ready;
    ready.add(record::Ready { ready.now() });
    w.liveCapture()->setHelperPath(fakeHelper(m_dir, QStringLiteral("ready"), bytes(ready.encode()), "exit 0"));
    QVERIFY2(w.startCommand({ QStringLiteral("touch"), QStringLiteral("ran") }, m_dir.path(), true, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(marker), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!w.liveCapture()->isRunning(), 20000);
    QCOMPARE(w.errorText(), QString());
}

void TestCaptureErrors::serviceRefusals_data()
{
    QTest::addColumn<int>("failure");
    QTest::addColumn<QString>("why");
    QTest::addColumn<QString>("text");
    QTest::newRow("not authorized")
        << int(Failure::NotAuthorized)
        << QStringLiteral("Not authorized to capture traffic of other processes (polkit action org.httptap.capture)")
        << QStringLiteral("Not authorized to capture traffic: Not authorized to capture traffic of other processes (polkit "
                          "action org.httptap.capture). Capturing needs an administrator's approval (polkit action "
                          "org.httptap.capture); try again and authenticate, or ask an administrator.");
    QTest::newRow("not installed")
        << int(Failure::NotInstalled)
        << QStringLiteral("the httptap system service (org.httptap.Helper1) is not installed; run ./x setup as root")
        << QStringLiteral("The httptap system service is not available (the httptap system service (org.httptap.Helper1) is "
                          "not installed; run ./x setup as root). Install httptap completely (the package, or ./x setup "
                          "as root), or run httptap as root.");
    QTest::newRow("refused, control characters escaped")
        << int(Failure::Refused) << QStringLiteral("bad\x1b[2Jpid")
        << QStringLiteral("The capture could not start: bad\\x1b[2Jpid");
}

void TestCaptureErrors::serviceRefusals()
{
    QFETCH(int, failure);
    QFETCH(QString, why);
    QFETCH(QString, text);
    QCOMPARE(LiveCapture::serviceFailureText(failure, why), text);
}

void TestCaptureErrors::addWithoutCapture()
{
    MainWindow w;
    QVERIFY(!w.findChild<QAction*>(QStringLiteral("actionAddProcess"))->isEnabled());
    QString error;
    QVERIFY(!w.addProcesses({ ::getpid() }, &error));
    QCOMPARE(error, QStringLiteral("No capture is running: press Record to start one."));
}

QTEST_MAIN(TestCaptureErrors)
#include "tst_captureerrors.moc"
