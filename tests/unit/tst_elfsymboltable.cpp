// SPDX-License-Identifier: GPL-2.0-or-later
// ELF symbols for initiator stacks (issue 12), against libsymfixture.so built by CMake from
// tests/unit/symbolfixture (a public C function, a static one, a C++ method) and its stripped
// copy. Expected addresses come from binutils (nm -S, readelf -lW), not from the code under test.
// Hostile files (truncated, garbage, huge counts) must give no symbols and no crash.

#include "symbols/elfsymboltable.h"
#include "symbols/symbolizer.h"

#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

using namespace httptap;

namespace {

const QString kFixture = QStringLiteral(HTTPTAP_SYMBOL_FIXTURE);
const QString kStripped = QStringLiteral(HTTPTAP_SYMBOL_FIXTURE_STRIPPED);

QString run(const QString& program, const QStringList& args)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(30000);
    return QString::fromUtf8(p.readAllStandardOutput());
}

// Link-time address of a function symbol, from nm.
uint64_t nmAddress(const QString& file, const QString& name)
{
    for (const QString& line : run(QStringLiteral("nm"), { QStringLiteral("--defined-only"), file }).split(u'\n')) {
        const QStringList f = line.split(u' ', Qt::SkipEmptyParts);
        if (f.size() == 3 && f[2] == name)
            return f[0].toULongLong(nullptr, 16);
    }
    return 0;
}

// Size of a function symbol, from nm -S.
uint64_t nmSize(const QString& file, const QString& name)
{
    const QStringList args { QStringLiteral("-S"), QStringLiteral("--defined-only"), file };
    for (const QString& line : run(QStringLiteral("nm"), args).split(u'\n')) {
        const QStringList f = line.split(u' ', Qt::SkipEmptyParts);
        if (f.size() == 4 && f[3] == name)
            return f[1].toULongLong(nullptr, 16);
    }
    return 0;
}

// The file offset where a virtual address is mapped, from the PT_LOAD lines of readelf -lW.
uint64_t fileOffsetOf(const QString& file, uint64_t address)
{
    for (const QString& line : run(QStringLiteral("readelf"), { QStringLiteral("-lW"), file }).split(u'\n')) {
        const QStringList f = line.split(u' ', Qt::SkipEmptyParts);
        if (f.size() >= 5 && f[0] == QLatin1String("LOAD")) {
            const uint64_t offset = f[1].toULongLong(nullptr, 16), vaddr = f[2].toULongLong(nullptr, 16),
                           size = f[4].toULongLong(nullptr, 16);
            if (address >= vaddr && address < vaddr + size)
                return address - vaddr + offset;
        }
    }
    return UINT64_MAX;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

std::optional<ElfSymbolTable> load(const QString& path)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    std::optional<ElfSymbolTable> table = ElfSymbolTable::fromFd(fd);
    ::close(fd);
    return table;
}

QString named(const std::optional<ElfSymbolTable::Symbol>& s)
{
    return s ? s->name + QStringLiteral("+0x") + QString::number(s->offset, 16) : QStringLiteral("(none)");
}

} // namespace

