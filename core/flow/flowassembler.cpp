// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowassembler.h"

#include "connection.h"

#include <map>
#include <vector>

namespace httptap {

// Connections are keyed by id and capture source: when the syscall probes and a
// TLS library's probes both report the same socket, the ciphertext and the
// plaintext are two separate streams with their own offsets.
using ConnectionKey = std::pair<uint64_t, record::Source>;

struct FlowAssembler::Private {
    Connection::Context context;
    std::map<ConnectionKey, std::unique_ptr<Connection>> connections;

    void closeWhere(auto&& predicate, Connection::CloseReason reason)
    {
        for (auto it = connections.begin(); it != connections.end();) {
            if (predicate(it->first, *it->second)) {
                // Detach before closing so the sink may see a consistent assembler.
                std::unique_ptr<Connection> conn = std::move(it->second);
                it = connections.erase(it);
                conn->close(reason);
            } else {
                ++it;
            }
        }
    }

    // Reports changed open flows of every connection that had to wait (due ones, or all when forced).
    void sweepProgress(bool force)
    {
        if (!context.progressSink || context.progressPending.empty())
            return;
        const uint64_t now = context.lastTimestampNs;
        if (!force && now < context.lastProgressSweepNs + context.progressIntervalNs)
            return;
        context.lastProgressSweepNs = now;
        const std::vector<ProgressSource*> waiting(context.progressPending.begin(), context.progressPending.end());
        for (ProgressSource* source : waiting) {
            if (!source->reportProgress(now, force))
                context.progressPending.erase(source);
        }
    }

    void onData(const record::Data& data)
    {
        context.lastTimestampNs = std::max(context.lastTimestampNs, data.timestampNs);
        context.stats.dataBytes += data.payload.size();
        const ConnectionKey key { data.connId, data.source };
        auto it = connections.find(key);
        if (it == connections.end())
            it = connections.emplace(key, std::make_unique<Connection>(context, data)).first;
        it->second->add(data);
    }
};

FlowAssembler::FlowAssembler(FlowSink sink)
    : d(std::make_unique<Private>())
{
    d->context.sink = std::move(sink);
}

FlowAssembler::~FlowAssembler() = default;

void FlowAssembler::setMaxBodyBytes(uint64_t maxBodyBytes)
{
    // Applies to connections opened from now on; open parsers keep the limit they started with.
    d->context.maxBodyBytes = maxBodyBytes;
}

void FlowAssembler::add(const record::Record& record)
{
    ++d->context.stats.records;
    if (const auto* data = std::get_if<record::Data>(&record)) {
        d->onData(*data);
        d->sweepProgress(false);
    } else if (const auto* close = std::get_if<record::ConnClose>(&record)) {
        const uint64_t connId = close->connId;
        d->closeWhere([connId](const ConnectionKey& key, const Connection&) { return key.first == connId; },
            Connection::CloseReason::Closed);
    } else if (const auto* process = std::get_if<record::Process>(&record)) {
        // An exited process sends nothing more on its sockets.
        if (process->kind == record::ProcessEventKind::Exit) {
            const uint32_t pid = process->pid;
            d->closeWhere([pid](const ConnectionKey&, const Connection& c) { return c.pid() == pid; },
                Connection::CloseReason::Closed);
        }
    } else if (const auto* lost = std::get_if<record::Lost>(&record)) {
        // Cumulative on the producer's side; a smaller value would be a reordered record.
        d->context.stats.lostRecords = std::max(d->context.stats.lostRecords, lost->lostRecords);
    } else if (std::holds_alternative<record::StreamEnd>(record)) {
        finish();
    }
}

void FlowAssembler::setProgressSink(ProgressSink sink, uint64_t intervalNs)
{
    d->context.progressSink = std::move(sink);
    d->context.progressIntervalNs = intervalNs;
}

void FlowAssembler::flushProgress() { d->sweepProgress(true); }

void FlowAssembler::finish()
{
    d->closeWhere([](const ConnectionKey&, const Connection&) { return true; }, Connection::CloseReason::CaptureEnded);
}

void FlowAssembler::setMaxDecodedBytes(uint64_t maxDecodedBytes) { d->context.maxDecodedBytes = maxDecodedBytes; }

const AssemblerStats& FlowAssembler::stats() const { return d->context.stats; }

} // namespace httptap
