// SPDX-License-Identifier: GPL-2.0-or-later
#include "connection.h"

#include "http/mediatype.h"
#include "http/protocolsniffer.h"
#include "http2/http2frame.h"

#include <algorithm>
#include <cstring>

namespace httptap {

namespace {

using protocolsniffer::Verdict;

// Field by field, in place (this runs for every record): GCC built a FlowEndpoint on the stack
// with narrow stores and copied it out with wide loads, which stall on those stores.
void setEndpoint(FlowEndpoint& to, uint8_t family, const record::Endpoint& e)
{
    to.family = family;
    to.addr = e.addr;
    to.port = e.port;
}

// The producer flags a chunk whose call had more bytes than it copied; a gap right after
// such a chunk is those bytes, otherwise it could be either.
QString missingText(uint64_t bytes, uint64_t offset, bool afterTruncatedCall)
{
    return QStringLiteral("%1 bytes missing at offset %2 (%3)")
        .arg(bytes)
        .arg(offset)
        .arg(afterTruncatedCall ? QStringLiteral("not copied") : QStringLiteral("lost or not copied"));
}

// Checked on every response: by length first, so most methods take no call to compare.
bool isMethod(const QByteArray& method, QByteArrayView name)
{
    return method.size() == name.size() && std::memcmp(method.constData(), name.data(), size_t(name.size())) == 0;
}

} // namespace

Connection::Connection(Context& context, const record::Data& first)
    : m_ctx(context)
    , m_exchanges(context)
    , m_connId(first.connId)
    , m_source(first.source)
{
    ++m_ctx.stats.connections;
}

Connection::~Connection() { m_ctx.progressPending.erase(this); }

void Connection::add(const record::Data& data)
{
    // Keep the freshest identity: a forked child or a late-known address wins.
    m_pid = data.pid;
    if (data.comm != m_comm) { // converting once per change, not per record, keeps add() allocation-free
        m_comm = data.comm;
        m_process = QString::fromStdString(record::commToString(data.comm));
    }
    if (data.family != 0) {
        const bool learnt = m_local.family == 0;
        setEndpoint(m_local, data.family, data.local);
        setEndpoint(m_remote, data.family, data.remote);
        if (learnt)
            m_exchanges.fillUnknownEndpoints(m_local, m_remote);
    }
    if (m_h2) {
        Flow& id = m_h2->identity();
        if (!id.process.isSharedWith(m_process)) // as a rule it is: no reference count traffic per record
            id.process = m_process;
        id.local = m_local;
        id.remote = m_remote;
    }

    Side& side = m_sides[data.direction == record::Direction::Egress ? 0 : 1];
    const bool first = !side.stream.started();
    // An empty chunk flagged truncated stands for callSize bytes that crossed the socket
    // uncopied (sendfile): account them now as a gap ending after them, so a body of known
    // length completes without waiting for bytes that will never be captured.
    const bool uncopied = data.payload.empty() && (data.flags & record::kDataCallTruncated) && data.callSize > 0;
    if (uncopied)
        side.lastCallTruncated = true;
    const uint64_t offset = uncopied ? data.streamOffset + data.callSize : data.streamOffset;
    const StreamReassembler::Slice slice = side.stream.accept(offset, data.payload.size());
    if (first && (offset > 0 || (data.flags & record::kDataJoinedLate)))
        side.joinedLate = true;
    side.timestampNs = data.timestampNs;
    side.pid = data.pid;
    side.tid = data.tid;
    // A write that starts a message had its sender's stack sent just before it.
    if (data.direction == record::Direction::Egress && !m_ctx.stacks.noneWaiting()) {
        if (auto stack = m_ctx.stacks.take(m_connId, m_source, data.streamOffset))
            side.initiator = std::move(stack);
    }

    const uint8_t* bytes = data.payload.data() + slice.skip;
    if (m_state == State::Sniffing)
        sniff(side, bytes, slice.size, slice.gapBytes > 0);
    else if (m_state == State::Http)
        process(side, slice.gapBytes, slice.gapOffset, bytes, slice.size);
    else if (m_state == State::Http2)
        feedHttp2(side, slice.gapBytes, bytes, slice.size);
    else if (m_state == State::WebSocket)
        feedWebSocket(side, slice.gapBytes, bytes, slice.size);
    side.lastCallTruncated = data.flags & record::kDataCallTruncated;
    if (m_ctx.progressSink) {
        if (reportProgress(data.timestampNs, false))
            m_ctx.progressPending.insert(this);
        else
            m_ctx.progressPending.erase(this);
    }
}

bool Connection::reportProgress(uint64_t nowNs, bool force)
{
    ExchangeQueue::PartialMessage partial[2];
    for (Side& s : m_sides) {
        if (s.parser && s.exchange && s.parser->headersDone())
            partial[s.requests ? 0 : 1] = { s.exchange, &s.parser->message() };
    }
    bool later = m_exchanges.reportProgress(nowNs, force, partial[0], partial[1]);
    if (m_h2)
        later = m_h2->reportProgress(nowNs, force) || later;
    return later;
}

void Connection::sniff(Side& side, const uint8_t* data, size_t size, bool gap)
{
    if (gap) {
        // The prefix no longer continues into these bytes; what came before them is unknown.
        side.prefix.clear();
        side.joinedLate = true;
    }
    if (size == 0)
        return;
    if (side.prefixIsFrames) {
        // Frames from a server that spoke before its client's preface was seen: hold on.
        if (side.prefix.size() + qsizetype(size) > kMaxHeldBytes) {
            ++m_ctx.stats.parseErrors;
            m_state = State::Failed;
            return;
        }
        side.prefix.append(reinterpret_cast<const char*>(data), qsizetype(size));
        return;
    }
    if (side.prefix.isEmpty())
        side.prefixTimestampNs = side.timestampNs;
    const size_t probeSize = std::min(size, protocolsniffer::kMaxPrefix);
    QByteArray probe = side.prefix;
    probe.append(reinterpret_cast<const char*>(data), qsizetype(probeSize));
    Verdict verdict = protocolsniffer::sniff(reinterpret_cast<const uint8_t*>(probe.constData()), size_t(probe.size()));
    if (verdict == Verdict::NeedMore && size_t(probe.size()) >= protocolsniffer::kMaxPrefix)
        verdict = Verdict::Unknown;

    switch (verdict) {
    case Verdict::NeedMore:
        side.prefix = probe; // probeSize == size here: the whole chunk is in the probe
        return;
    case Verdict::Request:
    case Verdict::Response: {
        const bool egress = &side == &m_sides[0];
        startHttp((verdict == Verdict::Request) == egress);
        // Replay what each stream buffered while undecided, this stream last since its chunk is newest.
        replayPrefix(m_sides[egress ? 1 : 0], false);
        replayPrefix(side, false);
        process(side, 0, 0, data, size);
        return;
    }
    case Verdict::Tls:
        if (m_source == record::Source::Syscall) {
            // Ciphertext at the syscall layer: the TLS probes see the same bytes decrypted.
            ++m_ctx.stats.tlsCiphertextConnections;
            m_state = State::Ignored;
            return;
        }
        break;
    case Verdict::Http2: {
        // The client preface: h2 over TLS (ALPN) or h2c with prior knowledge; its sender is the client.
        startHttp2(Http2Connection::Start::Preface, &side);
        replayPrefix(m_sides[&side == &m_sides[0] ? 1 : 0], true);
        replayPrefix(side, true);
        feedHttp2(side, 0, data, size);
        return;
    }
    case Verdict::Unknown:
        if (sniffHttp2Frames(side, data, size))
            return;
        break;
    }
    if (side.joinedLate) {
        // Mid-stream bytes of a connection older than the capture: wait for a message start.
        side.prefix.clear();
        return;
    }
    ++m_ctx.stats.parseErrors;
    m_state = State::Failed;
}

void Connection::replayPrefix(Side& side, bool http2)
{
    if (side.prefix.isEmpty())
        return;
    const QByteArray buffered = std::exchange(side.prefix, {});
    side.prefixIsFrames = false;
    const uint64_t now = side.timestampNs;
    side.timestampNs = side.prefixTimestampNs;
    const auto* bytes = reinterpret_cast<const uint8_t*>(buffered.constData());
    if (http2)
        feedHttp2(side, 0, bytes, size_t(buffered.size()));
    else
        process(side, 0, 0, bytes, size_t(buffered.size()));
    side.timestampNs = now;
}

bool Connection::sniffHttp2Frames(Side& side, const uint8_t* data, size_t size)
{
    QByteArray candidate = side.prefix;
    candidate.append(reinterpret_cast<const char*>(data), qsizetype(size));
    if (candidate.size() < qsizetype(http2::kFrameHeaderSize) && candidate.size() < kMaxHeldBytes) {
        // Too short to judge a frame header: wait for more (the sniffer's answer was only "not HTTP/1").
        side.prefix = std::move(candidate);
        return true;
    }
    if (!http2::looksLikeFrames(reinterpret_cast<const uint8_t*>(candidate.constData()), size_t(candidate.size())))
        return false;
    if (side.joinedLate) {
        // HTTP/2 frames in a connection older than the capture: roles and HPACK tables unknown.
        side.prefix.clear();
        startHttp2(Http2Connection::Start::MidStream, nullptr);
        replayPrefix(m_sides[&side == &m_sides[0] ? 1 : 0], true);
        feedHttp2(side, 0, reinterpret_cast<const uint8_t*>(candidate.constData()), size_t(candidate.size()));
        return true;
    }
    // A server may send its SETTINGS before its read of the client's preface is captured.
    if (candidate.size() > kMaxHeldBytes)
        return false;
    side.prefix = std::move(candidate);
    side.prefixIsFrames = true;
    return true;
}

void Connection::startHttp2(Http2Connection::Start start, Side* client)
{
    m_state = State::Http2;
    std::optional<record::Direction> clientDirection;
    if (client) {
        clientDirection = client == &m_sides[0] ? record::Direction::Egress : record::Direction::Ingress;
        m_role = client == &m_sides[0] ? Flow::Role::Client : Flow::Role::Server;
    }
    m_h2 = std::make_unique<Http2Connection>(m_ctx, identity(), start, clientDirection);
}

void Connection::feedHttp2(Side& side, uint64_t gapBytes, const uint8_t* data, size_t size)
{
    const auto direction = &side == &m_sides[0] ? record::Direction::Egress : record::Direction::Ingress;
    // A write's stack goes to the first HEADERS the process sends in that write, or to nothing.
    const bool armed = side.initiator != nullptr;
    if (armed)
        m_h2->armInitiator(std::move(side.initiator));
    m_h2->feed(direction, gapBytes, data, size, side.timestampNs, side.pid, side.tid);
    if (armed)
        m_h2->armInitiator(nullptr);
}

Flow Connection::identity() const
{
    Flow f;
    f.connId = m_connId;
    f.pid = m_pid;
    f.process = m_process;
    f.source = m_source;
    f.role = m_role;
    f.local = m_local;
    f.remote = m_remote;
    return f;
}

void Connection::startHttp(bool egressCarriesRequests)
{
    m_state = State::Http;
    m_role = egressCarriesRequests ? Flow::Role::Client : Flow::Role::Server;
    for (int i = 0; i < 2; ++i) {
        Side& s = m_sides[i];
        s.requests = (i == 0) == egressCarriesRequests;
        s.parser = std::make_unique<Http1Parser>(s.requests ? Http1Parser::Type::Request : Http1Parser::Type::Response,
            static_cast<Http1Parser::Listener*>(this), m_ctx.maxBodyBytes);
        s.mode = s.joinedLate ? Mode::Resync : Mode::Http;
    }
}

void Connection::process(Side& side, uint64_t gapBytes, uint64_t gapOffset, const uint8_t* data, size_t size)
{
    if (!side.parser)
        return;
    if (gapBytes > 0)
        handleGap(side, gapBytes, gapOffset);
    if (size == 0 || m_state != State::Http)
        return;
    switch (side.mode) {
    case Mode::Stopped:
        return;
    case Mode::AwaitUpgrade: {
        const qsizetype room = kMaxHeldBytes - side.held.size();
        if (qsizetype(size) > room)
            side.heldOverflow = true;
        side.held.append(reinterpret_cast<const char*>(data), std::min(room, qsizetype(size)));
        return;
    }
    case Mode::Resync:
        if (!protocolsniffer::looksLikeMessageStart(data, size, side.requests))
            return;
        side.mode = Mode::Http;
        side.resynced = true;
        [[fallthrough]];
    case Mode::Http:
        feedParser(side, data, size);
        return;
    }
}

void Connection::handleGap(Side& side, uint64_t bytes, uint64_t offset)
{
    const QString text = missingText(bytes, offset, side.lastCallTruncated);
    switch (side.mode) {
    case Mode::Http:
        if (side.sse)
            side.sse->gap();
        if (side.parser->inMessage()) {
            if (side.exchange)
                side.exchange->addNote(text, true);
            if (side.parser->skipGap(bytes))
                return;
            abandonMessage(
                side, QStringLiteral("the rest of the message could not be read after the missing bytes"), true);
        } else {
            side.missingBeforeNext += bytes;
        }
        side.parser->reset();
        side.mode = Mode::Resync;
        return;
    case Mode::Resync:
        side.missingBeforeNext += bytes;
        return;
    case Mode::AwaitUpgrade:
        side.heldOverflow = true;
        return;
    case Mode::Stopped:
        return;
    }
}

void Connection::feedParser(Side& side, const uint8_t* data, size_t size)
{
    size_t consumed = 0;
    const Http1Parser::Result result = side.parser->feed(data, size, side.timestampNs, &consumed);
    if (m_state != State::Http)
        return;
    switch (result) {
    case Http1Parser::Result::Ok:
        break;
    case Http1Parser::Result::Upgrade:
        if (!side.requests && m_h2cUpgrade) {
            // 101 to "Upgrade: h2c": the upgrade request is stream 1; HTTP/2 starts right after the 101.
            Side& req = requestSide();
            startHttp2(Http2Connection::Start::Upgrade, &req);
            m_h2->adoptUpgradeRequest(std::move(*m_h2cUpgrade));
            m_h2cUpgrade.reset();
            m_sides[0].exchange = m_sides[1].exchange = nullptr;
            feedHttp2(side, 0, data + consumed, size - consumed);
            const QByteArray held = std::exchange(req.held, {});
            const bool overflow = std::exchange(req.heldOverflow, false);
            feedHttp2(req, overflow ? 1 : 0, reinterpret_cast<const uint8_t*>(held.constData()), size_t(held.size()));
            return;
        }
        if (!side.requests && m_wsExchange) {
            startWebSocket(side, data + consumed, size - consumed);
            return;
        }
        if (side.requests) {
            // Whether the rest is HTTP depends on the answer (101 / 2xx to CONNECT, or a refusal).
            side.mode = Mode::AwaitUpgrade;
            side.held.clear();
            side.heldOverflow = false;
            process(side, 0, 0, data + consumed, size - consumed);
        } else {
            m_state = State::Tunnel;
            m_sides[0].mode = m_sides[1].mode = Mode::Stopped;
            return;
        }
        break;
    case Http1Parser::Result::Error:
        if (side.resynced) {
            // The chunk we resynchronised on only looked like a message start; wait for the next.
            abandonMessage(side, side.parser->errorString(), true);
            side.parser->reset();
            side.mode = Mode::Resync;
            break;
        }
        giveUp(side.parser->errorString());
        return;
    }
    if (!side.requests)
        maybeResumeRequests();
}

void Connection::startWebSocket(Side& responses, const uint8_t* rest, size_t restSize)
{
    m_state = State::WebSocket;
    m_sides[0].mode = m_sides[1].mode = Mode::Stopped;
    m_sides[0].exchange = m_sides[1].exchange = nullptr;
    m_ws = std::make_unique<WebSocketSession>(m_wsExchange->flow, m_ctx.maxBodyBytes);
    // The server's frames may follow its 101 in the same chunk; the client's may have
    // been sent before the 101 arrived and were held back.
    feedWebSocket(responses, 0, rest, restSize);
    Side& req = requestSide();
    const QByteArray held = std::exchange(req.held, {});
    if (std::exchange(req.heldOverflow, false)) {
        m_ws->abandon(true,
            QStringLiteral("more than %1 bytes (or lost ones) came before the handshake was answered").arg(kMaxHeldBytes));
    }
    const uint64_t now = req.timestampNs;
    req.timestampNs = responses.timestampNs; // held bytes are read no earlier than the 101 that released them
    feedWebSocket(req, 0, reinterpret_cast<const uint8_t*>(held.constData()), size_t(held.size()));
    req.timestampNs = std::max(now, responses.timestampNs);
}

void Connection::feedWebSocket(Side& side, uint64_t gapBytes, const uint8_t* data, size_t size)
{
    if (!m_ws)
        return;
    m_ws->feed(side.requests, gapBytes, data, size, side.timestampNs);
    if (m_ws->closedBothWays()) {
        endWebSocket({});
        m_state = State::Tunnel; // anything after both close frames is not the WebSocket's
    }
}

void Connection::endWebSocket(const QString& reason)
{
    if (!m_ws)
        return;
    Exchange* ex = std::exchange(m_wsExchange, nullptr);
    if (!reason.isEmpty()) {
        m_ws->finish(reason, std::max(m_sides[0].timestampNs, m_sides[1].timestampNs));
        ex->addNote(reason, false);
    }
    m_ws.reset();
    ex->held = false;
    m_exchanges.flushReady();
}

void Connection::maybeResumeRequests()
{
    Side& req = requestSide();
    if (req.mode != Mode::AwaitUpgrade || m_state != State::Http)
        return;
    if (!m_exchanges.allAnswered())
        return;
    // Refused: the connection stays HTTP/1 and the requests held back are parsed now.
    req.parser->resumeAfterUpgrade();
    const QByteArray held = std::exchange(req.held, {});
    if (std::exchange(req.heldOverflow, false)) {
        req.parser->reset();
        req.mode = Mode::Resync;
        req.missingBeforeNext += 1; // unknown amount: at least one byte
    } else {
        req.mode = Mode::Http;
    }
    process(req, 0, 0, reinterpret_cast<const uint8_t*>(held.constData()), size_t(held.size()));
}

void Connection::abandonMessage(Side& side, const QString& text, bool truncates)
{
    if (!side.parser || !side.parser->inMessage())
        return;
    HttpMessage partial = side.parser->takeMessage();
    Exchange* ex = std::exchange(side.exchange, nullptr);
    side.resynced = false;
    if (!ex)
        return;
    if (side.requests) {
        ex->flow.request = std::move(partial);
        ex->requestDone = true;
    } else {
        ex->flow.hasResponse = partial.status != 0;
        if (ex->flow.hasResponse)
            ex->flow.response = std::move(partial);
        ex->responseDone = true;
    }
    ex->flow.incomplete = true;
    ex->addNote(text, truncates);
    m_exchanges.flushReady();
}

void Connection::giveUp(const QString& reason)
{
    ++m_ctx.stats.parseErrors;
    const QString text = QStringLiteral("gave up parsing this connection: ") + reason;
    for (Side& s : m_sides)
        abandonMessage(s, text, true);
    m_state = State::Failed;
    flushAll(text);
}

void Connection::close(CloseReason reason)
{
    const bool ended = reason == CloseReason::CaptureEnded;
    const QString cut = ended ? QStringLiteral("capture ended in the middle of this message")
                              : QStringLiteral("connection closed in the middle of this message");
    if (m_state == State::Http) {
        // Requests first, so a request cut short is settled before its response completes at EOF.
        for (Side* s : { &requestSide(), &responseSide() }) {
            if (s->mode != Mode::Http || !s->parser)
                continue;
            if (s->lastCallTruncated && s->parser->inMessage() && s->exchange)
                s->exchange->addNote(QStringLiteral("the last call was not copied in full"), true);
            if (s->parser->finish(s->timestampNs) == Http1Parser::Result::Error)
                abandonMessage(*s, cut, false);
        }
    }
    for (Side& s : m_sides)
        abandonMessage(s, cut, false);
    if (m_wsExchange) {
        if (ended) {
            m_wsExchange->flow.incomplete = true;
            endWebSocket(QStringLiteral("capture ended while the WebSocket was open"));
        } else {
            endWebSocket(QStringLiteral("connection closed without a WebSocket closing handshake"));
        }
    }
    if (m_h2cUpgrade) {
        // 101 seen but not the switch (the 101 was the last thing captured): the request still leaves.
        Exchange& ex = m_exchanges.appendTaken(std::move(*m_h2cUpgrade));
        ex.requestDone = true;
        m_h2cUpgrade.reset();
    }
    flushAll(ended ? QStringLiteral("capture ended before a response")
                   : QStringLiteral("connection closed before a response"));
    if (m_h2)
        m_h2->close(ended);
    m_state = State::Closed;
}

void Connection::flushAll(const QString& noResponseNote)
{
    m_sides[0].exchange = m_sides[1].exchange = nullptr;
    m_exchanges.flushAll(noResponseNote);
}

Connection::Side& Connection::sideOf(const Http1Parser& parser)
{
    return m_sides[0].parser.get() == &parser ? m_sides[0] : m_sides[1];
}

Exchange& Connection::newExchange(const Side& side)
{
    Exchange& ex = m_exchanges.append();
    Flow& f = ex.flow;
    f.connId = m_connId;
    f.pid = side.pid;
    f.tid = side.tid;
    f.process = QString(m_process); // a copy and a move: inline, unlike copy assignment
    f.source = m_source;
    f.role = m_role;
    f.local = m_local;
    f.remote = m_remote;
    f.startNs = side.timestampNs;
    return ex;
}

void Connection::messageBegin(Http1Parser& parser)
{
    Side& side = sideOf(parser);
    side.sse.reset();
    Exchange* ex = nullptr;
    if (side.requests) {
        if (m_exchanges.size() >= kMaxPendingExchanges) {
            parser.abort(QStringLiteral("more than %1 requests without a response").arg(kMaxPendingExchanges));
            return;
        }
        ex = &newExchange(side);
    } else {
        ex = m_exchanges.firstUnanswered();
        if (!ex) {
            ex = &newExchange(side);
            ex->requestDone = true;
            ex->addNote(QStringLiteral("response without a captured request"), true);
        }
        if (ex->flow.responseStartNs == 0)
            ex->flow.responseStartNs = side.timestampNs;
    }
    side.exchange = ex;
    if (&side == &m_sides[0]) {
        // The process is sending this message: the stack of the write it begins in is its initiator.
        if (side.initiator)
            ex->flow.initiator = std::move(side.initiator);
    } else {
        m_sides[0].initiator.reset(); // an answer came: a stack not used by now belongs to no message
    }
    if (side.missingBeforeNext > 0) {
        ex->addNote(
            QStringLiteral("%1 bytes missing before this message (lost or not copied)").arg(side.missingBeforeNext),
            true);
        side.missingBeforeNext = 0;
    }
}

Http1Parser::BodyMode Connection::headersComplete(Http1Parser& parser)
{
    Side& side = sideOf(parser);
    if (!side.exchange)
        return Http1Parser::BodyMode::Normal;
    if (side.requests) {
        side.exchange->method = parser.message().method;
        return Http1Parser::BodyMode::Normal;
    }
    const int status = parser.message().status;
    if (status == 200 && isEventStreamType(parser.message().header("Content-Type"))
        && parser.message().header("Content-Encoding").isEmpty()) {
        // Events as they arrive; an encoded stream is parsed from its decoded form when the flow leaves.
        side.sse = std::make_unique<SseParser>([this, &side](ServerSentEvent&& e) {
            if (side.exchange)
                appendServerSentEvent(side.exchange->flow, std::move(e));
        });
    }
    if (status == 101 || (status >= 200 && status < 300 && isMethod(side.exchange->method, "CONNECT")))
        return Http1Parser::BodyMode::Stop;
    // These never have a body (RFC 9110 6.4.1), whatever Content-Length says; llhttp would
    // read one for a 304 or 204 that carries the header, swallowing the next response.
    if (status == 204 || status == 304 || status < 200 || isMethod(side.exchange->method, "HEAD"))
        return Http1Parser::BodyMode::Skip;
    return Http1Parser::BodyMode::Normal;
}

void Connection::messageComplete(Http1Parser& parser, HttpMessage&& message)
{
    Side& side = sideOf(parser);
    Exchange* ex = std::exchange(side.exchange, nullptr);
    side.resynced = false;
    if (!ex)
        return;
    if (side.requests) {
        ex->flow.request = std::move(message);
        ex->requestDone = true;
    } else if (message.status >= 100 && message.status < 200 && message.status != 101) {
        ex->flow.editRare().informational.append(std::move(message));
        return;
    } else {
        if (message.status == 101) {
            const QByteArray protocol = message.header("Upgrade");
            if (protocol.trimmed().compare("h2c", Qt::CaseInsensitive) == 0) {
                // Not finished: its response comes as HTTP/2 stream 1 (feedParser switches over).
                if (std::optional<Flow> upgraded = m_exchanges.takeBack(*ex)) {
                    upgraded->editRare().informational.append(std::move(message));
                    m_h2cUpgrade = std::move(upgraded);
                    return;
                }
            }
            if (protocol.trimmed().compare("websocket", Qt::CaseInsensitive) == 0
                && ex->flow.request.header("Upgrade").trimmed().compare("websocket", Qt::CaseInsensitive) == 0) {
                // The handshake stays open: the frames that follow are its messages (feedParser switches over).
                ex->flow.webSocket = true;
                ex->flow.editRare().webSocketExtensions = message.header("Sec-WebSocket-Extensions");
                ex->flow.response = std::move(message);
                ex->flow.hasResponse = true;
                ex->responseDone = true;
                ex->held = true;
                m_wsExchange = ex;
                m_exchanges.flushReady();
                return;
            }
            ex->addNote(
                QStringLiteral("switched protocols%1; later bytes are not dissected")
                    .arg(protocol.isEmpty() ? QString() : QStringLiteral(" to ") + QString::fromLatin1(protocol)),
                false);
        }
        ex->flow.response = std::move(message);
        ex->flow.hasResponse = true;
        ex->responseDone = true;
    }
    m_exchanges.flushReady();
}

void Connection::bodyData(Http1Parser& parser, const char* data, size_t size)
{
    Side& side = sideOf(parser);
    if (side.sse)
        side.sse->feed(data, size, side.timestampNs);
}

void Connection::note(Http1Parser& parser, const QString& text, bool truncates)
{
    Side& side = sideOf(parser);
    if (side.exchange)
        side.exchange->addNote(text, truncates);
}

} // namespace httptap
