// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The processes of this machine for the process picker, read from /proc
// (pid, user, name, command line). Small: a plain table model behind a
// QSortFilterProxyModel; refresh() merges by pid so a selection survives.
// Names and command lines are untrusted and shown escaped.

#include <QAbstractTableModel>

#include <sys/types.h>
#include <vector>

namespace httptap {

class ProcessListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns { PidColumn, UserColumn, NameColumn, CommandLineColumn, COLUMN_COUNT };
    enum Roles { PidRole = Qt::UserRole };

    struct Process {
        pid_t pid = 0;
        QString user;
        QString name;
        QString commandLine;
    };

    explicit ProcessListModel(QObject* parent = nullptr);

    void refresh();
    void setProcesses(std::vector<Process> processes);
    static std::vector<Process> readProc();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<Process> m_processes; // sorted by pid
};

} // namespace httptap
