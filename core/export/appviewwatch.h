// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The HTTP entry of an AppView watch configuration: which http.req /
// http.resp events are written, which of their body.data fields, and which
// extra headers they carry. The file is YAML or JSON (JSON is YAML), in any
// of these shapes:
//
//   event:                        the seed's appview.yml shape
//     watch:
//       - type: http
//         name: http.resp         regex on the event's source ("http.req", "http.resp")
//         field: .*               regex on each body.data property name
//         value: .*               regex on each body.data value (as text)
//         headers:                regexes on whole "Name: value" header lines
//           - (?i)X-Forwarded.*
//           - service: cribl.*    (YAML reads this as a map: the regex "service: cribl.*")
//   watch: [ … ]                  the list alone
//   - type: http …                the list alone, at the top
//   {"type": "http", "name": …}   one entry
//
// As in AppView: a missing name/field/value is ".*"; regexes are searched
// (unanchored) with PCRE syntax, so "(?i)" works; an event is written when
// its source matches name; a property is kept when its name matches field
// and its value matches value; a request or response header whose
// "Name: value" line matches any headers regex is added as a property named
// as the header was sent. A watch list without an http entry disables the
// HTTP events (the metrics stay).

#include <QList>
#include <QRegularExpression>
#include <QString>

#include <optional>

namespace httptap {

struct AppViewWatch {
    bool eventsEnabled = true;
    QRegularExpression name { QStringLiteral(".*") };
    QRegularExpression field { QStringLiteral(".*") };
    QRegularExpression value { QStringLiteral(".*") };
    QList<QRegularExpression> headers;

    bool isDefault() const;

    // Parses a watch file's contents; nullopt with *error saying what is wrong and where.
    static std::optional<AppViewWatch> parse(const QByteArray& text, QString* error);
    static std::optional<AppViewWatch> load(const QString& path, QString* error);
};

} // namespace httptap
