// SPDX-License-Identifier: GPL-2.0-or-later
#include "captureengine.h"

#include "capture.h"
#include "capture.skel.h"
#include "golang/gotlsprobes.h"
#include "modulemaps.h"
#include "processtree.h"
#include "sslprobes.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <span>
#include <ctime>
#include <poll.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <thread>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace httptap::helper {

namespace {

// Records the writer may hold before poll() hands control back to be written out (see onEvent).
constexpr size_t kMaxPendingOutput = 4u << 20;
// onEvent's "stop polling" result: negative so libbpf stops, distinct from every errno it returns.
constexpr int kPendingOutputFull = -1000001;

static_assert(sizeof(capture_data_event) == 104, "capture_data_event layout changed");
static_assert(sizeof(capture_close_event) == 64, "capture_close_event layout changed");
static_assert(sizeof(capture_process_event) == 296, "capture_process_event layout changed");
static_assert(sizeof(capture_phase_event) == 32, "capture_phase_event layout changed");
static_assert(sizeof(capture_dns_event) == 64 + CAPTURE_DNS_MAX, "capture_dns_event layout changed");
static_assert(sizeof(capture_stack_event) == 64 + 8 * CAPTURE_STACK_MAX, "capture_stack_event layout changed");
static_assert(CAPTURE_STACK_MAX <= record::kMaxStackFrames);
static_assert(CAPTURE_PHASE_TLS == static_cast<int>(record::ConnPhaseKind::TlsHandshake));
static_assert(CAPTURE_SOURCE_OPENSSL == static_cast<int>(record::Source::OpenSsl));
static_assert(CAPTURE_INGRESS == static_cast<int>(record::Direction::Ingress));
static_assert(CAPTURE_PROC_EXIT == static_cast<int>(record::ProcessEventKind::Exit));

// libbpf's warnings, kept so a failed load can say why.
std::string g_libbpfLog;

int libbpfPrint(enum libbpf_print_level level, const char* format, va_list args)
{
    // HTTPTAP_BPF_DEBUG=1 shows everything libbpf says (verifier logs) on stderr.
    static const bool debug = getenv("HTTPTAP_BPF_DEBUG") != nullptr;
    if (debug)
        return vfprintf(stderr, format, args);
    if (level == LIBBPF_DEBUG)
        return 0;
    char line[1024];
    const int n = vsnprintf(line, sizeof(line), format, args);
    if (g_libbpfLog.size() < 16384)
        g_libbpfLog += line;
    return n;
}

uint64_t monotonicNs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

bool pathExists(const char* path)
{
    struct stat st {};
    return stat(path, &st) == 0;
}

// libbpf finds tracepoint ids in tracefs; mount it where no one did (no systemd here).
void ensureTracefs()
{
    if (pathExists("/sys/kernel/tracing/events") || pathExists("/sys/kernel/debug/tracing/events"))
        return;
    mount("nodev", "/sys/kernel/tracing", "tracefs", 0, nullptr);
}

// Kernel endpoints → record endpoints; IPv4-mapped IPv6 addresses become IPv4.
// Event is capture_data_event or capture_close_event (same field names).
template<typename Event>
uint8_t convertEndpoints(const Event& e, record::Endpoint& local, record::Endpoint& remote)
{
    local.port = e.lport;
    remote.port = e.rport;
    std::memcpy(local.addr.data(), e.laddr, 16);
    std::memcpy(remote.addr.data(), e.raddr, 16);
    if (e.family == 2) {
        std::memset(local.addr.data() + 4, 0, 12);
        std::memset(remote.addr.data() + 4, 0, 12);
        return 4;
    }
    if (e.family != 10)
        return 0;
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(e.laddr, mapped, 12) != 0 || std::memcmp(e.raddr, mapped, 12) != 0)
        return 6;
    for (auto* a : {&local.addr, &remote.addr}) {
        std::memmove(a->data(), a->data() + 12, 4);
        std::memset(a->data() + 4, 0, 12);
    }
    return 4;
}

struct UprobeSpec {
    const char* symbol;
    bool retprobe;
    bpf_program* (*program)(capture_bpf*);
};

