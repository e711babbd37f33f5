// SPDX-License-Identifier: GPL-2.0-or-later
#include "flow.h"

#include "http/headertext.h"
#include "http/mediatype.h"

namespace httptap {

namespace {

bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b) { return sameNameIgnoringCase(a, b); }

// RFC 5952 text form: lowercase hex, leading zeros dropped, the longest run of two or more
// zero groups (the first one on a tie) written as "::". QHostAddress would do this but lives
// in QtNetwork, which core does not link.
QString formatIpv6(const std::array<uint8_t, 16>& addr)
{
    uint16_t groups[8];
    for (int i = 0; i < 8; ++i)
        groups[i] = uint16_t((addr[size_t(2 * i)] << 8) | addr[size_t(2 * i + 1)]);
    int bestStart = -1, bestLen = 0;
    for (int i = 0; i < 8;) {
        if (groups[i] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && groups[j] == 0)
            ++j;
        if (j - i > bestLen && j - i >= 2) {
            bestStart = i;
            bestLen = j - i;
        }
        i = j;
    }
    // An IPv4-mapped address reads better with its dotted tail ("::ffff:127.0.0.1").
    if (bestStart == 0 && bestLen == 5 && groups[5] == 0xffff) {
        return QStringLiteral("::ffff:%1.%2.%3.%4").arg(addr[12]).arg(addr[13]).arg(addr[14]).arg(addr[15]);
    }
    QString out;
    for (int i = 0; i < 8; ++i) {
        if (i == bestStart) {
            out += QStringLiteral("::");
            i += bestLen - 1;
            continue;
        }
        if (!out.isEmpty() && !out.endsWith(QLatin1Char(':')))
            out += QLatin1Char(':');
        out += QString::number(groups[i], 16);
    }
    return out;
}

bool isAbsoluteUrl(const QByteArray& target)
{
    // Only http(s) count: a proxy-form request-target is the only absolute form HTTP/1 uses.
    return target.startsWith("http://") || target.startsWith("https://") || target.startsWith("HTTP://")
        || target.startsWith("HTTPS://");
}

} // namespace

void HttpMessage::noteBodyArrival(uint64_t timestampNs, uint64_t bytes)
{
    if (bytes == 0)
        return;
    Arrivals& arrivals = m_arrivals.edit();
    QList<BodyArrival>& list = arrivals.list;
    if (!list.isEmpty() && list.constLast().timestampNs == timestampNs) {
        list.last().bytes += bytes; // the same record, split by chunk framing
        return;
    }
    if (list.size() >= kMaxBodyArrivals) {
        arrivals.capped = true;
        return;
    }
    list.append(BodyArrival { timestampNs, bytes });
}

void HttpMessage::dropSingleArrival()
{
    if (!m_arrivals.present())
        return;
    if (bodyArrivals().size() <= 1 && !bodyArrivalsCapped())
        m_arrivals.reset();
    else
        m_arrivals.edit().list.squeeze();
}

QByteArray HttpMessage::header(QByteArrayView name) const
{
    for (const HttpHeader& h : headers) {
        if (equalsIgnoreCase(h.name, name))
            return h.value;
    }
    return {};
}

bool Flow::isEventStream() const
{
    return hasResponse && isEventStreamType(response.header("Content-Type"));
}

int formatIpv4(const uint8_t* addr, char* out)
{
    int n = 0;
    for (int i = 0; i < 4; ++i) {
        if (i)
            out[n++] = '.';
        const unsigned byte = addr[i];
        if (byte >= 100)
            out[n++] = char('0' + byte / 100);
        if (byte >= 10)
            out[n++] = char('0' + byte / 10 % 10);
        out[n++] = char('0' + byte % 10);
    }
    return n;
}

const QByteArray& HttpMessage::rareOrPseudo(const QByteArray& rare, QByteArrayView pseudoName) const
{
    static const QByteArray empty;
    if (!rare.isEmpty())
        return rare;
    for (const HttpHeader& h : headers) {
        if (h.name.startsWith(':') && h.name == pseudoName)
            return h.value;
    }
    return empty;
}

QString FlowEndpoint::address() const
{
    if (family == 4) {
        char text[16];
        return QString::fromLatin1(text, formatIpv4(addr.data(), text));
    }
    if (family == 6) {
        return formatIpv6(addr);
    }
    return {};
}

QString FlowEndpoint::toString() const
{
    if (family == 4)
        return address() + QLatin1Char(':') + QString::number(port);
    if (family == 6)
        return QLatin1Char('[') + address() + QStringLiteral("]:") + QString::number(port);
    return {};
}

QString Flow::url() const
{
    const QByteArray& target = request.target;
    if (isAbsoluteUrl(target))
        return QString::fromLatin1(target);
    // CONNECT names an authority, not a resource; show it as sent (HTTP/2 sends it as :authority).
    // (An extended CONNECT, RFC 8441, carries :protocol and a :path: it names a resource like any request.)
    if (request.method == "CONNECT" && request.header(":protocol").isEmpty())
        return QString::fromLatin1(target.isEmpty() ? request.authority() : target);

    QString authority = QString::fromLatin1(
        request.authority().isEmpty() ? request.header("Host").trimmed() : request.authority());
    if (authority.isEmpty()) {
        // HTTP/1.0 clients may omit Host: fall back to the address the request went to.
        const FlowEndpoint& server = role == Role::Client ? remote : local;
        if (server.family != 0) {
            authority = server.family == 6 ? QLatin1Char('[') + server.address() + QLatin1Char(']') : server.address();
            const uint16_t defaultPort = isTls() ? 443 : 80;
            if (server.port != defaultPort)
                authority += QLatin1Char(':') + QString::number(server.port);
        }
    }
    QString path = QString::fromLatin1(target);
    if (path.isEmpty() || (path != QLatin1String("*") && !path.startsWith(QLatin1Char('/'))))
        path.prepend(QLatin1Char('/'));
    const QString urlScheme = request.scheme().isEmpty() ? scheme() : QString::fromLatin1(request.scheme());
    return urlScheme + QStringLiteral("://") + authority + path;
}

} // namespace httptap
