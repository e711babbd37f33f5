// SPDX-License-Identifier: GPL-2.0-or-later
#include "bodydecoder.h"

#include "grpc/grpcmessages.h"
#include "http/sseparser.h"
#include "http/contentdecoder.h"
#include "http/headertext.h"

#include <algorithm>

namespace httptap {

namespace {

void addNote(Flow& flow, const QString& text)
{
    if (!flow.notes.contains(text))
        flow.notes.append(text);
}

const QByteArray& noText()
{
    static const QByteArray empty;
    return empty;
}

void decodeMessage(Flow& flow, HttpMessage& m, const char* which, uint64_t limit, const QByteArray& encodingField)
{
    if (encodingField.isEmpty())
        return; // most messages: nothing to keep (and nothing to trim)
    const QByteArray coding = encodingField.trimmed();
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

BodyFieldsCache::Fields BodyFieldsCache::find(const HttpHeaders& headers)
{
    Fields out { &noText(), &noText() };
    bool type = false, encoding = false;
    for (const HttpHeader& h : headers) {
        if (!type && sameNameIgnoringCase(h.name, "Content-Type")) {
            out.contentType = &h.value;
            type = true;
        } else if (!encoding && sameNameIgnoringCase(h.name, "Content-Encoding")) {
            out.contentEncoding = &h.value;
            encoding = true;
        }
        if (type && encoding)
            break;
    }
    return out;
}

BodyFieldsCache::Fields BodyFieldsCache::lookup(const HttpHeaders& headers)
{
    if (headers.isEmpty())
        return find(headers);
    const HttpHeader* at = headers.constData();
    for (const Entry& e : m_entries) {
        if (e.list.constData() == at && e.list.size() == headers.size())
            return e.fields;
    }
    // (An address noted once may since have been freed and reused: then a list is kept a
    // sighting early, which costs nothing but the entry.)
    const auto seen = std::find(m_sightings.begin(), m_sightings.end(), at);
    if (seen == m_sightings.end()) {
        m_sightings[m_nextSighting] = at;
        m_nextSighting = (m_nextSighting + 1) % kLists;
        return find(headers);
    }
    *seen = nullptr;
    Entry& e = m_entries[m_next];
    m_next = (m_next + 1) % kLists;
    e.list = headers; // shared, not copied: the fields found point into the same data
    e.fields = find(e.list);
    return e.fields;
}

void decodeBodies(Flow& flow, uint64_t maxDecodedBytes, BodyFieldsCache* cache)
{
    // Pointers into the messages' header lists, which nothing below changes.
    const auto fieldsOf = [cache](const HttpHeaders& headers) {
        return cache ? cache->lookup(headers) : BodyFieldsCache::find(headers);
    };
    const BodyFieldsCache::Fields request = fieldsOf(flow.request.headers);
    const BodyFieldsCache::Fields response
        = flow.hasResponse ? fieldsOf(flow.response.headers) : BodyFieldsCache::Fields { &noText(), &noText() };
    decodeBodies(flow, maxDecodedBytes, request, response);
}

void decodeBodies(Flow& flow, uint64_t maxDecodedBytes, const BodyFieldsCache::Fields& request,
    const BodyFieldsCache::Fields& responseFound)
{
    const BodyFieldsCache::Fields response
        = flow.hasResponse ? responseFound : BodyFieldsCache::Fields { &noText(), &noText() };
    decodeMessage(flow, flow.request, "request", maxDecodedBytes, *request.contentEncoding);
    if (flow.hasResponse)
        decodeMessage(flow, flow.response, "response", maxDecodedBytes, *response.contentEncoding);
    // Uses the body arrivals: before they are dropped below.
    grpc::annotate(flow, maxDecodedBytes, response.contentType->isEmpty() ? *request.contentType : *response.contentType);
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
