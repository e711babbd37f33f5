// SPDX-License-Identifier: GPL-2.0-or-later
#include "harreader.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <arpa/inet.h>
#include <cmath>
#include <cstring>

namespace httptap {

namespace {

struct Failure {
    QString message;
};

QByteArray bytesOf(const QJsonValue& v) { return v.toString().toUtf8(); }

// Milliseconds (possibly fractional, -1 for "not applicable") as nanoseconds; junk becomes 0.
uint64_t nanoseconds(const QJsonValue& v)
{
    const double d = v.toDouble(-1);
    if (!std::isfinite(d) || d <= 0 || d > 1e12)
        return 0;
    return uint64_t(d * 1e6);
}

HttpHeaders headersOf(const QJsonValue& v, const QString& where)
{
    if (v.isUndefined())
        throw Failure { where + QStringLiteral(" is missing") };
    if (!v.isArray())
        throw Failure { where + QStringLiteral(" is not a list") };
    const QJsonArray a = v.toArray();
    if (a.size() > kHarMaxHeaders)
        throw Failure { where + QStringLiteral(" has more than %1 headers").arg(kHarMaxHeaders) };
    HttpHeaders out;
    for (qsizetype i = 0; i < a.size(); ++i) {
        const QJsonObject h = a[i].toObject();
        if (!h.value(QStringLiteral("name")).isString())
            throw Failure { where + QStringLiteral("[%1].name is missing").arg(i) };
        out.append({ bytesOf(h.value(QStringLiteral("name"))), bytesOf(h.value(QStringLiteral("value"))) });
    }
    return out;
}

QByteArray normalisedVersion(const QString& harVersion)
{
    const QString v = harVersion.trimmed().toLower();
    if (v == QLatin1String("h2") || v.startsWith(QLatin1String("http/2")))
        return "HTTP/2";
    if (v == QLatin1String("h3") || v.startsWith(QLatin1String("http/3")))
        return "HTTP/3";
    if (v == QLatin1String("http/1.0"))
        return "HTTP/1.0";
    return "HTTP/1.1";
}

record::Source sourceOf(const QString& tls)
{
    if (tls == QLatin1String("openssl"))
        return record::Source::OpenSsl;
    if (tls == QLatin1String("gnutls"))
        return record::Source::GnuTls;
    if (tls == QLatin1String("go"))
        return record::Source::GoTls;
    return record::Source::Syscall;
}

FlowEndpoint endpointOf(const QString& ip, int port)
{
    FlowEndpoint e;
    QString text = ip.trimmed();
    if (text.startsWith(QLatin1Char('[')) && text.endsWith(QLatin1Char(']')))
        text = text.mid(1, text.size() - 2);
    const QByteArray a = text.toLatin1();
    if (a.size() > 64)
        return e;
    if (inet_pton(AF_INET, a.constData(), e.addr.data()) == 1)
        e.family = 4;
    else if (inet_pton(AF_INET6, a.constData(), e.addr.data()) == 1)
        e.family = 6;
    if (e.family)
        e.port = uint16_t(port > 0 && port < 65536 ? port : 0);
    return e;
}

QByteArray bodyText(const QJsonObject& o, const QString& encodingKey)
{
    const QString text = o.value(QStringLiteral("text")).toString();
    if (o.value(encodingKey).toString() == QLatin1String("base64"))
        return QByteArray::fromBase64(text.toLatin1());
    return text.toUtf8();
}

// Chrome's _webSocketMessages (and ours, harwriter.h): type "send"/"receive", time in epoch seconds, opcode, data.
void readWebSocketMessages(const QJsonObject& entry, Flow& f)
{
    const QJsonValue list = entry.value(QStringLiteral("_webSocketMessages"));
    if (!list.isArray())
        return;
    f.webSocket = true;
    const QJsonArray messages = list.toArray();
    for (qsizetype i = 0; i < messages.size(); ++i) {
        if (f.webSocketMessages().size() >= Flow::kMaxStreamItems) {
            f.editRare().streamItemsDropped += uint64_t(messages.size() - i);
            break;
        }
        const QJsonObject o = messages[i].toObject();
        const QString type = o.value(QStringLiteral("type")).toString();
        if (type != QLatin1String("send") && type != QLatin1String("receive"))
            throw Failure { QStringLiteral("_webSocketMessages[%1].type is neither \"send\" nor \"receive\"").arg(i) };
        WebSocketMessage m;
        m.fromClient = type == QLatin1String("send");
        m.timeNs = uint64_t(std::clamp(o.value(QStringLiteral("time")).toDouble(), 0.0, 1e10) * 1e9);
        m.opcode = uint8_t(std::clamp(o.value(QStringLiteral("opcode")).toInt(1), 0, 15));
        const QString data = o.value(QStringLiteral("data")).toString();
        const bool base64 = m.opcode != WebSocketMessage::Text
            || o.value(QStringLiteral("_encoding")).toString() == QLatin1String("base64");
        m.data = base64 ? QByteArray::fromBase64(data.toLatin1()) : data.toUtf8();
        m.size = uint64_t(m.data.size());
        m.truncated = o.value(QStringLiteral("_truncated")).toBool();
        m.compressed = o.value(QStringLiteral("_compressed")).toBool();
        m.note = o.value(QStringLiteral("_note")).toString().left(1000);
        if (m.opcode == WebSocketMessage::Close && m.data.size() >= 2) {
            m.closeCode = (uint8_t(m.data[0]) << 8) | uint8_t(m.data[1]);
            m.closeReason = m.data.mid(2);
        }
        f.editRare().webSocketMessages.append(std::move(m));
    }
}

// Our _initiator (harwriter.h) back into a stack; others' (a browser's script initiator) are not ours to read.
void readInitiator(const QJsonObject& entry, Flow& f)
{
    const QJsonObject o = entry.value(QStringLiteral("_initiator")).toObject();
    if (!o.contains(QStringLiteral("_tid")))
        return;
    auto stack = std::make_shared<InitiatorStack>();
    stack->tid = uint32_t(std::clamp<qint64>(o.value(QStringLiteral("_tid")).toInteger(0), 0, UINT32_MAX));
    stack->thread = o.value(QStringLiteral("_thread")).toString().left(64);
    stack->partial = o.value(QStringLiteral("_partial")).toBool();
    const QJsonArray frames = o.value(QStringLiteral("stack")).toObject().value(QStringLiteral("callFrames")).toArray();
    for (qsizetype i = 0; i < frames.size() && i < qsizetype(record::kMaxStackFrames); ++i) {
        const QJsonObject frame = frames.at(i).toObject();
        StackFrame sf;
        QString address = frame.value(QStringLiteral("_address")).toString();
        if (address.startsWith(QLatin1String("0x")))
            sf.address = address.mid(2).toULongLong(nullptr, 16);
        sf.module = frame.value(QStringLiteral("url")).toString().left(4096);
        sf.moduleOffset = uint64_t(std::max<qint64>(0, frame.value(QStringLiteral("_offset")).toInteger(0)));
        sf.symbol = frame.value(QStringLiteral("functionName")).toString().left(4096);
        sf.symbolOffset = uint64_t(std::max<qint64>(0, frame.value(QStringLiteral("_symbolOffset")).toInteger(0)));
        stack->frames.append(std::move(sf));
    }
    f.initiator = std::move(stack);
}

Flow flowOf(const QJsonObject& entry)
{
    Flow f;
    const QJsonValue reqValue = entry.value(QStringLiteral("request"));
    if (!reqValue.isObject())
        throw Failure { QStringLiteral("request is missing") };
    const QJsonObject req = reqValue.toObject();
    if (!req.value(QStringLiteral("method")).isString())
        throw Failure { QStringLiteral("request.method is missing") };
    if (!req.value(QStringLiteral("url")).isString())
        throw Failure { QStringLiteral("request.url is missing") };
    const QUrl url(req.value(QStringLiteral("url")).toString(), QUrl::StrictMode);
    if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty())
        throw Failure { QStringLiteral("request.url is not an absolute URL: ") + req.value(QStringLiteral("url")).toString().left(200) };

