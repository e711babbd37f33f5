// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The coverage doctor's data: which processes exist, which TLS
// implementations each carries, and whether httptap can read them. Shared by
// `httptap-record --list-processes / --doctor`, the D-Bus service's process
// list and the GUI's picker. Reads /proc and the mapped files only; needs root
// to see other users' processes (others are listed without TLS details).

#include "record/recordformat.h"

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace httptap::helper {

struct TlsImplementation {
    enum class Kind {
        OpenSsl, // shared libssl or a copy compiled into a file
        GnuTls,
        Go, // Go crypto/tls
        Nss, // Mozilla NSS (Firefox, Thunderbird)
        JavaJsse, // the JVM's built-in TLS
        Rustls,
        BoringSslUnknown, // a TLS implementation seen by its strings but without usable symbols
    };
    Kind kind = Kind::OpenSsl;
    std::string name; // "OpenSSL", "GnuTLS", "Go crypto/tls", "NSS", "Java (JSSE)", "rustls"
    std::string path; // file as the process sees it
    std::string version; // "3.0.22", "go1.19.8", "" when unknown
    bool embedded = false; // compiled into an executable or another library
    bool stripped = false;
    bool capturable = false;
    std::string reason; // why not capturable, or how it is captured
};

struct ProcessInfo {
    pid_t pid = 0;
    pid_t parentPid = 0;
    uid_t uid = 0;
    std::string user;
    std::string name; // comm
    std::string commandLine; // NUL-separated argv joined with spaces (raw bytes: sanitize before display)
    std::string executable; // /proc/PID/exe target
    bool inspected = false; // false: no permission to read its mappings
    std::vector<TlsImplementation> tls;
};

// Every process, sorted by pid. With inspectTls, each one's mappings are read
// (files are classified once and cached for the life of the program).
std::vector<ProcessInfo> listProcesses(bool inspectTls);

// One process, or nullopt if it does not exist.
std::optional<ProcessInfo> inspectProcess(pid_t pid);

// Human summary of a process's TLS: "OpenSSL 3.0.22 (shared), GnuTLS" / "none".
std::string tlsSummary(const ProcessInfo& process);

} // namespace httptap::helper
