/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plaintext at the syscall boundary: read/write/send/recv and their vector
 * forms on inet stream sockets, sendfile as bytes not copied, close; on inet
 * datagram sockets, DNS (dns.bpf.h, timing only).
 * Part of capture.bpf.c (one BPF object, one skeleton); include only from there.
 */
#ifndef HTTPTAP_BPF_SYSCALLS_BPF_H
#define HTTPTAP_BPF_SYSCALLS_BPF_H

enum io_kind {
	IO_BUF = 0, /* read/write/sendto/recvfrom: one buffer */
	IO_IOV = 1, /* readv/writev/sendmsg/recvmsg: iovec array */
	IO_SENDFILE = 2, /* sendfile: bytes move kernel-side, never through a user buffer */
	IO_MMSG = 3, /* sendmmsg/recvmmsg: mmsghdr array (followed for DNS only) */
};

/* Arguments of a socket-ish syscall in flight, by thread. */
struct io_args {
	__u64 ptr; /* buffer or iovec array */
	__u64 count; /* buffer length or iovec count */
	__u64 name; /* the call's sockaddr (sendto/recvfrom/sendmsg/recvmsg), for datagram sockets */
	__u64 start_ns; /* when a send began (timing on): a DNS query leaves no later than this */
	__s32 fd;
	__u8 kind;
	__u8 direction;
	__u8 active; /* between the call's entry and its exit */
	__u8 pad;
};

/* The syscall in flight on each thread, in task-local storage (see active_ssl): entry and
 * exit touch the thread's slot instead of inserting and deleting a hash entry. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct io_args);
} active_io SEC(".maps");

/* An OpenSSL call in flight, by thread. */
/* ---- syscall path (plaintext) ----------------------------------------- */

static __always_inline void io_enter(int fd, __u64 ptr, __u64 count_or_len, __u64 name, __u8 kind, __u8 direction)
{
	/* The caller checked that the process is traced. */
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;

	/* Inside an SSL call this syscall moves ciphertext: it tells us which fd the
	 * SSL object uses. */
	struct ssl_args *ssl = current_ssl_call();
	if (ssl && socket_conn(tgid, fd)) /* not the files or eventfds TLS code also touches */
		bind_ssl_fd(tgid, ssl->ssl, fd);

	struct io_args *slot = bpf_task_storage_get(&active_io, bpf_get_current_task_btf(), 0,
						    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!slot) {
		count(CAPTURE_COUNTER_COPY_FAILED); /* no memory for the slot: this call's bytes are lost */
		return;
	}
	struct io_args args = {
		.ptr = ptr,
		.count = count_or_len,
		.name = name,
		.fd = fd,
		.kind = kind,
		.direction = direction,
		/* A DNS lookup starts when its query is sent, not when the send returns: the answer can
		 * be on its way before then (the server runs as soon as the datagram is queued). */
		.start_ns = timing && direction == CAPTURE_EGRESS ? bpf_ktime_get_ns() : 0,
		.active = 1,
	};
	*slot = args;
}

static __always_inline bool looks_like_tls(__u64 src, __u64 len)
{
	__u8 head[3] = {};
	if (len < 3 || bpf_probe_read_user(head, sizeof(head), (const void *)src) != 0)
		return false;
	/* TLS record: handshake (22) or application data (23), version 3.x */
	return (head[0] == 22 || head[0] == 23) && head[1] == 3 && head[2] <= 4;
}

struct iov_batch {
	struct iovec_user iov[CAPTURE_MAX_IOV];
	__u64 prefix[CAPTURE_MAX_IOV + 1]; /* bytes in the iovecs before each one; the last: in all */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iov_batch);
} iov_batches SEC(".maps");

/* Ciphertext moved outside any TLS call: the socket of a memory-BIO TLS object
 * (see thread_tls_hint). */
