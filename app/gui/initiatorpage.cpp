// SPDX-License-Identifier: GPL-2.0-or-later
#include "initiatorpage.h"

#include "detailtables.h"
#include "highlight/textstyle.h"
#include "models/textescape.h"
#include "models/texttablemodel.h"
#include "symbols/initiatorframe.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace httptap {

InitiatorPage::InitiatorPage(QWidget* parent)
    : QWidget(parent)
    , m_banner(new QLabel(tr("Frame pointers missing: stack incomplete. The walk stopped at code built without "
                             "frame pointers; the frames above it are not known.")))
    , m_thread(new QLabel)
    , m_copy(new QPushButton(tr("Copy stack")))
    , m_model(new TextTableModel({ tr("#"), tr("Function"), tr("Module"), tr("Address") }, this))
{
    m_banner->setObjectName(QStringLiteral("initiatorPartial"));
    m_banner->setTextFormat(Qt::PlainText);
    m_banner->setWordWrap(true);
    m_thread->setObjectName(QStringLiteral("initiatorThread"));
    m_thread->setTextFormat(Qt::PlainText);
    m_thread->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_copy->setObjectName(QStringLiteral("copyStack"));
    connect(m_copy, &QPushButton::clicked, this, &InitiatorPage::copyStack);
    m_frames = makeDetailTable(m_model, QStringLiteral("initiatorFrames"));
    m_frames->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto* top = new QHBoxLayout;
    top->addWidget(m_thread, 1);
    top->addWidget(m_copy);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_banner);
    layout->addLayout(top);
    layout->addWidget(m_frames, 1);
    setStack(nullptr);
}

void InitiatorPage::setStack(std::shared_ptr<const InitiatorStack> shared)
{
    if (shared && m_stack && shared->tid == m_stack->tid && shared->timestampNs == m_stack->timestampNs
        && shared->frames.size() == m_stack->frames.size() && shared->partial == m_stack->partial)
        return;
    m_stack = std::move(shared);
    const InitiatorStack* stack = m_stack.get();
    QList<QStringList> rows;
    if (stack) {
        const int chosen = initiatorFrameIndex(*stack);
        for (int i = 0; i < stack->frames.size(); ++i) {
            const StackFrame& f = stack->frames[i];
            const QString function = f.symbol.isEmpty()
                ? (f.module.isEmpty() ? tr("(not in a mapped file)") : tr("(no symbol) +0x%1").arg(f.moduleOffset, 0, 16))
                : escapeControl(functionText(f));
            rows << QStringList { (i == chosen ? QStringLiteral("▶ ") : QString()) + QString::number(i), function,
                escapeControl(f.module), QStringLiteral("0x%1").arg(f.address, 0, 16) };
        }
        m_thread->setText(tr("Thread: %1 (tid %2) — %3, innermost first")
                              .arg(escapeControl(stack->thread))
                              .arg(stack->tid)
                              .arg(stack->frames.size() == 1 ? tr("1 frame") : tr("%1 frames").arg(stack->frames.size())));
    } else {
        m_thread->setText(tr("No call stack was captured for this request."));
    }
    m_model->setRows(rows);
    m_frames->resizeColumnsToContents();
    m_copy->setEnabled(stack && !stack->frames.isEmpty());
    m_banner->setVisible(stack && stack->partial);
    const bool dark = isDarkPalette(palette());
    m_banner->setStyleSheet(dark ? QStringLiteral("QLabel { background: #4d3b00; color: #ffe08a; padding: 4px; }")
                                 : QStringLiteral("QLabel { background: #fff3cd; color: #664d03; padding: 4px; }"));
}

QString InitiatorPage::bannerText() const
{
    return m_banner->isHidden() ? QString() : m_banner->text();
}

QString InitiatorPage::threadText() const
{
    return m_thread->text();
}

QString InitiatorPage::stackText() const
{
    return m_stack ? escapeControl(httptap::stackText(*m_stack), true) : QString();
}

void InitiatorPage::copyStack() const
{
    if (QClipboard* clipboard = QGuiApplication::clipboard())
        clipboard->setText(stackText());
}

} // namespace httptap
