// SPDX-License-Identifier: GPL-2.0-or-later
//
// httptap-helper: the only privileged part of httptap. Two front ends on one
// engine: `--dbus` serves org.httptap.Helper1 on the system bus (started by
// D-Bus activation, polkit-checked per call; helper/dbus/), and `--direct`
// captures the given processes and writes the capture record stream to stdout
// until SIGINT/SIGTERM, until the reader goes away, or until the process named
// by --until-exit has exited. With --control-stdin, lines "add PID" and
// "remove PID" on stdin change which processes a running capture traces (the
// window's "Add Process…" as root).

#include "captureengine.h"
#include "record/recordwriter.h"
#include "servicemain.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace httptap;

namespace {

volatile sig_atomic_t g_stop = 0;

void onSignal(int)
{
    g_stop = 1;
}

uint64_t clockNs(clockid_t clock)
{
    timespec ts {};
    clock_gettime(clock, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// A poll that returned fewer records than this waits kBatchDelay before the next (see the loop).
constexpr int kBatchRecords = 256;
constexpr auto kBatchDelay = std::chrono::milliseconds(1);

// Writes everything; false when the reader has gone away.
bool writeAll(int fd, record::RecordWriter& writer)
{
    const auto& buf = writer.buffer();
    size_t done = 0;
    while (done < buf.size()) {
        const ssize_t n = ::write(fd, buf.data() + done, buf.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        done += static_cast<size_t>(n);
    }
    writer.clear();
    return true;
}

// A pipe or socket whose other end closed reports POLLERR/POLLHUP to the writer:
// notice it even while there is nothing to write, so probes never outlive the reader.
bool readerGone(int fd)
{
    pollfd pfd {fd, 0, 0};
    return ::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL));
}

void usage(FILE* out)
{
    std::fprintf(out,
        "Usage: httptap-helper --direct [--pid PID]... [--no-follow-forks] [--until-exit PID]\n"
        "                      [--max-call-bytes N] [--count-only[-uprobes]] [--control-stdin] [--no-timing]\n"
        "                      [--no-stacks]\n"
        "       httptap-helper --dbus\n"
        "       httptap-helper --help | --version\n"
        "--direct captures the HTTP traffic of the given processes with eBPF and writes\n"
        "the httptap capture record stream to stdout. --dbus serves org.httptap.Helper1\n"
        "on the system bus (normally started by D-Bus activation). Needs root.\n"
        "Exit status of --direct: 0 when the capture ended or the reader left, 1 when the\n"
        "capture could not start (no root, no BPF/BTF); 2 for a usage error.\n");
}

bool parsePid(const char* text, pid_t* pid)
{
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(text, &end, 10);
    if (errno != 0 || !end || *end != '\0' || v <= 0 || v > 4194304)
        return false;
    *pid = static_cast<pid_t>(v);
    return true;
}

// Applies the complete "add PID" / "remove PID" lines waiting on stdin; a failure becomes a Notice.
// False once stdin is closed (the controlling window is gone: stop).
bool readControl(std::string& pending, helper::CaptureEngine& engine, record::RecordWriter& writer)
{
    pollfd pfd {STDIN_FILENO, POLLIN, 0};
    while (::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP))) {
        char buf[512];
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        pending.append(buf, static_cast<size_t>(n));
        if (pending.size() > 4096)
            pending.clear(); // nothing legitimate is this long
    }
    size_t eol;
    while ((eol = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, eol);
        pending.erase(0, eol + 1);
        const bool add = line.rfind("add ", 0) == 0;
        const bool remove = line.rfind("remove ", 0) == 0;
        pid_t pid = 0;
        std::string error;
        if ((!add && !remove) || !parsePid(line.substr(add ? 4 : 7).c_str(), &pid))
            error = "unknown control line (expected \"add PID\" or \"remove PID\")";
        else if (add)
            engine.addPids({pid}, &error);
        else
            engine.removePids({pid});
        if (!error.empty())
            writer.write(record::Notice {
                clockNs(CLOCK_MONOTONIC), record::NoticeLevel::Warning, static_cast<uint32_t>(pid), error});
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 2 && std::string(argv[1]) == "--dbus")
        return helper::runDBusService(argc, argv);
    helper::CaptureOptions options;
    pid_t untilExit = 0;
    bool direct = false;
    bool controlStdin = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (arg == "--direct") {
            direct = true;
        } else if (arg == "--pid" || arg == "--until-exit") {
            const char* v = value();
            pid_t pid = 0;
            if (!v || !parsePid(v, &pid)) {
                std::fprintf(stderr, "httptap-helper: %s needs a process id\n", arg.c_str());
                return 2;
            }
            if (arg == "--pid")
                options.pids.push_back(pid);
            else
                untilExit = options.launchedPid = pid;
        } else if (arg == "--control-stdin") {
            controlStdin = true;
        } else if (arg == "--count-only") {
            options.countOnly = true; // benchmarks (bench/): the probes' own cost
        } else if (arg == "--count-only-uprobes") {
            options.countOnly = options.noSyscallProbes = true; // benchmarks: the uprobes' cost alone
        } else if (arg == "--no-follow-forks") {
            options.followForks = false;
        } else if (arg == "--no-timing") {
            options.timing = false;
        } else if (arg == "--no-stacks") {
            options.stacks = false;
        } else if (arg == "--max-call-bytes") {
            const char* v = value();
            if (!v) {
                usage(stderr);
                return 2;
            }
            options.maxCallBytes = std::strtoull(v, nullptr, 10);
        } else if (arg == "--version") {
            std::printf("httptap-helper %s\n", HTTPTAP_VERSION);
            return 0;
        } else if (arg == "--help" || arg == "-h") {
            usage(stdout);
            return 0;
        } else {
            std::fprintf(stderr, "httptap-helper: unknown argument '%s'\n", arg.c_str());
            usage(stderr);
            return 2;
        }
    }
    if (!direct) {
        std::fprintf(stderr, "httptap-helper: give --direct or --dbus\n");
        usage(stderr);
        return 2;
    }
    if (options.pids.empty()) {
        std::fprintf(stderr, "httptap-helper: give at least one --pid\n");
        return 2;
    }

    std::signal(SIGPIPE, SIG_IGN);
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);

    record::RecordWriter writer;
    writer.writeStreamHeader();
    writer.write(record::StreamStart {clockNs(CLOCK_MONOTONIC), clockNs(CLOCK_REALTIME),
        static_cast<uint32_t>(getpid()), "httptap-helper " HTTPTAP_VERSION});

    helper::CaptureEngine engine(writer);
    std::string error;
    if (!engine.start(options, &error)) {
        writer.write(record::Notice {clockNs(CLOCK_MONOTONIC), record::NoticeLevel::Error, 0, error});
        writer.write(record::StreamEnd {clockNs(CLOCK_MONOTONIC)});
        writeAll(STDOUT_FILENO, writer);
        if (isatty(STDOUT_FILENO) || isatty(STDERR_FILENO))
            std::fprintf(stderr, "httptap-helper: %s\n", error.c_str());
        return 1;
    }
    writer.write(record::Ready {clockNs(CLOCK_MONOTONIC)});
    if (!writeAll(STDOUT_FILENO, writer))
        return 0;

    // The launched command's Exit record ends the capture, but a full ring buffer can drop it: a
    // pidfd says the process is gone even then (the record, when not lost, is already in the ring
    // buffer by the time the pidfd turns readable; give it a few polls to be read).
    const int untilExitFd = untilExit ? static_cast<int>(syscall(SYS_pidfd_open, untilExit, 0)) : -1;
    int pollsSinceExit = -1;
    constexpr int kPollsForExitRecord = 4;

    using Clock = std::chrono::steady_clock;
    auto nextRescan = Clock::now() + std::chrono::milliseconds(200);
    auto nextCheck = Clock::now();
    std::string control;
    while (!g_stop) {
        if (controlStdin && !readControl(control, engine, writer))
            break;
        const int n = engine.poll(100);
        if (n < 0) {
            writer.write(record::Notice {clockNs(CLOCK_MONOTONIC), record::NoticeLevel::Error, 0,
                std::string("reading the BPF ring buffer failed: ") + strerror(-n)});
            break;
        }
        // Reading the drop counters takes a few dozen bpf() calls (one per counter and program), and
        // under load the ring buffer wakes this loop for every few records: ten times a second is
        // plenty for a cumulative count (the last one is read after the drain below).
        const auto now = Clock::now();
        const bool check = now >= nextCheck;
        if (check) {
            engine.reportLosses();
            nextCheck = now + std::chrono::milliseconds(100);
        }
        if (now >= nextRescan) {
            engine.rescanLibraries();
            nextRescan = now + std::chrono::milliseconds(500);
        }
        // A reader gone shows as a failed write; while nothing is written, ask the pipe.
        if (!writeAll(STDOUT_FILENO, writer) || ((n == 0 || check) && readerGone(STDOUT_FILENO)))
            return 0; // the reader is gone: detach everything (destructors) and leave
        // Under load records arrive a few at a time, and taking each few at once costs a wake-up
        // here, a pipe write and a wake-up of the reader: two context switches on CPUs the traced
        // process needs. Letting a millisecond's worth gather first bounds that to a thousand a
        // second (the ring buffer holds far more than a millisecond of traffic).
        if (n > 0 && n < kBatchRecords)
            std::this_thread::sleep_for(kBatchDelay);
        if (untilExit && engine.hasExited(untilExit))
            break;
        if (untilExitFd >= 0 && pollsSinceExit < 0) {
            pollfd gone {untilExitFd, POLLIN, 0};
            if (::poll(&gone, 1, 0) > 0)
                pollsSinceExit = 0;
        }
        if (pollsSinceExit >= 0 && ++pollsSinceExit > kPollsForExitRecord)
            break; // its Exit record was lost (the losses are reported below)
    }
    if (untilExitFd >= 0)
        close(untilExitFd);
    // Drain what is still in the ring buffer so nothing captured is lost.
    while (engine.poll(0) > 0) {
        if (!writeAll(STDOUT_FILENO, writer))
            return 0;
    }
    engine.reportUnreadConnections();
    engine.reportLosses();
    if (options.countOnly)
        std::fprintf(stderr, "httptap-helper: count-only: %llu probe hits\n",
            static_cast<unsigned long long>(engine.probeHits()));
    writer.write(record::StreamEnd {clockNs(CLOCK_MONOTONIC)});
    writeAll(STDOUT_FILENO, writer);
    return 0;
}
