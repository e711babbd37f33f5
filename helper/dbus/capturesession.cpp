// SPDX-License-Identifier: GPL-2.0-or-later
#include "capturesession.h"

#include <QLoggingCategory>
#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcSession, "httptap.helper.session")

namespace httptap::helper {

namespace {

// A client may fall this far behind before Data records are dropped; control
// records (process events, closes, notices) are kept up to twice as much.
constexpr size_t kQueueLimit = 32u << 20;
// Bigger than the default so bursts go to the kernel rather than the queue.
constexpr int kSocketBuffer = 4 << 20;
// How long a stopped session keeps delivering what is queued.
constexpr int kCloseTimeoutMs = 5000;
// After the command's exit, how many ticks to wait for its Exit record.
constexpr int kExitWaitTicks = 4;
// A wake-up that brought fewer records than this lets the next ones gather (m_gather).
constexpr int kGatherBelow = 256;

uint64_t monotonicNs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

uint64_t realtimeNs()
{
    timespec ts {};
    clock_gettime(CLOCK_REALTIME, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

uint32_t le32(const uint8_t* p)
{
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

} // namespace

CaptureSession::CaptureSession(QString id, QString owner, int streamFd, QObject* parent)
    : QObject(parent)
    , m_id(std::move(id))
    , m_owner(std::move(owner))
    , m_fd(streamFd)
{
    setsockopt(m_fd, SOL_SOCKET, SO_SNDBUFFORCE, &kSocketBuffer, sizeof(kSocketBuffer));
    // The client only reads; anything readable on our end is EOF (it hung up).
    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &CaptureSession::onReadable);
    m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &CaptureSession::onWritable);
    m_tick.setInterval(500);
    connect(&m_tick, &QTimer::timeout, this, &CaptureSession::onTick);
    m_closeDeadline.setSingleShot(true);
    connect(&m_closeDeadline, &QTimer::timeout, this, &CaptureSession::finish);
    // As in direct mode (helper/main.cpp): under load the ring buffer wakes us for every few
    // records, each wake-up a context switch on a CPU the traced process needs. After one that
    // brought few, the notifier rests for a millisecond while records gather.
    m_gather.setSingleShot(true);
    m_gather.setInterval(1);
    m_gather.setTimerType(Qt::PreciseTimer);
    connect(&m_gather, &QTimer::timeout, this, [this] {
        if (!m_eventNotifier || !m_engine || m_stopping || m_finished)
            return;
        m_eventNotifier->setEnabled(true);
        onEvents();
    });
}

CaptureSession::~CaptureSession()
{
    m_engine.reset(); // detach the probes before anything else goes
    if (m_commandPidfd >= 0)
        close(m_commandPidfd);
    if (m_fd >= 0)
        close(m_fd);
}

bool CaptureSession::start(const CaptureOptions& options, std::string* error)
{
    m_writer.writeStreamHeader();
    m_writer.write(record::StreamStart {monotonicNs(), realtimeNs(), static_cast<uint32_t>(getpid()),
        "httptap-helper " HTTPTAP_VERSION " (D-Bus)"});
    m_engine = std::make_unique<CaptureEngine>(m_writer);
    if (!m_engine->start(options, error)) {
        m_engine.reset();
        m_writer.write(record::Notice {monotonicNs(), record::NoticeLevel::Error, 0, *error});
        m_writer.write(record::StreamEnd {monotonicNs()});
        m_queue.push_back(m_writer.take());
        m_queuedBytes = m_queue.back().size();
        sendQueued();
        return false;
    }
    m_writer.write(record::Ready {monotonicNs()});
    // The header is not a record: queue it with the first records as they are.
    m_queue.push_back(m_writer.take());
    m_queuedBytes = m_queue.back().size();
    m_eventNotifier = new QSocketNotifier(m_engine->eventFd(), QSocketNotifier::Read, this);
    connect(m_eventNotifier, &QSocketNotifier::activated, this, &CaptureSession::onEvents);
    m_tick.start();
    sendQueued();
    return true;
}

bool CaptureSession::addPids(const std::vector<pid_t>& pids, std::string* error)
{
    if (!m_engine || m_stopping) {
        *error = "the capture is stopping";
        return false;
    }
    const bool ok = m_engine->addPids(pids, error);
    takeRecords();
    return ok;
}

void CaptureSession::removePids(const std::vector<pid_t>& pids)
{
    if (m_engine && !m_stopping)
        m_engine->removePids(pids);
}

void CaptureSession::watchCommand(pid_t pid, int pidfd)
{
    m_commandPid = pid;
    m_commandPidfd = pidfd;
    m_commandNotifier = new QSocketNotifier(pidfd, QSocketNotifier::Read, this);
    connect(m_commandNotifier, &QSocketNotifier::activated, this, &CaptureSession::onCommandExited);
}

void CaptureSession::onEvents()
{
    if (!m_engine)
        return;
    const int n = m_engine->poll(0);
    if (n < 0) {
        m_writer.write(record::Notice {monotonicNs(), record::NoticeLevel::Error, 0,
            std::string("reading the BPF ring buffer failed: ") + strerror(-n)});
        stop();
        return;
    }
    takeRecords();
    if (n > 0 && n < kGatherBelow && m_eventNotifier && !m_stopping) {
        m_eventNotifier->setEnabled(false);
        m_gather.start();
    }
}

void CaptureSession::onTick()
{
    if (!m_engine)
        return;
    m_engine->reportLosses();
    m_engine->rescanLibraries();
    takeRecords();
    if (m_commandExited && (m_engine->hasExited(m_commandPid) || ++m_waitForExitTicks >= kExitWaitTicks))
        stop();
}

void CaptureSession::onCommandExited()
{
    m_commandNotifier->setEnabled(false);
    // Reap it (the helper is its parent); its exit code travels in the stream's
    // Process record, which the kernel reports.
    waitpid(m_commandPid, nullptr, WNOHANG);
    m_commandExited = true;
    onEvents();
    if (m_engine && m_engine->hasExited(m_commandPid))
        stop();
}

void CaptureSession::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_tick.stop();
    m_gather.stop();
    if (m_engine) {
        while (m_engine->poll(0) > 0) { }
        m_engine->reportUnreadConnections();
        m_engine->reportLosses();
        if (m_eventNotifier)
            m_eventNotifier->setEnabled(false);
        m_engine.reset(); // detach now; only the queue is left to deliver
    }
    m_writer.write(record::StreamEnd {monotonicNs()});
    takeRecords();
    m_closeDeadline.start(kCloseTimeoutMs);
    sendQueued();
}

void CaptureSession::takeRecords()
{
    if (m_droppedRecords != m_droppedReported && m_queuedBytes < kQueueLimit / 2) {
        m_droppedReported = m_droppedRecords;
        m_writer.write(record::Notice {monotonicNs(), record::NoticeLevel::Warning, 0,
            std::to_string(m_droppedRecords) + " records (" + std::to_string(m_droppedBytes)
                + " bytes) were dropped because the reader did not keep up"});
    }
    std::vector<uint8_t> batch = m_writer.take();
    if (batch.empty())
        return;
    if (m_queuedBytes + batch.size() <= kQueueLimit) {
        m_queuedBytes += batch.size();
        m_queue.push_back(std::move(batch));
    } else {
        // Over the limit: keep whole records only, and among them not the Data.
        std::vector<uint8_t> kept;
        for (size_t at = 0; at + record::kRecordHeaderSize <= batch.size();) {
            const uint32_t size = le32(&batch[at]);
            if (size < record::kRecordHeaderSize || at + size > batch.size())
                break; // cannot happen: the writer produced it
            const auto type = static_cast<record::RecordType>(batch[at + 4] | batch[at + 5] << 8);
            const bool room = m_queuedBytes + kept.size() + size <= kQueueLimit;
            if (room || (type != record::RecordType::Data && m_queuedBytes + kept.size() + size <= 2 * kQueueLimit)) {
                kept.insert(kept.end(), batch.begin() + at, batch.begin() + at + size);
            } else {
                ++m_droppedRecords;
                m_droppedBytes += size;
            }
            at += size;
        }
        m_queuedBytes += kept.size();
        if (!kept.empty())
            m_queue.push_back(std::move(kept));
    }
    sendQueued();
}

void CaptureSession::sendQueued()
{
    while (!m_queue.empty() && m_fd >= 0) {
        const std::vector<uint8_t>& front = m_queue.front();
        const ssize_t n = ::send(m_fd, front.data() + m_sentOfFront, front.size() - m_sentOfFront,
            MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            abort(); // EPIPE, ECONNRESET: the client is gone
            return;
        }
        m_sentOfFront += static_cast<size_t>(n);
        if (m_sentOfFront == front.size()) {
            m_queuedBytes -= front.size();
            m_sentOfFront = 0;
            m_queue.pop_front();
        }
    }
    m_writeNotifier->setEnabled(!m_queue.empty());
    if (m_queue.empty() && m_stopping)
        finish();
}

void CaptureSession::onWritable()
{
    sendQueued();
}

void CaptureSession::onReadable()
{
    char buf[256];
    const ssize_t n = ::recv(m_fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
        return; // the client wrote something: ignored, the stream is one-way
    abort();
}

void CaptureSession::abort()
{
    qCDebug(lcSession) << "capture" << m_id << "client hung up";
    m_queue.clear();
    m_queuedBytes = 0;
    finish();
}

void CaptureSession::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_tick.stop();
    m_closeDeadline.stop();
    m_gather.stop();
    for (QSocketNotifier* n : {m_eventNotifier, m_readNotifier, m_writeNotifier, m_commandNotifier}) {
        if (n)
            n->setEnabled(false);
    }
    m_engine.reset();
    if (m_fd >= 0) {
        close(m_fd);
        m_fd = -1;
    }
    emit finished();
}

} // namespace httptap::helper