static __always_inline void note_ciphertext(__u64 pid_tgid, int fd, __u8 direction)
{
	struct thread_tls_hint *h = bpf_map_lookup_elem(&thread_hints, &pid_tgid);
	if (direction == CAPTURE_EGRESS) {
		if (h && h->unmapped_ssl) {
			bind_ssl_fd(pid_tgid >> 32, h->unmapped_ssl, fd);
			h->unmapped_ssl = 0;
		}
		return;
	}
	if (h) {
		h->last_cipher_read_fd = fd + 1;
		return;
	}
	struct thread_tls_hint fresh = { .last_cipher_read_fd = fd + 1 };
	bpf_map_update_elem(&thread_hints, &pid_tgid, &fresh, BPF_ANY);
}

/* Ciphertext before any plaintext: the handshake. */
static __always_inline void note_handshake_io(struct conn_state *c)
{
	if (!timing || c->plaintext_seen)
		return;
	__u64 now = bpf_ktime_get_ns();
	if (!c->tls_first_ns)
		c->tls_first_ns = now;
	c->tls_last_ns = now;
}

static __always_inline void io_exit(void *prog_ctx, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct io_args *a = bpf_task_storage_get(&active_io, bpf_get_current_task_btf(), 0, 0);
	if (!a || !a->active)
		return;
	struct io_args args = *a;
	a->active = 0;
	if (ret <= 0)
		return;

	__u32 tgid = pid_tgid >> 32;
	struct conn_state *c = fd_state(tgid, args.fd);
	if (!c || c->kind == CONN_UNKNOWN_FD)
		return;
	if (c->kind == CONN_UDP) {
		dns_io(args.fd, args.ptr, args.name, args.direction & 1, args.kind == IO_IOV, args.kind == IO_MMSG, ret,
		       args.start_ns);
		return;
	}
	if (args.kind == IO_MMSG)
		return;
	if (current_ssl_call()) {
		c->kind = CONN_TLS; /* ciphertext inside an SSL call: already bound in io_enter */
		/* A library that was not asked to handshake first does it inside the
		 * first read/write: then that call's ciphertext is the handshake too.
		 * After an explicit handshake (SSL_connect, not probed) it is not. */
		if (!c->tls_first_ns)
			c->tls_in_call = 1;
		if (c->tls_in_call)
			note_handshake_io(c);
		return;
	}
	if (c->kind == CONN_TLS) {
		note_handshake_io(c);
		note_ciphertext(pid_tgid, args.fd, args.direction);
		return;
	}

	__u64 first = args.ptr;
	__u64 first_len = ret;
	if (args.kind == IO_IOV) {
		struct iovec_user iov = {};
		bpf_probe_read_user(&iov, sizeof(iov), (const void *)args.ptr);
		first = iov.base;
		first_len = iov.len;
	}
	/* The first bytes a process moves over a socket tell TLS from plaintext. */
	if (!c->has_data) {
		c->has_data = 1;
		if (args.kind != IO_SENDFILE && looks_like_tls(first, first_len)) {
			c->kind = CONN_TLS;
			note_handshake_io(c);
			return;
		}
	}

	/* bpf_loop wants its context on the stack. */
	struct emit_ctx stack_ctx;
	struct emit_ctx *ctx = &stack_ctx;
	__u8 dir = args.direction & 1;
	init_header(&ctx->hdr, c, CAPTURE_SOURCE_SYSCALL, dir, args.fd, ret);
	ctx->hdr.stream_offset = c->offset[dir];
	c->offset[dir] += ret;
	note_message_start(prog_ctx, c, &ctx->hdr, PT_REGS_SP_CORE(regs));

	__u64 budget = (__u64)ret < max_call_bytes ? (__u64)ret : max_call_bytes;
	if (args.kind == IO_SENDFILE)
		budget = 0;
	if (budget < (__u64)ret)
		ctx->hdr.flags |= CAPTURE_DATA_CALL_TRUNCATED;
	if (budget == 0) {
		/* Nothing to copy: say how many bytes went by, so the reader marks
		 * exactly those as missing instead of waiting for the next chunk. */
		struct capture_data_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e) {
			count(CAPTURE_COUNTER_RINGBUF_FULL);
			return;
		}
		__builtin_memcpy(e, &ctx->hdr, sizeof(*e));
		bpf_ringbuf_submit(e, 0);
		return;
	}

	if (args.kind == IO_BUF) {
		emit_buffer(ctx, args.ptr, budget);
		return;
	}

	/* One read for the iovec array, then prefix sums from the map value: no
	 * loop-carried byte counts for the verifier to track precisely. */
	__u32 zero = 0;
	struct iov_batch *batch = bpf_map_lookup_elem(&iov_batches, &zero);
	if (!batch)
		return;
	if (args.count == 0)
		return;
	__u64 n_iov = args.count < CAPTURE_MAX_IOV ? args.count : CAPTURE_MAX_IOV;
	/* Exactly the entries the call has: reading past them could fault. */
	__u32 iov_bytes = (((__u32)n_iov - 1) & (CAPTURE_MAX_IOV - 1)) + 1;
	if (bpf_probe_read_user(batch->iov, iov_bytes * sizeof(batch->iov[0]), (const void *)args.ptr) != 0)
		return;
	/* Entries past n_iov hold an earlier call's values: only prefix[0..n_iov]
	 * are used below (all of them when the call has more than we follow). */
	batch->prefix[0] = 0;
	for (int i = 1; i <= CAPTURE_MAX_IOV; i++)
		batch->prefix[i] = batch->prefix[i - 1] + batch->iov[i - 1].len;

	__u64 base_offset = ctx->hdr.stream_offset;
	for (int i = 0; i < CAPTURE_MAX_IOV; i++) {
		if (i >= n_iov)
			break;
		__u64 start = batch->prefix[i];
		if (start >= budget)
			break;
		__u64 take = batch->iov[i].len;
		if (take > budget - start)
			take = budget - start;
		ctx->hdr.stream_offset = base_offset + start;
		emit_buffer(ctx, batch->iov[i].base, take);
	}
	/* More iovecs than we follow: say exactly how many bytes went uncopied. */
	__u64 followed = batch->prefix[CAPTURE_MAX_IOV];
	if (args.count > CAPTURE_MAX_IOV && followed < budget) {
		struct capture_data_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e) {
			count(CAPTURE_COUNTER_RINGBUF_FULL);
			return;
		}
		__builtin_memcpy(e, &ctx->hdr, sizeof(*e));
		e->stream_offset = base_offset + followed;
		e->call_size = budget - followed;
		e->flags |= CAPTURE_DATA_CALL_TRUNCATED;
		bpf_ringbuf_submit(e, 0);
	}
}

