// SPDX-License-Identifier: GPL-2.0-or-later
#include "streambuilder.h"

#include "record/recordwriter.h"

#include <algorithm>
#include <cstring>

namespace httptap::test {

void StreamBuilder::data(TestConnection& c, record::Direction direction, const QByteArray& bytes, uint8_t flags)
{
    record::Data d;
    d.timestampNs = m_now;
    m_now += kStepNs;
    d.connId = c.id;
    d.streamOffset = c.offsets[size_t(direction)];
    d.pid = c.pid;
    d.tid = c.tid;
    d.fd = 5;
    d.callSize = uint32_t(bytes.size());
    d.direction = direction;
    d.source = c.source;
    d.family = c.family;
    d.flags = flags;
    d.local = c.local;
    d.remote = c.remote;
    std::strncpy(d.comm.data(), c.comm, d.comm.size() - 1);
    d.payload = record::Payload::copy(reinterpret_cast<const uint8_t*>(bytes.data()), size_t(bytes.size()));
    c.offsets[size_t(direction)] += uint64_t(bytes.size());
    m_records.emplace_back(std::move(d));
}

void StreamBuilder::skip(TestConnection& c, record::Direction direction, uint64_t bytes)
{
    c.offsets[size_t(direction)] += bytes;
}

void StreamBuilder::close(const TestConnection& c)
{
    record::ConnClose r;
    r.timestampNs = m_now;
    m_now += kStepNs;
    r.connId = c.id;
    r.pid = c.pid;
    r.fd = 5;
    m_records.emplace_back(r);
}

std::vector<uint8_t> StreamBuilder::encode() const
{
    record::RecordWriter w;
    w.writeStreamHeader();
    record::StreamStart start;
    start.monotonicNs = kStartNs;
    start.realtimeNs = 1'795'770'000'000'000'000; // 2026-11-27T09:00:00Z
    start.producerPid = 1;
    start.producer = "streambuilder";
    w.write(start);
    for (const record::Record& r : m_records)
        std::visit([&w](const auto& rec) { w.write(rec); }, r);
    w.write(record::StreamEnd { m_now });
    return w.take();
}

const Flow* AssemblyResult::byId(uint64_t id) const
{
    for (const Flow& f : flows) {
        if (f.id == id)
            return &f;
    }
    return nullptr;
}

AssemblyResult assemble(const std::vector<record::Record>& records, uint64_t maxBodyBytes)
{
    AssemblyResult result;
    FlowAssembler assembler([&result](Flow&& f) { result.flows.push_back(std::move(f)); });
    assembler.setMaxBodyBytes(maxBodyBytes);
    for (const record::Record& r : records)
        assembler.add(r);
    assembler.finish();
    result.stats = assembler.stats();
    return result;
}

std::vector<record::Record> rechunk(const std::vector<record::Record>& records, size_t pieceSize)
{
    std::vector<record::Record> out;
    for (const record::Record& r : records) {
        const auto* d = std::get_if<record::Data>(&r);
        if (!d || d->payload.size() <= pieceSize) {
            out.push_back(r);
            continue;
        }
        for (size_t pos = 0; pos < d->payload.size(); pos += pieceSize) {
            record::Data piece = *d;
            const size_t n = std::min(pieceSize, d->payload.size() - pos);
            piece.payload = record::Payload::copy(d->payload.data() + pos, n);
            piece.streamOffset = d->streamOffset + pos;
            out.emplace_back(std::move(piece));
        }
    }
    return out;
}

namespace {

void describeMessage(QByteArray& out, const char* label, const HttpMessage& m)
{
    out += label;
    out += ": " + m.method + ' ' + m.target + ' ' + QByteArray::number(m.status) + ' ' + m.reason + " HTTP/"
        + QByteArray::number(m.versionMajor) + '.' + QByteArray::number(m.versionMinor) + '\n';
    for (const HttpHeader& h : m.headers)
        out += "  H " + h.name + ": " + h.value + '\n';
    for (const HttpHeader& h : m.trailers())
        out += "  T " + h.name + ": " + h.value + '\n';
    out += "  body " + QByteArray::number(m.bodySize) + (m.bodyTruncated ? " truncated " : " ") + m.body.toHex()
        + (m.complete ? " complete\n" : " partial\n");
}

} // namespace

QByteArray describe(const Flow& f)
{
    QByteArray out = "flow " + QByteArray::number(f.id) + " conn " + QByteArray::number(f.connId) + ' ' + f.httpVersion
        + (f.role == Flow::Role::Client ? " client" : " server") + (f.truncated ? " truncated" : "")
        + (f.incomplete ? " incomplete" : "") + '\n';
    describeMessage(out, "request", f.request);
    for (const HttpMessage& m : f.informational())
        describeMessage(out, "info", m);
    if (f.hasResponse)
        describeMessage(out, "response", f.response);
    for (const WebSocketMessage& m : f.webSocketMessages()) {
        out += QByteArray("  ws ") + (m.fromClient ? "client" : "server") + " op " + QByteArray::number(m.opcode)
            + (m.compressed ? " deflated" : "") + " size " + QByteArray::number(m.size) + (m.truncated ? " truncated" : "")
            + (m.closeCode >= 0 ? " close " + QByteArray::number(m.closeCode) + " '" + m.closeReason + "'" : QByteArray())
            + " data " + m.data.left(64).toHex() + (m.note.isEmpty() ? QByteArray() : " note " + m.note.toUtf8())
            + '\n';
    }
    for (const ServerSentEvent& e : f.serverSentEvents()) {
        out += "  sse id '" + e.id + "' event '" + e.event + "' retry " + QByteArray::number(e.retryMs) + " data '"
            + e.data + "'\n";
    }
    if (f.streamItemsDropped() > 0)
        out += "  dropped " + QByteArray::number(f.streamItemsDropped()) + '\n';
    for (const QString& n : f.notes)
        out += "  note " + n.toUtf8() + '\n';
    return out;
}

QByteArray repeat(char c, qsizetype n) { return QByteArray(n, c); }

std::vector<uint8_t> dnsDatagram(uint16_t id, bool answer, const char* name, uint16_t type,
    const std::vector<uint8_t>& address)
{
    const bool withRecord = answer && !address.empty();
    std::vector<uint8_t> out { uint8_t(id >> 8), uint8_t(id), uint8_t(answer ? 0x81 : 0x01), uint8_t(answer ? 0x80 : 0x00),
        0, 1, 0, uint8_t(withRecord ? 1 : 0), 0, 0, 0, 0 };
    for (const QByteArray& label : QByteArray(name).split('.')) {
        out.push_back(uint8_t(label.size()));
        out.insert(out.end(), label.begin(), label.end());
    }
    out.insert(out.end(), { 0, 0, uint8_t(type), 0, 1 }); // root label, QTYPE, QCLASS IN
    if (withRecord) {
        // Owner: a pointer to the question's name; TTL 60.
        out.insert(out.end(), { 0xc0, 0x0c, 0, uint8_t(type), 0, 1, 0, 0, 0, 60, 0, uint8_t(address.size()) });
        out.insert(out.end(), address.begin(), address.end());
    }
    return out;
}

record::DnsMessage dnsMessage(uint64_t timeNs, uint32_t pid, std::vector<uint8_t> payload, bool answer)
{
    record::DnsMessage m;
    m.timestampNs = timeNs;
    m.pid = pid;
    m.tid = pid;
    m.direction = answer ? record::Direction::Ingress : record::Direction::Egress;
    m.family = 4;
    m.remote = { { 127, 0, 0, 53 }, 53 };
    m.messageSize = uint32_t(payload.size());
    m.payload = std::move(payload);
    return m;
}

} // namespace httptap::test
