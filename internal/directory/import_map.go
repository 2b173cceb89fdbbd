package directory

import (
	"fmt"
	"math"
	"math/big"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"oikos"
	"oikos/internal/postcode"
	"oikos/internal/taxonomy"
)

// Mapping one HSDS service onto what Oikos keeps. Feeds are messy, so a bad
// optional detail (a phone number in quotes, a postcode from another
// country, an impossible latitude) is dropped with a note and the record is
// kept; only a record Oikos cannot use at all is rejected, with the reason.

// maxTerms caps the taxonomy terms kept from one service.
const maxTerms = 50

// mappedService is one HSDS service ready to store.
type mappedService struct {
	Imported
	// Point is where the source placed the service, when it gave valid
	// coordinates; Oikos otherwise places it by postcode.
	Point *postcode.Point
	Notes []string
	// scheduleIDs are the source ids of the schedules, one per session.
	scheduleIDs []string
}

func (m *mappedService) note(format string, args ...any) {
	m.Notes = append(m.Notes, fmt.Sprintf(format, args...))
}

// cleanSourceID checks an id from another directory is fit to store.
func cleanSourceID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	return s, s != "" && oikos.PlainText(s, false) && utf8.RuneCountInString(s) <= 200
}

// clip shortens text to limit characters, noting that it did.
func (m *mappedService) clip(field, s string, limit int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	m.note("%s was longer than %d characters and was shortened", field, limit)
	return string([]rune(s)[:limit-1]) + "…"
}

