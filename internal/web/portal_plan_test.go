package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"oikos/internal/auth"
	"oikos/internal/casefile"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/referral"
)

func TestPersonAddsAndRewordsTheirOwnGoalsAndSteps(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mine := f.personWithPlan(t, "Joan", "Pike", "")
		b := f.signInWithCode(t, mine.ref.ID)
		person := "person:" + mine.ref.PersonID
		before := f.auditCount(t, person, "update", "referral.plan")

		home := b.get("/my")
		for _, want := range []string{"/my/goals/new?plan=" + mine.ref.Reference, "/my/goals/" + mine.goal + "/edit",
			"/my/goals/" + mine.goal + "/steps/new", "/my/goals/" + mine.goal + "/steps/" + mine.step + "/edit", "/my/print"} {
			if !strings.Contains(home.body, want) {
				t.Errorf("/my has no link to %s", want)
			}
		}

		// Each form, empty first, then too long: 422 naming the box, in
		// the summary and beside it, and nothing stored.
		forms := []struct{ path, ok, saved string }{
			{"/my/goals/new", "Sing in a choir again", "new-goal"},
			{"/my/goals/" + mine.goal + "/edit", "Get out of the house three times a week", "goal-words"},
			{"/my/goals/" + mine.goal + "/steps/new", "Ask my neighbour to come with me", "new-step"},
			{"/my/goals/" + mine.goal + "/steps/" + mine.step + "/edit", "Walk to the library on Tuesdays", "step-words"},
		}
		for _, form := range forms {
			if res := b.get(form.path); res.status != http.StatusOK || !strings.Contains(res.body, `name="text"`) {
				t.Fatalf("GET %s: %d", form.path, res.status)
			}
			for _, bad := range []string{" ", strings.Repeat("x", 501)} {
				res := b.post(form.path, url.Values{"plan": {mine.ref.Reference}, "text": {bad}})
				if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `href="#text"`) || !strings.Contains(res.body, `id="text-error"`) {
					t.Errorf("POST %s %q: %d\n%s", form.path, bad[:1], res.status, res.body)
				}
			}
			res := b.post(form.path, url.Values{"plan": {mine.ref.Reference}, "text": {form.ok}})
			if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/my?saved="+form.saved) {
				t.Fatalf("POST %s: %d %q\n%s", form.path, res.status, res.header.Get("Location"), res.body)
			}
		}
		if got := f.auditCount(t, person, "update", "referral.plan") - before; got != len(forms) {
			t.Errorf("changes audited as the person: %d, want %d", got, len(forms))
		}

		p := f.plan(t, mine.ref.ID)
		if len(p.Goals) != 2 || p.Goals[1].Text != "Sing in a choir again" || p.Goals[0].Text != "Get out of the house three times a week" ||
			len(p.Goals[0].Steps) != 3 || p.Goals[0].Steps[2].Owner != "person" || p.Goals[0].Steps[0].Text != "Walk to the library on Tuesdays" {
			t.Fatalf("plan: %+v", p)
		}
		if res := b.get("/my"); !strings.Contains(res.body, "Sing in a choir again") {
			t.Error("the new goal is not on the person's page")
		}

		// The link worker sees who changed what, on the referral page and
		// on their caseload.
		page := f.do(auth.LinkWorker, http.MethodGet, "/referrals/"+mine.ref.ID, "").body
		for _, want := range []string{"Added by the person on", "Reworded by the person on", "/referrals/" + mine.ref.ID + "/plan/print"} {
			if !strings.Contains(page, want) {
				t.Errorf("referral page lacks %q", want)
			}
		}
		if caseload := f.do(auth.LinkWorker, http.MethodGet, "/caseload", "").body; !strings.Contains(caseload, "They changed their plan") {
			t.Error("the caseload does not say the person changed their plan")
		}
	})
}

