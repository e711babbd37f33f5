// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// HTTP/2 wire constants (RFC 9113) shared by the frame reader, the connection
// dissector and the tests: frame header layout, frame types, flags, settings
// and error codes, plus a plausibility check used to find frame boundaries in
// captured bytes whose start we did not see.

#include <QLatin1StringView>

#include <cstddef>
#include <cstdint>

namespace httptap::http2 {

inline constexpr size_t kFrameHeaderSize = 9;
inline constexpr char kClientPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
inline constexpr size_t kClientPrefaceSize = sizeof(kClientPreface) - 1;
inline constexpr uint32_t kDefaultMaxFrameSize = 16384;
inline constexpr uint32_t kLargestMaxFrameSize = (1u << 24) - 1;
inline constexpr uint32_t kDefaultHeaderTableSize = 4096;

enum class FrameType : uint8_t {
    Data = 0x0,
    Headers = 0x1,
    Priority = 0x2,
    RstStream = 0x3,
    Settings = 0x4,
    PushPromise = 0x5,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
};

namespace flags {
inline constexpr uint8_t kEndStream = 0x1;
inline constexpr uint8_t kAck = 0x1;
inline constexpr uint8_t kEndHeaders = 0x4;
inline constexpr uint8_t kPadded = 0x8;
inline constexpr uint8_t kPriority = 0x20;
}

namespace settings {
inline constexpr uint16_t kHeaderTableSize = 0x1;
inline constexpr uint16_t kMaxFrameSize = 0x5;
}

struct FrameHeader {
    uint32_t length = 0;
    uint8_t type = 0;
    uint8_t flags = 0;
    uint32_t streamId = 0; // reserved bit cleared

    FrameType frameType() const { return FrameType(type); }
    bool has(uint8_t flag) const { return (flags & flag) != 0; }
};

inline FrameHeader parseFrameHeader(const uint8_t* p)
{
    FrameHeader h;
    h.length = (uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2];
    h.type = p[3];
    h.flags = p[4];
    h.streamId = ((uint32_t(p[5]) << 24) | (uint32_t(p[6]) << 16) | (uint32_t(p[7]) << 8) | p[8]) & 0x7fffffffu;
    return h;
}

inline uint32_t readU32(const uint8_t* p)
{
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

// "CANCEL", "PROTOCOL_ERROR"… or "unknown error"; for notes.
QLatin1StringView errorCodeName(uint32_t code);
QLatin1StringView frameTypeName(uint8_t type);

// Whether a frame header (the first 9 bytes of data) is one a conforming peer could send:
// a known type, a length that fits the type, the right kind of stream id. Unknown types
// are legal on the wire but useless as evidence, so they do not count here.
bool plausibleFrameHeader(const uint8_t* data, size_t size);
// Whether data looks like it starts on a frame boundary: its frames, as far as they fit,
// are all plausible. Used to find HTTP/2 in a connection captured mid-stream and to
// resynchronise after lost bytes.
bool looksLikeFrames(const uint8_t* data, size_t size);

} // namespace httptap::http2
