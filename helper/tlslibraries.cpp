// SPDX-License-Identifier: GPL-2.0-or-later
#include "tlslibraries.h"

#include "elfsymbols.h"
#include "golang/gotlsprobes.h"

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

bool fillIdentity(MappedFile& file)
{
    struct stat st {};
    if (stat(file.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    file.device = st.st_dev;
    file.inode = st.st_ino;
    return true;
}

// "libfoo.so" followed by nothing or by ".digits.digits…".
bool isVersionedLibraryName(const std::string& fileName, const std::string& stem)
{
    const std::string prefix = stem + ".so";
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

// Files whose symbols are not worth reading: the C runtime and friends never carry TLS.
bool isKnownNonTls(const std::string& name)
{
    static const char* const prefixes[] = {"libc.so", "libc-", "ld-linux", "libm.so", "libpthread", "libdl.so",
        "librt.so", "libstdc++", "libgcc_s", "libz.so", "libcrypto.so", "libnettle", "libhogweed", "libgmp",
        "libp11-kit", "libtasn1", "libidn2", "libunistring", "libffi", "libexpat", "liblzma", "libbz2", "libzstd",
        "libbrotli", "libselinux", "libpcre", "libsystemd", "libcap", "libuuid", "libmount", "libblkid"};
    for (const char* p : prefixes)
        if (name.rfind(p, 0) == 0)
            return true;
    return false;
}

const std::vector<std::string> kOpenSslFunctions = {"SSL_read", "SSL_write", "SSL_read_ex", "SSL_write_ex"};
const std::vector<std::string> kGnuTlsFunctions = {"gnutls_record_send", "gnutls_record_recv"};

} // namespace

bool isOpenSslLibraryName(const std::string& fileName)
{
    return isVersionedLibraryName(fileName, "libssl");
}

bool isGnuTlsLibraryName(const std::string& fileName)
{
    return isVersionedLibraryName(fileName, "libgnutls");
}

std::vector<MappedFile> executableMappings(pid_t pid)
{
    std::vector<MappedFile> out;
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    std::set<std::pair<dev_t, ino_t>> seen;
    std::string line;
    while (std::getline(maps, line)) {
        // address perms offset dev inode pathname
        std::istringstream fields(line);
        std::string address, perms, offset, dev, inode, path;
        fields >> address >> perms >> offset >> dev >> inode;
        std::getline(fields >> std::ws, path);
        if (perms.size() < 3 || perms[2] != 'x' || path.empty() || path[0] != '/')
            continue;
        MappedFile file;
        file.displayPath = path;
        // Through the process's root so files inside containers resolve too.
        file.path = "/proc/" + std::to_string(pid) + "/root" + path;
        if (!fillIdentity(file) || !seen.insert({file.device, file.inode}).second)
            continue;
        out.push_back(std::move(file));
    }
    return out;
}

std::optional<TlsLibrary> classifyTlsFile(const MappedFile& file)
{
    const std::string name = baseName(file.displayPath);
    TlsLibrary lib;
    lib.file = file;
    if (isOpenSslLibraryName(name)) {
        lib.source = record::Source::OpenSsl;
        lib.offsets = lookupElfSymbols(file.path, kOpenSslFunctions).fileOffsets;
        return lib;
    }
    if (isGnuTlsLibraryName(name)) {
        lib.source = record::Source::GnuTls;
        lib.offsets = lookupElfSymbols(file.path, kGnuTlsFunctions).fileOffsets;
        return lib;
    }
    if (isKnownNonTls(name))
        return std::nullopt;
    // Go's crypto/tls, found in the binary's own function table (also when stripped).
    if (const auto go = golang::inspectGoTls(file.path)) {
        lib.source = record::Source::GoTls;
        lib.embedded = true;
        lib.stripped = go->stripped;
        return lib;
    }
    // OpenSSL or BoringSSL compiled in: the API functions are in the file itself.
    const ElfSymbolInfo symbols = lookupElfSymbols(file.path, kOpenSslFunctions);
    if (symbols.defined.count("SSL_read") && symbols.defined.count("SSL_write")) {
        lib.source = record::Source::OpenSsl;
        lib.embedded = true;
        lib.stripped = !symbols.hasSymtab;
        lib.offsets = symbols.fileOffsets;
        return lib;
    }
    return std::nullopt;
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
            // The unversioned names are dev symlinks to one of the others.
            if (name == "libssl.so" || name == "libgnutls.so")
                continue;
            if (!isOpenSslLibraryName(name) && !isGnuTlsLibraryName(name))
                continue;
            MappedFile file;
            file.path = std::string(dir) + "/" + name;
            file.displayPath = file.path;
            if (!fillIdentity(file) || !seen.insert({file.device, file.inode}).second)
                continue;
            if (auto lib = classifyTlsFile(file))
                out.push_back(*lib);
        }
        closedir(d);
    }
    return out;
}

} // namespace httptap::helper
