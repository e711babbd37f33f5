// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// RFC 6455 framing of one direction of a WebSocket connection, incremental:
// bytes go in as they were captured (a frame split across records, many
// frames in one record), frames come out through a Listener as a header, the
// payload in pieces with the mask already removed, and an end.
//
// Invariants:
//  - No allocation follows a declared length: payloads are handed on as they
//    arrive, only the header (at most 14 bytes) is buffered, so a hostile
//    2^63-byte frame costs nothing but the bytes actually sent.
//  - A declared length with its top bit set (RFC 6455 5.2 forbids it) loses
//    the framing: the reader stops (failed() with a reason) and ignores
//    everything after. Other violations (reserved opcodes, a long or
//    fragmented control frame) leave the framing intact; the listener judges.
//  - Lost bytes inside a payload of known length keep the reader in step
//    (skip()); lost bytes anywhere else stop it.

#include <QString>

#include <cstddef>
#include <cstdint>

namespace httptap {

struct WebSocketFrameHeader {
    bool fin = false;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    uint8_t opcode = 0;
    bool masked = false;
    uint64_t length = 0;
};

class WebSocketFrameReader
{
public:
    class Listener
    {
    public:
        virtual void frameBegin(const WebSocketFrameHeader& header) = 0;
        // Unmasked payload bytes, in order; `lost` bytes of it were not captured before these.
        virtual void framePayload(const uint8_t* data, size_t size, uint64_t lost) = 0;
        virtual void frameEnd() = 0;

    protected:
        ~Listener() = default;
    };

    explicit WebSocketFrameReader(Listener& listener)
        : m_listener(listener)
    {
    }

    void feed(const uint8_t* data, size_t size);
    // `bytes` were lost at the current position. Returns false (and stops) when the framing is lost.
    bool skip(uint64_t bytes);

    bool failed() const { return m_failed; }
    const QString& error() const { return m_error; }
    uint64_t offset() const { return m_offset; } // bytes of the direction seen so far (lost ones included)
    bool inFrame() const { return m_headerSize > 0 || m_inPayload; }

private:
    size_t headerLength() const; // of the buffered header, once its first two bytes are in
    void beginPayload();
    void fail(const QString& reason);

    Listener& m_listener;
    uint8_t m_header[14] {};
    size_t m_headerSize = 0;
    bool m_inPayload = false;
    WebSocketFrameHeader m_frame;
    uint8_t m_mask[4] {};
    uint64_t m_remaining = 0; // payload bytes still to come
    uint64_t m_maskPos = 0;
    uint64_t m_pendingLost = 0; // lost payload bytes not yet reported
    uint64_t m_offset = 0;
    bool m_failed = false;
    QString m_error;
};

} // namespace httptap
