// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// httptap-helper's system D-Bus front end: org.httptap.Helper1 at
// /org/httptap/Helper1 (the contract: org.httptap.Helper1.xml; the adaptor is
// generated from it and calls the methods below).
//
// Every method first asks polkit about the calling bus name, asynchronously
// with a delayed reply; nothing happens before the answer, and a refusal is
// AccessDenied. Each capture is a CaptureSession owned by the bus name that
// started it: only that name may change or stop it, and the session ends when
// the name leaves the bus or hangs up its fd. With no session and no call in
// flight the service exits after an idle period.

#include "authorizer.h"
#include "processentry.h"

#include <QDBusConnection>
#include <QDBusContext>
#include <QDBusMessage>
#include <QDBusServiceWatcher>
#include <QDBusUnixFileDescriptor>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

namespace httptap::helper {

class CaptureSession;

inline constexpr const char* kServiceName = "org.httptap.Helper1";
inline constexpr const char* kObjectPath = "/org/httptap/Helper1";

class HelperService : public QObject, protected QDBusContext
{
    Q_OBJECT
public:
    HelperService(const QDBusConnection& bus, int idleMs, QObject* parent = nullptr);
    ~HelperService() override;

    // Exports the object, then claims the name. False with a message if either fails.
    bool registerOnBus(QString* error);

    // The D-Bus methods (called by the generated adaptor). Replies are delayed:
    // the return values are placeholders.
    ProcessEntryList ListProcesses();
    QDBusUnixFileDescriptor StartCapture(const QVariantMap& options, QString& captureId);
    QDBusUnixFileDescriptor StartCommand(
        const QStringList& argv, const QVariantMap& options, QString& captureId, uint& pid);
    void AddPids(const QString& captureId, const QList<uint>& pids);
    void RemovePids(const QString& captureId, const QList<uint>& pids);
    void Stop(const QString& captureId);

private:
    using Continuation = std::function<void(const QDBusMessage& call)>;
    // Delays the reply to the current call and runs `then` once polkit allowed it.
    void whenAuthorized(Continuation then);
    void sendError(const QDBusMessage& call, const QString& name, const QString& text);
    // The caller's own session, or nullptr after replying with an error.
    CaptureSession* ownedSession(const QDBusMessage& call, const QString& captureId);
    bool checkLimits(const QDBusMessage& call);
    CaptureSession* newSession(const QDBusMessage& call, int* clientFd);
    void onSessionFinished(CaptureSession* session);
    void onClientGone(const QString& name);
    void updateIdle();

    QDBusConnection m_bus;
    Authorizer m_authorizer;
    QDBusServiceWatcher m_clients;
    QHash<QString, CaptureSession*> m_sessions; // by capture id
    int m_callsInFlight = 0;
    QTimer m_idle;
};

} // namespace httptap::helper