const UprobeSpec kOpenSslProbes[] = {
    {"SSL_write", false, [](capture_bpf* s) { return s->progs.ssl_write_entry; }},
    {"SSL_write", true, [](capture_bpf* s) { return s->progs.ssl_write_return; }},
    {"SSL_read", false, [](capture_bpf* s) { return s->progs.ssl_read_entry; }},
    {"SSL_read", true, [](capture_bpf* s) { return s->progs.ssl_read_return; }},
    {"SSL_write_ex", false, [](capture_bpf* s) { return s->progs.ssl_write_ex_entry; }},
    {"SSL_write_ex", true, [](capture_bpf* s) { return s->progs.ssl_write_ex_return; }},
    {"SSL_read_ex", false, [](capture_bpf* s) { return s->progs.ssl_read_ex_entry; }},
    {"SSL_read_ex", true, [](capture_bpf* s) { return s->progs.ssl_read_ex_return; }},
};

const UprobeSpec kGnuTlsProbes[] = {
    {"gnutls_record_send", false, [](capture_bpf* s) { return s->progs.gnutls_send_entry; }},
    {"gnutls_record_send", true, [](capture_bpf* s) { return s->progs.gnutls_send_return; }},
    {"gnutls_record_recv", false, [](capture_bpf* s) { return s->progs.gnutls_recv_entry; }},
    {"gnutls_record_recv", true, [](capture_bpf* s) { return s->progs.gnutls_recv_return; }},
};

} // namespace

CaptureEngine::CaptureEngine(record::RecordWriter& out)
    : m_out(out)
{
}

CaptureEngine::~CaptureEngine()
{
    ring_buffer__free(m_ring);
    // Each detach waits for an RCU grace period (~90 ms here); detaching in
    // parallel lets those waits overlap, so stopping takes one grace period
    // instead of one per probe.
    std::vector<std::thread> detachers;
    detachers.reserve(m_links.size());
    for (bpf_link* link : m_links)
        detachers.emplace_back([link] { bpf_link__destroy(link); });
    for (std::thread& t : detachers)
        t.join();
    capture_bpf__destroy(m_skel);
}

void CaptureEngine::notice(record::NoticeLevel level, pid_t pid, std::string text)
{
    m_out.write(record::Notice {monotonicNs(), level, static_cast<uint32_t>(pid), std::move(text)});
}

bool CaptureEngine::start(const CaptureOptions& options, std::string* error)
{
    libbpf_set_print(libbpfPrint);

    for (pid_t pid : options.pids) {
        if (kill(pid, 0) != 0 && errno == ESRCH) {
            *error = "no process with pid " + std::to_string(pid) + " (it does not exist or has already exited)";
            return false;
        }
    }
    if (!pathExists("/sys/kernel/btf/vmlinux")) {
        *error = "this kernel has no BTF type information (/sys/kernel/btf/vmlinux is missing); httptap needs a "
                 "kernel built with CONFIG_DEBUG_INFO_BTF=y and BPF support";
        return false;
    }
    ensureTracefs();

    m_skel = capture_bpf__open();
    if (!m_skel) {
        *error = std::string("could not open the BPF programs: ") + strerror(errno);
        return false;
    }
    m_skel->rodata->follow_forks = options.followForks;
    m_skel->rodata->max_call_bytes = options.maxCallBytes;
    m_skel->rodata->count_only = options.countOnly;
    m_skel->rodata->timing = options.timing;
    m_skel->rodata->stacks = options.stacks;
    m_stacks = options.stacks;
    if (!options.timing)
        bpf_program__set_autoload(m_skel->progs.on_inet_sock_set_state, false);
    if (options.countOnly && options.noSyscallProbes) {
        // Any syscall tracepoint sends every syscall of every task through the slow path.
        bpf_program__set_autoload(m_skel->progs.sys_enter, false);
        bpf_program__set_autoload(m_skel->progs.sys_exit, false);
        bpf_program__set_autoload(m_skel->progs.on_mmap, false);
    }

    if (int err = capture_bpf__load(m_skel)) {
        if ((err == -EPERM || err == -EACCES) && geteuid() != 0) {
            *error = "permission denied loading the BPF programs: run httptap's capture as root (sudo), or "
                     "through the httptap system service";
        } else {
            *error = std::string("the kernel refused httptap's BPF programs (") + strerror(-err)
                + "); a kernel with BPF, BTF, uprobes and syscall tracepoints is needed.\n" + g_libbpfLog;
        }
        return false;
    }
    if (!attachTracepoints(error))
        return false;

    m_ring = ring_buffer__new(bpf_map__fd(m_skel->maps.events), &CaptureEngine::onEvent, this, nullptr);
    if (!m_ring) {
        *error = std::string("could not open the BPF ring buffer: ") + strerror(errno);
        return false;
    }

    // Probe the system's OpenSSL up front: a process started later (or one that
    // loads libssl with dlopen) is then captured from its very first call.
    for (const TlsLibrary& lib : systemTlsLibraries()) {
        std::string why;
        if (!attachLibrary(lib, &why))
            notice(record::NoticeLevel::Warning, 0, why);
    }

    m_followForks = options.followForks;
    return tracePids(options.pids, options.launchedPid, error);
}

