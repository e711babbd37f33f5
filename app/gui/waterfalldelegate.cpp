// SPDX-License-Identifier: GPL-2.0-or-later
#include "waterfalldelegate.h"

#include "flow/flowtimings.h"
#include "models/flowstore.h"
#include "models/flowtablemodel.h"
#include "phasesegments.h"

#include <QEvent>
#include <QHeaderView>
#include <QPainter>
#include <QScrollBar>
#include <QTableView>

#include <algorithm>

namespace httptap {

WaterfallDelegate::WaterfallDelegate(QTableView* view, int column, FlowStore* store)
    : QStyledItemDelegate(view)
    , m_view(view)
    , m_column(column)
    , m_store(store)
{
    m_rangeTimer.setSingleShot(true);
    m_rangeTimer.setInterval(0);
    connect(&m_rangeTimer, &QTimer::timeout, this, &WaterfallDelegate::updateRange);
    view->setItemDelegateForColumn(column, this);
    connect(view->verticalScrollBar(), &QScrollBar::valueChanged, this, &WaterfallDelegate::scheduleRangeUpdate);
    connect(view->verticalScrollBar(), &QScrollBar::rangeChanged, this, &WaterfallDelegate::scheduleRangeUpdate);
    if (QAbstractItemModel* model = view->model()) {
        for (auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved })
            connect(model, signal, this, &WaterfallDelegate::scheduleRangeUpdate);
        connect(model, &QAbstractItemModel::modelReset, this, &WaterfallDelegate::scheduleRangeUpdate);
        connect(model, &QAbstractItemModel::layoutChanged, this, &WaterfallDelegate::scheduleRangeUpdate);
    }
    m_viewport = view->viewport();
    m_viewport->installEventFilter(this); // a taller view shows more rows
    scheduleRangeUpdate();
}

bool WaterfallDelegate::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_viewport) {
        // Not an editor: the base class would treat its key and focus events as an editor's.
        if (event->type() == QEvent::Resize || event->type() == QEvent::Show)
            scheduleRangeUpdate();
        return false;
    }
    return QStyledItemDelegate::eventFilter(watched, event);
}

void WaterfallDelegate::scheduleRangeUpdate()
{
    if (!m_rangeTimer.isActive())
        m_rangeTimer.start();
}

void WaterfallDelegate::updateRange()
{
    if (!m_view || !m_view->model())
        return;
    QAbstractItemModel* model = m_view->model();
    const int rows = model->rowCount();
    uint64_t start = UINT64_MAX;
    uint64_t end = 0;
    if (rows > 0) {
        int first = m_view->rowAt(0);
        int last = m_view->rowAt(m_view->viewport()->height() - 1);
        if (first < 0)
            first = 0;
        if (last < 0)
            last = rows - 1;
        for (int row = first; row <= last && row < rows; ++row) {
            const QVariant v = model->index(row, m_column).data(FlowTableModel::FlowIndexRole);
            if (!v.isValid() || v.toInt() < 0 || v.toInt() >= m_store->size())
                continue;
            const FlowPhases p = flowPhases(m_store->at(v.toInt()));
            start = std::min(start, p.beginNs);
            end = std::max(end, p.endNs);
        }
    }
    if (end <= start) {
        start = 0;
        end = 0;
    }
    if (start == m_rangeStart && end == m_rangeEnd)
        return;
    m_rangeStart = start;
    m_rangeEnd = end;
    m_view->viewport()->update();
}

void WaterfallDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem opt(option);
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = {};
    opt.widget->style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget); // background, selection
    const QVariant v = index.data(FlowTableModel::FlowIndexRole);
    if (!v.isValid() || v.toInt() < 0 || v.toInt() >= m_store->size() || m_rangeEnd <= m_rangeStart)
        return;
    const QRectF bar = QRectF(option.rect).adjusted(3, option.rect.height() * 0.3, -3, -option.rect.height() * 0.3);
    painter->save();
    paintPhaseSegments(painter, bar, phaseSegments(m_store->at(v.toInt())), m_rangeStart, m_rangeEnd);
    painter->restore();
}

QSize WaterfallDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    s.setWidth(std::max(s.width(), 160));
    return s;
}

} // namespace httptap
