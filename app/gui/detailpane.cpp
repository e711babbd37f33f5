// SPDX-License-Identifier: GPL-2.0-or-later
#include "detailpane.h"

#include "filter/flowfields.h"
#include "models/flowtablemodel.h"
#include "models/textescape.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QImage>
#include <QJsonDocument>
#include <QLabel>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTabWidget>
#include <QUrlQuery>
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

QString sizeNote(qsizetype shown, uint64_t total)
{
    return QObject::tr("[showing the first %1 of %2 bytes]\n").arg(shown).arg(total);
}

} // namespace

DetailPane::DetailPane(QWidget* parent)
    : QWidget(parent)
    , m_tabs(new QTabWidget(this))
    , m_headers(makeText(QStringLiteral("headersText")))
    , m_raw(new QCheckBox(tr("Raw")))
    , m_payload(makeText(QStringLiteral("payloadText")))
    , m_responseStack(new QStackedWidget)
    , m_response(makeText(QStringLiteral("responseText")))
    , m_image(new QLabel)
    , m_trailers(makeText(QStringLiteral("trailersText")))
    , m_timing(makeText(QStringLiteral("timingText")))
{
    m_raw->setObjectName(QStringLiteral("rawHeaders"));
    auto* headersPage = new QWidget;
    auto* headersLayout = new QVBoxLayout(headersPage);
    headersLayout->setContentsMargins(0, 0, 0, 0);
    headersLayout->addWidget(m_raw);
    headersLayout->addWidget(m_headers);
    connect(m_raw, &QCheckBox::toggled, this, &DetailPane::refresh);

    m_image->setObjectName(QStringLiteral("responseImage"));
    m_image->setTextFormat(Qt::PlainText);
    m_image->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto* imageScroll = new QScrollArea;
    imageScroll->setWidget(m_image);
    imageScroll->setWidgetResizable(true);
    m_responseStack->addWidget(m_response);
    m_responseStack->addWidget(imageScroll);

    m_tabs->setObjectName(QStringLiteral("detailTabs"));
    m_tabs->addTab(headersPage, tr("Headers"));
    m_tabs->addTab(m_payload, tr("Payload"));
    m_tabs->addTab(m_responseStack, tr("Response"));
    m_tabs->addTab(m_trailers, tr("Trailers"));
    m_tabs->addTab(m_timing, tr("Timing"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
    refresh();
}

void DetailPane::setFlow(const Flow* flow)
{
    if (flow)
        m_flow = *flow;
    else
        m_flow.reset();
    refresh();
}

QByteArray DetailPane::displayBody(const HttpMessage& message)
{
    return message.decoded ? message.decodedBody : message.body;
}

QString DetailPane::bodyText(const QByteArray& body, uint64_t observedSize, const QString& mimeType)
{
    if (body.isEmpty())
        return observedSize ? tr("[%1 bytes observed, none kept]").arg(observedSize) : tr("[no body]");
    QString note;
    if (observedSize > uint64_t(body.size()))
        note = tr("[body cut: %1 of %2 bytes captured]\n").arg(body.size()).arg(observedSize);
    const bool json = mimeType.endsWith(QLatin1String("json")) || ((body.startsWith('{') || body.startsWith('['))
        && mimeType.isEmpty());
    if (json && body.size() <= 4 * kTextCap) {
        const QJsonDocument doc = QJsonDocument::fromJson(body);
        if (!doc.isNull()) {
            QString pretty = escapeBytes(doc.toJson(QJsonDocument::Indented), true);
            if (pretty.size() > kTextCap)
                pretty = sizeNote(kTextCap, uint64_t(pretty.size())).replace(tr("bytes"), tr("characters")) + pretty.left(kTextCap);
            return note + pretty;
        }
    }
    // A declared text type is shown as (escaped) text even with a few control characters in it.
    const bool textual = mimeType.startsWith(QLatin1String("text/")) || mimeType.contains(QLatin1String("json"))
        || mimeType.contains(QLatin1String("xml")) || mimeType.contains(QLatin1String("javascript"));
    if (textual || looksLikeText(body)) {
        if (body.size() > kTextCap)
            note += sizeNote(kTextCap, uint64_t(body.size()));
        return note + escapeBytes(body.left(kTextCap), true);
    }
    if (body.size() > kHexCap)
        note += sizeNote(kHexCap, uint64_t(body.size()));
    return note + hexDump(body.left(kHexCap));
}

void DetailPane::refresh()
{
    m_image->clear();
    m_responseStack->setCurrentIndex(0);
    if (!m_flow) {
        const QString none = tr("Select a request to see its details.");
        for (QPlainTextEdit* e : { m_headers, m_payload, m_response, m_trailers, m_timing })
            e->setPlainText(none);
        return;
    }
    const Flow& f = *m_flow;
    const HttpMessage& req = f.request;
    const HttpMessage& resp = f.response;

    // Headers.
    QString h;
    if (m_raw->isChecked()) {
        h += escapeBytes(req.method) + QLatin1Char(' ') + escapeBytes(req.target) + QLatin1Char(' ')
            + QString::fromLatin1(f.httpVersion) + QLatin1Char('\n') + headerLines(req.headers);
        if (f.hasResponse)
            h += QLatin1Char('\n') + version(resp) + QLatin1Char(' ') + QString::number(resp.status) + QLatin1Char(' ')
                + escapeBytes(resp.reason) + QLatin1Char('\n') + headerLines(resp.headers);
    } else {
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
            h += tr("\nResponse Headers\n") + headerLines(resp.headers);
        h += tr("\nRequest Headers\n") + headerLines(req.headers);
    }
    m_headers->setPlainText(h);

    // Payload: query string, then the request body by its type.
    QString p;
    const QString path = flowPath(f);
    const qsizetype question = path.indexOf(QLatin1Char('?'));
    if (question >= 0) {
        p += tr("Query String Parameters\n");
        const QUrlQuery query(path.mid(question + 1));
        for (const auto& [name, value] : query.queryItems(QUrl::FullyDecoded))
            p += QStringLiteral("  %1: %2\n").arg(escapeControl(name), escapeControl(value));
    }
    const QByteArray reqBody = displayBody(req);
    const QString reqType = QString::fromLatin1(req.header("Content-Type")).toLower();
    if (!reqBody.isEmpty() || req.bodySize) {
        if (!p.isEmpty())
            p += QLatin1Char('\n');
        if (reqType.startsWith(QLatin1String("application/x-www-form-urlencoded")) && reqBody.size() <= kTextCap) {
            p += tr("Form Data\n");
            const QUrlQuery form(QString::fromUtf8(QByteArray(reqBody).replace('+', ' ')));
            for (const auto& [name, value] : form.queryItems(QUrl::FullyDecoded))
                p += QStringLiteral("  %1: %2\n").arg(escapeControl(name), escapeControl(value));
        } else {
            p += tr("Request Payload\n") + bodyText(reqBody, req.bodySize, reqType);
        }
    }
    m_payload->setPlainText(p.isEmpty() ? tr("This request has no payload.") : p);

    // Response.
    if (!f.hasResponse) {
        m_response->setPlainText(tr("No response was captured."));
    } else {
        const QByteArray body = displayBody(resp);
        const QString mime = flowMimeType(f);
        QImage image;
        if (mime.startsWith(QLatin1String("image/")) && !body.isEmpty() && body.size() <= 32 * kTextCap
            && image.loadFromData(body)) {
            m_image->setPixmap(QPixmap::fromImage(image));
            m_responseStack->setCurrentIndex(1);
            m_response->setPlainText(tr("[image %1×%2, %3 bytes]").arg(image.width()).arg(image.height()).arg(body.size()));
        } else {
            m_response->setPlainText(bodyText(body, resp.decoded ? uint64_t(body.size()) : resp.bodySize, mime));
        }
    }

    // Trailers.
    QString t;
    if (!req.trailers.isEmpty())
        t += tr("Request Trailers\n") + headerLines(req.trailers) + QLatin1Char('\n');
    if (!resp.trailers.isEmpty())
        t += tr("Response Trailers\n") + headerLines(resp.trailers);
    if (f.grpc.isGrpc && f.grpc.status >= 0)
        t += tr("\ngRPC status: %1 %2\n").arg(f.grpc.status).arg(escapeBytes(f.grpc.message));
    m_trailers->setPlainText(t.isEmpty() ? tr("No trailers.") : t);

    // Timing.
    QString timing;
    if (m_clock.isAnchored())
        timing += tr("Started at: %1\n").arg(m_clock.toIsoString(f.startNs));
    timing += tr("Request sent: %1\n").arg(duration(req.firstByteNs, req.lastByteNs));
    timing += tr("Waiting (TTFB): %1\n").arg(duration(f.startNs, f.responseStartNs));
    timing += tr("Content download: %1\n").arg(duration(f.responseStartNs, resp.lastByteNs));
    timing += tr("Total: %1\n").arg(duration(f.startNs, f.endNs));
    m_timing->setPlainText(timing);
}

QString DetailPane::headersText() const { return m_headers->toPlainText(); }
QString DetailPane::payloadText() const { return m_payload->toPlainText(); }
QString DetailPane::responseText() const { return m_response->toPlainText(); }
QString DetailPane::trailersText() const { return m_trailers->toPlainText(); }
QString DetailPane::timingText() const { return m_timing->toPlainText(); }
bool DetailPane::showsImage() const { return m_responseStack->currentIndex() == 1; }

} // namespace httptap
