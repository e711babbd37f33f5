// SPDX-License-Identifier: GPL-2.0-or-later
//
// Start-up benchmark probe (issue 10, item 6): a Qt generic plugin that any
// Qt program loads when started with QT_QPA_GENERIC_PLUGINS=httptapstartupprobe
// (and QT_PLUGIN_PATH pointing at this build), so the GUI itself carries no
// benchmark code. When the first top-level window has been exposed and the
// event loop has then run idle once (the window is usable: it answers input),
// it prints the time since HTTPTAP_BENCH_LAUNCH_NS (CLOCK_MONOTONIC, set by
// the launcher just before exec) and exits.

#include <QCoreApplication>
#include <QEvent>
#include <QGenericPlugin>
#include <QTimer>
#include <QWindow>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <unistd.h>

namespace {

class StartupWatcher : public QObject
{
public:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (!m_done && event->type() == QEvent::Expose) {
            auto* window = qobject_cast<QWindow*>(watched);
            if (window && window->isTopLevel() && window->isExposed()) {
                m_done = true;
                // Zero-delay: runs once the events queued by showing the window are handled.
                QTimer::singleShot(0, [] { report(); });
            }
        }
        return false;
    }

private:
    static void report()
    {
        timespec ts {};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        const long long now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
        const char* launch = std::getenv("HTTPTAP_BENCH_LAUNCH_NS");
        std::printf("startup_ns %lld\n", launch ? now - std::atoll(launch) : -1LL);
        std::fflush(stdout);
        _exit(0);
    }
    bool m_done = false;
};

} // namespace

class StartupProbePlugin : public QGenericPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID QGenericPluginFactoryInterface_iid FILE "startupprobe.json")
public:
    QObject* create(const QString&, const QString&) override
    {
        auto* watcher = new StartupWatcher;
        QCoreApplication::instance()->installEventFilter(watcher);
        return watcher;
    }
};

#include "startupprobe.moc"
