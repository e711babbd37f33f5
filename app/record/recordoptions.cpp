// SPDX-License-Identifier: GPL-2.0-or-later
#include "recordoptions.h"

#include "filter/flowfilter.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace httptap::cli {

namespace {

bool parseUnsigned(const std::string& text, uint64_t max, uint64_t* out)
{
    if (text.empty() || text[0] < '0' || text[0] > '9')
        return false;
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return false;
    *out = v;
    return true;
}

// Accepts "1048576", "64k", "16M", "1G" (binary multiples).
bool parseBytes(const std::string& text, uint64_t* out)
{
    if (text.empty())
        return false;
    uint64_t multiplier = 1;
    std::string digits = text;
    switch (text.back()) {
    case 'k':
    case 'K':
        multiplier = 1ull << 10;
        break;
    case 'm':
    case 'M':
        multiplier = 1ull << 20;
        break;
    case 'g':
    case 'G':
        multiplier = 1ull << 30;
        break;
    default:
        break;
    }
    if (multiplier != 1)
        digits.pop_back();
    uint64_t v = 0;
    if (!parseUnsigned(digits, (1ull << 40) / multiplier, &v))
        return false;
    *out = v * multiplier;
    return true;
}

// "127.0.0.1:9464", "0.0.0.0:0": an IPv4 address (checked by the server) and a port. Debian 12's
// prometheus-cpp serves through a civetweb built without IPv6, so "[::1]:9464" cannot be served.
bool validListenAddress(const std::string& text)
{
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
        return false;
    if (text.substr(0, colon).find(':') != std::string::npos)
        return false;
    uint64_t port = 0;
    return parseUnsigned(text.substr(colon + 1), 65535, &port);
}

} // namespace

const char* recordUsage()
{
    return "Usage: httptap-record [OPTIONS] [--pid PID]... [-- COMMAND [ARGS...]]\n"
           "Records the HTTP traffic of running processes, or of COMMAND started\n"
           "under capture, as one JSON object per flow (JSON Lines).\n"
           "\n"
           "  -p, --pid PID          capture this process (repeatable)\n"
           "      --no-follow-forks  do not capture children the processes start\n"
           "      --no-timing        do not time TCP connect and TLS handshakes in the kernel\n"
           "      --no-stacks        do not take the sender's call stack of each request (initiator)\n"
           "  -f, --format FORMAT    output format: jsonl (default), har (one HAR 1.2 document at the\n"
           "                         end), curl (one curl command per request, to replay it),\n"
           "                         appview (AppView http.req/http.resp events and http.* metrics)\n"
           "      --watch FILE       appview: which events, fields and extra headers to write (an\n"
           "                         AppView watch, YAML or JSON)\n"
           "      --unredacted       HAR: keep Authorization, Cookie, Set-Cookie… (redacted by default)\n"
           "      --messages         one JSON line per WebSocket message, Server-Sent Event and gRPC\n"
           "                         message as it arrives, instead of one per flow\n"
           "      --redact-header NAME      HAR: redact this header too (repeatable; '*' is a wildcard)\n"
           "      --redact-json-field NAME  HAR: redact this field in JSON bodies (repeatable; '*' wildcard)\n"
           "  -o, --output FILE      write flows to FILE instead of stdout\n"
           "      --filter EXPR      write only the flows EXPR matches, e.g. 'host=api.example.com and\n"
           "                         status>=400' (the window's filter language)\n"
           "      --metrics-listen ADDR:PORT  serve Prometheus metrics of the flows at\n"
           "                         http://ADDR:PORT/metrics (port 0: any free port)\n"
           "      --via MODE         how to reach the capture helper: auto (default: direct as root,\n"
           "                         else the system service, else pkexec), direct, dbus, pkexec\n"
           "      --raw FILE         also save the raw capture record stream to FILE (full fidelity)\n"
           "      --read FILE        read a record stream saved with --raw instead of capturing\n"
           "                         (no root needed)\n"
           "  -d, --duration SECS    stop after SECS seconds\n"
           "  -c, --count N          stop after N flows\n"
           "      --max-body BYTES   keep at most BYTES of each body (default 16M; k/M/G suffixes)\n"
           "  -v, --verbose          report probed libraries and process events on stderr\n"
           "      --list-processes   list processes with their TLS libraries and what can be captured\n"
           "      --doctor PID       explain what httptap can and cannot capture of PID\n"
           "  -h, --help             show this help\n"
           "      --version          print the version\n"
           "\n"
           "With -- COMMAND, the command is started under capture from its first\n"
           "instruction and recording ends when it exits; httptap-record then exits\n"
           "with the command's exit status. When --duration or --count ends the\n"
           "capture first, the command is sent SIGTERM. Needs root (eBPF).\n";
}

