package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"oikos"
	"oikos/internal/audit"
	"oikos/internal/course"
	"oikos/internal/db"
	"oikos/internal/postcode"
)

// Store keeps the directory. It holds caches of what it reads (search
// pages, the index's words, the suggestion snapshot), so one Store serves a
// database for the life of the process (package app builds it once).
type Store struct {
	DB  *db.DB
	Now func() time.Time
	// CheckAward checks, inside the write, that a service may name the
	// grant award applicationID (package grant's CheckServiceAward: an
	// award made to the organisation that runs the service), answering a
	// problem with grant_application_id otherwise. Left nil, no service
	// may name an award.
	CheckAward func(ctx context.Context, q db.Querier, applicationID, organisationID string) error

	cacheOnce sync.Once
	cached    *caches
}

// caches are a Store's long-lived caches, each checked against the
// directory's version before use.
type caches struct {
	words   *wordsPages
	vocab   *vocabulary
	suggest *suggestCache
}

func (s *Store) caches() *caches {
	s.cacheOnce.Do(func() {
		s.cached = &caches{words: &wordsPages{pages: map[wordsPageKey]wordsPage{}}, vocab: &vocabulary{}, suggest: &suggestCache{}}
	})
	return s.cached
}

// NewStore returns a Store on d with the real clock.
func NewStore(d *db.DB) *Store { return &Store{DB: d, Now: time.Now} }

// Actor is who makes a change, for the audit log.
type Actor = oikos.Actor

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Locate finds a postcode or district: a full postcode imported from the
// ONS directory if present, else the district's centroid.
func (s *Store) Locate(ctx context.Context, place string) (postcode.Point, bool, error) {
	return LocateWith(ctx, s.DB.R(), place)
}

// LocateWith is Locate through r, which may be a transaction.
func LocateWith(ctx context.Context, r db.Querier, place string) (postcode.Point, bool, error) {
	pc, ok := postcode.NormalisePlace(place)
	if !ok {
		return postcode.Point{}, false, nil
	}
	if strings.Contains(pc, " ") {
		var p postcode.Point
		err := r.QueryRowContext(ctx, "SELECT latitude, longitude FROM postcodes WHERE postcode = $1", pc).Scan(&p.Lat, &p.Lon)
		if err == nil {
			return p, true, nil
		}
		if err != sql.ErrNoRows {
			return p, false, err
		}
	}
	p, ok := postcode.OutcodeCentre(postcode.Outcode(pc))
	return p, ok, nil
}

func marshalList(list []string) string {
	if list == nil {
		list = []string{}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// Create adds a service. The caller has already checked the actor may add
// services for in.OrganisationID.
func (s *Store) Create(ctx context.Context, by Actor, in Input) (Service, error) {
	if err := in.Validate(); err != nil {
		return Service{}, err
	}
	id := db.NewID("svc")
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.write(ctx, tx, by, id, in, importKeys{}, true)
	})
	if err != nil {
		return Service{}, err
	}
	return s.Get(ctx, id)
}

// CreateTx adds a service inside tx, for a change that writes a service
// together with something else (a group's registration approved with its
// organisation), and returns its id.
func (s *Store) CreateTx(ctx context.Context, tx *sql.Tx, by Actor, in Input) (string, error) {
	if err := in.Validate(); err != nil {
		return "", err
	}
	id := db.NewID("svc")
	return id, s.write(ctx, tx, by, id, in, importKeys{}, true)
}

// Update replaces a service's details.
func (s *Store) Update(ctx context.Context, by Actor, id string, in Input) (Service, error) {
	if err := in.Validate(); err != nil {
		return Service{}, err
	}
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.write(ctx, tx, by, id, in, importKeys{}, false)
	})
	if err != nil {
		return Service{}, err
	}
	return s.Get(ctx, id)
}

// importKeys carry the ids an imported record had at its source.
type importKeys struct {
	Source, SourceID, LocationID string
	ScheduleIDs                  []string
	Terms                        []Term
	Status                       string    // "" keeps the current status
	CheckedAt                    time.Time // zero: checked now if new, else unchanged
}