    const QString started = entry.value(QStringLiteral("startedDateTime")).toString();
    if (started.isEmpty())
        throw Failure { QStringLiteral("startedDateTime is missing") };
    const QDateTime when = QDateTime::fromString(started, Qt::ISODateWithMs);
    if (!when.isValid())
        throw Failure { QStringLiteral("startedDateTime is not an ISO 8601 date: ") + started.left(64) };
    f.startNs = uint64_t(std::max<qint64>(0, when.toMSecsSinceEpoch())) * 1'000'000;

    f.httpVersion = normalisedVersion(req.value(QStringLiteral("httpVersion")).toString());
    f.request.method = bytesOf(req.value(QStringLiteral("method")));
    f.request.editRare().scheme = url.scheme().toLatin1();
    f.request.editRare().authority = url.authority(QUrl::FullyEncoded).toUtf8();
    f.request.target = url.path(QUrl::FullyEncoded).toUtf8();
    if (f.request.target.isEmpty())
        f.request.target = "/";
    if (url.hasQuery())
        f.request.target += '?' + url.query(QUrl::FullyEncoded).toUtf8();
    f.request.headers = headersOf(req.value(QStringLiteral("headers")), QStringLiteral("request.headers"));
    const QJsonObject post = req.value(QStringLiteral("postData")).toObject();
    f.request.body = bodyText(post, QStringLiteral("_encoding"));
    f.request.bodySize = uint64_t(std::max<qint64>(req.value(QStringLiteral("bodySize")).toInteger(0), f.request.body.size()));
    f.request.bodyTruncated = req.value(QStringLiteral("_bodyTruncated")).toBool();
    f.request.complete = true;

