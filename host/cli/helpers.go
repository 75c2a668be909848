package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/wasmlogin/wasmlogin/host/engine"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Credential helpers: the same token, in the shape each consumer reads.

// currentToken returns a valid token of the chosen profile: the one the
// plugin published while it is servable (served.go), else the plugin's.
func (c *command) currentToken(ctx context.Context) (*api.TokenResult, error) {
	if tok, err := c.servedToken(); tok != nil || err != nil {
		return tok, err
	}
	var tok *api.TokenResult
	err := c.withProfile(ctx, func(ref api.ProfileRef, inst *engine.Instance) error {
		var err error
		tok, err = inst.Token(ctx, api.TokenInput{ProfileRef: ref, ForceRefresh: c.forceRefresh})
		c.phase("token call")
		return err
	})
	return tok, err
}

// execCredential is client.authentication.k8s.io/v1 ExecCredential, the
// JSON kubectl reads from an exec credential plugin.
type execCredential struct {
	APIVersion string               `json:"apiVersion"`
	Kind       string               `json:"kind"`
	Status     execCredentialStatus `json:"status"`
}

type execCredentialStatus struct {
	ExpirationTimestamp string `json:"expirationTimestamp,omitempty"` // RFC 3339
	Token               string `json:"token"`
}

// kubectlCredential prints an ExecCredential. Without an expiry kubectl
// would cache the token forever, so an unknown expiry is left out and
// kubectl asks again on every call.
func (c *command) kubectlCredential(ctx context.Context) error {
	tok, err := c.currentToken(ctx)
	if err != nil {
		return err
	}
	cred := execCredential{APIVersion: "client.authentication.k8s.io/v1", Kind: "ExecCredential",
		Status: execCredentialStatus{Token: tok.AccessToken}}
	if tok.ExpiresAt != 0 {
		cred.Status.ExpirationTimestamp = time.Unix(tok.ExpiresAt, 0).UTC().Format(time.RFC3339)
	}
	return json.NewEncoder(c.env.Stdout).Encode(cred)
}

// execWithToken runs a command with the token in an environment variable,
// never in its arguments, and exits with the command's status.
func (c *command) execWithToken(ctx context.Context, argv []string) error {
	if len(argv) == 0 {
		return &api.Error{Code: api.CodeBadInput, Message: "exec needs a command after --, e.g. exec -- terraform plan"}
	}
	tok, err := c.currentToken(ctx)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), c.tokenEnv+"="+tok.AccessToken)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.env.Stdin, c.env.Stdout, c.env.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return childExit(exit.ExitCode())
	}
	return err
}

// childExit carries a child's exit status through Main unchanged.
type childExit int

func (e childExit) Error() string { return fmt.Sprintf("the command exited with status %d", int(e)) }

// header prints the token as an HTTP header line, for curl -H @-.
func header(tok *api.TokenResult) string {
	tt := tok.TokenType
	if tt == "" || strings.EqualFold(tt, "bearer") {
		tt = "Bearer"
	}
	return "Authorization: " + tt + " " + tok.AccessToken
}
