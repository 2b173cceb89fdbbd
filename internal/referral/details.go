package referral

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/postcode"
)

// A person's details, as a link worker keeps them: what a referral gave,
// corrected, and what the person tells them besides (how to reach them,
// in what language, what access they need, whom to call). Sex and
// ethnicity are asked so that the fair-coverage report can count who is
// reached; "not_stated" records that the person chose not to say, "" that
// nobody has asked.

// Sexes, Ethnicities and ContactPreferences are the contract's values.
var (
	Sexes              = []string{"female", "male", "other", "not_stated"}
	Ethnicities        = []string{"asian", "black", "mixed", "white", "other", "not_stated"}
	ContactPreferences = []string{"phone", "text", "email", "letter"}
)

// Limits on a person's details.
const (
	maxAccessNeeds    = 20
	maxAccessNeedText = 200
)

// NextOfKin is whom to call for the person.
type NextOfKin struct {
	Name         string `json:"name"`
	Relationship string `json:"relationship"`
	Phone        string `json:"phone"`
}

// Details are a person's details (GET and PUT /api/v1/people/{id}).
type Details struct {
	ID                  string    `json:"id,omitempty"`
	GivenName           string    `json:"given_name"`
	FamilyName          string    `json:"family_name"`
	DateOfBirth         string    `json:"date_of_birth"`
	NHSNumber           string    `json:"nhs_number"`
	Postcode            string    `json:"postcode"`
	Phone               string    `json:"phone"`
	Email               string    `json:"email"`
	Sex                 string    `json:"sex"`
	Ethnicity           string    `json:"ethnicity"`
	PreferredContact    string    `json:"preferred_contact"`
	InterpreterLanguage string    `json:"interpreter_language"`
	AccessNeeds         []string  `json:"access_needs"`
	NextOfKin           NextOfKin `json:"next_of_kin"`
}

// oneOf checks an optional choice: "" (not recorded) or one of values.
func oneOf(f map[string]string, name, v string, values []string, say string) {
	if v != "" && !slices.Contains(values, v) {
		f[name] = say + " must be one of " + strings.Join(values, ", ") + "."
	}
}

// Validate checks and tidies a person's details, naming every field at
// fault.
func (d *Details) Validate(now time.Time) error {
	f := map[string]string{}
	d.GivenName, d.FamilyName = strings.Join(strings.Fields(d.GivenName), " "), strings.Join(strings.Fields(d.FamilyName), " ")
	if d.GivenName == "" {
		f["given_name"] = "Enter the person's first name."
	} else {
		text(f, "given_name", d.GivenName, 100, false)
	}
	if d.FamilyName == "" {
		f["family_name"] = "Enter the person's last name."
	} else {
		text(f, "family_name", d.FamilyName, 100, false)
	}
	d.DateOfBirth = strings.TrimSpace(d.DateOfBirth)
	if _, msg := ParseBirthDate(d.DateOfBirth, now); msg != "" {
		f["date_of_birth"] = msg
	}
	if d.NHSNumber = NormaliseNHSNumber(d.NHSNumber); d.NHSNumber != "" && !ValidNHSNumber(d.NHSNumber) {
		f["nhs_number"] = "NHS number must be 10 digits that pass the NHS number check. Check it against a letter or the NHS App."
	}
	if pc, ok := postcode.Normalise(d.Postcode); ok {
		d.Postcode = pc
	} else {
		f["postcode"] = "Enter a real UK postcode, like EX1 1AA."
	}
	d.Phone, d.Email = strings.TrimSpace(d.Phone), strings.TrimSpace(d.Email)
	text(f, "phone", d.Phone, 40, false)
	text(f, "email", d.Email, 254, false)
	if d.Email != "" && (!strings.Contains(d.Email, "@") || strings.ContainsAny(d.Email, " <>")) {
		f["email"] = "Enter an email address like name@example.org."
	}
	oneOf(f, "sex", d.Sex, Sexes, "Sex")
	oneOf(f, "ethnicity", d.Ethnicity, Ethnicities, "Ethnicity")
	oneOf(f, "preferred_contact", d.PreferredContact, ContactPreferences, "Preferred contact")
	switch {
	case d.PreferredContact == "phone" || d.PreferredContact == "text":
		if d.Phone == "" && f["phone"] == "" {
			f["phone"] = "Enter a phone number, or choose another way to contact them."
		}
	case d.PreferredContact == "email":
		if d.Email == "" && f["email"] == "" {
			f["email"] = "Enter an email address, or choose another way to contact them."
		}
	}
	d.InterpreterLanguage = strings.Join(strings.Fields(d.InterpreterLanguage), " ")
	text(f, "interpreter_language", d.InterpreterLanguage, 100, false)
	var needs []string
	for _, n := range d.AccessNeeds {
		n = strings.Join(strings.Fields(n), " ")
		if n == "" || slices.ContainsFunc(needs, func(m string) bool { return strings.EqualFold(m, n) }) {
			continue
		}
		if !oikos.PlainText(n, false) || len([]rune(n)) > maxAccessNeedText {
			f["access_needs"] = fmt.Sprintf("Write each access need in %d characters or fewer.", maxAccessNeedText)
		}
		needs = append(needs, n)
	}
	if len(needs) > maxAccessNeeds {
		f["access_needs"] = fmt.Sprintf("List at most %d access needs.", maxAccessNeeds)
	}
	d.AccessNeeds = needs
	if d.AccessNeeds == nil {
		d.AccessNeeds = []string{}
	}
	k := &d.NextOfKin
	k.Name, k.Relationship, k.Phone = strings.Join(strings.Fields(k.Name), " "), strings.Join(strings.Fields(k.Relationship), " "), strings.TrimSpace(k.Phone)
	text(f, "next_of_kin.name", k.Name, 200, false)
	text(f, "next_of_kin.relationship", k.Relationship, 100, false)
	text(f, "next_of_kin.phone", k.Phone, 40, false)
	if k.Name == "" && (k.Relationship != "" || k.Phone != "") {
		f["next_of_kin.name"] = "Enter the next of kin's name, or leave their details blank."
	}
	return oikos.Invalid(f)
}