    const QJsonValue respValue = entry.value(QStringLiteral("response"));
    if (!respValue.isObject())
        throw Failure { QStringLiteral("response is missing") };
    const QJsonObject resp = respValue.toObject();
    if (!resp.value(QStringLiteral("status")).isDouble())
        throw Failure { QStringLiteral("response.status is missing") };
    const int status = resp.value(QStringLiteral("status")).toInt();
    if (status < 0 || status > 999)
        throw Failure { QStringLiteral("response.status %1 is not an HTTP status").arg(status) };
    // Browsers write status 0 for a request that never got an answer.
    if (status != 0) {
        f.hasResponse = true;
        HttpMessage& r = f.response;
        r.status = status;
        r.reason = bytesOf(resp.value(QStringLiteral("statusText")));
        r.headers = headersOf(resp.value(QStringLiteral("headers")), QStringLiteral("response.headers"));
        const QJsonObject content = resp.value(QStringLiteral("content")).toObject();
        r.body = bodyText(content, QStringLiteral("encoding"));
        r.editRare().contentEncoding = r.header("Content-Encoding");
        if (!r.contentEncoding().isEmpty()) {
            r.editRare().decoded = true;
            r.editRare().decodedBody = r.body;
        }
        const qint64 wire = resp.value(QStringLiteral("bodySize")).toInteger(-1);
        r.bodySize = uint64_t(wire >= 0 && r.contentEncoding().size() ? wire : r.body.size());
        r.bodyTruncated = resp.value(QStringLiteral("_bodyTruncated")).toBool();
        r.complete = true;
    } else {
        f.incomplete = true;
    }

    const QJsonObject timings = entry.value(QStringLiteral("timings")).toObject();
    const uint64_t send = nanoseconds(timings.value(QStringLiteral("send")));
    const uint64_t wait = nanoseconds(timings.value(QStringLiteral("wait")));
    uint64_t total = nanoseconds(entry.value(QStringLiteral("time")));
    // Set-up phases before the request: dns, then connect, whose last `ssl`
    // milliseconds are the TLS handshake, then blocked (flowtimings.h: the time
    // between set-up and request; a browser's queueing comes first, but either
    // way the request starts after all three).
    const uint64_t dns = nanoseconds(timings.value(QStringLiteral("dns")));
    const uint64_t blocked = nanoseconds(timings.value(QStringLiteral("blocked")));
    const uint64_t connect = nanoseconds(timings.value(QStringLiteral("connect")));
    const uint64_t ssl = std::min(nanoseconds(timings.value(QStringLiteral("ssl"))), connect);
    if (connect > 0) {
        if (dns > 0) {
            // The time between the answer and connect() was folded into blocked: it comes back after set-up.
            f.setup.dnsStartNs = f.startNs;
            f.setup.dnsEndNs = f.startNs + dns;
            f.setup.dnsName = entry.value(QStringLiteral("_dnsName")).toString().toLatin1();
        }
        f.setup.connectStartNs = f.startNs + dns;
        f.setup.connectEndNs = f.setup.connectStartNs + connect - ssl;
        if (ssl > 0) {
            f.setup.tlsStartNs = f.setup.connectEndNs;
            f.setup.tlsEndNs = f.setup.tlsStartNs + ssl;
        }
        f.startNs = f.setup.connectStartNs + connect + blocked;
        const uint64_t before = dns + connect + blocked;
        total = total > before ? total - before : 0;
    }
    f.setup.reused = entry.value(QStringLiteral("_connectionReused")).toBool();
    f.request.firstByteNs = f.startNs;
    f.request.lastByteNs = f.startNs + send;
    f.endNs = f.startNs + std::max(total, send + wait);
    if (f.hasResponse) {
        f.responseStartNs = f.startNs + send + wait;
        f.response.firstByteNs = f.responseStartNs;
        f.response.lastByteNs = f.endNs;
    }

