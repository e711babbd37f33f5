/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Types shared by capture.bpf.c (kernel side) and the helper (user side).
 * Plain C, fixed-width fields, explicit padding: the helper static_asserts the
 * sizes and memcpy()s each event out of the ring buffer.
 */
#ifndef HTTPTAP_BPF_CAPTURE_H
#define HTTPTAP_BPF_CAPTURE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define CAPTURE_COMM_LEN 16
/* Payload size classes: a data event reserves the smallest that fits. */
#define CAPTURE_CHUNK_SMALL 512
#define CAPTURE_CHUNK_MEDIUM 4096
#define CAPTURE_CHUNK_LARGE 16384
/* iovec entries followed per readv/writev/sendmsg/recvmsg call. */
#define CAPTURE_MAX_IOV 64 /* a power of two; gRPC writes 24 at once */
#define CAPTURE_MAX_TRACED 8192

/* A file by identity, with the kernel's dev_t encoding (major << 20 | minor). */
struct capture_file_key {
	__u64 dev;
	__u64 ino;
};

enum capture_event_kind {
	CAPTURE_EVENT_DATA = 1,
	CAPTURE_EVENT_CLOSE = 2,
	CAPTURE_EVENT_PROCESS = 3,
	CAPTURE_EVENT_PHASE = 4,
	CAPTURE_EVENT_DNS = 5, /* reserved (issue 12): a UDP/53 datagram */
	CAPTURE_EVENT_STACK = 6, /* reserved (issue 12): a user stack at the start of a message */
};

/* Same values as httptap::record::Source. */
enum capture_source {
	CAPTURE_SOURCE_SYSCALL = 0,
	CAPTURE_SOURCE_OPENSSL = 1,
	CAPTURE_SOURCE_GNUTLS = 2,
	CAPTURE_SOURCE_GO = 3,
};

/* Same values as httptap::record::Direction. */
enum capture_direction {
	CAPTURE_EGRESS = 0,
	CAPTURE_INGRESS = 1,
};

/* Same values as httptap::record::ProcessEventKind. */
enum capture_process_kind {
	CAPTURE_PROC_FORK = 1,
	CAPTURE_PROC_EXEC = 2,
	CAPTURE_PROC_EXIT = 3,
	CAPTURE_PROC_MAP = 4, /* helper-internal: a file the helper has not seen mapped executable */
};

/* Indexes into the per-CPU counter array. */
enum capture_counter {
	CAPTURE_COUNTER_RINGBUF_FULL = 0, /* records dropped: ring buffer full */
	CAPTURE_COUNTER_COPY_FAILED = 1, /* chunks whose user memory could not be read */
	CAPTURE_COUNTER_PROBE_HITS = 2, /* hits in traced processes under count_only (benchmarks) */
	CAPTURE_COUNTER_MAX = 3,
};

#define CAPTURE_DATA_CALL_TRUNCATED 0x01 /* bytes after this chunk in the call were not copied */
#define CAPTURE_DATA_JOINED_LATE 0x02 /* the connection carried bytes before capture began */

struct capture_data_event {
	__u8 kind; /* CAPTURE_EVENT_DATA */
	__u8 source;
	__u8 direction;
	__u8 flags;
	__u8 family; /* AF_INET, AF_INET6 or 0 */
	__u8 pad0[3];
	__u32 pid;
	__u32 tid;
	__s32 fd;
	__u32 call_size; /* bytes the whole call transferred */
	__u32 chunk_size; /* bytes in payload */
	__u16 lport;
	__u16 rport; /* host byte order */
	__u64 ts_ns;
	__u64 conn_id;
	__u64 stream_offset; /* offset of payload[0] in the direction's stream */
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[CAPTURE_COMM_LEN];
	/* chunk_size payload bytes follow */
};

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
	CONN_UDP = 3, /* an inet datagram socket: only DNS (port 53) is reported, as capture_dns_event */
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
	__u8 joined_late; /* the socket predates the capture */
	__u8 laddr[16];
	__u8 raddr[16];
	__u8 plaintext_seen; /* a TLS probe delivered this connection's plaintext */
	/* The handshake's first ciphertext moved inside a TLS read/write call (the
	 * library did it implicitly): ciphertext inside calls counts as handshake. */
	__u8 tls_in_call;
	/* Egress since the last ingress: the message being sent already has its
	 * stack (one stack per message, taken at its first write). */
	__u8 sending;
	__u8 pad[5];
	/* Ciphertext crossing the socket before the first plaintext: the handshake
	 * (timing only). */
	__u64 tls_first_ns;
	__u64 tls_last_ns;
};

