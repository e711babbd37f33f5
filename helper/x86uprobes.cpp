// SPDX-License-Identifier: GPL-2.0-or-later
#include "x86uprobes.h"

namespace httptap::helper {

bool kernelEmulates(const ZydisDecodedInstruction& insn)
{
    switch (insn.meta.category) {
    case ZYDIS_CATEGORY_CALL:
    case ZYDIS_CATEGORY_COND_BR:
    case ZYDIS_CATEGORY_UNCOND_BR:
    case ZYDIS_CATEGORY_NOP:
        return true;
    case ZYDIS_CATEGORY_PUSH:
        return insn.mnemonic == ZYDIS_MNEMONIC_PUSH;
    default:
        return false;
    }
}

} // namespace httptap::helper
