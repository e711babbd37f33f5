// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Texts one connection repeats from message to message — its Host and
// User-Agent, cookies, Server, a Date within the same second, a polled URL —
// shared between its messages instead of allocated again: a QByteArray copy
// only counts a reference. Each parser (one direction of a connection, one
// HPACK decoder) keeps a few recent texts in slots chosen by a hash of the
// text (a new text replaces the one in its slot). Texts
// headerText() knows come from static storage as before. With a million flows
// in memory this is a sizeable part of the memory per flow (issue 10).
//
// The result equals the input byte for byte; appending to it detaches as usual.

#include <QByteArray>

#include <array>
#include <cstddef>

namespace httptap {

class RecentTexts
{
public:
    QByteArray text(const char* at, size_t size);
    void clear();

private:
    static constexpr size_t kSlots = 32;
    // Longer texts are made afresh: what the slots keep alive stays small.
    static constexpr size_t kMaxRemembered = 4096;
    std::array<QByteArray, kSlots> m_slots;
};

} // namespace httptap
