// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Finds the TLS libraries a process maps (from /proc/PID/maps) and the
// system-wide copies a process may load later, identified by file identity
// (device, inode) so one library reached through different paths, mount
// namespaces or symlinks is probed once.

#include "record/recordformat.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace httptap::helper {

struct TlsLibrary {
    record::Source source = record::Source::OpenSsl;
    std::string path; // path the helper can open (through /proc/PID/root when found in a process)
    std::string displayPath; // path as the process sees it
    dev_t device = 0;
    ino_t inode = 0;
};

// Libraries mapped by pid; empty if the process is gone or maps none.
std::vector<TlsLibrary> tlsLibrariesOfProcess(pid_t pid);

// Libraries installed in the usual system library folders.
std::vector<TlsLibrary> systemTlsLibraries();

// True for "libssl.so", "libssl.so.3", "libssl.so.1.1"…
bool isOpenSslLibraryName(const std::string& fileName);

} // namespace httptap::helper
