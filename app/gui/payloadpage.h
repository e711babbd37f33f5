// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The Payload tab: query string parameters and form fields (urlencoded or
// multipart: name, value, file name, type) in tables, then the request body
// (JSON pretty-printed and highlighted, as the Response tab shows bodies).
// Sections without content are hidden.

#include "flow/flow.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace httptap {

class BodyView;
class TextTableModel;

class PayloadPage : public QWidget
{
    Q_OBJECT
public:
    explicit PayloadPage(QWidget* parent = nullptr);

    void setFlow(const Flow* flow);
    // The tab's content as text ("Query String Parameters\n  id: 7\n…"), for tests and copying.
    QString text() const;
    TextTableModel* queryModel() const { return m_queryModel; }
    TextTableModel* formModel() const { return m_formModel; }
    BodyView* body() const { return m_body; }

private:
    QLabel* m_empty;
    QLabel* m_queryTitle;
    QTableView* m_query;
    TextTableModel* m_queryModel;
    QLabel* m_formTitle;
    QTableView* m_form;
    TextTableModel* m_formModel;
    QLabel* m_bodyTitle;
    BodyView* m_body;
};

} // namespace httptap
