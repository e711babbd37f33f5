// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// XML that arrives on one line (minified, as APIs send it) re-indented for
// display: each element on its own line, two spaces a level, an element
// holding only text kept whole (<name>Ada</name>). Cheap: one pass over the
// bytes, nothing parsed beyond tag boundaries (quotes inside tags, comments,
// CDATA, processing instructions and doctypes are kept intact). XML that
// already has line structure is left as sent, and so is HTML (void and raw
// text elements would need a real parser).

#include <QByteArray>

#include <optional>

namespace httptap {

struct IndentedXml {
    QByteArray text;
    bool complete = true; // false: cut at maxOutput
};

// nullopt when the input is not worth re-indenting (has lines already, does not start with a tag, is one tag).
std::optional<IndentedXml> indentXml(const QByteArray& input, qsizetype maxOutput = -1);

} // namespace httptap
