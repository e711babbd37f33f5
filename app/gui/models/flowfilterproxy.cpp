// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowfilterproxy.h"

#include <QtConcurrent>

#include <algorithm>

namespace httptap {

namespace {

using SortKey = FlowTableModel::SortKey;

bool keyLess(const SortKey& a, const SortKey& b)
{
    if (a.number != b.number)
        return a.number < b.number;
    return a.text.compare(b.text, Qt::CaseInsensitive) < 0;
}

} // namespace

FlowFilterProxy::FlowFilterProxy(QObject* parent)
    : QAbstractProxyModel(parent)
{
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this, &FlowFilterProxy::applyResult);
}

FlowFilterProxy::~FlowFilterProxy()
{
    if (m_jobPending)
        m_future.waitForFinished();
}

void FlowFilterProxy::setSourceModel(QAbstractItemModel* model)
{
    waitForIdle();
    for (const auto& c : std::as_const(m_sourceConnections))
        disconnect(c);
    m_sourceConnections.clear();
    beginResetModel();
    m_model = qobject_cast<FlowTableModel*>(model);
    Q_ASSERT(m_model || !model);
    QAbstractProxyModel::setSourceModel(model);
    m_rows.clear();
    m_reverse.clear();
    m_seen = 0;
    m_changedDuringJob.clear();
    if (m_model) {
        m_sourceConnections << connect(m_model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex&, int first, int last) { sourceRowsInserted(first, last); });
        // A worker may be reading the store's flows: it must finish before they go.
        m_sourceConnections << connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
            ++m_generation;
            if (m_jobPending)
                m_future.waitForFinished();
            beginResetModel();
        });
        m_sourceConnections << connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
            m_rows.clear();
            m_reverse.clear();
            m_seen = 0;
            m_changedDuringJob.clear();
            endResetModel();
            if (m_model->rowCount() > 0)
                startJob();
        });
        m_sourceConnections << connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex& topLeft, const QModelIndex& bottomRight) {
                sourceRowsChanged(topLeft.row(), bottomRight.row());
            });
        m_sourceConnections << connect(m_model, &QAbstractItemModel::headerDataChanged, this,
            &QAbstractItemModel::headerDataChanged);
    }
    endResetModel();
    if (m_model && m_model->rowCount() > 0)
        startJob();
}

void FlowFilterProxy::setFilter(const FlowFilter& filter)
{
    m_filter = filter;
    startJob();
}

void FlowFilterProxy::sort(int column, Qt::SortOrder order)
{
    m_sortColumn = column < 0 || column >= FlowTableModel::COLUMN_COUNT ? -1 : column;
    m_sortOrder = order;
    startJob();
}

void FlowFilterProxy::waitForIdle()
{
    while (m_jobPending) {
        m_future.waitForFinished();
        applyResult();
    }
}

void FlowFilterProxy::startJob()
{
    if (!m_model)
        return;
    ++m_generation;
    if (m_jobPending) {
        // One job at a time; the newest settings run when this one ends.
        m_restartPending = true;
        return;
    }
    m_restartPending = false;
    m_jobPending = true;
    const int count = m_model->rowCount();
    const quint64 generation = m_generation;
    const FlowFilter filter = m_filter;
    const int column = m_sortColumn;
    const bool descending = m_sortOrder == Qt::DescendingOrder;
    std::vector<const Flow*> flows;
    flows.reserve(size_t(count));
    for (int i = 0; i < count; ++i)
        flows.push_back(&m_model->flow(i));
    m_jobPin = m_model->store()->pin();
    std::vector<FlowRow> rows(m_model->rows().begin(), m_model->rows().begin() + count);
    std::vector<uint32_t> ranks = column >= 0 && !FlowTableModel::isNumeric(column) ? m_model->strings().ranks()
                                                                                     : std::vector<uint32_t>();

    m_future = QtConcurrent::run([=, flows = std::move(flows), rows = std::move(rows),
                                              ranks = std::move(ranks)]() {
        Result result;
        result.generation = generation;
        result.processed = count;
        result.rows.reserve(size_t(count));
        for (int i = 0; i < count; ++i)
            if (filter.matches(*flows[size_t(i)]))
                result.rows.push_back(uint32_t(i));
        if (column >= 0) {
            std::vector<SortKey> keys(static_cast<size_t>(count));
            for (uint32_t i : result.rows)
                keys[i] = FlowTableModel::sortKey(column, rows[i], *flows[i], ranks);
            std::stable_sort(result.rows.begin(), result.rows.end(), [&](uint32_t a, uint32_t b) {
                return descending ? keyLess(keys[b], keys[a]) : keyLess(keys[a], keys[b]);
            });
        }
        return result;
    });
    m_watcher.setFuture(m_future);
}

