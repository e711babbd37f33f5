// SPDX-License-Identifier: GPL-2.0-or-later
#include "payloadpage.h"

#include "bodyview.h"
#include "filter/flowfields.h"
#include "http/formdata.h"
#include "detailtables.h"
#include "models/textescape.h"
#include "models/texttablemodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace httptap {

namespace {

// Short: the page stacks several of them.
QTableView* makeTable(TextTableModel* model, const QString& name)
{
    QTableView* view = makeDetailTable(model, name);
    view->setMaximumHeight(220);
    return view;
}

QString fieldValue(const FormField& field)
{
    if (field.isFile)
        return QObject::tr("(file, %1 bytes)").arg(field.value.size());
    return looksLikeText(field.value) ? escapeBytes(field.value) : QObject::tr("(binary, %1 bytes)").arg(field.value.size());
}

} // namespace

PayloadPage::PayloadPage(QWidget* parent)
    : QWidget(parent)
    , m_empty(new QLabel(tr("This request has no payload.")))
    , m_queryTitle(makeSectionTitle(tr("Query String Parameters")))
    , m_queryModel(new TextTableModel({ tr("Name"), tr("Value") }, this))
    , m_formTitle(makeSectionTitle(tr("Form Data")))
    , m_formModel(new TextTableModel({ tr("Name"), tr("Value"), tr("File name"), tr("Content type") }, this))
    , m_bodyTitle(makeSectionTitle(tr("Request Payload")))
    , m_body(new BodyView(QStringLiteral("payloadBody")))
{
    m_query = makeTable(m_queryModel, QStringLiteral("queryTable"));
    m_form = makeTable(m_formModel, QStringLiteral("formTable"));
    m_empty->setObjectName(QStringLiteral("payloadEmpty"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    for (QWidget* w : std::initializer_list<QWidget*> { m_empty, m_queryTitle, m_query, m_formTitle, m_form, m_bodyTitle })
        layout->addWidget(w);
    layout->addWidget(m_body, 1);
    layout->addStretch(0);
    setFlow(nullptr);
}

void PayloadPage::setFlow(const Flow* flow)
{
    QList<QStringList> query, form;
    bool showBody = false;
    QString formTitle = tr("Form Data");
    if (flow) {
        const QString path = flowPath(*flow);
        const qsizetype question = path.indexOf(QLatin1Char('?'));
        if (question >= 0)
            for (const FormField& f : parseUrlEncoded(path.mid(question + 1).toUtf8()))
                query << QStringList { escapeBytes(f.name), escapeBytes(f.value) };

        const HttpMessage& req = flow->request;
        const QByteArray body = req.decoded() ? req.decodedBody() : req.body;
        const QByteArray contentType = req.header("Content-Type");
        const QByteArray type = contentType.split(';').first().trimmed().toLower();
        if (type == "application/x-www-form-urlencoded" && !body.isEmpty()) {
            for (const FormField& f : parseUrlEncoded(body))
                form << QStringList { escapeBytes(f.name), fieldValue(f) };
        } else if (type == "multipart/form-data" && !body.isEmpty()) {
            QString error;
            if (const auto fields = parseMultipart(body, multipartBoundary(contentType), &error)) {
                for (const FormField& f : *fields)
                    form << QStringList { escapeBytes(f.name), fieldValue(f), escapeBytes(f.fileName), escapeBytes(f.contentType) };
            } else {
                formTitle = tr("Form Data (cannot be split: %1)").arg(error);
            }
        }
        // Parsed form fields stand for the body; anything else is shown as a body.
        showBody = (!body.isEmpty() || req.bodySize) && form.isEmpty();
        if (showBody)
            m_body->setBody(body, req.decoded() ? uint64_t(body.size()) : req.bodySize,
                QString::fromLatin1(type));
    }
    if (!showBody)
        m_body->setMessage(QString());
    m_queryModel->setRows(query);
    m_formModel->setRows(form);
    m_formTitle->setText(formTitle);
    m_queryTitle->setVisible(!query.isEmpty());
    m_query->setVisible(!query.isEmpty());
    m_formTitle->setVisible(!form.isEmpty() || formTitle != tr("Form Data"));
    m_form->setVisible(!form.isEmpty());
    m_bodyTitle->setVisible(showBody);
    m_body->setVisible(showBody);
    m_empty->setText(flow ? tr("This request has no payload.") : tr("Select a request to see its details."));
    m_empty->setVisible(query.isEmpty() && form.isEmpty() && !showBody);
    for (QTableView* view : { m_query, m_form })
        view->resizeColumnsToContents();
}

QString PayloadPage::text() const
{
    if (!m_empty->isHidden())
        return m_empty->text();
    QString out;
    auto table = [&](const QString& title, const TextTableModel* model) {
        if (model->rows().isEmpty())
            return;
        if (!out.isEmpty())
            out += QLatin1Char('\n');
        out += title + QLatin1Char('\n');
        for (const QStringList& row : model->rows())
            out += QStringLiteral("  %1: %2\n").arg(row.value(0), row.value(1));
    };
    table(m_queryTitle->text(), m_queryModel);
    table(m_formTitle->text(), m_formModel);
    if (!m_body->isHidden()) {
        if (!out.isEmpty())
            out += QLatin1Char('\n');
        out += m_bodyTitle->text() + QLatin1Char('\n') + m_body->text();
    }
    return out;
}

} // namespace httptap
