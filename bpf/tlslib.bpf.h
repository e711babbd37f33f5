/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS plaintext at the API of C TLS libraries whose read/write take
 * (object, buffer, length): OpenSSL (shared or inside a binary) and GnuTLS.
 * Part of capture.bpf.c (one BPF object, one skeleton); include only from there.
 */
#ifndef HTTPTAP_BPF_TLSLIB_BPF_H
#define HTTPTAP_BPF_TLSLIB_BPF_H

/* ---- OpenSSL uprobes (TLS plaintext) ---------------------------------- */

static __always_inline void ssl_enter(void *ssl, const void *buf, __u64 out_len_ptr, __u8 direction, __u8 source)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!is_traced(pid_tgid >> 32))
		return;
	struct ssl_stack *st = thread_ssl_stack(true);
	if (!st) {
		count(CAPTURE_COUNTER_COPY_FAILED); /* no memory for the slot: this call's bytes are lost */
		return;
	}
	if (st->depth >= SSL_STACK_DEPTH) {
		st->overflow++;
		return;
	}
	struct ssl_args *frame = &st->frames[ssl_slot(st->depth)];
	frame->ssl = (__u64)ssl;
	frame->buf = (__u64)buf;
	frame->out_len_ptr = out_len_ptr;
	frame->direction = direction;
	frame->source = source;
	st->depth++;
}

static __always_inline void ssl_exit(struct pt_regs *prog_ctx, long ret, bool ex)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ssl_stack *st = thread_ssl_stack(false);
	if (!st)
		return;
	if (st->overflow > 0) {
		st->overflow--;
		return;
	}
	if (st->depth == 0 || st->depth > SSL_STACK_DEPTH)
		return;
	st->depth--;
	struct ssl_args args = st->frames[ssl_slot(st->depth)];

	__u64 n = 0;
	if (ex) {
		if (ret != 1 || !args.out_len_ptr)
			return;
		bpf_probe_read_user(&n, sizeof(n), (const void *)args.out_len_ptr);
	} else {
		if (ret <= 0)
			return;
		n = ret;
	}
	if (n == 0)
		return;

	__u32 tgid = pid_tgid >> 32;
	struct ssl_key skey = { .tgid = tgid, .ssl = args.ssl };
	__s32 *fdp = bpf_map_lookup_elem(&ssl_fds, &skey);
	__u8 dir = args.direction & 1;
	if (!fdp) {
		/* No syscall inside the call named the socket: use the thread's
		 * neighbouring ciphertext (read before, or written right after). */
		struct thread_tls_hint *h = bpf_map_lookup_elem(&thread_hints, &pid_tgid);
		if (dir == CAPTURE_INGRESS && h && h->last_cipher_read_fd > 0) {
			bind_ssl_fd(tgid, args.ssl, h->last_cipher_read_fd - 1);
			fdp = bpf_map_lookup_elem(&ssl_fds, &skey);
		} else if (dir == CAPTURE_EGRESS) {
			if (h) {
				h->unmapped_ssl = args.ssl;
			} else {
				struct thread_tls_hint fresh = { .unmapped_ssl = args.ssl };
				bpf_map_update_elem(&thread_hints, &pid_tgid, &fresh, BPF_ANY);
			}
		}
	}
	struct conn_state *c = NULL;
	int fd = -1;
	if (fdp) {
		fd = *fdp;
		c = socket_conn(tgid, fd);
	}
	if (!c) {
		/* No socket seen (yet): a connection per SSL object. */
		struct conn_key key = { .tgid = tgid, .handle = args.ssl | (1ull << 63) };
		c = bpf_map_lookup_elem(&conns, &key);
		if (!c) {
			struct conn_state fresh = { .kind = CONN_TLS, .conn_id = new_conn_id() };
			bpf_map_update_elem(&conns, &key, &fresh, BPF_NOEXIST);
			c = bpf_map_lookup_elem(&conns, &key);
			if (!c)
				return;
		}
		fd = -1;
	}
	c->kind = CONN_TLS;
	c->has_data = 1;

	/* bpf_loop wants its context on the stack. */
	struct emit_ctx stack_ctx;
	struct emit_ctx *ctx = &stack_ctx;
	init_header(&ctx->hdr, c, args.source, dir, fd, n);
	ctx->hdr.stream_offset = c->tls_offset[dir];
	c->tls_offset[dir] += n;
	note_message_start(prog_ctx, c, &ctx->hdr, 0);
	__u64 budget = n < max_call_bytes ? n : max_call_bytes;
	if (budget < n)
		ctx->hdr.flags |= CAPTURE_DATA_CALL_TRUNCATED;
	emit_buffer(ctx, args.buf, budget);
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_entry, void *ssl, const void *buf, int num)
{
	ssl_enter(ssl, buf, 0, CAPTURE_EGRESS, CAPTURE_SOURCE_OPENSSL);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_return, int ret)
{
	ssl_exit(ctx, ret, false);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_entry, void *ssl, void *buf, int num)
{
	ssl_enter(ssl, buf, 0, CAPTURE_INGRESS, CAPTURE_SOURCE_OPENSSL);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_read_return, int ret)
{
	ssl_exit(ctx, ret, false);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_ex_entry, void *ssl, const void *buf, __u64 num, __u64 *written)
{
	ssl_enter(ssl, buf, (__u64)written, CAPTURE_EGRESS, CAPTURE_SOURCE_OPENSSL);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_ex_return, int ret)
{
	ssl_exit(ctx, ret, true);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_ex_entry, void *ssl, void *buf, __u64 num, __u64 *readbytes)
{
	ssl_enter(ssl, buf, (__u64)readbytes, CAPTURE_INGRESS, CAPTURE_SOURCE_OPENSSL);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_read_ex_return, int ret)
{
	ssl_exit(ctx, ret, true);
	return 0;
}

