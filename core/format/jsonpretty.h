// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Pretty-printing JSON for display without changing it: QJsonDocument sorts
// object keys and respells numbers, so the detail pane re-indents the text
// itself, token by token, keeping key order and every number and string as
// sent. The same pass checks the grammar, so invalid input is reported (and
// shown raw by the caller). Linear in the input; the output can be cut at a
// size so a 10 MiB body shows its first part at once while the whole input is
// still checked.

#include <QByteArray>

namespace httptap {

struct PrettyJson {
    QByteArray text; // indented with 4 spaces (as QJsonDocument::Indented), ending in '\n' when whole
    bool valid = false; // the whole input is exactly one JSON value
    bool complete = true; // text holds the whole formatted input (false: cut at maxOutput)
};

// maxOutput < 0: no limit. Nesting deeper than 512 counts as invalid.
PrettyJson prettyJson(const QByteArray& input, qsizetype maxOutput = -1);

} // namespace httptap