/* x86_64 syscall numbers of the calls that move socket data. */
#define NR_READ 0
#define NR_WRITE 1
#define NR_CLOSE 3
#define NR_READV 19
#define NR_WRITEV 20
#define NR_SENDTO 44
#define NR_RECVFROM 45
#define NR_SENDMSG 46
#define NR_RECVMSG 47
#define NR_SENDFILE 40
#define NR_RECVMMSG 299
#define NR_SENDMMSG 307
#define NR_CONNECT 42
#define EINPROGRESS 115
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2

/* ---- TCP connect timing ------------------------------------------------ */

/* A connect() in flight, by thread. */
struct connect_call {
	__u64 sk;
	__s32 fd;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct connect_call);
} active_connects SEC(".maps");

/* A connection being set up, by socket. connect() returns (with the connection
 * id) and the handshake completes (in softirq, on any CPU) in either order:
 * whichever comes second reports the phase, once. */
struct pending_connect {
	__u64 start_ns;
	__u64 established_ns;
	__u64 conn_id;
	__u64 reported; /* 64 bits: clang's BPF target has 64-bit compare-and-swap only */
	__u32 tgid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct pending_connect);
} pending_connects SEC(".maps");

static __always_inline void report_connect(__u64 sk, struct pending_connect *p)
{
	/* Atomic read-modify-writes on both sides order the two fields' stores:
	 * at least one side sees both set. */
	if (!p->conn_id || !p->established_ns)
		return;
	if (__sync_val_compare_and_swap(&p->reported, 0, 1) != 0)
		return;
	emit_phase(p->tgid, p->conn_id, CAPTURE_PHASE_CONNECT, p->start_ns, p->established_ns);
	bpf_map_delete_elem(&pending_connects, &sk);
}

