// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A Go executable opened read-only: its Go version (from .go.buildinfo),
// whether its symbol table was stripped (-ldflags='-s -w'), and the address
// ranges of named functions. Names come from .symtab when present, else from
// the runtime's own function table, .gopclntab, which every Go binary keeps
// because stack traces and the garbage collector need it.
//
// Invariants: the file stays mapped for the object's lifetime; every offset
// read from the file is bounds-checked (a hostile or truncated binary yields
// "not found", never a read outside the mapping). x86-64 little-endian only.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace httptap::helper::golang {

struct GoFunction {
    uint64_t entry = 0; // virtual address of the first instruction
    uint64_t end = 0; // one past the last byte
};

class GoBinary
{
public:
    // nullptr when path is not a readable x86-64 ELF file built by Go; error says why.
    static std::unique_ptr<GoBinary> open(const std::string& path, std::string* error);
    ~GoBinary();
    GoBinary(const GoBinary&) = delete;
    GoBinary& operator=(const GoBinary&) = delete;

    const std::string& version() const { return m_version; } // "go1.19.8"; empty if unknown
    bool stripped() const { return !m_hasSymtab; }
    // Go 1.17 and later pass arguments and results in registers on amd64.
    bool registerAbi() const;

    // The functions among names that the binary defines, found through .symtab
    // if it has one, else through .gopclntab.
    std::map<std::string, GoFunction> functions(const std::vector<std::string>& names) const;

    // File offset of a virtual address inside a loaded segment's file bytes.
    std::optional<uint64_t> fileOffset(uint64_t vaddr) const;
    // The bytes of [vaddr, vaddr + size) as stored in the file; empty if not all there.
    std::span<const uint8_t> bytesAt(uint64_t vaddr, uint64_t size) const;

private:
    GoBinary() = default;
    std::span<const uint8_t> section(const char* name) const;
    std::span<const uint8_t> pclntab() const;
    void readVersion();
    std::map<std::string, GoFunction> fromSymtab(const std::vector<std::string>& names) const;
    std::map<std::string, GoFunction> fromPclntab(const std::vector<std::string>& names) const;

    const uint8_t* m_data = nullptr;
    uint64_t m_size = 0;
    bool m_hasSymtab = false;
    std::string m_version;
};

} // namespace httptap::helper::golang
