// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Starts httptap-helper in direct mode as a child process and exposes the
// read end of its record stream. Also starts a COMMAND held at a gate until
// capture is ready, so it is traced from its first instruction.

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace httptap::cli {

class HelperProcess
{
public:
    ~HelperProcess();
    bool start(const std::string& path, const std::vector<std::string>& args, std::string* error);
    int streamFd() const { return m_streamFd; }
    pid_t pid() const { return m_pid; }
    void terminate(); // asks the helper to drain and end its stream
    // Reaps the helper; returns its exit status (or -signal).
    int wait();

private:
    pid_t m_pid = -1;
    int m_streamFd = -1;
};

// A command forked and waiting at a gate; release() lets it exec.
class GatedCommand
{
public:
    ~GatedCommand();
    bool start(const std::vector<std::string>& command, std::string* error);
    // Lets the command run. Returns false with *error if exec failed.
    bool release(std::string* error);
    pid_t pid() const { return m_pid; }
    // Non-blocking reap; true once the command has exited (status in exitStatus()).
    bool poll();
    int waitBlocking();
    bool exited() const { return m_exited; }
    int exitStatus() const { return m_status; }
    void terminate();

private:
    pid_t m_pid = -1;
    int m_gateFd = -1; // write end: closing it with a byte lets the child exec
    int m_execErrorFd = -1; // read end: the child writes errno here if exec fails
    bool m_exited = false;
    int m_status = 0;
};

} // namespace httptap::cli