func (s *Store) write(ctx context.Context, tx *sql.Tx, by Actor, id string, in Input, keys importKeys, create bool) error {
	var orgActive bool
	if err := tx.QueryRowContext(ctx, "SELECT active FROM organisations WHERE id = $1", in.OrganisationID).Scan(&orgActive); err == sql.ErrNoRows {
		return oikos.Invalid(map[string]string{"organisation_id": "No organisation has that id."})
	} else if err != nil {
		return err
	}
	var award any
	if in.GrantApplicationID != nil {
		if s.CheckAward == nil {
			return oikos.Invalid(map[string]string{"grant_application_id": "Grant awards cannot be named in this directory."})
		}
		if err := s.CheckAward(ctx, tx, *in.GrantApplicationID, in.OrganisationID); err != nil {
			return err
		}
		award = *in.GrantApplicationID
	}
	var courseRule, courseStart string
	var courseMinutes int
	if in.Course != nil {
		courseRule, courseStart, courseMinutes = in.Course.RRule, in.Course.Start, in.Course.Minutes
	}
	var lat, lon any
	if in.Postcode != "" {
		p, ok, err := s.locateTx(ctx, tx, in.Postcode)
		if err != nil {
			return err
		}
		if ok {
			lat, lon = p.Lat, p.Lon
		}
	}
	now := db.Millis(s.now())
	// checked is when the source last checked the service, if it said and
	// it is not in the future; 0 never moves an existing check back.
	var checked int64
	if !keys.CheckedAt.IsZero() {
		checked = min(db.Millis(keys.CheckedAt), now)
	}
	args := []any{in.OrganisationID, in.Name, in.Description, in.URL, in.Email, in.Phone, in.CostPence, in.FeesNote,
		in.Eligibility, in.MinAge, in.MaxAge, in.Capacity, in.CitizenLed, in.StartedOn, marshalList(in.Accessibility),
		marshalList(in.Languages), strings.Join(in.Categories, " "), CategoryLabels(in.Categories), in.LocationName,
		in.Address, in.Postcode, lat, lon, DaysMask(in.Schedule), now}
	action := audit.Update
	if create {
		action = audit.Create
		status := keys.Status
		if status == "" {
			status = "active"
		}
		if checked == 0 {
			checked = now
		}
		args = append(args, id, keys.Source, keys.SourceID, keys.LocationID, status, checked, forSex(in.ForSex),
			courseRule, courseStart, courseMinutes, award)
		_, err := tx.ExecContext(ctx, `INSERT INTO services (organisation_id, name, description, url, email, phone, cost_pence,
			fees_description, eligibility, min_age, max_age, capacity, citizen_led, started_on, accessibility, languages,
			categories, category_labels, location_name, address, postcode, latitude, longitude, days, updated_at,
			id, source, source_id, location_id, status, created_at, last_checked_at, for_sex,
			course_rrule, course_start, course_minutes, grant_application_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,
			$26, $27, $28, $29, $30, $25, $31, $32, $33, $34, $35, $36)`, args...)
		if err != nil {
			return err
		}
	} else {
		args = append(args, id, keys.LocationID, keys.Status, checked, forSex(in.ForSex),
			courseRule, courseStart, courseMinutes, award)
		res, err := tx.ExecContext(ctx, `UPDATE services SET organisation_id = $1, name = $2, description = $3, url = $4, email = $5,
			phone = $6, cost_pence = $7, fees_description = $8, eligibility = $9, min_age = $10, max_age = $11, for_sex = $30, capacity = $12,
			citizen_led = $13, started_on = $14, accessibility = $15, languages = $16, categories = $17, category_labels = $18,
			location_name = $19, address = $20, postcode = $21, latitude = $22, longitude = $23, days = $24, updated_at = $25,
			course_rrule = $31, course_start = $32, course_minutes = $33, grant_application_id = $34,
			location_id = CASE WHEN $27 = '' THEN location_id ELSE $27 END,
			status = CASE WHEN $28 = '' THEN status ELSE $28 END,
			last_checked_at = CASE WHEN $29 > last_checked_at THEN $29 ELSE last_checked_at END
			WHERE id = $26`, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return oikos.NotFound("Service")
		}
		for _, table := range []string{"service_categories", "service_schedules", "service_terms"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE service_id = $1", id); err != nil {
				return err
			}
		}
	}
	for _, c := range in.Categories {
		if _, err := tx.ExecContext(ctx, "INSERT INTO service_categories (service_id, category) VALUES ($1, $2)", id, c); err != nil {
			return err
		}
	}
	for i, sess := range in.Schedule {
		sourceID := ""
		if i < len(keys.ScheduleIDs) {
			sourceID = keys.ScheduleIDs[i]
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO service_schedules (service_id, position, day, opens, closes, source_id) VALUES ($1, $2, $3, $4, $5, $6)",
			id, i, DayNumber(sess.Day), sess.Opens, sess.Closes, sourceID); err != nil {
			return err
		}
	}
	for i, t := range keys.Terms {
		if _, err := tx.ExecContext(ctx, "INSERT INTO service_terms (service_id, position, taxonomy, term_id, code, name) VALUES ($1, $2, $3, $4, $5, $6)",
			id, i, t.Taxonomy, t.TermID, t.Code, t.Name); err != nil {
			return err
		}
	}
	return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: s.now(), ActorID: by.UserID, Action: action,
		ObjectKind: "service", ObjectID: id, Client: by.Client})
}

