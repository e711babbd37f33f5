// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// `httptap-record --list-processes` and `--doctor PID`: the coverage doctor's
// findings as text for a terminal. Every string that came from a process
// (names, command lines, paths) is escaped so it cannot drive the terminal.

#include <string>
#include <sys/types.h>

namespace httptap::cli {

// Control characters and DEL become \xNN, C1 controls \u00NN; everything else is kept.
std::string terminalSafe(const std::string& text);

int listProcesses();
int doctor(pid_t pid);

} // namespace httptap::cli