// AccessObject is the referral as the access policy sees it.
func (r Referral) AccessObject() auth.Object {
	return accessObject(r.ID, r.SchemeID, r.AssignedTo, r.ReferrerUserID, r.Status)
}

func accessObject(id, scheme, assigned, referrer string, status Status) auth.Object {
	return auth.Object{Kind: "referral", ID: id, AssignedTo: assigned, CreatedBy: referrer, SchemeID: scheme,
		InTriage: assigned == "" && status != Closed}
}

// MayHandlePerson reports whether p may see (or, with ChangeAction,
// correct) the details of a person whose referrals are refs: a link worker
// or manager who may do so to one of them. A referrer, who may read the
// referrals they made, sees the person only as they sent them
// (Referral.AsSent), never the record.
func MayHandlePerson(p *auth.Principal, act auth.Action, refs []auth.Object) bool {
	if !MaySearchPeople(p) {
		return false
	}
	return slices.ContainsFunc(refs, func(o auth.Object) bool { return auth.Can(p, act, o) })
}

// personReferrals reads how the policy sees a person's referrals.
func personReferrals(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, personID string) ([]auth.Object, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, scheme_id, COALESCE(assigned_to, ''), COALESCE(referrer_user_id, ''), status
		FROM referrals WHERE person_id = $1`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []auth.Object
	for rows.Next() {
		var id, scheme, assigned, referrer string
		var st Status
		if err := rows.Scan(&id, &scheme, &assigned, &referrer, &st); err != nil {
			return nil, err
		}
		out = append(out, accessObject(id, scheme, assigned, referrer, st))
	}
	return out, rows.Err()
}

const detailsColumns = `given_name, family_name, date_of_birth, nhs_number, postcode, phone, email, sex, ethnicity, preferred_contact,
	interpreter_language, access_needs, next_of_kin_name, next_of_kin_relationship, next_of_kin_phone, erased_at`

func scanDetails(row *sql.Row, d *Details) (erased bool, err error) {
	var needs string
	var erasedAt sql.NullInt64
	err = row.Scan(&d.GivenName, &d.FamilyName, &d.DateOfBirth, &d.NHSNumber, &d.Postcode, &d.Phone, &d.Email, &d.Sex, &d.Ethnicity,
		&d.PreferredContact, &d.InterpreterLanguage, &needs, &d.NextOfKin.Name, &d.NextOfKin.Relationship, &d.NextOfKin.Phone, &erasedAt)
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal([]byte(needs), &d.AccessNeeds); err != nil || d.AccessNeeds == nil {
		d.AccessNeeds = []string{}
	}
	if erasedAt.Valid {
		d.FamilyName = ErasedName
	}
	return erasedAt.Valid, nil
}

// loadPerson reads a person's details inside tx once p may act on them,
// else answers 404 (whoever may not see a person finds no such person).
func (s *Store) loadPerson(ctx context.Context, tx *sql.Tx, p *auth.Principal, act auth.Action, id string, lock bool) (Details, bool, error) {
	d := Details{ID: id}
	if !oikos.PlainText(id, false) || len(id) > 100 || !MaySearchPeople(p) {
		return d, false, oikos.NotFound("Person")
	}
	q := "SELECT " + detailsColumns + " FROM people WHERE id = $1"
	if lock && s.DB.Dialect == db.Postgres {
		q += " FOR UPDATE"
	}
	erased, err := scanDetails(tx.QueryRowContext(ctx, q, id), &d)
	if err == sql.ErrNoRows {
		return d, false, oikos.NotFound("Person")
	} else if err != nil {
		return d, false, err
	}
	refs, err := personReferrals(ctx, tx, id)
	if err != nil {
		return d, false, err
	}
	if !MayHandlePerson(p, act, refs) {
		return d, false, oikos.NotFound("Person")
	}
	return d, erased, nil
}

// PersonDetails reads a person's details for p, recording the read.
func (s *Store) PersonDetails(ctx context.Context, by Actor, p *auth.Principal, id string) (Details, error) {
	var d Details
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if d, _, err = s.loadPerson(ctx, tx, p, auth.ReadAction, id, false); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, by, audit.Read, "person", id)
	})
	if err != nil {
		return Details{}, err
	}
	return d, nil
}

// UpdatePersonDetails replaces a person's details (all of them, as PUT
// does), keeping the age band the reports count in step with the date of
// birth, and records the change. What each referral sent is kept apart
// (Referral.Sent): a correction never changes what a referrer is shown.
func (s *Store) UpdatePersonDetails(ctx context.Context, by Actor, p *auth.Principal, id string, in Details) (Details, error) {
	now := s.now()
	if err := in.Validate(now); err != nil {
		return Details{}, err
	}
	in.ID = id
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, erased, err := s.loadPerson(ctx, tx, p, auth.ChangeAction, id, true)
		if err != nil {
			return err
		}
		if erased {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "This person's details were erased at their request, so they cannot be changed."}
		}
		// The age band is the age when the person was first referred, as
		// intake counts it.
		var first sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT MIN(received_at) FROM referrals WHERE person_id = $1", id).Scan(&first); err != nil {
			return err
		}
		at := now
		if first.Valid {
			at = db.Time(first.Int64)
		}
		born, _ := ParseBirthDate(in.DateOfBirth, now)
		needs, _ := json.Marshal(in.AccessNeeds)
		_, err = tx.ExecContext(ctx, `UPDATE people SET given_name = $1, family_name = $2, date_of_birth = $3, nhs_number = $4, postcode = $5,
			phone = $6, email = $7, sex = $8, ethnicity = $9, preferred_contact = $10, interpreter_language = $11, access_needs = $12,
			next_of_kin_name = $13, next_of_kin_relationship = $14, next_of_kin_phone = $15, age_band = $16, updated_at = $17,
			given_key = $19, family_key = $20 WHERE id = $18`,
			in.GivenName, in.FamilyName, in.DateOfBirth, in.NHSNumber, in.Postcode, in.Phone, in.Email, in.Sex, in.Ethnicity,
			in.PreferredContact, in.InterpreterLanguage, string(needs), in.NextOfKin.Name, in.NextOfKin.Relationship, in.NextOfKin.Phone,
			AgeBand(born, at), db.Millis(now), id, NameKey(in.GivenName), NameKey(in.FamilyName))
		if err != nil {
			return err
		}
		return s.auditTx(ctx, tx, by, audit.Update, "person", id)
	})
	if err != nil {
		return Details{}, err
	}
	return in, nil
}
