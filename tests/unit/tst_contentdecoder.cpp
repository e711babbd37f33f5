// SPDX-License-Identifier: GPL-2.0-or-later
// Content decoding (gzip, deflate, br, zstd) on its own and on flows of both HTTP
// versions: round trips, stacked codings, corrupt and cut input, decompression bombs,
// and compressed gRPC messages.

#include "h2builder.h"
#include "streambuilder.h"
#include "zlibencode.h"

#include "http/contentdecoder.h"

#include <brotli/encode.h>
#include <zstd.h>

#include <QTest>

using namespace httptap;
using namespace httptap::test;
using contentdecoder::Coding;

namespace {

QByteArray encode(const QByteArray& coding, const QByteArray& in)
{
    if (coding == "gzip" || coding == "x-gzip")
        return zlibEncode(in, 15 + 16);
    if (coding == "deflate")
        return zlibEncode(in, 15);
    if (coding == "raw-deflate")
        return zlibEncode(in, -15);
    if (coding == "br") {
        size_t size = BrotliEncoderMaxCompressedSize(size_t(in.size()));
        QByteArray out(qsizetype(size), Qt::Uninitialized);
        BrotliEncoderCompress(1, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, size_t(in.size()),
            reinterpret_cast<const uint8_t*>(in.constData()), &size, reinterpret_cast<uint8_t*>(out.data()));
        out.resize(qsizetype(size));
        return out;
    }
    if (coding == "zstd") {
        QByteArray out(qsizetype(ZSTD_compressBound(size_t(in.size()))), Qt::Uninitialized);
        out.resize(qsizetype(ZSTD_compress(out.data(), size_t(out.size()), in.constData(), size_t(in.size()), 3)));
        return out;
    }
    return in;
}

QByteArray sample()
{
    QByteArray s;
    for (int i = 0; i < 3000; ++i)
        s += "line " + QByteArray::number(i) + " of something that compresses\n";
    return s;
}

bool notesContain(const Flow& f, const QString& text)
{
    for (const QString& n : f.notes) {
        if (n.contains(text))
            return true;
    }
    return false;
}

} // namespace

class TestContentDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("coding");
        QTest::addColumn<QByteArray>("header");
        for (const char* c : { "gzip", "x-gzip", "deflate", "br", "zstd" })
            QTest::newRow(c) << QByteArray(c) << QByteArray(c);
        QTest::newRow("raw deflate") << QByteArray("raw-deflate") << QByteArray("deflate");
        QTest::newRow("upper case") << QByteArray("gzip") << QByteArray(" GZIP ");
    }

    void roundTrip()
    {
        QFETCH(QByteArray, coding);
        QFETCH(QByteArray, header);
        const QByteArray plain = sample();
        const contentdecoder::Result r = contentdecoder::decodeContent(header, encode(coding, plain), 1 << 20);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(!r.limitReached && !r.inputEnded);
        QCOMPARE(r.data, plain);
    }

    void stackedAndConcatenated()
    {
        const QByteArray plain = sample();
        // "deflate, br": deflate applied first, then br; undone in reverse.
        contentdecoder::Result r = contentdecoder::decodeContent("deflate, br", encode("br", encode("deflate", plain)), 1 << 20);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.data, plain);
        // Two gzip members back to back are one gzip body.
        r = contentdecoder::decodeContent("gzip", encode("gzip", "abc") + encode("gzip", "def"), 1 << 20);
        QVERIFY(r.ok);
        QCOMPARE(r.data, QByteArray("abcdef"));
        r = contentdecoder::decodeContent("identity", "as is", 1 << 20);
        QCOMPARE(r.data, QByteArray("as is"));
    }

    void corrupt_data()
    {
        QTest::addColumn<QByteArray>("coding");
        for (const char* c : { "gzip", "deflate", "br", "zstd" })
            QTest::newRow(c) << QByteArray(c);
    }

    void corrupt()
    {
        QFETCH(QByteArray, coding);
        QByteArray bad = encode(coding, sample());
        for (qsizetype i = 4; i < bad.size(); i += 7)
            bad[i] = char(bad[i] ^ 0x5a);
        const contentdecoder::Result r = contentdecoder::decodeContent(coding, bad, 1 << 20);
        QVERIFY(!r.ok);
        QVERIFY(!r.error.isEmpty());
        // Pure garbage too.
        QVERIFY(!contentdecoder::decodeContent(coding, QByteArray(100, '\x7f'), 1 << 20).ok);
    }

    void cutShort_data() { corrupt_data(); }

    void cutShort()
    {
        QFETCH(QByteArray, coding);
        const QByteArray plain = sample();
        const QByteArray enc = encode(coding, plain);
        const contentdecoder::Result r = contentdecoder::decodeContent(coding, enc.left(enc.size() / 2), 1 << 20);
        QVERIFY2(r.ok, qPrintable(r.error));
        QVERIFY(r.inputEnded);
        QVERIFY(plain.startsWith(r.data));
    }

    void bomb_data() { corrupt_data(); }

    void bomb()
    {
        QFETCH(QByteArray, coding);
        const QByteArray zeros(64 << 20, '\0');
        const QByteArray enc = encode(coding, zeros);
        QVERIFY(enc.size() < (1 << 20));
        const contentdecoder::Result r = contentdecoder::decodeContent(coding, enc, 1 << 20);
        QVERIFY(r.ok);
        QVERIFY(r.limitReached);
        QCOMPARE(r.data.size(), 1 << 20);
    }

    void unsupported()
    {
        const contentdecoder::Result r = contentdecoder::decodeContent("compress", "xyz", 1 << 20);
        QVERIFY(!r.ok);
        QVERIFY(r.error.contains(QStringLiteral("compress")));
        QCOMPARE(contentdecoder::codingFromName("snappy"), Coding::Unsupported);
    }

    void http1Flows()
    {
        const QByteArray plain = sample();
        const QByteArray gz = encode("gzip", plain);
        StreamBuilder b;
        TestConnection c;
        b.egress(c, "GET /gz HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
                + QByteArray::number(gz.size(), 16) + "\r\n" + gz + "\r\n0\r\n\r\n");
        b.egress(c, "GET /bad HTTP/1.1\r\nHost: h\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 9\r\n\r\nnot brotl");
        b.egress(c, "GET /plain HTTP/1.1\r\nHost: h\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(3));
        const Flow& ok = r.flows[0];
        QCOMPARE(ok.response.body, gz); // raw bytes as on the wire stay
        QVERIFY(ok.response.decoded());
        QCOMPARE(ok.response.decodedBody(), plain);
        QCOMPARE(ok.response.contentEncoding(), QByteArray("gzip"));
        QVERIFY(!ok.response.decodedTruncated());
        QVERIFY(ok.notes.isEmpty());
        const Flow& bad = r.flows[1];
        QVERIFY(!bad.response.decoded());
        QCOMPARE(bad.response.body, QByteArray("not brotl"));
        QVERIFY(notesContain(bad, QStringLiteral("response body could not be decoded (Content-Encoding: br)")));
        QVERIFY(notesContain(bad, QStringLiteral("showing the raw bytes")));
        QVERIFY(!bad.incomplete);
        QVERIFY(!r.flows[2].response.decoded());
        QVERIFY(r.flows[2].response.contentEncoding().isEmpty());
    }

    void http2FlowAndBomb()
    {
        const QByteArray zs = encode("zstd", QByteArray(8 << 20, 'A'));
        StreamBuilder b;
        TestConnection c;
        H2Peer p;
        b.egress(c, h2::preface() + h2::settings({}));
        b.ingress(c, h2::settings({}));
        b.egress(c, p.request(1, getRequest("/z"), true));
        b.ingress(c, p.response(1, { { ":status", "200" }, { "content-encoding", "zstd" } }, false)
                + h2::data(1, zs, true));
        AssemblyResult r;
        FlowAssembler assembler([&r](Flow&& f) { r.flows.push_back(std::move(f)); });
        assembler.setMaxDecodedBytes(1 << 20);
        for (const record::Record& rec : rechunk(b.records(), 16384))
            assembler.add(rec);
        assembler.finish();
        QCOMPARE(r.flows.size(), size_t(1));
        const HttpMessage& m = r.flows[0].response;
        QVERIFY(m.decoded());
        QVERIFY(m.decodedTruncated());
        QCOMPARE(m.decodedBody().size(), 1 << 20);
        QVERIFY(notesContain(r.flows[0], QStringLiteral("decoded response body larger than 1048576 bytes")));
    }

    void grpcCompressedMessages()
    {
        const QByteArray payload = sample().left(5000);
        StreamBuilder b;
        TestConnection c;
        H2Peer p;
        b.egress(c, h2::preface() + h2::settings({}));
        b.ingress(c, h2::settings({}));
        b.egress(c, p.request(1, { { ":method", "POST" }, { ":scheme", "http" }, { ":path", "/s.S/M" },
                                      { "content-type", "application/grpc" }, { "grpc-encoding", "gzip" } },
                        false)
                + h2::data(1, h2::grpcMessage(encode("gzip", payload), true) + h2::grpcMessage("plain"), true));
        b.ingress(c, p.response(1, { { ":status", "200" }, { "content-type", "application/grpc" },
                                       { "grpc-encoding", "gzip" } },
                         false)
                + h2::data(1, h2::grpcMessage("garbage!", true), false)
                + p.response(1, { { "grpc-status", "0" } }, true));
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(1));
        const GrpcInfo& g = r.flows[0].grpc();
        QCOMPARE(g.requestMessages.size(), 2);
        QVERIFY(g.requestMessages[0].compressed);
        QVERIFY(g.requestMessages[0].decompressed);
        QCOMPARE(g.requestMessages[0].data, payload);
        QVERIFY(!g.requestMessages[1].compressed);
        QCOMPARE(g.requestMessages[1].data, QByteArray("plain"));
        QCOMPARE(g.responseMessages.size(), 1);
        QVERIFY(!g.responseMessages[0].decompressed);
        QCOMPARE(g.responseMessages[0].data, QByteArray("garbage!"));
        QVERIFY(notesContain(r.flows[0], QStringLiteral("compressed gRPC message could not be decoded")));
        QCOMPARE(g.encoding, QByteArray("gzip"));
        QCOMPARE(g.status, 0);
    }
};

QTEST_GUILESS_MAIN(TestContentDecoder)
#include "tst_contentdecoder.moc"
