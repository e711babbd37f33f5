// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Large bodies kept out of the heap. A capture keeps every flow it shows, so
// a long one with large downloads would hold them all in memory (issue 10).
// Bodies (and decoded bodies) above a limit leave the heap when their flow
// leaves the assembler, in one of two ways:
//
//  - Spill: the bytes are written to a spill file and the body becomes a
//    read-only view of the file's memory mapping (QByteArray::fromRawData;
//    writing to it copies, as for any shared QByteArray). The file belongs to
//    this process alone: created with O_TMPFILE (it never has a name) or,
//    where the file system lacks that, as a mkstemp file unlinked at once;
//    mode 0600 either way. Nothing names it, so the kernel frees it when the
//    process ends, however it ends. The default directory is
//    $XDG_RUNTIME_DIR (a per-user tmpfs: memory that can be swapped, never a
//    disk), else /tmp. Mappings stay until the process ends (flows may be
//    read on any thread at any time), and the file is capped at
//    maxFileBytes: past that, or when a write fails (a full tmpfs), a body is
//    dropped as below instead.
//  - Drop: the body keeps its first limit bytes and is marked truncated, with
//    a note saying why.
//
// Captured bytes written to a file are still captured bytes: SECURITY.md and
// README describe the choice and the settings.

#include "flow.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <mutex>

namespace httptap {

class SpillFile
{
public:
    // Opens a spill file in directory (empty: $XDG_RUNTIME_DIR, else /tmp); null and *error on failure.
    static std::unique_ptr<SpillFile> open(const QString& directory, uint64_t maxFileBytes, QString* error);
    ~SpillFile();
    SpillFile(const SpillFile&) = delete;
    SpillFile& operator=(const SpillFile&) = delete;

    // A view of bytes copied into the file; false (and *error) when the file is full or a write failed.
    bool store(const QByteArray& bytes, QByteArray* view, QString* error);

    int fd() const { return m_fd; }
    const QString& directory() const { return m_directory; }
    bool anonymous() const { return m_anonymous; } // O_TMPFILE: the file never had a name
    uint64_t bytesUsed() const;

private:
    SpillFile(int fd, QString directory, bool anonymous, uint64_t maxFileBytes);

    int m_fd;
    QString m_directory;
    bool m_anonymous;
    uint64_t m_maxFileBytes;
    mutable std::mutex m_mutex; // flows may leave assemblers on several threads
    uint64_t m_end = 0; // next free offset, page-aligned
};

struct LargeBodyPolicy {
    enum class Mode : uint8_t {
        Keep, // bodies stay on the heap whatever their size (up to the assembler's body limit)
        Spill,
        Drop,
    };
    Mode mode = Mode::Keep;
    uint64_t limitBytes = 64 * 1024; // bodies longer than this spill or are dropped
    std::shared_ptr<SpillFile> spill; // Spill mode: where to (null: drop instead)
};

// Applies the policy to a flow's request and response bodies and their decoded forms.
void keepLargeBodies(Flow& flow, const LargeBodyPolicy& policy);

} // namespace httptap
