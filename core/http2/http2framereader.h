// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Cuts one direction of an HTTP/2 connection into frames, across captured
// chunks of any size: a frame split over many chunks is gathered, a chunk
// holding many frames yields them all. The client's direction may start with
// the connection preface, which is checked and skipped.
//
// Invariants:
//  - Memory is bounded by the largest frame accepted (maxFrameSize, at most
//    16 MiB - 1 by the length field's width); a frame larger than the peer
//    allowed is skipped, not buffered. Frames that arrive whole in one chunk
//    are handed out in place, without a copy.
//  - Lost bytes inside a frame's payload leave the reader in step (it knows
//    where the frame ends): the frame is reported damaged. Lost bytes that
//    reach a frame header lose the framing; the reader then waits for a chunk
//    that starts with a plausible frame header (see http2::looksLikeFrames).
//  - Listener callbacks run synchronously inside feed()/gap().

#include "http2frame.h"

#include <vector>

namespace httptap {

class Http2FrameReader
{
public:
    class Listener
    {
    public:
        virtual ~Listener() = default;
        // A whole frame; payload holds header.length bytes.
        virtual void frame(const http2::FrameHeader& header, const uint8_t* payload) = 0;
        // A frame whose payload was not (fully) read: bytes were lost inside it, or it was
        // larger than the peer allowed. `partial` holds the payload bytes read before the loss.
        virtual void frameDamaged(const http2::FrameHeader& header, const uint8_t* partial, size_t partialSize,
            bool oversized) = 0;
        // The framing is lost (bytes missing across a frame header, a bad preface); frames
        // may have gone unseen. Called once per loss.
        virtual void framingLost(const QString& reason) = 0;
    };

    explicit Http2FrameReader(Listener* listener);

    // The stream starts with the client connection preface.
    void expectPreface();
    void setMaxFrameSize(uint32_t size);
    uint32_t maxFrameSize() const { return m_maxFrameSize; }
    // Bytes of one captured chunk, in stream order.
    void feed(const uint8_t* data, size_t size);
    // `bytes` of the stream are missing here.
    void gap(uint64_t bytes);
    // Stop: later bytes are ignored (the caller lost interest in this direction).
    void stop() { m_state = State::Stopped; }
    bool inSync() const { return m_state != State::Resync && m_state != State::Stopped; }

private:
    enum class State : uint8_t { Preface, Header, Payload, Skip, Resync, Stopped };

    void loseSync(const QString& reason);
    size_t takeHeader(const uint8_t* data, size_t size);

    Listener* m_listener;
    State m_state = State::Header;
    uint32_t m_maxFrameSize = http2::kLargestMaxFrameSize;
    size_t m_prefaceMatched = 0;
    uint8_t m_headerBytes[http2::kFrameHeaderSize] = {};
    size_t m_headerHave = 0;
    http2::FrameHeader m_header;
    std::vector<uint8_t> m_payload; // capacity kept between frames
    uint64_t m_skipLeft = 0;
};

} // namespace httptap
