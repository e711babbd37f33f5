// SPDX-License-Identifier: GPL-2.0-or-later
#include "processlistmodel.h"

#include "desktopicons.h"
#include "textescape.h"

#include <QDir>
#include <QColor>
#include <QFile>
#include <QIcon>

#include <algorithm>
#include <pwd.h>
#include <sys/stat.h>

namespace httptap {

ProcessListModel::ProcessListModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

std::vector<ProcessListModel::Process> ProcessListModel::readProc()
{
    std::vector<Process> result;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString& entry : entries) {
        bool ok = false;
        const int pid = entry.toInt(&ok);
        if (!ok || pid <= 0)
            continue;
        Process p;
        p.pid = pid;
        QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
        if (!comm.open(QIODevice::ReadOnly))
            continue;
        p.name = escapeBytes(comm.readAll().trimmed());
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (cmdline.open(QIODevice::ReadOnly)) {
            QByteArray args = cmdline.read(4096);
            if (args.endsWith('\0'))
                args.chop(1);
            p.commandLine = escapeBytes(args.replace('\0', ' '));
        }
        p.executable = escapeControl(QFile::symLinkTarget(QStringLiteral("/proc/%1/exe").arg(pid)));
        struct stat st {};
        if (::stat(QStringLiteral("/proc/%1").arg(pid).toLocal8Bit().constData(), &st) == 0) {
            const passwd* pw = ::getpwuid(st.st_uid);
            p.user = pw ? QString::fromLocal8Bit(pw->pw_name) : QString::number(st.st_uid);
        }
        result.push_back(std::move(p));
    }
    std::sort(result.begin(), result.end(), [](const Process& a, const Process& b) { return a.pid < b.pid; });
    return result;
}

void ProcessListModel::refresh()
{
    setProcesses(readProc());
}

void ProcessListModel::setProcesses(std::vector<Process> processes)
{
    std::sort(processes.begin(), processes.end(), [](const Process& a, const Process& b) { return a.pid < b.pid; });
    // Merge by pid: rows that stay keep their place (and the selection on them).
    size_t i = 0;
    size_t j = 0;
    while (i < m_processes.size() || j < processes.size()) {
        if (j >= processes.size() || (i < m_processes.size() && m_processes[i].pid < processes[j].pid)) {
            beginRemoveRows({}, int(i), int(i));
            m_processes.erase(m_processes.begin() + ptrdiff_t(i));
            endRemoveRows();
        } else if (i >= m_processes.size() || processes[j].pid < m_processes[i].pid) {
            beginInsertRows({}, int(i), int(i));
            m_processes.insert(m_processes.begin() + ptrdiff_t(i), processes[j]);
            endInsertRows();
            ++i;
            ++j;
        } else {
            m_processes[i] = processes[j];
            Q_EMIT dataChanged(index(int(i), 0), index(int(i), COLUMN_COUNT - 1));
            ++i;
            ++j;
        }
    }
}

int ProcessListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_processes.size());
}

int ProcessListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : COLUMN_COUNT;
}

QVariant ProcessListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Process& p = m_processes[size_t(index.row())];
    if (role == PidRole)
        return int(p.pid);
    if (role == Qt::DecorationRole && index.column() == NameColumn) {
        const QIcon icon = (m_icons ? *m_icons : DesktopIcons::instance()).icon(p.executable, p.name);
        return icon.isNull() ? QVariant() : QVariant(icon);
    }
    if (role == Qt::ForegroundRole && index.column() == TlsColumn && !p.tlsCapturable)
        return QColor(0xd9, 0x3f, 0x3f);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case PidColumn:
        return role == Qt::DisplayRole ? QVariant(int(p.pid)) : QVariant();
    case UserColumn:
        return p.user;
    case NameColumn:
        return role == Qt::ToolTipRole && !p.executable.isEmpty() ? p.executable : p.name;
    case TlsColumn:
        if (role == Qt::ToolTipRole)
            return p.tlsDetails;
        return p.tls.isEmpty() ? tr("…") : p.tls;
    case CommandLineColumn:
        return p.commandLine;
    default:
        return {};
    }
}

QVariant ProcessListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case PidColumn:
        return tr("PID");
    case UserColumn:
        return tr("User");
    case NameColumn:
        return tr("Name");
    case TlsColumn:
        return tr("TLS");
    case CommandLineColumn:
        return tr("Command line");
    default:
        return {};
    }
}

} // namespace httptap
