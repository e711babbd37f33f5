// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowfields.h"

namespace httptap {

namespace {

QByteArray hostOfAuthority(QByteArray authority)
{
    authority = authority.trimmed();
    const qsizetype at = authority.lastIndexOf('@');
    if (at >= 0)
        authority = authority.mid(at + 1);
    if (authority.startsWith('[')) {
        const qsizetype close = authority.indexOf(']');
        return close > 0 ? authority.mid(1, close - 1) : authority.mid(1);
    }
    const qsizetype colon = authority.indexOf(':');
    return colon >= 0 ? authority.left(colon) : authority;
}

bool isAbsolute(const QByteArray& target)
{
    return target.startsWith("http://") || target.startsWith("https://");
}

} // namespace

QString flowHost(const Flow& flow)
{
    const HttpMessage& r = flow.request;
    QByteArray host;
    if (!r.authority().isEmpty())
        host = hostOfAuthority(r.authority());
    else if (isAbsolute(r.target)) {
        const QByteArray rest = r.target.mid(r.target.indexOf("//") + 2);
        const qsizetype slash = rest.indexOf('/');
        host = hostOfAuthority(slash >= 0 ? rest.left(slash) : rest);
    } else {
        const QByteArray header = r.header("Host");
        host = header.isEmpty() && r.method == "CONNECT" ? hostOfAuthority(r.target) : hostOfAuthority(header);
    }
    if (host.isEmpty()) {
        const FlowEndpoint& server = flow.role == Flow::Role::Client ? flow.remote : flow.local;
        return server.family ? server.address() : QString();
    }
    return QString::fromLatin1(host).toLower();
}

QString flowPath(const Flow& flow)
{
    const QByteArray& target = flow.request.target;
    if (isAbsolute(target)) {
        const qsizetype slash = target.indexOf('/', target.indexOf("//") + 2);
        return slash >= 0 ? QString::fromLatin1(target.mid(slash)) : QStringLiteral("/");
    }
    return QString::fromLatin1(target);
}

QString flowMimeType(const Flow& flow)
{
    if (!flow.hasResponse)
        return {};
    QByteArray type = flow.response.header("Content-Type");
    const qsizetype semicolon = type.indexOf(';');
    if (semicolon >= 0)
        type.truncate(semicolon);
    return QString::fromLatin1(type.trimmed()).toLower();
}

QString flowResourceType(const Flow& flow)
{
    if (flow.grpc().isGrpc)
        return QStringLiteral("grpc");
    const QString mime = flowMimeType(flow);
    if (mime.isEmpty())
        return {};
    if (mime.endsWith(QLatin1String("json")) || mime.endsWith(QLatin1String("+json")))
        return QStringLiteral("json");
    if (mime.contains(QLatin1String("javascript")) || mime.contains(QLatin1String("ecmascript")))
        return QStringLiteral("script");
    if (mime == QLatin1String("text/html") || mime == QLatin1String("application/xhtml+xml"))
        return QStringLiteral("html");
    if (mime == QLatin1String("text/css"))
        return QStringLiteral("css");
    if (mime.endsWith(QLatin1String("xml")))
        return QStringLiteral("xml");
    if (mime == QLatin1String("image/svg+xml"))
        return QStringLiteral("svg");
    const qsizetype slash = mime.indexOf(QLatin1Char('/'));
    const QStringView major = QStringView(mime).left(slash < 0 ? mime.size() : slash);
    const QStringView minor = slash < 0 ? QStringView() : QStringView(mime).mid(slash + 1);
    if (major == QLatin1String("image") || major == QLatin1String("font") || major == QLatin1String("video")
        || major == QLatin1String("audio"))
        return minor.toString();
    if (major == QLatin1String("text"))
        return minor == QLatin1String("plain") ? QStringLiteral("text") : minor.toString();
    return minor.isEmpty() ? mime : minor.toString();
}

QString flowProtocol(const Flow& flow)
{
    if (flow.grpc().isGrpc)
        return QStringLiteral("gRPC");
    if (flow.httpVersion == "HTTP/2")
        return flow.isTls() ? QStringLiteral("h2") : QStringLiteral("h2c");
    return QString::fromLatin1(flow.httpVersion);
}

QString flowTlsLibrary(const Flow& flow)
{
    return QString::fromLatin1(record::sourceName(flow.source));
}

QString flowScheme(const Flow& flow)
{
    return flow.request.scheme().isEmpty() ? flow.scheme() : QString::fromLatin1(flow.request.scheme()).toLower();
}

uint64_t flowResponseSize(const Flow& flow)
{
    return flow.hasResponse ? flow.response.bodySize : 0;
}

} // namespace httptap
