// SPDX-License-Identifier: GPL-2.0-or-later
#include "livecapture.h"

#include "helperlocation.h"

#include "gatedcommand.h"
#include "models/textescape.h"
#include "record/recordreader.h"
#include "serviceclient.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSocketNotifier>

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace httptap {

LiveCapture::LiveCapture(QObject* parent)
    : QObject(parent)
{
}

LiveCapture::~LiveCapture()
{
    m_command.reset(); // unreleased, it exits without running
    if (m_helper && m_helper->state() != QProcess::NotRunning) {
        m_helper->disconnect(this);
        m_helper->terminate();
        m_helper->waitForFinished(3000);
    }
    if (m_fd >= 0)
        ::close(m_fd);
}

QString LiveCapture::missingProcess(const std::vector<pid_t>& pids)
{
    for (pid_t pid : pids)
        if (pid <= 0 || (::kill(pid, 0) != 0 && errno == ESRCH))
            return tr("Process %1 is no longer running. Open Record… again and choose a running process, "
                      "or launch the program under capture.").arg(pid);
    return {};
}

QString LiveCapture::serviceFailureText(int failure, const QString& why)
{
    const QString reason = escapeControl(why);
    switch (client::ServiceClient::Failure(failure)) {
    case client::ServiceClient::Failure::NoBus:
    case client::ServiceClient::Failure::NotInstalled:
        return tr("The httptap system service is not available (%1). Install httptap completely (the "
                  "package, or ./x setup as root), or run httptap as root.").arg(reason);
    case client::ServiceClient::Failure::NotAuthorized:
        return tr("Not authorized to capture traffic: %1. Capturing needs an administrator's approval "
                  "(polkit action org.httptap.capture); try again and authenticate, or ask an administrator.")
            .arg(reason);
    default:
        return tr("The capture could not start: %1").arg(reason);
    }
}

bool LiveCapture::start(const std::vector<pid_t>& pids, bool followForks, QString* error)
{
    if (m_running) {
        *error = tr("A capture is already running.");
        return false;
    }
    if (pids.empty()) {
        *error = tr("Choose at least one process to capture.");
        return false;
    }
    if (const QString gone = missingProcess(pids); !gone.isEmpty()) {
        *error = gone;
        return false;
    }
    m_commandPid = 0;
    if (::geteuid() != 0)
        return startService(pids, {}, {}, followForks, error);
    QStringList args { QStringLiteral("--direct"), QStringLiteral("--control-stdin") };
    for (pid_t pid : pids)
        args << QStringLiteral("--pid") << QString::number(pid);
    if (!followForks)
        args << QStringLiteral("--no-follow-forks");
    return startHelper(args, error);
}

bool LiveCapture::startCommand(const QStringList& argv, const QString& workingDirectory, bool followForks, QString* error)
{
    if (m_running) {
        *error = tr("A capture is already running.");
        return false;
    }
    if (argv.isEmpty()) {
        *error = tr("There is no command to run.");
        return false;
    }
    if (::geteuid() != 0)
        return startService({}, argv, workingDirectory, followForks, error);
    auto command = std::make_unique<GatedCommand>();
    if (!command->start(argv, workingDirectory, error))
        return false;
    const QString pid = QString::number(command->pid());
    QStringList args { QStringLiteral("--direct"), QStringLiteral("--control-stdin"), QStringLiteral("--pid"), pid,
        QStringLiteral("--until-exit"), pid };
    if (!followForks)
        args << QStringLiteral("--no-follow-forks");
    m_commandPid = command->pid();
    m_command = std::move(command);
    m_readyScan = std::make_unique<record::RecordReader>();
    if (!startHelper(args, error)) {
        m_command.reset(); // never released: it exits without running
        m_commandPid = 0;
        return false;
    }
    return true;
}

bool LiveCapture::startHelper(const QStringList& args, QString* error)
{
    const QString helper = m_helperPath.isEmpty() ? QString::fromStdString(findHelperExecutable()) : m_helperPath;
    if (helper.isEmpty() || !QFileInfo(helper).isExecutable()) {
        *error = tr("Cannot find httptap-helper (looked at %1). Is httptap installed completely? Reinstall "
                    "the package, or run ./x setup as root.")
                     .arg(m_helperPath.isEmpty() ? QString::fromStdString(helperSearchDescription()) : m_helperPath);
        return false;
    }
    m_stderr.clear();
    m_helper = new QProcess(this);
    connect(m_helper, &QProcess::readyReadStandardOutput, this, [this] {
        const QByteArray bytes = m_helper->readAllStandardOutput();
        // The command may run once the helper says its probes are attached (Ready); if the helper
        // fails instead, the command is never released and exits without running.
        if (m_command && !m_command->released()) {
            m_readyScan->feed(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
            // Run the reader out while `bytes` lives: it borrows them until next() returns nullopt.
            bool ready = false;
            while (auto record = m_readyScan->next())
                ready = ready || std::holds_alternative<record::Ready>(*record);
            if (ready) {
                QString why;
                if (!m_command->release(&why))
                    Q_EMIT notice(why);
            }
        }
        Q_EMIT bytesReceived(bytes);
    });
    connect(m_helper, &QProcess::readyReadStandardError, this, [this] {
        const QString text = escapeBytes(m_helper->readAllStandardError(), true);
        m_stderr += text;
        for (const QString& line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            Q_EMIT notice(line);
    });
    connect(m_helper, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        Q_EMIT bytesReceived(m_helper->readAllStandardOutput());
        const QString last = m_stderr.trimmed().section(QLatin1Char('\n'), -1);
        const QString detail = last.isEmpty() ? QString() : QStringLiteral(" (") + last + QLatin1Char(')');
        if (status == QProcess::CrashExit)
            end(tr("The capture helper stopped unexpectedly%1. The flows captured so far are kept; press "
                   "Record to capture again.").arg(detail));
        else if (code != 0)
            end(tr("The capture helper stopped with exit status %1%2. The flows captured so far are kept; "
                   "press Record to capture again.").arg(code).arg(detail));
        else
            end({});
    });
    m_helper->start(helper, args);
    if (!m_helper->waitForStarted(5000)) {
        *error = tr("Cannot start %1: %2. Check that it is installed and executable.").arg(helper, m_helper->errorString());
        m_helper->deleteLater();
        m_helper = nullptr;
        return false;
    }
    m_running = true;
    return true;
}

bool LiveCapture::startService(const std::vector<pid_t>& pids, const QStringList& argv, const QString& workingDirectory,
    bool followForks, QString* error)
{
    m_service = std::make_unique<client::ServiceClient>();
    std::string why;
    std::optional<client::ServiceCapture> started;
    if (argv.isEmpty()) {
        started = m_service->startCapture(pids, followForks, &why);
    } else {
        std::vector<std::string> args;
        for (const QString& a : argv)
            args.push_back(a.toStdString());
        started = m_service->startCommandIn(args, workingDirectory.toStdString(), followForks, &why);
    }
    if (!started) {
        *error = serviceFailureText(int(m_service->lastFailure()), QString::fromStdString(why));
        return false;
    }
    m_fd = started->streamFd;
    m_captureId = started->captureId;
    m_commandPid = started->commandPid;
    m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &LiveCapture::readSocket);
    m_running = true;
    return true;
}

bool LiveCapture::addPids(const std::vector<pid_t>& pids, QString* error)
{
    if (!m_running) {
        *error = tr("No capture is running: press Record to start one.");
        return false;
    }
    if (pids.empty()) {
        *error = tr("Choose at least one process to add.");
        return false;
    }
    if (const QString gone = missingProcess(pids); !gone.isEmpty()) {
        *error = gone;
        return false;
    }
    if (m_helper) {
        // Failures come back as Notices in the stream.
        QByteArray lines;
        for (pid_t pid : pids)
            lines += "add " + QByteArray::number(pid) + '\n';
        if (m_helper->write(lines) != lines.size()) {
            *error = tr("Cannot reach the capture helper: %1").arg(m_helper->errorString());
            return false;
        }
        return true;
    }
    std::string why;
    if (!m_service->addPids(m_captureId, pids, &why)) {
        *error = serviceFailureText(int(m_service->lastFailure()), QString::fromStdString(why));
        return false;
    }
    return true;
}

void LiveCapture::readSocket()
{
    char buffer[64 * 1024];
    const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
    if (n > 0) {
        Q_EMIT bytesReceived(QByteArray(buffer, qsizetype(n)));
        return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    m_notifier->setEnabled(false);
    ::close(m_fd);
    m_fd = -1;
    end(n < 0 ? tr("Reading the capture failed: %1").arg(QString::fromLocal8Bit(strerror(errno))) : QString());
}

void LiveCapture::stop()
{
    if (!m_running)
        return;
    if (m_helper)
        m_helper->terminate(); // the helper drains the ring buffer and ends the stream
    else if (m_service) {
        std::string why;
        if (!m_service->stop(m_captureId, &why))
            Q_EMIT notice(escapeControl(QString::fromStdString(why)));
    }
}

void LiveCapture::end(const QString& error)
{
    if (!m_running)
        return;
    m_running = false;
    m_command.reset();
    m_readyScan.reset();
    if (m_helper) {
        m_helper->deleteLater();
        m_helper = nullptr;
    }
    Q_EMIT finished(error);
}

} // namespace httptap
