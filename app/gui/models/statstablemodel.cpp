// SPDX-License-Identifier: GPL-2.0-or-later
#include "statstablemodel.h"

#include "displayunits.h"
#include "textescape.h"

#include <QFont>

#include <algorithm>
#include <numeric>

namespace httptap {

namespace {

// Endpoint rows carry their host's index + 1 as internal id; host rows carry 0.
constexpr quintptr kHostRow = 0;

QString percentText(double fraction)
{
    return QStringLiteral("%1 %").arg(fraction * 100.0, 0, 'f', 1);
}

QString endpointName(const EndpointSummary& e)
{
    if (e.overflow)
        return QObject::tr("(other routes)");
    return escapeControl(e.method) + QLatin1Char(' ') + escapeControl(e.route);
}

QString hostName(const HostSummary& h)
{
    if (h.overflow)
        return QObject::tr("(other hosts)");
    return h.host.isEmpty() ? QObject::tr("(no host)") : escapeControl(h.host);
}

// Numbers sort by value, names alphabetically; ties keep first-seen order.
template<typename NameA, typename NameB>
bool lessBy(int column, const TrafficSummary& a, const TrafficSummary& b, const NameA& nameA, const NameB& nameB)
{
    switch (column) {
    case StatsTableModel::RequestsColumn:
        return a.requests < b.requests;
    case StatsTableModel::ErrorRateColumn:
        return a.errorRate() < b.errorRate();
    case StatsTableModel::P50Column:
        return a.latency.p50Ns < b.latency.p50Ns;
    case StatsTableModel::P95Column:
        return a.latency.p95Ns < b.latency.p95Ns;
    case StatsTableModel::P99Column:
        return a.latency.p99Ns < b.latency.p99Ns;
    case StatsTableModel::BytesColumn:
        return a.bytes < b.bytes;
    default:
        return nameA().compare(nameB(), Qt::CaseInsensitive) < 0;
    }
}

} // namespace

StatsTableModel::StatsTableModel(QObject* parent)
    : QAbstractItemModel(parent)
    , m_statistics(std::make_shared<const FlowStatistics>())
{
}

void StatsTableModel::setStatistics(std::shared_ptr<const FlowStatistics> statistics)
{
    beginResetModel();
    m_statistics = statistics ? std::move(statistics) : std::make_shared<const FlowStatistics>();
    applySort();
    endResetModel();
}

void StatsTableModel::applySort()
{
    const auto& hosts = m_statistics->hosts;
    const int column = m_sortColumn;
    const bool descending = m_sortOrder == Qt::DescendingOrder;
    m_hostOrder.resize(hosts.size());
    std::iota(m_hostOrder.begin(), m_hostOrder.end(), 0);
    std::stable_sort(m_hostOrder.begin(), m_hostOrder.end(), [&](int a, int b) {
        const HostSummary& x = hosts[size_t(descending ? b : a)];
        const HostSummary& y = hosts[size_t(descending ? a : b)];
        return lessBy(column, x.traffic, y.traffic, [&] { return hostName(x); }, [&] { return hostName(y); });
    });
    m_endpointOrder.assign(hosts.size(), {});
    for (size_t h = 0; h < hosts.size(); ++h) {
        const auto& endpoints = hosts[h].endpoints;
        auto& order = m_endpointOrder[h];
        order.resize(endpoints.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            const EndpointSummary& x = endpoints[size_t(descending ? b : a)];
            const EndpointSummary& y = endpoints[size_t(descending ? a : b)];
            return lessBy(column, x.traffic, y.traffic, [&] { return endpointName(x); }, [&] { return endpointName(y); });
        });
    }
}

void StatsTableModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= COLUMN_COUNT)
        return;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    // Remember what each persistent index pointed at (host, endpoint) before the rows move.
    const QModelIndexList before = persistentIndexList();
    std::vector<std::pair<int, int>> targets;
    targets.reserve(size_t(before.size()));
    for (const QModelIndex& index : before)
        targets.emplace_back(index.data(HostRole).toInt(), index.data(EndpointRole).toInt());
    m_sortColumn = column;
    m_sortOrder = order;
    applySort();
    std::vector<int> hostRow(m_hostOrder.size());
    for (size_t row = 0; row < m_hostOrder.size(); ++row)
        hostRow[size_t(m_hostOrder[row])] = int(row);
    QModelIndexList after;
    after.reserve(before.size());
    for (qsizetype i = 0; i < before.size(); ++i) {
        const auto [host, endpoint] = targets[size_t(i)];
        if (endpoint < 0) {
            after << createIndex(hostRow[size_t(host)], before[i].column(), kHostRow);
        } else {
            const auto& order = m_endpointOrder[size_t(host)];
            const int row = int(std::find(order.begin(), order.end(), endpoint) - order.begin());
            after << createIndex(row, before[i].column(), quintptr(host) + 1);
        }
    }
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

QModelIndex StatsTableModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, kHostRow);
    const int host = m_hostOrder[size_t(parent.row())];
    return createIndex(row, column, quintptr(host) + 1);
}

