// SPDX-License-Identifier: GPL-2.0-or-later
#include "websocketframereader.h"

#include <algorithm>

namespace httptap {

size_t WebSocketFrameReader::headerLength() const
{
    const uint8_t len7 = m_header[1] & 0x7f;
    const size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    return 2 + extended + ((m_header[1] & 0x80) ? 4 : 0);
}

void WebSocketFrameReader::fail(const QString& reason)
{
    m_failed = true;
    m_error = reason;
}

void WebSocketFrameReader::beginPayload()
{
    const uint8_t b0 = m_header[0];
    const uint8_t b1 = m_header[1];
    m_frame = {};
    m_frame.fin = b0 & 0x80;
    m_frame.rsv1 = b0 & 0x40;
    m_frame.rsv2 = b0 & 0x20;
    m_frame.rsv3 = b0 & 0x10;
    m_frame.opcode = b0 & 0x0f;
    m_frame.masked = b1 & 0x80;
    const uint8_t len7 = b1 & 0x7f;
    size_t pos = 2;
    if (len7 == 126) {
        m_frame.length = (uint64_t(m_header[2]) << 8) | m_header[3];
        pos = 4;
    } else if (len7 == 127) {
        uint64_t length = 0;
        for (size_t i = 2; i < 10; ++i)
            length = (length << 8) | m_header[i];
        if (length >> 63) {
            fail(QStringLiteral("a frame at offset %1 declares %2 bytes (the top bit must be 0); the framing is lost")
                     .arg(m_offset - m_headerSize)
                     .arg(length));
            return;
        }
        m_frame.length = length;
        pos = 10;
    } else {
        m_frame.length = len7;
    }
    if (m_frame.masked)
        std::copy_n(m_header + pos, 4, m_mask);
    m_headerSize = 0;
    m_remaining = m_frame.length;
    m_maskPos = 0;
    m_pendingLost = 0;
    m_inPayload = true;
    m_listener.frameBegin(m_frame);
    if (m_remaining == 0) {
        m_inPayload = false;
        m_listener.frameEnd();
    }
}

void WebSocketFrameReader::feed(const uint8_t* data, size_t size)
{
    while (size > 0 && !m_failed) {
        if (!m_inPayload) {
            // Header bytes: the first two say how many follow.
            const size_t want = m_headerSize < 2 ? 2 : headerLength();
            const size_t take = std::min(size, want - m_headerSize);
            std::copy_n(data, take, m_header + m_headerSize);
            m_headerSize += take;
            m_offset += take;
            data += take;
            size -= take;
            if (m_headerSize >= 2 && m_headerSize == headerLength())
                beginPayload();
            continue;
        }
        const size_t take = size_t(std::min<uint64_t>(size, m_remaining));
        // Unmask in bounded pieces on the stack: the payload is never held here.
        uint8_t piece[4096];
        for (size_t done = 0; done < take;) {
            const size_t n = std::min(take - done, sizeof piece);
            for (size_t i = 0; i < n; ++i)
                piece[i] = m_frame.masked ? uint8_t(data[done + i] ^ m_mask[(m_maskPos + i) & 3]) : data[done + i];
            m_maskPos += n;
            m_listener.framePayload(piece, n, std::exchange(m_pendingLost, 0));
            done += n;
        }
        m_remaining -= take;
        m_offset += take;
        data += take;
        size -= take;
        if (m_remaining == 0) {
            m_inPayload = false;
            if (m_pendingLost > 0)
                m_listener.framePayload(nullptr, 0, std::exchange(m_pendingLost, 0));
            m_listener.frameEnd();
        }
    }
}

bool WebSocketFrameReader::skip(uint64_t bytes)
{
    if (m_failed || bytes == 0)
        return !m_failed;
    if (!m_inPayload || bytes > m_remaining) {
        fail(QStringLiteral("%1 bytes lost at offset %2, where a frame header was due; the framing is lost")
                 .arg(bytes)
                 .arg(m_offset));
        return false;
    }
    m_remaining -= bytes;
    m_maskPos += bytes;
    m_offset += bytes;
    m_pendingLost += bytes;
    if (m_remaining == 0) {
        m_inPayload = false;
        m_listener.framePayload(nullptr, 0, std::exchange(m_pendingLost, 0));
        m_listener.frameEnd();
    }
    return true;
}

} // namespace httptap
