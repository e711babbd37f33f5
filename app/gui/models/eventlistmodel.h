// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The Server-Sent Events of one text/event-stream response, one row each:
// id, event type ("message" when none was given), data (escaped, one line,
// cut to a preview) and time since the flow began. The detail pane's
// EventStream tab shows it, growing live: a longer list of the same flow
// appends rows (one beginInsertRows), anything else resets.

#include "flow/flow.h"

#include <QAbstractTableModel>

namespace httptap {

class EventListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns { IdColumn, TypeColumn, DataColumn, TimeColumn, COLUMN_COUNT };
    static constexpr qsizetype kPreviewBytes = 200;

    explicit EventListModel(QObject* parent = nullptr);

    void setEvents(uint64_t flowId, uint64_t startNs, const QList<ServerSentEvent>& events);
    void clear();
    const QList<ServerSentEvent>& events() const { return m_events; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<ServerSentEvent> m_events;
    uint64_t m_flowId = 0;
    uint64_t m_startNs = 0;
};

} // namespace httptap