bool CaptureEngine::tracePids(const std::vector<pid_t>& pids, pid_t launchedPid, std::string* error)
{
    // Children the targets already started belong to them too (nginx workers).
    std::vector<pid_t> targets = pids;
    if (m_followForks) {
        for (pid_t pid : pids) {
            if (pid == launchedPid)
                continue;
            const auto children = descendantsOf(pid);
            targets.insert(targets.end(), children.begin(), children.end());
        }
    }
    const int tracedFd = bpf_map__fd(m_skel->maps.traced);
    const int preexistingFd = bpf_map__fd(m_skel->maps.preexisting_sockets);
    for (pid_t pid : targets) {
        if (m_traced.count(pid))
            continue;
        // Sockets open before tracing: their first captured bytes are mid-stream,
        // which the reader must know to resynchronise instead of misparsing.
        for (uint64_t inode : socketInodesOf(pid)) {
            const uint8_t yes = 1;
            bpf_map_update_elem(preexistingFd, &inode, &yes, BPF_ANY);
        }
        const bool requested = std::find(pids.begin(), pids.end(), pid) != pids.end();
        // A pid names a process only while it lives. One that exits between being listed and
        // entering the map would leave its number traced for whichever process gets it next, as
        // its exit tracepoint has already run. A pidfd pins the process: if it has exited by the
        // time the map holds its pid, the pid leaves the map again.
        const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
        if (pidfd < 0 && errno == ESRCH) {
            if (requested && pid != launchedPid) {
                *error = "no process with pid " + std::to_string(pid) + " (it has exited)";
                return false;
            }
            continue;
        }
        const uint32_t key = static_cast<uint32_t>(pid);
        const uint8_t one = 1;
        if (bpf_map_update_elem(tracedFd, &key, &one, BPF_ANY) != 0) {
            *error = "could not trace pid " + std::to_string(pid) + ": " + strerror(errno);
            if (pidfd >= 0)
                close(pidfd);
            return false;
        }
        if (pidfd >= 0) {
            pollfd exited {pidfd, POLLIN, 0};
            const bool gone = ::poll(&exited, 1, 0) > 0;
            close(pidfd);
            if (gone) {
                bpf_map_delete_elem(tracedFd, &key);
                if (requested && pid != launchedPid) {
                    *error = "pid " + std::to_string(pid) + " exited while the capture was being set up";
                    return false;
                }
                continue;
            }
        }
        m_traced.insert(pid);
        scanProcess(pid, /*warnIfNone=*/requested && pid != launchedPid);
    }
    return true;
}

bool CaptureEngine::addPids(const std::vector<pid_t>& pids, std::string* error)
{
    for (pid_t pid : pids) {
        if (kill(pid, 0) != 0 && errno == ESRCH) {
            *error = "no process with pid " + std::to_string(pid) + " (it does not exist or has already exited)";
            return false;
        }
    }
    return tracePids(pids, 0, error);
}

void CaptureEngine::removePids(const std::vector<pid_t>& pids)
{
    // A removed process takes the children it started with it; the kernel
    // side only follows forks of pids still in the map.
    std::vector<pid_t> targets = pids;
    for (pid_t pid : pids) {
        const auto children = descendantsOf(pid);
        targets.insert(targets.end(), children.begin(), children.end());
    }
    const int tracedFd = bpf_map__fd(m_skel->maps.traced);
    for (pid_t pid : targets) {
        const uint32_t key = static_cast<uint32_t>(pid);
        bpf_map_delete_elem(tracedFd, &key);
        m_traced.erase(pid);
    }
}

