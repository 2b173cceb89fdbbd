package grant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
)

// Application is an application to a round, with its decision, its
// payments, the services that name it (the groups it funds) and, read
// alone, its gap map.
type Application struct {
	ID             string     `json:"id"`
	RoundID        string     `json:"round_id"`
	OrganisationID string     `json:"organisation_id"`
	Organisation   string     `json:"organisation_name"`
	Title          string     `json:"title"`
	Summary        string     `json:"summary"`
	Needs          []string   `json:"needs"`
	Areas          []string   `json:"areas"`
	AmountPence    int64      `json:"amount_pence"`
	StartsOn       string     `json:"starts_on"`
	Status         string     `json:"status"`
	AwardedPence   int64      `json:"awarded_pence"`
	PaidPence      int64      `json:"paid_pence"`
	Score          *int       `json:"score"`
	Reason         string     `json:"reason"`
	DecidedAt      *time.Time `json:"decided_at"`
	SubmittedAt    time.Time  `json:"submitted_at"`
	Payments       []Payment  `json:"payments"`
	ServiceIDs     []string   `json:"service_ids"`
	GapMap         *GapMap    `json:"gap_map,omitempty"`

	schemeID string
}

// Payment is one instalment of an award.
type Payment struct {
	ID          string    `json:"id"`
	AmountPence int64     `json:"amount_pence"`
	PaidOn      string    `json:"paid_on"`
	By          string    `json:"by"`
	RecordedAt  time.Time `json:"recorded_at"`
}

func (a Application) object(kind string) auth.Object {
	return auth.Object{Kind: kind, ID: a.ID, SchemeID: a.schemeID, OrganisationID: a.OrganisationID}
}

const applicationColumns = `a.id, a.round_id, g.scheme_id, a.organisation_id, o.name, a.title, a.summary, a.needs, a.areas, a.amount_pence, a.starts_on,
	a.status, a.awarded_pence, a.paid_pence, a.score, a.decision_reason, a.decided_at, a.submitted_at
	FROM grant_applications a JOIN grant_rounds g ON g.id = a.round_id JOIN organisations o ON o.id = a.organisation_id`

func scanApplication(row interface{ Scan(...any) error }) (Application, error) {
	var a Application
	var needs, areas string
	var score sql.NullInt64
	var decided sql.NullInt64
	var submitted int64
	err := row.Scan(&a.ID, &a.RoundID, &a.schemeID, &a.OrganisationID, &a.Organisation, &a.Title, &a.Summary, &needs, &areas, &a.AmountPence,
		&a.StartsOn, &a.Status, &a.AwardedPence, &a.PaidPence, &score, &a.Reason, &decided, &submitted)
	a.Needs, a.Areas = fields(needs), fields(areas)
	if score.Valid {
		n := int(score.Int64)
		a.Score = &n
	}
	if decided.Valid {
		t := db.Time(decided.Int64)
		a.DecidedAt = &t
	}
	a.SubmittedAt = db.Time(submitted)
	a.Payments, a.ServiceIDs = []Payment{}, []string{}
	return a, err
}

// application reads one application p may read, or not-found.
func (s *Store) application(ctx context.Context, q db.Querier, p *auth.Principal, id string) (Application, error) {
	if !plausibleID(id) {
		return Application{}, oikos.NotFound("Grant application")
	}
	a, err := scanApplication(q.QueryRowContext(ctx, "SELECT "+applicationColumns+" WHERE a.id = $1", id))
	if err == sql.ErrNoRows || (err == nil && !auth.Can(p, auth.ReadAction, a.object(auth.KindGrantApplication))) {
		return Application{}, oikos.NotFound("Grant application")
	}
	return a, err
}

