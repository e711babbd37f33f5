// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// One capture started over D-Bus: owns a CaptureEngine, drives it from the Qt
// event loop (the ring buffer's epoll fd, a 500 ms tick for library rescans
// and loss counters) and writes its records to the client's end of a
// socketpair.
//
// Invariants: the helper never blocks on a client. Records wait in a bounded
// queue; when it is full, Data records are dropped and counted (a Notice tells
// the reader once it catches up; the reader sees the gap by byte offset).
// When the client hangs up (EOF or EPIPE on the socket), the probes are
// detached at once and finished() is emitted. Captured bytes go to this fd
// and nowhere else.

#include "captureengine.h"
#include "record/recordwriter.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

class QSocketNotifier;

namespace httptap::helper {

class CaptureSession : public QObject
{
    Q_OBJECT
public:
    // streamFd: the helper's end of the socketpair; the session owns it.
    CaptureSession(QString id, QString owner, int streamFd, QObject* parent = nullptr);
    ~CaptureSession() override;

    const QString& id() const { return m_id; }
    const QString& owner() const { return m_owner; }

    // Writes the stream header, loads and attaches the probes and writes Ready.
    // On failure the stream carries the error too (Notice + StreamEnd).
    bool start(const CaptureOptions& options, std::string* error);
    bool addPids(const std::vector<pid_t>& pids, std::string* error);
    void removePids(const std::vector<pid_t>& pids);

    // A command launched for this capture: the stream ends once it has exited
    // and what it did is drained. pidfd (owned from now on) becomes readable
    // when it exits.
    void watchCommand(pid_t pid, int pidfd);

    // Drains, ends the stream, detaches the probes; what is queued is still
    // delivered (for up to a few seconds) before the fd is closed.
    void stop();

    // The client is gone: detach at once, deliver nothing more.
    void abort();

signals:
    // The session is over (stopped and flushed, or the client hung up).
    void finished();

private:
    void onEvents();
    void onTick();
    void onReadable();
    void onWritable();
    void onCommandExited();
    void takeRecords(); // the writer's records → the queue (dropping Data when full)
    void sendQueued();
    void finish();

    QString m_id;
    QString m_owner;
    int m_fd = -1;
    record::RecordWriter m_writer; // before m_engine, which writes into it
    std::unique_ptr<CaptureEngine> m_engine;
    QSocketNotifier* m_eventNotifier = nullptr;
    QSocketNotifier* m_readNotifier = nullptr;
    QSocketNotifier* m_writeNotifier = nullptr;
    QSocketNotifier* m_commandNotifier = nullptr;
    QTimer m_tick;
    QTimer m_closeDeadline;
    QTimer m_gather; // after a wake-up that brought few records: a millisecond before the next
    std::deque<std::vector<uint8_t>> m_queue;
    size_t m_queuedBytes = 0;
    size_t m_sentOfFront = 0;
    uint64_t m_droppedRecords = 0;
    uint64_t m_droppedBytes = 0;
    uint64_t m_droppedReported = 0;
    pid_t m_commandPid = 0;
    int m_commandPidfd = -1;
    bool m_commandExited = false;
    int m_waitForExitTicks = 0;
    bool m_stopping = false;
    bool m_finished = false;
};

} // namespace httptap::helper
