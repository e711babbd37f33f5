// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Where httptap-record's flows go, in the format chosen with --format:
// jsonl — one JSON line per flow as it completes; curl — one "Copy as cURL"
// command per request as it completes, commands separated by a blank line;
// har — flows are kept in memory and one HAR document is written by finish()
// (a HAR is a single JSON object, it cannot be streamed); appview — AppView's
// http.req/http.resp events and http.* metrics per flow, as JSON lines
// (core/export/appviewwriter.h), through an optional watch. HAR is redacted
// unless --unredacted; JSONL and curl are not (curl must replay, JSONL is the
// full-fidelity machine format). With --messages (jsonl only) the lines are
// messages instead of flows (messagelines.h): progress() writes those an open
// flow gained, add() the rest when it finishes. Initiator stacks are named
// (core/symbols) before any writer sees them, once per flow.

#include "export/appviewwriter.h"
#include "export/harwriter.h"
#include "export/jsonlwriter.h"
#include "flow/captureclock.h"
#include "flow/flow.h"
#include "messagelines.h"
#include "symbols/symbolizer.h"

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace httptap::cli {

class FlowOutput
{
public:
    FlowOutput(std::string format, FILE* out, bool unredacted);
    // HAR only: more header names and JSON body fields to redact (redaction.h).
    void addRedactions(const std::vector<std::string>& headers, const std::vector<std::string>& jsonFields);

    void setClock(const CaptureClock& clock);
    // --messages: lines per WebSocket message, SSE event and gRPC message instead of flows.
    void setMessages(bool messages) { m_messages = messages; }
    bool messages() const { return m_messages; }
    // appview only: the watch, and command lines of the traced processes (the "cmd" of events).
    // False with *error set when the watch file cannot be read or is not a watch (appviewwatch.h).
    bool loadAppViewWatch(const std::string& path, std::string* error);
    void setCommandLine(uint32_t pid, const QString& commandLine) { m_commandLines[pid] = commandLine; }
    // Reads /proc/PID/cmdline once per pid (again after an exec): live captures only, as a saved
    // capture's pids name other processes now. A process gone before this keeps what was known, else its name (comm).
    void noteProcess(uint32_t pid, bool execed = false);
    // False when writing failed (errno tells why). Output is collected and written by flush(): the
    // caller flushes once per batch of records it read (one write for many flows), and when idle.
    bool add(const Flow& flow);
    // A snapshot of an open flow (FlowAssembler's progress sink); writes only with --messages.
    bool progress(const Flow& flow);
    // Writes what add() and progress() collected, and flushes the stream (`tail -f` sees it now).
    bool flush();
    bool finish();
    // Names initiator frames; a saved capture turns off /proc/PID/root (its pids are gone or reused).
    Symbolizer& symbolizer() { return m_symbolizer; }

private:
    bool addNamed(const Flow& flow);
    bool write(const QByteArray& bytes);

    // Collected output is written early beyond this, so a long batch does not grow the buffer.
    static constexpr qsizetype kFlushBytes = 1 << 20;
    QByteArray m_pending;

    std::string m_format;
    FILE* m_out;
    JsonlWriter m_jsonl;
    AppViewWriter m_appview;
    std::map<uint32_t, QString> m_commandLines; // appview only
    CaptureClock m_clock;
    HarOptions m_har;
    QList<Flow> m_flows; // har only
    bool m_firstCommand = true;
    bool m_messages = false;
    MessageLines m_messageLines;
    Symbolizer m_symbolizer;
};

} // namespace httptap::cli
