// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A small read-only table of text for the detail pane's lists (query
// parameters, form fields, cookies, gRPC messages): a few hundred rows at
// most, replaced whole with setRows(). Cells arrive escaped (textescape);
// the model shows them as given, and its tooltips (the whole cell, for long
// values) HTML-escaped, since Qt renders a tooltip that looks like markup.

#include <QAbstractTableModel>
#include <QStringList>

namespace httptap {

class TextTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    explicit TextTableModel(const QStringList& headers, QObject* parent = nullptr);

    void setRows(QList<QStringList> rows);
    const QList<QStringList>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_headers;
    QList<QStringList> m_rows;
};

} // namespace httptap
