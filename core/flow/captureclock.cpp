// SPDX-License-Identifier: GPL-2.0-or-later
#include "captureclock.h"

#include <QDateTime>
#include <QTimeZone>

namespace httptap {

CaptureClock::CaptureClock(uint64_t monotonicNs, uint64_t realtimeNs)
    : m_monotonicNs(monotonicNs)
    , m_realtimeNs(realtimeNs)
    , m_anchored(true)
{
}

CaptureClock CaptureClock::fromStreamStart(const record::StreamStart& start)
{
    return CaptureClock(start.monotonicNs, start.realtimeNs);
}

int64_t CaptureClock::toRealtimeNs(uint64_t monotonicNs) const
{
    // Unsigned difference reinterpreted as signed: a timestamp from before the anchor is a
    // negative offset, not a huge positive one.
    return int64_t(m_realtimeNs + (monotonicNs - m_monotonicNs));
}

QString CaptureClock::toIsoString(uint64_t monotonicNs) const { return formatRealtime(toRealtimeNs(monotonicNs)); }

QString CaptureClock::formatRealtime(int64_t realtimeNs)
{
    // Floor division, so instants before the epoch still get a non-negative fraction.
    int64_t secs = realtimeNs / 1000000000;
    int64_t frac = realtimeNs % 1000000000;
    if (frac < 0) {
        frac += 1000000000;
        --secs;
    }
    const QDateTime dt = QDateTime::fromSecsSinceEpoch(secs, QTimeZone::utc());
    return dt.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss")) + QLatin1Char('.')
        + QStringLiteral("%1").arg(frac / 1000, 6, 10, QLatin1Char('0')) + QLatin1Char('Z');
}

} // namespace httptap
