// SPDX-License-Identifier: GPL-2.0-or-later
#include "mainwindow.h"

#include <QApplication>
#include <QHeaderView>
#include <QKeySequence>
#include <QMenuBar>
#include <QMessageBox>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTableView>

namespace httptap {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_flowModel(new QStandardItemModel(0, static_cast<int>(Column::COLUMN_COUNT), this))
    , m_flowView(new QTableView(this))
{
    setWindowTitle(QStringLiteral("httptap"));
    setWindowIcon(QIcon::fromTheme(QStringLiteral("org.httptap.Httptap")));

    // TODO(issue 9): replace with the flow table model and its proxy.
    const QStringList headers = { tr("Method"), tr("URL"), tr("Status"), tr("Type"), tr("Size"), tr("Time"),
        tr("Process") };
    m_flowModel->setHorizontalHeaderLabels(headers);

    m_flowView->setObjectName(QStringLiteral("flowView"));
    m_flowView->setModel(m_flowModel);
    m_flowView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_flowView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_flowView->verticalHeader()->hide();
    m_flowView->horizontalHeader()->setSectionResizeMode(static_cast<int>(Column::Url), QHeaderView::Stretch);
    setCentralWidget(m_flowView);

    setupMenus();
    statusBar()->showMessage(tr("Live capture from the window arrives with the helper service (issues 5 and 9). "
                                "Until then, record with: sudo httptap-record -o flows.jsonl -- COMMAND"));
    resize(1000, 600);
}

void MainWindow::setupMenus()
{
    QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
    QAction* quit = fileMenu->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);
    quit->setObjectName(QStringLiteral("actionQuit"));

    QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction* about = helpMenu->addAction(tr("&About httptap"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("actionAbout"));
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About httptap"),
        tr("<h3>httptap %1</h3>"
           "<p>Shows the HTTP traffic of a running process — requests and responses, headers and bodies, "
           "plaintext and TLS — read with eBPF, without a proxy or certificates.</p>")
            .arg(QStringLiteral(HTTPTAP_VERSION)));
}

} // namespace httptap
