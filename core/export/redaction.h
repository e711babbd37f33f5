// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Redaction of secrets before a flow leaves httptap in a file (HAR, by
// default). Like a browser's "Export HAR (sanitized)": the values of
// Authorization, Proxy-Authorization, Cookie and Set-Cookie, plus any header
// names and JSON field names the user adds, are replaced by a visible marker
// (kRedactedMarker) — never silently dropped, so a reader can tell a value was
// there. Names match case-insensitively; '*' is a wildcard ("X-*-Token").
//
// JSON fields are redacted inside JSON bodies (any depth, in objects and
// arrays): the value of every matching key becomes the marker string. A body
// that is not valid JSON is left as it is. A body that was changed is
// re-serialised compactly (the original whitespace is not kept).

#include "flow/flow.h"

#include <QByteArray>
#include <QRegularExpression>
#include <QStringList>

namespace httptap {

inline constexpr char kRedactedMarker[] = "[REDACTED]";

class Redactor
{
public:
    // extraHeaders are added to the default four; jsonFields has no default.
    explicit Redactor(const QStringList& extraHeaders = {}, const QStringList& jsonFields = {});

    static QStringList defaultHeaders();

    bool isSensitiveHeader(const QByteArray& name) const;
    // Headers with sensitive values replaced by the marker; *redactedNames (if given)
    // collects the names that were redacted, once each, in their original case.
    HttpHeaders redactHeaders(const HttpHeaders& headers, QStringList* redactedNames = nullptr) const;
    bool hasJsonFields() const { return !m_jsonFields.isEmpty(); }
    // The body with matching JSON fields replaced; *changed tells whether anything was, and
    // *redactedKeys (if given) collects the keys that were, once each.
    QByteArray redactJson(const QByteArray& body, bool* changed, QStringList* redactedKeys = nullptr) const;

private:
    QList<QRegularExpression> m_headers;
    QList<QRegularExpression> m_jsonFields;
};

} // namespace httptap
