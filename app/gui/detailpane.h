// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The detail pane for the selected flow. At the top, when the flow is not
// whole, a banner with every reason (no response, cut body "N of M bytes",
// lost events, HTTP/2 header state missing — the flow's notes). Then tabs:
// Headers (general facts; response and request headers in wire order, each
// with a Raw toggle showing the head as sent), Payload (PayloadPage), Response
// (BodyView: highlighted, images, hex), Cookies (CookiesPage), Trailers, gRPC
// (GrpcPage, only for gRPC calls), Messages (gRPC and WebSocket: a
// filterable, virtualized list — direction, time, length, kind, preview —
// over the selected message whole, as text or hex), EventStream (text/event-
// stream: id, type, data, time, the same way) and Timing (with when each part
// of a body arrived), Initiator (InitiatorPage: the sending thread's call
// stack, only when one was captured).
//
// Live: setFlow() with a newer version of the open flow on show (same id)
// updates the tabs in place: a streaming response body grows by appending
// only what arrived (BodyView::appendBody), message and event lists by
// appending rows; text tabs keep their scroll position.
//
// Captured text only ever reaches plain-text widgets, control characters
// escaped. Large bodies open at once (BodyView formats a prefix first).

#include "flow/captureclock.h"
#include "flow/flow.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QTabWidget;

namespace httptap {

class BodyView;
class CookiesPage;
class EventListModel;
class GrpcPage;
class InitiatorPage;
class MessageListModel;
class PayloadPage;
class StreamPage;

class DetailPane : public QWidget
{
    Q_OBJECT
public:
    explicit DetailPane(QWidget* parent = nullptr);

    void setClock(const CaptureClock& clock) { m_clock = clock; }
    void setFlow(const Flow* flow); // nullptr: nothing selected
    void clear() { setFlow(nullptr); }

    QTabWidget* tabs() const { return m_tabs; }
    QString bannerText() const; // empty when the flow is whole (the banner is hidden)
    QString headersText() const;
    QString payloadText() const;
    QString responseText() const;
    QString trailersText() const;
    QString timingText() const;
    bool showsImage() const;
    BodyView* responseView() const { return m_response; }
    PayloadPage* payloadPage() const { return m_payload; }
    CookiesPage* cookiesPage() const { return m_cookies; }
    GrpcPage* grpcPage() const { return m_grpc; }
    InitiatorPage* initiatorPage() const { return m_initiator; }
    StreamPage* messagesPage() const { return m_messagesPage; }
    MessageListModel* messagesModel() const { return m_messagesModel; }
    StreamPage* eventsPage() const { return m_eventsPage; }
    EventListModel* eventsModel() const { return m_eventsModel; }

    // The body shown for display: decoded when Content-Encoding was undone. Empty without one.
    static QByteArray displayBody(const HttpMessage& message);

private:
    void refresh(bool live = false);
    void refreshHeaders(bool live = false);
    void showStreams();

    QLabel* m_banner;
    QTabWidget* m_tabs;
    QPlainTextEdit* m_headers;
    QCheckBox* m_rawResponse;
    QCheckBox* m_rawRequest;
    PayloadPage* m_payload;
    BodyView* m_response;
    CookiesPage* m_cookies;
    QPlainTextEdit* m_trailers;
    GrpcPage* m_grpc;
    MessageListModel* m_messagesModel;
    StreamPage* m_messagesPage;
    EventListModel* m_eventsModel;
    StreamPage* m_eventsPage;
    QPlainTextEdit* m_timing;
    class TimingView* m_timingView;
    InitiatorPage* m_initiator;
    std::optional<Flow> m_flow;
    CaptureClock m_clock;
};

} // namespace httptap
