// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Reads the process tree from /proc, so that tracing an existing process can
// include the children it already started (nginx's workers, a shell's jobs),
// not only those it starts after capture begins.

#include <cstdint>
#include <sys/types.h>
#include <vector>

namespace httptap::helper {

// Every living descendant of pid (children, grandchildren…), in no particular order.
std::vector<pid_t> descendantsOf(pid_t pid);

// Inode numbers of the sockets pid has open ("socket:[N]" in /proc/PID/fd).
std::vector<uint64_t> socketInodesOf(pid_t pid);

// Parent pid from /proc/PID/stat, or 0 if the process is gone.
pid_t parentOf(pid_t pid);

} // namespace httptap::helper
