/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Maps and helpers every probe shares: the ring buffer and drop counters, the
 * traced-process set, connections by (process, fd), and the chunked copy of
 * user buffers into the ring buffer with stream offsets.
 * Part of capture.bpf.c (one BPF object, one skeleton); include only from there.
 */
#ifndef HTTPTAP_BPF_COMMON_BPF_H
#define HTTPTAP_BPF_COMMON_BPF_H

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* Set by the helper before load. */
const volatile bool follow_forks = true;
/* Stop a traced process that execs a binary not yet classified (see on_exec). */
const volatile bool stop_unknown_exec = true;
/* Bytes copied per call at most; the rest is reported as not copied. */
const volatile __u64 max_call_bytes = 64ull << 20;
/* Benchmarks only (httptap-helper --count-only): every probe stays attached at
 * the same points, but a hit in a traced process is only counted, so the
 * difference to a real capture is what copying and bookkeeping cost. */
const volatile bool count_only = false;
/* Time connection set-up (TCP connect, TLS handshake); off with --no-timing. */
const volatile bool timing = true;
/* A user stack per message sent (issue 12's initiator); off with --no-stacks. */
const volatile bool stacks = true;

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

/* struct conn_key, enum conn_kind, struct conn_state: capture.h (the helper reads them too). */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct conn_key);
	__type(value, struct conn_state);
} conns SEC(".maps");

/* A TLS library call in flight. */
struct ssl_args {
	__u64 ssl;
	__u64 buf;
	__u64 out_len_ptr; /* size_t* of the _ex variants, else 0 */
	__u8 direction;
	__u8 source; /* CAPTURE_SOURCE_OPENSSL, CAPTURE_SOURCE_GNUTLS */
	__u8 pad[6];
};

#define SSL_STACK_DEPTH 4

/* The TLS calls in flight on one thread, innermost last. They nest: node
 * writes pending data with SSL_write from a callback inside SSL_read. */
struct ssl_stack {
	struct ssl_args frames[SSL_STACK_DEPTH];
	__u32 depth;
	__u32 overflow; /* calls deeper than SSL_STACK_DEPTH, ignored */
};

/* Task-local storage rather than a hash keyed by thread id: a probe hit finds its
 * thread's slot through the task (no lock, no hashing), and the slot lives as
 * long as the thread, so a call no longer inserts and deletes an entry (issue 10:
 * the hash update and delete were most of a count-only hit's cost). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ssl_stack);
} active_ssl SEC(".maps");

/* This thread's TLS call stack; with create, made (zeroed) on its first call. */
static __always_inline struct ssl_stack *thread_ssl_stack(bool create)
{
	return bpf_task_storage_get(&active_ssl, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* A stack index the verifier can bound: the barrier keeps the compiler from
 * dropping the mask it believes redundant after the range checks. */
static __always_inline __u32 ssl_slot(__u32 index)
{
	asm volatile("" : "+r"(index));
	return index & (SSL_STACK_DEPTH - 1);
}

/* The innermost TLS call of this thread, or NULL. */
static __always_inline struct ssl_args *current_ssl_call(void)
{
	struct ssl_stack *st = thread_ssl_stack(false);
	if (!st || st->depth == 0 || st->depth > SSL_STACK_DEPTH)
		return NULL;
	return &st->frames[ssl_slot(st->depth - 1)];
}

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
	if (!bpf_map_lookup_elem(&traced, &tgid))
		return false;
	if (count_only) {
		count(CAPTURE_COUNTER_PROBE_HITS);
		return false;
	}
	return true;
}

/* ---- socket identification ------------------------------------------- */

/* Inodes of the sockets traced processes already had when capture began: their
 * first captured bytes are not the start of their streams. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} preexisting_sockets SEC(".maps");

#define SOCK_DGRAM 2

/* The inet (IPv4/IPv6) socket behind fd, of any type, or NULL. */
static __always_inline struct sock *inet_sock(int fd, __u64 *inode)
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
	*inode = BPF_CORE_READ(file, f_inode, i_ino);
	struct socket *sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return NULL;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	return sk;
}

