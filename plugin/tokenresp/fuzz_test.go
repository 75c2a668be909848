package tokenresp

import (
	"testing"
	"time"
)

// FuzzParse: any status, content type and body; no panic, and success
// always means a usable token.
func FuzzParse(f *testing.F) {
	for _, s := range []struct {
		status int
		ct     string
		body   string
	}{
		{200, "application/json", `{"access_token":"a","token_type":"Bearer","expires_in":3600,"refresh_token":"r"}`},
		{200, "application/x-www-form-urlencoded", "access_token=a&token_type=bearer&scope=repo"},
		{200, "application/json", `{"error":"bad_verification_code","error_description":"x"}`},
		{200, "application/json", `{"access_token":"a","expires_in":"3599","expires_at":1800000000}`},
		{400, "application/json", `{"error":"invalid_grant"}`},
		{503, "text/html", "<html>down</html>"},
		{200, "", `{"access_token":"a","expires_in":null`},
	} {
		f.Add(s.status, s.ct, []byte(s.body))
	}
	now := time.Unix(1_800_000_000, 0)
	f.Fuzz(func(t *testing.T, status int, ct string, body []byte) {
		tok, err := Parse(status, ct, body, now)
		if err == nil && (tok == nil || tok.AccessToken == "") {
			t.Fatalf("accepted a response without an access token: %+v", tok)
		}
		if err == nil && (status < 200 || status > 299) {
			t.Fatalf("accepted HTTP %d as a token", status)
		}
	})
}
