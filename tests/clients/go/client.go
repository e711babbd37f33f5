// SPDX-License-Identifier: GPL-2.0-or-later

// A Go net/http client for httptap's capture tests: crypto/tls from the Go
// standard library, HTTP/1.1 forced. Prints nothing; the exit status says
// whether every request succeeded with the expected status.
//
//	client [-post FILE] [-header NAME:VALUE] [-local-port PORT] URL...
//
// Several URLs to one server share one keep-alive connection.
package main

import (
	"bytes"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	post := flag.String("post", "", "POST this file's bytes instead of GET")
	header := flag.String("header", "", "an extra request header, NAME:VALUE")
	localPort := flag.Int("local-port", 0, "connect from this local port")
	h2 := flag.Bool("h2", false, "offer HTTP/2 over TLS (ALPN h2) instead of HTTP/1.1 only")
	flag.Parse()

	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if *localPort != 0 {
		dialer.LocalAddr = &net.TCPAddr{Port: *localPort}
	}

	transport := &http.Transport{
		DialContext:       dialer.DialContext,
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
		ForceAttemptHTTP2: false,
		// A non-nil empty map turns HTTP/2 off entirely.
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
		Proxy:        nil,
	}
	if *h2 {
		// A custom dialer and TLS config need ForceAttemptHTTP2 and the default
		// (nil) upgrade map for net/http to negotiate h2.
		transport.ForceAttemptHTTP2 = true
		transport.TLSNextProto = nil
	}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	var payload []byte
	if *post != "" {
		var err error
		if payload, err = os.ReadFile(*post); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	for _, url := range flag.Args() {
		method := http.MethodGet
		var body io.Reader
		if payload != nil {
			method = http.MethodPost
			body = bytes.NewReader(payload)
		}
		req, err := http.NewRequest(method, url, body)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if name, value, ok := strings.Cut(*header, ":"); ok {
			req.Header.Set(name, value)
		}
		resp, err := client.Do(req)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			fmt.Fprintln(os.Stderr, url, resp.Status, err)
			os.Exit(1)
		}
	}
}
