// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Owns every Flow the window knows about, in arrival order. Flows are
// appended from the capture or a file as they complete; they are queued and
// handed over in batches (one flowsAppended() every ~50 ms at most) so the
// views do one insert per batch however fast flows arrive.
//
// Invariants: a stored Flow never moves and never changes (it is held by
// unique_ptr), so worker threads may read the flows of a snapshot() while the
// GUI thread appends more. clear() emits aboutToClear() first; anything
// reading a snapshot on another thread must be finished when that returns.

#include "flow/flow.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace httptap {

class FlowStore : public QObject
{
    Q_OBJECT
public:
    explicit FlowStore(QObject* parent = nullptr);
    ~FlowStore() override;

    // Queues a flow; it is stored (and announced) at the next batch.
    void append(Flow&& flow);
    // Stores every queued flow now.
    void flush();
    void clear();

    int size() const { return int(m_flows.size()); }
    int pendingCount() const { return int(m_pending.size()); }
    const Flow& at(int index) const { return *m_flows[size_t(index)]; }
    // Pointers to the first `count` flows, valid until clear().
    std::vector<const Flow*> snapshot(int count) const;

    void setBatchInterval(int milliseconds) { m_timer.setInterval(milliseconds); }

Q_SIGNALS:
    void flowsAppended(int first, int last);
    void aboutToClear();
    void cleared();

private:
    std::vector<std::unique_ptr<const Flow>> m_flows;
    std::vector<std::unique_ptr<const Flow>> m_pending;
    QTimer m_timer;
};

} // namespace httptap