std::optional<RecordOptions> parseRecordOptions(const std::vector<std::string>& args, std::string* error)
{
    RecordOptions o;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        auto value = [&](std::string* out) {
            if (i + 1 >= args.size()) {
                *error = "option " + arg + " needs a value";
                return false;
            }
            *out = args[++i];
            return true;
        };
        std::string v;
        if (arg == "--") {
            o.command.assign(args.begin() + static_cast<ptrdiff_t>(i) + 1, args.end());
            if (o.command.empty()) {
                *error = "nothing to run after --";
                return std::nullopt;
            }
            break;
        } else if (arg == "-p" || arg == "--pid") {
            uint64_t pid = 0;
            if (!value(&v))
                return std::nullopt;
            if (!parseUnsigned(v, 4194304, &pid) || pid == 0) {
                *error = "--pid needs a process id, not '" + v + "'";
                return std::nullopt;
            }
            o.pids.push_back(static_cast<pid_t>(pid));
        } else if (arg == "--no-follow-forks") {
            o.followForks = false;
        } else if (arg == "--no-timing") {
            o.timing = false;
        } else if (arg == "--no-stacks") {
            o.stacks = false;
        } else if (arg == "-f" || arg == "--format") {
            if (!value(&v))
                return std::nullopt;
            if (v != "jsonl" && v != "har" && v != "curl" && v != "appview") {
                *error = "unknown format '" + v + "' (supported: jsonl, har, curl, appview)";
                return std::nullopt;
            }
            o.format = v;
        } else if (arg == "-o" || arg == "--output") {
            if (!value(&o.outputPath))
                return std::nullopt;
            if (o.outputPath.empty()) {
                *error = "--output needs a file name";
                return std::nullopt;
            }
        } else if (arg == "--watch") {
            if (!value(&o.watchPath))
                return std::nullopt;
            if (o.watchPath.empty()) {
                *error = "--watch needs a file name";
                return std::nullopt;
            }
        } else if (arg == "--metrics-listen") {
            if (!value(&o.metricsListen))
                return std::nullopt;
            if (!validListenAddress(o.metricsListen)) {
                *error = "--metrics-listen needs an IPv4 ADDR:PORT such as 127.0.0.1:9464 or 0.0.0.0:9464 (the metrics server "
                         "has no IPv6), not '"
                    + o.metricsListen + "'";
                return std::nullopt;
            }
        } else if (arg == "--raw") {
            if (!value(&o.rawPath))
                return std::nullopt;
            if (o.rawPath.empty()) {
                *error = "--raw needs a file name";
                return std::nullopt;
            }
        } else if (arg == "--read") {
            if (!value(&o.readPath))
                return std::nullopt;
            if (o.readPath.empty()) {
                *error = "--read needs a file name";
                return std::nullopt;
            }
        } else if (arg == "--filter") {
            if (!value(&o.filter))
                return std::nullopt;
            FilterError filterError;
            if (!FlowFilter::compile(QString::fromStdString(o.filter), &filterError)) {
                *error = "--filter: " + filterError.toString().toStdString();
                return std::nullopt;
            }
        } else if (arg == "--unredacted") {
            o.unredacted = true;
        } else if (arg == "--messages") {
            o.messages = true;
        } else if (arg == "--redact-header" || arg == "--redact-json-field") {
            if (!value(&v))
                return std::nullopt;
            if (v.empty() || v.find_first_of(" \t\r\n") != std::string::npos) {
                *error = arg + " needs a name without spaces, not '" + v + "'";
                return std::nullopt;
            }
            (arg == "--redact-header" ? o.redactHeaders : o.redactJsonFields).push_back(v);
        } else if (arg == "--via") {
            if (!value(&o.via))
                return std::nullopt;
            if (o.via != "auto" && o.via != "direct" && o.via != "dbus" && o.via != "pkexec") {
                *error = "--via must be auto, direct, dbus or pkexec";
                return std::nullopt;
            }
        } else if (arg == "-d" || arg == "--duration") {
            if (!value(&v))
                return std::nullopt;
            char* end = nullptr;
            const double d = std::strtod(v.c_str(), &end);
            if (v.empty() || *end != '\0' || !std::isfinite(d) || d <= 0 || d > 31 * 86400.0) {
                *error = "--duration needs a positive number of seconds, not '" + v + "'";
                return std::nullopt;
            }
            o.durationSeconds = d;
        } else if (arg == "-c" || arg == "--count") {
            if (!value(&v))
                return std::nullopt;
            if (!parseUnsigned(v, UINT64_MAX, &o.count) || o.count == 0) {
                *error = "--count needs a positive number of flows, not '" + v + "'";
                return std::nullopt;
            }
        } else if (arg == "--max-body") {
            if (!value(&v))
                return std::nullopt;
            if (!parseBytes(v, &o.maxBodyBytes)) {
                *error = "--max-body needs a size in bytes such as 65536, 64k or 16M, not '" + v + "'";
                return std::nullopt;
            }
        } else if (arg == "--list-processes") {
            o.listProcesses = true;
        } else if (arg == "--doctor") {
            uint64_t pid = 0;
            if (!value(&v))
                return std::nullopt;
            if (!parseUnsigned(v, 4194304, &pid) || pid == 0) {
                *error = "--doctor needs a process id, not '" + v + "'";
                return std::nullopt;
            }
            o.doctorPid = static_cast<pid_t>(pid);
        } else if (arg == "-v" || arg == "--verbose") {
            o.verbose = true;
        } else if (arg == "-h" || arg == "--help") {
            o.help = true;
            return o;
        } else if (arg == "--version") {
            o.version = true;
            return o;
        } else {
            *error = "unknown option '" + arg + "'";
            return std::nullopt;
        }
    }
    if (o.listProcesses || o.doctorPid)
        return o;
    if (o.messages && o.format != "jsonl") {
        *error = "--messages writes JSON lines: it cannot be combined with --format " + o.format;
        return std::nullopt;
    }
    if (o.unredacted && o.format != "har") {
        *error = "--unredacted applies to --format har only (jsonl and curl are never redacted)";
        return std::nullopt;
    }
    if ((!o.redactHeaders.empty() || !o.redactJsonFields.empty()) && (o.format != "har" || o.unredacted)) {
        *error = "--redact-header and --redact-json-field apply to --format har without --unredacted";
        return std::nullopt;
    }
    if (!o.watchPath.empty() && o.format != "appview") {
        *error = "--watch applies to --format appview only";
        return std::nullopt;
    }
    if (!o.readPath.empty()) {
        if (!o.pids.empty() || !o.command.empty() || !o.rawPath.empty() || o.durationSeconds > 0
            || !o.metricsListen.empty()) {
            *error = "--read processes a saved capture: it cannot be combined with --pid, -- COMMAND, --raw, "
                     "--duration or --metrics-listen";
            return std::nullopt;
        }
        return o;
    }
    if (o.pids.empty() && o.command.empty()) {
        *error = "say what to capture: --pid PID, or -- COMMAND";
        return std::nullopt;
    }
    return o;
}

} // namespace httptap::cli
