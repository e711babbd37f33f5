// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// One page of the detail pane for a flow made of items (messages, events):
// a filter box over the list (a QSortFilterProxyModel on one column: these
// lists are per flow, not the million-row table), the list in a uniform-row
// view that follows new rows while it is scrolled to the bottom, and the
// selected item whole below it, as escaped text or as hex.
//
// The page does not know the items: `content(row)` gives the bytes of a
// source row and whether they are text.

#include <QWidget>

#include <functional>

class QAbstractItemModel;
class QCheckBox;
class QLineEdit;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTableView;

namespace httptap {

class StreamPage : public QWidget
{
    Q_OBJECT
public:
    struct Content {
        QByteArray bytes;
        bool text = false;
        QString heading; // shown above the bytes ("[cut: …]"), plain text
    };
    using ContentFunction = std::function<Content(int sourceRow)>;

    StreamPage(QAbstractItemModel* model, int filterColumn, const QList<int>& widths, ContentFunction content,
        QWidget* parent = nullptr);

    QTableView* view() const { return m_view; }
    QLineEdit* filter() const { return m_filter; }
    QCheckBox* hex() const { return m_hex; }
    QString itemText() const;
    // Call before the model grows: a view at its bottom keeps following.
    bool atBottom() const;
    void followIfWasAtBottom(bool wasAtBottom);

private:
    void showSelected();

    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    QLineEdit* m_filter;
    QCheckBox* m_hex;
    QPlainTextEdit* m_text;
    ContentFunction m_content;
};

} // namespace httptap
