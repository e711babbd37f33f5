// SPDX-License-Identifier: GPL-2.0-or-later
#include "processinspector.h"

#include "elfsymbols.h"
#include "processtree.h"
#include "tlslibraries.h"

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <pwd.h>
#include <sstream>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace httptap::helper {

namespace {

using Kind = TlsImplementation::Kind;

std::string baseName(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool startsWith(const std::string& s, const char* prefix)
{
    return s.rfind(prefix, 0) == 0;
}

// Calls visit(begin, end) with the file's bytes, mapped read-only.
template<typename Visit>
void withFileBytes(const std::string& path, Visit visit)
{
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st {};
    if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < (1ll << 31)) {
        void* map = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            visit(static_cast<const char*>(map), static_cast<const char*>(map) + st.st_size);
            munmap(map, static_cast<size_t>(st.st_size));
        }
    }
    close(fd);
}

bool fileContains(const std::string& path, const std::string& needle)
{
    bool found = false;
    withFileBytes(path, [&](const char* begin, const char* end) {
        found = memmem(begin, static_cast<size_t>(end - begin), needle.data(), needle.size()) != nullptr;
    });
    return found;
}

// The first "<prefix><digits and dots><letter?>" with at least minDots dots in
// the file, e.g. "OpenSSL 3.0.22" → "3.0.22".
std::string versionAfter(const std::string& path, const std::string& prefix, int minDots = 2)
{
    std::string version;
    withFileBytes(path, [&](const char* begin, const char* end) {
        for (const char* p = begin; p < end;) {
            p = static_cast<const char*>(memmem(p, static_cast<size_t>(end - p), prefix.data(), prefix.size()));
            if (!p)
                return;
            const char* v = p + prefix.size();
            const char* q = v;
            while (q < end && ((*q >= '0' && *q <= '9') || *q == '.') && q - v < 16)
                ++q;
            if (q < end && *q >= 'a' && *q <= 'z' && prefix != "go")
                ++q; // OpenSSL 1.1.1w
            if (q - v >= 3 && *v >= '0' && *v <= '9' && std::count(v, q, '.') >= minDots) {
                version.assign(v, q);
                return;
            }
            p = v;
        }
    });
    return version;
}

// libssl keeps no version text: its libcrypto (same folder, same suffix) does.
std::string openSslVersion(const TlsLibrary& lib)
{
    if (lib.embedded)
        return versionAfter(lib.file.path, "OpenSSL ");
    std::string crypto = lib.file.path;
    const auto at = crypto.rfind("libssl");
    if (at == std::string::npos)
        return {};
    crypto.replace(at, 6, "libcrypto");
    return versionAfter(crypto, "OpenSSL ");
}

// Libraries httptap knows but cannot read, recognised by name.
std::optional<TlsImplementation> unsupportedByName(const std::string& name)
{
    TlsImplementation t;
    if (startsWith(name, "libnss3.so") || startsWith(name, "libssl3.so")) {
        t.kind = Kind::Nss;
        t.name = "NSS";
        t.reason = "Mozilla NSS is not supported yet: its traffic is seen as encrypted";
        return t;
    }
    if (startsWith(name, "libjvm.so")) {
        t.kind = Kind::JavaJsse;
        t.name = "Java (JSSE)";
        t.reason = "Java's built-in TLS runs as JIT-compiled code: not supported, traffic is seen as encrypted";
        return t;
    }
    return std::nullopt;
}

