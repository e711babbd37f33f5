// SPDX-License-Identifier: GPL-2.0-or-later
#include "textstyle.h"

namespace httptap {

bool isDarkPalette(const QPalette& palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QColor styleColor(TextStyle style, bool dark)
{
    // { Breeze Light, Breeze Dark } from KSyntaxHighlighting's themes.
    struct Pair {
        QRgb light;
        QRgb dark;
    };
    static constexpr Pair colors[] = {
        { 0x1f1c1b, 0xcfcfc2 }, // Keyword
        { 0x1f1c1b, 0xfdbc4b }, // ControlFlow
        { 0x644a9b, 0x8e44ad }, // Function
        { 0x0057ae, 0x2980b9 }, // DataType
        { 0xb08000, 0xf67400 }, // DecVal
        { 0xbf0303, 0xf44f4f }, // String
        { 0x898887, 0x7a7c7d }, // Comment
        { 0x006e28, 0x27ae60 }, // Others
        { 0xff5500, 0xda4453 }, // SpecialString
        { 0xff5500, 0x27ae60 }, // Import
        { 0xaa5500, 0x27aeae }, // Constant
    };
    const Pair& p = colors[size_t(style)];
    return QColor::fromRgb(dark ? p.dark : p.light);
}

QTextCharFormat textFormat(TextStyle style, const QPalette& palette)
{
    QTextCharFormat format;
    format.setForeground(styleColor(style, isDarkPalette(palette)));
    if (style == TextStyle::Keyword || style == TextStyle::ControlFlow)
        format.setFontWeight(QFont::Bold);
    if (style == TextStyle::Comment)
        format.setFontItalic(true);
    return format;
}

} // namespace httptap
