// SPDX-License-Identifier: GPL-2.0-or-later
#include "phasesegments.h"

#include "flow/flowtimings.h"

#include <QCoreApplication>
#include <QPainter>

#include <algorithm>

namespace httptap {

std::vector<PhaseSegment> phaseSegments(const Flow& flow)
{
    auto tr = [](const char* text) { return QCoreApplication::translate("PhaseSegments", text); };
    const FlowPhases p = flowPhases(flow);
    std::vector<PhaseSegment> out;
    auto add = [&out](QString name, uint64_t from, int64_t ns, QColor color) {
        if (ns >= 0)
            out.push_back({ std::move(name), from, from + uint64_t(ns), color });
    };
    if (p.connect >= 0) {
        if (p.dns >= 0)
            add(tr("DNS lookup"), p.beginNs, p.dns, QColor(0x1f, 0xa3, 0x9a));
        const uint64_t setupEnd = p.setupStartNs + uint64_t(p.connect);
        add(tr("Initial connection"), p.setupStartNs, p.tcp, QColor(0xf0, 0x9a, 0x2c));
        if (p.ssl >= 0)
            add(tr("SSL"), setupEnd - uint64_t(p.ssl), p.ssl, QColor(0xa8, 0x5c, 0xd6));
        // Stalled after set-up; the wait between the DNS answer and connect() is left blank.
        add(tr("Stalled"), setupEnd, p.blocked - std::max<int64_t>(p.dnsToConnect, 0), QColor(0xb4, 0xb4, 0xb4));
    }
    const uint64_t start = flow.startNs;
    add(tr("Request sent"), start, p.send, QColor(0x2d, 0x9d, 0x5b));
    add(tr("Waiting for server response"), start + uint64_t(p.send), p.wait, QColor(0x4c, 0xc2, 0x6e));
    if (flow.responseStartNs)
        add(tr("Content download"), start + uint64_t(p.send + p.wait), p.receive, QColor(0x3d, 0x8b, 0xf2));
    return out;
}

void paintPhaseSegments(QPainter* painter, const QRectF& rect, const std::vector<PhaseSegment>& segments,
    uint64_t rangeStartNs, uint64_t rangeEndNs)
{
    if (rangeEndNs <= rangeStartNs || rect.width() <= 0)
        return;
    const double scale = rect.width() / double(rangeEndNs - rangeStartNs);
    auto x = [&](uint64_t ns) {
        const uint64_t clamped = std::clamp(ns, rangeStartNs, rangeEndNs);
        return rect.left() + double(clamped - rangeStartNs) * scale;
    };
    for (const PhaseSegment& s : segments) {
        if (s.toNs < rangeStartNs || s.fromNs > rangeEndNs)
            continue;
        const double left = x(s.fromNs);
        const double width = std::max(1.0, x(s.toNs) - left);
        painter->fillRect(QRectF(left, rect.top(), width, rect.height()), s.color);
    }
}

QString phaseDurationText(uint64_t ns)
{
    if (ns < 1'000'000)
        return QStringLiteral("%1 µs").arg(double(ns) / 1e3, 0, 'f', 0);
    if (ns < 1'000'000'000)
        return QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', 1);
    return QStringLiteral("%1 s").arg(double(ns) / 1e9, 0, 'f', 2);
}

} // namespace httptap