int CaptureEngine::eventFd() const
{
    return m_ring ? ring_buffer__epoll_fd(m_ring) : -1;
}

bool CaptureEngine::attachTracepoints(std::string* error)
{
    // Only the tracepoint/raw_tp programs attach automatically; uprobes are
    // attached per library in attachLibrary().
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, m_skel->obj)
    {
        const char* section = bpf_program__section_name(prog);
        if (strncmp(section, "tracepoint/", 11) != 0 && strncmp(section, "raw_tp/", 7) != 0)
            continue;
        if (!bpf_program__autoload(prog))
            continue; // left out by an option (--no-timing)
        bpf_link* link = bpf_program__attach(prog);
        if (!link) {
            *error = std::string("could not attach ") + section + ": " + strerror(errno)
                + " (is tracefs available at /sys/kernel/tracing?)";
            return false;
        }
        m_links.push_back(link);
    }
    return true;
}

bool CaptureEngine::attachLibrary(const TlsLibrary& library, std::string* error)
{
    const MappedFile& file = library.file;
    if (!m_attachedLibraries.insert({file.device, file.inode}).second)
        return true;
    std::span<const UprobeSpec> specs;
    switch (library.source) {
    case record::Source::OpenSsl:
        specs = kOpenSslProbes;
        break;
    case record::Source::GnuTls:
        specs = kGnuTlsProbes;
        break;
    case record::Source::GoTls: {
        // Go functions are probed at addresses found by disassembly, not by symbol.
        std::vector<std::string> notes;
        const auto key = static_cast<uint32_t>(m_attachedLibraries.size()); // unique: one per attached file
        if (!golang::attachGoTls(m_skel, file.path, file.displayPath, key, m_links, &notes, error))
            return false;
        for (std::string& note : notes)
            notice(record::NoticeLevel::Info, 0, std::move(note));
        return true;
    }
    default:
        *error = "no probes for " + std::string(sourceName(library.source)) + " in " + file.displayPath;
        return false;
    }
    int attached = 0;
    std::string missing;
    std::set<std::string> placed; // wrappers probed inside, by disassembly
    if (library.source == record::Source::OpenSsl)
        attached += attachOpenSslWrappers(library, &placed);
    for (const UprobeSpec& spec : specs) {
        if (placed.count(spec.symbol))
            continue;
        // Offsets resolved once at classification; libbpf would rescan the whole
        // symbol table for every probe (slow on a 100 MB node binary).
        const auto offset = library.offsets.find(spec.symbol);
        if (offset == library.offsets.end()) {
            if (!spec.retprobe)
                missing += std::string(missing.empty() ? "" : ", ") + spec.symbol;
            continue;
        }
        LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = spec.retprobe);
        bpf_link* link = bpf_program__attach_uprobe_opts(spec.program(m_skel), -1, file.path.c_str(),
            static_cast<size_t>(offset->second), &opts);
        if (!link) {
            if (!spec.retprobe)
                missing += std::string(missing.empty() ? "" : ", ") + spec.symbol + " (" + strerror(errno) + ")";
            continue;
        }
        m_links.push_back(link);
        ++attached;
    }
    if (attached == 0) {
        *error = "no " + std::string(sourceName(library.source)) + " functions could be probed in " + file.displayPath
            + (library.stripped ? " (its symbol table is stripped)" : "");
        return false;
    }
    if (!missing.empty())
        notice(record::NoticeLevel::Info, 0, file.displayPath + " has no " + missing + "; probed the others");
    return true;
}

