// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Go crypto/tls support of the capture engine: recognising Go binaries that
// contain crypto/tls, and attaching the gotls.bpf.h programs to their
// (*tls.Conn).Write and (*tls.Conn).Read — entry on the prologue's emulated
// jump, one probe per RET (see gofuncprobes.h), each carrying a cookie that
// names the binary's entry in the go_binaries map.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

struct capture_bpf;
struct bpf_link;

namespace httptap::helper::golang {

struct GoTlsInfo {
    std::string version; // "go1.19.8", empty if unknown
    bool stripped = false; // functions are found through .gopclntab
};

// Set when path is a Go binary that links crypto/tls.
std::optional<GoTlsInfo> inspectGoTls(const std::string& path);

// Attaches the Go probes to the binary at path (displayPath for messages).
// binaryKey must be unique per binary for the engine's lifetime. On success
// the links are appended to links and notes say which attach points were
// chosen; on failure nothing stays attached and error says why.
bool attachGoTls(capture_bpf* skel, const std::string& path, const std::string& displayPath, uint32_t binaryKey,
    std::vector<bpf_link*>& links, std::vector<std::string>* notes, std::string* error);

} // namespace httptap::helper::golang
