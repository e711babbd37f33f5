// SPDX-License-Identifier: GPL-2.0-or-later
#include "rawreplay.h"

#include "filter/flowfilter.h"
#include "flow/flowassembler.h"
#include "flowoutput.h"
#include "record/recordreader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <string>
#include <unistd.h>

namespace httptap::cli {

namespace {

void say(const std::string& text) { std::fprintf(stderr, "httptap-record: %s\n", text.c_str()); }

} // namespace

int replayRecording(const RecordOptions& o)
{
    const int in = ::open(o.readPath.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        say("cannot read " + o.readPath + ": " + strerror(errno));
        return 1;
    }
    FILE* out = stdout;
    std::unique_ptr<FILE, int (*)(FILE*)> outFile(nullptr, &fclose);
    if (!o.outputPath.empty()) {
        // Flows hold other processes' secrets: owner-only, as a live capture's output.
        const int fd = ::open(o.outputPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        outFile.reset(fd < 0 ? nullptr : fdopen(fd, "w"));
        if (!outFile) {
            say("cannot write " + o.outputPath + ": " + strerror(errno));
            if (fd >= 0)
                ::close(fd);
            ::close(in);
            return 1;
        }
        out = outFile.get();
    }

    FlowOutput output(o.format, out, o.unredacted);
    output.symbolizer().setTryProcRoot(false); // the capture's pids are gone or someone else's now
    output.addRedactions(o.redactHeaders, o.redactJsonFields);
    std::string watchError;
    if (!o.watchPath.empty() && !output.loadAppViewWatch(o.watchPath, &watchError)) {
        say(watchError);
        ::close(in);
        return 1;
    }
    uint64_t written = 0;
    bool writeFailed = false;
    const FlowFilter filter = FlowFilter::compile(QString::fromStdString(o.filter), nullptr).value_or(FlowFilter());
    FlowAssembler assembler([&](Flow&& flow) {
        if (writeFailed || (o.count && written >= o.count) || !filter.matches(flow))
            return;
        if (!output.add(flow))
            writeFailed = true;
        else
            ++written;
    });
    assembler.setMaxBodyBytes(o.maxBodyBytes);
    if (o.messages) {
        output.setMessages(true);
        assembler.setProgressSink([&](const Flow& flow) {
            if (!writeFailed && filter.matches(flow) && !output.progress(flow))
                writeFailed = true;
        });
    }

    // The same records reach the assembler as in a live session (recordsession.cpp): control
    // records (clock anchor, readiness, notices, libraries, loss counters, end) stay out.
    record::RecordReader reader;
    bool sawHeader = false;
    bool streamEnded = false;
    uint8_t buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            say("cannot read " + o.readPath + ": " + strerror(errno));
            ::close(in);
            return 1;
        }
        if (n == 0)
            break;
        reader.feed(buf, static_cast<size_t>(n));
        while (auto rec = reader.next()) {
            sawHeader = true;
            if (auto* start = std::get_if<record::StreamStart>(&*rec))
                output.setClock(CaptureClock::fromStreamStart(*start));
            else if (std::holds_alternative<record::StreamEnd>(*rec))
                streamEnded = true;
            else if (!std::holds_alternative<record::Ready>(*rec) && !std::holds_alternative<record::Notice>(*rec)
                && !std::holds_alternative<record::LibraryAttached>(*rec) && !std::holds_alternative<record::Lost>(*rec))
                assembler.add(*rec);
        }
        if (reader.state() == record::RecordReader::State::Error)
            break;
    }
    ::close(in);

    assembler.finish();
    if (!writeFailed && !output.finish())
        writeFailed = true;
    if (writeFailed) {
        say("writing flows failed: " + std::string(strerror(errno)));
        return 1;
    }
    if (reader.state() == record::RecordReader::State::Error) {
        say(o.readPath + " is not a readable httptap capture: " + reader.errorString());
        return 1;
    }
    if (!sawHeader) {
        say(o.readPath + " holds no capture records (is it a file saved with --raw?)");
        return 1;
    }
    if (!streamEnded)
        say("warning: " + o.readPath + " ends without the stream's end record (the capture was cut); flows "
            "up to that point were written");
    return 0;
}

} // namespace httptap::cli
