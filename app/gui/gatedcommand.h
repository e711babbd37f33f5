// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A command for "Launch a Command…" in direct mode (httptap runs as root):
// forked at once but held at a gate until the helper has attached its probes
// to it, so it is traced from its first instruction; then it enters its
// working directory and execs, its output going to /dev/null. Through the
// httptap service the service does this itself (StartCommand).

#include <QString>
#include <QStringList>

#include <sys/types.h>

namespace httptap {

class GatedCommand
{
public:
    GatedCommand() = default;
    GatedCommand(const GatedCommand&) = delete;
    GatedCommand& operator=(const GatedCommand&) = delete;
    // An unreleased command exits without running anything.
    ~GatedCommand();

    bool start(const QStringList& argv, const QString& workingDirectory, QString* error);
    // Lets it exec; false with *error when exec failed (no such program, not executable).
    bool release(QString* error);
    pid_t pid() const { return m_pid; }
    bool released() const { return m_gateFd < 0; }

private:
    pid_t m_pid = -1;
    int m_gateFd = -1; // write end: a byte lets the child go on
    int m_execErrorFd = -1; // read end: errno if exec failed, EOF (close-on-exec) if it worked
};

} // namespace httptap
