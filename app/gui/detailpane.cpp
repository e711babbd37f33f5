// SPDX-License-Identifier: GPL-2.0-or-later
#include "detailpane.h"

#include "bodyview.h"
#include "cookiespage.h"
#include "filter/flowfields.h"
#include "grpcpage.h"
#include "initiatorpage.h"
#include "highlight/textstyle.h"
#include "models/eventlistmodel.h"
#include "models/flowtablemodel.h"
#include "models/messagelistmodel.h"
#include "models/textescape.h"
#include "payloadpage.h"
#include "streampage.h"
#include "timingview.h"
#include "flow/flowtimings.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace httptap {

namespace {

QPlainTextEdit* makeText(const QString& name)
{
    auto* edit = new QPlainTextEdit;
    edit->setObjectName(name);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return edit;
}

QString headerLines(const HttpHeaders& headers)
{
    QString out;
    for (const HttpHeader& h : headers)
        out += escapeBytes(h.name) + QLatin1String(": ") + escapeBytes(h.value) + QLatin1Char('\n');
    return out;
}

QString version(const HttpMessage& m)
{
    return QStringLiteral("HTTP/%1.%2").arg(m.versionMajor).arg(m.versionMinor);
}

QString duration(uint64_t from, uint64_t to)
{
    if (!from || !to || to < from)
        return QStringLiteral("—");
    return QStringLiteral("%1 ms").arg(double(to - from) / 1e6, 0, 'f', 3);
}

bool isHttp2(const Flow& f)
{
    return f.httpVersion.startsWith("HTTP/2");
}

// The head as it crossed the wire: start line and header lines for HTTP/1; for HTTP/2 the
// decoded header block (pseudo-headers first), since there is no text form on the wire.
QString rawRequestHead(const Flow& f)
{
    const HttpMessage& req = f.request;
    if (isHttp2(f))
        return QObject::tr("(HTTP/2 header block, decoded)\n") + headerLines(req.headers);
    return escapeBytes(req.method) + QLatin1Char(' ') + escapeBytes(req.target) + QLatin1Char(' ')
        + QString::fromLatin1(f.httpVersion) + QLatin1Char('\n') + headerLines(req.headers);
}

QString rawResponseHead(const Flow& f)
{
    const HttpMessage& resp = f.response;
    QString out;
    for (const HttpMessage& info : f.informational())
        out += version(info) + QLatin1Char(' ') + QString::number(info.status) + QLatin1Char(' ') + escapeBytes(info.reason)
            + QLatin1Char('\n') + headerLines(info.headers) + QLatin1Char('\n');
    if (isHttp2(f))
        return out + QObject::tr("(HTTP/2 header block, decoded)\n") + headerLines(resp.headers);
    return out + version(resp) + QLatin1Char(' ') + QString::number(resp.status) + QLatin1Char(' ') + escapeBytes(resp.reason)
        + QLatin1Char('\n') + headerLines(resp.headers);
}

// Replaces a text without moving its view: live updates rewrite tabs the user may be reading.
void setTextKeepingPlace(QPlainTextEdit* edit, const QString& text, bool live)
{
    if (!live) {
        edit->setPlainText(text);
        return;
    }
    QScrollBar* bar = edit->verticalScrollBar();
    const int value = bar->value();
    edit->setPlainText(text);
    bar->setValue(value);
}

QString arrivalLines(const char* title, const HttpMessage& m, uint64_t startNs)
{
    if (m.bodyArrivals().isEmpty())
        return {};
    QString out = QObject::tr("\n%1 body arrived in %2 parts%3\n")
                      .arg(QObject::tr(title))
                      .arg(m.bodyArrivals().size())
                      .arg(m.bodyArrivalsCapped() ? QObject::tr(" (the first %1 listed)").arg(m.bodyArrivals().size()) : QString());
    for (const BodyArrival& a : m.bodyArrivals()) {
        out += QStringLiteral("  %1 ms  %2 bytes\n")
                   .arg(a.timestampNs >= startNs ? double(a.timestampNs - startNs) / 1e6 : 0.0, 10, 'f', 3)
                   .arg(a.bytes);
    }
    return out;
}

// Why the flow is not whole, one reason a line; empty when it is whole.
QString incompleteness(const Flow& f)
{
    QStringList lines;
    const QString why = FlowTableModel::completenessText(f);
    if (!why.isEmpty())
        lines << why.split(QLatin1Char('\n'));
    auto bodyCut = [&](const HttpMessage& m, const QString& what) {
        if (m.bodySize > uint64_t(m.body.size()))
            lines << QObject::tr("%1 body: %2 of %3 bytes captured.").arg(what).arg(m.body.size()).arg(m.bodySize);
    };
    bodyCut(f.request, QObject::tr("Request"));
    if (f.hasResponse)
        bodyCut(f.response, QObject::tr("Response"));
    lines.removeDuplicates();
    return lines.join(QLatin1Char('\n'));
}

} // namespace

