package dexop

// Playing the user's browser against Dex over plain HTTP. With the
// mockCallback connector and no approval screen there is nothing to fill in
// during a login: the code flow is redirects only, and the device flow adds
// one form (the user code) in front of the same login.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/wasmlogin/wasmlogin/internal/webpage"
)

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
	p, err := webpage.Load(webpage.NewBrowser(), req)
	if err != nil {
		return p.URL.String(), fmt.Errorf("dexop: following the login from %s: %w", authURL, err)
	}
	if p.URL.Host == start.Host {
		return p.URL.String(), fmt.Errorf("dexop: Dex did not redirect to the client; it answered %s with HTTP %d: %s",
			p.URL, p.Status, pageText(p.Body))
	}
	return p.URL.String(), nil
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
	browser := webpage.NewBrowser()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("dexop: %w", err)
	}
	p, err := webpage.Load(browser, req)
	if err != nil {
		return fmt.Errorf("dexop: opening the device page: %w", err)
	}
	f, values, ok := postForm(p)
	if !ok || p.Status != http.StatusOK {
		return fmt.Errorf("dexop: no user code form at %s (HTTP %d): %s", p.URL, p.Status, pageText(p.Body))
	}
	if values.Get("user_code") == "" {
		return fmt.Errorf("dexop: the device page %s has no user code filled in (use verification_uri_complete)", p.URL)
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, f.Action, strings.NewReader(values.Encode()))
	if err != nil {
		return fmt.Errorf("dexop: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.URL.Scheme+"://"+p.URL.Host)
	req.Header.Set("Referer", p.URL.String())
	if p, err = webpage.Load(browser, req); err != nil {
		return fmt.Errorf("dexop: submitting the user code: %w", err)
	}
	if p.URL.Path == PathDeviceCallback && p.Status == http.StatusOK && strings.Contains(p.Body, "Login Successful") {
		return nil
	}
	if strings.Contains(p.Body, "Invalid or Expired User Code") {
		return fmt.Errorf("dexop: Dex rejected user code %q: invalid or expired", values.Get("user_code"))
	}
	return fmt.Errorf("dexop: the device login did not succeed; it ended at %s with HTTP %d: %s", p.URL, p.Status, pageText(p.Body))
}

// postForm finds the first POST form on the page, with the values its
// inputs carry (Dex's device page: one text input user_code).
func postForm(p *webpage.Page) (webpage.Form, url.Values, bool) {
	forms := p.PostForms()
	if len(forms) == 0 {
		return webpage.Form{}, nil, false
	}
	values := url.Values{}
	for _, in := range forms[0].Inputs {
		switch in.Type {
		case "submit", "button", "checkbox", "radio":
			continue
		}
		if in.Name != "" {
			values.Set(in.Name, in.Value)
		}
	}
	return forms[0], values, true
}

var panelRe = regexp.MustCompile(`(?is)<div class="theme-panel">(.*?)</div>`)

// pageText is the gist of a Dex page: the text of its panel (an error page's
// heading and message), else of the whole body, shortened.
func pageText(body string) string {
	if m := panelRe.FindStringSubmatch(body); m != nil {
		body = m[1]
	}
	return webpage.Text(body)
}
