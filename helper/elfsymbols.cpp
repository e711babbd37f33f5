// SPDX-License-Identifier: GPL-2.0-or-later
#include "elfsymbols.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

namespace httptap::helper {

ElfSymbolInfo lookupElfSymbols(const std::string& path, const std::vector<std::string>& names)
{
    ElfSymbolInfo info;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return info;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return info;
    Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        if (elf)
            elf_end(elf);
        close(fd);
        return info;
    }
    info.isElf = true;
    const std::set<std::string> wanted(names.begin(), names.end());
    Elf_Scn* scn = nullptr;
    while ((scn = elf_nextscn(elf, scn)) != nullptr) {
        GElf_Shdr shdr;
        if (!gelf_getshdr(scn, &shdr) || (shdr.sh_type != SHT_SYMTAB && shdr.sh_type != SHT_DYNSYM))
            continue;
        if (shdr.sh_type == SHT_SYMTAB)
            info.hasSymtab = true;
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (!data || shdr.sh_entsize == 0)
            continue;
        const size_t count = shdr.sh_size / shdr.sh_entsize;
        for (size_t i = 0; i < count; ++i) {
            GElf_Sym sym;
            if (!gelf_getsym(data, static_cast<int>(i), &sym))
                break;
            if (sym.st_shndx == SHN_UNDEF || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
                continue;
            const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
            if (!name || !wanted.count(name))
                continue;
            info.defined.insert(name);
            // Virtual address → file offset through the loadable segment holding it.
            size_t phnum = 0;
            elf_getphdrnum(elf, &phnum);
            for (size_t p = 0; p < phnum; ++p) {
                GElf_Phdr phdr;
                if (gelf_getphdr(elf, static_cast<int>(p), &phdr) && phdr.p_type == PT_LOAD
                    && sym.st_value >= phdr.p_vaddr && sym.st_value < phdr.p_vaddr + phdr.p_filesz) {
                    info.fileOffsets[name] = sym.st_value - phdr.p_vaddr + phdr.p_offset;
                    break;
                }
            }
        }
    }
    elf_end(elf);
    close(fd);
    return info;
}

} // namespace httptap::helper
