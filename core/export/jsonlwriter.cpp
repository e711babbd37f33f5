// SPDX-License-Identifier: GPL-2.0-or-later
#include "jsonlwriter.h"

#include "flow/flowtimings.h"
#include "jsonbytewriter.h"

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
        {QStringLiteral("dns_name"), p.dns < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(QString::fromLatin1(flow.setup.dnsName))},
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
    o.insert(QStringLiteral("trailers"), headerArray(m.trailers()));
    o.insert(QStringLiteral("body_size"), qint64(m.bodySize));
    o.insert(QStringLiteral("body"), QString::fromLatin1(m.body.toBase64()));
    o.insert(QStringLiteral("body_truncated"), m.bodyTruncated);
    o.insert(QStringLiteral("complete"), m.complete);
    o.insert(QStringLiteral("content_encoding"), JsonlWriter::wireString(m.contentEncoding()));
    o.insert(QStringLiteral("decoded_body"),
        m.decoded() ? QJsonValue(QString::fromLatin1(m.decodedBody().toBase64())) : QJsonValue(QJsonValue::Null));
    o.insert(QStringLiteral("decoded_body_size"), m.decoded() ? QJsonValue(qint64(m.decodedBody().size())) : QJsonValue());
    o.insert(QStringLiteral("decoded_body_truncated"), m.decodedTruncated());
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
    const qsizetype kept = std::min(f.webSocketMessages().size(), kMaxJsonlStreamItems);
    for (qsizetype i = 0; i < kept; ++i)
        messages.append(JsonlWriter::webSocketMessageJson(f.webSocketMessages()[i], clock));
    return QJsonObject { { QStringLiteral("extensions"), JsonlWriter::wireString(f.webSocketExtensions()) },
        { QStringLiteral("messages"), messages },
        { QStringLiteral("messages_dropped"), qint64(f.streamItemsDropped() + uint64_t(f.webSocketMessages().size() - kept)) } };
}

