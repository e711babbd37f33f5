// SPDX-License-Identifier: GPL-2.0-or-later
// Two copies of OpenSSL in one process, the second loaded late, for the
// capture tests:
//
//   twossl HOST PORT PATH LIBSSL_COPY
//
// 1. GET PATH?copy=linked through the libssl the program is linked with;
// 2. dlmopen() LIBSSL_COPY — libssl copied to another file, so another inode
//    the capture has not seen — into a new link-map namespace (a real second
//    copy with its own state, as a plugin bundling its own OpenSSL has), and
//    GET PATH?copy=loaded through it at once: its very first calls must be
//    captured.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct ssl_api {
    const SSL_METHOD* (*client_method)(void);
    SSL_CTX* (*ctx_new)(const SSL_METHOD*);
    SSL* (*ssl_new)(SSL_CTX*);
    int (*set_fd)(SSL*, int);
    int (*connect)(SSL*);
    int (*write)(SSL*, const void*, int);
    int (*read)(SSL*, void*, int);
    int (*shutdown)(SSL*);
    void (*ssl_free)(SSL*);
    void (*ctx_free)(SSL_CTX*);
};

static int get(const struct ssl_api* api, const char* host, const char* port, const char* path, const char* copy)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
    if (getaddrinfo(host, port, &hints, &ai) != 0)
        return 1;
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
        return 1;
    freeaddrinfo(ai);
    SSL_CTX* ctx = api->ctx_new(api->client_method());
    SSL* ssl = api->ssl_new(ctx);
    api->set_fd(ssl, fd);
    if (api->connect(ssl) != 1)
        return 1;
    char request[512];
    int n = snprintf(request, sizeof(request), "GET %s?copy=%s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n",
        path, copy, host, port);
    if (api->write(ssl, request, n) != n)
        return 1;
    char buf[4096];
    while ((n = api->read(ssl, buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)n, stdout);
    api->shutdown(ssl);
    api->ssl_free(ssl);
    api->ctx_free(ctx);
    close(fd);
    return 0;
}

#define LOAD(field, symbol)                                                                                            \
    do {                                                                                                               \
        *(void**)&api.field = dlsym(handle, symbol);                                                                   \
        if (!api.field) {                                                                                              \
            fprintf(stderr, "twossl: %s not found in %s\n", symbol, argv[4]);                                          \
            return 2;                                                                                                  \
        }                                                                                                              \
    } while (0)

int main(int argc, char** argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: twossl HOST PORT PATH LIBSSL_COPY\n");
        return 2;
    }
    const struct ssl_api linked = { TLS_client_method, SSL_CTX_new, SSL_new, SSL_set_fd, SSL_connect, SSL_write,
        SSL_read, SSL_shutdown, SSL_free, SSL_CTX_free };
    if (get(&linked, argv[1], argv[2], argv[3], "linked") != 0)
        return 1;

    void* handle = dlmopen(LM_ID_NEWLM, argv[4], RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        fprintf(stderr, "twossl: %s\n", dlerror());
        return 2;
    }
    struct ssl_api api;
    LOAD(client_method, "TLS_client_method");
    LOAD(ctx_new, "SSL_CTX_new");
    LOAD(ssl_new, "SSL_new");
    LOAD(set_fd, "SSL_set_fd");
    LOAD(connect, "SSL_connect");
    LOAD(write, "SSL_write");
    LOAD(read, "SSL_read");
    LOAD(shutdown, "SSL_shutdown");
    LOAD(ssl_free, "SSL_free");
    LOAD(ctx_free, "SSL_CTX_free");
    return get(&api, argv[1], argv[2], argv[3], "loaded");
}
