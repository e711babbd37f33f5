/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS over UDP port 53 on the syscall path, for the DNS phase of connection
 * timing: each datagram a traced process sends to or receives from port 53 on
 * an inet datagram socket (connected, as glibc's and Go's resolvers do, or
 * named per call with sendto/sendmsg), first CAPTURE_DNS_MAX bytes.
 * Only reached for fds classified CONN_UDP, which happens only with timing on.
 * Part of capture.bpf.c (one BPF object, one skeleton); include only from there.
 */
#ifndef HTTPTAP_BPF_DNS_BPF_H
#define HTTPTAP_BPF_DNS_BPF_H

/* sendmmsg/recvmmsg: datagrams followed per call (glibc sends A and AAAA together). */
#define DNS_MAX_MMSG 4

/* One datagram of a call. */
struct dns_datagram {
	__u64 src; /* its bytes in the process */
	__u64 copy_len; /* bytes readable at src */
	__u64 msg_size; /* the datagram's real length */
	__u64 name; /* the call's sockaddr (sendto, sendmsg, recvfrom, recvmsg), or 0 */
	__u64 ts_ns; /* when the call began (a send), or 0: now */
	__u8 direction;
	__u8 pad[7];
};

struct dns_peer {
	__u8 family;
	__u8 pad;
	__u16 port; /* host byte order */
	__u8 addr[16];
};

/* The peer named by a user sockaddr; false if there is none or it is not inet. */
static __always_inline bool sockaddr_peer(__u64 name, struct dns_peer *p)
{
	__u16 head[2] = {}; /* family, port (network order) */
	if (!name || bpf_probe_read_user(head, sizeof(head), (const void *)name) != 0)
		return false;
	if (head[0] == AF_INET) {
		if (bpf_probe_read_user(p->addr, 4, (const void *)(name + 4)) != 0)
			return false;
	} else if (head[0] == AF_INET6) {
		if (bpf_probe_read_user(p->addr, 16, (const void *)(name + 8)) != 0)
			return false;
	} else {
		return false;
	}
	p->family = head[0];
	p->port = bpf_ntohs(head[1]);
	return true;
}

/* Reports one datagram if its peer is port 53. A subprogram: called from a loop for sendmmsg. */
static __noinline void emit_dns(struct sock *sk, const struct dns_datagram *d)
{
	struct dns_peer peer = {};
	peer.port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (peer.port == 0) {
		/* Not connected: the call names the peer. */
		if (!sockaddr_peer(d->name, &peer) || peer.port != CAPTURE_DNS_PORT)
			return;
	} else if (peer.port != CAPTURE_DNS_PORT) {
		return;
	} else {
		peer.family = BPF_CORE_READ(sk, __sk_common.skc_family);
		if (peer.family == AF_INET)
			bpf_core_read(peer.addr, 4, &sk->__sk_common.skc_daddr);
		else
			bpf_core_read(peer.addr, 16, &sk->__sk_common.skc_v6_daddr);
	}

	struct capture_dns_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(CAPTURE_COUNTER_RINGBUF_FULL);
		return;
	}
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	e->kind = CAPTURE_EVENT_DNS;
	e->direction = d->direction;
	e->family = peer.family;
	e->pad0 = 0;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->msg_size = d->msg_size > 0xffffffffull ? 0xffffffffu : (__u32)d->msg_size;
	e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->rport = peer.port;
	e->pad1 = 0;
	e->ts_ns = d->ts_ns ? d->ts_ns : bpf_ktime_get_ns();
	__builtin_memcpy(e->raddr, peer.addr, 16);
	__builtin_memset(e->laddr, 0, 16);
	if (peer.family == AF_INET)
		bpf_core_read(e->laddr, 4, &sk->__sk_common.skc_rcv_saddr);
	else
		bpf_core_read(e->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	__u64 n = d->copy_len < d->msg_size ? d->copy_len : d->msg_size;
	if (n > CAPTURE_DNS_MAX)
		n = CAPTURE_DNS_MAX;
	e->payload_size = 0;
	if (n > 0) {
		/* 1 <= n <= CAPTURE_DNS_MAX in a form the verifier can follow. */
		__u32 k = (((__u32)n - 1) & (CAPTURE_DNS_MAX - 1)) + 1;
		if (bpf_probe_read_user(e->payload, k, (const void *)d->src) == 0)
			e->payload_size = k;
		else
			count(CAPTURE_COUNTER_COPY_FAILED);
	}
	bpf_ringbuf_submit(e, 0);
}

struct mmsghdr_user {
	struct user_msghdr hdr;
	__u32 len; /* bytes sent or received, set by the kernel */
	__u32 pad;
};

/* A completed read/write/send/recv family call on a CONN_UDP fd. iov: ptr is an
 * iovec array (the datagram's first iovec is copied); mmsg: ptr is an mmsghdr
 * array and ret the number of datagrams. */
static __always_inline void dns_io(int fd, __u64 ptr, __u64 name, __u8 direction, bool iov, bool mmsg, long ret,
				   __u64 start_ns)
{
	__u64 inode = 0;
	struct sock *sk = inet_sock(fd, &inode);
	if (!sk)
		return;
	struct dns_datagram d = { .src = ptr, .copy_len = ret, .msg_size = ret, .name = name, .direction = direction,
				  .ts_ns = start_ns };
	if (mmsg) {
		for (int i = 0; i < DNS_MAX_MMSG; i++) {
			if (i >= ret)
				break;
			struct mmsghdr_user m = {};
			if (bpf_probe_read_user(&m, sizeof(m), (const void *)(ptr + i * sizeof(m))) != 0)
				return;
			struct iovec_user v = {};
			if (m.hdr.msg_iovlen > 0)
				bpf_probe_read_user(&v, sizeof(v), (const void *)m.hdr.msg_iov);
			d.src = v.base;
			d.copy_len = v.len;
			d.msg_size = m.len;
			d.name = (__u64)m.hdr.msg_name;
			emit_dns(sk, &d);
		}
		return;
	}
	if (iov) {
		struct iovec_user v = {};
		if (bpf_probe_read_user(&v, sizeof(v), (const void *)ptr) != 0)
			return;
		d.src = v.base;
		d.copy_len = v.len;
	}
	emit_dns(sk, &d);
}

#endif
