// SPDX-License-Identifier: GPL-2.0-or-later
#include "symbolizer.h"

#include <QFile>

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace httptap {

namespace {

constexpr auto kRecentFor = std::chrono::seconds(2);

bool sameFrames(const QList<StackFrame>& a, const QList<StackFrame>& b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const StackFrame& x, const StackFrame& y) {
        return x.address == y.address && x.moduleOffset == y.moduleOffset && x.module == y.module
            && x.symbol == y.symbol && x.symbolOffset == y.symbolOffset;
    });
}
constexpr off_t kMaxFileBytes = off_t(4) << 30;

// Opens a candidate module file: a regular file only (a FIFO or device must not block or be read).
int openRegular(const QString& path, struct stat* st)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return -1;
    if (::fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_size <= 0 || st->st_size > kMaxFileBytes) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

const Symbolizer::Loaded* Symbolizer::load(const QString& fileKey, int fd)
{
    auto it = m_tables.find(fileKey);
    if (it == m_tables.end()) {
        Loaded loaded;
        if (std::optional<ElfSymbolTable> table = ElfSymbolTable::fromFd(fd)) {
            loaded.bytes = table->memoryBytes();
            loaded.table = std::make_shared<const ElfSymbolTable>(std::move(*table));
        }
        loaded.serial = m_nextSerial++;
        m_bytes += loaded.bytes;
        it = m_tables.insert(fileKey, std::move(loaded));
    }
    it->lastUse = ++m_clock;
    const uint64_t serial = it->serial;
    evict();
    for (auto i = m_tables.cbegin(); i != m_tables.cend(); ++i)
        if (i->serial == serial)
            return &*i;
    return nullptr; // alone over the byte budget: not kept
}

void Symbolizer::evict()
{
    while (!m_tables.isEmpty() && (size_t(m_tables.size()) > kMaxModules || m_bytes > kMaxBytes)) {
        auto oldest = m_tables.begin();
        for (auto i = m_tables.begin(); i != m_tables.end(); ++i)
            if (i->lastUse < oldest->lastUse)
                oldest = i;
        m_bytes -= oldest->bytes;
        m_tables.erase(oldest);
    }
}

const Symbolizer::Loaded* Symbolizer::module(uint32_t pid, const QString& path)
{
    if (!path.startsWith(QLatin1Char('/')) || path.contains(QChar(0)))
        return nullptr;
    const auto now = std::chrono::steady_clock::now();
    const QPair<uint32_t, QString> recentKey(pid, path);
    auto recent = m_recent.find(recentKey);
    if (recent != m_recent.end() && recent->until > now) {
        if (recent->fileKey.isEmpty())
            return nullptr;
        auto it = m_tables.find(recent->fileKey);
        if (it != m_tables.end()) {
            it->lastUse = ++m_clock;
            return &*it;
        }
    }
    if (m_recent.size() > 4096)
        m_recent.clear();

    QStringList candidates;
    if (pid && m_tryProcRoot)
        candidates << QStringLiteral("/proc/%1/root%2").arg(pid).arg(path);
    candidates << path;
    for (const QString& candidate : candidates) {
        struct stat st;
        const int fd = openRegular(candidate, &st);
        if (fd < 0)
            continue;
        const QString fileKey = QStringLiteral("%1:%2:%3:%4.%5")
                                    .arg(st.st_dev)
                                    .arg(st.st_ino)
                                    .arg(st.st_size)
                                    .arg(st.st_mtim.tv_sec)
                                    .arg(st.st_mtim.tv_nsec);
        const Loaded* loaded = load(fileKey, fd);
        ::close(fd);
        m_recent.insert(recentKey, { loaded ? fileKey : QString(), now + kRecentFor });
        return loaded;
    }
    m_recent.insert(recentKey, { QString(), now + kRecentFor });
    return nullptr;
}

std::optional<ElfSymbolTable::Symbol> Symbolizer::lookup(uint32_t pid, const QString& modulePath, uint64_t fileOffset)
{
    const Loaded* loaded = module(pid, modulePath);
    if (!loaded || !loaded->table)
        return std::nullopt;
    const QPair<uint64_t, uint64_t> key(loaded->serial, fileOffset);
    if (auto it = m_answers.constFind(key); it != m_answers.cend())
        return *it;
    std::optional<ElfSymbolTable::Symbol> answer = loaded->table->lookup(fileOffset);
    if (m_answers.size() >= kMaxAnswers)
        m_answers.clear();
    m_answers.insert(key, answer);
    return answer;
}

std::shared_ptr<const InitiatorStack> Symbolizer::symbolized(const InitiatorStack& stack, uint32_t pid)
{
    auto out = std::make_shared<InitiatorStack>(stack);
    size_t hash = qHash(pid);
    for (const StackFrame& f : stack.frames)
        hash = qHashMulti(hash, f.address, f.moduleOffset, f.module, f.symbol);
    if (auto known = m_stacks.constFind(hash); known != m_stacks.cend() && known->pid == pid
        && sameFrames(known->frames, stack.frames)) {
        out->frames = known->named;
        return out;
    }
    for (qsizetype i = 0; i < out->frames.size(); ++i) {
        StackFrame& frame = out->frames[i];
        if (!frame.symbol.isEmpty() || frame.module.isEmpty())
            continue;
        // Outer frames are return addresses: the call is the byte before, and a call that ends a
        // function (to a noreturn callee) returns past its end, into the next symbol or none.
        const uint64_t back = i > 0 && frame.moduleOffset > 0 ? 1 : 0;
        if (std::optional<ElfSymbolTable::Symbol> s = lookup(pid, frame.module, frame.moduleOffset - back)) {
            frame.symbol = s->name;
            frame.symbolOffset = s->offset + back;
        }
    }
    if (m_stacks.size() >= kMaxStacks)
        m_stacks.clear();
    m_stacks.insert(hash, { pid, stack.frames, out->frames });
    return out;
}

bool Symbolizer::needsNames(const Flow& flow)
{
    if (!flow.initiator)
        return false;
    for (const StackFrame& frame : flow.initiator->frames)
        if (frame.symbol.isEmpty() && !frame.module.isEmpty())
            return true;
    return false;
}

void Symbolizer::symbolize(Flow& flow)
{
    if (needsNames(flow))
        flow.initiator = symbolized(*flow.initiator, flow.pid);
}

} // namespace httptap
