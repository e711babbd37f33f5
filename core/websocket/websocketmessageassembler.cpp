// SPDX-License-Identifier: GPL-2.0-or-later
#include "websocketmessageassembler.h"

#include "export/utf8.h"

#include <zlib.h>

#include <algorithm>

namespace httptap {

namespace {

bool isControl(uint8_t opcode) { return opcode >= 0x8; }
bool isKnown(uint8_t opcode) { return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA); }

QString opcodeHex(uint8_t opcode) { return QStringLiteral("0x%1").arg(opcode, 0, 16); }

// RFC 7692 7.2.2: each message's deflate data ends with an empty stored block whose tail
// (00 00 ff ff) the sender removed.
constexpr uint8_t kMessageTail[4] = { 0x00, 0x00, 0xff, 0xff };

} // namespace

WebSocketExtensions WebSocketExtensions::fromHeader(const QByteArray& header)
{
    WebSocketExtensions out;
    for (const QByteArray& extension : header.split(',')) {
        const QList<QByteArray> parts = extension.split(';');
        if (parts.first().trimmed().compare("permessage-deflate", Qt::CaseInsensitive) != 0)
            continue;
        out.client.enabled = out.server.enabled = true;
        for (qsizetype i = 1; i < parts.size(); ++i) {
            const QByteArray name = parts[i].split('=').first().trimmed().toLower();
            if (name == "client_no_context_takeover")
                out.client.noContextTakeover = true;
            else if (name == "server_no_context_takeover")
                out.server.noContextTakeover = true;
        }
        break; // the answer accepts one offer; a second would be a server's error
    }
    return out;
}

struct WebSocketMessageAssembler::Inflater {
    z_stream stream {};
    bool ready = false;
    Inflater() { ready = inflateInit2(&stream, -MAX_WBITS) == Z_OK; }
    ~Inflater()
    {
        if (ready)
            inflateEnd(&stream);
    }
};

WebSocketMessageAssembler::WebSocketMessageAssembler(
    bool fromClient, WebSocketDeflate deflate, uint64_t maxMessageBytes, Sink sink)
    : m_reader(*this)
    , m_fromClient(fromClient)
    , m_deflate(deflate)
    , m_maxMessageBytes(maxMessageBytes)
    , m_sink(std::move(sink))
{
}

WebSocketMessageAssembler::~WebSocketMessageAssembler() = default;

void WebSocketMessageAssembler::feed(const uint8_t* data, size_t size, uint64_t timeNs)
{
    m_timeNs = timeNs;
    m_reader.feed(data, size);
}

void WebSocketMessageAssembler::lost(uint64_t bytes, uint64_t timeNs)
{
    m_timeNs = timeNs;
    if (!m_reader.skip(bytes)) {
        // The framing is gone: what was being assembled cannot be finished.
        finish(m_reader.error(), timeNs);
    }
}

void WebSocketMessageAssembler::finish(const QString& reason, uint64_t timeNs)
{
    m_timeNs = timeNs;
    for (Pending* p : { &m_control, &m_data }) {
        if (!p->active)
            continue;
        p->message.truncated = true;
        addNote(p->message, reason);
        deliver(*p);
    }
    m_current = nullptr;
}

void WebSocketMessageAssembler::addNote(WebSocketMessage& message, const QString& text)
{
    if (!message.note.isEmpty())
        message.note += QStringLiteral("; ");
    message.note += text;
}

void WebSocketMessageAssembler::frameBegin(const WebSocketFrameHeader& h)
{
    const bool control = isControl(h.opcode);
    const bool continuation = h.opcode == WebSocketMessage::Continuation;
    if (control) {
        m_current = &m_control;
    } else if (continuation && m_data.active) {
        m_current = &m_data;
    } else {
        if (m_data.active) {
            m_data.message.truncated = true;
            addNote(m_data.message, QStringLiteral("a new message began before this fragmented one ended"));
            deliver(m_data);
        }
        m_current = &m_data;
    }
    Pending& p = *m_current;
    const bool first = !p.active;
    if (first) {
        p = {};
        p.active = true;
        p.message.fromClient = m_fromClient;
        p.message.opcode = h.opcode;
        if (continuation)
            addNote(p.message, QStringLiteral("continuation frame without a message to continue"));
        else if (!isKnown(h.opcode))
            addNote(p.message, QStringLiteral("reserved opcode %1").arg(opcodeHex(h.opcode)));
        if (h.rsv1 && !control && m_deflate.enabled && !continuation) {
            p.message.compressed = true;
            p.inflating = true;
            if (m_inflateBroken) {
                p.inflating = false;
                p.message.truncated = true;
                addNote(p.message,
                    QStringLiteral("not inflated: an earlier message of this direction exceeded the inflate limit"));
            } else if (m_deflate.noContextTakeover || !m_inflater) {
                resetInflater(false);
            }
            m_inflatedThisMessage = 0;
        } else if (h.rsv1) {
            addNote(p.message, QStringLiteral("RSV1 set without permessage-deflate on this frame"));
        }
    } else if (h.rsv1) {
        addNote(p.message, QStringLiteral("RSV1 set on a continuation frame"));
    }
    if (h.rsv2 || h.rsv3)
        addNote(p.message, QStringLiteral("reserved bits RSV2/RSV3 set (no extension negotiated them)"));
    if (h.masked != m_fromClient) {
        addNote(p.message,
            m_fromClient ? QStringLiteral("client frame not masked") : QStringLiteral("server frame masked"));
    }
    if (control && (!h.fin || h.length > 125))
        addNote(p.message, QStringLiteral("control frame fragmented or longer than 125 bytes"));
    // A control frame is always a whole message; a data message ends with its FIN frame.
    m_finalFrame = control || h.fin;
}

