// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A highlighter driven by token rules: the rules are joined into one regular
// expression (one capture group each, earlier rules win at the same
// position) and each line is scanned left to right once, so a "//" inside a
// string stays part of the string. One multi-line construct (a block
// comment) may continue onto the next lines through the block state.
// Subclasses only list their rules: JSON, JavaScript, CSS.

#include "highlight/textstyle.h"

#include <QRegularExpression>
#include <QSyntaxHighlighter>

namespace httptap {

class RuleHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    RuleHighlighter(QTextDocument* document, const QPalette& palette);

protected:
    // pattern: a regular expression without capturing groups (use (?:…)).
    void addRule(const QString& pattern, TextStyle style);
    // A block comment from `start` to `end` (literal strings), possibly over several lines.
    void setBlockComment(const QString& start, const QString& end);
    void highlightBlock(const QString& text) override;

private:
    struct Rule {
        QString pattern;
        TextStyle style;
    };
    QList<Rule> m_rules;
    QString m_commentStart;
    QString m_commentEnd;
    QRegularExpression m_combined;
    QPalette m_palette;
};

} // namespace httptap
