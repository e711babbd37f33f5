// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// JavaScript: comments (line and block), strings and template literals on one
// line, numbers, keywords, control flow and constants. Regular expression
// literals are not told apart from division (a tokenizer's job, not a
// highlighter's); they show as plain text.

#include "highlight/rulehighlighter.h"

namespace httptap {

class JavaScriptHighlighter : public RuleHighlighter
{
    Q_OBJECT
public:
    JavaScriptHighlighter(QTextDocument* document, const QPalette& palette);
};

} // namespace httptap
