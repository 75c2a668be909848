package cli

import (
	"flag"
	"fmt"
	"strings"
)

// Help is generated: the command list from commandSpecs, each command's
// flags from its FlagSet (flags.go). Only the prose around them is
// written here.

// overallHelp is `PROG --help`.
func overallHelp(prog string) string {
	var b strings.Builder
	b.WriteString(`wasmlogin - sign in to OAuth 2 / OpenID Connect providers from the command line.
The flow logic runs in a sandboxed WebAssembly plugin; this program lends it
HTTP, a browser, a loopback listener and the OS keyring.

`)
	fmt.Fprintf(&b, "Usage: %s COMMAND [flags]\n       %s COMMAND --help     the flags of one command\n\nCommands:\n", prog, prog)
	for _, s := range commandSpecs {
		fmt.Fprintf(&b, "  %-19s %s\n", s.name, wrap(firstSentence(s.summary), 22, 78))
	}
	p := func(format string) { fmt.Fprintf(&b, format, prog) }
	p(`
Examples:
  %[1]s login --issuer https://accounts.google.com --client-id 123.apps.googleusercontent.com \
      --client-secret-env GOOGLE_CLIENT_SECRET
  %[1]s login --provider github --client-id Iv1.abc --client-secret-env GITHUB_CLIENT_SECRET
  curl -H "Authorization: Bearer $(%[1]s token)" https://api.example.com/me
  %[1]s status --json | jq .claims.email
  %[1]s login --client-credentials --issuer https://login.example.com --client-id ci-bot \
      --client-secret-env CI_CLIENT_SECRET --profile ci
`)
	b.WriteString(`
Environment:
  BROWSER                     program used to open URLs (like gh and git)
  HTTPS_PROXY, NO_PROXY       proxy for the provider's https URLs, and hosts reached directly
  SSL_CERT_FILE               PEM file of certificate authorities to trust (see --ca-file)
  WASMLOGIN_STORE             keyring or file: where new sign-ins keep their secrets
  WASMLOGIN_STORE_PASSPHRASE  passphrase of the encrypted file store
  WASMLOGIN_CONFIG_DIR        where the profile index, locks and file store live (no secrets
                              but the encrypted file)
  WASMLOGIN_CACHE_DIR         compiled plugin cache ("-" to disable)
  WASMLOGIN_HTTP_TIMEOUT      bound on each HTTP request of the plugin (default 30s)
  WASMLOGIN_KEYRING_SERVICE   keyring service name (default wasmlogin)

Exit codes:
  0 ok   1 failure   2 usage   3 login required   4 transient (try again)
  5 no secret storage   6 refused by the server, or failed validation (its
  answer, or its TLS certificate)
`)
	return b.String()
}

// commandHelp is `PROG COMMAND --help`: the command's synopsis, what it is
// for, and exactly the flags its parser accepts.
func commandHelp(prog, name string, fs *flag.FlagSet) string {
	spec, _ := specOf(name)
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s %s %s\n\n%s\n", prog, name, spec.args, wrap(spec.summary, 0, 78))
	var rows [][2]string
	fs.VisitAll(func(f *flag.Flag) {
		placeholder, usage := flag.UnquoteUsage(f)
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
			placeholder = ""
		} else if placeholder == "value" { // a flag.Func without a `name` in its usage
			placeholder = "VALUE"
		}
		left := "--" + f.Name
		switch {
		case strings.Contains(placeholder, "|"): // the values themselves: keyring|file
			left += " " + placeholder
		case placeholder != "":
			left += " " + strings.ToUpper(placeholder)
		}
		if !isZeroDefault(f) {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		rows = append(rows, [2]string{left, usage})
	})
	if len(rows) == 0 {
		b.WriteString("\nIt takes no flags.\n")
		return b.String()
	}
	b.WriteString("\nFlags:\n")
	for _, r := range rows {
		const col = 30
		if len(r[0]) > col-4 {
			fmt.Fprintf(&b, "  %s\n%s%s\n", r[0], strings.Repeat(" ", col), wrap(r[1], col, 100))
			continue
		}
		fmt.Fprintf(&b, "  %-*s%s\n", col-2, r[0], wrap(r[1], col, 100))
	}
	fmt.Fprintf(&b, "\nExit codes and the environment: %s --help\n", prog)
	return b.String()
}

func isZeroDefault(f *flag.Flag) bool {
	switch f.DefValue {
	case "", "0", "false", "0s", "[]":
		return true
	}
	return false
}

func firstSentence(s string) string {
	if i := strings.Index(s, "; "); i > 0 {
		s = s[:i]
	}
	return strings.TrimSuffix(s, ".")
}

// wrap breaks text into lines of at most width columns, continuing lines
// indented by indent (the first line's indent is the caller's).
func wrap(text string, indent, width int) string {
	var b strings.Builder
	col := indent
	for i, word := range strings.Fields(text) {
		if i > 0 && col+1+len(word) > width {
			b.WriteString("\n" + strings.Repeat(" ", indent))
			col = indent
		} else if i > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}
