// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Initiator stacks (issue 12) on their way to flows. Stack records wait here,
// filed by connection, capture source and the egress stream offset where the
// message they belong to starts, until the connection reads the Data record at
// that offset (the kernel emits a message's stack before its bytes). Each
// frame's address is placed in a module when the Stack arrives, with the
// newest ModuleMap of its process (a fork uses its parent's until it execs or
// gets its own).
//
// What a stack says (InitiatorStack::partial): the kernel's frame-pointer walk
// stops at a zero or unreadable frame pointer, so a stack is whole only when
// it reaches the C runtime's start routines — its outermost frame in libc
// (__libc_start_call_main for a main thread, start_thread for the others) —
// or, for a stack taken at Go's crypto/tls Write, the Go binary that frame 0
// is in (every goroutine starts in runtime.goexit), with fewer frames than
// the kernel's limit. A frame outside every executable
// mapping ends the stack there (a walk through code without frame pointers
// reading data as frames; JIT code in anonymous memory is not followed
// either): it and what follows are dropped and the stack is partial. Nothing
// is guessed.
//
// Bounded: 4096 processes' maps; waiting stacks of 1024 connections, 64 each
// (the oldest go first).

#include "flow.h"
#include "record/recordformat.h"

#include <deque>
#include <map>
#include <memory>
#include <unordered_map>

namespace httptap {

class InitiatorStacks
{
public:
    static constexpr size_t kMaxProcesses = 4096;
    static constexpr size_t kMaxWaitingConnections = 1024;
    static constexpr size_t kMaxWaitingPerConnection = 64;
    // The kernel side walks at most this many frames (bpf/capture.h CAPTURE_STACK_MAX):
    // a stack that long may have been cut.
    static constexpr size_t kKernelFrameLimit = 64;

    void addModuleMap(const record::ModuleMap& map);
    void addProcess(const record::Process& process);
    void addStack(const record::Stack& stack);
    // The stack of the message that starts at offset of this connection's egress stream, if one waits.
    std::shared_ptr<const InitiatorStack> take(uint64_t connId, record::Source source, uint64_t offset);
    // No stack waits for any connection (stacks off, or all taken): take() would find nothing.
    // Inline: checked for every egress record.
    bool noneWaiting() const { return m_waiting.empty(); }
    void forgetConnection(uint64_t connId);

    // Frames of a Stack record placed in modules, partial decided as above.
    std::shared_ptr<const InitiatorStack> resolve(const record::Stack& stack) const;

private:
    using Mappings = std::shared_ptr<const std::vector<record::ModuleMapping>>;
    struct Waiting {
        record::Source source;
        uint64_t offset;
        std::shared_ptr<const InitiatorStack> stack;
    };
    std::unordered_map<uint32_t, Mappings> m_maps; // by pid
    std::deque<uint32_t> m_mapOrder; // pids in the order their first map came (eviction)
    std::map<uint64_t, std::deque<Waiting>> m_waiting; // by connection id

    void setMap(uint32_t pid, Mappings mappings);
};

} // namespace httptap
