// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowcompare.h"

#include "export/utf8.h"

#include <QCryptographicHash>
#include <QHash>

#include <algorithm>

namespace httptap {

namespace {

constexpr qsizetype kMaxBodyTextBytes = 4 << 20;

bool isVolatile(const QByteArray& lowerName)
{
    static const QByteArray names[] = { "date", "age", "expires", "last-modified", "etag", "x-request-id",
        "x-correlation-id", "x-amzn-requestid", "x-amz-request-id", "cf-ray", "server-timing", "x-runtime",
        "report-to", "nel" };
    return std::find(std::begin(names), std::end(names), lowerName) != std::end(names);
}

void appendHeaders(QStringList& lines, const HttpHeaders& headers, const CompareOptions& options)
{
    QList<HttpHeader> list;
    for (const HttpHeader& h : headers) {
        const QByteArray lower = h.name.toLower();
        if (options.ignoreVolatileHeaders && isVolatile(lower))
            continue;
        list.append({ options.ignoreHeaderOrder ? lower : h.name, h.value });
    }
    if (options.ignoreHeaderOrder)
        std::stable_sort(list.begin(), list.end(), [](const HttpHeader& a, const HttpHeader& b) {
            return a.name != b.name ? a.name < b.name : a.value < b.value;
        });
    for (const HttpHeader& h : list)
        lines << QString::fromUtf8(h.name + ": " + h.value);
}

QByteArray shownBody(const HttpMessage& m)
{
    return m.decoded() ? m.decodedBody() : m.body;
}

void appendBody(QStringList& lines, const HttpMessage& m, const CompareOptions& options)
{
    const QByteArray body = shownBody(m);
    if (body.isEmpty())
        return;
    lines << QString();
    if (options.jsonAware) {
        if (const auto value = parseJsonBody(body)) {
            for (const QByteArray& line : normalizedJson(*value).split('\n').mid(0, kMaxBodyLines))
                lines << QString::fromUtf8(line);
            while (!lines.isEmpty() && lines.last().isEmpty())
                lines.removeLast();
            return;
        }
    }
    const QByteArray head = body.left(kMaxBodyTextBytes);
    if (!isValidUtf8(head) && !isValidUtf8(head.chopped(std::min<qsizetype>(3, head.size())))) {
        lines << QStringLiteral("[binary body: %1 bytes, SHA-256 %2]")
                     .arg(body.size())
                     .arg(QString::fromLatin1(QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex()));
        return;
    }
    const QList<QByteArray> split = head.split('\n');
    for (qsizetype i = 0; i < split.size() && i < kMaxBodyLines; ++i) {
        QByteArray line = split[i];
        if (line.endsWith('\r'))
            line.chop(1);
        lines << QString::fromUtf8(line);
    }
    if (split.size() > kMaxBodyLines || head.size() < body.size())
        lines << QStringLiteral("[compared up to here: %1 bytes in all]").arg(body.size());
}

} // namespace

QStringList comparableLines(const Flow& flow, const CompareOptions& options)
{
    QStringList lines;
    const HttpMessage& req = flow.request;
    lines << QString::fromUtf8(req.method) + QLatin1Char(' ') + flow.url() + QLatin1Char(' ')
            + QString::fromLatin1(flow.httpVersion);
    appendHeaders(lines, req.headers, options);
    appendBody(lines, req, options);
    lines << QString();
    if (!flow.hasResponse) {
        lines << QStringLiteral("(no response)");
        return lines;
    }
    const HttpMessage& resp = flow.response;
    lines << QString::fromLatin1(flow.httpVersion) + QLatin1Char(' ') + QString::number(resp.status)
            + (resp.reason.isEmpty() ? QString() : QLatin1Char(' ') + QString::fromUtf8(resp.reason));
    appendHeaders(lines, resp.headers, options);
    appendBody(lines, resp, options);
    return lines;
}

FlowComparison compareFlows(const Flow& left, const Flow& right, const CompareOptions& options)
{
    FlowComparison c;
    c.left = comparableLines(left, options);
    c.right = comparableLines(right, options);
    c.ops = diffLines(c.left, c.right);
    if (options.jsonAware) {
        const auto reqA = parseJsonBody(shownBody(left.request)), reqB = parseJsonBody(shownBody(right.request));
        if (reqA && reqB) {
            c.requestJson = true;
            c.requestBodyChanges = jsonChanges(*reqA, *reqB);
        }
        const auto respA = parseJsonBody(shownBody(left.response)), respB = parseJsonBody(shownBody(right.response));
        if (left.hasResponse && right.hasResponse && respA && respB) {
            c.responseJson = true;
            c.responseBodyChanges = jsonChanges(*respA, *respB);
        }
    }
    return c;
}

QString matchKey(const Flow& flow)
{
    return QString::fromUtf8(flow.request.method) + QLatin1Char(' ') + flow.url();
}

bool flowsDiffer(const Flow& left, const Flow& right)
{
    CompareOptions options;
    options.ignoreVolatileHeaders = true;
    return comparableLines(left, options) != comparableLines(right, options);
}

QList<CaptureMatch> matchCaptures(const QList<Flow>& left, const QList<Flow>& right)
{
    // Left flows by key, in order; each right flow takes the first unused one with its key.
    QHash<QString, QList<int>> waiting;
    for (int i = 0; i < left.size(); ++i)
        waiting[matchKey(left[i])].append(i);
    QHash<QString, int> used;
    std::vector<int> partnerOfRight(size_t(right.size()), -1);
    std::vector<bool> leftMatched(size_t(left.size()), false);
    for (int j = 0; j < right.size(); ++j) {
        const QString key = matchKey(right[j]);
        const auto it = waiting.constFind(key);
        int& next = used[key];
        if (it != waiting.constEnd() && next < it->size()) {
            partnerOfRight[size_t(j)] = it->at(next++);
            leftMatched[size_t(partnerOfRight[size_t(j)])] = true;
        }
    }
    QList<CaptureMatch> out;
    int nextLeft = 0; // left flows before this one have been placed
    auto placeRemovedBefore = [&](int limit) {
        for (; nextLeft < limit; ++nextLeft)
            if (!leftMatched[size_t(nextLeft)])
                out.append({ CaptureMatch::Kind::Removed, nextLeft, -1 });
    };
    for (int j = 0; j < right.size(); ++j) {
        const int i = partnerOfRight[size_t(j)];
        if (i < 0) {
            out.append({ CaptureMatch::Kind::Added, -1, j });
            continue;
        }
        placeRemovedBefore(i);
        nextLeft = std::max(nextLeft, i + 1);
        out.append({ flowsDiffer(left[i], right[j]) ? CaptureMatch::Kind::Changed : CaptureMatch::Kind::Same, i, j });
    }
    placeRemovedBefore(int(left.size()));
    return out;
}

} // namespace httptap
