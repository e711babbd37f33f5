// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Go's function table (.gopclntab): the runtime's own map from program
// counter to function, which `go build -ldflags='-s -w'` keeps when it drops
// .symtab, so it names the functions of stripped Go binaries. Layouts read:
// Go 1.16/1.17 (magic 0xfffffffa) and Go 1.18+ (0xfffffff0; 1.20+ 0xfffffff1,
// the same layout). Older tables are refused.
//
// The section's bytes come from an untrusted file: parse() checks the header
// against the data's size, and every lookup bounds-checks each offset it
// follows, so a hostile table yields no name, never a read outside the bytes.

#include <QByteArray>

#include <cstdint>
#include <optional>
#include <string>

namespace httptap {

class GoPclnTab
{
public:
    struct Function {
        std::string name; // "main.fetchUser", "net/http.(*Client).do"
        uint64_t entry = 0; // virtual address of its first instruction
    };

    // `sectionBytes`: the .gopclntab section; `textAddress`: the .text section's address, used
    // when the header carries none (Go 1.16/1.17 tables store absolute entry addresses instead).
    static std::optional<GoPclnTab> parse(QByteArray sectionBytes, uint64_t textAddress);

    // The function whose code covers the virtual address `pc`.
    std::optional<Function> lookup(uint64_t pc) const;
    uint64_t functionCount() const { return m_nfunc; }
    qsizetype byteSize() const { return m_data.size(); }

private:
    bool readWord(uint64_t offset, uint64_t* value) const; // ptrSize bytes, little-endian
    bool readU32(uint64_t offset, uint32_t* value) const;
    // Entry address of functab slot `i` (0 ≤ i ≤ nfunc; nfunc is the end sentinel).
    bool entryAt(uint64_t i, uint64_t* entry) const;

    QByteArray m_data;
    bool m_go118 = false; // 32-bit entry offsets from m_textStart; else ptrSize absolute entries
    uint8_t m_ptrSize = 8;
    uint64_t m_nfunc = 0;
    uint64_t m_textStart = 0;
    uint64_t m_funcnameOffset = 0;
    uint64_t m_funcdataOffset = 0;
};

} // namespace httptap
