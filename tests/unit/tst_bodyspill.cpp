// SPDX-License-Identifier: GPL-2.0-or-later
// Large bodies out of the heap (bodyspill.h): a body above the limit round-trips
// through the spill file byte for byte; the file has no name in its directory
// and mode 0600; drop mode and a full spill file cut the body to the limit and
// mark the flow truncated; small bodies stay as they were.

#include "streambuilder.h"

#include "flow/bodyspill.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace httptap;
using namespace httptap::test;

namespace {

// Bytes that differ from page to page, so a misplaced page shows.
QByteArray pattern(qsizetype size)
{
    QByteArray out(size, Qt::Uninitialized);
    uint32_t x = 2463534242u;
    for (qsizetype i = 0; i < size; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = char(x);
    }
    return out;
}

// One GET with a response of `body` (Content-Length) and one with a small body, through an assembler.
std::vector<Flow> assembleWith(const QByteArray& body, const LargeBodyPolicy& policy)
{
    StreamBuilder b;
    TestConnection c;
    b.egress(c, "GET /big HTTP/1.1\r\nHost: a.test\r\n\r\n");
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    b.egress(c, "GET /small HTTP/1.1\r\nHost: a.test\r\n\r\n");
    b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmall");
    b.close(c);
    std::vector<Flow> flows;
    FlowAssembler assembler([&](Flow&& f) { flows.push_back(std::move(f)); });
    assembler.setLargeBodyPolicy(policy);
    for (const record::Record& r : b.records())
        assembler.add(r);
    assembler.finish();
    return flows;
}

// A view of a mapping or of static data has no heap block (Qt 6.4 has no const data_ptr()).
bool onHeap(const QByteArray& bytes) { return const_cast<QByteArray&>(bytes).data_ptr().d_ptr() != nullptr; }

} // namespace

class TestBodySpill : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void largeBodyRoundTripsThroughTheSpillFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        std::shared_ptr<SpillFile> spill = SpillFile::open(dir.path(), 1u << 30, &error);
        QVERIFY2(spill, qPrintable(error));
        const QByteArray body = pattern(300 * 1024 + 17); // not a whole number of pages
        const std::vector<Flow> flows
            = assembleWith(body, LargeBodyPolicy { LargeBodyPolicy::Mode::Spill, 64 * 1024, spill });
        QCOMPARE(flows.size(), size_t(2));
        const Flow& big = flows[0];
        QCOMPARE(big.response.body.size(), body.size());
        QVERIFY(big.response.body == body);
        QVERIFY(!onHeap(big.response.body)); // a view of the mapping
        QVERIFY(!big.response.bodyTruncated);
        QVERIFY(!big.truncated);
        QCOMPARE(big.response.bodySize, uint64_t(body.size()));
        QVERIFY(big.notes.isEmpty());
        // Page-aligned: 300 KiB + 17 takes 76 pages of 4 KiB.
        QCOMPARE(spill->bytesUsed(), uint64_t(76 * 4096));
        // The small body stays on the heap.
        QCOMPARE(flows[1].response.body, QByteArray("small"));
        QVERIFY(onHeap(flows[1].response.body));
        // A copy that is written to detaches onto the heap; the spilled bytes stay.
        QByteArray copy = big.response.body;
        copy[0] = char(~copy[0]);
        QVERIFY(big.response.body == body);
    }

    void spillFileIsPrivateAndHasNoName()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        std::unique_ptr<SpillFile> spill = SpillFile::open(dir.path(), 1u << 20, &error);
        QVERIFY2(spill, qPrintable(error));
        QByteArray view;
        QVERIFY(spill->store(pattern(10000), &view, &error));
        QCOMPARE(view, pattern(10000));
        struct stat st {};
        QCOMPARE(fstat(spill->fd(), &st), 0);
        QCOMPARE(int(st.st_mode & 07777), 0600);
        QVERIFY(S_ISREG(st.st_mode));
        QCOMPARE(int(st.st_nlink), 0); // no name anywhere
        QCOMPARE(uint64_t(st.st_size), uint64_t(10000));
        // Nothing in the directory, hidden entries included.
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot),
            QStringList());
    }

    void defaultDirectoryIsTheRuntimeDirectory()
    {
        QTemporaryDir runtime;
        QVERIFY(runtime.isValid());
        const QByteArray saved = qgetenv("XDG_RUNTIME_DIR");
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(runtime.path()));
        QString error;
        std::unique_ptr<SpillFile> spill = SpillFile::open(QString(), 1u << 20, &error);
        if (saved.isNull())
            qunsetenv("XDG_RUNTIME_DIR");
        else
            qputenv("XDG_RUNTIME_DIR", saved);
        QVERIFY2(spill, qPrintable(error));
        QCOMPARE(spill->directory(), runtime.path());
    }

    void dropModeCutsToTheLimitAndMarksTheFlow()
    {
        const QByteArray body = pattern(100000);
        const std::vector<Flow> flows
            = assembleWith(body, LargeBodyPolicy { LargeBodyPolicy::Mode::Drop, 65536, nullptr });
        QCOMPARE(flows.size(), size_t(2));
        const Flow& big = flows[0];
        QCOMPARE(big.response.body, body.left(65536));
        QCOMPARE(big.response.bodySize, uint64_t(100000));
        QVERIFY(big.response.bodyTruncated);
        QVERIFY(big.truncated);
        QCOMPARE(big.notes,
            QStringList { QStringLiteral("response body larger than 64 KiB; kept the first 64 KiB (large bodies are dropped)") });
        QCOMPARE(flows[1].response.body, QByteArray("small"));
        QVERIFY(!flows[1].truncated);
    }

    void fullSpillFileDropsWithTheReason()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        std::shared_ptr<SpillFile> spill = SpillFile::open(dir.path(), 64 * 1024, &error);
        QVERIFY2(spill, qPrintable(error));
        const QByteArray body = pattern(70000);
        const std::vector<Flow> flows = assembleWith(body, LargeBodyPolicy { LargeBodyPolicy::Mode::Spill, 4096, spill });
        const Flow& big = flows[0];
        QCOMPARE(big.response.body, body.left(4096));
        QVERIFY(big.response.bodyTruncated);
        QVERIFY(big.truncated);
        QCOMPARE(big.notes,
            QStringList { QStringLiteral(
                "response body larger than 4 KiB; kept the first 4 KiB (the spill file reached its limit of 64 KiB)") });
        QCOMPARE(spill->bytesUsed(), uint64_t(0));
    }

    void keepModeLeavesBodiesOnTheHeap()
    {
        const QByteArray body = pattern(100000);
        const std::vector<Flow> flows = assembleWith(body, LargeBodyPolicy {});
        QCOMPARE(flows[0].response.body, body);
        QVERIFY(onHeap(flows[0].response.body));
        QVERIFY(!flows[0].truncated);
    }
};

QTEST_GUILESS_MAIN(TestBodySpill)
#include "tst_bodyspill.moc"
