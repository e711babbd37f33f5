// SPDX-License-Identifier: GPL-2.0-or-later
#include "jsonhighlighter.h"

namespace httptap {

JsonHighlighter::JsonHighlighter(QTextDocument* document, const QPalette& palette)
    : RuleHighlighter(document, palette)
{
    const QString string = QStringLiteral(R"("(?:[^"\\]|\\.)*")");
    addRule(string + QStringLiteral(R"((?=\s*:))"), TextStyle::DataType);
    addRule(string, TextStyle::String);
    addRule(QStringLiteral(R"(-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)"), TextStyle::DecVal);
    addRule(QStringLiteral(R"(\b(?:true|false|null)\b)"), TextStyle::Keyword);
}

} // namespace httptap
