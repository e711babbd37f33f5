// SPDX-License-Identifier: GPL-2.0-or-later
#include "serviceclient.h"

#include "helper1interface.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMetaType>
#include <QDBusUnixFileDescriptor>

#include <climits>
#include <fcntl.h>
#include <unistd.h>

namespace httptap::client {

namespace {

const QString kService = QStringLiteral("org.httptap.Helper1");
// polkit may ask for a password first.
constexpr int kCallTimeoutMs = 10 * 60 * 1000;

// QtDBus wants an application object; the CLI has none of its own.
void ensureApplication()
{
    static int argc = 1;
    static char name[] = "httptap";
    static char* argv[] = {name, nullptr};
    if (!QCoreApplication::instance())
        new QCoreApplication(argc, argv);
}

} // namespace

ServiceClient::ServiceClient()
{
    ensureApplication();
    qDBusRegisterMetaType<helper::ProcessEntry>();
    qDBusRegisterMetaType<helper::ProcessEntryList>();
    m_proxy = std::make_unique<OrgHttptapHelper1Interface>(
        kService, QStringLiteral("/org/httptap/Helper1"), QDBusConnection::systemBus());
    m_proxy->setTimeout(kCallTimeoutMs);
}

ServiceClient::~ServiceClient() = default;

bool ServiceClient::available(std::string* why)
{
    QDBusConnection bus = QDBusConnection::systemBus();
    if (!bus.isConnected()) {
        m_failure = Failure::NoBus;
        *why = "the system bus is not reachable (" + bus.lastError().message().toStdString() + ")";
        return false;
    }
    const auto running = bus.interface()->isServiceRegistered(kService);
    const QDBusReply<QStringList> activatable = bus.interface()->call(QStringLiteral("ListActivatableNames"));
    if ((running.isValid() && running.value()) || (activatable.isValid() && activatable.value().contains(kService)))
        return true;
    m_failure = Failure::NotInstalled;
    *why = "the httptap system service (org.httptap.Helper1) is not installed; run ./x setup as root";
    return false;
}

template<typename Reply>
static bool failed(const Reply& reply, ServiceClient::Failure* failure, std::string* error)
{
    if (reply.isValid())
        return false;
    const QDBusError e = reply.error();
    if (e.type() == QDBusError::AccessDenied)
        *failure = ServiceClient::Failure::NotAuthorized;
    else if (e.type() == QDBusError::ServiceUnknown)
        *failure = ServiceClient::Failure::NotInstalled;
    else
        *failure = ServiceClient::Failure::Refused;
    *error = e.message().toStdString();
    if (*failure == ServiceClient::Failure::NotInstalled)
        *error = "the httptap system service (org.httptap.Helper1) is not installed; run ./x setup as root";
    return true;
}

static int takeFd(const QDBusUnixFileDescriptor& fd)
{
    return fd.isValid() ? fcntl(fd.fileDescriptor(), F_DUPFD_CLOEXEC, 3) : -1;
}

std::optional<ServiceCapture> ServiceClient::startCapture(
    const std::vector<pid_t>& pids, bool followForks, std::string* error)
{
    QList<uint> list;
    for (pid_t pid : pids)
        list.push_back(uint(pid));
    QVariantMap options {{QStringLiteral("pids"), QVariant::fromValue(list)},
        {QStringLiteral("follow_forks"), followForks}};
    if (!m_timing)
        options.insert(QStringLiteral("timing"), false);
    if (!m_stacks)
        options.insert(QStringLiteral("stacks"), false);
    QString id;
    QDBusReply<QDBusUnixFileDescriptor> reply = m_proxy->StartCapture(options, id);
    if (failed(reply, &m_failure, error))
        return std::nullopt;
    return ServiceCapture {takeFd(reply.value()), id.toStdString(), 0};
}

std::optional<ServiceCapture> ServiceClient::startCommand(
    const std::vector<std::string>& argv, bool followForks, std::string* error)
{
    QStringList args;
    for (const auto& a : argv)
        args.push_back(QString::fromStdString(a));
    QVariantMap options {{QStringLiteral("follow_forks"), followForks},
        {QStringLiteral("stdin"), QVariant::fromValue(QDBusUnixFileDescriptor(STDIN_FILENO))},
        {QStringLiteral("stdout"), QVariant::fromValue(QDBusUnixFileDescriptor(STDOUT_FILENO))},
        {QStringLiteral("stderr"), QVariant::fromValue(QDBusUnixFileDescriptor(STDERR_FILENO))}};
    if (!m_timing)
        options.insert(QStringLiteral("timing"), false);
    if (!m_stacks)
        options.insert(QStringLiteral("stacks"), false);
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)))
        options.insert(QStringLiteral("cwd"), QString::fromLocal8Bit(cwd));
    QString id;
    uint pid = 0;
    QDBusReply<QDBusUnixFileDescriptor> reply = m_proxy->StartCommand(args, options, id, pid);
    if (failed(reply, &m_failure, error))
        return std::nullopt;
    return ServiceCapture {takeFd(reply.value()), id.toStdString(), pid_t(pid)};
}

std::optional<ServiceCapture> ServiceClient::startCommandIn(const std::vector<std::string>& argv,
    const std::string& workingDirectory, bool followForks, std::string* error)
{
    QStringList args;
    for (const auto& a : argv)
        args.push_back(QString::fromStdString(a));
    QVariantMap options {{QStringLiteral("follow_forks"), followForks}};
    if (!workingDirectory.empty())
        options.insert(QStringLiteral("cwd"), QString::fromStdString(workingDirectory));
    QString id;
    uint pid = 0;
    QDBusReply<QDBusUnixFileDescriptor> reply = m_proxy->StartCommand(args, options, id, pid);
    if (failed(reply, &m_failure, error))
        return std::nullopt;
    return ServiceCapture {takeFd(reply.value()), id.toStdString(), pid_t(pid)};
}

bool ServiceClient::addPids(const std::string& captureId, const std::vector<pid_t>& pids, std::string* error)
{
    QList<uint> list;
    for (pid_t pid : pids)
        list.push_back(uint(pid));
    QDBusReply<void> reply = m_proxy->AddPids(QString::fromStdString(captureId), list);
    return !failed(reply, &m_failure, error);
}

bool ServiceClient::stop(const std::string& captureId, std::string* error)
{
    QDBusReply<void> reply = m_proxy->Stop(QString::fromStdString(captureId));
    return !failed(reply, &m_failure, error);
}

} // namespace httptap::client
