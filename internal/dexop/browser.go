package dexop

// Playing the user's browser against Dex over plain HTTP. With the
// mockCallback connector and no approval screen there is nothing to fill in
// during a login: the code flow is redirects only, and the device flow adds
// one form (the user code) in front of the same login.

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

func newBrowser() *http.Client {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			return nil
		},
	}
}

// FollowLogin opens authURL like a browser (cookie jar, redirects
// followed): Dex's /auth sends it to the mock connector, which signs the
// user in at once, and Dex then redirects to the client's redirect_uri,
// which is really requested (that GET is what delivers the code, or an
// error=..., to the program under test). It returns the URL of the last page
// loaded.
//
// The outcome is success (nil error) once a page outside Dex's host:port has
// been loaded, whatever it says: a redirect_uri carrying error=... counts as
// success, since delivering it is the browser's whole job. An error is
// returned when the browsing stops at Dex (an error page such as "Invalid
// client_id." or "Unregistered redirect_uri."), when a request fails (e.g.
// nothing listens on the redirect_uri) or ctx ends; finalURL is then the last
// URL reached, if any.
func FollowLogin(ctx context.Context, authURL string) (finalURL string, err error) {
	start, err := url.Parse(authURL)
	if err != nil || (start.Scheme != "http" && start.Scheme != "https") || start.Host == "" {
		return "", fmt.Errorf("dexop: not an absolute http(s) URL: %q", authURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", fmt.Errorf("dexop: %w", err)
	}
	p, err := load(newBrowser(), req)
	if err != nil {
		return p.url.String(), fmt.Errorf("dexop: following the login from %s: %w", authURL, err)
	}
	if p.url.Host == start.Host {
		return p.url.String(), fmt.Errorf("dexop: Dex did not redirect to the client; it answered %s with HTTP %d: %s",
			p.url, p.status, pageText(p.body))
	}
	return p.url.String(), nil
}

// ApproveDevice completes the user side of a device flow on op for
// userCode: see ApproveDeviceURL.
func ApproveDevice(ctx context.Context, op *OP, userCode string) error {
	return ApproveDeviceURL(ctx, op.URL(PathDevice)+"?"+url.Values{"user_code": {userCode}}.Encode())
}

// ApproveDeviceURL plays the user of a device flow, given the
// verification_uri_complete (Dex's /device?user_code=XXXX-XXXX): it loads
// the page, submits its form with the pre-filled user code (POST
// /device/auth/verify_code), and follows Dex's redirects through the normal
// login (/auth, the mock connector, /callback) to /device/callback, which
// marks the device code as authorized and shows "Login Successful". Dex
// has no deny button, so there is no way to refuse.
func ApproveDeviceURL(ctx context.Context, verificationURIComplete string) error {
	u, err := url.Parse(verificationURIComplete)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("dexop: not an absolute http(s) URL: %q", verificationURIComplete)
	}
	browser := newBrowser()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("dexop: %w", err)
	}
	p, err := load(browser, req)
	if err != nil {
		return fmt.Errorf("dexop: opening the device page: %w", err)
	}
	f, ok := postForm(p)
	if !ok || p.status != http.StatusOK {
		return fmt.Errorf("dexop: no user code form at %s (HTTP %d): %s", p.url, p.status, pageText(p.body))
	}
	if f.values.Get("user_code") == "" {
		return fmt.Errorf("dexop: the device page %s has no user code filled in (use verification_uri_complete)", p.url)
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, f.action, strings.NewReader(f.values.Encode()))
	if err != nil {
		return fmt.Errorf("dexop: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.url.Scheme+"://"+p.url.Host)
	req.Header.Set("Referer", p.url.String())
	if p, err = load(browser, req); err != nil {
		return fmt.Errorf("dexop: submitting the user code: %w", err)
	}
	if p.url.Path == PathDeviceCallback && p.status == http.StatusOK && strings.Contains(p.body, "Login Successful") {
		return nil
	}
	if strings.Contains(p.body, "Invalid or Expired User Code") {
		return fmt.Errorf("dexop: Dex rejected user code %q: invalid or expired", f.values.Get("user_code"))
	}
	return fmt.Errorf("dexop: the device login did not succeed; it ended at %s with HTTP %d: %s", p.url, p.status, pageText(p.body))
}

type page struct {
	url    *url.URL // after redirects
	status int
	body   string
}

// load sends req, following redirects, and reads the final response. The
// returned page is never nil: on a failed request in a redirect chain it
// carries the URL that failed.
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
	action string
	values url.Values
}

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRe = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`(?is)([a-z][a-z0-9_-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
	panelRe = regexp.MustCompile(`(?is)<div class="theme-panel">(.*?)</div>`)
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

// postForm finds the first POST form on the page, with the values its
// inputs carry (Dex's device page: one text input user_code).
func postForm(p *page) (form, bool) {
	for _, m := range formRe.FindAllStringSubmatch(p.body, -1) {
		fa := attrs(m[1])
		if !strings.EqualFold(fa["method"], "post") {
			continue
		}
		action, err := p.url.Parse(fa["action"]) // "" resolves to the page itself
		if err != nil {
			continue
		}
		f := form{action: action.String(), values: url.Values{}}
		for _, in := range inputRe.FindAllStringSubmatch(m[2], -1) {
			ia := attrs(in[1])
			switch strings.ToLower(ia["type"]) {
			case "submit", "button", "checkbox", "radio":
				continue
			}
			if name := ia["name"]; name != "" {
				f.values.Set(name, ia["value"])
			}
		}
		return f, true
	}
	return form{}, false
}

// pageText is the gist of a Dex page: the text of its panel (an error page's
// heading and message), else of the whole body, shortened.
func pageText(body string) string {
	s := body
	if m := panelRe.FindStringSubmatch(body); m != nil {
		s = m[1]
	}
	s = html.UnescapeString(tagRe.ReplaceAllString(s, " "))
	s = strings.TrimSpace(spaceRe.ReplaceAllString(s, " "))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
}
