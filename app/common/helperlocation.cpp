// SPDX-License-Identifier: GPL-2.0-or-later
#include "helperlocation.h"

#include <climits>
#include <cstdlib>
#include <unistd.h>

namespace httptap {

namespace {

bool isExecutable(const std::string& path)
{
    return !path.empty() && access(path.c_str(), X_OK) == 0;
}

std::string canonical(const std::string& path)
{
    char resolved[PATH_MAX];
    return realpath(path.c_str(), resolved) ? std::string(resolved) : path;
}

// /proc/self/exe rather than argv[0]: right however the program was started.
std::string ownDirectory()
{
    char buf[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return {};
    const std::string path(buf, static_cast<size_t>(n));
    return path.substr(0, path.rfind('/'));
}

} // namespace

std::string findHelperExecutable()
{
    if (const char* env = getenv("HTTPTAP_HELPER"); env && isExecutable(env))
        return env;
    const std::string dir = ownDirectory();
    for (const std::string& candidate : {dir + "/httptap-helper", dir + "/../libexec/httptap/httptap-helper",
             std::string(HTTPTAP_LIBEXECDIR "/httptap-helper")}) {
        if (isExecutable(candidate))
            return canonical(candidate);
    }
    return {};
}

std::string helperSearchDescription()
{
    return "$HTTPTAP_HELPER, next to the program and in " HTTPTAP_LIBEXECDIR;
}

} // namespace httptap
