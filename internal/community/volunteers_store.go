package community

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
	"oikos/internal/directory"
)

// Volunteering keeps volunteers, their matches with people, the contacts
// they log, the graduate pathway and the volunteering report. Every
// function takes the caller as a principal and answers 404 for what they
// may not see, so that a handler is one call.
type Volunteering struct {
	DB  *db.DB
	Now func() time.Time
	// SuggestLimit is how many volunteers a suggestion gives (20 when 0).
	SuggestLimit int
	// BaseURL is where people reach Oikos, for the links in emails.
	BaseURL string
}

// NewVolunteering returns a Volunteering on d with the real clock.
func NewVolunteering(d *db.DB) *Volunteering { return &Volunteering{DB: d, Now: time.Now} }

func (v *Volunteering) now() time.Time { return v.Now().UTC().Truncate(time.Millisecond) }

// today is the scheme's date now.
func (v *Volunteering) today() string { return dayOf(v.now()) }

// Audit object kinds. A volunteer's profile is kept under their user id;
// matches and invitations under their own ids, which the person's export
// finds through their referrals.
const (
	kindVolunteer        = "volunteer"
	kindMatch            = "volunteer_match"
	kindInvitation       = "mentor_invitation"
	kindVolSuggestions   = "referral.volunteer_suggestions"
	kindVolunteeringRept = "report"
)

