package directory_test

import (
	"context"
	"testing"
	"time"

	"oikos"
	"oikos/internal/course"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
	"oikos/internal/directory"
)

// A service may run as a course: its rule is stored and read back, its
// next sessions computed; a bad rule is refused naming course.rrule.
func TestServiceAsCourse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := directory.NewStore(d)
		in := walkInput(newOrg(t, d, "Clay Studio"))
		in.Name = "Pottery for wellbeing"
		in.Course = &course.Course{RRule: "rrule:FREQ=WEEKLY;COUNT=10", Start: "2026-03-02T18:30", Minutes: 90}
		v, err := s.Create(ctx, editor, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Course == nil || *got.Course != (course.Course{RRule: "FREQ=WEEKLY;COUNT=10", Start: "2026-03-02T18:30", Minutes: 90}) {
			t.Fatalf("course read back as %+v", got.Course)
		}
		next := got.NextSessions(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), 3)
		if len(next) != 3 || next[0].Starts.In(course.Zone).Format("2006-01-02 15:04") != "2026-04-06 18:30" {
			t.Errorf("next sessions %+v", next)
		}
		// Open Referral publishes the rule in the schedule's own fields.
		var sched *directory.HSDSSchedule
		for _, h := range got.HSDSFull(directory.OrgRecord{}).Schedules {
			if h.Dtstart != "" {
				sched = &h
			}
		}
		if sched == nil || sched.Freq != "WEEKLY" || sched.Count != "10" || sched.Dtstart != "2026-03-02" || sched.OpensAt != "18:30" ||
			sched.ClosesAt != "20:00" || sched.ValidTo != "2026-05-04" || sched.Timezone != "0" {
			t.Errorf("the course's Open Referral schedule: %+v", sched)
		}
		// A course can stop being one.
		in = got.Input()
		in.Course = nil
		if u, err := s.Update(ctx, editor, v.ID, in); err != nil || u.Course != nil || len(u.NextSessions(time.Now(), 3)) != 0 {
			t.Errorf("no longer a course: %+v, %v", u.Course, err)
		}
		in.Course = &course.Course{RRule: "FREQ=HOURLY", Start: "2026-03-02", Minutes: 0}
		_, err = s.Update(ctx, editor, v.ID, in)
		if e, ok := err.(*oikos.Error); !ok || e.Fields["course.rrule"] == "" || e.Fields["course.dtstart"] == "" || e.Fields["course.duration_minutes"] == "" {
			t.Errorf("a bad course: %v", err)
		}
	})
}

// A service may name the award that funds it only through the check the
// grants programme gives the store; without one, none may.
func TestServiceNamesItsAward(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := directory.NewStore(d)
		orgID := newOrg(t, d, "Bridge Café")
		now := db.Millis(time.Now())
		for _, q := range []string{
			`INSERT INTO grant_rounds (id, name, pot_pence, opens_on, closes_on, created_by, created_at) VALUES ('grr_1', 'Round', 100000, '2026-01-01', '2026-02-01', 'u', $1)`,
			`INSERT INTO grant_applications (id, round_id, organisation_id, title, amount_pence, starts_on, status, awarded_pence, submitted_by, submitted_at)
				VALUES ('gra_1', 'grr_1', '` + orgID + `', 'Café', 5000, '2026-03-01', 'awarded', 5000, 'u', $1)`,
		} {
			if _, err := d.Exec(ctx, q, now); err != nil {
				t.Fatal(err)
			}
		}
		in := walkInput(orgID)
		award := " gra_1 "
		in.GrantApplicationID = &award
		if _, err := s.Create(ctx, editor, in); err == nil || err.(*oikos.Error).Fields["grant_application_id"] == "" {
			t.Fatalf("named an award with no check: %v", err)
		}
		var checked []string
		s.CheckAward = func(ctx context.Context, q db.Querier, applicationID, organisationID string) error {
			checked = append(checked, applicationID+"/"+organisationID)
			if applicationID != "gra_1" {
				return oikos.Invalid(map[string]string{"grant_application_id": "No award has that id."})
			}
			return nil
		}
		v, err := s.Create(ctx, editor, in)
		if err != nil || v.GrantApplicationID == nil || *v.GrantApplicationID != "gra_1" || len(checked) != 1 || checked[0] != "gra_1/"+orgID {
			t.Fatalf("created %+v, %v, checked %v", v.GrantApplicationID, err, checked)
		}
		other := "gra_2"
		in.GrantApplicationID = &other
		if _, err := s.Update(ctx, editor, v.ID, in); err == nil || err.(*oikos.Error).Fields["grant_application_id"] == "" {
			t.Errorf("an unknown award: %v", err)
		}
		if got, _ := s.Get(ctx, v.ID); got.GrantApplicationID == nil || *got.GrantApplicationID != "gra_1" {
			t.Errorf("a refused update changed the award: %+v", got.GrantApplicationID)
		}
		blank := ""
		in.GrantApplicationID = &blank
		if u, err := s.Update(ctx, editor, v.ID, in); err != nil || u.GrantApplicationID != nil {
			t.Errorf("cleared: %+v, %v", u.GrantApplicationID, err)
		}
	})
}