    f.process = entry.value(QStringLiteral("_process")).toString().left(256);
    f.pid = uint32_t(std::clamp<qint64>(entry.value(QStringLiteral("_pid")).toInteger(0), 0, UINT32_MAX));
    f.source = sourceOf(entry.value(QStringLiteral("_tls")).toString());
    f.connId = entry.value(QStringLiteral("connection")).toString().toULongLong();
    if (entry.value(QStringLiteral("_connectionId")).isDouble())
        f.connId = uint64_t(std::max<qint64>(0, entry.value(QStringLiteral("_connectionId")).toInteger()));
    if (entry.value(QStringLiteral("_role")).toString() == QLatin1String("server"))
        f.role = Flow::Role::Server;
    f.streamId = uint32_t(std::clamp<qint64>(entry.value(QStringLiteral("_streamId")).toInteger(0), 0, UINT32_MAX));
    const FlowEndpoint server = endpointOf(entry.value(QStringLiteral("serverIPAddress")).toString(),
        url.port(url.scheme() == QLatin1String("https") ? 443 : 80));
    (f.role == Flow::Role::Client ? f.remote : f.local) = server;
    f.truncated = entry.value(QStringLiteral("_truncated")).toBool() || f.request.bodyTruncated
        || f.response.bodyTruncated;
    if (entry.contains(QStringLiteral("_incomplete")))
        f.incomplete = entry.value(QStringLiteral("_incomplete")).toBool();
    for (const QJsonValue& n : entry.value(QStringLiteral("_notes")).toArray())
        f.notes.append(n.toString());
    readWebSocketMessages(entry, f);
    readInitiator(entry, f);
    return f;
}

} // namespace

std::optional<QList<Flow>> readHar(const QByteArray& bytes, QString* error)
{
    auto fail = [&](const QString& message) -> std::optional<QList<Flow>> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (bytes.size() > kHarMaxBytes)
        return fail(QStringLiteral("the file is larger than %1 MiB").arg(kHarMaxBytes >> 20));
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("not a HAR file: not JSON (%1 at byte %2)")
                        .arg(parseError.errorString())
                        .arg(parseError.offset));
    if (!doc.isObject() || !doc.object().value(QStringLiteral("log")).isObject())
        return fail(QStringLiteral("not a HAR file: missing log"));
    const QJsonObject log = doc.object().value(QStringLiteral("log")).toObject();
    if (!log.value(QStringLiteral("entries")).isArray())
        return fail(QStringLiteral("not a HAR file: missing log.entries"));
    const QJsonArray entries = log.value(QStringLiteral("entries")).toArray();
    if (entries.size() > kHarMaxEntries)
        return fail(QStringLiteral("the file has more than %1 entries").arg(kHarMaxEntries));
    QList<Flow> flows;
    flows.reserve(entries.size());
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (!entries[i].isObject())
            return fail(QStringLiteral("entry %1: not an object").arg(i + 1));
        try {
            Flow f = flowOf(entries[i].toObject());
            f.id = uint64_t(i + 1);
            flows.append(std::move(f));
        } catch (const Failure& failure) {
            return fail(QStringLiteral("entry %1: %2").arg(i + 1).arg(failure.message));
        }
    }
    return flows;
}

} // namespace httptap
