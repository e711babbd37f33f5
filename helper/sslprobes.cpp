// SPDX-License-Identifier: GPL-2.0-or-later
#include "sslprobes.h"

#include "x86uprobes.h"

#include <array>
#include <fcntl.h>
#include <unistd.h>

namespace httptap::helper {

namespace {

// The wrapper's prologue is a dozen instructions; a longer one is not the shape we know.
constexpr size_t kMaxPrologue = 16;
constexpr size_t kCodeBytes = 128;

ZydisRegister widest(ZydisRegister reg)
{
    return ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, reg);
}

bool writes(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops, ZydisRegister reg)
{
    for (int i = 0; i < insn.operand_count; ++i) {
        const ZydisDecodedOperand& op = ops[i];
        if (op.type == ZYDIS_OPERAND_TYPE_REGISTER && (op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE)
            && widest(op.reg.value) == reg)
            return true;
    }
    return false;
}

bool isRegister(const ZydisDecodedOperand& op, ZydisRegister reg)
{
    return op.type == ZYDIS_OPERAND_TYPE_REGISTER && op.reg.value == reg;
}

// `movsxd rdx, edx`: the int length widened to size_t, same value.
bool widensLength(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops)
{
    return insn.mnemonic == ZYDIS_MNEMONIC_MOVSXD && isRegister(ops[0], ZYDIS_REGISTER_RDX)
        && isRegister(ops[1], ZYDIS_REGISTER_EDX);
}

// `mov rcx, rsp` or `lea rcx, [rsp+N]`: rcx points into the wrapper's own frame.
bool pointsRcxIntoFrame(const ZydisDecodedInstruction& insn, const ZydisDecodedOperand* ops)
{
    if (!isRegister(ops[0], ZYDIS_REGISTER_RCX))
        return false;
    if (insn.mnemonic == ZYDIS_MNEMONIC_MOV)
        return isRegister(ops[1], ZYDIS_REGISTER_RSP);
    if (insn.mnemonic == ZYDIS_MNEMONIC_LEA)
        return ops[1].type == ZYDIS_OPERAND_TYPE_MEMORY && ops[1].mem.base == ZYDIS_REGISTER_RSP
            && ops[1].mem.index == ZYDIS_REGISTER_NONE;
    return false;
}

} // namespace

std::optional<SslWrapperProbes> planSslWrapperProbes(const std::string& path, uint64_t functionOffset,
    std::string* why)
{
    std::array<uint8_t, kCodeBytes> code {};
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const ssize_t got = fd < 0 ? -1 : pread(fd, code.data(), code.size(), static_cast<off_t>(functionOffset));
    if (fd >= 0)
        close(fd);
    if (got <= 0) {
        *why = "its code could not be read";
        return std::nullopt;
    }
    ZydisDecoder decoder;
    ZydisDecoderInit(&decoder, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);

    SslWrapperProbes plan;
    bool rcxIsOutPointer = false;
    bool callFound = false;
    bool testedEax = false;
    size_t offset = 0;
    for (size_t index = 0; index < kMaxPrologue + 2 && offset < static_cast<size_t>(got); ++index) {
        ZydisDecodedInstruction insn;
        ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
        if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder, code.data() + offset, got - offset, &insn, ops)))
            break;
        if (!callFound) {
            if (insn.meta.category == ZYDIS_CATEGORY_CALL) {
                // Only a direct call with the length and the out pointer as we expect.
                if (ops[0].type != ZYDIS_OPERAND_TYPE_IMMEDIATE || !rcxIsOutPointer || !kernelEmulates(insn))
                    break;
                plan.callRelative = offset;
                callFound = true;
            } else if (insn.meta.category == ZYDIS_CATEGORY_RET || insn.meta.category == ZYDIS_CATEGORY_UNCOND_BR) {
                break;
            } else if (pointsRcxIntoFrame(insn, ops)) {
                rcxIsOutPointer = true;
            } else if (writes(insn, ops, ZYDIS_REGISTER_RDI) || writes(insn, ops, ZYDIS_REGISTER_RSI)
                || (writes(insn, ops, ZYDIS_REGISTER_RDX) && !widensLength(insn, ops))
                || writes(insn, ops, ZYDIS_REGISTER_RCX)) {
                break; // an argument changed before the call: not the wrapper we know
            }
        } else if (!testedEax) {
            if (insn.mnemonic != ZYDIS_MNEMONIC_TEST || !isRegister(ops[0], ZYDIS_REGISTER_EAX)
                || !isRegister(ops[1], ZYDIS_REGISTER_EAX))
                break;
            testedEax = true;
        } else {
            if (insn.meta.category != ZYDIS_CATEGORY_COND_BR || !kernelEmulates(insn))
                break;
            plan.resultRelative = offset;
            plan.resultInstruction = ZydisMnemonicGetString(insn.mnemonic);
            plan.callOffset = functionOffset + plan.callRelative;
            plan.resultOffset = functionOffset + plan.resultRelative;
            return plan;
        }
        offset += insn.length;
    }
    *why = callFound ? "no `test eax, eax` and conditional jump after its call"
                     : "no call with the arguments intact in its first instructions";
    return std::nullopt;
}

} // namespace httptap::helper
