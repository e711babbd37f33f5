// SPDX-License-Identifier: GPL-2.0-or-later
#include "elfsymboltable.h"

#include <cxxabi.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace httptap {

namespace {

constexpr size_t kMaxNameBytes = 1024; // longer names are cut (and not demangled)
constexpr size_t kMaxSymbols = 4'000'000; // far beyond any real library (libxul: ~400k)
constexpr uint64_t kMaxGoTableBytes = 512ull << 20;
// A symbol without a size covers up to the next symbol, but no further than this.
constexpr uint64_t kMaxUnsizedSpan = 64 * 1024;

struct ElfCloser {
    void operator()(Elf* e) const { elf_end(e); }
};
using ElfPtr = std::unique_ptr<Elf, ElfCloser>;

bool libelfReady()
{
    static const bool ready = elf_version(EV_CURRENT) != EV_NONE;
    return ready;
}

// Among aliases of one address (`write`, `__write`, `__libc_write`), the name people call.
int aliasRank(const char* name, unsigned char binding)
{
    int underscores = 0;
    while (name[underscores] == '_')
        ++underscores;
    return underscores * 4 + (binding == STB_GLOBAL ? 0 : binding == STB_WEAK ? 1 : 2);
}

// Function symbols of one symbol table section.
void collect(Elf* elf, Elf_Scn* scn, const GElf_Shdr& shdr, std::vector<std::pair<uint64_t, uint64_t>>* spans,
    std::vector<std::pair<int, std::string>>* names)
{
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data || shdr.sh_entsize == 0)
        return;
    const uint64_t count = std::min<uint64_t>(shdr.sh_size / shdr.sh_entsize, kMaxSymbols);
    for (uint64_t i = 0; i < count && spans->size() < kMaxSymbols; ++i) {
        GElf_Sym sym;
        if (!gelf_getsym(data, int(i), &sym))
            break;
        const int type = GELF_ST_TYPE(sym.st_info);
        if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF || sym.st_value == 0)
            continue;
        const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
        if (!name || !*name)
            continue;
        spans->emplace_back(sym.st_value, sym.st_size);
        names->emplace_back(aliasRank(name, GELF_ST_BIND(sym.st_info)), std::string(name, strnlen(name, kMaxNameBytes)));
    }
}

} // namespace

QString demangledName(const char* name)
{
    if (std::strncmp(name, "_Z", 2) == 0 && std::strlen(name) < kMaxNameBytes) {
        int status = -1;
        char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
        if (status == 0 && out) {
            QString result = QString::fromUtf8(out);
            std::free(out);
            return result;
        }
        std::free(out);
    }
    return QString::fromUtf8(name);
}

std::optional<ElfSymbolTable> ElfSymbolTable::fromFd(int fd)
{
    if (!libelfReady())
        return std::nullopt;
    ElfPtr elf(elf_begin(fd, ELF_C_READ, nullptr));
    if (!elf)
        return std::nullopt;
    return read(elf.get());
}

std::optional<ElfSymbolTable> ElfSymbolTable::fromBytes(const QByteArray& bytes)
{
    if (!libelfReady() || bytes.isEmpty())
        return std::nullopt;
    // elf_memory wants a writable buffer; it does not write to it for reading.
    QByteArray copy = bytes;
    ElfPtr elf(elf_memory(copy.data(), size_t(copy.size())));
    if (!elf)
        return std::nullopt;
    return read(elf.get());
}

