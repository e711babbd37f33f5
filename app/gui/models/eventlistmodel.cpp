// SPDX-License-Identifier: GPL-2.0-or-later
#include "eventlistmodel.h"

#include "textescape.h"

namespace httptap {

EventListModel::EventListModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void EventListModel::setEvents(uint64_t flowId, uint64_t startNs, const QList<ServerSentEvent>& events)
{
    const qsizetype had = m_events.size();
    if (flowId == m_flowId && startNs == m_startNs && had > 0 && events.size() >= had) {
        // The same stream, grown: dispatched events never change.
        if (events.size() == had)
            return;
        beginInsertRows({}, int(had), int(events.size()) - 1);
        m_events = events; // implicitly shared: no copy of the events themselves
        endInsertRows();
        return;
    }
    beginResetModel();
    m_flowId = flowId;
    m_startNs = startNs;
    m_events = events;
    endResetModel();
}

void EventListModel::clear()
{
    beginResetModel();
    m_events.clear();
    m_flowId = 0;
    endResetModel();
}

int EventListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_events.size()); }

int EventListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : COLUMN_COUNT; }

QVariant EventListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ServerSentEvent& e = m_events[index.row()];
    if (role == Qt::TextAlignmentRole && index.column() == TimeColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && index.column() == TypeColumn && e.retryMs >= 0)
        return tr("retry: %1 ms").arg(e.retryMs);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case IdColumn:
        return escapeBytes(e.id.left(kPreviewBytes));
    case TypeColumn:
        return e.event.isEmpty() ? QStringLiteral("message") : escapeBytes(e.event.left(kPreviewBytes));
    case DataColumn: {
        // One line per row: the data's own line breaks are shown as escapes.
        QString preview = escapeBytes(e.data.left(kPreviewBytes));
        if (e.data.size() > kPreviewBytes)
            preview += QStringLiteral("…");
        return preview;
    }
    case TimeColumn:
        if (!e.timeNs || e.timeNs < m_startNs)
            return QStringLiteral("—");
        return QStringLiteral("%1 ms").arg(double(e.timeNs - m_startNs) / 1e6, 0, 'f', 3);
    default:
        return {};
    }
}

QVariant EventListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= COLUMN_COUNT)
        return {};
    static const char* const titles[] = { QT_TR_NOOP("Id"), QT_TR_NOOP("Type"), QT_TR_NOOP("Data"), QT_TR_NOOP("Time") };
    return tr(titles[section]);
}

} // namespace httptap
