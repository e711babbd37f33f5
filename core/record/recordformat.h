// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The capture record stream: the one versioned binary format used between the
// privileged helper and everything else (the CLI, the app, saved raw captures,
// test fixtures). It is the only thing the helper produces.
//
// Layout (all integers little-endian):
//   stream header  : "HTTPTAP\0" (8) | u16 version | u16 header size (16) | u32 reserved
//   record, repeated: u32 size (whole record, header included) | u16 type | u16 reserved | body
//
// Readers must treat every field as hostile: sizes are capped (kMaxRecordSize),
// unknown record types are skipped, short bodies are errors.
//
// This header is plain C++ (no Qt) so the helper can link it without pulling
// in anything else.

#include "payload.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace httptap::record {

inline constexpr std::array<char, 8> kMagic = {'H', 'T', 'T', 'P', 'T', 'A', 'P', '\0'};
inline constexpr uint16_t kVersion = 1;
inline constexpr uint32_t kStreamHeaderSize = 16;
inline constexpr uint32_t kRecordHeaderSize = 8;
// No legitimate record comes close: data chunks are at most a few tens of KiB.
inline constexpr uint32_t kMaxRecordSize = 1u << 20;
inline constexpr size_t kCommSize = 16;

enum class RecordType : uint16_t {
    StreamStart = 1, // clock anchors, producer
    Data = 2, // a chunk of bytes a process sent or received
    ConnClose = 3, // the process closed the socket
    Process = 4, // fork / exec / exit of a traced process
    Lost = 5, // cumulative count of records the kernel could not deliver
    Notice = 6, // a human-readable message from the producer
    LibraryAttached = 7, // TLS probes attached to a library mapped by a pid
    Ready = 8, // probes are attached; traffic from now on is captured
    StreamEnd = 9, // producer finished cleanly
    ConnPhase = 10, // a timed phase of a connection's set-up (TCP connect, TLS handshake)
    // Reserved for issue 12 (being built): numbers fixed here so parallel work does not collide.
    DnsMessage = 11, // a DNS query or answer a traced process exchanged over UDP port 53
    Stack = 12, // the user-space call stack of a thread when it started sending a message
    ModuleMap = 13, // the executable mappings of a traced process (for symbolizing stacks)
};

enum class Direction : uint8_t {
    Egress = 0, // the process wrote / sent these bytes
    Ingress = 1, // the process read / received these bytes
};

enum class Source : uint8_t {
    Syscall = 0, // plaintext seen at read/write/send/recv
    OpenSsl = 1,
    GnuTls = 2,
    GoTls = 3,
};

enum class ProcessEventKind : uint32_t {
    Fork = 1,
    Exec = 2,
    Exit = 3,
};

enum class NoticeLevel : uint32_t {
    Info = 0,
    Warning = 1,
    Error = 2,
};

// Data flags.
inline constexpr uint8_t kDataCallTruncated = 0x01; // bytes after this chunk in the same call were not copied
inline constexpr uint8_t kDataJoinedLate = 0x02; // the connection carried bytes before capture began
// A Data record with kDataCallTruncated and an empty payload reports callSize
// bytes at streamOffset that crossed the socket but could not be copied at all
// (sendfile, or a copy limit of zero): the reader marks exactly those missing.

struct StreamStart {
    uint64_t monotonicNs = 0; // CLOCK_MONOTONIC at the anchor instant
    uint64_t realtimeNs = 0; // CLOCK_REALTIME at the same instant
    uint32_t producerPid = 0;
    std::string producer; // e.g. "httptap-helper 0.1"
};

struct Endpoint {
    std::array<uint8_t, 16> addr {}; // IPv4 in the first 4 bytes
    uint16_t port = 0;
};

struct Data {
    uint64_t timestampNs = 0; // CLOCK_MONOTONIC
    uint64_t connId = 0; // unique per capture session
    uint64_t streamOffset = 0; // offset of payload[0] in this direction's byte stream
    uint32_t pid = 0;
    uint32_t tid = 0;
    int32_t fd = -1;
    uint32_t callSize = 0; // bytes the whole call transferred
    Direction direction = Direction::Egress;
    Source source = Source::Syscall;
    uint8_t family = 0; // 0 unknown, 4, 6
    uint8_t flags = 0;
    Endpoint local;
    Endpoint remote;
    std::array<char, kCommSize> comm {};
    // From RecordReader::next() a view into the reader's input (see its contract); a copy of
    // the record owns its bytes.
    Payload payload;
};
inline constexpr uint32_t kDataFixedSize = 96;

// ConnClose flags.
inline constexpr uint32_t kCloseEncryptedUnread = 0x01; // TLS crossed it, but no probed library showed plaintext
inline constexpr uint32_t kCloseCaptureEnded = 0x02; // not closed: still open when the capture ended

