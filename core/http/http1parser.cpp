// SPDX-License-Identifier: GPL-2.0-or-later
#include "http1parser.h"

#include "flow/limittext.h"
#include "headerlist.h"
#include "headertext.h"

#include <llhttp.h>

#include <algorithm>
#include <cstring>

namespace httptap {

namespace {

// Spans usually arrive whole; building the first piece at its exact size skips the
// growth heuristics of append() on an empty array, and common texts (methods,
// reasons, header names and values) take no allocation at all (headertext.h),
// nor do texts the connection sent before (recenttexts.h).
void appendSpan(RecentTexts& recent, QByteArray& to, const char* at, size_t size)
{
    if (to.isEmpty())
        to = recent.text(at, size);
    else
        to.append(at, qsizetype(size));
}

Http1Parser* self(llhttp_t* p) { return static_cast<Http1Parser*>(p->data); }

bool sameText(const QByteArray& text, const char* at, size_t size)
{
    return size_t(text.size()) == size && sameBytes(text.constData(), at, size);
}

// Texts of recent messages are mostly shared (recenttexts.h, headertext.h): the same data first.
bool sameText(const QByteArray& a, const QByteArray& b)
{
    return a.size() == b.size() && (a.constData() == b.constData() || sameBytes(a.constData(), b.constData(), size_t(a.size())));
}

// The lines of a header block that llhttp acts on (framing, keep-alive, upgrade), each with its
// CRLF, then the CRLF that ends the headers: fed to llhttp in place of the block they came from,
// they leave it in the state the whole block did, as llhttp keeps nothing of the other fields.
// Empty when a line is not plain `name: value` CRLF (obs-fold, a lone CR or LF): there leaving
// lines out could change what llhttp makes of the rest.
QByteArray framingLines(const QByteArray& block)
{
    static constexpr QByteArrayView kFramingNames[] = { "connection", "content-length", "proxy-connection",
        "transfer-encoding", "upgrade" };
    QByteArray framing;
    const char* p = block.constData();
    const char* const end = p + block.size();
    while (p < end) {
        const char* eol = p;
        while (eol < end && *eol != '\r' && *eol != '\n')
            ++eol;
        if (eol < end && (end - eol < 3 || eol[0] != '\r' || eol[1] != '\n'))
            return {}; // a lone CR or LF, or a line break the block ends with
        const char* colon = static_cast<const char*>(std::memchr(p, ':', size_t(eol - p)));
        if (eol == p || *p == ' ' || *p == '\t' || !colon)
            return {};
        const QByteArrayView name(p, colon - p);
        for (QByteArrayView framingName : kFramingNames) {
            if (sameNameIgnoringCase(name, framingName)) {
                framing.append(p, eol - p).append("\r\n");
                break;
            }
        }
        p = eol < end ? eol + 2 : end;
    }
    framing.append("\r\n");
    return framing;
}

} // namespace

// llhttp reports through C callbacks; these forward to the parser that owns the llhttp_t.
struct Http1Parser::Callbacks {
    static int onMessageBegin(llhttp_t* p)
    {
        self(p)->beginMessage();
        return self(p)->m_error ? -1 : 0; // the listener may refuse more messages
    }

    static int onMethod(llhttp_t* p, const char* at, size_t size)
    {
        Http1Parser* s = self(p);
        if (!s->addHeaderBytes(size))
            return -1;
        appendSpan(s->m_recent, s->m_message.method, at, size);
        return 0;
    }

    static int onUrl(llhttp_t* p, const char* at, size_t size)
    {
        Http1Parser* s = self(p);
        if (!s->addHeaderBytes(size))
            return -1;
        appendSpan(s->m_recent, s->m_message.target, at, size);
        return 0;
    }

    static int onStatus(llhttp_t* p, const char* at, size_t size)
    {
        Http1Parser* s = self(p);
        if (!s->addHeaderBytes(size))
            return -1;
        appendSpan(s->m_recent, s->m_message.reason, at, size);
        return 0;
    }

    // Recorded as soon as known so a message cut off in its headers still shows them.
    static int onVersionComplete(llhttp_t* p)
    {
        self(p)->m_message.versionMajor = p->http_major;
        self(p)->m_message.versionMinor = p->http_minor;
        return 0;
    }

