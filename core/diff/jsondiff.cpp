// SPDX-License-Identifier: GPL-2.0-or-later
#include "jsondiff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace httptap {

namespace {

QString memberPath(const QString& parent, const QString& key)
{
    static const QRegularExpression identifier(QStringLiteral("^[A-Za-z_$][A-Za-z0-9_$]*$"));
    if (identifier.match(key).hasMatch())
        return parent + QLatin1Char('.') + key;
    QString quoted = key;
    quoted.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""));
    return parent + QLatin1String("[\"") + quoted + QLatin1String("\"]");
}

void compare(const QJsonValue& left, const QJsonValue& right, const QString& path, QList<JsonChange>& out)
{
    if (out.size() >= kMaxJsonChanges)
        return;
    if (left.type() != right.type()) {
        out.append({ JsonChange::Kind::Changed, path });
        return;
    }
    if (left.isObject()) {
        const QJsonObject a = left.toObject(), b = right.toObject();
        for (auto it = a.begin(); it != a.end() && out.size() < kMaxJsonChanges; ++it) {
            const auto other = b.constFind(it.key());
            if (other == b.constEnd())
                out.append({ JsonChange::Kind::Removed, memberPath(path, it.key()) });
            else
                compare(it.value(), other.value(), memberPath(path, it.key()), out);
        }
        for (auto it = b.begin(); it != b.end() && out.size() < kMaxJsonChanges; ++it)
            if (!a.contains(it.key()))
                out.append({ JsonChange::Kind::Added, memberPath(path, it.key()) });
        return;
    }
    if (left.isArray()) {
        const QJsonArray a = left.toArray(), b = right.toArray();
        const qsizetype common = std::min(a.size(), b.size());
        for (qsizetype i = 0; i < common && out.size() < kMaxJsonChanges; ++i)
            compare(a.at(i), b.at(i), path + QStringLiteral("[%1]").arg(i), out);
        for (qsizetype i = common; i < a.size() && out.size() < kMaxJsonChanges; ++i)
            out.append({ JsonChange::Kind::Removed, path + QStringLiteral("[%1]").arg(i) });
        for (qsizetype i = common; i < b.size() && out.size() < kMaxJsonChanges; ++i)
            out.append({ JsonChange::Kind::Added, path + QStringLiteral("[%1]").arg(i) });
        return;
    }
    if (left != right)
        out.append({ JsonChange::Kind::Changed, path });
}

} // namespace

std::optional<QJsonValue> parseJsonBody(const QByteArray& body)
{
    if (body.isEmpty() || body.size() > kMaxJsonDiffBytes)
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return std::nullopt;
    return doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
}

QByteArray normalizedJson(const QJsonValue& value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented);
    return QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
}

QList<JsonChange> jsonChanges(const QJsonValue& left, const QJsonValue& right)
{
    QList<JsonChange> out;
    compare(left, right, QStringLiteral("$"), out);
    return out;
}

} // namespace httptap
