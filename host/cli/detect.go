package cli

// whereWeRun is what the host can tell about its surroundings; the plugin
// decides which flow that calls for (login_choose).
type whereWeRun struct {
	// remote: an SSH session, or a Linux machine with no display and no
	// $BROWSER. A browser started for the user may then run on another
	// machine, from which the loopback redirect cannot come back.
	remote bool
	// browserUsable: a browser can be opened from here: $BROWSER names
	// one, or this is a local session with a display.
	browserUsable bool
}

// detectSession reads the environment the way ssh and desktop sessions set
// it. An embedder that supplies its own browser (Env.OpenBrowser) has said
// it can show pages to the user and receive their redirects, so its
// session counts as local.
func detectSession(getenv func(string) string, goos string, embedderBrowser bool) whereWeRun {
	if embedderBrowser {
		return whereWeRun{browserUsable: true}
	}
	browserVar := getenv("BROWSER") != ""
	ssh := getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != ""
	noDisplay := goos == "linux" && getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == ""
	remote := ssh || (noDisplay && !browserVar)
	return whereWeRun{remote: remote, browserUsable: browserVar || !remote}
}
