// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The Timing tab's chart: one line per phase of the selected flow (name, a
// bar on the flow's own time axis, duration), as a browser's Timing tab shows
// it, and a note when the connection was reused (no set-up of its own).

#include "phasesegments.h"

#include <QWidget>

#include <optional>

namespace httptap {

class TimingView : public QWidget
{
    Q_OBJECT
public:
    explicit TimingView(QWidget* parent = nullptr);

    void setFlow(const Flow* flow);
    const std::vector<PhaseSegment>& segments() const { return m_segments; }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    int lineHeight() const;

    std::vector<PhaseSegment> m_segments;
    uint64_t m_beginNs = 0;
    uint64_t m_endNs = 0;
    QString m_note;
};

} // namespace httptap
