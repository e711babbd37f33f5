// SPDX-License-Identifier: GPL-2.0-or-later
#include "recordsession.h"

#include "flowoutput.h"
#include "flow/captureclock.h"
#include "filter/flowfilter.h"
#include "flow/flowassembler.h"
#include "helperlocation.h"
#include "helperprocess.h"
#include "metricsexporter.h"
#include "undecryptedreport.h"
#include "processreport.h"
#include "record/recordreader.h"
#include "serviceclient.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace httptap::cli {

namespace {

volatile sig_atomic_t g_interrupted = 0;

void onSignal(int)
{
    g_interrupted = 1;
}

void installSignalHandlers()
{
    struct sigaction sa {};
    sa.sa_handler = onSignal; // no SA_RESTART: poll() returns at once
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

// Messages carry strings from traced processes (names, paths, the helper's notices about them):
// escaped, so a hostile name cannot drive the user's terminal.
void say(const std::string& text)
{
    std::fprintf(stderr, "httptap-record: %s\n", terminalSafe(text).c_str());
}

const char* levelPrefix(record::NoticeLevel level)
{
    switch (level) {
    case record::NoticeLevel::Info:
        return "";
    case record::NoticeLevel::Warning:
        return "warning: ";
    case record::NoticeLevel::Error:
        return "error: ";
    }
    return "";
}

bool processExists(pid_t pid)
{
    struct stat st {};
    return stat(("/proc/" + std::to_string(pid)).c_str(), &st) == 0;
}

// Captured traffic holds other processes' secrets: a capture file is readable by its owner only,
// whatever the umask, and an existing file is narrowed to 0600 too. Only regular files are
// chmod-ed: -o /dev/stdout must not change a terminal's or a pipe's mode.
FILE* openPrivate(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return nullptr;
    struct stat st {};
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0077) != 0 && fchmod(fd, 0600) != 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        return nullptr;
    }
    FILE* file = fdopen(fd, "w");
    if (!file)
        ::close(fd);
    return file;
}

} // namespace

RecordSession::RecordSession(RecordOptions options)
    : m_options(std::move(options))
{
}

