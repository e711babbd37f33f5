// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The executable file mappings of a process, as ModuleMap records carry them:
// what the reader needs to turn a stack's instruction pointers into a module
// and an offset in its file (issue 12's initiator stacks).

#include "record/recordformat.h"

#include <sys/types.h>
#include <vector>

namespace httptap::helper {

// The lines of /proc/PID/maps with execute permission and a file path, in
// address order (at most record::kMaxModuleMappings); empty if the process is gone.
std::vector<record::ModuleMapping> readModuleMappings(pid_t pid);

// Whether every address lies in one of mappings (sorted by start).
bool coversAll(const std::vector<record::ModuleMapping>& mappings, const std::vector<uint64_t>& addresses);

} // namespace httptap::helper
