// SPDX-License-Identifier: GPL-2.0-or-later
#include "commandlauncher.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace httptap::helper {

namespace {

enum Stage : int { Credentials = 1, Directory = 2, Exec = 3 };

struct Failure {
    int stage;
    int error;
};

std::vector<char*> pointers(std::vector<std::string>& strings)
{
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

[[noreturn]] void fail(int fd, int stage)
{
    const Failure f {stage, errno};
    (void)!write(fd, &f, sizeof(f));
    _exit(127);
}

} // namespace

CommandLauncher::~CommandLauncher()
{
    for (int fd : {m_gateFd, m_resultFd, m_pidfd}) {
        if (fd >= 0)
            close(fd);
    }
}

bool CommandLauncher::start(uid_t uid, CommandOptions options, std::string* error)
{
    struct FdCloser {
        CommandOptions& o;
        ~FdCloser()
        {
            for (int fd : {o.stdinFd, o.stdoutFd, o.stderrFd})
                if (fd >= 0)
                    close(fd);
        }
    } closer {options};

    // The user as the system knows it: groups and home come from there.
    passwd pw {};
    passwd* found = nullptr;
    std::vector<char> pwBuffer(16384);
    if (getpwuid_r(uid, &pw, pwBuffer.data(), pwBuffer.size(), &found) != 0 || !found) {
        *error = "user " + std::to_string(uid) + " has no entry in the user database";
        return false;
    }
    if (uid == 0) {
        // Root needs no helper to run a command as root; refusing keeps the
        // rule simple: the service never starts anything as root.
        *error = "StartCommand does not run commands as root; run httptap-record --via direct as root instead";
        return false;
    }
    int ngroups = 64;
    std::vector<gid_t> groups(static_cast<size_t>(ngroups));
    while (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &ngroups) < 0) {
        if (ngroups > 65536) {
            *error = "the user is in too many groups";
            return false;
        }
        groups.resize(static_cast<size_t>(ngroups));
    }
    groups.resize(static_cast<size_t>(ngroups));
    const gid_t gid = pw.pw_gid;
    const std::string home = pw.pw_dir ? pw.pw_dir : "/";

    std::vector<std::string> env {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home,
        std::string("USER=") + pw.pw_name, std::string("LOGNAME=") + pw.pw_name,
        std::string("SHELL=") + (pw.pw_shell && *pw.pw_shell ? pw.pw_shell : "/bin/sh"), "LANG=C.UTF-8"};
    for (const std::string& entry : options.environment) {
        const std::string name = entry.substr(0, entry.find('=') + 1);
        std::erase_if(env, [&](const std::string& e) { return e.compare(0, name.size(), name) == 0; });
        env.push_back(entry);
    }
    auto argv = pointers(options.argv);
    auto envp = pointers(env);
    const std::string cwd = options.cwd;

    const int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    int gate[2];
    int result[2];
    if (devnull < 0 || pipe2(gate, O_CLOEXEC) != 0) {
        *error = std::string("cannot create a pipe: ") + strerror(errno);
        if (devnull >= 0)
            close(devnull);
        return false;
    }
    if (pipe2(result, O_CLOEXEC) != 0) {
        *error = std::string("cannot create a pipe: ") + strerror(errno);
        close(devnull);
        close(gate[0]);
        close(gate[1]);
        return false;
    }
    const int stdio[3] = {options.stdinFd >= 0 ? options.stdinFd : devnull,
        options.stdoutFd >= 0 ? options.stdoutFd : devnull, options.stderrFd >= 0 ? options.stderrFd : devnull};

    const pid_t pid = fork();
    if (pid == 0) {
        // Child: async-signal-safe calls only.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig : {SIGCHLD, SIGPIPE, SIGINT, SIGTERM, SIGHUP})
            signal(sig, SIG_DFL);
        setsid();
        // Above 2 first, so the dup2s below cannot clobber a source fd.
        int moved[3];
        for (int i = 0; i < 3; ++i)
            moved[i] = fcntl(stdio[i], F_DUPFD, 10);
        for (int i = 0; i < 3; ++i) {
            if (moved[i] < 0 || dup2(moved[i], i) < 0)
                fail(result[1], Credentials);
        }
        // Whatever else the helper has open (other clients' streams, BPF
        // objects, the bus) must not reach the command.
        syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
        if (setgroups(groups.size(), groups.data()) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
            fail(result[1], Credentials);
        if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid || setuid(0) == 0)
            fail(result[1], Credentials);
        if (!cwd.empty()) {
            if (chdir(cwd.c_str()) != 0)
                fail(result[1], Directory);
        } else if (chdir(home.c_str()) != 0 && chdir("/") != 0) {
            fail(result[1], Directory);
        }
        char go = 0;
        ssize_t n;
        while ((n = read(gate[0], &go, 1)) < 0 && errno == EINTR) { }
        if (n != 1)
            _exit(127); // capture never became ready
        environ = envp.data(); // execvp searches the PATH of the new environment
        execvp(argv[0], argv.data());
        fail(result[1], Exec);
    }
    const int forkErrno = errno;
    close(devnull);
    close(gate[0]);
    close(result[1]);
    if (pid < 0) {
        close(gate[1]);
        close(result[0]);
        *error = std::string("cannot start the command: ") + strerror(forkErrno);
        return false;
    }
    m_pid = pid;
    m_gateFd = gate[1];
    m_resultFd = result[0];
    m_pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (m_pidfd < 0) {
        *error = std::string("cannot watch the command: ") + strerror(errno);
        return false; // the destructor closes the gate: the child exits
    }
    return true;
}

int CommandLauncher::takePidfd()
{
    const int fd = m_pidfd;
    m_pidfd = -1;
    return fd;
}

void CommandLauncher::release()
{
    const char go = 1;
    (void)!write(m_gateFd, &go, 1);
    close(m_gateFd);
    m_gateFd = -1;
}

std::string CommandLauncher::readResult()
{
    Failure f {};
    ssize_t n;
    while ((n = read(m_resultFd, &f, sizeof(f))) < 0 && errno == EINTR) { }
    if (n != sizeof(f))
        return {};
    switch (f.stage) {
    case Credentials:
        return std::string("cannot switch to the calling user: ") + strerror(f.error);
    case Directory:
        return std::string("cannot enter the working directory: ") + strerror(f.error);
    default:
        return std::string("cannot run the command: ") + strerror(f.error);
    }
}

} // namespace httptap::helper
