// SPDX-License-Identifier: GPL-2.0-or-later
#include "gobinary.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <set>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace httptap::helper::golang {

namespace {

template<typename T>
std::optional<T> load(std::span<const uint8_t> bytes, uint64_t offset)
{
    if (offset > bytes.size() || bytes.size() - offset < sizeof(T))
        return std::nullopt;
    T value;
    std::memcpy(&value, bytes.data() + offset, sizeof(T));
    return value;
}

// A NUL-terminated string inside bytes, or nullopt if it runs off the end.
std::optional<std::string_view> cString(std::span<const uint8_t> bytes, uint64_t offset)
{
    if (offset >= bytes.size())
        return std::nullopt;
    const auto* start = reinterpret_cast<const char*>(bytes.data() + offset);
    const void* nul = std::memchr(start, 0, bytes.size() - offset);
    if (!nul)
        return std::nullopt;
    return std::string_view(start, static_cast<const char*>(nul) - start);
}

// The pclntab header magics, one per layout change of the runtime's function table.
constexpr uint32_t kPclnGo116 = 0xfffffffa; // Go 1.16, 1.17
constexpr uint32_t kPclnGo118 = 0xfffffff0; // Go 1.18, 1.19
constexpr uint32_t kPclnGo120 = 0xfffffff1; // Go 1.20 and later (same layout as 1.18 for what is read here)

} // namespace

std::unique_ptr<GoBinary> GoBinary::open(const std::string& path, std::string* error)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *error = "cannot open " + path + ": " + strerror(errno);
        return nullptr;
    }
    struct stat st {};
    void* map = MAP_FAILED;
    if (fstat(fd, &st) == 0 && st.st_size >= static_cast<off_t>(sizeof(Elf64_Ehdr)))
        map = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (map == MAP_FAILED) {
        *error = path + " is not a mappable regular file";
        return nullptr;
    }
    std::unique_ptr<GoBinary> bin(new GoBinary);
    bin->m_data = static_cast<const uint8_t*>(map);
    bin->m_size = static_cast<uint64_t>(st.st_size);

    const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(bin->m_data);
    if (std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64
        || eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64) {
        *error = path + " is not an x86-64 ELF file";
        return nullptr;
    }
    if (bin->pclntab().empty() && bin->section(".go.buildinfo").empty()) {
        *error = path + " was not built by Go (no .gopclntab or .go.buildinfo section)";
        return nullptr;
    }
    bin->m_hasSymtab = !bin->section(".symtab").empty();
    bin->readVersion();
    return bin;
}

GoBinary::~GoBinary()
{
    if (m_data)
        munmap(const_cast<uint8_t*>(m_data), m_size);
}

bool GoBinary::registerAbi() const
{
    // "go1.N" or "go1.N.M"; development builds ("devel ...") are recent enough.
    if (m_version.rfind("go1.", 0) != 0)
        return m_version.rfind("devel", 0) == 0;
    return std::atoi(m_version.c_str() + 4) >= 17;
}

std::span<const uint8_t> GoBinary::section(const char* name) const
{
    const std::span<const uint8_t> file(m_data, m_size);
    const auto eh = load<Elf64_Ehdr>(file, 0);
    if (!eh || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shstrndx >= eh->e_shnum)
        return {};
    const auto names = load<Elf64_Shdr>(file, eh->e_shoff + uint64_t(eh->e_shstrndx) * sizeof(Elf64_Shdr));
    if (!names || names->sh_offset > m_size || m_size - names->sh_offset < names->sh_size)
        return {};
    const std::span<const uint8_t> strtab(m_data + names->sh_offset, names->sh_size);
    for (uint16_t i = 0; i < eh->e_shnum; ++i) {
        const auto sh = load<Elf64_Shdr>(file, eh->e_shoff + uint64_t(i) * sizeof(Elf64_Shdr));
        if (!sh)
            return {};
        const auto shName = cString(strtab, sh->sh_name);
        if (!shName || *shName != name || sh->sh_type == SHT_NOBITS)
            continue;
        if (sh->sh_offset > m_size || m_size - sh->sh_offset < sh->sh_size)
            return {};
        return {m_data + sh->sh_offset, sh->sh_size};
    }
    return {};
}

