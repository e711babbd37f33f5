// SPDX-License-Identifier: GPL-2.0-or-later
#include "helperservice.h"

#include "capturesession.h"
#include "captureoptions.h"
#include "commandlauncher.h"
#include "helper1adaptor.h"
#include "processinspector.h"

#include <QCoreApplication>
#include <QDBusConnectionInterface>
#include <QDBusMetaType>
#include <QLoggingCategory>
#include <QPointer>
#include <QSocketNotifier>
#include <QUuid>

#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcService, "httptap.helper.service")

namespace httptap::helper {

namespace {

constexpr int kMaxSessions = 16;
constexpr int kMaxSessionsPerClient = 4;

const QString kAccessDenied = QStringLiteral("org.freedesktop.DBus.Error.AccessDenied");
const QString kInvalidArgs = QStringLiteral("org.freedesktop.DBus.Error.InvalidArgs");
const QString kLimitsExceeded = QStringLiteral("org.freedesktop.DBus.Error.LimitsExceeded");
const QString kFailed = QStringLiteral("org.httptap.Helper1.Error.Failed");

QString text(const std::string& s)
{
    return QString::fromStdString(s);
}

} // namespace

HelperService::HelperService(const QDBusConnection& bus, int idleMs, QObject* parent)
    : QObject(parent)
    , m_bus(bus)
    , m_authorizer(bus)
    , m_clients(QString(), bus, QDBusServiceWatcher::WatchForUnregistration)
{
    qDBusRegisterMetaType<ProcessEntry>();
    qDBusRegisterMetaType<ProcessEntryList>();
    new Helper1Adaptor(this);
    connect(&m_clients, &QDBusServiceWatcher::serviceUnregistered, this, &HelperService::onClientGone);
    m_idle.setSingleShot(true);
    m_idle.setInterval(idleMs);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        if (m_sessions.isEmpty() && m_callsInFlight == 0) {
            qCInfo(lcService) << "idle: exiting";
            QCoreApplication::quit();
        }
    });
    m_idle.start();
}

HelperService::~HelperService()
{
    qDeleteAll(m_sessions); // detaches every probe
}

bool HelperService::registerOnBus(QString* error)
{
    if (!m_bus.isConnected()) {
        *error = QStringLiteral("cannot connect to the system bus: %1").arg(m_bus.lastError().message());
        return false;
    }
    if (!m_bus.registerObject(QString::fromLatin1(kObjectPath), this)) {
        *error = QStringLiteral("cannot export %1").arg(QLatin1String(kObjectPath));
        return false;
    }
    if (!m_bus.registerService(QString::fromLatin1(kServiceName))) {
        *error = QStringLiteral("cannot own the name %1: %2 (only root may, see the bus policy org.httptap.Helper1.conf)")
                     .arg(QLatin1String(kServiceName), m_bus.lastError().message());
        return false;
    }
    return true;
}

void HelperService::whenAuthorized(Continuation then)
{
    setDelayedReply(true);
    const QDBusMessage call = message();
    ++m_callsInFlight;
    m_idle.stop();
    m_authorizer.checkCapture(call.service(), [this, call, then](bool allowed, const QString& reason) {
        --m_callsInFlight;
        if (allowed)
            then(call);
        else
            sendError(call, kAccessDenied, reason);
        updateIdle();
    });
}

void HelperService::sendError(const QDBusMessage& call, const QString& name, const QString& text)
{
    m_bus.send(call.createErrorReply(name, text));
}

CaptureSession* HelperService::ownedSession(const QDBusMessage& call, const QString& captureId)
{
    CaptureSession* session = m_sessions.value(captureId);
    // One answer for "no such capture" and "someone else's": ids are not disclosed.
    if (!session || session->owner() != call.service()) {
        sendError(call, kAccessDenied,
            QStringLiteral("capture '%1' does not exist or was started by another client").arg(captureId.left(64)));
        return nullptr;
    }
    return session;
}

