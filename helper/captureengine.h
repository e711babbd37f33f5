// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The capture engine: owns the BPF skeleton, decides what to probe, and turns
// kernel events into capture records. It does no HTTP parsing and keeps no
// captured bytes beyond the record buffer it is given.
//
// Lifetime: start() loads and attaches everything (or fails with a message
// fit for the user); poll() drains the ring buffer into the RecordWriter;
// the destructor detaches every probe (RAII through the skeleton).

#include "record/recordwriter.h"
#include "tlslibraries.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <sys/types.h>
#include <vector>

struct capture_bpf;
struct ring_buffer;
struct bpf_link;

struct capture_close_event; // bpf/capture.h
struct capture_stack_event;

namespace httptap::helper {

struct CaptureOptions {
    std::vector<pid_t> pids;
    bool followForks = true;
    uint64_t maxCallBytes = 64ull << 20;
    // Benchmarks: probes attached as usual, hits only counted (probeHits()).
    bool countOnly = false;
    // Benchmarks: with countOnly, leave the syscall tracepoints out, so what is
    // measured is the uprobes' mechanism alone (bench/capture.py count-uprobes).
    bool noSyscallProbes = false;
    // Time TCP connect and TLS handshakes (ConnPhase records); off: no
    // connect tracing, no socket-state tracepoint.
    bool timing = true;
    // A user stack per message sent (Stack records) and the processes'
    // executable mappings to read them with (ModuleMap records); off: neither.
    bool stacks = true;
    // A process the caller started and holds before exec: its libraries are
    // not loaded yet, so no "OpenSSL not found" warning for it.
    pid_t launchedPid = 0;
};

class CaptureEngine
{
public:
    explicit CaptureEngine(record::RecordWriter& out);
    ~CaptureEngine();
    CaptureEngine(const CaptureEngine&) = delete;
    CaptureEngine& operator=(const CaptureEngine&) = delete;

    // Loads and attaches the probes and starts tracing options.pids. On failure
    // returns false with a message that says what is wrong and what to do.
    bool start(const CaptureOptions& options, std::string* error);

    // Waits up to timeoutMs for events and appends them to the writer as
    // records. Returns the number of events, or a negative errno.
    int poll(int timeoutMs);

    // Looks for TLS libraries newly mapped by traced processes (after exec or
    // dlopen) and probes them.
    void rescanLibraries();

    // Emits a Lost record if the kernel's drop counters moved.
    void reportLosses();
    // At the end: a ConnClose (kCloseCaptureEnded) for each TLS connection still open that no probe decrypted.
    void reportUnreadConnections() { closeConnections(std::nullopt); }
    // Probe hits in traced processes counted under CaptureOptions::countOnly.
    uint64_t probeHits() const;

    // For a running capture (the D-Bus service): trace more processes (with
    // their children when following forks), or stop tracing some (and their
    // children). addPids fails with a message when a pid does not exist.
    bool addPids(const std::vector<pid_t>& pids, std::string* error);
    void removePids(const std::vector<pid_t>& pids);

    // Readable when the ring buffer has events: lets an event loop call
    // poll(0) instead of blocking in poll(timeoutMs). -1 before start().
    int eventFd() const;

    bool hasExited(pid_t pid) const { return m_exited.count(pid) != 0; }
    const std::set<pid_t>& tracedPids() const { return m_traced; }
    uint64_t lostRecords() const { return m_lostReported; }

private:
    static int onEvent(void* self, void* data, size_t size);
    int handleEvent(const void* data, size_t size);
    bool attachTracepoints(std::string* error);
    bool attachLibrary(const TlsLibrary& library, std::string* error);
    // OpenSSL's SSL_read/SSL_write probed inside, at emulated instructions
    // (helper/sslprobes.h); adds the symbols so placed, returns the links made.
    int attachOpenSslWrappers(const TlsLibrary& library, std::set<std::string>* placed);
    bool tracePids(const std::vector<pid_t>& pids, pid_t launchedPid, std::string* error);
    void scanProcess(pid_t pid, bool warnIfNone);
    const std::optional<TlsLibrary>& classify(const MappedFile& file);
    void markKnown(const MappedFile& file);
    void notice(record::NoticeLevel level, pid_t pid, std::string text);
    void writeClose(const capture_close_event& event);
    // Emits pid's executable mappings when they differ from the last ModuleMap sent for it.
    void emitModuleMap(pid_t pid);
    void writeStack(const capture_stack_event& event);
    // ConnClose for the connections of an exited process (their sockets were closed by exit, which
    // the kernel does not report as close()), or with nullopt the unread TLS ones still open.
    void closeConnections(std::optional<pid_t> exited);

    record::RecordWriter& m_out;
    capture_bpf* m_skel = nullptr;
    ring_buffer* m_ring = nullptr;
    std::vector<bpf_link*> m_links;
    std::set<std::pair<dev_t, ino_t>> m_attachedLibraries;
    std::map<std::pair<dev_t, ino_t>, std::optional<TlsLibrary>> m_classified; // per file, read once
    std::set<std::pair<pid_t, std::string>> m_reportedLibraries;
    std::set<pid_t> m_traced;
    std::set<pid_t> m_exited;
    std::set<pid_t> m_scannedOnData; // pids whose maps were read when their first data arrived
    bool m_followForks = true;
    bool m_stacks = true;
    struct SentModuleMap {
        std::vector<record::ModuleMapping> mappings;
        uint64_t readNs = 0; // when /proc/PID/maps was last read for it
    };
    std::map<pid_t, SentModuleMap> m_moduleMaps;
    uint64_t m_lostReported = 0;
    uint64_t m_copyFailedReported = 0;
    uint64_t m_probeMissesReported = 0;
};

} // namespace httptap::helper
