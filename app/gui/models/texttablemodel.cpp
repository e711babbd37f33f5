// SPDX-License-Identifier: GPL-2.0-or-later
#include "texttablemodel.h"

namespace httptap {

TextTableModel::TextTableModel(const QStringList& headers, QObject* parent)
    : QAbstractTableModel(parent)
    , m_headers(headers)
{
}

void TextTableModel::setRows(QList<QStringList> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int TextTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TextTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_headers.size());
}

QVariant TextTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QString cell = m_rows[index.row()].value(index.column());
    if (role == Qt::DisplayRole)
        return cell;
    // A tooltip that looks like markup is rendered as rich text: captured text goes in escaped.
    if (role == Qt::ToolTipRole && !cell.isEmpty())
        return QStringLiteral("<p style='white-space:pre-wrap'>%1</p>").arg(cell.toHtmlEscaped());
    return {};
}

QVariant TextTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole)
        return m_headers.value(section);
    return {};
}

} // namespace httptap
