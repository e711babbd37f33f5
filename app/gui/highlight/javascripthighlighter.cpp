// SPDX-License-Identifier: GPL-2.0-or-later
#include "javascripthighlighter.h"

namespace httptap {

JavaScriptHighlighter::JavaScriptHighlighter(QTextDocument* document, const QPalette& palette)
    : RuleHighlighter(document, palette)
{
    setBlockComment(QStringLiteral("/*"), QStringLiteral("*/"));
    addRule(QStringLiteral("//.*"), TextStyle::Comment);
    addRule(QStringLiteral(R"("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`)"), TextStyle::String);
    addRule(QStringLiteral(R"(\b(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?n?)\b)"), TextStyle::DecVal);
    addRule(QStringLiteral(R"(\b(?:if|else|for|while|do|switch|case|default|break|continue|return|throw|try|catch|)"
                           R"(finally|await|yield)\b)"),
        TextStyle::ControlFlow);
    addRule(QStringLiteral(R"(\b(?:var|let|const|function|class|extends|new|delete|typeof|instanceof|in|of|this|)"
                           R"(super|import|export|from|as|async|static|get|set|void|with|debugger)\b)"),
        TextStyle::Keyword);
    addRule(QStringLiteral(R"(\b(?:true|false|null|undefined|NaN|Infinity)\b)"), TextStyle::Constant);
}

} // namespace httptap
