// SPDX-License-Identifier: GPL-2.0-or-later
#include "undecryptedreport.h"

#include "processinspector.h"
#include "processreport.h"

#include <arpa/inet.h>

namespace httptap::cli {

namespace {

std::string endpoint(uint8_t family, const record::Endpoint& e)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (family == 4)
        inet_ntop(AF_INET, e.addr.data(), text, sizeof(text));
    else if (family == 6)
        inet_ntop(AF_INET6, e.addr.data(), text, sizeof(text));
    else
        return "an unknown address";
    return family == 6 ? "[" + std::string(text) + "]:" + std::to_string(e.port)
                       : std::string(text) + ":" + std::to_string(e.port);
}

// Why the doctor thinks this process's TLS was not readable.
std::string reasonFor(uint32_t pid)
{
    const auto info = helper::inspectProcess(static_cast<pid_t>(pid));
    if (!info)
        return "the process has exited; run httptap-record --doctor on it while it runs to see its TLS libraries";
    std::string unsupported;
    for (const helper::TlsImplementation& t : info->tls) {
        if (!t.capturable)
            unsupported += (unsupported.empty() ? "" : "; ") + t.reason;
    }
    if (!unsupported.empty())
        return unsupported;
    if (info->tls.empty())
        return "no TLS library httptap knows was found in it (a statically linked, stripped or unsupported TLS "
               "implementation)";
    return "its TLS library (" + helper::tlsSummary(*info)
        + ") was probed, but not for this connection (set up before capture, or a copy httptap did not find)";
}

} // namespace

void UndecryptedReport::add(const record::ConnClose& close)
{
    if (!(close.flags & record::kCloseEncryptedUnread))
        return;
    PerProcess& p = m_byPid[close.pid];
    if (p.connections++ > 0)
        return;
    p.example = endpoint(close.family, close.remote);
    // Ask now: a connection closes before its process exits, so the process is still there.
    if (const auto info = helper::inspectProcess(static_cast<pid_t>(close.pid)))
        p.name = info->name;
    p.reason = reasonFor(close.pid);
}

std::vector<std::string> UndecryptedReport::lines() const
{
    std::vector<std::string> out;
    for (const auto& [pid, p] : m_byPid) {
        const std::string who = (p.name.empty() ? std::string() : terminalSafe(p.name) + " ") + "(pid "
            + std::to_string(pid) + ")";
        out.push_back("warning: " + std::to_string(p.connections) + " TLS connection" + (p.connections == 1 ? "" : "s")
            + " of " + who + ", e.g. to " + p.example
            + ", carried encrypted bytes that httptap could not read: " + terminalSafe(p.reason));
    }
    return out;
}

} // namespace httptap::cli