DetailPane::DetailPane(QWidget* parent)
    : QWidget(parent)
    , m_banner(new QLabel)
    , m_tabs(new QTabWidget(this))
    , m_headers(makeText(QStringLiteral("headersText")))
    , m_rawResponse(new QCheckBox(tr("Raw response headers")))
    , m_rawRequest(new QCheckBox(tr("Raw request headers")))
    , m_payload(new PayloadPage)
    , m_response(new BodyView(QStringLiteral("responseBody")))
    , m_cookies(new CookiesPage)
    , m_trailers(makeText(QStringLiteral("trailersText")))
    , m_grpc(new GrpcPage)
    , m_messagesModel(new MessageListModel(this))
    , m_messagesPage(new StreamPage(m_messagesModel, MessageListModel::DataColumn, { 24, 90, 64, 90 },
          [this](int row) {
              const StreamMessage& m = m_messagesModel->messages()[size_t(row)];
              QString heading;
              if (m.truncated)
                  heading += tr("[cut: %1 of %2 bytes]\n").arg(m.data.size()).arg(m.length);
              if (!m.note.isEmpty())
                  heading += QLatin1Char('[') + escapeControl(m.note) + QStringLiteral("]\n");
              return StreamPage::Content { m.data, m.text, heading };
          }))
    , m_eventsModel(new EventListModel(this))
    , m_eventsPage(new StreamPage(m_eventsModel, EventListModel::DataColumn, { 80, 100, 300 },
          [this](int row) {
              const ServerSentEvent& e = m_eventsModel->events()[row];
              return StreamPage::Content { e.data, true, {} };
          }))
    , m_timing(makeText(QStringLiteral("timingText")))
    , m_timingView(new TimingView)
    , m_initiator(new InitiatorPage)
{
    m_banner->setObjectName(QStringLiteral("completenessBanner"));
    m_banner->setTextFormat(Qt::PlainText);
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->hide();

    m_rawResponse->setObjectName(QStringLiteral("rawResponseHeaders"));
    m_rawRequest->setObjectName(QStringLiteral("rawRequestHeaders"));
    auto* headersPage = new QWidget;
    auto* toggles = new QHBoxLayout;
    toggles->addWidget(m_rawResponse);
    toggles->addWidget(m_rawRequest);
    toggles->addStretch(1);
    auto* headersLayout = new QVBoxLayout(headersPage);
    headersLayout->setContentsMargins(0, 0, 0, 0);
    headersLayout->addLayout(toggles);
    headersLayout->addWidget(m_headers);
    connect(m_rawResponse, &QCheckBox::toggled, this, [this] { refreshHeaders(); });
    connect(m_rawRequest, &QCheckBox::toggled, this, [this] { refreshHeaders(); });

    m_payload->setObjectName(QStringLiteral("payloadPage"));
    m_cookies->setObjectName(QStringLiteral("cookiesPage"));
    m_grpc->setObjectName(QStringLiteral("grpcPage"));
    m_tabs->setObjectName(QStringLiteral("detailTabs"));
    m_tabs->addTab(headersPage, tr("Headers"));
    m_tabs->addTab(m_payload, tr("Payload"));
    m_tabs->addTab(m_response, tr("Response"));
    m_tabs->addTab(m_cookies, tr("Cookies"));
    m_tabs->addTab(m_trailers, tr("Trailers"));
    m_tabs->addTab(m_grpc, tr("gRPC"));
    m_messagesPage->setObjectName(QStringLiteral("messagesPage"));
    m_eventsPage->setObjectName(QStringLiteral("eventsPage"));
    m_tabs->addTab(m_messagesPage, tr("Messages"));
    m_tabs->addTab(m_eventsPage, tr("EventStream"));
    auto* timingPage = new QWidget;
    auto* timingLayout = new QVBoxLayout(timingPage);
    timingLayout->setContentsMargins(0, 0, 0, 0);
    timingLayout->addWidget(m_timingView);
    timingLayout->addWidget(m_timing);
    m_tabs->addTab(timingPage, tr("Timing"));
    m_initiator->setObjectName(QStringLiteral("initiatorPage"));
    m_tabs->addTab(m_initiator, tr("Initiator"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_banner);
    layout->addWidget(m_tabs);
    refresh();
}

void DetailPane::setFlow(const Flow* flow)
{
    // A newer version of the open flow on show: update in place.
    const bool live = flow && m_flow && m_flow->id == flow->id && m_flow->inProgress;
    if (flow)
        m_flow = *flow;
    else
        m_flow.reset();
    refresh(live);
}

QByteArray DetailPane::displayBody(const HttpMessage& message)
{
    return message.decoded() ? message.decodedBody() : message.body;
}

void DetailPane::refreshHeaders(bool live)
{
    if (!m_flow) {
        m_headers->setPlainText(tr("Select a request to see its details."));
        return;
    }
    const Flow& f = *m_flow;
    const HttpMessage& req = f.request;
    const HttpMessage& resp = f.response;
    QString h;
    h += tr("General") + QLatin1Char('\n');
    h += tr("  Request URL: %1\n").arg(escapeControl(f.url()));
    h += tr("  Request Method: %1\n").arg(escapeBytes(req.method));
    h += f.hasResponse ? tr("  Status Code: %1 %2\n").arg(resp.status).arg(escapeBytes(resp.reason))
                       : tr("  Status Code: (no response)\n");
    h += tr("  Remote Address: %1\n").arg(f.remote.toString());
    h += tr("  Protocol: %1   TLS: %2\n").arg(flowProtocol(f), flowTlsLibrary(f));
    h += tr("  Process: %1 (pid %2, thread %3)\n").arg(escapeControl(f.process)).arg(f.pid).arg(f.tid);
    h += tr("  Connection: %1%2\n").arg(f.connId).arg(f.streamId ? tr(", stream %1").arg(f.streamId) : QString());
    const QString why = FlowTableModel::completenessText(f);
    if (!why.isEmpty())
        h += tr("\nCompleteness\n") + QStringLiteral("  ") + QString(why).replace(QLatin1Char('\n'), QLatin1String("\n  ")) + QLatin1Char('\n');
    if (f.hasResponse)
        h += m_rawResponse->isChecked() ? tr("\nResponse Headers (raw)\n") + rawResponseHead(f)
                                        : tr("\nResponse Headers\n") + headerLines(resp.headers);
    h += m_rawRequest->isChecked() ? tr("\nRequest Headers (raw)\n") + rawRequestHead(f)
                                   : tr("\nRequest Headers\n") + headerLines(req.headers);
    setTextKeepingPlace(m_headers, h, live);
}

void DetailPane::refresh(bool live)
{
    const Flow* flow = m_flow ? &*m_flow : nullptr;
    refreshHeaders(live);
    m_payload->setFlow(flow);
    m_cookies->setFlow(flow);
    m_grpc->setFlow(flow);
    m_tabs->setTabVisible(m_tabs->indexOf(m_grpc), flow && flow->grpc().isGrpc);
    showStreams();
    m_initiator->setStack(flow ? flow->initiator : nullptr);
    m_tabs->setTabVisible(m_tabs->indexOf(m_initiator), flow && flow->initiator);

    const QString why = flow ? incompleteness(*flow) : QString();
    m_banner->setText(why.isEmpty() ? QString() : tr("This exchange is not whole:\n") + why);
    m_banner->setVisible(!why.isEmpty());
    const bool dark = isDarkPalette(palette());
    m_banner->setStyleSheet(dark ? QStringLiteral("QLabel { background: #4d3b00; color: #ffe08a; padding: 4px; }")
                                 : QStringLiteral("QLabel { background: #fff3cd; color: #664d03; padding: 4px; }"));

    m_timingView->setFlow(flow);
    if (!m_flow) {
        const QString none = tr("Select a request to see its details.");
        m_response->setMessage(none);
        for (QPlainTextEdit* e : { m_trailers, m_timing })
            e->setPlainText(none);
        return;
    }
    const Flow& f = *m_flow;
    const HttpMessage& req = f.request;
    const HttpMessage& resp = f.response;

    // Response.
    if (!f.hasResponse) {
        m_response->setMessage(f.inProgress ? tr("Waiting for the response…") : tr("No response was captured."));
    } else if (f.inProgress && !resp.complete) {
        // Still streaming: shown as it grows, only the new bytes added each time.
        const QByteArray body = displayBody(resp);
        if (body.isEmpty())
            m_response->setMessage(tr("Waiting for the body…"));
        else if (live)
            m_response->appendBody(body, resp.decoded() ? uint64_t(body.size()) : resp.bodySize, flowMimeType(f));
        else
            m_response->setBody(body, resp.decoded() ? uint64_t(body.size()) : resp.bodySize, flowMimeType(f));
    } else {
        const QByteArray body = displayBody(resp);
        if (body.isEmpty())
            m_response->setMessage(resp.bodySize ? tr("[%1 bytes observed, none kept]").arg(resp.bodySize) : tr("[no body]"));
        else
            m_response->setBody(body, resp.decoded() ? uint64_t(body.size()) : resp.bodySize, flowMimeType(f));
    }

    // Trailers.
    QString t;
    if (!req.trailers().isEmpty())
        t += tr("Request Trailers\n") + headerLines(req.trailers()) + QLatin1Char('\n');
    if (!resp.trailers().isEmpty())
        t += tr("Response Trailers\n") + headerLines(resp.trailers());
    if (f.grpc().isGrpc && f.grpc().status >= 0)
        t += tr("\ngRPC status: %1 %2\n").arg(f.grpc().status).arg(escapeBytes(f.grpc().message));
    setTextKeepingPlace(m_trailers, t.isEmpty() ? tr("No trailers.") : t, live);

    // Timing.
    QString timing;
    if (m_clock.isAnchored())
        timing += tr("Started at: %1\n").arg(m_clock.toIsoString(f.startNs));
    const FlowPhases phases = flowPhases(f);
    auto phase = [](int64_t ns) { return ns < 0 ? QStringLiteral("—") : QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', 3); };
    if (f.setup.reused)
        timing += tr("Connection reused (no set-up of its own)\n");
    if (phases.dns >= 0)
        timing += tr("DNS lookup (%1): %2\n").arg(QString::fromLatin1(f.setup.dnsName), phase(phases.dns));
    else
        timing += tr("DNS lookup: %1\n").arg(phase(phases.dns));
    timing += tr("Initial connection (TCP): %1\n").arg(phase(phases.tcp));
    timing += tr("SSL handshake: %1\n").arg(phase(phases.ssl));
    timing += tr("Stalled (after set-up, and between DNS and connect): %1\n").arg(phase(phases.blocked));
    timing += tr("Request sent: %1\n").arg(duration(req.firstByteNs, req.lastByteNs));
    timing += tr("Waiting (TTFB): %1\n").arg(duration(f.startNs, f.responseStartNs));
    timing += tr("Content download: %1\n").arg(duration(f.responseStartNs, resp.lastByteNs));
    timing += f.inProgress ? tr("Total: (pending, %1 so far)\n").arg(duration(f.startNs, f.endNs))
                           : tr("Total: %1\n").arg(duration(f.startNs, f.endNs));
    if (phases.beginNs < f.startNs)
        timing += tr("Total with connection set-up: %1\n").arg(duration(phases.beginNs, phases.endNs));
    timing += arrivalLines(QT_TR_NOOP("Request"), req, f.startNs);
    timing += arrivalLines(QT_TR_NOOP("Response"), resp, f.startNs);
    setTextKeepingPlace(m_timing, timing, live);
}

void DetailPane::showStreams()
{
    const Flow* f = m_flow ? &*m_flow : nullptr;
    const bool messages = f && (f->isWebSocket() || f->grpc().isGrpc);
    m_tabs->setTabVisible(m_tabs->indexOf(m_messagesPage), messages);
    if (messages) {
        const bool follow = m_messagesPage->atBottom();
        m_messagesModel->setMessages(f->id, f->startNs, MessageListModel::messagesOf(*f));
        m_messagesPage->followIfWasAtBottom(follow);
    } else {
        m_messagesModel->clear();
    }
    // Shown once there are events: an event stream before its first one has nothing to list.
    const bool events = f && !f->serverSentEvents().isEmpty();
    m_tabs->setTabVisible(m_tabs->indexOf(m_eventsPage), events);
    if (events) {
        const bool follow = m_eventsPage->atBottom();
        m_eventsModel->setEvents(f->id, f->startNs, f->serverSentEvents());
        m_eventsPage->followIfWasAtBottom(follow);
    } else {
        m_eventsModel->clear();
    }
}

QString DetailPane::bannerText() const { return m_banner->isHidden() ? QString() : m_banner->text(); }
QString DetailPane::headersText() const { return m_headers->toPlainText(); }
QString DetailPane::payloadText() const { return m_payload->text(); }
QString DetailPane::responseText() const { return m_response->showsImage() ? m_response->info() : m_response->text(); }
QString DetailPane::trailersText() const { return m_trailers->toPlainText(); }
QString DetailPane::timingText() const { return m_timing->toPlainText(); }
bool DetailPane::showsImage() const { return m_response->showsImage(); }

} // namespace httptap