static __always_inline void connect_enter(__u64 pid_tgid, int fd)
{
	__u64 inode = 0;
	struct sock *sk = inet_stream_sock(fd, &inode);
	if (!sk)
		return;
	struct pending_connect p = { .start_ns = bpf_ktime_get_ns(), .tgid = pid_tgid >> 32 };
	__u64 key = (__u64)sk;
	bpf_map_update_elem(&pending_connects, &key, &p, BPF_ANY);
	struct connect_call call = { .sk = key, .fd = fd };
	bpf_map_update_elem(&active_connects, &pid_tgid, &call, BPF_ANY);
}

static __always_inline void connect_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct connect_call *a = bpf_map_lookup_elem(&active_connects, &pid_tgid);
	if (!a)
		return;
	struct connect_call call = *a;
	bpf_map_delete_elem(&active_connects, &pid_tgid);
	struct pending_connect *p = bpf_map_lookup_elem(&pending_connects, &call.sk);
	if (!p)
		return;
	if (ret != 0 && ret != -EINPROGRESS) {
		bpf_map_delete_elem(&pending_connects, &call.sk);
		return;
	}
	/* The addresses are set now: the connection gets its id and tuple here. */
	struct conn_state *c = socket_conn(pid_tgid >> 32, call.fd);
	if (!c || !c->conn_id)
		return;
	__sync_fetch_and_or(&p->conn_id, c->conn_id);
	if (ret == 0 && !p->established_ns)
		__sync_fetch_and_or(&p->established_ns, bpf_ktime_get_ns()); /* not seen by the tracepoint */
	report_connect(call.sk, p);
}

/* Every TCP state change on the machine: a hash lookup for the few that end a SYN_SENT. */
SEC("tracepoint/sock/inet_sock_set_state")
int on_inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->oldstate != TCP_SYN_SENT)
		return 0;
	__u64 sk = (__u64)ctx->skaddr;
	struct pending_connect *p = bpf_map_lookup_elem(&pending_connects, &sk);
	if (!p)
		return 0;
	if (ctx->newstate != TCP_ESTABLISHED) {
		bpf_map_delete_elem(&pending_connects, &sk); /* refused, reset or timed out */
		return 0;
	}
	__sync_fetch_and_or(&p->established_ns, bpf_ktime_get_ns());
	report_connect(sk, p);
	return 0;
}

static __always_inline void msg_enter(int fd, __u64 msg_ptr, __u8 direction)
{
	struct user_msghdr msg = {};
	if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)msg_ptr) != 0)
		return;
	io_enter(fd, (__u64)msg.msg_iov, msg.msg_iovlen, (__u64)msg.msg_name, IO_IOV, direction);
}

static __always_inline void on_close(__u32 tgid, int fd)
{
	struct conn_key key = { .tgid = tgid, .handle = (__u64)(__s64)fd };
	struct conn_state *c = bpf_map_lookup_elem(&conns, &key);
	if (!c)
		return;
	if (c->kind != CONN_UNKNOWN_FD && c->kind != CONN_UDP) {
		struct capture_close_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			__builtin_memset(e, 0, sizeof(*e));
			e->kind = CAPTURE_EVENT_CLOSE;
			e->pid = tgid;
			e->fd = fd;
			e->ts_ns = bpf_ktime_get_ns();
			e->conn_id = c->conn_id;
			if (c->kind == CONN_TLS && !c->plaintext_seen)
				e->flags = CAPTURE_CLOSE_ENCRYPTED_UNREAD;
			e->family = c->family;
			e->lport = c->lport;
			e->rport = c->rport;
			__builtin_memcpy(e->laddr, c->laddr, 16);
			__builtin_memcpy(e->raddr, c->raddr, 16);
			bpf_ringbuf_submit(e, 0);
		} else {
			count(CAPTURE_COUNTER_RINGBUF_FULL);
		}
	}
	bpf_map_delete_elem(&conns, &key);
}

