/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Types shared by gotls.bpf.h (kernel side) and helper/golang (user side):
 * what the Go crypto/tls probes need to know about each probed Go binary.
 */
#ifndef HTTPTAP_BPF_GOTLS_H
#define HTTPTAP_BPF_GOTLS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* The attach cookie of every Go probe: the probed instruction's link-time
 * address in the low 48 bits (so the program can tell the load bias of a
 * position-independent binary from the address it was hit at) and the
 * binary's key in go_binaries in the high 16. */
#define GO_COOKIE_VADDR_BITS 48
#define GO_COOKIE(binary, vaddr) (((__u64)(binary) << GO_COOKIE_VADDR_BITS) | (__u64)(vaddr))

/* How to get from a *tls.Conn to the socket's file descriptor in one Go
 * binary: tls.Conn.conn (a net.Conn interface: itab, data) -> *net.TCPConn ->
 * its *netFD -> pfd.Sysfd. The offsets have been the same from Go 1.12 to
 * 1.23; the helper still passes them per binary so a layout change is one
 * place to fix. */
struct go_tls_binary {
	__u64 tcpconn_close; /* link-time address of net.(*TCPConn).Close, 0 if not found */
	__u32 conn_offset; /* offsetof(tls.Conn, conn) */
	__u32 itab_fun_offset; /* offsetof(itab, fun): fun[0] is the net.Conn method Close */
	__u32 netfd_offset; /* offsetof(net.TCPConn, conn.fd) */
	__u32 sysfd_offset; /* offsetof(net.netFD, pfd.Sysfd) */
	__u32 flags; /* GO_BINARY_* */
	__u32 pad;
};

/* Write's entry probe is on the prologue's `jbe morestack`: it copies the
 * buffer there, and Write needs no RET probes. */
#define GO_BINARY_WRITE_AT_ENTRY 0x1

#endif