func (s *Store) locateTx(ctx context.Context, tx *sql.Tx, pc string) (postcode.Point, bool, error) {
	var p postcode.Point
	err := tx.QueryRowContext(ctx, "SELECT latitude, longitude FROM postcodes WHERE postcode = $1", pc).Scan(&p.Lat, &p.Lon)
	if err == nil {
		return p, true, nil
	}
	if err != sql.ErrNoRows {
		return p, false, err
	}
	p, ok := postcode.OutcodeCentre(postcode.Outcode(pc))
	return p, ok, nil
}

// SetStatus closes a service that has stopped running, or reopens it.
func (s *Store) SetStatus(ctx context.Context, by Actor, id, status string) error {
	if status != "active" && status != "closed" {
		return oikos.Invalid(map[string]string{"status": "Status must be active or closed."})
	}
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE services SET status = $1, updated_at = $2, last_checked_at = $2 WHERE id = $3", status, db.Millis(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return oikos.NotFound("Service")
		}
		return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: now, ActorID: by.UserID, Action: audit.Update,
			ObjectKind: "service", ObjectID: id, Client: by.Client})
	})
}

// MarkChecked records that someone confirmed the service is still running
// as described.
func (s *Store) MarkChecked(ctx context.Context, by Actor, id string) error {
	now := s.now()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE services SET last_checked_at = $1 WHERE id = $2", db.Millis(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return oikos.NotFound("Service")
		}
		return audit.Append(ctx, tx, s.DB.Dialect, audit.Event{At: now, ActorID: by.UserID, Action: "check",
			ObjectKind: "service", ObjectID: id, Client: by.Client})
	})
}

const serviceColumns = `s.id, s.organisation_id, o.name, s.name, s.description, s.url, s.email, s.phone, s.status, s.cost_pence,
	s.fees_description, s.eligibility, s.min_age, s.max_age, s.capacity, s.citizen_led, s.started_on, s.accessibility,
	s.languages, s.categories, s.location_id, s.location_name, s.address, s.postcode, s.latitude, s.longitude,
	s.last_checked_at, s.created_at, s.updated_at, s.source, s.source_id, s.for_sex, s.course_rrule, s.course_start,
	s.course_minutes, s.grant_application_id`

