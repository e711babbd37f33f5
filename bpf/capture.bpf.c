// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * httptap's kernel side: sees the bytes traced processes exchange over
 * sockets, as plaintext at the syscall boundary and as TLS plaintext at the
 * API of TLS libraries, and reports process fork/exec/exit so the tree can be followed.
 *
 * Invariants:
 *  - read-only: nothing here changes what a traced process sees;
 *  - one ring buffer; a failed reserve never blocks, it bumps a per-CPU
 *    counter that the helper forwards as a Lost record;
 *  - every byte carries its stream offset, so user space can tell exactly
 *    which bytes are missing when a chunk is dropped or not copied;
 *  - syscall data is only reported for inet stream sockets, and never for
 *    connections that carry TLS (their plaintext comes from the uprobes);
 *    on inet datagram sockets only DNS messages (port 53), with timing on.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "capture.h"

char LICENSE[] SEC("license") = "GPL";

#include "common.bpf.h"
#include "dns.bpf.h"
#include "syscalls.bpf.h"
#include "tlslib.bpf.h"
#include "gotls.bpf.h"
#include "process.bpf.h"