static __always_inline struct sock *inet_stream_sock(int fd, __u64 *inode)
{
	struct sock *sk = inet_sock(fd, inode);
	if (!sk || BPF_CORE_READ(sk, sk_type) != SOCK_STREAM)
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

/* What a process's fd is, classified once on first sight: an inet stream
 * socket (CONN_PLAIN, later CONN_TLS), an inet datagram socket (CONN_UDP, only
 * when timing: DNS), or anything else (CONN_UNKNOWN_FD). NULL if the map is full. */
static __always_inline struct conn_state *fd_state(__u32 tgid, int fd)
{
	struct conn_key key = { .tgid = tgid, .handle = (__u64)(__s64)fd };
	struct conn_state *c = bpf_map_lookup_elem(&conns, &key);
	if (c)
		return c;

	struct conn_state fresh = {};
	__u64 inode = 0;
	struct sock *sk = inet_sock(fd, &inode);
	if (sk) {
		__u16 type = BPF_CORE_READ(sk, sk_type);
		if (type == SOCK_STREAM) {
			fresh.kind = CONN_PLAIN;
			fresh.conn_id = new_conn_id();
			fresh.joined_late = bpf_map_lookup_elem(&preexisting_sockets, &inode) != NULL;
			fill_tuple(&fresh, sk);
		} else if (type == SOCK_DGRAM && timing) {
			/* The peer is read per datagram: it may connect (or not) later. */
			fresh.kind = CONN_UDP;
		}
	}
	bpf_map_update_elem(&conns, &key, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&conns, &key);
}

/* The connection behind a socket fd, created on first sight. NULL if the fd is
 * not an inet stream socket. */
static __always_inline struct conn_state *socket_conn(__u32 tgid, int fd)
{
	struct conn_state *c = fd_state(tgid, fd);
	if (!c || c->kind == CONN_UNKNOWN_FD || c->kind == CONN_UDP)
		return NULL;
	return c;
}

/* ---- TLS object -> socket --------------------------------------------- */

/* Per thread, for TLS libraries that never touch the socket inside their
 * read/write (node feeds OpenSSL through memory BIOs): the TLS object that
 * wrote plaintext with no socket known yet, and the last socket that
 * delivered ciphertext. The neighbouring ciphertext syscall names the socket. */
struct thread_tls_hint {
	__u64 unmapped_ssl;
	__s32 last_cipher_read_fd; /* fd + 1; 0 for none */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct thread_tls_hint);
} thread_hints SEC(".maps");

static __always_inline void bind_ssl_fd(__u32 tgid, __u64 ssl, int fd)
{
	struct ssl_key sk = { .tgid = tgid, .ssl = ssl };
	/* Every syscall inside an SSL call lands here: once bound, a lookup is all it costs.
	 * (The connection keyed by the TLS object below exists only until the first bind.) */
	__s32 *bound = bpf_map_lookup_elem(&ssl_fds, &sk);
	if (bound && *bound == fd)
		return;
	__s32 v = fd;
	bpf_map_update_elem(&ssl_fds, &sk, &v, BPF_ANY);
	/* Plaintext seen before the socket was known went to a connection keyed by
	 * the TLS object: the socket's connection takes over its id and offsets,
	 * so the reader sees one connection that gains its addresses. */
	struct conn_key pkey = { .tgid = tgid, .handle = ssl | (1ull << 63) };
	struct conn_state *p = bpf_map_lookup_elem(&conns, &pkey);
	if (!p)
		return;
	__u64 id = p->conn_id, off0 = p->tls_offset[0], off1 = p->tls_offset[1];
	bpf_map_delete_elem(&conns, &pkey);
	struct conn_state *c = socket_conn(tgid, fd);
	if (!c)
		return;
	c->conn_id = id;
	c->tls_offset[0] = off0;
	c->tls_offset[1] = off1;
	c->kind = CONN_TLS;
	c->has_data = 1;
	c->plaintext_seen = 1;
}

