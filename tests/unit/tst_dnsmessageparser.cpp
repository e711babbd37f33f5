// SPDX-License-Identifier: GPL-2.0-or-later
// The DNS message parser (core/dns/dnsmessageparser.h) on canned datagrams:
// queries, answers with compressed names and aliases, and every guard against
// a cut or hostile message (pointer loops, forward pointers, oversized names).

#include "dns/dnsmessageparser.h"

#include <QTest>

using namespace httptap;

namespace {

QByteArray u16(int v)
{
    QByteArray out;
    out.append(char(v >> 8)).append(char(v & 0xff));
    return out;
}

QByteArray header(int id, int flags, int qd, int an)
{
    return u16(id) + u16(flags) + u16(qd) + u16(an) + u16(0) + u16(0);
}

QByteArray name(const QByteArray& dotted)
{
    QByteArray out;
    for (const QByteArray& label : dotted.split('.'))
        out += char(label.size()) + label;
    return out + '\0';
}

QByteArray question(const QByteArray& dotted, int type) { return name(dotted) + u16(type) + u16(1); }

QByteArray rr(const QByteArray& owner, int type, const QByteArray& rdata)
{
    return owner + u16(type) + u16(1) + QByteArray("\0\0\0\x3c", 4) + u16(int(rdata.size())) + rdata;
}

const QByteArray kPointerToQuestion("\xc0\x0c", 2); // offset 12: the question's name

std::optional<ParsedDnsMessage> parse(const QByteArray& bytes)
{
    return parseDnsMessage(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
}

} // namespace

class TestDnsMessageParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void query()
    {
        const auto m = parse(header(0xbeef, 0x0100, 1, 0) + question("Api.HTTPTAP.test", 28));
        QVERIFY(m);
        QCOMPARE(m->id, uint16_t(0xbeef));
        QVERIFY(!m->response);
        QCOMPARE(m->name, QByteArray("api.httptap.test"));
        QCOMPARE(m->qtype, uint16_t(28));
        QVERIFY(m->addresses.isEmpty());
        QVERIFY(!m->truncated);
    }

    // api.httptap.test CNAME www.httptap.test (pointing into the question), www A 127.0.0.1 (pointing into the CNAME).
    void answerWithCompression()
    {
        QByteArray msg = header(0x1234, 0x8180, 1, 2) + question("api.httptap.test", 1);
        const QByteArray cnameData = QByteArray("\x03www\xc0\x10", 6); // www + "httptap.test" at offset 16
        msg += rr(kPointerToQuestion, 5, cnameData);
        const int cnameAt = int(msg.size()) - int(cnameData.size());
        msg += rr(u16(0xc000 | cnameAt), 1, QByteArray("\x7f\x00\x00\x01", 4));
        const auto m = parse(msg);
        QVERIFY(m);
        QVERIFY(m->response);
        QCOMPARE(m->rcode, uint8_t(0));
        QCOMPARE(m->name, QByteArray("api.httptap.test"));
        QCOMPARE(m->aliases, QList<QByteArray> { "www.httptap.test" });
        QCOMPARE(m->addresses.size(), qsizetype(1));
        QCOMPARE(m->addresses[0].family, uint8_t(4));
        QCOMPARE(m->addresses[0].addr, (std::array<uint8_t, 16> { 127, 0, 0, 1 }));
        QVERIFY(!m->truncated);
    }

    void aaaaAnswer()
    {
        QByteArray loopback(16, '\0');
        loopback[15] = 1;
        const auto m = parse(header(7, 0x8180, 1, 1) + question("api.httptap.test", 28) + rr(kPointerToQuestion, 28, loopback));
        QVERIFY(m);
        QCOMPARE(m->addresses.size(), qsizetype(1));
        QCOMPARE(m->addresses[0].family, uint8_t(6));
        QCOMPARE(m->addresses[0].addr[15], uint8_t(1));
    }