func TestPersonCannotChangeAnotherPlan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mine := f.personWithPlan(t, "Joan", "Pike", "")
		theirs := f.personWithPlan(t, "Albert", "Fenwick", "")
		b := f.signInWithCode(t, mine.ref.ID)
		for _, path := range []string{
			"/my/goals/" + theirs.goal + "/edit",
			"/my/goals/" + theirs.goal + "/steps/new",
			"/my/goals/" + theirs.goal + "/steps/" + theirs.step + "/edit",
			"/my/goals/" + mine.goal + "/steps/" + theirs.step + "/edit", // my goal, their step
			"/my/goals/nothing_here/edit",
			"/my/goals/new?plan=" + theirs.ref.Reference,
		} {
			if res := b.get(path); res.status != http.StatusNotFound {
				t.Errorf("GET %s: %d", path, res.status)
			}
			if res := b.post(path, url.Values{"text": {"Mine now"}}); res.status != http.StatusNotFound {
				t.Errorf("POST %s: %d", path, res.status)
			}
		}
		if res := b.post("/my/goals/new", url.Values{"plan": {theirs.ref.Reference}, "text": {"Mine now"}}); res.status != http.StatusNotFound {
			t.Errorf("new goal in their plan: %d", res.status)
		}
		if p := f.plan(t, theirs.ref.ID); len(p.Goals) != 1 || p.Goals[0].Text != theirs.goalText || len(p.Goals[0].Steps) != 2 {
			t.Errorf("another person's plan changed: %+v", p)
		}
		// Staff never reach the person's pages.
		if res := f.do(auth.LinkWorker, http.MethodGet, "/my/goals/"+mine.goal+"/edit", ""); res.status != http.StatusNotFound {
			t.Errorf("staff: %d", res.status)
		}
		// A closed referral's plan is read-only to the person.
		if _, err := referral.NewStore(d).Transition(context.Background(), referral.Actor{UserID: "test"}, mine.ref.ID, referral.Closed, "goals_met"); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/my/goals/" + mine.goal + "/edit", "/my/goals/" + mine.goal + "/steps/new", "/my/goals/new"} {
			if res := b.post(path, url.Values{"plan": {mine.ref.Reference}, "text": {"After closing"}}); res.status != http.StatusNotFound {
				t.Errorf("closed %s: %d", path, res.status)
			}
		}
		if p := f.plan(t, mine.ref.ID); len(p.Goals) != 1 || p.Goals[0].Text != mine.goalText {
			t.Errorf("a closed plan changed: %+v", p)
		}
	})
}

func TestPrintThePlan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		mine := f.personWithPlan(t, "Joan", "Pike", "")
		theirs := f.personWithPlan(t, "Albert", "Fenwick", "")
		lw := f.users[auth.LinkWorker]

		res := f.do(auth.LinkWorker, http.MethodGet, "/referrals/"+mine.ref.ID+"/plan/print", "")
		if res.status != http.StatusOK {
			t.Fatalf("print: %d\n%s", res.status, res.body)
		}
		for _, want := range []string{"Joan Pike", mine.goalText, mine.stepText, "Who does it: You", "1 April 2030", lw.Name, "Your link worker"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("printed plan lacks %q", want)
			}
		}
		// Nothing beyond the plan: not the staff note, not the other person.
		for _, not := range []string{"finds mornings hard", "Fenwick", "Dr Okafor"} {
			if strings.Contains(res.body, not) {
				t.Errorf("printed plan shows %q", not)
			}
		}
		if n := f.auditCount(t, lw.ID, casefile.ActionPrint, "referral.plan"); n != 1 {
			t.Errorf("printing audited %d times", n)
		}
		// Only caseworkers print a plan.
		for _, role := range []auth.Role{auth.Referrer, auth.Provider, auth.Commissioner} {
			if res := f.do(role, http.MethodGet, "/referrals/"+mine.ref.ID+"/plan/print", ""); res.status != http.StatusNotFound && res.status != http.StatusForbidden {
				t.Errorf("%s: %d", role, res.status)
			}
		}

		// The person prints their own, and only their own.
		b := f.signInWithCode(t, mine.ref.ID)
		own := b.get("/my/print")
		if own.status != http.StatusOK || !strings.Contains(own.body, mine.goalText) || strings.Contains(own.body, theirs.goalText) ||
			strings.Contains(own.body, "finds mornings hard") {
			t.Fatalf("own print: %d\n%s", own.status, own.body)
		}
		if n := f.auditCount(t, "person:"+mine.ref.PersonID, casefile.ActionPrint, "referral.plan"); n != 1 {
			t.Errorf("the person's printing audited %d times", n)
		}
	})
}