int CaptureEngine::attachOpenSslWrappers(const TlsLibrary& library, std::set<std::string>* placed)
{
    const MappedFile& file = library.file;
    // Benchmarks compare against the function-entry placement (bench/capture.py).
    const char* placement = std::getenv("HTTPTAP_SSL_PROBES");
    if (placement && std::string(placement) == "entry")
        return 0;
    int attached = 0;
    std::string log;
    for (const bool read : {true, false}) {
        const char* symbol = read ? "SSL_read" : "SSL_write";
        const auto offset = library.offsets.find(symbol);
        if (offset == library.offsets.end())
            continue;
        std::string why;
        const auto plan = planSslWrapperProbes(file.path, offset->second, &why);
        if (!plan) {
            log += std::string(log.empty() ? "" : "; ") + symbol + ": " + why + ", probed at entry and return";
            continue;
        }
        bpf_program* entry = read ? m_skel->progs.ssl_read_call : m_skel->progs.ssl_write_call;
        bpf_link* call = bpf_program__attach_uprobe_opts(entry, -1, file.path.c_str(), plan->callOffset, nullptr);
        bpf_link* result = call ? bpf_program__attach_uprobe_opts(m_skel->progs.ssl_call_result, -1,
                                      file.path.c_str(), plan->resultOffset, nullptr)
                                : nullptr;
        if (!result) {
            bpf_link__destroy(call);
            log += std::string(log.empty() ? "" : "; ") + symbol + ": attaching inside failed ("
                + strerror(errno) + "), probed at entry and return";
            continue;
        }
        m_links.push_back(call);
        m_links.push_back(result);
        attached += 2;
        placed->insert(symbol);
        char where[96];
        snprintf(where, sizeof(where), " at its call (+0x%llx) and %s (+0x%llx), emulated",
            static_cast<unsigned long long>(plan->callRelative), plan->resultInstruction.c_str(),
            static_cast<unsigned long long>(plan->resultRelative));
        log += std::string(log.empty() ? "" : "; ") + symbol + where;
    }
    if (!log.empty())
        notice(record::NoticeLevel::Info, 0, "openssl: " + file.displayPath + ": " + log);
    return attached;
}

void CaptureEngine::markKnown(const MappedFile& file)
{
    // The kernel's dev_t encoding, as on_exec reads it from the superblock.
    const capture_file_key key {(uint64_t(major(file.device)) << 20) | minor(file.device), file.inode};
    const uint8_t one = 1;
    bpf_map_update_elem(bpf_map__fd(m_skel->maps.known_files), &key, &one, BPF_ANY);
}

const std::optional<TlsLibrary>& CaptureEngine::classify(const MappedFile& file)
{
    const auto key = std::make_pair(file.device, file.inode);
    auto it = m_classified.find(key);
    if (it == m_classified.end())
        it = m_classified.emplace(key, classifyTlsFile(file)).first;
    return it->second;
}

void CaptureEngine::scanProcess(pid_t pid, bool warnIfNone)
{
    emitModuleMap(pid);
    bool found = false;
    for (const MappedFile& file : executableMappings(pid)) {
        markKnown(file);
        const auto& library = classify(file);
        if (!library)
            continue;
        found = true;
        TlsLibrary lib = *library;
        lib.file = file; // this process's view of the path
        std::string why;
        if (!attachLibrary(lib, &why)) {
            notice(record::NoticeLevel::Warning, pid, why);
            continue;
        }
        if (m_reportedLibraries.insert({pid, file.displayPath}).second)
            m_out.write(record::LibraryAttached {monotonicNs(), static_cast<uint32_t>(pid), lib.source, file.displayPath});
    }
    if (!found && warnIfNone)
        notice(record::NoticeLevel::Warning, pid,
            "pid " + std::to_string(pid)
                + " has no TLS library httptap can read (OpenSSL, GnuTLS) loaded: only plaintext HTTP is captured");
}

void CaptureEngine::rescanLibraries()
{
    for (pid_t pid : m_traced)
        scanProcess(pid, false);
}

int CaptureEngine::poll(int timeoutMs)
{
    const int n = ring_buffer__poll(m_ring, timeoutMs);
    if (n == -EINTR)
        return 0;
    if (n == kPendingOutputFull)
        return 1; // stopped early (onEvent): records are waiting, and more in the ring buffer
    return n;
}