    // Records with the wrong length for their type, or another class, give no address.
    void oddRecordsSkipped()
    {
        const auto m = parse(header(7, 0x8180, 1, 3) + question("a.test", 1) + rr(kPointerToQuestion, 1, "abc")
            + rr(kPointerToQuestion, 16, "\x04text") + rr(kPointerToQuestion, 1, QByteArray("\x0a\x00\x00\x02", 4)));
        QVERIFY(m);
        QCOMPARE(m->addresses.size(), qsizetype(1));
        QCOMPARE(m->addresses[0].addr[0], uint8_t(10));
    }

    // Cut inside the second answer (the kernel copies 512 bytes): the first is kept.
    void truncatedAnswerKeepsEarlierOnes()
    {
        const QByteArray full = header(9, 0x8180, 1, 2) + question("a.test", 1)
            + rr(kPointerToQuestion, 1, QByteArray("\x01\x02\x03\x04", 4)) + rr(kPointerToQuestion, 1, QByteArray("\x05\x06\x07\x08", 4));
        const auto m = parse(full.left(full.size() - 2));
        QVERIFY(m);
        QVERIFY(m->truncated);
        QCOMPARE(m->addresses.size(), qsizetype(1));
        QCOMPARE(m->addresses[0].addr[0], uint8_t(1));
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        const QByteArray q = question("a.test", 1);
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("header cut") << header(1, 0, 1, 0).left(11);
        QTest::newRow("no question") << header(1, 0x8180, 0, 0);
        QTest::newRow("question cut in the name") << header(1, 0, 1, 0) + q.left(4);
        QTest::newRow("question without type") << header(1, 0, 1, 0) + name("a.test");
        QTest::newRow("pointer to itself") << header(1, 0, 1, 0) + kPointerToQuestion + u16(1) + u16(1);
        QTest::newRow("forward pointer") << header(1, 0, 1, 0) + QByteArray("\xc0\x0e\x01" "a\x00", 5) + u16(1) + u16(1);
        QTest::newRow("pointer cut") << header(1, 0, 1, 0) + QByteArray("\x01" "a\xc0", 3);
        QTest::newRow("extended label type") << header(1, 0, 1, 0) + QByteArray("\x41" "a\x00", 3) + u16(1) + u16(1);
        QByteArray longName;
        for (int i = 0; i < 5; ++i)
            longName += QByteArray(60, 'x') + '.';
        QTest::newRow("name over 255 bytes") << header(1, 0, 1, 0) + question(longName + "test", 1);
    }

    void refused()
    {
        QFETCH(QByteArray, bytes);
        QVERIFY(!parse(bytes));
    }

    // Two pointers that point at each other in an answer's owner: the answer is dropped, not looped over.
    void pointerLoopInAnswer()
    {
        QByteArray msg = header(3, 0x8180, 1, 1) + question("a.test", 1);
        const int at = int(msg.size());
        // at: a pointer forward to at+2, which points back to at: refused at the forward pointer.
        msg += u16(0xc000 | (at + 2)) + u16(0xc000 | at);
        msg += u16(1) + u16(1) + QByteArray(4, '\0') + u16(4) + QByteArray(4, '\x01');
        const auto m = parse(msg);
        QVERIFY(m);
        QVERIFY(m->truncated);
        QVERIFY(m->addresses.isEmpty());
    }

    // More answer records than kMaxDnsAnswers: only that many are read.
    void answerCountCapped()
    {
        QByteArray msg = header(3, 0x8180, 1, 0xffff) + question("a.test", 1);
        for (int i = 0; i < kMaxDnsAnswers + 10; ++i)
            msg += rr(kPointerToQuestion, 1, QByteArray("\x01\x01\x01\x01", 4));
        const auto m = parse(msg);
        QVERIFY(m);
        QCOMPARE(m->addresses.size(), qsizetype(kMaxDnsAnswers));
    }
};

QTEST_GUILESS_MAIN(TestDnsMessageParser)
#include "tst_dnsmessageparser.moc"
