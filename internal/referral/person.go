package referral

import (
	"context"
	"database/sql"

	"oikos"
	"oikos/internal/db"
)

// GetPerson finds a person held. Callers check access and audit the read.
func (s *Store) GetPerson(ctx context.Context, id string) (Person, error) {
	return ReadPerson(ctx, s.DB.R(), id)
}

// ReadPerson is GetPerson through q: inside a transaction, or not.
func ReadPerson(ctx context.Context, q db.Querier, id string) (Person, error) {
	if !oikos.PlainText(id, false) {
		return Person{}, oikos.NotFound("Person")
	}
	p := Person{ID: id}
	err := q.QueryRowContext(ctx, `SELECT given_name, family_name, date_of_birth, nhs_number, postcode, phone, email
		FROM people WHERE id = $1`, id).Scan(&p.GivenName, &p.FamilyName, &p.DateOfBirth, &p.NHSNumber, &p.Postcode, &p.Phone, &p.Email)
	if err == sql.ErrNoRows {
		return Person{}, oikos.NotFound("Person")
	}
	p.showErased()
	return p, err
}

// ErasedName stands in for the name of a person whose details were erased
// (package privacy), so that every page and answer that names people still
// says something rather than nothing.
const ErasedName = "(details erased)"

// showErased puts ErasedName where an erased person's name was: names are
// required when a person is recorded, so both blank means erased.
func (p *Person) showErased() {
	if p.GivenName == "" && p.FamilyName == "" {
		p.FamilyName = ErasedName
	}
}

// PersonReferrals lists every referral of one person, newest first: what
// the person sees of their own journey. Callers audit the reads.
func (s *Store) PersonReferrals(ctx context.Context, personID string) ([]Referral, error) {
	return ReadPersonReferrals(ctx, s.DB.R(), personID)
}

// ReadPersonReferrals is PersonReferrals through q: inside a transaction,
// or not.
func ReadPersonReferrals(ctx context.Context, q db.Querier, personID string) ([]Referral, error) {
	if !oikos.PlainText(personID, false) {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT "+referralColumns+` FROM referrals r JOIN people p ON p.id = r.person_id
		WHERE r.person_id = $1 ORDER BY r.received_at DESC, r.id`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Referral
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
