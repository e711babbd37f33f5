// SPDX-License-Identifier: GPL-2.0-or-later
// Which frame an Initiator column shows, and how frames read as text (issue 12).

#include "symbols/initiatorframe.h"

#include <QTest>

using namespace httptap;

Q_DECLARE_METATYPE(httptap::InitiatorStack)

namespace {

StackFrame frame(const char* module, const char* symbol = "", uint64_t symbolOffset = 0, uint64_t moduleOffset = 0x1000)
{
    StackFrame f;
    f.address = 0x7f0000000000 + moduleOffset;
    f.module = QString::fromUtf8(module);
    f.moduleOffset = moduleOffset;
    f.symbol = QString::fromUtf8(symbol);
    f.symbolOffset = symbolOffset;
    return f;
}

InitiatorStack stack(QList<StackFrame> frames)
{
    InitiatorStack s;
    s.tid = 4242;
    s.thread = QStringLiteral("worker-1");
    s.frames = std::move(frames);
    return s;
}

} // namespace

class TestInitiatorFrame : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chosen_data()
    {
        QTest::addColumn<InitiatorStack>("stack");
        QTest::addColumn<int>("index");
        QTest::addColumn<QString>("text");
        QTest::newRow("curl program") << stack({ frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "write", 0x17),
            frame("/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0", "Curl_sendf", 0x40),
            frame("/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0", "curl_easy_perform", 0x9),
            frame("/opt/app/bin/fetcher", "fetch_user", 0x1c), frame("/opt/app/bin/fetcher", "main", 0x30) })
                                      << 3 << "fetcher!fetch_user+0x1c";
        QTest::newRow("openssl, unnamed app") << stack({ frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "__send", 0x4),
            frame("/usr/lib/x86_64-linux-gnu/libssl.so.3", "SSL_write", 0x2a),
            frame("/usr/local/bin/client", "", 0, 0x51a3) })
                                              << 2 << "client+0x51a3";
        QTest::newRow("go stack") << stack({ frame("/app/server", "syscall.write", 0x10),
            frame("/app/server", "internal/poll.(*FD).Write", 0x20), frame("/app/server", "net.(*conn).Write", 0x3),
            frame("/app/server", "crypto/tls.(*Conn).Write", 0x5), frame("/app/server", "bufio.(*Writer).Flush", 0x6),
            frame("/app/server", "net/http.(*Client).do", 0x7), frame("/app/server", "main.fetchUser", 0x44),
            frame("/app/server", "runtime.goexit", 0x1) })
                                  << 6 << "server!main.fetchUser+0x44";
        QTest::newRow("python") << stack({ frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "send", 0x4),
            frame("/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", "sock_sendall", 0x10),
            frame("/usr/lib/python3/dist-packages/_ext.so", "ext_call", 0x2) })
                                << 2 << "_ext.so!ext_call+0x2";
        QTest::newRow("python3 with libpython inside") << stack({ frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "send", 0x4),
            frame("/usr/bin/python3.11", "sock_sendall", 0x10), frame("/usr/bin/python3.11", "_PyEval_EvalFrameDefault", 0x99),
            frame("/srv/app/native/_fast.so", "fast_fetch", 0x21) })
                                                       << 3 << "_fast.so!fast_fetch+0x21";
        QTest::newRow("all library: innermost outside libc")
            << stack({ frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "write", 0x1),
                   frame("/usr/lib/x86_64-linux-gnu/libssl.so.3", "SSL_write", 0x2) })
            << 1 << "libssl.so.3!SSL_write+0x2";
        QTest::newRow("only libc") << stack({ frame("/lib/libc.so.6", "write", 0x1) }) << 0 << "libc.so.6!write+0x1";
        QTest::newRow("unmapped (JIT) frame") << stack({ frame("/lib/libc.so.6", "write", 0x1), [] {
            StackFrame f;
            f.address = 0x3a2b1c0;
            return f;
        }() }) << 1 << "0x3a2b1c0";
        QTest::newRow("no frames") << stack({}) << -1 << "";
    }
    void chosen()
    {
        QFETCH(InitiatorStack, stack);
        QFETCH(int, index);
        QFETCH(QString, text);
        QCOMPARE(initiatorFrameIndex(stack), index);
        QCOMPARE(initiatorFrame(stack), text);
    }

    void stackAsText()
    {
        InitiatorStack s = stack({ frame("/lib/libc.so.6", "write", 0x17, 0x10f017), frame("/opt/app", "", 0, 0x51a3) });
        s.partial = true;
        QCOMPARE(stackText(s),
            QStringLiteral("thread worker-1 (tid 4242), partial: frame pointers missing\n"
                           "#0   0x00007f000010f017  libc.so.6!write+0x17\n"
                           "#1   0x00007f00000051a3  app+0x51a3\n"));
        QCOMPARE(functionText(s.frames[0]), QStringLiteral("write+0x17"));
        QCOMPARE(functionText(s.frames[1]), QString());
        QCOMPARE(moduleName(QStringLiteral("/lib/libc.so.6")), QStringLiteral("libc.so.6"));
        QCOMPARE(moduleName(QStringLiteral("app")), QStringLiteral("app"));
    }
};

QTEST_GUILESS_MAIN(TestInitiatorFrame)
#include "tst_initiatorframe.moc"
