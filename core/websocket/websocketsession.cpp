// SPDX-License-Identifier: GPL-2.0-or-later
#include "websocketsession.h"

namespace httptap {

namespace {

QString who(bool fromClient) { return fromClient ? QStringLiteral("client") : QStringLiteral("server"); }

} // namespace

WebSocketSession::WebSocketSession(Flow& flow, uint64_t maxMessageBytes)
    : m_flow(flow)
{
    const WebSocketExtensions extensions = WebSocketExtensions::fromHeader(flow.webSocketExtensions());
    auto sink = [this](WebSocketMessage&& m) { append(std::move(m)); };
    m_sides[0] = std::make_unique<WebSocketMessageAssembler>(true, extensions.client, maxMessageBytes, sink);
    m_sides[1] = std::make_unique<WebSocketMessageAssembler>(false, extensions.server, maxMessageBytes, sink);
}

WebSocketSession::~WebSocketSession() = default;

void WebSocketSession::append(WebSocketMessage&& m)
{
    if (m_flow.webSocketMessages().size() >= Flow::kMaxStreamItems) {
        ++m_flow.editRare().streamItemsDropped;
        return;
    }
    if (m_keptBytes + uint64_t(m.data.size()) > kMaxKeptBytesPerFlow) {
        m.data.clear();
        m.truncated = true;
        m.note += QStringLiteral("%1data not kept: the flow's messages already hold %2 bytes")
                      .arg(m.note.isEmpty() ? QString() : QStringLiteral("; "))
                      .arg(m_keptBytes);
    }
    m_keptBytes += uint64_t(m.data.size());
    m_flow.truncated = m_flow.truncated || m.truncated;
    m_flow.editRare().webSocketMessages.append(std::move(m));
}

void WebSocketSession::noteFailure(bool fromClient)
{
    const int i = fromClient ? 0 : 1;
    if (m_failureNoted[i] || !m_sides[i]->failed())
        return;
    m_failureNoted[i] = true;
    m_flow.truncated = true;
    m_flow.notes.append(QStringLiteral("WebSocket frames from the %1: %2; later bytes are not dissected")
                            .arg(who(fromClient), m_sides[i]->error()));
}

void WebSocketSession::feed(bool fromClient, uint64_t lost, const uint8_t* data, size_t size, uint64_t timeNs)
{
    const int i = fromClient ? 0 : 1;
    if (m_abandoned[i])
        return;
    WebSocketMessageAssembler& side = *m_sides[i];
    if (lost > 0)
        side.lost(lost, timeNs);
    if (size > 0)
        side.feed(data, size, timeNs);
    noteFailure(fromClient);
}

void WebSocketSession::abandon(bool fromClient, const QString& reason)
{
    const int i = fromClient ? 0 : 1;
    if (m_abandoned[i])
        return;
    m_abandoned[i] = true;
    m_flow.truncated = true;
    m_flow.notes.append(QStringLiteral("WebSocket frames from the %1 are not dissected: %2").arg(who(fromClient), reason));
}

void WebSocketSession::finish(const QString& reason, uint64_t timeNs)
{
    for (auto& side : m_sides)
        side->finish(reason, timeNs);
}

bool WebSocketSession::closedBothWays() const { return m_sides[0]->closeSeen() && m_sides[1]->closeSeen(); }

} // namespace httptap
