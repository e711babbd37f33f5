// SPDX-License-Identifier: GPL-2.0-or-later
// WebSocket over HTTP/1.1 from hand-built record streams: the handshake flow
// and its messages (masking removed, fragments joined, ping/pong/close),
// frames split across records at every point and many per record,
// permessage-deflate with and without context takeover, and malformed input —
// a 2^63 length, reserved opcodes and bits, invalid UTF-8, bad deflate data,
// lost bytes — each with a clear note, no crash, and the flows around intact.

#include "h2builder.h"
#include "streambuilder.h"

#include "websocket/websocketframereader.h"

#include <QTest>

#include <zlib.h>

#include <optional>

using namespace httptap;
using namespace httptap::test;

namespace {

const QByteArray kUpgrade = "GET /chat HTTP/1.1\r\nHost: example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
const QByteArray kSwitch = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
const uint8_t kMask[4] = { 0x37, 0xfa, 0x21, 0x3d };

QByteArray switchWith(const QByteArray& extensions = {})
{
    return kSwitch + (extensions.isEmpty() ? QByteArray() : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n";
}

struct FrameOptions {
    bool fin = true;
    bool mask = false;
    uint8_t rsv = 0; // bits 0x4 (RSV1), 0x2, 0x1
    std::optional<uint64_t> declaredLength; // instead of the payload's
};

QByteArray frame(uint8_t opcode, const QByteArray& payload, FrameOptions o = {})
{
    QByteArray out;
    out.append(char((o.fin ? 0x80 : 0) | (o.rsv << 4) | opcode));
    const uint64_t length = o.declaredLength.value_or(uint64_t(payload.size()));
    const char maskBit = o.mask ? char(0x80) : 0;
    if (length < 126) {
        out.append(char(maskBit | char(length)));
    } else if (length <= 0xffff) {
        out.append(char(maskBit | 126));
        out.append(char(length >> 8));
        out.append(char(length));
    } else {
        out.append(char(maskBit | 127));
        for (int i = 7; i >= 0; --i)
            out.append(char(length >> (8 * i)));
    }
    if (!o.mask)
        return out + payload;
    out.append(reinterpret_cast<const char*>(kMask), 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(char(payload[i] ^ kMask[i & 3]));
    return out;
}

QByteArray clientFrame(uint8_t opcode, const QByteArray& payload, FrameOptions o = {})
{
    o.mask = true;
    return frame(opcode, payload, o);
}

QByteArray closePayload(int code, const QByteArray& reason)
{
    QByteArray out;
    out.append(char(code >> 8));
    out.append(char(code & 0xff));
    return out + reason;
}

// permessage-deflate's compressor: raw deflate, each message flushed and its 00 00 ff ff tail removed.
class Deflater
{
public:
    Deflater() { deflateInit2(&m_z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY); }
    ~Deflater() { deflateEnd(&m_z); }
    QByteArray message(const QByteArray& data, bool resetAfter)
    {
        QByteArray out(qsizetype(deflateBound(&m_z, uLong(data.size())) + 64), Qt::Uninitialized);
        m_z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.constData()));
        m_z.avail_in = uInt(data.size());
        m_z.next_out = reinterpret_cast<Bytef*>(out.data());
        m_z.avail_out = uInt(out.size());
        deflate(&m_z, Z_SYNC_FLUSH);
        out.truncate(out.size() - qsizetype(m_z.avail_out));
        if (resetAfter)
            deflateReset(&m_z);
        Q_ASSERT(out.endsWith(QByteArray::fromHex("0000ffff")));
        return out.chopped(4);
    }

private:
    z_stream m_z {};
};

// An ordinary exchange on another connection, to show it is untouched.
void neighbour(StreamBuilder& b)
{
    TestConnection other;
    other.id = 99;
    other.local.port = 40099;
    b.egress(other, "GET /plain HTTP/1.1\r\nHost: example.test\r\n\r\n");
    b.ingress(other, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
}

const Flow* plainNeighbour(const AssemblyResult& r)
{
    for (const Flow& f : r.flows) {
        if (f.connId == 99)
            return &f;
    }
    return nullptr;
}

void checkNeighbour(const AssemblyResult& r)
{
    const Flow* n = plainNeighbour(r);
    QVERIFY(n);
    QCOMPARE(n->response.status, 200);
    QCOMPARE(n->response.body, QByteArray("ok"));
    QVERIFY(!n->truncated && !n->incomplete);
}

const Flow* webSocketFlow(const AssemblyResult& r)
{
    for (const Flow& f : r.flows) {
        if (f.isWebSocket())
            return &f;
    }
    return nullptr;
}

// A whole conversation: text both ways, binary, a fragmented message with a ping inside, pong, close both ways.
StreamBuilder conversation()
{
    StreamBuilder b;
    TestConnection c;
    b.egress(c, kUpgrade);
    b.ingress(c, switchWith());
    b.egress(c, clientFrame(0x1, "hello"));
    b.ingress(c, frame(0x1, "world"));
    b.egress(c, clientFrame(0x2, QByteArray::fromHex("00ff10")));
    b.ingress(c, frame(0x1, "frag", { .fin = false }) + frame(0x9, "are you there") + frame(0x0, "ment", { .fin = false })
            + frame(0x0, "ed"));
    b.egress(c, clientFrame(0xA, "are you there"));
    b.ingress(c, frame(0x2, QByteArray(300, 'x'))); // a 16-bit length
    b.egress(c, clientFrame(0x8, closePayload(1000, "bye")));
    b.ingress(c, frame(0x8, closePayload(1000, "bye")));
    neighbour(b);
    return b;
}

} // namespace

class TestWebSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void conversationIsDissected()
    {
        const AssemblyResult r = assemble(conversation().records());
        QCOMPARE(r.flows.size(), size_t(2));
        checkNeighbour(r);
        const Flow* f = webSocketFlow(r);
        QVERIFY(f);
        QCOMPARE(f->request.target, QByteArray("/chat"));
        QCOMPARE(f->response.status, 101);
        QVERIFY(!f->truncated);
        QVERIFY2(!f->incomplete, qPrintable(f->notes.join('\n')));
        QVERIFY2(f->notes.isEmpty(), qPrintable(f->notes.join('\n')));
        const QList<WebSocketMessage>& m = f->webSocketMessages();
        QCOMPARE(m.size(), 9);
        auto check = [&](int i, bool fromClient, int opcode, const QByteArray& data) {
            QCOMPARE(m[i].fromClient, fromClient);
            QCOMPARE(int(m[i].opcode), opcode);
            QCOMPARE(m[i].data, data);
            QCOMPARE(m[i].size, uint64_t(data.size()));
            QVERIFY2(m[i].note.isEmpty(), qPrintable(m[i].note));
            QVERIFY(!m[i].truncated && !m[i].compressed);
        };
        check(0, true, 0x1, "hello");
        check(1, false, 0x1, "world");
        check(2, true, 0x2, QByteArray::fromHex("00ff10"));
        check(3, false, 0x9, "are you there"); // the ping completes before the fragmented message
        check(4, false, 0x1, "fragmented");
        check(5, true, 0xA, "are you there");
        check(6, false, 0x2, QByteArray(300, 'x'));
        check(7, true, 0x8, closePayload(1000, "bye"));
        check(8, false, 0x8, closePayload(1000, "bye"));
        QCOMPARE(m[7].closeCode, 1000);
        QCOMPARE(m[7].closeReason, QByteArray("bye"));
        QCOMPARE(m[0].closeCode, -1);
        // Times are those of the records that completed each message, in order.
        for (int i = 1; i < m.size(); ++i)
            QVERIFY(m[i].timeNs >= m[i - 1].timeNs);
        QVERIFY(m[0].timeNs > f->response.lastByteNs);
        QCOMPARE(f->endNs, m.last().timeNs);
        // Close frames went both ways: the flow left before the connection ended (no close record at all here).
        QCOMPARE(r.flows.front().id, f->id);
    }

