// SPDX-License-Identifier: GPL-2.0-or-later
// httptap-record's command line: what it accepts and every refusal.
#include "processreport.h"
#include "recordoptions.h"

#include <QTest>

using httptap::cli::parseRecordOptions;

namespace {

std::vector<std::string> split(const QString& line)
{
    std::vector<std::string> out;
    for (const QString& part : line.split(QLatin1Char(' '), Qt::SkipEmptyParts))
        out.push_back(part.toStdString());
    return out;
}

} // namespace

class TestRecordOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void filter()
    {
        std::string error;
        const auto o = parseRecordOptions({ "--filter", "host=api.example.com and status>=400", "--pid", "1" }, &error);
        QVERIFY2(o, error.c_str());
        QCOMPARE(o->filter, std::string("host=api.example.com and status>=400"));
    }

    void accepts()
    {
        std::string error;
        const auto o = parseRecordOptions(
            split("--pid 12 -p 34 --no-follow-forks -o out.jsonl --duration 2.5 --count 7 --max-body 64k -v"), &error);
        QVERIFY2(o, error.c_str());
        QCOMPARE(o->pids, (std::vector<pid_t> { 12, 34 }));
        QVERIFY(!o->followForks);
        QCOMPARE(o->outputPath, std::string("out.jsonl"));
        QCOMPARE(o->durationSeconds, 2.5);
        QCOMPARE(o->count, uint64_t(7));
        QCOMPARE(o->maxBodyBytes, uint64_t(65536));
        QVERIFY(o->verbose);
        QVERIFY(o->command.empty());
    }

    void commandAfterDoubleDash()
    {
        std::string error;
        // Options after "--" belong to the command, not to us.
        const auto o = parseRecordOptions(split("--max-body 2M -- curl -o /dev/null --pid x"), &error);
        QVERIFY2(o, error.c_str());
        QCOMPARE(o->maxBodyBytes, uint64_t(2) << 20);
        QCOMPARE(o->command, (std::vector<std::string> { "curl", "-o", "/dev/null", "--pid", "x" }));
        QVERIFY(o->pids.empty());
        QVERIFY(o->followForks);
        QCOMPARE(o->format, std::string("jsonl"));
    }

    void formatsAndRead()
    {
        std::string error;
        auto o = parseRecordOptions(split("--format har --unredacted --pid 5"), &error);
        QVERIFY2(o, error.c_str());
        QCOMPARE(o->format, std::string("har"));
        QVERIFY(o->unredacted);
        o = parseRecordOptions(split("-f curl --pid 5"), &error);
        QVERIFY2(o, error.c_str());
        QCOMPARE(o->format, std::string("curl"));
        QVERIFY(!o->unredacted);
        // --read needs nothing to capture: the file is the capture.
        o = parseRecordOptions(split("--read saved.httptap --format jsonl -o out.jsonl --max-body 1k"), &error);
        QVERIFY2(o, error.c_str());
        QCOMPARE(o->readPath, std::string("saved.httptap"));
        QCOMPARE(o->maxBodyBytes, uint64_t(1024));
        QVERIFY(o->pids.empty());
        o = parseRecordOptions(
            split("-f har --redact-header X-Api-* --redact-json-field password --redact-json-field token --pid 1"),
            &error);
        QVERIFY2(o, error.c_str());
        QCOMPARE(o->redactHeaders, (std::vector<std::string> { "X-Api-*" }));
        QCOMPARE(o->redactJsonFields, (std::vector<std::string> { "password", "token" }));
        // Events and metrics (issue 13).
        o = parseRecordOptions(split("-f appview --watch w.yml --metrics-listen 127.0.0.1:9464 --pid 1"), &error);
        QVERIFY2(o, error.c_str());
        QCOMPARE(o->format, std::string("appview"));
        QCOMPARE(o->watchPath, std::string("w.yml"));
        QCOMPARE(o->metricsListen, std::string("127.0.0.1:9464"));
        o = parseRecordOptions(split("--metrics-listen 0.0.0.0:0 -o /dev/null --pid 1"), &error);
        QVERIFY2(o, error.c_str());
        QCOMPARE(o->metricsListen, std::string("0.0.0.0:0"));
    }

    void refuses_data()
    {
        QTest::addColumn<QString>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("nothing to capture") << ""
                                            << "say what to capture";
        QTest::newRow("empty command") << "--"
                                       << "nothing to run after --";
        QTest::newRow("pid not a number") << "--pid abc"
                                          << "--pid needs a process id, not 'abc'";
        QTest::newRow("pid zero") << "--pid 0"
                                  << "--pid needs a process id";
        QTest::newRow("pid negative") << "--pid -5"
                                      << "--pid needs a process id";
        QTest::newRow("pid missing") << "--pid"
                                     << "option --pid needs a value";
        QTest::newRow("format") << "--format xml --pid 1"
                                << "unknown format 'xml' (supported: jsonl, har, curl, appview)";
        QTest::newRow("unredacted jsonl") << "--unredacted --pid 1"
                                          << "--unredacted applies to --format har only";
        QTest::newRow("unredacted curl") << "--format curl --unredacted --pid 1"
                                         << "--unredacted applies to --format har only";
        QTest::newRow("read and pid") << "--read x.httptap --pid 1"
                                      << "--read processes a saved capture: it cannot be combined";
        QTest::newRow("read and command") << "--read x.httptap -- curl"
                                          << "--read processes a saved capture";
        QTest::newRow("read and raw") << "--read x.httptap --raw y.httptap"
                                      << "--read processes a saved capture";
        QTest::newRow("read missing") << "--read"
                                      << "option --read needs a value";
        QTest::newRow("redact-header jsonl") << "--redact-header X-Key --pid 1"
                                             << "--redact-header and --redact-json-field apply to --format har";
        QTest::newRow("redact with unredacted") << "-f har --unredacted --redact-json-field password --pid 1"
                                                << "apply to --format har without --unredacted";
        QTest::newRow("redact-header missing") << "-f har --pid 1 --redact-header"
                                               << "option --redact-header needs a value";
        QTest::newRow("duration zero") << "--duration 0 --pid 1"
                                       << "--duration needs a positive number";
        QTest::newRow("duration junk") << "--duration 5s --pid 1"
                                       << "--duration needs a positive number";
        QTest::newRow("duration nan") << "--duration nan --pid 1"
                                      << "--duration needs a positive number";
        QTest::newRow("count zero") << "--count 0 --pid 1"
                                    << "--count needs a positive number";
        QTest::newRow("count junk") << "--count many --pid 1"
                                    << "--count needs a positive number";
        QTest::newRow("max-body junk") << "--max-body lots --pid 1"
                                       << "--max-body needs a size";
        QTest::newRow("max-body overflow") << "--max-body 99999999999999G --pid 1"
                                           << "--max-body needs a size";
        QTest::newRow("filter syntax") << "--filter status>=abc --pid 1"
                                       << "--filter: filter syntax error at column 9: status needs a number, not 'abc'";
        QTest::newRow("filter unclosed") << "--filter (method:GET --pid 1"
                                         << "--filter: filter syntax error at column 1: '(' is never closed";
        QTest::newRow("filter missing") << "--pid 1 --filter" << "option --filter needs a value";
        QTest::newRow("watch without appview") << "--watch w.yml --pid 1"
                                               << "--watch applies to --format appview only";
        QTest::newRow("listen without port") << "--metrics-listen 127.0.0.1 --pid 1"
                                             << "--metrics-listen needs an IPv4 ADDR:PORT";
        QTest::newRow("listen port junk") << "--metrics-listen 127.0.0.1:http --pid 1"
                                          << "--metrics-listen needs an IPv4 ADDR:PORT";
        QTest::newRow("listen port too big") << "--metrics-listen 127.0.0.1:65536 --pid 1"
                                             << "--metrics-listen needs an IPv4 ADDR:PORT";
        QTest::newRow("listen ipv6") << "--metrics-listen [::1]:9464 --pid 1"
                                     << "--metrics-listen needs an IPv4 ADDR:PORT";
        QTest::newRow("listen with read") << "--read f --metrics-listen 127.0.0.1:9464"
                                          << "cannot be combined with --pid, -- COMMAND, --raw, --duration or --metrics-listen";
        QTest::newRow("unknown") << "--frobnicate --pid 1"
                                 << "unknown option '--frobnicate'";
    }

    void refuses()
    {
        QFETCH(QString, args);
        QFETCH(QString, message);
        std::string error;
        const auto o = parseRecordOptions(split(args), &error);
        QVERIFY(!o);
        QVERIFY2(QString::fromStdString(error).contains(message), error.c_str());
    }

    void help()
    {
        std::string error;
        const auto o = parseRecordOptions(split("--help"), &error);
        QVERIFY(o);
        QVERIFY(o->help);
    }

    // Names and paths from traced processes reach stderr through terminalSafe: no byte of them may
    // start a terminal escape sequence (ESC, C0, DEL, C1 CSI), while ordinary UTF-8 stays readable.
    void terminalSafe_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("plain") << QByteArray("/usr/lib/libssl.so.3") << QByteArray("/usr/lib/libssl.so.3");
        QTest::newRow("ansi") << QByteArray("a\x1b[31mred\x1b]0;title\x07") << QByteArray("a\\x1b[31mred\\x1b]0;title\\x07");
        QTest::newRow("newline, cr, del") << QByteArray("x\r\ny\x7f") << QByteArray("x\\x0d\\x0ay\\x7f");
        QTest::newRow("c1 csi") << QByteArray("a\xc2\x9b" "2J") << QByteArray("a\\u009b2J");
        QTest::newRow("utf-8 kept") << QByteArray("caf\xc3\xa9 \xc2\xa0") << QByteArray("caf\xc3\xa9 \xc2\xa0");
        QTest::newRow("lone lead byte at end") << QByteArray("a\xc2") << QByteArray("a\xc2");
    }

    void terminalSafe()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expected);
        QCOMPARE(QByteArray::fromStdString(httptap::cli::terminalSafe(input.toStdString())), expected);
    }
};

QTEST_GUILESS_MAIN(TestRecordOptions)
#include "tst_recordoptions.moc"