struct iovec_user {
	__u64 base;
	__u64 len;
};

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

static __always_inline void emit_phase(__u32 pid, __u64 conn_id, __u8 phase, __u64 start_ns, __u64 end_ns)
{
	struct capture_phase_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(CAPTURE_COUNTER_RINGBUF_FULL);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->kind = CAPTURE_EVENT_PHASE;
	e->phase = phase;
	e->pid = pid;
	e->conn_id = conn_id;
	e->start_ns = start_ns;
	e->end_ns = end_ns;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline void init_header(struct capture_data_event *h, struct conn_state *c, __u8 source,
					__u8 direction, int fd, __u64 call_size)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	h->kind = CAPTURE_EVENT_DATA;
	h->source = source;
	h->direction = direction;
	h->flags = c->joined_late ? CAPTURE_DATA_JOINED_LATE : 0;
	if (source != CAPTURE_SOURCE_SYSCALL) {
		/* The first plaintext ends the handshake. */
		if (timing && !c->plaintext_seen && c->tls_first_ns)
			emit_phase(pid_tgid >> 32, c->conn_id, CAPTURE_PHASE_TLS, c->tls_first_ns, c->tls_last_ns);
		c->plaintext_seen = 1;
	}
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

/* ---- initiator stacks ------------------------------------------------- */

/* True when the bytes before ret look like a call instruction's end: ret is
 * a return address (call rel32, call [rip+disp32], call reg with or without
 * REX.B). Reads the traced process's code; a fault means no. */
static __always_inline bool follows_call(__u64 ret)
{
	__u8 code[6] = {};
	if (ret < sizeof(code) || bpf_probe_read_user(code, sizeof(code), (const void *)(ret - sizeof(code))) != 0)
		return false;
	if (code[1] == 0xe8) /* e8 rel32 */
		return true;
	if (code[0] == 0xff && code[1] == 0x15) /* ff 15 disp32 */
		return true;
	return code[4] == 0xff && (code[5] & 0xf8) == 0xd0; /* [41] ff d0+r */
}

/* Called for every chunk of data a probe reports, before it is copied: the
 * first egress after ingress (or the connection's first) starts a message, and
 * its sender's user stack is emitted once for it, ahead of its Data records.
 * prog_ctx is the BPF program's context; user_sp, when not 0, the user stack
 * pointer at a syscall (whose word there may be the direct caller of a libc
 * wrapper, outside the frame-pointer chain). */
static __always_inline void note_message_start(void *prog_ctx, struct conn_state *c,
					       const struct capture_data_event *h, __u64 user_sp)
{
	if (h->direction != CAPTURE_EGRESS) {
		c->sending = 0;
		return;
	}
	if (c->sending)
		return;
	c->sending = 1;
	if (!stacks)
		return;
	struct capture_stack_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(CAPTURE_COUNTER_RINGBUF_FULL);
		return;
	}
	long n = bpf_get_stack(prog_ctx, e->frames, sizeof(e->frames), BPF_F_USER_STACK);
	if (n <= 0) {
		bpf_ringbuf_discard(e, 0);
		return;
	}
	e->kind = CAPTURE_EVENT_STACK;
	e->source = h->source;
	e->flags = 0;
	e->pad0 = 0;
	e->pid = h->pid;
	e->tid = h->tid;
	e->frame_count = n / sizeof(e->frames[0]);
	e->ts_ns = h->ts_ns;
	e->conn_id = h->conn_id;
	e->stream_offset = h->stream_offset;
	e->caller = 0;
	__builtin_memcpy(e->comm, h->comm, sizeof(e->comm));
	if (user_sp) {
		e->flags |= CAPTURE_STACK_AT_SYSCALL;
		__u64 word = 0;
		if (bpf_probe_read_user(&word, sizeof(word), (const void *)user_sp) == 0 && follows_call(word))
			e->caller = word;
	}
	bpf_ringbuf_submit(e, 0);
}

#endif
