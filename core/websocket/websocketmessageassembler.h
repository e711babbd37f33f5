// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// One direction of a WebSocket connection turned into messages (RFC 6455):
// frames from a WebSocketFrameReader joined into messages (fragments of a
// text or binary message, with control frames allowed in between), close code
// and reason split out, and permessage-deflate (RFC 7692) undone with zlib
// raw inflate, its window kept across messages unless the direction's
// *_no_context_takeover was negotiated.
//
// Incremental: feed() bytes as they are captured (with their capture time);
// each message goes to the sink as soon as its last frame is in.
//
// Invariants:
//  - A message keeps at most maxMessageBytes of data (size counts all of it);
//    an inflated message stops being inflated after kMaxInflatedBytes (a
//    decompression bomb), which also ends this direction's inflate context.
//  - Protocol violations (reserved opcodes or bits, an unmasked client frame,
//    a long control frame, a stray continuation, invalid UTF-8 in a text
//    message, bad deflate data) become a note on the message concerned; only
//    a frame length with its top bit set, or bytes lost outside a payload,
//    stop the direction (failed()).

#include "flow/flow.h"
#include "websocketframereader.h"

#include <functional>
#include <memory>

namespace httptap {

struct WebSocketDeflate {
    bool enabled = false; // permessage-deflate was negotiated
    bool noContextTakeover = false; // this direction's sender resets its window after each message
};

// The permessage-deflate parameters a 101 answer (or an HTTP/2 2xx) accepted in
// Sec-WebSocket-Extensions, for the client's and the server's messages.
struct WebSocketExtensions {
    WebSocketDeflate client;
    WebSocketDeflate server;
    static WebSocketExtensions fromHeader(const QByteArray& secWebSocketExtensions);
};

class WebSocketMessageAssembler : private WebSocketFrameReader::Listener
{
public:
    using Sink = std::function<void(WebSocketMessage&&)>;
    static constexpr uint64_t kMaxInflatedBytes = 256u << 20;

    WebSocketMessageAssembler(bool fromClient, WebSocketDeflate deflate, uint64_t maxMessageBytes, Sink sink);
    ~WebSocketMessageAssembler();
    WebSocketMessageAssembler(const WebSocketMessageAssembler&) = delete;
    WebSocketMessageAssembler& operator=(const WebSocketMessageAssembler&) = delete;

    void feed(const uint8_t* data, size_t size, uint64_t timeNs);
    // `bytes` of this direction were not captured here.
    void lost(uint64_t bytes, uint64_t timeNs);
    // The stream ended: a message still in progress goes out, truncated, with `reason`.
    void finish(const QString& reason, uint64_t timeNs);

    bool failed() const { return m_reader.failed(); }
    const QString& error() const { return m_reader.error(); }
    bool closeSeen() const { return m_closeSeen; }

private:
    struct Pending {
        bool active = false;
        WebSocketMessage message;
        bool inflating = false;
        bool hole = false; // bytes were lost: later ones are counted, not kept (as for HTTP bodies)
    };

    // WebSocketFrameReader::Listener
    void frameBegin(const WebSocketFrameHeader& header) override;
    void framePayload(const uint8_t* data, size_t size, uint64_t lost) override;
    void frameEnd() override;

    void keep(WebSocketMessage& message, const char* data, size_t size);
    void inflate(Pending& pending, const uint8_t* data, size_t size);
    void resetInflater(bool keepWindow);
    void deliver(Pending& pending);
    static void addNote(WebSocketMessage& message, const QString& text);

    WebSocketFrameReader m_reader;
    bool m_fromClient;
    WebSocketDeflate m_deflate;
    uint64_t m_maxMessageBytes;
    Sink m_sink;
    uint64_t m_timeNs = 0;
    Pending m_data; // a text or binary message, perhaps fragmented
    Pending m_control; // a control frame (may come between fragments)
    Pending* m_current = nullptr; // what the frame being read belongs to
    bool m_finalFrame = false; // the frame being read ends its message
    bool m_closeSeen = false;
    struct Inflater;
    std::unique_ptr<Inflater> m_inflater; // created at the first compressed message
    uint64_t m_inflatedThisMessage = 0;
    bool m_inflateBroken = false; // the context was lost (bomb guard): later compressed messages cannot be read
};

} // namespace httptap
