// SPDX-License-Identifier: GPL-2.0-or-later
#include "grpcmessages.h"

#include "http/contentdecoder.h"

namespace httptap::grpc {

namespace {

QByteArray headerOrTrailer(const HttpMessage& m, const QByteArray& name)
{
    for (const HttpHeader& h : m.trailers()) {
        if (h.name.compare(name, Qt::CaseInsensitive) == 0)
            return h.value;
    }
    return m.header(name);
}

bool hasHeaderOrTrailer(const HttpMessage& m, const QByteArray& name)
{
    const auto match = [&name](const HttpHeader& h) { return h.name.compare(name, Qt::CaseInsensitive) == 0; };
    return std::any_of(m.trailers().begin(), m.trailers().end(), match)
        || std::any_of(m.headers.begin(), m.headers.end(), match);
}

// Each message's time: when the body byte that completed it arrived (HttpMessage::bodyArrivals),
// or the body's last byte when the arrivals are not listed (one record, or past their cap).
void stampTimes(QList<GrpcMessage>& messages, const HttpMessage& body)
{
    uint64_t end = 0;
    qsizetype arrival = 0;
    uint64_t arrived = 0;
    for (GrpcMessage& m : messages) {
        end = std::min<uint64_t>(end + 5 + m.length, body.bodySize);
        while (arrival < body.bodyArrivals().size() && arrived + body.bodyArrivals()[arrival].bytes < end)
            arrived += body.bodyArrivals()[arrival++].bytes;
        m.timeNs = arrival < body.bodyArrivals().size() ? body.bodyArrivals()[arrival].timestampNs : body.lastByteNs;
    }
}

} // namespace

bool isGrpcContentType(const QByteArray& contentType)
{
    // "application/grpc", "application/grpc+proto", "application/grpc;..." — not grpc-web, whose
    // trailers travel inside the body. Checked on every flow: no copies.
    QByteArrayView t(contentType);
    const QByteArrayView grpc("application/grpc");
    if (t.size() < grpc.size())
        return false;
    // Trimmed (a call) only when there is space to trim: as a rule there is none.
    const auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }; // as trimmed() sees it
    if (space(t.front()) || space(t.back()))
        t = t.trimmed();
    // Most flows are not gRPC, and "application/json" is as long: its 'j' settles it without a call.
    if (t.size() < grpc.size() || (t[12] | 0x20) != 'g' || t.first(grpc.size()).compare(grpc, Qt::CaseInsensitive) != 0)
        return false;
    return t.size() == grpc.size() || t[grpc.size()] == '+' || t[grpc.size()] == ';';
}

QList<GrpcMessage> splitMessages(const QByteArray& body, bool bodyTruncated, const QByteArray& encoding,
    uint64_t limit, QStringList* notes)
{
    QList<GrpcMessage> out;
    const auto* p = reinterpret_cast<const uint8_t*>(body.constData());
    const qsizetype size = body.size();
    qsizetype pos = 0;
    const contentdecoder::Coding coding = contentdecoder::codingFromName(encoding);
    while (pos < size) {
        if (out.size() >= kMaxMessages) {
            notes->append(QStringLiteral("more than %1 gRPC messages; the rest are not listed").arg(kMaxMessages));
            break;
        }
        if (size - pos < 5) {
            if (!bodyTruncated)
                notes->append(QStringLiteral("gRPC body ends inside a message prefix"));
            break;
        }
        if (p[pos] > 1) {
            notes->append(QStringLiteral("malformed gRPC message prefix (flag %1); the rest is not split").arg(p[pos]));
            break;
        }
        GrpcMessage& m = out.emplace_back();
        m.compressed = p[pos] == 1;
        m.length = (uint32_t(p[pos + 1]) << 24) | (uint32_t(p[pos + 2]) << 16) | (uint32_t(p[pos + 3]) << 8) | p[pos + 4];
        pos += 5;
        const qsizetype avail = std::min<qsizetype>(qsizetype(m.length), size - pos);
        m.data = body.mid(pos, avail);
        pos += avail;
        m.truncated = avail < qsizetype(m.length);
        if (m.truncated && !bodyTruncated)
            notes->append(QStringLiteral("gRPC message cut short: %1 of %2 bytes").arg(avail).arg(m.length));
        if (!m.compressed)
            continue;
        if (coding == contentdecoder::Coding::Identity || coding == contentdecoder::Coding::Unsupported) {
            notes->append(QStringLiteral("compressed gRPC message with grpc-encoding \"%1\" not decoded")
                              .arg(QString::fromLatin1(encoding.isEmpty() ? QByteArray("identity") : encoding)));
            continue;
        }
        contentdecoder::Result r = contentdecoder::decode(coding, m.data, limit);
        if (!r.ok) {
            notes->append(QStringLiteral("compressed gRPC message could not be decoded (%1); showing raw bytes")
                              .arg(r.error));
            m.truncated = true;
            continue;
        }
        m.data = std::move(r.data);
        m.decompressed = true;
        m.truncated = m.truncated || r.limitReached || r.inputEnded;
    }
    return out;
}

void annotate(Flow& flow, uint64_t limit)
{
    QByteArray contentType = flow.hasResponse ? flow.response.header("content-type") : QByteArray();
    if (contentType.isEmpty())
        contentType = flow.request.header("content-type");
    annotate(flow, limit, contentType);
}

void annotate(Flow& flow, uint64_t limit, const QByteArray& contentType)
{
    const HttpMessage& req = flow.request;
    const HttpMessage& resp = flow.response;
    if (!isGrpcContentType(contentType))
        return;
    GrpcInfo& g = flow.editGrpc();
    g.isGrpc = true;
    // :path is "/package.Service/Method".
    const qsizetype query = req.target.indexOf('?');
    const QByteArray path = query < 0 ? req.target : req.target.left(query);
    const qsizetype slash = path.lastIndexOf('/');
    if (path.startsWith('/') && slash > 0) {
        g.service = path.mid(1, slash - 1);
        g.method = path.mid(slash + 1);
    }
    const QByteArray requestEncoding = req.header("grpc-encoding");
    const QByteArray responseEncoding = flow.hasResponse ? resp.header("grpc-encoding") : QByteArray();
    g.encoding = responseEncoding.isEmpty() ? requestEncoding : responseEncoding;
    QStringList notes;
    g.requestMessages = splitMessages(req.body, req.bodyTruncated, requestEncoding, limit, &notes);
    stampTimes(g.requestMessages, req);
    if (flow.hasResponse) {
        g.responseMessages = splitMessages(resp.body, resp.bodyTruncated, responseEncoding, limit, &notes);
        stampTimes(g.responseMessages, resp);
        if (hasHeaderOrTrailer(resp, "grpc-status")) {
            bool ok = false;
            const int status = headerOrTrailer(resp, "grpc-status").trimmed().toInt(&ok);
            g.status = ok ? status : -1;
            g.message = QByteArray::fromPercentEncoding(headerOrTrailer(resp, "grpc-message"));
        }
    }
    for (const QString& n : std::as_const(notes)) {
        if (!flow.notes.contains(n))
            flow.notes.append(n);
    }
}

} // namespace httptap::grpc
