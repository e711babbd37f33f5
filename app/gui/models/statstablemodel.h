// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The Statistics window's table: hosts, each with its endpoints (method and
// folded route) as children, with requests, error rate, p50/p95/p99 latency
// and bytes. Sorting is done here (hosts among themselves, endpoints within
// their host), so the tree needs no QSortFilterProxyModel. A new summary
// replaces the rows with one reset; the window restores selection and
// expansion by key (KeyRole).
//
// Captured text (hosts, methods, routes) goes through escapeControl(); the
// raw values are only used to build the filter phrase (FilterRole).

#include "flowstatistics.h"

#include <QAbstractItemModel>

#include <memory>

namespace httptap {

class StatsTableModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Columns { NameColumn, RequestsColumn, ErrorRateColumn, P50Column, P95Column, P99Column, BytesColumn, COLUMN_COUNT };
    enum Roles {
        FilterRole = Qt::UserRole, // QString: the filter phrase selecting the row's flows; empty for overflow rows
        KeyRole, // QString: identifies the row across summaries
        HostRole, // int: index into statistics()->hosts
        EndpointRole, // int: index into that host's endpoints; -1 on a host row
    };

    explicit StatsTableModel(QObject* parent = nullptr);

    void setStatistics(std::shared_ptr<const FlowStatistics> statistics);
    const std::shared_ptr<const FlowStatistics>& statistics() const { return m_statistics; }
    // The summary a row shows (host or endpoint); null for an invalid index.
    const TrafficSummary* traffic(const QModelIndex& index) const;
    QModelIndex indexForKey(const QString& key) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    void applySort();

    std::shared_ptr<const FlowStatistics> m_statistics;
    // Display order: host rows (indexes into hosts) and, per host, its endpoints.
    std::vector<int> m_hostOrder;
    std::vector<std::vector<int>> m_endpointOrder; // by host index
    int m_sortColumn = RequestsColumn;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
};

} // namespace httptap
