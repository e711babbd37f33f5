// SPDX-License-Identifier: GPL-2.0-or-later
// Go's function table on hand-built tables of both layouts read (Go 1.16/1.17 and 1.18+),
// byte for byte as the Go linker lays them out, then hostile variants: counts and offsets
// pointing outside, cut tables, random bytes. A real stripped Go binary is checked by
// go_symbols.py with the local Go toolchain.

#include "symbols/gopclntab.h"

#include <QRandomGenerator>
#include <QTest>

using namespace httptap;

namespace {

constexpr uint64_t kText = 0x401000;

void put32(QByteArray& b, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b.append(char(v >> (8 * i)));
}

void put64(QByteArray& b, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        b.append(char(v >> (8 * i)));
}

// Two functions, main.fetchUser at text+0 (0x20 bytes) and net/http.(*Client).do at text+0x20
// (0x30 bytes), then the end sentinel.
QByteArray table(bool go118, uint64_t textStartField = kText)
{
    const QByteArray names = QByteArray("main.fetchUser\0net/http.(*Client).do\0", 37);
    const uint64_t headerBytes = go118 ? 8 + 8 * 8 : 8 + 7 * 8;
    const uint64_t funcnameOffset = headerBytes;
    const uint64_t funcdataOffset = funcnameOffset + uint64_t(names.size());
    QByteArray b;
    put32(b, go118 ? 0xfffffff0 : 0xfffffffa);
    b.append(char(0)).append(char(0)).append(char(1)).append(char(8));
    put64(b, 2); // nfunc
    put64(b, 0); // nfiles
    if (go118)
        put64(b, textStartField);
    put64(b, funcnameOffset);
    put64(b, 0); // cuOffset
    put64(b, 0); // filetabOffset
    put64(b, 0); // pctabOffset
    put64(b, funcdataOffset);
    b.append(names);
    const uint32_t entries[3] = { 0, 0x20, 0x50 };
    const uint32_t nameOffs[2] = { 0, 15 };
    if (go118) {
        const uint32_t funcs = 3 * 8; // the _func records follow the functab
        for (int i = 0; i < 3; ++i) {
            put32(b, entries[i]);
            put32(b, i < 2 ? funcs + uint32_t(i) * 8 : 0);
        }
        for (int i = 0; i < 2; ++i) {
            put32(b, entries[i]);
            put32(b, nameOffs[i]);
        }
    } else {
        const uint64_t funcs = 3 * 16;
        for (int i = 0; i < 3; ++i) {
            put64(b, kText + entries[i]);
            put64(b, i < 2 ? funcs + uint64_t(i) * 16 : 0);
        }
        for (int i = 0; i < 2; ++i) {
            put64(b, kText + entries[i]);
            put32(b, nameOffs[i]);
            put32(b, 0);
        }
    }
    return b;
}

QString named(const std::optional<GoPclnTab>& t, uint64_t pc)
{
    if (!t)
        return QStringLiteral("(no table)");
    const std::optional<GoPclnTab::Function> f = t->lookup(pc);
    return f ? QString::fromStdString(f->name) + QStringLiteral("+0x") + QString::number(pc - f->entry, 16)
             : QStringLiteral("(none)");
}

} // namespace

