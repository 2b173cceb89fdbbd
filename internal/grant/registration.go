package grant

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/auth"
	"oikos/internal/db"
	"oikos/internal/directory"
	"oikos/internal/org"
)

// Groups join without an administrator: a community group registers
// itself and its first service on a public form; a manager of the scheme
// covering the service's postcode checks it, and on approval the group
// becomes an organisation and its service is listed in the directory,
// citizen-led.

// Registration statuses.
const (
	Pending         = "pending"
	Approved        = "approved"
	DeclinedRequest = "declined"
)

// RegistrationInput is the public form.
type RegistrationInput struct {
	GroupName        string `json:"group_name"`
	GroupDescription string `json:"group_description"`
	Website          string `json:"website"`
	ContactName      string `json:"contact_name"`
	ContactEmail     string `json:"contact_email"`
	ContactPhone     string `json:"contact_phone"`
	// Service is the group's first service, as the directory takes it;
	// its organisation is the group, made on approval.
	Service directory.Input `json:"service"`
}

// Registration is a group's registration and where its check stands.
type Registration struct {
	ID               string          `json:"id"`
	Status           string          `json:"status"`
	SchemeID         string          `json:"scheme_id"`
	GroupName        string          `json:"group_name"`
	GroupDescription string          `json:"group_description"`
	Website          string          `json:"website"`
	ContactName      string          `json:"contact_name"`
	ContactEmail     string          `json:"contact_email"`
	ContactPhone     string          `json:"contact_phone"`
	Service          directory.Input `json:"service"`
	OrganisationID   *string         `json:"organisation_id"`
	ServiceID        *string         `json:"service_id"`
	Reason           string          `json:"reason"`
	CreatedAt        time.Time       `json:"created_at"`
	DecidedAt        *time.Time      `json:"decided_at"`
}

// RegistrationDecision is a manager's answer to a registration.
type RegistrationDecision struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// pendingOrganisation stands in for the group's organisation while the
// service is checked: the group has none until it is approved.
const pendingOrganisation = "pending"

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()\-]{4,}[0-9]$`)

// CheckRegistration checks and tidies the public form, naming every field
// at fault; the service's fields are named under "service." as in
// service.postcode. The service is citizen-led (the group runs it), needs
// a postcode (so that people nearby find it and a scheme checks it), and
// cannot yet name a grant award.
func CheckRegistration(in *RegistrationInput) error {
	f := map[string]string{}
	in.GroupName = strings.Join(strings.Fields(in.GroupName), " ")
	in.GroupDescription = strings.TrimSpace(in.GroupDescription)
	in.Website = strings.TrimSpace(in.Website)
	in.ContactName = strings.Join(strings.Fields(in.ContactName), " ")
	in.ContactEmail = strings.TrimSpace(in.ContactEmail)
	in.ContactPhone = strings.Join(strings.Fields(in.ContactPhone), " ")
	if in.GroupName == "" {
		f["group_name"] = "Enter your group's name."
	} else {
		checkText(f, "group_name", "The group's name", in.GroupName, maxName, false)
	}
	checkText(f, "group_description", "The description", in.GroupDescription, maxText, true)
	if in.Website != "" {
		if u, err := url.Parse(in.Website); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(in.Website) > 2000 {
			f["website"] = "The web address must start with https:// or http://."
		}
	}
	if in.ContactName == "" {
		f["contact_name"] = "Enter the name of someone we can contact about the group."
	} else {
		checkText(f, "contact_name", "The contact's name", in.ContactName, maxName, false)
	}
	if in.ContactEmail == "" && in.ContactPhone == "" {
		f["contact_email"] = "Give an email address or a phone number so that we can check the details with you."
	}
	if in.ContactEmail != "" {
		if a, err := mail.ParseAddress(in.ContactEmail); err != nil || a.Address != in.ContactEmail || len(in.ContactEmail) > 254 {
			f["contact_email"] = "Enter an email address like name@example.org."
		}
	}
	if in.ContactPhone != "" && (len(in.ContactPhone) > 40 || !phonePattern.MatchString(in.ContactPhone)) {
		f["contact_phone"] = "A phone number may hold only digits, spaces and + ( ) -."
	}

	in.Service.OrganisationID = pendingOrganisation
	in.Service.CitizenLed = true
	if strings.TrimSpace(in.Service.Postcode) == "" {
		f["service.postcode"] = "Enter the postcode where the group meets."
	}
	if in.Service.GrantApplicationID != nil && strings.TrimSpace(*in.Service.GrantApplicationID) != "" {
		f["service.grant_application_id"] = "A new group names its grant award once it is listed and awarded."
	}
	in.Service.GrantApplicationID = nil
	if err := in.Service.Validate(); err != nil {
		var e *oikos.Error
		if !errors.As(err, &e) {
			return err
		}
		for k, v := range e.Fields {
			f["service."+k] = v
		}
	}
	return oikos.Invalid(f)
}

func duplicateGroup() error {
	return &oikos.Error{Code: oikos.ECONFLICT, Message: "A group with that name is already listed or waiting to be checked.",
		Fields: map[string]string{"group_name": "A group with that name is already listed or waiting to be checked."}}
}

// Register stores a group's registration from the public form, pending a
// check by a manager of the scheme covering the service's postcode. by is
// the anonymous visitor (with their client address, for the audit log);
// the web layer limits how often one client may send the form.
func (s *Store) Register(ctx context.Context, by oikos.Actor, in RegistrationInput) (Registration, error) {
	if err := CheckRegistration(&in); err != nil {
		return Registration{}, err
	}
	service, err := json.Marshal(in.Service)
	if err != nil {
		return Registration{}, err
	}
	id := db.NewID("grg")
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM organisations WHERE lower(name) = lower($1))
			+ (SELECT COUNT(*) FROM group_registrations WHERE lower(group_name) = lower($1) AND status = 'pending')`, in.GroupName).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return duplicateGroup()
		}
		scheme, err := org.NewSchemeChooser(tx, "").Choose(ctx, "", in.Service.Postcode)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO group_registrations (id, scheme_id, status, group_name, group_description, website, contact_name,
			contact_email, contact_phone, service, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			id, scheme, Pending, in.GroupName, in.GroupDescription, in.Website, in.ContactName, in.ContactEmail, in.ContactPhone, string(service),
			db.Millis(s.now()))
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, audit.Create, kindRegistration, id)
	})
	if err != nil {
		return Registration{}, err
	}
	return s.registration(ctx, s.DB.R(), nil, id)
}

