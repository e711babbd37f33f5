// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// Where a flow's time went, in the phases a browser's waterfall and HAR
// `timings` use. One derivation for HAR, JSONL, the table's Waterfall column
// and the Timing pane, so they never disagree.
//
//   [dns start] DNS → (gap) → TCP connect → (gap) → TLS handshake → blocked → send → wait → receive [end]
//
// dns, connect and ssl come from the kernel (ConnectionSetup, first flow of a
// connection only; dns only with a connect or TLS phase to anchor it); send,
// wait and receive from the timestamps of the flow's first and last bytes. As
// in HAR 1.2, `dns` precedes `connect`, and `connect` includes `ssl` and the
// gap between them; `blocked` is the client's own work: the time between the
// set-up's end and the first request byte, plus the time between the DNS
// answer and connect() (dnsToConnect; HAR has no phase between dns and
// connect). The durations (ignoring -1) add up to endNs - beginNs exactly.

#include "flow.h"

#include <cstdint>

namespace httptap {

struct FlowPhases {
    // Nanoseconds; -1 when the phase was not observed (reused connection, capture joined late…).
    int64_t blocked = -1;
    int64_t dns = -1; // first DNS query → the answer that carried the remote address
    int64_t connect = -1; // TCP connect through the end of the TLS handshake (HAR `connect`)
    int64_t tcp = -1; // TCP connect alone
    int64_t ssl = -1; // TLS handshake alone (part of connect)
    int64_t send = 0; // first → last request byte
    int64_t wait = 0; // last request byte → first response byte (to the end, without a response)
    int64_t receive = 0; // first → last response byte
    int64_t dnsToConnect = -1; // DNS answer → connect start; part of blocked (-1 without dns)
    uint64_t setupStartNs = 0; // connect (or TLS) start; 0 without set-up
    uint64_t beginNs = 0; // start of the first phase: DNS start, connect start, else the first request byte
    uint64_t endNs = 0; // last byte of the exchange

    uint64_t totalNs() const { return endNs - beginNs; }
};

FlowPhases flowPhases(const Flow& flow);

} // namespace httptap
