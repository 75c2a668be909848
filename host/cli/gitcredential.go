package cli

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/wasmlogin/wasmlogin/host/profiles"
)

// gitRequest is what git tells a credential helper (git-credential(1),
// "INPUT/OUTPUT FORMAT"): one key=value per line up to a blank line or the
// end of input. Keys ending in [] may repeat.
type gitRequest struct {
	protocol, host string
	capabilities   []string // capability[]: what the calling git understands (Git 2.46+)
	challenges     []string // wwwauth[]: the server's WWW-Authenticate values (Git 2.41+)
}

func readGitRequest(in *bufio.Scanner) gitRequest {
	var r gitRequest
	for in.Scan() && in.Text() != "" {
		key, value, _ := strings.Cut(in.Text(), "=")
		switch key {
		case "protocol":
			r.protocol = value
		case "host":
			r.host = value
		case "capability[]":
			r.capabilities = append(r.capabilities, value)
		case "wwwauth[]":
			r.challenges = append(r.challenges, value)
		}
	}
	return r
}

// gitCredential speaks git's credential helper protocol. On "get" it
// answers only for an https URL on one of the profile's git hosts (login
// --git-host, else the issuer's host): the token is a bearer credential,
// and a helper that answers for any host hands it to whichever server a
// repository's remote names, over plain http too. For any other request it
// prints nothing, which tells git to try its other helpers or ask. "store"
// and "erase" are read and ignored: the plugin owns the token's life.
func (c *command) gitCredential(ctx context.Context, action string) error {
	in := bufio.NewScanner(c.env.Stdin)
	in.Buffer(make([]byte, 0, 4096), 65536) // git's limit on one line
	req := readGitRequest(in)
	if action != "get" {
		return nil
	}
	ix, err := c.loadIndex()
	if err != nil {
		return err
	}
	name, entry, err := ix.Find(c.profile, &c.provider)
	if err != nil {
		return err
	}
	hosts := gitHostsOf(entry)
	switch {
	case req.protocol != "https":
		fmt.Fprintf(c.env.Stderr, "git-credential: not answering for %s://%s: the token goes only over https\n", printableAttr(req.protocol), printableAttr(req.host))
		return nil
	case !slices.Contains(hosts, normalGitHost(req.host)):
		fmt.Fprintf(c.env.Stderr, "git-credential: profile %q answers for %s, not %s; add it with login --profile %s --git-host HOST\n",
			name, strings.Join(hosts, ", "), printableAttr(req.host), name)
		return nil
	}
	tok, err := c.currentToken(ctx)
	if err != nil {
		return err
	}
	out := c.env.Stdout
	if slices.Contains(req.capabilities, "authtype") && offersBearer(req.challenges) {
		// Git 2.46+ sends "Authorization: Bearer <credential>" itself
		// (RFC 6750 2.1). The capability line comes first, as
		// git-credential(1) asks; ephemeral tells git not to hand the token
		// to storing helpers, since this helper renews it.
		fmt.Fprintf(out, "capability[]=authtype\nauthtype=Bearer\ncredential=%s\nephemeral=true\n", tok.AccessToken)
	} else {
		// Older git, or a server that challenges only with another scheme:
		// the token as the password of HTTP Basic, which git servers that
		// take OAuth tokens accept.
		fmt.Fprintf(out, "username=%s\npassword=%s\n", c.gitUsername, tok.AccessToken)
	}
	if tok.ExpiresAt != 0 { // git 2.41+: do not reuse it past its expiry
		fmt.Fprintf(out, "password_expiry_utc=%d\n", tok.ExpiresAt)
	}
	return nil
}

// offersBearer says whether the server's challenges allow the Bearer
// scheme: yes when it named Bearer, or when git passed no challenge at all
// (a script calling `git credential fill`).
func offersBearer(challenges []string) bool {
	if len(challenges) == 0 {
		return true
	}
	for _, ch := range challenges {
		scheme, _, _ := strings.Cut(strings.TrimSpace(ch), " ")
		if strings.EqualFold(scheme, "Bearer") {
			return true
		}
	}
	return false
}

// gitHostsOf is the profile's git hosts: those set at login, else the
// issuer's host, else (servers without discovery, GitHub) the
// authorization endpoint's host.
func gitHostsOf(e profiles.Entry) []string {
	if len(e.GitHosts) > 0 {
		return e.GitHosts
	}
	for _, raw := range []string{e.Provider.Issuer, e.Provider.AuthorizationEndpoint} {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			return []string{normalGitHost(u.Host)}
		}
	}
	return nil
}

// normalGitHost compares hosts the way git names them (host, or host:port
// when the URL gave one): case-insensitively, with https's default port
// left out.
func normalGitHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(h), ":443")
}

// gitHostFlag checks one --git-host value: a host name or address, with an
// optional port, nothing else.
func gitHostFlag(v string) (string, error) {
	v = strings.TrimSpace(v)
	u, err := url.Parse("https://" + v)
	if v == "" || err != nil || u.Host != v || u.User != nil || u.Hostname() == "" {
		return "", fmt.Errorf("--git-host %q: give a host name with an optional port, such as git.example.com or git.example.com:8443", v)
	}
	return normalGitHost(v), nil
}

// keptGitHosts is what a login records: the --git-host values given, else
// those the profile had, so signing in again does not drop them.
func (c *command) keptGitHosts(ix *profiles.Index, profile string) []string {
	if len(c.gitHosts) > 0 {
		return c.gitHosts
	}
	return ix.Profiles[profile].GitHosts
}

// printableAttr keeps a value git passed from steering the terminal.
func printableAttr(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
