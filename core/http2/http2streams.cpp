// SPDX-License-Identifier: GPL-2.0-or-later
// Http2Connection: header blocks, streams and their flows (frames and connection-level
// handling are in http2connection.cpp).
#include "http2stream.h"

#include "flow/bodydecoder.h"
#include "flow/limittext.h"
#include "http/mediatype.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace httptap {

using http2::FrameHeader;
using http2::FrameType;
namespace flags = http2::flags;

namespace {

bool isPseudo(const HttpHeader& h) { return h.name.startsWith(':'); }

// Exact name match; with a literal the compiler compares in a load or two (runs for every field
// of every header block, where QByteArray == const char* measured its length and called out).
bool isName(const QByteArray& name, std::string_view literal)
{
    return size_t(name.size()) == literal.size() && std::memcmp(name.constData(), literal.data(), literal.size()) == 0;
}

void applyRequestPseudoHeaders(HttpMessage& m)
{
    for (const HttpHeader& h : std::as_const(m.headers)) {
        // Pseudo-headers come first (RFC 9113 8.3), but an undecodable field may stand between them.
        if (!isPseudo(h))
            continue;
        // (QByteArray(x) and a move: Qt's copy assignment is an out-of-line call, the copy constructor is inline.)
        if (isName(h.name, ":method"))
            m.method = QByteArray(h.value);
        else if (isName(h.name, ":path"))
            m.target = QByteArray(h.value);
        // (:scheme and :authority are read from the headers: HttpMessage::scheme() / authority().)
    }
}

int statusOf(const HttpHeaders& headers)
{
    for (const HttpHeader& h : headers) {
        if (isName(h.name, ":status")) {
            const char* v = h.value.constData();
            if (h.value.size() == 3 && v[0] >= '1' && v[0] <= '9' && v[1] >= '0' && v[1] <= '9' && v[2] >= '0'
                && v[2] <= '9')
                return (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0'); // the usual form, without toInt's locale path
            bool ok = false;
            const int status = h.value.toInt(&ok);
            return ok && status >= 100 && status <= 999 ? status : 0;
        }
    }
    return 0;
}

// A message's first trailer block is kept as it is (it may share a list with earlier flows'
// trailers; appending would copy it field by field into a list with room to spare).
void appendTrailers(HttpMessage& m, HttpHeaders&& headers)
{
    HttpHeaders& trailers = m.editRare().trailers;
    if (trailers.isEmpty())
        trailers = std::move(headers);
    else
        trailers += std::move(headers);
}

bool hasHeader(const HttpHeaders& headers, const char* name)
{
    return std::any_of(headers.begin(), headers.end(), [wanted = std::string_view(name)](const HttpHeader& h) { return isName(h.name, wanted); });
}

} // namespace

void Http2Connection::Stream::listHeldArrivals(Flow& f) const
{
    heldArrivals[0].listInCopy(f.request);
    heldArrivals[1].listInCopy(f.response);
}

const BodyFieldsCache::Fields& Http2Connection::Stream::fieldsOfResponse(BodyFieldsCache& fields)
{
    if (responseFieldsList == nullptr || responseFieldsList != flow.response.headers.constData()) {
        responseFields = fields.lookup(flow.response.headers);
        responseFieldsList = flow.response.headers.constData();
    }
    return responseFields;
}

void Http2Connection::Stream::appendBody(HttpMessage& m, const uint8_t* data, size_t size, uint64_t limit,
    uint64_t arrivalNs, bool last, BodyFieldsCache& fields)
{
    const bool whole = last && m.bodySize == 0; // the body in one frame: stored at its exact size
    m.bodySize += size;
    heldArrivals[&m == &flow.request ? 0 : 1].note(m, arrivalNs, size);
    // (As Flow::isEventStream, with the fields found once per repeated list.)
    if (&m == &flow.response && !std::exchange(eventStreamChecked, true) && flow.hasResponse
        && isEventStreamType(*fieldsOfResponse(fields).contentType) && responseFields.contentEncoding->isEmpty()) {
        sse = std::make_unique<SseParser>([this](ServerSentEvent&& e) { appendServerSentEvent(flow, std::move(e)); });
    }
    if (sse && &m == &flow.response)
        sse->feed(reinterpret_cast<const char*>(data), size, arrivalNs);
    const uint64_t stored = uint64_t(m.body.size());
    const uint64_t room = stored < limit ? limit - stored : 0;
    const size_t n = size_t(std::min<uint64_t>(size, room));
    if (n > 0 && whole && m.body.isEmpty())
        m.body = QByteArray(reinterpret_cast<const char*>(data), qsizetype(n)); // append would leave room to grow
    else if (n > 0)
        m.body.append(reinterpret_cast<const char*>(data), qsizetype(n));
    if (n < size) {
        m.bodyTruncated = true;
        bool& noted = bodyLimitNoted[&m == &flow.request ? 0 : 1];
        if (!std::exchange(noted, true))
            addNote(QStringLiteral("body larger than %1; kept the first %1").arg(limitText(limit)), true);
    }
}

void Http2Connection::Side::dropBlock(const QString& why)
{
    if (!inBlock)
        return;
    inBlock = false;
    block.clear();
    hpack.invalidate();
    if (Stream* s = conn->findStream(blockStream))
        s->addNote(QStringLiteral("a header block was lost: ") + why, true);
}

void Http2Connection::onHeaderFragment(Side& side, const FrameHeader& h, const uint8_t* payload)
{
    const uint8_t* p = payload;
    size_t n = h.length;
    if (h.frameType() == FrameType::Continuation) {
        if (!side.inBlock || side.blockStream != h.streamId) {
            noteConnection(QStringLiteral("protocol error: CONTINUATION frame without its HEADERS ignored"));
            side.hpack.invalidate();
            return;
        }
    } else {
        size_t pad = 0;
        if (h.has(flags::kPadded) && n > 0) { // an empty frame has no payload pointer (null) and is refused below
            pad = p[0];
            ++p;
            --n;
        }
        const size_t fixed = h.frameType() == FrameType::PushPromise ? 4 : h.has(flags::kPriority) ? 5 : 0;
        if ((h.has(flags::kPadded) && h.length == 0) || fixed + pad > n) {
            side.hpack.invalidate();
            const QString text = QStringLiteral("protocol error: %1 frame shorter than its padding and fields; ignored")
                                     .arg(http2::frameTypeName(h.type));
            if (Stream* s = findStream(h.streamId))
                s->addNote(text, true);
            else
                noteConnection(text);
            return;
        }
        side.inBlock = true;
        side.blockType = h.frameType();
        side.blockStream = h.streamId;
        side.blockEndStream = h.frameType() == FrameType::Headers && h.has(flags::kEndStream);
        side.promisedStream = h.frameType() == FrameType::PushPromise ? http2::readU32(p) & 0x7fffffffu : 0;
        side.blockOverflow = false;
        side.block.clear();
        p += fixed;
        n -= fixed + pad;
    }
    if (h.has(flags::kEndHeaders) && side.block.isEmpty() && !side.blockOverflow) {
        // The usual case, a block in one frame: decoded where it lies (n is within the frame, < 16 MiB).
        side.inBlock = false;
        onHeaderBlock(side, p, n);
        return;
    }
    if (side.block.size() + qsizetype(n) > kMaxHeaderBlock)
        side.blockOverflow = true;
    else
        side.block.append(reinterpret_cast<const char*>(p), qsizetype(n));
    if (h.has(flags::kEndHeaders)) {
        side.inBlock = false;
        onHeaderBlock(side, reinterpret_cast<const uint8_t*>(side.block.constData()), size_t(side.block.size()));
        side.block.clear();
    }
}

void Http2Connection::onHeaderBlock(Side& side, const uint8_t* block, size_t size)
{
    const uint32_t id = side.blockStream;
    HpackDecoder::Result r;
    // Compared with this side's previous block of the same kind (a head with the last head,
    // trailers with the last trailers): a repeat shares that block's list.
    const Stream* known = m_clientDirection ? findStream(id) : nullptr;
    const Side::BlockKind kind = side.blockType == FrameType::PushPromise ? Side::BlockKind::Promise
        : known && (side.client ? known->requestHeadersSeen : known->haveFinalResponse)
        ? Side::BlockKind::Trailers
        : Side::BlockKind::Head;
    HttpHeaders& previous = side.previousBlock[size_t(kind)];
    HttpHeaders headers;
    if (side.blockOverflow) {
        side.hpack.invalidate();
        r.ok = false;
        r.error = "header block larger than 1 MiB, not decoded";
    } else {
        r = side.hpack.decode(block, size, previous, headers);
    }
    previous = headers; // shared, not copied
    const bool push = side.blockType == FrameType::PushPromise;
    if (!m_clientDirection && !decideRoles(side, headers, push))
        return;
    if (push && side.client) {
        noteConnection(QStringLiteral("protocol error: PUSH_PROMISE sent by the client ignored"));
        return;
    }
    Stream* s = findStream(id);
    if (!s && !push) {
        s = openStream(side, id);
        if (!s)
            return;
        if (!side.client)
            s->addNote(QStringLiteral("response without a captured request (the stream began before the capture)"), true);
    }
    Stream* target = s;
    if (push) {
        target = nullptr;
        if (side.promisedStream == 0 || side.promisedStream % 2 == 1 || findStream(side.promisedStream)) {
            const QString text = QStringLiteral("protocol error: PUSH_PROMISE for invalid stream %1 ignored")
                                     .arg(side.promisedStream);
            s ? s->addNote(text, false) : noteConnection(text);
            return;
        }
        target = openStream(side, side.promisedStream);
        if (!target)
            return;
        target->flow.pushedBy = s ? s->flow.id : 0;
    }
    if (!r.ok) {
        target->addNote(QStringLiteral("HPACK decoding failed (%1); fields after the error are missing")
                            .arg(QString::fromLatin1(r.error ? r.error : "error")),
            true);
    }
    if (r.unknownFields > 0) {
        target->addNote(QStringLiteral("%1 header fields refer to HPACK table entries from before the capture "
                                       "began; shown as <unknown>")
                            .arg(r.unknownFields),
            true);
    }
    if (r.droppedFields > 0)
        target->addNote(QStringLiteral("%1 header fields over the size limit dropped").arg(r.droppedFields), true);
    if (push)
        onPushPromise(side, *target, std::move(headers));
    else
        applyHeaders(side, *target, std::move(headers), side.blockEndStream);
}

bool Http2Connection::decideRoles(Side& side, const HttpHeaders& headers, bool pushPromise)
{
    const bool request = !pushPromise && hasHeader(headers, ":method");
    const bool response = pushPromise || hasHeader(headers, ":status");
    if (request == response)
        return false; // nothing to tell the roles by (undecodable fields): wait for a clearer block
    const record::Direction other
        = side.direction == record::Direction::Egress ? record::Direction::Ingress : record::Direction::Egress;
    m_clientDirection = request ? side.direction : other;
    m_sides[size_t(*m_clientDirection)]->client = true;
    m_identity.role = *m_clientDirection == record::Direction::Egress ? Flow::Role::Client : Flow::Role::Server;
    return true;
}

void Http2Connection::applyHeaders(Side& side, Stream& s, HttpHeaders&& headers, bool endStream)
{
    HttpMessage& m = messageOf(side, s);
    if (m_armedInitiator && &side == m_sides[size_t(record::Direction::Egress)].get() && !s.flow.initiator)
        s.flow.initiator = std::move(m_armedInitiator);
    if (side.client) {
        if (!s.requestHeadersSeen) {
            s.requestHeadersSeen = true;
            m.headers = std::move(headers);
            applyRequestPseudoHeaders(m);
            m.firstByteNs = side.timestampNs;
        } else {
            appendTrailers(m, std::move(headers));
        }
    } else {
        if (s.flow.responseStartNs == 0)
            s.flow.responseStartNs = side.timestampNs;
        const int status = s.haveFinalResponse ? 0 : statusOf(headers);
        if (!s.haveFinalResponse && status >= 100 && status < 200) {
            HttpMessage& info = s.flow.editRare().informational.emplace_back();
            info.versionMajor = 2;
            info.versionMinor = 0;
            info.status = status;
            info.headers = std::move(headers);
            info.complete = true;
            info.firstByteNs = info.lastByteNs = side.timestampNs;
        } else if (!s.haveFinalResponse) {
            s.haveFinalResponse = true;
            s.flow.hasResponse = true;
            m.status = status;
            m.headers = std::move(headers);
            if (m.firstByteNs == 0)
                m.firstByteNs = side.timestampNs;
            // RFC 8441: a 2xx to CONNECT with :protocol websocket; the stream's DATA frames carry WebSocket frames.
            if (status >= 200 && status < 300 && s.flow.request.method == "CONNECT"
                && s.flow.request.header(":protocol").compare("websocket", Qt::CaseInsensitive) == 0) {
                s.flow.webSocket = true;
                s.flow.editRare().webSocketExtensions = m.header("sec-websocket-extensions");
                s.webSocket = std::make_unique<WebSocketSession>(s.flow, m_ctx.maxBodyBytes);
            }
        } else {
            appendTrailers(m, std::move(headers));
        }
    }
    m.lastByteNs = side.timestampNs;
    changed(s);
    if (endStream)
        endHalf(side, s);
}

void Http2Connection::onPushPromise(Side& side, Stream& pushed, HttpHeaders&& headers)
{
    // The promise carries the request the server answers as if the client had sent it.
    HttpMessage& m = pushed.flow.request;
    pushed.requestHeadersSeen = true;
    m.headers = std::move(headers);
    applyRequestPseudoHeaders(m);
    m.firstByteNs = m.lastByteNs = side.timestampNs;
    m.complete = true;
    pushed.requestEnded = true;
    changed(pushed);
}

void Http2Connection::adoptUpgradeRequest(Flow&& flow)
{
    if (findStream(1))
        return;
    auto s = std::make_unique<Stream>();
    s->id = 1;
    s->flow = std::move(flow);
    s->flow.streamId = 1;
    s->requestHeadersSeen = true;
    s->requestEnded = true; // RFC 7540 3.2: the upgrade request is stream 1, half-closed by the client
    s->flow.response.versionMajor = 2;
    s->flow.response.versionMinor = 0;
    m_streams.emplace(1, std::move(s));
}

Http2Connection::Stream* Http2Connection::findStream(uint32_t id)
{
    const auto it = m_streams.find(id);
    return it == m_streams.end() ? nullptr : it->second.get();
}

Http2Connection::Stream* Http2Connection::openStream(Side& side, uint32_t id)
{
    if (m_streams.size() >= kMaxOpenStreams) {
        ++m_ctx.stats.http2StreamsDropped;
        return nullptr;
    }
    auto s = std::make_unique<Stream>();
    s->id = id;
    Flow& f = s->flow;
    f.id = ++m_ctx.lastFlowId;
    f.connId = m_identity.connId;
    f.pid = side.pid;
    f.tid = side.tid;
    f.process = QString(m_identity.process); // (a copy and a move: inline, unlike copy assignment)
    f.source = m_identity.source;
    f.role = m_identity.role;
    f.local = m_identity.local;
    f.remote = m_identity.remote;
    f.startNs = side.timestampNs;
    f.streamId = id;
    f.request.versionMajor = f.response.versionMajor = 2;
    f.request.versionMinor = f.response.versionMinor = 0;
    return m_streams.emplace(id, std::move(s)).first->second.get();
}

HttpMessage& Http2Connection::messageOf(Side& side, Stream& s) { return side.client ? s.flow.request : s.flow.response; }

void Http2Connection::endHalf(Side& side, Stream& s)
{
    HttpMessage& m = messageOf(side, s);
    m.complete = !side.client ? s.haveFinalResponse : true;
    (side.client ? s.requestEnded : s.responseEnded) = true;
    if (s.requestEnded && s.responseEnded)
        finishStream(s.id);
}

void Http2Connection::finishStream(uint32_t id, const QString& incompleteNote)
{
    auto it = m_streams.find(id);
    if (it == m_streams.end())
        return;
    std::unique_ptr<Stream> s = std::move(it->second);
    m_streams.erase(it);
    m_changedStreams.erase(id);
    if (s->webSocket) {
        const bool clean = s->requestEnded && s->responseEnded;
        s->webSocket->finish(clean ? QStringLiteral("the stream ended in the middle of this message")
                                   : incompleteNote,
            std::max(s->flow.request.lastByteNs, s->flow.response.lastByteNs));
        s->webSocket.reset();
    }
    if (!incompleteNote.isEmpty() && !(s->requestEnded && s->responseEnded)) {
        s->flow.incomplete = true;
        s->addNote(incompleteNote, false);
    }
    emitFlow(*s);
}

void Http2Connection::settle(Flow& f) const
{
    f.httpVersion = QByteArrayLiteral("HTTP/2");
    if (f.local.family == 0) {
        // Addresses learnt after the stream began (see ExchangeQueue::fillUnknownEndpoints).
        f.local = m_identity.local;
        f.remote = m_identity.remote;
    }
    if (f.request.firstByteNs)
        f.startNs = std::min(f.startNs ? f.startNs : f.request.firstByteNs, f.request.firstByteNs);
    f.endNs = std::max({ f.startNs, f.request.lastByteNs, f.hasResponse ? f.response.lastByteNs : 0 });
    for (const HttpMessage& m : std::as_const(f.informational()))
        f.endNs = std::max(f.endNs, m.lastByteNs);
    f.truncated = f.truncated || f.request.bodyTruncated || (f.hasResponse && f.response.bodyTruncated);
    f.incomplete = f.incomplete || !f.request.complete || !f.hasResponse || !f.response.complete;
}

void Http2Connection::emitFlow(Stream& s)
{
    Flow& f = s.flow;
    s.listHeldArrivals(f);
    settle(f);
    ++m_ctx.stats.flows;
    decodeBodies(f, m_ctx.maxDecodedBytes, BodyFieldsCache::find(f.request.headers),
        f.hasResponse ? s.fieldsOfResponse(m_responseFields) : BodyFieldsCache::Fields {});
    if (m_ctx.sink)
        m_ctx.sink(std::move(f));
}

void Http2Connection::changed(const Stream& s)
{
    if (m_ctx.progressSink)
        m_changedStreams.insert(s.id);
}

bool Http2Connection::reportProgress(uint64_t nowNs, bool force)
{
    bool later = false;
    for (auto it = m_changedStreams.begin(); it != m_changedStreams.end();) {
        Stream* s = findStream(*it);
        ProgressStage stage = ProgressStage::None;
        if (s && s->haveFinalResponse)
            stage = s->responseEnded ? ProgressStage::ResponseDone : ProgressStage::ResponseHead;
        else if (s && s->requestHeadersSeen)
            stage = s->requestEnded ? ProgressStage::RequestDone : ProgressStage::RequestHead;
        const uint64_t signature = s ? progressSignature(&s->flow.request, &s->flow.response, s->flow) : 0;
        const ProgressVerdict verdict = s
            ? progressVerdict(s->progress, stage, signature, nowNs, m_ctx.progressIntervalNs, force)
            : ProgressVerdict::Nothing;
        if (verdict == ProgressVerdict::Later) {
            later = true;
            ++it;
            continue;
        }
        it = m_changedStreams.erase(it);
        if (verdict != ProgressVerdict::Report)
            continue;
        Flow snapshot = s->flow;
        s->listHeldArrivals(snapshot);
        settle(snapshot);
        prepareSnapshot(snapshot, m_ctx.maxDecodedBytes);
        s->progress = ProgressMark { stage, signature, nowNs };
        m_ctx.progressSink(snapshot);
    }
    return later;
}

} // namespace httptap