// mapService maps an HSDS service run by the Oikos organisation orgID. A
// non-empty reason means the service cannot be imported.
func mapService(svc HSDSService, orgID, source string) (m mappedService, reason string) {
	id, ok := cleanSourceID(svc.ID)
	if !ok {
		if strings.TrimSpace(svc.ID) == "" {
			return m, "it has no id"
		}
		return m, "its id must be plain text of at most 200 characters"
	}
	in := Input{OrganisationID: orgID, Name: svc.Name}
	if strings.TrimSpace(svc.Name) == "" {
		return m, "it has no name"
	}
	in.Description = svc.Description
	if strings.TrimSpace(in.Description) == "" {
		in.Description = svc.AlternateName
	}
	if strings.TrimSpace(in.Description) == "" {
		return m, "it has no description, which people need to choose a service"
	}
	in.Description = m.clip("description", in.Description, maxDescription)
	in.Eligibility = m.clip("eligibility_description", svc.EligibilityDescription, maxShort*2)

	if u := strings.TrimSpace(svc.URL); u != "" {
		if p, err := url.Parse(u); err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != "" && len(u) <= 2000 && oikos.PlainText(u, false) {
			in.URL = u
		} else {
			m.note("url %q is not a web address starting http:// or https://, so it was left out", truncate(u, 60))
		}
	}
	in.Email = m.email("email", svc.Email)
	in.Phone = m.phone(svc)
	in.MinAge = m.age("minimum_age", svc.MinimumAge, math.Floor)
	in.MaxAge = m.age("maximum_age", svc.MaximumAge, math.Ceil)
	if in.MinAge != nil && in.MaxAge != nil && *in.MaxAge < *in.MinAge {
		m.note("maximum_age %d is below minimum_age %d, so both were left out", *in.MaxAge, *in.MinAge)
		in.MinAge, in.MaxAge = nil, nil
	}
	m.cost(svc, &in)

	sal := chooseServiceAtLocation(svc.ServiceAtLocations)
	if n := len(svc.ServiceAtLocations); n > 1 {
		m.note("Oikos keeps one place per service: %d other service_at_locations were left out", n-1)
	}
	schedules := slices.Clone(svc.Schedules)
	if sal != nil {
		schedules = append(schedules, sal.Schedules...)
		if sal.Location != nil {
			schedules = append(schedules, sal.Location.Schedules...)
			m.location(*sal.Location, &in)
		}
	}
	m.schedules(schedules, &in)
	for _, l := range svc.Languages {
		name := strings.TrimSpace(l.Name)
		if name == "" {
			name = strings.TrimSpace(l.Code)
		}
		if name != "" {
			in.Languages = append(in.Languages, m.clip("languages.name", name, maxShort))
		}
	}
	if len(in.Languages) > maxListItems {
		m.note("only the first %d languages were kept", maxListItems)
		in.Languages = in.Languages[:maxListItems]
	}

	m.details(svc.Attributes, &in)
	terms, direct := m.terms(svc.Attributes)
	cats, fromText := MapCategories(terms, svc.Name, svc.Description)
	for _, c := range direct {
		if !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	if len(direct) > 0 && fromText {
		cats, fromText = direct, false
	}
	if len(cats) == 0 {
		return m, "no category could be derived from its taxonomy terms, name or description"
	}
	if fromText {
		label, _ := taxonomy.CategoryByCode(cats[0])
		m.note("no taxonomy term matched an Oikos category, so it was filed under %q from its name and description", label.Label)
	}
	in.Categories = cats

	status := "active"
	switch strings.ToLower(strings.TrimSpace(svc.Status)) {
	case "active", "":
	case "inactive", "defunct", "temporarily closed":
		status = "closed"
	default:
		return m, fmt.Sprintf("status %q is not one of active, inactive, defunct or temporarily closed", truncate(svc.Status, 40))
	}

	m.Imported = Imported{Input: in, Source: source, SourceID: id, Terms: terms, Status: status, CheckedAt: m.assured(svc.AssuredDate)}
	if sal != nil && sal.Location != nil {
		if locID, ok := cleanSourceID(sal.Location.ID); ok {
			m.LocationID = locID
		}
	}
	m.ScheduleIDs = m.scheduleIDs
	return m, ""
}

// assured reads the date the source last checked the service. HSDS says
// it is a date; a date-time is read too, as some feeds send one.
func (m *mappedService) assured(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil || t.Year() < 1970 {
		m.note("assured_date %q is not a date like 2024-03-01, so it was left out", truncate(s, 30))
		return time.Time{}
	}
	return t.UTC()
}

// details reads Oikos's service details (see ServiceDetailTerm) from the
// attributes that carry them.
func (m *mappedService) details(attrs []HSDSAttribute, in *Input) {
	for _, a := range attrs {
		if a.TaxonomyTerm == nil {
			continue
		}
		code, ok := serviceDetailCode(*a.TaxonomyTerm)
		if !ok {
			continue
		}
		value := strings.TrimSpace(a.Value)
		switch code {
		case DetailCitizenLed:
			switch strings.ToLower(value) {
			case "", "true", "yes":
				in.CitizenLed = true
			case "false", "no":
				in.CitizenLed = false
			default:
				m.note("the citizen-led attribute's value %q is not true or false, so it was left out", truncate(value, 20))
			}
		case DetailStartedOn:
			if problem := startDateProblem(value); problem != "" {
				m.note("the started-on attribute's value %q was left out: %s", truncate(value, 20), problem)
			} else {
				in.StartedOn = value
			}
		case DetailCapacity:
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 || n > maxCapacity {
				m.note("the places-free attribute's value %q is not a whole number from 0 to %d, so it was left out", truncate(value, 20), maxCapacity)
			} else {
				in.Capacity = &n
			}
		case DetailForSex:
			switch v := strings.ToLower(value); v {
			case "female", "male", "any":
				in.ForSex = v
			default:
				m.note("the for-women-or-men attribute's value %q is not female, male or any, so it was left out", truncate(value, 20))
			}
		default:
			m.note("the service detail %q is not one Oikos keeps, so it was left out", truncate(code, 40))
		}
	}
}

func (m *mappedService) email(field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if a, err := mail.ParseAddress(s); err == nil && a.Address == s && len(s) <= 254 {
		return s
	}
	m.note("%s %q is not an email address, so it was left out", field, truncate(s, 60))
	return ""
}

// phoneDigits are the characters Oikos allows in a phone number.
const phoneDigits = "0123456789 +()-"

// cleanPhone tidies a number as feeds write it: stray quotes removed, an
// extension added. It reports false if what is left is not a number.
func cleanPhone(p HSDSPhone) (string, bool) {
	n := strings.Join(strings.Fields(strings.Trim(p.Number, " \t\"'")), " ")
	digits := 0
	for _, r := range n {
		if !strings.ContainsRune(phoneDigits, r) {
			return "", false
		}
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 5 {
		return "", false
	}
	if ext, ok := p.Extension.Float(); ok && ext > 0 && ext == math.Trunc(ext) && ext < 1e6 {
		n += " ext. " + strconv.Itoa(int(ext))
	}
	if len(n) > 40 {
		return "", false
	}
	return n, true
}

// phone is the first usable number of the service, its place or its
// contacts.
func (m *mappedService) phone(svc HSDSService) string {
	var all []HSDSPhone
	all = append(all, svc.Phones...)
	for _, sal := range svc.ServiceAtLocations {
		all = append(all, sal.Phones...)
		if sal.Location != nil {
			all = append(all, sal.Location.Phones...)
		}
		for _, c := range sal.Contacts {
			all = append(all, c.Phones...)
		}
	}
	for _, c := range svc.Contacts {
		all = append(all, c.Phones...)
	}
	for _, p := range all {
		if n, ok := cleanPhone(p); ok {
			return n
		}
	}
	if len(all) > 0 {
		m.note("phone number %q is not a phone number, so it was left out", truncate(all[0].Number, 40))
	}
	return ""
}

// age reads an age in whole years, rounding a fraction with round.
func (m *mappedService) age(field string, n Number, round func(float64) float64) *int {
	f, ok := n.Float()
	if !ok {
		if n != "" {
			m.note("%s %q is not a number, so it was left out", field, string(n))
		}
		return nil
	}
	if f < 0 || f > 130 {
		m.note("%s %s is not an age from 0 to 130, so it was left out", field, string(n))
		return nil
	}
	v := int(round(f))
	return &v
}

// amountPattern is a plain decimal, optionally in exponent form with a
// small exponent: anything else is refused before big.Rat parses it.
var amountPattern = regexp.MustCompile(`^[0-9]{1,15}(\.[0-9]{1,10})?([eE][+-]?[0-9]{1,2})?$`)

// PoundsToPence converts an amount of pounds written as a decimal ("35",
// "2.50", "0.995") to whole pence, exactly, rounding half a penny up.
func PoundsToPence(amount string) (int64, error) {
	amount = strings.TrimSpace(amount)
	if !amountPattern.MatchString(amount) {
		return 0, fmt.Errorf("amount %q is not a price in pounds", truncate(amount, 30))
	}
	r, ok := new(big.Rat).SetString(amount)
	if !ok {
		return 0, fmt.Errorf("amount %q is not a price in pounds", amount)
	}
	r.Mul(r, big.NewRat(100, 1))
	r.Add(r, big.NewRat(1, 2))
	pence := new(big.Int).Quo(r.Num(), r.Denom())
	if !pence.IsInt64() || pence.Int64() > maxCostPence {
		return 0, fmt.Errorf("amount %s is more than £100,000", amount)
	}
	return pence.Int64(), nil
}

var (
	freeWord  = regexp.MustCompile(`(?i)\b(free|no charge|no cost)\b`)
	hasAPrice = regexp.MustCompile(`[£$€]\s*[0-9]|[0-9]\s*(p|pence|pounds?|gbp)\b`)
)

// cost takes the cheapest price in pounds from the cost options; without
// one, a fees text that says free and names no price means free.
func (m *mappedService) cost(svc HSDSService, in *Input) {
	var best *int64
	var described []string
	for _, c := range svc.CostOptions {
		text := strings.TrimSpace(strings.Join(strings.Fields(c.Option+" "+c.AmountDescription), " "))
		if c.Amount == "" {
			if freeWord.MatchString(c.Option) {
				zero := int64(0)
				best = &zero
			}
			if text != "" {
				described = append(described, text)
			}
			continue
		}
		if cur := strings.ToUpper(strings.TrimSpace(c.Currency)); cur != "" && cur != "GBP" {
			m.note("a cost option in %s was left out: Oikos records prices in pounds", truncate(cur, 10))
			continue
		}
		p, err := PoundsToPence(string(c.Amount))
		if err != nil {
			m.note("cost_options: %v, so it was left out", err)
			continue
		}
		if best == nil || p < *best {
			best = &p
		}
		// A bare price, or "Free" at £0, says nothing the cost does not.
		bare := strings.TrimSpace(c.AmountDescription) == "" && (strings.TrimSpace(c.Option) == "" || (p == 0 && freeWord.MatchString(c.Option)))
		if !bare {
			described = append(described, describeCost(c, p))
		}
	}
	fees := svc.FeesDescription
	if strings.TrimSpace(fees) == "" {
		fees = svc.Fees
	}
	if best == nil && freeWord.MatchString(fees) && !hasAPrice.MatchString(fees) {
		zero := int64(0)
		best = &zero
	}
	if strings.TrimSpace(fees) == "" && len(described) > 0 {
		fees = strings.Join(described, "; ")
	}
	in.CostPence = best
	in.FeesNote = m.clip("fees_description", fees, maxShort)
}

// describeCost writes a cost option as a person reads it: "Adults: £3.50 per session".
func describeCost(c HSDSCostOption, pence int64) string {
	s := "£" + string(penceToPounds(pence))
	if o := strings.TrimSpace(c.Option); o != "" {
		s = o + ": " + s
	}
	if d := strings.TrimSpace(c.AmountDescription); d != "" {
		s += " " + d
	}
	return strings.Join(strings.Fields(s), " ")
}

// chooseServiceAtLocation prefers a place people can go to.
func chooseServiceAtLocation(list []HSDSServiceAtLocation) *HSDSServiceAtLocation {
	for i, sal := range list {
		if sal.Location != nil && sal.Location.LocationType != "virtual" && sal.Location.LocationType != "postal" {
			return &list[i]
		}
	}
	if len(list) > 0 {
		return &list[0]
	}
	return nil
}

func (m *mappedService) location(loc HSDSLocation, in *Input) {
	name := loc.Name
	if strings.TrimSpace(name) == "" {
		name = loc.AlternateName
	}
	in.LocationName = m.clip("location.name", strings.Join(strings.Fields(name), " "), maxName)
	var addr *HSDSAddress
	for i, a := range loc.Addresses {
		if addr == nil || (a.AddressType == "physical" && addr.AddressType != "physical") {
			addr = &loc.Addresses[i]
		}
	}
	if addr != nil {
		var parts []string
		for _, p := range []string{addr.Address1, addr.Address2, addr.City} {
			if p = strings.Join(strings.Fields(p), " "); p != "" {
				parts = append(parts, p)
			}
		}
		in.Address = m.clip("address", strings.Join(parts, ", "), maxShort)
		if pc := strings.TrimSpace(addr.PostalCode); pc != "" {
			norm, ok := postcode.Normalise(pc)
			if _, known := postcode.OutcodeCentre(postcode.Outcode(norm)); ok && known {
				in.Postcode = norm
			} else {
				m.note("postal_code %q is not a UK postcode Oikos recognises, so it was left out", truncate(pc, 20))
			}
		}
	}
	lat, latOK := loc.Latitude.Float()
	lon, lonOK := loc.Longitude.Float()
	switch {
	case !latOK && !lonOK:
	case latOK && lonOK && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && (lat != 0 || lon != 0):
		m.Point = &postcode.Point{Lat: lat, Lon: lon}
	default:
		placed := "it has no place on the map"
		if in.Postcode != "" {
			placed = "it is placed by its postcode"
		}
		m.note("latitude %s and longitude %s are not valid coordinates, so they were left out: %s", numberText(loc.Latitude), numberText(loc.Longitude), placed)
	}
	for _, a := range loc.Accessibility {
		text := strings.TrimSpace(a.Description)
		if text == "" {
			text = strings.TrimSpace(a.Details)
		}
		if text != "" {
			in.Accessibility = append(in.Accessibility, m.clip("accessibility.description", text, maxShort))
		}
	}
	if len(in.Accessibility) > maxListItems {
		m.note("only the first %d accessibility entries were kept", maxListItems)
		in.Accessibility = in.Accessibility[:maxListItems]
	}
}

func numberText(n Number) string {
	if n == "" {
		return "(none)"
	}
	return string(n)
}

// clockTime reads an HSDS time ("10:00", "10:00:00", "9:30Z",
// "10:00:00+01:00") as Oikos's "HH:MM". A zone is ignored: Oikos's times
// are UK local time, and a fixed offset cannot say which of GMT or BST a
// weekly session keeps.
func clockTime(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "Zz+-"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) != 2 {
		return "", false
	}
	h, err1 := strconv.Atoi(parts[0])
	min, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || h < 0 || h > 24 || min < 0 || min > 59 || (h == 24 && min != 0) {
		return "", false
	}
	if len(parts) == 3 {
		sec, _, _ := strings.Cut(parts[2], ".")
		if n, err := strconv.Atoi(sec); err != nil || n < 0 || n > 59 {
			return "", false
		}
	}
	return fmt.Sprintf("%02d:%02d", h, min), true
}

// sessionsFrom turns one weekly HSDS schedule into a session per day. It
// explains why when it cannot.
func sessionsFrom(sch HSDSSchedule) ([]Session, string) {
	if freq := strings.ToUpper(strings.TrimSpace(sch.Freq)); freq != "" && freq != "WEEKLY" {
		return nil, fmt.Sprintf("only weekly schedules can be kept, not freq %q", truncate(sch.Freq, 20))
	}
	if n, ok := sch.Interval.Float(); ok && n != 1 && n != 0 {
		return nil, fmt.Sprintf("a schedule every %s weeks cannot be shown as weekly sessions", string(sch.Interval))
	}
	if strings.TrimSpace(sch.Byday) == "" {
		return nil, "it names no days (byday)"
	}
	opens, ok1 := clockTime(sch.OpensAt)
	closes, ok2 := clockTime(sch.ClosesAt)
	if !ok1 || !ok2 {
		return nil, fmt.Sprintf("opening times %q to %q are not times like 10:00", truncate(sch.OpensAt, 20), truncate(sch.ClosesAt, 20))
	}
	if closes == "00:00" || closes == "24:00" {
		closes = "23:59" // open until midnight
	}
	if opens == "24:00" || closes <= opens {
		return nil, fmt.Sprintf("it closes (%s) before it opens (%s)", closes, opens)
	}
	var out []Session
	for _, code := range strings.Split(sch.Byday, ",") {
		i := slices.Index(icalDays, strings.ToUpper(strings.TrimSpace(code)))
		if i < 0 {
			return nil, fmt.Sprintf("byday %q is not a list of days like MO,TH", truncate(sch.Byday, 30))
		}
		out = append(out, Session{Day: Days[i], Opens: opens, Closes: closes})
	}
	return out, ""
}

// schedules turns the service's weekly schedules into sessions, once each:
// feeds often repeat a schedule under the service, its place and its
// location. Schedule validity dates are not kept: Oikos's sessions run
// until someone changes them.
func (m *mappedService) schedules(list []HSDSSchedule, in *Input) {
	in.Schedule = []Session{}
	for _, sch := range list {
		sessions, why := sessionsFrom(sch)
		if why != "" {
			m.note("a schedule was left out: %s", why)
			continue
		}
		sourceID, _ := cleanSourceID(sch.ID)
		for _, s := range sessions {
			if slices.Contains(in.Schedule, s) {
				continue
			}
			if len(in.Schedule) == maxSessions {
				m.note("only the first %d weekly sessions were kept", maxSessions)
				return
			}
			in.Schedule = append(in.Schedule, s)
			m.scheduleIDs = append(m.scheduleIDs, sourceID)
		}
	}
}

// terms keeps the service's taxonomy terms. Terms of Oikos's own taxonomy
// (from another Oikos) become categories directly and are not kept twice.
func (m *mappedService) terms(attrs []HSDSAttribute) (kept []Term, direct []string) {
	for _, a := range attrs {
		if a.TaxonomyTerm != nil {
			if _, detail := serviceDetailCode(*a.TaxonomyTerm); detail {
				continue // read by details
			}
		}
		var t Term
		var oikosTerm bool
		if tt := a.TaxonomyTerm; tt != nil {
			t = Term{TermID: tt.ID, Code: tt.Code, Name: tt.Name, Taxonomy: tt.Taxonomy}
			taxID := tt.TaxonomyID
			if tt.TaxonomyDetail != nil {
				if t.Taxonomy == "" {
					t.Taxonomy = tt.TaxonomyDetail.Name
				}
				if taxID == "" {
					taxID = tt.TaxonomyDetail.ID
				}
			}
			if t.Taxonomy == "" {
				t.Taxonomy = taxID
			}
			oikosTerm = IsOikosTaxonomy(taxID) || t.Taxonomy == taxonomy.TaxonomyName
		} else {
			t = Term{TermID: a.TaxonomyTermID}
		}
		if t.TermID == "" {
			t.TermID = a.TaxonomyTermID
		}
		if oikosTerm {
			if c, ok := taxonomy.CategoryByCode(strings.TrimSpace(t.Code)); ok {
				if !slices.Contains(direct, c.Code) {
					direct = append(direct, c.Code)
				}
				continue
			}
		}
		if !m.fitTerm(&t) {
			continue
		}
		if slices.Contains(kept, t) {
			continue
		}
		if len(kept) == maxTerms {
			m.note("only the first %d taxonomy terms were kept", maxTerms)
			break
		}
		kept = append(kept, t)
	}
	return kept, direct
}

// fitTerm tidies a term and reports whether it is fit to store.
func (m *mappedService) fitTerm(t *Term) bool {
	for _, f := range []*string{&t.Taxonomy, &t.TermID, &t.Code, &t.Name} {
		*f = strings.Join(strings.Fields(*f), " ")
		if !oikos.PlainText(*f, false) || utf8.RuneCountInString(*f) > maxName {
			m.note("a taxonomy term was left out: its text must be plain and at most %d characters", maxName)
			return false
		}
	}
	return t.TermID != "" || t.Code != "" || t.Name != ""
}