void FlowFilterProxy::applyResult()
{
    // Called by the watcher's signal and by waitForIdle(); whichever comes first applies the result.
    if (!m_jobPending || !m_future.isFinished())
        return;
    Result result = m_future.result();
    m_jobPending = false;
    m_jobPin.release();
    if (m_restartPending || result.generation != m_generation) {
        startJob();
        return;
    }
    beginResetModel();
    m_rows = std::move(result.rows);
    rebuildReverse();
    m_seen = result.processed;
    endResetModel();
    // Rows updated while the worker read their older versions, then rows that arrived meanwhile.
    const std::vector<int> changed = std::exchange(m_changedDuringJob, {});
    for (int row : changed)
        sourceRowsChanged(row, row);
    if (result.processed < m_model->rowCount())
        sourceRowsInserted(result.processed, m_model->rowCount() - 1);
    Q_EMIT filterApplied();
}

void FlowFilterProxy::rebuildReverse()
{
    m_reverse.assign(size_t(m_model ? m_model->rowCount() : 0), -1);
    for (size_t i = 0; i < m_rows.size(); ++i)
        m_reverse[m_rows[i]] = int32_t(i);
}

void FlowFilterProxy::sourceRowsInserted(int first, int last)
{
    m_reverse.resize(size_t(m_model->rowCount()), -1);
    if (m_jobPending)
        return; // the job's result catches these up
    m_seen = last + 1;
    std::vector<uint32_t> accepted;
    for (int i = first; i <= last; ++i)
        if (m_filter.matches(m_model->flow(i)))
            accepted.push_back(uint32_t(i));
    if (accepted.empty())
        return;
    if (m_sortColumn < 0) {
        const int at = int(m_rows.size());
        beginInsertRows({}, at, at + int(accepted.size()) - 1);
        for (uint32_t s : accepted) {
            m_reverse[s] = int32_t(m_rows.size());
            m_rows.push_back(s);
        }
        endInsertRows();
        return;
    }
    insertSorted(std::move(accepted));
}

