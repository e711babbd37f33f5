// SPDX-License-Identifier: GPL-2.0-or-later
#include "cookiespage.h"

#include "http/cookies.h"
#include "detailtables.h"
#include "models/textescape.h"
#include "models/texttablemodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace httptap {

namespace {

QString flag(bool on)
{
    return on ? QStringLiteral("✓") : QString();
}

} // namespace

CookiesPage::CookiesPage(QWidget* parent)
    : QWidget(parent)
    , m_empty(new QLabel)
    , m_requestTitle(makeSectionTitle(tr("Request Cookies")))
    , m_requestModel(new TextTableModel({ tr("Name"), tr("Value") }, this))
    , m_responseTitle(makeSectionTitle(tr("Response Cookies")))
    , m_responseModel(new TextTableModel({ tr("Name"), tr("Value"), tr("Domain"), tr("Path"), tr("Expires / Max-Age"),
                                              tr("HttpOnly"), tr("Secure"), tr("SameSite") },
          this))
{
    m_empty->setObjectName(QStringLiteral("cookiesEmpty"));
    m_empty->setTextFormat(Qt::PlainText);
    m_request = makeDetailTable(m_requestModel, QStringLiteral("requestCookies"));
    m_response = makeDetailTable(m_responseModel, QStringLiteral("responseCookies"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_empty);
    layout->addWidget(m_requestTitle);
    layout->addWidget(m_request, 1);
    layout->addWidget(m_responseTitle);
    layout->addWidget(m_response, 1);
    layout->addStretch(0);
    setFlow(nullptr);
}

void CookiesPage::setFlow(const Flow* flow)
{
    QList<QStringList> request, response;
    if (flow) {
        for (const Cookie& c : requestCookies(flow->request))
            request << QStringList { escapeBytes(c.name), escapeBytes(c.value) };
        if (flow->hasResponse)
            for (const SetCookie& c : responseCookies(flow->response)) {
                const QByteArray expiry = c.maxAge.isEmpty() ? c.expires
                    : c.expires.isEmpty()                    ? "Max-Age=" + c.maxAge
                                                             : c.expires + " (Max-Age=" + c.maxAge + ")";
                response << QStringList { escapeBytes(c.name), escapeBytes(c.value), escapeBytes(c.domain),
                    escapeBytes(c.path), expiry.isEmpty() ? tr("Session") : escapeBytes(expiry), flag(c.httpOnly),
                    flag(c.secure), escapeBytes(c.sameSite) };
            }
    }
    m_requestModel->setRows(request);
    m_responseModel->setRows(response);
    m_requestTitle->setVisible(!request.isEmpty());
    m_request->setVisible(!request.isEmpty());
    m_responseTitle->setVisible(!response.isEmpty());
    m_response->setVisible(!response.isEmpty());
    m_empty->setText(flow ? tr("This request has no cookies.") : tr("Select a request to see its details."));
    m_empty->setVisible(request.isEmpty() && response.isEmpty());
    m_request->resizeColumnsToContents();
    m_response->resizeColumnsToContents();
}

} // namespace httptap