// Volunteer is a volunteer's profile as the contract shows it, with their
// name, where their DBS check stands and how many people they support now.
type Volunteer struct {
	UserID        string     `json:"user_id"`
	Name          string     `json:"name"`
	SchemeID      string     `json:"scheme_id"`
	Kind          string     `json:"kind"`
	Postcode      string     `json:"postcode"`
	Skills        []string   `json:"skills"`
	Interests     []string   `json:"interests"`
	Languages     []string   `json:"languages"`
	Availability  []Slot     `json:"availability"`
	DBSCheckedOn  *string    `json:"dbs_checked_on"`
	DBSExpiresOn  *string    `json:"dbs_expires_on"`
	DBSStatus     string     `json:"dbs_status"`
	Training      []Training `json:"training"`
	CoordinatorID *string    `json:"coordinator_id"`
	Graduate      bool       `json:"graduate"`
	Phone         string     `json:"phone"`
	Email         string     `json:"email"`
	ActiveMatches int        `json:"active_matches"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// object is the profile as the access policy sees it.
func (vo Volunteer) object() auth.Object {
	c := ""
	if vo.CoordinatorID != nil {
		c = *vo.CoordinatorID
	}
	return auth.Object{Kind: kindVolunteer, ID: vo.UserID, SchemeID: vo.SchemeID, VolunteerID: vo.UserID, CoordinatorID: c}
}

const volunteerColumns = `v.user_id, u.name, v.scheme_id, v.kind, v.postcode, v.skills, v.interests, v.languages, v.availability,
	v.dbs_checked_on, v.dbs_expires_on, v.training, v.coordinator_id, v.graduate, v.phone, v.email, v.created_at, v.updated_at,
	(SELECT COUNT(*) FROM volunteer_matches m WHERE m.volunteer_id = v.user_id AND m.status = 'active')`

func scanVolunteer(row interface{ Scan(...any) error }, today string) (Volunteer, error) {
	var vo Volunteer
	var skills, interests, languages, availability, training string
	var checked, expires, coordinator sql.NullString
	var created, updated int64
	err := row.Scan(&vo.UserID, &vo.Name, &vo.SchemeID, &vo.Kind, &vo.Postcode, &skills, &interests, &languages, &availability,
		&checked, &expires, &training, &coordinator, &vo.Graduate, &vo.Phone, &vo.Email, &created, &updated, &vo.ActiveMatches)
	if err != nil {
		return vo, err
	}
	for _, l := range []struct {
		stored string
		into   any
	}{{skills, &vo.Skills}, {interests, &vo.Interests}, {languages, &vo.Languages}, {availability, &vo.Availability}, {training, &vo.Training}} {
		if err := json.Unmarshal([]byte(l.stored), l.into); err != nil {
			return vo, fmt.Errorf("volunteer %s: %w", vo.UserID, err)
		}
	}
	vo.Skills, vo.Interests, vo.Languages = nonNil(vo.Skills), nonNil(vo.Interests), nonNil(vo.Languages)
	if vo.Availability == nil {
		vo.Availability = []Slot{}
	}
	if vo.Training == nil {
		vo.Training = []Training{}
	}
	if checked.Valid {
		vo.DBSCheckedOn = &checked.String
	}
	if expires.Valid {
		vo.DBSExpiresOn = &expires.String
	}
	if coordinator.Valid {
		vo.CoordinatorID = &coordinator.String
	}
	vo.DBSStatus = DBSStatus(checked.String, expires.String, today)
	vo.CreatedAt, vo.UpdatedAt = db.Time(created), db.Time(updated)
	return vo, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// loadVolunteer reads a profile through q; 404 when there is none.
func loadVolunteer(ctx context.Context, q db.Querier, userID, today string) (Volunteer, error) {
	if !plainID(userID) {
		return Volunteer{}, oikos.NotFound("Volunteer")
	}
	vo, err := scanVolunteer(q.QueryRowContext(ctx, "SELECT "+volunteerColumns+" FROM volunteers v JOIN users u ON u.id = v.user_id WHERE v.user_id = $1", userID), today)
	if err == sql.ErrNoRows {
		return vo, oikos.NotFound("Volunteer")
	}
	return vo, err
}

// volunteerUser is a user who may have a volunteer profile.
type volunteerUser struct {
	role     auth.Role
	active   bool
	schemeID string
}

func loadVolunteerUser(ctx context.Context, q db.Querier, id string) (volunteerUser, bool, error) {
	var u volunteerUser
	if !plainID(id) {
		return u, false, nil
	}
	err := q.QueryRowContext(ctx, "SELECT u.role, u.active, "+userSchemeSQL+" FROM users u WHERE u.id = $1", id).Scan(&u.role, &u.active, &u.schemeID)
	if err == sql.ErrNoRows {
		return u, false, nil
	}
	return u, err == nil, err
}

func marshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// SaveVolunteer keeps the profile of a volunteer user (PUT
// /api/v1/volunteers/{user_id}): a manager of the volunteer's scheme only.
// The coordinator must be a health champion of the same scheme; a health
// champion who coordinates others stays one until they have another.
func (v *Volunteering) SaveVolunteer(ctx context.Context, by oikos.Actor, p *auth.Principal, userID string, in VolunteerInput) (Volunteer, error) {
	if p == nil || p.Role != auth.Manager {
		return Volunteer{}, oikos.NotFound("Volunteer")
	}
	today := v.today()
	if err := in.Validate(today); err != nil {
		return Volunteer{}, err
	}
	now := v.now()
	var out Volunteer
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		u, ok, err := loadVolunteerUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if !ok || u.role != auth.Volunteer || !auth.Can(p, auth.ChangeAction, auth.Object{Kind: kindVolunteer, SchemeID: u.schemeID, VolunteerID: userID}) {
			return oikos.NotFound("Volunteer")
		}
		f := map[string]string{}
		if c := in.CoordinatorID; c != "" {
			cu, ok, err := loadVolunteerUser(ctx, tx, c)
			if err != nil {
				return err
			}
			var kind string
			if ok {
				if err := tx.QueryRowContext(ctx, "SELECT kind FROM volunteers WHERE user_id = $1", c).Scan(&kind); err != nil && err != sql.ErrNoRows {
					return err
				}
			}
			switch {
			case c == userID:
				f["coordinator_id"] = "A volunteer cannot coordinate themselves."
			case !ok || cu.role != auth.Volunteer || !cu.active || cu.schemeID != u.schemeID || kind != KindHealthChampion:
				f["coordinator_id"] = "Choose a health champion of the volunteer's scheme."
			}
		}
		if in.Kind != KindHealthChampion {
			var coordinated int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM volunteers WHERE coordinator_id = $1", userID).Scan(&coordinated); err != nil {
				return err
			}
			if coordinated > 0 {
				f["kind"] = fmt.Sprintf("This health champion coordinates %d volunteers: give them another coordinator first.", coordinated)
			}
		}
		at, located, err := directory.LocateWith(ctx, tx, in.Postcode)
		if err != nil {
			return err
		}
		if !located {
			f["postcode"] = "This postcode cannot be placed on the map: check it, or give the volunteer's nearest full postcode."
		}
		if err := oikos.Invalid(f); err != nil {
			return err
		}
		var held int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM volunteers WHERE user_id = $1", userID).Scan(&held); err != nil {
			return err
		}
		phone, email := "", ""
		keepPhone, keepEmail := in.Phone == nil, in.Email == nil
		if in.Phone != nil {
			phone = *in.Phone
		}
		if in.Email != nil {
			email = *in.Email
		}
		var coordinator any
		if in.CoordinatorID != "" {
			coordinator = in.CoordinatorID
		}
		ms := db.Millis(now)
		args := []any{userID, u.schemeID, in.Kind, in.Postcode, at.Lat, at.Lon, marshal(in.Skills), marshal(in.Interests), marshal(in.Languages),
			marshal(in.Availability), SlotsMask(in.Availability), in.DBSCheckedOn, in.DBSExpiresOn, marshal(in.Training), coordinator,
			phone, email, ms, by.UserID, InterestTerms(in.Interests), keepPhone, keepEmail}
		action := audit.Update
		if held == 0 {
			action = audit.Create
			_, err = tx.ExecContext(ctx, `INSERT INTO volunteers (user_id, scheme_id, kind, postcode, latitude, longitude, skills, interests, languages,
				availability, available, dbs_checked_on, dbs_expires_on, training, coordinator_id, phone, email, created_at, updated_at, updated_by, terms)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, $19, $20)`, args[:20]...)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE volunteers SET scheme_id = $2, kind = $3, postcode = $4, latitude = $5, longitude = $6, skills = $7,
				interests = $8, languages = $9, availability = $10, available = $11, dbs_checked_on = $12, dbs_expires_on = $13, training = $14,
				coordinator_id = $15, phone = CASE WHEN $21 THEN phone ELSE $16 END, email = CASE WHEN $22 THEN email ELSE $17 END,
				updated_at = $18, updated_by = $19, terms = $20 WHERE user_id = $1`, args...)
		}
		if err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, now, action, kindVolunteer, userID)); err != nil {
			return err
		}
		out, err = loadVolunteer(ctx, tx, userID, today)
		return err
	})
	return out, err
}