std::span<const uint8_t> GoBinary::pclntab() const
{
    // Position-independent builds keep it among the relocated read-only data.
    const auto table = section(".gopclntab");
    return table.empty() ? section(".data.rel.ro.gopclntab") : table;
}

std::optional<uint64_t> GoBinary::fileOffset(uint64_t vaddr) const
{
    const std::span<const uint8_t> file(m_data, m_size);
    const auto eh = load<Elf64_Ehdr>(file, 0);
    if (!eh || eh->e_phentsize != sizeof(Elf64_Phdr))
        return std::nullopt;
    for (uint16_t i = 0; i < eh->e_phnum; ++i) {
        const auto ph = load<Elf64_Phdr>(file, eh->e_phoff + uint64_t(i) * sizeof(Elf64_Phdr));
        if (!ph)
            return std::nullopt;
        if (ph->p_type == PT_LOAD && vaddr >= ph->p_vaddr && vaddr - ph->p_vaddr < ph->p_filesz)
            return vaddr - ph->p_vaddr + ph->p_offset;
    }
    return std::nullopt;
}

std::span<const uint8_t> GoBinary::bytesAt(uint64_t vaddr, uint64_t size) const
{
    const auto first = fileOffset(vaddr);
    const auto last = size ? fileOffset(vaddr + size - 1) : first;
    if (!first || !last || *last - *first != (size ? size - 1 : 0) || *first > m_size || m_size - *first < size)
        return {};
    return {m_data + *first, size};
}

void GoBinary::readVersion()
{
    // .go.buildinfo: "\xff Go buildinf:" (14 bytes), pointer size, flags, then
    // either (flags & 2, Go 1.18+) the version inline as a varint-prefixed
    // string at offset 32, or two pointers to Go string headers.
    const auto info = section(".go.buildinfo");
    static const char magic[] = "\xff Go buildinf:";
    if (info.size() < 32 || std::memcmp(info.data(), magic, 14) != 0)
        return;
    const uint8_t ptrSize = info[14];
    const uint8_t flags = info[15];
    if (flags & 2) {
        uint64_t len = 0;
        uint64_t pos = 32;
        for (int shift = 0; pos < info.size() && shift < 63; shift += 7) {
            const uint8_t b = info[pos++];
            len |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80))
                break;
        }
        if (len < 64 && pos + len <= info.size())
            m_version.assign(reinterpret_cast<const char*>(info.data() + pos), len);
        return;
    }
    if (ptrSize != 8)
        return;
    const auto header = load<uint64_t>(info, 16); // address of the version's {data, len}
    if (!header)
        return;
    const auto str = bytesAt(*header, 16);
    const auto data = load<uint64_t>(str, 0);
    const auto len = load<uint64_t>(str, 8);
    if (!data || !len || *len >= 64)
        return;
    const auto text = bytesAt(*data, *len);
    m_version.assign(reinterpret_cast<const char*>(text.data()), text.size());
}

std::map<std::string, GoFunction> GoBinary::functions(const std::vector<std::string>& names) const
{
    auto found = fromSymtab(names);
    if (found.size() < names.size())
        found.merge(fromPclntab(names));
    return found;
}

