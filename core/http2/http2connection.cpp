// SPDX-License-Identifier: GPL-2.0-or-later
#include "http2connection.h"

#include "http2stream.h"

namespace httptap {

using http2::FrameHeader;
using http2::FrameType;
namespace flags = http2::flags;

Http2Connection::Http2Connection(AssemblyContext& context, const Flow& identity, Start start,
    std::optional<record::Direction> clientDirection)
    : m_ctx(context)
    , m_identity(identity)
    , m_clientDirection(clientDirection)
{
    ++m_ctx.stats.http2Connections;
    const bool tableKnown = start != Start::MidStream;
    for (int i = 0; i < 2; ++i) {
        m_sides[i] = std::make_unique<Side>(this, record::Direction(i), tableKnown);
        if (!tableKnown)
            continue;
        // The receiver's SETTINGS raise this; until then the RFC's default applies.
        m_sides[i]->reader.setMaxFrameSize(http2::kDefaultMaxFrameSize);
    }
    if (start != Start::MidStream && clientDirection)
        m_sides[size_t(*clientDirection)]->reader.expectPreface();
    if (clientDirection)
        m_sides[size_t(*clientDirection)]->client = true;
    if (clientDirection)
        m_identity.role = *clientDirection == record::Direction::Egress ? Flow::Role::Client : Flow::Role::Server;
}

Http2Connection::~Http2Connection() = default;

void Http2Connection::feed(record::Direction direction, uint64_t gapBytes, const uint8_t* data, size_t size,
    uint64_t timestampNs, uint32_t pid, uint32_t tid)
{
    Side& side = *m_sides[size_t(direction)];
    side.timestampNs = timestampNs;
    side.pid = pid;
    side.tid = tid;
    if (gapBytes > 0) {
        side.gapNote = QStringLiteral("%1 bytes missing (lost or not copied)").arg(gapBytes);
        side.reader.gap(gapBytes);
    }
    if (size > 0)
        side.reader.feed(data, size);
}

void Http2Connection::onFrame(Side& side, const FrameHeader& h, const uint8_t* payload)
{
    if (side.inBlock && h.frameType() != FrameType::Continuation) {
        // RFC 9113 6.10: nothing may come between HEADERS and its CONTINUATIONs.
        side.dropBlock(QStringLiteral("header block interrupted by a %1 frame").arg(http2::frameTypeName(h.type)));
    }
    switch (h.frameType()) {
    case FrameType::Data:
        if (h.streamId == 0) {
            noteConnection(QStringLiteral("protocol error: DATA frame on stream 0 ignored"));
            return;
        }
        onData(side, h, payload, 0);
        return;
    case FrameType::Headers:
    case FrameType::PushPromise:
    case FrameType::Continuation:
        if (h.streamId == 0) {
            noteConnection(QStringLiteral("protocol error: %1 frame on stream 0 ignored").arg(http2::frameTypeName(h.type)));
            side.hpack.invalidate(); // the block was never decoded: the table may now differ
            return;
        }
        onHeaderFragment(side, h, payload);
        return;
    case FrameType::RstStream:
        if (h.streamId == 0 || h.length != 4) {
            noteConnection(QStringLiteral("protocol error: malformed RST_STREAM frame ignored"));
            return;
        }
        onRstStream(side, h.streamId, http2::readU32(payload));
        return;
    case FrameType::Settings:
        if (h.streamId != 0 || h.length % 6 != 0) {
            noteConnection(QStringLiteral("protocol error: malformed SETTINGS frame ignored"));
            return;
        }
        onSettings(side, h, payload);
        return;
    case FrameType::GoAway:
        if (h.streamId != 0 || h.length < 8) {
            noteConnection(QStringLiteral("protocol error: malformed GOAWAY frame ignored"));
            return;
        }
        onGoAway(side, payload, h.length);
        return;
    case FrameType::Priority:
    case FrameType::Ping:
    case FrameType::WindowUpdate:
        return; // flow control and scheduling: nothing a flow shows
    }
    // Unknown frame types must be ignored (RFC 9113 5.5).
}

void Http2Connection::onFrameDamaged(Side& side, const FrameHeader& h, const uint8_t* partial, size_t size,
    bool oversized)
{
    const QString why = oversized
        ? QStringLiteral("%1 frame of %2 bytes exceeds SETTINGS_MAX_FRAME_SIZE (%3); skipped")
              .arg(http2::frameTypeName(h.type))
              .arg(h.length)
              .arg(side.reader.maxFrameSize())
        : side.gapNote;
    switch (h.frameType()) {
    case FrameType::Data:
        if (h.streamId == 0)
            return;
        if (Stream* s = findStream(h.streamId))
            s->addNote(why, true);
        if (m_clientDirection) {
            // Keep what was read before the loss; the rest counts as missing body bytes.
            const bool padded = h.has(flags::kPadded);
            const size_t skip = padded && size > 0 ? 1 : 0;
            FrameHeader partialHeader = h;
            partialHeader.flags = uint8_t(h.flags & ~flags::kPadded);
            partialHeader.length = uint32_t(size - skip);
            onData(side, partialHeader, partial + skip, h.length - size);
        }
        return;
    case FrameType::Headers:
    case FrameType::PushPromise:
    case FrameType::Continuation:
        side.dropBlock(why);
        side.hpack.invalidate();
        if (Stream* s = findStream(h.streamId))
            s->addNote(QStringLiteral("a header block could not be read: ") + why, true);
        return;
    default:
        return;
    }
}

void Http2Connection::onFramingLost(Side& side, const QString& reason)
{
    side.dropBlock(reason);
    // Header blocks may have been among the lost frames: the table is no longer known.
    side.hpack.invalidate();
    for (auto& [id, s] : m_streams) {
        if (!side.ended(*s))
            s->addNote(reason + QStringLiteral("; HTTP/2 framing lost until the next frame boundary"), true);
    }
}

void Http2Connection::onData(Side& side, const FrameHeader& h, const uint8_t* payload, uint64_t missing)
{
    if (!m_clientDirection)
        return; // before the roles are known a body cannot be placed
    const uint8_t* data = payload;
    size_t size = h.length;
    if (h.has(flags::kPadded)) {
        const uint8_t pad = size > 0 ? data[0] : 0;
        if (size == 0 || size_t(pad) + 1 > size) {
            if (Stream* s = findStream(h.streamId))
                s->addNote(QStringLiteral("protocol error: DATA frame padding exceeds its length; frame ignored"), true);
            return;
        }
        data += 1;
        size -= size_t(pad) + 1;
    }
    Stream* s = findStream(h.streamId);
    if (!s) {
        s = openStream(side, h.streamId);
        if (!s)
            return;
        s->addNote(QStringLiteral("stream began before the capture; its headers were not seen"), true);
    }
    HttpMessage& m = messageOf(side, *s);
    if (m.firstByteNs == 0)
        m.firstByteNs = side.timestampNs;
    m.lastByteNs = side.timestampNs;
    if (s->webSocket) {
        // RFC 8441: the DATA carries WebSocket frames, dissected into the flow's messages (not a body).
        s->webSocket->feed(side.client, missing, data, size, side.timestampNs);
        missing = 0;
    } else {
        s->appendBody(m, data, size, m_ctx.maxBodyBytes, side.timestampNs, h.has(flags::kEndStream), m_responseFields);
    }
    changed(*s);
    if (missing > 0) {
        m.bodySize += missing;
        m.bodyTruncated = true;
    }
    if (h.has(flags::kEndStream))
        endHalf(side, *s);
}

void Http2Connection::onRstStream(Side& side, uint32_t streamId, uint32_t errorCode)
{
    Stream* s = findStream(streamId);
    if (!s)
        return;
    const QString who = side.client ? QStringLiteral("client") : QStringLiteral("server");
    s->reset = true;
    finishStream(streamId,
        QStringLiteral("stream reset by the %1: %2 (0x%3)")
            .arg(m_clientDirection ? who : QStringLiteral("peer"), http2::errorCodeName(errorCode))
            .arg(errorCode, 0, 16));
}

void Http2Connection::onSettings(Side& side, const FrameHeader& h, const uint8_t* payload)
{
    if (h.has(flags::kAck))
        return;
    Side& other = *m_sides[side.direction == record::Direction::Egress ? 1 : 0];
    for (uint32_t pos = 0; pos + 6 <= h.length; pos += 6) {
        const uint16_t id = uint16_t((payload[pos] << 8) | payload[pos + 1]);
        const uint32_t value = http2::readU32(payload + pos + 2);
        // SETTINGS_MAX_FRAME_SIZE limits what the *other* direction may send.
        if (id == http2::settings::kMaxFrameSize) {
            if (value < http2::kDefaultMaxFrameSize || value > http2::kLargestMaxFrameSize)
                noteConnection(QStringLiteral("protocol error: SETTINGS_MAX_FRAME_SIZE %1 out of range").arg(value));
            else
                other.reader.setMaxFrameSize(value);
        }
    }
}

void Http2Connection::onGoAway(Side& side, const uint8_t* payload, uint32_t length)
{
    const uint32_t lastStream = http2::readU32(payload) & 0x7fffffffu;
    const uint32_t errorCode = http2::readU32(payload + 4);
    const QByteArray debug = QByteArray(reinterpret_cast<const char*>(payload + 8), qsizetype(std::min(length - 8, 256u)));
    const QString who = !m_clientDirection ? QStringLiteral("peer")
        : side.client                      ? QStringLiteral("client")
                                           : QStringLiteral("server");
    QString text = QStringLiteral("connection ended by GOAWAY from the %1: %2 (0x%3)")
                       .arg(who, http2::errorCodeName(errorCode))
                       .arg(errorCode, 0, 16);
    if (!debug.isEmpty())
        text += QStringLiteral(" \"%1\"").arg(QString::fromLatin1(debug).simplified());
    // Streams the sender never processed: those above lastStream that its peer started.
    std::vector<uint32_t> refused;
    for (auto& [id, s] : m_streams) {
        const bool startedByPeer = (id % 2 == 1) != side.client;
        if (id > lastStream && startedByPeer)
            refused.push_back(id);
        else if (errorCode != 0)
            s->addNote(text, false);
    }
    for (uint32_t id : refused)
        finishStream(id, text + QStringLiteral("; this stream was not processed"));
}

void Http2Connection::noteConnection(const QString& text)
{
    ++m_ctx.stats.http2ProtocolErrors;
    for (auto& [id, s] : m_streams)
        s->addNote(text, false);
}

void Http2Connection::close(bool captureEnded)
{
    const QString text = captureEnded ? QStringLiteral("capture ended before this stream ended")
                                      : QStringLiteral("connection closed before this stream ended");
    std::vector<uint32_t> open;
    open.reserve(m_streams.size());
    for (auto& [id, s] : m_streams)
        open.push_back(id);
    std::sort(open.begin(), open.end());
    for (uint32_t id : open)
        finishStream(id, text);
}

} // namespace httptap
