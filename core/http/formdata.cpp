// SPDX-License-Identifier: GPL-2.0-or-later
#include "formdata.h"

#include <QObject>

namespace httptap {

namespace {

QByteArray formDecode(QByteArray text)
{
    text.replace('+', ' ');
    return QByteArray::fromPercentEncoding(text);
}

// A parameter of a header value: name="quoted" or name=token (case-insensitive name).
QByteArray headerParameter(const QByteArray& value, const QByteArray& name)
{
    const QList<QByteArray> parts = value.split(';');
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QByteArray part = parts[i].trimmed();
        const qsizetype eq = part.indexOf('=');
        if (eq < 0 || part.left(eq).trimmed().toLower() != name)
            continue;
        QByteArray v = part.mid(eq + 1).trimmed();
        if (v.size() >= 2 && v.startsWith('"') && v.endsWith('"'))
            v = v.mid(1, v.size() - 2).replace("\\\"", "\"");
        return v;
    }
    return {};
}

} // namespace

QList<FormField> parseUrlEncoded(const QByteArray& text)
{
    QList<FormField> fields;
    for (const QByteArray& pair : text.split('&')) {
        if (fields.size() >= kMaxFormFields)
            break;
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        FormField field;
        field.name = formDecode(eq < 0 ? pair : pair.left(eq));
        field.value = eq < 0 ? QByteArray() : formDecode(pair.mid(eq + 1));
        fields << field;
    }
    return fields;
}

QByteArray multipartBoundary(const QByteArray& contentType)
{
    return headerParameter(contentType, "boundary");
}

std::optional<QList<FormField>> parseMultipart(const QByteArray& body, const QByteArray& boundary, QString* error)
{
    auto fail = [&](const QString& why) -> std::optional<QList<FormField>> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (boundary.isEmpty() || boundary.size() > 200)
        return fail(QObject::tr("the Content-Type has no usable boundary parameter"));
    const QByteArray delimiter = "--" + boundary;
    qsizetype pos = body.indexOf(delimiter);
    if (pos < 0)
        return fail(QObject::tr("the boundary never occurs in the body"));
    QList<FormField> fields;
    while (true) {
        pos += delimiter.size();
        if (body.mid(pos, 2) == "--")
            return fields; // the closing delimiter
        if (fields.size() >= kMaxFormFields)
            return fields;
        if (body.mid(pos, 2) == "\r\n")
            pos += 2;
        else if (body.mid(pos, 1) == "\n")
            pos += 1;
        else
            return fail(QObject::tr("part %1: no line break after the boundary").arg(fields.size() + 1));
        qsizetype headersEnd = body.indexOf("\r\n\r\n", pos);
        qsizetype bodyStart = headersEnd + 4;
        const qsizetype bareEnd = body.indexOf("\n\n", pos);
        if (bareEnd >= 0 && (headersEnd < 0 || bareEnd < headersEnd)) {
            headersEnd = bareEnd;
            bodyStart = bareEnd + 2;
        }
        if (headersEnd < 0)
            return fail(QObject::tr("part %1: its headers never end").arg(fields.size() + 1));
        const qsizetype next = body.indexOf(delimiter, bodyStart);
        if (next < 0)
            return fail(QObject::tr("part %1: the body ends before the closing boundary").arg(fields.size() + 1));
        FormField field;
        const QByteArray headers = body.mid(pos, headersEnd - pos);
        for (QByteArray line : headers.split('\n')) {
            line = line.trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon < 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-disposition") {
                field.name = headerParameter(value, "name");
                const QByteArray fileParameter = "filename";
                field.isFile = value.toLower().contains("filename=");
                field.fileName = headerParameter(value, fileParameter);
            } else if (name == "content-type") {
                field.contentType = value;
            }
        }
        // The line break before the next delimiter belongs to the delimiter.
        qsizetype valueEnd = next;
        if (valueEnd >= 2 && body.mid(valueEnd - 2, 2) == "\r\n")
            valueEnd -= 2;
        else if (valueEnd >= 1 && body.at(valueEnd - 1) == '\n')
            valueEnd -= 1;
        field.value = body.mid(bodyStart, std::max<qsizetype>(0, valueEnd - bodyStart));
        fields << field;
        pos = next;
    }
}

} // namespace httptap
