// SPDX-License-Identifier: GPL-2.0-or-later
#include "detailtables.h"

#include "models/texttablemodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>

namespace httptap {

QTableView* makeDetailTable(TextTableModel* model, const QString& objectName)
{
    auto* view = new QTableView;
    view->setObjectName(objectName);
    view->setModel(model);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    return view;
}

QLabel* makeSectionTitle(const QString& text)
{
    auto* label = new QLabel(text);
    label->setTextFormat(Qt::PlainText);
    QFont bold = label->font();
    bold.setBold(true);
    label->setFont(bold);
    return label;
}

} // namespace httptap