// Volunteer reads a profile: the volunteer's own, one a health champion
// coordinates, or any of a manager's scheme. The read is audited.
func (v *Volunteering) Volunteer(ctx context.Context, by oikos.Actor, p *auth.Principal, userID string) (Volunteer, error) {
	var out Volunteer
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		vo, err := loadVolunteer(ctx, tx, userID, v.today())
		if err != nil {
			return err
		}
		if !auth.Can(p, auth.ReadAction, vo.object()) {
			return oikos.NotFound("Volunteer")
		}
		out = vo
		return audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, v.now(), audit.Read, kindVolunteer, userID))
	})
	return out, err
}

// UpdateOwnDetails lets a volunteer correct their own contact details and
// the times they are free; nobody else may use it.
func (v *Volunteering) UpdateOwnDetails(ctx context.Context, by oikos.Actor, p *auth.Principal, userID string, in OwnDetailsInput) (Volunteer, error) {
	if p == nil || p.UserID != userID {
		return Volunteer{}, oikos.NotFound("Volunteer")
	}
	if err := in.Validate(); err != nil {
		return Volunteer{}, err
	}
	var out Volunteer
	today := v.today()
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		vo, err := loadVolunteer(ctx, tx, userID, today)
		if err != nil {
			return err
		}
		if !auth.Can(p, auth.ChangeAction, vo.object()) {
			return oikos.NotFound("Volunteer")
		}
		phone, email, slots := vo.Phone, vo.Email, vo.Availability
		if in.Phone != nil {
			phone = *in.Phone
		}
		if in.Email != nil {
			email = *in.Email
		}
		if in.Availability != nil {
			slots = *in.Availability
		}
		now := v.now()
		if _, err := tx.ExecContext(ctx, `UPDATE volunteers SET phone = $1, email = $2, availability = $3, available = $4, updated_at = $5, updated_by = $6
			WHERE user_id = $7`, phone, email, marshal(slots), SlotsMask(slots), db.Millis(now), by.UserID, userID); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, v.DB.Dialect, auditEvent(by, now, audit.Update, kindVolunteer, userID)); err != nil {
			return err
		}
		out, err = loadVolunteer(ctx, tx, userID, today)
		return err
	})
	return out, err
}

