// Package directory owns the community asset directory: services in the
// shape of Open Referral UK (HSDS 3.0), their places and opening times,
// search, and exchange with other directories.
package directory

import (
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/course"
	"oikos/internal/postcode"
	"oikos/internal/taxonomy"
)

// Days of the week, Monday first, as the contract spells them.
var Days = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// DayNumber turns "monday" into 1 … "sunday" into 7; 0 if unknown.
func DayNumber(day string) int {
	return slices.Index(Days, strings.ToLower(strings.TrimSpace(day))) + 1
}

// DayLabel is "Monday" for 1.
func DayLabel(n int) string {
	if n < 1 || n > 7 {
		return ""
	}
	d := Days[n-1]
	return strings.ToUpper(d[:1]) + d[1:]
}

// Session is one weekly opening: a day and a time range.
type Session struct {
	Day    string `json:"day"`
	Opens  string `json:"opens"`
	Closes string `json:"closes"`
}

// Service is a community asset: a group, class, activity or advice service.
type Service struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation_id"`
	Organisation   string    `json:"organisation_name"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	Categories     []string  `json:"categories"`
	Postcode       string    `json:"postcode"`
	Address        string    `json:"address"`
	LocationName   string    `json:"location_name"`
	Latitude       *float64  `json:"latitude"`
	Longitude      *float64  `json:"longitude"`
	Schedule       []Session `json:"schedule"`
	CostPence      *int64    `json:"cost_pence"`
	FeesNote       string    `json:"fees_description"`
	Capacity       *int      `json:"capacity"`
	CitizenLed     bool      `json:"citizen_led"`
	StartedOn      string    `json:"started_on"`
	URL            string    `json:"url"`
	Email          string    `json:"email"`
	Phone          string    `json:"phone"`
	Accessibility  []string  `json:"accessibility"`
	Languages      []string  `json:"languages"`
	Eligibility    string    `json:"eligibility"`
	MinAge         *int      `json:"min_age"`
	MaxAge         *int      `json:"max_age"`
	// ForSex is whom the service is for: "any", "female" or "male".
	ForSex string `json:"for_sex"`
	Status string `json:"status"`
	// Course is set when the service runs as a course with dated sessions
	// (package course), beside or instead of its weekly Schedule.
	Course *course.Course `json:"course"`
	// GrantApplicationID names the grant award that funds the service.
	GrantApplicationID *string   `json:"grant_application_id"`
	LastCheckedAt      time.Time `json:"last_checked_at"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`

	// Terms are categories from other taxonomies, kept from an import.
	Terms []Term `json:"-"`
	// Source and SourceID name where an imported service came from.
	Source   string `json:"-"`
	SourceID string `json:"-"`
	// LocationID and ScheduleIDs keep imported ids for export.
	LocationID  string   `json:"-"`
	ScheduleIDs []string `json:"-"`
}

// Term is a taxonomy term from another directory's vocabulary.
type Term struct {
	Taxonomy, TermID, Code, Name string
}

// Free reports whether the service costs nothing.
func (s Service) Free() bool { return s.CostPence != nil && *s.CostPence == 0 }

// Point is where the service meets, if known.
func (s Service) Point() (postcode.Point, bool) {
	if s.Latitude == nil || s.Longitude == nil {
		return postcode.Point{}, false
	}
	return postcode.Point{Lat: *s.Latitude, Lon: *s.Longitude}, true
}

// Input is the contract's body for creating or replacing a service.
type Input struct {
	OrganisationID string    `json:"organisation_id"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	Categories     []string  `json:"categories"`
	Postcode       string    `json:"postcode"`
	Address        string    `json:"address"`
	LocationName   string    `json:"location_name"`
	Schedule       []Session `json:"schedule"`
	CostPence      *int64    `json:"cost_pence"`
	FeesNote       string    `json:"fees_description"`
	Capacity       *int      `json:"capacity"`
	CitizenLed     bool      `json:"citizen_led"`
	StartedOn      string    `json:"started_on"`
	URL            string    `json:"url"`
	Email          string    `json:"email"`
	Phone          string    `json:"phone"`
	Accessibility  []string  `json:"accessibility"`
	Languages      []string  `json:"languages"`
	Eligibility    string    `json:"eligibility"`
	MinAge         *int      `json:"min_age"`
	MaxAge         *int      `json:"max_age"`
	// Course, when given, makes the service a course with dated sessions.
	Course *course.Course `json:"course"`
	// GrantApplicationID names the grant award that funds the service;
	// the store checks it (Store.CheckAward).
	GrantApplicationID *string `json:"grant_application_id"`
	// ForSex is one of ForSexes; left out, "any".
	ForSex string `json:"for_sex"`
}

