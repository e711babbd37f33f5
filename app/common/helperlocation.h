// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Where httptap-helper is, for the window and httptap-record alike (both start
// it directly when run as root): $HTTPTAP_HELPER, then next to the running
// executable (a build tree), then ../libexec/httptap beside it (a relocated
// install), then the configured libexec directory.

#include <string>

namespace httptap {

// The helper's canonical path; empty when no candidate is executable.
std::string findHelperExecutable();

// The places findHelperExecutable() looks, in words for an error message.
std::string helperSearchDescription();

} // namespace httptap
