// SPDX-License-Identifier: GPL-2.0-or-later
#include "bodydecoder.h"

#include "grpc/grpcmessages.h"
#include "http/sseparser.h"
#include "http/contentdecoder.h"
#include "http/headertext.h"

namespace httptap {

namespace {

void addNote(Flow& flow, const QString& text)
{
    if (!flow.notes.contains(text))
        flow.notes.append(text);
}

// The fields decodeBodies reads from every message, found in one walk of its headers (the first
// of each, as HttpMessage::header finds it).
struct BodyFields {
    QByteArray contentType;
    QByteArray contentEncoding;
};

BodyFields bodyFields(const HttpMessage& m)
{
    BodyFields out;
    bool type = false, encoding = false;
    for (const HttpHeader& h : m.headers) {
        if (!type && sameNameIgnoringCase(h.name, "Content-Type")) {
            out.contentType = h.value;
            type = true;
        } else if (!encoding && sameNameIgnoringCase(h.name, "Content-Encoding")) {
            out.contentEncoding = h.value;
            encoding = true;
        }
        if (type && encoding)
            break;
    }
    return out;
}

void decodeMessage(Flow& flow, HttpMessage& m, const char* which, uint64_t limit, QByteArray coding)
{
    if (coding.isEmpty())
        return; // most messages: nothing to keep (and nothing to trim)
    coding = std::move(coding).trimmed();
    if (coding.isEmpty())
        return;
    m.editRare().contentEncoding = coding;
    if (m.body.isEmpty())
        return;
    if (contentdecoder::codingFromName(m.contentEncoding()) == contentdecoder::Coding::Identity)
        return;
    contentdecoder::Result r = contentdecoder::decodeContent(m.contentEncoding(), m.body, limit);
    const QString encoding = QString::fromLatin1(m.contentEncoding());
    if (!r.ok) {
        addNote(flow,
            QStringLiteral("%1 body could not be decoded (Content-Encoding: %2): %3; showing the raw bytes")
                .arg(QLatin1StringView(which), encoding, r.error));
        return;
    }
    HttpMessage::Rare& rare = m.editRare();
    rare.decoded = true;
    rare.decodedBody = std::move(r.data);
    rare.decodedTruncated = r.limitReached || r.inputEnded || m.bodyTruncated;
    if (r.limitReached) {
        addNote(flow,
            QStringLiteral("decoded %1 body larger than %2 bytes; kept the first %2").arg(QLatin1StringView(which)).arg(limit));
    } else if (r.inputEnded && !m.bodyTruncated) {
        addNote(flow,
            QStringLiteral("%1 body ends before its %2 stream does; decoded what is there")
                .arg(QLatin1StringView(which), encoding));
    }
}

// A body that grew by appending (chunked, to EOF, HTTP/2 DATA frames) may hold up to twice its
// size; flows are kept for the whole capture, so the slack goes back (a declared length was
// reserved exactly and stays as it is).
void fitBody(QByteArray& body)
{
    if (body.capacity() - body.size() > body.size() / 8 + 64)
        body.squeeze();
}

} // namespace

void decodeBodies(Flow& flow, uint64_t maxDecodedBytes)
{
    const BodyFields request = bodyFields(flow.request);
    const BodyFields response = flow.hasResponse ? bodyFields(flow.response) : BodyFields();
    decodeMessage(flow, flow.request, "request", maxDecodedBytes, request.contentEncoding);
    if (flow.hasResponse)
        decodeMessage(flow, flow.response, "response", maxDecodedBytes, response.contentEncoding);
    // Uses the body arrivals: before they are dropped below.
    grpc::annotate(flow, maxDecodedBytes, response.contentType.isEmpty() ? request.contentType : response.contentType);
    // An event stream is parsed as it arrives unless a Content-Encoding hid it: then from the decoded form.
    if (flow.serverSentEvents().isEmpty() && flow.response.decoded() && flow.isEventStream()) {
        for (ServerSentEvent& e : SseParser::parseAll(flow.response.decodedBody(), flow.response.lastByteNs))
            appendServerSentEvent(flow, std::move(e));
    }
    flow.request.dropSingleArrival();
    flow.response.dropSingleArrival();
    fitBody(flow.request.body);
    fitBody(flow.response.body);
}

} // namespace httptap