const registrationColumns = `id, status, scheme_id, group_name, group_description, website, contact_name, contact_email, contact_phone, service,
	organisation_id, service_id, reason, created_at, decided_at FROM group_registrations`

func scanRegistration(row interface{ Scan(...any) error }) (Registration, error) {
	var r Registration
	var service string
	var orgID, serviceID sql.NullString
	var created int64
	var decided sql.NullInt64
	err := row.Scan(&r.ID, &r.Status, &r.SchemeID, &r.GroupName, &r.GroupDescription, &r.Website, &r.ContactName, &r.ContactEmail, &r.ContactPhone,
		&service, &orgID, &serviceID, &r.Reason, &created, &decided)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(service), &r.Service); err != nil {
		return r, err
	}
	if orgID.Valid {
		r.OrganisationID = &orgID.String
	}
	if serviceID.Valid {
		r.ServiceID = &serviceID.String
	}
	r.CreatedAt = db.Time(created)
	if decided.Valid {
		t := db.Time(decided.Int64)
		r.DecidedAt = &t
	}
	return r, nil
}

// registration reads one registration; p nil reads it for the one who just
// sent it, else p must be a manager of its scheme.
func (s *Store) registration(ctx context.Context, q db.Querier, p *auth.Principal, id string) (Registration, error) {
	if !plausibleID(id) {
		return Registration{}, oikos.NotFound("Registration")
	}
	r, err := scanRegistration(q.QueryRowContext(ctx, "SELECT "+registrationColumns+" WHERE id = $1", id))
	if err == sql.ErrNoRows || (err == nil && p != nil && !auth.Can(p, auth.ReadAction, auth.Object{Kind: auth.KindGroupRegistration, ID: id, SchemeID: r.SchemeID})) {
		return Registration{}, oikos.NotFound("Registration")
	}
	return r, err
}

// Registration reads a registration for a manager of its scheme.
func (s *Store) Registration(ctx context.Context, p *auth.Principal, id string) (Registration, error) {
	if p == nil {
		return Registration{}, oikos.NotFound("Registration")
	}
	return s.registration(ctx, s.DB.R(), p, id)
}