std::optional<ElfSymbolTable> ElfSymbolTable::read(Elf* elf)
{
    if (elf_kind(elf) != ELF_K_ELF)
        return std::nullopt;
    GElf_Ehdr ehdr;
    if (!gelf_getehdr(elf, &ehdr))
        return std::nullopt;
    ElfSymbolTable table;

    size_t phnum = 0;
    if (elf_getphdrnum(elf, &phnum) == 0) {
        for (size_t i = 0; i < phnum && i < 4096; ++i) {
            GElf_Phdr phdr;
            if (gelf_getphdr(elf, int(i), &phdr) && phdr.p_type == PT_LOAD)
                table.m_segments.push_back({ phdr.p_offset, phdr.p_filesz, phdr.p_vaddr });
        }
    }

    std::vector<std::pair<uint64_t, uint64_t>> spans;
    std::vector<std::pair<int, std::string>> names;
    size_t shstrndx = 0;
    const bool haveNames = elf_getshdrstrndx(elf, &shstrndx) == 0;
    uint64_t textAddress = 0;
    Elf_Scn* goSection = nullptr;
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr shdr;
        if (!gelf_getshdr(scn, &shdr))
            continue;
        if (shdr.sh_type == SHT_SYMTAB || shdr.sh_type == SHT_DYNSYM)
            collect(elf, scn, shdr, &spans, &names);
        const char* name = haveNames ? elf_strptr(elf, shstrndx, shdr.sh_name) : nullptr;
        if (!name)
            continue;
        if (std::strcmp(name, ".text") == 0)
            textAddress = shdr.sh_addr;
        else if (std::strcmp(name, ".gopclntab") == 0 && shdr.sh_type != SHT_NOBITS && shdr.sh_size <= kMaxGoTableBytes)
            goSection = scn;
    }
    if (goSection) {
        if (Elf_Data* data = elf_getdata(goSection, nullptr); data && data->d_buf && data->d_size > 0)
            table.m_go = GoPclnTab::parse(
                QByteArray(static_cast<const char*>(data->d_buf), qsizetype(data->d_size)), textAddress);
    }

    // Sort by address; of aliases keep the best-ranked name (and the largest size).
    std::vector<size_t> order(spans.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (spans[a].first != spans[b].first)
            return spans[a].first < spans[b].first;
        return names[a].first < names[b].first;
    });
    for (size_t i : order) {
        if (!table.m_symbols.empty() && table.m_symbols.back().address == spans[i].first) {
            table.m_symbols.back().size = std::max(table.m_symbols.back().size, spans[i].second);
            continue;
        }
        if (table.m_names.size() + names[i].second.size() + 1 > UINT32_MAX)
            break;
        table.m_symbols.push_back({ spans[i].first, spans[i].second, uint32_t(table.m_names.size()) });
        table.m_names += names[i].second;
        table.m_names += '\0';
    }
    table.m_symbols.shrink_to_fit();
    table.m_names.shrink_to_fit();
    return table;
}

std::optional<uint64_t> ElfSymbolTable::addressOf(uint64_t fileOffset) const
{
    for (const Segment& s : m_segments) {
        if (fileOffset >= s.fileOffset && fileOffset - s.fileOffset < s.fileSize)
            return s.address + (fileOffset - s.fileOffset);
    }
    return std::nullopt;
}

std::optional<ElfSymbolTable::Symbol> ElfSymbolTable::lookup(uint64_t fileOffset) const
{
    const std::optional<uint64_t> address = addressOf(fileOffset);
    if (!address)
        return std::nullopt;
    return lookupAddress(*address);
}

std::optional<ElfSymbolTable::Symbol> ElfSymbolTable::lookupAddress(uint64_t pc) const
{
    // Go code first: its table is complete where .symtab was stripped.
    if (m_go) {
        if (std::optional<GoPclnTab::Function> f = m_go->lookup(pc))
            return Symbol { QString::fromUtf8(f->name), pc - f->entry };
    }
    auto it = std::upper_bound(
        m_symbols.begin(), m_symbols.end(), pc, [](uint64_t a, const Entry& e) { return a < e.address; });
    // The nearest symbol at or below pc, or one a little further back that contains it (nested).
    for (int back = 0; back < 8 && it != m_symbols.begin(); ++back) {
        --it;
        const uint64_t offset = pc - it->address;
        bool covers = it->size ? offset < it->size : false;
        if (!it->size && back == 0) {
            const uint64_t next = it + 1 != m_symbols.end() ? (it + 1)->address - it->address : kMaxUnsizedSpan;
            covers = offset < std::min(next, kMaxUnsizedSpan);
        }
        if (covers)
            return Symbol { demangledName(m_names.c_str() + it->nameOffset), offset };
    }
    return std::nullopt;
}

size_t ElfSymbolTable::memoryBytes() const
{
    return sizeof(*this) + m_symbols.size() * sizeof(Entry) + m_names.size() + m_segments.size() * sizeof(Segment)
        + (m_go ? size_t(m_go->byteSize()) : 0);
}

} // namespace httptap
