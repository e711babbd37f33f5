// SPDX-License-Identifier: GPL-2.0-or-later
#include "diff/linediff.h"

#include <QTest>

using namespace httptap;

namespace {

QStringList chars(const char* text)
{
    QStringList lines;
    for (const char* p = text; *p; ++p)
        lines << QString(QLatin1Char(*p));
    return lines;
}

// The edit script as text: " a" equal, "-b" removed, "+c" added.
QString script(const QList<DiffOp>& ops, const QStringList& left, const QStringList& right)
{
    QString out;
    for (const DiffOp& op : ops) {
        switch (op.kind) {
        case DiffOp::Kind::Equal:
            out += QLatin1Char(' ') + left[op.left];
            break;
        case DiffOp::Kind::Removed:
            out += QLatin1Char('-') + left[op.left];
            break;
        case DiffOp::Kind::Added:
            out += QLatin1Char('+') + right[op.right];
            break;
        }
    }
    return out;
}

} // namespace

class TestLineDiff : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void scripts_data();
    void scripts();
    void myersPaperExampleIsMinimal();
    void sideBySidePairsChanges();
    void hunks();
    void boundedFallsBackToReplace();
    void largeInputsStayFast();
};

void TestLineDiff::scripts_data()
{
    QTest::addColumn<QString>("left");
    QTest::addColumn<QString>("right");
    QTest::addColumn<QString>("expected");
    QTest::newRow("equal") << "abc" << "abc" << " a b c";
    QTest::newRow("both empty") << "" << "" << "";
    QTest::newRow("all added") << "" << "ab" << "+a+b";
    QTest::newRow("all removed") << "ab" << "" << "-a-b";
    QTest::newRow("replace middle") << "abcde" << "abXde" << " a b-c+X d e";
    QTest::newRow("insert") << "ace" << "abcde" << " a+b c+d e";
    QTest::newRow("delete") << "abcde" << "ace" << " a-b c-d e";
    QTest::newRow("append") << "ab" << "abc" << " a b+c";
    QTest::newRow("prepend") << "bc" << "abc" << "+a b c";
}

void TestLineDiff::scripts()
{
    QFETCH(QString, left);
    QFETCH(QString, right);
    QFETCH(QString, expected);
    const QStringList a = chars(left.toLatin1().constData()), b = chars(right.toLatin1().constData());
    QCOMPARE(script(diffLines(a, b), a, b), expected);
}

void TestLineDiff::myersPaperExampleIsMinimal()
{
    const QStringList a = chars("ABCABBA"), b = chars("CBABAC");
    const QList<DiffOp> ops = diffLines(a, b);
    QCOMPARE(diffCounts(ops), std::make_pair(3, 2)); // D = 5, the paper's optimum
    // Applying the script to the left gives the right.
    QStringList rebuilt;
    for (const DiffOp& op : ops)
        if (op.kind != DiffOp::Kind::Removed)
            rebuilt << b[op.right];
    QCOMPARE(rebuilt, b);
    QCOMPARE(script(ops, a, b), QStringLiteral("-A-B C+B A B-B A+C"));
}

void TestLineDiff::sideBySidePairsChanges()
{
    const QStringList a = chars("abcdz"), b = chars("aXYdzQ");
    using R = DiffRow::Kind;
    const QList<DiffRow> rows = sideBySide(diffLines(a, b));
    const QList<DiffRow> expected { { R::Equal, 0, 0 }, { R::Changed, 1, 1 }, { R::Changed, 2, 2 }, { R::Equal, 3, 3 },
        { R::Equal, 4, 4 }, { R::Added, -1, 5 } };
    QCOMPARE(rows, expected);
    const QList<DiffRow> uneven = sideBySide(diffLines(chars("abcd"), chars("aXd")));
    const QList<DiffRow> expectedUneven { { R::Equal, 0, 0 }, { R::Changed, 1, 1 }, { R::Removed, 2, -1 },
        { R::Equal, 3, 2 } };
    QCOMPARE(uneven, expectedUneven);
}

void TestLineDiff::hunks()
{
    const QStringList a = chars("abcdefgh"), b = chars("abXdefghY");
    const QList<DiffOp> ops = diffLines(a, b);
    QCOMPARE(diffHunks(ops, 1), (QList<DiffHunk> { { 1, 3, 1, 3 }, { 7, 1, 7, 2 } }));
    // With more context the two changes share one hunk.
    QCOMPARE(diffHunks(ops, 3), (QList<DiffHunk> { { 0, 8, 0, 9 } }));
    QCOMPARE(diffHunks(diffLines(a, a), 3), QList<DiffHunk>());
    // A pure insertion at the top with no context starts where it is inserted.
    QCOMPARE(diffHunks(diffLines(chars("b"), chars("ab")), 0), (QList<DiffHunk> { { 0, 0, 0, 1 } }));
}

void TestLineDiff::boundedFallsBackToReplace()
{
    const QStringList a = chars("xaaaay"), b = chars("xbbbby");
    const QList<DiffOp> ops = diffLines(a, b, 2);
    QCOMPARE(script(ops, a, b), QStringLiteral(" x-a-a-a-a+b+b+b+b y"));
    QCOMPARE(script(diffLines(a, b, 0), a, b), QStringLiteral(" x-a-a-a-a+b+b+b+b y"));
}

void TestLineDiff::largeInputsStayFast()
{
    // 200,000 lines each, entirely different in the middle: the bound keeps this linear.
    QStringList a, b;
    for (int i = 0; i < 200000; ++i) {
        a << QStringLiteral("left %1").arg(i);
        b << QStringLiteral("right %1").arg(i);
    }
    a.prepend(QStringLiteral("same"));
    b.prepend(QStringLiteral("same"));
    const QList<DiffOp> ops = diffLines(a, b, 1000);
    QCOMPARE(diffCounts(ops), std::make_pair(200000, 200000));
    QCOMPARE(ops.first(), (DiffOp { DiffOp::Kind::Equal, 0, 0 }));
}

QTEST_GUILESS_MAIN(TestLineDiff)
#include "tst_linediff.moc"
