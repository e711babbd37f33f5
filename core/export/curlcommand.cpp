// SPDX-License-Identifier: GPL-2.0-or-later
#include "curlcommand.h"

#include "utf8.h"


namespace httptap {

namespace {

bool needsAnsiC(const QByteArray& bytes)
{
    for (char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == '!' || c == '\'')
            return true;
    }
    return !isValidUtf8(bytes);
}

QString hex(unsigned char u) { return QStringLiteral("\\x%1").arg(u, 2, 16, QLatin1Char('0')); }

// printf(1) format text for arbitrary bytes, inside single quotes: printable ASCII stays,
// '%' and '\' are doubled/escaped, everything else (NUL, controls, '\'', non-ASCII) is \xHH
// with two digits, so a following hex digit is never swallowed.
QString printfFormat(const QByteArray& bytes)
{
    QString out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '%')
            out += QStringLiteral("%%");
        else if (c == '\\')
            out += QStringLiteral("\\\\");
        else if (u >= 0x20 && u < 0x7f && c != '\'')
            out += QLatin1Char(c);
        else
            out += hex(u);
    }
    return out;
}

bool isHeader(const QByteArray& name, const char* other) { return name.compare(other, Qt::CaseInsensitive) == 0; }

bool hasHeader(const HttpHeaders& headers, const char* name)
{
    for (const HttpHeader& h : headers) {
        if (isHeader(h.name, name))
            return true;
    }
    return false;
}

// Fields curl must not be told to send: it derives them itself, or they belong to the connection.
bool skippedHeader(const QByteArray& name, bool h2)
{
    if (name.startsWith(':'))
        return true;
    if (isHeader(name, "host") || isHeader(name, "content-length") || isHeader(name, "accept-encoding"))
        return true;
    // HTTP/2 forbids connection-specific fields; curl would refuse or drop them.
    return h2
        && (isHeader(name, "connection") || isHeader(name, "keep-alive") || isHeader(name, "transfer-encoding")
            || isHeader(name, "upgrade") || isHeader(name, "proxy-connection"));
}

} // namespace

QString curlShellQuote(const QByteArray& bytes)
{
    if (!needsAnsiC(bytes))
        return QLatin1Char('\'') + QString::fromUtf8(bytes) + QLatin1Char('\'');
    // Valid UTF-8 sequences stay readable; everything else is escaped.
    const bool utf8 = isValidUtf8(bytes);
    QString out = QStringLiteral("$'");
    QByteArray run; // pending printable bytes (possibly multi-byte UTF-8)
    auto flush = [&]() {
        out += QString::fromUtf8(run);
        run.clear();
    };
    for (char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '\n':
            flush();
            out += QStringLiteral("\\n");
            continue;
        case '\r':
            flush();
            out += QStringLiteral("\\r");
            continue;
        case '\t':
            flush();
            out += QStringLiteral("\\t");
            continue;
        case '\\':
            flush();
            out += QStringLiteral("\\\\");
            continue;
        case '\'':
            flush();
            out += QStringLiteral("\\'");
            continue;
        default:
            break;
        }
        if (u < 0x20 || u == 0x7f || (u >= 0x80 && !utf8)) {
            flush();
            out += hex(u);
        } else {
            run.append(c);
        }
    }
    flush();
    return out + QLatin1Char('\'');
}

QString curlCommand(const Flow& flow, const CurlOptions& options)
{
    const HttpMessage& m = flow.request;
    const bool h2 = flow.httpVersion == "HTTP/2";
    const QByteArray url = flow.url().toUtf8();
    QStringList comments;
    QStringList parts;
    parts << QStringLiteral("curl ") + curlShellQuote(url);
    if (url.contains('[') || url.contains(']') || url.contains('{') || url.contains('}'))
        parts << QStringLiteral("--globoff");

    const QByteArray& body = m.body;
    const bool hasBody = !body.isEmpty();
    if (m.method == "HEAD" && !hasBody)
        parts << QStringLiteral("--head");
    else if (hasBody ? m.method != "POST" : m.method != "GET")
        parts << QStringLiteral("-X ") + curlShellQuote(m.method);

    bool compressed = false;
    for (const HttpHeader& h : m.headers) {
        if (isHeader(h.name, "accept-encoding"))
            compressed = true;
        if (skippedHeader(h.name, h2))
            continue;
        const QByteArray line = h.value.isEmpty() ? h.name + ';' : h.name + ": " + h.value;
        parts << QStringLiteral("-H ") + curlShellQuote(line);
    }
    // Headers curl adds on its own: keep them out when the original did not send them.
    if (!hasHeader(m.headers, "user-agent"))
        parts << QStringLiteral("-H 'User-Agent:'");
    if (!hasHeader(m.headers, "accept"))
        parts << QStringLiteral("-H 'Accept:'");
    if (hasBody && !hasHeader(m.headers, "content-type"))
        parts << QStringLiteral("-H 'Content-Type:'");
    if (hasBody && !h2 && flow.httpVersion != "HTTP/1.0" && body.size() > 1024 && !hasHeader(m.headers, "expect"))
        parts << QStringLiteral("-H 'Expect:'");

    if (hasBody) {
        const bool binary = body.contains('\0') || !isValidUtf8(body);
        if (!binary) {
            parts << QStringLiteral("--data-raw ") + curlShellQuote(body);
        } else if (options.binaryBodyToFile) {
            comments << QStringLiteral("# the request body (%1 bytes, binary) is read from %2")
                            .arg(body.size())
                            .arg(options.bodyFilePath);
            parts << QStringLiteral("--data-binary @") + curlShellQuote(options.bodyFilePath.toUtf8());
        } else {
            comments << QStringLiteral("# the request body (%1 bytes, binary) is fed to curl by bash's printf")
                            .arg(body.size());
            parts << QStringLiteral("--data-binary @<(printf '") + printfFormat(body) + QStringLiteral("')");
        }
    }
    if (m.bodyTruncated || m.bodySize > uint64_t(body.size()))
        comments << QStringLiteral("# the captured request body was cut: this sends %1 of its %2 bytes")
                        .arg(body.size())
                        .arg(m.bodySize);
    if (compressed)
        parts << QStringLiteral("--compressed");

    if (h2)
        parts << (flow.url().startsWith(QLatin1String("https:"), Qt::CaseInsensitive)
                ? QStringLiteral("--http2")
                : QStringLiteral("--http2-prior-knowledge"));
    else if (flow.httpVersion == "HTTP/1.0")
        parts << QStringLiteral("--http1.0");
    else
        parts << QStringLiteral("--http1.1");

    QString out;
    for (const QString& c : comments)
        out += c + QLatin1Char('\n');
    return out + parts.join(QStringLiteral(" \\\n  "));
}

} // namespace httptap
