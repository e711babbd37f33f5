// SPDX-License-Identifier: GPL-2.0-or-later
#include "modulemaps.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/sysmacros.h>

namespace httptap::helper {

std::vector<record::ModuleMapping> readModuleMappings(pid_t pid)
{
    std::vector<record::ModuleMapping> out;
    const std::string name = "/proc/" + std::to_string(pid) + "/maps";
    FILE* maps = std::fopen(name.c_str(), "re");
    if (!maps)
        return out;
    char line[4096 + 128];
    while (std::fgets(line, sizeof(line), maps) && out.size() < record::kMaxModuleMappings) {
        // start-end perms offset major:minor inode path
        unsigned long long start = 0, end = 0, offset = 0, inode = 0;
        unsigned major = 0, minor = 0;
        char perms[8] = {};
        int pathAt = 0;
        if (std::sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &offset, &major, &minor,
                &inode, &pathAt)
                < 7
            || std::strlen(perms) < 3 || perms[2] != 'x' || line[pathAt] != '/' || end <= start)
            continue;
        std::string path(line + pathAt);
        while (!path.empty() && path.back() == '\n')
            path.pop_back();
        record::ModuleMapping m;
        m.start = start;
        m.end = end;
        m.fileOffset = offset;
        m.device = makedev(major, minor);
        m.inode = inode;
        m.path = path.substr(0, record::kMaxModulePath);
        out.push_back(std::move(m));
    }
    std::fclose(maps);
    return out;
}

bool coversAll(const std::vector<record::ModuleMapping>& mappings, const std::vector<uint64_t>& addresses)
{
    for (uint64_t a : addresses) {
        auto it = std::upper_bound(mappings.begin(), mappings.end(), a,
            [](uint64_t address, const record::ModuleMapping& m) { return address < m.start; });
        if (it == mappings.begin() || a >= std::prev(it)->end)
            return false;
    }
    return true;
}

} // namespace httptap::helper
