// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Asks the system's authorities about a D-Bus caller, asynchronously (the
// helper never waits in a nested event loop): polkit's CheckAuthorization for
// the caller's system-bus-name subject, and the bus daemon for the caller's
// uid. Both answers come from trusted daemons about the unique bus name,
// which is never reused, so nothing the caller sends is believed.

#include <QDBusConnection>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>
#include <sys/types.h>

namespace httptap::helper {

inline constexpr const char* kCaptureAction = "org.httptap.capture";

class Authorizer : public QObject
{
    Q_OBJECT
public:
    explicit Authorizer(const QDBusConnection& bus, QObject* parent = nullptr);

    // done(true, {}) when polkit authorizes `sender` for org.httptap.capture
    // (an authentication agent may ask the user first), else done(false,
    // human reason). Always called later, from the event loop.
    void checkCapture(const QString& sender, std::function<void(bool allowed, const QString& reason)> done);

    // The uid the bus daemon saw when `sender` connected.
    void callerUid(const QString& sender, std::function<void(std::optional<uid_t> uid, const QString& error)> done);

private:
    QDBusConnection m_bus;
};

} // namespace httptap::helper
