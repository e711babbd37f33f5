// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Two texts side by side, aligned row by row after a line diff: equal lines
// plain, removed lines tinted red on the left, added green on the right,
// changed pairs amber on both. Tints come from the palette (light or dark).
// Both sides scroll together. Lines are escaped before display.

#include "diff/linediff.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace httptap {

class DiffView : public QWidget
{
    Q_OBJECT
public:
    explicit DiffView(QWidget* parent = nullptr);

    void setTitles(const QString& left, const QString& right);
    void setDiff(const QStringList& left, const QStringList& right, const QList<DiffOp>& ops);
    void clear();

    const QList<DiffRow>& rows() const { return m_rows; }
    QPlainTextEdit* leftEdit() const { return m_left; }
    QPlainTextEdit* rightEdit() const { return m_right; }
    // Background of a side's row (invalid for an equal line).
    QColor rowColor(DiffRow::Kind kind) const;

private:
    QLabel* m_leftTitle;
    QLabel* m_rightTitle;
    QPlainTextEdit* m_left;
    QPlainTextEdit* m_right;
    QList<DiffRow> m_rows;
};

} // namespace httptap
