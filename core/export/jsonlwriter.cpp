// SPDX-License-Identifier: GPL-2.0-or-later
#include "jsonlwriter.h"

#include "flow/flowtimings.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringDecoder>

namespace httptap {

namespace {

QJsonArray headerArray(const HttpHeaders& headers)
{
    QJsonArray out;
    for (const HttpHeader& h : headers)
        out.append(QJsonArray { JsonlWriter::wireString(h.name), JsonlWriter::wireString(h.value) });
    return out;
}

QJsonValue endpointJson(const FlowEndpoint& e)
{
    if (e.family == 0)
        return QJsonValue::Null;
    return QJsonObject { { QStringLiteral("ip"), e.address() }, { QStringLiteral("port"), int(e.port) } };
}

double milliseconds(uint64_t fromNs, uint64_t toNs) { return toNs > fromNs ? double(toNs - fromNs) / 1e6 : 0.0; }

// HAR's phases (flowtimings.h) in milliseconds; null for what was not observed.
QJsonObject timingsJson(const Flow& flow)
{
    const FlowPhases p = flowPhases(flow);
    auto ms = [](int64_t ns) { return ns < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(double(ns) / 1e6); };
    return QJsonObject {
        {QStringLiteral("blocked_ms"), ms(p.blocked)},
        {QStringLiteral("dns_ms"), ms(p.dns)},
        {QStringLiteral("connect_ms"), ms(p.connect)},
        {QStringLiteral("tcp_ms"), ms(p.tcp)},
        {QStringLiteral("ssl_ms"), ms(p.ssl)},
        {QStringLiteral("send_ms"), ms(p.send)},
        {QStringLiteral("wait_ms"), ms(p.wait)},
        {QStringLiteral("receive_ms"), ms(p.receive)},
        {QStringLiteral("total_ms"), ms(int64_t(p.totalNs()))},
        {QStringLiteral("connection_reused"), flow.setup.reused},
    };
}

void addBody(QJsonObject& o, const HttpMessage& m)
{
    o.insert(QStringLiteral("headers"), headerArray(m.headers));
    o.insert(QStringLiteral("trailers"), headerArray(m.trailers));
    o.insert(QStringLiteral("body_size"), qint64(m.bodySize));
    o.insert(QStringLiteral("body"), QString::fromLatin1(m.body.toBase64()));
    o.insert(QStringLiteral("body_truncated"), m.bodyTruncated);
    o.insert(QStringLiteral("complete"), m.complete);
    o.insert(QStringLiteral("content_encoding"), JsonlWriter::wireString(m.contentEncoding));
    o.insert(QStringLiteral("decoded_body"),
        m.decoded ? QJsonValue(QString::fromLatin1(m.decodedBody.toBase64())) : QJsonValue(QJsonValue::Null));
    o.insert(QStringLiteral("decoded_body_size"), m.decoded ? QJsonValue(qint64(m.decodedBody.size())) : QJsonValue());
    o.insert(QStringLiteral("decoded_body_truncated"), m.decodedTruncated);
}

QJsonValue timeJson(const CaptureClock& clock, uint64_t ns)
{
    return ns ? QJsonValue(clock.toIsoString(ns)) : QJsonValue(QJsonValue::Null);
}

QJsonArray grpcMessages(const QList<GrpcMessage>& messages, const CaptureClock& clock)
{
    QJsonArray out;
    for (const GrpcMessage& m : messages)
        out.append(JsonlWriter::grpcMessageJson(m, clock));
    return out;
}

QJsonValue webSocketJson(const Flow& f, const CaptureClock& clock)
{
    if (!f.isWebSocket())
        return QJsonValue::Null;
    QJsonArray messages;
    const qsizetype kept = std::min(f.webSocketMessages.size(), kMaxJsonlStreamItems);
    for (qsizetype i = 0; i < kept; ++i)
        messages.append(JsonlWriter::webSocketMessageJson(f.webSocketMessages[i], clock));
    return QJsonObject { { QStringLiteral("extensions"), JsonlWriter::wireString(f.webSocketExtensions) },
        { QStringLiteral("messages"), messages },
        { QStringLiteral("messages_dropped"), qint64(f.streamItemsDropped + uint64_t(f.webSocketMessages.size() - kept)) } };
}

QJsonValue serverSentEventsJson(const Flow& f, const CaptureClock& clock)
{
    if (!f.isEventStream() && f.serverSentEvents.isEmpty())
        return QJsonValue::Null;
    QJsonArray events;
    const qsizetype kept = std::min(f.serverSentEvents.size(), kMaxJsonlStreamItems);
    for (qsizetype i = 0; i < kept; ++i)
        events.append(JsonlWriter::serverSentEventJson(f.serverSentEvents[i], clock));
    return QJsonObject { { QStringLiteral("events"), events },
        { QStringLiteral("events_dropped"), qint64(f.streamItemsDropped + uint64_t(f.serverSentEvents.size() - kept)) } };
}

QJsonValue grpcJson(const GrpcInfo& g, const CaptureClock& clock)
{
    if (!g.isGrpc)
        return QJsonValue::Null;
    return QJsonObject { { QStringLiteral("service"), JsonlWriter::wireString(g.service) },
        { QStringLiteral("method"), JsonlWriter::wireString(g.method) },
        { QStringLiteral("encoding"), JsonlWriter::wireString(g.encoding) },
        { QStringLiteral("status"), g.status >= 0 ? QJsonValue(g.status) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("message"), JsonlWriter::wireString(g.message) },
        { QStringLiteral("request_messages"), grpcMessages(g.requestMessages, clock) },
        { QStringLiteral("response_messages"), grpcMessages(g.responseMessages, clock) } };
}

} // namespace

QJsonObject JsonlWriter::grpcMessageJson(const GrpcMessage& m, const CaptureClock& clock)
{
    return QJsonObject { { QStringLiteral("compressed"), m.compressed }, { QStringLiteral("length"), qint64(m.length) },
        { QStringLiteral("data"), QString::fromLatin1(m.data.toBase64()) },
        { QStringLiteral("decompressed"), m.decompressed }, { QStringLiteral("truncated"), m.truncated },
        { QStringLiteral("time"), timeJson(clock, m.timeNs) } };
}

QJsonObject JsonlWriter::webSocketMessageJson(const WebSocketMessage& m, const CaptureClock& clock)
{
    return QJsonObject { { QStringLiteral("from"), m.fromClient ? QStringLiteral("client") : QStringLiteral("server") },
        { QStringLiteral("time"), timeJson(clock, m.timeNs) }, { QStringLiteral("opcode"), int(m.opcode) },
        { QStringLiteral("compressed"), m.compressed }, { QStringLiteral("size"), qint64(m.size) },
        { QStringLiteral("data"), QString::fromLatin1(m.data.toBase64()) }, { QStringLiteral("truncated"), m.truncated },
        { QStringLiteral("close_code"), m.closeCode >= 0 ? QJsonValue(m.closeCode) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("close_reason"), wireString(m.closeReason) }, { QStringLiteral("note"), m.note } };
}

QJsonObject JsonlWriter::serverSentEventJson(const ServerSentEvent& e, const CaptureClock& clock)
{
    return QJsonObject { { QStringLiteral("time"), timeJson(clock, e.timeNs) }, { QStringLiteral("id"), wireString(e.id) },
        { QStringLiteral("event"), wireString(e.event) }, { QStringLiteral("data"), wireString(e.data) },
        { QStringLiteral("retry_ms"), e.retryMs >= 0 ? QJsonValue(e.retryMs) : QJsonValue(QJsonValue::Null) } };
}

JsonlWriter::JsonlWriter(const CaptureClock& clock)
    : m_clock(clock)
{
}

QString JsonlWriter::wireString(const QByteArray& bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder(bytes);
    if (decoder.hasError())
        return QString::fromLatin1(bytes);
    return text;
}

QJsonObject JsonlWriter::toJson(const Flow& flow) const
{
    QJsonObject o;
    o.insert(QStringLiteral("schema"), kJsonlSchemaVersion);
    o.insert(QStringLiteral("id"), qint64(flow.id));
    o.insert(QStringLiteral("conn_id"), qint64(flow.connId));
    o.insert(QStringLiteral("pid"), qint64(flow.pid));
    o.insert(QStringLiteral("tid"), qint64(flow.tid));
    o.insert(QStringLiteral("process"), flow.process);
    o.insert(QStringLiteral("tls"), QString::fromLatin1(record::sourceName(flow.source)));
    o.insert(
        QStringLiteral("role"), flow.role == Flow::Role::Client ? QStringLiteral("client") : QStringLiteral("server"));
    o.insert(QStringLiteral("http_version"), QString::fromLatin1(flow.httpVersion));
    o.insert(QStringLiteral("stream_id"), flow.streamId ? QJsonValue(qint64(flow.streamId)) : QJsonValue());
    o.insert(QStringLiteral("pushed_by"), flow.pushedBy ? QJsonValue(qint64(flow.pushedBy)) : QJsonValue());
    o.insert(QStringLiteral("grpc"), grpcJson(flow.grpc, m_clock));
    o.insert(QStringLiteral("websocket"), webSocketJson(flow, m_clock));
    o.insert(QStringLiteral("server_sent_events"), serverSentEventsJson(flow, m_clock));
    o.insert(QStringLiteral("local"), endpointJson(flow.local));
    o.insert(QStringLiteral("remote"), endpointJson(flow.remote));
    const QString url = flow.url();
    o.insert(QStringLiteral("url"), url);
    o.insert(QStringLiteral("start_time"), m_clock.toIsoString(flow.startNs));
    o.insert(QStringLiteral("duration_ms"), milliseconds(flow.startNs, flow.endNs));
    o.insert(QStringLiteral("ttfb_ms"),
        flow.responseStartNs ? QJsonValue(milliseconds(flow.startNs, flow.responseStartNs))
                             : QJsonValue(QJsonValue::Null));
    o.insert(QStringLiteral("timings"), timingsJson(flow));

    QJsonObject request;
    request.insert(QStringLiteral("method"), wireString(flow.request.method));
    request.insert(QStringLiteral("target"), wireString(flow.request.target));
    request.insert(QStringLiteral("url"), url);
    addBody(request, flow.request);
    o.insert(QStringLiteral("request"), request);

    if (flow.hasResponse) {
        QJsonObject response;
        response.insert(QStringLiteral("status"), flow.response.status);
        response.insert(QStringLiteral("reason"), wireString(flow.response.reason));
        addBody(response, flow.response);
        o.insert(QStringLiteral("response"), response);
    } else {
        o.insert(QStringLiteral("response"), QJsonValue::Null);
    }

    QJsonArray informational;
    for (const HttpMessage& m : flow.informational) {
        informational.append(
            QJsonObject { { QStringLiteral("status"), m.status }, { QStringLiteral("reason"), wireString(m.reason) },
                { QStringLiteral("headers"), headerArray(m.headers) } });
    }
    o.insert(QStringLiteral("informational"), informational);
    o.insert(QStringLiteral("truncated"), flow.truncated);
    o.insert(QStringLiteral("incomplete"), flow.incomplete);
    o.insert(QStringLiteral("notes"), QJsonArray::fromStringList(flow.notes));
    return o;
}

QByteArray JsonlWriter::line(const Flow& flow) const
{
    QByteArray out = QJsonDocument(toJson(flow)).toJson(QJsonDocument::Compact);
    out.append('\n');
    return out;
}

} // namespace httptap
