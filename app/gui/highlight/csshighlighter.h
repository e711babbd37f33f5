// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// CSS: comments, strings, at-rules, property names (a name followed by ':'
// and a value ending in ';' or the line, so "a:hover {" stays a selector),
// .class and #id selectors, numbers with units and hex colours.

#include "highlight/rulehighlighter.h"

namespace httptap {

class CssHighlighter : public RuleHighlighter
{
    Q_OBJECT
public:
    CssHighlighter(QTextDocument* document, const QPalette& palette);
};

} // namespace httptap
