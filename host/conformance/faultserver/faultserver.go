// Package faultserver is a fault fixture for the host conformance kit: a
// deliberately misbehaving HTTP server on 127.0.0.1 that the kit's guest
// asks hosts to reach. It is not an authorization server and imitates none;
// it serves exactly the faults and crafted documents that cases.json names:
// slow and oversized answers, redirects, discovery documents at the wrong
// place or naming the wrong issuer or unlisted fields, and one correct
// discovery document as the control. Every request is recorded, so a runner
// can prove that a refused or redirected request never arrived.
//
// It listens on several ports of 127.0.0.1 because a port is part of an
// origin (RFC 6454): "base" plays the configured issuer's origin,
// "elsewhere" an origin nobody allowed, and each "learned_*" the origin
// that one field of the correct discovery document names.
package faultserver

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Origin names, the keys of Server.Origins and the placeholders of
// cases.json ({base}, {elsewhere}, ...).
const (
	Base      = "base"
	Elsewhere = "elsewhere"
	// RFC8414 is named by the token_endpoint of the RFC 8414 document of
	// the issuer {base}/tenant.
	RFC8414 = "learned_rfc8414"
)

// learnable are the discovery fields from which a host may learn origins;
// the correct document names a separate origin in each, "learned_<field>".
var learnable = []string{"authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint", "revocation_endpoint",
	"device_authorization_endpoint", "pushed_authorization_request_endpoint"}

// stall bounds how long /slow and /slow-body keep a request waiting when
// the host does not give up first: long enough to exceed any timeout a
// runner sets for the kit, short enough that a host without one fails the
// case instead of hanging the run.
const stall = 20 * time.Second

// HitsPath lists, as a JSON array, every URL requested so far (origin and
// path, no query), on the base origin. Requests to it are not recorded.
const HitsPath = "/_fixture/hits"

// Server is the running fixture.
type Server struct {
	// Origins maps each origin name to "http://127.0.0.1:port".
	Origins map[string]string

	servers []*http.Server
	mu      sync.Mutex
	hits    []string
}

// Start listens on one loopback port per origin and serves until Close.
func Start() (*Server, error) {
	names := []string{Base, Elsewhere, RFC8414}
	for _, f := range learnable {
		names = append(names, LearnedOrigin(f))
	}
	s := &Server{Origins: map[string]string{}}
	listeners := map[string]net.Listener{}
	for _, name := range names {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return nil, err
		}
		listeners[name] = l
		s.Origins[name] = "http://" + l.Addr().String()
	}
	for name, l := range listeners {
		srv := &http.Server{Handler: s.handler(name), ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		go srv.Serve(l)
	}
	return s, nil
}

// LearnedOrigin is the origin name that the correct discovery document
// names in field.
func LearnedOrigin(field string) string { return "learned_" + strings.TrimSuffix(field, "_endpoint") }

// Close stops every listener and ends requests still stalled.
func (s *Server) Close() {
	for _, srv := range s.servers {
		srv.Close()
	}
}

// Hits returns every URL requested so far (origin and path).
func (s *Server) Hits() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.hits...) // [] rather than null in JSON
}

func (s *Server) handler(name string) http.Handler {
	self := s.Origins[name]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name == Base && r.URL.Path == HitsPath {
			writeJSON(w, s.Hits())
			return
		}
		s.mu.Lock()
		s.hits = append(s.hits, self+r.URL.Path)
		s.mu.Unlock()
		switch {
		case r.URL.Path == "/ping" || strings.HasPrefix(r.URL.Path, "/after-"):
			w.Write([]byte("pong"))
		case name == Base:
			s.serveBase(w, r)
		case name == LearnedOrigin("token_endpoint") && r.URL.Path == "/.well-known/openid-configuration":
			// A learned origin publishing its own "discovery" document:
			// only the configured issuer's well-known URLs may teach.
			writeJSON(w, s.doc(self, Elsewhere))
		default:
			http.NotFound(w, r)
		}
	})
}

