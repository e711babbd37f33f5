// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// What a uprobe costs at an x86-64 instruction: the kernel emulates a few
// instructions when a probe on them is hit (call, jmp, conditional jumps,
// push, nop) and single-steps every other one out of line, which costs ~14 µs
// a hit on this machine against ~0.4 µs emulated (issue 10). Shared by every
// planner that places probes by disassembly (Go functions, OpenSSL wrappers).

#include <Zydis/Zydis.h>

namespace httptap::helper {

bool kernelEmulates(const ZydisDecodedInstruction& insn);

} // namespace httptap::helper
