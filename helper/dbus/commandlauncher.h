// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Starts a command for StartCommand as the calling user, never as root: the
// child drops to the user's uid, gid and supplementary groups before it does
// anything the caller chose (cwd, the executable), gets a minimal environment
// and no fd of the helper's but the three it was given, and then waits at a
// gate. The helper attaches the probes and releases the gate, so the command
// is traced from its first instruction.
//
// The child runs only async-signal-safe calls between fork and exec (the
// helper has threads): everything it needs is prepared before the fork.

#include "captureoptions.h"

#include <string>
#include <sys/types.h>

namespace httptap::helper {

class CommandLauncher
{
public:
    CommandLauncher() = default;
    ~CommandLauncher(); // unreleased: the gate closes and the child exits without running anything
    CommandLauncher(const CommandLauncher&) = delete;
    CommandLauncher& operator=(const CommandLauncher&) = delete;

    // Forks the gated child as `uid`. Consumes the fds in options.
    bool start(uid_t uid, CommandOptions options, std::string* error);

    pid_t pid() const { return m_pid; }
    // Readable once the command has exited; the caller owns it afterwards.
    int takePidfd();

    // Lets the command exec. The outcome is then readable on resultFd():
    // EOF when exec succeeded, else the reason (see readResult()).
    void release();
    int resultFd() const { return m_resultFd; }
    // After resultFd() became readable: empty when the command runs, else why not.
    std::string readResult();

private:
    pid_t m_pid = -1;
    int m_pidfd = -1;
    int m_gateFd = -1; // write end
    int m_resultFd = -1; // read end; the child writes {stage, errno} on failure
};

} // namespace httptap::helper