void FlowFilterProxy::insertSorted(std::vector<uint32_t> added)
{
    // Sorted: the batch's rows belong all over the table. One insert per row made the view and its
    // header shift their per-row state (and this class its vectors) once per row — O(batch ×
    // table), 100 ms and more for a live batch on a large table. Instead the batch is appended in
    // one insert and then moved to its places in one layout change, persistent indexes (the
    // selection, the current row) carried along.
    const std::vector<uint32_t> ranks
        = FlowTableModel::isNumeric(m_sortColumn) ? std::vector<uint32_t>() : m_model->strings().ranks();
    std::vector<SortKey> keys;
    keys.reserve(added.size());
    for (uint32_t s : added)
        keys.push_back(FlowTableModel::sortKey(m_sortColumn, m_model->rows()[s], m_model->flow(int(s)), ranks));
    const bool descending = m_sortOrder == Qt::DescendingOrder;
    auto before = [&](const SortKey& a, const SortKey& b) { return descending ? keyLess(b, a) : keyLess(a, b); };
    // The batch in sort order (ties in arrival order), each with its place among the old rows:
    // after every old row that does not sort after it, as inserting them one by one did.
    std::vector<size_t> order(added.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return before(keys[a], keys[b]); });
    const size_t oldCount = m_rows.size();
    std::vector<size_t> places(order.size()); // non-decreasing: the batch is sorted
    for (size_t j = 0; j < order.size(); ++j) {
        const SortKey& key = keys[order[j]];
        const size_t from = j ? places[j - 1] : 0;
        places[j] = size_t(std::upper_bound(m_rows.begin() + ptrdiff_t(from), m_rows.begin() + ptrdiff_t(oldCount), key,
                               [&](const SortKey& k, uint32_t other) {
                                   return before(k,
                                       FlowTableModel::sortKey(m_sortColumn, m_model->rows()[other],
                                           m_model->flow(int(other)), ranks));
                               })
            - m_rows.begin());
    }

    beginInsertRows({}, int(oldCount), int(oldCount + order.size()) - 1);
    for (size_t j = 0; j < order.size(); ++j) {
        m_reverse[added[order[j]]] = int32_t(oldCount + j);
        m_rows.push_back(added[order[j]]);
    }
    endInsertRows();

    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    std::vector<uint32_t> merged;
    merged.reserve(m_rows.size());
    size_t old = 0;
    for (size_t j = 0; j < order.size(); ++j) {
        merged.insert(merged.end(), m_rows.begin() + ptrdiff_t(old), m_rows.begin() + ptrdiff_t(places[j]));
        old = places[j];
        merged.push_back(m_rows[oldCount + j]);
    }
    merged.insert(merged.end(), m_rows.begin() + ptrdiff_t(old), m_rows.begin() + ptrdiff_t(oldCount));
    // Old row r moves down by the batch rows placed before it; batch row j (at oldCount + j) goes
    // to its place plus the batch rows before it.
    auto newRow = [&](int row) {
        if (size_t(row) >= oldCount) {
            const size_t j = size_t(row) - oldCount;
            return int(places[j] + j);
        }
        return row + int(std::upper_bound(places.begin(), places.end(), size_t(row)) - places.begin());
    };
    const QModelIndexList from = persistentIndexList();
    QModelIndexList to;
    to.reserve(from.size());
    for (const QModelIndex& index : from)
        to.append(index.isValid() ? createIndex(newRow(index.row()), index.column()) : QModelIndex());
    m_rows = std::move(merged);
    rebuildReverse();
    changePersistentIndexList(from, to);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

bool FlowFilterProxy::lessThan(uint32_t a, uint32_t b, const std::vector<uint32_t>& ranks) const
{
    const SortKey ka = FlowTableModel::sortKey(m_sortColumn, m_model->rows()[a], m_model->flow(int(a)), ranks);
    const SortKey kb = FlowTableModel::sortKey(m_sortColumn, m_model->rows()[b], m_model->flow(int(b)), ranks);
    return m_sortOrder == Qt::DescendingOrder ? keyLess(kb, ka) : keyLess(ka, kb);
}

size_t FlowFilterProxy::sortedPosition(uint32_t source, const std::vector<uint32_t>& ranks) const
{
    if (m_sortColumn < 0) // unsorted: source order
        return size_t(std::lower_bound(m_rows.begin(), m_rows.end(), source) - m_rows.begin());
    return size_t(std::upper_bound(m_rows.begin(), m_rows.end(), source,
                      [&](uint32_t s, uint32_t other) { return lessThan(s, other, ranks); })
        - m_rows.begin());
}

void FlowFilterProxy::renumber(size_t from, size_t to)
{
    for (size_t i = from; i < std::min(to, m_rows.size()); ++i)
        m_reverse[m_rows[i]] = int32_t(i);
}

