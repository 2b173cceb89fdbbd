package web

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7 2001:db8::/32,::ffff:198.51.100.1,10.1.2.3/16")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "198.51.100.1/32", "10.1.0.0/16"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("entry %d: %s, want %s", i, got[i], want[i])
		}
	}
	if got, err := ParseTrustedProxies(""); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "10.0.0", "*"} {
		if _, err := ParseTrustedProxies(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestRealClient(t *testing.T) {
	proxies, _ := ParseTrustedProxies("10.0.0.0/8, 2001:db8:ffff::/48")
	for _, c := range []struct {
		name    string
		remote  string
		xff     []string
		proxies []netip.Prefix
		want    string
	}{
		{"no proxies: the peer", "198.51.100.9:5555", nil, nil, "198.51.100.9"},
		{"no proxies: X-Forwarded-For ignored", "198.51.100.9:5555", []string{"203.0.113.1"}, nil, "198.51.100.9"},
		{"untrusted peer: header ignored", "198.51.100.9:5555", []string{"203.0.113.1"}, proxies, "198.51.100.9"},
		{"trusted peer, one hop", "10.0.0.2:443", []string{"203.0.113.1"}, proxies, "203.0.113.1"},
		{"client's own entries to the left are not believed", "10.0.0.2:443", []string{"1.1.1.1, 203.0.113.1"}, proxies, "203.0.113.1"},
		{"several trusted proxies skipped", "10.0.0.2:443", []string{"203.0.113.1, 10.0.0.9, 10.3.3.3"}, proxies, "203.0.113.1"},
		{"header split over several lines", "10.0.0.2:443", []string{"6.6.6.6, 203.0.113.1", "10.0.0.9"}, proxies, "203.0.113.1"},
		{"trusted peer without the header", "10.0.0.2:443", nil, proxies, "10.0.0.2"},
		{"every hop trusted: the left-most", "10.0.0.2:443", []string{"10.0.0.5, 10.0.0.6"}, proxies, "10.0.0.5"},
		{"garbage stops at the last trusted hop", "10.0.0.2:443", []string{"203.0.113.1, nonsense"}, proxies, "10.0.0.2"},
		{"garbage beyond the client is not reached", "10.0.0.2:443", []string{"nonsense, 203.0.113.1"}, proxies, "203.0.113.1"},
		{"ports and brackets", "10.0.0.2:443", []string{"[2001:db8:1::7]:4711, 10.0.0.3:80"}, proxies, "2001:db8:1::7"},
		{"IPv6 proxy", "[2001:db8:ffff::1]:443", []string{"2001:db8:1::7"}, proxies, "2001:db8:1::7"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.2]:443", []string{"203.0.113.1"}, proxies, "203.0.113.1"},
		{"IPv6 peer in full", "[2001:db8:1:2:3:4:5:6]:443", nil, proxies, "2001:db8:1:2:3:4:5:6"},
		{"empty entry", "10.0.0.2:443", []string{"203.0.113.1,"}, proxies, "10.0.0.2"},
		{"a peer that is not an address", "pipe", nil, proxies, "pipe"},
	} {
		if got := realClient(c.remote, c.xff, c.proxies); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// FuzzRealClient: whatever a client writes in X-Forwarded-For, the answer
// is the peer or an address a trusted proxy vouched for, and never an
// entry to the left of the first untrusted one.
func FuzzRealClient(f *testing.F) {
	for _, s := range []string{"203.0.113.1", "1.1.1.1, 203.0.113.1, 10.0.0.9", "[::1]:80", "", ",,,", "nonsense", "10.0.0.1, 10.0.0.2"} {
		f.Add(s)
	}
	proxies, _ := ParseTrustedProxies("10.0.0.0/8")
	f.Fuzz(func(t *testing.T, xff string) {
		if got := realClient("198.51.100.9:1", []string{xff}, proxies); got != "198.51.100.9" {
			t.Fatalf("untrusted peer, header %q: %q", xff, got)
		}
		got := realClient("10.0.0.2:1", []string{xff}, proxies)
		if got == "10.0.0.2" {
			return
		}
		hops := strings.Split(xff, ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, ok := parseHop(hops[i])
			if !ok {
				break
			}
			if a.String() == got {
				return
			}
			if !trusted(a, proxies) {
				break
			}
		}
		t.Fatalf("header %q: %q is not an address the proxies vouched for", xff, got)
	})
}
