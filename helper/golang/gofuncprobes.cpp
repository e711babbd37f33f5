// SPDX-License-Identifier: GPL-2.0-or-later
#include "gofuncprobes.h"

#include "x86uprobes.h"

#include <Zydis/Zydis.h>

#include <cstdio>

namespace httptap::helper::golang {

namespace {

// `cmp <reg>, 0x10(r14)`: the stack-bound check against g.stackguard0 (the goroutine is in r14).
bool isStackGuardCompare(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops)
{
    if (insn.mnemonic != ZYDIS_MNEMONIC_CMP)
        return false;
    for (int i = 0; i < insn.operand_count_visible; ++i) {
        const ZydisDecodedOperand& op = ops[i];
        if (op.type == ZYDIS_OPERAND_TYPE_MEMORY && op.mem.base == ZYDIS_REGISTER_R14
            && op.mem.index == ZYDIS_REGISTER_NONE && op.mem.disp.value == 16)
            return true;
    }
    return false;
}

// Before the check only the scratch register r12 may be written (`lea r12, -N(rsp)`
// in functions with large frames); anything else could disturb the arguments.
bool writesOnlyR12(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops)
{
    for (int i = 0; i < insn.operand_count_visible; ++i) {
        const ZydisDecodedOperand& op = ops[i];
        if (!(op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
            continue;
        if (op.type != ZYDIS_OPERAND_TYPE_REGISTER || op.reg.value != ZYDIS_REGISTER_R12)
            return false;
    }
    return true;
}

std::string hex(uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

} // namespace

bool planGoFunctionProbes(const GoBinary& binary, const GoFunction& function, GoFunctionProbes* plan,
    std::string* error)
{
    *plan = {};
    const uint64_t size = function.end - function.entry;
    const auto code = binary.bytesAt(function.entry, size);
    if (size == 0 || size > (1u << 20) || code.empty()) {
        *error = "its code at " + hex(function.entry) + " is not in the file";
        return false;
    }
    ZydisDecoder decoder;
    ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);

    auto point = [&](uint64_t offset, const ZydisDecodedInstruction& insn) {
        ProbePoint p;
        p.vaddr = function.entry + offset;
        p.fileOffset = *binary.fileOffset(p.vaddr); // inside code, which bytesAt() found in the file
        p.instruction = ZydisMnemonicGetString(insn.mnemonic);
        p.emulated = kernelEmulates(insn);
        return p;
    };

    bool prologueOpen = true; // still in the instructions before the stack check's jump
    bool afterGuardCompare = false;
    uint64_t offset = 0;
    for (int index = 0; offset < size; ++index) {
        ZydisDecodedInstruction insn;
        ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
        if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, code.data() + offset, size - offset, &insn, ops))) {
            // Padding after the last instruction (int3 or zero bytes) may not
            // decode; anything before it must.
            if (code[offset] == 0xcc || code[offset] == 0)
                break;
            *error = "an instruction at +" + hex(offset) + " does not decode";
            return false;
        }
        if (index == 0)
            plan->entry = point(offset, insn);
        if (prologueOpen) {
            // Only jbe: the BPF side reads the branch condition (CF or ZF) from the flags.
            if (afterGuardCompare && insn.mnemonic == ZYDIS_MNEMONIC_JBE) {
                plan->entry = point(offset, insn);
                plan->entryAtPrologueJump = true;
                prologueOpen = false;
            } else if (isStackGuardCompare(insn, ops)) {
                afterGuardCompare = true;
            } else if (index >= 4 || afterGuardCompare || !writesOnlyR12(insn, ops)) {
                prologueOpen = false;
            }
        }
        if (insn.mnemonic == ZYDIS_MNEMONIC_RET)
            plan->returns.push_back(point(offset, insn));
        offset += insn.length;
    }
    if (plan->returns.empty()) {
        *error = "no RET instruction found in it";
        return false;
    }
    return true;
}

std::string describe(const GoFunction& function, const GoFunctionProbes& plan, bool withReturns)
{
    std::string text = "entry at +" + hex(plan.entry.vaddr - function.entry) + " (" + plan.entry.instruction
        + (plan.entry.emulated ? ", emulated" : ", single-stepped")
        + (plan.entryAtPrologueJump ? ")" : "; no stack-check jump found, fell back to the first instruction)");
    if (!withReturns)
        return text + ", copied there: no RET probes";
    size_t steppedRets = 0;
    for (const ProbePoint& p : plan.returns)
        steppedRets += p.emulated ? 0 : 1;
    text += ", " + std::to_string(plan.returns.size()) + " RETs";
    if (steppedRets)
        text += " (single-stepped)";
    return text;
}

} // namespace httptap::helper::golang
