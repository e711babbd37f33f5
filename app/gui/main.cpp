// SPDX-License-Identifier: GPL-2.0-or-later
#include "darkpalette.h"
#include "launchcommanddialog.h"
#include "livecapture.h"
#include "mainwindow.h"
#include "models/flowfilterproxy.h"

#include <QApplication>
#include <QDir>
#include <QPixmap>
#include <QScreen>
#include <QSettings>
#include <QTableView>
#include <QTimer>

#include <cstdio>
#include <cstring>

namespace {

const char usage[] = "Usage: httptap [--help] [--version] [--dark] [--capture-command COMMAND]\n"
                     "               [--dump-table-on-exit FILE] [--screenshot FILE] [--quit-when-capture-ends]\n"
                     "               [Qt options such as -platform NAME]\n"
                     "Shows the HTTP traffic of processes on this computer, like a browser's Network tab.\n"
                     "Capturing asks the httptap system service (org.httptap.Helper1); polkit asks for\n"
                     "an administrator's password. See httptap(1).\n"
                     "\n"
                     "  -h, --help                    show this help\n"
                     "      --version                 print the version\n"
                     "      --dark                    Fusion style with a dark palette (also HTTPTAP_DARK=1)\n"
                     "      --capture-command COMMAND launch COMMAND under capture at start (Launch a Command…)\n"
                     "      --dump-table-on-exit FILE write the table as shown, one JSON object per row, on exit\n"
                     "      --screenshot FILE         save a PNG of the window when that capture ends\n"
                     "      --quit-when-capture-ends  exit when that capture ends (scripts, tests)\n";

bool wantsDark(int argc, char* argv[])
{
    for (int i = 1; i < argc; ++i)
        if (!std::strcmp(argv[i], "--dark"))
            return true;
    return qEnvironmentVariableIntValue("HTTPTAP_DARK") == 1;
}

} // namespace

int main(int argc, char* argv[])
{
    // Answered before QApplication exists: it needs a display, and --help or
    // --version must work without one (over ssh, in a package's smoke test).
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--version")) {
            std::printf("httptap %s\n", HTTPTAP_VERSION);
            return 0;
        }
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            std::fputs(usage, stdout);
            return 0;
        }
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("httptap"));
    QApplication::setApplicationVersion(QStringLiteral(HTTPTAP_VERSION));
    QApplication::setOrganizationDomain(QStringLiteral("httptap.org"));
    QApplication::setDesktopFileName(QStringLiteral("org.httptap.Httptap"));
    if (wantsDark(argc, argv))
        httptap::applyDarkLook();

    // QApplication has taken out the Qt options it knows; anything left that
    // looks like an option and is not ours is a mistake worth saying.
    QString command, dumpPath, screenshotPath;
    bool quitWhenDone = false;
    const QStringList rest = QCoreApplication::arguments().mid(1);
    for (qsizetype i = 0; i < rest.size(); ++i) {
        const QString& arg = rest[i];
        auto value = [&]() -> QString { return i + 1 < rest.size() ? rest[++i] : QString(); };
        if (arg == QLatin1String("--dark")) {
            continue;
        } else if (arg == QLatin1String("--capture-command")) {
            command = value();
        } else if (arg == QLatin1String("--dump-table-on-exit")) {
            dumpPath = value();
        } else if (arg == QLatin1String("--screenshot")) {
            screenshotPath = value();
        } else if (arg == QLatin1String("--quit-when-capture-ends")) {
            quitWhenDone = true;
        } else if (arg.startsWith(QLatin1Char('-'))) {
            std::fprintf(stderr, "httptap: unknown option '%s'\n\n%s", qPrintable(arg), usage);
            return 2;
        } else {
            continue;
        }
        if ((arg != QLatin1String("--quit-when-capture-ends")) && rest[i].isEmpty()) {
            std::fprintf(stderr, "httptap: %s needs a value\n\n%s", qPrintable(arg), usage);
            return 2;
        }
    }

    httptap::MainWindow window;
    QSettings settings;
    window.restoreSettings(settings);
    window.show();

    int status = 0;
    if (!command.isEmpty()) {
        QObject::connect(window.liveCapture(), &httptap::LiveCapture::finished, &window, [&] {
            // After the window has taken the last flows in (its own finished() slot ran first).
            QTimer::singleShot(0, &window, [&] {
                window.proxy()->waitForIdle();
                if (window.proxy()->rowCount() > 0)
                    window.flowView()->selectRow(0);
                if (!screenshotPath.isEmpty()) {
                    window.repaint();
                    // What the display shows, not a re-render: give the X server a moment to draw.
                    QTimer::singleShot(300, &window, [&] {
                        if (!window.screen()->grabWindow(window.winId()).save(screenshotPath, "PNG"))
                            std::fprintf(stderr, "httptap: cannot write %s\n", qPrintable(screenshotPath));
                        if (quitWhenDone)
                            QApplication::quit();
                    });
                } else if (quitWhenDone) {
                    QApplication::quit();
                }
            });
        });
        QString error;
        const QStringList argv = httptap::LaunchCommandDialog::splitCommandLine(command);
        if (!window.startCommand(argv, QDir::currentPath(), true, &error)) {
            std::fprintf(stderr, "httptap: %s\n", qPrintable(error));
            status = 1;
            if (quitWhenDone)
                return 1;
        }
    }

    const int result = app.exec();
    window.saveSettings(settings);
    if (!dumpPath.isEmpty()) {
        window.proxy()->waitForIdle();
        QString error;
        if (!window.dumpTable(dumpPath, &error)) {
            std::fprintf(stderr, "httptap: %s\n", qPrintable(error));
            return 1;
        }
    }
    if (!window.errorText().isEmpty() && quitWhenDone) {
        std::fprintf(stderr, "httptap: %s\n", qPrintable(window.errorText()));
        return 1;
    }
    return result ? result : status;
}
