package cli

import (
	"bufio"
	"context"
	"fmt"
	"github.com/wasmlogin/wasmlogin/host/httptrace"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/wasmlogin/wasmlogin/host/browser"
	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/httpguard"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// keyringService namespaces every secret this program stores;
// WASMLOGIN_KEYRING_SERVICE changes it (tests, or separate installs).
const keyringService = "wasmlogin"

// openStore picks the secret store the user chose, once per command: token
// may open it for the served entry and again for the plugin, and the
// encrypted file derives its key (PBKDF2) per opening.
func (c *command) openStore() (secretstore.Store, error) {
	if c.opened == nil {
		store, err := c.chooseStore()
		if err != nil {
			return nil, err
		}
		c.opened = store
	}
	return c.opened, nil
}

// chooseStore opens the store the user chose. The encrypted file is never
// a silent fallback: it takes --store=file and a passphrase.
func (c *command) chooseStore() (secretstore.Store, error) {
	if c.env.Store != nil {
		return c.env.Store, nil
	}
	kind := c.storeKind() // settings.go
	switch kind {
	case "keyring":
		service := c.env.Getenv("WASMLOGIN_KEYRING_SERVICE")
		if service == "" {
			service = keyringService
		}
		return secretstore.Keyring(service), nil
	case "file":
		dir, err := profiles.Dir(c.env.Getenv)
		if err != nil {
			return nil, err
		}
		pass := c.env.Getenv("WASMLOGIN_STORE_PASSPHRASE")
		if pass == "" {
			return nil, &api.Error{Code: api.CodeBadInput, Message: "the encrypted file store (--store=file, or the store this profile was signed in with) needs its passphrase in WASMLOGIN_STORE_PASSPHRASE"}
		}
		return secretstore.EncryptedFile(filepath.Join(dir, "secrets.enc"), []byte(pass))
	}
	return nil, &api.Error{Code: api.CodeBadInput, Message: fmt.Sprintf("--store %q: use keyring or file", kind)}
}

// services lends the plugin this host's capabilities for one command, with
// the HTTP allowlist seeded from the given origins and the secrets of the
// granted profiles only (secretstore.Scoped).
func (c *command) services(allowed, granted []string) (*engine.Services, *httpguard.Guard, error) {
	store, err := c.openStore()
	if err != nil {
		return nil, nil, err
	}
	// WASMLOGIN_HTTP_TIMEOUT shortens (or lengthens) the per-request bound.
	timeout, _ := time.ParseDuration(c.env.Getenv("WASMLOGIN_HTTP_TIMEOUT"))
	guard, err := c.newGuard(timeout) // settings.go
	if err != nil {
		return nil, nil, err
	}
	for _, o := range allowed {
		if o != "" {
			guard.Allow(o)
		}
	}
	open := c.env.OpenBrowser
	if open == nil {
		open = browser.Open
	}
	var http httpDoer = guard
	if c.verbose || c.env.Getenv("WASMLOGIN_VERBOSE") == "1" {
		http = &httptrace.Tracer{Next: guard, W: c.env.Stderr, ShowSecrets: c.env.Getenv("WASMLOGIN_TRACE_SECRETS") == "1"}
	}
	var secrets secretstore.Store = store
	if c.timing() {
		secrets, http = timedStore{store, &c.spent.store}, timedHTTP{http, &c.spent.http}
	}
	secrets = secretstore.Scoped(secrets, granted...)
	s := &engine.Services{
		HTTP:        http,
		Secrets:     secrets,
		OpenBrowser: open,
		Notify: func(level, msg string) {
			if level == "warn" {
				msg = "warning: " + msg
			}
			fmt.Fprintln(c.env.Stderr, msg)
		},
		Prompt: c.prompt,
	}
	return s, guard, nil
}

// prompt reads one line from the terminal, without echo for secrets. With
// no terminal it refuses rather than reading a secret from a pipe by accident.
func (c *command) prompt(message string, secret bool) (string, error) {
	fmt.Fprint(c.env.Stderr, message)
	f, ok := c.env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		fmt.Fprintln(c.env.Stderr)
		return "", fmt.Errorf("no terminal to ask on")
	}
	if secret {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(c.env.Stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(f).ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

// start lends the plugin this host's services, with the HTTP allowlist
// seeded from allowed and the secrets of the granted profiles, and starts
// one instance.
func (c *command) start(ctx context.Context, allowed, granted []string) (*engine.Instance, *httpguard.Guard, func(), error) {
	services, guard, err := c.services(allowed, granted)
	if err != nil {
		return nil, nil, nil, err
	}
	inst, done, err := c.instance(ctx, services)
	if err != nil {
		return nil, nil, nil, err
	}
	return inst, guard, done, nil
}

// instance starts the runtime and one plugin instance.
func (c *command) instance(ctx context.Context, s *engine.Services) (*engine.Instance, func(), error) {
	var fill *backgroundFill
	opts := engine.Options{CacheDir: c.env.Getenv("WASMLOGIN_CACHE_DIR"),
		Warn: func(m string) { fmt.Fprintln(c.env.Stderr, "warning: "+m) }}
	if c.env.FillCacheInBackground {
		opts.OnMiss = func() { fill = c.startFill() }
	}
	rt, err := engine.New(ctx, opts)
	c.phase(loadPhase(rt))
	if err != nil {
		fill.wait()
		return nil, nil, err
	}
	inst, err := rt.Instance(ctx, s)
	c.phase("instantiate")
	if err != nil {
		rt.Close(ctx)
		fill.wait()
		return nil, nil, err
	}
	return inst, func() { inst.Close(ctx); rt.Close(ctx); fill.wait() }, nil
}

// loadPhase names the plugin's loading for WASMLOGIN_TIMING, saying when
// it ran interpreted because the compilation cache was empty.
func loadPhase(rt *engine.Runtime) string {
	if rt != nil && rt.Interpreted() {
		return "load plugin (interpreted)"
	}
	return "load plugin"
}

// updateIndex changes profiles.json under its cross-process lock.
func (c *command) updateIndex(ctx context.Context, change func(*profiles.Index) error) error {
	dir, err := profiles.Dir(c.env.Getenv)
	if err != nil {
		return err
	}
	return profiles.Update(ctx, dir, change)
}

func (c *command) loadIndex() (*profiles.Index, error) {
	dir, err := profiles.Dir(c.env.Getenv)
	if err != nil {
		return nil, err
	}
	return profiles.Load(dir)
}
