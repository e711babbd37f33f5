// SPDX-License-Identifier: GPL-2.0-or-later
//
// The start-up benchmark's baseline: the least a Qt Widgets program does to
// show a main window (an empty QMainWindow), measured the same way as httptap.

#include <QApplication>
#include <QMainWindow>

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    QMainWindow window;
    window.resize(1100, 700);
    window.show();
    return app.exec();
}
