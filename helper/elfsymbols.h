// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Reads an ELF file's symbol tables (.dynsym and .symtab) to tell which of a
// set of function names it defines, and at which file offset (what a uprobe
// attaches to: resolving once here spares libbpf a full symbol scan per probe). Used to find TLS libraries compiled into
// executables (node's OpenSSL, BoringSSL inside Python extensions), where the
// file name says nothing.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace httptap::helper {

struct ElfSymbolInfo {
    bool isElf = false;
    bool hasSymtab = false; // false: stripped (only exported symbols are visible)
    std::set<std::string> defined; // those of the asked names the file defines as functions
    std::map<std::string, uint64_t> fileOffsets; // where each defined function starts in the file
};

ElfSymbolInfo lookupElfSymbols(const std::string& path, const std::vector<std::string>& names);

} // namespace httptap::helper