int RecordSession::run()
{
    const RecordOptions& o = m_options;

    for (pid_t pid : o.pids) {
        if (!processExists(pid)) {
            say("no process with pid " + std::to_string(pid) + " (it does not exist or has already exited)");
            return 1;
        }
    }
    // Who loads the probes: the helper as our child (root), the system
    // service (polkit decides), or the helper through pkexec.
    std::string via = o.via;
    std::unique_ptr<client::ServiceClient> service;
    if (via == "auto") {
        if (geteuid() == 0) {
            via = "direct";
        } else {
            service = std::make_unique<client::ServiceClient>();
            std::string why;
            via = service->available(&why) ? "dbus" : "pkexec";
            if (service->lastFailure() == client::ServiceClient::Failure::NoBus) {
                // pkexec needs the system bus too: nothing but root can capture here.
                say("capturing needs root, because httptap loads eBPF programs into the kernel; run it as root "
                    "(sudo httptap-record ...): " + why);
                return 1;
            }
            if (via == "pkexec")
                say(why + "; asking pkexec to run the helper instead");
        }
    }
    if (via == "direct" && geteuid() != 0) {
        say("capturing needs root, because httptap loads eBPF programs into the kernel; run it as root, "
            "e.g. sudo httptap-record ..., or through the httptap system service (--via dbus)");
        return 1;
    }
    const std::string helperPath = via == "dbus" ? std::string("-") : findHelperExecutable();
    if (helperPath.empty()) {
        say("cannot find httptap-helper (looked at " + helperSearchDescription() + "); is httptap installed? Run ./x setup");
        return 1;
    }

    FILE* out = stdout;
    std::unique_ptr<FILE, int (*)(FILE*)> outFile(nullptr, &fclose);
    if (!o.outputPath.empty()) {
        outFile.reset(openPrivate(o.outputPath));
        if (!outFile) {
            say("cannot write " + o.outputPath + ": " + strerror(errno));
            return 1;
        }
        out = outFile.get();
    }

    std::unique_ptr<FILE, int (*)(FILE*)> rawFile(nullptr, &fclose);
    if (!o.rawPath.empty()) {
        rawFile.reset(openPrivate(o.rawPath));
        if (!rawFile) {
            say("cannot write " + o.rawPath + ": " + strerror(errno));
            return 1;
        }
    }

    std::string error;
    FlowOutput writer(o.format, out, o.unredacted);
    writer.addRedactions(o.redactHeaders, o.redactJsonFields);
    if (!o.watchPath.empty() && !writer.loadAppViewWatch(o.watchPath, &error)) {
        say(error);
        return 1;
    }
    std::unique_ptr<MetricsExporter> metrics;
    if (!o.metricsListen.empty()) {
        metrics = MetricsExporter::start(o.metricsListen, &error);
        if (!metrics) {
            say(error);
            return 1;
        }
        say("serving metrics at " + metrics->url());
    }

    installSignalHandlers();

    GatedCommand command;
    std::vector<std::string> helperArgs {"--direct"};
    for (pid_t pid : o.pids)
        helperArgs.insert(helperArgs.end(), {"--pid", std::to_string(pid)});
    if (!o.followForks)
        helperArgs.push_back("--no-follow-forks");
    if (!o.timing)
        helperArgs.push_back("--no-timing");
    if (!o.stacks)
        helperArgs.push_back("--no-stacks");

    HelperProcess helper;
    int streamFd = -1;
    std::string captureId;
    pid_t serviceCommandPid = 0; // a command the service started for us (it runs as we do)
    int serviceCommandStatus = 1;
    if (via == "dbus") {
        if (!service)
            service = std::make_unique<client::ServiceClient>();
        service->setTiming(o.timing);
        service->setStacks(o.stacks);
        const auto started = o.command.empty() ? service->startCapture(o.pids, o.followForks, &error)
                                               : service->startCommand(o.command, o.followForks, &error);
        if (!started) {
            say("the httptap system service refused: " + error);
            return 1;
        }
        streamFd = started->streamFd;
        captureId = started->captureId;
        serviceCommandPid = started->commandPid;
    } else {
        if (!o.command.empty() && !command.start(o.command, &error)) {
            say(error);
            return 1;
        }
        if (!o.command.empty())
            helperArgs.insert(helperArgs.end(), {"--pid", std::to_string(command.pid()), "--until-exit",
                                                    std::to_string(command.pid())});
        // pkexec runs the helper as root once polkit (org.freedesktop.policykit.exec) agrees.
        if (via == "pkexec")
            helperArgs.insert(helperArgs.begin(), helperPath);
        if (!helper.start(via == "pkexec" ? std::string("/usr/bin/pkexec") : helperPath, helperArgs, &error)) {
            say(error);
            return 1;
        }
        streamFd = helper.streamFd();
    }

    uint64_t written = 0;
    bool countReached = false;
    bool writeFailed = false;
    // Validated by parseRecordOptions; --count counts only the flows written.
    const FlowFilter filter = FlowFilter::compile(QString::fromStdString(o.filter), nullptr).value_or(FlowFilter());
    FlowAssembler assembler([&](Flow&& flow) {
        if (countReached || writeFailed || !filter.matches(flow))
            return;
        if (metrics)
            metrics->add(flow);
        if (!writer.add(flow)) {
            writeFailed = true;
            return;
        }
        ++written;
        if (o.count && written >= o.count)
            countReached = true;
    });
    assembler.setMaxBodyBytes(o.maxBodyBytes);
    if (o.messages) {
        writer.setMessages(true);
        assembler.setProgressSink([&](const Flow& flow) {
            if (!countReached && !writeFailed && filter.matches(flow) && !writer.progress(flow))
                writeFailed = true;
        });
    }

    record::RecordReader reader;
    UndecryptedReport undecrypted;
    bool ready = false;
    bool streamEnded = false;
    bool captureError = false;
    bool stopRequested = false;
    bool sawTlsLibrary = false;
    uint64_t lost = 0;
    std::set<uint32_t> tracedPids(o.pids.begin(), o.pids.end());
    if (!o.command.empty())
        tracedPids.insert(static_cast<uint32_t>(serviceCommandPid ? serviceCommandPid : command.pid()));
    for (pid_t pid : o.pids)
        writer.noteProcess(static_cast<uint32_t>(pid));
    if (!o.command.empty()) {
        QStringList argv;
        for (const std::string& arg : o.command)
            argv.append(QString::fromStdString(arg));
        writer.setCommandLine(static_cast<uint32_t>(serviceCommandPid ? serviceCommandPid : command.pid()), argv.join(u' '));
    }

    using Clock = std::chrono::steady_clock;
    std::optional<Clock::time_point> deadline;

    auto requestStop = [&]() {
        if (!stopRequested) {
            stopRequested = true;
            if (via == "dbus" && !service->stop(captureId, &error))
                say("cannot stop the capture: " + error);
            else if (via != "dbus")
                helper.terminate();
        }
    };

    // As much as the helper's pipe holds, so one wake-up takes a whole batch.
    std::vector<uint8_t> buf(1 << 20);
    for (;;) {
        if (g_interrupted || countReached || writeFailed || (deadline && Clock::now() >= *deadline))
            requestStop();
        pollfd pfd {streamFd, POLLIN, 0};
        const int pr = ::poll(&pfd, 1, 100);
        if (pr < 0 && errno != EINTR) {
            say(std::string("reading from the helper failed: ") + strerror(errno));
            break;
        }
        if (pr <= 0) {
            // Quiet: messages that waited for the progress interval go out now (--messages).
            if (o.messages)
                assembler.flushProgress();
            if (!writer.flush())
                writeFailed = true;
            continue;
        }
        const ssize_t n = read(streamFd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            say(std::string("reading from the helper failed: ") + strerror(errno));
            break;
        }
        if (n == 0)
            break; // helper finished its stream
        if (rawFile && std::fwrite(buf.data(), 1, static_cast<size_t>(n), rawFile.get()) != static_cast<size_t>(n))
            writeFailed = true;
        reader.feed(buf.data(), static_cast<size_t>(n));
        while (auto rec = reader.next()) {
            if (auto* start = std::get_if<record::StreamStart>(&*rec)) {
                writer.setClock(CaptureClock::fromStreamStart(*start));
            } else if (std::holds_alternative<record::Ready>(*rec)) {
                ready = true;
                if (o.verbose)
                    say("probes attached: capturing from now on");
                if (o.durationSeconds > 0)
                    deadline = Clock::now()
                        + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.durationSeconds));
                if (!o.command.empty() && via != "dbus" && !command.release(&error)) {
                    say(error);
                    captureError = true;
                    requestStop();
                }
            } else if (auto* notice = std::get_if<record::Notice>(&*rec)) {
                if (notice->level == record::NoticeLevel::Error)
                    captureError = true;
                if (notice->level != record::NoticeLevel::Info || o.verbose)
                    say(levelPrefix(notice->level) + notice->text);
            } else if (auto* lib = std::get_if<record::LibraryAttached>(&*rec)) {
                sawTlsLibrary = true;
                if (o.verbose)
                    say("pid " + std::to_string(lib->pid) + " uses " + lib->path + " (" + sourceName(lib->source)
                        + " probes attached)");
            } else if (auto* lostRec = std::get_if<record::Lost>(&*rec)) {
                lost = lostRec->lostRecords;
                if (metrics)
                    metrics->setLostRecords(lost);
            } else if (std::holds_alternative<record::StreamEnd>(*rec)) {
                streamEnded = true;
            } else {
                if (auto* proc = std::get_if<record::Process>(&*rec); proc && o.verbose) {
                    const char* what = proc->kind == record::ProcessEventKind::Fork
                        ? "started"
                        : (proc->kind == record::ProcessEventKind::Exec ? "runs" : "exited");
                    say("pid " + std::to_string(proc->pid) + " " + what + " "
                        + (proc->kind == record::ProcessEventKind::Exec ? proc->filename : record::commToString(proc->comm)));
                }
                if (auto* proc = std::get_if<record::Process>(&*rec); proc && serviceCommandPid
                    && proc->pid == static_cast<uint32_t>(serviceCommandPid)
                    && proc->kind == record::ProcessEventKind::Exit)
                    serviceCommandStatus = proc->exitCode < 0 ? 128 - proc->exitCode : proc->exitCode;
                if (auto* proc = std::get_if<record::Process>(&*rec))
                    writer.noteProcess(proc->pid, proc->kind == record::ProcessEventKind::Exec);
                else if (auto* data = std::get_if<record::Data>(&*rec))
                    writer.noteProcess(data->pid);
                if (auto* close = std::get_if<record::ConnClose>(&*rec))
                    undecrypted.add(*close);
                assembler.add(*rec);
            }
        }
        // One write for the flows of this read: under load a read holds many records.
        if (!writer.flush())
            writeFailed = true;
        if (reader.state() == record::RecordReader::State::Error) {
            say("the helper's stream is corrupt: " + reader.errorString());
            captureError = true;
            requestStop();
            break;
        }
    }

    assembler.finish();
    if (!writeFailed && !writer.finish()) // --format har: the one document, now that every flow is in
        writeFailed = true;
    const int helperStatus = via == "dbus" ? 0 : helper.wait();
    if (via == "dbus")
        close(streamFd);

    int commandStatus = 0;
    if (serviceCommandPid) {
        commandStatus = serviceCommandStatus;
    } else if (!o.command.empty()) {
        if (!ready) {
            // Never released: it must not wait at its gate for us (it has run nothing).
            command.terminate();
        } else if (!command.poll() && stopRequested) {
            command.terminate();
        }
        commandStatus = command.waitBlocking();
    }

    if (writeFailed)
        say("writing flows failed: " + std::string(strerror(errno)));
    if (!streamEnded && !captureError && helperStatus != 0)
        say("the capture helper stopped unexpectedly (exit status " + std::to_string(helperStatus) + ")");
    for (const std::string& line : undecrypted.lines())
        say(line);
    if (lost > 0)
        say("warning: " + std::to_string(lost)
            + " capture records were lost because the kernel ring buffer was full; affected flows are marked truncated");
    if (ready && !sawTlsLibrary && assembler.stats().flows > 0 && o.verbose)
        say("no OpenSSL library was seen in the traced processes: only plaintext traffic was captured");
    if (o.verbose || !o.outputPath.empty())
        say(std::to_string(written) + (written == 1 ? " flow" : " flows") + " written"
            + (o.outputPath.empty() ? std::string() : " to " + o.outputPath));

    if (captureError || writeFailed || (!streamEnded && helperStatus != 0))
        return 1;
    return o.command.empty() ? 0 : commandStatus;
}

} // namespace httptap::cli
