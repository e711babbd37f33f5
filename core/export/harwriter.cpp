// SPDX-License-Identifier: GPL-2.0-or-later
#include "harwriter.h"

#include "flow/flowtimings.h"
#include "jsonlwriter.h"
#include "redaction.h"
#include "utf8.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

#include <cmath>

#ifndef HTTPTAP_VERSION
#define HTTPTAP_VERSION "unknown"
#endif

namespace httptap {

namespace {

QString str(const QByteArray& bytes) { return JsonlWriter::wireString(bytes); }

bool equalsIgnoreCase(const QByteArray& a, const char* b) { return a.compare(b, Qt::CaseInsensitive) == 0; }

bool isTextualMime(const QByteArray& contentType)
{
    const QByteArray mime = contentType.split(';').first().trimmed().toLower();
    if (mime.isEmpty() || mime.startsWith("text/"))
        return true;
    static const char* const kText[] = { "application/json", "application/javascript", "application/ecmascript",
        "application/xml", "application/x-www-form-urlencoded", "application/graphql", "application/ld+json",
        "application/x-ndjson", "image/svg+xml", "multipart/form-data" };
    for (const char* t : kText) {
        if (mime == t)
            return true;
    }
    return mime.endsWith("+json") || mime.endsWith("+xml");
}

// Written as text only when a reader can take it back byte for byte.
bool writeAsText(const QByteArray& contentType, const QByteArray& body)
{
    return isTextualMime(contentType) && !body.contains('\0') && isValidUtf8(body);
}

QByteArray percentDecode(QByteArray bytes)
{
    bytes.replace('+', ' ');
    return QByteArray::fromPercentEncoding(bytes);
}

QJsonArray nameValuePairs(const QByteArray& encoded)
{
    QJsonArray out;
    for (const QByteArray& part : encoded.split('&')) {
        if (part.isEmpty())
            continue;
        const int eq = part.indexOf('=');
        const QByteArray name = eq < 0 ? part : part.left(eq);
        const QByteArray value = eq < 0 ? QByteArray() : part.mid(eq + 1);
        out.append(QJsonObject { { QStringLiteral("name"), str(percentDecode(name)) },
            { QStringLiteral("value"), str(percentDecode(value)) } });
    }
    return out;
}

QJsonArray headerList(const HttpHeaders& headers)
{
    QJsonArray out;
    for (const HttpHeader& h : headers)
        out.append(QJsonObject { { QStringLiteral("name"), str(h.name) }, { QStringLiteral("value"), str(h.value) } });
    return out;
}

// "a=1; b=2" from Cookie headers.
QJsonArray requestCookies(const HttpHeaders& headers, bool redact)
{
    QJsonArray out;
    for (const HttpHeader& h : headers) {
        if (!equalsIgnoreCase(h.name, "cookie"))
            continue;
        for (const QByteArray& part : h.value.split(';')) {
            const QByteArray pair = part.trimmed();
            if (pair.isEmpty())
                continue;
            const int eq = pair.indexOf('=');
            out.append(QJsonObject { { QStringLiteral("name"), str(eq < 0 ? QByteArray() : pair.left(eq).trimmed()) },
                { QStringLiteral("value"),
                    redact ? QString::fromLatin1(kRedactedMarker) : str(eq < 0 ? pair : pair.mid(eq + 1).trimmed()) } });
        }
    }
    return out;
}

// "id=x; Path=/; Domain=d; Expires=…; HttpOnly; Secure" from each Set-Cookie header.
QJsonArray responseCookies(const HttpHeaders& headers, bool redact)
{
    QJsonArray out;
    for (const HttpHeader& h : headers) {
        if (!equalsIgnoreCase(h.name, "set-cookie"))
            continue;
        const QList<QByteArray> parts = h.value.split(';');
        const QByteArray pair = parts.first().trimmed();
        const int eq = pair.indexOf('=');
        QJsonObject cookie { { QStringLiteral("name"), str(eq < 0 ? QByteArray() : pair.left(eq).trimmed()) },
            { QStringLiteral("value"),
                redact ? QString::fromLatin1(kRedactedMarker) : str(eq < 0 ? pair : pair.mid(eq + 1).trimmed()) } };
        for (qsizetype i = 1; i < parts.size(); ++i) {
            const QByteArray attr = parts[i].trimmed();
            const int aeq = attr.indexOf('=');
            const QByteArray key = (aeq < 0 ? attr : attr.left(aeq)).trimmed().toLower();
            const QByteArray value = aeq < 0 ? QByteArray() : attr.mid(aeq + 1).trimmed();
            if (key == "path") {
                cookie.insert(QStringLiteral("path"), str(value));
            } else if (key == "domain") {
                cookie.insert(QStringLiteral("domain"), str(value));
            } else if (key == "expires") {
                const QDateTime when = QDateTime::fromString(QString::fromLatin1(value), Qt::RFC2822Date);
                if (when.isValid())
                    cookie.insert(QStringLiteral("expires"), when.toUTC().toString(Qt::ISODate));
            } else if (key == "httponly") {
                cookie.insert(QStringLiteral("httpOnly"), true);
            } else if (key == "secure") {
                cookie.insert(QStringLiteral("secure"), true);
            }
        }
        out.append(cookie);
    }
    return out;
}

qint64 headersSize(const QByteArray& startLine, const HttpHeaders& headers)
{
    qint64 size = startLine.size() + 2;
    for (const HttpHeader& h : headers)
        size += h.name.size() + 2 + h.value.size() + 2;
    return size + 2;
}

QString harVersion(const QByteArray& httpVersion)
{
    return httpVersion == "HTTP/2" ? QStringLiteral("h2") : QString::fromLatin1(httpVersion);
}

const QByteArray& bodyOf(const HttpMessage& m) { return m.decoded() ? m.decodedBody() : m.body; }

QJsonValue grpcJson(const GrpcInfo& g)
{
    if (!g.isGrpc)
        return QJsonValue::Null;
    auto messages = [](const QList<GrpcMessage>& list) {
        QJsonArray out;
        for (const GrpcMessage& m : list) {
            out.append(QJsonObject { { QStringLiteral("compressed"), m.compressed },
                { QStringLiteral("length"), qint64(m.length) },
                { QStringLiteral("data"), QString::fromLatin1(m.data.toBase64()) },
                { QStringLiteral("decompressed"), m.decompressed }, { QStringLiteral("truncated"), m.truncated } });
        }
        return out;
    };
    return QJsonObject { { QStringLiteral("service"), str(g.service) }, { QStringLiteral("method"), str(g.method) },
        { QStringLiteral("encoding"), str(g.encoding) },
        { QStringLiteral("status"), g.status >= 0 ? QJsonValue(g.status) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("message"), str(g.message) },
        { QStringLiteral("requestMessages"), messages(g.requestMessages) },
        { QStringLiteral("responseMessages"), messages(g.responseMessages) } };
}

struct Redaction {
    const Redactor* redactor = nullptr; // null: keep everything
    QStringList names; // what was redacted, for _redacted
};

QByteArray redactedBody(const QByteArray& body, Redaction& r)
{
    if (!r.redactor || !r.redactor->hasJsonFields())
        return body;
    bool changed = false;
    return r.redactor->redactJson(body, &changed, &r.names);
}

QJsonObject requestJson(const Flow& flow, Redaction& r)
{
    const HttpMessage& m = flow.request;
    const bool h2 = flow.httpVersion == "HTTP/2";
    const HttpHeaders headers = r.redactor ? r.redactor->redactHeaders(m.headers, &r.names) : m.headers;
    QJsonObject o;
    o.insert(QStringLiteral("method"), str(m.method));
    o.insert(QStringLiteral("url"), flow.url());
    o.insert(QStringLiteral("httpVersion"), harVersion(flow.httpVersion));
    o.insert(QStringLiteral("cookies"), requestCookies(m.headers, r.redactor && r.redactor->isSensitiveHeader("Cookie")));
    o.insert(QStringLiteral("headers"), headerList(headers));
    const int q = m.target.indexOf('?');
    QByteArray query = q < 0 ? QByteArray() : m.target.mid(q + 1);
    if (const int hash = query.indexOf('#'); hash >= 0)
        query.truncate(hash);
    o.insert(QStringLiteral("queryString"), nameValuePairs(query));
    o.insert(QStringLiteral("headersSize"),
        h2 ? qint64(-1) : headersSize(m.method + ' ' + m.target + ' ' + flow.httpVersion, m.headers));
    o.insert(QStringLiteral("bodySize"), qint64(m.bodySize));
    if (m.bodySize > 0 || !m.body.isEmpty()) {
        const QByteArray contentType = m.header("Content-Type");
        const QByteArray body = redactedBody(bodyOf(m), r);
        QJsonObject post { { QStringLiteral("mimeType"), str(contentType) } };
        const bool form = contentType.split(';').first().trimmed().toLower() == "application/x-www-form-urlencoded";
        post.insert(QStringLiteral("params"), form ? nameValuePairs(body) : QJsonArray());
        if (writeAsText(contentType, body)) {
            post.insert(QStringLiteral("text"), QString::fromUtf8(body));
        } else {
            post.insert(QStringLiteral("text"), QString::fromLatin1(body.toBase64()));
            post.insert(QStringLiteral("_encoding"), QStringLiteral("base64"));
        }
        o.insert(QStringLiteral("postData"), post);
    }
    if (m.bodyTruncated)
        o.insert(QStringLiteral("_bodyTruncated"), true);
    return o;
}

QJsonObject responseJson(const Flow& flow, Redaction& r)
{
    QJsonObject o;
    if (!flow.hasResponse) {
        o.insert(QStringLiteral("status"), 0);
        o.insert(QStringLiteral("statusText"), QString());
        o.insert(QStringLiteral("httpVersion"), QString());
        o.insert(QStringLiteral("cookies"), QJsonArray());
        o.insert(QStringLiteral("headers"), QJsonArray());
        o.insert(QStringLiteral("content"),
            QJsonObject { { QStringLiteral("size"), 0 }, { QStringLiteral("mimeType"), QStringLiteral("x-unknown") } });
        o.insert(QStringLiteral("redirectURL"), QString());
        o.insert(QStringLiteral("headersSize"), -1);
        o.insert(QStringLiteral("bodySize"), -1);
        return o;
    }
    const HttpMessage& m = flow.response;
    const bool h2 = flow.httpVersion == "HTTP/2";
    const HttpHeaders headers = r.redactor ? r.redactor->redactHeaders(m.headers, &r.names) : m.headers;
    o.insert(QStringLiteral("status"), m.status);
    o.insert(QStringLiteral("statusText"), str(m.reason));
    o.insert(QStringLiteral("httpVersion"), harVersion(flow.httpVersion));
    o.insert(QStringLiteral("cookies"),
        responseCookies(m.headers, r.redactor && r.redactor->isSensitiveHeader("Set-Cookie")));
    o.insert(QStringLiteral("headers"), headerList(headers));

    const QByteArray contentType = m.header("Content-Type");
    const QByteArray body = redactedBody(bodyOf(m), r);
    QJsonObject content;
    content.insert(QStringLiteral("size"), qint64(m.decoded() ? m.decodedBody().size() : qint64(m.bodySize)));
    if (m.decoded() && qint64(m.decodedBody().size()) > qint64(m.bodySize))
        content.insert(QStringLiteral("compression"), qint64(m.decodedBody().size()) - qint64(m.bodySize));
    content.insert(
        QStringLiteral("mimeType"), contentType.isEmpty() ? QStringLiteral("x-unknown") : str(contentType));
    if (writeAsText(contentType, body)) {
        content.insert(QStringLiteral("text"), QString::fromUtf8(body));
    } else {
        content.insert(QStringLiteral("text"), QString::fromLatin1(body.toBase64()));
        content.insert(QStringLiteral("encoding"), QStringLiteral("base64"));
    }
    o.insert(QStringLiteral("content"), content);
    o.insert(QStringLiteral("redirectURL"), str(m.header("Location")));
    o.insert(QStringLiteral("headersSize"),
        h2 ? qint64(-1)
           : headersSize(flow.httpVersion + ' ' + QByteArray::number(m.status) + ' ' + m.reason, m.headers));
    o.insert(QStringLiteral("bodySize"), qint64(m.bodySize));
    if (m.bodyTruncated)
        o.insert(QStringLiteral("_bodyTruncated"), true);
    return o;
}

QJsonArray webSocketMessagesJson(const Flow& flow, const CaptureClock& clock)
{
    QJsonArray out;
    for (const WebSocketMessage& m : flow.webSocketMessages()) {
        QJsonObject o { { QStringLiteral("type"), m.fromClient ? QStringLiteral("send") : QStringLiteral("receive") },
            { QStringLiteral("time"), double(clock.toRealtimeNs(m.timeNs)) / 1e9 },
            { QStringLiteral("opcode"), int(m.opcode) } };
        if (m.opcode == WebSocketMessage::Text && isValidUtf8(m.data)) {
            o.insert(QStringLiteral("data"), QString::fromUtf8(m.data));
        } else {
            o.insert(QStringLiteral("data"), QString::fromLatin1(m.data.toBase64()));
            if (m.opcode == WebSocketMessage::Text)
                o.insert(QStringLiteral("_encoding"), QStringLiteral("base64"));
        }
        if (m.truncated)
            o.insert(QStringLiteral("_truncated"), true);
        if (m.compressed)
            o.insert(QStringLiteral("_compressed"), true);
        if (!m.note.isEmpty())
            o.insert(QStringLiteral("_note"), m.note);
        out.append(o);
    }
    return out;
}

// Chrome's shape for who started a request (its stack under callFrames), with a native frame's module
// as url and no line: lineNumber and columnNumber -1; the address, file offset and thread as _fields.
QJsonObject initiatorJson(const InitiatorStack& stack)
{
    QJsonArray frames;
    for (const StackFrame& f : stack.frames) {
        QJsonObject frame { { QStringLiteral("functionName"), f.symbol }, { QStringLiteral("url"), f.module },
            { QStringLiteral("lineNumber"), -1 }, { QStringLiteral("columnNumber"), -1 },
            { QStringLiteral("_address"), QStringLiteral("0x%1").arg(f.address, 0, 16) },
            { QStringLiteral("_offset"), qint64(f.moduleOffset) } };
        if (!f.symbol.isEmpty())
            frame.insert(QStringLiteral("_symbolOffset"), qint64(f.symbolOffset));
        frames.append(frame);
    }
    return QJsonObject { { QStringLiteral("type"), QStringLiteral("other") },
        { QStringLiteral("stack"), QJsonObject { { QStringLiteral("callFrames"), frames } } },
        { QStringLiteral("_tid"), qint64(stack.tid) }, { QStringLiteral("_thread"), stack.thread },
        { QStringLiteral("_partial"), stack.partial } };
}

QJsonObject entryJson(const Flow& flow, const CaptureClock& clock, const HarOptions& options, const Redactor& redactor)
{
    Redaction r;
    if (options.redact)
        r.redactor = &redactor;

    QJsonObject e;
    const FlowPhases phases = flowPhases(flow);
    e.insert(QStringLiteral("startedDateTime"), clock.toIsoString(phases.beginNs));
    QJsonObject timings;
    double time = 0;
    // -1 stays -1 (not observed); time is the sum of the others (HAR 1.2: ssl is part of connect).
    auto phase = [&](const QString& name, int64_t ns, bool counted) {
        const double v = ns < 0 ? -1.0 : std::round(double(ns) / 1000.0) / 1000.0;
        timings.insert(name, v);
        if (counted && v >= 0)
            time += v;
    };
    phase(QStringLiteral("blocked"), phases.blocked, true);
    phase(QStringLiteral("dns"), phases.dns, true);
    phase(QStringLiteral("connect"), phases.connect, true);
    phase(QStringLiteral("ssl"), phases.ssl, false);
    phase(QStringLiteral("send"), phases.send, true);
    phase(QStringLiteral("wait"), phases.wait, true);
    phase(QStringLiteral("receive"), phases.receive, true);
    e.insert(QStringLiteral("time"), time);
    e.insert(QStringLiteral("timings"), timings);
    if (flow.setup.reused)
        e.insert(QStringLiteral("_connectionReused"), true);
    if (phases.dns >= 0)
        e.insert(QStringLiteral("_dnsName"), QString::fromLatin1(flow.setup.dnsName));
    e.insert(QStringLiteral("request"), requestJson(flow, r));
    e.insert(QStringLiteral("response"), responseJson(flow, r));
    e.insert(QStringLiteral("cache"), QJsonObject());
    const FlowEndpoint& server = flow.role == Flow::Role::Client ? flow.remote : flow.local;
    if (server.family != 0)
        e.insert(QStringLiteral("serverIPAddress"), server.address());
    e.insert(QStringLiteral("connection"), QString::number(flow.connId));

    e.insert(QStringLiteral("_process"), flow.process);
    e.insert(QStringLiteral("_pid"), qint64(flow.pid));
    e.insert(QStringLiteral("_tls"), QString::fromLatin1(record::sourceName(flow.source)));
    e.insert(QStringLiteral("_connectionId"), qint64(flow.connId));
    e.insert(QStringLiteral("_role"),
        flow.role == Flow::Role::Client ? QStringLiteral("client") : QStringLiteral("server"));
    if (flow.streamId)
        e.insert(QStringLiteral("_streamId"), qint64(flow.streamId));
    if (flow.pushedBy)
        e.insert(QStringLiteral("_pushedBy"), qint64(flow.pushedBy));
    e.insert(QStringLiteral("_truncated"), flow.truncated);
    e.insert(QStringLiteral("_incomplete"), flow.incomplete);
    e.insert(QStringLiteral("_notes"), QJsonArray::fromStringList(flow.notes));
    if (flow.grpc().isGrpc)
        e.insert(QStringLiteral("_grpc"), grpcJson(flow.grpc()));
    if (flow.isWebSocket()) {
        e.insert(QStringLiteral("_resourceType"), QStringLiteral("websocket"));
        e.insert(QStringLiteral("_webSocketMessages"), webSocketMessagesJson(flow, clock));
    }
    if (flow.initiator)
        e.insert(QStringLiteral("_initiator"), initiatorJson(*flow.initiator));
    if (!r.names.isEmpty())
        e.insert(QStringLiteral("_redacted"), QJsonArray::fromStringList(r.names));
    return e;
}

} // namespace

QJsonObject harEntry(const Flow& flow, const CaptureClock& clock, const HarOptions& options)
{
    return entryJson(flow, clock, options, Redactor(options.redactHeaders, options.redactJsonFields));
}

QJsonObject harDocument(const QList<Flow>& flows, const CaptureClock& clock, const HarOptions& options)
{
    const Redactor redactor(options.redactHeaders, options.redactJsonFields); // patterns compiled once
    QJsonArray entries;
    for (const Flow& f : flows)
        entries.append(entryJson(f, clock, options, redactor));
    const QString version
        = options.creatorVersion.isEmpty() ? QStringLiteral(HTTPTAP_VERSION) : options.creatorVersion;
    const QJsonObject log { { QStringLiteral("version"), QStringLiteral("1.2") },
        { QStringLiteral("creator"),
            QJsonObject { { QStringLiteral("name"), QStringLiteral("httptap") }, { QStringLiteral("version"), version } } },
        { QStringLiteral("entries"), entries } };
    return QJsonObject { { QStringLiteral("log"), log } };
}

QByteArray harBytes(const QList<Flow>& flows, const CaptureClock& clock, const HarOptions& options)
{
    return QJsonDocument(harDocument(flows, clock, options)).toJson(QJsonDocument::Indented);
}

} // namespace httptap
