// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Filters and sorts the flow table without QSortFilterProxyModel: the visible
// rows are a std::vector<uint32_t> of source rows (plus the reverse map).
//
// Changing the filter or the sort order runs the compiled FlowFilter and the
// typed sort keys on a QtConcurrent worker over a snapshot of the rows; the
// result replaces the vector with a single reset (filterApplied() then). Rows
// the source appends meanwhile are caught up when the result arrives. With no
// job running, appended rows are filtered on the spot: one beginInsertRows at
// the end when unsorted; when sorted, the same insert followed by one layout
// change that moves them to their sorted places (persistent indexes follow).
//
// Rows updated in place (an open flow's newer version, see FlowStore) are
// re-evaluated one by one — the filter run on that flow only, its place in
// the sort order checked against its neighbours — and become a dataChanged,
// an insert, a removal or a move of that row: never a pass over the table.
// A worker job holds a FlowStore::Pin, so the versions it reads stay alive;
// rows updated while it ran are re-evaluated when its result is applied.

#include "filter/flowfilter.h"
#include "flowtablemodel.h"

#include <QAbstractProxyModel>
#include <QFutureWatcher>

#include <vector>

namespace httptap {

class FlowFilterProxy : public QAbstractProxyModel
{
    Q_OBJECT
public:
    explicit FlowFilterProxy(QObject* parent = nullptr);
    ~FlowFilterProxy() override;

    void setSourceModel(QAbstractItemModel* model) override;
    FlowTableModel* flowModel() const { return m_model; }

    void setFilter(const FlowFilter& filter);
    const FlowFilter& filter() const { return m_filter; }
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    // A filter or sort is being computed on a worker thread.
    bool isBusy() const { return m_jobPending; }
    // Blocks until the pending job (if any) is applied; for tests and shutdown.
    void waitForIdle();

    QModelIndex mapToSource(const QModelIndex& proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex& sourceIndex) const override;
    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;

Q_SIGNALS:
    void filterApplied();

private:
    struct Result {
        std::vector<uint32_t> rows;
        int processed = 0; // source rows the job looked at
        quint64 generation = 0;
    };

    void startJob();
    void applyResult();
    void sourceRowsInserted(int first, int last);
    void insertSorted(std::vector<uint32_t> added);
    void sourceRowsChanged(int first, int last);
    void reevaluate(int source, const std::vector<uint32_t>& ranks);
    bool lessThan(uint32_t a, uint32_t b, const std::vector<uint32_t>& ranks) const;
    size_t sortedPosition(uint32_t source, const std::vector<uint32_t>& ranks) const;
    void renumber(size_t from, size_t to);
    void rebuildReverse();

    FlowTableModel* m_model = nullptr;
    FlowFilter m_filter;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    std::vector<uint32_t> m_rows; // proxy row → source row
    std::vector<int32_t> m_reverse; // source row → proxy row, -1 when hidden
    int m_seen = 0; // source rows the current m_rows accounts for
    std::vector<int> m_changedDuringJob; // source rows updated while a job ran on older versions
    FlowStore::Pin m_jobPin;
    quint64 m_generation = 0;
    bool m_restartPending = false;
    bool m_jobPending = false; // a job was started and its result not yet taken
    QFuture<Result> m_future;
    QFutureWatcher<Result> m_watcher; // only to learn, on the GUI thread, that m_future finished
    QList<QMetaObject::Connection> m_sourceConnections;
};

} // namespace httptap
