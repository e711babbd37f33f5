// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The processes of this machine for the process picker, read from /proc
// (pid, user, name, command line, the desktop's icon for it) and, once the
// coverage doctor has looked (processcoverage.h), the TLS implementations
// each carries and whether httptap can read them. Small: a plain table model
// behind a QSortFilterProxyModel; setProcesses() merges by pid so a
// selection survives. Names, command lines and paths are untrusted and shown
// escaped.

#include <QAbstractTableModel>

#include <sys/types.h>
#include <vector>

namespace httptap {

class DesktopIcons;

class ProcessListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns { PidColumn, UserColumn, NameColumn, TlsColumn, CommandLineColumn, COLUMN_COUNT };
    enum Roles { PidRole = Qt::UserRole };

    struct Process {
        pid_t pid = 0;
        QString user;
        QString name;
        QString commandLine;
        QString executable; // /proc/PID/exe, for the desktop icon
        // The coverage doctor's findings; empty tls: not inspected (yet).
        QString tls; // "OpenSSL 3.0.11 ✓, Go go1.19.8 (stripped) ✗"
        QString tlsDetails; // one line per implementation: path and reason
        bool tlsCapturable = true; // false when some implementation cannot be read
    };

    explicit ProcessListModel(QObject* parent = nullptr);

    void refresh();
    void setProcesses(std::vector<Process> processes);
    static std::vector<Process> readProc();
    // Icons come from this (default: the session's DesktopIcons::instance()).
    void setDesktopIcons(const DesktopIcons* icons) { m_icons = icons; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<Process> m_processes; // sorted by pid
    const DesktopIcons* m_icons = nullptr;
};

} // namespace httptap
