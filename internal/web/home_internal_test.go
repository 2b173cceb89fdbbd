package web

import (
	"strings"
	"testing"
)

// The provider's home card says how many wait for an answer, rather than
// that people "will appear here" while some already wait.
func TestProviderQueueCard(t *testing.T) {
	for n, want := range map[int]string{0: "Nobody is waiting", 1: "1 person is waiting", 7: "7 people are waiting"} {
		c := providerQueueCard(n)
		if !strings.HasPrefix(c.Text, want) || c.Href != "/connections" {
			t.Errorf("providerQueueCard(%d) = %+v, want text starting %q linking to the queue", n, c, want)
		}
		if n > 0 && strings.Contains(c.Text, "will appear here") {
			t.Errorf("providerQueueCard(%d) says people will appear while %d wait", n, n)
		}
	}
}
