// SPDX-License-Identifier: GPL-2.0-or-later
#include "http2framereader.h"

#include <QString>

#include <algorithm>
#include <cstring>

namespace httptap {

Http2FrameReader::Http2FrameReader(Listener* listener)
    : m_listener(listener)
{
}

void Http2FrameReader::expectPreface()
{
    m_state = State::Preface;
    m_prefaceMatched = 0;
}

void Http2FrameReader::setMaxFrameSize(uint32_t size)
{
    m_maxFrameSize = std::clamp(size, http2::kDefaultMaxFrameSize, http2::kLargestMaxFrameSize);
}

void Http2FrameReader::loseSync(const QString& reason)
{
    m_state = State::Resync;
    m_headerHave = 0;
    m_payload.clear();
    m_listener->framingLost(reason);
}

size_t Http2FrameReader::takeHeader(const uint8_t* data, size_t size)
{
    const size_t n = std::min(size, http2::kFrameHeaderSize - m_headerHave);
    std::memcpy(m_headerBytes + m_headerHave, data, n);
    m_headerHave += n;
    if (m_headerHave < http2::kFrameHeaderSize)
        return n;
    m_headerHave = 0;
    m_header = http2::parseFrameHeader(m_headerBytes);
    m_payload.clear();
    if (m_header.length > m_maxFrameSize) {
        // Larger than the receiver allowed (FRAME_SIZE_ERROR): never buffered, only skipped.
        m_listener->frameDamaged(m_header, nullptr, 0, true);
        m_skipLeft = m_header.length;
        m_state = State::Skip;
    } else {
        m_state = State::Payload;
    }
    return n;
}

namespace {

// The frame after this one in the chunk (a response's DATA after its HEADERS, as a rule) is read
// next, its payload copied into a body: its first bytes are asked for while this frame is
// dissected, so the copy finds them in the cache.
void prefetchNextFrame(const uint8_t* next, size_t available)
{
    constexpr size_t kPrefetchBytes = 2048;
    const size_t n = std::min(available, kPrefetchBytes);
    for (size_t offset = 0; offset < n; offset += 64)
        __builtin_prefetch(next + offset);
}

} // namespace

void Http2FrameReader::feed(const uint8_t* data, size_t size)
{
    if (m_state == State::Resync) {
        // Writers usually hand whole frames to one call, so a chunk start is the likely boundary.
        if (!http2::looksLikeFrames(data, size))
            return;
        m_state = State::Header;
    }
    size_t pos = 0;
    while (pos < size && m_state != State::Resync && m_state != State::Stopped) {
        switch (m_state) {
        case State::Preface: {
            const size_t n = std::min(size - pos, http2::kClientPrefaceSize - m_prefaceMatched);
            if (std::memcmp(data + pos, http2::kClientPreface + m_prefaceMatched, n) != 0) {
                loseSync(QStringLiteral("the HTTP/2 connection preface is malformed"));
                return;
            }
            m_prefaceMatched += n;
            pos += n;
            if (m_prefaceMatched == http2::kClientPrefaceSize)
                m_state = State::Header;
            break;
        }
        case State::Header:
            if (m_headerHave == 0 && size - pos >= http2::kFrameHeaderSize) {
                // Fast path: the header and maybe the whole payload are in this chunk.
                m_header = http2::parseFrameHeader(data + pos);
                if (m_header.length <= m_maxFrameSize && size - pos - http2::kFrameHeaderSize >= m_header.length) {
                    pos += http2::kFrameHeaderSize;
                    prefetchNextFrame(data + pos + m_header.length, size - pos - m_header.length);
                    m_listener->frame(m_header, data + pos);
                    pos += m_header.length;
                    break;
                }
            }
            pos += takeHeader(data + pos, size - pos);
            if (m_state == State::Payload && m_header.length == 0) {
                m_state = State::Header;
                m_listener->frame(m_header, nullptr);
            }
            break;
        case State::Payload: {
            const size_t n = std::min(size - pos, size_t(m_header.length) - m_payload.size());
            m_payload.insert(m_payload.end(), data + pos, data + pos + n);
            pos += n;
            if (m_payload.size() == m_header.length) {
                m_state = State::Header;
                m_listener->frame(m_header, m_payload.data());
                m_payload.clear();
            }
            break;
        }
        case State::Skip: {
            const uint64_t n = std::min<uint64_t>(size - pos, m_skipLeft);
            m_skipLeft -= n;
            pos += size_t(n);
            if (m_skipLeft == 0)
                m_state = State::Header;
            break;
        }
        case State::Resync:
        case State::Stopped:
            break;
        }
    }
}

void Http2FrameReader::gap(uint64_t bytes)
{
    if (bytes == 0)
        return;
    switch (m_state) {
    case State::Payload: {
        const uint64_t left = m_header.length - m_payload.size();
        m_listener->frameDamaged(m_header, m_payload.data(), m_payload.size(), false);
        m_payload.clear();
        if (bytes > left) {
            loseSync(QStringLiteral("%1 bytes missing across HTTP/2 frames").arg(bytes));
            return;
        }
        m_skipLeft = left - bytes;
        m_state = m_skipLeft ? State::Skip : State::Header;
        return;
    }
    case State::Skip:
        if (bytes > m_skipLeft) {
            loseSync(QStringLiteral("%1 bytes missing across HTTP/2 frames").arg(bytes));
            return;
        }
        m_skipLeft -= bytes;
        if (m_skipLeft == 0)
            m_state = State::Header;
        return;
    case State::Preface:
    case State::Header:
        loseSync(QStringLiteral("%1 bytes missing across HTTP/2 frames").arg(bytes));
        return;
    case State::Resync:
    case State::Stopped:
        return;
    }
}

} // namespace httptap
