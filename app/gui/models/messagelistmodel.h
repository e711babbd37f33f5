// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The messages of one streaming flow (gRPC messages, WebSocket messages), one
// row each: direction (↑ sent by the client, ↓ by the server), time, length,
// kind (text, binary, close 1000, ping…) and a one-line preview; what was
// wrong with a message (invalid UTF-8, bad deflate data) in its tooltip. The detail pane's Messages tab shows it in a
// virtualized view behind a filter.
//
// Live: setMessages() with a longer list of the same flow appends only the
// new rows (one beginInsertRows); anything else resets. Captured bytes are
// shown escaped and cut to a preview; the whole message is the pane's job.

#include "flow/flow.h"

#include <QAbstractTableModel>

#include <vector>

namespace httptap {

struct StreamMessage {
    bool fromClient = false;
    uint64_t timeNs = 0; // CLOCK_MONOTONIC; 0 when unknown
    uint64_t length = 0; // bytes as declared on the wire
    QByteArray data; // payload as kept (decompressed when it was compressed)
    QString kind; // "text", "binary", "ping", "message"…
    bool text = false; // show as text (else hex)
    bool truncated = false; // fewer bytes than declared
    QString note; // what was wrong with it, in words; empty if fine
};

class MessageListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns { DirectionColumn, TimeColumn, LengthColumn, KindColumn, DataColumn, COLUMN_COUNT };
    enum Roles {
        MessageIndexRole = Qt::UserRole, // int: index into messages()
    };
    static constexpr qsizetype kPreviewBytes = 200;

    explicit MessageListModel(QObject* parent = nullptr);

    // flowId tells a longer list of the same flow (appended) from another flow's (reset).
    // Times are shown relative to startNs.
    void setMessages(uint64_t flowId, uint64_t startNs, std::vector<StreamMessage>&& messages);
    void clear();
    const std::vector<StreamMessage>& messages() const { return m_messages; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // gRPC messages of a flow, both directions merged by time.
    static std::vector<StreamMessage> grpcMessages(const Flow& flow);
    // WebSocket messages of a flow, in order of arrival.
    static std::vector<StreamMessage> webSocketMessages(const Flow& flow);
    // Whichever of the two the flow has (empty when neither).
    static std::vector<StreamMessage> messagesOf(const Flow& flow);

private:
    std::vector<StreamMessage> m_messages;
    uint64_t m_flowId = 0;
    uint64_t m_startNs = 0;
};

} // namespace httptap
