// SPDX-License-Identifier: GPL-2.0-or-later
#include "gatedcommand.h"

#include <QObject>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace httptap {

GatedCommand::~GatedCommand()
{
    if (m_gateFd >= 0)
        ::close(m_gateFd); // the child reads EOF and leaves without running anything
    if (m_execErrorFd >= 0)
        ::close(m_execErrorFd);
    // The child is reaped by whoever waits for it (the helper reports its exit); never block here.
    if (m_pid > 0)
        ::waitpid(m_pid, nullptr, WNOHANG);
}

bool GatedCommand::start(const QStringList& argv, const QString& workingDirectory, QString* error)
{
    if (argv.isEmpty()) {
        *error = QObject::tr("There is no command to run.");
        return false;
    }
    // Everything the child needs is made before fork: afterwards only async-signal-safe calls.
    std::vector<QByteArray> storage;
    for (const QString& a : argv)
        storage.push_back(a.toLocal8Bit());
    std::vector<char*> args;
    for (QByteArray& a : storage)
        args.push_back(a.data());
    args.push_back(nullptr);
    const QByteArray cwd = workingDirectory.toLocal8Bit();
    sigset_t noSignals;
    sigemptyset(&noSignals);
    int gate[2];
    int execError[2];
    if (::pipe2(gate, O_CLOEXEC) != 0)
        return *error = QObject::tr("Cannot create a pipe: %1").arg(QString::fromLocal8Bit(strerror(errno))), false;
    if (::pipe2(execError, O_CLOEXEC) != 0) {
        ::close(gate[0]);
        ::close(gate[1]);
        return *error = QObject::tr("Cannot create a pipe: %1").arg(QString::fromLocal8Bit(strerror(errno))), false;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        *error = QObject::tr("Cannot start the command: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        for (int fd : { gate[0], gate[1], execError[0], execError[1] })
            ::close(fd);
        return false;
    }
    if (pid == 0) {
        ::close(gate[1]); // or the gate never reads EOF when we close ours
        ::close(execError[0]);
        char go = 0;
        ssize_t n;
        while ((n = ::read(gate[0], &go, 1)) < 0 && errno == EINTR) { }
        if (n != 1)
            _exit(127); // the capture never became ready
        int err = 0;
        const int null = ::open("/dev/null", O_RDWR);
        if (null >= 0) {
            ::dup2(null, STDIN_FILENO);
            ::dup2(null, STDOUT_FILENO);
            ::dup2(null, STDERR_FILENO);
        }
        // Nothing of this process's signal set-up carries over to the command.
        ::signal(SIGPIPE, SIG_DFL);
        ::sigprocmask(SIG_SETMASK, &noSignals, nullptr);
        if (!cwd.isEmpty() && ::chdir(cwd.constData()) != 0)
            err = errno;
        else {
            ::execvp(args[0], args.data());
            err = errno;
        }
        (void)!::write(execError[1], &err, sizeof(err));
        _exit(127);
    }
    ::close(gate[0]);
    ::close(execError[1]);
    m_pid = pid;
    m_gateFd = gate[1];
    m_execErrorFd = execError[0];
    return true;
}

bool GatedCommand::release(QString* error)
{
    if (m_gateFd < 0)
        return true;
    const char go = 1;
    (void)!::write(m_gateFd, &go, 1);
    ::close(m_gateFd);
    m_gateFd = -1;
    // Closed by a successful exec (close-on-exec), or carrying errno: a short blocking read.
    int err = 0;
    ssize_t n;
    while ((n = ::read(m_execErrorFd, &err, sizeof(err))) < 0 && errno == EINTR) { }
    ::close(m_execErrorFd);
    m_execErrorFd = -1;
    if (n == sizeof(err)) {
        *error = QObject::tr("Cannot run the command: %1").arg(QString::fromLocal8Bit(strerror(err)));
        return false;
    }
    return true;
}

} // namespace httptap
