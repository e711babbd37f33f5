// SPDX-License-Identifier: GPL-2.0-or-later
// For go_symbols.py: names one place in an ELF file the way the recorder would.
//   symbolprobe FILE --offset HEX    file offset, through Symbolizer (as a frame is named)
//   symbolprobe FILE --address HEX   link-time virtual address, straight from the table
// Prints "name+0xoffset", or "(none)" and exits 1.

#include "symbols/symbolizer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

using namespace httptap;

int main(int argc, char** argv)
{
    if (argc != 4 || (std::strcmp(argv[2], "--offset") != 0 && std::strcmp(argv[2], "--address") != 0)) {
        std::fprintf(stderr, "usage: symbolprobe FILE --offset|--address HEX\n");
        return 2;
    }
    const uint64_t value = std::strtoull(argv[3], nullptr, 16);
    std::optional<ElfSymbolTable::Symbol> symbol;
    if (std::strcmp(argv[2], "--offset") == 0) {
        Symbolizer symbolizer;
        symbol = symbolizer.lookup(0, QString::fromLocal8Bit(argv[1]), value);
    } else {
        const int fd = ::open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            std::perror(argv[1]);
            return 2;
        }
        if (std::optional<ElfSymbolTable> table = ElfSymbolTable::fromFd(fd))
            symbol = table->lookupAddress(value);
        ::close(fd);
    }
    if (!symbol) {
        std::puts("(none)");
        return 1;
    }
    std::printf("%s+0x%llx\n", symbol->name.toUtf8().constData(), static_cast<unsigned long long>(symbol->offset));
    return 0;
}
