// SPDX-License-Identifier: GPL-2.0-or-later
#include "redaction.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace httptap {

namespace {

QList<QRegularExpression> compile(const QStringList& patterns)
{
    QList<QRegularExpression> out;
    for (const QString& p : patterns) {
        const QString trimmed = p.trimmed();
        if (trimmed.isEmpty())
            continue;
        // Only '*' is special: header and field names may hold '?', '[' and '/' literally.
        QString re = QRegularExpression::escape(trimmed);
        re.replace(QStringLiteral("\\*"), QStringLiteral(".*"));
        out.append(QRegularExpression(QRegularExpression::anchoredPattern(re),
            QRegularExpression::CaseInsensitiveOption));
    }
    return out;
}

bool matchesAny(const QList<QRegularExpression>& patterns, const QString& name)
{
    for (const QRegularExpression& re : patterns) {
        if (re.match(name).hasMatch())
            return true;
    }
    return false;
}

// Nesting is capped: captured JSON is hostile and QJsonDocument already refuses very deep input,
// but the recursion here must not depend on that.
constexpr int kMaxDepth = 256;

QJsonValue redactValue(const QJsonValue& v, const QList<QRegularExpression>& fields, QStringList* keys, int depth);

QJsonObject redactObject(QJsonObject o, const QList<QRegularExpression>& fields, QStringList* keys, int depth)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (matchesAny(fields, it.key())) {
            if (it.value() != QJsonValue(QLatin1String(kRedactedMarker))) {
                *it = QLatin1String(kRedactedMarker);
                if (!keys->contains(it.key()))
                    keys->append(it.key());
            }
        } else {
            *it = redactValue(it.value(), fields, keys, depth + 1);
        }
    }
    return o;
}

QJsonValue redactValue(const QJsonValue& v, const QList<QRegularExpression>& fields, QStringList* keys, int depth)
{
    if (depth > kMaxDepth)
        return v;
    if (v.isObject())
        return redactObject(v.toObject(), fields, keys, depth);
    if (v.isArray()) {
        QJsonArray a = v.toArray();
        for (auto it = a.begin(); it != a.end(); ++it)
            *it = redactValue(*it, fields, keys, depth + 1);
        return a;
    }
    return v;
}

} // namespace

Redactor::Redactor(const QStringList& extraHeaders, const QStringList& jsonFields)
    : m_headers(compile(defaultHeaders() + extraHeaders))
    , m_jsonFields(compile(jsonFields))
{
}

QStringList Redactor::defaultHeaders()
{
    return { QStringLiteral("Authorization"), QStringLiteral("Proxy-Authorization"), QStringLiteral("Cookie"),
        QStringLiteral("Set-Cookie") };
}

bool Redactor::isSensitiveHeader(const QByteArray& name) const
{
    return matchesAny(m_headers, QString::fromLatin1(name));
}

HttpHeaders Redactor::redactHeaders(const HttpHeaders& headers, QStringList* redactedNames) const
{
    HttpHeaders out = headers;
    for (HttpHeader& h : out) {
        if (!isSensitiveHeader(h.name))
            continue;
        h.value = kRedactedMarker;
        if (redactedNames) {
            const QString name = QString::fromLatin1(h.name);
            if (!redactedNames->contains(name, Qt::CaseInsensitive))
                redactedNames->append(name);
        }
    }
    return out;
}

QByteArray Redactor::redactJson(const QByteArray& body, bool* changed, QStringList* redactedKeys) const
{
    *changed = false;
    if (m_jsonFields.isEmpty() || body.isEmpty())
        return body;
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return body;
    QStringList keys;
    QJsonDocument out;
    if (doc.isObject())
        out = QJsonDocument(redactObject(doc.object(), m_jsonFields, &keys, 0));
    else if (doc.isArray())
        out = QJsonDocument(redactValue(doc.array(), m_jsonFields, &keys, 0).toArray());
    if (keys.isEmpty())
        return body;
    *changed = true;
    if (redactedKeys) {
        for (const QString& k : keys) {
            if (!redactedKeys->contains(k))
                redactedKeys->append(k);
        }
    }
    return out.toJson(QJsonDocument::Compact);
}

} // namespace httptap
