/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Go crypto/tls plaintext: uprobes on (*tls.Conn).Write and (*tls.Conn).Read.
 * Part of capture.bpf.c (one BPF object, one skeleton); include only from there.
 *
 * Go is not C, so the OpenSSL pattern (entry + uretprobe keyed by thread) does
 * not carry over:
 *  - no uretprobes: the runtime copies goroutine stacks when they grow, and a
 *    return address the kernel replaced would be copied wrongly. The helper
 *    disassembles each function and puts go_tls_return on every RET;
 *  - keyed by goroutine, not thread: a goroutine that blocks inside Read
 *    (netpoller) may resume on another OS thread, and the thread meanwhile runs
 *    other goroutines. The current g is in r14 in Go's register ABI (1.17+),
 *    at the entry and at every RET alike;
 *  - arguments in registers: receiver rax, b.ptr rbx, b.len rcx; results
 *    n in rax, err in rbx/rcx.
 *
 * Write is copied at its entry, not at its RETs, where the helper found the
 * entry probe a place on the stack check's `jbe` (always, in the Go versions
 * seen): the bytes are all there before the call, the kernel emulates the jump
 * (no single-step, no RET probes at all), and — what made it necessary — the
 * request is then in the ring buffer before its write syscall, so the response
 * a reader goroutine on another CPU decrypts cannot overtake it (it did, with
 * the ~14 µs single-stepped RET in between). A Write that fails is still
 * reported whole; its connection is broken anyway. When the jbe is about to be
 * taken (flags from `cmp`: CF or ZF), the stack grows and the function starts
 * again, hitting the probe a second time: only that second hit counts.
 *
 * *tls.Conn -> socket: read from the Conn itself (conn.conn.fd.pfd.Sysfd, see
 * struct go_tls_binary), not learnt from a syscall nested in the call like
 * OpenSSL's. The nested-syscall trick is keyed by thread and so is wrong for Go
 * as soon as a goroutine parks: Read typically parks on EAGAIN and its thread
 * goes on running other goroutines' syscalls, which would bind this Conn to
 * their sockets; and a Read served from an already-decrypted record makes no
 * syscall at all. The struct walk works for every call, client and server
 * alike. It is checked: the interface's method table must be *net.TCPConn's
 * (its first method is net.(*TCPConn).Close) and the fd must be an inet stream
 * socket; otherwise (a Conn over a user's own net.Conn) the data still goes out,
 * on a connection keyed by the *tls.Conn, without addresses.
 */
#ifndef HTTPTAP_BPF_GOTLS_BPF_H
#define HTTPTAP_BPF_GOTLS_BPF_H

#include "gotls.h"

/* Filled by the helper, one entry per probed Go binary (the key is in the cookie). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct go_tls_binary);
} go_binaries SEC(".maps");

struct go_call_key {
	__u32 tgid;
	__u32 pad;
	__u64 g; /* the goroutine (runtime.g pointer) */
};

struct go_call {
	__u64 conn; /* *tls.Conn */
	__u64 buf;
	__u8 direction;
	__u8 pad[7];
};

/* Calls in flight by goroutine. LRU: a goroutine that never returns (panic,
 * process killed) must not leak an entry. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct go_call_key);
	__type(value, struct go_call);
} go_calls SEC(".maps");

static __always_inline void go_enter(struct pt_regs *ctx, __u8 direction)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!is_traced(pid_tgid >> 32))
		return;
	struct go_call_key key = { .tgid = pid_tgid >> 32, .g = ctx->r14 };
	struct go_call call = { .conn = ctx->ax, .buf = ctx->bx, .direction = direction };
	/* A stack-growth restart hits the entry twice: the second simply overwrites. */
	bpf_map_update_elem(&go_calls, &key, &call, BPF_ANY);
}

