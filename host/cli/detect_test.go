package cli

import "testing"

func TestDetectSession(t *testing.T) {
	cases := []struct {
		name            string
		env             map[string]string
		goos            string
		embedder        bool
		remote, browser bool
	}{
		{"linux desktop", map[string]string{"DISPLAY": ":0"}, "linux", false, false, true},
		{"wayland desktop", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, "linux", false, false, true},
		{"ssh", map[string]string{"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"}, "linux", false, true, false},
		{"ssh with a tty only", map[string]string{"SSH_TTY": "/dev/pts/1", "DISPLAY": "localhost:10.0"}, "linux", false, true, false},
		{"ssh with BROWSER", map[string]string{"SSH_CONNECTION": "x", "BROWSER": "w3m"}, "linux", false, true, true},
		{"headless linux", map[string]string{}, "linux", false, true, false},
		{"headless linux with BROWSER", map[string]string{"BROWSER": "lynx"}, "linux", false, false, true},
		{"macOS has no DISPLAY", map[string]string{}, "darwin", false, false, true},
		{"windows", map[string]string{}, "windows", false, false, true},
		{"embedder's browser", map[string]string{"SSH_CONNECTION": "x"}, "linux", true, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := detectSession(func(k string) string { return c.env[k] }, c.goos, c.embedder)
			if got.remote != c.remote || got.browserUsable != c.browser {
				t.Fatalf("got remote=%v browser=%v, want %v %v", got.remote, got.browserUsable, c.remote, c.browser)
			}
		})
	}
}
