// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * httptap's kernel side: sees the bytes traced processes exchange over
 * sockets, as plaintext at the syscall boundary and as TLS plaintext at the
 * OpenSSL API, and reports process fork/exec/exit so the tree can be followed.
 *
 * Invariants:
 *  - read-only: nothing here changes what a traced process sees;
 *  - one ring buffer; a failed reserve never blocks, it bumps a per-CPU
 *    counter that the helper forwards as a Lost record;
 *  - every byte carries its stream offset, so user space can tell exactly
 *    which bytes are missing when a chunk is dropped or not copied;
 *  - syscall data is only reported for inet stream sockets, and never for
 *    connections that carry TLS (their plaintext comes from the uprobes).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "capture.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* Set by the helper before load. */
const volatile bool follow_forks = true;
/* Bytes copied per call at most; the rest is reported as not copied. */
const volatile __u64 max_call_bytes = 64ull << 20;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CAPTURE_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* tgid -> 1 for every process being traced. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CAPTURE_MAX_TRACED);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} next_conn_id SEC(".maps");

/* A connection as seen by one process: (tgid, fd) or, for TLS objects whose fd
 * is unknown, (tgid, SSL pointer | 1<<63). */
struct conn_key {
	__u32 tgid;
	__u32 pad;
	__u64 handle;
};

enum conn_kind {
	CONN_UNKNOWN_FD = 0, /* fd checked, not an inet stream socket */
	CONN_PLAIN = 1,
	CONN_TLS = 2, /* ciphertext on the socket: syscall data suppressed */
};

struct conn_state {
	__u64 conn_id;
	__u64 offset[2]; /* plaintext syscall stream, per direction */
	__u64 tls_offset[2]; /* TLS plaintext stream, per direction */
	__u8 kind;
	__u8 family;
	__u16 lport;
	__u16 rport;
	__u8 has_data;
	__u8 pad;
	__u8 laddr[16];
	__u8 raddr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct conn_key);
	__type(value, struct conn_state);
} conns SEC(".maps");

enum io_kind {
	IO_BUF = 0, /* read/write/sendto/recvfrom: one buffer */
	IO_IOV = 1, /* readv/writev/sendmsg/recvmsg: iovec array */
	IO_SENDFILE = 2, /* sendfile: bytes move kernel-side, never through a user buffer */
};

/* Arguments of a socket-ish syscall in flight, by thread. */
struct io_args {
	__u64 ptr; /* buffer or iovec array */
	__u64 count; /* buffer length or iovec count */
	__s32 fd;
	__u8 kind;
	__u8 direction;
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct io_args);
} active_io SEC(".maps");

/* An OpenSSL call in flight, by thread. */
struct ssl_args {
	__u64 ssl;
	__u64 buf;
	__u64 out_len_ptr; /* size_t* of the _ex variants, else 0 */
	__u8 direction;
	__u8 depth; /* nested SSL calls on the same thread (rare, e.g. wrappers) */
	__u8 pad[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ssl_args);
} active_ssl SEC(".maps");

struct ssl_key {
	__u32 tgid;
	__u32 pad;
	__u64 ssl;
};

/* SSL object -> socket fd, learnt from a syscall nested in an SSL call. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ssl_key);
	__type(value, __s32);
} ssl_fds SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &which);
	if (v)
		*v += 1;
}

static __always_inline bool is_traced(__u32 tgid)
{
	return bpf_map_lookup_elem(&traced, &tgid) != NULL;
}

/* ---- socket identification ------------------------------------------- */

static __always_inline struct sock *inet_stream_sock(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	if (!file)
		return NULL;
	umode_t mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return NULL;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	if (BPF_CORE_READ(sk, sk_type) != SOCK_STREAM)
		return NULL;
	return sk;
}

