// Package autologin plays the user in a browser against the example OP of
// internal/testop, over plain HTTP: it opens the authorization URL, fills in
// the OP's login form and follows the redirects back to the client's
// redirect_uri, which it really requests (that GET is what delivers the
// authorization code to the program under test).
package autologin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/wasmlogin/wasmlogin/internal/webpage"
)

// Follow opens authURL like a browser (cookie jar, redirects followed), logs
// in with username and password on the OP's login page
// (/login/username?authRequestID=...: a form POSTing id, username and
// password to /login/username) and follows the redirects that come back,
// including the one to the client's redirect_uri. It returns the URL of the
// last page loaded.
//
// The outcome is success (nil error) once a page outside the OP's host:port
// has been loaded, whatever it says: a redirect_uri carrying error=... is
// followed and counts as success, since delivering it is the browser's whole
// job. An error is returned when the browsing stops at the OP (an error page
// such as an unknown client or redirect_uri, or rejected credentials), when
// a request fails (e.g. nothing listens on the redirect_uri) or ctx ends;
// finalURL is then the last URL reached, if any.
func Follow(ctx context.Context, authURL, username, password string) (finalURL string, err error) {
	start, err := url.Parse(authURL)
	if err != nil || (start.Scheme != "http" && start.Scheme != "https") || start.Host == "" {
		return "", fmt.Errorf("autologin: not an absolute http(s) URL: %q", authURL)
	}
	client := webpage.NewBrowser()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", fmt.Errorf("autologin: %w", err)
	}
	page, err := webpage.Load(client, req)
	if err != nil {
		return lastURL(page, authURL), fmt.Errorf("autologin: opening the authorization URL: %w", err)
	}

	submitted := false
	for form, ok := loginForm(page); ok; form, ok = loginForm(page) {
		if submitted {
			// The OP rendered its login form again: credentials rejected.
			msg := loginError(page.Body)
			if msg == "" {
				msg = "the login form was shown again"
			}
			return page.URL.String(), fmt.Errorf("autologin: login as %q rejected at %s: %s", username, page.URL, msg)
		}
		submitted = true
		form.values.Set(form.userField, username)
		form.values.Set(form.passField, password)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, form.action, strings.NewReader(form.values.Encode()))
		if err != nil {
			return page.URL.String(), fmt.Errorf("autologin: %w", err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", page.URL.Scheme+"://"+page.URL.Host)
		req.Header.Set("Referer", page.URL.String())
		prev := page.URL.String()
		page, err = webpage.Load(client, req)
		if err != nil {
			return lastURL(page, prev), fmt.Errorf("autologin: submitting the login form to %s: %w", form.action, err)
		}
	}

	if page.URL.Host == start.Host {
		// Never left the authorization server: it stopped us with a page.
		return page.URL.String(), fmt.Errorf("autologin: the authorization server did not redirect to the client; it answered %s with HTTP %d: %s",
			page.URL, page.Status, webpage.Text(page.Body))
	}
	return page.URL.String(), nil
}

// lastURL is the page's URL, or fallback when no page was loaded.
func lastURL(p *webpage.Page, fallback string) string {
	if p == nil || p.URL == nil {
		return fallback
	}
	return p.URL.String()
}

type form struct {
	action               string
	values               url.Values
	userField, passField string
}

var errorRe = regexp.MustCompile(`(?is)<p\b[^>]*color:\s*red[^>]*>(.*?)</p>`)

// loginForm finds a POST form with a password field on the page: the
// example OP's login page (templates/login.html: hidden "id", "username",
// "password", POSTed to /login/username).
func loginForm(p *webpage.Page) (form, bool) {
	if p == nil || p.Status != http.StatusOK {
		return form{}, false
	}
	for _, pf := range p.PostForms() {
		f := form{action: pf.Action, values: url.Values{}}
		for _, in := range pf.Inputs {
			if in.Name == "" {
				continue
			}
			switch in.Type {
			case "hidden":
				f.values.Set(in.Name, in.Value)
			case "password":
				f.passField = in.Name
			case "submit", "button", "checkbox", "radio":
			default:
				if in.Name == "password" {
					// The example's template has no type="password".
					f.passField = in.Name
				} else if f.userField == "" {
					f.userField = in.Name
				}
			}
		}
		if f.passField != "" && f.userField != "" {
			return f, true
		}
	}
	return form{}, false
}

// loginError extracts the example login page's error text (a red <p>).
func loginError(body string) string {
	if m := errorRe.FindStringSubmatch(body); m != nil {
		return webpage.Text(m[1])
	}
	return ""
}

// ApproveDevice plays the user approving (allow) or denying a device flow
// request on the example OP's pages: it opens verificationURI with the
// user_code, submits the device login form (user_code, username, password;
// POST /device/login) and presses Allow or Deny on the confirmation page
// (GET /device/confirm?action=allowed|denied).
func ApproveDevice(ctx context.Context, verificationURI, userCode, username, password string, allow bool) error {
	u, err := url.Parse(verificationURI)
	if err != nil || u.Host == "" {
		return fmt.Errorf("autologin: not an absolute URL: %q", verificationURI)
	}
	q := u.Query()
	q.Set("user_code", userCode)
	u.RawQuery = q.Encode()
	client := webpage.NewBrowser()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("autologin: %w", err)
	}
	p, err := webpage.Load(client, req)
	if err != nil {
		return fmt.Errorf("autologin: opening the device verification page: %w", err)
	}
	f, ok := loginForm(p)
	if !ok {
		return fmt.Errorf("autologin: no login form at %s (HTTP %d): %s", p.URL, p.Status, webpage.Text(p.Body))
	}
	f.values.Set(f.userField, username)
	f.values.Set(f.passField, password)
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, f.action, strings.NewReader(f.values.Encode()))
	if err != nil {
		return fmt.Errorf("autologin: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p, err = webpage.Load(client, req); err != nil {
		return fmt.Errorf("autologin: submitting the device login form: %w", err)
	}
	if prompt := p.URL.Query().Get("prompt"); prompt != "" || p.Status != http.StatusOK {
		if s, err := url.QueryUnescape(prompt); err == nil {
			prompt = s
		}
		return fmt.Errorf("autologin: device login rejected (HTTP %d at %s): %s", p.Status, p.URL, prompt)
	}

	action := "denied"
	if allow {
		action = "allowed"
	}
	confirm, err := p.URL.Parse("./confirm?action=" + action)
	if err != nil {
		return err
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, confirm.String(), nil)
	if err != nil {
		return fmt.Errorf("autologin: %w", err)
	}
	if p, err = webpage.Load(client, req); err != nil {
		return fmt.Errorf("autologin: confirming the device: %w", err)
	}
	if !strings.Contains(p.Body, "Device authorization "+action) {
		msg := p.URL.Query().Get("prompt")
		if s, err := url.QueryUnescape(msg); err == nil {
			msg = s
		}
		if msg == "" {
			msg = webpage.Text(p.Body)
		}
		return fmt.Errorf("autologin: device confirmation failed (HTTP %d at %s): %s", p.Status, p.URL, msg)
	}
	return nil
}
