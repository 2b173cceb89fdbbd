package notifytest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// SMS is one text message the Notify server accepted.
type SMS struct {
	PhoneNumber     string            `json:"phone_number"`
	TemplateID      string            `json:"template_id"`
	Personalisation map[string]string `json:"personalisation"`
	Reference       string            `json:"reference"`
	// ID is the notification id the server answered with.
	ID string `json:"-"`
}

// Notify is a local stand-in for GOV.UK Notify's "send a text message"
// API: it checks each request's JSON Web Token as Notify does (HS256 under
// the secret, iss the service id, iat within 30 seconds), records what was
// asked, and answers 201 with an id, or the failures it is told to give.
type Notify struct {
	URL        string
	ServiceID  string
	Secret     string
	TemplateID string

	mu       sync.Mutex
	sent     []SMS
	tries    int
	failNext []int
	arrived  chan struct{}
}

// StartNotify starts a Notify server on 127.0.0.1, stopped when t ends.
func StartNotify(t testing.TB) *Notify {
	t.Helper()
	n := &Notify{ServiceID: newUUID(), Secret: newUUID(), TemplateID: newUUID(), arrived: make(chan struct{}, 1000)}
	srv := httptest.NewServer(http.HandlerFunc(n.serve))
	t.Cleanup(srv.Close)
	n.URL = srv.URL
	return n
}

// APIKey is an API key for this server, in Notify's form.
func (n *Notify) APIKey() string { return "oikos-test-key-" + n.ServiceID + "-" + n.Secret }

// FailNext makes the next requests answer with these statuses, one request
// each (429: rate limited; 500: Notify's fault; 400: refused).
func (n *Notify) FailNext(codes ...int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.failNext = append(n.failNext, codes...)
}

// Sent returns the text messages accepted so far.
func (n *Notify) Sent() []SMS {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]SMS(nil), n.sent...)
}

// Tries counts every request that reached the server, answered or not.
func (n *Notify) Tries() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.tries
}

// Wait waits up to timeout for n messages in all, failing t if they do not
// come, and returns them.
func (n *Notify) Wait(t testing.TB, count int, timeout time.Duration) []SMS {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if got := n.Sent(); len(got) >= count {
			return got
		}
		select {
		case <-n.arrived:
		case <-deadline:
			t.Fatalf("waited %s for %d text messages; %d arrived", timeout, count, len(n.Sent()))
		}
	}
}

// notifyError writes Notify's error body.
func notifyError(w http.ResponseWriter, status int, kind, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"status_code": status,
		"errors": []map[string]string{{"error": kind, "message": msg}}})
}

func (n *Notify) serve(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	n.tries++
	n.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v2/notifications/sms" {
		notifyError(w, http.StatusNotFound, "NotFoundError", "no such route in this test server")
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		notifyError(w, http.StatusUnauthorized, "AuthError", "Unauthorized: authentication bearer scheme must be used")
		return
	}
	if msg := n.checkToken(token, time.Now()); msg != "" {
		notifyError(w, http.StatusForbidden, "AuthError", msg)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		notifyError(w, http.StatusBadRequest, "BadRequestError", "Content-Type must be application/json")
		return
	}
	var m SMS
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		notifyError(w, http.StatusBadRequest, "ValidationError", "body: "+err.Error())
		return
	}
	switch {
	case m.PhoneNumber == "":
		notifyError(w, http.StatusBadRequest, "ValidationError", "phone_number is a required property")
		return
	case m.TemplateID != n.TemplateID:
		notifyError(w, http.StatusBadRequest, "BadRequestError", "Template not found")
		return
	}
	n.mu.Lock()
	if len(n.failNext) > 0 {
		code := n.failNext[0]
		n.failNext = n.failNext[1:]
		n.mu.Unlock()
		kind := map[int]string{400: "BadRequestError", 403: "AuthError", 429: "RateLimitError"}[code]
		if kind == "" {
			kind = "Exception"
		}
		notifyError(w, code, kind, "the test server refuses this one")
		return
	}
	m.ID = newUUID()
	n.sent = append(n.sent, m)
	// A full channel already holds a wake-up for Wait, which counts
	// again when it wakes; blocking here (under the lock) would stall
	// every later message once 1000 had come.
	select {
	case n.arrived <- struct{}{}:
	default:
	}
	n.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"id": m.ID, "reference": m.Reference,
		"content":  map[string]string{"body": m.Personalisation["body"], "from_number": "OIKOS"},
		"uri":      n.URL + "/v2/notifications/" + m.ID,
		"template": map[string]any{"id": m.TemplateID, "version": 1, "uri": n.URL + "/v2/template/" + m.TemplateID}})
}

// checkToken verifies a JSON Web Token as Notify does, saying what is
// wrong ("" when nothing is).
func (n *Notify) checkToken(token string, now time.Time) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "Invalid token: not a JSON Web Token"
	}
	enc := base64.RawURLEncoding
	var header struct{ Typ, Alg string }
	if b, err := enc.DecodeString(parts[0]); err != nil || json.Unmarshal(b, &header) != nil || header.Alg != "HS256" || header.Typ != "JWT" {
		return "Invalid token: header must be {typ: JWT, alg: HS256}"
	}
	mac := hmac.New(sha256.New, []byte(n.Secret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := enc.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return "Invalid token: signature, api token not found"
	}
	var claims struct {
		Iss string `json:"iss"`
		Iat *int64 `json:"iat"`
	}
	if b, err := enc.DecodeString(parts[1]); err != nil || json.Unmarshal(b, &claims) != nil || claims.Iat == nil {
		return "Invalid token: missing iss or iat"
	}
	if claims.Iss != n.ServiceID {
		return "Invalid token: service not found"
	}
	if d := now.Unix() - *claims.Iat; d > 30 || d < -30 {
		return "Error: Your system clock must be accurate to within 30 seconds"
	}
	return ""
}

func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