void WebSocketMessageAssembler::framePayload(const uint8_t* data, size_t size, uint64_t lost)
{
    if (!m_current)
        return;
    Pending& p = *m_current;
    WebSocketMessage& m = p.message;
    if (lost > 0) {
        m.size += lost;
        if (!m.truncated)
            addNote(m, QStringLiteral("%1 bytes of this message were not captured").arg(lost));
        m.truncated = true;
        p.hole = true;
        if (p.inflating) {
            // The compressed stream cannot continue over a hole, nor can its window.
            p.inflating = false;
            resetInflater(false);
        }
    }
    if (size == 0)
        return;
    m.size += size;
    if (p.inflating)
        inflate(p, data, size);
    else if (!m.compressed && !p.hole)
        keep(m, reinterpret_cast<const char*>(data), size);
}

void WebSocketMessageAssembler::keep(WebSocketMessage& m, const char* data, size_t size)
{
    const uint64_t room = m_maxMessageBytes > uint64_t(m.data.size()) ? m_maxMessageBytes - uint64_t(m.data.size()) : 0;
    const size_t take = size_t(std::min<uint64_t>(room, size));
    m.data.append(data, qsizetype(take));
    if (take < size)
        m.truncated = true;
}

void WebSocketMessageAssembler::resetInflater(bool keepWindow)
{
    QByteArray window;
    if (keepWindow && m_inflater && m_inflater->ready) {
        window.resize(32768);
        uInt length = uInt(window.size());
        if (inflateGetDictionary(&m_inflater->stream, reinterpret_cast<Bytef*>(window.data()), &length) == Z_OK)
            window.truncate(qsizetype(length));
        else
            window.clear();
    }
    m_inflater = std::make_unique<Inflater>();
    if (!window.isEmpty() && m_inflater->ready) {
        inflateSetDictionary(
            &m_inflater->stream, reinterpret_cast<const Bytef*>(window.constData()), uInt(window.size()));
    }
}

void WebSocketMessageAssembler::inflate(Pending& p, const uint8_t* data, size_t size)
{
    WebSocketMessage& m = p.message;
    if (!m_inflater || !m_inflater->ready) {
        p.inflating = false;
        m.truncated = true;
        addNote(m, QStringLiteral("not inflated: zlib could not start"));
        return;
    }
    z_stream* z = &m_inflater->stream;
    z->next_in = const_cast<Bytef*>(data);
    z->avail_in = uInt(size);
    char out[16384];
    while (z->avail_in > 0) {
        z->next_out = reinterpret_cast<Bytef*>(out);
        z->avail_out = sizeof out;
        const int rc = ::inflate(z, Z_SYNC_FLUSH);
        const size_t produced = sizeof out - z->avail_out;
        m_inflatedThisMessage += produced;
        keep(m, out, produced);
        if (rc == Z_STREAM_END) {
            // BFINAL ended the deflate stream inside the message: the next data starts a new
            // stream, still allowed to refer back to this one's window.
            Bytef* rest = z->next_in;
            const uInt restSize = z->avail_in;
            resetInflater(!m_deflate.noContextTakeover);
            z = &m_inflater->stream;
            z->next_in = rest;
            z->avail_in = restSize;
            continue;
        }
        if (rc == Z_BUF_ERROR && produced == 0)
            break; // needs more input
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            m.truncated = true;
            addNote(m, QStringLiteral("bad deflate data: %1").arg(QString::fromLatin1(z->msg ? z->msg : "corrupt stream")));
            p.inflating = false;
            resetInflater(false);
            return;
        }
        if (m_inflatedThisMessage > kMaxInflatedBytes) {
            m.truncated = true;
            addNote(m, QStringLiteral("inflating stopped after %1 bytes").arg(kMaxInflatedBytes));
            p.inflating = false;
            m_inflateBroken = !m_deflate.noContextTakeover;
            return;
        }
    }
}

void WebSocketMessageAssembler::frameEnd()
{
    if (!m_current || !m_finalFrame)
        return;
    Pending& p = *m_current;
    m_current = nullptr;
    if (p.inflating)
        inflate(p, kMessageTail, sizeof kMessageTail);
    deliver(p);
}

void WebSocketMessageAssembler::deliver(Pending& p)
{
    WebSocketMessage m = std::move(p.message);
    p = {};
    m.timeNs = m_timeNs;
    if (m.opcode == WebSocketMessage::Close) {
        m_closeSeen = true;
        if (m.data.size() == 1) {
            addNote(m, QStringLiteral("close frame with a 1-byte payload (a code needs 2)"));
        } else if (m.data.size() >= 2) {
            m.closeCode = (uint8_t(m.data[0]) << 8) | uint8_t(m.data[1]);
            m.closeReason = m.data.mid(2);
            if (!m.truncated && !isValidUtf8(m.closeReason))
                addNote(m, QStringLiteral("invalid UTF-8 in the close reason"));
        }
    } else if (m.opcode == WebSocketMessage::Text && !m.truncated && !isValidUtf8(m.data)) {
        addNote(m, QStringLiteral("invalid UTF-8 in a text message"));
    }
    if (m_sink)
        m_sink(std::move(m));
}

} // namespace httptap