bool HelperService::checkLimits(const QDBusMessage& call)
{
    int mine = 0;
    for (CaptureSession* s : std::as_const(m_sessions))
        mine += s->owner() == call.service() ? 1 : 0;
    if (m_sessions.size() >= kMaxSessions || mine >= kMaxSessionsPerClient) {
        sendError(call, kLimitsExceeded,
            QStringLiteral("too many captures at once (at most %1 per client, %2 in all)")
                .arg(kMaxSessionsPerClient)
                .arg(kMaxSessions));
        return false;
    }
    return true;
}

CaptureSession* HelperService::newSession(const QDBusMessage& call, int* clientFd)
{
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        sendError(call, kFailed, QStringLiteral("cannot create the stream socket: %1").arg(qt_error_string(errno)));
        return nullptr;
    }
    *clientFd = fds[1];
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    auto* session = new CaptureSession(id, call.service(), fds[0], this);
    connect(session, &CaptureSession::finished, this, [this, session] { onSessionFinished(session); });
    return session;
}

ProcessEntryList HelperService::ListProcesses()
{
    whenAuthorized([this](const QDBusMessage& call) {
        ProcessEntryList list;
        for (const ProcessInfo& p : listProcesses(true)) {
            ProcessEntry e;
            e.pid = uint(p.pid);
            e.parentPid = uint(p.parentPid);
            e.uid = uint(p.uid);
            e.user = QString::fromStdString(p.user);
            e.name = QString::fromStdString(p.name);
            e.commandLine = QString::fromStdString(p.commandLine);
            e.executable = QString::fromStdString(p.executable);
            e.tls = QString::fromStdString(tlsSummary(p));
            e.capturable = std::all_of(p.tls.begin(), p.tls.end(), [](const auto& t) { return t.capturable; });
            list.push_back(std::move(e));
        }
        m_bus.send(call.createReply(QVariant::fromValue(list)));
    });
    return {};
}

QDBusUnixFileDescriptor HelperService::StartCapture(const QVariantMap& options, QString&)
{
    whenAuthorized([this, options](const QDBusMessage& call) {
        QString error;
        const auto capture = parseCaptureOptions(options, &error);
        if (!capture)
            return sendError(call, kInvalidArgs, error);
        if (!checkLimits(call))
            return;
        int clientFd = -1;
        CaptureSession* session = newSession(call, &clientFd);
        if (!session)
            return;
        std::string why;
        if (!session->start(*capture, &why)) {
            delete session;
            close(clientFd);
            return sendError(call, kFailed, text(why));
        }
        m_sessions.insert(session->id(), session);
        m_clients.addWatchedService(call.service());
        qCInfo(lcService) << "capture" << session->id() << "started for" << call.service();
        m_bus.send(call.createReply({QVariant::fromValue(QDBusUnixFileDescriptor(clientFd)), session->id()}));
        close(clientFd); // the message holds its own copy
    });
    return {};
}