// VolunteerFilter narrows a list of volunteers.
type VolunteerFilter struct {
	Kind string
	// DBSDue keeps those whose DBS check runs out within DBSWarningDays,
	// has run out, or is missing: what a coordinator must chase.
	DBSDue bool
	PageQuery
}

// Volunteers lists the volunteers the caller keeps or coordinates: a
// manager, the scheme's; a health champion, those they coordinate; anyone
// else, nobody (404). By name; the reads are audited in one append.
func (v *Volunteering) Volunteers(ctx context.Context, by oikos.Actor, p *auth.Principal, f VolunteerFilter) (Listing[Volunteer], error) {
	out := Listing[Volunteer]{Items: []Volunteer{}}
	offset, limit, err := f.offset()
	if err != nil {
		return out, err
	}
	if f.Kind != "" && !slices.Contains(VolunteerKinds, f.Kind) {
		return out, oikos.Invalid(map[string]string{"kind": "Kind must be one of " + strings.Join(VolunteerKinds, ", ") + "."})
	}
	if p == nil {
		return out, oikos.NotFound("Volunteers")
	}
	conds := []string{"v.scheme_id = $1"}
	args := []any{p.SchemeID}
	switch p.Role {
	case auth.Manager:
	case auth.Volunteer:
		args = append(args, p.UserID)
		conds = append(conds, fmt.Sprintf("v.coordinator_id = $%d", len(args)))
	default:
		return out, oikos.NotFound("Volunteers")
	}
	if f.Kind != "" {
		args = append(args, f.Kind)
		conds = append(conds, fmt.Sprintf("v.kind = $%d", len(args)))
	}
	today := v.today()
	if f.DBSDue {
		args = append(args, addDays(today, DBSWarningDays))
		conds = append(conds, fmt.Sprintf("(v.dbs_expires_on IS NULL OR v.dbs_checked_on IS NULL OR v.dbs_expires_on <= $%d)", len(args)))
	}
	where := strings.Join(conds, " AND ")
	err = v.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM volunteers v WHERE "+where, args...).Scan(&out.Total); err != nil {
			return err
		}
		n := len(args)
		rows, err := tx.QueryContext(ctx, "SELECT "+volunteerColumns+" FROM volunteers v JOIN users u ON u.id = v.user_id WHERE "+where+
			fmt.Sprintf(" ORDER BY lower(u.name), v.user_id LIMIT $%d OFFSET $%d", n+1, n+2), append(args, limit, offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var events []audit.Event
		now := v.now()
		for rows.Next() {
			vo, err := scanVolunteer(rows, today)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, vo)
			events = append(events, auditEvent(by, now, audit.Read, kindVolunteer, vo.UserID))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		out.Next = nextCursor(offset, len(out.Items), out.Total)
		return audit.AppendAll(ctx, tx, v.DB.Dialect, events)
	})
	return out, err
}

// MatchFigures is one of a volunteer's matches as their health champion
// sees it: when and how much, never with whom.
type MatchFigures struct {
	ID        string  `json:"id"`
	Status    string  `json:"status"`
	StartedOn string  `json:"started_on"`
	EndedOn   *string `json:"ended_on"`
	Contacts  int     `json:"contacts"`
	Hours     float64 `json:"hours"`
}

// CoordinatedVolunteer is a volunteer as the health champion who
// coordinates them sees them: their DBS and training, their matches and
// hours, and nothing of the people they support.
type CoordinatedVolunteer struct {
	UserID        string         `json:"user_id"`
	Name          string         `json:"name"`
	Kind          string         `json:"kind"`
	Phone         string         `json:"phone"`
	Email         string         `json:"email"`
	DBSExpiresOn  *string        `json:"dbs_expires_on"`
	DBSStatus     string         `json:"dbs_status"`
	Training      []Training     `json:"training"`
	ActiveMatches int            `json:"active_matches"`
	Hours         float64        `json:"hours"`
	Matches       []MatchFigures `json:"matches"`
}

// maxCoordinated bounds one overview: a champion coordinates a few dozen.
const maxCoordinated = 500

