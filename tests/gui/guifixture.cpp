// SPDX-License-Identifier: GPL-2.0-or-later
#include "guifixture.h"

#include "streambuilder.h"

#include <QBuffer>
#include <QImage>

namespace httptap::test {

namespace {

QByteArray response(const QByteArray& status, const QByteArray& type, const QByteArray& body,
    const QByteArray& extra = {})
{
    return "HTTP/1.1 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n" + extra + "\r\n" + body;
}

QByteArray pngBytes()
{
    QImage image(24, 16, QImage::Format_RGB32);
    image.fill(QColor(0x33, 0x99, 0xff));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

} // namespace

QByteArray richCapture()
{
    StreamBuilder b;
    TestConnection api;
    api.id = 1;
    api.comm = "python3";
    api.pid = 3100;
    api.tid = 3100;
    b.egress(api, "GET /api/users?id=7&sort=name HTTP/1.1\r\nHost: api.example.com\r\nAccept: application/json\r\n\r\n");
    b.ingress(api, response("200 OK", "application/json", R"({"id":7,"name":"Ada","roles":["admin","dev"]})"));
    const QByteArray form = "user=ada&password=s3cr%21t";
    b.egress(api, "POST /login HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  "Content-Length: " + QByteArray::number(form.size()) + "\r\n\r\n" + form);
    b.ingress(api, "HTTP/1.1 302 Found\r\nLocation: /home\r\nContent-Length: 0\r\n\r\n");

    TestConnection cdn;
    cdn.id = 2;
    cdn.local = { { 127, 0, 0, 1 }, 40001 };
    cdn.remote = { { 127, 0, 0, 1 }, 8081 };
    b.egress(cdn, "GET /logo.png HTTP/1.1\r\nHost: cdn.example.com:8081\r\n\r\n");
    b.ingress(cdn, response("200 OK", "image/png", pngBytes()));
    b.egress(cdn, "GET /evil HTTP/1.1\r\nHost: cdn.example.com:8081\r\n\r\n");
    b.ingress(cdn, response("200 OK", "text/plain", "line one\r\n\x1b[2J\x1b[31mred\x07 bell",
                       "X-Evil: a\xc2\x9b" "2J \xe2\x80\xaereversed\r\n"));
    b.egress(cdn, "GET /blob.bin HTTP/1.1\r\nHost: cdn.example.com:8081\r\n\r\n");
    b.ingress(cdn, response("200 OK", "application/octet-stream", QByteArray("\x00\x01\x02\xff\xfe binary", 12)));
    b.egress(cdn, "GET /missing HTTP/1.1\r\nHost: cdn.example.com:8081\r\n\r\n");
    b.ingress(cdn, response("404 Not Found", "text/html", "<h1>not here</h1>"));

    TestConnection slow;
    slow.id = 3;
    slow.comm = "wget";
    slow.pid = 3200;
    slow.tid = 3200;
    slow.local = { { 127, 0, 0, 1 }, 40002 };
    slow.remote = { { 127, 0, 0, 1 }, 9000 };
    b.add(record::Lost { b.now(), 3 });
    b.egress(slow, "GET /never HTTP/1.1\r\nHost: slow.example.com:9000\r\n\r\n");
    b.close(slow);

    const std::vector<uint8_t> bytes = b.encode();
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size()));
}

Flow syntheticFlow(uint64_t id)
{
    static const char* const hosts[] = { "api.example.com", "cdn.example.com", "auth.example.org", "metrics.local" };
    static const char* const methods[] = { "GET", "GET", "GET", "POST", "PUT", "DELETE" };
    static const char* const types[] = { "application/json", "text/html", "image/png", "text/css" };
    static const int statuses[] = { 200, 200, 200, 201, 204, 301, 404, 500 };
    Flow f;
    f.id = id;
    f.connId = id / 4 + 1;
    f.pid = 1000 + uint32_t(id % 7);
    f.tid = f.pid;
    f.process = id % 3 ? QStringLiteral("curl") : QStringLiteral("python3");
    f.source = id % 2 ? record::Source::OpenSsl : record::Source::Syscall;
    f.httpVersion = id % 5 == 0 ? QByteArray("HTTP/2") : QByteArray("HTTP/1.1");
    f.remote.family = 4;
    f.remote.addr = { 127, 0, 0, 1 };
    f.remote.port = uint16_t(8000 + id % 13);
    f.request.method = methods[id % 6];
    f.request.target = "/item/" + QByteArray::number(qulonglong(id)) + "?page=" + QByteArray::number(qulonglong(id % 10));
    f.request.headers = { { "Host", hosts[id % 4] }, { "Accept", "*/*" } };
    f.hasResponse = id % 97 != 0;
    f.response.status = statuses[id % 8];
    f.response.headers = { { "Content-Type", types[id % 4] } };
    f.response.bodySize = (id * 7919) % 100000;
    f.startNs = 1'000'000'000 + id * 1000;
    f.responseStartNs = f.startNs + 200'000;
    f.endNs = f.startNs + 100'000 + (id * 104729) % 50'000'000;
    f.incomplete = !f.hasResponse;
    return f;
}

} // namespace httptap::test