func scanService(row interface{ Scan(...any) error }, extra ...any) (Service, error) {
	var v Service
	var cost sql.NullInt64
	var minAge, maxAge, capacity sql.NullInt64
	var lat, lon sql.NullFloat64
	var access, langs, cats string
	var checked, created, updated int64
	var courseRule, courseStart string
	var courseMinutes int
	var award sql.NullString
	dest := []any{&v.ID, &v.OrganisationID, &v.Organisation, &v.Name, &v.Description, &v.URL, &v.Email, &v.Phone, &v.Status, &cost,
		&v.FeesNote, &v.Eligibility, &minAge, &maxAge, &capacity, &v.CitizenLed, &v.StartedOn, &access,
		&langs, &cats, &v.LocationID, &v.LocationName, &v.Address, &v.Postcode, &lat, &lon,
		&checked, &created, &updated, &v.Source, &v.SourceID, &v.ForSex, &courseRule, &courseStart, &courseMinutes, &award}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return v, err
	}
	if courseRule != "" {
		v.Course = &course.Course{RRule: courseRule, Start: courseStart, Minutes: courseMinutes}
	}
	if award.Valid {
		v.GrantApplicationID = &award.String
	}
	if cost.Valid {
		v.CostPence = &cost.Int64
	}
	v.MinAge, v.MaxAge, v.Capacity = intPtr(minAge), intPtr(maxAge), intPtr(capacity)
	if lat.Valid && lon.Valid {
		v.Latitude, v.Longitude = &lat.Float64, &lon.Float64
	}
	json.Unmarshal([]byte(access), &v.Accessibility)
	json.Unmarshal([]byte(langs), &v.Languages)
	if v.Accessibility == nil {
		v.Accessibility = []string{}
	}
	if v.Languages == nil {
		v.Languages = []string{}
	}
	v.Categories = strings.Fields(cats)
	if v.Categories == nil {
		v.Categories = []string{}
	}
	v.LastCheckedAt, v.CreatedAt, v.UpdatedAt = db.Time(checked), db.Time(created), db.Time(updated)
	v.Schedule = []Session{}
	return v, nil
}

func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// Get finds one service with its schedule and terms.
func (s *Store) Get(ctx context.Context, id string) (Service, error) {
	if !oikos.PlainText(id, false) {
		return Service{}, oikos.NotFound("Service")
	}
	v, err := scanService(s.DB.R().QueryRowContext(ctx, "SELECT "+serviceColumns+
		" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE s.id = $1", id))
	if err == sql.ErrNoRows {
		return v, oikos.NotFound("Service")
	}
	if err != nil {
		return v, err
	}
	list := []Service{v}
	if err := s.attach(ctx, list); err != nil {
		return v, err
	}
	return list[0], nil
}

// attach loads schedules and terms for a page of services in two queries.
func (s *Store) attach(ctx context.Context, list []Service) error {
	return attachWith(ctx, s.DB.R(), list)
}