QDBusUnixFileDescriptor HelperService::StartCommand(const QStringList& argv, const QVariantMap& options, QString&, uint&)
{
    whenAuthorized([this, argv, options](const QDBusMessage& call) {
        // The uid comes from the bus daemon, never from the caller's arguments.
        ++m_callsInFlight;
        m_authorizer.callerUid(call.service(), [this, call, argv, options](std::optional<uid_t> uid, const QString& err) {
            --m_callsInFlight;
            updateIdle();
            if (!uid)
                return sendError(call, kAccessDenied, err);
            CaptureOptions capture;
            QString error;
            auto command = parseCommandOptions(argv, options, &capture, &error);
            if (!command)
                return sendError(call, kInvalidArgs, error);
            if (!checkLimits(call))
                return;
            auto launcher = std::make_shared<CommandLauncher>();
            std::string why;
            if (!launcher->start(*uid, std::move(*command), &why))
                return sendError(call, kFailed, text(why));
            int clientFd = -1;
            QPointer<CaptureSession> session = newSession(call, &clientFd);
            if (!session)
                return;
            capture.pids = {launcher->pid()};
            capture.launchedPid = launcher->pid();
            if (!session->start(capture, &why)) {
                delete session;
                close(clientFd);
                return sendError(call, kFailed, text(why));
            }
            m_sessions.insert(session->id(), session);
            m_clients.addWatchedService(call.service());
            session->watchCommand(launcher->pid(), launcher->takePidfd());
            launcher->release();
            // The reply waits for exec's outcome without blocking: a command on
            // a slow or hostile file system must not stall the helper.
            auto* notifier = new QSocketNotifier(launcher->resultFd(), QSocketNotifier::Read, this);
            connect(notifier, &QSocketNotifier::activated, this, [this, call, launcher, session, clientFd, notifier] {
                notifier->deleteLater();
                notifier->setEnabled(false);
                const std::string failure = launcher->readResult();
                if (!failure.empty() || !session) {
                    if (session)
                        session->abort();
                    close(clientFd);
                    return sendError(call, kFailed, failure.empty() ? QStringLiteral("the capture ended") : text(failure));
                }
                qCInfo(lcService) << "capture" << session->id() << "runs pid" << launcher->pid() << "for" << call.service();
                m_bus.send(call.createReply({QVariant::fromValue(QDBusUnixFileDescriptor(clientFd)), session->id(),
                    uint(launcher->pid())}));
                close(clientFd);
            });
        });
    });
    return {};
}

void HelperService::AddPids(const QString& captureId, const QList<uint>& pids)
{
    whenAuthorized([this, captureId, pids](const QDBusMessage& call) {
        CaptureSession* session = ownedSession(call, captureId);
        if (!session)
            return;
        QString error;
        const auto list = parsePidList(pids, &error);
        if (!list)
            return sendError(call, kInvalidArgs, error);
        std::string why;
        if (!session->addPids(*list, &why))
            return sendError(call, kInvalidArgs, text(why));
        m_bus.send(call.createReply());
    });
}

void HelperService::RemovePids(const QString& captureId, const QList<uint>& pids)
{
    whenAuthorized([this, captureId, pids](const QDBusMessage& call) {
        CaptureSession* session = ownedSession(call, captureId);
        if (!session)
            return;
        QString error;
        const auto list = parsePidList(pids, &error);
        if (!list)
            return sendError(call, kInvalidArgs, error);
        session->removePids(*list);
        m_bus.send(call.createReply());
    });
}

void HelperService::Stop(const QString& captureId)
{
    whenAuthorized([this, captureId](const QDBusMessage& call) {
        CaptureSession* session = ownedSession(call, captureId);
        if (!session)
            return;
        session->stop();
        m_bus.send(call.createReply());
    });
}

void HelperService::onSessionFinished(CaptureSession* session)
{
    qCInfo(lcService) << "capture" << session->id() << "ended";
    m_sessions.remove(session->id());
    const QString owner = session->owner();
    session->deleteLater();
    const bool ownerHasMore = std::any_of(
        m_sessions.begin(), m_sessions.end(), [&](CaptureSession* s) { return s->owner() == owner; });
    if (!ownerHasMore)
        m_clients.removeWatchedService(owner);
    updateIdle();
}

void HelperService::onClientGone(const QString& name)
{
    // Copy: abort() ends in onSessionFinished, which edits m_sessions.
    const auto sessions = m_sessions.values();
    for (CaptureSession* s : sessions) {
        if (s->owner() == name) {
            qCInfo(lcService) << "client" << name << "left: ending capture" << s->id();
            s->abort();
        }
    }
}

void HelperService::updateIdle()
{
    if (m_sessions.isEmpty() && m_callsInFlight == 0)
        m_idle.start();
    else
        m_idle.stop();
}

} // namespace httptap::helper
