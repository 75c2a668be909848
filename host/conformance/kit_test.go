package conformance_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"
)

// kit is cases.json: the host configuration every case starts from, and
// the cases. README.md describes each field; the Node and Python runners
// read the same file the same way.
type kit struct {
	Host            hostConfig `json:"host"`
	HostFileContent string     `json:"host_file_content"`
	Cases           []kitCase  `json:"cases"`
}

type hostConfig struct {
	Issuer        string            `json:"issuer"`
	Profiles      []string          `json:"profiles"`
	Store         map[string]string `json:"store"`
	HTTPTimeoutMS int               `json:"http_timeout_ms"`
	CallTimeoutMS int               `json:"call_timeout_ms"`
}

func (h hostConfig) httpTimeout() time.Duration {
	return time.Duration(h.HTTPTimeoutMS) * time.Millisecond
}

type kitCase struct {
	Name string `json:"name"`
	Rule string `json:"rule"`
	Why  string `json:"why"`
	Host struct {
		Issuer string `json:"issuer"`
	} `json:"host"`
	Export string          `json:"export"`
	Input  json.RawMessage `json:"input"`
	Expect struct {
		Error string         `json:"error"`
		OK    map[string]any `json:"ok"`
		Trap  bool           `json:"trap"`
		Any   bool           `json:"any"`
	} `json:"expect"`
	NeverContacted          []string           `json:"never_contacted"`
	BrowserOpened           any                `json:"browser_opened"` // false, or the one URL
	StoreAfter              map[string]*string `json:"store_after"`    // null: absent
	ReplyExcludes           []string           `json:"reply_excludes"`
	HostSurvives            bool               `json:"host_survives"`
	ClockWithinMS           int64              `json:"clock_within_ms"`
	DiffersBetweenInstances bool               `json:"differs_between_instances"`
	MayHang                 bool               `json:"may_hang"`

	// config is the kit's host configuration with this case's overrides.
	config hostConfig
}

var placeholder = regexp.MustCompile(`\{([a-z0-9_]+)\}`)

// loadKit reads path and fills in every {placeholder} of every case: vars
// (the fault server's origins, the host file), then {issuer}, which is
// the case's own configured issuer.
func loadKit(path string, vars map[string]string) (*kit, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Host            hostConfig        `json:"host"`
		HostFileContent string            `json:"host_file_content"`
		Cases           []json.RawMessage `json:"cases"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	k := &kit{Host: doc.Host, HostFileContent: doc.HostFileContent}
	vars["host_file_content"] = doc.HostFileContent
	for _, rc := range doc.Cases {
		var generic any
		json.Unmarshal(rc, &generic)
		var c kitCase
		json.Unmarshal(rc, &c)
		cfg := doc.Host
		if c.Host.Issuer != "" {
			cfg.Issuer = c.Host.Issuer
		}
		issuer, err := fill(cfg.Issuer, vars)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.Name, err)
		}
		cfg.Issuer = issuer
		caseVars := map[string]string{"issuer": issuer}
		for k, v := range vars {
			caseVars[k] = v
		}
		filled, err := fillAll(generic, caseVars)
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.Name, err)
		}
		b, _ := json.Marshal(filled)
		c = kitCase{}
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("case %s: %w", c.Name, err)
		}
		c.config = cfg
		k.Cases = append(k.Cases, c)
	}
	return k, nil
}

// fill replaces each {name} in s; an unknown name is a mistake in the kit.
func fill(s string, vars map[string]string) (string, error) {
	var missing string
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := vars[m[1:len(m)-1]]
		if !ok {
			missing = m
		}
		return v
	})
	if missing != "" {
		return "", fmt.Errorf("unknown placeholder %s", missing)
	}
	return out, nil
}

func fillAll(v any, vars map[string]string) (any, error) {
	switch v := v.(type) {
	case string:
		return fill(v, vars)
	case []any:
		for i := range v {
			var err error
			if v[i], err = fillAll(v[i], vars); err != nil {
				return nil, err
			}
		}
	case map[string]any:
		for k := range v {
			var err error
			if v[k], err = fillAll(v[k], vars); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// outcome is what one export call gave: its output, or the error of a
// call that did not return (a trap, a timeout).
type outcome struct {
	out []byte
	err error
}

// reply is the output as the JSON envelope every export answers with.
type reply struct {
	OK    any `json:"ok"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	parsed bool
}

func (o outcome) reply() reply {
	var r reply
	if o.err == nil && json.Unmarshal(o.out, &r) == nil {
		r.parsed = true
	}
	return r
}

// String shows what happened, shortened: a reply can hold a 1 MiB body.
func (o outcome) String() string {
	if o.err != nil {
		return "the call failed: " + shorten(o.err.Error())
	}
	return "reply " + shorten(string(o.out))
}

func shorten(s string) string {
	if len(s) > 600 {
		return s[:600] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}

// checkExpect compares an outcome with the case's "expect".
func checkExpect(c kitCase, o outcome) []string {
	r := o.reply()
	e := c.Expect
	switch {
	case e.Any:
		return nil
	case e.Trap:
		if o.err == nil {
			return []string{fmt.Sprintf("expected the call to fail (a trap or a timeout); got %s", o)}
		}
	case e.Error != "":
		if !r.parsed || r.Error == nil || r.Error.Code != e.Error {
			return []string{fmt.Sprintf("expected error %q; got %s", e.Error, o)}
		}
	case e.OK != nil:
		if !r.parsed || r.OK == nil || !subset(e.OK, r.OK) {
			b, _ := json.Marshal(e.OK)
			return []string{fmt.Sprintf("expected ok with %s; got %s", b, o)}
		}
	default:
		return []string{"the case expects nothing: a mistake in cases.json"}
	}
	return nil
}

// subset reports whether every member of want is in got with the same
// value (recursively for objects).
func subset(want, got any) bool {
	if w, ok := want.(map[string]any); ok {
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			if !subset(v, g[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(want, got)
}

// checkExcludes fails when the reply, or the error, shows a secret.
func checkExcludes(c kitCase, o outcome) []string {
	var problems []string
	text := string(o.out)
	if o.err != nil {
		text = o.err.Error()
	}
	for _, s := range c.ReplyExcludes {
		if strings.Contains(text, s) {
			problems = append(problems, fmt.Sprintf("the reply reveals %q: %s", s, o))
		}
	}
	return problems
}

// checkClock compares the guest's clock with the host's readings taken
// just before and after the call.
func checkClock(c kitCase, o outcome, before, after time.Time) []string {
	if c.ClockWithinMS == 0 {
		return nil
	}
	ok, _ := o.reply().OK.(map[string]any)
	ms, isNumber := ok["unix_ms"].(float64)
	lo, hi := before.UnixMilli()-c.ClockWithinMS, after.UnixMilli()+c.ClockWithinMS
	if !isNumber || int64(ms) < lo || int64(ms) > hi {
		return []string{fmt.Sprintf("the guest's clock is not the host's: expected unix_ms in [%d, %d]; got %s", lo, hi, o)}
	}
	return nil
}
