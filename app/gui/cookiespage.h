// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The Cookies tab: the cookies the request sent (its Cookie headers split
// into name and value) and those the response set (each Set-Cookie with
// domain, path, expiry, HttpOnly, Secure, SameSite), in two tables.

#include "flow/flow.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace httptap {

class TextTableModel;

class CookiesPage : public QWidget
{
    Q_OBJECT
public:
    explicit CookiesPage(QWidget* parent = nullptr);

    void setFlow(const Flow* flow);
    TextTableModel* requestModel() const { return m_requestModel; }
    TextTableModel* responseModel() const { return m_responseModel; }

private:
    QLabel* m_empty;
    QLabel* m_requestTitle;
    QTableView* m_request;
    TextTableModel* m_requestModel;
    QLabel* m_responseTitle;
    QTableView* m_response;
    TextTableModel* m_responseModel;
};

} // namespace httptap