/*
 * One raw tracepoint for all syscall entries (and one for exits) rather than a
 * tracepoint per syscall: cheaper per hit, and two attachments instead of
 * eighteen, which matters because every detach waits for an RCU grace period.
 * Untraced syscalls leave after a switch on the number.
 */
SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	switch (id) {
	case NR_READ: case NR_WRITE: case NR_CLOSE: case NR_READV: case NR_WRITEV:
	case NR_SENDTO: case NR_RECVFROM: case NR_SENDMSG: case NR_RECVMSG: case NR_SENDFILE:
		break;
	case NR_CONNECT: case NR_SENDMMSG: case NR_RECVMMSG:
		if (!timing)
			return 0; /* connect timing, DNS */
		break;
	default:
		return 0;
	}
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (!is_traced(tgid))
		return 0;
	int fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
	__u64 a1 = PT_REGS_PARM2_CORE_SYSCALL(regs);
	__u64 a2 = PT_REGS_PARM3_CORE_SYSCALL(regs);
	switch (id) {
	case NR_WRITE:
		io_enter(fd, a1, a2, 0, IO_BUF, CAPTURE_EGRESS);
		break;
	case NR_READ:
		io_enter(fd, a1, a2, 0, IO_BUF, CAPTURE_INGRESS);
		break;
	case NR_SENDTO: /* the destination sockaddr matters for DNS only */
		io_enter(fd, a1, a2, timing ? PT_REGS_PARM5_CORE_SYSCALL(regs) : 0, IO_BUF, CAPTURE_EGRESS);
		break;
	case NR_RECVFROM:
		io_enter(fd, a1, a2, timing ? PT_REGS_PARM5_CORE_SYSCALL(regs) : 0, IO_BUF, CAPTURE_INGRESS);
		break;
	case NR_WRITEV:
		io_enter(fd, a1, a2, 0, IO_IOV, CAPTURE_EGRESS);
		break;
	case NR_READV:
		io_enter(fd, a1, a2, 0, IO_IOV, CAPTURE_INGRESS);
		break;
	case NR_SENDMMSG:
		io_enter(fd, a1, a2, 0, IO_MMSG, CAPTURE_EGRESS);
		break;
	case NR_RECVMMSG:
		io_enter(fd, a1, a2, 0, IO_MMSG, CAPTURE_INGRESS);
		break;
	case NR_SENDMSG:
		msg_enter(fd, a1, CAPTURE_EGRESS);
		break;
	case NR_RECVMSG:
		msg_enter(fd, a1, CAPTURE_INGRESS);
		break;
	case NR_SENDFILE:
		io_enter(fd, 0, 0, 0, IO_SENDFILE, CAPTURE_EGRESS);
		break;
	case NR_CLOSE:
		on_close(tgid, fd);
		break;
	case NR_CONNECT:
		connect_enter(pid_tgid, fd);
		break;
	}
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	long id = BPF_CORE_READ(regs, orig_ax);
	switch (id) {
	case NR_READ: case NR_WRITE: case NR_READV: case NR_WRITEV:
	case NR_SENDTO: case NR_RECVFROM: case NR_SENDMSG: case NR_RECVMSG: case NR_SENDFILE:
	case NR_SENDMMSG: case NR_RECVMMSG: /* only entered with timing on */
		io_exit(ctx, regs, ret);
		break;
	case NR_CONNECT:
		if (timing)
			connect_exit(ret);
		break;
	}
	return 0;
}

#endif