void CaptureEngine::reportLosses()
{
    const int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0)
        return;
    std::vector<uint64_t> values(static_cast<size_t>(cpus));
    uint64_t totals[CAPTURE_COUNTER_MAX] = {};
    for (uint32_t key = 0; key < CAPTURE_COUNTER_MAX; ++key) {
        if (bpf_map_lookup_elem(bpf_map__fd(m_skel->maps.counters), &key, values.data()) != 0)
            continue;
        for (uint64_t v : values)
            totals[key] += v;
    }
    if (totals[CAPTURE_COUNTER_RINGBUF_FULL] != m_lostReported) {
        m_lostReported = totals[CAPTURE_COUNTER_RINGBUF_FULL];
        m_out.write(record::Lost {monotonicNs(), m_lostReported});
    }
    if (totals[CAPTURE_COUNTER_COPY_FAILED] != m_copyFailedReported) {
        m_copyFailedReported = totals[CAPTURE_COUNTER_COPY_FAILED];
        notice(record::NoticeLevel::Warning, 0,
            std::to_string(m_copyFailedReported) + " chunks could not be copied from process memory");
    }
    // The kernel skips a uprobe's program when another kprobe/uprobe program is already running on
    // that CPU (one that was preempted, or a map syscall in progress): the call it saw is lost. It
    // counts each skip per program; say so rather than lose bytes silently.
    uint64_t misses = 0;
    bpf_program* program = nullptr;
    bpf_object__for_each_program(program, m_skel->obj)
    {
        bpf_prog_info info {};
        uint32_t length = sizeof(info);
        if (bpf_obj_get_info_by_fd(bpf_program__fd(program), &info, &length) == 0)
            misses += info.recursion_misses;
    }
    if (misses != m_probeMissesReported) {
        m_probeMissesReported = misses;
        notice(record::NoticeLevel::Warning, 0,
            std::to_string(misses)
                + " probe hits were skipped by the kernel (another BPF program was running on that CPU): "
                  "the TLS calls they saw are missing from the capture");
    }
}

void CaptureEngine::writeClose(const capture_close_event& e)
{
    record::ConnClose r;
    r.timestampNs = e.ts_ns;
    r.connId = e.conn_id;
    r.pid = e.pid;
    r.fd = e.fd;
    r.flags = ((e.flags & CAPTURE_CLOSE_ENCRYPTED_UNREAD) ? record::kCloseEncryptedUnread : 0)
        | ((e.flags & CAPTURE_CLOSE_CAPTURE_ENDED) ? record::kCloseCaptureEnded : 0);
    r.family = convertEndpoints(e, r.local, r.remote);
    m_out.write(r);
}

void CaptureEngine::emitModuleMap(pid_t pid)
{
    if (!m_stacks)
        return;
    std::vector<record::ModuleMapping> mappings = readModuleMappings(pid);
    SentModuleMap& sent = m_moduleMaps[pid];
    sent.readNs = monotonicNs();
    if (mappings.empty() || mappings == sent.mappings)
        return; // gone, or nothing new
    record::ModuleMap r;
    r.timestampNs = sent.readNs;
    r.pid = static_cast<uint32_t>(pid);
    r.mappings = mappings;
    m_out.write(r);
    sent.mappings = std::move(mappings);
}

void CaptureEngine::writeStack(const capture_stack_event& e)
{
    record::Stack r;
    r.timestampNs = e.ts_ns;
    r.connId = e.conn_id;
    r.streamOffset = e.stream_offset;
    r.pid = e.pid;
    r.tid = e.tid;
    r.source = static_cast<record::Source>(std::min<uint8_t>(e.source, CAPTURE_SOURCE_GO));
    r.flags = (e.flags & CAPTURE_STACK_AT_SYSCALL) ? record::kStackAtSyscall : 0;
    r.caller = e.caller;
    std::memcpy(r.comm.data(), e.comm, record::kCommSize);
    r.frames.assign(e.frames, e.frames + std::min<uint32_t>(e.frame_count, CAPTURE_STACK_MAX));
    if (r.frames.empty())
        return;
    // The reader places frames with the last ModuleMap of the pid: code mapped since (ld.so loading
    // libraries after an exec we did not stop, dlopen of a file already known) needs a newer one
    // first, unless /proc/PID/maps was read after the stack was taken. The instruction pointer and
    // the checked caller are always code; other frames outside every mapping are usually a walk
    // through code without frame pointers reading data, which would ask for a re-read on every
    // message: for those, at most one every 100 ms per process (a new mapping of a new file is
    // announced by the mmap stop anyway; re-reading nginx's maps every 10 ms was 30 % of the
    // helper's CPU under load).
    const auto pid = static_cast<pid_t>(e.pid);
    const auto sent = m_moduleMaps.find(pid);
    bool reread = sent == m_moduleMaps.end();
    if (!reread && e.ts_ns > sent->second.readNs) {
        std::vector<uint64_t> sure {r.frames.front()};
        if (r.caller)
            sure.push_back(r.caller);
        reread = !coversAll(sent->second.mappings, sure)
            || (!coversAll(sent->second.mappings, r.frames) && monotonicNs() - sent->second.readNs > 100'000'000);
    }
    if (reread)
        emitModuleMap(pid);
    m_out.write(r);
}

