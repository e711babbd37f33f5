// SPDX-License-Identifier: GPL-2.0-or-later
#include "timingview.h"

#include "flow/flowtimings.h"

#include <QPainter>

namespace httptap {

TimingView::TimingView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("timingView"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void TimingView::setFlow(const Flow* flow)
{
    m_segments.clear();
    m_note.clear();
    m_beginNs = m_endNs = 0;
    if (flow) {
        m_segments = phaseSegments(*flow);
        const FlowPhases p = flowPhases(*flow);
        m_beginNs = p.beginNs;
        m_endNs = p.endNs;
        if (flow->setup.reused)
            m_note = tr("Connection reused: no DNS, connect or TLS time of its own.");
        else if (p.connect < 0)
            m_note = tr("Connection set-up not observed (capture joined an open connection, or --no-timing).");
    }
    updateGeometry();
    update();
}

int TimingView::lineHeight() const { return fontMetrics().height() + 8; }

QSize TimingView::sizeHint() const
{
    const int lines = int(m_segments.size()) + (m_note.isEmpty() ? 0 : 1);
    return { 480, lines * lineHeight() + 8 };
}

void TimingView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    const QFontMetrics fm = fontMetrics();
    const int h = lineHeight();
    int labelWidth = 0;
    int durationWidth = fm.horizontalAdvance(QStringLiteral("999.9 ms"));
    for (const PhaseSegment& s : m_segments) {
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(s.name));
        durationWidth = std::max(durationWidth, fm.horizontalAdvance(phaseDurationText(s.toNs - s.fromNs)));
    }
    labelWidth += 12;
    const int barLeft = 4 + labelWidth;
    const int barWidth = std::max(40, width() - barLeft - durationWidth - 16);
    int y = 4;
    for (const PhaseSegment& s : m_segments) {
        const QRect line(4, y, width() - 8, h);
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(line.adjusted(0, 0, -(width() - barLeft), 0), Qt::AlignLeft | Qt::AlignVCenter, s.name);
        const QRectF bar(barLeft, y + h * 0.25, barWidth, h * 0.5);
        paintPhaseSegments(&painter, bar, { s }, m_beginNs, m_endNs);
        painter.setPen(palette().color(QPalette::WindowText));
        painter.drawText(QRect(barLeft + barWidth + 8, y, durationWidth + 8, h), Qt::AlignRight | Qt::AlignVCenter,
            phaseDurationText(s.toNs - s.fromNs));
        y += h;
    }
    if (!m_note.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(QRect(4, y, width() - 8, h), Qt::AlignLeft | Qt::AlignVCenter, m_note);
    }
}

} // namespace httptap
