// SPDX-License-Identifier: GPL-2.0-or-later
#include "mainwindow.h"

#include <QApplication>

#include <cstdio>
#include <cstring>

namespace {

const char usage[] = "Usage: httptap [--help] [--version] [Qt options such as -platform NAME]\n"
                     "Shows the HTTP traffic of processes on this computer, like a browser's Network tab.\n"
                     "Capturing asks the httptap system service (org.httptap.Helper1); polkit asks for\n"
                     "an administrator's password. See httptap(1).\n"
                     "\n"
                     "  -h, --help     show this help\n"
                     "      --version  print the version\n";

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

    // QApplication has taken out the Qt options it knows; anything left that
    // looks like an option is a mistake worth saying rather than ignoring.
    const QStringList rest = QCoreApplication::arguments().mid(1);
    for (const QString& arg : rest) {
        if (arg.startsWith(QLatin1Char('-'))) {
            std::fprintf(stderr, "httptap: unknown option '%s'\n\n%s", qPrintable(arg), usage);
            return 2;
        }
    }

    httptap::MainWindow window;
    window.show();
    return app.exec();
}
