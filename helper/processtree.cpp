// SPDX-License-Identifier: GPL-2.0-or-later
#include "processtree.h"

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <fstream>
#include <map>
#include <string>

namespace httptap::helper {

pid_t parentOf(pid_t pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line))
        return 0;
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so
    // parse from the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 4 >= line.size())
        return 0;
    const char* p = line.c_str() + close + 2; // state
    while (*p && *p != ' ')
        ++p;
    return static_cast<pid_t>(std::strtol(p, nullptr, 10));
}

std::vector<uint64_t> socketInodesOf(pid_t pid)
{
    std::vector<uint64_t> out;
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* fds = opendir(dir.c_str());
    if (!fds)
        return out;
    while (dirent* entry = readdir(fds)) {
        char target[64];
        const ssize_t n = readlinkat(dirfd(fds), entry->d_name, target, sizeof(target) - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        unsigned long long inode = 0;
        if (std::sscanf(target, "socket:[%llu]", &inode) == 1)
            out.push_back(inode);
    }
    closedir(fds);
    return out;
}

std::vector<pid_t> descendantsOf(pid_t root)
{
    std::multimap<pid_t, pid_t> children;
    if (DIR* proc = opendir("/proc")) {
        while (dirent* entry = readdir(proc)) {
            char* end = nullptr;
            const long pid = std::strtol(entry->d_name, &end, 10);
            if (pid <= 0 || *end != '\0')
                continue;
            if (const pid_t parent = parentOf(static_cast<pid_t>(pid)); parent > 0)
                children.emplace(parent, static_cast<pid_t>(pid));
        }
        closedir(proc);
    }
    std::vector<pid_t> out;
    std::vector<pid_t> todo {root};
    while (!todo.empty() && out.size() < 8192) {
        const pid_t pid = todo.back();
        todo.pop_back();
        const auto [first, last] = children.equal_range(pid);
        for (auto it = first; it != last; ++it) {
            out.push_back(it->second);
            todo.push_back(it->second);
        }
    }
    return out;
}

} // namespace httptap::helper
