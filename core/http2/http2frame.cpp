// SPDX-License-Identifier: GPL-2.0-or-later
#include "http2frame.h"

namespace httptap::http2 {

QLatin1StringView errorCodeName(uint32_t code)
{
    static constexpr const char* kNames[] = { "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
        "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
        "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED" };
    if (code < std::size(kNames))
        return QLatin1StringView(kNames[code]);
    return QLatin1StringView("unknown error");
}

QLatin1StringView frameTypeName(uint8_t type)
{
    static constexpr const char* kNames[] = { "DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE",
        "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION" };
    if (type < std::size(kNames))
        return QLatin1StringView(kNames[type]);
    return QLatin1StringView("unknown frame type");
}

bool plausibleFrameHeader(const uint8_t* data, size_t size)
{
    if (size < kFrameHeaderSize)
        return false;
    if (data[5] & 0x80) // reserved bit
        return false;
    const FrameHeader h = parseFrameHeader(data);
    const bool connectionLevel = h.streamId == 0;
    switch (h.frameType()) {
    case FrameType::Data:
        return !connectionLevel && (h.flags & ~(flags::kEndStream | flags::kPadded)) == 0
            && h.length <= kDefaultMaxFrameSize * 4;
    case FrameType::Headers:
        return !connectionLevel && h.length > 0 && h.length <= kDefaultMaxFrameSize * 4
            && (h.flags & ~(flags::kEndStream | flags::kEndHeaders | flags::kPadded | flags::kPriority)) == 0;
    case FrameType::Priority:
        return !connectionLevel && h.length == 5 && h.flags == 0;
    case FrameType::RstStream:
        return !connectionLevel && h.length == 4 && h.flags == 0;
    case FrameType::Settings:
        return connectionLevel && h.length % 6 == 0 && h.length <= 600 && (h.flags & ~flags::kAck) == 0
            && (!(h.flags & flags::kAck) || h.length == 0);
    case FrameType::PushPromise:
        return !connectionLevel && h.length >= 4 && h.length <= kDefaultMaxFrameSize * 4
            && (h.flags & ~(flags::kEndHeaders | flags::kPadded)) == 0;
    case FrameType::Ping:
        return connectionLevel && h.length == 8 && (h.flags & ~flags::kAck) == 0;
    case FrameType::GoAway:
        return connectionLevel && h.length >= 8 && h.length <= kDefaultMaxFrameSize && h.flags == 0;
    case FrameType::WindowUpdate:
        return h.length == 4 && h.flags == 0;
    case FrameType::Continuation:
        return !connectionLevel && h.length <= kDefaultMaxFrameSize * 4 && (h.flags & ~flags::kEndHeaders) == 0;
    }
    return false;
}

bool looksLikeFrames(const uint8_t* data, size_t size)
{
    size_t pos = 0;
    int frames = 0;
    while (pos + kFrameHeaderSize <= size) {
        if (!plausibleFrameHeader(data + pos, size - pos))
            return false;
        ++frames;
        pos += kFrameHeaderSize + parseFrameHeader(data + pos).length;
    }
    // A partial header at the end of the chunk cannot be judged; it does not count against.
    return frames > 0;
}

} // namespace httptap::http2
