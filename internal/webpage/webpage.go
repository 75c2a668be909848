// Package webpage is the scripted user of the test harnesses (testop's
// autologin and dexop): a browser-like client, pages loaded through it, the
// POST forms on a page, and a page's text shortened for error messages.
// Which form to fill, and with what, stays with each harness.
package webpage

import (
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

// NewBrowser returns a client that keeps cookies and follows redirects.
func NewBrowser() *http.Client {
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

// Page is the final response to a request.
type Page struct {
	URL    *url.URL // after redirects
	Status int
	Body   string
}

// Load sends req, following redirects, and reads the final response. The
// returned page is never nil: on a failed request in a redirect chain it
// carries the URL that failed.
func Load(client *http.Client, req *http.Request) (*Page, error) {
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			if u, perr := url.Parse(uerr.URL); perr == nil {
				return &Page{URL: u}, err
			}
		}
		return &Page{URL: req.URL}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	p := &Page{URL: resp.Request.URL, Status: resp.StatusCode, Body: string(body)}
	if err != nil {
		return p, fmt.Errorf("reading %s: %w", resp.Request.URL, err)
	}
	return p, nil
}

// Form is a POST form, its action resolved against the page.
type Form struct {
	Action string
	Inputs []Input
}

// Input is an <input> of a form; Type is lower-case.
type Input struct{ Name, Type, Value string }

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRe = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`(?is)([a-z][a-z0-9_-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))`)
	tagRe   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRe = regexp.MustCompile(`\s+`)
)

// PostForms lists the page's POST forms in order.
func (p *Page) PostForms() []Form {
	var forms []Form
	for _, m := range formRe.FindAllStringSubmatch(p.Body, -1) {
		fa := attrs(m[1])
		if !strings.EqualFold(fa["method"], "post") {
			continue
		}
		action, err := p.URL.Parse(fa["action"]) // "" resolves to the page itself
		if err != nil {
			continue
		}
		f := Form{Action: action.String()}
		for _, in := range inputRe.FindAllStringSubmatch(m[2], -1) {
			ia := attrs(in[1])
			f.Inputs = append(f.Inputs, Input{Name: ia["name"], Type: strings.ToLower(ia["type"]), Value: ia["value"]})
		}
		forms = append(forms, f)
	}
	return forms
}

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRe.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2] + a[3] + a[4])
	}
	return m
}

// Text is the text of an HTML fragment, spaces collapsed, shortened to 300
// bytes: enough to say in an error what a page said.
func Text(fragment string) string {
	s := html.UnescapeString(tagRe.ReplaceAllString(fragment, " "))
	s = strings.TrimSpace(spaceRe.ReplaceAllString(s, " "))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
}