void CaptureEngine::closeConnections(std::optional<pid_t> exited)
{
    // The kernel reports a close() (on_close), but an exiting process's sockets are closed by
    // exit, and at the end of a capture some are still open. Without a ConnClose the reader could
    // not end an exiting process's flows, nor name the TLS connections no probe decrypted.
    const int fd = bpf_map__fd(m_skel->maps.conns);
    std::vector<conn_key> keys;
    conn_key key {};
    conn_key next {};
    for (const conn_key* previous = nullptr; bpf_map_get_next_key(fd, previous, &next) == 0; previous = &key) {
        key = next;
        if (!exited || key.tgid == static_cast<uint32_t>(*exited))
            keys.push_back(key);
        if (keys.size() >= 65536)
            break;
    }
    for (const conn_key& k : keys) {
        conn_state state {};
        if (bpf_map_lookup_elem(fd, &k, &state) != 0)
            continue;
        const bool unread = state.kind == CONN_TLS && !state.plaintext_seen;
        // At the end only the unread ones matter: the reader finishes every other flow itself.
        if (state.kind == CONN_UNKNOWN_FD || state.kind == CONN_UDP || (!exited && !unread))
            continue;
        capture_close_event e {};
        e.kind = CAPTURE_EVENT_CLOSE;
        e.pid = k.tgid;
        e.fd = (k.handle >> 63) ? -1 : static_cast<int32_t>(k.handle);
        e.ts_ns = monotonicNs();
        e.conn_id = state.conn_id;
        e.flags = (unread ? CAPTURE_CLOSE_ENCRYPTED_UNREAD : 0) | (exited ? 0 : CAPTURE_CLOSE_CAPTURE_ENDED);
        e.family = state.family;
        e.lport = state.lport;
        e.rport = state.rport;
        std::memcpy(e.laddr, state.laddr, sizeof(e.laddr));
        std::memcpy(e.raddr, state.raddr, sizeof(e.raddr));
        writeClose(e);
        if (exited)
            bpf_map_delete_elem(fd, &k);
    }
}

uint64_t CaptureEngine::probeHits() const
{
    const int cpus = libbpf_num_possible_cpus();
    if (!m_skel || cpus <= 0)
        return 0;
    std::vector<uint64_t> values(static_cast<size_t>(cpus));
    const uint32_t key = CAPTURE_COUNTER_PROBE_HITS;
    if (bpf_map_lookup_elem(bpf_map__fd(m_skel->maps.counters), &key, values.data()) != 0)
        return 0;
    uint64_t total = 0;
    for (uint64_t v : values)
        total += v;
    return total;
}

int CaptureEngine::onEvent(void* self, void* data, size_t size)
{
    auto* engine = static_cast<CaptureEngine*>(self);
    const int result = engine->handleEvent(data, size);
    // ring_buffer__poll() consumes for as long as the producer keeps up, so under a flood it would
    // not return and every record would pile up in the writer (0.9 GB for 1 GiB through curl).
    // Stop once a few MiB wait: the owner writes them out, the ring buffer fills meanwhile, and the
    // kernel drops and counts instead of this process growing.
    if (result == 0 && engine->m_out.buffer().size() >= kMaxPendingOutput)
        return kPendingOutputFull;
    return result;
}

