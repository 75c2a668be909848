package loopback

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
)

// pageStyle is the only styling; it is allowed by hash in the CSP, so the
// page loads nothing and runs nothing.
const pageStyle = `body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}` +
	`h1{font-size:1.4em}.ok{color:#1a7f37}.fail{color:#b42318}`

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>` + pageStyle + `</style>
</head>
<body>
<h1 class="{{if .Success}}ok{{else}}fail{{end}}">{{.Title}}</h1>
<p>{{.Message}}</p>
<p>You can close this tab and return to the terminal.</p>
</body>
</html>
`))

var contentSecurityPolicy = func() string {
	sum := sha256.Sum256([]byte(pageStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}()
