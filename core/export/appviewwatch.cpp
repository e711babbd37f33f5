// SPDX-License-Identifier: GPL-2.0-or-later
#include "export/appviewwatch.h"

#include <QFile>

#include <yaml-cpp/yaml.h>

namespace httptap {

namespace {

std::optional<QRegularExpression> regex(const YAML::Node& node, const char* what, QString* error)
{
    if (!node.IsScalar()) {
        *error = QStringLiteral("'%1' must be a regular expression (a string)").arg(QLatin1String(what));
        return std::nullopt;
    }
    const QString pattern = QString::fromStdString(node.Scalar());
    QRegularExpression re(pattern);
    if (!re.isValid()) {
        *error = QStringLiteral("'%1' is not a valid regular expression: %2 (at offset %3 of '%4')")
                     .arg(QLatin1String(what), re.errorString())
                     .arg(re.patternErrorOffset())
                     .arg(pattern);
        return std::nullopt;
    }
    re.optimize();
    return re;
}

// The watch list in any of the accepted shapes (see the header); an undefined node when there is none.
YAML::Node watchList(const YAML::Node& root)
{
    if (root.IsSequence())
        return root;
    if (root.IsMap() && root["event"] && root["event"].IsMap())
        return root["event"]["watch"];
    if (root.IsMap() && root["watch"])
        return root["watch"];
    if (root.IsMap() && root["type"]) {
        YAML::Node list(YAML::NodeType::Sequence);
        list.push_back(root);
        return list;
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

std::optional<AppViewWatch> parseEntry(const YAML::Node& entry, QString* error)
{
    AppViewWatch watch;
    for (auto [key, target] : { std::pair { "name", &watch.name }, { "field", &watch.field }, { "value", &watch.value } }) {
        if (!entry[key] || entry[key].IsNull())
            continue;
        auto re = regex(entry[key], key, error);
        if (!re)
            return std::nullopt;
        *target = *re;
    }
    const YAML::Node headers = entry["headers"];
    if (headers && !headers.IsNull()) {
        if (!headers.IsSequence()) {
            *error = QStringLiteral("'headers' must be a list of regular expressions");
            return std::nullopt;
        }
        for (const YAML::Node& h : headers) {
            // "- service: cribl.*" is a one-entry map to YAML; AppView means the regex "service: cribl.*".
            YAML::Node pattern = h;
            if (h.IsMap() && h.size() == 1) {
                const auto it = h.begin();
                pattern = YAML::Node(it->first.Scalar() + ": " + (it->second.IsScalar() ? it->second.Scalar() : std::string()));
            }
            auto re = regex(pattern, "headers", error);
            if (!re)
                return std::nullopt;
            watch.headers.append(*re);
        }
    }
    return watch;
}

} // namespace

bool AppViewWatch::isDefault() const
{
    const QString all = QStringLiteral(".*");
    return eventsEnabled && name.pattern() == all && field.pattern() == all && value.pattern() == all && headers.isEmpty();
}

std::optional<AppViewWatch> AppViewWatch::parse(const QByteArray& text, QString* error)
{
    try {
        const YAML::Node root = YAML::Load(text.toStdString());
        const YAML::Node list = watchList(root);
        if (!list || !list.IsSequence()) {
            *error = QStringLiteral("no watch list found: expected 'event: watch: [...]', 'watch: [...]', a list of "
                                    "entries, or one entry with 'type: http'");
            return std::nullopt;
        }
        for (const YAML::Node& entry : list) {
            if (!entry.IsMap() || !entry["type"] || !entry["type"].IsScalar()) {
                *error = QStringLiteral("every watch entry needs a 'type' (http, …)");
                return std::nullopt;
            }
            if (entry["type"].Scalar() != "http")
                continue; // other event types (file, net, dns, …) are not httptap's
            if (entry["enabled"] && entry["enabled"].IsScalar() && !entry["enabled"].as<bool>(true)) {
                AppViewWatch off;
                off.eventsEnabled = false;
                return off;
            }
            QString entryError;
            auto watch = parseEntry(entry, &entryError);
            if (!watch) {
                *error = QStringLiteral("watch entry of type http: ") + entryError;
                return std::nullopt;
            }
            return watch;
        }
        AppViewWatch off; // a watch list without http: AppView writes no HTTP events
        off.eventsEnabled = false;
        return off;
    } catch (const YAML::Exception& e) {
        *error = QStringLiteral("not valid YAML or JSON: line %1, column %2: %3")
                     .arg(e.mark.line + 1)
                     .arg(e.mark.column + 1)
                     .arg(QString::fromStdString(e.msg));
        return std::nullopt;
    }
}

std::optional<AppViewWatch> AppViewWatch::load(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    // A watch file is a few lines; refuse anything absurd rather than parse it.
    constexpr qint64 kMaxWatchFileBytes = 1 << 20;
    if (file.size() > kMaxWatchFileBytes) {
        *error = QStringLiteral("%1 is larger than 1 MiB: not a watch file").arg(path);
        return std::nullopt;
    }
    auto watch = parse(file.readAll(), error);
    if (!watch)
        *error = path + QStringLiteral(": ") + *error;
    return watch;
}

} // namespace httptap
