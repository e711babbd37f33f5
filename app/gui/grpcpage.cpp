// SPDX-License-Identifier: GPL-2.0-or-later
#include "grpcpage.h"

#include "bodyview.h"
#include "models/textescape.h"
#include "models/texttablemodel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace httptap {

GrpcPage::GrpcPage(QWidget* parent)
    : QWidget(parent)
    , m_summary(new QLabel)
    , m_view(new QTableView)
    , m_model(new TextTableModel({ tr("Direction"), tr("#"), tr("Length"), tr("Compressed"), tr("Captured") }, this))
    , m_payload(new BodyView(QStringLiteral("grpcPayload")))
{
    m_summary->setObjectName(QStringLiteral("grpcSummary"));
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setWordWrap(true);
    m_view->setObjectName(QStringLiteral("grpcMessages"));
    m_view->setModel(m_model);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) { showMessage(current.row()); });
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_view);
    splitter->addWidget(m_payload);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);
}

void GrpcPage::setFlow(const Flow* flow)
{
    m_messages.clear();
    QList<QStringList> rows;
    if (flow && flow->grpc().isGrpc) {
        const GrpcInfo& g = flow->grpc();
        QString status = g.status >= 0 ? tr("status %1").arg(g.status) : tr("no status yet");
        if (!g.message.isEmpty())
            status += QStringLiteral(" (%1)").arg(escapeBytes(g.message));
        m_summary->setText(tr("%1/%2 — %3%4")
                               .arg(escapeBytes(g.service), escapeBytes(g.method), status,
                                   g.encoding.isEmpty() ? QString() : tr(", encoding %1").arg(escapeBytes(g.encoding))));
        auto add = [&](const QList<GrpcMessage>& messages, const QString& direction) {
            for (qsizetype i = 0; i < messages.size(); ++i) {
                const GrpcMessage& m = messages[i];
                rows << QStringList { direction, QString::number(i + 1), QString::number(m.length),
                    m.compressed ? (m.decompressed ? tr("yes, inflated to %1").arg(m.data.size()) : tr("yes"))
                                 : tr("no"),
                    m.truncated ? tr("cut: %1 bytes").arg(m.data.size()) : tr("whole") };
                m_messages << m;
            }
        };
        add(g.requestMessages, tr("→ request"));
        add(g.responseMessages, tr("← response"));
    } else {
        m_summary->setText(tr("Not a gRPC call."));
    }
    m_model->setRows(rows);
    m_view->resizeColumnsToContents();
    if (!m_messages.isEmpty())
        m_view->selectRow(0);
    else
        m_payload->setMessage(QString());
}

void GrpcPage::showMessage(int row)
{
    if (row < 0 || row >= m_messages.size()) {
        m_payload->setMessage(QString());
        return;
    }
    const GrpcMessage& m = m_messages[row];
    // Protobuf bytes: text when they happen to be text, else hex.
    m_payload->setBody(m.data, m.decompressed ? uint64_t(m.data.size()) : std::max<uint64_t>(m.length, uint64_t(m.data.size())),
        QStringLiteral("application/octet-stream"));
}

QString GrpcPage::summary() const { return m_summary->text(); }

} // namespace httptap
