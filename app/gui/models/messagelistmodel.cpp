// SPDX-License-Identifier: GPL-2.0-or-later
#include "messagelistmodel.h"

#include "textescape.h"

#include <QColor>

#include <algorithm>

namespace httptap {

namespace {

// When the byte at `offset` (exclusive end) of a body arrived, from its arrival list.
uint64_t arrivalOf(const HttpMessage& m, uint64_t endOffset)
{
    uint64_t seen = 0;
    for (const BodyArrival& a : m.bodyArrivals()) {
        seen += a.bytes;
        if (seen >= endOffset)
            return a.timestampNs;
    }
    // One arrival (not listed) or beyond the listed ones: the last byte's time is the best known.
    return m.lastByteNs;
}

void addGrpc(std::vector<StreamMessage>& out, const QList<GrpcMessage>& messages, const HttpMessage& m, bool fromClient)
{
    uint64_t offset = 0;
    for (const GrpcMessage& g : messages) {
        offset += 5 + g.length;
        StreamMessage s;
        s.fromClient = fromClient;
        s.timeNs = g.timeNs ? g.timeNs : arrivalOf(m, offset);
        s.length = g.length;
        s.data = g.data;
        s.kind = g.compressed ? QObject::tr("compressed") : QObject::tr("message");
        s.text = looksLikeText(g.data);
        s.truncated = g.truncated;
        out.push_back(std::move(s));
    }
}

} // namespace

MessageListModel::MessageListModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

std::vector<StreamMessage> MessageListModel::grpcMessages(const Flow& flow)
{
    std::vector<StreamMessage> out;
    addGrpc(out, flow.grpc().requestMessages, flow.request, true);
    addGrpc(out, flow.grpc().responseMessages, flow.response, false);
    std::stable_sort(out.begin(), out.end(), [](const StreamMessage& a, const StreamMessage& b) { return a.timeNs < b.timeNs; });
    return out;
}

std::vector<StreamMessage> MessageListModel::webSocketMessages(const Flow& flow)
{
    std::vector<StreamMessage> out;
    out.reserve(size_t(flow.webSocketMessages().size()));
    for (const WebSocketMessage& w : flow.webSocketMessages()) {
        StreamMessage s;
        s.fromClient = w.fromClient;
        s.timeNs = w.timeNs;
        s.length = w.size;
        s.truncated = w.truncated;
        s.note = w.note;
        switch (w.opcode) {
        case WebSocketMessage::Text:
            s.kind = tr("text");
            s.text = true;
            s.data = w.data;
            break;
        case WebSocketMessage::Binary:
            s.kind = tr("binary");
            s.data = w.data;
            break;
        case WebSocketMessage::Close:
            s.kind = w.closeCode >= 0 ? tr("close %1").arg(w.closeCode) : tr("close");
            s.text = true;
            s.data = w.closeReason;
            break;
        case WebSocketMessage::Ping:
        case WebSocketMessage::Pong:
            s.kind = w.opcode == WebSocketMessage::Ping ? tr("ping") : tr("pong");
            s.data = w.data;
            s.text = looksLikeText(w.data);
            break;
        default:
            s.kind = tr("opcode 0x%1").arg(w.opcode, 0, 16);
            s.data = w.data;
            break;
        }
        if (w.compressed)
            s.kind += tr(" (deflate)");
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<StreamMessage> MessageListModel::messagesOf(const Flow& flow)
{
    if (flow.isWebSocket())
        return webSocketMessages(flow);
    if (flow.grpc().isGrpc)
        return grpcMessages(flow);
    return {};
}

void MessageListModel::setMessages(uint64_t flowId, uint64_t startNs, std::vector<StreamMessage>&& messages)
{
    const size_t had = m_messages.size();
    if (flowId == m_flowId && startNs == m_startNs && messages.size() >= had && had > 0) {
        // The same flow, grown: earlier messages are unchanged (a stream only appends), except that
        // the last one may have been cut short before and be whole now.
        m_messages[had - 1] = std::move(messages[had - 1]);
        Q_EMIT dataChanged(index(int(had) - 1, 0), index(int(had) - 1, COLUMN_COUNT - 1));
        if (messages.size() == had)
            return;
        beginInsertRows({}, int(had), int(messages.size()) - 1);
        for (size_t i = had; i < messages.size(); ++i)
            m_messages.push_back(std::move(messages[i]));
        endInsertRows();
        return;
    }
    beginResetModel();
    m_flowId = flowId;
    m_startNs = startNs;
    m_messages = std::move(messages);
    endResetModel();
}

void MessageListModel::clear()
{
    beginResetModel();
    m_messages.clear();
    m_flowId = 0;
    endResetModel();
}

int MessageListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_messages.size());
}

int MessageListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : COLUMN_COUNT; }

QVariant MessageListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const StreamMessage& m = m_messages[size_t(index.row())];
    if (role == MessageIndexRole)
        return index.row();
    if (role == Qt::TextAlignmentRole && (index.column() == TimeColumn || index.column() == LengthColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) {
        const QString who = m.fromClient ? tr("Sent by the client") : tr("Sent by the server");
        return m.note.isEmpty() ? who : who + QLatin1Char('\n') + escapeControl(m.note);
    }
    if (role == Qt::ForegroundRole && index.column() == KindColumn && (m.truncated || !m.note.isEmpty()))
        return QColor(0xd9, 0x3f, 0x3f);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case DirectionColumn:
        return m.fromClient ? QStringLiteral("↑") : QStringLiteral("↓");
    case TimeColumn:
        if (!m.timeNs || m.timeNs < m_startNs)
            return QStringLiteral("—");
        return QStringLiteral("%1 ms").arg(double(m.timeNs - m_startNs) / 1e6, 0, 'f', 3);
    case LengthColumn:
        return QString::number(m.length);
    case KindColumn:
        return m.truncated ? tr("%1 (cut)").arg(m.kind) : !m.note.isEmpty() ? m.kind + QStringLiteral(" ⚠") : m.kind;
    case DataColumn: {
        const QByteArray head = m.data.left(kPreviewBytes);
        QString preview = m.text ? escapeBytes(head) : QString::fromLatin1(head.toHex(' '));
        if (m.data.size() > kPreviewBytes)
            preview += QStringLiteral("…");
        return preview;
    }
    default:
        return {};
    }
}

QVariant MessageListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= COLUMN_COUNT)
        return {};
    static const char* const titles[] = { QT_TR_NOOP(""), QT_TR_NOOP("Time"), QT_TR_NOOP("Length"), QT_TR_NOOP("Kind"),
        QT_TR_NOOP("Data") };
    return tr(titles[section]);
}

} // namespace httptap
