// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A text/event-stream body turned into Server-Sent Events as it arrives,
// following the WHATWG HTML "event stream interpretation": lines end in CRLF,
// LF or CR (a CRLF split across two feeds is one end); "field: value" with one
// leading space removed; `data` lines joined with "\n"; `event`; `id` (kept
// for later events, ignored when it holds NUL); `retry` (ASCII digits only);
// comments (":…") and unknown fields ignored; a blank line dispatches the
// event unless no data was given; a leading BOM is skipped; an event not
// ended by a blank line when the stream ends is never dispatched.
//
// Incremental: feed() body bytes (after transfer decoding, before nothing
// else: the caller undoes any Content-Encoding) with their capture time;
// each event goes to the sink with the time of the bytes that completed it.
//
// Invariants: a line keeps at most kMaxLineBytes and an event's data at most
// kMaxDataBytes (the rest of the line or event is dropped, and the event
// still dispatched); after lost bytes (gap()) nothing is dispatched until the
// next blank line, since the event in progress is unknowable.

#include "flow/flow.h"

#include <functional>

namespace httptap {

class SseParser
{
public:
    using Sink = std::function<void(ServerSentEvent&&)>;
    static constexpr qsizetype kMaxLineBytes = 1 << 20;
    static constexpr qsizetype kMaxDataBytes = 16 << 20;

    explicit SseParser(Sink sink)
        : m_sink(std::move(sink))
    {
    }

    void feed(const char* data, size_t size, uint64_t timeNs);
    void feed(const QByteArray& bytes, uint64_t timeNs) { feed(bytes.constData(), size_t(bytes.size()), timeNs); }
    // Bytes were lost here: drop the line and event in progress, resume after the next blank line.
    void gap();

    // The events of a whole body, each with timeNs.
    static QList<ServerSentEvent> parseAll(const QByteArray& body, uint64_t timeNs);

private:
    void line(uint64_t timeNs);
    void dispatch(uint64_t timeNs);

    Sink m_sink;
    QByteArray m_line;
    bool m_afterCR = false; // the previous byte ended a line with CR: a following LF belongs to it
    bool m_firstLine = true; // a BOM may start it
    bool m_resync = false;
    QByteArray m_data;
    bool m_haveData = false;
    QByteArray m_event;
    QByteArray m_lastId;
    int m_retryMs = -1;
};

// Appends an event to a flow, within Flow::kMaxStreamItems (beyond it only counted).
void appendServerSentEvent(Flow& flow, ServerSentEvent&& event);

} // namespace httptap
