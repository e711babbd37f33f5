// SPDX-License-Identifier: GPL-2.0-or-later
#include "streambuilder.h"

#include <QTest>

using namespace httptap;
using namespace httptap::test;

class TestFlowAssembler : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void keepAlive()
    {
        StreamBuilder b;
        TestConnection c;
        for (int i = 0; i < 3; ++i) {
            b.egress(c, "GET /" + QByteArray::number(i) + " HTTP/1.1\r\nHost: example.test\r\n\r\n");
            b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        }
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(3));
        for (const Flow& f : r.flows)
            qDebug().noquote() << describe(f);
    }
};

QTEST_GUILESS_MAIN(TestFlowAssembler)
#include "tst_flowassembler.moc"
