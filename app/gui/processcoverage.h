// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The coverage doctor (helper/processinspector, the same code behind
// `httptap-record --list-processes` and the service's ListProcesses) for the
// process picker: every process with the TLS implementations it carries and
// whether each can be captured, as ProcessListModel rows. Only built with the
// helper (HTTPTAP_HAVE_INSPECTOR); reading every process's mappings takes a
// moment, so the picker runs it on a worker thread.

#include "models/processlistmodel.h"

namespace httptap {

namespace helper {
struct ProcessInfo;
}

// One row: "OpenSSL 3.0.11 ✓, Go go1.19.8 (stripped) ✗", with path and reason per line in tlsDetails.
ProcessListModel::Process processRow(const helper::ProcessInfo& info);
// Every process, inspected (thread-safe: one inspection at a time).
std::vector<ProcessListModel::Process> inspectProcesses();

} // namespace httptap
