// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// One direction of an HTTP/1.x connection, parsed with llhttp: either a
// sequence of requests or a sequence of responses. Builds one HttpMessage at
// a time (headers in original order and case, values joined across callbacks
// and chunks, chunked bodies de-framed, trailers) and hands it to a Listener
// when complete.
//
// Invariants:
//  - Memory per message is bounded: at most kMaxHeaderCount header fields and
//    kMaxHeaderBytes of start line + headers + trailers, and at most
//    maxBodyBytes of body (bodySize still counts every byte). Exceeding a header
//    limit is an error, like malformed input: the caller gives up on the stream.
//  - After Error, feed() does nothing until reset().
//  - After Upgrade (CONNECT, a request with Upgrade, a 101 or a successful
//    CONNECT response) the parser stops where the other protocol begins; the
//    caller either abandons the stream or calls resumeAfterUpgrade().
//  - Listener callbacks run synchronously inside feed()/finish(); the listener
//    must not call back into this parser from them, except abort().

#include "flow/flow.h"
#include "flow/heldarrival.h"
#include "http/recenttexts.h"

#include <QString>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

struct llhttp__internal_s; // llhttp_t; its header stays out of ours

namespace httptap {

class Http1Parser
{
public:
    enum class Type : uint8_t { Request, Response };
    enum class BodyMode : uint8_t {
        Normal, // let the headers decide (Content-Length, chunked, EOF)
        Skip, // no body whatever the headers say (response to HEAD)
        Stop, // no body, and the connection leaves HTTP after this message (101, CONNECT 2xx)
    };
    enum class Result : uint8_t {
        Ok, // all bytes consumed
        Upgrade, // stopped after an upgrading message; bytes from *consumed on are another protocol
        Error, // malformed input or a limit; see errorString()
    };

    class Listener
    {
    public:
        virtual ~Listener() = default;
        virtual void messageBegin(Http1Parser& parser) = 0;
        // The start line and headers of parser.message() are known.
        virtual BodyMode headersComplete(Http1Parser& parser) = 0;
        virtual void messageComplete(Http1Parser& parser, HttpMessage&& message) = 0;
        // Something the user should know about the current message; truncates says bytes are missing.
        virtual void note(Http1Parser& parser, const QString& text, bool truncates) = 0;
        // Body bytes as they arrive (de-chunked; all of them, also beyond the stored limit).
        virtual void bodyData(Http1Parser& parser, const char* data, size_t size)
        {
            Q_UNUSED(parser);
            Q_UNUSED(data);
            Q_UNUSED(size);
        }
    };

    static constexpr int kMaxHeaderCount = 1000;
    static constexpr uint64_t kMaxHeaderBytes = 1u << 20;

    Http1Parser(Type type, Listener* listener, uint64_t maxBodyBytes);
    ~Http1Parser();
    Http1Parser(const Http1Parser&) = delete;
    Http1Parser& operator=(const Http1Parser&) = delete;

    Type type() const { return m_type; }

    // Parses bytes that arrived at timestampNs. *consumed is how far parsing got
    // (all of size unless Upgrade or Error).
    Result feed(const uint8_t* data, size_t size, uint64_t timestampNs, size_t* consumed);
    // The stream ended: completes a message whose body runs to EOF. Returns Error
    // (message left in progress) if the stream ended mid-message.
    Result finish(uint64_t timestampNs);
    // `bytes` of the stream are missing here. Returns true when the parser can
    // stay in step: the gap lies within a body whose remaining length is known
    // (Content-Length, a chunk) or that runs to EOF. The missing bytes count in
    // bodySize; the stored body keeps only the bytes before the gap.
    bool skipGap(uint64_t bytes);
    // Forget any message in progress and expect the start of a new one.
    void reset();
    void resumeAfterUpgrade();
    // Stops parsing with an error; the one call a listener may make from its callbacks
    // (feed() then returns Error with this reason).
    void abort(const QString& reason);

    bool inMessage() const { return m_inMessage; }
    // The current message's start line and headers are complete (its body may still be coming).
    bool headersDone() const { return m_inMessage && m_headersDone; }
    bool hasError() const { return m_error; }
    const QString& errorString() const { return m_errorString; }
    // The message being parsed (valid while inMessage()).
    HttpMessage& message() { return m_message; }
    // Takes the message in progress, e.g. to report it when the stream ends early.
    HttpMessage takeMessage();

private:
    struct Callbacks;
    friend struct Callbacks;

