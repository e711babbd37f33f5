// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The colours of highlighted bodies. The styles are KSyntaxHighlighting's
// default styles and the colours those of its Breeze Light / Breeze Dark
// themes (what the KF6 path picks for the same palette), so a body looks the
// same with or without KF6. Dark or light follows the widget's palette
// (Base lightness), so a dark desktop gets readable colours.

#include <QPalette>
#include <QTextCharFormat>

namespace httptap {

enum class TextStyle : uint8_t {
    Keyword, // JS keywords, JSON literals, XML/HTML element names, CSS properties
    ControlFlow, // JS if/for/return…
    Function, // CSS selectors' classes and ids
    DataType, // JSON keys, doctype
    DecVal, // numbers
    String, // string literals, attribute values
    Comment,
    Others, // XML/HTML attribute names
    SpecialString, // entities, escapes
    Import, // CSS at-rules
    Constant, // JS true/false/null/undefined
};

bool isDarkPalette(const QPalette& palette);
QColor styleColor(TextStyle style, bool dark);
QTextCharFormat textFormat(TextStyle style, const QPalette& palette);

} // namespace httptap