// The TLS implementations one mapped file carries, classified once per (device, inode).
const std::vector<TlsImplementation>& implementationsIn(const MappedFile& file)
{
    static std::map<std::pair<dev_t, ino_t>, std::vector<TlsImplementation>> cache;
    const auto key = std::make_pair(file.device, file.inode);
    if (auto it = cache.find(key); it != cache.end())
        return it->second;

    std::vector<TlsImplementation> found;
    const std::string name = baseName(file.displayPath);
    if (auto lib = classifyTlsFile(file)) {
        TlsImplementation t;
        t.path = file.displayPath;
        t.embedded = lib->embedded;
        t.stripped = lib->stripped;
        t.capturable = true;
        switch (lib->source) {
        case record::Source::GnuTls:
            t.kind = Kind::GnuTls;
            t.name = "GnuTLS";
            t.version = versionAfter(file.path, std::string("\0" "3.", 3), 1); // gnutls_check_version's text
            if (!t.version.empty())
                t.version = "3." + t.version;
            t.reason = "gnutls_record_send/recv probes";
            break;
        case record::Source::GoTls:
            t.kind = Kind::Go;
            t.name = "Go crypto/tls";
            t.version = versionAfter(file.path, "go", 1);
            t.reason = "crypto/tls.(*Conn) Read/Write probes";
            break;
        default:
            t.kind = Kind::OpenSsl;
            t.name = "OpenSSL";
            // libssl's version text lives in libcrypto; a copy compiled in carries both.
            t.version = openSslVersion(*lib);
            t.reason = lib->embedded ? "SSL_read/SSL_write probes in the executable" : "SSL_read/SSL_write probes";
            break;
        }
        found.push_back(std::move(t));
    } else if (auto t = unsupportedByName(name)) {
        t->path = file.displayPath;
        found.push_back(std::move(*t));
    } else if (!startsWith(name, "lib") || name.find(".so") == std::string::npos) {
        // An executable (not a well-known library): look for TLS stacks compiled in
        // that we cannot probe, so the user hears why nothing shows up.
        const ElfSymbolInfo symbols = lookupElfSymbols(file.path, {"SSL_read", "SSL_write"});
        // Rust binaries keep their crates' source paths (".../rustls-0.21.7/src/conn.rs").
        // The needle is assembled at run time so this program does not match itself.
        static const std::string rustlsCrate = std::string("/rust") + "ls-0.";
        if (symbols.isElf && fileContains(file.path, rustlsCrate)) {
            TlsImplementation t;
            t.kind = Kind::Rustls;
            t.name = "rustls";
            t.path = file.displayPath;
            t.reason = "rustls is not supported yet: its traffic is seen as encrypted";
            found.push_back(std::move(t));
        }
    }
    return cache.emplace(key, std::move(found)).first->second;
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool fillBasics(pid_t pid, ProcessInfo& info)
{
    const std::string dir = "/proc/" + std::to_string(pid);
    std::ifstream status(dir + "/status");
    if (!status)
        return false;
    info.pid = pid;
    std::string line;
    while (std::getline(status, line)) {
        if (startsWith(line, "Name:"))
            info.name = line.substr(line.find_first_not_of(" \t", 5));
        else if (startsWith(line, "Uid:"))
            info.uid = static_cast<uid_t>(std::strtoul(line.c_str() + 4, nullptr, 10));
        else if (startsWith(line, "PPid:"))
            info.parentPid = static_cast<pid_t>(std::strtol(line.c_str() + 5, nullptr, 10));
    }
    std::string cmdline = readFile(dir + "/cmdline");
    while (!cmdline.empty() && cmdline.back() == '\0')
        cmdline.pop_back();
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    info.commandLine = std::move(cmdline);
    char exe[4096];
    if (const ssize_t n = readlink((dir + "/exe").c_str(), exe, sizeof(exe) - 1); n > 0)
        info.executable.assign(exe, static_cast<size_t>(n));
    if (passwd* pw = getpwuid(info.uid))
        info.user = pw->pw_name;
    else
        info.user = std::to_string(info.uid);
    return true;
}

void inspectTls(ProcessInfo& info)
{
    // /proc/PID/maps is world-readable by mode, but reading another user's is
    // refused at read time: only a successful read counts as inspected.
    std::ifstream maps("/proc/" + std::to_string(info.pid) + "/maps");
    std::string firstLine;
    if (!maps || !std::getline(maps, firstLine))
        return;
    info.inspected = true;
    for (const MappedFile& file : executableMappings(info.pid)) {
        for (TlsImplementation t : implementationsIn(file)) {
            t.path = file.displayPath;
            info.tls.push_back(std::move(t));
        }
    }
}

} // namespace

std::optional<ProcessInfo> inspectProcess(pid_t pid)
{
    ProcessInfo info;
    if (!fillBasics(pid, info))
        return std::nullopt;
    inspectTls(info);
    return info;
}

std::vector<ProcessInfo> listProcesses(bool withTls)
{
    std::vector<ProcessInfo> out;
    DIR* proc = opendir("/proc");
    if (!proc)
        return out;
    while (dirent* entry = readdir(proc)) {
        char* end = nullptr;
        const long pid = std::strtol(entry->d_name, &end, 10);
        if (pid <= 0 || *end != '\0')
            continue;
        ProcessInfo info;
        if (!fillBasics(static_cast<pid_t>(pid), info))
            continue;
        if (info.commandLine.empty())
            continue; // kernel threads
        if (withTls)
            inspectTls(info);
        out.push_back(std::move(info));
    }
    closedir(proc);
    std::sort(out.begin(), out.end(), [](const ProcessInfo& a, const ProcessInfo& b) { return a.pid < b.pid; });
    return out;
}

std::string tlsSummary(const ProcessInfo& process)
{
    if (!process.inspected)
        return "unknown (no permission)";
    if (process.tls.empty())
        return "none (plaintext only)";
    std::string out;
    for (const TlsImplementation& t : process.tls) {
        if (!out.empty())
            out += ", ";
        out += t.name;
        if (!t.version.empty())
            out += " " + t.version;
        if (t.embedded)
            out += " (built in)";
        if (!t.capturable)
            out += " (not capturable)";
    }
    return out;
}

} // namespace httptap::helper
