// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// JSON: keys (DataType), string values (String), numbers (DecVal),
// true/false/null (Keyword) — KSyntaxHighlighting's JSON definition's styles.

#include "highlight/rulehighlighter.h"

namespace httptap {

class JsonHighlighter : public RuleHighlighter
{
    Q_OBJECT
public:
    JsonHighlighter(QTextDocument* document, const QPalette& palette);
};

} // namespace httptap
