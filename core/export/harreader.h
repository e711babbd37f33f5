// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Opens a HAR 1.2 file as flows: ours (harwriter.h) and those browsers write
// (Chrome, Firefox). A HAR is hostile input: the file size, entry count and
// header count are capped, every field is type-checked, and a missing
// required field is an error naming the entry (1-based) and the field:
// "entry 3: request.url is missing". Optional fields that are absent or of
// the wrong type are simply left at their defaults.
//
// What comes back: one Flow per entry, ids 1, 2, 3… in file order. Times are
// wall-clock nanoseconds since the epoch (startedDateTime), so a default,
// unanchored CaptureClock shows them as they are. The response's content.text
// (base64-decoded when encoding is "base64") becomes the body; when a
// Content-Encoding header is present it is also the decoded form, since HAR
// keeps only the decoded text. status 0 means "no response". Our own custom
// fields (_process, _pid, _tls, _connectionId, _role, _streamId, _truncated,
// _incomplete, _notes) are read back when present.

#include "flow/flow.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace httptap {

inline constexpr qsizetype kHarMaxBytes = 512ll << 20;
inline constexpr qsizetype kHarMaxEntries = 1'000'000;
inline constexpr qsizetype kHarMaxHeaders = 10'000;

std::optional<QList<Flow>> readHar(const QByteArray& bytes, QString* error);

} // namespace httptap
