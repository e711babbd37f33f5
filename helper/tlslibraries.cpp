// SPDX-License-Identifier: GPL-2.0-or-later
#include "tlslibraries.h"

#include <dirent.h>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>

namespace httptap::helper {

namespace {

std::string baseName(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool fillIdentity(TlsLibrary& lib)
{
    struct stat st {};
    if (stat(lib.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    lib.device = st.st_dev;
    lib.inode = st.st_ino;
    return true;
}

} // namespace

bool isOpenSslLibraryName(const std::string& fileName)
{
    static const std::string prefix = "libssl.so";
    if (fileName.compare(0, prefix.size(), prefix) != 0)
        return false;
    const std::string rest = fileName.substr(prefix.size());
    if (rest.empty())
        return true;
    if (rest[0] != '.')
        return false;
    for (char c : rest)
        if (c != '.' && (c < '0' || c > '9'))
            return false;
    return true;
}

std::vector<TlsLibrary> tlsLibrariesOfProcess(pid_t pid)
{
    std::vector<TlsLibrary> out;
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    std::set<std::pair<dev_t, ino_t>> seen;
    std::string line;
    while (std::getline(maps, line)) {
        // address perms offset dev inode pathname
        std::istringstream fields(line);
        std::string address, perms, offset, dev, inode, path;
        fields >> address >> perms >> offset >> dev >> inode;
        std::getline(fields >> std::ws, path);
        if (path.empty() || path[0] != '/' || !isOpenSslLibraryName(baseName(path)))
            continue;
        TlsLibrary lib;
        lib.source = record::Source::OpenSsl;
        lib.displayPath = path;
        // Through the process's root so libraries inside containers resolve too.
        lib.path = "/proc/" + std::to_string(pid) + "/root" + path;
        if (!fillIdentity(lib) || !seen.insert({lib.device, lib.inode}).second)
            continue;
        out.push_back(std::move(lib));
    }
    return out;
}

std::vector<TlsLibrary> systemTlsLibraries()
{
    static const char* const dirs[] = {
        "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib",
        "/usr/lib/aarch64-linux-gnu",
    };
    std::vector<TlsLibrary> out;
    std::set<std::pair<dev_t, ino_t>> seen;
    for (const char* dir : dirs) {
        DIR* d = opendir(dir);
        if (!d)
            continue;
        while (dirent* entry = readdir(d)) {
            const std::string name = entry->d_name;
            if (!isOpenSslLibraryName(name) || name == "libssl.so")
                continue; // the unversioned name is a dev symlink to one of the others
            TlsLibrary lib;
            lib.path = std::string(dir) + "/" + name;
            lib.displayPath = lib.path;
            if (!fillIdentity(lib) || !seen.insert({lib.device, lib.inode}).second)
                continue;
            out.push_back(std::move(lib));
        }
        closedir(d);
    }
    return out;
}

} // namespace httptap::helper
