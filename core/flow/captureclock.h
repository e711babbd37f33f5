// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Converts the CLOCK_MONOTONIC timestamps in capture records to wall-clock
// time, using the anchor pair (monotonic, realtime) the producer sampled at
// the same instant and sent in its StreamStart record:
//   realtime = anchor.realtime + (timestamp - anchor.monotonic)
// Anchoring once keeps every flow of a capture on one consistent timeline even
// if the system clock is stepped during the capture. Without an anchor the
// monotonic value is used as is (a time shortly after 1970), which is still
// right for durations and ordering.

#include "record/recordformat.h"

#include <QString>

#include <cstdint>

namespace httptap {

class CaptureClock
{
public:
    CaptureClock() = default;
    CaptureClock(uint64_t monotonicNs, uint64_t realtimeNs);
    static CaptureClock fromStreamStart(const record::StreamStart& start);

    bool isAnchored() const { return m_anchored; }
    // Nanoseconds since the Unix epoch, UTC.
    int64_t toRealtimeNs(uint64_t monotonicNs) const;
    // ISO 8601 in UTC with microseconds: "2026-11-27T09:00:00.123456Z".
    QString toIsoString(uint64_t monotonicNs) const;
    static QString formatRealtime(int64_t realtimeNs);

private:
    uint64_t m_monotonicNs = 0;
    uint64_t m_realtimeNs = 0;
    bool m_anchored = false;
};

} // namespace httptap
