package tokenresp

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	jsonType = "application/json; charset=utf-8"
	formType = "application/x-www-form-urlencoded; charset=utf-8"
)

func TestParseSuccess(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		want        Token
	}{
		{
			name:        "standard JSON",
			contentType: "application/json;charset=UTF-8",
			body:        `{"access_token":"at1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt1","id_token":"h.p.s","scope":"openid email"}`,
			want:        Token{AccessToken: "at1", TokenType: "Bearer", RefreshToken: "rt1", IDToken: "h.p.s", Scope: "openid email", ExpiresAt: now.Add(time.Hour)},
		},
		{
			name:        "GitHub form-encoded",
			contentType: formType,
			body:        "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cgist&token_type=bearer",
			want:        Token{AccessToken: "gho_16C7e42F292c6912E7710c838347Ae178B4a", TokenType: "Bearer", Scope: "repo,gist"},
		},
		{
			name:        "Microsoft expires_in as string",
			contentType: jsonType,
			body:        `{"token_type":"Bearer","scope":"User.Read","expires_in":"3599","ext_expires_in":"3599","access_token":"eyJ0eXAi"}`,
			want:        Token{AccessToken: "eyJ0eXAi", TokenType: "Bearer", Scope: "User.Read", ExpiresAt: now.Add(3599 * time.Second)},
		},
		{
			name:        "Strava expires_at earlier than expires_in",
			contentType: jsonType,
			body:        `{"token_type":"Bearer","expires_at":1772370000,"expires_in":21600,"refresh_token":"e5n5","access_token":"a4b9","athlete":{"id":1}}`,
			want:        Token{AccessToken: "a4b9", TokenType: "Bearer", RefreshToken: "e5n5", ExpiresAt: time.Unix(1772370000, 0)},
		},
		{
			name:        "Strava expires_in earlier than expires_at",
			contentType: jsonType,
			body:        `{"token_type":"Bearer","expires_at":"1772400000","expires_in":60,"access_token":"a4b9"}`,
			want:        Token{AccessToken: "a4b9", TokenType: "Bearer", ExpiresAt: now.Add(time.Minute)},
		},
		{
			name:        "expires_at alone as string",
			contentType: jsonType,
			body:        `{"token_type":"Bearer","expires_at":"1772400000","access_token":"a"}`,
			want:        Token{AccessToken: "a", TokenType: "Bearer", ExpiresAt: time.Unix(1772400000, 0)},
		},
		{
			name:        "expires_in null",
			contentType: jsonType,
			body:        `{"access_token":"a","token_type":"bearer","expires_in":null}`,
			want:        Token{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			name:        "expires_in empty string",
			contentType: jsonType,
			body:        `{"access_token":"a","expires_in":""}`,
			want:        Token{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			// https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
			name:        "GitHub App user token, form-encoded, expiring",
			contentType: formType,
			body:        "access_token=ghu_16C7e42F292c6912E7710c838347Ae178B4a&expires_in=28800&refresh_token=ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498&refresh_token_expires_in=15811200&scope=&token_type=bearer",
			want: Token{AccessToken: "ghu_16C7e42F292c6912E7710c838347Ae178B4a", TokenType: "Bearer",
				RefreshToken: "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498", ExpiresAt: now.Add(8 * time.Hour)},
		},
		{
			// https://docs.gitlab.com/api/oauth2/: created_at beside expires_in.
			name:        "GitLab with created_at",
			contentType: jsonType,
			body:        `{"access_token":"c97d","token_type":"bearer","expires_in":7200,"refresh_token":"803c","created_at":1628711391}`,
			want:        Token{AccessToken: "c97d", TokenType: "Bearer", RefreshToken: "803c", ExpiresAt: now.Add(2 * time.Hour)},
		},
		{
			// https://developers.google.com/identity/protocols/oauth2/native-app#offline
			name:        "Google refresh answer: no refresh_token, no id_token",
			contentType: jsonType,
			body:        `{"access_token":"1/fFAGRNJru1FTz70BzhT3Zg","expires_in":3920,"scope":"openid email","token_type":"Bearer"}`,
			want:        Token{AccessToken: "1/fFAGRNJru1FTz70BzhT3Zg", TokenType: "Bearer", Scope: "openid email", ExpiresAt: now.Add(3920 * time.Second)},
		},
		{
			name:        "expires_in zero means unknown",
			contentType: jsonType,
			body:        `{"access_token":"a","token_type":"Bearer","expires_in":0}`,
			want:        Token{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			name:        "fractional expires_in",
			contentType: jsonType,
			body:        `{"access_token":"a","token_type":"Bearer","expires_in":1.5}`,
			want:        Token{AccessToken: "a", TokenType: "Bearer", ExpiresAt: now.Add(1500 * time.Millisecond)},
		},
		{
			name:        "no expiry, no token_type",
			contentType: jsonType,
			body:        `{"access_token":"a"}`,
			want:        Token{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			name:        "other token types kept",
			contentType: jsonType,
			body:        `{"access_token":"a","token_type":"DPoP"}`,
			want:        Token{AccessToken: "a", TokenType: "DPoP"},
		},
		{
			name: "JSON without content type",
			body: ` {"access_token":"a","token_type":"Bearer"}`,
			want: Token{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			name:        "JSON labelled text/plain",
			contentType: "text/plain; charset=utf-8",
			body:        `{"access_token":"a","token_type":"Bearer"}`,
			want:        Token{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			name:        "form labelled text/plain",
			contentType: "text/plain",
			body:        "access_token=a&expires=5183999",
			want:        Token{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			name:        "problem+json style suffix",
			contentType: "application/vnd.example+json",
			body:        `{"access_token":"a"}`,
			want:        Token{AccessToken: "a", TokenType: "Bearer"},
		},
		{
			name:        "scope as array",
			contentType: jsonType,
			body:        `{"access_token":"a","scope":["read","write"]}`,
			want:        Token{AccessToken: "a", TokenType: "Bearer", Scope: "read write"},
		},
		{
			name:        "token exchange",
			contentType: jsonType,
			body:        `{"access_token":"a","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"N_A"}`,
			want:        Token{AccessToken: "a", TokenType: "N_A", IssuedTokenType: "urn:ietf:params:oauth:token-type:access_token"},
		},
		{
			name:        "empty error field is not an error",
			contentType: jsonType,
			body:        `{"access_token":"a","error":null,"error_description":""}`,
			want:        Token{AccessToken: "a", TokenType: "Bearer"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(200, tt.contentType, []byte(tt.body), now)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !got.ExpiresAt.Equal(tt.want.ExpiresAt) {
				t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, tt.want.ExpiresAt)
			}
			got.ExpiresAt, tt.want.ExpiresAt = time.Time{}, time.Time{}
			if *got != tt.want {
				t.Errorf("got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestParseServerErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		want        ServerError
		wantText    string
	}{
		{
			name:        "GitHub 200 with form error",
			status:      200,
			contentType: formType,
			body:        "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fdocs.github.com%2Fapps",
			want:        ServerError{Status: 200, Code: "bad_verification_code", Description: "The code passed is incorrect or expired.", URI: "https://docs.github.com/apps"},
			wantText:    "server refused: bad_verification_code: The code passed is incorrect or expired.",
		},
		{
			name:        "GitHub 200 with JSON error",
			status:      200,
			contentType: jsonType,
			body:        `{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired."}`,
			want:        ServerError{Status: 200, Code: "bad_verification_code", Description: "The code passed is incorrect or expired."},
		},
		{
			name:        "error wins over access_token",
			status:      200,
			contentType: jsonType,
			body:        `{"access_token":"SECRET","error":"invalid_grant"}`,
			want:        ServerError{Status: 200, Code: "invalid_grant"},
			wantText:    "server refused: invalid_grant",
		},
		{
			name:        "400 invalid_grant",
			status:      400,
			contentType: jsonType,
			body:        `{"error":"invalid_grant","error_description":"AADSTS70008: The provided authorization code or refresh token has expired."}`,
			want:        ServerError{Status: 400, Code: "invalid_grant", Description: "AADSTS70008: The provided authorization code or refresh token has expired."},
			wantText:    "server refused: invalid_grant: AADSTS70008: The provided authorization code or refresh token has expired.",
		},
		{
			name:        "error JSON without content type",
			status:      401,
			contentType: "",
			body:        `{"error":"invalid_client"}`,
			want:        ServerError{Status: 401, Code: "invalid_client"},
		},
		{
			name:        "control characters in description",
			status:      400,
			contentType: jsonType,
			body:        `{"error":"invalid_request\u001b[2J","error_description":"line one\r\n\u001b[31mline two\u202e\t end"}`,
			want:        ServerError{Status: 400, Code: "invalid_request [2J", Description: "line one [31mline two end"},
		},
		{
			name:        "503 temporarily_unavailable",
			status:      503,
			contentType: jsonType,
			body:        `{"error":"temporarily_unavailable"}`,
			want:        ServerError{Status: 503, Code: "temporarily_unavailable"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(tt.status, tt.contentType, []byte(tt.body), now)
			var se *ServerError
			if !errors.As(err, &se) {
				t.Fatalf("Parse = %+v, %v; want *ServerError", tok, err)
			}
			if *se != tt.want {
				t.Errorf("got %+v\nwant %+v", *se, tt.want)
			}
			if tt.wantText != "" && err.Error() != tt.wantText {
				t.Errorf("Error() = %q, want %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestLongDescriptionIsCut(t *testing.T) {
	body := `{"error":"invalid_grant","error_description":"` + strings.Repeat("é", 1000) + `"}`
	_, err := Parse(400, jsonType, []byte(body), now)
	var se *ServerError
	if !errors.As(err, &se) {
		t.Fatal(err)
	}
	if n := len([]rune(se.Description)); n != maxDescriptionLen || !strings.HasSuffix(se.Description, "…") {
		t.Errorf("description has %d runes, ends %q", n, se.Description[len(se.Description)-5:])
	}
}

func TestParseHTTPErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantText    string
	}{
		{"503 HTML page", 503, "text/html; charset=utf-8", "<html><head><title>503 Service Unavailable</title></head><body>nginx</body></html>", "the server answered HTTP 503 with an HTML page"},
		{"502 HTML without content type", 502, "", "\n<!DOCTYPE html><p>Bad gateway", "the server answered HTTP 502 with an HTML page"},
		{"500 empty", 500, "", "", "the server answered HTTP 500 with an empty body"},
		{"404 short text", 404, "text/plain", "Not\x00 Found\n", `the server answered HTTP 404 with the text "Not Found"`},
		{"429 JSON without error code", 429, jsonType, `{"message":"slow down"}`, `the server answered HTTP 429 with the text "{"message":"slow down"}"`},
		{"401 truncated JSON", 401, jsonType, `{"error":"invalid_cl`, `the server answered HTTP 401 with the text "{"error":"invalid_cl"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.status, tt.contentType, []byte(tt.body), now)
			var he *HTTPError
			if !errors.As(err, &he) {
				t.Fatalf("err = %v, want *HTTPError", err)
			}
			if he.Status != tt.status || err.Error() != tt.wantText {
				t.Errorf("got %d %q, want %q", he.Status, err, tt.wantText)
			}
		})
	}
}

func TestHTTPErrorSnippetIsShortAndPrintable(t *testing.T) {
	body := strings.Repeat("a\x07\tb ", 500)
	_, err := Parse(500, "text/plain", []byte(body), now)
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatal(err)
	}
	if n := len([]rune(he.Snippet)); n > 120 {
		t.Errorf("snippet has %d runes", n)
	}
	if strings.ContainsAny(he.Snippet, "\x07\t") {
		t.Errorf("snippet has control characters: %q", he.Snippet)
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		wantReason  string
	}{
		{"empty body", jsonType, "", "the response body is empty"},
		{"whitespace body", jsonType, " \n", "the response body is empty"},
		{"truncated JSON", jsonType, `{"access_token":"SECRET","token_ty`, "the JSON body is truncated"},
		{"broken JSON", jsonType, `{"access_token":"SECRET",}`, "the body is not valid JSON"},
		{"data after object", jsonType, `{"access_token":"SECRET"} {}`, "the JSON body has data after the object"},
		{"JSON array", jsonType, `["SECRET"]`, "the JSON body is not an object"},
		{"nested too deeply", jsonType, `{"access_token":"SECRET","x":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`, "the body is not valid JSON"},
		{"HTML on 200", "text/html", "<html>SECRET</html>", "the server sent an HTML page instead of a token response"},
		{"missing access_token", jsonType, `{"token_type":"Bearer","refresh_token":"SECRET"}`, "the response has no access_token"},
		{"empty access_token", formType, `access_token=&refresh_token=SECRET`, "the response has no access_token"},
		{"access_token not a string", jsonType, `{"access_token":12345}`, "access_token is not a string"},
		{"refresh_token not a string", jsonType, `{"access_token":"SECRET","refresh_token":{"v":"SECRET"}}`, "refresh_token is not a string"},
		{"scope array with number", jsonType, `{"access_token":"SECRET","scope":["a",1]}`, "scope contains a value that is not a string"},
		{"expires_in not numeric", jsonType, `{"access_token":"SECRET","expires_in":"soon"}`, "expires_in is not a number"},
		{"expires_in NaN", jsonType, `{"access_token":"SECRET","expires_in":"NaN"}`, "expires_in is not a number"},
		{"expires_in boolean", jsonType, `{"access_token":"SECRET","expires_in":true}`, "expires_in is not a number"},
		{"expires_in negative", jsonType, `{"access_token":"SECRET","expires_in":-5}`, "expires_in is out of range"},
		{"expires_in huge", jsonType, `{"access_token":"SECRET","expires_in":1e300}`, "expires_in is out of range"},
		{"expires_at zero", jsonType, `{"access_token":"SECRET","expires_at":0}`, "expires_at is out of range"},
		{"expires_at in milliseconds beyond year 9999", jsonType, `{"access_token":"SECRET","expires_at":1772370000000000}`, "expires_at is out of range"},
		{"malformed form", formType, "access_token=SECRET%zz", "the form-encoded body is malformed"},
		{"XML", "application/xml", "<?xml version='1.0'?><token>SECRET</token>", "the server sent XML instead of a token response"},
		{"unsupported type", "application/octet-stream", "SECRET", `unsupported content type "application/octet-stream"`},
		{"no content type, not sniffable", "", "SECRET token", "the response has no content type and is neither JSON nor form-encoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Parse(200, tt.contentType, []byte(tt.body), now)
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("Parse = %+v, %v; want *InvalidError", tok, err)
			}
			if ie.Reason != tt.wantReason {
				t.Errorf("reason = %q, want %q", ie.Reason, tt.wantReason)
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error echoes the body: %v", err)
			}
		})
	}
}

func TestIsTransient(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"HTTP 502", &HTTPError{Status: 502}, true},
		{"HTTP 503 wrapped", errors.Join(errors.New("token refresh"), &HTTPError{Status: 503}), true},
		{"HTTP 429", &HTTPError{Status: 429}, true},
		{"HTTP 404", &HTTPError{Status: 404}, false},
		{"HTTP 401", &HTTPError{Status: 401}, false},
		{"temporarily_unavailable with 200", &ServerError{Status: 200, Code: "temporarily_unavailable"}, true},
		{"server_error with 500", &ServerError{Status: 500, Code: "server_error"}, true},
		{"invalid_grant", &ServerError{Status: 400, Code: "invalid_grant"}, false},
		{"invalid response", &InvalidError{Reason: "x"}, false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTransient(tt.err); got != tt.want {
				t.Errorf("IsTransient(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestParseErrorBody(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantErr     string
	}{
		{"revocation success with empty body", 200, "", "", ""},
		{"device success", 200, jsonType, `{"device_code":"SECRET","user_code":"ABCD-EFGH"}`, ""},
		{"200 with error", 200, formType, "error=unsupported_token_type", "server refused: unsupported_token_type"},
		{"400 with error", 400, jsonType, `{"error":"invalid_client","error_description":"bad"}`, "server refused: invalid_client: bad"},
		{"503 HTML", 503, "text/html", "<html></html>", "the server answered HTTP 503 with an HTML page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ParseErrorBody(tt.status, tt.contentType, []byte(tt.body))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
