// SPDX-License-Identifier: GPL-2.0-or-later

// A Go net/http server for httptap's capture tests, over TLS (crypto/tls,
// HTTP/1.1 only) or plaintext. Writes its pid to the ready file once it
// listens and exits after answering -exit-after requests.
//
//	server -addr 127.0.0.1:PORT -ready FILE [-cert C -key K] [-exit-after N]
//
// GET /hello  -> "hello from go\n", X-Test: go
// POST /echo  -> the request body
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
		listener = tls.NewListener(listener, &tls.Config{Certificates: []tls.Certificate{pair},
			NextProtos: []string{"http/1.1"}})
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
