// SPDX-License-Identifier: GPL-2.0-or-later
#include "csshighlighter.h"

namespace httptap {

CssHighlighter::CssHighlighter(QTextDocument* document, const QPalette& palette)
    : RuleHighlighter(document, palette)
{
    setBlockComment(QStringLiteral("/*"), QStringLiteral("*/"));
    addRule(QStringLiteral(R"("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"), TextStyle::String);
    addRule(QStringLiteral(R"(@[A-Za-z-]+)"), TextStyle::Import);
    addRule(QStringLiteral(R"(-?-?[A-Za-z][\w-]*(?=\s*:\s*[^\s;{][^;{]*(?:;|$)))"), TextStyle::Keyword);
    addRule(QStringLiteral(R"(#[0-9a-fA-F]{3,8}\b(?=\s*[;!)}]|\s*$| ))"), TextStyle::DecVal);
    addRule(QStringLiteral(R"([.#][A-Za-z_][\w-]*)"), TextStyle::Function);
    addRule(QStringLiteral(R"(-?\b\d+(?:\.\d+)?(?:%|[a-zA-Z]+)?)"), TextStyle::DecVal);
}

} // namespace httptap
