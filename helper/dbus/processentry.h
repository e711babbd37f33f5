// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// One row of org.httptap.Helper1.ListProcesses, D-Bus type (uuusssssb): part
// of the contract in org.httptap.Helper1.xml, shared by the helper's adaptor
// and the clients' proxy. Strings are raw process data: sanitize before
// display.

#include <QDBusArgument>
#include <QList>
#include <QMetaType>
#include <QString>

namespace httptap::helper {

struct ProcessEntry {
    uint pid = 0;
    uint parentPid = 0;
    uint uid = 0;
    QString user;
    QString name; // comm
    QString commandLine;
    QString executable;
    QString tls; // "OpenSSL 3.0.11 (shared), GnuTLS" / "none"
    bool capturable = false; // every TLS implementation it carries can be read (or it has none)
};
using ProcessEntryList = QList<ProcessEntry>;

inline QDBusArgument& operator<<(QDBusArgument& arg, const ProcessEntry& e)
{
    arg.beginStructure();
    arg << e.pid << e.parentPid << e.uid << e.user << e.name << e.commandLine << e.executable << e.tls << e.capturable;
    arg.endStructure();
    return arg;
}

inline const QDBusArgument& operator>>(const QDBusArgument& arg, ProcessEntry& e)
{
    arg.beginStructure();
    arg >> e.pid >> e.parentPid >> e.uid >> e.user >> e.name >> e.commandLine >> e.executable >> e.tls >> e.capturable;
    arg.endStructure();
    return arg;
}

} // namespace httptap::helper

Q_DECLARE_METATYPE(httptap::helper::ProcessEntry)
Q_DECLARE_METATYPE(httptap::helper::ProcessEntryList)