func (s *Server) serveBase(w http.ResponseWriter, r *http.Request) {
	base := s.Origins[Base]
	path := r.URL.Path
	switch {
	case path == "/redirect":
		status, err := strconv.Atoi(r.URL.Query().Get("status"))
		if err != nil {
			status = http.StatusFound
		}
		w.Header().Set("Location", r.URL.Query().Get("to"))
		w.WriteHeader(status)
	case path == "/big":
		serveBig(w, r)
	case path == "/slow":
		wait(r.Context())
		w.Write([]byte("too late"))
	case path == "/slow-body":
		w.Write([]byte("the start of a body that never ends"))
		w.(http.Flusher).Flush()
		wait(r.Context())
	case path == "/issuer/.well-known/openid-configuration", path == "/.well-known/oauth-authorization-server/issuer":
		writeJSON(w, s.correctDoc(base+"/issuer"))
	case path == "/.well-known/oauth-authorization-server/tenant":
		doc := s.correctDoc(base + "/tenant")
		doc["token_endpoint"] = s.Origins[RFC8414] + "/token"
		writeJSON(w, doc)
	case path == "/user-content/.well-known/openid-configuration", path == "/.well-known/oauth-authorization-server/user-content":
		// Uploaded by anyone at some other path of the issuer's origin.
		writeJSON(w, s.doc(base+"/issuer", Elsewhere))
	case path == "/wrong-issuer/.well-known/openid-configuration", path == "/.well-known/oauth-authorization-server/wrong-issuer":
		writeJSON(w, s.doc(base+"/someone-else", Elsewhere))
	case path == "/slash-issuer/.well-known/openid-configuration":
		writeJSON(w, s.doc(base+"/slash-issuer/", Elsewhere))
	case strings.HasPrefix(path, "/unlisted/") && strings.HasSuffix(path, "/.well-known/openid-configuration"):
		// A correct document, plus one field outside the seven a host may
		// learn from, naming the origin nobody allowed.
		issuer := base + strings.TrimSuffix(path, "/.well-known/openid-configuration")
		field := strings.TrimPrefix(strings.TrimSuffix(path, "/.well-known/openid-configuration"), "/unlisted/")
		doc := s.correctDoc(issuer)
		doc[field] = s.Origins[Elsewhere] + "/" + field
		writeJSON(w, doc)
	default:
		http.NotFound(w, r)
	}
}

// correctDoc is a discovery document for issuer, found at its well-known
// URL, that names a separate learnable origin in each of the seven fields.
func (s *Server) correctDoc(issuer string) map[string]any {
	doc := map[string]any{
		"issuer":                   issuer,
		"authorization_endpoint":   s.Origins[Base] + "/authorize",
		"response_types_supported": []string{"code"},
	}
	for _, f := range learnable {
		doc[f] = s.Origins[LearnedOrigin(f)] + "/" + f
	}
	return doc
}

// doc is a document for issuer whose six learnable fields all name the
// origin called target.
func (s *Server) doc(issuer, target string) map[string]any {
	doc := map[string]any{"issuer": issuer, "response_types_supported": []string{"code"}}
	for _, f := range learnable {
		doc[f] = s.Origins[target] + "/" + f
	}
	return doc
}

// serveBig streams "bytes" bytes (default one more than 1 MiB) without a
// Content-Length, so a host can only find the size by counting.
func serveBig(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("bytes"))
	if err != nil {
		n = 1<<20 + 1
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	chunk := []byte(strings.Repeat("a", 64<<10))
	for n > 0 && r.Context().Err() == nil {
		c := chunk[:min(n, len(chunk))]
		if _, err := w.Write(c); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		n -= len(c)
	}
}

// wait returns when the client gives up or stall has passed.
func wait(ctx context.Context) {
	t := time.NewTimer(stall)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
