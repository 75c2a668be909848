package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// machineFlags are the flags of the sign-ins without a user at the
// keyboard: login --client-credentials and exchange.
type machineFlags struct {
	clientCredentials bool   // login --client-credentials
	authMethod        string // login --auth-method basic|post
	subjectProfile    string
	subjectStdin      bool
	subjectType       string
	requestedType     string
	audience          []string
	resource          []string
}

// register adds the flags of command c.name that this file implements.
func (m *machineFlags) register(c *command, fs *flag.FlagSet) {
	switch c.name {
	case "login":
		fs.BoolVar(&m.clientCredentials, "client-credentials", false, "the client credentials grant (RFC 6749 4.4): a service client signs in as itself; secret via --client-secret-env")
		fs.StringVar(&m.authMethod, "auth-method", "", "how the client authenticates: `basic|post` (default: from discovery, basic first)")
		fs.StringVar(&c.provider.RevocationEndpoint, "revocation-url", "", "revocation endpoint `URL` (RFC 7009) for servers whose discovery names none")
	case "exchange":
		fs.StringVar(&c.scopes, "scopes", "", "`scopes` for the issued token, separated by spaces")
		fs.StringVar(&m.subjectProfile, "subject-profile", "", "use this `profile`'s token as the subject (refreshed when needed)")
		fs.BoolVar(&m.subjectStdin, "subject-token-stdin", false, "read the subject token from stdin (never from the command line)")
		fs.StringVar(&m.subjectType, "subject-token-type", "", "`type` of the subject: access_token (default), refresh_token, id_token, jwt or a URI")
		fs.StringVar(&m.requestedType, "requested-token-type", "", "the `type` of token wanted (default: the server decides)")
		fs.Func("audience", "where the token will be used, a logical `name`; repeatable", func(v string) error { m.audience = append(m.audience, v); return nil })
		fs.Func("resource", "where the token will be used, an absolute `URI`; repeatable", func(v string) error { m.resource = append(m.resource, v); return nil })
	}
}

// authMethods maps --auth-method to RFC 7591's names.
var authMethods = map[string]string{"": "", "basic": "client_secret_basic", "post": "client_secret_post"}

// clientLogin is `login --client-credentials`: a confidential client signs
// in as itself (cron jobs, CI). Like a browser login it stores a profile,
// so `token`, `status` and `logout` work the same afterwards; `token`
// renews it by running the grant again.
func (c *command) clientLogin(ctx context.Context) error {
	method, ok := authMethods[c.machine.authMethod]
	if !ok {
		return &api.Error{Code: api.CodeBadInput, Message: fmt.Sprintf("--auth-method %q: use basic or post", c.machine.authMethod)}
	}
	ix, err := c.loadIndex()
	if err != nil {
		return err
	}
	p, err := c.loginProvider(ix, "login --client-credentials needs --client-id and --issuer (or --token-url); see --help", false)
	if err != nil {
		return err
	}
	name, err := c.newProfileName(ix, &p)
	if err != nil {
		return err
	}
	inst, guard, done, err := c.start(ctx, []string{p.Issuer, p.TokenEndpoint, p.RevocationEndpoint}, []string{name})
	if err != nil {
		return err
	}
	defer done()
	guard.SetIssuer(p.Issuer)
	tok, err := inst.ClientCredentials(ctx, api.ClientCredentialsInput{
		ProfileRef: api.ProfileRef{Profile: name, Provider: &p}, AuthMethod: method})
	if err != nil {
		return err
	}
	dir, err := profiles.Dir(c.env.Getenv)
	if err != nil {
		return err
	}
	if err := profiles.Update(ctx, dir, func(ix *profiles.Index) error {
		entry := c.entryFor(p, guard.Allowed())
		entry.GitHosts = c.keptGitHosts(ix, tok.Profile)
		ix.Profiles[tok.Profile] = entry
		ix.Default = tok.Profile
		return nil
	}); err != nil {
		return fmt.Errorf("signed in, but the profile index could not be saved: %w", err)
	}
	if c.jsonOut { // the session, as login prints it: no token on stdout
		s, err := inst.Status(ctx, api.ProfileRef{Profile: tok.Profile})
		if err != nil {
			return err
		}
		c.printJSON(s)
		return nil
	}
	where := p.Issuer
	if where == "" {
		where = p.TokenEndpoint
	}
	fmt.Fprintf(c.env.Stderr, "Signed in to %s as client %s (profile %q); the token lasts until %s and `token` renews it.\n",
		where, p.ClientID, tok.Profile, expiryText(tok.ExpiresAt))
	return nil
}

// exchange trades a subject token for another (RFC 8693) with the client of
// --profile, and prints only the issued token, so $(host exchange ...)
// works. The subject comes from another profile or from stdin, never from
// the command line, where other users could read it.
func (c *command) exchange(ctx context.Context) error {
	m := &c.machine
	in := api.TokenExchangeInput{SubjectProfile: m.subjectProfile, SubjectTokenType: m.subjectType,
		Audience: m.audience, Resource: m.resource, Scopes: c.provider.Scopes, RequestedTokenType: m.requestedType}
	switch {
	case m.subjectStdin && m.subjectProfile != "":
		return &api.Error{Code: api.CodeBadInput, Message: "exchange: give --subject-profile or --subject-token-stdin, not both"}
	case m.subjectStdin:
		tok, err := readOneToken(c.env.Stdin)
		if err != nil {
			return err
		}
		in.SubjectToken = tok
	case m.subjectProfile == "":
		return &api.Error{Code: api.CodeBadInput, Message: "exchange needs a subject: --subject-profile NAME, or --subject-token-stdin with the token piped in"}
	}
	ix, err := c.loadIndex()
	if err != nil {
		return err
	}
	name, entry, err := c.findProfile(ix)
	if err != nil {
		return err
	}
	allowed, granted := entry.Allowed, []string{name}
	if m.subjectProfile != "" {
		subject, sub, err := ix.Find(m.subjectProfile, &api.Provider{})
		if err != nil {
			return err
		}
		allowed = append(allowed, sub.Allowed...) // its token may need a refresh
		granted = append(granted, subject)
		in.SubjectProfile = subject
	}
	inst, guard, done, err := c.start(ctx, allowed, granted)
	if err != nil {
		return err
	}
	defer done()
	guard.SetIssuer(entry.Provider.Issuer)
	// The plugin refreshes the subject profile when its token is due, as
	// `token` would: the same lock, or a `token` at the same moment would
	// spend the same rotating refresh token. The client's lock too, taken
	// with the subject's in a fixed order (profiles.LockAll).
	dir, err := profiles.Dir(c.env.Getenv)
	if err != nil {
		return err
	}
	unlock, err := profiles.LockAll(ctx, dir, granted...)
	if err != nil {
		return err
	}
	in.ProfileRef = api.ProfileRef{Profile: name}
	res, err := inst.TokenExchange(ctx, in)
	unlock()
	if err != nil {
		return err
	}
	if c.jsonOut {
		c.printJSON(res)
		return nil
	}
	fmt.Fprintln(c.env.Stdout, res.AccessToken)
	fmt.Fprintf(c.env.Stderr, "Issued a %s (token type %s, expires %s).\n", res.IssuedTokenType, res.TokenType, exchangeExpiry(res.ExpiresAt))
	return nil
}

func exchangeExpiry(unix int64) string {
	if unix == 0 {
		return "when the server decides"
	}
	return "in " + time.Until(time.Unix(unix, 0)).Round(time.Second).String()
}
