// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Owns every Flow the window knows about, in arrival order. Flows are
// appended from the capture or a file as they complete — or earlier, as
// snapshots of exchanges still open (Flow::inProgress, from FlowAssembler's
// progress sink), each followed by newer snapshots and finally the finished
// flow, all with the same Flow::id. They are queued and handed over in
// batches (one flowsAppended() and one flowsUpdated() every ~50 ms at most),
// so the views do one insert per batch and touch only the rows that changed,
// however fast flows arrive.
//
// Updating in place, safely: a stored Flow never changes and never moves
// (each is held by unique_ptr), so worker threads may read the flows of a
// snapshot while the GUI thread stores more. A newer version of an open flow
// does not overwrite it: it takes the row's slot at the next batch and the
// old version is retired — kept alive, unchanged, as long as any Pin taken
// before the replacement is held, and freed when the last pin goes. Readers
// on other threads take a Pin for as long as they hold Flow pointers.
//
// Cost: only open flows are looked up (a hash of their ids, as small as the
// number of exchanges in flight); an update is O(1), a batch O(changes).
// Versions of a flow arriving within one batch replace each other in the
// queue and are announced once; the finished version ends the flow's entry
// in the hash.
//
// clear() emits aboutToClear() first; anything reading a snapshot on another
// thread must be finished when that returns.

#include "flow/flow.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <unordered_map>
#include <vector>

namespace httptap {

class FlowStore : public QObject
{
    Q_OBJECT
public:
    // Keeps every flow version alive that was stored while it is held (see above).
    class Pin
    {
    public:
        Pin() = default;
        explicit Pin(FlowStore* store);
        Pin(Pin&& other) noexcept;
        Pin& operator=(Pin&& other) noexcept;
        ~Pin();
        void release();

    private:
        QPointer<FlowStore> m_store; // a pin may outlive its store (a proxy destroyed after it)
    };

    explicit FlowStore(QObject* parent = nullptr);
    ~FlowStore() override;

    // Queues a flow: a new row, or — same id as an open flow — its newer version, stored (and
    // announced) at the next batch.
    void append(Flow&& flow);
    // Stores every queued flow and update now.
    void flush();
    void clear();

    int size() const { return int(m_flows.size()); }
    int pendingCount() const { return int(m_pending.size()); }
    int openCount() const { return int(m_open.size()); }
    const Flow& at(int index) const { return *m_flows[size_t(index)]; }
    // Pointers to the first `count` flows, valid until clear() while `pin` is held.
    std::vector<const Flow*> snapshot(int count) const;
    Pin pin() { return Pin(this); }
    int retiredCount() const { return int(m_retired.size()); }

    void setBatchInterval(int milliseconds) { m_timer.setInterval(milliseconds); }

Q_SIGNALS:
    void flowsAppended(int first, int last);
    // Stored flows replaced by newer versions, ascending indices; after flowsAppended of the same batch.
    void flowsUpdated(const std::vector<int>& indices);
    void aboutToClear();
    void cleared();

private:
    void unpin();
    void schedule();

    std::vector<std::unique_ptr<const Flow>> m_flows;
    std::vector<std::unique_ptr<const Flow>> m_pending; // new rows, indices m_flows.size() + i
    std::unordered_map<int, std::unique_ptr<const Flow>> m_updates; // stored row → its newer version
    std::unordered_map<uint64_t, int> m_open; // id of an open flow → its row (stored or pending)
    std::vector<std::unique_ptr<const Flow>> m_retired; // replaced versions a pin may still see
    int m_pins = 0;
    QTimer m_timer;
};

} // namespace httptap
