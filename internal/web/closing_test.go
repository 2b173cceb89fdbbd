package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// TestCloseAndReopenPages: a link worker records a call nobody answered
// (the referral stays as it was), then a reached one; closing asks first,
// and a reason is required; a closed referral offers reopening within 90
// days, and not after.
func TestCloseAndReopenPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		id := acceptedReferral(t, f)
		page := "/referrals/" + id
		lw := f.browser()
		enrol(t, lw, "link_worker@example.org")
		now := time.Now()
		contact := url.Values{"at-day": {now.Format("2")}, "at-month": {now.Format("1")}, "at-year": {now.Format("2006")}, "mode": {"phone"}}

		if res := lw.get(page + "/contacts/new"); !strings.Contains(res.body, `name="outcome"`) || !strings.Contains(res.body, "No answer") {
			t.Fatalf("contact form without outcomes: %d", res.status)
		}
		if res := lw.post(page+"/contacts/new", contact); res.status != 422 || !strings.Contains(res.body, `href="#outcome"`) {
			t.Errorf("no outcome: %d", res.status)
		}
		contact.Set("outcome", "no_answer")
		if res := lw.post(page+"/contacts/new", contact); res.status != http.StatusSeeOther || !strings.Contains(res.header.Get("Location"), "done=contact-tried") {
			t.Fatalf("no answer: %d %s", res.status, res.body)
		}
		if res := lw.get(page); !strings.Contains(res.body, "No answer") || !strings.Contains(res.body, "Accepted") {
			t.Errorf("after an unanswered call the page lacks it, or moved on")
		}
		contact.Set("outcome", "reached")
		if res := lw.post(page+"/contacts/new", contact); res.status != http.StatusSeeOther {
			t.Fatalf("reached: %d %s", res.status, res.body)
		}
		if res := lw.get(page); !strings.Contains(res.body, "In contact") {
			t.Errorf("a reached call did not move the referral on")
		}

		// Closing: a page that asks, a reason required, then closed.
		if res := lw.get(page); !strings.Contains(res.body, `href="`+page+`/close"`) {
			t.Fatal("no way to close")
		}
		if res := lw.get(page + "/close"); res.status != 200 || !strings.Contains(res.body, "Yes, close the referral") {
			t.Fatalf("close page: %d", res.status)
		}
		if res := lw.post(page+"/close", url.Values{"reason": {""}}); res.status != 422 || !strings.Contains(res.body, `href="#reason"`) ||
			!strings.Contains(res.body, `href="`+page+`"`) {
			t.Errorf("close without a reason: %d", res.status)
		}
		if res := lw.post(page+"/close", url.Values{"reason": {"goals_met"}}); res.status != http.StatusSeeOther {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		res := lw.get(page + "?done=closed")
		if !strings.Contains(res.body, "The referral is closed.") || !strings.Contains(res.body, `action="`+page+`/reopen"`) {
			t.Fatalf("closed page lacks the notice or reopening")
		}
		if res := lw.get(page + "/close"); res.status != 409 {
			t.Errorf("closing a closed referral: %d", res.status)
		}

		// Reopening: a reason required, then back in the caseload.
		if res := lw.post(page+"/reopen", url.Values{"reopen_reason": {" "}}); res.status != 422 || !strings.Contains(res.body, `href="#reopen_reason"`) {
			t.Errorf("reopen without a reason: %d", res.status)
		}
		if res := f.browser(); true {
			enrol(t, res, "provider@example.org")
			if got := res.post(page+"/reopen", url.Values{"reopen_reason": {"Please"}}); got.status != 404 {
				t.Errorf("provider reopens: %d", got.status)
			}
		}
		if res := lw.post(page+"/reopen", url.Values{"reopen_reason": {"She rang back."}}); res.status != http.StatusSeeOther {
			t.Fatalf("reopen: %d %s", res.status, res.body)
		}
		if res := lw.get(page); strings.Contains(res.body, `action="`+page+`/reopen"`) || !strings.Contains(res.body, `href="`+page+`/close"`) {
			t.Errorf("reopened page still offers reopening, or no closing")
		}

		// Closed more than 90 days ago: not offered, and refused.
		if res := lw.post(page+"/close", url.Values{"reason": {"declined"}}); res.status != http.StatusSeeOther {
			t.Fatalf("close again: %d", res.status)
		}
		if _, err := d.Exec(t.Context(), "UPDATE referrals SET closed_at = $1 WHERE id = $2", now.AddDate(0, 0, -91).UnixMilli(), id); err != nil {
			t.Fatal(err)
		}
		if res := lw.get(page); strings.Contains(res.body, `action="`+page+`/reopen"`) {
			t.Error("reopening offered after 90 days")
		}
		if res := lw.post(page+"/reopen", url.Values{"reopen_reason": {"Too late"}}); res.status != 409 {
			t.Errorf("reopen after 90 days: %d", res.status)
		}
	})
}
