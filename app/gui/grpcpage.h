// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The gRPC tab of a gRPC flow: service and method, status, and every
// length-prefixed message of both directions (declared length, compressed,
// cut) in a table; the selected message's payload below as text or hex.
// Protobuf is not decoded (no schema); the payload is shown as bytes.

#include "flow/flow.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace httptap {

class BodyView;
class TextTableModel;

class GrpcPage : public QWidget
{
    Q_OBJECT
public:
    explicit GrpcPage(QWidget* parent = nullptr);

    void setFlow(const Flow* flow);
    TextTableModel* messagesModel() const { return m_model; }
    QTableView* messagesView() const { return m_view; }
    BodyView* payload() const { return m_payload; }
    QString summary() const;

private:
    void showMessage(int row);

    QLabel* m_summary;
    QTableView* m_view;
    TextTableModel* m_model;
    BodyView* m_payload;
    QList<GrpcMessage> m_messages; // in table order
};

} // namespace httptap
