package web_test

import (
	"strings"
	"testing"
	"time"

	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// TestReferralPageIsOneWrite opens a referral's page as its link worker,
// with every section full (contacts, a conversation, a plan, a connection,
// a possible match to check), and counts the write transactions the
// request makes: the reads are audited in one batch, in one transaction.
func TestReferralPageIsOneWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		acceptedReferral(t, f) // the person, known already
		id := acceptedReferral(t, f)
		for _, step := range []struct{ path, body string }{
			{"/contacts", `{"at":"` + time.Now().UTC().Format(time.DateOnly) + `","mode":"phone","note":"Spoke on the phone."}`},
			{"/conversations", conversationBody},
		} {
			if res := f.do(auth.LinkWorker, "POST", "/api/v1/referrals/"+id+step.path, step.body); res.status != 201 {
				t.Fatalf("%s: %d %s", step.path, res.status, res.body)
			}
		}
		if res := f.do(auth.LinkWorker, "PUT", "/api/v1/referrals/"+id+"/plan", `{"goals":[{"text":"Get out more","steps":[{"text":"Try the lunch club","owner":"person"}]}]}`); res.status != 200 {
			t.Fatalf("plan: %d %s", res.status, res.body)
		}
		p := f.providers(t)
		f.connect(t, id, p.serviceA, "active_signpost")

		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		before, entries := d.WriteTxs(), auditEntries(t, d)
		res := lw.get("/referrals/" + id)
		writes, read := d.WriteTxs()-before, auditEntries(t, d)-entries
		if res.status != 200 || !strings.Contains(res.body, "Margaret Hughes") {
			t.Fatalf("page: %d", res.status)
		}
		for _, want := range []string{"Spoke on the phone", "Get out more", "Riverside walk", "Check whether this is the same person"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		// The referral, its contacts, conversations, plan and connections,
		// the person it may be a duplicate of, and their other open
		// referral (shown, so that it is not worked twice).
		if read != 7 {
			t.Errorf("%d reads audited, want 7", read)
		}
		t.Logf("GET /referrals/{id} as the link worker: %d write transactions, %d audit entries", writes, read)
		if writes != 1 {
			t.Errorf("%d write transactions, want 1", writes)
		}
	})
}

func auditEntries(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.R().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM audit_log").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
