// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Validation of what a D-Bus caller sends: every option of StartCapture and
// StartCommand, pid lists and command lines, capped and type-checked before
// anything starts. Unknown options are refused rather than ignored, so a
// client never believes an option took effect when it did not.

#include "captureengine.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <optional>
#include <string>
#include <vector>

namespace httptap::helper {

inline constexpr int kMaxPidsPerCall = 1024;
inline constexpr int kMaxArgv = 4096;
inline constexpr qsizetype kMaxArgvBytes = 256 * 1024;
inline constexpr int kMaxEnvironment = 256;
inline constexpr qsizetype kMaxEnvironmentBytes = 128 * 1024;
inline constexpr pid_t kMaxPid = 4194304; // PID_MAX_LIMIT on 64-bit Linux

// What StartCommand needs besides the capture options. The fds are owned
// by the caller of parseCommandOptions (dup'ed from the message); -1 = none.
struct CommandOptions {
    std::vector<std::string> argv;
    std::vector<std::string> environment; // NAME=value
    std::string cwd; // empty: the user's home, else /
    int stdinFd = -1;
    int stdoutFd = -1;
    int stderrFd = -1;
};

// StartCapture's options: "pids" (au, required), "follow_forks" (b),
// "max_call_bytes" (t). nullopt with a message on any refusal.
std::optional<CaptureOptions> parseCaptureOptions(const QVariantMap& options, QString* error);

// StartCommand's argv and options ("follow_forks", "max_call_bytes", "stdin",
// "stdout", "stderr", "cwd", "environment"). The capture options go to
// *capture (its pids left empty).
std::optional<CommandOptions> parseCommandOptions(
    const QStringList& argv, const QVariantMap& options, CaptureOptions* capture, QString* error);

// A list of pids for AddPids/RemovePids: 1..kMaxPidsPerCall values in 1..kMaxPid.
std::optional<std::vector<pid_t>> parsePidList(const QList<uint>& pids, QString* error);

} // namespace httptap::helper
