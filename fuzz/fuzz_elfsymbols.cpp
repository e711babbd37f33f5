// SPDX-License-Identifier: GPL-2.0-or-later
//
// The module files initiator stacks are named from (core/symbols, issue 12) on
// arbitrary bytes: as an ELF file (symbol tables, program headers, an embedded
// .gopclntab) and as a bare Go function table, each then asked about a spread of
// offsets. Any byte of a file in the traced process's mount namespace is the
// target's to choose.

#include "symbols/elfsymboltable.h"
#include "symbols/gopclntab.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    qsizetype names = 0;
    if (const auto table = httptap::ElfSymbolTable::fromBytes(bytes)) {
        for (uint64_t offset = 0; offset < 0x20000; offset += 61)
            if (const auto symbol = table->lookup(offset))
                names += symbol->name.size();
        (void)table->lookupAddress(UINT64_MAX);
    }
    // Bare tables: the seeds (fuzz/corpus/elfsymbols/gopclntab-*) put .text at 0x401000.
    constexpr uint64_t text = 0x401000;
    if (const auto go = httptap::GoPclnTab::parse(bytes, text)) {
        for (uint64_t pc = text - 0x10; pc < text + 0x2000; pc += 3)
            if (const auto f = go->lookup(pc))
                names += qsizetype(f->name.size());
        (void)go->lookup(UINT64_MAX);
    }
    return names < 0 ? 1 : 0;
}
