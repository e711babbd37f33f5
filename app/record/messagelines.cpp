// SPDX-License-Identifier: GPL-2.0-or-later
#include "messagelines.h"

#include <QJsonDocument>

namespace httptap::cli {

namespace {

QByteArray line(const Flow& flow, const char* type, bool fromClient, qsizetype index, const QJsonObject& message)
{
    QJsonObject o { { QStringLiteral("schema"), kJsonlSchemaVersion }, { QStringLiteral("type"), QLatin1String(type) },
        { QStringLiteral("flow_id"), qint64(flow.id) }, { QStringLiteral("conn_id"), qint64(flow.connId) },
        { QStringLiteral("url"), flow.url() },
        { QStringLiteral("direction"), fromClient ? QStringLiteral("client") : QStringLiteral("server") },
        { QStringLiteral("index"), qint64(index) }, { QStringLiteral("time"), message.value(QStringLiteral("time")) },
        { QStringLiteral("message"), message } };
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace

QByteArray MessageLines::take(const Flow& flow, const JsonlWriter& writer, bool finished)
{
    Written& w = m_written[flow.id];
    QByteArray out;
    // WebSocket messages are numbered per direction, like the other types.
    qsizetype perDirection[2] = { 0, 0 };
    for (qsizetype i = 0; i < flow.webSocketMessages().size(); ++i) {
        const WebSocketMessage& m = flow.webSocketMessages()[i];
        const qsizetype index = perDirection[m.fromClient ? 0 : 1]++;
        if (i >= w.webSocket)
            out += line(flow, "websocket", m.fromClient, index, JsonlWriter::webSocketMessageJson(m, writer.clock()));
    }
    w.webSocket = flow.webSocketMessages().size();
    for (; w.events < flow.serverSentEvents().size(); ++w.events) {
        out += line(flow, "sse", false, w.events,
            JsonlWriter::serverSentEventJson(flow.serverSentEvents()[w.events], writer.clock()));
    }
    if (flow.grpc().isGrpc) {
        for (; w.grpcRequests < flow.grpc().requestMessages.size(); ++w.grpcRequests) {
            out += line(flow, "grpc", true, w.grpcRequests,
                JsonlWriter::grpcMessageJson(flow.grpc().requestMessages[w.grpcRequests], writer.clock()));
        }
        for (; w.grpcResponses < flow.grpc().responseMessages.size(); ++w.grpcResponses) {
            out += line(flow, "grpc", false, w.grpcResponses,
                JsonlWriter::grpcMessageJson(flow.grpc().responseMessages[w.grpcResponses], writer.clock()));
        }
    }
    if (finished)
        m_written.erase(flow.id);
    return out;
}

} // namespace httptap::cli