class TestGoPclnTab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void lookup_data()
    {
        QTest::addColumn<bool>("go118");
        QTest::addColumn<uint64_t>("textStartField");
        QTest::addColumn<uint64_t>("pc");
        QTest::addColumn<QString>("expected");
        for (const bool go118 : { true, false }) {
            const char* v = go118 ? "1.18" : "1.16";
            QTest::addRow("%s first byte", v) << go118 << kText << kText << "main.fetchUser+0x0";
            QTest::addRow("%s inside", v) << go118 << kText << kText + 0x1f << "main.fetchUser+0x1f";
            QTest::addRow("%s second", v) << go118 << kText << kText + 0x20 << "net/http.(*Client).do+0x0";
            QTest::addRow("%s second end", v) << go118 << kText << kText + 0x4f << "net/http.(*Client).do+0x2f";
            QTest::addRow("%s past the end", v) << go118 << kText << kText + 0x50 << "(none)";
            QTest::addRow("%s before", v) << go118 << kText << kText - 1 << "(none)";
        }
        // Position-independent: textStart left to a relocation, the .text address is used.
        QTest::addRow("1.18 PIE") << true << uint64_t(0) << kText + 0x21 << "net/http.(*Client).do+0x1";
    }
    void lookup()
    {
        QFETCH(bool, go118);
        QFETCH(uint64_t, textStartField);
        QFETCH(uint64_t, pc);
        QFETCH(QString, expected);
        const std::optional<GoPclnTab> t = GoPclnTab::parse(table(go118, textStartField), kText);
        QVERIFY(t);
        QCOMPARE(t->functionCount(), uint64_t(2));
        QCOMPARE(named(t, pc), expected);
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QByteArray b = table(true);
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("magic only") << b.left(4);
        QTest::newRow("header cut") << b.left(40);
        QByteArray old = b;
        old[0] = char(0xfb); // Go 1.2–1.15: not read
        QTest::newRow("old magic") << old;
        QByteArray ptr = b;
        ptr[7] = 3;
        QTest::newRow("pointer size 3") << ptr;
        QByteArray huge = b;
        for (int i = 8; i < 16; ++i)
            huge[i] = char(0xff); // nfunc = 2^64-1
        QTest::newRow("huge nfunc") << huge;
        QByteArray beyond = b;
        beyond[8] = char(200); // nfunc 200: the functab would run past the end
        QTest::newRow("functab past the end") << beyond;
        QByteArray zero = b;
        zero[8] = 0;
        QTest::newRow("no functions") << zero;
        QByteArray names = b;
        for (int i = 8 + 3 * 8; i < 8 + 4 * 8; ++i)
            names[i] = char(0x7f); // funcnameOffset far outside
        QTest::newRow("names outside") << names;
    }
    void refused()
    {
        QFETCH(QByteArray, bytes);
        QVERIFY(!GoPclnTab::parse(bytes, kText));
    }

    void hostileOffsetsInRecords()
    {
        // The header is sane but the records point anywhere: no name, no read outside.
        QByteArray b = table(true);
        const int functab = int(b.size()) - 5 * 8;
        QByteArray funcOff = b;
        funcOff[functab + 4] = char(0xff);
        funcOff[functab + 7] = char(0x7f);
        QCOMPARE(named(GoPclnTab::parse(funcOff, kText), kText), QStringLiteral("(none)"));
        QByteArray nameOff = b;
        nameOff[int(b.size()) - 16 + 4 + 3] = char(0x7f); // first _func's nameOff ≈ 2^31
        QCOMPARE(named(GoPclnTab::parse(nameOff, kText), kText), QStringLiteral("(none)"));
        QByteArray negative = b;
        negative[int(b.size()) - 16 + 4 + 3] = char(0x80);
        QCOMPARE(named(GoPclnTab::parse(negative, kText), kText), QStringLiteral("(none)"));
    }

    void hostileRandom()
    {
        QRandomGenerator rng(7);
        for (const bool go118 : { true, false }) {
            const QByteArray whole = table(go118);
            for (qsizetype cut = 0; cut <= whole.size(); ++cut)
                if (const std::optional<GoPclnTab> t = GoPclnTab::parse(whole.left(cut), kText))
                    for (uint64_t pc = kText - 2; pc < kText + 0x60; ++pc)
                        (void)t->lookup(pc);
            for (int round = 0; round < 3000; ++round) {
                QByteArray b = whole;
                for (int i = 0; i < 3; ++i)
                    b[rng.bounded(b.size())] = char(rng.bounded(256));
                if (const std::optional<GoPclnTab> t = GoPclnTab::parse(b, kText))
                    for (uint64_t pc = kText; pc < kText + 0x60; pc += 7)
                        (void)t->lookup(pc);
            }
        }
        QVERIFY(GoPclnTab::parse(table(true), kText)); // the tables themselves stay readable
    }
};

QTEST_GUILESS_MAIN(TestGoPclnTab)
#include "tst_gopclntab.moc"
