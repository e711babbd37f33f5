// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// XML and HTML: element names (Keyword), attribute names (Others), attribute
// values (String), comments and CDATA (Comment), doctype and processing
// instructions (DataType), entities (SpecialString). A small scanner rather
// than rules: whether `name="x"` is an attribute depends on being inside a
// tag, which the block state carries from line to line (as comments do).
// Script and style contents of HTML are shown as text.

#include "highlight/textstyle.h"

#include <QSyntaxHighlighter>

namespace httptap {

class XmlHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    XmlHighlighter(QTextDocument* document, const QPalette& palette);

protected:
    void highlightBlock(const QString& text) override;

private:
    QPalette m_palette;
};

} // namespace httptap
