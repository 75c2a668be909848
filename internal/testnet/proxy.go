package testnet

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
)

// Proxy is an HTTP proxy that only tunnels (CONNECT, RFC 9110 9.3.6), as
// corporate proxies do for https. It records each tunnel's target and may
// send a target elsewhere (Route), so a test can give a server on
// 127.0.0.1 a name that the client would not reach without the proxy.
type Proxy struct {
	URL string // http://127.0.0.1:PORT, for HTTPS_PROXY

	mu      sync.Mutex
	targets []string
	routes  map[string]string
	open    map[net.Conn]bool
	closed  bool
}

// StartProxy serves until the test ends.
func StartProxy(t testing.TB) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), routes: map[string]string{}, open: map[net.Conn]bool{}}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		p.closed = true
		for c := range p.open { // idle keep-alive tunnels would wait forever
			c.Close()
		}
		p.mu.Unlock()
		wg.Wait()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); p.serve(c) }()
		}
	}()
	return p
}

// track adds or removes an open connection; once the proxy is closed a
// new one is closed at once.
func (p *Proxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case on && p.closed:
		c.Close()
	case on:
		p.open[c] = true
	default:
		delete(p.open, c)
	}
}

// Route sends tunnels for target ("host:port") to addr instead.
func (p *Proxy) Route(target, addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.routes[target] = addr
}

// Targets lists the CONNECT targets asked for so far.
func (p *Proxy) Targets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.targets...)
}

func (p *Proxy) serve(c net.Conn) {
	p.track(c, true)
	defer p.track(c, false)
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.mu.Lock()
	p.targets = append(p.targets, req.Host)
	addr, ok := p.routes[req.Host]
	p.mu.Unlock()
	if !ok {
		addr = req.Host
	}
	up, err := net.Dial("tcp", addr)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.track(up, true)
	defer p.track(up, false)
	defer up.Close()
	io.WriteString(c, "HTTP/1.1 200 Connection Established\r\n\r\n")
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, br); up.(*net.TCPConn).CloseWrite(); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	<-done
}