/* Inside OpenSSL's SSL_read/SSL_write wrappers (Debian's libssl 3.0 and builds
 * like it): `call ssl_read_internal(s, buf, num, &bytes); test eax, eax; jle`.
 * The helper finds both instructions by disassembly (helper/sslprobes.cpp).
 * A probe on the call sees the arguments in rdi/rsi/rdx and &bytes in rcx; one
 * on the jle sees the internal function's result in eax (1 on success, the
 * count then in bytes). The kernel emulates both instructions, where the
 * function's first one (`sub rsp`) and a uretprobe's entry hit are
 * single-stepped out of line (~14 µs a hit here; issue 10). Every call is
 * followed by its jle, so entries and results pair up as with uretprobes. */
SEC("uprobe")
int BPF_KPROBE(ssl_read_call, void *ssl, void *buf, __u64 num, __u64 *bytes)
{
	ssl_enter(ssl, buf, (__u64)bytes, CAPTURE_INGRESS, CAPTURE_SOURCE_OPENSSL);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_call, void *ssl, const void *buf, __u64 num, __u64 *bytes)
{
	ssl_enter(ssl, buf, (__u64)bytes, CAPTURE_EGRESS, CAPTURE_SOURCE_OPENSSL);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_call_result)
{
	ssl_exit(ctx, (int)PT_REGS_RC(ctx), true);
	return 0;
}

/* GnuTLS: ssize_t gnutls_record_send/recv(gnutls_session_t, void *, size_t).
 * The session pointer plays the SSL object's part. */
SEC("uprobe")
int BPF_KPROBE(gnutls_send_entry, void *session, const void *buf, __u64 size)
{
	ssl_enter(session, buf, 0, CAPTURE_EGRESS, CAPTURE_SOURCE_GNUTLS);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(gnutls_send_return, long ret)
{
	ssl_exit(ctx, ret, false);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(gnutls_recv_entry, void *session, void *buf, __u64 size)
{
	ssl_enter(session, buf, 0, CAPTURE_INGRESS, CAPTURE_SOURCE_GNUTLS);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(gnutls_recv_return, long ret)
{
	ssl_exit(ctx, ret, false);
	return 0;
}

#endif
