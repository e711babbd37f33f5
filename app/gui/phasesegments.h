// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A flow's phases (core/flow/flowtimings.h) as coloured segments on the
// capture's monotonic time axis, in the colours browsers use: stalled grey,
// DNS lookup teal, initial connection orange, TLS purple, request sent and waiting green,
// content download blue. Shared by the table's Waterfall column and the
// detail pane's Timing tab, so both draw the same thing.

#include "flow/flow.h"

#include <QColor>
#include <QRectF>
#include <QString>

#include <vector>

class QPainter;

namespace httptap {

struct PhaseSegment {
    QString name; // "Initial connection", "Waiting for server response"…
    uint64_t fromNs = 0;
    uint64_t toNs = 0;
    QColor color;
};

// In time order; phases not observed are left out.
std::vector<PhaseSegment> phaseSegments(const Flow& flow);

// Paints the segments into rect, which spans [rangeStartNs, rangeEndNs]. A
// segment shorter than a pixel still gets one, so nothing observed vanishes.
void paintPhaseSegments(QPainter* painter, const QRectF& rect, const std::vector<PhaseSegment>& segments,
    uint64_t rangeStartNs, uint64_t rangeEndNs);

// "12.3 ms", "450 µs", "1.20 s".
QString phaseDurationText(uint64_t ns);

} // namespace httptap
