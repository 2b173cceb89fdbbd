// Package community owns the community half of social prescribing:
// volunteers and peer mentors, their matches with people, safeguarding
// concerns, and (in files of their own) budgets and grants.
package community

import (
	"fmt"
	"math/bits"
	"net/mail"
	"slices"
	"strings"
	"time"

	"oikos"
	"oikos/internal/connection"
	"oikos/internal/directory"
	"oikos/internal/postcode"
)

// Kinds of volunteer (CONTRACT.md, "Volunteers and peer mentors").
const (
	KindVolunteer      = "volunteer"
	KindBefriender     = "befriender"
	KindHealthChampion = "health_champion"
	KindPeerMentor     = "peer_mentor"
)

// VolunteerKinds lists the kinds, in the order forms show them.
var VolunteerKinds = []string{KindVolunteer, KindBefriender, KindHealthChampion, KindPeerMentor}

// VolunteerKindLabel is a kind in words.
func VolunteerKindLabel(kind string) string {
	switch kind {
	case KindVolunteer:
		return "Volunteer"
	case KindBefriender:
		return "Befriender"
	case KindHealthChampion:
		return "Health champion"
	case KindPeerMentor:
		return "Peer mentor"
	}
	return kind
}

// Slot is a time in the week a volunteer is free: a day, monday to
// sunday, from and to "HH:MM" (to may be "24:00", the end of the day).
type Slot struct {
	Day  string `json:"day"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Training is a course a volunteer completed.
type Training struct {
	Course      string `json:"course"`
	CompletedOn string `json:"completed_on"`
}

// VolunteerInput is the contract's volunteer profile, as a manager puts
// it. Phone and email, the volunteer's contact details, are extra: left
// out (null), they keep what is held.
type VolunteerInput struct {
	Kind          string     `json:"kind"`
	Postcode      string     `json:"postcode"`
	Skills        []string   `json:"skills"`
	Interests     []string   `json:"interests"`
	Languages     []string   `json:"languages"`
	Availability  []Slot     `json:"availability"`
	DBSCheckedOn  *string    `json:"dbs_checked_on"`
	DBSExpiresOn  *string    `json:"dbs_expires_on"`
	Training      []Training `json:"training"`
	CoordinatorID string     `json:"coordinator_id,omitempty"`
	Phone         *string    `json:"phone,omitempty"`
	Email         *string    `json:"email,omitempty"`
}

// OwnDetailsInput is what a volunteer corrects of their own profile: their
// contact details and when they are free. A field left out (null) keeps
// what is held.
type OwnDetailsInput struct {
	Phone        *string `json:"phone,omitempty"`
	Email        *string `json:"email,omitempty"`
	Availability *[]Slot `json:"availability,omitempty"`
}

// Limits on a profile: enough for anyone, small enough for a page and an
// index row.
const (
	maxListItems = 30
	maxItemText  = 100
	maxSlots     = 28
	maxTraining  = 50
	maxCourse    = 200
	// DBSWarningDays is how long before a DBS check runs out that it is
	// flagged to the volunteer's coordinator.
	DBSWarningDays = 30
)

// DBS check states.
const (
	DBSMissing  = "missing"
	DBSExpired  = "expired"
	DBSExpiring = "expiring" // in date, running out within DBSWarningDays
	DBSInDate   = "in_date"
)

// DBSStatus says where a volunteer's DBS check stands on a day (all dates
// YYYY-MM-DD). A check with no renewal date is missing: a scheme that
// cannot say when a check runs out cannot say it is in date. The last day
// of a check is its expiry date itself.
func DBSStatus(checkedOn, expiresOn, today string) string {
	switch {
	case checkedOn == "" || expiresOn == "":
		return DBSMissing
	case expiresOn < today:
		return DBSExpired
	case expiresOn <= addDays(today, DBSWarningDays):
		return DBSExpiring
	}
	return DBSInDate
}

// DBSInDateOn reports whether a volunteer may be offered or matched on a
// day: a check that has not run out.
func DBSInDateOn(checkedOn, expiresOn, today string) bool {
	s := DBSStatus(checkedOn, expiresOn, today)
	return s == DBSInDate || s == DBSExpiring
}

// Validate checks and tidies a profile as of today (YYYY-MM-DD), naming
// every field at fault as the contract's body names it
// (availability[1].to, training[0].completed_on, ...).
func (in *VolunteerInput) Validate(today string) error {
	f := map[string]string{}
	in.Kind = strings.TrimSpace(in.Kind)
	if !slices.Contains(VolunteerKinds, in.Kind) {
		f["kind"] = "Kind must be one of " + strings.Join(VolunteerKinds, ", ") + "."
	}
	if pc, ok := postcode.Normalise(in.Postcode); ok {
		in.Postcode = pc
	} else {
		f["postcode"] = "Enter a real UK postcode, like EX1 1AA."
	}
	in.Skills = tidyList(f, "skills", in.Skills)
	in.Interests = tidyList(f, "interests", in.Interests)
	in.Languages = tidyList(f, "languages", in.Languages)
	in.Availability = tidySlots(f, "availability", in.Availability)
	checked, expires := "", ""
	if in.DBSCheckedOn != nil {
		checked = strings.TrimSpace(*in.DBSCheckedOn)
	}
	if in.DBSExpiresOn != nil {
		expires = strings.TrimSpace(*in.DBSExpiresOn)
	}
	if checked != "" {
		if t, ok := parseDay(checked); !ok {
			f["dbs_checked_on"] = "Enter the date of the DBS check as YYYY-MM-DD, for example 2025-09-01."
		} else if checked > today {
			f["dbs_checked_on"] = "The DBS check date cannot be in the future."
		} else if t.Year() < 1990 {
			f["dbs_checked_on"] = "Enter a date after 1990."
		}
	}
	if expires != "" {
		if t, ok := parseDay(expires); !ok {
			f["dbs_expires_on"] = "Enter the date the DBS check must be renewed by as YYYY-MM-DD, for example 2028-09-01."
		} else if t.Year() > 2200 {
			f["dbs_expires_on"] = "Enter a date before 2200."
		} else if checked != "" && f["dbs_checked_on"] == "" && expires <= checked {
			f["dbs_expires_on"] = "The renewal date must be after the date of the check."
		}
	}
	switch {
	case checked == "" && expires != "":
		f["dbs_checked_on"] = "Give the date of the DBS check as well as when it must be renewed."
	case checked != "" && expires == "":
		f["dbs_expires_on"] = "Give the date the DBS check must be renewed by."
	}
	in.DBSCheckedOn, in.DBSExpiresOn = optionalDay(checked), optionalDay(expires)
	if len(in.Training) > maxTraining {
		f["training"] = fmt.Sprintf("List at most %d courses.", maxTraining)
	}
	for i := range in.Training {
		t := &in.Training[i]
		name := fmt.Sprintf("training[%d]", i)
		t.Course = oneLine(t.Course)
		if t.Course == "" {
			f[name+".course"] = "Name the course."
		} else {
			fieldText(f, name+".course", t.Course, maxCourse, false)
		}
		t.CompletedOn = strings.TrimSpace(t.CompletedOn)
		if _, ok := parseDay(t.CompletedOn); !ok {
			f[name+".completed_on"] = "Enter the date the course was completed as YYYY-MM-DD."
		} else if t.CompletedOn > today {
			f[name+".completed_on"] = "The date the course was completed cannot be in the future."
		}
	}
	if in.Training == nil {
		in.Training = []Training{}
	}
	in.CoordinatorID = strings.TrimSpace(in.CoordinatorID)
	if in.CoordinatorID != "" && !plainID(in.CoordinatorID) {
		f["coordinator_id"] = "No health champion of the scheme has that id."
	}
	checkContact(f, in.Phone, in.Email)
	return oikos.Invalid(f)
}

// Validate checks and tidies a volunteer's own corrections.
func (in *OwnDetailsInput) Validate() error {
	f := map[string]string{}
	if in.Phone == nil && in.Email == nil && in.Availability == nil {
		f["availability"] = "Give your phone, email or when you are free."
	}
	checkContact(f, in.Phone, in.Email)
	if in.Availability != nil {
		slots := tidySlots(f, "availability", *in.Availability)
		in.Availability = &slots
	}
	return oikos.Invalid(f)
}

// checkContact checks a volunteer's phone and email, when given.
func checkContact(f map[string]string, phone, email *string) {
	if phone != nil {
		*phone = strings.TrimSpace(*phone)
		fieldText(f, "phone", *phone, 40, false)
		if f["phone"] == "" && strings.Trim(*phone, "0123456789 +()-") != "" {
			f["phone"] = "Enter a phone number using digits, spaces and + ( ) - only."
		}
	}
	if email != nil {
		*email = strings.TrimSpace(*email)
		fieldText(f, "email", *email, 254, false)
		if f["email"] == "" && *email != "" {
			if a, err := mail.ParseAddress(*email); err != nil || a.Address != *email || !strings.Contains(*email, "@") {
				f["email"] = "Enter an email address like name@example.org."
			}
		}
	}
}

func optionalDay(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// tidyList tidies a list of short texts (skills, interests, languages):
// spaces collapsed, blanks dropped, each once whatever its case.
func tidyList(f map[string]string, name string, list []string) []string {
	out := make([]string, 0, len(list))
	if len(list) > maxListItems {
		f[name] = fmt.Sprintf("List at most %d.", maxListItems)
		return out
	}
	for i, v := range list {
		v = oneLine(v)
		if v == "" {
			continue
		}
		if fieldText(f, fmt.Sprintf("%s[%d]", name, i), v, maxItemText, false); f[fmt.Sprintf("%s[%d]", name, i)] != "" {
			continue
		}
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, v) }) {
			out = append(out, v)
		}
	}
	return out
}

// tidySlots checks a week of free times and sorts them by day and time.
func tidySlots(f map[string]string, name string, slots []Slot) []Slot {
	out := make([]Slot, 0, len(slots))
	if len(slots) > maxSlots {
		f[name] = fmt.Sprintf("List at most %d times.", maxSlots)
		return out
	}
	for i, s := range slots {
		at := fmt.Sprintf("%s[%d]", name, i)
		s.Day = strings.ToLower(strings.TrimSpace(s.Day))
		s.From, s.To = strings.TrimSpace(s.From), strings.TrimSpace(s.To)
		ok := true
		if directory.DayNumber(s.Day) == 0 {
			f[at+".day"] = "Day must be monday to sunday."
			ok = false
		}
		from, okFrom := minuteOfDay(s.From, false)
		to, okTo := minuteOfDay(s.To, true)
		if !okFrom {
			f[at+".from"] = "Enter a time like 09:30."
			ok = false
		}
		if !okTo {
			f[at+".to"] = "Enter a time like 17:00 (24:00 for the end of the day)."
			ok = false
		}
		if okFrom && okTo && to <= from {
			f[at+".to"] = "The end must be after the start."
			ok = false
		}
		if ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Slot) int {
		if d := directory.DayNumber(a.Day) - directory.DayNumber(b.Day); d != 0 {
			return d
		}
		return strings.Compare(a.From+a.To, b.From+b.To)
	})
	return out
}

// minuteOfDay reads "HH:MM" as minutes since midnight; "24:00" only as an
// end.
func minuteOfDay(s string, end bool) (int, bool) {
	if end && s == "24:00" {
		return 24 * 60, true
	}
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// Availability as bits: one for each day and part of the day (the parts
// suggestions use for services: morning, afternoon, evening), Monday
// morning the lowest. A slot marks every part it overlaps.

// partsOfDay are the parts of the day, as connection.TimesOfDay bounds
// them, in minutes.
var partsOfDay = func() [][2]int {
	var out [][2]int
	for _, t := range connection.TimesOfDay {
		from, _ := minuteOfDay(t.From, false)
		to, _ := minuteOfDay(t.To, true)
		out = append(out, [2]int{from, to})
	}
	return out
}()

// SlotsMask packs slots into availability bits.
func SlotsMask(slots []Slot) int64 {
	var m int64
	for _, s := range slots {
		day := directory.DayNumber(s.Day)
		from, ok1 := minuteOfDay(s.From, false)
		to, ok2 := minuteOfDay(s.To, true)
		if day == 0 || !ok1 || !ok2 {
			continue
		}
		for p, part := range partsOfDay {
			if from < part[1] && to > part[0] {
				m |= 1 << ((day-1)*len(partsOfDay) + p)
			}
		}
	}
	return m
}

// PreferenceMask packs the days and parts of the day a person said suit
// them into availability bits; none of either means any (as the person's
// preferences say). It is 0 when they have said nothing at all.
func PreferenceMask(days, times []string) int64 {
	if len(days) == 0 && len(times) == 0 {
		return 0
	}
	var m int64
	for d := 1; d <= 7; d++ {
		if len(days) > 0 && !slices.Contains(days, directory.Days[d-1]) {
			continue
		}
		for p, t := range connection.TimesOfDay {
			if len(times) > 0 && !slices.Contains(times, t.Code) {
				continue
			}
			m |= 1 << ((d-1)*len(partsOfDay) + p)
		}
	}
	return m
}

// MaskPhrases says the times in a mask in words, as "Monday mornings",
// in week order.
func MaskPhrases(m int64) []string {
	var out []string
	for d := 1; d <= 7; d++ {
		for p, t := range connection.TimesOfDay {
			if m&(1<<((d-1)*len(partsOfDay)+p)) != 0 {
				out = append(out, directory.DayLabel(d)+" "+strings.ToLower(t.Label))
			}
		}
	}
	return out
}

// maskCount is how many day parts a mask holds.
func maskCount(m int64) int { return bits.OnesCount64(uint64(m)) }
