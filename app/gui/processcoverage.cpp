// SPDX-License-Identifier: GPL-2.0-or-later
#include "processcoverage.h"

#include "models/textescape.h"
#include "processinspector.h"

#include <QCoreApplication>

#include <mutex>

namespace httptap {

namespace {

QString text(const std::string& s)
{
    return escapeBytes(QByteArray::fromStdString(s));
}

QString tr(const char* s)
{
    return QCoreApplication::translate("ProcessCoverage", s);
}

} // namespace

ProcessListModel::Process processRow(const helper::ProcessInfo& info)
{
    ProcessListModel::Process p;
    p.pid = info.pid;
    p.user = text(info.user);
    p.name = text(info.name);
    p.commandLine = text(info.commandLine);
    p.executable = text(info.executable);
    if (!info.inspected) {
        p.tls = tr("unknown");
        p.tlsDetails = tr("httptap may not read this process's memory map. Run httptap as root to see "
                          "which TLS libraries it uses; capturing it still works through the httptap service.");
        return p;
    }
    if (info.tls.empty()) {
        p.tls = tr("none (plaintext only)");
        p.tlsDetails = tr("No TLS implementation is loaded: plaintext HTTP is captured; HTTPS, if any, "
                          "would be seen encrypted only.");
        return p;
    }
    QStringList summary, details;
    for (const helper::TlsImplementation& t : info.tls) {
        QString what = text(t.name);
        if (!t.version.empty())
            what += QLatin1Char(' ') + text(t.version);
        if (t.stripped)
            what += tr(" (stripped)");
        const QString mark = t.capturable ? QStringLiteral("✓") : QStringLiteral("✗");
        summary << what + QLatin1Char(' ') + mark;
        QString line = mark + QLatin1Char(' ') + what + (t.embedded ? tr(" (built in)") : QString());
        if (!t.path.empty())
            line += QStringLiteral(" — ") + text(t.path);
        if (!t.reason.empty())
            line += QStringLiteral("\n    ") + text(t.reason);
        details << line;
        p.tlsCapturable &= t.capturable;
    }
    p.tls = summary.join(QStringLiteral(", "));
    p.tlsDetails = details.join(QLatin1Char('\n'));
    return p;
}

std::vector<ProcessListModel::Process> inspectProcesses()
{
    // The inspector caches what it learnt about each file in statics.
    static std::mutex oneAtATime;
    std::lock_guard lock(oneAtATime);
    std::vector<ProcessListModel::Process> rows;
    for (const helper::ProcessInfo& info : helper::listProcesses(true))
        rows.push_back(processRow(info));
    return rows;
}

} // namespace httptap
