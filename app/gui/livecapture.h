// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A live capture for the window: the record stream of the processes asked
// for, delivered as bytes on the GUI thread without blocking it.
//
// As root the helper runs as a child in direct mode (`httptap-helper
// --direct --pid …`, its stdout read on readyRead); otherwise the system
// service is asked through ServiceClient (polkit decides) and the returned
// socket is read through a QSocketNotifier. Either way the bytes go to
// bytesReceived() and the end to finished(error): an empty error is a clean
// end, anything else is a sentence for the user (helper missing, not
// authorized, BPF unavailable, the helper stopped).

#include <QObject>
#include <QProcess>
#include <QStringList>

#include <memory>
#include <sys/types.h>
#include <vector>

class QSocketNotifier;

namespace httptap {

namespace client {
class ServiceClient;
}

class LiveCapture : public QObject
{
    Q_OBJECT
public:
    explicit LiveCapture(QObject* parent = nullptr);
    ~LiveCapture() override;

    // False with *error when the capture cannot start.
    bool start(const std::vector<pid_t>& pids, bool followForks, QString* error);
    // Asks the producer to drain and end the stream; finished() follows.
    void stop();
    bool isRunning() const { return m_running; }

    // $HTTPTAP_HELPER, next to this executable, or the installed libexec path; empty if none.
    static QString findHelper();

Q_SIGNALS:
    void bytesReceived(const QByteArray& bytes);
    void notice(const QString& text);
    void finished(const QString& error);

private:
    void end(const QString& error);
    void readSocket();

    QProcess* m_helper = nullptr;
    std::unique_ptr<client::ServiceClient> m_service;
    std::string m_captureId;
    int m_fd = -1;
    QSocketNotifier* m_notifier = nullptr;
    QString m_stderr;
    bool m_running = false;
};

} // namespace httptap
