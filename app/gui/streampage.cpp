// SPDX-License-Identifier: GPL-2.0-or-later
#include "streampage.h"

#include "models/textescape.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace httptap {

namespace {

// A message can be megabytes: the text shown is capped, as the detail pane's bodies are.
constexpr qsizetype kTextCap = 1 << 20;
constexpr qsizetype kHexCap = 64 << 10;

} // namespace

StreamPage::StreamPage(QAbstractItemModel* model, int filterColumn, const QList<int>& widths, ContentFunction content,
    QWidget* parent)
    : QWidget(parent)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTableView)
    , m_filter(new QLineEdit)
    , m_hex(new QCheckBox(tr("Hex")))
    , m_text(new QPlainTextEdit)
    , m_content(std::move(content))
{
    m_proxy->setSourceModel(model);
    m_proxy->setFilterKeyColumn(filterColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setPlaceholderText(tr("Filter"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_hex, &QCheckBox::toggled, this, &StreamPage::showSelected);

    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setWordWrap(false);
    m_view->setShowGrid(false);
    m_view->verticalHeader()->hide();
    // Uniform rows: a stream of 100,000 items is never measured row by row.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    for (int c = 0; c < widths.size(); ++c)
        m_view->horizontalHeader()->resizeSection(c, widths[c]);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &StreamPage::showSelected);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &StreamPage::showSelected);

    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setPlaceholderText(tr("Select a row to see it whole."));

    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filter);
    filterRow->addWidget(m_hex);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_view);
    split->addWidget(m_text);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filterRow);
    layout->addWidget(split);
}

bool StreamPage::atBottom() const
{
    const QScrollBar* bar = m_view->verticalScrollBar();
    return bar->value() >= bar->maximum();
}

void StreamPage::followIfWasAtBottom(bool wasAtBottom)
{
    if (wasAtBottom)
        m_view->scrollToBottom();
}

QString StreamPage::itemText() const { return m_text->toPlainText(); }

void StreamPage::showSelected()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        m_text->clear();
        return;
    }
    const Content c = m_content(m_proxy->mapToSource(rows.first()).row());
    QString text = c.heading;
    if (c.text && !m_hex->isChecked()) {
        if (c.bytes.size() > kTextCap)
            text += tr("[showing the first %1 of %2 bytes]\n").arg(kTextCap).arg(c.bytes.size());
        text += escapeBytes(c.bytes.left(kTextCap), true);
    } else {
        if (c.bytes.size() > kHexCap)
            text += tr("[showing the first %1 of %2 bytes]\n").arg(kHexCap).arg(c.bytes.size());
        text += hexDump(c.bytes.left(kHexCap));
    }
    m_text->setPlainText(text);
}

} // namespace httptap
