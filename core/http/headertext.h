// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Header names and values as QByteArrays without an allocation for the texts
// most messages carry ("Content-Type", "content-length", "keep-alive",
// "application/json"…): those come from static storage, which QByteArray
// copies and frees without touching the heap. Every header used to cost two
// allocations (name and value); with a million flows in memory that was most
// of the memory per flow (issue 10, bench/dissect_http1.cpp memory).
// The result equals the input byte for byte; appending to it detaches as usual.

#include <QByteArray>

#include <cstddef>

namespace httptap {

QByteArray headerText(const char* at, size_t size);
// The static copy of a common text; a null QByteArray when the text is not one of them.
QByteArray commonHeaderText(const char* at, size_t size);

} // namespace httptap
