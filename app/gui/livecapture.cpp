// SPDX-License-Identifier: GPL-2.0-or-later
#include "livecapture.h"

#include "models/textescape.h"
#include "serviceclient.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSocketNotifier>

#include <cerrno>
#include <unistd.h>

namespace httptap {

LiveCapture::LiveCapture(QObject* parent)
    : QObject(parent)
{
}

LiveCapture::~LiveCapture()
{
    if (m_helper && m_helper->state() != QProcess::NotRunning) {
        m_helper->disconnect(this);
        m_helper->terminate();
        m_helper->waitForFinished(3000);
    }
    if (m_fd >= 0)
        ::close(m_fd);
}

QString LiveCapture::findHelper()
{
    const QString env = qEnvironmentVariable("HTTPTAP_HELPER");
    if (!env.isEmpty() && QFileInfo(env).isExecutable())
        return env;
    const QString dir = QCoreApplication::applicationDirPath();
    for (const QString& candidate : { dir + QStringLiteral("/httptap-helper"),
             dir + QStringLiteral("/../libexec/httptap/httptap-helper"), QStringLiteral(HTTPTAP_LIBEXECDIR "/httptap-helper") })
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    return {};
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
    m_stderr.clear();
    if (::geteuid() == 0) {
        const QString helper = findHelper();
        if (helper.isEmpty()) {
            *error = tr("Cannot find httptap-helper (looked at $HTTPTAP_HELPER, next to httptap and in %1). "
                        "Is httptap installed completely?").arg(QStringLiteral(HTTPTAP_LIBEXECDIR));
            return false;
        }
        QStringList args { QStringLiteral("--direct") };
        for (pid_t pid : pids)
            args << QStringLiteral("--pid") << QString::number(pid);
        if (!followForks)
            args << QStringLiteral("--no-follow-forks");
        m_helper = new QProcess(this);
        connect(m_helper, &QProcess::readyReadStandardOutput, this,
            [this] { Q_EMIT bytesReceived(m_helper->readAllStandardOutput()); });
        connect(m_helper, &QProcess::readyReadStandardError, this, [this] {
            const QString text = escapeBytes(m_helper->readAllStandardError(), true);
            m_stderr += text;
            for (const QString& line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                Q_EMIT notice(line);
        });
        connect(m_helper, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
            Q_EMIT bytesReceived(m_helper->readAllStandardOutput());
            const QString last = m_stderr.trimmed().section(QLatin1Char('\n'), -1);
            end(status == QProcess::NormalExit && code == 0
                    ? QString()
                    : tr("The capture helper stopped (exit status %1)%2").arg(code).arg(last.isEmpty() ? QString() : QStringLiteral(": ") + last));
        });
        m_helper->start(helper, args);
        if (!m_helper->waitForStarted(5000)) {
            *error = tr("Cannot start %1: %2").arg(helper, m_helper->errorString());
            m_helper->deleteLater();
            m_helper = nullptr;
            return false;
        }
        m_running = true;
        return true;
    }

    m_service = std::make_unique<client::ServiceClient>();
    std::string why;
    const auto started = m_service->startCapture(pids, followForks, &why);
    if (!started) {
        switch (m_service->lastFailure()) {
        case client::ServiceClient::Failure::NoBus:
        case client::ServiceClient::Failure::NotInstalled:
            *error = tr("The httptap system service is not available (%1). Install httptap's helper, or run "
                        "httptap-record as root.").arg(escapeControl(QString::fromStdString(why)));
            break;
        case client::ServiceClient::Failure::NotAuthorized:
            *error = tr("Not authorized to capture traffic (polkit said no): %1").arg(escapeControl(QString::fromStdString(why)));
            break;
        default:
            *error = tr("The capture could not start: %1").arg(escapeControl(QString::fromStdString(why)));
        }
        return false;
    }
    m_fd = started->streamFd;
    m_captureId = started->captureId;
    m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &LiveCapture::readSocket);
    m_running = true;
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
    if (m_helper) {
        m_helper->deleteLater();
        m_helper = nullptr;
    }
    Q_EMIT finished(error);
}

} // namespace httptap
