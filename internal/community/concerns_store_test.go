package community_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"oikos"
	"oikos/internal/auth"
	"oikos/internal/community"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/report"
)

// connectProvider connects Margaret to a service of the provider's
// organisation.
func (w *world) connectProvider(t *testing.T) {
	t.Helper()
	now := db.Millis(w.clock)
	execSQL(t, w.d, `INSERT INTO services (id, organisation_id, name, email, last_checked_at, created_at, updated_at)
		VALUES ('svc_walk', 'org_p', 'Riverside walk', '', $1, $1, $1)`, now)
	execSQL(t, w.d, `INSERT INTO connections (id, referral_id, service_id, organisation_id, kind, status, created_by, created_at, updated_at, scheme_id)
		VALUES ('con_1', $1, 'svc_walk', 'org_p', 'signpost', 'accepted', 'usr_lw', $2, $2, 'org_s1')`, w.referralID, now)
}

func TestConcerns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d)
		w.connectProvider(t)
		w.keep(t, w.manager, w.volunteer.UserID, profile(community.KindBefriender, "EX4 4QJ"))
		w.keep(t, w.manager, w.volunteer2.UserID, profile(community.KindBefriender, "EX4 4QJ"))
		if _, err := w.vol.CreateMatch(ctx, as(w.worker), w.worker, w.referralID, community.MatchInput{VolunteerID: w.volunteer.UserID}); err != nil {
			t.Fatal(err)
		}
		seen := community.ConcernInput{Category: "self_neglect", Level: "immediate", Description: "Margaret had no heating and had not eaten today."}

		// Only those who work with her may raise one; for others the
		// referral does not exist.
		for name, p := range map[string]*auth.Principal{"the referrer": w.referrer, "an unmatched volunteer": w.volunteer2, "another link worker": w.otherWorker,
			"another scheme's manager": w.farManager, "a commissioner": w.commissioner, "another scheme's volunteer": w.farVolunteer} {
			_, err := w.safe.RaiseConcern(ctx, as(p), p, w.referralID, seen)
			wantCode(t, name+" raises", err, oikos.ENOTFOUND)
		}
		_, err := w.safe.RaiseConcern(ctx, as(w.volunteer2), w.volunteer2, w.referralID, community.ConcernInput{Category: "bad"})
		wantCode(t, "an outsider's bad concern is still not found", err, oikos.ENOTFOUND)
		_, err = w.safe.RaiseConcern(ctx, as(w.volunteer), w.volunteer, w.referralID, community.ConcernInput{Category: "neglect", Level: "now", Description: "x"})
		wantField(t, "bad category", err, "category")
		wantField(t, "bad level", err, "level")

		// The matched volunteer raises one: her link worker and the
		// scheme's manager are emailed a link, and nothing else.
		fromVolunteer, err := w.safe.RaiseConcern(ctx, as(w.volunteer), w.volunteer, w.referralID, seen)
		if err != nil {
			t.Fatal(err)
		}
		if fromVolunteer.Status != "open" || fromVolunteer.RaisedByRole != "volunteer" || fromVolunteer.Actions != nil || !fromVolunteer.Acknowledged {
			t.Errorf("raised: %+v", fromVolunteer)
		}
		if to := outbox(t, d, community.KindConcernRaised); !slices.Equal(to, []string{"usr_lw@example.org", "usr_mgr@example.org"}) {
			t.Errorf("told: %v", to)
		}
		bodies, _ := db.Strings(ctx, d.R(), "SELECT subject || body FROM outbox WHERE kind = $1", community.KindConcernRaised)
		for _, b := range bodies {
			for _, secret := range []string{"Margaret", "Hughes", "heating", "neglect", "immediate", w.referralID} {
				if strings.Contains(b, secret) {
					t.Errorf("email gives away %q: %s", secret, b)
				}
			}
			if !strings.Contains(b, "https://oikos.example/concerns/"+fromVolunteer.ID) {
				t.Errorf("email has no link: %s", b)
			}
		}
		fromProvider, err := w.safe.RaiseConcern(ctx, as(w.provider), w.provider, w.referralID,
			community.ConcernInput{Category: "financial_abuse", Level: "medium", Description: "Her nephew collects her money at each session."})
		if err != nil {
			t.Fatal(err)
		}
		fromWorker, err := w.safe.RaiseConcern(ctx, as(w.worker), w.worker, w.referralID,
			community.ConcernInput{Category: "other", Level: "low", Description: "Falls at home."})
		if err != nil {
			t.Fatal(err)
		}
		if fromWorker.Actions == nil {
			t.Error("the link worker sees the actions of the concern they raised")
		}
		if to := outbox(t, d, community.KindConcernRaised); len(to) != 5 {
			t.Errorf("the link worker is not told of their own concern: %v", to)
		}

		// Lists.
		ids := func(l community.Listing[community.Concern]) []string {
			var out []string
			for _, c := range l.Items {
				out = append(out, c.ID)
			}
			return out
		}
		for name, c := range map[string]struct {
			p    *auth.Principal
			want []string
		}{
			"manager":                  {w.manager, []string{fromVolunteer.ID, fromProvider.ID, fromWorker.ID}},
			"link worker":              {w.worker, []string{fromVolunteer.ID, fromProvider.ID, fromWorker.ID}},
			"another link worker":      {w.otherWorker, nil},
			"the volunteer":            {w.volunteer, []string{fromVolunteer.ID}},
			"the provider":             {w.provider, []string{fromProvider.ID}},
			"another scheme's manager": {w.farManager, nil},
		} {
			l, err := w.safe.Concerns(ctx, as(c.p), c.p, community.ConcernFilter{})
			if err != nil || !slices.Equal(ids(l), c.want) || l.Total != len(c.want) {
				t.Errorf("%s's list: %v %v, want %v", name, ids(l), err, c.want)
			}
		}
		for name, p := range map[string]*auth.Principal{"another link worker": w.otherWorker, "another volunteer": w.volunteer2, "the provider": w.provider,
			"another scheme's manager": w.farManager, "the referrer": w.referrer} {
			_, err := w.safe.Concern(ctx, as(p), p, fromVolunteer.ID)
			wantCode(t, name+" reads", err, oikos.ENOTFOUND)
		}

		// The immediate concern stands at the top of the link worker's
		// and the manager's pages until each acknowledges it.
		for name, c := range map[string]struct {
			p    *auth.Principal
			want int
		}{"link worker": {w.worker, 1}, "manager": {w.manager, 1}, "another link worker": {w.otherWorker, 0}, "the volunteer": {w.volunteer, 0}, "far manager": {w.farManager, 0}} {
			if got, err := w.safe.Unacknowledged(ctx, c.p); err != nil || len(got) != c.want {
				t.Errorf("%s's banner: %+v %v", name, got, err)
			}
		}
		if err := w.safe.Acknowledge(ctx, as(w.volunteer2), w.volunteer2, fromVolunteer.ID); oikos.ErrorCode(err) != oikos.ENOTFOUND {
			t.Errorf("an outsider acknowledges: %v", err)
		}
		if err := w.safe.Acknowledge(ctx, as(w.worker), w.worker, fromVolunteer.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.safe.Unacknowledged(ctx, w.worker); len(got) != 0 {
			t.Errorf("still on the link worker's pages: %+v", got)
		}
		if got, _ := w.safe.Unacknowledged(ctx, w.manager); len(got) != 1 || got[0].ID != fromVolunteer.ID || got[0].Reference == "" {
			t.Errorf("no longer on the manager's pages: %+v", got)
		}

		// Actions: the link worker records one 40 minutes on; only a
		// manager closes, and closing needs the outcome.
		w.clock = w.clock.Add(40 * time.Minute)
		acted, err := w.safe.AddConcernAction(ctx, as(w.worker), w.worker, fromVolunteer.ID, community.ActionInput{Action: "Visited with the duty social worker."})
		if err != nil || acted.MinutesToFirstAction == nil || *acted.MinutesToFirstAction != 40 || len(acted.Actions) != 1 || acted.Actions[0].ByName != "Lee Worker" {
			t.Fatalf("first action: %+v %v", acted, err)
		}
		_, err = w.safe.AddConcernAction(ctx, as(w.worker), w.worker, fromVolunteer.ID, community.ActionInput{Action: "Done", Status: "closed", Outcome: "Safe"})
		wantField(t, "link worker closes", err, "status")
		_, err = w.safe.AddConcernAction(ctx, as(w.volunteer), w.volunteer, fromVolunteer.ID, community.ActionInput{Action: "I rang her"})
		wantCode(t, "the volunteer acts", err, oikos.ENOTFOUND)
		_, err = w.safe.AddConcernAction(ctx, as(w.manager), w.manager, fromVolunteer.ID, community.ActionInput{Action: "Reviewed", Status: "closed"})
		wantField(t, "closing without outcome", err, "outcome")
		w.clock = w.clock.Add(time.Hour)
		closed, err := w.safe.AddConcernAction(ctx, as(w.manager), w.manager, fromVolunteer.ID,
			community.ActionInput{Action: "Reviewed with adult social care", Status: "closed", Outcome: "Emergency heating fitted; daily checks for a week."})
		if err != nil || closed.Status != "closed" || closed.ClosedAt == nil || closed.ClosedBy != "usr_mgr" || closed.Outcome == "" ||
			*closed.MinutesToFirstAction != 40 || len(closed.Actions) != 2 {
			t.Fatalf("closed: %+v %v", closed, err)
		}
		if got, _ := w.safe.Unacknowledged(ctx, w.manager); len(got) != 0 {
			t.Errorf("a closed concern stays on the manager's pages: %+v", got)
		}
		// Whoever raised it sees it was closed, not what was decided.
		mine, err := w.safe.Concern(ctx, as(w.volunteer), w.volunteer, fromVolunteer.ID)
		if err != nil || mine.Status != "closed" || mine.Outcome != "" || mine.Actions != nil || mine.ClosedBy != "" {
			t.Errorf("raiser's view: %+v %v", mine, err)
		}
		if n, err := w.safe.OpenConcerns(ctx, w.referralID); err != nil || n != 2 {
			t.Errorf("open concerns: %d %v", n, err)
		}
		if l, _ := w.safe.Concerns(ctx, as(w.manager), w.manager, community.ConcernFilter{Status: "closed"}); len(l.Items) != 1 {
			t.Errorf("closed list: %v", ids(l))
		}
		_, err = w.safe.Concerns(ctx, as(w.manager), w.manager, community.ConcernFilter{Status: "done"})
		wantField(t, "bad status filter", err, "status")

		// Never deleted, never rewritten.
		if _, err := d.Exec(ctx, "DELETE FROM concerns WHERE id = $1", fromWorker.ID); err == nil {
			t.Error("a concern was deleted")
		}
		if _, err := d.Exec(ctx, "UPDATE concern_actions SET action = 'nothing'"); err == nil {
			t.Error("an action was rewritten")
		}
		n := audited(t, d, "concern", fromVolunteer.ID)
		if n["create"] != 1 || n["read"] != 5 || n["update"] != 2 || n[community.ActionAcknowledge] != 1 {
			t.Errorf("audit: %v", n)
		}

		// The report: small numbers hidden; for managers and commissioners.
		period, _ := report.ParsePeriod("2026-03-01", "2026-03-31", w.clock)
		fig, err := w.safe.ConcernReport(ctx, as(w.commissioner), w.commissioner, period)
		if err != nil || fig.Raised != nil || !slices.Contains(fig.Suppressed, "raised") {
			t.Errorf("report: %+v %v", fig, err)
		}
		_, err = w.safe.ConcernReport(ctx, as(w.worker), w.worker, period)
		wantCode(t, "link worker's report", err, oikos.ENOTFOUND)
	})
}