// Coordinated is a health champion's view of the volunteers they
// coordinate (the caller's own, for a volunteer), or, for a manager, of
// those coordinated by coordinatorID ("": every volunteer of the scheme),
// at most 500, by name. The reads are audited in one append.
func (v *Volunteering) Coordinated(ctx context.Context, by oikos.Actor, p *auth.Principal, coordinatorID string) ([]CoordinatedVolunteer, error) {
	out := []CoordinatedVolunteer{}
	if p == nil {
		return out, oikos.NotFound("Volunteers")
	}
	conds, args := "v.scheme_id = $1", []any{p.SchemeID}
	switch {
	case p.Role == auth.Volunteer:
		conds, args = conds+" AND v.coordinator_id = $2", append(args, p.UserID)
	case p.Role == auth.Manager && coordinatorID != "":
		if !plainID(coordinatorID) {
			return out, oikos.Invalid(map[string]string{"coordinator_id": "No health champion has that id."})
		}
		conds, args = conds+" AND v.coordinator_id = $2", append(args, coordinatorID)
	case p.Role == auth.Manager:
	default:
		return out, oikos.NotFound("Volunteers")
	}
	today := v.today()
	err := v.DB.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT v.user_id, u.name, v.kind, v.phone, v.email, v.dbs_checked_on, v.dbs_expires_on, v.training
			FROM volunteers v JOIN users u ON u.id = v.user_id WHERE `+conds+` ORDER BY lower(u.name), v.user_id LIMIT `+fmt.Sprint(maxCoordinated), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		index := map[string]int{}
		minutesOf := map[string]int64{}
		for rows.Next() {
			var c CoordinatedVolunteer
			var checked, expires sql.NullString
			var training string
			if err := rows.Scan(&c.UserID, &c.Name, &c.Kind, &c.Phone, &c.Email, &checked, &expires, &training); err != nil {
				return err
			}
			if expires.Valid {
				c.DBSExpiresOn = &expires.String
			}
			c.DBSStatus = DBSStatus(checked.String, expires.String, today)
			if err := json.Unmarshal([]byte(training), &c.Training); err != nil {
				return err
			}
			if c.Training == nil {
				c.Training = []Training{}
			}
			c.Matches = []MatchFigures{}
			index[c.UserID] = len(out)
			out = append(out, c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(out) == 0 {
			return nil
		}
		ids := make([]any, 0, len(out))
		marks := make([]string, 0, len(out))
		for i, c := range out {
			ids = append(ids, c.UserID)
			marks = append(marks, fmt.Sprintf("$%d", i+1))
		}
		mrows, err := tx.QueryContext(ctx, `SELECT m.volunteer_id, m.id, m.status, m.started_on, m.ended_on,
			(SELECT COUNT(*) FROM volunteer_contacts c WHERE c.match_id = m.id), (SELECT COALESCE(SUM(c.minutes), 0) FROM volunteer_contacts c WHERE c.match_id = m.id)
			FROM volunteer_matches m WHERE m.volunteer_id IN (`+strings.Join(marks, ", ")+`) ORDER BY m.started_on DESC, m.id`, ids...)
		if err != nil {
			return err
		}
		defer mrows.Close()
		for mrows.Next() {
			var vid string
			var m MatchFigures
			var ended sql.NullString
			var minutes int64
			if err := mrows.Scan(&vid, &m.ID, &m.Status, &m.StartedOn, &ended, &m.Contacts, &minutes); err != nil {
				return err
			}
			if ended.Valid {
				m.EndedOn = &ended.String
			}
			m.Hours = hoursOf(minutes)
			c := &out[index[vid]]
			c.Matches = append(c.Matches, m)
			minutesOf[vid] += minutes
			c.Hours = hoursOf(minutesOf[vid])
			if m.Status == matchActive {
				c.ActiveMatches++
			}
		}
		if err := mrows.Err(); err != nil {
			return err
		}
		mrows.Close()
		now := v.now()
		events := make([]audit.Event, len(out))
		for i, c := range out {
			events[i] = auditEvent(by, now, audit.Read, kindVolunteer, c.UserID)
		}
		return audit.AppendAll(ctx, tx, v.DB.Dialect, events)
	})
	return out, err
}

// hoursOf turns minutes into hours, to a tenth.
func hoursOf(minutes int64) float64 { return float64((minutes*10+30)/60) / 10 }
