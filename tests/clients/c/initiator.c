/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A plain HTTP/1.1 client with a known call chain, for the initiator stack
 * tests (tests/capture/test_stacks.py): main -> fetch_user -> send_request ->
 * write(2), twice on one keep-alive connection. Built at test time with
 * frame pointers: cc -O0 -fno-omit-frame-pointer.
 *
 *   initiator PORT PATH1 PATH2
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *port_text; /* for the Host header */

/* noinline: each function keeps its own frame, whatever the compiler. */
__attribute__((noinline)) static int send_request(int fd, const char *path)
{
	char request[512];
	int n = snprintf(request, sizeof(request), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n\r\n", path, port_text);
	return write(fd, request, (size_t)n) == n ? 0 : -1;
}

/* Reads one response with a Content-Length body; returns its status or -1. */
__attribute__((noinline)) static int read_response(int fd)
{
	char buf[65536];
	size_t have = 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		char *end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		char *length = strcasestr(buf, "\r\nContent-Length:");
		size_t body = length ? strtoul(length + 17, NULL, 10) : 0;
		if (have >= (size_t)(end + 4 - buf) + body)
			return atoi(buf + 9);
	}
}

__attribute__((noinline)) int fetch_user(int fd, const char *path)
{
	if (send_request(fd, path) != 0)
		return -1;
	return read_response(fd);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: initiator PORT PATH1 PATH2\n");
		return 2;
	}
	port_text = argv[1];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		perror("connect");
		return 1;
	}
	for (int i = 2; i < 4; i++) {
		int status = fetch_user(fd, argv[i]);
		if (status != 200) {
			fprintf(stderr, "%s: status %d\n", argv[i], status);
			return 1;
		}
	}
	close(fd);
	/* Stay a moment: the helper places stack frames with /proc/PID/maps, read
	 * again when a stack lands in code mapped after the exec (libc, mapped by
	 * ld.so); a process already gone by then keeps those frames unplaced. */
	usleep(300 * 1000);
	return 0;
}
