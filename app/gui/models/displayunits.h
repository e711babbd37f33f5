// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// How the window writes sizes and durations, in the flow table and the
// Statistics window alike: "512 B", "12.3 kB", "4.5 MB"; "850 µs", "12 ms",
// "1.25 s" (decimal units, as browsers' Network tabs).

#include <QString>

#include <cstdint>

namespace httptap {

QString sizeText(uint64_t bytes);
QString durationText(uint64_t ns);

} // namespace httptap
