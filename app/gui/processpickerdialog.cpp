// SPDX-License-Identifier: GPL-2.0-or-later
#include "processpickerdialog.h"

#include "launchcommanddialog.h"
#ifdef HTTPTAP_HAVE_INSPECTOR
#include "processcoverage.h"
#endif

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace httptap {

ProcessPickerDialog::ProcessPickerDialog(QWidget* parent, Mode mode, bool inspectTls)
    : QDialog(parent)
    , m_model(new ProcessListModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_search(new QLineEdit)
    , m_view(new QTableView)
    , m_follow(new QCheckBox(tr("Follow child processes")))
{
    setWindowTitle(mode == Mode::NewCapture ? tr("Capture Processes") : tr("Add Processes to the Capture"));
    m_model->refresh();
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_search->setObjectName(QStringLiteral("processSearch"));
    m_search->setPlaceholderText(tr("Search by name, command line, user, PID or TLS library"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    m_view->setObjectName(QStringLiteral("processView"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ProcessListModel::PidColumn, Qt::DescendingOrder);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->setShowGrid(false);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->resizeSection(ProcessListModel::PidColumn, 70);
    m_view->horizontalHeader()->resizeSection(ProcessListModel::UserColumn, 90);
    m_view->horizontalHeader()->resizeSection(ProcessListModel::NameColumn, 150);
    m_view->horizontalHeader()->resizeSection(ProcessListModel::TlsColumn, 230);
    m_follow->setObjectName(QStringLiteral("followChildren"));
    m_follow->setChecked(true);
    m_follow->setVisible(mode == Mode::NewCapture); // an added process follows the capture's choice

#ifdef HTTPTAP_HAVE_INSPECTOR
    if (inspectTls) {
        // Reading every process's mappings takes a moment: the list is usable meanwhile.
        connect(&m_inspection, &QFutureWatcherBase::finished, this, [this] {
            m_model->setProcesses(m_inspection.result());
            m_inspecting = false;
        });
        m_inspecting = true;
        m_inspection.setFuture(QtConcurrent::run(&inspectProcesses));
    }
#else
    // Built without the helper (the Flatpak): nothing here can inspect, so no column that would wait.
    Q_UNUSED(inspectTls)
    m_view->setColumnHidden(ProcessListModel::TlsColumn, true);
#endif

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(mode == Mode::NewCapture ? tr("Capture") : tr("Add"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    if (mode == Mode::NewCapture) {
        m_launch = buttons->addButton(tr("Launch a Command…"), QDialogButtonBox::ActionRole);
        m_launch->setObjectName(QStringLiteral("launchCommandButton"));
        m_launch->setToolTip(tr("Start a new program under capture, from its first request"));
        connect(m_launch, &QPushButton::clicked, this, &ProcessPickerDialog::launchCommand);
    }
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        [this, buttons] { buttons->button(QDialogButtonBox::Ok)->setEnabled(!selectedPids().empty()); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_view, &QAbstractItemView::doubleClicked, this, &QDialog::accept);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_search);
    layout->addWidget(m_view);
    layout->addWidget(m_follow);
    layout->addWidget(buttons);
    resize(980, 560);
}

ProcessPickerDialog::~ProcessPickerDialog()
{
    m_inspection.waitForFinished();
}

std::vector<pid_t> ProcessPickerDialog::selectedPids() const
{
    std::vector<pid_t> pids;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows())
        pids.push_back(pid_t(index.data(ProcessListModel::PidRole).toInt()));
    return pids;
}

bool ProcessPickerDialog::followChildren() const
{
    return m_follow->isChecked();
}

void ProcessPickerDialog::launchCommand()
{
    LaunchCommandDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_launchArguments = dialog.arguments();
    m_launchDirectory = dialog.workingDirectory();
    m_follow->setChecked(dialog.followChildren());
    accept();
}

} // namespace httptap
