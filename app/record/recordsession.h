// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// One run of httptap-record: starts the helper (and the command, if any),
// feeds the record stream through core's FlowAssembler and writes each flow
// as a JSON line the moment it completes. Ends on the command's exit, on
// --duration, --count, SIGINT/SIGTERM, or when the helper's stream ends;
// always drains the stream first so no captured flow is lost.

#include "recordoptions.h"

#include <cstdio>
#include <string>

namespace httptap::cli {

class RecordSession
{
public:
    explicit RecordSession(RecordOptions options);
    // Returns the process exit status.
    int run();

private:
    RecordOptions m_options;
};

} // namespace httptap::cli
