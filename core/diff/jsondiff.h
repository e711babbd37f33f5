// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// JSON-aware comparison of two bodies: both are parsed and compared as
// values, so key order and whitespace do not count as differences, and the
// result names the paths that differ ("$.user.name", "$.items[2]").

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace httptap {

struct JsonChange {
    enum class Kind : uint8_t { Changed, Added, Removed };
    Kind kind = Kind::Changed;
    QString path;
    bool operator==(const JsonChange&) const = default;
};

constexpr qsizetype kMaxJsonDiffBytes = 16 << 20;
constexpr int kMaxJsonChanges = 1000;

// The value of a body when it is JSON (object or array at the top, ≤ kMaxJsonDiffBytes).
std::optional<QJsonValue> parseJsonBody(const QByteArray& body);
// Canonical text: keys sorted, 4-space indent (QJsonDocument's own form).
QByteArray normalizedJson(const QJsonValue& value);
// Paths where right differs from left, in document order (left's keys sorted); at most kMaxJsonChanges.
QList<JsonChange> jsonChanges(const QJsonValue& left, const QJsonValue& right);

} // namespace httptap
