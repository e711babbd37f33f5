// SPDX-License-Identifier: GPL-2.0-or-later
#include "diffview.h"

#include "highlight/textstyle.h"
#include "models/textescape.h"

#include <QFontDatabase>
#include <QGridLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextBlock>

namespace httptap {

namespace {

QPlainTextEdit* makeSide(const QString& name)
{
    auto* edit = new QPlainTextEdit;
    edit->setObjectName(name);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return edit;
}

} // namespace

DiffView::DiffView(QWidget* parent)
    : QWidget(parent)
    , m_leftTitle(new QLabel)
    , m_rightTitle(new QLabel)
    , m_left(makeSide(QStringLiteral("diffLeft")))
    , m_right(makeSide(QStringLiteral("diffRight")))
{
    for (QLabel* title : { m_leftTitle, m_rightTitle }) {
        title->setTextFormat(Qt::PlainText);
        title->setWordWrap(true);
    }
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_leftTitle, 0, 0);
    layout->addWidget(m_rightTitle, 0, 1);
    layout->addWidget(m_left, 1, 0);
    layout->addWidget(m_right, 1, 1);
    // The two sides have the same number of lines: scroll them together.
    for (auto [a, b] : { std::pair { m_left, m_right }, std::pair { m_right, m_left } }) {
        connect(a->verticalScrollBar(), &QScrollBar::valueChanged, b->verticalScrollBar(), &QScrollBar::setValue);
        connect(a->horizontalScrollBar(), &QScrollBar::valueChanged, b->horizontalScrollBar(), &QScrollBar::setValue);
    }
}

void DiffView::setTitles(const QString& left, const QString& right)
{
    m_leftTitle->setText(left);
    m_rightTitle->setText(right);
}

QColor DiffView::rowColor(DiffRow::Kind kind) const
{
    const bool dark = isDarkPalette(palette());
    switch (kind) {
    case DiffRow::Kind::Removed:
        return dark ? QColor(0x5c, 0x22, 0x22) : QColor(0xff, 0xeb, 0xe9);
    case DiffRow::Kind::Added:
        return dark ? QColor(0x1f, 0x4a, 0x2c) : QColor(0xe6, 0xff, 0xec);
    case DiffRow::Kind::Changed:
        return dark ? QColor(0x4d, 0x40, 0x12) : QColor(0xff, 0xf5, 0xb1);
    case DiffRow::Kind::Equal:
        break;
    }
    return {};
}

void DiffView::clear()
{
    m_rows.clear();
    m_left->clear();
    m_right->clear();
    m_left->setExtraSelections({});
    m_right->setExtraSelections({});
}

void DiffView::setDiff(const QStringList& left, const QStringList& right, const QList<DiffOp>& ops)
{
    m_rows = sideBySide(ops);
    QString leftText, rightText;
    for (const DiffRow& row : std::as_const(m_rows)) {
        leftText += (row.left >= 0 ? escapeControl(left[row.left]) : QString()) + QLatin1Char('\n');
        rightText += (row.right >= 0 ? escapeControl(right[row.right]) : QString()) + QLatin1Char('\n');
    }
    leftText.chop(1);
    rightText.chop(1);
    m_left->setPlainText(leftText);
    m_right->setPlainText(rightText);

    // Tints as extra selections: no change to the text, cheap for tens of thousands of lines.
    QList<QTextEdit::ExtraSelection> leftMarks, rightMarks;
    QTextBlock lb = m_left->document()->firstBlock();
    QTextBlock rb = m_right->document()->firstBlock();
    for (const DiffRow& row : std::as_const(m_rows)) {
        if (row.kind != DiffRow::Kind::Equal) {
            auto mark = [&](const QTextBlock& block, DiffRow::Kind kind, QList<QTextEdit::ExtraSelection>& marks) {
                QTextEdit::ExtraSelection selection;
                selection.cursor = QTextCursor(block);
                selection.format.setBackground(rowColor(kind));
                selection.format.setProperty(QTextFormat::FullWidthSelection, true);
                marks << selection;
            };
            // A removed line leaves a blank on the right, an added one a blank on the left: both tinted.
            mark(lb, row.kind, leftMarks);
            mark(rb, row.kind, rightMarks);
        }
        lb = lb.next();
        rb = rb.next();
    }
    m_left->setExtraSelections(leftMarks);
    m_right->setExtraSelections(rightMarks);
}

} // namespace httptap
