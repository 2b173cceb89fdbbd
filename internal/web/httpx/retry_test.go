package httpx

import (
	"net/http/httptest"
	"testing"
	"time"

	"oikos"
)

func TestRetryAfter(t *testing.T) {
	for _, c := range []struct {
		err  *oikos.Error
		want string
	}{
		{&oikos.Error{Code: oikos.ERATELIMITED}, "60"},
		{&oikos.Error{Code: oikos.ERATELIMITED, RetryAfter: 5 * time.Second}, "5"},
		{&oikos.Error{Code: oikos.ELOCKED, RetryAfter: 14*time.Minute + 100*time.Millisecond}, "841"},
		{&oikos.Error{Code: oikos.EINVALID, RetryAfter: time.Minute}, ""},
		{&oikos.Error{Code: oikos.ENOTFOUND}, ""},
	} {
		w := httptest.NewRecorder()
		WriteError(w, c.err)
		if got := w.Header().Get("Retry-After"); got != c.want {
			t.Errorf("%s (%v): Retry-After %q, want %q", c.err.Code, c.err.RetryAfter, got, c.want)
		}
	}
}
