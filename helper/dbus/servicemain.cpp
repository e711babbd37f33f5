// SPDX-License-Identifier: GPL-2.0-or-later
#include "servicemain.h"

#include "helperservice.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sys/signalfd.h>
#include <unistd.h>

namespace httptap::helper {

namespace {

int idleMs()
{
    constexpr int kDefault = 30000;
    const char* env = getenv("HTTPTAP_HELPER_IDLE_MS");
    if (!env)
        return kDefault;
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (!end || *end || v < 100 || v > 3600 * 1000) {
        std::fprintf(stderr, "httptap-helper: ignoring HTTPTAP_HELPER_IDLE_MS=%s (100..3600000)\n", env);
        return kDefault;
    }
    return int(v);
}

} // namespace

int runDBusService(int argc, char** argv)
{
    // Before Qt starts any thread, so every thread inherits the mask and the
    // signals arrive only through the signalfd.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    for (int sig : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&stopSignals, sig);
    sigprocmask(SIG_BLOCK, &stopSignals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    // Commands started for StartCommand are our children; their exit status
    // travels in the record stream (from the kernel), so let the kernel reap
    // them. CommandLauncher resets this in the child before exec.
    std::signal(SIGCHLD, SIG_IGN);

    QCoreApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("httptap-helper"));
    const int sfd = signalfd(-1, &stopSignals, SFD_CLOEXEC | SFD_NONBLOCK);
    QSocketNotifier stopNotifier(sfd, QSocketNotifier::Read);
    QObject::connect(&stopNotifier, &QSocketNotifier::activated, &app, &QCoreApplication::quit);

    QDBusConnection bus = QDBusConnection::systemBus();
    int status = 0;
    {
        HelperService service(bus, idleMs());
        QString error;
        if (!service.registerOnBus(&error)) {
            std::fprintf(stderr, "httptap-helper: %s\n", qPrintable(error));
            return 1;
        }
        status = app.exec();
        bus.unregisterService(QString::fromLatin1(kServiceName));
    } // sessions end here: every probe is detached before exit
    close(sfd);
    return status;
}

} // namespace httptap::helper
