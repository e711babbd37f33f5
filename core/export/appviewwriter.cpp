// SPDX-License-Identifier: GPL-2.0-or-later
#include "export/appviewwriter.h"

#include "export/jsonlwriter.h"
#include "http/statustext.h"

#include <optional>
#include <vector>

namespace httptap {

namespace {

QByteArray jsonString(const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 2);
    out += '"';
    for (const char c : utf8) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20)
                out += "\\u00" + QByteArray::number(static_cast<unsigned char>(c), 16).rightJustified(2, '0');
            else
                out += c;
        }
    }
    out += '"';
    return out;
}

QByteArray seconds(int64_t realtimeNs)
{
    return QByteArray::number(double(realtimeNs) / 1e9, 'f', 6);
}

// One body.data property: its JSON value, and the text the watch's value regex sees.
struct Property {
    QString name;
    QByteArray json;
    QString text;
};

class Properties
{
public:
    void text(const QString& name, const QString& value)
    {
        add(name, jsonString(value), value);
    }
    void number(const QString& name, uint64_t value)
    {
        add(name, QByteArray::number(qulonglong(value)), QString::number(qulonglong(value)));
    }
    const std::vector<Property>& all() const { return m_all; }

private:
    void add(const QString& name, QByteArray json, const QString& text)
    {
        for (const Property& p : m_all)
            if (p.name == name)
                return; // a header sent twice: the first wins, a JSON object has each key once
        m_all.push_back({ name, std::move(json), text });
    }
    std::vector<Property> m_all;
};

QString flavor(const Flow& flow, const HttpMessage& m)
{
    if (flow.httpVersion == "HTTP/2")
        return QStringLiteral("2.0");
    return QStringLiteral("%1.%2").arg(m.versionMajor).arg(m.versionMinor);
}

std::optional<uint64_t> contentLength(const HttpMessage& m)
{
    const QByteArray value = m.header("content-length").trimmed();
    bool ok = false;
    const qulonglong n = value.toULongLong(&ok);
    if (!ok || value.isEmpty() || value.front() < '0' || value.front() > '9')
        return std::nullopt;
    return n;
}

uint64_t durationMs(const Flow& flow)
{
    if (flow.response.firstByteNs <= flow.request.firstByteNs)
        return 0;
    return (flow.response.firstByteNs - flow.request.firstByteNs) / 1'000'000;
}

// Headers AppView turns into fields of its own (or ignores); the watch's headers never add them again.
bool isMappedHeader(const QByteArray& name)
{
    const QByteArray lower = name.toLower();
    return lower.startsWith(':') || lower == "host" || lower == "user-agent" || lower == "x-forwarded-for"
        || lower == "content-length" || lower == "x-appview";
}

void addKnownHeaders(Properties& data, const HttpMessage& m)
{
    const QByteArray forwardedFor = m.header("x-forwarded-for");
    if (!forwardedFor.isNull())
        data.text(QStringLiteral("http_client_ip"), JsonlWriter::wireString(forwardedFor.trimmed()));
    const QByteArray appview = m.header("x-appview");
    if (!appview.isNull())
        data.text(QStringLiteral("x-appview"), JsonlWriter::wireString(appview.trimmed()));
}

void addWatchedHeaders(Properties& data, const HttpMessage& m, const AppViewWatch& watch)
{
    if (watch.headers.isEmpty())
        return;
    for (const HttpHeader& h : m.headers) {
        if (isMappedHeader(h.name))
            continue;
        const QString line = JsonlWriter::wireString(h.name) + QStringLiteral(": ") + JsonlWriter::wireString(h.value);
        for (const QRegularExpression& re : watch.headers) {
            if (re.match(line).hasMatch()) {
                data.text(JsonlWriter::wireString(h.name), JsonlWriter::wireString(h.value));
                break;
            }
        }
    }
}

void addNet(Properties& data, const Flow& flow)
{
    data.text(QStringLiteral("net_transport"), QStringLiteral("IP.TCP"));
    if (flow.remote.family != 0) {
        data.text(QStringLiteral("net_peer_ip"), flow.remote.address());
        data.number(QStringLiteral("net_peer_port"), flow.remote.port);
    }
    if (flow.local.family != 0) {
        data.text(QStringLiteral("net_host_ip"), flow.local.address());
        data.number(QStringLiteral("net_host_port"), flow.local.port);
    }
}

QString hostOf(const HttpMessage& request)
{
    if (!request.authority().isEmpty())
        return JsonlWriter::wireString(request.authority());
    const QByteArray host = request.header("host");
    return host.isNull() ? QString() : JsonlWriter::wireString(host.trimmed());
}

QString schemeOf(const Flow& flow)
{
    return flow.request.scheme().isEmpty() ? flow.scheme() : JsonlWriter::wireString(flow.request.scheme());
}

void addRequestLine(Properties& data, const Flow& flow)
{
    data.text(QStringLiteral("http_method"), JsonlWriter::wireString(flow.request.method));
    data.text(QStringLiteral("http_target"), JsonlWriter::wireString(flow.request.target));
}

void addHostAndAgent(Properties& data, const Flow& flow)
{
    const QString host = hostOf(flow.request);
    if (!host.isNull())
        data.text(QStringLiteral("http_host"), host);
    const QByteArray agent = flow.request.header("user-agent");
    if (!agent.isNull())
        data.text(QStringLiteral("http_user_agent"), JsonlWriter::wireString(agent.trimmed()));
}

