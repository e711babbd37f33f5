// SPDX-License-Identifier: GPL-2.0-or-later
#include "rulehighlighter.h"

namespace httptap {

namespace {

constexpr int kInComment = 1;

} // namespace

RuleHighlighter::RuleHighlighter(QTextDocument* document, const QPalette& palette)
    : QSyntaxHighlighter(document)
    , m_palette(palette)
{
}

void RuleHighlighter::addRule(const QString& pattern, TextStyle style)
{
    m_rules.append({ pattern, style });
    m_combined = {};
}

void RuleHighlighter::setBlockComment(const QString& start, const QString& end)
{
    m_commentStart = start;
    m_commentEnd = end;
    m_combined = {};
}

void RuleHighlighter::highlightBlock(const QString& text)
{
    if (!m_combined.isValid() || m_combined.pattern().isEmpty()) {
        QStringList alternatives;
        if (!m_commentStart.isEmpty())
            alternatives << QLatin1Char('(') + QRegularExpression::escape(m_commentStart) + QLatin1Char(')');
        for (const Rule& rule : std::as_const(m_rules))
            alternatives << QLatin1Char('(') + rule.pattern + QLatin1Char(')');
        m_combined.setPattern(alternatives.join(QLatin1Char('|')));
        m_combined.optimize();
    }
    setCurrentBlockState(0);
    qsizetype pos = 0;
    if (previousBlockState() == kInComment) {
        const qsizetype end = text.indexOf(m_commentEnd);
        if (end < 0) {
            setFormat(0, int(text.size()), textFormat(TextStyle::Comment, m_palette));
            setCurrentBlockState(kInComment);
            return;
        }
        pos = end + m_commentEnd.size();
        setFormat(0, int(pos), textFormat(TextStyle::Comment, m_palette));
    }
    const int firstRuleGroup = m_commentStart.isEmpty() ? 1 : 2;
    QRegularExpressionMatchIterator it = m_combined.globalMatch(text, pos);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        if (firstRuleGroup == 2 && match.capturedStart(1) >= 0) {
            // A comment starts: to its end on this line, or on to later lines.
            const qsizetype start = match.capturedStart(1);
            const qsizetype end = text.indexOf(m_commentEnd, start + m_commentStart.size());
            if (end < 0) {
                setFormat(int(start), int(text.size() - start), textFormat(TextStyle::Comment, m_palette));
                setCurrentBlockState(kInComment);
                return;
            }
            const qsizetype stop = end + m_commentEnd.size();
            setFormat(int(start), int(stop - start), textFormat(TextStyle::Comment, m_palette));
            it = m_combined.globalMatch(text, stop);
            continue;
        }
        for (int g = firstRuleGroup; g <= match.lastCapturedIndex(); ++g) {
            if (match.capturedStart(g) < 0)
                continue;
            setFormat(int(match.capturedStart(g)), int(match.capturedLength(g)),
                textFormat(m_rules[g - firstRuleGroup].style, m_palette));
            break;
        }
    }
}

} // namespace httptap
