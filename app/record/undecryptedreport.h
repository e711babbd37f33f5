// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The coverage doctor while capturing: TLS connections whose ciphertext went
// by but whose plaintext no probe delivered. Collected from ConnClose records
// and explained at the end ("encrypted by NSS: not supported"), so a user
// never wonders silently why a connection is missing.

#include "record/recordformat.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace httptap::cli {

class UndecryptedReport
{
public:
    void add(const record::ConnClose& close);
    bool empty() const { return m_byPid.empty(); }
    // One line per process, with the reason the doctor finds for it.
    std::vector<std::string> lines() const;

private:
    struct PerProcess {
        uint64_t connections = 0;
        std::string example; // "127.0.0.1:8443"
        std::string name; // the process's comm, read when its first such connection closed
        std::string reason; // the doctor's verdict, read then too (the process may be gone at the end)
    };
    std::map<uint32_t, PerProcess> m_byPid;
};

} // namespace httptap::cli
