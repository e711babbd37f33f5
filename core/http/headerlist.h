// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Header lists are built in a reusable scratch list (grown once to the size
// messages need) and each message keeps an exact-size copy: a capture keeps
// its flows for its whole length, and a list that grew by appending holds up
// to twice its fields (or the 16 a reserve guessed) — ~1 KiB a flow.

#include "flow/flow.h"

namespace httptap {

// Moves scratch's fields into a list of exactly their number; scratch is left empty, its capacity kept.
inline HttpHeaders exactHeaders(HttpHeaders& scratch)
{
    HttpHeaders fields;
    if (scratch.isEmpty())
        return fields;
    fields.reserve(scratch.size());
    for (HttpHeader& h : scratch)
        fields.append(std::move(h));
    scratch.clear();
    return fields;
}

} // namespace httptap