/* The socket fd behind a *tls.Conn, or -1. */
static __always_inline int go_conn_fd(struct pt_regs *ctx, __u64 conn)
{
	__u64 cookie = bpf_get_attach_cookie(ctx);
	__u32 index = cookie >> GO_COOKIE_VADDR_BITS;
	struct go_tls_binary *bin = bpf_map_lookup_elem(&go_binaries, &index);
	if (!bin)
		return -1;
	__u64 iface[2] = {}; /* itab, data */
	if (bpf_probe_read_user(iface, sizeof(iface), (const void *)(conn + bin->conn_offset)) != 0 || !iface[0]
	    || !iface[1])
		return -1;
	if (bin->tcpconn_close) {
		/* The probe was hit at its run-time address: the difference to its
		 * link-time address is the load bias (0 unless built as PIE). */
		__u64 bias = PT_REGS_IP(ctx) - (cookie & ((1ull << GO_COOKIE_VADDR_BITS) - 1));
		__u64 close_fn = 0;
		bpf_probe_read_user(&close_fn, sizeof(close_fn), (const void *)(iface[0] + bin->itab_fun_offset));
		if (close_fn != bin->tcpconn_close + bias)
			return -1;
	}
	__u64 netfd = 0;
	__s64 sysfd = -1;
	if (bpf_probe_read_user(&netfd, sizeof(netfd), (const void *)(iface[1] + bin->netfd_offset)) != 0 || !netfd)
		return -1;
	if (bpf_probe_read_user(&sysfd, sizeof(sysfd), (const void *)(netfd + bin->sysfd_offset)) != 0)
		return -1;
	return sysfd >= 0 && sysfd < 0x7fffffff ? (int)sysfd : -1;
}

/* Copies n plaintext bytes at buf that went through the *tls.Conn conn. */
static __always_inline void go_emit(struct pt_regs *ctx, __u32 tgid, __u64 conn, __u64 buf, __s64 n, __u8 dir)
{
	if (n <= 0)
		return;
	int fd = go_conn_fd(ctx, conn);
	struct conn_state *c = fd >= 0 ? socket_conn(tgid, fd) : NULL;
	if (!c) {
		struct conn_key ckey = { .tgid = tgid, .handle = conn | (1ull << 63) };
		c = bpf_map_lookup_elem(&conns, &ckey);
		if (!c) {
			struct conn_state fresh = { .kind = CONN_TLS, .conn_id = new_conn_id() };
			bpf_map_update_elem(&conns, &ckey, &fresh, BPF_NOEXIST);
			c = bpf_map_lookup_elem(&conns, &ckey);
			if (!c)
				return;
		}
		fd = -1;
	}
	c->kind = CONN_TLS; /* its syscalls carry ciphertext: suppressed */
	c->has_data = 1;

	/* bpf_loop wants its context on the stack. */
	struct emit_ctx stack_ctx;
	struct emit_ctx *ectx = &stack_ctx;
	dir &= 1;
	init_header(&ectx->hdr, c, CAPTURE_SOURCE_GO, dir, fd, n);
	ectx->hdr.stream_offset = c->tls_offset[dir];
	c->tls_offset[dir] += n;
	note_message_start(ctx, c, &ectx->hdr, 0);
	__u64 budget = (__u64)n < max_call_bytes ? (__u64)n : max_call_bytes;
	if (budget < (__u64)n)
		ectx->hdr.flags |= CAPTURE_DATA_CALL_TRUNCATED;
	emit_buffer(ectx, buf, budget);
}

static __always_inline void go_return(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct go_call_key key = { .tgid = tgid, .g = ctx->r14 };
	struct go_call *found = bpf_map_lookup_elem(&go_calls, &key);
	if (!found)
		return;
	struct go_call call = *found;
	bpf_map_delete_elem(&go_calls, &key);
	/* n counts the bytes transferred even when err is set (a short Write). */
	go_emit(ctx, tgid, call.conn, call.buf, (__s64)ctx->ax, call.direction);
}

#define X86_EFLAGS_CF 0x0001
#define X86_EFLAGS_ZF 0x0040

SEC("uprobe")
int go_tls_write_entry(struct pt_regs *ctx)
{
	__u32 index = bpf_get_attach_cookie(ctx) >> GO_COOKIE_VADDR_BITS;
	struct go_tls_binary *bin = bpf_map_lookup_elem(&go_binaries, &index);
	if (!bin || !(bin->flags & GO_BINARY_WRITE_AT_ENTRY)) {
		go_enter(ctx, CAPTURE_EGRESS); /* copied at the RETs */
		return 0;
	}
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!is_traced(pid_tgid >> 32))
		return 0;
	if (ctx->flags & (X86_EFLAGS_CF | X86_EFLAGS_ZF))
		return 0; /* jbe taken: morestack, then this call starts over */
	go_emit(ctx, pid_tgid >> 32, ctx->ax, ctx->bx, (__s64)ctx->cx, CAPTURE_EGRESS);
	return 0;
}

SEC("uprobe")
int go_tls_read_entry(struct pt_regs *ctx)
{
	go_enter(ctx, CAPTURE_INGRESS);
	return 0;
}

/* On every RET of Read (and of Write when its entry is not on the jbe); the
 * entry recorded which one it was. */
SEC("uprobe")
int go_tls_return(struct pt_regs *ctx)
{
	go_return(ctx);
	return 0;
}

#endif
