// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The flow table's Waterfall column: each row's phases (phasesegments.h) as
// coloured bars on a shared time axis. The axis spans the rows currently
// visible (earliest start to latest end), so scrolling or filtering rescales
// it, as in a browser's Network tab. Painting is a few fillRect()s per row
// from the flow itself; no widgets, nothing stored per row.

#include <QPointer>
#include <QStyledItemDelegate>
#include <QTimer>

class QTableView;

namespace httptap {

class FlowStore;

class WaterfallDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    // Paints `column` of `view`, whose model gives FlowTableModel::FlowIndexRole into `store`.
    WaterfallDelegate(QTableView* view, int column, FlowStore* store);

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    uint64_t rangeStartNs() const { return m_rangeStart; }
    uint64_t rangeEndNs() const { return m_rangeEnd; }

public Q_SLOTS:
    // Recomputes the axis from the visible rows (coalesced: at most once per event loop turn).
    void scheduleRangeUpdate();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateRange();

    QPointer<QTableView> m_view;
    // Compared in eventFilter without touching m_view: the filter also sees the viewport's events
    // while the view is being destroyed, when it is no longer a QTableView.
    QPointer<QWidget> m_viewport;
    int m_column;
    FlowStore* m_store;
    QTimer m_rangeTimer;
    uint64_t m_rangeStart = 0;
    uint64_t m_rangeEnd = 0;
};

} // namespace httptap