// details reads an application's payments and the services naming it.
func (s *Store) details(ctx context.Context, q db.Querier, a *Application) error {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.amount_pence, p.paid_on, COALESCE(u.name, p.by_user), p.created_at
		FROM grant_payments p LEFT JOIN users u ON u.id = p.by_user WHERE p.application_id = $1 ORDER BY p.paid_on, p.created_at, p.id`, a.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p Payment
		var at int64
		if err := rows.Scan(&p.ID, &p.AmountPence, &p.PaidOn, &p.By, &at); err != nil {
			return err
		}
		p.RecordedAt = db.Time(at)
		a.Payments = append(a.Payments, p)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	ids, err := db.Strings(ctx, q, "SELECT id FROM services WHERE grant_application_id = $1 ORDER BY created_at, id", a.ID)
	if ids != nil {
		a.ServiceIDs = ids
	}
	return err
}

// Application reads an application p may see (its organisation's
// providers, its round's scheme's managers) with its payments, the groups
// it funds and its gap map.
func (s *Store) Application(ctx context.Context, p *auth.Principal, id string) (Application, error) {
	a, err := s.application(ctx, s.DB.R(), p, id)
	if err != nil {
		return a, err
	}
	if err := s.details(ctx, s.DB.R(), &a); err != nil {
		return a, err
	}
	var closes string
	if err := s.DB.R().QueryRowContext(ctx, "SELECT closes_on FROM grant_rounds WHERE id = $1", a.RoundID).Scan(&closes); err != nil {
		return a, err
	}
	gm, err := s.gapMaps().of(ctx, a.schemeID, a.Needs, a.Areas, closes)
	a.GapMap = &gm
	return a, err
}

// Applications lists a round's applications p may see, oldest first: all
// of them for the scheme's managers, their own organisation's for a
// provider.
func (s *Store) Applications(ctx context.Context, p *auth.Principal, roundID string) ([]Application, error) {
	r, err := s.round(ctx, s.DB.R(), p, roundID)
	if err != nil {
		return nil, err
	}
	q := "SELECT " + applicationColumns + " WHERE a.round_id = $1"
	args := []any{r.ID}
	switch p.Role {
	case auth.Manager:
	case auth.Provider:
		q += " AND a.organisation_id = $2"
		args = append(args, p.OrganisationID)
	default:
		return nil, oikos.NotFound("Grant round")
	}
	rows, err := s.DB.R().QueryContext(ctx, q+" ORDER BY a.submitted_at, a.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Application{}
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, err
		}
		if auth.Can(p, auth.ReadAction, a.object(auth.KindGrantApplication)) {
			out = append(out, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.details(ctx, s.DB.R(), &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Apply submits an application to a round open today, for the provider's
// own organisation only. Areas left out are the round's.
func (s *Store) Apply(ctx context.Context, p *auth.Principal, by oikos.Actor, roundID string, in ApplicationInput) (Application, error) {
	var id string
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.round(ctx, tx, p, roundID)
		if err != nil {
			return err
		}
		if err := CheckApplication(&in, r.PotPence); err != nil {
			return err
		}
		if err := FitsRound(in, r.Needs, r.Areas); err != nil {
			return err
		}
		if !auth.Can(p, auth.ChangeAction, auth.Object{Kind: auth.KindGrantApplication, SchemeID: r.SchemeID, OrganisationID: in.OrganisationID}) {
			return oikos.Invalid(map[string]string{"organisation_id": "You may apply only for your own organisation."})
		}
		var active bool
		if err := tx.QueryRowContext(ctx, "SELECT active FROM organisations WHERE id = $1", in.OrganisationID).Scan(&active); err == sql.ErrNoRows || (err == nil && !active) {
			return oikos.Invalid(map[string]string{"organisation_id": "Your organisation is not active in Oikos: ask an administrator."})
		} else if err != nil {
			return err
		}
		if err := MayApply(r.OpensOn, r.ClosesOn, s.today()); err != nil {
			return err
		}
		if len(in.Areas) == 0 {
			in.Areas = r.Areas
		}
		id = db.NewID("gra")
		_, err = tx.ExecContext(ctx, `INSERT INTO grant_applications (id, round_id, organisation_id, title, summary, needs, areas, amount_pence, starts_on,
			status, submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			id, r.ID, in.OrganisationID, in.Title, in.Summary, strings.Join(in.Needs, " "), strings.Join(in.Areas, " "), *in.AmountPence, in.StartsOn,
			Submitted, by.UserID, db.Millis(s.now()))
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Create, kindApplication, id)
	})
	if err != nil {
		return Application{}, err
	}
	return s.Application(ctx, p, id)
}

// awardable reads an application for a decision or a payment by p (a
// manager of its round's scheme), else not-found.
func (s *Store) awardable(ctx context.Context, tx *sql.Tx, p *auth.Principal, id string) (Application, error) {
	a, err := s.application(ctx, tx, p, id)
	if err != nil {
		return a, err
	}
	if !auth.Can(p, auth.ChangeAction, a.object(auth.KindGrantAward)) {
		return Application{}, oikos.NotFound("Grant application")
	}
	return a, nil
}