struct ConnClose {
    uint64_t timestampNs = 0;
    uint64_t connId = 0;
    uint32_t pid = 0;
    int32_t fd = -1;
    // Appended fields (absent from older producers' records: then zero).
    uint32_t flags = 0;
    uint8_t family = 0; // 0 unknown, 4, 6
    Endpoint local;
    Endpoint remote;
};

// Phases of a connection's set-up, timed in the kernel.
enum class ConnPhaseKind : uint8_t {
    Connect = 1, // connect() called → TCP established
    TlsHandshake = 2, // first TLS record on the socket → last one before the first plaintext
};

struct ConnPhase {
    uint64_t connId = 0;
    uint32_t pid = 0;
    ConnPhaseKind phase = ConnPhaseKind::Connect;
    uint64_t startNs = 0; // CLOCK_MONOTONIC
    uint64_t endNs = 0; // >= startNs
};

// A DNS message (RFC 1035) a traced process sent to or received from UDP port 53:
// the datagram's first bytes (the kernel copies at most 512), for the DNS phase of
// connection timing. Not tied to a connection id: matched later by process and address.
struct DnsMessage {
    uint64_t timestampNs = 0; // CLOCK_MONOTONIC
    uint32_t pid = 0;
    uint32_t tid = 0;
    Direction direction = Direction::Egress; // Egress: a query (usually); Ingress: an answer
    uint8_t family = 0; // 4 or 6
    uint32_t messageSize = 0; // the datagram's real length (>= payload.size())
    Endpoint local;
    Endpoint remote; // the name server (port 53)
    std::vector<uint8_t> payload;
};
inline constexpr uint32_t kDnsMessageFixedSize = 60;
inline constexpr uint32_t kMaxDnsPayload = 65535; // a UDP datagram at most

struct Process {
    uint64_t timestampNs = 0;
    ProcessEventKind kind = ProcessEventKind::Fork;
    uint32_t pid = 0;
    uint32_t parentPid = 0; // for Fork: the parent
    int32_t exitCode = 0; // for Exit
    std::array<char, kCommSize> comm {};
    std::string filename; // for Exec
};

struct Lost {
    uint64_t timestampNs = 0;
    uint64_t lostRecords = 0; // cumulative since the stream started
};

struct Notice {
    uint64_t timestampNs = 0;
    NoticeLevel level = NoticeLevel::Info;
    uint32_t pid = 0;
    std::string text;
};

struct LibraryAttached {
    uint64_t timestampNs = 0;
    uint32_t pid = 0;
    Source source = Source::OpenSsl;
    std::string path;
};

struct Ready {
    uint64_t timestampNs = 0;
};

struct StreamEnd {
    uint64_t timestampNs = 0;
};

// The user-space call stack of a thread when it started sending a message on a
// connection (its first write, or its first after the connection's last
// ingress), captured once per message in the kernel.
inline constexpr size_t kMaxStackFrames = 128;
// Stack flags.
inline constexpr uint8_t kStackAtSyscall = 0x01; // taken at a syscall's exit: frames[0] is just after the syscall

struct Stack {
    uint64_t timestampNs = 0;
    uint64_t connId = 0; // as in the Data records of the message
    uint64_t streamOffset = 0; // egress stream offset of the message's first byte (Data::streamOffset)
    uint32_t pid = 0;
    uint32_t tid = 0;
    Source source = Source::Syscall; // the stream the message went through (Data::source)
    uint8_t flags = 0;
    // With kStackAtSyscall: the return address found at the user stack pointer,
    // checked in the kernel to follow a call instruction — the direct caller of a
    // libc wrapper, which the frame-pointer walk skips. 0 if none.
    uint64_t caller = 0;
    std::array<char, kCommSize> comm {}; // the thread's name
    std::vector<uint64_t> frames; // instruction pointers, innermost first; at most kMaxStackFrames
};

// One executable file mapping of a process (a line of /proc/PID/maps with x).
struct ModuleMapping {
    uint64_t start = 0;
    uint64_t end = 0; // exclusive
    uint64_t fileOffset = 0; // offset in the file of start
    uint64_t device = 0; // st_dev of the file as the helper saw it
    uint64_t inode = 0;
    std::string path; // as the process sees it, at most kMaxModulePath bytes

    bool operator==(const ModuleMapping&) const = default;
};
inline constexpr size_t kMaxModuleMappings = 2048;
inline constexpr size_t kMaxModulePath = 400; // 2048 mappings of this fit under kMaxRecordSize

// The executable mappings of a process, whole (each record replaces the
// previous one of that pid). Sent before any Stack record whose frames lie in
// them.
struct ModuleMap {
    uint64_t timestampNs = 0;
    uint32_t pid = 0;
    std::vector<ModuleMapping> mappings; // by start address
};

const char* sourceName(Source source);
std::string commToString(const std::array<char, kCommSize>& comm);

} // namespace httptap::record
