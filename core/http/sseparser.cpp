// SPDX-License-Identifier: GPL-2.0-or-later
#include "sseparser.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace httptap {

void SseParser::feed(const char* data, size_t size, uint64_t timeNs)
{
    const char* end = data + size;
    while (data < end) {
        if (m_afterCR) {
            m_afterCR = false;
            if (*data == '\n') {
                ++data;
                continue;
            }
        }
        // The next line end, CR or LF, whichever comes first.
        const char* stop = data;
        while (stop < end && *stop != '\n' && *stop != '\r')
            ++stop;
        const qsizetype room = std::max<qsizetype>(0, kMaxLineBytes - m_line.size());
        m_line.append(data, std::min<qsizetype>(room, stop - data));
        if (stop == end)
            return;
        m_afterCR = *stop == '\r';
        data = stop + 1;
        line(timeNs);
    }
}

void SseParser::gap()
{
    m_line.clear();
    m_afterCR = false;
    m_resync = true;
}

void SseParser::line(uint64_t timeNs)
{
    QByteArray text = std::exchange(m_line, {});
    if (std::exchange(m_firstLine, false) && text.startsWith("\xef\xbb\xbf"))
        text.remove(0, 3);
    if (m_resync) {
        if (text.isEmpty()) {
            m_resync = false;
            m_data.clear();
            m_haveData = false;
            m_event.clear();
        }
        return;
    }
    if (text.isEmpty()) {
        dispatch(timeNs);
        return;
    }
    if (text.startsWith(':'))
        return; // a comment (servers send them as keep-alives)
    const qsizetype colon = text.indexOf(':');
    QByteArray field = colon < 0 ? text : text.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : text.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "data") {
        const qsizetype room = std::max<qsizetype>(0, kMaxDataBytes - m_data.size());
        m_data.append(value.left(room));
        if (m_data.size() < kMaxDataBytes)
            m_data.append('\n');
        m_haveData = true;
    } else if (field == "event") {
        m_event = value;
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_lastId = value;
    } else if (field == "retry") {
        const bool digits = !value.isEmpty() && std::all_of(value.begin(), value.end(), [](char c) {
            return c >= '0' && c <= '9';
        });
        if (digits) {
            bool ok = false;
            const qlonglong ms = value.size() <= 12 ? value.toLongLong(&ok) : 0;
            m_retryMs = ok && ms <= INT_MAX ? int(ms) : INT_MAX;
        }
    }
}

void SseParser::dispatch(uint64_t timeNs)
{
    if (!m_haveData) {
        m_event.clear();
        return;
    }
    ServerSentEvent e;
    e.timeNs = timeNs;
    e.id = m_lastId;
    e.event = std::exchange(m_event, {});
    e.data = std::exchange(m_data, {});
    if (e.data.endsWith('\n'))
        e.data.chop(1);
    e.retryMs = std::exchange(m_retryMs, -1);
    m_haveData = false;
    if (m_sink)
        m_sink(std::move(e));
}

QList<ServerSentEvent> SseParser::parseAll(const QByteArray& body, uint64_t timeNs)
{
    QList<ServerSentEvent> out;
    SseParser parser([&out](ServerSentEvent&& e) { out.append(std::move(e)); });
    parser.feed(body, timeNs);
    return out;
}

void appendServerSentEvent(Flow& flow, ServerSentEvent&& event)
{
    if (flow.serverSentEvents().size() >= Flow::kMaxStreamItems) {
        ++flow.editRare().streamItemsDropped;
        return;
    }
    flow.editRare().serverSentEvents.append(std::move(event));
}

} // namespace httptap
