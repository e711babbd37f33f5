// SPDX-License-Identifier: GPL-2.0-or-later

// A Go net/http server for httptap's capture tests, over TLS (crypto/tls,
// HTTP/1.1 only) or plaintext. Writes its pid to the ready file once it
// listens and exits after answering -exit-after requests.
//
//	server -addr 127.0.0.1:PORT -ready FILE [-cert C -key K] [-exit-after N]
//
// GET /hello     -> "hello from go\n", X-Test: go
// POST /echo     -> the request body
// GET /trailers  -> "rows follow\n" and trailers X-Checksum: c0ffee, X-Rows: 1
// With -h2 (TLS only) HTTP/2 is offered through ALPN.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	ready := flag.String("ready", "", "file to write the pid to once listening")
	cert := flag.String("cert", "", "certificate (PEM); TLS when given")
	key := flag.String("key", "", "private key (PEM)")
	exitAfter := flag.Int64("exit-after", 0, "exit after this many responses (0: never)")
	h2 := flag.Bool("h2", false, "serve HTTP/2 over TLS (ALPN h2) as well as HTTP/1.1")
	flag.Parse()

	var answered atomic.Int64
	done := make(chan struct{}, 1)
	count := func() {
		if *exitAfter > 0 && answered.Add(1) == *exitAfter {
			done <- struct{}{}
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Test", "go")
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello from go\n")
		count()
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		w.Write(data)
		count()
	})

	mux.HandleFunc("/trailers", func(w http.ResponseWriter, r *http.Request) {
		// Trailers announced up front, values set after the body.
		w.Header().Set("Trailer", "X-Checksum, X-Rows")
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "rows follow\n")
		// Flushed: no Content-Length, so a client must read on to END_STREAM
		// (curl stops at Content-Length and would race the trailers).
		w.(http.Flusher).Flush()
		w.Header().Set("X-Checksum", "c0ffee")
		w.Header().Set("X-Rows", "1")
		count()
	})

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 20 * time.Second,
		// A non-nil empty map: no HTTP/2, whatever the client offers.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){}}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		protos := []string{"http/1.1"}
		if *h2 {
			protos = []string{"h2", "http/1.1"}
			server.TLSNextProto = nil // net/http's own h2 server
		}
		// Serve sets up net/http's HTTP/2 when TLSNextProto is nil and the
		// connection negotiated "h2".
		listener = tls.NewListener(listener, &tls.Config{Certificates: []tls.Certificate{pair}, NextProtos: protos})
	}
	if *ready != "" {
		os.WriteFile(*ready, []byte(strconv.Itoa(os.Getpid())), 0o644)
	}
	go server.Serve(listener)
	<-done
	// Let the last response leave before exiting.
	time.Sleep(200 * time.Millisecond)
	server.Close()
}