QModelIndex StatsTableModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == kHostRow)
        return {};
    const int host = int(child.internalId() - 1);
    const int row = int(std::find(m_hostOrder.begin(), m_hostOrder.end(), host) - m_hostOrder.begin());
    return createIndex(row, 0, kHostRow);
}

int StatsTableModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return int(m_hostOrder.size());
    if (parent.internalId() != kHostRow || parent.column() != 0)
        return 0;
    return int(m_endpointOrder[size_t(m_hostOrder[size_t(parent.row())])].size());
}

int StatsTableModel::columnCount(const QModelIndex&) const
{
    return COLUMN_COUNT;
}

const TrafficSummary* StatsTableModel::traffic(const QModelIndex& index) const
{
    if (!index.isValid())
        return nullptr;
    if (index.internalId() == kHostRow)
        return &m_statistics->hosts[size_t(m_hostOrder[size_t(index.row())])].traffic;
    const int host = int(index.internalId() - 1);
    const int endpoint = m_endpointOrder[size_t(host)][size_t(index.row())];
    return &m_statistics->hosts[size_t(host)].endpoints[size_t(endpoint)].traffic;
}

QVariant StatsTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const bool isHost = index.internalId() == kHostRow;
    const int hostIndex = isHost ? m_hostOrder[size_t(index.row())] : int(index.internalId() - 1);
    const HostSummary& host = m_statistics->hosts[size_t(hostIndex)];
    const int endpointIndex = isHost ? -1 : m_endpointOrder[size_t(hostIndex)][size_t(index.row())];
    const EndpointSummary* endpoint = isHost ? nullptr : &host.endpoints[size_t(endpointIndex)];
    const TrafficSummary& t = isHost ? host.traffic : endpoint->traffic;
    const bool hasLatency = t.latency.samples > 0;

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return isHost ? hostName(host) : endpointName(*endpoint);
        case RequestsColumn:
            return QString::number(t.requests);
        case ErrorRateColumn:
            return percentText(t.errorRate());
        case P50Column:
            return hasLatency ? durationText(t.latency.p50Ns) : QStringLiteral("—");
        case P95Column:
            return hasLatency ? durationText(t.latency.p95Ns) : QStringLiteral("—");
        case P99Column:
            return hasLatency ? durationText(t.latency.p99Ns) : QStringLiteral("—");
        case BytesColumn:
            return sizeText(t.bytes);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == NameColumn) {
            if (host.overflow || (endpoint && endpoint->overflow))
                return tr("Counted together: more distinct hosts or routes than the table keeps (%1 hosts, %2 endpoints)")
                    .arg(FlowStatsAccumulator::kMaxHosts)
                    .arg(FlowStatsAccumulator::kMaxEndpoints);
            return tr("Click to show these requests in the flow table");
        }
        if (index.column() == ErrorRateColumn)
            return tr("%1 of %2 requests: status 400 and above, or no response").arg(t.errors).arg(t.requests);
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == NameColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                            : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole:
        if (isHost) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case FilterRole:
        if (host.overflow || (endpoint && endpoint->overflow))
            return QString();
        return isHost ? hostFilter(host.host) : endpointFilter(host.host, endpoint->method, endpoint->route);
    case KeyRole: {
        const QString hostKey = host.overflow ? QStringLiteral("\x01other") : host.host;
        if (isHost)
            return hostKey;
        return hostKey + QLatin1Char('\n') + (endpoint->overflow ? QStringLiteral("\x01other") : endpoint->method)
            + QLatin1Char(' ') + endpoint->route;
    }
    case HostRole:
        return hostIndex;
    case EndpointRole:
        return endpointIndex;
    }
    return {};
}

QModelIndex StatsTableModel::indexForKey(const QString& key) const
{
    for (int row = 0; row < rowCount(); ++row) {
        const QModelIndex host = index(row, 0);
        if (host.data(KeyRole).toString() == key)
            return host;
        if (!key.startsWith(host.data(KeyRole).toString() + QLatin1Char('\n')))
            continue;
        for (int child = 0; child < rowCount(host); ++child) {
            const QModelIndex endpoint = index(child, 0, host);
            if (endpoint.data(KeyRole).toString() == key)
                return endpoint;
        }
    }
    return {};
}

QVariant StatsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= COLUMN_COUNT)
        return {};
    if (role == Qt::DisplayRole) {
        static const char* const names[] = { QT_TR_NOOP("Host / endpoint"), QT_TR_NOOP("Requests"), QT_TR_NOOP("Errors"),
            QT_TR_NOOP("p50"), QT_TR_NOOP("p95"), QT_TR_NOOP("p99"), QT_TR_NOOP("Size") };
        return tr(names[section]);
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case ErrorRateColumn:
            return tr("Share of requests with status 400 and above, or no response");
        case P50Column:
        case P95Column:
        case P99Column:
            return tr("Latency percentile (first request byte to last byte), over the requests with a response");
        case BytesColumn:
            return tr("Response body bytes, as the flow table's Size column");
        }
    }
    if (role == Qt::TextAlignmentRole)
        return section == NameColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

} // namespace httptap
