// SPDX-License-Identifier: GPL-2.0-or-later
#include "helperprocess.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace httptap::cli {

namespace {

// A 64 KiB pipe holds half a millisecond of a busy capture: the helper would block mid-batch and
// both ends would take turns waking each other. 1 MiB is the most an unprivileged pipe may have.
constexpr int kStreamPipeBytes = 1 << 20;

int decodeStatus(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}

std::vector<char*> argv(const std::vector<std::string>& args)
{
    std::vector<char*> out;
    for (const auto& a : args)
        out.push_back(const_cast<char*>(a.c_str()));
    out.push_back(nullptr);
    return out;
}

} // namespace

HelperProcess::~HelperProcess()
{
    if (m_streamFd >= 0)
        close(m_streamFd);
    if (m_pid > 0) {
        kill(m_pid, SIGTERM);
        waitpid(m_pid, nullptr, 0);
    }
}

bool HelperProcess::start(const std::string& path, const std::vector<std::string>& args, std::string* error)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        *error = std::string("cannot create a pipe: ") + strerror(errno);
        return false;
    }
    fcntl(fds[0], F_SETPIPE_SZ, kStreamPipeBytes); // best effort: a smaller pipe works, more slowly
    std::vector<std::string> full {path};
    full.insert(full.end(), args.begin(), args.end());
    auto av = argv(full);
    const pid_t pid = fork();
    if (pid < 0) {
        *error = std::string("cannot start the capture helper: ") + strerror(errno);
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        // If we die (even by SIGKILL) the helper must not outlive us holding probes.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(fds[1], STDOUT_FILENO);
        const int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        execv(path.c_str(), av.data());
        _exit(127);
    }
    close(fds[1]);
    m_pid = pid;
    m_streamFd = fds[0];
    return true;
}

void HelperProcess::terminate()
{
    if (m_pid > 0)
        kill(m_pid, SIGTERM);
}

int HelperProcess::wait()
{
    if (m_pid <= 0)
        return 0;
    int status = 0;
    while (waitpid(m_pid, &status, 0) < 0 && errno == EINTR) { }
    m_pid = -1;
    return decodeStatus(status);
}

GatedCommand::~GatedCommand()
{
    if (m_gateFd >= 0)
        close(m_gateFd); // unreleased: the child sees EOF and exits without running
    if (m_execErrorFd >= 0)
        close(m_execErrorFd);
    if (m_pid > 0 && !m_exited)
        waitpid(m_pid, nullptr, WNOHANG);
}

bool GatedCommand::start(const std::vector<std::string>& command, std::string* error)
{
    int gate[2];
    int execError[2];
    if (pipe2(gate, O_CLOEXEC) != 0 || pipe2(execError, O_CLOEXEC) != 0) {
        *error = std::string("cannot create a pipe: ") + strerror(errno);
        return false;
    }
    auto av = argv(command);
    const pid_t pid = fork();
    if (pid < 0) {
        *error = std::string("cannot start the command: ") + strerror(errno);
        return false;
    }
    if (pid == 0) {
        close(gate[1]);
        close(execError[0]);
        char go = 0;
        ssize_t n;
        while ((n = read(gate[0], &go, 1)) < 0 && errno == EINTR) { }
        if (n != 1)
            _exit(127); // capture never became ready
        execvp(av[0], av.data());
        const int err = errno;
        (void)!write(execError[1], &err, sizeof(err));
        _exit(127);
    }
    close(gate[0]);
    close(execError[1]);
    m_pid = pid;
    m_gateFd = gate[1];
    m_execErrorFd = execError[0];
    return true;
}

bool GatedCommand::release(std::string* error)
{
    const char go = 1;
    (void)!write(m_gateFd, &go, 1);
    close(m_gateFd);
    m_gateFd = -1;
    // The error pipe closes on a successful exec (CLOEXEC) or carries errno.
    int err = 0;
    ssize_t n;
    while ((n = read(m_execErrorFd, &err, sizeof(err))) < 0 && errno == EINTR) { }
    close(m_execErrorFd);
    m_execErrorFd = -1;
    if (n == sizeof(err)) {
        *error = std::string("cannot run the command: ") + strerror(err);
        return false;
    }
    return true;
}

bool GatedCommand::poll()
{
    if (m_exited || m_pid <= 0)
        return m_exited;
    int status = 0;
    if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_exited = true;
        m_status = decodeStatus(status);
    }
    return m_exited;
}

int GatedCommand::waitBlocking()
{
    if (m_exited || m_pid <= 0)
        return m_status;
    int status = 0;
    while (waitpid(m_pid, &status, 0) < 0 && errno == EINTR) { }
    m_exited = true;
    m_status = decodeStatus(status);
    return m_status;
}

void GatedCommand::terminate()
{
    if (m_pid > 0 && !poll())
        kill(m_pid, SIGTERM);
}

} // namespace httptap::cli