static __always_inline void fill_tuple(struct conn_state *c, struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	c->family = family;
	c->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	c->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	/* Explicit sizes: BPF_CORE_READ_INTO would copy sizeof(laddr[0]). */
	if (family == AF_INET) {
		bpf_core_read(c->laddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(c->raddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(c->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(c->raddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

static __always_inline __u64 new_conn_id(void)
{
	__u32 zero = 0;
	__u64 *next = bpf_map_lookup_elem(&next_conn_id, &zero);
	if (!next)
		return 0;
	return __sync_fetch_and_add(next, 1) + 1;
}

/* The connection behind a socket fd, created on first sight. NULL if the fd is
 * not an inet stream socket. */
static __always_inline struct conn_state *socket_conn(__u32 tgid, int fd)
{
	struct conn_key key = { .tgid = tgid, .handle = (__u64)(__s64)fd };
	struct conn_state *c = bpf_map_lookup_elem(&conns, &key);
	if (c)
		return c->kind == CONN_UNKNOWN_FD ? NULL : c;

	struct conn_state fresh = {};
	struct sock *sk = inet_stream_sock(fd);
	if (sk) {
		fresh.kind = CONN_PLAIN;
		fresh.conn_id = new_conn_id();
		fill_tuple(&fresh, sk);
	}
	bpf_map_update_elem(&conns, &key, &fresh, BPF_NOEXIST);
	c = bpf_map_lookup_elem(&conns, &key);
	if (!c || c->kind == CONN_UNKNOWN_FD)
		return NULL;
	return c;
}

/* ---- chunked copy into the ring buffer -------------------------------- */

struct emit_ctx {
	struct capture_data_event hdr;
	__u64 src;
	__u64 len; /* bytes to copy from src */
};

static __always_inline void emit_class(const struct emit_ctx *ctx, __u64 done, __u32 n, const __u32 cap)
{
	struct capture_data_event *e = bpf_ringbuf_reserve(&events, sizeof(*e) + cap, 0);
	if (!e) {
		count(CAPTURE_COUNTER_RINGBUF_FULL);
		return;
	}
	__builtin_memcpy(e, &ctx->hdr, sizeof(*e));
	e->stream_offset = ctx->hdr.stream_offset + done;
	/* 1 <= n <= cap in a form the verifier can follow (cap is a power of two). */
	n = ((n - 1) & (cap - 1)) + 1;
	if (bpf_probe_read_user((void *)(e + 1), n, (const void *)(ctx->src + done)) != 0) {
		count(CAPTURE_COUNTER_COPY_FAILED);
		bpf_ringbuf_discard(e, 0);
		return;
	}
	e->chunk_size = n;
	bpf_ringbuf_submit(e, 0);
}

/* bpf_loop callback. The context is never written here, so the verifier sees
 * identical states on every iteration and checks the body once. */
static long emit_chunk(__u32 index, void *data)
{
	const struct emit_ctx *ctx = data;
	__u64 done = (__u64)index * CAPTURE_CHUNK_LARGE;
	if (done >= ctx->len)
		return 1;
	__u64 left = ctx->len - done;
	__u32 n = left > CAPTURE_CHUNK_LARGE ? CAPTURE_CHUNK_LARGE : (__u32)left;
	if (n <= CAPTURE_CHUNK_SMALL)
		emit_class(ctx, done, n, CAPTURE_CHUNK_SMALL);
	else if (n <= CAPTURE_CHUNK_MEDIUM)
		emit_class(ctx, done, n, CAPTURE_CHUNK_MEDIUM);
	else
		emit_class(ctx, done, n, CAPTURE_CHUNK_LARGE);
	return 0;
}

/* Copies len bytes at src, whose first byte is at stream offset ctx->hdr.stream_offset. */
static __always_inline void emit_buffer(struct emit_ctx *ctx, __u64 src, __u64 len)
{
	ctx->src = src;
	ctx->len = len;
	bpf_loop((len + CAPTURE_CHUNK_LARGE - 1) / CAPTURE_CHUNK_LARGE, emit_chunk, ctx, 0);
}

static __always_inline void init_header(struct capture_data_event *h, struct conn_state *c, __u8 source,
					__u8 direction, int fd, __u64 call_size)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	h->kind = CAPTURE_EVENT_DATA;
	h->source = source;
	h->direction = direction;
	h->flags = 0;
	h->family = c->family;
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->fd = fd;
	h->call_size = call_size > 0xffffffffull ? 0xffffffffu : (__u32)call_size;
	h->chunk_size = 0;
	h->lport = c->lport;
	h->rport = c->rport;
	h->ts_ns = bpf_ktime_get_ns();
	h->conn_id = c->conn_id;
	__builtin_memcpy(h->laddr, c->laddr, 16);
	__builtin_memcpy(h->raddr, c->raddr, 16);
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/* ---- syscall path (plaintext) ----------------------------------------- */

static __always_inline void io_enter(int fd, __u64 ptr, __u64 count_or_len, __u8 kind, __u8 direction)
{
	/* The caller checked that the process is traced. */
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;

	/* Inside an SSL call this syscall moves ciphertext: it tells us which fd the
	 * SSL object uses. */
	struct ssl_args *ssl = bpf_map_lookup_elem(&active_ssl, &pid_tgid);
	if (ssl) {
		struct ssl_key sk = { .tgid = tgid, .ssl = ssl->ssl };
		__s32 v = fd;
		bpf_map_update_elem(&ssl_fds, &sk, &v, BPF_ANY);
	}

	struct io_args args = {
		.ptr = ptr,
		.count = count_or_len,
		.fd = fd,
		.kind = kind,
		.direction = direction,
	};
	bpf_map_update_elem(&active_io, &pid_tgid, &args, BPF_ANY);
}

static __always_inline bool looks_like_tls(__u64 src, __u64 len)
{
	__u8 head[3] = {};
	if (len < 3 || bpf_probe_read_user(head, sizeof(head), (const void *)src) != 0)
		return false;
	/* TLS record: handshake (22) or application data (23), version 3.x */
	return (head[0] == 22 || head[0] == 23) && head[1] == 3 && head[2] <= 4;
}

struct iovec_user {
	__u64 base;
	__u64 len;
};

struct iov_batch {
	struct iovec_user iov[CAPTURE_MAX_IOV];
	__u64 prefix[CAPTURE_MAX_IOV]; /* bytes in the iovecs before each one */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iov_batch);
} iov_batches SEC(".maps");

static __always_inline void io_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct io_args *a = bpf_map_lookup_elem(&active_io, &pid_tgid);
	if (!a)
		return;
	struct io_args args = *a;
	bpf_map_delete_elem(&active_io, &pid_tgid);
	if (ret <= 0)
		return;

	__u32 tgid = pid_tgid >> 32;
	struct conn_state *c = socket_conn(tgid, args.fd);
	if (!c)
		return;
	if (bpf_map_lookup_elem(&active_ssl, &pid_tgid))
		c->kind = CONN_TLS;
	if (c->kind == CONN_TLS)
		return;

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
	__builtin_memset(batch, 0, sizeof(*batch));
	__u64 n_iov = args.count < CAPTURE_MAX_IOV ? args.count : CAPTURE_MAX_IOV;
	if (bpf_probe_read_user(batch->iov, sizeof(batch->iov), (const void *)args.ptr) != 0
	    && bpf_probe_read_user(batch->iov, sizeof(batch->iov[0]), (const void *)args.ptr) != 0)
		return;
	for (int i = 1; i < CAPTURE_MAX_IOV; i++)
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

static __always_inline void msg_enter(int fd, __u64 msg_ptr, __u8 direction)
{
	struct user_msghdr msg = {};
	if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)msg_ptr) != 0)
		return;
	io_enter(fd, (__u64)msg.msg_iov, msg.msg_iovlen, IO_IOV, direction);
}

static __always_inline void on_close(__u32 tgid, int fd)
{
	struct conn_key key = { .tgid = tgid, .handle = (__u64)(__s64)fd };
	struct conn_state *c = bpf_map_lookup_elem(&conns, &key);
	if (!c)
		return;
	if (c->kind != CONN_UNKNOWN_FD) {
		struct capture_close_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e) {
			__builtin_memset(e, 0, sizeof(*e));
			e->kind = CAPTURE_EVENT_CLOSE;
			e->pid = tgid;
			e->fd = fd;
			e->ts_ns = bpf_ktime_get_ns();
			e->conn_id = c->conn_id;
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
	default:
		return 0;
	}
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!is_traced(tgid))
		return 0;
	int fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
	__u64 a1 = PT_REGS_PARM2_CORE_SYSCALL(regs);
	__u64 a2 = PT_REGS_PARM3_CORE_SYSCALL(regs);
	switch (id) {
	case NR_WRITE: case NR_SENDTO:
		io_enter(fd, a1, a2, IO_BUF, CAPTURE_EGRESS);
		break;
	case NR_READ: case NR_RECVFROM:
		io_enter(fd, a1, a2, IO_BUF, CAPTURE_INGRESS);
		break;
	case NR_WRITEV:
		io_enter(fd, a1, a2, IO_IOV, CAPTURE_EGRESS);
		break;
	case NR_READV:
		io_enter(fd, a1, a2, IO_IOV, CAPTURE_INGRESS);
		break;
	case NR_SENDMSG:
		msg_enter(fd, a1, CAPTURE_EGRESS);
		break;
	case NR_RECVMSG:
		msg_enter(fd, a1, CAPTURE_INGRESS);
		break;
	case NR_SENDFILE:
		io_enter(fd, 0, 0, IO_SENDFILE, CAPTURE_EGRESS);
		break;
	case NR_CLOSE:
		on_close(tgid, fd);
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
		io_exit(ret);
		break;
	}
	return 0;
}

/* ---- OpenSSL uprobes (TLS plaintext) ---------------------------------- */

static __always_inline void ssl_enter(void *ssl, const void *buf, __u64 out_len_ptr, __u8 direction)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!is_traced(pid_tgid >> 32))
		return;
	struct ssl_args *cur = bpf_map_lookup_elem(&active_ssl, &pid_tgid);
	if (cur) {
		cur->depth++;
		return;
	}
	struct ssl_args args = {
		.ssl = (__u64)ssl,
		.buf = (__u64)buf,
		.out_len_ptr = out_len_ptr,
		.direction = direction,
	};
	bpf_map_update_elem(&active_ssl, &pid_tgid, &args, BPF_ANY);
}

