// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Where to probe OpenSSL's SSL_read/SSL_write so that the kernel emulates the
// probed instructions instead of single-stepping them (helper/x86uprobes.h).
//
// In Debian's libssl 3.0 (and OpenSSL 3 builds like it) both are short
// wrappers: `sub rsp; …; mov rcx, rsp; movsxd rdx, edx; call
// ssl_{read,write}_internal; test eax, eax; jle …`. At the call the
// arguments are still in rdi/rsi/rdx and rcx points at the size_t that
// receives the byte count; at the jump after `test eax, eax` the internal
// function's result (1 on success) is in eax and the count has been stored.
// Both are emulated. The plan is only made when the code matches that shape
// exactly; anything else keeps the function-entry probe and uretprobe.

#include <cstdint>
#include <optional>
#include <string>

namespace httptap::helper {

struct SslWrapperProbes {
    uint64_t callOffset = 0; // file offset of the call
    uint64_t resultOffset = 0; // file offset of the conditional jump after it
    uint64_t callRelative = 0; // offsets from the function's first byte, for the log
    uint64_t resultRelative = 0;
    std::string resultInstruction; // "jle"
};

// Plans the probes of the wrapper whose first byte is at functionOffset in
// path; nullopt with the reason when its code does not have the shape above.
std::optional<SslWrapperProbes> planSslWrapperProbes(const std::string& path, uint64_t functionOffset,
    std::string* why);

} // namespace httptap::helper