// ForSexes are whom a service may be for.
var ForSexes = []string{"any", "female", "male"}

// Limits on what a service may hold.
const (
	maxName        = 200
	maxDescription = 5000
	maxShort       = 500
	maxListItems   = 30
	maxSessions    = 50
	maxCostPence   = 100_000_00 // £100,000: anything more is a typo
	maxCapacity    = 100_000
)

func checkText(fields map[string]string, name, value string, limit int, multiline bool) {
	switch {
	case !oikos.PlainText(value, multiline):
		fields[name] = "must not contain control characters"
	case utf8.RuneCountInString(value) > limit:
		fields[name] = fmt.Sprintf("must be %d characters or fewer", limit)
	}
}

func tidy(s string) string { return strings.Join(strings.Fields(s), " ") }

func tidyList(list []string) []string {
	out := []string{}
	for _, v := range list {
		if v = tidy(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// phonePattern is a phone number as people write one: digits with spaces,
// brackets and dashes, an optional leading +, and an optional extension.
var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()\-]{4,}[0-9]( ?(ext\.?|x) ?[0-9]{1,6})?$`)

// ValidTime reports whether s is a 24-hour "HH:MM".
func ValidTime(s string) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	_, err := time.Parse("15:04", s)
	return err == nil
}

// Validate checks and tidies an Input, naming every field at fault.
// Whether the organisation exists is the store's to check.
func (in *Input) Validate() error {
	f := map[string]string{}
	in.Name = tidy(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	in.Address = tidy(in.Address)
	in.LocationName = tidy(in.LocationName)
	in.URL = strings.TrimSpace(in.URL)
	in.Email = strings.TrimSpace(in.Email)
	in.Phone = tidy(in.Phone)
	in.Eligibility = strings.TrimSpace(in.Eligibility)
	in.FeesNote = strings.TrimSpace(in.FeesNote)
	in.Accessibility = tidyList(in.Accessibility)
	in.Languages = tidyList(in.Languages)
	in.OrganisationID = strings.TrimSpace(in.OrganisationID)

	if in.OrganisationID == "" {
		f["organisation_id"] = "Choose the organisation that runs this service."
	} else {
		checkText(f, "organisation_id", in.OrganisationID, 100, false)
	}
	if in.Name == "" {
		f["name"] = "Enter the name of the service."
	} else {
		checkText(f, "name", in.Name, maxName, false)
	}
	if in.Description == "" {
		f["description"] = "Describe the service: what happens, who it is for, what to expect."
	} else {
		checkText(f, "description", in.Description, maxDescription, true)
	}
	checkText(f, "address", in.Address, maxShort, false)
	checkText(f, "location_name", in.LocationName, maxName, false)
	checkText(f, "eligibility", in.Eligibility, maxShort*2, true)
	checkText(f, "fees_description", in.FeesNote, maxShort, true)

	cats := []string{}
	for _, c := range in.Categories {
		c = strings.TrimSpace(c)
		if _, ok := taxonomy.CategoryByCode(c); !ok {
			f["categories"] = fmt.Sprintf("Unknown category %q: see /api/v1/categories for the list.", truncate(c, 40))
			break
		}
		if !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	in.Categories = cats
	if len(cats) == 0 && f["categories"] == "" {
		f["categories"] = "Choose at least one category."
	}

	if strings.TrimSpace(in.Postcode) != "" {
		pc, ok := postcode.Normalise(in.Postcode)
		if !ok {
			f["postcode"] = "Enter a real UK postcode, like EX1 1AA."
		} else if _, known := postcode.OutcodeCentre(postcode.Outcode(pc)); !known {
			f["postcode"] = "We do not recognise the postcode district " + postcode.Outcode(pc) + "."
		}
		in.Postcode = pc
	} else {
		in.Postcode = ""
	}

	if len(in.Schedule) > maxSessions {
		f["schedule"] = fmt.Sprintf("A service may list at most %d weekly sessions.", maxSessions)
	}
	for i, s := range in.Schedule {
		key := fmt.Sprintf("schedule[%d]", i)
		s.Day = strings.ToLower(strings.TrimSpace(s.Day))
		switch {
		case DayNumber(s.Day) == 0:
			f[key+".day"] = "Day must be monday to sunday."
		case !ValidTime(s.Opens):
			f[key+".opens"] = "Opening time must be like 09:30 (24-hour clock)."
		case !ValidTime(s.Closes):
			f[key+".closes"] = "Closing time must be like 17:00 (24-hour clock)."
		case s.Closes <= s.Opens:
			f[key+".closes"] = "Closing time must be after the opening time."
		}
		in.Schedule[i] = s
	}
	if in.Schedule == nil {
		in.Schedule = []Session{}
	}

	if in.CostPence != nil && (*in.CostPence < 0 || *in.CostPence > maxCostPence) {
		f["cost_pence"] = "Cost must be 0 (free) or a price in pence, up to £100,000."
	}
	if in.Capacity != nil && (*in.Capacity < 0 || *in.Capacity > maxCapacity) {
		f["capacity"] = "Places free must be a number from 0 to 100,000, or left empty if not known."
	}
	if in.MinAge != nil && (*in.MinAge < 0 || *in.MinAge > 130) {
		f["min_age"] = "Minimum age must be from 0 to 130."
	}
	if in.MaxAge != nil && (*in.MaxAge < 0 || *in.MaxAge > 130) {
		f["max_age"] = "Maximum age must be from 0 to 130."
	}
	if in.MinAge != nil && in.MaxAge != nil && *in.MaxAge < *in.MinAge && f["min_age"] == "" && f["max_age"] == "" {
		f["max_age"] = "Maximum age must not be below the minimum age."
	}
	if in.Course != nil {
		if err := in.Course.Normalise("course"); err != nil {
			var e *oikos.Error
			if errors.As(err, &e) {
				maps.Copy(f, e.Fields)
			}
		}
	}
	if in.GrantApplicationID != nil {
		id := strings.TrimSpace(*in.GrantApplicationID)
		if id == "" {
			in.GrantApplicationID = nil
		} else {
			checkText(f, "grant_application_id", id, 100, false)
			in.GrantApplicationID = &id
		}
	}
	if in.ForSex = strings.TrimSpace(in.ForSex); in.ForSex == "" {
		in.ForSex = "any"
	} else if !slices.Contains(ForSexes, in.ForSex) {
		f["for_sex"] = "Say whom it is for: any, female or male."
	}
	if in.StartedOn = strings.TrimSpace(in.StartedOn); in.StartedOn != "" {
		if problem := startDateProblem(in.StartedOn); problem != "" {
			f["started_on"] = problem
		}
	}
	if in.URL != "" {
		checkText(f, "url", in.URL, 2000, false)
		if u, err := url.Parse(in.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			f["url"] = "Web address must start with https:// or http://."
		}
	}
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
			f["email"] = "Enter an email address like name@example.org."
		}
	}
	if in.Phone != "" {
		checkText(f, "phone", in.Phone, 40, false)
		if f["phone"] == "" && !phonePattern.MatchString(in.Phone) {
			f["phone"] = "Phone number may contain only digits, spaces and + ( ) -."
		}
	}
	for name, list := range map[string][]string{"accessibility": in.Accessibility, "languages": in.Languages} {
		if len(list) > maxListItems {
			f[name] = fmt.Sprintf("List at most %d.", maxListItems)
		}
		for _, v := range list {
			checkText(f, name, v, maxShort, false)
		}
	}
	return oikos.Invalid(f)
}

// startDateProblem says what is wrong with a service's start date, or "".
func startDateProblem(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	switch {
	case err != nil:
		return "Start date must be a date like 2024-03-01."
	case d.After(time.Now().AddDate(1, 0, 0)):
		return "Start date must not be more than a year ahead."
	case d.Year() < 1800:
		return "Start date must be after 1800."
	}
	return ""
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// DaysMask packs the days a service meets into bits, Monday = 1, for the
// "open on" filter.
func DaysMask(schedule []Session) int {
	m := 0
	for _, s := range schedule {
		if n := DayNumber(s.Day); n > 0 {
			m |= 1 << (n - 1)
		}
	}
	return m
}

// CategoryLabels is the text the search index holds for the categories, so
// "walking" finds a service in "Walking groups".
func CategoryLabels(codes []string) string {
	var labels []string
	for _, c := range codes {
		if cat, ok := taxonomy.CategoryByCode(c); ok {
			labels = append(labels, cat.Label)
		}
	}
	return strings.Join(labels, ". ")
}

// StaleAfter is how long a service may go unchecked before it is listed as
// stale: groups close, move and change their times.
const StaleAfter = 183 * 24 * time.Hour

// NextSessions lists up to n of a course's sessions not yet over at now,
// for service pages, suggestions and the Open Referral schedule; none for
// a service that is not a course.
func (s Service) NextSessions(now time.Time, n int) []course.Session {
	if s.Course == nil {
		return []course.Session{}
	}
	return s.Course.Next(now, n)
}

// Stale reports whether a service needs checking at now.
func (s Service) Stale(now time.Time) bool { return now.Sub(s.LastCheckedAt) > StaleAfter }
