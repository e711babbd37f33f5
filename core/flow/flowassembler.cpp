// SPDX-License-Identifier: GPL-2.0-or-later
#include "flowassembler.h"

#include "connection.h"
#include "dns/dnslookups.h"

#include <map>
#include <unordered_map>
#include <vector>

namespace httptap {

// Connections are keyed by id and capture source: when the syscall probes and a
// TLS library's probes both report the same socket, the ciphertext and the
// plaintext are two separate streams with their own offsets.
using ConnectionKey = std::pair<uint64_t, record::Source>;

// Set-up phases per connection id, waiting for the connection's first flow.
// Bounded: phases of connections that never carry a flow are dropped at close.
constexpr size_t kMaxPendingSetups = 65536;

struct FlowAssembler::Private {
    Connection::Context context;
    std::map<ConnectionKey, std::unique_ptr<Connection>> connections;
    // The connection of the previous Data record: records come in runs of one connection's.
    ConnectionKey lastKey {};
    Connection* last = nullptr;
    struct Setup {
        ConnectionSetup phases;
        bool used = false; // a flow of this connection has left
    };
    std::unordered_map<uint64_t, Setup> setups;
    uint64_t lastSetupConnId = 0;
    Setup* lastSetup = nullptr; // setups[lastSetupConnId] (elements stay put when the map rehashes)

    void forgetSetup(uint64_t connId)
    {
        setups.erase(connId);
        if (connId == lastSetupConnId)
            lastSetup = nullptr;
    }
    DnsLookups lookups;
    FlowSink sink;
    LargeBodyPolicy largeBodies;

    // The lookup that gave a new connection its remote address (client role: the process resolved
    // the name it connects to). Timed from the connection's first set-up instant.
    void attachDns(const Flow& flow, ConnectionSetup& setup) const
    {
        const uint64_t setupStart = setup.connectStartNs ? setup.connectStartNs : setup.tlsStartNs;
        if (flow.role != Flow::Role::Client || !setupStart || (flow.remote.family != 4 && flow.remote.family != 6))
            return;
        const auto match = lookups.find(flow.pid, DnsAddress { flow.remote.family, flow.remote.addr }, setupStart);
        if (!match)
            return;
        setup.dnsStartNs = match->startNs;
        setup.dnsEndNs = match->endNs;
        setup.dnsName = match->name;
    }

    // The first flow to leave a connection carries its set-up; later ones are reused.
    void leave(Flow&& flow)
    {
        // Flows leave in runs of one connection's: its entry is looked up once per run.
        if (!lastSetup || lastSetupConnId != flow.connId) {
            lastSetup = &setups[flow.connId];
            lastSetupConnId = flow.connId;
        }
        Setup& s = *lastSetup;
        if (s.used) {
            flow.setup = ConnectionSetup {};
            flow.setup.reused = true;
        } else {
            flow.setup = s.phases;
            attachDns(flow, flow.setup);
            s.used = true;
        }
        if (setups.size() > kMaxPendingSetups)
            forgetSetup(flow.connId);
        keepLargeBodies(flow, largeBodies);
        sink(std::move(flow));
    }

    void onPhase(const record::ConnPhase& phase)
    {
        if (setups.size() >= kMaxPendingSetups && !setups.contains(phase.connId))
            return;
        ConnectionSetup& s = setups[phase.connId].phases;
        if (phase.phase == record::ConnPhaseKind::Connect) {
            s.connectStartNs = phase.startNs;
            s.connectEndNs = phase.endNs;
        } else if (phase.phase == record::ConnPhaseKind::TlsHandshake) {
            s.tlsStartNs = phase.startNs;
            s.tlsEndNs = phase.endNs;
        }
    }

    void closeWhere(auto&& predicate, Connection::CloseReason reason)
    {
        for (auto it = connections.begin(); it != connections.end();) {
            if (predicate(it->first, *it->second)) {
                // Detach before closing so the sink may see a consistent assembler.
                std::unique_ptr<Connection> conn = std::move(it->second);
                it = connections.erase(it);
                if (conn.get() == last)
                    last = nullptr;
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
        if (!last || key != lastKey) {
            auto it = connections.find(key);
            if (it == connections.end())
                it = connections.emplace(key, std::make_unique<Connection>(context, data)).first;
            last = it->second.get();
            lastKey = key;
        }
        last->add(data);
    }
};

FlowAssembler::FlowAssembler(FlowSink sink)
    : d(std::make_unique<Private>())
{
    d->sink = std::move(sink);
    d->context.sink = [p = d.get()](Flow&& flow) { p->leave(std::move(flow)); };
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
        d->forgetSetup(connId); // the id is not used again
        d->context.stacks.forgetConnection(connId);
    } else if (const auto* phase = std::get_if<record::ConnPhase>(&record)) {
        d->onPhase(*phase);
    } else if (const auto* dns = std::get_if<record::DnsMessage>(&record)) {
        d->lookups.add(*dns);
    } else if (const auto* stack = std::get_if<record::Stack>(&record)) {
        d->context.stacks.addStack(*stack);
    } else if (const auto* map = std::get_if<record::ModuleMap>(&record)) {
        d->context.stacks.addModuleMap(*map);
    } else if (const auto* process = std::get_if<record::Process>(&record)) {
        d->context.stacks.addProcess(*process);
        // An exited process sends nothing more on its sockets.
        if (process->kind == record::ProcessEventKind::Exit) {
            const uint32_t pid = process->pid;
            d->closeWhere([pid](const ConnectionKey&, const Connection& c) { return c.pid() == pid; },
                Connection::CloseReason::Closed);
            d->lookups.forgetProcess(pid);
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
    // An open flow shows its connection's set-up while no flow of the connection has left yet.
    d->context.progressSink = sink ? ProgressSink([p = d.get(), sink = std::move(sink)](const Flow& open) {
        const auto it = p->setups.find(open.connId);
        if (it == p->setups.end() || (!it->second.used && !it->second.phases.connectStartNs
                                         && !it->second.phases.tlsStartNs)) {
            sink(open);
            return;
        }
        Flow shown = open;
        if (it->second.used) {
            shown.setup.reused = true;
        } else {
            shown.setup = it->second.phases;
            p->attachDns(open, shown.setup);
        }
        sink(shown);
    })
                                   : ProgressSink();
    d->context.progressIntervalNs = intervalNs;
}

void FlowAssembler::flushProgress() { d->sweepProgress(true); }

void FlowAssembler::finish()
{
    d->closeWhere([](const ConnectionKey&, const Connection&) { return true; }, Connection::CloseReason::CaptureEnded);
}

void FlowAssembler::setMaxDecodedBytes(uint64_t maxDecodedBytes) { d->context.maxDecodedBytes = maxDecodedBytes; }

void FlowAssembler::setLargeBodyPolicy(const LargeBodyPolicy& policy) { d->largeBodies = policy; }

const AssemblerStats& FlowAssembler::stats() const { return d->context.stats; }

} // namespace httptap