static __always_inline void ssl_exit(long ret, bool ex)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ssl_args *a = bpf_map_lookup_elem(&active_ssl, &pid_tgid);
	if (!a)
		return;
	if (a->depth > 0) {
		a->depth--;
		return;
	}
	struct ssl_args args = *a;
	bpf_map_delete_elem(&active_ssl, &pid_tgid);

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
	__u8 dir = args.direction & 1;
	init_header(&ctx->hdr, c, CAPTURE_SOURCE_OPENSSL, dir, fd, n);
	ctx->hdr.stream_offset = c->tls_offset[dir];
	c->tls_offset[dir] += n;
	__u64 budget = n < max_call_bytes ? n : max_call_bytes;
	if (budget < n)
		ctx->hdr.flags |= CAPTURE_DATA_CALL_TRUNCATED;
	emit_buffer(ctx, args.buf, budget);
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_entry, void *ssl, const void *buf, int num)
{
	ssl_enter(ssl, buf, 0, CAPTURE_EGRESS);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_return, int ret)
{
	ssl_exit(ret, false);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_entry, void *ssl, void *buf, int num)
{
	ssl_enter(ssl, buf, 0, CAPTURE_INGRESS);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_read_return, int ret)
{
	ssl_exit(ret, false);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_write_ex_entry, void *ssl, const void *buf, __u64 num, __u64 *written)
{
	ssl_enter(ssl, buf, (__u64)written, CAPTURE_EGRESS);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_write_ex_return, int ret)
{
	ssl_exit(ret, true);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ssl_read_ex_entry, void *ssl, void *buf, __u64 num, __u64 *readbytes)
{
	ssl_enter(ssl, buf, (__u64)readbytes, CAPTURE_INGRESS);
	return 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(ssl_read_ex_return, int ret)
{
	ssl_exit(ret, true);
	return 0;
}

/* ---- process tree ------------------------------------------------------ */

static __always_inline struct capture_process_event *process_event(__u8 kind, __u32 pid)
{
	struct capture_process_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(CAPTURE_COUNTER_RINGBUF_FULL);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = CAPTURE_EVENT_PROCESS;
	e->process_kind = kind;
	e->pid = pid;
	e->ts_ns = bpf_ktime_get_ns();
	return e;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 parent_tgid = BPF_CORE_READ(parent, tgid);
	__u32 child_tgid = BPF_CORE_READ(child, tgid);
	if (child_tgid == parent_tgid) /* a new thread, not a new process */
		return 0;
	if (!follow_forks || !is_traced(parent_tgid))
		return 0;
	__u8 one = 1;
	bpf_map_update_elem(&traced, &child_tgid, &one, BPF_ANY);
	struct capture_process_event *e = process_event(CAPTURE_PROC_FORK, child_tgid);
	if (!e)
		return 0;
	e->parent_pid = parent_tgid;
	BPF_CORE_READ_STR_INTO(&e->comm, child, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int on_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (!is_traced(tgid))
		return 0;
	struct capture_process_event *e = process_event(CAPTURE_PROC_EXEC, tgid);
	if (!e)
		return 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	unsigned int loc = ctx->__data_loc_filename & 0xFFFF;
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + loc);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int on_exit(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	bpf_map_delete_elem(&active_io, &pid_tgid);
	bpf_map_delete_elem(&active_ssl, &pid_tgid);
	if ((__u32)pid_tgid != tgid || !is_traced(tgid))
		return 0;
	bpf_map_delete_elem(&traced, &tgid);
	struct capture_process_event *e = process_event(CAPTURE_PROC_EXIT, tgid);
	if (!e)
		return 0;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	e->exit_code = BPF_CORE_READ(task, exit_code);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
