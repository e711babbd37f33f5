// SPDX-License-Identifier: GPL-2.0-or-later
#include "mainwindow.h"

#include <QApplication>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("httptap"));
    QApplication::setOrganizationDomain(QStringLiteral("httptap.org"));
    QApplication::setDesktopFileName(QStringLiteral("org.httptap.Httptap"));

    httptap::MainWindow window;
    window.show();
    return app.exec();
}
