// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Command line of httptap-record, parsed into plain values. Parsing is kept
// apart from running so every refusal ("--count needs a number") is tested
// without a kernel.

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace httptap::cli {

struct RecordOptions {
    std::vector<pid_t> pids;
    bool followForks = true;
    bool timing = true; // connection set-up phases timed in the kernel
    bool stacks = true; // the sender's user stack per message (Flow::initiator)
    std::string via = "auto"; // --via: auto, direct (run the helper as root), dbus (system service), pkexec
    std::string format = "jsonl";
    std::string watchPath; // --watch FILE: AppView watch (YAML or JSON) for --format appview
    std::string metricsListen; // --metrics-listen ADDR:PORT: serve Prometheus metrics at /metrics
    std::string outputPath; // empty: stdout
    std::string rawPath; // --raw FILE: also keep the helper's record stream, byte for byte
    std::string readPath; // --read FILE: process a saved record stream instead of capturing
    std::string filter; // --filter EXPR: only flows matching it are written (core/filter language)
    bool messages = false; // --messages: one JSON line per WebSocket message, SSE event, gRPC message
    bool unredacted = false; // --unredacted: HAR keeps Authorization, Cookie… (redacted by default)
    std::vector<std::string> redactHeaders; // --redact-header NAME: more headers to redact in HAR ('*' wildcards)
    std::vector<std::string> redactJsonFields; // --redact-json-field NAME: JSON body fields to redact in HAR
    double durationSeconds = 0; // 0: no limit
    uint64_t count = 0; // 0: no limit
    uint64_t maxBodyBytes = 16ull << 20;
    std::vector<std::string> command; // after "--"
    bool verbose = false;
    bool listProcesses = false; // --list-processes: print the process table and exit
    pid_t doctorPid = 0; // --doctor PID: print what can be captured of PID and exit
    bool help = false;
    bool version = false; // --version: print "httptap-record VERSION" and exit
};

// Returns the options, or nullopt with *error set to a one-line message.
std::optional<RecordOptions> parseRecordOptions(const std::vector<std::string>& args, std::string* error);

const char* recordUsage();

} // namespace httptap::cli