    static int onStatusComplete(llhttp_t* p)
    {
        self(p)->m_message.status = p->status_code;
        return 0;
    }

    static int onHeaderField(llhttp_t* p, const char* at, size_t size)
    {
        Http1Parser* s = self(p);
        if (!s->m_blockStart && !s->m_headersDone) {
            // The message's first field: its whole header block may be one a recent message sent.
            s->m_blockStart = at;
            s->m_blockFeed = s->m_feedSerial;
            s->m_blockHeaderBytes = s->m_headerBytes;
            if (s->takeRecentBlock(at))
                return 0;
            if (s->m_error)
                return -1;
        }
        if (!s->addHeaderBytes(size))
            return -1;
        s->appendField(s->m_fieldName, at, size, &HttpHeader::name, kNameFromPrevious);
        return 0;
    }

    static int onHeaderValue(llhttp_t* p, const char* at, size_t size)
    {
        Http1Parser* s = self(p);
        if (!s->addHeaderBytes(size))
            return -1;
        s->m_lastValueEnd = at + size;
        s->appendField(s->m_fieldValue, at, size, &HttpHeader::value, kValueFromPrevious);
        return 0;
    }

    static int onHeaderValueComplete(llhttp_t* p)
    {
        Http1Parser* s = self(p);
        if (++s->m_headerCount > kMaxHeaderCount) {
            s->setError(QStringLiteral("more than %1 header fields in one message").arg(kMaxHeaderCount));
            return -1;
        }
        if (s->m_sameSoFar && s->m_fromPrevious == (kNameFromPrevious | kValueFromPrevious)) {
            // commitHeader's most common case, here without the call: the previous message's field again.
            s->m_fromPrevious = 0;
            ++s->m_sameFields;
            return 0;
        }
        s->commitHeader();
        return 0;
    }

    static int onHeadersComplete(llhttp_t* p)
    {
        Http1Parser* s = self(p);
        HttpMessage& m = s->m_message;
        const bool quiet = std::exchange(s->m_quietBlock, false);
        if (quiet)
            p->settings = const_cast<llhttp_settings_t*>(&settings()); // trailers come field by field
        m.versionMajor = p->http_major;
        m.versionMinor = p->http_minor;
        if (s->m_type == Type::Request) {
            if (m.method.isEmpty())
                m.method = llhttp_method_name(llhttp_method_t(p->method));
        } else {
            m.status = p->status_code;
        }
        s->m_headersDone = true;
        s->keepHeaders();
        if (s->m_previousHeaders.constData() != s->m_message.headers.constData()) {
            s->m_previousHeaders = s->m_message.headers; // shared, not copied
            s->rememberList(s->m_previousHeaders);
        }
        if (!quiet)
            s->rememberBlock();
        const BodyMode mode = s->m_listener->headersComplete(*s);
        if (mode != BodyMode::Normal)
            return mode == BodyMode::Skip ? 1 : 2;
        if ((p->flags & F_CONTENT_LENGTH) && !(p->flags & F_CHUNKED) && p->content_length > 0) {
            // One allocation for a declared body, within reason: the length is the peer's claim.
            const uint64_t expected = std::min<uint64_t>({ p->content_length, s->m_maxBodyBytes, 256 * 1024 });
            m.body.reserve(qsizetype(expected));
        }
        return 0;
    }

    static int onBody(llhttp_t* p, const char* at, size_t size)
    {
        Http1Parser* s = self(p);
        if (!s->m_filler)
            s->storeBody(at, size);
        return 0;
    }

    static int onChunkHeader(llhttp_t* p)
    {
        self(p)->m_inChunkData = p->content_length > 0;
        return 0;
    }

    static int onChunkComplete(llhttp_t* p)
    {
        self(p)->m_inChunkData = false;
        return 0;
    }

    static int onMessageComplete(llhttp_t* p)
    {
        Http1Parser* s = self(p);
        s->m_message.complete = true;
        s->m_message.lastByteNs = s->m_timestampNs;
        s->m_inMessage = false;
        s->m_headersDone = false;
        s->m_inChunkData = false;
        // The next message starts from a fresh HttpMessage in beginMessage().
        s->m_listener->messageComplete(*s, std::move(s->m_message));
        return 0;
    }

