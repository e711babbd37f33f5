// SPDX-License-Identifier: GPL-2.0-or-later
// A minimal HTTPS GET client on OpenSSL, for the capture tests. The tests link
// it statically and strip it: a TLS stack httptap cannot find, the case its
// coverage report must explain.
//
//   tlsget HOST PORT PATH [exit|hold]
//
// "exit" leaves without closing the socket (exit closes it, not close()),
// "hold" keeps the connection open until the process is killed.
#include <netdb.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: tlsget HOST PORT PATH [exit|hold]\n");
        return 2;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
    if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0)
        return 1;
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
        return 1;
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1)
        return 1;
    char request[512];
    int n = snprintf(request, sizeof(request), "GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n", argv[3],
        argv[1], argv[2]);
    if (SSL_write(ssl, request, n) != n)
        return 1;
    char buf[4096];
    while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    fflush(stdout);
    if (argc == 5 && strcmp(argv[4], "exit") == 0)
        _exit(0);
    if (argc == 5 && strcmp(argv[4], "hold") == 0)
        for (;;)
            pause();
    SSL_shutdown(ssl);
    close(fd);
    return 0;
}