class TestElfSymbolTable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(nmAddress(kFixture, QStringLiteral("fixture_public")) != 0, "nm does not list the fixture");
        QVERIFY(nmAddress(kStripped, QStringLiteral("fixture_public")) == 0); // stripped: nm sees no .symtab
    }

    void lookup_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("nmName"); // as nm lists it (mangled)
        QTest::addColumn<uint64_t>("delta"); // bytes into the function
        QTest::addColumn<QString>("expected");
        QTest::newRow("public C") << kFixture << "fixture_public" << uint64_t(0) << "fixture_public+0x0";
        QTest::newRow("public C, inside") << kFixture << "fixture_public" << uint64_t(4) << "fixture_public+0x4";
        QTest::newRow("static C") << kFixture << "fixture_static" << uint64_t(2) << "fixture_static+0x2";
        QTest::newRow("C++ demangled") << kFixture << "_ZN7fixture6Widget7computeEi" << uint64_t(1)
                                       << "fixture::Widget::compute(int)+0x1";
        QTest::newRow("stripped: public via .dynsym")
            << kStripped << "fixture_public" << uint64_t(3) << "fixture_public+0x3";
        QTest::newRow("stripped: C++ via .dynsym")
            << kStripped << "_ZN7fixture6Widget7computeEi" << uint64_t(0) << "fixture::Widget::compute(int)+0x0";
        QTest::newRow("stripped: static gone") << kStripped << "fixture_static" << uint64_t(2) << "(none)";
    }
    void lookup()
    {
        QFETCH(QString, file);
        QFETCH(QString, nmName);
        QFETCH(uint64_t, delta);
        QFETCH(QString, expected);
        // Addresses from the unstripped file: stripping keeps the layout.
        const uint64_t address = nmAddress(kFixture, nmName);
        QVERIFY(address);
        const uint64_t offset = fileOffsetOf(file, address + delta);
        QVERIFY(offset != UINT64_MAX);
        const std::optional<ElfSymbolTable> table = load(file);
        QVERIFY(table);
        QCOMPARE(named(table->lookup(offset)), expected);
        QCOMPARE(table->addressOf(offset), std::optional<uint64_t>(address + delta));

        Symbolizer symbolizer;
        QCOMPARE(named(symbolizer.lookup(0, file, offset)), expected);
        // The target's view of the path: /proc/PID/root + path (here our own root).
        QCOMPARE(named(symbolizer.lookup(uint32_t(::getpid()), file, offset)), expected);
    }

    void symbolizesFlow()
    {
        const uint64_t address = nmAddress(kFixture, QStringLiteral("fixture_static"));
        auto stack = std::make_shared<InitiatorStack>();
        stack->tid = 42;
        stack->thread = QStringLiteral("worker");
        const uint64_t size = nmSize(kFixture, QStringLiteral("fixture_static"));
        QVERIFY(size > 2);
        stack->frames = { { 0x7f0000001000, kFixture, fileOffsetOf(kFixture, address + 2), {}, 0 },
            { 0x7f0000002000, QStringLiteral("/nonexistent/libgone.so"), 0x1234, {}, 0 },
            { 0x1234, QString(), 0, {}, 0 },
            // A return address just past the function's end (its last instruction a call): named by
            // the call's byte, not by whatever follows.
            { 0x7f0000001005, kFixture, fileOffsetOf(kFixture, address + size - 1) + 1, {}, 0 } };
        Flow flow;
        flow.pid = uint32_t(::getpid());
        flow.initiator = stack;
        Symbolizer symbolizer;
        symbolizer.symbolize(flow);
        QVERIFY(flow.initiator != stack); // shared stacks are never changed in place
        QVERIFY(stack->frames[0].symbol.isEmpty());
        QCOMPARE(flow.initiator->frames.size(), 4);
        QCOMPARE(flow.initiator->frames[3].symbol, QStringLiteral("fixture_static"));
        QCOMPARE(flow.initiator->frames[3].symbolOffset, size);
        QCOMPARE(flow.initiator->frames[0].symbol, QStringLiteral("fixture_static"));
        QCOMPARE(flow.initiator->frames[0].symbolOffset, uint64_t(2));
        QCOMPARE(flow.initiator->frames[0].address, uint64_t(0x7f0000001000));
        QCOMPARE(flow.initiator->frames[1].symbol, QString()); // cannot be opened: left unnamed
        QCOMPARE(flow.initiator->frames[2].symbol, QString()); // no module
        QCOMPARE(flow.initiator->thread, QStringLiteral("worker"));
        QCOMPARE(flow.initiator->tid, 42u);
        const auto named = flow.initiator;
        symbolizer.symbolize(flow); // unnamed frames remain, so tried again: same answer from the caches
        QCOMPARE(flow.initiator->frames[0].symbol, named->frames[0].symbol);
        QCOMPARE(symbolizer.cachedModules(), size_t(1));

        // Another request from the same call site: the same named frames, shared, not copied.
        auto again = std::make_shared<InitiatorStack>(*stack);
        again->timestampNs = 99;
        Flow second;
        second.pid = flow.pid;
        second.initiator = again;
        symbolizer.symbolize(second);
        QCOMPARE(second.initiator->timestampNs, uint64_t(99));
        QCOMPARE(second.initiator->frames[0].symbol, QStringLiteral("fixture_static"));
        QVERIFY(second.initiator->frames.constData() == named->frames.constData());
        // Another process (or another address): looked up on its own.
        second.pid = flow.pid + 1;
        second.initiator = again;
        symbolizer.symbolize(second);
        QCOMPARE(second.initiator->frames[0].symbol, QStringLiteral("fixture_static"));
        QVERIFY(second.initiator->frames.constData() != named->frames.constData());
    }

    void refusesNonElfAndSpecialFiles_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("not ELF") << QStringLiteral(HTTPTAP_TEST_DATA_DIR "/chrome-like.har");
        QTest::newRow("device") << QStringLiteral("/dev/zero");
        QTest::newRow("directory") << QStringLiteral("/usr/lib");
        QTest::newRow("missing") << QStringLiteral("/nonexistent/lib.so");
        QTest::newRow("relative") << QStringLiteral("lib.so");
        QTest::newRow("proc file") << QStringLiteral("/proc/self/status");
    }
    void refusesNonElfAndSpecialFiles()
    {
        QFETCH(QString, path);
        Symbolizer symbolizer;
        QCOMPARE(named(symbolizer.lookup(0, path, 0)), QStringLiteral("(none)"));
    }

    void hostileTruncated()
    {
        const QByteArray whole = readAll(kStripped);
        QVERIFY(whole.size() > 4096);
        for (qsizetype cut = 0; cut < whole.size(); cut += std::max<qsizetype>(1, whole.size() / 400)) {
            const std::optional<ElfSymbolTable> t = ElfSymbolTable::fromBytes(whole.left(cut));
            if (cut < qsizetype(sizeof(Elf64_Ehdr)))
                QVERIFY2(!t, "no ELF header, no table");
            if (t)
                for (uint64_t off = 0; off < uint64_t(whole.size()); off += 97)
                    (void)t->lookup(off);
        }
        QVERIFY(ElfSymbolTable::fromBytes(whole)); // the whole file still loads
    }

    void hostileGarbage()
    {
        QRandomGenerator rng(12);
        const QByteArray whole = readAll(kFixture);
        for (int round = 0; round < 300; ++round) {
            QByteArray bytes = whole;
            // Flip bytes in the headers and tables the reader follows.
            for (int i = 0; i < 16; ++i) {
                const qsizetype at = round % 2 ? rng.bounded(std::min<qsizetype>(bytes.size(), 512))
                                               : rng.bounded(bytes.size());
                bytes[at] = char(rng.bounded(256));
            }
            if (std::optional<ElfSymbolTable> t = ElfSymbolTable::fromBytes(bytes))
                for (uint64_t off = 0; off < 0x4000; off += 13)
                    (void)t->lookup(off);
        }
        QByteArray noise(8192, 0);
        for (char& c : noise)
            c = char(rng.bounded(256));
        noise.replace(0, 4, "\x7f" "ELF");
        (void)ElfSymbolTable::fromBytes(noise);
        QVERIFY(!ElfSymbolTable::fromBytes(QByteArray("\x7f" "ELF", 4)));
    }

    void hostileHugeCounts()
    {
        // A valid header claiming 65535 sections at the end of the file and symbols beyond it.
        QByteArray bytes = readAll(kFixture);
        auto* ehdr = reinterpret_cast<Elf64_Ehdr*>(bytes.data());
        ehdr->e_shnum = 0xffff;
        ehdr->e_phnum = 0xffff;
        ehdr->e_shoff = uint64_t(bytes.size()) - 64;
        QVERIFY(!ElfSymbolTable::fromBytes(bytes) || ElfSymbolTable::fromBytes(bytes)->symbolCount() == 0);

        // A symbol table section whose size says billions of entries.
        bytes = readAll(kFixture);
        ehdr = reinterpret_cast<Elf64_Ehdr*>(bytes.data());
        for (int i = 0; i < ehdr->e_shnum; ++i) {
            auto* shdr = reinterpret_cast<Elf64_Shdr*>(bytes.data() + ehdr->e_shoff + uint64_t(i) * sizeof(Elf64_Shdr));
            if (shdr->sh_type == SHT_SYMTAB || shdr->sh_type == SHT_DYNSYM)
                shdr->sh_size = uint64_t(1) << 40;
        }
        if (std::optional<ElfSymbolTable> t = ElfSymbolTable::fromBytes(bytes))
            (void)t->lookup(0x1000);
    }
};

QTEST_GUILESS_MAIN(TestElfSymbolTable)
#include "tst_elfsymboltable.moc"