    static const llhttp_settings_t& settings()
    {
        static const llhttp_settings_t instance = [] {
            llhttp_settings_t st;
            llhttp_settings_init(&st);
            st.on_message_begin = onMessageBegin;
            st.on_method = onMethod;
            st.on_url = onUrl;
            st.on_status = onStatus;
            st.on_version_complete = onVersionComplete;
            st.on_status_complete = onStatusComplete;
            st.on_header_field = onHeaderField;
            st.on_header_value = onHeaderValue;
            st.on_header_value_complete = onHeaderValueComplete;
            st.on_headers_complete = onHeadersComplete;
            st.on_body = onBody;
            st.on_chunk_header = onChunkHeader;
            st.on_chunk_complete = onChunkComplete;
            st.on_message_complete = onMessageComplete;
            return st;
        }();
        return instance;
    }

    // While a header block repeats a recent one (takeRecentBlock): no callback per field.
    static const llhttp_settings_t& quietSettings()
    {
        static const llhttp_settings_t instance = [] {
            llhttp_settings_t st = settings();
            st.on_header_field = nullptr;
            st.on_header_value = nullptr;
            st.on_header_value_complete = nullptr;
            return st;
        }();
        return instance;
    }
};

Http1Parser::Http1Parser(Type type, Listener* listener, uint64_t maxBodyBytes)
    : m_type(type)
    , m_listener(listener)
    , m_maxBodyBytes(maxBodyBytes)
    , m_parser(std::make_unique<llhttp_t>())
{
    reset();
}

Http1Parser::~Http1Parser() = default;

void Http1Parser::reset()
{
    llhttp_init(m_parser.get(), m_type == Type::Request ? HTTP_REQUEST : HTTP_RESPONSE, &Callbacks::settings());
    m_parser->data = this;
    // A captured stream is what it is: accept data after "Connection: close" rather than
    // failing on a peer that ignores it, since dropping bytes helps no one here.
    llhttp_set_lenient_keep_alive(m_parser.get(), 1);
    m_message = HttpMessage();
    m_fieldName.clear();
    m_fieldValue.clear();
    m_headerBytes = 0;
    m_headerCount = 0;
    m_previousHeaders.clear();
    for (HttpHeaders& list : m_recentLists)
        list.clear();
    for (RawBlock& block : m_recentBlocks)
        block = RawBlock();
    m_quietBlock = false;
    m_blockStart = nullptr;
    m_lastValueEnd = nullptr;
    m_nextRecentList = 0;
    m_sameSoFar = false;
    m_sameFields = 0;
    m_fromPrevious = 0;
    m_heldArrival.clear();
    m_inMessage = false;
    m_headersDone = false;
    m_inChunkData = false;
    m_bodyHole = false;
    m_bodyLimitNoted = false;
    m_filler = false;
    m_error = false;
    m_errorString.clear();
}

void Http1Parser::beginMessage()
{
    m_message = HttpMessage();
    m_message.firstByteNs = m_timestampNs;
    m_message.lastByteNs = m_timestampNs;
    m_sameSoFar = !m_previousHeaders.isEmpty();
    m_sameFields = 0;
    m_fromPrevious = 0;
    m_fieldName.clear();
    m_fieldValue.clear();
    m_headerBytes = 0;
    m_headerCount = 0;
    m_heldArrival.clear();
    m_blockStart = nullptr;
    m_lastValueEnd = nullptr;
    m_quietBlock = false;
    m_inMessage = true;
    m_headersDone = false;
    m_inChunkData = false;
    m_bodyHole = false;
    m_bodyLimitNoted = false;
    m_listener->messageBegin(*this);
}

bool Http1Parser::headerBytesExceeded()
{
    setError(QStringLiteral("start line and headers longer than %1").arg(limitText(kMaxHeaderBytes)));
    return false;
}

void Http1Parser::commitHeader()
{
    if (m_headersDone) {
        m_message.editRare().trailers.emplaceBack(HttpHeader { std::move(m_fieldName), std::move(m_fieldValue) });
        return;
    }
    uint8_t fromPrevious = std::exchange(m_fromPrevious, 0);
    if (m_sameSoFar) {
        // An empty value may come without a span at all: equal to an empty previous one.
        if (fromPrevious == kNameFromPrevious && m_fieldValue.isEmpty()
            && m_previousHeaders.at(m_sameFields).value.isEmpty())
            fromPrevious |= kValueFromPrevious;
        if (fromPrevious == (kNameFromPrevious | kValueFromPrevious)) {
            // Still the previous message's fields: counted, not stored (keepHeaders shares its list).
            ++m_sameFields;
            return;
        }
        // A part taken whole from the previous message was only noted (appendField): fetch it. With
        // nothing noted the field may lie beyond the previous message's last one.
        const HttpHeader* previous = fromPrevious ? &m_previousHeaders.at(m_sameFields) : nullptr;
        if (switchToRecentList(fromPrevious & kNameFromPrevious ? &previous->name : &m_fieldName,
                fromPrevious & kValueFromPrevious ? &previous->value : &m_fieldValue)) {
            m_fieldName.clear();
            m_fieldValue.clear();
            ++m_sameFields;
            return;
        }
        if (fromPrevious & kNameFromPrevious)
            m_fieldName = previous->name;
        if (fromPrevious & kValueFromPrevious)
            m_fieldValue = previous->value;
        divergeFromPrevious();
    }
    // Moving leaves both fields empty (null), ready for the next header's first span.
    m_message.headers.emplaceBack(HttpHeader { std::move(m_fieldName), std::move(m_fieldValue) });
}

void Http1Parser::divergeFromPrevious()
{
    // This message's fields differ from the previous one's after the first m_sameFields: a list
    // of its own, with room for as many fields as the previous message had (often the same count).
    m_sameSoFar = false;
    HttpHeaders& headers = m_message.headers;
    headers.reserve(std::max(m_previousHeaders.size(), m_sameFields + 1));
    for (qsizetype i = 0; i < m_sameFields; ++i)
        headers.append(m_previousHeaders.at(i));
}

bool Http1Parser::switchToRecentList(const QByteArray* name, const QByteArray* value)
{
    // Another recent list whose first m_sameFields fields are the previous list's (so this
    // message's), and whose next field is (name, value) — or which ends there when name is null.
    const qsizetype same = m_sameFields;
    for (const HttpHeaders& list : m_recentLists) {
        if (list.constData() == m_previousHeaders.constData() || list.size() < same + (name ? 1 : 0)
            || (!name && list.size() != same) || list.isEmpty())
            continue;
        if (name && !(sameText(list.at(same).name, *name) && sameText(list.at(same).value, *value)))
            continue;
        bool prefix = true;
        for (qsizetype i = same - 1; prefix && i >= 0; --i) {
            prefix = sameText(list.at(i).name, m_previousHeaders.at(i).name)
                && sameText(list.at(i).value, m_previousHeaders.at(i).value);
        }
        if (!prefix)
            continue;
        m_previousHeaders = list; // name and value are not read after this (they may be the old list's)
        return true;
    }
    return false;
}

void Http1Parser::rememberList(const HttpHeaders& headers)
{
    for (const HttpHeaders& list : m_recentLists) {
        if (list.constData() == headers.constData())
            return;
    }
    m_recentLists[m_nextRecentList] = headers;
    m_recentBlocks[m_nextRecentList] = RawBlock(); // its block, if any, is learnt when it next comes whole
    m_nextRecentList = (m_nextRecentList + 1) % kRecentLists;
}

bool Http1Parser::takeRecentBlock(const char* at)
{
    const size_t left = size_t(m_feedEnd - at);
    for (size_t i = 0; i < kRecentLists; ++i) {
        const RawBlock& block = m_recentBlocks[i];
        const size_t size = size_t(block.bytes.size());
        // The end first (CRLF CRLF right after it): a block of another length fails there.
        if (size == 0 || size + 4 > left || !sameBytes(at + size, "\r\n\r\n", 4)
            || !sameBytes(at, block.bytes.constData(), size))
            continue;
        return useRecentBlock(i);
    }
    return false;
}

bool Http1Parser::useRecentBlock(size_t index)
{
    if (!addHeaderBytes(m_recentBlocks[index].spanBytes))
        return false;
    // The same bytes make the same fields: the list parsed from them before.
    m_message.headers = m_recentLists[index];
    m_headerCount = int(m_message.headers.size());
    m_sameSoFar = false;
    m_sameFields = 0;
    m_fromPrevious = 0;
    m_quietBlock = true;
    m_parser->settings = const_cast<llhttp_settings_t*>(&Callbacks::quietSettings());
    return true;
}

void Http1Parser::rememberBlock()
{
    // Only a block that came whole in the current feed and ends with a value followed by CRLF CRLF
    // (so that its bytes alone decide its fields), for the list it was parsed into.
    if (!m_blockStart || m_blockFeed != m_feedSerial || !m_lastValueEnd || m_lastValueEnd <= m_blockStart)
        return;
    const qsizetype size = m_lastValueEnd - m_blockStart;
    if (size > kMaxRawBlock || m_feedEnd - m_lastValueEnd < 4 || !sameBytes(m_lastValueEnd, "\r\n\r\n", 4))
        return;
    for (size_t i = 0; i < kRecentLists; ++i) {
        if (m_recentLists[i].constData() != m_message.headers.constData())
            continue;
        if (m_recentBlocks[i].bytes.isEmpty()) {
            QByteArray bytes(m_blockStart, size);
            QByteArray framing = framingLines(bytes);
            m_recentBlocks[i] = RawBlock { std::move(bytes), m_headerBytes - m_blockHeaderBytes, std::move(framing) };
        }
        return;
    }
}

void Http1Parser::appendField(
    QByteArray& to, const char* at, size_t size, QByteArray HttpHeader::*part, uint8_t fromPreviousBit)
{
    if (m_fromPrevious & fromPreviousBit) {
        // More bytes after a span that equalled the previous message's text: not that text after all.
        m_fromPrevious &= uint8_t(~fromPreviousBit);
        to = QByteArray(m_previousHeaders.at(m_sameFields).*part);
        to.append(at, qsizetype(size));
        return;
    }
    // A connection's messages mostly repeat the previous one's fields in the same order: the
    // field at the same place is the one candidate worth comparing before the lookups.
    if (to.isEmpty() && !m_headersDone) {
        const qsizetype index = m_sameSoFar ? m_sameFields : m_message.headers.size();
        if (index < m_previousHeaders.size()) {
            const QByteArray& previous = m_previousHeaders.at(index).*part;
            if (sameText(previous, at, size)) {
                if (m_sameSoFar)
                    m_fromPrevious |= fromPreviousBit; // noted, not copied: commitHeader may only count it
                else
                    to = QByteArray(previous); // a copy and a move: inline, unlike copy assignment
                return;
            }
        }
    }
    appendSpan(m_recent, to, at, size);
}

void Http1Parser::keepHeaders()
{
    HttpHeaders& headers = m_message.headers;
    if (m_sameSoFar) {
        if (m_sameFields != m_previousHeaders.size())
            switchToRecentList(nullptr, nullptr); // fewer fields than the previous message: one that ended here?
        if (m_sameFields == m_previousHeaders.size()) {
            // Field for field the previous message's: one list for both (a capture keeps every flow).
            m_sameSoFar = false;
            headers = m_previousHeaders;
            return;
        }
        divergeFromPrevious();
    }
    if (headers.capacity() != headers.size())
        headers = exactHeaders(headers);
}

void Http1Parser::storeBody(const char* at, size_t size)
{
    m_message.bodySize += size;
    m_heldArrival.note(m_message, m_timestampNs, size);
    m_listener->bodyData(*this, at, size);
    if (m_bodyHole) {
        m_message.bodyTruncated = true;
        return;
    }
    const uint64_t stored = uint64_t(m_message.body.size());
    const uint64_t room = stored < m_maxBodyBytes ? m_maxBodyBytes - stored : 0;
    const size_t keep = size_t(std::min<uint64_t>(room, size));
    if (keep > 0)
        m_message.body.append(at, qsizetype(keep));
    if (keep < size) {
        m_message.bodyTruncated = true;
        if (!m_bodyLimitNoted) {
            m_bodyLimitNoted = true;
            m_listener->note(
                *this, QStringLiteral("body larger than %1; kept the first %1").arg(limitText(m_maxBodyBytes)), true);
        }
    }
}

void Http1Parser::setError(const QString& text)
{
    m_error = true;
    m_errorString = text;
    // The field that broke a limit is not worth keeping.
    m_fieldName.clear();
    m_fieldValue.clear();
    m_fromPrevious = 0;
}

void Http1Parser::abort(const QString& reason)
{
    if (!m_error)
        setError(reason);
}

Http1Parser::Result Http1Parser::feed(const uint8_t* data, size_t size, uint64_t timestampNs, size_t* consumed)
{
    *consumed = 0;
    if (m_error)
        return Result::Error;
    if (m_inMessage)
        m_heldArrival.listIfBefore(m_message, timestampNs); // the message goes on past its first arrival
    m_timestampNs = timestampNs;
    const char* begin = reinterpret_cast<const char*>(data);
    const char* p = begin;
    const char* end = begin + size;
    ++m_feedSerial;
    m_feedEnd = end;
    if (!m_inMessage) {
        const char* next = nullptr;
        const Result r = feedRepeatedHead(begin, p, end, &next, consumed);
        if (r != Result::Ok)
            return r;
        if (next)
            p = next;
    }
    if (p < end) {
        const char* stop = nullptr;
        if (const int err = execute(p, end, &stop); err != HPE_OK)
            return failed(err, begin, stop, consumed);
    }
    *consumed = size;
    if (m_inMessage)
        m_message.lastByteNs = timestampNs;
    return Result::Ok;
}

int Http1Parser::execute(const char* from, const char* to, const char** stop)
{
    while (from < to) {
        const llhttp_errno_t err = llhttp_execute(m_parser.get(), from, size_t(to - from));
        if (err == HPE_OK)
            break;
        const char* at = llhttp_get_error_pos(m_parser.get());
        if (at < from || at > to)
            at = to;
        if (err != HPE_PAUSED) {
            *stop = at;
            return err;
        }
        // Nothing of ours pauses, but resuming keeps a future callback that does from wedging the stream.
        llhttp_resume(m_parser.get());
        from = at;
    }
    *stop = to;
    return HPE_OK;
}

Http1Parser::Result Http1Parser::failed(int err, const char* begin, const char* stop, size_t* consumed)
{
    *consumed = size_t(stop - begin);
    if (err == HPE_PAUSED_UPGRADE)
        return Result::Upgrade;
    if (!m_error) {
        // HPE_USER without our own reason cannot happen; anything else is llhttp's verdict on the bytes.
        const char* reason = llhttp_get_error_reason(m_parser.get());
        setError(QStringLiteral("HTTP/1 parse error %1 at stream byte %2: %3")
                     .arg(QString::fromLatin1(llhttp_errno_name(llhttp_errno_t(err))))
                     .arg(*consumed)
                     .arg(QString::fromLatin1(reason ? reason : "")));
    }
    return Result::Error;
}

Http1Parser::Result Http1Parser::feedRepeatedHead(
    const char* begin, const char* p, const char* end, const char** next, size_t* consumed)
{
    // A message starting here whose start line is whole and whose header block (then CRLF CRLF)
    // repeats a recent one: llhttp reads the start line, the block's framing lines in place of
    // the block, and goes on after it (RawBlock). Anything else is parsed as it comes.
    constexpr size_t kMaxStartLine = 8192;
    constexpr size_t kBodyPrefetch = 2048;
    const char* lineEnd = static_cast<const char*>(std::memchr(p, '\n', std::min(size_t(end - p), kMaxStartLine)));
    if (!lineEnd || lineEnd - p < 3 || lineEnd[-1] != '\r')
        return Result::Ok;
    const char* block = lineEnd + 1;
    const size_t left = size_t(end - block);
    size_t index = 0;
    for (; index < kRecentLists; ++index) {
        const RawBlock& recent = m_recentBlocks[index];
        const size_t size = size_t(recent.bytes.size());
        if (!recent.framing.isEmpty() && size + 4 <= left && sameBytes(block + size, "\r\n\r\n", 4)
            && sameBytes(block, recent.bytes.constData(), size))
            break;
    }
    if (index == kRecentLists)
        return Result::Ok;
    // The body's first bytes are fetched from memory while llhttp reads the start line: the
    // copy into the message waited for them otherwise (about 4 % of a transaction).
    const char* const body = block + m_recentBlocks[index].bytes.size() + 4;
    for (const char* line = body; line < end && line < body + kBodyPrefetch; line += 64)
        __builtin_prefetch(line);
    const char* stop = nullptr;
    if (const int err = execute(p, block, &stop); err != HPE_OK)
        return failed(err, begin, stop, consumed);
    *next = block;
    if (!m_inMessage || m_headersDone || m_blockStart)
        return Result::Ok; // not the start line after all: llhttp goes on over the block's own bytes
    m_blockStart = block;
    m_blockFeed = m_feedSerial;
    m_blockHeaderBytes = m_headerBytes;
    if (!useRecentBlock(index)) {
        *consumed = size_t(block - begin);
        return Result::Error;
    }
    const QByteArray framing = m_recentBlocks[index].framing; // held: callbacks may replace recent blocks
    const int err = execute(framing.constData(), framing.constData() + framing.size(), &stop);
    if (err == HPE_PAUSED_UPGRADE) {
        *consumed = size_t(body - begin); // the other protocol starts after the headers
        return Result::Upgrade;
    }
    if (err != HPE_OK)
        return failed(err, begin, block, consumed); // where the repeated block starts, not inside its stand-in
    *next = body;
    return Result::Ok;
}

Http1Parser::Result Http1Parser::finish(uint64_t timestampNs)
{
    if (m_error)
        return Result::Error;
    if (m_inMessage)
        m_heldArrival.listIfBefore(m_message, timestampNs);
    m_timestampNs = timestampNs;
    const llhttp_errno_t err = llhttp_finish(m_parser.get());
    if (err == HPE_OK)
        return Result::Ok;
    if (err == HPE_PAUSED_UPGRADE)
        return Result::Upgrade;
    setError(QStringLiteral("stream ended in the middle of a message"));
    return Result::Error;
}

bool Http1Parser::skipGap(uint64_t bytes)
{
    if (m_error || !m_inMessage || !m_headersDone || bytes == 0)
        return bytes == 0;
    llhttp_t* p = m_parser.get();
    const bool identity = (p->flags & F_CONTENT_LENGTH) && !(p->flags & F_CHUNKED) && p->content_length > 0;
    const bool inChunk = (p->flags & F_CHUNKED) && m_inChunkData && p->content_length > 0;
    const bool toEof = !identity && !inChunk && llhttp_message_needs_eof(p);
    if (!toEof && !((identity || inChunk) && bytes <= p->content_length))
        return false;

    m_message.bodySize += bytes;
    m_message.bodyTruncated = true;
    m_bodyHole = true;
    if (toEof)
        return true;
    // llhttp cannot be told to skip, but while it consumes a body of known length its only
    // state is the remaining count in content_length. Shorten that by all but one missing
    // byte, then feed one placeholder byte so llhttp itself crosses any boundary the gap
    // ends on (end of chunk, end of message) and fires the callbacks that belong there.
    p->content_length -= bytes - 1;
    static const uint8_t placeholder = 0;
    m_filler = true;
    size_t consumed = 0;
    const Result r = feed(&placeholder, 1, m_timestampNs, &consumed);
    m_filler = false;
    return r == Result::Ok;
}

void Http1Parser::resumeAfterUpgrade() { llhttp_resume_after_upgrade(m_parser.get()); }

HttpMessage Http1Parser::takeMessage()
{
    // A header whose value was still arriving is better shown than lost.
    if (!m_fieldName.isEmpty() || (m_fromPrevious & kNameFromPrevious))
        commitHeader();
    if (!m_headersDone)
        keepHeaders();
    HttpMessage m = std::move(m_message);
    m_message = HttpMessage();
    m_inMessage = false;
    return m;
}

} // namespace httptap
