// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A byte limit in the notes a flow carries ("body larger than 64 KiB"): exact,
// in the largest binary unit that divides it, so the note names the very
// setting the user can change.

#include <QString>

#include <cstdint>

namespace httptap {

QString limitText(uint64_t bytes); // "64 KiB", "1 MiB", "10 bytes", "1 byte"

} // namespace httptap