std::map<std::string, GoFunction> GoBinary::fromSymtab(const std::vector<std::string>& names) const
{
    std::map<std::string, GoFunction> out;
    const std::span<const uint8_t> file(m_data, m_size);
    const auto eh = load<Elf64_Ehdr>(file, 0);
    if (!eh || !m_hasSymtab)
        return out;
    const std::set<std::string_view> wanted(names.begin(), names.end());
    for (uint16_t i = 0; i < eh->e_shnum; ++i) {
        const auto sh = load<Elf64_Shdr>(file, eh->e_shoff + uint64_t(i) * sizeof(Elf64_Shdr));
        if (!sh || sh->sh_type != SHT_SYMTAB || sh->sh_link >= eh->e_shnum)
            continue;
        const auto strSh = load<Elf64_Shdr>(file, eh->e_shoff + uint64_t(sh->sh_link) * sizeof(Elf64_Shdr));
        if (!strSh || sh->sh_offset > m_size || m_size - sh->sh_offset < sh->sh_size || strSh->sh_offset > m_size
            || m_size - strSh->sh_offset < strSh->sh_size)
            continue;
        const std::span<const uint8_t> syms(m_data + sh->sh_offset, sh->sh_size);
        const std::span<const uint8_t> strs(m_data + strSh->sh_offset, strSh->sh_size);
        for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= syms.size(); off += sizeof(Elf64_Sym)) {
            const auto sym = load<Elf64_Sym>(syms, off);
            if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_shndx == SHN_UNDEF || sym->st_size == 0)
                continue;
            const auto name = cString(strs, sym->st_name);
            if (name && wanted.count(*name))
                out[std::string(*name)] = GoFunction {sym->st_value, sym->st_value + sym->st_size};
        }
    }
    return out;
}

std::map<std::string, GoFunction> GoBinary::fromPclntab(const std::vector<std::string>& names) const
{
    // Header: magic u32, two pad bytes, minLC u8, ptrSize u8, then ptrSize-wide
    // words. Go 1.18+: nfunc, nfiles, textStart, funcnameOffset, cuOffset,
    // filetabOffset, pctabOffset, pclnOffset. Go 1.16: the same without textStart.
    // The function table at pclnOffset holds nfunc + 1 (entry, funcoff) pairs —
    // the last entry is the end of the text — and each _func record (at
    // pclnOffset + funcoff) starts with its entry and a name offset into the
    // function name table.
    std::map<std::string, GoFunction> out;
    const auto pcln = pclntab();
    const auto magic = load<uint32_t>(pcln, 0);
    if (!magic || pcln.size() < 8 || pcln[7] != 8)
        return out;
    const bool go118 = *magic == kPclnGo118 || *magic == kPclnGo120;
    if (!go118 && *magic != kPclnGo116)
        return out;
    auto word = [&](int i) { return load<uint64_t>(pcln, 8 + 8 * uint64_t(i)).value_or(0); };
    const uint64_t nfunc = word(0);
    const uint64_t textStart = go118 ? word(2) : 0;
    const uint64_t nameOffset = word(go118 ? 3 : 2);
    const uint64_t tableOffset = word(go118 ? 7 : 6);
    if (tableOffset >= pcln.size() || nameOffset >= pcln.size())
        return out;
    const auto table = pcln.subspan(tableOffset);
    const auto nameTable = pcln.subspan(nameOffset);
    const uint64_t pairSize = go118 ? 8 : 16;
    if (nfunc == 0 || nfunc >= table.size() / pairSize)
        return out;
    auto entryAt = [&](uint64_t i) -> std::optional<uint64_t> {
        if (go118) {
            const auto off = load<uint32_t>(table, i * pairSize);
            return off ? std::optional<uint64_t>(textStart + *off) : std::nullopt;
        }
        return load<uint64_t>(table, i * pairSize);
    };
    const std::set<std::string_view> wanted(names.begin(), names.end());
    for (uint64_t i = 0; i < nfunc && out.size() < wanted.size(); ++i) {
        const auto funcOff = go118 ? std::optional<uint64_t>(load<uint32_t>(table, i * pairSize + 4))
                                   : load<uint64_t>(table, i * pairSize + 8);
        if (!funcOff)
            break;
        const auto nameOff = load<int32_t>(table, *funcOff + (go118 ? 4 : 8));
        if (!nameOff || *nameOff < 0)
            continue;
        const auto name = cString(nameTable, uint64_t(*nameOff));
        if (!name || !wanted.count(*name))
            continue;
        const auto entry = entryAt(i);
        const auto end = entryAt(i + 1);
        if (entry && end && *end > *entry)
            out[std::string(*name)] = GoFunction {*entry, *end};
    }
    return out;
}

} // namespace httptap::helper::golang
