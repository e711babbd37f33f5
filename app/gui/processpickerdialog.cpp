// SPDX-License-Identifier: GPL-2.0-or-later
#include "processpickerdialog.h"

#include "models/processlistmodel.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace httptap {

ProcessPickerDialog::ProcessPickerDialog(QWidget* parent)
    : QDialog(parent)
    , m_model(new ProcessListModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_search(new QLineEdit)
    , m_view(new QTableView)
    , m_follow(new QCheckBox(tr("Follow child processes")))
{
    setWindowTitle(tr("Capture Processes"));
    m_model->refresh();
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_search->setObjectName(QStringLiteral("processSearch"));
    m_search->setPlaceholderText(tr("Search by name, command line, user or PID"));
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
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_follow->setObjectName(QStringLiteral("followChildren"));
    m_follow->setChecked(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Capture"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
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
    resize(820, 520);
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

} // namespace httptap
