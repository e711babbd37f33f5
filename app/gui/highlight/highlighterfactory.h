// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Picks the highlighter for a body: KSyntaxHighlighting (KF6) when the build
// found it (HTTPTAP_HAVE_KF6_SYNTAX), with its Breeze Light or Dark theme by
// the palette; otherwise the built-in ones (JSON, XML/HTML, JavaScript, CSS),
// which use the same default styles and colours.

#include "format/bodykind.h"

#include <QPalette>

class QSyntaxHighlighter;
class QTextDocument;

namespace httptap {

// A highlighter attached to document (and owned by it), or nullptr for kinds without one.
QSyntaxHighlighter* attachHighlighter(QTextDocument* document, BodyKind kind, const QPalette& palette);

} // namespace httptap