QJsonValue serverSentEventsJson(const Flow& f, const CaptureClock& clock)
{
    if (!f.isEventStream() && f.serverSentEvents().isEmpty())
        return QJsonValue::Null;
    QJsonArray events;
    const qsizetype kept = std::min(f.serverSentEvents().size(), kMaxJsonlStreamItems);
    for (qsizetype i = 0; i < kept; ++i)
        events.append(JsonlWriter::serverSentEventJson(f.serverSentEvents()[i], clock));
    return QJsonObject { { QStringLiteral("events"), events },
        { QStringLiteral("events_dropped"), qint64(f.streamItemsDropped() + uint64_t(f.serverSentEvents().size() - kept)) } };
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

// The sender's stack (issue 12): addresses as hex strings (64-bit values do not fit a JSON number
// exactly), symbol fields only once symbolization has filled them.
QJsonValue initiatorJson(const InitiatorStack* stack, const CaptureClock& clock)
{
    if (!stack)
        return QJsonValue::Null;
    QJsonArray frames;
    for (const StackFrame& f : stack->frames) {
        QJsonObject frame { { QStringLiteral("address"), QStringLiteral("0x%1").arg(f.address, 0, 16) },
            { QStringLiteral("module"), f.module }, { QStringLiteral("offset"), qint64(f.moduleOffset) } };
        if (!f.symbol.isEmpty()) {
            frame.insert(QStringLiteral("symbol"), f.symbol);
            frame.insert(QStringLiteral("symbol_offset"), qint64(f.symbolOffset));
        }
        frames.append(frame);
    }
    return QJsonObject { { QStringLiteral("tid"), qint64(stack->tid) }, { QStringLiteral("thread"), stack->thread },
        { QStringLiteral("time"), timeJson(clock, stack->timestampNs) }, { QStringLiteral("partial"), stack->partial },
        { QStringLiteral("frames"), frames } };
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
    o.insert(QStringLiteral("grpc"), grpcJson(flow.grpc(), m_clock));
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
    o.insert(QStringLiteral("initiator"), initiatorJson(flow.initiator.get(), m_clock));

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
    for (const HttpMessage& m : flow.informational()) {
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
    QByteArray out;
    appendLine(flow, out);
    return out;
}

namespace {

// Lower-case hex without leading zeros, as QString::arg(value, 0, 16) writes it; returns the length.
int formatHex(uint64_t value, char* out)
{
    char digits[16];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value & 0xf];
        value >>= 4;
    } while (value);
    for (int i = 0; i < n; ++i)
        out[i] = digits[n - 1 - i];
    return n;
}

void writeHeaders(JsonByteWriter& w, const HttpHeaders& headers)
{
    w.beginArray();
    for (const HttpHeader& h : headers) {
        w.beginArray();
        w.wireString(h.name);
        w.wireString(h.value);
        w.endArray();
    }
    w.endArray();
}

void writeEndpoint(JsonByteWriter& w, const FlowEndpoint& e)
{
    if (e.family == 0) {
        w.null();
        return;
    }
    w.beginObject();
    w.key("ip");
    if (e.family == 4) {
        char text[16];
        w.latin1(std::string_view(text, size_t(formatIpv4(e.addr.data(), text))));
    } else {
        w.string(e.address());
    }
    w.key("port");
    w.integer(e.port);
    w.endObject();
}

void writePhase(JsonByteWriter& w, std::string_view key, int64_t ns)
{
    w.key(key);
    if (ns < 0)
        w.null();
    else
        w.number(double(ns) / 1e6);
}

// timingsJson's object.
void writeTimings(JsonByteWriter& w, const Flow& flow)
{
    const FlowPhases p = flowPhases(flow);
    w.beginObject();
    writePhase(w, "blocked_ms", p.blocked);
    writePhase(w, "connect_ms", p.connect);
    w.key("connection_reused");
    w.boolean(flow.setup.reused);
    writePhase(w, "dns_ms", p.dns);
    w.key("dns_name");
    if (p.dns < 0)
        w.null();
    else
        w.latin1(std::string_view(flow.setup.dnsName.constData(), size_t(flow.setup.dnsName.size())));
    writePhase(w, "receive_ms", p.receive);
    writePhase(w, "send_ms", p.send);
    writePhase(w, "ssl_ms", p.ssl);
    writePhase(w, "tcp_ms", p.tcp);
    writePhase(w, "total_ms", int64_t(p.totalNs()));
    writePhase(w, "wait_ms", p.wait);
    w.endObject();
}

// addBody's members up to "decoded_body_truncated" (the first ones in key order).
void writeBodyMembers(JsonByteWriter& w, const HttpMessage& m)
{
    w.key("body");
    w.base64(m.body);
    w.key("body_size");
    w.integer(qint64(m.bodySize));
    w.key("body_truncated");
    w.boolean(m.bodyTruncated);
    w.key("complete");
    w.boolean(m.complete);
    w.key("content_encoding");
    w.wireString(m.contentEncoding());
    w.key("decoded_body");
    if (m.decoded())
        w.base64(m.decodedBody());
    else
        w.null();
    w.key("decoded_body_size");
    if (m.decoded())
        w.integer(m.decodedBody().size());
    else
        w.null();
    w.key("decoded_body_truncated");
    w.boolean(m.decodedTruncated());
    w.key("headers");
    writeHeaders(w, m.headers);
}

// initiatorJson's object, written directly: a stack comes with nearly every flow, and building it
// as a QJsonObject was 30 % of httptap-record's CPU under load.
void writeInitiator(JsonByteWriter& w, const InitiatorStack* stack, const CaptureClock& clock)
{
    if (!stack) {
        w.null();
        return;
    }
    w.beginObject();
    w.key("frames");
    w.beginArray();
    for (const StackFrame& f : stack->frames) {
        w.beginObject();
        w.key("address");
        char hex[2 + 16] = { '0', 'x' };
        w.latin1(std::string_view(hex, size_t(2 + formatHex(f.address, hex + 2))));
        w.key("module");
        w.string(f.module);
        w.key("offset");
        w.integer(qint64(f.moduleOffset));
        if (!f.symbol.isEmpty()) {
            w.key("symbol");
            w.string(f.symbol);
            w.key("symbol_offset");
            w.integer(qint64(f.symbolOffset));
        }
        w.endObject();
    }
    w.endArray();
    w.key("partial");
    w.boolean(stack->partial);
    w.key("thread");
    w.string(stack->thread);
    w.key("tid");
    w.integer(qint64(stack->tid));
    w.key("time");
    if (stack->timestampNs)
        w.isoTime(clock, stack->timestampNs);
    else
        w.null();
    w.endObject();
}

// A member whose value is rare and nested (gRPC, WebSocket, SSE): the QJsonObject builders above
// serialize it, so there is one definition of its shape.
void writeJsonValue(JsonByteWriter& w, const QJsonValue& value)
{
    if (value.isObject())
        w.raw(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    else
        w.null();
}

} // namespace

void JsonlWriter::appendLine(const Flow& flow, QByteArray& out) const
{
    // The members of toJson(flow), in QJsonObject's (sorted) key order: tst_jsonlwriter compares the two.
    // Formatted into a per-thread scratch buffer that keeps its capacity from line to line.
    thread_local std::string buffer;
    buffer.clear();
    JsonByteWriter w(buffer);
    w.beginObject();
    w.key("conn_id");
    w.integer(qint64(flow.connId));
    w.key("duration_ms");
    w.number(milliseconds(flow.startNs, flow.endNs));
    w.key("grpc");
    writeJsonValue(w, grpcJson(flow.grpc(), m_clock));
    w.key("http_version");
    w.latin1(std::string_view(flow.httpVersion.constData(), size_t(flow.httpVersion.size())));
    w.key("id");
    w.integer(qint64(flow.id));
    w.key("incomplete");
    w.boolean(flow.incomplete);
    w.key("informational");
    w.beginArray();
    for (const HttpMessage& m : flow.informational()) {
        w.beginObject();
        w.key("headers");
        writeHeaders(w, m.headers);
        w.key("reason");
        w.wireString(m.reason);
        w.key("status");
        w.integer(m.status);
        w.endObject();
    }
    w.endArray();
    w.key("initiator");
    writeInitiator(w, flow.initiator.get(), m_clock);
    w.key("local");
    writeEndpoint(w, flow.local);
    w.key("notes");
    w.beginArray();
    for (const QString& note : flow.notes)
        w.string(note);
    w.endArray();
    w.key("pid");
    w.integer(qint64(flow.pid));
    w.key("process");
    w.string(flow.process);
    w.key("pushed_by");
    if (flow.pushedBy)
        w.integer(qint64(flow.pushedBy));
    else
        w.null();
    w.key("remote");
    writeEndpoint(w, flow.remote);
    const QString url = flow.url();
    w.key("request");
    w.beginObject();
    writeBodyMembers(w, flow.request);
    w.key("method");
    w.wireString(flow.request.method);
    w.key("target");
    w.wireString(flow.request.target);
    w.key("trailers");
    writeHeaders(w, flow.request.trailers());
    w.key("url");
    w.string(url);
    w.endObject();
    w.key("response");
    if (flow.hasResponse) {
        w.beginObject();
        writeBodyMembers(w, flow.response);
        w.key("reason");
        w.wireString(flow.response.reason);
        w.key("status");
        w.integer(flow.response.status);
        w.key("trailers");
        writeHeaders(w, flow.response.trailers());
        w.endObject();
    } else {
        w.null();
    }
    w.key("role");
    w.latin1(flow.role == Flow::Role::Client ? "client" : "server");
    w.key("schema");
    w.integer(kJsonlSchemaVersion);
    w.key("server_sent_events");
    writeJsonValue(w, serverSentEventsJson(flow, m_clock));
    w.key("start_time");
    w.isoTime(m_clock, flow.startNs);
    w.key("stream_id");
    if (flow.streamId)
        w.integer(qint64(flow.streamId));
    else
        w.null();
    w.key("tid");
    w.integer(qint64(flow.tid));
    w.key("timings");
    writeTimings(w, flow);
    w.key("tls");
    w.latin1(record::sourceName(flow.source));
    w.key("truncated");
    w.boolean(flow.truncated);
    w.key("ttfb_ms");
    if (flow.responseStartNs)
        w.number(milliseconds(flow.startNs, flow.responseStartNs));
    else
        w.null();
    w.key("url");
    w.string(url);
    w.key("websocket");
    writeJsonValue(w, webSocketJson(flow, m_clock));
    w.endObject();
    w.endLine();
    w.finish();
    out.append(buffer.data(), qsizetype(buffer.size()));
}

} // namespace httptap
