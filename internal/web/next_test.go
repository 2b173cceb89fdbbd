package web

import (
	"net/url"
	"strings"
	"testing"
)

func TestSafeNext(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/admin/users", "/admin/users"},
		{"/referrals?status=new&limit=50", "/referrals?status=new&limit=50"},
		{"/referrals/ref_abc#plan", "/referrals/ref_abc#plan"},
		{"/directory?q=caf%C3%A9", "/directory?q=caf%C3%A9"},
		{"/a/../b", "/a/../b"}, // a path on this site, however it resolves
		// Other sites, plainly.
		{"https://evil.example/", "/"},
		{"http:/evil.example", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"admin/users", "/"},
		// What browsers read as "//": backslashes, tabs and line breaks.
		{"/\\evil.example", "/"},
		{"\\/evil.example", "/"},
		{"/\t/evil.example/x", "/"},
		{"/\n/evil.example", "/"},
		{"/\r/evil.example", "/"},
		{"\t//evil.example", "/"},
		{" //evil.example", "/"},
		{"/ /evil.example", "/"},
		{"/\x00/evil.example", "/"},
		{"/\x7f/evil.example", "/"},
		{"/\u00a0/evil.example", "/"},
		{"/\u2028/evil.example", "/"},
		{"/ｅvil", "/"},
		// The same, percent-encoded, in case something decodes it.
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/%0a/evil.example", "/"},
		{"/%zz", "/"},
		// Credentials or a host smuggled in.
		{"/@evil.example", "/@evil.example"},
		{"/x?next=//evil.example", "/x?next=//evil.example"}, // a query on this site
		// Back into signing in or out.
		{"/sign-in", "/"},
		{"/sign-in?next=/admin", "/"},
		{"/sign-in/code", "/"},
		{"/sign-out", "/"},
		{"/sign-inside", "/sign-inside"},
		{"/" + strings.Repeat("a", 3000), "/"},
	} {
		if got := safeNext(c.in); got != c.want {
			t.Errorf("safeNext(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzSafeNext: whatever comes in, what comes out leads to this site, as a
// browser would resolve it (tabs and line breaks dropped, backslashes read
// as slashes).
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/admin", "//evil", "/\\evil", "/\t/evil", "/%2F/evil", "https://evil", "/a?b#c"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://oikos.example/sign-in")
	f.Fuzz(func(t *testing.T, in string) {
		out := safeNext(in)
		if out != "/" && out != in {
			t.Fatalf("safeNext(%q) = %q: neither the input nor /", in, out)
		}
		lenient := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(strings.Trim(out, " \x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"))
		if lenient != out {
			t.Fatalf("safeNext(%q) = %q, which a browser would read as %q", in, out, lenient)
		}
		u, err := base.Parse(out)
		if err != nil {
			t.Fatalf("safeNext(%q) = %q, which does not parse: %v", in, out, err)
		}
		if u.Host != "oikos.example" || u.Scheme != "https" || u.User != nil {
			t.Fatalf("safeNext(%q) = %q leads to %s", in, out, u)
		}
		if p, _ := url.PathUnescape(u.EscapedPath()); strings.HasPrefix(p, "//") {
			t.Fatalf("safeNext(%q) = %q has a path that decodes to %q", in, out, p)
		}
	})
}
