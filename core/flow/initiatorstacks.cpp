// SPDX-License-Identifier: GPL-2.0-or-later
#include "initiatorstacks.h"

#include <algorithm>

namespace httptap {

namespace {

const record::ModuleMapping* mappingOf(const std::vector<record::ModuleMapping>& mappings, uint64_t address)
{
    auto it = std::upper_bound(mappings.begin(), mappings.end(), address,
        [](uint64_t a, const record::ModuleMapping& m) { return a < m.start; });
    if (it == mappings.begin())
        return nullptr;
    --it;
    return address < it->end ? &*it : nullptr;
}

// The C runtime's start routines live in libc (glibc: libc.so.6; musl: libc.so).
bool isCRuntime(const QString& module)
{
    const QString name = module.mid(module.lastIndexOf(QLatin1Char('/')) + 1);
    return name.startsWith(QLatin1String("libc.so")) || name.startsWith(QLatin1String("libc-"))
        || name.startsWith(QLatin1String("ld-musl"));
}

} // namespace

void InitiatorStacks::setMap(uint32_t pid, Mappings mappings)
{
    auto [it, inserted] = m_maps.insert_or_assign(pid, std::move(mappings));
    if (!inserted)
        return;
    m_mapOrder.push_back(pid);
    while (m_maps.size() > kMaxProcesses && !m_mapOrder.empty()) {
        m_maps.erase(m_mapOrder.front());
        m_mapOrder.pop_front();
    }
}

void InitiatorStacks::addModuleMap(const record::ModuleMap& map)
{
    auto sorted = std::make_shared<std::vector<record::ModuleMapping>>(map.mappings);
    std::sort(sorted->begin(), sorted->end(),
        [](const record::ModuleMapping& a, const record::ModuleMapping& b) { return a.start < b.start; });
    setMap(map.pid, std::move(sorted));
}

void InitiatorStacks::addProcess(const record::Process& process)
{
    switch (process.kind) {
    case record::ProcessEventKind::Fork:
        // The child runs its parent's code until it execs.
        if (const auto parent = m_maps.find(process.parentPid); parent != m_maps.end())
            setMap(process.pid, parent->second);
        break;
    case record::ProcessEventKind::Exec:
    case record::ProcessEventKind::Exit:
        // A new program (its ModuleMap follows), or no program: the old mappings mean nothing now.
        if (const auto it = m_maps.find(process.pid); it != m_maps.end()) {
            m_maps.erase(it);
            m_mapOrder.erase(std::find(m_mapOrder.begin(), m_mapOrder.end(), process.pid));
        }
        break;
    }
}

std::shared_ptr<const InitiatorStack> InitiatorStacks::resolve(const record::Stack& stack) const
{
    auto out = std::make_shared<InitiatorStack>();
    out->tid = stack.tid;
    out->thread = QString::fromUtf8(record::commToString(stack.comm));
    out->timestampNs = stack.timestampNs;
    const auto found = m_maps.find(stack.pid);
    static const std::vector<record::ModuleMapping> none;
    const std::vector<record::ModuleMapping>& mappings = found != m_maps.end() ? *found->second : none;

    std::vector<uint64_t> addresses = stack.frames;
    // At a syscall, the libc wrapper's caller is the word at the stack pointer (the kernel checked
    // that a call precedes it), not in the frame-pointer chain, which resumes at the caller's caller.
    if ((stack.flags & record::kStackAtSyscall) && stack.caller && !addresses.empty()
        && (addresses.size() < 2 || addresses[1] != stack.caller) && mappingOf(mappings, stack.caller))
        addresses.insert(addresses.begin() + 1, stack.caller);

    bool cut = false;
    for (size_t i = 0; i < addresses.size(); ++i) {
        StackFrame f;
        f.address = addresses[i];
        if (const record::ModuleMapping* m = mappingOf(mappings, f.address)) {
            f.module = QString::fromUtf8(m->path);
            f.moduleOffset = f.address - m->start + m->fileOffset;
        } else if (i > 0) {
            cut = true; // not code: the walk read something that is not a frame
            break;
        }
        out->frames.push_back(std::move(f));
    }
    // Where the walk ends when it is whole: the C runtime's start routines, or — for Go, whose
    // goroutines all start in runtime.goexit with a zero frame pointer — the Go binary itself.
    const bool reachedStart = !out->frames.isEmpty()
        && (isCRuntime(out->frames.back().module)
            || (stack.source == record::Source::GoTls && !out->frames.back().module.isEmpty()
                && out->frames.back().module == out->frames.front().module));
    out->partial = cut || stack.frames.size() >= kKernelFrameLimit || !reachedStart;
    return out;
}

void InitiatorStacks::addStack(const record::Stack& stack)
{
    if (stack.frames.empty())
        return;
    std::deque<Waiting>& queue = m_waiting[stack.connId];
    queue.push_back({stack.source, stack.streamOffset, resolve(stack)});
    if (queue.size() > kMaxWaitingPerConnection)
        queue.pop_front();
    // Connection ids grow: the lowest is the oldest connection, whose messages never showed up.
    if (m_waiting.size() > kMaxWaitingConnections)
        m_waiting.erase(m_waiting.begin());
}

std::shared_ptr<const InitiatorStack> InitiatorStacks::take(uint64_t connId, record::Source source, uint64_t offset)
{
    const auto it = m_waiting.find(connId);
    if (it == m_waiting.end())
        return nullptr;
    std::deque<Waiting>& queue = it->second;
    for (auto w = queue.begin(); w != queue.end(); ++w) {
        if (w->source != source || w->offset != offset)
            continue;
        std::shared_ptr<const InitiatorStack> stack = std::move(w->stack);
        queue.erase(w);
        if (queue.empty())
            m_waiting.erase(it);
        return stack;
    }
    return nullptr;
}

void InitiatorStacks::forgetConnection(uint64_t connId)
{
    m_waiting.erase(connId);
}

} // namespace httptap