#define CAPTURE_CLOSE_ENCRYPTED_UNREAD 0x01 /* TLS ciphertext crossed it; no probed library showed plaintext */
#define CAPTURE_CLOSE_CAPTURE_ENDED 0x02 /* still open when the capture ended (written by the helper) */

struct capture_close_event {
	__u8 kind; /* CAPTURE_EVENT_CLOSE */
	__u8 flags;
	__u8 family;
	__u8 pad0;
	__u32 pid;
	__s32 fd;
	__u16 lport;
	__u16 rport;
	__u64 ts_ns;
	__u64 conn_id;
	__u8 laddr[16];
	__u8 raddr[16];
};

/* Same values as httptap::record::ConnPhaseKind. */
enum capture_phase {
	CAPTURE_PHASE_CONNECT = 1, /* connect() entered -> TCP established */
	CAPTURE_PHASE_TLS = 2, /* first TLS record on the socket -> last one before the first plaintext */
};

struct capture_phase_event {
	__u8 kind; /* CAPTURE_EVENT_PHASE */
	__u8 phase;
	__u8 pad0[2];
	__u32 pid;
	__u64 conn_id;
	__u64 start_ns;
	__u64 end_ns;
};

/* DNS messages: the first CAPTURE_DNS_MAX bytes of each datagram. */
#define CAPTURE_DNS_MAX 512
#define CAPTURE_DNS_PORT 53

/* A datagram a traced process sent to or received from UDP port 53. */
struct capture_dns_event {
	__u8 kind; /* CAPTURE_EVENT_DNS */
	__u8 direction;
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 pad0;
	__u32 pid;
	__u32 tid;
	__u32 msg_size; /* the datagram's real length */
	__u16 lport;
	__u16 rport; /* host byte order */
	__u16 payload_size; /* bytes in payload: min(msg_size, CAPTURE_DNS_MAX) */
	__u16 pad1;
	__u64 ts_ns;
	__u8 laddr[16];
	__u8 raddr[16];
	__u8 payload[CAPTURE_DNS_MAX];
};

#define CAPTURE_EXEC_STOPPED 0x01 /* the process was stopped (exec, map); the helper continues it */

struct capture_process_event {
	__u8 kind; /* CAPTURE_EVENT_PROCESS */
	__u8 process_kind;
	__u8 flags;
	__u8 pad0;
	__u32 pid;
	__u32 parent_pid;
	__s32 exit_code;
	__u64 ts_ns;
	char comm[CAPTURE_COMM_LEN];
	char filename[256]; /* exec only, NUL-terminated */
};

/* Frames of a user stack at most (bpf_get_stack's buffer; the kernel's
 * perf_event_max_stack, 127 by default, caps it too). */
#define CAPTURE_STACK_MAX 64

/* The user stack was taken at a syscall's exit: frames[0] is the instruction
 * after the syscall, and caller (when set) the return address found at the
 * user stack pointer, checked to follow a call instruction. */
#define CAPTURE_STACK_AT_SYSCALL 0x01

/* The user stack of a thread when it started sending a message on a
 * connection (its first write, or the first after the connection's last
 * ingress), from the frame-pointer walk of bpf_get_stack(BPF_F_USER_STACK). */
struct capture_stack_event {
	__u8 kind; /* CAPTURE_EVENT_STACK */
	__u8 source; /* the Data records' source: the message's stream */
	__u8 flags;
	__u8 pad0;
	__u32 pid;
	__u32 tid;
	__u32 frame_count; /* valid entries in frames, innermost first */
	__u64 ts_ns;
	__u64 conn_id;
	__u64 stream_offset; /* egress offset of the message's first byte */
	__u64 caller; /* see CAPTURE_STACK_AT_SYSCALL; 0 if none */
	char comm[CAPTURE_COMM_LEN];
	__u64 frames[CAPTURE_STACK_MAX];
};

#endif
