package browser

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// fakeBrowser writes a script that records its arguments, one per line, to
// out. The script's directory name contains a space to exercise quoting.
func fakeBrowser(t *testing.T) (script, out string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("uses a POSIX shell script")
	}
	dir := filepath.Join(t.TempDir(), "my browser")
	os.Mkdir(dir, 0o755)
	out = filepath.Join(dir, "argv.txt")
	script = filepath.Join(dir, "fake-browser")
	body := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"" + out + ".tmp\"\nmv \"" + out + ".tmp\" \"" + out + "\"\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script, out
}

// readArgs waits for the script (which Open does not wait for) to finish.
func readArgs(t *testing.T, out string) []string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(out); err == nil {
			return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the BROWSER command never ran")
	return nil
}

const testURL = "https://issuer.example/authorize?client_id=cli&state=a%20b&code_challenge=x&redirect_uri=http%3A%2F%2F127.0.0.1"

func TestBrowserVarGetsURLAsOneArgument(t *testing.T) {
	script, out := fakeBrowser(t)
	t.Setenv("BROWSER", "'"+script+"'")
	if err := Open(testURL); err != nil {
		t.Fatal(err)
	}
	if got := readArgs(t, out); !reflect.DeepEqual(got, []string{testURL}) {
		t.Fatalf("argv = %q", got)
	}
}

func TestBrowserVarWithExtraArgs(t *testing.T) {
	script, out := fakeBrowser(t)
	t.Setenv("BROWSER", `"`+script+`" --new-window --profile 'Work Profile'`)
	if err := Open(testURL); err != nil {
		t.Fatal(err)
	}
	want := []string{"--new-window", "--profile", "Work Profile", testURL}
	if got := readArgs(t, out); !reflect.DeepEqual(got, want) {
		t.Fatalf("argv = %q, want %q", got, want)
	}
}

func TestBrowserVarMissingProgram(t *testing.T) {
	t.Setenv("BROWSER", "/nonexistent/browser-for-wasmlogin-tests")
	err := Open(testURL)
	if err == nil || !strings.Contains(err.Error(), "BROWSER") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "issuer.example") {
		t.Fatalf("error repeats the URL: %v", err)
	}
}

func TestBrowserVarUnterminatedQuote(t *testing.T) {
	t.Setenv("BROWSER", `"firefox`)
	if err := Open(testURL); err == nil || !strings.Contains(err.Error(), "unterminated") {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultOpenerUsedWithoutBrowserVar(t *testing.T) {
	t.Setenv("BROWSER", "")
	var got string
	restore := openDefault
	t.Cleanup(func() { openDefault = restore })

	openDefault = func(u string) error { got = u; return nil }
	if err := Open(testURL); err != nil || got != testURL {
		t.Fatalf("err %v, opener got %q", err, got)
	}

	openDefault = func(string) error { return errors.New("exec: \"xdg-open\": executable file not found in $PATH") }
	if err := Open(testURL); err == nil || !strings.Contains(err.Error(), "open the URL yourself") {
		t.Fatalf("err = %v", err)
	}
}

func TestSplitWords(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"firefox", []string{"firefox"}},
		{"  firefox   --new-tab ", []string{"firefox", "--new-tab"}},
		{`'/opt/my browser/bin' -x`, []string{"/opt/my browser/bin", "-x"}},
		{`"/opt/my browser/bin" "a\"b" "c\d"`, []string{"/opt/my browser/bin", `a"b`, `c\d`}},
		{`my\ browser`, []string{"my browser"}},
		{`a''b ""`, []string{"ab", ""}},
		{"", nil},
	}
	for _, c := range cases {
		got, err := splitWordsWith(c.in, true)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitWords(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if got, _ := splitWordsWith(`C:\Program Files\x.exe`, false); !reflect.DeepEqual(got, []string{`C:\Program`, `Files\x.exe`}) {
		t.Errorf("windows split = %q", got)
	}
	if got, _ := splitWordsWith(`"C:\Program Files\x.exe" -new`, false); !reflect.DeepEqual(got, []string{`C:\Program Files\x.exe`, "-new"}) {
		t.Errorf("windows quoted split = %q", got)
	}
	for _, bad := range []string{`"abc`, `'abc`, `abc\`} {
		if _, err := splitWordsWith(bad, true); err == nil {
			t.Errorf("splitWords(%q) accepted", bad)
		}
	}
}

// Open hands only web pages to a program: no other scheme, no plain http
// off this machine, nothing a browser or opener could read as an option or
// as more than one argument. Nothing runs for a refused address.
func TestOpenRefusesAnythingButWebPages(t *testing.T) {
	restore := openDefault
	t.Cleanup(func() { openDefault = restore })
	var opened []string
	openDefault = func(u string) error { opened = append(opened, u); return nil }
	script, out := fakeBrowser(t)

	refused := map[string]string{
		"file:///etc/passwd":                     `"file"`,
		"javascript:alert(document.cookie)":      `"javascript"`,
		"JavaScript://x/%0Aalert(1)":             `"javascript"`,
		"JavaScript://%0Aalert(1)":               "not a web address",
		"ms-settings:":                           `"ms-settings"`,
		"smb://fileserver/share":                 `"smb"`,
		"https:opaque":                           "not an absolute web address",
		"https:///no-host":                       "not an absolute web address",
		"-flag":                                  "starts with '-'",
		"--new-window=https://issuer.example/":   "starts with '-'",
		"http://issuer.example/authorize":        `plain http address on "issuer.example"`,
		"http://10.0.0.1/authorize":              "plain http",
		"https://issuer.example/a\nhttps://b":    "control characters",
		"https://issuer.example/a b":             "spaces",
		"https://issuer.example/\x00":            "control characters",
		"https://accounts.example@evil.example/": "user name or password",
		"":                                       "empty",
	}
	for u, want := range refused {
		for _, browserVar := range []string{"", "'" + script + "'"} {
			t.Setenv("BROWSER", browserVar)
			err := Open(u)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Open(%q) with BROWSER=%q: err = %v, want it to say %q", u, browserVar, err, want)
			}
		}
	}
	if len(opened) != 0 {
		t.Fatalf("the platform opener ran for %q", opened)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("the BROWSER program ran for a refused address")
	}

	t.Setenv("BROWSER", "")
	for _, u := range []string{"https://issuer.example/authorize?x=1", "http://127.0.0.1:5556/dex/auth",
		"http://127.9.0.1/x", "http://[::1]:8080/x", "http://LOCALHOST:1/x", "HTTPS://issuer.example/"} {
		if err := Open(u); err != nil {
			t.Errorf("Open(%q) = %v", u, err)
		}
	}
	if len(opened) != 6 {
		t.Fatalf("opened %q", opened)
	}
}
