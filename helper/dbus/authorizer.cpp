// SPDX-License-Identifier: GPL-2.0-or-later
#include "authorizer.h"

#include <QDBusArgument>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QMap>

Q_LOGGING_CATEGORY(lcAuth, "httptap.helper.auth")

namespace httptap::helper {

namespace {

// CheckAuthorizationFlags: let an authentication agent ask for the password.
constexpr uint kAllowUserInteraction = 1;
// The user may take a while to type a password.
constexpr int kPolkitTimeoutMs = 5 * 60 * 1000;

QString notAuthorized()
{
    return QStringLiteral("Not authorized to capture traffic of other processes (polkit action %1)")
        .arg(QLatin1String(kCaptureAction));
}

} // namespace

Authorizer::Authorizer(const QDBusConnection& bus, QObject* parent)
    : QObject(parent)
    , m_bus(bus)
{
    qDBusRegisterMetaType<QMap<QString, QString>>();
}

void Authorizer::checkCapture(const QString& sender, std::function<void(bool, const QString&)> done)
{
    QDBusMessage call = QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.PolicyKit1"),
        QStringLiteral("/org/freedesktop/PolicyKit1/Authority"), QStringLiteral("org.freedesktop.PolicyKit1.Authority"),
        QStringLiteral("CheckAuthorization"));
    // Subject (sa{sv}): the caller's unique bus name; polkit resolves its uid
    // and process with the bus daemon itself.
    QDBusArgument subject;
    subject.beginStructure();
    subject << QStringLiteral("system-bus-name") << QVariantMap {{QStringLiteral("name"), sender}};
    subject.endStructure();
    call << QVariant::fromValue(subject) << QString::fromLatin1(kCaptureAction)
         << QVariant::fromValue(QMap<QString, QString>()) << kAllowUserInteraction << QString();

    auto* watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, kPolkitTimeoutMs), this);
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [done, timer, sender](QDBusPendingCallWatcher* w) {
        w->deleteLater();
        const QDBusMessage reply = w->reply();
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().size() != 1) {
            qCWarning(lcAuth) << "polkit did not answer for" << sender << reply.errorName() << reply.errorMessage();
            done(false, notAuthorized() + QStringLiteral(": polkit could not be asked (%1)").arg(reply.errorMessage()));
            return;
        }
        // Result (bba{ss}): is_authorized, is_challenge, details.
        bool authorized = false;
        bool challenge = false;
        QMap<QString, QString> details;
        const auto arg = reply.arguments().first().value<QDBusArgument>();
        arg.beginStructure();
        arg >> authorized >> challenge >> details;
        arg.endStructure();
        qCDebug(lcAuth) << "polkit answered for" << sender << "authorized" << authorized << "in" << timer->elapsed()
                        << "ms";
        if (authorized)
            done(true, {});
        else
            done(false, notAuthorized());
    });
}

void Authorizer::callerUid(const QString& sender, std::function<void(std::optional<uid_t>, const QString&)> done)
{
    QDBusMessage call = QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.DBus"),
        QStringLiteral("/org/freedesktop/DBus"), QStringLiteral("org.freedesktop.DBus"),
        QStringLiteral("GetConnectionUnixUser"));
    call << sender;
    auto* watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [done](QDBusPendingCallWatcher* w) {
        w->deleteLater();
        const QDBusPendingReply<uint> reply = *w;
        if (reply.isError())
            done(std::nullopt, QStringLiteral("cannot learn the caller's user: %1").arg(reply.error().message()));
        else
            done(static_cast<uid_t>(reply.value()), {});
    });
}

} // namespace httptap::helper
