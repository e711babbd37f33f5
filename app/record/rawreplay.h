// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// httptap-record --read FILE: a record stream saved with --raw goes through
// the same FlowAssembler and the same output as a live capture, so a saved
// capture reopened gives exactly the flows the live run wrote. No helper, no
// root. A corrupt or cut file still yields every flow before the damage, and
// the error is reported.

#include "recordoptions.h"

namespace httptap::cli {

// Returns the process exit status: 0, or 1 when the file cannot be read, is
// not a record stream, is corrupt, or the output cannot be written.
int replayRecording(const RecordOptions& options);

} // namespace httptap::cli
