// SPDX-License-Identifier: GPL-2.0-or-later
#include "captureoptions.h"

#include <QDBusArgument>
#include <QDBusUnixFileDescriptor>

#include <fcntl.h>
#include <set>
#include <unistd.h>

namespace httptap::helper {

namespace {

constexpr uint64_t kMinCallBytes = 1024;
constexpr uint64_t kMaxCallBytes = 1ull << 30;

bool typeIs(const QVariant& value, QMetaType::Type type)
{
    return value.metaType().id() == type;
}

// "au" arrives as a QDBusArgument inside the variant; refuse every other type.
std::optional<QList<uint>> uintArray(const QVariant& value)
{
    if (value.metaType() != QMetaType::fromType<QDBusArgument>())
        return std::nullopt;
    const auto arg = value.value<QDBusArgument>();
    if (arg.currentSignature() != QLatin1String("au"))
        return std::nullopt;
    return qdbus_cast<QList<uint>>(arg);
}

std::optional<QStringList> stringArray(const QVariant& value)
{
    if (value.metaType() == QMetaType::fromType<QStringList>())
        return value.toStringList();
    if (value.metaType() != QMetaType::fromType<QDBusArgument>())
        return std::nullopt;
    const auto arg = value.value<QDBusArgument>();
    if (arg.currentSignature() != QLatin1String("as"))
        return std::nullopt;
    return qdbus_cast<QStringList>(arg);
}

bool hasNul(const QString& s)
{
    return s.contains(QChar(0));
}

// The capture options StartCapture and StartCommand share; true if `key` was one.
bool parseCommon(const QString& key, const QVariant& value, CaptureOptions* out, QString* error, bool* ok)
{
    *ok = true;
    if (key == QLatin1String("follow_forks")) {
        if (!typeIs(value, QMetaType::Bool)) {
            *error = QStringLiteral("option follow_forks must be a boolean (b)");
            *ok = false;
        } else {
            out->followForks = value.toBool();
        }
        return true;
    }
    if (key == QLatin1String("timing")) {
        if (!typeIs(value, QMetaType::Bool)) {
            *error = QStringLiteral("option timing must be a boolean (b)");
            *ok = false;
        } else {
            out->timing = value.toBool();
        }
        return true;
    }
    if (key == QLatin1String("stacks")) {
        if (!typeIs(value, QMetaType::Bool)) {
            *error = QStringLiteral("option stacks must be a boolean (b)");
            *ok = false;
        } else {
            out->stacks = value.toBool();
        }
        return true;
    }
    if (key == QLatin1String("max_call_bytes")) {
        if (!typeIs(value, QMetaType::ULongLong) || value.toULongLong() < kMinCallBytes
            || value.toULongLong() > kMaxCallBytes) {
            *error = QStringLiteral("option max_call_bytes must be a uint64 (t) between %1 and %2")
                         .arg(kMinCallBytes)
                         .arg(kMaxCallBytes);
            *ok = false;
        } else {
            out->maxCallBytes = value.toULongLong();
        }
        return true;
    }
    return false;
}

// Takes its own copy of a passed fd (close-on-exec; the command gets it by dup2).
int takeFd(const QVariant& value)
{
    if (value.metaType() != QMetaType::fromType<QDBusUnixFileDescriptor>())
        return -1;
    const auto fd = value.value<QDBusUnixFileDescriptor>();
    return fd.isValid() ? fcntl(fd.fileDescriptor(), F_DUPFD_CLOEXEC, 3) : -1;
}

} // namespace

std::optional<std::vector<pid_t>> parsePidList(const QList<uint>& pids, QString* error)
{
    if (pids.isEmpty() || pids.size() > kMaxPidsPerCall) {
        *error = QStringLiteral("give between 1 and %1 process ids").arg(kMaxPidsPerCall);
        return std::nullopt;
    }
    std::set<pid_t> seen;
    std::vector<pid_t> out;
    for (uint pid : pids) {
        if (pid == 0 || pid > uint(kMaxPid)) {
            *error = QStringLiteral("%1 is not a valid process id").arg(pid);
            return std::nullopt;
        }
        if (seen.insert(pid_t(pid)).second)
            out.push_back(pid_t(pid));
    }
    return out;
}

std::optional<CaptureOptions> parseCaptureOptions(const QVariantMap& options, QString* error)
{
    CaptureOptions out;
    bool havePids = false;
    for (auto it = options.begin(); it != options.end(); ++it) {
        bool ok = true;
        if (parseCommon(it.key(), it.value(), &out, error, &ok)) {
            if (!ok)
                return std::nullopt;
        } else if (it.key() == QLatin1String("pids")) {
            const auto pids = uintArray(it.value());
            if (!pids) {
                *error = QStringLiteral("option pids must be an array of uint32 (au)");
                return std::nullopt;
            }
            auto list = parsePidList(*pids, error);
            if (!list)
                return std::nullopt;
            out.pids = std::move(*list);
            havePids = true;
        } else {
            *error = QStringLiteral("unknown option '%1'").arg(it.key().left(64));
            return std::nullopt;
        }
    }
    if (!havePids) {
        *error = QStringLiteral("option pids is required (the processes to capture)");
        return std::nullopt;
    }
    return out;
}

std::optional<CommandOptions> parseCommandOptions(
    const QStringList& argv, const QVariantMap& options, CaptureOptions* capture, QString* error)
{
    if (argv.isEmpty() || argv.size() > kMaxArgv || argv.first().isEmpty()) {
        *error = QStringLiteral("the command must have between 1 and %1 arguments and a non-empty name").arg(kMaxArgv);
        return std::nullopt;
    }
    CommandOptions out;
    qsizetype total = 0;
    for (const QString& arg : argv) {
        total += arg.size() + 1;
        if (hasNul(arg) || total > kMaxArgvBytes) {
            *error = hasNul(arg) ? QStringLiteral("command arguments cannot contain NUL characters")
                                 : QStringLiteral("the command line is longer than %1 bytes").arg(kMaxArgvBytes);
            return std::nullopt;
        }
        out.argv.push_back(arg.toStdString());
    }
    // Owned fds are closed again if a later option is refused.
    struct FdGuard {
        CommandOptions* o;
        bool release = false;
        ~FdGuard()
        {
            for (int fd : {o->stdinFd, o->stdoutFd, o->stderrFd})
                if (!release && fd >= 0)
                    close(fd);
        }
    } guard {&out};

    for (auto it = options.begin(); it != options.end(); ++it) {
        const QString& key = it.key();
        bool ok = true;
        if (parseCommon(key, it.value(), capture, error, &ok)) {
            if (!ok)
                return std::nullopt;
        } else if (key == QLatin1String("stdin") || key == QLatin1String("stdout") || key == QLatin1String("stderr")) {
            int* slot = key == QLatin1String("stdin") ? &out.stdinFd
                                                      : (key == QLatin1String("stdout") ? &out.stdoutFd : &out.stderrFd);
            *slot = takeFd(it.value());
            if (*slot < 0) {
                *error = QStringLiteral("option %1 must be a file descriptor (h)").arg(key);
                return std::nullopt;
            }
        } else if (key == QLatin1String("cwd")) {
            const QString cwd = it.value().toString();
            if (!typeIs(it.value(), QMetaType::QString) || !cwd.startsWith(QLatin1Char('/')) || hasNul(cwd)
                || cwd.size() > 4096) {
                *error = QStringLiteral("option cwd must be an absolute path (s)");
                return std::nullopt;
            }
            out.cwd = cwd.toStdString();
        } else if (key == QLatin1String("environment")) {
            const auto env = stringArray(it.value());
            if (!env || env->size() > kMaxEnvironment) {
                *error = QStringLiteral("option environment must be an array of at most %1 NAME=value strings (as)")
                             .arg(kMaxEnvironment);
                return std::nullopt;
            }
            qsizetype bytes = 0;
            for (const QString& entry : *env) {
                bytes += entry.size() + 1;
                if (entry.indexOf(QLatin1Char('=')) < 1 || hasNul(entry) || bytes > kMaxEnvironmentBytes) {
                    *error = QStringLiteral("environment entries must be NAME=value, %1 bytes in all at most")
                                 .arg(kMaxEnvironmentBytes);
                    return std::nullopt;
                }
                out.environment.push_back(entry.toStdString());
            }
        } else {
            *error = QStringLiteral("unknown option '%1'").arg(key.left(64));
            return std::nullopt;
        }
    }
    guard.release = true;
    return out;
}

} // namespace httptap::helper
