// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Chooses what to capture: a searchable list of processes (several may be
// selected) and whether their children are followed.

#include <QDialog>

#include <sys/types.h>
#include <vector>

class QCheckBox;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace httptap {

class ProcessListModel;

class ProcessPickerDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ProcessPickerDialog(QWidget* parent = nullptr);

    std::vector<pid_t> selectedPids() const;
    bool followChildren() const;
    ProcessListModel* model() const { return m_model; }
    QLineEdit* search() const { return m_search; }
    QTableView* view() const { return m_view; }

private:
    ProcessListModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QLineEdit* m_search;
    QTableView* m_view;
    QCheckBox* m_follow;
};

} // namespace httptap
