// SPDX-License-Identifier: GPL-2.0-or-later
#include "gotlsprobes.h"

#include "capture.skel.h"
#include "gobinary.h"
#include "gofuncprobes.h"
#include "gotls.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace httptap::helper::golang {

namespace {

const char kWrite[] = "crypto/tls.(*Conn).Write";
const char kRead[] = "crypto/tls.(*Conn).Read";
// The first method of *net.TCPConn's net.Conn method table: tells a TCP
// connection from any other net.Conn behind a tls.Conn.
const char kTcpConnClose[] = "net.(*TCPConn).Close";

// Struct layouts read by go_conn_fd(), unchanged from Go 1.12 to 1.23:
// tls.Conn starts with `conn net.Conn`; an itab is {inter, _type, hash u32 +
// pad, fun[]}; net.TCPConn is struct{conn} and conn is struct{fd *netFD};
// netFD starts with pfd poll.FD, whose fdMutex (u64 + 2×u32) precedes Sysfd.
go_tls_binary layoutFor(const GoBinary&)
{
    go_tls_binary layout {};
    layout.conn_offset = 0;
    layout.itab_fun_offset = 24;
    layout.netfd_offset = 0;
    layout.sysfd_offset = 16;
    return layout;
}

// Links attached so far, detached again unless release() is called.
class LinkGuard
{
public:
    ~LinkGuard()
    {
        for (bpf_link* link : m_links)
            bpf_link__destroy(link);
    }
    void add(bpf_link* link) { m_links.push_back(link); }
    std::vector<bpf_link*> release() { return std::exchange(m_links, {}); }

private:
    std::vector<bpf_link*> m_links;
};

bool attachAt(bpf_program* prog, const std::string& path, const ProbePoint& point, uint32_t binaryKey,
    LinkGuard& guard, std::string* error)
{
    LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = GO_COOKIE(binaryKey, point.vaddr));
    bpf_link* link
        = bpf_program__attach_uprobe_opts(prog, -1, path.c_str(), static_cast<size_t>(point.fileOffset), &opts);
    if (!link) {
        *error = std::string("could not attach a uprobe at file offset ") + std::to_string(point.fileOffset) + ": "
            + strerror(errno);
        return false;
    }
    guard.add(link);
    return true;
}

} // namespace

std::optional<GoTlsInfo> inspectGoTls(const std::string& path)
{
    std::string error;
    const auto binary = GoBinary::open(path, &error);
    if (!binary)
        return std::nullopt;
    if (binary->functions({kWrite}).empty())
        return std::nullopt;
    return GoTlsInfo {binary->version(), binary->stripped()};
}

bool attachGoTls(capture_bpf* skel, const std::string& path, const std::string& displayPath, uint32_t binaryKey,
    std::vector<bpf_link*>& links, std::vector<std::string>* notes, std::string* error)
{
    const auto binary = GoBinary::open(path, error);
    if (!binary)
        return false;
    const std::string version = binary->version().empty() ? "an unknown Go version" : binary->version();
    if (!binary->registerAbi()) {
        *error = displayPath + " was built by " + version
            + ", before Go 1.17's register calling convention: its crypto/tls is not captured";
        return false;
    }
    const auto functions = binary->functions({kWrite, kRead, kTcpConnClose});
    if (!functions.count(kWrite) || !functions.count(kRead)) {
        *error = displayPath + ": crypto/tls.(*Conn).Write or Read not found in "
            + (binary->stripped() ? ".gopclntab" : "its symbol table");
        return false;
    }
    go_tls_binary layout = layoutFor(*binary);
    if (const auto close = functions.find(kTcpConnClose); close != functions.end())
        layout.tcpconn_close = close->second.entry;
    notes->push_back("go: " + displayPath + " built by " + version
        + (binary->stripped() ? ", stripped: functions found through .gopclntab" : ", functions found in .symtab")
        + (layout.tcpconn_close ? "" : "; net.(*TCPConn).Close not found, TLS connections are not checked to be TCP"));
    const struct {
        const char* name;
        bpf_program* entry;
    } targets[] = {{kWrite, skel->progs.go_tls_write_entry}, {kRead, skel->progs.go_tls_read_entry}};
    GoFunctionProbes plans[2];
    for (int i = 0; i < 2; ++i) {
        std::string why;
        if (!planGoFunctionProbes(*binary, functions.at(targets[i].name), &plans[i], &why)) {
            *error = displayPath + ": cannot probe " + targets[i].name + ": " + why;
            return false;
        }
    }
    // Write is copied at its entry when that is the prologue's jbe (see gotls.bpf.h).
    if (plans[0].entryAtPrologueJump)
        layout.flags |= GO_BINARY_WRITE_AT_ENTRY;
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.go_binaries), &binaryKey, &layout, BPF_ANY) != 0) {
        *error = std::string("could not register ") + displayPath + " with the Go probes: " + strerror(errno);
        return false;
    }

    LinkGuard guard;
    for (int i = 0; i < 2; ++i) {
        const auto& target = targets[i];
        const GoFunction& function = functions.at(target.name);
        const GoFunctionProbes& plan = plans[i];
        const bool withReturns = !(i == 0 && (layout.flags & GO_BINARY_WRITE_AT_ENTRY));
        std::string why;
        if (!attachAt(target.entry, path, plan.entry, binaryKey, guard, &why)) {
            *error = displayPath + ": " + target.name + ": " + why;
            return false;
        }
        for (const ProbePoint& ret : plan.returns) {
            if (withReturns && !attachAt(skel->progs.go_tls_return, path, ret, binaryKey, guard, &why)) {
                *error = displayPath + ": " + target.name + " RET: " + why;
                return false;
            }
        }
        notes->push_back(std::string("go: ") + target.name + " " + describe(function, plan, withReturns));
    }
    for (bpf_link* link : guard.release())
        links.push_back(link);
    return true;
}

} // namespace httptap::helper::golang
