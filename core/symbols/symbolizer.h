// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Names the frames of captured initiator stacks (issue 12) on the
// unprivileged side: each frame's module (the mapped file's path in the
// target) and file offset become `symbol` + `symbolOffset` through the file's
// ELF symbols or Go table (ElfSymbolTable). Only local files are read — no
// debuginfod, no network. The target's own view of the path is tried first
// (/proc/PID/root/PATH: containers, other mount namespaces), then the path as
// seen here; a file that cannot be opened (gone, permissions, not a regular
// file) leaves its frames unnamed, which is shown honestly as module+offset.
//
// Caches, all bounded: loaded tables per file (device, inode, size, mtime: a
// replaced file is read again) up to kMaxModules / kMaxBytes, least recently
// used dropped first; (pid, path) → file for a couple of seconds so a stack
// costs no stat() per frame; answers per (file, offset); and whole stacks:
// the same call site sends request after request, so a stack seen before gets
// the same named frame list (implicitly shared: one copy in memory for all its
// flows). Not thread-safe: one per thread.

#include "elfsymboltable.h"
#include "flow/flow.h"

#include <QHash>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>

namespace httptap {

class Symbolizer
{
public:
    static constexpr size_t kMaxModules = 64;
    static constexpr size_t kMaxBytes = 384ull << 20;
    static constexpr qsizetype kMaxAnswers = 200'000;
    static constexpr qsizetype kMaxStacks = 20'000;

    // Replaces flow.initiator by a copy with its frames named; nothing when there is no stack or
    // every frame already has a name. Stacks are shared and immutable, hence the copy. Frames
    // after the first are return addresses, looked up one byte back (the call instruction).
    void symbolize(Flow& flow);
    // Whether symbolize() has anything to do: a stack with a frame in a module but no name yet.
    static bool needsNames(const Flow& flow);
    std::shared_ptr<const InitiatorStack> symbolized(const InitiatorStack& stack, uint32_t pid);
    // The function at `fileOffset` of `module` as process `pid` maps it (pid 0: the path as is).
    std::optional<ElfSymbolTable::Symbol> lookup(uint32_t pid, const QString& module, uint64_t fileOffset);

    // Off: only the path as seen here is opened (tests).
    void setTryProcRoot(bool on) { m_tryProcRoot = on; }
    size_t cachedModules() const { return m_tables.size(); }

private:
    struct Loaded {
        std::shared_ptr<const ElfSymbolTable> table; // null: not ELF
        uint64_t serial = 0;
        uint64_t lastUse = 0;
        size_t bytes = 0;
    };
    struct Recent {
        QString fileKey; // empty: could not be opened
        std::chrono::steady_clock::time_point until;
    };

    struct KnownStack {
        uint32_t pid = 0;
        QList<StackFrame> frames; // as captured
        QList<StackFrame> named;
    };

    const Loaded* module(uint32_t pid, const QString& path);
    const Loaded* load(const QString& fileKey, int fd);
    void evict();

    QHash<QString, Loaded> m_tables; // "dev:ino:size:mtime" →
    QHash<QPair<uint32_t, QString>, Recent> m_recent; // (pid, path) →
    QHash<QPair<uint64_t, uint64_t>, std::optional<ElfSymbolTable::Symbol>> m_answers; // (serial, offset) →
    QHash<size_t, KnownStack> m_stacks; // hash of (pid, frames) →
    uint64_t m_clock = 0;
    uint64_t m_nextSerial = 1;
    size_t m_bytes = 0;
    bool m_tryProcRoot = true;
};

} // namespace httptap