QByteArray metricLine(const char* name, const char* type, int64_t timeNs, uint64_t value, const QString& host,
    const Flow& flow, const char* unit)
{
    QByteArray line = "{\"type\":\"metric\",\"body\":{\"_metric\":\"" + QByteArray(name) + "\",\"_metric_type\":\""
        + type + "\",\"_time\":" + seconds(timeNs) + ",\"_value\":" + QByteArray::number(qulonglong(value))
        + ",\"host\":" + jsonString(host);
    if (flow.hasResponse)
        line += ",\"http_status_code\":" + QByteArray::number(flow.response.status);
    line += ",\"http_target\":" + jsonString(JsonlWriter::wireString(flow.request.target))
        + ",\"pid\":" + QByteArray::number(flow.pid) + ",\"proc\":" + jsonString(flow.process) + ",\"unit\":\""
        + unit + "\"}}\n";
    return line;
}

} // namespace

AppViewWriter::AppViewWriter(QString hostName, const CaptureClock& clock)
    : m_host(std::move(hostName))
    , m_clock(clock)
{
}

QString AppViewWriter::eventId(const QString& host, const QString& proc, const QString& cmd)
{
    constexpr int kCmdTail = 32;
    return host + QLatin1Char('-') + proc + QLatin1Char('-') + cmd.right(kCmdTail);
}

QByteArray AppViewWriter::event(const Flow& flow, const QString& cmd, bool response) const
{
    const QString source = response ? QStringLiteral("http.resp") : QStringLiteral("http.req");
    if (!m_watch.eventsEnabled || !m_watch.name.match(source).hasMatch())
        return {};

    Properties data;
    addRequestLine(data, flow);
    if (!response) {
        data.text(QStringLiteral("http_flavor"), flavor(flow, flow.request));
        data.text(QStringLiteral("http_scheme"), schemeOf(flow));
    } else {
        data.text(QStringLiteral("http_scheme"), schemeOf(flow));
        data.text(QStringLiteral("http_flavor"), flavor(flow, flow.response));
        data.number(QStringLiteral("http_status_code"), uint64_t(flow.response.status));
        const QString reason = flow.response.reason.isEmpty() && flow.httpVersion == "HTTP/2"
            ? QString::fromLatin1(httpStatusText(flow.response.status))
            : JsonlWriter::wireString(flow.response.reason);
        data.text(QStringLiteral("http_status_text"), reason);
        data.number(flow.role == Flow::Role::Client ? QStringLiteral("http_client_duration")
                                                    : QStringLiteral("http_server_duration"),
            durationMs(flow));
    }
    addHostAndAgent(data, flow);
    addKnownHeaders(data, flow.request);
    addWatchedHeaders(data, flow.request, m_watch);
    if (response) {
        addKnownHeaders(data, flow.response);
        addWatchedHeaders(data, flow.response, m_watch);
    }
    addNet(data, flow);
    if (const auto length = contentLength(flow.request))
        data.number(QStringLiteral("http_request_content_length"), *length);
    if (response) {
        if (const auto length = contentLength(flow.response))
            data.number(QStringLiteral("http_response_content_length"), *length);
    }

    QByteArray dataJson = "{";
    for (const Property& p : data.all()) {
        if (!m_watch.field.match(p.name).hasMatch() || !m_watch.value.match(p.text).hasMatch())
            continue;
        if (dataJson.size() > 1)
            dataJson += ',';
        dataJson += jsonString(p.name) + ':' + p.json;
    }
    dataJson += '}';

    const uint64_t atNs = response ? flow.response.firstByteNs : flow.request.firstByteNs;
    const QString proc = flow.process;
    return "{\"type\":\"evt\",\"id\":" + jsonString(eventId(m_host, proc, cmd)) + ",\"_channel\":\""
        + QByteArray::number(qulonglong(flow.connId)) + "\",\"body\":{\"sourcetype\":\"http\",\"_time\":"
        + seconds(m_clock.toRealtimeNs(atNs ? atNs : flow.startNs)) + ",\"source\":\"" + source.toLatin1()
        + "\",\"host\":" + jsonString(m_host) + ",\"proc\":" + jsonString(proc) + ",\"cmd\":" + jsonString(cmd)
        + ",\"pid\":" + QByteArray::number(flow.pid) + ",\"data\":" + dataJson + "}}\n";
}

QByteArray AppViewWriter::requestEvent(const Flow& flow, const QString& cmd) const
{
    return event(flow, cmd, false);
}

QByteArray AppViewWriter::responseEvent(const Flow& flow, const QString& cmd) const
{
    return flow.hasResponse ? event(flow, cmd, true) : QByteArray();
}

QByteArray AppViewWriter::metrics(const Flow& flow) const
{
    const uint64_t atNs = flow.hasResponse && flow.response.firstByteNs ? flow.response.firstByteNs : flow.startNs;
    const int64_t timeNs = m_clock.toRealtimeNs(atNs);
    QByteArray out = metricLine("http.req", "counter", timeNs, 1, m_host, flow, "request");
    if (!flow.hasResponse)
        return out;
    out += metricLine(flow.role == Flow::Role::Client ? "http.duration.client" : "http.duration.server", "timer",
        timeNs, durationMs(flow), m_host, flow, "millisecond");
    if (const auto length = contentLength(flow.request))
        out += metricLine("http.req.content_length", "counter", timeNs, *length, m_host, flow, "byte");
    if (const auto length = contentLength(flow.response))
        out += metricLine("http.resp.content_length", "counter", timeNs, *length, m_host, flow, "byte");
    return out;
}

QByteArray AppViewWriter::lines(const Flow& flow, const QString& cmd) const
{
    return requestEvent(flow, cmd) + responseEvent(flow, cmd) + metrics(flow);
}

} // namespace httptap
