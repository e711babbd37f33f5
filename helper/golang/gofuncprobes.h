// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Where to put the uprobes of one Go function, found by disassembling it
// (Zydis). Go functions must never get uretprobes: the runtime moves
// goroutine stacks, and a return address the kernel swapped in breaks that.
// So the "return" probes go on every RET instruction of the function.
//
// The entry probe goes, where the prologue allows, on the conditional jump of
// the stack-growth check (`cmp rsp|r12, 16(r14); jbe morestack`, after at
// most a `lea r12, -N(rsp)`): the
// arguments are still in their registers there and the kernel emulates a
// jump instead of single-stepping it out of line (~0.4 µs against ~14 µs per
// hit on this machine; see issue 10). Otherwise the function's first
// instruction is used and the plan says so.

#include "gobinary.h"

#include <string>
#include <vector>

namespace httptap::helper::golang {

struct ProbePoint {
    uint64_t vaddr = 0;
    uint64_t fileOffset = 0;
    std::string instruction; // mnemonic, e.g. "jbe"
    bool emulated = false; // the kernel emulates it (call, jmp, jcc, push, nop)
};

struct GoFunctionProbes {
    ProbePoint entry;
    bool entryAtPrologueJump = false; // false: fell back to the first instruction
    std::vector<ProbePoint> returns; // every RET
};

// Disassembles function and plans its probes; false with a reason when the
// bytes cannot be read or decoded, or no RET is found.
bool planGoFunctionProbes(const GoBinary& binary, const GoFunction& function, GoFunctionProbes* plan,
    std::string* error);

// "entry at +0x4 (jbe, emulated), 7 RETs (single-stepped)" for the log;
// withReturns false: the RETs are not probed.
std::string describe(const GoFunction& function, const GoFunctionProbes& plan, bool withReturns);

} // namespace httptap::helper::golang