    bool addHeaderBytes(size_t size) // inline: runs for every span of the start line and headers
    {
        m_headerBytes += size;
        return m_headerBytes <= kMaxHeaderBytes || headerBytesExceeded();
    }
    bool headerBytesExceeded();
    void commitHeader();
    static constexpr uint8_t kNameFromPrevious = 1;
    static constexpr uint8_t kValueFromPrevious = 2;
    void appendField(QByteArray& to, const char* at, size_t size, QByteArray HttpHeader::*part, uint8_t fromPreviousBit);
    void divergeFromPrevious();
    bool switchToRecentList(const QByteArray* name, const QByteArray* value);
    void rememberList(const HttpHeaders& headers);
    void keepHeaders(); // the message's header list shrinks to its exact size
    bool takeRecentBlock(const char* at);
    bool useRecentBlock(size_t index);
    void rememberBlock();
    Result feedRepeatedHead(const char* begin, const char* p, const char* end, const char** next, size_t* consumed);
    // llhttp over [from, to), resuming after pauses; *stop is where it stopped (to when it did not).
    int execute(const char* from, const char* to, const char** stop);
    Result failed(int err, const char* begin, const char* stop, size_t* consumed);
    void storeBody(const char* at, size_t size);
    void beginMessage();
    void setError(const QString& text);

    Type m_type;
    Listener* m_listener;
    uint64_t m_maxBodyBytes;
    std::unique_ptr<::llhttp__internal_s> m_parser;

    HttpMessage m_message;
    RecentTexts m_recent;
    QByteArray m_fieldName;
    QByteArray m_fieldValue;
    uint64_t m_headerBytes = 0;
    int m_headerCount = 0;
    // The previous message's fields, shared with its flow. While this message's fields repeat
    // them one for one (m_sameSoFar), they are only counted; if they all do, the two messages
    // share one list, else the message gets its own list (divergeFromPrevious).
    HttpHeaders m_previousHeaders;
    qsizetype m_sameFields = 0;
    bool m_sameSoFar = false;
    // Header lists of recent messages (m_previousHeaders among them, as a rule). A message that
    // leaves the previous one's fields may go on as another recent message did, field for field
    // (responses that differ in Content-Length alone, cycling through a few lengths): it then
    // continues against that list, and shares it if it ends there (switchToRecentList).
    static constexpr size_t kRecentLists = 8;
    std::array<HttpHeaders, kRecentLists> m_recentLists;
    size_t m_nextRecentList = 0;
    // The header block (first field name to last value, then CRLF CRLF) each recent list was
    // parsed from, when it came whole in one feed. A message whose block repeats one of these byte
    // for byte gets that list without a callback per field (takeRecentBlock, useRecentBlock).
    // When the message starts a feed, llhttp does not even read the block again: it reads the
    // block's framing lines instead (feedRepeatedHead), the fields llhttp itself acts on, which
    // leave it in the state the whole block did. Otherwise llhttp parses the block's bytes with
    // the field callbacks off until the headers are complete.
    struct RawBlock {
        QByteArray bytes;
        uint64_t spanBytes = 0; // what the field spans add to m_headerBytes
        QByteArray framing; // its framing lines, then CRLF; empty: the block is not plain enough for that
    };
    std::array<RawBlock, kRecentLists> m_recentBlocks;
    static constexpr qsizetype kMaxRawBlock = 4096; // longer blocks are parsed field by field
    const char* m_blockStart = nullptr; // the current message's first field name (null: none yet)
    const char* m_lastValueEnd = nullptr; // just past its latest value span
    uint64_t m_blockFeed = 0; // the feed the block started in (m_feedSerial then)
    uint64_t m_blockHeaderBytes = 0; // m_headerBytes before the block
    uint64_t m_feedSerial = 0; // counts feed() calls: spans of one feed share one buffer
    const char* m_feedEnd = nullptr; // end of the buffer being fed
    bool m_quietBlock = false; // the block repeats a recent one: field callbacks are off
    // The field being read has its name / value equal to the previous message's field at the same
    // place; while m_sameSoFar that is only noted here (m_fieldName / m_fieldValue stay empty).
    uint8_t m_fromPrevious = 0;
    HeldArrival m_heldArrival; // the body's first arrival, listed only when the body arrives in pieces
    uint64_t m_timestampNs = 0;
    bool m_inMessage = false;
    bool m_headersDone = false;
    bool m_inChunkData = false;
    bool m_bodyHole = false; // bytes after a gap are counted but not stored
    bool m_bodyLimitNoted = false;
    bool m_filler = false; // feeding a placeholder byte for a gap; on_body ignores it
    bool m_error = false;
    QString m_errorString;
};

} // namespace httptap
