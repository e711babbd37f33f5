// SPDX-License-Identifier: GPL-2.0-or-later
//
// HTTP/2 framing and HPACK directly, below the flow assembler: arbitrary bytes
// are cut into frames by Http2FrameReader (in pieces, with gaps), and every
// HEADERS / PUSH_PROMISE / CONTINUATION payload goes through HpackDecoder, so
// table-size updates, huffman strings and indices into a primed table are all
// reached without having to form a whole connection first.
//
// Input: byte 0 = options (bit 0 table known, bit 1 preface expected, bits 2-7
// piece size), byte 1 = where a gap falls (0: none), then the stream.

#include "http2/hpackdecoder.h"
#include "http2/http2framereader.h"

#include <cstddef>
#include <cstdint>

namespace {

class HeaderSink : public httptap::Http2FrameReader::Listener
{
public:
    explicit HeaderSink(bool tableKnown)
        : m_hpack(tableKnown)
    {
    }

    void frame(const httptap::http2::FrameHeader& header, const uint8_t* payload) override
    {
        using httptap::http2::FrameType;
        const auto type = header.frameType();
        if (type != FrameType::Headers && type != FrameType::PushPromise && type != FrameType::Continuation)
            return;
        // Raw payload, padding and priority included: HPACK must survive whatever precedes a block.
        httptap::HttpHeaders headers;
        // Against the previous block, as Http2Connection does: repeats share its list.
        const auto result = m_hpack.decode(payload, header.length, m_previous, headers);
        m_previous = headers;
        if (!result.ok)
            m_hpack.invalidate();
        if (headers.size() > httptap::HpackDecoder::kMaxFields)
            __builtin_trap(); // the documented per-block bound
    }
    void frameDamaged(const httptap::http2::FrameHeader&, const uint8_t*, size_t, bool) override
    {
        m_hpack.invalidate();
    }
    void framingLost(const QString&) override { m_hpack.invalidate(); }

private:
    httptap::HpackDecoder m_hpack;
    httptap::HttpHeaders m_previous;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2)
        return 0;
    const uint8_t options = data[0];
    const size_t gapAt = data[1];
    data += 2;
    size -= 2;

    HeaderSink sink(options & 1);
    httptap::Http2FrameReader reader(&sink);
    if (options & 2)
        reader.expectPreface();
    const size_t piece = 1 + (options >> 2) * 37;
    for (size_t at = 0; at < size; at += piece) {
        if (gapAt && at / piece == gapAt % 8)
            reader.gap(gapAt);
        reader.feed(data + at, size - at < piece ? size - at : piece);
    }
    return 0;
}
