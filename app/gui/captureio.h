// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Reading captures into flows for the window: a raw record stream (the
// helper's format, as saved by the window or `httptap-record --raw`) goes
// through RecordReader and FlowAssembler exactly as a live capture does.
// Initiator stacks are named (Symbolizer) as each flow comes out, before the
// window stores it, so the table and detail pane never read a file.

#include "flow/captureclock.h"
#include "flow/flowassembler.h"
#include "symbols/symbolizer.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace httptap {

class RawCaptureParser
{
public:
    // With `progress`, exchanges still open are reported too (FlowAssembler::setProgressSink).
    explicit RawCaptureParser(FlowAssembler::FlowSink sink, FlowAssembler::ProgressSink progress = {});

    // A live capture: stack modules are opened as the traced process sees them (/proc/PID/root).
    // Off by default, since a saved capture's pids are gone or belong to other processes by now.
    void setLive(bool live) { m_symbolizer->setTryProcRoot(live); }

    // Feeds stream bytes; false once the stream is corrupt (errorString() says where).
    bool feed(const QByteArray& bytes);
    // End of stream: flushes open exchanges as incomplete.
    void finish();
    // Reports open exchanges that grew since their last report (when the stream goes quiet).
    void flushProgress() { m_assembler.flushProgress(); }

    const CaptureClock& clock() const { return m_clock; }
    uint64_t lostEvents() const { return m_assembler.stats().lostRecords; }
    const AssemblerStats& stats() const { return m_assembler.stats(); }
    bool streamEnded() const { return m_ended; }
    QString errorString() const;
    QStringList takeNotices();
    // The last Error-level Notice (the helper could not start: no BPF, no such process…), escaped.
    QString errorNotice() const { return m_errorNotice; }

private:
    record::RecordReader m_reader;
    std::shared_ptr<Symbolizer> m_symbolizer; // before m_assembler: its sinks hold it
    FlowAssembler m_assembler;
    CaptureClock m_clock;
    QStringList m_notices;
    QString m_errorNotice;
    bool m_ended = false;
};

bool isRawCapture(const QByteArray& bytes);
// Every flow of a capture file (raw record stream or HAR), for Compare Captures; nullopt with
// "Cannot open NAME: why" in *error when the file cannot be read or parsed.
std::optional<QList<Flow>> readCaptureFile(const QString& path, QString* error);

} // namespace httptap