void FlowFilterProxy::sourceRowsChanged(int first, int last)
{
    if (!m_model)
        return;
    if (m_jobPending) {
        for (int r = first; r <= last; ++r)
            m_changedDuringJob.push_back(r);
    }
    const std::vector<uint32_t> ranks = m_sortColumn >= 0 && !FlowTableModel::isNumeric(m_sortColumn)
        ? m_model->strings().ranks()
        : std::vector<uint32_t>();
    // Rows not yet accounted for are filtered when they are caught up, with their newest version.
    for (int r = first; r <= std::min(last, m_seen - 1); ++r)
        reevaluate(r, ranks);
}

void FlowFilterProxy::reevaluate(int source, const std::vector<uint32_t>& ranks)
{
    const auto s = uint32_t(source);
    const bool matches = m_filter.matches(m_model->flow(source));
    const int32_t at = m_reverse[size_t(source)];
    if (at < 0) {
        if (!matches)
            return;
        const size_t pos = sortedPosition(s, ranks);
        beginInsertRows({}, int(pos), int(pos));
        m_rows.insert(m_rows.begin() + ptrdiff_t(pos), s);
        renumber(pos, m_rows.size());
        endInsertRows();
        return;
    }
    const auto here = size_t(at);
    if (!matches) {
        beginRemoveRows({}, at, at);
        m_rows.erase(m_rows.begin() + ptrdiff_t(here));
        m_reverse[s] = -1;
        renumber(here, m_rows.size());
        endRemoveRows();
        return;
    }
    const bool inOrder = m_sortColumn < 0
        || ((here == 0 || !lessThan(s, m_rows[here - 1], ranks))
            && (here + 1 >= m_rows.size() || !lessThan(m_rows[here + 1], s, ranks)));
    if (!inOrder) {
        // Its key changed past a neighbour: move the row (a move keeps its selection).
        m_rows.erase(m_rows.begin() + ptrdiff_t(here));
        const size_t pos = sortedPosition(s, ranks);
        m_rows.insert(m_rows.begin() + ptrdiff_t(here), s);
        const int destination = int(pos >= here ? pos + 1 : pos);
        if (beginMoveRows({}, at, at, {}, destination)) {
            m_rows.erase(m_rows.begin() + ptrdiff_t(here));
            m_rows.insert(m_rows.begin() + ptrdiff_t(pos), s);
            renumber(std::min(here, pos), std::max(here, pos) + 1);
            endMoveRows();
            return;
        }
    }
    Q_EMIT dataChanged(createIndex(at, 0), createIndex(at, FlowTableModel::COLUMN_COUNT - 1));
}

QModelIndex FlowFilterProxy::mapToSource(const QModelIndex& proxyIndex) const
{
    if (!m_model || !proxyIndex.isValid() || proxyIndex.row() >= int(m_rows.size()))
        return {};
    return m_model->index(int(m_rows[size_t(proxyIndex.row())]), proxyIndex.column());
}

QModelIndex FlowFilterProxy::mapFromSource(const QModelIndex& sourceIndex) const
{
    if (!sourceIndex.isValid() || size_t(sourceIndex.row()) >= m_reverse.size())
        return {};
    const int32_t row = m_reverse[size_t(sourceIndex.row())];
    return row < 0 ? QModelIndex() : createIndex(row, sourceIndex.column());
}

QModelIndex FlowFilterProxy::index(int row, int column, const QModelIndex& parent) const
{
    if (parent.isValid() || row < 0 || column < 0 || row >= rowCount() || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex FlowFilterProxy::parent(const QModelIndex&) const
{
    return {};
}

int FlowFilterProxy::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FlowFilterProxy::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() || !m_model ? 0 : FlowTableModel::COLUMN_COUNT;
}

bool FlowFilterProxy::hasChildren(const QModelIndex& parent) const
{
    return !parent.isValid() && !m_rows.empty();
}

} // namespace httptap