// Decide awards or declines an application, once (a manager of the
// round's scheme). Awards never together exceed the round's pot, however
// many are decided at once: the application moves only from submitted,
// and the round's total only while the pot holds the award, each by one
// conditional UPDATE.
func (s *Store) Decide(ctx context.Context, p *auth.Principal, by oikos.Actor, id string, in DecisionInput) (Application, error) {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.awardable(ctx, tx, p, id)
		if err != nil {
			return err
		}
		award, err := CheckDecision(&in, a.AmountPence)
		if err != nil {
			return err
		}
		if err := MayDecide(a.Status); err != nil {
			return err
		}
		now := db.Millis(s.now())
		res, err := tx.ExecContext(ctx, `UPDATE grant_applications SET status = $2, awarded_pence = $3, score = $4, decision_reason = $5,
			decided_by = $6, decided_at = $7 WHERE id = $1 AND status = 'submitted'`, a.ID, in.Decision, award, in.Score, in.Reason, by.UserID, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "This application has just been decided by someone else."}
		}
		if in.Decision == Awarded {
			var left int64
			err := tx.QueryRowContext(ctx, `UPDATE grant_rounds SET awarded_pence = awarded_pence + $2 WHERE id = $1 AND awarded_pence + $2 <= pot_pence
				RETURNING pot_pence - awarded_pence`, a.RoundID, award).Scan(&left)
			if errors.Is(err, sql.ErrNoRows) {
				var pot, awarded int64
				if err := tx.QueryRowContext(ctx, "SELECT pot_pence, awarded_pence FROM grant_rounds WHERE id = $1", a.RoundID).Scan(&pot, &awarded); err != nil {
					return err
				}
				return oikos.Invalid(map[string]string{"amount_pence": "That is more than the " + pounds(pot-awarded) + " left in the round's pot of " + pounds(pot) + "."})
			} else if err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, by, audit.Update, kindApplication, a.ID)
	})
	if err != nil {
		return Application{}, err
	}
	return s.Application(ctx, p, id)
}

// Pay records an instalment of an award (a manager of the round's
// scheme). Payments never together exceed the award: the application's
// paid total moves by one conditional UPDATE.
func (s *Store) Pay(ctx context.Context, p *auth.Principal, by oikos.Actor, id string, in PaymentInput) (Application, error) {
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		a, err := s.awardable(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := CheckPayment(&in, s.today()); err != nil {
			return err
		}
		if err := MayPay(a.Status); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE grant_applications SET paid_pence = paid_pence + $2
			WHERE id = $1 AND status = 'awarded' AND paid_pence + $2 <= awarded_pence`, a.ID, *in.AmountPence)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var awarded, paid int64
			if err := tx.QueryRowContext(ctx, "SELECT awarded_pence, paid_pence FROM grant_applications WHERE id = $1", a.ID).Scan(&awarded, &paid); err != nil {
				return err
			}
			return oikos.Invalid(map[string]string{"amount_pence": "That is more than the " + pounds(awarded-paid) + " of the award still to pay."})
		}
		pid := db.NewID("grp")
		if _, err := tx.ExecContext(ctx, `INSERT INTO grant_payments (id, application_id, amount_pence, paid_on, by_user, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			pid, a.ID, *in.AmountPence, in.PaidOn, by.UserID, db.Millis(s.now())); err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Update, kindApplication, a.ID)
	})
	if err != nil {
		return Application{}, err
	}
	return s.Application(ctx, p, id)
}

// CheckServiceAward is the directory's check (directory.Store.CheckAward)
// that a service may name an application as the award funding it: an
// award, made to the organisation that runs the service.
func CheckServiceAward(ctx context.Context, q db.Querier, applicationID, organisationID string) error {
	bad := func(why string) error { return oikos.Invalid(map[string]string{"grant_application_id": why}) }
	if !plausibleID(applicationID) {
		return bad("No grant application has that id.")
	}
	var org, status string
	err := q.QueryRowContext(ctx, "SELECT organisation_id, status FROM grant_applications WHERE id = $1", applicationID).Scan(&org, &status)
	switch {
	case err == sql.ErrNoRows:
		return bad("No grant application has that id.")
	case err != nil:
		return err
	case org != organisationID:
		return bad("That award was made to another organisation.")
	case status != Awarded:
		return bad("That application has not been awarded a grant.")
	}
	return nil
}

// pounds writes pence as money: "£50", "£12.50".
func pounds(pence int64) string {
	if pence%100 == 0 {
		return fmt.Sprintf("£%d", pence/100)
	}
	return fmt.Sprintf("£%d.%02d", pence/100, pence%100)
}