    void everySplitPointGivesTheSameMessages()
    {
        const std::vector<record::Record> records = conversation().records();
        const QByteArray whole = describe(*webSocketFlow(assemble(records)));
        for (size_t piece : { 1, 2, 3, 5, 13, 64 }) {
            const AssemblyResult r = assemble(rechunk(records, piece));
            QVERIFY(webSocketFlow(r));
            QCOMPARE(describe(*webSocketFlow(r)), whole);
        }
    }

    void manyFramesInOneRecordWithTheHandshake()
    {
        StreamBuilder b;
        TestConnection c;
        // The client does not wait for the 101; the server's first frames share the 101's record.
        QByteArray clientBytes = kUpgrade;
        for (int i = 0; i < 50; ++i)
            clientBytes += clientFrame(0x1, "c" + QByteArray::number(i));
        b.egress(c, clientBytes);
        QByteArray serverBytes = switchWith();
        for (int i = 0; i < 50; ++i)
            serverBytes += frame(0x1, "s" + QByteArray::number(i));
        b.ingress(c, serverBytes);
        b.close(c);
        const AssemblyResult r = assemble(b.records());
        const Flow* f = webSocketFlow(r);
        QVERIFY(f);
        QCOMPARE(f->webSocketMessages().size(), 100);
        int fromClient = 0;
        for (const WebSocketMessage& m : f->webSocketMessages()) {
            const int n = m.fromClient ? fromClient++ : int(&m - &f->webSocketMessages()[0]) - fromClient;
            QCOMPARE(m.data, (m.fromClient ? "c" : "s") + QByteArray::number(n));
        }
        QVERIFY(f->notes.contains("connection closed without a WebSocket closing handshake"));
        QVERIFY(!f->incomplete);
    }