// attachWith is attach through r, which may be a transaction.
func attachWith(ctx context.Context, r db.Querier, list []Service) error {
	if len(list) == 0 {
		return nil
	}
	index := map[string]int{}
	ids := make([]any, len(list))
	marks := make([]string, len(list))
	for i, v := range list {
		index[v.ID] = i
		ids[i] = v.ID
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	in := "(" + strings.Join(marks, ", ") + ")"
	rows, err := r.QueryContext(ctx, "SELECT service_id, day, opens, closes, source_id FROM service_schedules WHERE service_id IN "+in+" ORDER BY service_id, position", ids...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, opens, closes, sourceID string
		var day int
		if err := rows.Scan(&id, &day, &opens, &closes, &sourceID); err != nil {
			rows.Close()
			return err
		}
		v := &list[index[id]]
		v.Schedule = append(v.Schedule, Session{Day: Days[day-1], Opens: opens, Closes: closes})
		v.ScheduleIDs = append(v.ScheduleIDs, sourceID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = r.QueryContext(ctx, "SELECT service_id, taxonomy, term_id, code, name FROM service_terms WHERE service_id IN "+in+" ORDER BY service_id, position", ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var t Term
		if err := rows.Scan(&id, &t.Taxonomy, &t.TermID, &t.Code, &t.Name); err != nil {
			return err
		}
		v := &list[index[id]]
		v.Terms = append(v.Terms, t)
	}
	return rows.Err()
}

// ListFilter selects services for the editor and export lists.
type ListFilter struct {
	OrganisationID string    // only this organisation's services
	StaleBefore    time.Time // only services last checked before this
	ModifiedAfter  time.Time // only services changed after this
	ActiveOnly     bool
	Offset, Limit  int
}

// List returns services in name order with the total matching.
func (s *Store) List(ctx context.Context, f ListFilter) ([]Service, int, error) {
	where := []string{"1 = 1"}
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.OrganisationID != "" {
		add("s.organisation_id = ?", f.OrganisationID)
	}
	if !f.StaleBefore.IsZero() {
		add("s.last_checked_at < ?", db.Millis(f.StaleBefore))
	}
	if !f.ModifiedAfter.IsZero() {
		add("s.updated_at > ?", db.Millis(f.ModifiedAfter))
	}
	if f.ActiveOnly {
		where = append(where, "s.status = 'active'")
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.DB.R().QueryRowContext(ctx, "SELECT COUNT(*) FROM services s WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	order := "lower(s.name), s.id"
	if !f.StaleBefore.IsZero() {
		order = "s.last_checked_at, s.id"
	}
	args = append(args, limit, f.Offset)
	rows, err := s.DB.R().QueryContext(ctx, "SELECT "+serviceColumns+" FROM services s JOIN organisations o ON o.id = s.organisation_id WHERE "+
		cond+" ORDER BY "+order+" LIMIT $"+strconv.Itoa(len(args)-1)+" OFFSET $"+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Service
	for rows.Next() {
		v, err := scanService(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, s.attach(ctx, out)
}

// Input turns a service back into the form that edits it.
func (v Service) Input() Input {
	return Input{OrganisationID: v.OrganisationID, Name: v.Name, Description: v.Description, Categories: v.Categories,
		Postcode: v.Postcode, Address: v.Address, LocationName: v.LocationName, Schedule: v.Schedule, CostPence: v.CostPence,
		FeesNote: v.FeesNote, Capacity: v.Capacity, CitizenLed: v.CitizenLed, StartedOn: v.StartedOn, URL: v.URL,
		Email: v.Email, Phone: v.Phone, Accessibility: v.Accessibility, Languages: v.Languages, Eligibility: v.Eligibility,
		MinAge: v.MinAge, MaxAge: v.MaxAge, ForSex: v.ForSex, Course: v.Course, GrantApplicationID: v.GrantApplicationID}
}

// forSex is whom a service is for as stored: "any" unless it says.
func forSex(s string) string {
	if s == "" {
		return "any"
	}
	return s
}

// Imported is a service read from another directory, with the ids it had
// there so that importing again updates instead of duplicating.
type Imported struct {
	Input
	Source, SourceID, LocationID string
	ScheduleIDs                  []string
	Terms                        []Term
	Status                       string // "active" or "closed"
	// CheckedAt is when the source last checked the service (HSDS's
	// assured_date); zero if it does not say. A later check made in Oikos
	// is kept, and a date in the future counts as now.
	CheckedAt time.Time
}

// Upsert creates or updates an imported service, keyed by its source and
// source id. It reports whether the service was new.
func (s *Store) Upsert(ctx context.Context, by Actor, im Imported) (id string, created bool, err error) {
	if im.Source == "" || im.SourceID == "" {
		return "", false, oikos.Invalid(map[string]string{"id": "An imported service needs its source id."})
	}
	if err := im.Input.Validate(); err != nil {
		return "", false, err
	}
	keys := importKeys{Source: im.Source, SourceID: im.SourceID, LocationID: im.LocationID, ScheduleIDs: im.ScheduleIDs,
		Terms: im.Terms, Status: im.Status, CheckedAt: im.CheckedAt}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT id FROM services WHERE source = $1 AND source_id = $2", im.Source, im.SourceID).Scan(&id)
		switch {
		case err == sql.ErrNoRows:
			id, created = db.NewID("svc"), true
			return s.write(ctx, tx, by, id, im.Input, keys, true)
		case err != nil:
			return err
		}
		return s.write(ctx, tx, by, id, im.Input, keys, false)
	})
	return id, created, err
}