int CaptureEngine::handleEvent(const void* data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t kind = *static_cast<const uint8_t*>(data);
    switch (kind) {
    case CAPTURE_EVENT_DATA: {
        capture_data_event e;
        if (size < sizeof(e))
            return 0;
        std::memcpy(&e, data, sizeof(e));
        if (e.chunk_size > size - sizeof(e))
            return 0;
        record::Data d;
        d.timestampNs = e.ts_ns;
        d.connId = e.conn_id;
        d.streamOffset = e.stream_offset;
        d.pid = e.pid;
        d.tid = e.tid;
        d.fd = e.fd;
        d.callSize = e.call_size;
        d.direction = static_cast<record::Direction>(e.direction & 1);
        d.source = static_cast<record::Source>(e.source);
        d.flags = e.flags & (record::kDataCallTruncated | record::kDataJoinedLate);
        d.family = convertEndpoints(e, d.local, d.remote);
        std::memcpy(d.comm.data(), e.comm, record::kCommSize);
        m_out.writeData(d, static_cast<const uint8_t*>(data) + sizeof(e), e.chunk_size);
        // A short-lived process may come and go between two periodic rescans:
        // look at its libraries as soon as it talks, so the reader learns which
        // TLS library it used.
        if (m_scannedOnData.insert(static_cast<pid_t>(e.pid)).second)
            scanProcess(static_cast<pid_t>(e.pid), false);
        return 0;
    }
    case CAPTURE_EVENT_CLOSE: {
        capture_close_event e;
        if (size < sizeof(e))
            return 0;
        std::memcpy(&e, data, sizeof(e));
        writeClose(e);
        return 0;
    }
    case CAPTURE_EVENT_STACK: {
        capture_stack_event e;
        if (size < sizeof(e))
            return 0;
        std::memcpy(&e, data, sizeof(e));
        writeStack(e);
        return 0;
    }
    case CAPTURE_EVENT_PHASE: {
        capture_phase_event e;
        if (size < sizeof(e))
            return 0;
        std::memcpy(&e, data, sizeof(e));
        if (e.phase != CAPTURE_PHASE_CONNECT && e.phase != CAPTURE_PHASE_TLS)
            return 0;
        record::ConnPhase r;
        r.connId = e.conn_id;
        r.pid = e.pid;
        r.phase = static_cast<record::ConnPhaseKind>(e.phase);
        r.startNs = e.start_ns;
        r.endNs = std::max(e.end_ns, e.start_ns);
        m_out.write(r);
        return 0;
    }
    case CAPTURE_EVENT_DNS: {
        capture_dns_event e;
        if (size < sizeof(e))
            return 0;
        std::memcpy(&e, data, sizeof(e));
        record::DnsMessage r;
        r.timestampNs = e.ts_ns;
        r.pid = e.pid;
        r.tid = e.tid;
        r.direction = static_cast<record::Direction>(e.direction & 1);
        r.family = convertEndpoints(e, r.local, r.remote);
        r.messageSize = e.msg_size;
        const size_t n = std::min<size_t>({ e.payload_size, CAPTURE_DNS_MAX, e.msg_size });
        r.payload.assign(e.payload, e.payload + n);
        m_out.write(r);
        return 0;
    }
    case CAPTURE_EVENT_PROCESS: {
        capture_process_event e;
        if (size < sizeof(e))
            return 0;
        std::memcpy(&e, data, sizeof(e));
        if (e.process_kind == CAPTURE_PROC_MAP) {
            // Not part of the record stream: a file mapped executable the helper has not seen
            // (dlopen). Probe it if it is a TLS library, then let the process go on.
            const auto pid = static_cast<pid_t>(e.pid);
            scanProcess(pid, false);
            if (e.flags & CAPTURE_EXEC_STOPPED)
                kill(pid, SIGCONT);
            return 0;
        }
        record::Process p;
        p.timestampNs = e.ts_ns;
        p.kind = static_cast<record::ProcessEventKind>(e.process_kind);
        p.pid = e.pid;
        p.parentPid = e.parent_pid;
        // Kernel wait status → exit status, or minus the terminating signal.
        p.exitCode = (e.exit_code & 0x7f) ? -(e.exit_code & 0x7f) : (e.exit_code >> 8) & 0xff;
        std::memcpy(p.comm.data(), e.comm, record::kCommSize);
        e.filename[sizeof(e.filename) - 1] = '\0';
        p.filename = e.filename;
        m_out.write(p);
        const auto pid = static_cast<pid_t>(e.pid);
        if (p.kind == record::ProcessEventKind::Fork) {
            m_traced.insert(pid);
        } else if (p.kind == record::ProcessEventKind::Exit) {
            closeConnections(pid);
            m_moduleMaps.erase(pid);
            m_traced.erase(pid);
            m_exited.insert(pid);
        } else if (p.kind == record::ProcessEventKind::Exec) {
            m_traced.insert(pid);
            scanProcess(pid, false);
            if (e.flags & CAPTURE_EXEC_STOPPED)
                kill(pid, SIGCONT); // probes for its binary are in place: let it start
        }
        return 0;
    }
    }
    return 0;
}

} // namespace httptap::helper
