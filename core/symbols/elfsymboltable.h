// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The function symbols of one ELF file, for naming the frames of a captured
// stack: functions from .symtab and .dynsym (a stripped library still has
// .dynsym), sorted by address, plus Go's .gopclntab when the file has one
// (stripped Go binaries keep only that). A frame arrives as a file offset in
// the module; the PT_LOAD program headers turn it into the link-time virtual
// address the symbols use. C++ names are demangled when looked up.
//
// Read with libelf (ELF_C_READ, not mmap: a file shrinking under us must not
// fault). The file is untrusted: libelf checks table bounds, names are capped,
// and a file libelf refuses simply has no symbols. Immutable once loaded, so
// one table may serve several threads.

#include "gopclntab.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct Elf; // libelf's handle

namespace httptap {

class ElfSymbolTable
{
public:
    struct Symbol {
        QString name; // demangled when it was a C++ name
        uint64_t offset = 0; // address - start of the function
    };

    // Reads an open regular file (the caller opened and checked it); nullopt when it is not ELF.
    static std::optional<ElfSymbolTable> fromFd(int fd);
    // Same from memory (the fuzz target and tests).
    static std::optional<ElfSymbolTable> fromBytes(const QByteArray& bytes);

    // The function covering file offset `fileOffset` (as in /proc/PID/maps: the frame's offset in
    // the mapped file), if any symbol covers it.
    std::optional<Symbol> lookup(uint64_t fileOffset) const;
    // The function covering a link-time virtual address.
    std::optional<Symbol> lookupAddress(uint64_t address) const;
    // Virtual address of a file offset, through the PT_LOAD segments.
    std::optional<uint64_t> addressOf(uint64_t fileOffset) const;

    size_t symbolCount() const { return m_symbols.size(); }
    bool hasGoTable() const { return m_go.has_value(); }
    size_t memoryBytes() const; // roughly, for the cache's budget

private:
    struct Entry {
        uint64_t address;
        uint64_t size;
        uint32_t nameOffset; // in m_names, NUL-terminated
    };
    struct Segment {
        uint64_t fileOffset;
        uint64_t fileSize;
        uint64_t address;
    };
    static std::optional<ElfSymbolTable> read(::Elf* elf);

    std::vector<Entry> m_symbols;
    std::string m_names;
    std::vector<Segment> m_segments;
    std::optional<GoPclnTab> m_go;
};

// "_ZN3app9fetchUserEv" → "app::fetchUser()"; other names unchanged.
QString demangledName(const char* name);

} // namespace httptap
