// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Canned captures for the GUI tests, built with the unit tests' StreamBuilder:
// a raw record stream with JSON, a form POST, a PNG, hostile control
// characters, a binary body, a 404, a request never answered, and lost events.

#include "flow/flow.h"

#include <QByteArray>

namespace httptap::test {

// The stream (header, records, StreamEnd) as a capture file holds it.
QByteArray richCapture();
// Number of flows richCapture() yields.
constexpr int kRichFlows = 7;

// A synthetic flow for bulk tests: varied hosts, methods, statuses, sizes.
Flow syntheticFlow(uint64_t id);

} // namespace httptap::test
