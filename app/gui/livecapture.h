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
// authorized, process gone, the helper stopped) saying what to do.
//
// startCommand() launches a new program traced from its first instruction:
// as root it is forked held at a gate (GatedCommand) and released when the
// helper's first bytes (written only once its probes are attached) arrive;
// otherwise the service's StartCommand runs it as the user. addPids() traces
// more processes in the running capture (the helper's --control-stdin, or
// the service's AddPids).

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
class GatedCommand;
namespace record {
class RecordReader;
}

class LiveCapture : public QObject
{
    Q_OBJECT
public:
    explicit LiveCapture(QObject* parent = nullptr);
    ~LiveCapture() override;

    // False with *error when the capture cannot start.
    bool start(const std::vector<pid_t>& pids, bool followForks, QString* error);
    // argv run in workingDirectory under capture until it exits (or stop()).
    bool startCommand(const QStringList& argv, const QString& workingDirectory, bool followForks, QString* error);
    // More processes for the running capture; false with *error if they cannot be added.
    bool addPids(const std::vector<pid_t>& pids, QString* error);
    // The launched command's pid (0 when the capture is of existing processes).
    pid_t commandPid() const { return m_commandPid; }
    // Asks the producer to drain and end the stream; finished() follows.
    void stop();
    bool isRunning() const { return m_running; }

    // $HTTPTAP_HELPER, next to this executable, or the installed libexec path; empty if none.
    // Direct mode (root) runs this helper instead of findHelperExecutable()'s (tests: a missing or failing one).
    void setHelperPath(const QString& path) { m_helperPath = path; }
    // A service failure as a sentence for the user with what to do.
    static QString serviceFailureText(int failure, const QString& why);
    // Running processes among pids; the message names the first one that is gone.
    static QString missingProcess(const std::vector<pid_t>& pids);

Q_SIGNALS:
    void bytesReceived(const QByteArray& bytes);
    void notice(const QString& text);
    void finished(const QString& error);

private:
    bool startHelper(const QStringList& args, QString* error);
    bool startService(const std::vector<pid_t>& pids, const QStringList& argv, const QString& workingDirectory,
        bool followForks, QString* error);
    void end(const QString& error);
    void readSocket();

    QProcess* m_helper = nullptr;
    std::unique_ptr<client::ServiceClient> m_service;
    std::string m_captureId;
    int m_fd = -1;
    QSocketNotifier* m_notifier = nullptr;
    QString m_stderr;
    QString m_helperPath;
    std::unique_ptr<GatedCommand> m_command; // direct mode: released on the helper's first bytes
    std::unique_ptr<record::RecordReader> m_readyScan; // looks for Ready before releasing m_command
    pid_t m_commandPid = 0;
    bool m_running = false;
};

} // namespace httptap
