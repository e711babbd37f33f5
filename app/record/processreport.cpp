// SPDX-License-Identifier: GPL-2.0-or-later
#include "processreport.h"

#include "processinspector.h"
#include "processtree.h"

#include <cstdio>
#include <unistd.h>

namespace httptap::cli {

using helper::ProcessInfo;
using helper::TlsImplementation;

std::string terminalSafe(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        // C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F) include CSI, which UTF-8 terminals obey too.
        if (c == 0xc2 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) & 0xe0) == 0x80) {
            char esc[9];
            std::snprintf(esc, sizeof(esc), "\\u%04x", static_cast<unsigned char>(text[++i]));
            out += esc;
        } else if (c < 0x20 || c == 0x7f) {
            char esc[5];
            std::snprintf(esc, sizeof(esc), "\\x%02x", c);
            out += esc;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

namespace {

std::string capturability(const ProcessInfo& p)
{
    if (!p.inspected)
        return "unknown";
    bool unsupported = false;
    for (const TlsImplementation& t : p.tls)
        unsupported |= !t.capturable;
    return unsupported ? "partly" : "yes";
}

std::string clip(const std::string& text, size_t width)
{
    return text.size() <= width ? text : text.substr(0, width - 1) + "~";
}

} // namespace

int listProcesses()
{
    const auto processes = helper::listProcesses(true);
    std::printf("%7s  %-10s  %-16s  %-10s  %-34s  %s\n", "PID", "USER", "NAME", "CAPTURE", "TLS", "COMMAND");
    for (const ProcessInfo& p : processes) {
        std::printf("%7d  %-10s  %-16s  %-10s  %-34s  %s\n", p.pid, clip(terminalSafe(p.user), 10).c_str(),
            clip(terminalSafe(p.name), 16).c_str(), capturability(p).c_str(),
            clip(terminalSafe(helper::tlsSummary(p)), 34).c_str(), clip(terminalSafe(p.commandLine), 120).c_str());
    }
    if (geteuid() != 0)
        std::printf("\nRun as root to see the TLS libraries of other users' processes.\n");
    return 0;
}

int doctor(pid_t pid)
{
    const auto info = helper::inspectProcess(pid);
    if (!info) {
        std::fprintf(stderr, "httptap-record: no process with pid %d (it does not exist or has already exited)\n", pid);
        return 1;
    }
    const ProcessInfo& p = *info;
    std::printf("pid %d (%s), user %s, parent %d\n", p.pid, terminalSafe(p.name).c_str(), terminalSafe(p.user).c_str(),
        p.parentPid);
    std::printf("executable: %s\n", terminalSafe(p.executable).c_str());
    std::printf("command:    %s\n", terminalSafe(p.commandLine).c_str());
    if (!p.inspected) {
        std::printf("\nCannot read this process's memory map: run as root to inspect it.\n");
        return 1;
    }
    std::printf("\nPlaintext HTTP over TCP sockets: captured (syscall tracepoints).\n");
    if (p.tls.empty())
        std::printf("TLS: no TLS implementation found; HTTPS made by this process would be seen as encrypted only.\n");
    else
        std::printf("TLS implementations:\n");
    for (const TlsImplementation& t : p.tls) {
        std::string what = t.name + (t.version.empty() ? "" : " " + t.version);
        if (t.embedded)
            what += " (built in)";
        if (t.stripped)
            what += " (symbols stripped)";
        std::printf("  %-8s %-32s %s\n    %s\n", t.capturable ? "yes" : "NO", terminalSafe(what).c_str(),
            terminalSafe(t.path).c_str(), terminalSafe(t.reason).c_str());
    }
    const auto children = helper::descendantsOf(p.pid);
    if (!children.empty()) {
        std::printf("\n%zu descendant process%s, captured too unless --no-follow-forks:", children.size(),
            children.size() == 1 ? "" : "es");
        for (size_t i = 0; i < children.size() && i < 20; ++i)
            std::printf(" %d", children[i]);
        std::printf(children.size() > 20 ? " …\n" : "\n");
    }
    return 0;
}

} // namespace httptap::cli
