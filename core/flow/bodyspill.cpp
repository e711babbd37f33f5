// SPDX-License-Identifier: GPL-2.0-or-later
#include "bodyspill.h"

#include "limittext.h"

#include <QDir>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace httptap {

namespace {

QString errnoText(int err) { return QString::fromLocal8Bit(std::strerror(err)); }

uint64_t pageSize()
{
    static const uint64_t size = uint64_t(sysconf(_SC_PAGESIZE));
    return size;
}

QString defaultDirectory()
{
    const QByteArray runtime = qgetenv("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty() && QDir(QString::fromLocal8Bit(runtime)).exists())
        return QString::fromLocal8Bit(runtime);
    return QStringLiteral("/tmp");
}

void addNote(Flow& flow, const QString& text)
{
    if (!flow.notes.contains(text))
        flow.notes.append(text);
}

} // namespace

std::unique_ptr<SpillFile> SpillFile::open(const QString& directory, uint64_t maxFileBytes, QString* error)
{
    const QString dir = directory.isEmpty() ? defaultDirectory() : directory;
    const QByteArray path = QFile::encodeName(dir);
    // O_TMPFILE: a file without a name from the start, nothing in the directory to find or to leave behind.
    int fd = ::open(path.constData(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    bool anonymous = fd >= 0;
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        // The file system has no O_TMPFILE: a named file, unlinked before anything is written to it.
        QByteArray templ = path + "/httptap-spill-XXXXXX";
        fd = mkostemp(templ.data(), O_CLOEXEC); // mode 0600
        if (fd >= 0 && ::unlink(templ.constData()) != 0) {
            const int err = errno;
            ::close(fd);
            errno = err;
            fd = -1;
        }
    }
    if (fd < 0) {
        if (error)
            *error = QStringLiteral("cannot create a spill file in %1: %2").arg(dir, errnoText(errno));
        return nullptr;
    }
    if (::fchmod(fd, 0600) != 0) { // whatever the umask made of it
        const int err = errno;
        ::close(fd);
        if (error)
            *error = QStringLiteral("cannot make the spill file in %1 private: %2").arg(dir, errnoText(err));
        return nullptr;
    }
    return std::unique_ptr<SpillFile>(new SpillFile(fd, dir, anonymous, maxFileBytes));
}

SpillFile::SpillFile(int fd, QString directory, bool anonymous, uint64_t maxFileBytes)
    : m_fd(fd)
    , m_directory(std::move(directory))
    , m_anonymous(anonymous)
    , m_maxFileBytes(maxFileBytes)
{
}

SpillFile::~SpillFile()
{
    // The mappings handed out stay valid after the descriptor closes; the file goes with the last of them.
    ::close(m_fd);
}

uint64_t SpillFile::bytesUsed() const
{
    std::lock_guard lock(m_mutex);
    return m_end;
}

bool SpillFile::store(const QByteArray& bytes, QByteArray* view, QString* error)
{
    const uint64_t size = uint64_t(bytes.size());
    if (size == 0) {
        *view = QByteArray();
        return true;
    }
    uint64_t offset = 0;
    {
        // Reserve the range; writing and mapping it need no lock (pwrite and mmap at distinct offsets).
        std::lock_guard lock(m_mutex);
        const uint64_t rounded = (size + pageSize() - 1) / pageSize() * pageSize();
        if (m_end + rounded > m_maxFileBytes) {
            if (error)
                *error = QStringLiteral("the spill file reached its limit of %1").arg(limitText(m_maxFileBytes));
            return false;
        }
        offset = m_end;
        m_end += rounded;
    }
    // pwrite, not a store through a writable mapping: a full tmpfs is an error here, not a SIGBUS.
    const char* p = bytes.constData();
    uint64_t done = 0;
    while (done < size) {
        const ssize_t n = ::pwrite(m_fd, p + done, size_t(size - done), off_t(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (error)
                *error = QStringLiteral("cannot write to the spill file in %1: %2")
                             .arg(m_directory, errnoText(n < 0 ? errno : ENOSPC));
            return false;
        }
        done += uint64_t(n);
    }
    void* map = ::mmap(nullptr, size_t(size), PROT_READ, MAP_SHARED, m_fd, off_t(offset));
    if (map == MAP_FAILED) {
        if (error)
            *error = QStringLiteral("cannot map the spill file: %1").arg(errnoText(errno));
        return false;
    }
    // Never unmapped: the view may be copied into any flow on any thread for the rest of the process.
    *view = QByteArray::fromRawData(static_cast<const char*>(map), qsizetype(size));
    return true;
}

namespace {

// One body: spilled, dropped to the limit, or left as it is. Returns whether it was cut.
bool keepLarge(QByteArray& body, const LargeBodyPolicy& policy, QString* why)
{
    if (uint64_t(body.size()) <= policy.limitBytes || body.data_ptr().d_ptr() == nullptr)
        return false; // small, or not on the heap: already a view (of the spill file or static data)
    if (policy.mode == LargeBodyPolicy::Mode::Spill && policy.spill) {
        QByteArray view;
        if (policy.spill->store(body, &view, why)) {
            body = view;
            return false;
        }
    } else if (policy.mode == LargeBodyPolicy::Mode::Spill) {
        *why = QStringLiteral("no spill file");
    }
    body.truncate(qsizetype(policy.limitBytes));
    body.squeeze();
    return true;
}

void keepLargeMessage(Flow& flow, HttpMessage& m, const char* which, const LargeBodyPolicy& policy)
{
    QString why;
    if (keepLarge(m.body, policy, &why)) {
        m.bodyTruncated = true;
        flow.truncated = true;
        addNote(flow,
            why.isEmpty()
                ? QStringLiteral("%1 body larger than %2; kept the first %2 (large bodies are dropped)")
                      .arg(QLatin1StringView(which), limitText(policy.limitBytes))
                : QStringLiteral("%1 body larger than %2; kept the first %2 (%3)")
                      .arg(QLatin1StringView(which), limitText(policy.limitBytes), why));
    }
    if (m.decoded() && uint64_t(m.decodedBody().size()) > policy.limitBytes) {
        HttpMessage::Rare& rare = m.editRare();
        why.clear();
        if (keepLarge(rare.decodedBody, policy, &why)) {
            rare.decodedTruncated = true;
            addNote(flow,
                QStringLiteral("decoded %1 body larger than %2; kept the first %2 (%3)")
                    .arg(QLatin1StringView(which), limitText(policy.limitBytes),
                        why.isEmpty() ? QStringLiteral("large bodies are dropped") : why));
        }
    }
}

} // namespace

void keepLargeBodies(Flow& flow, const LargeBodyPolicy& policy)
{
    if (policy.mode == LargeBodyPolicy::Mode::Keep)
        return;
    keepLargeMessage(flow, flow.request, "request", policy);
    if (flow.hasResponse)
        keepLargeMessage(flow, flow.response, "response", policy);
}

} // namespace httptap
