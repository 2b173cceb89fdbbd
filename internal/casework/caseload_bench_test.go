package casework_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"oikos/internal/casework"
	"oikos/internal/db"
	"oikos/internal/db/dbtest"
)

// BenchmarkCaseload300 reads a caseload of 300 people, each with three
// connections in different states (one unanswered for a week), on both
// databases: the cases, then all their connections, in two queries.
func BenchmarkCaseload300(b *testing.B) {
	for _, side := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"sqlite", dbtest.SQLite}, {"postgres", dbtest.Postgres}} {
		b.Run(side.name, func(b *testing.B) {
			d := side.open(b)
			ctx := context.Background()
			now := time.Now()
			exec := func(q string, args ...any) {
				if _, err := d.Exec(ctx, q, args...); err != nil {
					b.Fatalf("%s: %v", q, err)
				}
			}
			exec(`INSERT INTO users (id, email, name, role, created_at, updated_at) VALUES ('usr_worker', 'w@example.org', 'Lee Worker', 'link_worker', 0, 0)`)
			exec(`INSERT INTO organisations (id, name, kind, created_at, updated_at) VALUES ('org_a', 'Ramblers', 'vcse', 0, 0)`)
			for i := 0; i < 3; i++ {
				exec(`INSERT INTO services (id, organisation_id, name, last_checked_at, created_at, updated_at) VALUES ($1, 'org_a', $2, 0, 0, 0)`,
					fmt.Sprintf("svc_%d", i), fmt.Sprintf("Service %d", i))
			}
			err := d.Tx(ctx, func(tx *sql.Tx) error {
				for i := 0; i < 300; i++ {
					ref, person := fmt.Sprintf("ref_%03d", i), fmt.Sprintf("per_%03d", i)
					stmts := []struct {
						q    string
						args []any
					}{
						{`INSERT INTO people (id, given_name, family_name, date_of_birth, postcode, created_at, updated_at) VALUES ($1, 'Margaret', $2, '1948-05-02', 'EX4 4QJ', 0, 0)`,
							[]any{person, fmt.Sprintf("Hughes%d", i)}},
						{`INSERT INTO referrals (id, reference, person_id, source_type, status, assigned_to, consent_given, consent_share, consent_by,
							consent_at, received_at, updated_at) VALUES ($1, $2, $3, 'gp', 'active', 'usr_worker', TRUE, FALSE, 'usr_worker', $4, $4, $4)`, []any{ref, fmt.Sprintf("OIK-%04d", i), person, db.Millis(now.AddDate(0, 0, -30))}},
					}
					for j, st := range []string{"accepted", "sent", "dropped"} {
						stmts = append(stmts, struct {
							q    string
							args []any
						}{`INSERT INTO connections (id, referral_id, service_id, organisation_id, kind, status, created_by, created_at, updated_at)
							VALUES ($1, $2, $3, 'org_a', 'supported', $4, 'usr_worker', $5, $5)`,
							[]any{fmt.Sprintf("con_%03d_%d", i, j), ref, fmt.Sprintf("svc_%d", j), st, db.Millis(now.AddDate(0, 0, -7))}})
					}
					for _, st := range stmts {
						if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
							return fmt.Errorf("%s: %w", st.q, err)
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			s := casework.NewStore(d)
			b.ResetTimer()
			for b.Loop() {
				cases, err := s.Caseload(ctx, worker, "", "usr_worker")
				if err != nil || len(cases) != 300 || len(cases[0].Connections) != 3 || !cases[0].Connections[1].NoAnswer {
					b.Fatalf("%d cases %v", len(cases), err)
				}
			}
		})
	}
}
