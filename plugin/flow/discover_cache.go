package flow

import (
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/discovery"
)

// metadataLifetime bounds how long a discovery document is reused within
// one plugin instance. A login asks login_choose and then the chosen flow,
// which would otherwise fetch the same document twice seconds apart; a
// long-lived instance (a library host) still sees a server's new
// configuration after a few minutes.
const metadataLifetime = 5 * time.Minute

// cachedMetadata is one validated discovery document and when it came.
type cachedMetadata struct {
	md      *discovery.Metadata
	fetched time.Time
}

// metadataKey names the document by where it was fetched and for which
// issuer it was validated: the issuer check is part of what is cached.
func metadataKey(u, issuer string) string { return issuer + "\x00" + u }

func (e *Engine) cachedMetadata(u, issuer string) *discovery.Metadata {
	c, ok := e.metadata[metadataKey(u, issuer)]
	if !ok || e.now().Sub(c.fetched) > metadataLifetime {
		return nil
	}
	return c.md
}

func (e *Engine) rememberMetadata(u, issuer string, md *discovery.Metadata) {
	for k, c := range e.metadata { // keep the map small in long-lived instances
		if e.now().Sub(c.fetched) > metadataLifetime {
			delete(e.metadata, k)
		}
	}
	e.metadata[metadataKey(u, issuer)] = cachedMetadata{md: md, fetched: e.now()}
}