    void largeMessageWith64BitLength()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, switchWith());
        QByteArray big(70000, Qt::Uninitialized);
        for (qsizetype i = 0; i < big.size(); ++i)
            big[i] = char(i * 7);
        b.egress(c, clientFrame(0x2, big));
        b.close(c);
        const AssemblyResult r = assemble(rechunk(b.records(), 4096));
        const Flow* f = webSocketFlow(r);
        QVERIFY(f);
        QCOMPARE(f->webSocketMessages().size(), 1);
        QCOMPARE(f->webSocketMessages()[0].data, big);
    }

    void deflateKeepsItsContextAcrossMessages()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, switchWith("permessage-deflate; client_max_window_bits=15"));
        Deflater client, server;
        const QByteArray text = "the same sentence, sent twice, is cheap the second time";
        const QByteArray first = server.message(text, false);
        const QByteArray second = server.message(text, false);
        QVERIFY(second.size() < first.size() / 2); // it refers back to the first message
        b.ingress(c, frame(0x1, first, { .rsv = 0x4 }));
        b.ingress(c, frame(0x1, second, { .rsv = 0x4 }));
        // A compressed message in two fragments, RSV1 on the first only.
        const QByteArray third = client.message(QByteArray(5000, 'z'), false);
        b.egress(c, clientFrame(0x2, third.left(3), { .fin = false, .rsv = 0x4 }) + clientFrame(0x0, third.mid(3)));
        b.egress(c, clientFrame(0x1, "uncompressed"));
        const AssemblyResult r = assemble(b.records());
        const Flow* f = webSocketFlow(r);
        QCOMPARE(f->webSocketExtensions(), QByteArray("permessage-deflate; client_max_window_bits=15"));
        const QList<WebSocketMessage>& m = f->webSocketMessages();
        QCOMPARE(m.size(), 4);
        QCOMPARE(m[0].data, text);
        QCOMPARE(m[1].data, text);
        QVERIFY(m[1].compressed);
        QCOMPARE(m[1].size, uint64_t(second.size()));
        QCOMPARE(m[2].data, QByteArray(5000, 'z'));
        QVERIFY(m[2].compressed);
        QCOMPARE(m[3].data, QByteArray("uncompressed"));
        QVERIFY(!m[3].compressed);
        for (const WebSocketMessage& x : m)
            QVERIFY2(x.note.isEmpty(), qPrintable(x.note));
        // The same messages whatever the records' sizes.
        const AssemblyResult bytewise = assemble(rechunk(b.records(), 1));
        QCOMPARE(describe(*webSocketFlow(bytewise)), describe(*f));
    }

    void deflateWithoutContextTakeover()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, switchWith("permessage-deflate; server_no_context_takeover; client_no_context_takeover"));
        Deflater server;
        for (int i = 0; i < 3; ++i)
            b.ingress(c, frame(0x1, server.message("again and again " + QByteArray::number(i), true), { .rsv = 0x4 }));
        const AssemblyResult r = assemble(b.records());
        const Flow* f = webSocketFlow(r);
        QCOMPARE(f->webSocketMessages().size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(f->webSocketMessages()[i].data, "again and again " + QByteArray::number(i));
            QVERIFY(f->webSocketMessages()[i].note.isEmpty());
        }
    }

    void badDeflateDataIsNotedAndTheNextMessageStillReads()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, switchWith("permessage-deflate; server_no_context_takeover"));
        Deflater server;
        b.ingress(c, frame(0x1, QByteArray::fromHex("ffffffffffff"), { .rsv = 0x4 }));
        b.ingress(c, frame(0x1, server.message("fine after all", true), { .rsv = 0x4 }));
        neighbour(b);
        const AssemblyResult r = assemble(b.records());
        checkNeighbour(r);
        const Flow* f = webSocketFlow(r);
        QCOMPARE(f->webSocketMessages().size(), 2);
        QVERIFY(f->webSocketMessages()[0].truncated);
        QVERIFY2(f->webSocketMessages()[0].note.startsWith("bad deflate data: "), qPrintable(f->webSocketMessages()[0].note));
        QCOMPARE(f->webSocketMessages()[1].data, QByteArray("fine after all"));
        QVERIFY(f->webSocketMessages()[1].note.isEmpty());
        QVERIFY(f->truncated);
    }

    void malformedFramesAreNoted_data()
    {
        QTest::addColumn<QByteArray>("serverBytes");
        QTest::addColumn<QString>("note");
        QTest::addColumn<int>("opcode");
        QTest::newRow("reserved opcode") << frame(0x3, "odd") << "reserved opcode 0x3" << 3;
        QTest::newRow("reserved control opcode") << frame(0xB, "odd") << "reserved opcode 0xb" << 0xB;
        QTest::newRow("invalid UTF-8") << frame(0x1, "caf\xc3(") << "invalid UTF-8 in a text message" << 1;
        QTest::newRow("overlong UTF-8") << frame(0x1, "\xc0\xaf") << "invalid UTF-8 in a text message" << 1;
        QTest::newRow("stray continuation") << frame(0x0, "tail") << "continuation frame without a message to continue"
                                            << 0;
        QTest::newRow("long ping") << frame(0x9, QByteArray(200, 'p')) << "control frame fragmented or longer than 125 bytes"
                                   << 9;
        QTest::newRow("masked server frame") << clientFrame(0x1, "hi") << "server frame masked" << 1;
        QTest::newRow("RSV1 without deflate") << frame(0x1, "hi", { .rsv = 0x4 })
                                              << "RSV1 set without permessage-deflate on this frame" << 1;
        QTest::newRow("RSV2") << frame(0x2, "hi", { .rsv = 0x2 })
                              << "reserved bits RSV2/RSV3 set (no extension negotiated them)" << 2;
        QTest::newRow("close with one byte") << frame(0x8, "\x03") << "close frame with a 1-byte payload (a code needs 2)"
                                             << 8;
        QTest::newRow("close reason not UTF-8") << frame(0x8, closePayload(1001, "\xff")) << "invalid UTF-8 in the close reason"
                                                << 8;
    }

    void malformedFramesAreNoted()
    {
        QFETCH(QByteArray, serverBytes);
        QFETCH(QString, note);
        QFETCH(int, opcode);
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, switchWith());
        b.ingress(c, serverBytes + frame(0x1, "after"));
        b.egress(c, clientFrame(0x1, "client side"));
        b.close(c);
        neighbour(b);
        const AssemblyResult r = assemble(b.records());
        checkNeighbour(r);
        const Flow* f = webSocketFlow(r);
        QVERIFY(f);
        const QList<WebSocketMessage>& m = f->webSocketMessages();
        QCOMPARE(m.size(), 3);
        QCOMPARE(m[0].note, note);
        QCOMPARE(int(m[0].opcode), opcode);
        QCOMPARE(m[1].data, QByteArray("after")); // the framing went on
        QVERIFY(m[1].note.isEmpty());
        QCOMPARE(m[2].data, QByteArray("client side"));
    }

    void unmaskedClientFrameIsNoted()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, switchWith());
        b.egress(c, frame(0x1, "plain"));
        const AssemblyResult r = assemble(b.records());
        const Flow* f = webSocketFlow(r);
        QCOMPARE(f->webSocketMessages().size(), 1);
        QCOMPARE(f->webSocketMessages()[0].data, QByteArray("plain"));
        QCOMPARE(f->webSocketMessages()[0].note, QString("client frame not masked"));
    }

    void lengthWithTopBitStopsThatDirectionOnly()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, switchWith());
        b.ingress(c, frame(0x2, "whatever", { .declaredLength = uint64_t(1) << 63 }));
        b.ingress(c, frame(0x1, "never read"));
        b.egress(c, clientFrame(0x1, "still read"));
        b.close(c);
        neighbour(b);
        const AssemblyResult r = assemble(b.records());
        checkNeighbour(r);
        const Flow* f = webSocketFlow(r);
        QCOMPARE(f->webSocketMessages().size(), 1);
        QCOMPARE(f->webSocketMessages()[0].data, QByteArray("still read"));
        QVERIFY(f->truncated);
        QVERIFY2(f->notes.contains("WebSocket frames from the server: a frame at offset 0 declares 9223372036854775808 "
                                   "bytes (the top bit must be 0); the framing is lost; later bytes are not dissected"),
            qPrintable(f->notes.join('\n')));
    }

    void hugeDeclaredLengthAllocatesNothing()
    {
        // 2^63 - 1 bytes declared, 10 sent: the message goes out truncated when the connection ends.
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, switchWith());
        b.ingress(c, frame(0x2, "0123456789", { .declaredLength = (uint64_t(1) << 63) - 1 }));
        b.close(c);
        const AssemblyResult r = assemble(b.records());
        const Flow* f = webSocketFlow(r);
        QCOMPARE(f->webSocketMessages().size(), 1);
        const WebSocketMessage& m = f->webSocketMessages()[0];
        QCOMPARE(m.data, QByteArray("0123456789"));
        QVERIFY(m.truncated);
        QCOMPARE(m.note, QString("connection closed without a WebSocket closing handshake"));
    }

    void lostBytesInsideAPayloadKeepTheFraming()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, switchWith());
        const QByteArray whole = frame(0x2, QByteArray(1000, 'a'));
        b.ingress(c, whole.left(100));
        b.skip(c, record::Direction::Ingress, 500);
        b.ingress(c, whole.mid(600));
        b.ingress(c, frame(0x1, "next"));
        const AssemblyResult r = assemble(b.records());
        const Flow* f = webSocketFlow(r);
        QCOMPARE(f->webSocketMessages().size(), 2);
        const WebSocketMessage& m = f->webSocketMessages()[0];
        QCOMPARE(m.size, uint64_t(1000));
        QVERIFY(m.truncated);
        QCOMPARE(m.data, QByteArray(96, 'a')); // the bytes before the hole (after a 4-byte header)
        QCOMPARE(m.note, QString("500 bytes of this message were not captured"));
        QCOMPARE(f->webSocketMessages()[1].data, QByteArray("next"));
    }

    void lostBytesAtAHeaderStopTheDirection()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, switchWith());
        b.ingress(c, frame(0x1, "one"));
        b.skip(c, record::Direction::Ingress, 7);
        b.ingress(c, frame(0x1, "lost sync"));
        const AssemblyResult r = assemble(b.records());
        const Flow* f = webSocketFlow(r);
        QCOMPARE(f->webSocketMessages().size(), 1);
        QVERIFY(f->notes.join('\n').contains("7 bytes lost at offset 5, where a frame header was due; the framing is lost"));
    }

    void captureEndingWhileOpenLeavesItIncomplete()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, switchWith());
        b.egress(c, clientFrame(0x1, "par", { .fin = false }));
        const AssemblyResult r = assemble(b.records());
        const Flow* f = webSocketFlow(r);
        QVERIFY(f->incomplete);
        QVERIFY(f->notes.contains("capture ended while the WebSocket was open"));
        QCOMPARE(f->webSocketMessages().size(), 1);
        QVERIFY(f->webSocketMessages()[0].truncated);
        QCOMPARE(f->webSocketMessages()[0].data, QByteArray("par"));
    }

    void refusedUpgradeStaysHttp()
    {
        StreamBuilder b;
        TestConnection c;
        b.egress(c, kUpgrade);
        b.ingress(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nno");
        b.egress(c, "GET /next HTTP/1.1\r\nHost: example.test\r\n\r\n");
        b.ingress(c, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes");
        const AssemblyResult r = assemble(b.records());
        QCOMPARE(r.flows.size(), size_t(2));
        QVERIFY(!r.flows[0].isWebSocket());
        QCOMPARE(r.flows[1].response.body, QByteArray("yes"));
    }

    void overHttp2ExtendedConnect()
    {
        // RFC 8441: CONNECT with :protocol websocket on a stream; its DATA frames carry the WebSocket frames.
        StreamBuilder b;
        TestConnection c;
        c.source = record::Source::OpenSsl;
        H2Peer p;
        b.egress(c, h2::preface() + h2::settings());
        b.ingress(c, h2::settings({ { 0x8, 1 } })); // SETTINGS_ENABLE_CONNECT_PROTOCOL
        const HeaderList connect = { { ":method", "CONNECT" }, { ":protocol", "websocket" }, { ":scheme", "https" },
            { ":path", "/chat?room=1" }, { ":authority", "example.test" }, { "sec-websocket-version", "13" },
            { "sec-websocket-extensions", "permessage-deflate" } };
        b.egress(c, p.request(1, connect, false));
        b.ingress(c, p.response(1, { { ":status", "200" }, { "sec-websocket-extensions", "permessage-deflate" } }, false));
        Deflater server;
        const QByteArray hello = clientFrame(0x1, "hello over h2");
        b.egress(c, h2::data(1, hello.left(5), false));
        b.egress(c, h2::data(1, hello.mid(5) + clientFrame(0x2, QByteArray("\x01\x02", 2)), false));
        b.ingress(c, h2::data(1, frame(0x1, server.message("deflated reply", false), { .rsv = 0x4 }), false));
        b.egress(c, h2::data(1, clientFrame(0x8, closePayload(1000, "")), true));
        b.ingress(c, h2::data(1, frame(0x8, closePayload(1000, "")), true));
        neighbour(b);
        const AssemblyResult r = assemble(b.records());
        checkNeighbour(r);
        const Flow* f = webSocketFlow(r);
        QVERIFY(f);
        QCOMPARE(f->httpVersion, QByteArray("HTTP/2"));
        QCOMPARE(f->url(), QStringLiteral("https://example.test/chat?room=1"));
        QCOMPARE(f->response.status, 200);
        QVERIFY(f->response.body.isEmpty()); // the frames are messages, not a body
        QVERIFY2(!f->incomplete && !f->truncated, qPrintable(f->notes.join('\n')));
        const QList<WebSocketMessage>& m = f->webSocketMessages();
        QCOMPARE(m.size(), 5);
        QCOMPARE(m[0].data, QByteArray("hello over h2"));
        QVERIFY(m[0].fromClient);
        QCOMPARE(m[1].data, QByteArray("\x01\x02", 2));
        QCOMPARE(int(m[1].opcode), 2);
        QCOMPARE(m[2].data, QByteArray("deflated reply"));
        QVERIFY(m[2].compressed && !m[2].fromClient);
        QCOMPARE(m[3].closeCode, 1000);
        QCOMPARE(m[4].closeCode, 1000);
        QVERIFY(!m[4].fromClient);
        for (const WebSocketMessage& x : m)
            QVERIFY2(x.note.isEmpty(), qPrintable(x.note));
    }

    void frameReaderNeverBuffersAPayload()
    {
        struct Counter : WebSocketFrameReader::Listener {
            uint64_t bytes = 0;
            int frames = 0;
            void frameBegin(const WebSocketFrameHeader&) override { ++frames; }
            void framePayload(const uint8_t*, size_t size, uint64_t lost) override { bytes += size + lost; }
            void frameEnd() override { }
        } counter;
        WebSocketFrameReader reader(counter);
        const QByteArray header = frame(0x2, {}, { .declaredLength = uint64_t(1) << 40 });
        reader.feed(reinterpret_cast<const uint8_t*>(header.constData()), size_t(header.size()));
        const QByteArray chunk(1 << 16, 'q');
        for (int i = 0; i < 16; ++i)
            reader.feed(reinterpret_cast<const uint8_t*>(chunk.constData()), size_t(chunk.size()));
        QVERIFY(reader.skip(uint64_t(1) << 39));
        reader.feed(reinterpret_cast<const uint8_t*>(chunk.constData()), size_t(chunk.size()));
        QCOMPARE(counter.frames, 1);
        QCOMPARE(counter.bytes, (uint64_t(17) << 16) + (uint64_t(1) << 39));
        QVERIFY(reader.inFrame());
        QVERIFY(!reader.failed());
    }
};

QTEST_GUILESS_MAIN(TestWebSocket)
#include "tst_websocket.moc"
