// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Captured bytes are hostile: before any of them reach a widget, control
// characters become visible escapes ("\x1b", "\r"), so nothing captured can
// move a cursor, hide text or be interpreted. Widgets showing captured text
// are plain-text widgets; this is the second line of defence.

#include <QByteArray>
#include <QString>

namespace httptap {

// Escapes every control character (C0, DEL, C1, bidi overrides); with keepLines, '\n' and '\t' stay.
QString escapeControl(const QString& text, bool keepLines = false);
// Latin-1/UTF-8 bytes decoded as UTF-8 (invalid sequences as U+FFFD) and escaped.
QString escapeBytes(const QByteArray& bytes, bool keepLines = false);
// A classic hex dump: offset, 16 bytes in hex, printable ASCII.
QString hexDump(const QByteArray& bytes);
// True when the bytes look like text (valid UTF-8, few control characters).
bool looksLikeText(const QByteArray& bytes);

} // namespace httptap
