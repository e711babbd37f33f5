// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Which frame of an initiator stack answers "who sent this?": the first
// (innermost) frame outside the HTTP and TLS machinery — libc, the TLS
// libraries, libcurl, libnghttp2, libpython (or a python3 binary linking it
// in), and in Go the runtime and the standard library's network packages. Native frames name native code only:
// `libfoo.so!fetch_user+0x1c`, never a guessed script-level caller.

#include "flow/flow.h"

#include <QString>

namespace httptap {

// Index into stack.frames of the frame to show; -1 when the stack has no frames. When every
// frame belongs to the libraries, the innermost one outside libc (e.g. SSL_write), else frame 0.
int initiatorFrameIndex(const InitiatorStack& stack);
// That frame as text ("" without frames).
QString initiatorFrame(const InitiatorStack& stack);
// "app!fetch_user+0x1c"; unnamed "libfoo.so+0x1234" (offset in the file); unmapped "0x7f…".
QString frameText(const StackFrame& frame);
// "fetch_user+0x1c", or "" when unnamed.
QString functionText(const StackFrame& frame);
QString moduleName(const QString& modulePath); // the file name
// Whether a frame belongs to the HTTP/TLS machinery (skipped when choosing).
bool isLibraryFrame(const StackFrame& frame);
// The whole stack, one frame a line ("#0  0x7f…  libc.so.6!write+0x17"), thread first.
QString stackText(const InitiatorStack& stack);

} // namespace httptap
