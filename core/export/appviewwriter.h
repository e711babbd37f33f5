// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// AppView-compatible output (--format appview): for each flow, the http.req
// and http.resp events and the http.* metrics that AppView's library writes
// for the same traffic, as JSON lines in its shape and with its field names
// (docs in README.md, "AppView events and metrics"):
//
//   {"type":"evt","id":"HOST-PROC-<last 32 chars of cmd>","_channel":"<connection id>",
//    "body":{"sourcetype":"http","_time":1632490879.840472,"source":"http.req","host":…,
//            "proc":…,"cmd":…,"pid":…,"data":{"http_method":…,"http_target":…,…}}}
//   {"type":"metric","body":{"_metric":"http.req","_metric_type":"counter","_time":…,"_value":1,
//            "host":…,"http_status_code":200,"http_target":…,"pid":…,"proc":…,"unit":"request"}}
//
// Events go through the watch (appviewwatch.h). Keys are written in the
// seed's order. _time is the first byte of the message (request or response)
// in seconds since the epoch; durations are whole milliseconds from the first
// request byte to the first response byte, named http_client_duration when
// the traced process sent the request and http_server_duration when it
// received it. Metrics are written per flow (AppView aggregates them over a
// period; a consumer sums them the same way).

#include "export/appviewwatch.h"
#include "flow/captureclock.h"
#include "flow/flow.h"

#include <QByteArray>
#include <QString>

namespace httptap {

class AppViewWriter
{
public:
    explicit AppViewWriter(QString hostName, const CaptureClock& clock = {});

    void setClock(const CaptureClock& clock) { m_clock = clock; }
    void setWatch(const AppViewWatch& watch) { m_watch = watch; }

    // Every line for one flow: its events (as the watch allows), then its metrics.
    // cmd is the process's command line ("curl -s http://…"); the process name when unknown.
    QByteArray lines(const Flow& flow, const QString& cmd) const;

    // One event line, or empty when the watch blocks it (or, for http.resp, without a response).
    QByteArray requestEvent(const Flow& flow, const QString& cmd) const;
    QByteArray responseEvent(const Flow& flow, const QString& cmd) const;
    QByteArray metrics(const Flow& flow) const;

    // "dev01-curl-1 https://nghttp2.org/robots.txt": host, process and the last 32 characters of cmd.
    static QString eventId(const QString& host, const QString& proc, const QString& cmd);

private:
    QByteArray event(const Flow& flow, const QString& cmd, bool response) const;

    QString m_host;
    CaptureClock m_clock;
    AppViewWatch m_watch;
};

} // namespace httptap
