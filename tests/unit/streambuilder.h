// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Builds capture record sequences for tests: one TestConnection per socket,
// byte offsets kept per direction, timestamps advancing by a fixed step, and
// helpers to run the records through a FlowAssembler and to re-cut the data
// records into other chunkings.

#include "flow/flowassembler.h"
#include "record/recordreader.h"

#include <QByteArray>

#include <vector>

namespace httptap::test {

struct TestConnection {
    uint64_t id = 1;
    record::Source source = record::Source::Syscall;
    uint32_t pid = 4242;
    uint32_t tid = 4243;
    const char* comm = "curl";
    uint8_t family = 4;
    record::Endpoint local { { 127, 0, 0, 1 }, 40000 };
    record::Endpoint remote { { 127, 0, 0, 1 }, 8080 };
    uint64_t offsets[2] = { 0, 0 };
};

class StreamBuilder
{
public:
    static constexpr uint64_t kStartNs = 1'000'000'000;
    static constexpr uint64_t kStepNs = 1'000;

    // A data record carrying `bytes` at the connection's current offset in that direction.
    void data(TestConnection& c, record::Direction direction, const QByteArray& bytes, uint8_t flags = 0);
    void egress(TestConnection& c, const QByteArray& bytes) { data(c, record::Direction::Egress, bytes); }
    void ingress(TestConnection& c, const QByteArray& bytes) { data(c, record::Direction::Ingress, bytes); }
    // Leaves out `bytes` of the stream, as a lost record would.
    void skip(TestConnection& c, record::Direction direction, uint64_t bytes);
    void close(const TestConnection& c);
    void add(record::Record r) { m_records.push_back(std::move(r)); }

    uint64_t now() const { return m_now; }
    const std::vector<record::Record>& records() const { return m_records; }
    // The records as a complete capture stream (header, StreamStart, records, StreamEnd).
    std::vector<uint8_t> encode() const;

private:
    std::vector<record::Record> m_records;
    uint64_t m_now = kStartNs;
};

struct AssemblyResult {
    std::vector<Flow> flows; // in emission order
    AssemblerStats stats;
    // Sorted by id.
    const Flow* byId(uint64_t id) const;
};

AssemblyResult assemble(const std::vector<record::Record>& records, uint64_t maxBodyBytes = 16u << 20);

// Every data record re-cut into pieces of at most `pieceSize` bytes (offsets kept exact).
std::vector<record::Record> rechunk(const std::vector<record::Record>& records, size_t pieceSize);

// Canonical text of a flow without timestamps, for comparing two assemblies.
QByteArray describe(const Flow& flow);

QByteArray repeat(char c, qsizetype n);

// A DNS datagram with one question for `name` of `type`: a query, or an answer whose one record
// is `address` (none when empty).
std::vector<uint8_t> dnsDatagram(uint16_t id, bool answer, const char* name, uint16_t type,
    const std::vector<uint8_t>& address);
// That datagram as the kernel reports it: sent (query) or received (answer) by `pid` from 127.0.0.53:53.
record::DnsMessage dnsMessage(uint64_t timeNs, uint32_t pid, std::vector<uint8_t> payload, bool answer);

} // namespace httptap::test
