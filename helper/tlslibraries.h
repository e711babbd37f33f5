// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Finds the TLS implementations a process carries: shared libraries known by
// name (libssl, libgnutls) and copies compiled into other files (node's
// OpenSSL, BoringSSL in Python extensions), recognised by their symbols.
// Files are identified by (device, inode) so one library reached through
// different paths, mount namespaces or symlinks is probed once.

#include "record/recordformat.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace httptap::helper {

struct MappedFile {
    std::string path; // a path the helper can open (through /proc/PID/root when found in a process)
    std::string displayPath; // the path as the process sees it
    dev_t device = 0;
    ino_t inode = 0;
};

struct TlsLibrary {
    record::Source source = record::Source::OpenSsl;
    bool embedded = false; // compiled into an executable or another library
    bool stripped = false; // no .symtab: only exported functions can be found
    MappedFile file;
    std::map<std::string, uint64_t> offsets; // probed function → file offset
};

// Regular files pid maps with execute permission, each once; empty if the process is gone.
std::vector<MappedFile> executableMappings(pid_t pid);

// Whether file is a TLS implementation httptap can probe, and which.
std::optional<TlsLibrary> classifyTlsFile(const MappedFile& file);

// TLS libraries installed in the usual system library folders, probed up front
// so that processes started later are captured from their first call.
std::vector<TlsLibrary> systemTlsLibraries();

bool isOpenSslLibraryName(const std::string& fileName); // libssl.so, libssl.so.3, libssl.so.1.1…
bool isGnuTlsLibraryName(const std::string& fileName); // libgnutls.so.30…

} // namespace httptap::helper
