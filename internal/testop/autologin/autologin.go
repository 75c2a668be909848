// Package autologin plays the user in a browser against the example OP of
// internal/testop, over plain HTTP: it opens the authorization URL, fills in
// the OP's login form and follows the redirects back to the client's
// redirect_uri, which it really requests (that GET is what delivers the
// authorization code to the program under test).
package autologin

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// maxRedirects bounds the redirects followed per request, as browsers do.
const maxRedirects = 20

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
	jar, err := cookiejar.New(nil)
	if err != nil {
		return "", err
	}
	client := &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			return nil
		},
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", fmt.Errorf("autologin: %w", err)
	}
	page, err := load(client, req)
	if err != nil {
		return page.lastURL(authURL), fmt.Errorf("autologin: opening the authorization URL: %w", err)
	}

	submitted := false
	for form, ok := loginForm(page); ok; form, ok = loginForm(page) {
		if submitted {
			// The OP rendered its login form again: credentials rejected.
			msg := loginError(page.body)
			if msg == "" {
				msg = "the login form was shown again"
			}
			return page.url.String(), fmt.Errorf("autologin: login as %q rejected at %s: %s", username, page.url, msg)
		}
		submitted = true
		form.values.Set(form.userField, username)
		form.values.Set(form.passField, password)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, form.action, strings.NewReader(form.values.Encode()))
		if err != nil {
			return page.url.String(), fmt.Errorf("autologin: %w", err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", page.url.Scheme+"://"+page.url.Host)
		req.Header.Set("Referer", page.url.String())
		prev := page.url.String()
		page, err = load(client, req)
		if err != nil {
			return page.lastURL(prev), fmt.Errorf("autologin: submitting the login form to %s: %w", form.action, err)
		}
	}

	if page.url.Host == start.Host {
		// Never left the authorization server: it stopped us with a page.
		return page.url.String(), fmt.Errorf("autologin: the authorization server did not redirect to the client; it answered %s with HTTP %d: %s",
			page.url, page.status, excerpt(page.body))
	}
	return page.url.String(), nil
}

type page struct {
	url    *url.URL // after redirects
	status int
	body   string
}

// lastURL is the page's URL, or fallback when no page was loaded.
func (p *page) lastURL(fallback string) string {
	if p == nil || p.url == nil {
		return fallback
	}
	return p.url.String()
}

// load sends req, following redirects, and reads the final response. On a
// failed request in a redirect chain the returned page (non-nil) carries the
// URL that failed.
func load(client *http.Client, req *http.Request) (*page, error) {
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			if u, perr := url.Parse(uerr.URL); perr == nil {
				return &page{url: u}, err
			}
		}
		return &page{url: req.URL}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	p := &page{url: resp.Request.URL, status: resp.StatusCode, body: string(body)}
	if err != nil {
		return p, fmt.Errorf("reading %s: %w", resp.Request.URL, err)
	}
	return p, nil
}

type form struct {
	action               string
	values               url.Values
	userField, passField string
}

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRe = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`(?is)([a-z][a-z0-9_-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
	errorRe = regexp.MustCompile(`(?is)<p\b[^>]*color:\s*red[^>]*>(.*?)</p>`)
	tagRe   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRe = regexp.MustCompile(`\s+`)
)

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRe.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2] + a[3] + a[4])
	}
	return m
}

// loginForm finds a POST form with a password field on the page: the
// example OP's login page (templates/login.html: hidden "id", "username",
// "password", POSTed to /login/username).
func loginForm(p *page) (form, bool) {
	if p == nil || p.status != http.StatusOK {
		return form{}, false
	}
	for _, m := range formRe.FindAllStringSubmatch(p.body, -1) {
		fa := attrs(m[1])
		if !strings.EqualFold(fa["method"], "post") {
			continue
		}
		f := form{values: url.Values{}}
		for _, in := range inputRe.FindAllStringSubmatch(m[2], -1) {
			ia := attrs(in[1])
			name := ia["name"]
			if name == "" {
				continue
			}
			switch strings.ToLower(ia["type"]) {
			case "hidden":
				f.values.Set(name, ia["value"])
			case "password":
				f.passField = name
			case "submit", "button", "checkbox", "radio":
			default:
				if name == "password" {
					// The example's template has no type="password".
					f.passField = name
				} else if f.userField == "" {
					f.userField = name
				}
			}
		}
		if f.passField == "" || f.userField == "" {
			continue
		}
		action, err := p.url.Parse(fa["action"]) // "" resolves to the page itself
		if err != nil {
			continue
		}
		f.action = action.String()
		return f, true
	}
	return form{}, false
}

// loginError extracts the example login page's error text (a red <p>).
func loginError(body string) string {
	if m := errorRe.FindStringSubmatch(body); m != nil {
		return strings.TrimSpace(html.UnescapeString(tagRe.ReplaceAllString(m[1], "")))
	}
	return ""
}

func excerpt(body string) string {
	s := html.UnescapeString(tagRe.ReplaceAllString(body, " "))
	s = strings.TrimSpace(spaceRe.ReplaceAllString(s, " "))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
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
	jar, err := cookiejar.New(nil)
	if err != nil {
		return err
	}
	client := &http.Client{Jar: jar}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("autologin: %w", err)
	}
	p, err := load(client, req)
	if err != nil {
		return fmt.Errorf("autologin: opening the device verification page: %w", err)
	}
	f, ok := loginForm(p)
	if !ok {
		return fmt.Errorf("autologin: no login form at %s (HTTP %d): %s", p.url, p.status, excerpt(p.body))
	}
	f.values.Set(f.userField, username)
	f.values.Set(f.passField, password)
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, f.action, strings.NewReader(f.values.Encode()))
	if err != nil {
		return fmt.Errorf("autologin: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if p, err = load(client, req); err != nil {
		return fmt.Errorf("autologin: submitting the device login form: %w", err)
	}
	if prompt := p.url.Query().Get("prompt"); prompt != "" || p.status != http.StatusOK {
		if s, err := url.QueryUnescape(prompt); err == nil {
			prompt = s
		}
		return fmt.Errorf("autologin: device login rejected (HTTP %d at %s): %s", p.status, p.url, prompt)
	}

	action := "denied"
	if allow {
		action = "allowed"
	}
	confirm, err := p.url.Parse("./confirm?action=" + action)
	if err != nil {
		return err
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, confirm.String(), nil)
	if err != nil {
		return fmt.Errorf("autologin: %w", err)
	}
	if p, err = load(client, req); err != nil {
		return fmt.Errorf("autologin: confirming the device: %w", err)
	}
	if !strings.Contains(p.body, "Device authorization "+action) {
		msg := p.url.Query().Get("prompt")
		if s, err := url.QueryUnescape(msg); err == nil {
			msg = s
		}
		if msg == "" {
			msg = excerpt(p.body)
		}
		return fmt.Errorf("autologin: device confirmation failed (HTTP %d at %s): %s", p.status, p.url, msg)
	}
	return nil
}
