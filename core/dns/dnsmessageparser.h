// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The parts of a DNS message (RFC 1035 §4.1) the DNS phase of connection
// timing needs: the header, the first question, and the addresses (A, AAAA)
// and aliases (CNAME) in the answer section.
//
// Captured datagrams are untrusted and may be cut short (the kernel copies at
// most 512 bytes): every read is bounds-checked; a compression pointer must
// point before the name it continues (so names cannot loop); names are capped
// at 255 bytes and answer records at kMaxDnsAnswers. A message cut inside the
// answer section keeps the answers before the cut (truncated is set).

#include <QByteArray>
#include <QList>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace httptap {

struct DnsAddress {
    uint8_t family = 0; // 4 (A) or 6 (AAAA)
    std::array<uint8_t, 16> addr {}; // IPv4 in the first 4 bytes
    bool operator==(const DnsAddress&) const = default;
};

struct ParsedDnsMessage {
    uint16_t id = 0;
    bool response = false; // QR: an answer (else a query)
    uint8_t opcode = 0;
    uint8_t rcode = 0; // 0 NOERROR, 3 NXDOMAIN…
    QByteArray name; // the first question's name, lower case, without the final dot ("api.example.test")
    uint16_t qtype = 0; // 1 A, 28 AAAA…
    QList<DnsAddress> addresses; // A and AAAA records of the answer section, in order
    QList<QByteArray> aliases; // CNAME targets in the answer section, lower case
    bool truncated = false; // the datagram ended inside a record (or TC was set)
};

inline constexpr int kMaxDnsAnswers = 64;
inline constexpr uint16_t kDnsTypeA = 1;
inline constexpr uint16_t kDnsTypeCname = 5;
inline constexpr uint16_t kDnsTypeAaaa = 28;

// nullopt when the bytes are not a DNS message with a question this parser can read.
std::optional<ParsedDnsMessage> parseDnsMessage(const uint8_t* data, size_t size);

} // namespace httptap
