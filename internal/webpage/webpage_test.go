package webpage

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestPostFormsResolvesActionsAndSkipsGETForms(t *testing.T) {
	u, _ := url.Parse("http://op.test/login/username?authRequestID=1")
	p := &Page{URL: u, Body: `<form method="get" action="/search"><input name="q"></form>
<FORM Method=POST action='/login/username'><input type="hidden" name="id" value="a&amp;b">
<input name=username><input TYPE="Password" name="password"><input type="submit" value="Go"></FORM>
<form method="post"><input name="user_code" value="ABCD"></form>`}
	got := p.PostForms()
	want := []Form{
		{Action: "http://op.test/login/username", Inputs: []Input{
			{Name: "id", Type: "hidden", Value: "a&b"}, {Name: "username"}, {Name: "password", Type: "password"}, {Type: "submit", Value: "Go"}}},
		{Action: u.String(), Inputs: []Input{{Name: "user_code", Value: "ABCD"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("PostForms:\n got %+v\nwant %+v", got, want)
	}
}

func TestTextCollapsesAndShortens(t *testing.T) {
	if got := Text("<h1>Bad  request</h1>\n<p>unknown &quot;client&quot;</p>"); got != `Bad request unknown "client"` {
		t.Fatalf("Text = %q", got)
	}
	if got := Text(" <br> "); got != "(empty body)" {
		t.Fatalf("empty Text = %q", got)
	}
	if got := Text(strings.Repeat("x", 400)); len(got) != 303 || !strings.HasSuffix(got, "...") {
		t.Fatalf("long Text has %d bytes", len(got))
	}
}