// Registrations lists the registrations of p's scheme with a status
// (pending when ""), oldest first: the queue to check.
func (s *Store) Registrations(ctx context.Context, p *auth.Principal, status string) ([]Registration, error) {
	if p == nil || !auth.Can(p, auth.ReadAction, auth.Object{Kind: auth.KindGroupRegistration, SchemeID: p.SchemeID}) {
		return nil, oikos.NotFound("Registrations")
	}
	if status == "" {
		status = Pending
	}
	if status != Pending && status != Approved && status != DeclinedRequest {
		return nil, oikos.Invalid(map[string]string{"status": "Status must be pending, approved or declined."})
	}
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+registrationColumns+" WHERE scheme_id = $1 AND status = $2 ORDER BY created_at, id LIMIT 500",
		p.SchemeID, status)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Registration{}
	for rows.Next() {
		r, err := scanRegistration(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DecideRegistration approves or declines a registration, once (a manager
// of its scheme). Approval makes the group an organisation and lists its
// service in the directory, in the same transaction: both or neither.
func (s *Store) DecideRegistration(ctx context.Context, p *auth.Principal, by oikos.Actor, id string, in RegistrationDecision) (Registration, error) {
	if p == nil {
		return Registration{}, oikos.NotFound("Registration")
	}
	in.Decision, in.Reason = strings.TrimSpace(in.Decision), strings.TrimSpace(in.Reason)
	f := map[string]string{}
	switch in.Decision {
	case Approved:
	case DeclinedRequest:
		if in.Reason == "" {
			f["reason"] = "Say why, so that the group can put it right."
		}
	default:
		f["decision"] = "Decision must be approved or declined."
	}
	checkText(f, "reason", "The reason", in.Reason, maxText, true)
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.registration(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !auth.Can(p, auth.ChangeAction, auth.Object{Kind: auth.KindGroupRegistration, ID: id, SchemeID: r.SchemeID}) {
			return oikos.NotFound("Registration")
		}
		if err := oikos.Invalid(f); err != nil {
			return err
		}
		now := db.Millis(s.now())
		res, err := tx.ExecContext(ctx, `UPDATE group_registrations SET status = $2, reason = $3, decided_by = $4, decided_at = $5
			WHERE id = $1 AND status = 'pending'`, id, in.Decision, in.Reason, by.UserID, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &oikos.Error{Code: oikos.ECONFLICT, Message: "This registration has already been " + r.Status + "."}
		}
		if in.Decision == Approved {
			if err := s.list(ctx, tx, by, r); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, by, audit.Update, kindRegistration, id)
	})
	if err != nil {
		return Registration{}, err
	}
	return s.registration(ctx, s.DB.R(), p, id)
}

// list makes an approved group an organisation and lists its service.
func (s *Store) list(ctx context.Context, tx *sql.Tx, by oikos.Actor, r Registration) error {
	orgID := db.NewID("org")
	now := db.Millis(s.now())
	_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, kind, description, website, email, active, created_at, updated_at)
		VALUES ($1, $2, 'vcse', $3, $4, $5, true, $6, $6)`, orgID, r.GroupName, r.GroupDescription, r.Website, r.ContactEmail, now)
	if db.IsUniqueViolation(err) {
		return duplicateGroup()
	} else if err != nil {
		return err
	}
	if err := audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: audit.Create,
		ObjectKind: "organisation", ObjectID: orgID, Client: by.Client}); err != nil {
		return err
	}
	in := r.Service
	in.OrganisationID, in.CitizenLed = orgID, true
	serviceID, err := s.Directory.CreateTx(ctx, tx, by, in)
	if err != nil {
		// The form was checked when sent; what fails now (a start date
		// that has since become wrong) is the service's to correct.
		var e *oikos.Error
		if errors.As(err, &e) && e.Code == oikos.EINVALID {
			fields := map[string]string{}
			for k, v := range e.Fields {
				fields["service."+k] = v
			}
			return oikos.Invalid(fields)
		}
		return err
	}
	_, err = tx.ExecContext(ctx, "UPDATE group_registrations SET organisation_id = $2, service_id = $3 WHERE id = $1", r.ID, orgID, serviceID)
	return err
}
