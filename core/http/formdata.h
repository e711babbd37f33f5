// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Request payloads as the Payload tab lists them: query strings and
// application/x-www-form-urlencoded bodies as name/value pairs ('+' is a
// space, then percent decoding, as a browser's form submission is read), and
// multipart/form-data bodies as fields (name, file name, content type,
// value). Bounded: at most kMaxFormFields entries; a malformed multipart body
// is an error naming what is wrong, never a crash.

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace httptap {

struct FormField {
    QByteArray name;
    QByteArray value; // for a file: its content
    QByteArray fileName; // multipart: the part's filename parameter; empty otherwise
    QByteArray contentType; // multipart: the part's Content-Type; empty otherwise
    bool isFile = false; // multipart: the part has a filename
    bool operator==(const FormField&) const = default;
};

constexpr int kMaxFormFields = 10000;

// "a=1&b=x+y%21" → {a,1}, {b,"x y!"}. Bytes, not text: a value may be any bytes.
QList<FormField> parseUrlEncoded(const QByteArray& text);
// The boundary parameter of a multipart Content-Type; empty when absent.
QByteArray multipartBoundary(const QByteArray& contentType);
std::optional<QList<FormField>> parseMultipart(const QByteArray& body, const QByteArray& boundary, QString* error = nullptr);

} // namespace httptap
